"""Edits in the assembled window, typed and clicked as a person does: what is chosen after a
new record and its undo, what the status bar says after each action, and the undo labels."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.services.batch import BatchChange
from catalog_app.ui import batch_edit
from catalog_app.ui.main_window import MainWindow
from tests.gui.helpers import record_shown


@dataclass(frozen=True)
class Letters:
    window: MainWindow
    fonds: int
    other: int
    items: tuple[int, ...]

    @property
    def catalogue(self) -> Catalogue:
        assert self.window.catalogue is not None
        return self.window.catalogue


@pytest.fixture
def letters(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> Letters:
    fonds = catalogue.units.create({"title": "Letters", "level": "fonds"}).id
    other = catalogue.units.create({"title": "Second fonds", "level": "fonds"}).id
    items = tuple(
        catalogue.units.create({"title": f"Letter {n}"}, parent_id=fonds).id for n in "ABC"
    )
    path = catalogue.path
    catalogue.close()
    monkeypatch.setattr(
        QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes
    )
    assert window.open_catalogue(path)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.show_unit(items[0])
    record_shown(qtbot, window.detail)
    return Letters(window, fonds, other, items)


def _click_row(qtbot: QtBot, window: MainWindow, unit_id: int, *, add: bool = False) -> None:
    """Click the record's row in the list (with Ctrl: add it to the selection)."""
    view = window.records_view
    row = window.records.row_of(unit_id)
    assert row is not None
    view.scrollTo(window.records.index(row, 1))
    rect = view.visualRect(window.records.index(row, 1))
    modifier = Qt.KeyboardModifier.ControlModifier if add else Qt.KeyboardModifier.NoModifier
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def _press(qtbot: QtBot, action: QAction, where: QWidget | None = None) -> None:
    """Press the action's key where the keyboard focus is (or in `where`)."""
    target = where or QApplication.focusWidget()
    assert target is not None
    qtbot.keySequence(target, action.shortcut())


def _written(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.tasks.busy())


def _said(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


def test_a_copy_made_with_ctrl_d_is_the_only_record_chosen(qtbot: QtBot, letters: Letters) -> None:
    window = letters.window
    source = letters.items[1]
    _click_row(qtbot, window, source)
    record_shown(qtbot, window.detail)
    _press(qtbot, window.new_like_action, window.records_view)
    qtbot.waitUntil(lambda: window.current_unit() not in (source, None))
    _written(qtbot, window)
    copy = window.current_unit()
    assert copy is not None

    assert window.records_view.selected_ids() == [copy]
    assert _said(window).endswith(" created")
    window.records_view.setFocus()
    _press(qtbot, window.withdraw_action, window.records_view)  # Delete
    _written(qtbot, window)
    assert letters.catalogue.units.get(copy).withdrawn_at is not None
    assert letters.catalogue.units.get(source).withdrawn_at is None  # not the source too
    assert _said(window) == "Record withdrawn"
    assert window.undo_stack.undoText() == "Withdraw 1 record"


def test_undoing_a_new_record_closes_its_form_and_goes_to_its_neighbour(
    qtbot: QtBot, letters: Letters
) -> None:
    window = letters.window
    _click_row(qtbot, window, letters.items[2])
    record_shown(qtbot, window.detail)
    _press(qtbot, window.new_like_action, window.records_view)
    qtbot.waitUntil(lambda: window.current_unit() not in (*letters.items, None))
    _written(qtbot, window)
    made = window.current_unit()
    assert made is not None

    _press(qtbot, window.undo_action)  # from the title, where the new record put the focus
    _written(qtbot, window)
    assert not any(u.id == made for u in letters.catalogue.units.children(letters.fonds))
    detail = record_shown(qtbot, window.detail)
    assert detail.unit_id not in (made, None)  # its neighbour in the list, not the record gone
    assert window.records_view.selected_ids() == [detail.unit_id]
    title = detail.description.fields["title"].value()
    assert title == letters.catalogue.units.get(detail.unit_id).title
    assert detail.description.error_label.text() == ""  # no "There is no record with id"
    assert _said(window) == "Undone: New record"


def test_saved_changes_say_so_and_undo_names_the_field(qtbot: QtBot, letters: Letters) -> None:
    window = letters.window
    detail = record_shown(qtbot, window.detail)
    fields = detail.description.fields
    title = fields["title"].editor
    title.setFocus()
    qtbot.keySequence(title, "Ctrl+A")
    qtbot.keyClicks(title, "Letter to the editor")
    qtbot.keyClick(title, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: _said(window) == "Saved")
    assert window.undo_stack.undoText() == "Edit title"

    date = fields["date_expression"].editor
    date.setFocus()
    qtbot.keyClicks(date, "1988-07")
    qtbot.keyClick(date, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: window.undo_stack.undoText() == "Edit date")
    assert _said(window) == "Saved"

    _press(qtbot, window.undo_action, window.records_view)
    qtbot.waitUntil(lambda: _said(window) == "Undone: Edit date")
    assert letters.catalogue.units.get(letters.items[0]).date_expression is None


def test_withdrawing_two_records_is_one_step_named_for_them(qtbot: QtBot, letters: Letters) -> None:
    window = letters.window
    _click_row(qtbot, window, letters.items[0])
    _click_row(qtbot, window, letters.items[1], add=True)
    assert sorted(window.records_view.selected_ids()) == sorted(letters.items[:2])
    _press(qtbot, window.withdraw_action, window.records_view)
    _written(qtbot, window)
    assert _said(window) == "2 records withdrawn"
    assert window.undo_stack.undoText() == "Withdraw 2 records"
    _press(qtbot, window.undo_action, window.records_view)
    _written(qtbot, window)
    assert _said(window) == "Undone: Withdraw 2 records"
    assert all(letters.catalogue.units.get(i).withdrawn_at is None for i in letters.items)


def test_a_batch_move_runs_in_the_background_and_says_how_many_moved(
    qtbot: QtBot, letters: Letters, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = letters.window

    def accept(dialog: batch_edit.BatchEditDialog) -> int:
        dialog._change = BatchChange(parent_id=letters.other)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(batch_edit.BatchEditDialog, "exec", accept)
    _click_row(qtbot, window, letters.items[0])
    _click_row(qtbot, window, letters.items[1], add=True)
    _click_row(qtbot, window, letters.items[2], add=True)
    assert len(window.records_view.selected_ids()) == 3
    _press(qtbot, window.batch_action, window.records_view)
    qtbot.waitUntil(lambda: _said(window) == "3 records moved")
    assert window.undo_stack.undoText() == "Move 3 records"
    assert {letters.catalogue.units.get(i).parent_id for i in letters.items} == {letters.other}
