"""File → Back Up from the keyboard, its progress and Cancel, automatic backups and their
preference, as a person meets them."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path

import bagit
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu
from pytestqt.qtbot import QtBot

from catalog_app.errors import CatalogError
from catalog_app.ingest import store
from catalog_app.services import Catalogue
from catalog_app.services.backups import AutomaticBackups, BackupReport
from catalog_app.ui.main_window import MainWindow
from catalog_app.ui.preferences_dialog import PreferencesDialog
from catalog_app.ui.settings import UiSettings

MENU_WARNINGS = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")


@pytest.fixture
def with_originals(described: Catalogue, tmp_path: Path) -> Catalogue:
    source = tmp_path / "گزارش.txt"
    source.write_text("گزارش شاهدان از خاوران", encoding="utf-8")
    assert described.imports.run([source], workers=1).new_ids
    return described


def _open(window: MainWindow, catalogue: Catalogue) -> None:
    path = catalogue.path
    catalogue.close()
    assert window.open_catalogue(path)


def _choose_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[str]:
    asked: list[str] = []

    def chosen(*args: object, **kwargs: object) -> str:
        asked.append(str(args[1]))
        return str(folder)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", chosen)
    return asked


def _press_file_menu_item(qtbot: QtBot, window: MainWindow, key: Qt.Key) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    qtbot.keyClick(QApplication.activePopupWidget(), key)


@MENU_WARNINGS
def test_back_up_from_the_file_menu_with_the_keyboard(
    qtbot: QtBot,
    window: MainWindow,
    with_originals: Catalogue,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _open(window, with_originals)
    folder = tmp_path / "usb"
    folder.mkdir()
    asked = _choose_folder(monkeypatch, folder)
    _press_file_menu_item(qtbot, window, Qt.Key.Key_B)
    qtbot.waitUntil(lambda: window.backup_dialog is not None)
    dialog = window.backup_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.report is not None or dialog.failure is not None)
    assert dialog.failure is None
    assert asked == ["Back Up Catalogue Into Folder"]
    written = folder / f"catalogue-backup-{date.today().isoformat()}"
    assert dialog.destination == written
    bag = bagit.Bag(str(written))
    bag.validate()
    assert any(p.startswith("data/catalogue-originals/") for p in bag.payload_entries())
    shown = dialog.message.text()
    assert shown.startswith(f"Backed up {window.catalogue.path if window.catalogue else ''}")
    assert shown.endswith("verified.")
    assert "1 originals" in shown
    assert window.statusBar().currentMessage() == shown
    assert dialog.close_button.text() == "Close"
    dialog.close_button.click()
    assert not dialog.isVisible()

    # A second backup the same day goes into a new folder beside the first.
    window.backup_action.trigger()
    second = window.backup_dialog
    assert second is not None
    qtbot.waitUntil(lambda: second.report is not None)
    assert second.destination == folder / f"{written.name} (2)"


def test_cancel_stops_a_running_backup(
    qtbot: QtBot,
    window: MainWindow,
    described: Catalogue,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _open(window, described)
    _choose_folder(monkeypatch, tmp_path)
    started = threading.Event()

    def slow_backup(self: Catalogue, destination: Path, report: object = None) -> BackupReport:
        assert callable(report)
        started.set()
        while report(0, 100):  # until Cancel
            threading.Event().wait(0.01)
        return BackupReport(self.path, destination, 0, 0, 0.0, cancelled=True)

    monkeypatch.setattr(Catalogue, "backup", slow_backup)
    summaries: list[str] = []
    window.backup_action.trigger()
    dialog = window.backup_dialog
    assert dialog is not None
    dialog.backed_up.connect(summaries.append)
    qtbot.waitUntil(started.is_set)
    assert dialog.running()
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.report is not None)
    assert dialog.message.text() == "The backup was stopped; nothing was written."
    assert summaries == []
    assert dialog.isVisible()  # says what happened until closed


def test_a_failed_backup_says_why(
    qtbot: QtBot,
    window: MainWindow,
    described: Catalogue,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _open(window, described)
    _choose_folder(monkeypatch, tmp_path / "not-there" / "deeper")
    (tmp_path / "not-there").write_text("a file, not a folder")
    window.backup_action.trigger()
    dialog = window.backup_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.failure is not None)
    assert "nothing was written" in dialog.message.text()


def test_preferences_set_how_many_automatic_backups_are_kept(
    qtbot: QtBot, ui_settings: UiSettings
) -> None:
    assert ui_settings.backups_to_keep() == 7
    dialog = PreferencesDialog(ui_settings)
    qtbot.addWidget(dialog)
    assert dialog.backups_to_keep.value() == 7
    dialog.backups_to_keep.setValue(2)
    dialog.user_name.setText("  Jane Roe ")
    dialog.accept()
    assert ui_settings.backups_to_keep() == 2
    assert ui_settings.user_name() == "Jane Roe"


def test_automatic_backups_rotate_with_the_preference(
    qtbot: QtBot,
    window: MainWindow,
    ui_settings: UiSettings,
    with_originals: Catalogue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ui_settings.set_backups_to_keep(2)
    path = with_originals.path
    _open(window, with_originals)
    label = window.automatic_backups.label
    assert label.text() == "No automatic backup yet"
    today = [datetime(2026, 3, 1, 8, tzinfo=UTC)]

    class Clock(datetime):
        @classmethod
        def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
            return today[0]

    monkeypatch.setattr("catalog_app.services.backups.datetime", Clock)
    for day in range(1, 5):  # a check each day finds the last backup a day old
        today[0] = datetime(2026, 3, day, 8, tzinfo=UTC)
        window.automatic_backups.check()
        qtbot.waitUntil(lambda: not window.automatic_backups.running())
        window.automatic_backups.check()  # the same day: not due again
        assert not window.automatic_backups.running()
    kept = AutomaticBackups(path).existing()
    assert [when.day for when, _ in kept] == [3, 4]
    assert label.text().startswith("Last automatic backup: 2026-03-04")
    originals = [p / "data" / store.store_root(path).name for _, p in kept]
    assert [sum(1 for f in o.rglob("*") if f.is_file()) for o in originals] == [1, 1]

    ui_settings.set_backups_to_keep(0)
    window.automatic_backups.settings_changed()
    assert label.text() == "Automatic backups off"
    window.automatic_backups.check()
    assert not window.automatic_backups.running()


def test_a_failing_automatic_backup_is_shown_once_and_logged(
    qtbot: QtBot,
    window: MainWindow,
    described: Catalogue,
    messages: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object) -> BackupReport:
        raise CatalogError("The disk is full.")

    monkeypatch.setattr(AutomaticBackups, "run", broken)
    _open(window, described)
    for _ in range(2):
        window.automatic_backups.check()
        qtbot.waitUntil(lambda: not window.automatic_backups.running())
    assert len(messages) == 1
    assert "could not be made: The disk is full." in messages[0][1]
    assert window.automatic_backups.label.text() == "The daily backup failed (see the log)"
    assert sum("automatic backup" in r.getMessage() for r in caplog.records) == 2


def test_no_automatic_backup_of_a_read_only_catalogue(
    window: MainWindow, catalogue: Catalogue
) -> None:
    path = catalogue.path
    catalogue.close()
    path.chmod(0o444)
    try:
        assert window.open_catalogue(path)
        window.automatic_backups.check()
        assert not window.automatic_backups.running()
        assert window.automatic_backups.label.text() == "Read-only: no automatic backups"
        assert AutomaticBackups(path).existing() == []
    finally:
        path.chmod(0o644)
