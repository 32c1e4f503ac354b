"""The Reliability tab driven as an archivist would: grading, recording, reading back, undo."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QVBoxLayout
from pytestqt.qtbot import QtBot

from catalog_app.domain.records import NewAssessment, UnitDetail
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.services import Catalogue
from catalog_app.ui.detail.reliability_tab import ReliabilityTab
from catalog_app.ui.operations import Operations
from catalog_app.ui.undo import OperationStack
from tests.gui.helpers import undo_host

CTRL = Qt.KeyboardModifier.ControlModifier


@dataclass
class Pane:
    tab: ReliabilityTab
    stack: OperationStack
    unit: UnitDetail
    catalogue: Catalogue

    def grades(self) -> list[str]:
        return [a.grade for a in self.catalogue.reliability.history(self.unit.id)]

    def history_lines(self) -> list[str]:
        return [self.tab.history.item(row).text() for row in range(self.tab.history.count())]


def choose(qtbot: QtBot, pane: Pane, source: str, credibility: str) -> None:
    """Pick the grades with the keyboard, as a person tabbing through the form would."""
    for combo, key in (
        (pane.tab.source.combo, source),
        (pane.tab.credibility.combo, credibility),
    ):
        combo.setFocus()
        qtbot.keyClicks(combo, key)


def record(qtbot: QtBot, pane: Pane) -> None:
    """Click "Record assessment" and wait until the catalogue has it."""
    count = len(pane.grades())
    qtbot.mouseClick(pane.tab.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.stack.count() > 0 and len(pane.grades()) == count + 1)
    qtbot.waitUntil(lambda: not pane.stack.operations.busy())


def press(qtbot: QtBot, pane: Pane, modifiers: Qt.KeyboardModifier) -> None:
    """Ctrl+Z (or with Shift, redo) where the focus is; wait until it is written."""
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, modifiers)
    qtbot.waitUntil(lambda: not pane.stack.operations.busy())


@pytest.fixture
def pane(qtbot: QtBot, catalogue: Catalogue) -> Iterator[Pane]:
    unit = catalogue.units.create({"title": "Report on Khavaran"})
    lane = Operations()  # writes on their own thread, as in the window
    stack = OperationStack(lane)
    host = undo_host(qtbot, stack)
    tab = ReliabilityTab(catalogue, stack, assessor="Shirin")
    QVBoxLayout(host).addWidget(tab)
    host.resize(600, 700)
    host.show()
    host.activateWindow()
    qtbot.waitUntil(host.isActiveWindow)
    tab.show_unit(unit.id)
    yield Pane(tab, stack, unit, catalogue)
    lane.wait_for_done()
    stack.clear()


def assess(pane: Pane, source: SourceReliability, credibility: InformationCredibility) -> None:
    pane.catalogue.reliability.assess(
        pane.unit.id, NewAssessment(source, credibility, corroboration_note="Two witnesses")
    )
    pane.tab.show_unit(pane.unit.id)


def test_nothing_can_be_recorded_until_both_grades_are_chosen(qtbot: QtBot, pane: Pane) -> None:
    assert pane.tab.history.count() == 0
    assert not pane.tab.record_button.isEnabled()
    pane.tab.source.combo.setFocus()
    qtbot.keyClicks(pane.tab.source.combo, "B")
    assert not pane.tab.record_button.isEnabled()
    pane.tab.show_unit(None)
    assert not pane.tab.record_button.isEnabled()
    assert pane.tab.empty_label.isVisibleTo(pane.tab)


def test_recording_an_assessment_shows_it_as_the_current_one(qtbot: QtBot, pane: Pane) -> None:
    choose(qtbot, pane, "B", "2")
    assert pane.tab.source.meaning.text() == SourceReliability.B.meaning
    assert pane.tab.credibility.meaning.text() == InformationCredibility.PROBABLY_TRUE.meaning
    pane.tab.notes["affiliation_note"].setFocus()
    qtbot.keyClicks(pane.tab.notes["affiliation_note"], "State broadcaster")
    assert pane.tab.assessor.text() == "Shirin"

    with qtbot.waitSignal(pane.tab.changed) as changed:
        qtbot.mouseClick(pane.tab.record_button, Qt.MouseButton.LeftButton)
    assert changed.args == [pane.unit.id]
    [current] = pane.catalogue.reliability.history(pane.unit.id)
    assert (current.grade, current.assessor, current.affiliation_note) == (
        "B2",
        "Shirin",
        "State broadcaster",
    )
    shown = pane.tab.current.text()
    assert shown.startswith("B2 · Usually reliable / Probably true\nby Shirin on ")
    assert "Affiliation and bias: State broadcaster" in shown
    assert pane.history_lines() == []  # the current one is not an earlier one
    assert pane.stack.undoText() == "Record assessment"


def test_the_current_grade_is_not_listed_among_the_earlier_ones(qtbot: QtBot, pane: Pane) -> None:
    assess(pane, SourceReliability.C, InformationCredibility.POSSIBLY_TRUE)
    assert pane.tab.current.text().startswith("C3")
    assert pane.history_lines() == []

    choose(qtbot, pane, "A", "1")
    record(qtbot, pane)
    assert pane.tab.current.text().startswith("A1")
    assert [line[:2] for line in pane.history_lines()] == ["C3"]


def test_a_second_click_does_not_record_the_same_assessment_again(qtbot: QtBot, pane: Pane) -> None:
    choose(qtbot, pane, "B", "2")
    record(qtbot, pane)
    assert not pane.tab.record_button.isEnabled()  # the form says what is current
    qtbot.mouseClick(pane.tab.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not pane.stack.operations.busy())
    assert pane.grades() == ["B2"]
    assert pane.stack.count() == 1

    pane.tab.notes["method_note"].setFocus()
    qtbot.keyClicks(pane.tab.notes["method_note"], "Checked against the archive")
    assert pane.tab.record_button.isEnabled()  # now it says something new
    pane.tab.notes["method_note"].clear()
    assert not pane.tab.record_button.isEnabled()


def test_undo_takes_the_assessment_back_and_redo_records_it_again(qtbot: QtBot, pane: Pane) -> None:
    assess(pane, SourceReliability.C, InformationCredibility.POSSIBLY_TRUE)
    assert pane.tab.source.value() == "C"
    assert pane.tab.notes["corroboration_note"].toPlainText() == "Two witnesses"

    choose(qtbot, pane, "A", "1")
    record(qtbot, pane)
    assert pane.grades() == ["A1", "C3"]

    pane.tab.history.setFocus()
    press(qtbot, pane, CTRL)
    assert pane.grades() == ["C3"]  # taken back, not a copy of C3 appended
    current = pane.catalogue.reliability.current(pane.unit.id)
    assert current is not None
    assert current.corroboration_note == "Two witnesses"
    assert pane.tab.source.value() == "C"
    assert pane.tab.current.text().startswith("C3")
    assert pane.history_lines() == []

    press(qtbot, pane, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert pane.grades() == ["A1", "C3"]
    assert pane.tab.current.text().startswith("A1")


def test_the_first_assessment_can_be_undone_too(qtbot: QtBot, pane: Pane) -> None:
    choose(qtbot, pane, "F", "6")
    record(qtbot, pane)
    pane.tab.history.setFocus()
    press(qtbot, pane, CTRL)
    assert pane.grades() == []
    assert pane.tab.current.text() == "Not assessed yet."
    assert pane.stack.canRedo()


def test_an_assessment_on_an_earlier_day(qtbot: QtBot, pane: Pane) -> None:
    choose(qtbot, pane, "D", "4")
    pane.tab.assessed_on.setDate(QDate(2024, 3, 2))
    pane.tab.assessor.setText("Field team")
    record(qtbot, pane)
    current = pane.catalogue.reliability.current(pane.unit.id)
    assert current is not None
    assert current.assessed_at is not None
    assert current.assessed_at.astimezone().date().isoformat() == "2024-03-02"
    assert "by Field team on 2024-03-02" in pane.tab.current.text()


def test_a_failed_assessment_is_reported_and_not_kept(qtbot: QtBot, pane: Pane) -> None:
    choose(qtbot, pane, "B", "2")
    pane.catalogue.units.delete(pane.unit.id)
    qtbot.mouseClick(pane.tab.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "There is no record" in pane.tab.error_label.text())
    assert pane.stack.count() == 0
    assert pane.tab.record_button.isEnabled()  # it can be tried again


def test_the_assessor_defaults_to_the_catalogue_user(qtbot: QtBot, catalogue: Catalogue) -> None:
    tab = ReliabilityTab(catalogue, QUndoStack())
    qtbot.addWidget(tab)
    assert tab.assessor.text() == "tester"
    tab.set_assessor("Parisa")
    assert tab.assessor.text() == "Parisa"
