"""The views above the collections, choosing records from the tree, and the tree keeping its
place, driven as a person would: clicks in the tree, shift-clicks in the list, the keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.services.browse import View
from catalog_app.storage import models
from catalog_app.ui.batch_edit import BatchEditDialog
from catalog_app.ui.hierarchy import COUNT_ROLE, VIEW_TITLES
from catalog_app.ui.main_window import MainWindow
from catalog_app.ui.records_model import COLUMNS

# Typing into a field with completion opens its popup, which the offscreen platform cannot raise.
POPUP_WARNINGS = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")


def _harvested(catalogue: Catalogue, title: str) -> int:
    """A record at the top level as an import leaves it: its title read from the document."""
    unit_id = catalogue.units.create({"title": title}).id
    with catalogue.db.write("tester") as session:
        unit = session.get(models.Unit, unit_id)
        assert unit is not None
        unit.harvested = ["title"]
    return unit_id


@pytest.fixture
def opened(qtbot: QtBot, window: MainWindow, described: Catalogue) -> MainWindow:
    """The described catalogue (two fonds, a series, an item) with two statements imported
    at the top level, open in the window."""
    _harvested(described, "Statement of a mother")
    _harvested(described, "Statement of a brother")
    path = described.path
    described.close()
    assert window.open_catalogue(path)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def _catalogue(window: MainWindow) -> Catalogue:
    assert window.catalogue is not None
    return window.catalogue


def _shown_titles(window: MainWindow) -> list[str]:
    model = window.records
    return [str(model.index(row, 1).data()) for row in range(model.rowCount())]


def _click_tree(qtbot: QtBot, window: MainWindow, index: QModelIndex) -> None:
    assert index.isValid()
    window.tree.scrollTo(index)
    rect = window.tree.visualRect(index)
    assert rect.isValid()
    # Near the start of the name: the tree may be narrower than its longest row.
    where = QPoint(min(rect.left() + 8, window.tree.viewport().width() - 2), rect.center().y())
    qtbot.mouseClick(window.tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert window.tree.currentIndex() == index


def _click_view(qtbot: QtBot, window: MainWindow, view: View) -> None:
    index = window.hierarchy.view_index(view)
    assert str(index.data()).startswith(VIEW_TITLES[view])
    _click_tree(qtbot, window, index)


def _click_row(
    qtbot: QtBot,
    window: MainWindow,
    row: int,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    view = window.records_view
    rect = view.visualRect(window.records.index(row, 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def _top_unit(window: MainWindow, title: str) -> QModelIndex:
    model = window.hierarchy
    for row in range(model.first_unit_row(), model.rowCount()):
        if str(model.index(row, 0).data()).endswith(title):
            return model.index(row, 0)
    raise AssertionError(title)


def test_the_views_are_above_the_collections_with_their_counts(
    qtbot: QtBot, opened: MainWindow
) -> None:
    model = opened.hierarchy
    rows = lambda: [model.index(row, 0).data() for row in range(model.first_unit_row())]  # noqa: E731
    qtbot.waitUntil(
        lambda: (
            rows()
            == [
                "All records (6)",
                "Recently added (6)",
                "Unfiled (2)",
                "Needs review (2)",
                "Saved searches",
                "Collections",
            ]
        )
    )
    expected = {View.ALL: 6, View.RECENT: 6, View.UNFILED: 2, View.NEEDS_REVIEW: 2}
    assert {v: model.view_index(v).data(COUNT_ROLE) for v in View} == expected
    assert model.view_index(View.UNFILED).data(Qt.ItemDataRole.AccessibleTextRole) == (
        "Unfiled, 2 records"
    )


def test_clicking_a_view_lists_its_records(qtbot: QtBot, opened: MainWindow) -> None:
    assert len(_shown_titles(opened)) == 6  # All records is chosen when the catalogue opens
    _click_view(qtbot, opened, View.UNFILED)
    assert sorted(_shown_titles(opened)) == ["Statement of a brother", "Statement of a mother"]
    assert opened.records_view.selected_ids() == [opened.records.unit_id(0)]  # first shown
    _click_view(qtbot, opened, View.NEEDS_REVIEW)
    assert sorted(_shown_titles(opened)) == ["Statement of a brother", "Statement of a mother"]
    _click_view(qtbot, opened, View.RECENT)
    assert _shown_titles(opened)[0] == "Statement of a brother"  # newest first
    _click_view(qtbot, opened, View.ALL)
    assert len(_shown_titles(opened)) == 6


def test_a_view_sorts_by_a_column_header(qtbot: QtBot, opened: MainWindow) -> None:
    _click_view(qtbot, opened, View.ALL)
    header = opened.records_view.horizontalHeader()
    title = [c.sort_key for c in COLUMNS].index("title")
    middle = QPoint(
        header.sectionViewportPosition(title) + header.sectionSize(title) // 2,
        header.height() // 2,
    )
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=middle)
    qtbot.waitUntil(lambda: header.sortIndicatorSection() == title)
    order = header.sortIndicatorOrder()
    titles = sorted(
        (t.casefold() for t in _shown_titles(opened)),
        reverse=order == Qt.SortOrder.DescendingOrder,
    )
    qtbot.waitUntil(lambda: [t.casefold() for t in _shown_titles(opened)] == titles)


@POPUP_WARNINGS
def test_a_top_level_record_lists_its_level_so_two_can_be_batch_edited(
    qtbot: QtBot, opened: MainWindow
) -> None:
    """The defect: a record imported at the top level listed nothing in the middle."""
    _click_tree(qtbot, opened, _top_unit(opened, "Statement of a mother"))
    shown = _shown_titles(opened)
    assert "Statement of a mother" in shown
    assert "Statement of a brother" in shown
    mother = shown.index("Statement of a mother")
    brother = shown.index("Statement of a brother")
    assert opened.records.unit_id(mother) in opened.records_view.selected_ids()

    _click_row(qtbot, opened, mother)
    _click_row(qtbot, opened, brother, Qt.KeyboardModifier.ShiftModifier)
    selected = opened.records_view.selected_ids()
    assert len(selected) == abs(mother - brother) + 1
    assert opened.batch_action.isEnabled()

    driven: list[str] = []

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, BatchEditDialog)
        driven.append(dialog.windowTitle())
        dialog.access_box.setFocus()
        qtbot.keyClick(dialog.access_box, Qt.Key.Key_Space)  # tick "Access"
        dialog.access.setFocus()
        qtbot.keyClicks(dialog.access, "restricted")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, drive)
    opened.records_view.setFocus()
    qtbot.keyClick(opened.records_view, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert driven == [f"Edit {len(selected)} records"]
    catalogue = _catalogue(opened)
    qtbot.waitUntil(
        lambda: {catalogue.units.get(i).access_status for i in selected} == {"restricted"}
    )


def test_shift_click_in_all_records_selects_across_collections(
    qtbot: QtBot, opened: MainWindow
) -> None:
    _click_view(qtbot, opened, View.ALL)
    _click_row(qtbot, opened, 0)
    _click_row(qtbot, opened, 5, Qt.KeyboardModifier.ShiftModifier)
    assert len(opened.records_view.selected_ids()) == 6
    assert opened.batch_action.isEnabled()


def _expanded_to_series(qtbot: QtBot, window: MainWindow) -> QPersistentModelIndex:
    """Open the first fonds and choose its series, with the keyboard."""
    tree = window.tree
    _click_tree(qtbot, window, _top_unit(window, "Testimonies"))
    qtbot.keyClick(tree, Qt.Key.Key_Right)  # opens the fonds
    qtbot.keyClick(tree, Qt.Key.Key_Down)  # to its series
    qtbot.keyClick(tree, Qt.Key.Key_Right)  # opens the series
    series = tree.currentIndex()
    assert str(series.data()).endswith("Web captures")
    assert tree.isExpanded(series)
    return QPersistentModelIndex(series)


def _index(kept: QPersistentModelIndex) -> QModelIndex:
    return kept.model().index(kept.row(), kept.column(), kept.parent())


def _still_in_place(window: MainWindow, series: QPersistentModelIndex) -> None:
    tree = window.tree
    assert series.isValid()
    assert tree.currentIndex() == _index(series)
    assert tree.isExpanded(_index(series))
    assert tree.isExpanded(_index(series).parent())


def test_the_tree_keeps_its_place_after_an_import(
    qtbot: QtBot, opened: MainWindow, tmp_path: Path
) -> None:
    series = _expanded_to_series(qtbot, opened)
    statement = tmp_path / "statement at evin.txt"
    statement.write_text("A statement taken at Evin.\n", encoding="utf-8")
    opened.import_paths([statement])  # as File → Import Files or a drop does
    dialog = opened.import_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.is_finished, timeout=30000)
    model = opened.hierarchy
    qtbot.waitUntil(lambda: model.rowCount(_index(series)) == 2)  # the new record
    _still_in_place(opened, series)
    dialog.close_button.click()


def test_the_tree_keeps_its_place_after_f5(qtbot: QtBot, opened: MainWindow) -> None:
    series = _expanded_to_series(qtbot, opened)
    catalogue = _catalogue(opened)
    fonds = catalogue.units.find("CAT-0001")
    catalogue.units.create({"title": "Added by another program"}, parent_id=fonds.id)
    qtbot.keyClick(opened.tree, Qt.Key.Key_F5)
    assert opened.hierarchy.rowCount(_index(series).parent()) == 2
    _still_in_place(opened, series)


def test_the_needs_review_column_and_facet(qtbot: QtBot, opened: MainWindow) -> None:
    column = [c.title for c in COLUMNS].index("Needs review")
    _click_view(qtbot, opened, View.NEEDS_REVIEW)
    opened.records_view.set_column_shown(column, True)
    assert opened.records_view.is_column_shown(column)
    assert opened.records.index(0, column).data() == "title"

    box = opened.search.box
    opened.find_action.trigger()
    qtbot.keyClicks(box, "statement")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    facets = opened.search.facets_view
    qtbot.waitUntil(lambda: facets.topLevelItemCount() > 0, timeout=5000)
    groups = [facets.topLevelItem(i) for i in range(facets.topLevelItemCount())]
    review = next(g for g in groups if g is not None and g.text(0) == "Review")
    needing = review.child(0)
    assert needing is not None
    assert needing.text(0) == "needs review   2"
    facets.itemActivated.emit(needing, 0)  # double-click / Enter on the value
    assert box.text() == "statement review:needed"


def test_choosing_a_view_while_searching_leaves_the_search(
    qtbot: QtBot, opened: MainWindow
) -> None:
    box = opened.search.box
    opened.find_action.trigger()
    qtbot.keyClicks(box, "testimonies")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: opened.search.status.text().startswith("1 found"), timeout=5000)
    _click_view(qtbot, opened, View.UNFILED)
    assert box.text() == ""
    assert len(_shown_titles(opened)) == 2
