"""Saved searches in the window: saved from the search box, listed in the tree, run by a click,
renamed with F2, edited from the context menu, deleted with Delete; kept in the catalogue."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QToolButton
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.services.browse import View
from catalog_app.services.saved_searches import SavedSearch
from catalog_app.ui.main_window import MainWindow
from catalog_app.ui.saved_search_dialog import SavedSearchDialog


@pytest.fixture
def opened(qtbot: QtBot, window: MainWindow, described: Catalogue) -> MainWindow:
    for title in ("Statement of a mother", "Statement of a brother", "Letter of a mother"):
        described.units.create({"title": title})
    path = described.path
    described.close()
    assert window.open_catalogue(path)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def _catalogue(window: MainWindow) -> Catalogue:
    assert window.catalogue is not None
    return window.catalogue


def _search_for(qtbot: QtBot, window: MainWindow, text: str, found: str) -> None:
    window.find_action.trigger()
    qtbot.keyClicks(window.search.box, text)
    qtbot.keyClick(window.search.box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.search.status.text().startswith(found), timeout=5000)


def _save_button(window: MainWindow) -> QToolButton:
    buttons = [
        b
        for b in window.findChildren(QToolButton)
        if b.defaultAction() is window.save_search_action
    ]
    assert len(buttons) == 1
    return buttons[0]


def _dialog(qtbot: QtBot, window: MainWindow) -> SavedSearchDialog:
    dialog = window.search_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def _saved(qtbot: QtBot, window: MainWindow, name: str) -> QModelIndex:
    qtbot.waitUntil(lambda: window.hierarchy.search_index(name).isValid())
    return window.hierarchy.search_index(name)


def _click(qtbot: QtBot, window: MainWindow, index: QModelIndex) -> None:
    window.tree.scrollTo(index)
    rect = window.tree.visualRect(index)
    assert rect.isValid()
    # Near the start of the name: the tree may be narrower than its longest row.
    where = QPoint(min(rect.left() + 8, window.tree.viewport().width() - 2), rect.center().y())
    qtbot.mouseClick(window.tree.viewport(), Qt.MouseButton.LeftButton, pos=where)


def _save_current(qtbot: QtBot, window: MainWindow, name: str) -> SavedSearchDialog:
    button = _save_button(window)
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = _dialog(qtbot, window)
    assert dialog.query.text() == window.search.box.text()
    qtbot.waitUntil(dialog.name.hasFocus)  # the name is typed at once
    qtbot.keyClicks(dialog.name, name)
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    return dialog


def test_save_search_is_offered_only_for_a_search(qtbot: QtBot, opened: MainWindow) -> None:
    assert not opened.save_search_action.isEnabled()
    _search_for(qtbot, opened, "statement", "2 found")
    assert opened.save_search_action.isEnabled()
    qtbot.keyClick(opened.search.box, Qt.Key.Key_Escape)
    assert not opened.save_search_action.isEnabled()


def test_a_saved_search_is_kept_in_the_catalogue_and_run_from_the_tree(
    qtbot: QtBot, opened: MainWindow
) -> None:
    _search_for(qtbot, opened, "statement", "2 found")
    _save_current(qtbot, opened, "Statements")
    index = _saved(qtbot, opened, "Statements")
    qtbot.waitUntil(lambda: opened.search_dialog is None)  # closed once saved
    assert opened.tree.isExpanded(opened.hierarchy.folder_index())
    assert _catalogue(opened).saved_searches.all() == [SavedSearch("Statements", "statement")]
    assert "Saved the search 'Statements'" in opened.statusBar().currentMessage()

    opened.find_action.trigger()
    qtbot.keyClick(opened.search.box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: opened.records.rowCount() == 7)
    _click(qtbot, opened, index)
    assert opened.search.box.text() == "statement"
    qtbot.waitUntil(lambda: opened.search.status.text().startswith("2 found"), timeout=5000)
    assert opened.records.rowCount() == 2

    # Emptying the search leaves the saved search for All records.
    opened.find_action.trigger()
    qtbot.keyClick(opened.search.box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: opened.records.rowCount() == 7)
    assert opened.tree.currentIndex() == opened.hierarchy.view_index(View.ALL)


def test_a_name_already_used_is_refused_in_the_dialog(qtbot: QtBot, opened: MainWindow) -> None:
    _catalogue(opened).saved_searches.save("Statements", "statement lang:fa")
    _search_for(qtbot, opened, "statement", "2 found")
    dialog = _save_current(qtbot, opened, "STATEMENTS")
    qtbot.waitUntil(dialog.problem.isVisible)
    assert dialog.isVisible()
    assert "already a saved search named 'Statements'" in dialog.problem.text()
    dialog.name.selectAll()
    qtbot.keyClicks(dialog.name, "Statements, any language")
    assert not dialog.problem.isVisible()
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    _saved(qtbot, opened, "Statements, any language")
    qtbot.waitUntil(lambda: opened.search_dialog is None)  # closed once saved


def test_f2_renames_a_saved_search_in_place(qtbot: QtBot, opened: MainWindow) -> None:
    _catalogue(opened).saved_searches.save("Statements", "statement")
    opened.refresh_action.trigger()
    index = _saved(qtbot, opened, "Statements")
    _click(qtbot, opened, index)
    qtbot.waitUntil(lambda: opened.search.status.text().startswith("2 found"), timeout=5000)
    title_before = _catalogue(opened).units.get(opened.records.unit_id(0)).title

    opened.tree.setFocus()
    qtbot.keyClick(opened.tree, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    assert editor.selectedText() == "Statements"
    qtbot.keyClicks(editor, "Testimony of families")
    qtbot.keyClick(editor, Qt.Key.Key_Return)

    renamed = _saved(qtbot, opened, "Testimony of families")
    assert not opened.hierarchy.search_index("Statements").isValid()
    assert opened.tree.currentIndex() == renamed  # still chosen, under its new name
    assert [s.name for s in _catalogue(opened).saved_searches.all()] == ["Testimony of families"]
    # F2 renamed the search, not the record shown
    assert _catalogue(opened).units.get(opened.records.unit_id(0)).title == title_before


def test_edit_search_from_the_context_menu_runs_the_new_query(
    qtbot: QtBot, opened: MainWindow
) -> None:
    _catalogue(opened).saved_searches.save("Mothers", "statement")
    opened.refresh_action.trigger()
    index = _saved(qtbot, opened, "Mothers")
    _click(qtbot, opened, index)
    qtbot.waitUntil(lambda: opened.search.status.text().startswith("2 found"), timeout=5000)

    menu = opened.tree.make_menu(index)
    assert menu is not None
    names = {action.text(): action for action in menu.actions()}
    assert set(names) == {"&Rename", "&Edit Search…", "&Delete"}
    names["&Edit Search…"].trigger()
    dialog = _dialog(qtbot, opened)
    assert (dialog.name.text(), dialog.query.text()) == ("Mothers", "statement")
    dialog.query.setFocus()
    dialog.query.selectAll()
    qtbot.keyClicks(dialog.query, "mother")
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: opened.search.box.text() == "mother")
    qtbot.waitUntil(lambda: opened.search.status.text().startswith("2 found"), timeout=5000)
    assert _catalogue(opened).saved_searches.get("Mothers").query == "mother"
    assert opened.tree.currentIndex() == opened.hierarchy.search_index("Mothers")


def test_delete_on_a_saved_search_deletes_it_once_confirmed(
    qtbot: QtBot, opened: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def answer(_parent: object, _title: str, text: str, *args: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    _catalogue(opened).saved_searches.save("Mothers", "mother")
    _catalogue(opened).saved_searches.save("Statements", "statement")
    opened.refresh_action.trigger()
    _click(qtbot, opened, _saved(qtbot, opened, "Mothers"))
    before = _catalogue(opened).stats().counts["units"]

    opened.tree.setFocus()
    qtbot.keyClick(opened.tree, Qt.Key.Key_Delete)

    qtbot.waitUntil(lambda: not opened.hierarchy.search_index("Mothers").isValid())
    assert asked == ["Delete the saved search 'Mothers'? The records it finds stay as they are."]
    assert [s.name for s in _catalogue(opened).saved_searches.all()] == ["Statements"]
    assert opened.tree.currentIndex() == opened.hierarchy.folder_index()
    assert _catalogue(opened).stats().counts["units"] == before  # no record was withdrawn
    assert all(
        _catalogue(opened).units.get(i).withdrawn_at is None
        for i in _catalogue(opened).browse.ids(None, recursive=True)
    )
