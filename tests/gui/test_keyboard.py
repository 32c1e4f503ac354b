"""The window's keys, typed as a person types them: redo by every key people use for it, the
window's shortcuts inside text boxes, and moving from record to record without the mouse."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QTextEdit, QWidget
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.ui.detail.description_tab import LineField, TextField
from catalog_app.ui.export_dialog import ExportDialog
from catalog_app.ui.main_window import MainWindow
from catalog_app.ui.shortcuts import key_sequences
from tests.gui.helpers import record_shown

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
WINDOW_WIDE = (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut)


def _redo_keys() -> list[QKeySequence]:
    """Every key a person may press for redo: the platform's own and the two common ones."""
    return key_sequences(QKeySequence.StandardKey.Redo, "Ctrl+Y", "Ctrl+Shift+Z")


@pytest.fixture
def opened(qtbot: QtBot, window: MainWindow, catalogue: Catalogue) -> MainWindow:
    """The window listing three records, the first one chosen: the catalogue holds only
    them, so that the top level and every view of it list them in this order."""
    letters = [
        catalogue.units.create({"title": title}).id
        for title in ("First letter", "Second letter", "Third letter")
    ]
    path = catalogue.path
    catalogue.close()
    assert window.open_catalogue(path)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.show_unit(letters[0])
    qtbot.waitUntil(
        lambda: [window.records.unit_id(r) for r in range(window.records.rowCount())] == letters
    )
    return window


def _records(window: MainWindow) -> Catalogue:
    assert window.catalogue is not None
    return window.catalogue


def _title_of_row(window: MainWindow, row: int) -> str:
    unit_id = window.records.unit_id(row)
    return _records(window).units.get(unit_id).title


def _title_editor(window: MainWindow) -> QLineEdit:
    assert window.detail is not None
    field = window.detail.description.fields["title"]
    assert isinstance(field, LineField)
    return field.line


def _focus(qtbot: QtBot, widget: QWidget) -> None:
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


def _press(qtbot: QtBot, sequence: QKeySequence) -> None:
    # Undo and redo wait while a write is on its way (they are greyed out): as a person
    # would, press once they are offered again.
    window = QApplication.activeWindow()
    if isinstance(window, MainWindow):
        qtbot.waitUntil(lambda: not window.tasks.writing_now)
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keySequence(focused, sequence)


def _retype_title(qtbot: QtBot, window: MainWindow, text: str) -> None:
    editor = _title_editor(window)
    _focus(qtbot, editor)
    qtbot.keyClick(editor, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(editor, text)


def _choose_row(qtbot: QtBot, window: MainWindow, row: int) -> None:
    view = window.records_view
    rect = view.visualRect(window.records.index(row, 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.current_unit() == window.records.unit_id(row))
    qtbot.waitUntil(lambda: _title_editor(window).text() == _title_of_row(window, row))


def test_no_key_is_bound_twice_in_the_window(opened: MainWindow) -> None:
    """Qt runs neither of two shortcuts on one key (it reports an ambiguous shortcut)."""
    bound = Counter(
        sequence.toString()
        for action in opened.findChildren(QAction)
        if action.shortcutContext() in WINDOW_WIDE
        for sequence in action.shortcuts()
    )
    assert [key for key, times in bound.items() if times > 1] == []
    redo = set(opened.redo_action.shortcuts())
    assert {QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")} <= redo
    assert set(QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)) <= redo


# QTest has no character for the keyboard's own Redo key (Qt::Key_Redo) and says so.
@pytest.mark.qt_log_ignore("keyToAscii Unhandled key code")
def test_every_redo_key_redoes_from_the_list_and_from_a_field(
    qtbot: QtBot, opened: MainWindow
) -> None:
    _choose_row(qtbot, opened, 0)
    _retype_title(qtbot, opened, "First letter, dated")
    _focus(qtbot, opened.records_view)  # leaving the field saves it
    qtbot.waitUntil(lambda: _title_of_row(opened, 0) == "First letter, dated")
    undo = QKeySequence(QKeySequence.StandardKey.Undo)
    # The platform's keys are known once the application runs: one pass for each of them.
    for key in _redo_keys():
        _focus(qtbot, opened.records_view)
        _press(qtbot, undo)
        qtbot.waitUntil(lambda: _title_of_row(opened, 0) == "First letter")
        _press(qtbot, key)  # in the list
        qtbot.waitUntil(lambda: _title_of_row(opened, 0) == "First letter, dated")

        _press(qtbot, undo)
        qtbot.waitUntil(lambda: _title_editor(opened).text() == "First letter")
        editor = _title_editor(opened)
        _focus(qtbot, editor)  # a line edit with no typing of its own to redo
        assert not editor.isRedoAvailable()
        _press(qtbot, key)
        qtbot.waitUntil(lambda: _title_of_row(opened, 0) == "First letter, dated")
        qtbot.waitUntil(lambda: _title_editor(opened).text() == "First letter, dated")


def test_redo_in_a_field_first_redoes_its_own_typing(qtbot: QtBot, opened: MainWindow) -> None:
    _choose_row(qtbot, opened, 0)
    _retype_title(qtbot, opened, "Typed")
    editor = _title_editor(opened)
    _press(qtbot, QKeySequence(QKeySequence.StandardKey.Undo))
    assert editor.text() == "First letter"  # the field's own undo, nothing saved
    _press(qtbot, QKeySequence(QKeySequence.StandardKey.Redo))
    assert editor.text() == "Typed"
    assert not opened.undo_stack.canRedo()


@pytest.fixture
def exports(monkeypatch: pytest.MonkeyPatch) -> list[ExportDialog]:
    """Export dialogs the window opens, recorded instead of shown modally."""
    shown: list[ExportDialog] = []

    def record(dialog: ExportDialog) -> int:
        shown.append(dialog)
        return 0

    monkeypatch.setattr(ExportDialog, "exec", record)
    return shown


def test_export_key_works_while_typing_in_the_search_box(
    qtbot: QtBot, opened: MainWindow, exports: list[ExportDialog]
) -> None:
    box = opened.search.box
    _focus(qtbot, box)
    qtbot.keyClicks(box, "letter")
    qtbot.keySequence(box, QKeySequence("Ctrl+E"))
    assert len(exports) == 1
    assert box.text() == "letter"


def test_export_key_works_in_the_fields_of_the_description(
    qtbot: QtBot, opened: MainWindow, exports: list[ExportDialog]
) -> None:
    _choose_row(qtbot, opened, 1)
    _retype_title(qtbot, opened, "Second letter, torn")
    qtbot.keySequence(_title_editor(opened), QKeySequence("Ctrl+E"))
    assert len(exports) == 1
    qtbot.waitUntil(lambda: _title_of_row(opened, 1) == "Second letter, torn")  # saved too
    assert opened.detail is not None
    scope = opened.detail.description.fields["scope_content"]
    assert isinstance(scope, TextField)
    editor: QTextEdit = scope.text
    _focus(qtbot, editor)
    qtbot.keyClicks(editor, "Two pages")
    qtbot.keySequence(editor, QKeySequence("Ctrl+E"))
    assert len(exports) == 2


def test_a_key_of_a_disabled_action_stays_with_the_text_box(
    qtbot: QtBot, window: MainWindow, exports: list[ExportDialog]
) -> None:
    assert not window.export_action.isEnabled()  # no catalogue open
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    box = window.search.box
    box.setEnabled(True)
    _focus(qtbot, box)
    qtbot.keySequence(box, QKeySequence("Ctrl+E"))
    assert exports == []


def test_the_go_menu_moves_between_records_and_saves_the_field_first(
    qtbot: QtBot, opened: MainWindow
) -> None:
    assert opened.go_menu.title() == "&Go"
    names = [a.text().replace("&", "") for a in opened.go_menu.actions()]
    assert names[:2] == ["Next Record", "Previous Record"]
    _choose_row(qtbot, opened, 0)
    _retype_title(qtbot, opened, "First letter, signed")
    qtbot.keyClick(_title_editor(opened), Qt.Key.Key_PageDown, ALT)
    qtbot.waitUntil(lambda: opened.current_unit() == opened.records.unit_id(1))
    qtbot.waitUntil(lambda: _title_of_row(opened, 0) == "First letter, signed")
    record_shown(qtbot, opened.detail)  # the next record is read off the GUI thread
    qtbot.waitUntil(lambda: _title_editor(opened).text() == "Second letter")
    assert _title_editor(opened).hasFocus()  # still typing in the form, now of the next

    qtbot.keyClick(_title_editor(opened), Qt.Key.Key_PageDown, ALT)
    qtbot.waitUntil(lambda: opened.current_unit() == opened.records.unit_id(2))
    qtbot.keyClick(_title_editor(opened), Qt.Key.Key_PageDown, ALT)  # the last: stays
    assert opened.current_unit() == opened.records.unit_id(2)
    assert "last record" in opened.statusBar().currentMessage()

    _focus(qtbot, opened.records_view)
    qtbot.keyClick(opened.records_view, Qt.Key.Key_PageUp, ALT)
    qtbot.waitUntil(lambda: opened.current_unit() == opened.records.unit_id(1))
    assert opened.records_view.selected_ids() == [opened.records.unit_id(1)]
