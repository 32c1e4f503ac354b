"""The Provenance tab driven from the keyboard and mouse: the timeline, the event form, undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from catalog_app.domain.records import NewEvent
from catalog_app.services import Catalogue
from catalog_app.ui.detail.provenance_tab import ProvenanceTab
from tests.gui.helpers import on_screen


@pytest.fixture
def tab(qtbot: QtBot, catalogue: Catalogue, undo_stack: QUndoStack) -> ProvenanceTab:
    return on_screen(qtbot, ProvenanceTab(catalogue, undo_stack), 800, 600)


def row_item(tree: QTreeWidget, row: int) -> QTreeWidgetItem:
    item = tree.topLevelItem(row)
    assert item is not None
    return item


def rows(tab: ProvenanceTab) -> list[tuple[str, ...]]:
    items = [row_item(tab.timeline, r) for r in range(tab.timeline.topLevelItemCount())]
    return [tuple(item.text(c) for c in range(4)) for item in items]


def test_the_ingestion_event_written_by_import_is_shown(
    tab: ProvenanceTab, catalogue: Catalogue, tmp_path: Path
) -> None:
    source = tmp_path / "letter.txt"
    source.write_text("A letter from the prison", encoding="utf-8")
    (unit_id,) = catalogue.imports.run([source], workers=1).new_ids

    tab.show_unit(unit_id)

    assert tab.isEnabled()
    ((date, event_type, agent, _place),) = rows(tab)
    assert event_type == "ingestion"
    assert agent == "tester"
    assert date.startswith("20")
    assert "letter.txt" in row_item(tab.timeline, 0).toolTip(5)


def test_nothing_selected_is_an_empty_disabled_tab(tab: ProvenanceTab) -> None:
    tab.show_unit(None)
    assert not tab.isEnabled()
    assert tab.timeline.topLevelItemCount() == 0


def test_add_an_event_with_the_keyboard_then_undo_and_redo(
    qtbot: QtBot, tab: ProvenanceTab, catalogue: Catalogue, undo_stack: QUndoStack
) -> None:
    unit = catalogue.units.create({"title": "Letter"})
    tab.show_unit(unit.id)
    changed: list[int] = []
    tab.changed.connect(changed.append)

    tab.timeline.setFocus()
    qtbot.keyClick(tab.timeline, Qt.Key.Key_Insert)
    assert tab.form.isVisible()
    assert tab.form.event_type.hasFocus()
    qtbot.keyClicks(tab.form.event_type, "transfer")
    qtbot.keyClick(tab.form.event_type, Qt.Key.Key_Tab)
    assert tab.form.occurred_at.hasFocus()
    qtbot.keyClicks(tab.form.occurred_at, "1990-05")
    assert tab.form.date_words.text() == "May 1990"
    qtbot.keyClick(tab.form.occurred_at, Qt.Key.Key_Tab)
    qtbot.keyClicks(tab.form.agent, "Amnesty archive")
    qtbot.keyClick(tab.form.agent, Qt.Key.Key_Tab)
    qtbot.keyClicks(tab.form.place, "London")
    qtbot.keyClick(tab.form.place, Qt.Key.Key_Return)

    assert not tab.form.isVisible()
    assert rows(tab) == [("1990-05", "transfer", "Amnesty archive", "London")]
    (event,) = catalogue.provenance.chain(unit.id)
    assert (event.event_type, event.agent, event.place) == ("transfer", "Amnesty archive", "London")
    assert changed == [unit.id]

    undo_stack.undo()
    assert rows(tab) == []
    assert catalogue.provenance.chain(unit.id) == []
    undo_stack.redo()
    assert rows(tab) == [("1990-05", "transfer", "Amnesty archive", "London")]
    assert len(catalogue.provenance.chain(unit.id)) == 1


def test_a_bad_date_is_explained_and_nothing_is_saved(
    qtbot: QtBot, tab: ProvenanceTab, catalogue: Catalogue, undo_stack: QUndoStack
) -> None:
    unit = catalogue.units.create({"title": "Letter"})
    tab.show_unit(unit.id)
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(tab.form.occurred_at, "summer 88")
    assert "not a date in EDTF form" in tab.form.date_words.text()
    qtbot.mouseClick(tab.form.save, Qt.MouseButton.LeftButton)

    assert tab.form.isVisible()
    assert "event date" in tab.form.error.text()
    assert catalogue.provenance.chain(unit.id) == []
    assert undo_stack.count() == 0

    qtbot.keyClick(tab.form.occurred_at, Qt.Key.Key_Escape)
    assert not tab.form.isVisible()


def test_edit_with_f2_and_undo_restores_the_old_values(
    qtbot: QtBot, tab: ProvenanceTab, catalogue: Catalogue, undo_stack: QUndoStack
) -> None:
    unit = catalogue.units.create({"title": "Letter"})
    catalogue.provenance.record(
        unit.id, NewEvent("capture", occurred_at="2024-03-02", agent="Field team")
    )
    tab.show_unit(unit.id)
    tab.timeline.setFocus()
    qtbot.keyClick(tab.timeline, Qt.Key.Key_F2)
    assert tab.form.agent.text() == "Field team"
    tab.form.agent.selectAll()
    qtbot.keyClicks(tab.form.agent, "Night shift")
    qtbot.keyClick(tab.form.agent, Qt.Key.Key_Return)

    assert rows(tab) == [("2024-03-02", "capture", "Night shift", "")]
    assert catalogue.provenance.chain(unit.id)[0].agent == "Night shift"
    assert undo_stack.undoText() == "Edit capture event"

    undo_stack.undo()
    assert catalogue.provenance.chain(unit.id)[0].agent == "Field team"
    assert rows(tab) == [("2024-03-02", "capture", "Field team", "")]


def test_remove_with_delete_and_undo_records_it_again(
    qtbot: QtBot, tab: ProvenanceTab, catalogue: Catalogue, undo_stack: QUndoStack, tmp_path: Path
) -> None:
    source = tmp_path / "letter.txt"
    source.write_text("A letter from the prison", encoding="utf-8")
    (unit_id,) = catalogue.imports.run([source], workers=1).new_ids
    (ingestion,) = catalogue.provenance.chain(unit_id)
    tab.show_unit(unit_id)

    tab.timeline.setFocus()
    qtbot.keyClick(tab.timeline, Qt.Key.Key_Delete)
    assert rows(tab) == []
    assert catalogue.provenance.chain(unit_id) == []

    undo_stack.undo()
    (again,) = catalogue.provenance.chain(unit_id)
    assert again.uuid != ingestion.uuid  # recorded anew: a deleted row cannot be restored
    for name in ("event_type", "occurred_at", "agent", "tool", "place", "outcome", "note"):
        assert getattr(again, name) == getattr(ingestion, name)
    assert rows(tab)[0][1] == "ingestion"

    undo_stack.redo()
    assert catalogue.provenance.chain(unit_id) == []


def test_the_chosen_event_is_shown_whole_below_the_timeline(
    qtbot: QtBot, catalogue: Catalogue
) -> None:
    unit = catalogue.units.create({"title": "Statement"})
    catalogue.provenance.record(
        unit.id,
        NewEvent("transfer", occurred_at="2024-03-10", agent="Field team", note="On a USB stick."),
    )
    tab = ProvenanceTab(catalogue, QUndoStack())
    qtbot.addWidget(tab)
    tab.show_unit(unit.id)
    assert "Note: On a USB stick." in tab.details.text()
    assert "Agent or holder: Field team" in tab.details.text()
    tab.show_unit(None)
    assert tab.details.isHidden()
