"""Batch edit through the dialog and the undo stack, as a person would use them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QDialog, QGroupBox
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.services.batch import BatchChange
from catalog_app.ui.batch_edit import BatchEditCommand, BatchEditDialog

# Typing into a field with completion opens its popup, which the offscreen platform cannot raise.
POPUP_WARNINGS = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")


@dataclass(frozen=True)
class Records:
    fonds: int
    series: int
    other_fonds: int
    other_code: str
    items: tuple[int, ...]
    executions: int


@pytest.fixture
def records(catalogue: Catalogue) -> Records:
    units = catalogue.units
    fonds = units.create({"title": "Testimonies", "level": "fonds"})
    series = units.create({"title": "Letters", "level": "series"}, parent_id=fonds.id)
    other = units.create({"title": "Second fonds", "level": "fonds"})
    items = tuple(
        units.create({"title": f"Letter {n}", "languages": ["fa"]}, parent_id=series.id).id
        for n in range(3)
    )
    executions = catalogue.terms.subject("Executions")
    return Records(fonds.id, series.id, other.id, other.reference_code, items, executions.id)


@dataclass
class Reports:
    done: list[list[int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _tick(qtbot: QtBot, box: QGroupBox) -> None:
    """Tick a section's title with the keyboard, as a keyboard-only user would."""
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked()


@pytest.fixture
def dialog(qtbot: QtBot, catalogue: Catalogue, records: Records) -> BatchEditDialog:
    opened = BatchEditDialog(catalogue, records.items)
    qtbot.addWidget(opened)
    opened.show()
    return opened


def test_the_dialog_says_how_many_and_ok_waits_for_a_section(
    qtbot: QtBot, dialog: BatchEditDialog
) -> None:
    assert dialog.windowTitle() == "Edit 3 records"
    assert not dialog.ok_button.isEnabled()
    assert not dialog.access.isEnabled()  # a section's fields wait for its tick

    _tick(qtbot, dialog.access_box)

    assert dialog.ok_button.isEnabled()
    assert dialog.access.isEnabled()


@POPUP_WARNINGS
def test_filling_every_section_and_pressing_ok(
    qtbot: QtBot, catalogue: Catalogue, records: Records, dialog: BatchEditDialog
) -> None:
    _tick(qtbot, dialog.move_box)
    qtbot.keyClicks(dialog.collection.lineEdit(), "second fon")
    _tick(qtbot, dialog.access_box)
    qtbot.keyClicks(dialog.access, "r")  # the first status beginning with r
    _tick(qtbot, dialog.languages_box)
    qtbot.keyClicks(dialog.languages, "EN, fa")
    _tick(qtbot, dialog.subjects_box)
    qtbot.keyClicks(dialog.subject_entry, "executions")
    qtbot.keyClick(dialog.subject_entry, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.subject_entry, "Prisons")  # typed, not yet added: counts too

    assert dialog.isVisible()  # Enter in the subject line did not press OK
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == QDialog.DialogCode.Accepted
    prisons = next(t for t in catalogue.terms.subjects() if t.name == "Prisons")
    assert dialog.change() == BatchChange(
        parent_id=records.other_fonds,
        access_status="restricted",
        languages=("en", "fa"),
        subject_ids=(records.executions, prisons.id),
    )


@POPUP_WARNINGS
def test_bad_input_is_explained_under_its_field(
    qtbot: QtBot, records: Records, dialog: BatchEditDialog
) -> None:
    _tick(qtbot, dialog.languages_box)
    qtbot.keyClicks(dialog.languages, "english")
    _tick(qtbot, dialog.move_box)
    qtbot.keyClicks(dialog.collection.lineEdit(), "nowhere")
    _tick(qtbot, dialog.subjects_box)

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert "'english' is not a valid code" in dialog.languages_error.text()
    assert "Choose one collection" in dialog.collection_error.text()
    assert "at least one subject" in dialog.subjects_error.text()
    for label in (dialog.languages_error, dialog.collection_error, dialog.subjects_error):
        assert label.isVisible()
        assert "\n" not in label.text()

    dialog.languages.clear()
    qtbot.keyClicks(dialog.languages, "en")
    assert not dialog.languages_error.isVisible()


def test_the_selected_records_are_not_offered_as_collections(
    catalogue: Catalogue, records: Records
) -> None:
    dialog = BatchEditDialog(catalogue, [records.series])
    offered = {dialog.collection.itemData(i) for i in range(dialog.collection.count())}
    dialog.deleteLater()

    assert offered == {records.fonds, records.other_fonds}


def test_the_command_applies_undoes_and_redoes(
    qtbot: QtBot, catalogue: Catalogue, records: Records
) -> None:
    reports = Reports()
    stack = QUndoStack()
    change = BatchChange(
        parent_id=records.other_fonds,
        access_status="confidential",
        subject_ids=(records.executions,),
    )
    before = [catalogue.units.get(i) for i in records.items]

    stack.push(
        BatchEditCommand(
            catalogue, records.items, change, reports.done.append, reports.errors.append
        )
    )

    def state() -> list[tuple[int | None, str, tuple[str, ...]]]:
        details = [catalogue.units.get(i) for i in records.items]
        return [(d.parent_id, d.access_status, tuple(s.name for s in d.subjects)) for d in details]

    applied = [(records.other_fonds, "confidential", ("Executions",))] * 3
    assert state() == applied
    assert stack.undoText() == "Edit 3 records"
    assert reports.done == [list(records.items)]

    stack.undo()
    assert state() == [(records.series, "open", ())] * 3
    assert [catalogue.units.get(i).position for i in records.items] == [d.position for d in before]

    stack.redo()
    assert state() == applied
    assert len(reports.done) == 3
    assert reports.errors == []


def test_a_refused_change_is_reported_and_dropped_from_the_stack(
    catalogue: Catalogue, records: Records
) -> None:
    reports = Reports()
    stack = QUndoStack()
    into_own_part = BatchChange(parent_id=records.series)

    stack.push(
        BatchEditCommand(
            catalogue, [records.fonds], into_own_part, reports.done.append, reports.errors.append
        )
    )

    assert len(reports.errors) == 1
    assert reports.errors[0].startswith("Edit 1 record: ")
    assert "cannot go inside itself" in reports.errors[0]
    assert reports.done == []
    assert stack.count() == 0
    assert catalogue.units.get(records.fonds).parent_id is None
