"""Automatic backups while the window is in use: at most one a day per catalogue, in the
background, with the time of the last one in the status bar and a failure shown once.

When: a little after a catalogue is opened (so that opening stays quick) and then every hour
the window stays open, a backup is made if the newest one is a day old or more. The backups
themselves, their folder and their rotation are `catalog_app.services.backups`.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from catalog_app.logs import private
from catalog_app.services import Catalogue
from catalog_app.services.backups import AutomaticBackups, BackupReport
from catalog_app.ui.settings import UiSettings
from catalog_app.ui.tasks import TaskHandle, TaskRunner

log = logging.getLogger(__name__)

FIRST_CHECK_MS = 60_000  # after a catalogue is opened
CHECK_EVERY_MS = 60 * 60_000


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


class AutomaticBackupScheduler(QObject):
    """Owns the status bar's backup label; told which catalogue is open."""

    def __init__(self, window: QWidget, runner: TaskRunner, settings: UiSettings) -> None:
        super().__init__(window)
        self._window = window
        self._runner = runner
        self._settings = settings
        self._catalogue: Catalogue | None = None
        self._handle: TaskHandle | None = None
        self._warned = False  # a failure is shown once a session, then only logged
        self.label = QLabel()
        self.label.setObjectName("automatic_backup")
        self._first = QTimer(self)
        self._first.setSingleShot(True)
        self._first.setInterval(FIRST_CHECK_MS)
        self._first.timeout.connect(self.check)
        self._hourly = QTimer(self)
        self._hourly.setInterval(CHECK_EVERY_MS)
        self._hourly.timeout.connect(self.check)

    def set_catalogue(self, catalogue: Catalogue | None) -> None:
        self.stop()
        self._catalogue = catalogue
        self._show_last()
        if catalogue is not None and not catalogue.readonly:
            self._first.start()
            self._hourly.start()

    def stop(self) -> None:
        """Before the catalogue closes: no new backup, and a running one gives up."""
        self._first.stop()
        self._hourly.stop()
        if self._handle is not None:
            self._handle.cancel()

    def running(self) -> bool:
        return self._handle is not None

    def check(self) -> None:
        """Start a backup if one is due (and allowed) for the open catalogue."""
        catalogue = self._catalogue
        keep = self._settings.backups_to_keep()
        if catalogue is None or catalogue.readonly or keep == 0 or self._handle is not None:
            return
        automatic = AutomaticBackups(catalogue.path)
        if not automatic.due():
            return
        self.label.setText("Making the daily backup…")
        self._handle = self._runner.run_reporting(
            lambda report: automatic.run(catalogue, keep, report),
            lambda result: self._finished(catalogue, result),
            lambda message: self._failed(catalogue, message),
        )

    def _finished(self, catalogue: Catalogue, result: BackupReport) -> None:
        self._handle = None
        if catalogue is self._catalogue:
            self._show_last()
        if result.not_backed_up:
            log.warning(
                "automatic backup of %s: %s", private(catalogue.path), private(result.summary())
            )
            self._warn_once(
                catalogue,
                f"The daily backup of {catalogue.path.name} was made, but "
                f"{len(result.not_backed_up):,} original(s) could not be included because "
                "their stored copy is missing or altered. File → Verify Originals names them.",
            )

    def _failed(self, catalogue: Catalogue, message: str) -> None:
        self._handle = None
        log.warning("automatic backup of %s failed: %s", private(catalogue.path), private(message))
        if catalogue is not self._catalogue:
            return
        self.label.setText("The daily backup failed (see the log)")
        self._warn_once(
            catalogue,
            f"The daily backup of {catalogue.path.name} could not be made: {message} "
            "Your catalogue itself is unaffected.",
        )

    def _warn_once(self, catalogue: Catalogue, message: str) -> None:
        if self._warned or catalogue is not self._catalogue:
            return
        self._warned = True
        QMessageBox.warning(
            self._window,
            "Automatic backup",
            message + " This is not shown again until the program is restarted.",
        )

    def _show_last(self) -> None:
        catalogue = self._catalogue
        if catalogue is None:
            self.label.clear()
            return
        if catalogue.readonly:
            self.label.setText("Read-only: no automatic backups")
            return
        if self._settings.backups_to_keep() == 0:
            self.label.setText("Automatic backups off")
            return
        last = AutomaticBackups(catalogue.path).last()
        self.label.setText(
            f"Last automatic backup: {_when(last)}" if last else "No automatic backup yet"
        )
        self.label.setToolTip(str(AutomaticBackups(catalogue.path).folder))

    def settings_changed(self) -> None:
        self._show_last()
