"""Batch edit through the dialog and the undo stack, as a person would use them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QGroupBox
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.services.batch import BatchChange
from catalog_app.ui import batch_edit
from catalog_app.ui.batch_edit import BatchEditCommand, BatchEditDialog
from catalog_app.ui.changes import Changes
from catalog_app.ui.operations import Operations
from catalog_app.ui.undo import OperationStack

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
    done: list[Changes] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    activity: list[str] = field(default_factory=list)


@pytest.fixture
def stack(catalogue: Catalogue) -> Iterator[OperationStack]:
    """The window's kind of undo stack, whose writes run on their own thread."""
    lane = Operations()
    yield OperationStack(lane)
    lane.wait_for_done()


def _written(qtbot: QtBot, stack: OperationStack) -> None:
    qtbot.waitUntil(lambda: not stack.operations.busy())


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
    assert dialog.change() == BatchChange(
        parent_id=records.other_fonds,
        access_status="restricted",
        languages=("en", "fa"),
        subject_ids=(records.executions,),
    )
    assert dialog.new_subjects() == ("Prisons",)  # made by the edit's write, not the dialog
    assert "Prisons" not in {t.name for t in catalogue.terms.subjects()}


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


def test_the_command_applies_undoes_and_redoes_in_the_background(
    qtbot: QtBot, catalogue: Catalogue, records: Records, stack: OperationStack
) -> None:
    reports = Reports()
    change = BatchChange(
        parent_id=records.other_fonds,
        access_status="confidential",
        subject_ids=(records.executions,),
    )
    before = [catalogue.units.get(i) for i in records.items]

    stack.submit(
        BatchEditCommand(
            catalogue, records.items, change, reports.done.append, new_subjects=["Prisons"]
        )
    )
    assert stack.count() == 0  # pushed once written
    _written(qtbot, stack)

    def state() -> list[tuple[int | None, str, tuple[str, ...]]]:
        details = [catalogue.units.get(i) for i in records.items]
        return [(d.parent_id, d.access_status, tuple(s.name for s in d.subjects)) for d in details]

    applied = [(records.other_fonds, "confidential", ("Executions", "Prisons"))] * 3
    assert state() == applied
    assert stack.undoText() == "Edit 3 records"
    [done] = reports.done
    assert done.changed == frozenset(records.items)
    assert done.structure  # they moved
    assert done.status == "3 records moved"

    stack.undo()
    _written(qtbot, stack)
    assert state() == [(records.series, "open", ())] * 3
    assert [catalogue.units.get(i).position for i in records.items] == [d.position for d in before]

    stack.redo()
    _written(qtbot, stack)
    assert state() == applied
    assert len(reports.done) == 3
    assert [t.name for t in catalogue.terms.subjects()].count("Prisons") == 1


def test_a_large_edit_is_written_in_parts_with_its_progress_in_words(
    qtbot: QtBot,
    catalogue: Catalogue,
    records: Records,
    stack: OperationStack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(batch_edit, "CHUNK", 2)
    reports = Reports()
    stack.operations.activity.connect(reports.activity.append)
    command = BatchEditCommand(
        catalogue, records.items, BatchChange(access_status="restricted"), reports.done.append
    )
    stack.submit(command)
    _written(qtbot, stack)

    assert reports.activity == [
        "Editing 3 records… 0 of 3",
        "Editing 3 records… 2 of 3",
        "Editing 3 records… 3 of 3",
        "",
    ]
    assert {catalogue.units.get(i).access_status for i in records.items} == {"restricted"}
    assert reports.done[0].status == "3 records edited"
    stack.undo()
    _written(qtbot, stack)
    assert {catalogue.units.get(i).access_status for i in records.items} == {"open"}


def test_a_part_refused_puts_back_the_parts_already_written(
    qtbot: QtBot,
    catalogue: Catalogue,
    records: Records,
    stack: OperationStack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(batch_edit, "CHUNK", 1)
    refused: list[str] = []
    stack.operations.refused.connect(refused.append)
    # The letters move in their own parts first; the last part, the collection itself, cannot.
    ids = [*records.items, records.other_fonds]
    into = BatchChange(parent_id=records.other_fonds)
    stack.submit(BatchEditCommand(catalogue, ids, into, lambda _changes: None))
    _written(qtbot, stack)

    assert len(refused) == 1
    assert "cannot go inside itself" in refused[0]
    assert [catalogue.units.get(i).parent_id for i in records.items] == [records.series] * 3
    assert stack.count() == 0


def test_a_refused_change_is_reported_and_not_pushed(
    qtbot: QtBot, catalogue: Catalogue, records: Records, stack: OperationStack
) -> None:
    reports = Reports()
    stack.operations.refused.connect(reports.errors.append)
    into_own_part = BatchChange(parent_id=records.series)

    stack.submit(BatchEditCommand(catalogue, [records.fonds], into_own_part, reports.done.append))
    _written(qtbot, stack)

    assert len(reports.errors) == 1
    assert reports.errors[0].startswith("Move 1 record: ")
    assert "cannot go inside itself" in reports.errors[0]
    assert reports.done == []
    assert stack.count() == 0
    assert catalogue.units.get(records.fonds).parent_id is None
