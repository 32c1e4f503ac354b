"""Asking for an encrypted catalogue's passphrase and opening the catalogue with it.

Deriving the keys takes about half a second, so the opening runs off the GUI thread; a wrong
passphrase is said on one line under the field, and the person types it again. The unlock
dialog and the lock screen both show this prompt.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QProgressBar, QVBoxLayout, QWidget

from catalog_app.errors import CatalogError, WrongPassphrase
from catalog_app.services import Catalogue
from catalog_app.ui.tasks import TaskRunner

Outcome = Catalogue | CatalogError


class CatalogueOpener(QObject):
    """Opens one catalogue with a passphrase through the runner; the outcome comes back on
    the GUI thread as `opened(Catalogue)`, `refused(line)` for a wrong passphrase, or
    `failed(CatalogError)` for anything else. A catalogue that arrives after `abandon()` is
    closed at once: nobody is waiting for it."""

    opened = Signal(object)
    refused = Signal(str)
    failed = Signal(object)

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._attempt = 0
        self.busy = False

    def start(
        self, path: Path, passphrase: str, *, create: bool = False, encrypt: bool = False
    ) -> None:
        self._attempt += 1
        attempt = self._attempt
        self.busy = True

        def work() -> Outcome:
            try:
                return Catalogue.open(path, create=create, encrypt=encrypt, passphrase=passphrase)
            except CatalogError as error:  # said to the person, not logged as a failure
                return error

        self._runner.run(
            work,
            lambda outcome: self._arrived(attempt, outcome),
            lambda message: self._arrived(attempt, CatalogError(message)),
        )

    def abandon(self) -> None:
        self._attempt += 1
        self.busy = False

    def _arrived(self, attempt: int, outcome: Outcome) -> None:
        if attempt != self._attempt:
            if isinstance(outcome, Catalogue):
                outcome.close()
            return
        self.busy = False
        if isinstance(outcome, WrongPassphrase):
            self.refused.emit("That passphrase does not open this catalogue. Try again.")
        elif isinstance(outcome, CatalogError):
            self.failed.emit(outcome)
        else:
            self.opened.emit(outcome)


class PassphrasePrompt(QWidget):
    """The passphrase field, a one-line message under it and a busy bar while opening.

    `submit()` opens `path` with what was typed; the field is emptied whatever happens.
    """

    opened = Signal(object)  # Catalogue
    failed = Signal(object)  # CatalogError other than a wrong passphrase
    busy_changed = Signal(bool)

    def __init__(self, runner: TaskRunner, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.field = QLineEdit()
        self.field.setObjectName("passphrase")
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setPlaceholderText("Passphrase")
        self.message = QLabel()
        self.message.setObjectName("passphrase_message")
        self.message.setWordWrap(True)
        self.message.setMinimumHeight(self.message.fontMetrics().height())  # no jump when said
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # no steps to count: it only says "working"
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumHeight(6)
        self.busy_bar.hide()
        self.opener = CatalogueOpener(runner, self)
        self.opener.opened.connect(self._opened)
        self.opener.refused.connect(self._refused)
        self.opener.failed.connect(self._failed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.field)
        layout.addWidget(self.busy_bar)
        layout.addWidget(self.message)

    def submit(self) -> None:
        if self.opener.busy:
            return
        text = self.field.text()
        self.field.clear()
        if not text:
            self.message.setText("Type the catalogue's passphrase.")
            return
        self.message.setText("Unlocking…")
        self._set_busy(True)
        self.opener.start(self.path, text)

    def abandon(self) -> None:
        """Stop waiting for an opening under way (Cancel): what it opens is closed."""
        self.opener.abandon()
        self.field.clear()
        self.message.clear()
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        self.field.setEnabled(not busy)
        self.busy_bar.setVisible(busy)
        self.busy_changed.emit(busy)
        if not busy and self.field.isVisible():  # a hidden field would take the keys
            self.field.setFocus()

    def _opened(self, catalogue: Catalogue) -> None:
        self.message.clear()
        self._set_busy(False)
        self.opened.emit(catalogue)

    def _refused(self, line: str) -> None:
        self._set_busy(False)
        self.message.setText(line)

    def _failed(self, error: CatalogError) -> None:
        self.message.clear()
        self._set_busy(False)
        self.failed.emit(error)
