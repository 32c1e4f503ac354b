"""File → New Encrypted Catalogue: the passphrase, typed twice, for the catalogue just named."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from catalog_app.errors import CatalogError, ValidationError
from catalog_app.services import Catalogue
from catalog_app.ui.passphrase_prompt import CatalogueOpener
from catalog_app.ui.tasks import TaskRunner

ENCRYPTION_NOTE = (
    "The catalogue, its originals and its backups can be read only with this passphrase. "
    "Nobody can recover them if it is forgotten: keep it somewhere safe."
)
DIFFERENT = "The two passphrases differ; type it again in both fields."


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class NewEncryptedCatalogueDialog(QDialog):
    """Create makes the encrypted catalogue at `path` off the GUI thread: `created(Catalogue)`
    follows. A passphrase too short, or typed twice differently, is said on one line; another
    problem closes the dialog with `failed(CatalogError)`."""

    created = Signal(object)
    failed = Signal(object)

    def __init__(self, runner: TaskRunner, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Encrypted Catalogue")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.path = path
        self.passphrase = _password_field("new_passphrase")
        self.confirmation = _password_field("confirm_passphrase")
        self.message = QLabel()
        self.message.setObjectName("new_catalogue_message")
        self.message.setWordWrap(True)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # no steps to count: it only says "working"
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumHeight(6)
        self.busy_bar.hide()
        heading = QLabel(f"Create <b>{escape(path.name)}</b>, encrypted with a passphrase.")
        heading.setTextFormat(Qt.TextFormat.RichText)
        note = QLabel(ENCRYPTION_NOTE)
        note.setWordWrap(True)
        self.opener = CatalogueOpener(runner, self)
        self.opener.opened.connect(self._created)
        self.opener.refused.connect(self._say)
        self.opener.failed.connect(self._failed)
        form = QFormLayout()
        form.addRow("Passphrase", self.passphrase)
        form.addRow("Passphrase again", self.confirmation)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.busy_bar)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        note.setMinimumHeight(note.heightForWidth(460))
        self.passphrase.setFocus()

    def accept(self) -> None:
        if self.opener.busy:
            return
        first, second = self.passphrase.text(), self.confirmation.text()
        self.passphrase.clear()
        self.confirmation.clear()
        if first != second:
            self.passphrase.setFocus()
            self._say(DIFFERENT)
            return
        self._set_busy(True)
        self.message.setText("Creating the encrypted catalogue…")
        self.opener.start(self.path, first, create=True, encrypt=True)

    def reject(self) -> None:
        self.opener.abandon()
        super().reject()

    def _set_busy(self, busy: bool) -> None:
        self.busy_bar.setVisible(busy)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not busy)
        for field in (self.passphrase, self.confirmation):
            field.setEnabled(not busy)

    def _say(self, line: str) -> None:
        self._set_busy(False)
        self.message.setText(line)

    def _created(self, catalogue: Catalogue) -> None:
        self._set_busy(False)
        super().accept()
        self.created.emit(catalogue)

    def _failed(self, error: CatalogError) -> None:
        if isinstance(error, ValidationError):  # the passphrase is too short: say why
            self.passphrase.clear()
            self._say(str(error))
            self.passphrase.setFocus()
            return
        self._set_busy(False)
        super().reject()
        self.failed.emit(error)
