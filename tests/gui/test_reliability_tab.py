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
from tests.gui.helpers import undo_host

CTRL = Qt.KeyboardModifier.ControlModifier


@dataclass
class Pane:
    tab: ReliabilityTab
    stack: QUndoStack
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
    qtbot.mouseClick(pane.tab.record_button, Qt.MouseButton.LeftButton)


@pytest.fixture
def pane(qtbot: QtBot, catalogue: Catalogue) -> Iterator[Pane]:
    unit = catalogue.units.create({"title": "Report on Khavaran"})
    stack = QUndoStack()
    host = undo_host(qtbot, stack)
    tab = ReliabilityTab(catalogue, stack, assessor="Shirin")
    QVBoxLayout(host).addWidget(tab)
    host.resize(600, 700)
    host.show()
    host.activateWindow()
    qtbot.waitUntil(host.isActiveWindow)
    tab.show_unit(unit.id)
    yield Pane(tab, stack, unit, catalogue)
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


def test_recording_an_assessment_shows_it_in_the_history(qtbot: QtBot, pane: Pane) -> None:
    choose(qtbot, pane, "B", "2")
    assert pane.tab.source.meaning.text() == SourceReliability.B.meaning
    assert pane.tab.credibility.meaning.text() == InformationCredibility.PROBABLY_TRUE.meaning
    pane.tab.notes["affiliation_note"].setFocus()
    qtbot.keyClicks(pane.tab.notes["affiliation_note"], "State broadcaster")
    assert pane.tab.assessor.text() == "Shirin"

    with qtbot.waitSignal(pane.tab.changed) as changed:
        record(qtbot, pane)
    assert changed.args == [pane.unit.id]
    [current] = pane.catalogue.reliability.history(pane.unit.id)
    assert (current.grade, current.assessor, current.affiliation_note) == (
        "B2",
        "Shirin",
        "State broadcaster",
    )
    [line] = pane.history_lines()
    assert line.startswith("B2 · Usually reliable / Probably true\nby Shirin on ")
    assert "Affiliation and bias: State broadcaster" in line


def test_a_revision_starts_from_the_current_grade_and_undo_restores_it(
    qtbot: QtBot, pane: Pane
) -> None:
    assess(pane, SourceReliability.C, InformationCredibility.POSSIBLY_TRUE)
    assert pane.tab.source.value() == "C"
    assert pane.tab.notes["corroboration_note"].toPlainText() == "Two witnesses"

    choose(qtbot, pane, "A", "1")
    record(qtbot, pane)
    assert pane.grades() == ["A1", "C3"]
    assert [line[:2] for line in pane.history_lines()] == ["A1", "C3"]  # newest first

    pane.tab.history.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, CTRL)
    assert pane.grades()[0] == "C3"  # the earlier assessment is current again
    current = pane.catalogue.reliability.current(pane.unit.id)
    assert current is not None
    assert current.corroboration_note == "Two witnesses"
    assert pane.tab.source.value() == "C"
    assert pane.history_lines()[0].startswith("C3")

    qtbot.keyClick(
        QApplication.focusWidget(), Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier
    )
    assert pane.grades()[0] == "A1"
    assert pane.history_lines()[0].startswith("A1")


def test_the_first_assessment_cannot_be_undone_and_says_so(qtbot: QtBot, pane: Pane) -> None:
    choose(qtbot, pane, "F", "6")
    record(qtbot, pane)
    assert pane.stack.count() == 1
    pane.stack.undo()
    assert pane.grades() == ["F6"]
    assert pane.stack.count() == 0  # nothing left that claims to be undoable
    assert pane.tab.error_label.isVisibleTo(pane.tab)
    assert "first assessment of a record cannot be taken back" in pane.tab.error_label.text()


def test_an_assessment_on_an_earlier_day(qtbot: QtBot, pane: Pane) -> None:
    choose(qtbot, pane, "D", "4")
    pane.tab.assessed_on.setDate(QDate(2024, 3, 2))
    pane.tab.assessor.setText("Field team")
    record(qtbot, pane)
    current = pane.catalogue.reliability.current(pane.unit.id)
    assert current is not None
    assert current.assessed_at is not None
    assert current.assessed_at.astimezone().date().isoformat() == "2024-03-02"
    assert "by Field team on 2024-03-02" in pane.history_lines()[0]


def test_a_failed_assessment_is_reported_and_not_kept(qtbot: QtBot, pane: Pane) -> None:
    choose(qtbot, pane, "B", "2")
    pane.catalogue.units.delete(pane.unit.id)
    record(qtbot, pane)
    assert pane.stack.count() == 0
    assert "There is no record" in pane.tab.error_label.text()


def test_the_assessor_defaults_to_the_catalogue_user(qtbot: QtBot, catalogue: Catalogue) -> None:
    tab = ReliabilityTab(catalogue, QUndoStack())
    qtbot.addWidget(tab)
    assert tab.assessor.text() == "tester"
    tab.set_assessor("Parisa")
    assert tab.assessor.text() == "Parisa"
