"""Edit → Preferences: your name, recorded with everything you do, how many automatic
backups to keep, and when an encrypted catalogue locks itself."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from catalog_app.services.backups import AUTOMATIC_FOLDER
from catalog_app.services.identity import UNNAMED
from catalog_app.ui.settings import MAX_AUTOMATIC_BACKUPS, MAX_LOCK_MINUTES, UiSettings

BACKUPS_NOTE = (
    f"Once a day while the window is in use, the open catalogue and its originals are backed "
    f"up into the '{AUTOMATIC_FOLDER}' folder of your data folder; the newest ones are kept. "
    "Unchanged originals are shared between them, so each takes little more room than the "
    "catalogue. 0 turns automatic backups off."
)


NAME_NOTE = (
    "Recorded with every change, event and assessment you make. Left empty, they are "
    f"recorded as '{UNNAMED}' (never your login name)."
)


class PreferencesDialog(QDialog):
    def __init__(self, settings: UiSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self._settings = settings
        self.user_name = QLineEdit(settings.user_name())
        self.user_name.setObjectName("user_name")
        self.backups_to_keep = QSpinBox()
        self.backups_to_keep.setObjectName("backups_to_keep")
        self.backups_to_keep.setRange(0, MAX_AUTOMATIC_BACKUPS)
        self.backups_to_keep.setSpecialValueText("None (off)")
        self.backups_to_keep.setValue(settings.backups_to_keep())
        self.lock_after = QSpinBox()
        self.lock_after.setObjectName("lock_after_minutes")
        self.lock_after.setRange(0, MAX_LOCK_MINUTES)
        self.lock_after.setSpecialValueText("Never")
        self.lock_after.setSuffix(" minutes without use")
        self.lock_after.setValue(settings.lock_after_minutes())
        note = QLabel(BACKUPS_NOTE)
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Your name", self.user_name)
        name_note = QLabel(NAME_NOTE)
        name_note.setWordWrap(True)
        form.addRow("", name_note)
        form.addRow("Automatic backups to keep", self.backups_to_keep)
        form.addRow("Lock an encrypted catalogue after", self.lock_after)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addStretch()
        layout.addWidget(buttons)
        # Wide enough to read, and as tall as the wrapped note needs (never cut off).
        self.setMinimumWidth(560)
        note.setMinimumHeight(note.heightForWidth(540))

    def accept(self) -> None:
        self._settings.set_user_name(self.user_name.text().strip())
        self._settings.set_backups_to_keep(self.backups_to_keep.value())
        self._settings.set_lock_after_minutes(self.lock_after.value())
        super().accept()
