"""File → Back Up: choose a folder, then back up in the background with progress and Cancel."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from catalog_app.services import Catalogue
from catalog_app.services.backups import MB, BackupReport
from catalog_app.ui.tasks import TaskHandle, TaskRunner


def new_backup_folder(folder: Path, catalogue: Path, today: date | None = None) -> Path:
    """A name for a new backup in `folder`: `<catalogue>-backup-<date>`, numbered if taken."""
    stem = f"{catalogue.stem}-backup-{(today or date.today()).isoformat()}"
    candidate, number = folder / stem, 1
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = folder / f"{stem} ({number})"
    return candidate


def choose_backup_folder(parent: QWidget, catalogue: Path) -> Path | None:
    """Ask where the backup goes; None if the person changed their mind.

    Only folders are shown (never the catalogue file itself, which the dialog would open to
    guess its type), and the backup is a new folder inside the chosen one.
    """
    chosen = QFileDialog.getExistingDirectory(
        parent,
        "Back Up Catalogue Into Folder",
        str(catalogue.parent),
        QFileDialog.Option.ShowDirsOnly,
    )
    return new_backup_folder(Path(chosen), catalogue) if chosen else None


class BackupDialog(QDialog):
    """Backs `catalogue` up into `destination` as soon as it is shown."""

    backed_up = Signal(str)  # what was written, in one sentence

    def __init__(
        self,
        catalogue: Catalogue,
        runner: TaskRunner,
        destination: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Back Up Catalogue")
        self._cat = catalogue
        self._runner = runner
        self.destination = destination
        self._handle: TaskHandle | None = None
        self.report: BackupReport | None = None
        self.failure: str | None = None
        self.message = QLabel(
            f"Backing up {catalogue.path.name} and its originals to {destination}…"
        )
        self.message.setObjectName("backup_message")
        self.message.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.buttons = QDialogButtonBox()
        self.close_button: QPushButton = self.buttons.addButton(
            QDialogButtonBox.StandardButton.Cancel
        )
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)
        self.resize(560, 150)

    def start(self) -> None:
        if self._handle is not None or self.report is not None:
            return
        catalogue, destination = self._cat, self.destination
        self._handle = self._runner.run_reporting(
            lambda report: catalogue.backup(destination, report=report),
            self._finished,
            self._failed,
            self._progressed,
        )

    def running(self) -> bool:
        return self._handle is not None

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total // MB))
        self.progress.setValue(done // MB)

    def _settled(self, text: str, *, problem: bool = False) -> None:
        self._handle = None
        self.progress.hide()
        self.message.setStyleSheet("color: #b00020;" if problem else "")
        self.message.setText(text)
        self.close_button.setText("Close")

    def _finished(self, report: BackupReport) -> None:
        self.report = report
        self._settled(report.summary())
        if not report.cancelled:
            self.backed_up.emit(report.summary())

    def _failed(self, message: str) -> None:
        self.failure = message
        self._settled(message, problem=True)

    def reject(self) -> None:
        """Cancel (or the window's close button) stops a running backup; nothing is kept."""
        if self._handle is not None:
            self._handle.cancel()
            self.message.setText("Stopping; nothing will be kept…")
            return
        super().reject()
