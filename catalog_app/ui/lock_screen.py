"""What the window shows in place of a locked catalogue: its name and a way to unlock it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from catalog_app.ui.passphrase_prompt import PassphrasePrompt
from catalog_app.ui.tasks import TaskRunner

FIELD_WIDTH = 420  # the field, and the line under it that says a passphrase was wrong
UNLOCK_NOTE = "Type its passphrase to go on working in it."


class LockScreen(QWidget):
    """ "<name> is locked", the passphrase field and Unlock. `unlocked(Catalogue)` follows the
    right passphrase, `failed(CatalogError)` a problem other than a wrong one."""

    unlocked = Signal(object)
    failed = Signal(object)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lock_screen")
        self.heading = QLabel()
        self.heading.setObjectName("locked_heading")
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.heading.setFont(font)
        self.note = QLabel()
        self.note.setObjectName("locked_note")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setWordWrap(True)
        self.prompt = PassphrasePrompt(runner, Path(), self)
        self.prompt.setFixedWidth(FIELD_WIDTH)
        self.prompt.field.returnPressed.connect(self.prompt.submit)
        self.prompt.opened.connect(self.unlocked)
        self.prompt.failed.connect(self.failed)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setObjectName("unlock")
        self.unlock_button.clicked.connect(self.prompt.submit)
        self.prompt.busy_changed.connect(lambda busy: self.unlock_button.setEnabled(not busy))
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(self.prompt, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addStretch()
        column = QVBoxLayout(self)
        column.addStretch(2)
        column.addWidget(self.heading)
        column.addWidget(self.note)
        column.addSpacing(16)
        column.addLayout(row)
        column.addStretch(3)

    def show_locked(self, path: Path, note: str = "") -> None:
        """Ask for the passphrase of the catalogue at `path`, locked just now."""
        self.prompt.abandon()
        self.prompt.path = path
        self.heading.setText(f"{path.name} is locked")
        self.note.setText(f"{note} {UNLOCK_NOTE}" if note else UNLOCK_NOTE)

    def leave(self) -> None:
        """The window shows a catalogue again: stop waiting for an unlocking under way."""
        self.prompt.abandon()

    def focus(self) -> None:
        self.prompt.field.setFocus()
