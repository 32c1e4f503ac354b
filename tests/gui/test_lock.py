"""An encrypted catalogue in the window: it asks for its passphrase, locks on Ctrl+L and after a
while without use, forgets what it showed, and unlocks with the passphrase again."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from catalog_app.errors import CatalogError
from catalog_app.services import Catalogue
from catalog_app.ui.main_window import MainWindow
from catalog_app.ui.new_encrypted_dialog import NewEncryptedCatalogueDialog
from catalog_app.ui.preferences_dialog import PreferencesDialog
from catalog_app.ui.settings import DEFAULT_LOCK_MINUTES, UiSettings
from catalog_app.ui.unlock_dialog import UnlockDialog
from tests.gui.helpers import record_shown

PASSPHRASE = "correct horse battery"
SECRET_TITLE = "Testimony of the night watchman"
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(autouse=True)
def quick_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_KDF_MEMORY_MB", "8")  # Argon2id in milliseconds


@pytest.fixture
def encrypted(tmp_path: Path) -> Path:
    path = tmp_path / "evidence.sqlite"
    with Catalogue.open(
        path, create=True, encrypt=True, passphrase=PASSPHRASE, actor="tester"
    ) as catalogue:
        fonds = catalogue.units.create({"title": "Hidden fonds", "level": "fonds"})
        catalogue.units.create({"title": SECRET_TITLE}, parent_id=fonds.id)
        catalogue.units.create({"title": "Second fonds", "level": "fonds"})
    return path


def _active(qtbot: QtBot, widget: QWidget) -> None:
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)


def _asking(qtbot: QtBot, window: MainWindow, path: Path) -> UnlockDialog:
    assert not window.open_catalogue(path)  # not yet: the passphrase first
    dialog = window.unlock_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    _active(qtbot, dialog)
    return dialog


def _type_and_enter(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    field.setFocus()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def _shown(window: MainWindow) -> Catalogue | None:
    """The catalogue open in the window now (a call: each answer is checked afresh)."""
    return window.catalogue


def _locked(window: MainWindow) -> Path | None:
    return window.locked_path


def _opened(qtbot: QtBot, window: MainWindow) -> Catalogue:
    """The catalogue the window shows once the opening under way has finished."""
    qtbot.waitUntil(lambda: window.catalogue is not None, timeout=5000)
    assert window.catalogue is not None
    return window.catalogue


def _unlocked(qtbot: QtBot, window: MainWindow, path: Path) -> Catalogue:
    dialog = _asking(qtbot, window, path)
    _type_and_enter(qtbot, dialog.prompt.field, PASSPHRASE)
    catalogue = _opened(qtbot, window)
    _active(qtbot, window)
    return catalogue


def _press_lock(qtbot: QtBot, window: MainWindow) -> None:
    _active(qtbot, window)
    qtbot.keyClick(window.records_view, Qt.Key.Key_L, CTRL)
    _written(qtbot, window)


def _written(qtbot: QtBot, window: MainWindow) -> None:
    """Wait for the form's save on the writer lane: the lock waits for it too."""
    qtbot.waitUntil(lambda: not window.tasks.writing_now)


def _titles(window: MainWindow) -> list[str]:
    return [str(window.records.index(row, 1).data()) for row in range(window.records.rowCount())]


def test_the_passphrase_dialog_names_the_catalogue_and_a_wrong_one_is_said_in_it(
    qtbot: QtBot, window: MainWindow, encrypted: Path
) -> None:
    dialog = _asking(qtbot, window, encrypted)
    name = dialog.findChild(QLabel, "catalogue_name")
    assert name is not None
    assert "evidence.sqlite" in name.text()
    assert dialog.prompt.field.echoMode() == QLineEdit.EchoMode.Password

    _type_and_enter(qtbot, dialog.prompt.field, "not the passphrase")
    qtbot.waitUntil(lambda: "does not open" in dialog.message, timeout=5000)
    assert dialog.isVisible()
    assert "\n" not in dialog.message
    assert dialog.prompt.field.text() == ""
    assert _shown(window) is None

    _type_and_enter(qtbot, dialog.prompt.field, PASSPHRASE)
    assert _opened(qtbot, window).encrypted
    assert not dialog.isVisible()
    assert window.lock_action.isEnabled()
    window.tree.expandAll()
    assert SECRET_TITLE in _titles(window)


def test_cancel_keeps_the_catalogue_shown_before(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, encrypted: Path
) -> None:
    plain = catalogue.path
    catalogue.close()
    assert window.open_catalogue(plain)
    dialog = _asking(qtbot, window, encrypted)
    qtbot.keyClick(dialog.prompt.field, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert window.catalogue is not None
    assert window.catalogue.path == plain
    assert not window.lock_action.isEnabled()


def test_ctrl_l_locks_forgetting_what_was_shown_and_the_passphrase_unlocks(
    qtbot: QtBot, window: MainWindow, encrypted: Path
) -> None:
    catalogue = _unlocked(qtbot, window, encrypted)
    keys = catalogue.keys
    assert keys is not None
    window.new_record_action.trigger()  # something to undo
    qtbot.waitUntil(lambda: window.undo_stack.count() > 0)
    assert window.undo_stack.count() > 0
    secret = catalogue.units.find("CAT-0001/0001").id
    window.show_unit(secret)
    record_shown(qtbot, window.detail)
    assert window.detail is not None
    title = window.detail.description.fields["title"].editor
    assert isinstance(title, QLineEdit)
    title.setFocus()
    title.selectAll()
    qtbot.keyClicks(title, "Statement of the watchman")  # typed, not saved yet

    _press_lock(qtbot, window)

    assert _shown(window) is None
    with pytest.raises(CatalogError):
        keys.database  # noqa: B018 - forgotten: reading them is refused
    assert window.central.currentWidget() is window.lock_screen
    assert _locked(window) == encrypted
    assert window.lock_screen.heading.text() == "evidence.sqlite is locked"
    assert window.records.rowCount() == 0
    assert window.hierarchy.rowCount() == 0
    assert window.current_unit() is None  # no record pane left
    assert window.undo_stack.count() == 0
    assert window.undo_action.text() == "&Undo"
    assert "watchman" not in window.windowTitle()
    assert not window.lock_action.isEnabled()

    field = window.lock_screen.prompt.field
    _type_and_enter(qtbot, field, "a wrong guess")
    qtbot.waitUntil(lambda: "does not open" in window.lock_screen.prompt.message.text())
    assert _shown(window) is None

    _type_and_enter(qtbot, field, PASSPHRASE)
    again = _opened(qtbot, window)
    assert window.central.currentWidget() is window.splitter
    assert _locked(window) is None
    assert window.current_unit() == secret  # where the person was
    assert again.units.get(secret).title == "Statement of the watchman"


def test_a_change_the_record_refuses_keeps_it_open_until_it_is_left_unused(
    qtbot: QtBot, window: MainWindow, encrypted: Path, messages: list[tuple[str, str]]
) -> None:
    catalogue = _unlocked(qtbot, window, encrypted)
    window.show_unit(catalogue.units.find("CAT-0002").id)
    record_shown(qtbot, window.detail)
    assert window.detail is not None
    code = window.detail.description.fields["reference_code"].editor
    assert isinstance(code, QLineEdit)
    code.setFocus()
    code.selectAll()
    qtbot.keyClicks(code, "CAT-0001")  # another record's code

    _press_lock(qtbot, window)

    assert _shown(window) is catalogue
    assert messages[-1][1].startswith("A change in this record cannot be saved yet")
    assert code.text() == "CAT-0001"  # the typing is kept

    window.idle.timer.timeout.emit()  # nobody came back: the lock comes first
    _written(qtbot, window)
    assert _shown(window) is None
    assert "was not kept" in window.lock_screen.note.text()


def test_it_locks_after_the_time_without_use_that_input_restarts(
    qtbot: QtBot, window: MainWindow, encrypted: Path
) -> None:
    assert window.idle.minutes == DEFAULT_LOCK_MINUTES
    _unlocked(qtbot, window, encrypted)
    timer = window.idle.timer
    assert timer.isActive()
    assert timer.interval() == DEFAULT_LOCK_MINUTES * 60_000
    before = window.idle.restarts
    qtbot.keyClick(window.records_view, Qt.Key.Key_Down)
    assert window.idle.restarts > before
    assert timer.isActive()

    timer.timeout.emit()  # the minutes have passed

    assert _shown(window) is None
    assert window.central.currentWidget() is window.lock_screen
    assert "15 minutes without use" in window.lock_screen.note.text()
    assert not timer.isActive()  # nothing to lock until it is unlocked again


def test_zero_minutes_never_locks(
    qtbot: QtBot, tmp_path: Path, encrypted: Path, messages: list[tuple[str, str]]
) -> None:
    settings = UiSettings(QSettings(str(tmp_path / "never.ini"), QSettings.Format.IniFormat))
    settings.set_lock_after_minutes(0)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    _unlocked(qtbot, window, encrypted)
    assert not window.idle.timer.isActive()
    window.close()


def test_a_plain_catalogue_asks_nothing_and_cannot_be_locked(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue
) -> None:
    path = catalogue.path
    catalogue.close()
    assert window.open_catalogue(path)
    assert window.unlock_dialog is None
    assert not window.lock_action.isEnabled()
    assert not window.idle.timer.isActive()
    _press_lock(qtbot, window)
    assert window.catalogue is not None
    assert window.central.currentWidget() is window.splitter


def test_preferences_set_the_minutes_and_the_window_follows(
    qtbot: QtBot, window: MainWindow, encrypted: Path, ui_settings: UiSettings
) -> None:
    _unlocked(qtbot, window, encrypted)
    assert window.idle.timer.isActive()

    def type_zero() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, PreferencesDialog)
        spin = dialog.lock_after
        assert spin.value() == DEFAULT_LOCK_MINUTES
        spin.setFocus()
        spin.selectAll()
        qtbot.keyClicks(spin, "0")
        qtbot.keyClick(spin, Qt.Key.Key_Return)

    QTimer.singleShot(0, type_zero)
    window.edit_preferences()
    assert ui_settings.lock_after_minutes() == 0
    assert not window.idle.timer.isActive()


def test_file_new_encrypted_catalogue_takes_a_passphrase_typed_twice(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "field-trip.sqlite"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.new_encrypted_action.trigger()
    dialog = window.findChild(NewEncryptedCatalogueDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    _active(qtbot, dialog)

    def attempt(first: str, second: str) -> None:
        dialog.passphrase.setFocus()
        qtbot.keyClicks(dialog.passphrase, first)
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.confirmation, second)
        _type_and_enter(qtbot, dialog.confirmation, "")

    attempt("short", "short")
    qtbot.waitUntil(lambda: "too short" in dialog.message.text(), timeout=5000)
    assert not target.exists()
    attempt(PASSPHRASE, "correct horse battery stapler")
    assert "differ" in dialog.message.text()
    assert _shown(window) is None

    attempt(PASSPHRASE, PASSPHRASE)
    created = _opened(qtbot, window)
    assert created.encrypted
    assert created.path == target
    assert Catalogue.is_encrypted(target)
    assert window.lock_action.isEnabled()
