"""The dialog that asks for an encrypted catalogue's passphrase when the window opens it."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from catalog_app.services import Catalogue
from catalog_app.ui.passphrase_prompt import PassphrasePrompt
from catalog_app.ui.tasks import TaskRunner


class UnlockDialog(QDialog):
    """OK opens the catalogue with the passphrase typed (off the GUI thread); a wrong one is
    said in the dialog, which stays open. `unlocked(Catalogue)` follows a right one;
    `failed(CatalogError)` another problem (the dialog closes). Cancel opens nothing."""

    unlocked = Signal(object)
    failed = Signal(object)

    def __init__(self, runner: TaskRunner, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Unlock Catalogue")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.path = path
        heading = QLabel(f"<b>{escape(path.name)}</b> is encrypted.")
        heading.setObjectName("catalogue_name")
        heading.setTextFormat(Qt.TextFormat.RichText)
        explanation = QLabel("Type its passphrase to open it.")
        self.prompt = PassphrasePrompt(runner, path, self)
        self.prompt.opened.connect(self._opened)
        self.prompt.failed.connect(self._failed)
        self.prompt.busy_changed.connect(self._busy)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Unlock")
        self.buttons.accepted.connect(self.prompt.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(explanation)
        layout.addWidget(self.prompt)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self.prompt.field.setFocus()

    @property
    def message(self) -> str:
        return self.prompt.message.text()

    def accept(self) -> None:
        # Enter in the field comes here first: it means "try this passphrase".
        self.prompt.submit()

    def reject(self) -> None:
        self.prompt.abandon()
        super().reject()

    def _busy(self, busy: bool) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not busy)

    def _opened(self, catalogue: Catalogue) -> None:
        super().accept()
        self.unlocked.emit(catalogue)

    def _failed(self, error: object) -> None:
        super().reject()
        self.failed.emit(error)
