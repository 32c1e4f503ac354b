"""Whole workflows in the assembled window: browse, search with facets, describe, undo,
serial cataloguing, withdrawing, importing by dropping files, batch editing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLineEdit,
    QMessageBox,
    QTreeWidgetItem,
)
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.ui.main_window import MainWindow
from tests.gui.helpers import record_shown


@pytest.fixture
def opened(qtbot: QtBot, window: MainWindow, described: Catalogue) -> MainWindow:
    path = described.path
    described.close()
    assert window.open_catalogue(path)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def _catalogue(window: MainWindow) -> Catalogue:
    assert window.catalogue is not None
    return window.catalogue


def _shown_codes(window: MainWindow) -> list[str]:
    model = window.records
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


def _select_in_tree(qtbot: QtBot, window: MainWindow, code: str) -> None:
    window.tree.expandAll()
    found = window.hierarchy.match(
        window.hierarchy.index(0, 0),
        Qt.ItemDataRole.DisplayRole,
        code + "  ",
        1,
        Qt.MatchFlag.MatchStartsWith | Qt.MatchFlag.MatchRecursive,
    )
    assert found, code
    window.tree.setCurrentIndex(found[0])
    record_shown(qtbot, window.detail)


def _written(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until the window's writes (and the reads after them) are done."""
    qtbot.waitUntil(lambda: not window.tasks.busy())


def _click_row(qtbot: QtBot, window: MainWindow, row: int) -> None:
    view = window.records_view
    rect = view.visualRect(window.records.index(row, 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    record_shown(qtbot, window.detail)


def test_choosing_a_collection_lists_its_records_and_a_row_shows_in_the_tabs(
    qtbot: QtBot, opened: MainWindow
) -> None:
    _select_in_tree(qtbot, opened, "CAT-0001")
    assert _shown_codes(opened) == ["CAT-0001/0001"]
    _select_in_tree(qtbot, opened, "CAT-0001/0001")
    assert _shown_codes(opened) == ["CAT-0001/0001/0001"]
    _click_row(qtbot, opened, 0)
    assert opened.detail is not None
    assert opened.detail.description.fields["title"].value() == "خاوران؛ گورستان بی‌نام"
    assert opened.detail.tabText(0) == "Description"
    assert [opened.detail.tabText(i) for i in range(opened.detail.count())] == [
        "Description",
        "Provenance",
        "Reliability",
        "Text",
        "Originals",
        "Relations",
        "Summary",
    ]


def test_typing_a_search_lists_results_with_facets_and_escape_goes_back(
    qtbot: QtBot, opened: MainWindow
) -> None:
    opened.find_action.trigger()
    box = opened.search.box
    assert box.hasFocus()
    qtbot.keyClicks(box, "captures")
    qtbot.waitUntil(lambda: opened.search.status.text().startswith("1 found"), timeout=5000)
    assert _shown_codes(opened) == ["CAT-0001/0001"]
    facets = opened.search.facets_view
    qtbot.waitUntil(lambda: facets.topLevelItemCount() > 0)  # counted after the list shows
    groups = [_item(facets.topLevelItem(i)) for i in range(facets.topLevelItemCount())]
    assert "Collection" in [g.text(0) for g in groups]
    collection = next(g for g in groups if g.text(0) == "Collection")
    testimonies = _item(collection.child(0))
    assert testimonies.text(0).startswith("CAT-0001 Testimonies")
    facets.itemActivated.emit(testimonies, 0)  # double-click / Enter on the value
    assert box.text() == "captures in:CAT-0001"
    qtbot.waitUntil(lambda: opened.search.status.text().startswith("1 found"), timeout=5000)

    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert box.text() == ""
    qtbot.waitUntil(lambda: len(_shown_codes(opened)) == 4)  # All records, chosen in the tree

    box.setText("خاوران lang:fa")  # pasted (the test keyboard types only ASCII)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _shown_codes(opened) == ["CAT-0001/0001/0001"], timeout=5000)
    assert opened.detail is not None
    assert opened.detail.unit_id == _catalogue(opened).units.find("CAT-0001/0001/0001").id


def _item(item: QTreeWidgetItem | None) -> QTreeWidgetItem:
    assert item is not None
    return item


def test_clicking_a_column_header_sorts_the_list_without_blocking(
    qtbot: QtBot, opened: MainWindow
) -> None:
    catalogue = _catalogue(opened)
    fonds = catalogue.units.find("CAT-0002")
    for title in ("Bravo", "Alpha", "Charlie"):
        catalogue.units.create({"title": title}, parent_id=fonds.id)
    _select_in_tree(qtbot, opened, "CAT-0002")
    titles = lambda: [opened.records.index(r, 1).data() for r in range(3)]  # noqa: E731
    assert titles() == ["Bravo", "Alpha", "Charlie"]  # as arranged
    header = opened.records_view.horizontalHeader()
    x = header.sectionViewportPosition(1) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    qtbot.waitUntil(lambda: titles() == ["Alpha", "Bravo", "Charlie"])


def test_a_query_that_cannot_be_understood_is_explained_in_one_line(
    qtbot: QtBot, opened: MainWindow
) -> None:
    opened.search.set_query('"unclosed')
    qtbot.waitUntil(lambda: "not closed" in opened.search.status.text(), timeout=5000)


def test_editing_a_title_then_undo_and_redo_from_the_edit_menu(
    qtbot: QtBot, opened: MainWindow
) -> None:
    _select_in_tree(qtbot, opened, "CAT-0002")
    assert opened.detail is not None
    title = opened.detail.description.fields["title"].editor
    assert isinstance(title, QLineEdit)
    title.setFocus()
    title.selectAll()
    qtbot.keyClicks(title, "Statements of families")
    opened.save_action.trigger()
    _written(qtbot, opened)
    unit_id = opened.detail.unit_id
    assert unit_id is not None
    assert _catalogue(opened).units.get(unit_id).title == "Statements of families"
    assert opened.hierarchy.top_units()[1] == "CAT-0002  Statements of families"

    opened.records_view.setFocus()
    opened.undo_action.trigger()
    _written(qtbot, opened)
    assert _catalogue(opened).units.get(unit_id).title == "Second fonds"
    assert opened.detail.description.fields["title"].value() == "Second fonds"
    opened.redo_action.trigger()
    _written(qtbot, opened)
    assert _catalogue(opened).units.get(unit_id).title == "Statements of families"


def test_new_record_like_this_one_copies_the_description_and_undo_removes_it(
    qtbot: QtBot, opened: MainWindow
) -> None:
    _select_in_tree(qtbot, opened, "CAT-0001/0001")
    _click_row(qtbot, opened, 0)
    before = _catalogue(opened).stats().counts["units"]
    opened.new_like_action.trigger()
    _written(qtbot, opened)
    assert _catalogue(opened).stats().counts["units"] == before + 1
    assert len(_shown_codes(opened)) == 2
    assert opened.detail is not None
    new_id = opened.detail.unit_id
    assert new_id is not None
    copy = _catalogue(opened).units.get(new_id)
    assert copy.title == "خاوران؛ گورستان بی‌نام"
    assert copy.languages == ("fa",)
    opened.undo_action.trigger()
    _written(qtbot, opened)
    assert _catalogue(opened).stats().counts["units"] == before
    assert len(_shown_codes(opened)) == 1


def test_delete_withdraws_the_selected_records_and_undo_reinstates_them(
    qtbot: QtBot, opened: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes
    )
    _select_in_tree(qtbot, opened, "CAT-0001/0001")
    _click_row(qtbot, opened, 0)
    opened.records_view.setFocus()
    qtbot.keyClick(opened.records_view, Qt.Key.Key_Delete)
    _written(qtbot, opened)
    unit = _catalogue(opened).units.find("CAT-0001/0001/0001")
    assert unit.withdrawn_at is not None
    opened.undo_action.trigger()
    _written(qtbot, opened)
    assert _catalogue(opened).units.find("CAT-0001/0001/0001").withdrawn_at is None


def test_dropping_files_on_the_window_imports_them_under_the_chosen_collection(
    qtbot: QtBot, opened: MainWindow, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    for number in range(3):
        (folder / f"note-{number}.txt").write_text(f"Witness note {number} about Evin prison")
    _select_in_tree(qtbot, opened, "CAT-0002")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder / f"note-{n}.txt")) for n in range(3)])
    where = QPointF(10, 10)
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(where.toPoint(), Qt.DropAction.CopyAction, mime, buttons, keys)
    QApplication.sendEvent(opened, enter)  # Qt takes a drop only where a drag entered
    assert enter.isAccepted()
    QApplication.sendEvent(opened, QDropEvent(where, Qt.DropAction.CopyAction, mime, buttons, keys))
    dialog = opened.import_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.is_finished, timeout=30000)
    assert dialog.report is not None
    assert len(dialog.report.new_ids) == 3
    qtbot.waitUntil(lambda: len(_shown_codes(opened)) == 3)
    assert all(code.startswith("CAT-0002/") for code in _shown_codes(opened))
    assert _catalogue(opened).search.search("evin").total == 3
    dialog.close_button.click()


def test_batch_edit_sets_access_on_the_selection_in_one_undoable_step(
    qtbot: QtBot, opened: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalogue = _catalogue(opened)
    fonds = catalogue.units.find("CAT-0002")
    for number in range(4):
        catalogue.units.create({"title": f"Letter {number}"}, parent_id=fonds.id)
    _select_in_tree(qtbot, opened, "CAT-0002")
    assert len(_shown_codes(opened)) == 4
    opened.records_view.selectAll()

    from catalog_app.ui import batch_edit

    def accept(dialog: QDialog) -> int:
        dialog.access_box.setChecked(True)  # type: ignore[attr-defined]
        dialog.access.setCurrentText("restricted")  # type: ignore[attr-defined]
        dialog.accept()  # what the OK button does
        return dialog.result()

    monkeypatch.setattr(batch_edit.BatchEditDialog, "exec", accept)
    opened.batch_action.trigger()
    _written(qtbot, opened)
    letters = [catalogue.units.find(f"CAT-0002/{n:04d}") for n in range(1, 5)]
    assert {u.access_status for u in letters} == {"restricted"}
    opened.undo_action.trigger()
    _written(qtbot, opened)
    letters = [catalogue.units.find(f"CAT-0002/{n:04d}") for n in range(1, 5)]
    assert {u.access_status for u in letters} == {"open"}


def test_a_large_level_is_read_in_the_background_and_the_last_choice_wins(
    qtbot: QtBot, opened: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog_app.ui import records_model

    monkeypatch.setattr(records_model, "READ_IN_PLACE_UP_TO", 0)  # every level is "large"
    catalogue = _catalogue(opened)
    fonds = catalogue.units.find("CAT-0002")
    for number in range(3):
        catalogue.units.create({"title": f"Letter {number}"}, parent_id=fonds.id)
    _select_in_tree(qtbot, opened, "CAT-0001")
    _select_in_tree(qtbot, opened, "CAT-0002")  # chosen before the first level arrived
    qtbot.waitUntil(lambda: len(_shown_codes(opened)) == 3)
    assert all(code.startswith("CAT-0002/") for code in _shown_codes(opened))
    qtbot.wait(50)  # the first level's answer, if late, must not replace the second's
    assert all(code.startswith("CAT-0002/") for code in _shown_codes(opened))
