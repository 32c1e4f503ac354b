"""The Relations tab: link records by typing a reference code, open the other, undo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from catalog_app.domain.records import UnitDetail
from catalog_app.services import Catalogue
from catalog_app.ui.detail.relations_tab import RelationsTab
from tests.gui.helpers import on_screen


@pytest.fixture
def tab(qtbot: QtBot, catalogue: Catalogue, undo_stack: QUndoStack) -> RelationsTab:
    return on_screen(qtbot, RelationsTab(catalogue, undo_stack), 700, 400)


@pytest.fixture
def records(catalogue: Catalogue) -> tuple[UnitDetail, UnitDetail]:
    report = catalogue.units.create({"title": "Report on Khavaran"})
    article = catalogue.units.create({"title": "Newspaper article"})
    return report, article


def row_item(tree: QTreeWidget, row: int) -> QTreeWidgetItem:
    item = tree.topLevelItem(row)
    assert item is not None
    return item


def rows(tab: RelationsTab) -> list[tuple[str, ...]]:
    items = [row_item(tab.links, r) for r in range(tab.links.topLevelItemCount())]
    return [tuple(item.text(c) for c in range(3)) for item in items]


def link_by_keyboard(qtbot: QtBot, tab: RelationsTab, kind: str, code: str) -> None:
    tab.kind.setFocus()
    qtbot.keyClicks(tab.kind, kind)
    qtbot.keyClick(tab.kind, Qt.Key.Key_Tab)
    assert tab.other_code.hasFocus()
    qtbot.keyClicks(tab.other_code, code)
    qtbot.keyClick(tab.other_code, Qt.Key.Key_Return)


def test_link_by_typing_a_reference_code_then_undo_and_redo(
    qtbot: QtBot,
    tab: RelationsTab,
    catalogue: Catalogue,
    undo_stack: QUndoStack,
    records: tuple[UnitDetail, UnitDetail],
) -> None:
    report, article = records
    tab.show_unit(article.id)
    changed: list[int] = []
    tab.changed.connect(changed.append)

    link_by_keyboard(qtbot, tab, "cites", report.reference_code)

    assert rows(tab) == [("cites", report.reference_code, "Report on Khavaran")]
    assert tab.other_code.text() == ""
    assert changed == [article.id]
    (stored,) = catalogue.units.get(article.id).relations
    assert (stored.kind, stored.other_id, stored.direction) == ("cites", report.id, "outgoing")
    # Seen from the other record, the relation reads the other way round.
    tab.show_unit(report.id)
    assert rows(tab) == [("cited by", article.reference_code, "Newspaper article")]

    tab.show_unit(article.id)
    undo_stack.undo()
    assert rows(tab) == []
    assert catalogue.units.get(article.id).relations == ()
    undo_stack.redo()
    assert rows(tab)[0][0] == "cites"


def test_activating_a_relation_opens_the_other_record(
    qtbot: QtBot, tab: RelationsTab, catalogue: Catalogue, records: tuple[UnitDetail, UnitDetail]
) -> None:
    report, article = records
    catalogue.relations.relate(article.id, report.id, "corroborates")
    tab.show_unit(article.id)

    with qtbot.waitSignal(tab.open_unit) as opened:
        tab.links.setFocus()
        qtbot.keyClick(tab.links, Qt.Key.Key_Return)
    assert opened.args == [report.id]

    item = row_item(tab.links, 0)
    position = tab.links.visualItemRect(item).center()
    with qtbot.waitSignal(tab.open_unit) as opened:
        # A real double-click starts with a press, which QTest's mouseDClick leaves out.
        qtbot.mouseClick(tab.links.viewport(), Qt.MouseButton.LeftButton, pos=position)
        qtbot.mouseDClick(tab.links.viewport(), Qt.MouseButton.LeftButton, pos=position)
    assert opened.args == [report.id]


def test_unknown_codes_self_links_and_repeats_are_explained(
    qtbot: QtBot,
    tab: RelationsTab,
    undo_stack: QUndoStack,
    records: tuple[UnitDetail, UnitDetail],
) -> None:
    report, article = records
    tab.show_unit(article.id)

    link_by_keyboard(qtbot, tab, "cites", "NOPE-1")
    assert "No record has the id or reference code 'NOPE-1'" in tab.error.text()
    tab.other_code.clear()
    link_by_keyboard(qtbot, tab, "cites", article.reference_code)
    assert "cannot be related to itself" in tab.error.text()
    tab.other_code.clear()
    link_by_keyboard(qtbot, tab, "cites", report.reference_code)
    assert tab.error.text() == ""
    link_by_keyboard(qtbot, tab, "cites", report.reference_code)
    assert "already linked" in tab.error.text()
    assert undo_stack.count() == 1
    assert len(rows(tab)) == 1


def test_remove_with_delete_and_undo_links_again(
    qtbot: QtBot,
    tab: RelationsTab,
    catalogue: Catalogue,
    undo_stack: QUndoStack,
    records: tuple[UnitDetail, UnitDetail],
) -> None:
    report, article = records
    catalogue.relations.relate(report.id, article.id, "republishes", note="same wording")
    tab.show_unit(article.id)  # the relation is incoming here
    assert rows(tab) == [("republished by", report.reference_code, "Report on Khavaran")]

    tab.links.setFocus()
    qtbot.keyClick(tab.links, Qt.Key.Key_Delete)
    assert rows(tab) == []
    assert catalogue.units.get(report.id).relations == ()

    undo_stack.undo()
    (restored,) = catalogue.units.get(report.id).relations
    assert (restored.kind, restored.other_id, restored.direction) == (
        "republishes",
        article.id,
        "outgoing",
    )
    assert restored.note == "same wording"
    assert rows(tab)[0][0] == "republished by"


def test_nothing_selected_is_an_empty_disabled_tab(tab: RelationsTab) -> None:
    tab.show_unit(None)
    assert not tab.isEnabled()
    assert tab.links.topLevelItemCount() == 0
