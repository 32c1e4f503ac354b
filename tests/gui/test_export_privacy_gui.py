"""The window: changes recorded under the name in Edit → Preferences, and exports that leave
out host and login names and local paths unless the archivist ticks the box."""

from __future__ import annotations

import platform
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.services.identity import UNNAMED, USER_ENV
from catalog_app.ui.export_dialog import ExportDialog
from catalog_app.ui.main_window import NO_NAME, MainWindow
from catalog_app.ui.preferences_dialog import PreferencesDialog
from catalog_app.ui.settings import UiSettings
from catalog_app.ui.tasks import TaskRunner

HOST = "hostzqx-laptop"
LOGIN = "loginzqx"
IMPORT_FOLDER = "folderzqx-informants"


def _latest_actor(catalogue: Catalogue) -> str:
    return catalogue.audit.recent(1)[0].actor


def _records(window: MainWindow) -> int:
    return window.catalogue.stats().counts["units"] if window.catalogue else 0


def _new_record(qtbot: QtBot, window: MainWindow) -> None:
    """Record → New Record, typed as its shortcut."""
    before = _records(window)
    window.activateWindow()  # again, after a dialog
    qtbot.waitUntil(window.isActiveWindow)
    shortcut = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.tree, Qt.Key.Key_N, shortcut)
    qtbot.waitUntil(lambda: _records(window) == before + 1)


def _type_name_in_preferences(qtbot: QtBot, name: str) -> None:
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, PreferencesDialog)
    field = dialog.findChild(QLineEdit, "user_name")
    assert field is not None
    field.selectAll()
    qtbot.keyClicks(field, name)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_changes_are_recorded_under_the_preferences_name_a_new_one_from_the_next_action(
    qtbot: QtBot,
    window: MainWindow,
    ui_settings: UiSettings,
    catalogue_path: Path,
    empty_catalogue_file: Path,
) -> None:
    shutil.copyfile(empty_catalogue_file, catalogue_path)
    ui_settings.set_user_name("Maryam Rahimi")
    assert window.open_catalogue(catalogue_path)
    assert window.catalogue is not None
    _new_record(qtbot, window)
    assert _latest_actor(window.catalogue) == "Maryam Rahimi"
    assert window.detail is not None
    assert window.detail.reliability.assessor.text() == "Maryam Rahimi"

    QTimer.singleShot(0, lambda: _type_name_in_preferences(qtbot, "Leila Sadr"))
    window.edit_preferences()
    assert ui_settings.user_name() == "Leila Sadr"
    _new_record(qtbot, window)
    assert _latest_actor(window.catalogue) == "Leila Sadr"
    assert window.detail.reliability.assessor.text() == "Leila Sadr"


def test_without_a_name_the_window_says_so_and_records_no_login_name(
    qtbot: QtBot,
    window: MainWindow,
    catalogue_path: Path,
    empty_catalogue_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(USER_ENV)
    monkeypatch.setenv("LOGNAME", LOGIN)
    shutil.copyfile(empty_catalogue_file, catalogue_path)
    assert window.open_catalogue(catalogue_path)
    assert window.statusBar().currentMessage() == NO_NAME
    _new_record(qtbot, window)
    assert window.catalogue is not None
    assert _latest_actor(window.catalogue) == UNNAMED


@pytest.fixture
def seized(catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Catalogue:
    """Records made on HOST under the login LOGIN (as the person) from IMPORT_FOLDER."""
    monkeypatch.setattr(platform, "node", lambda: HOST)
    monkeypatch.setenv("LOGNAME", LOGIN)
    document = tmp_path / IMPORT_FOLDER / "statement.txt"
    document.parent.mkdir()
    document.write_text("Statement of a witness", encoding="utf-8")
    catalogue.actor = LOGIN
    assert catalogue.imports.run([document], workers=1).count("imported") == 1
    return catalogue


def _export(qtbot: QtBot, catalogue: Catalogue, target: Path, *, internal: bool) -> bytes:
    dialog = ExportDialog(catalogue, TaskRunner())
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.include_internal.isChecked()  # unticked unless the archivist ticks it
    assert dialog.internal_warning.isHidden()
    if internal:
        qtbot.mouseClick(dialog.include_internal, Qt.MouseButton.LeftButton)
        assert dialog.internal_warning.isVisible()
    qtbot.keyClicks(dialog.output, str(target))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_ is not None, timeout=10_000)
    return target.read_bytes()


def test_an_export_from_the_window_leaves_out_internal_details_unless_ticked(
    qtbot: QtBot, seized: Catalogue, tmp_path: Path
) -> None:
    shared = _export(qtbot, seized, tmp_path / "shared.csv", internal=False)
    assert b"statement.txt" in shared
    for detail in (HOST, LOGIN, IMPORT_FOLDER):
        assert detail.encode() not in shared
    internal = _export(qtbot, seized, tmp_path / "internal.csv", internal=True)
    for detail in (HOST, LOGIN, IMPORT_FOLDER):
        assert detail.encode() in internal
