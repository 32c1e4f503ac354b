"""Undoable edits: every step is a write on the operations lane, pushed once it succeeded.

`OperationStack` is the window's QUndoStack. `submit(command)` runs the command's first
write (`apply`) on the writer thread and pushes the command only when it succeeded, so the
stack never claims a change the catalogue refused. Its `undo()` and `redo()` (and the
actions it makes, on Ctrl+Z and the redo keys) run the command's `revert` or `apply` on the
writer too, and move the stack only when that succeeded. While any write is in flight they
wait (their actions are greyed out), so the stack never runs two steps at once, nor one
over a write that is not pushed yet. Steps work across records for the whole session.

A refusal (a CatalogError: a rule broken, the record changed or deleted elsewhere, the
catalogue locked) is said in one line through the command's `refused`; nothing moves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QUndoCommand, QUndoStack

from catalog_app.domain.records import AssessmentRecord, NewAssessment, UnitDetail
from catalog_app.domain.unit_rules import clean_unit_fields
from catalog_app.errors import CatalogError
from catalog_app.services import Catalogue
from catalog_app.ui.changes import NOTHING, Changes, counted
from catalog_app.ui.operations import Operations, Outcome, Report, WriteOp


class StackCommand(QUndoCommand):
    """One undoable step. `apply` and `revert` run on the writer thread (service calls only,
    never widgets) and say what they changed; `settled(changes)` and `refused(message)` run
    on the GUI thread afterwards. Qt's own `redo()`/`undo()` do nothing: the stack calls
    them only once the write is done. `label` names a long step in the status bar while it
    runs (with its progress)."""

    label = ""

    def apply(self, report: Report) -> Changes:
        raise NotImplementedError

    def revert(self, report: Report) -> Changes:
        raise NotImplementedError

    def settled(self, changes: Changes) -> None:
        """After a write of this step succeeded (its first, an undo or a redo)."""

    def refused(self, message: str) -> bool:
        """Say why a write was refused; False leaves it to the window (a dialog)."""
        return False

    def redo(self) -> None:
        pass

    def undo(self) -> None:
        pass


class OperationStack(QUndoStack):
    """The undo stack whose steps are writes on `operations` (see the module's text)."""

    def __init__(self, operations: Operations, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.operations = operations
        self._actions: list[tuple[QAction, str, bool]] = []  # (action, prefix, is undo)
        for signal in (
            self.canUndoChanged,
            self.canRedoChanged,
            self.undoTextChanged,
            self.redoTextChanged,
            operations.writing,
        ):
            signal.connect(lambda *_: self._update_actions())

    def submit(self, command: StackCommand) -> None:
        """Make the step's first write; push it on the stack once it succeeded."""

        def done(changes: Changes) -> None:
            if changes != NOTHING:  # NOTHING: there was nothing left to do, nor to undo
                self.push(command)  # its redo() does nothing: the write is done
            command.settled(changes)

        self._write(command, command.apply, done, "")

    def undo(self) -> None:
        if self.canUndo() and not self.operations.writing_now:
            self._step(self.index() - 1, undo=True)

    def redo(self) -> None:
        if self.canRedo() and not self.operations.writing_now:
            self._step(self.index(), undo=False)

    def _step(self, index: int, *, undo: bool) -> None:
        command = self.command(index)
        if not isinstance(command, StackCommand):
            return
        at = self.index()
        verb = "undo" if undo else "redo"

        def done(changes: Changes) -> None:
            if self.index() == at:  # writes wait for each other, so nothing moved it
                QUndoStack.undo(self) if undo else QUndoStack.redo(self)
            command.settled(changes)

        status = f"{'Undone' if undo else 'Redone'}: {command.text()}"
        self._write(command, command.revert if undo else command.apply, done, status, verb)

    def _write(
        self,
        command: StackCommand,
        write: Callable[[Report], Changes],
        done: Callable[[Changes], None],
        status: str,
        verb: str = "",
    ) -> None:
        def work(report: Report) -> Outcome[Changes]:
            changes = write(report)
            return Outcome(changes, changes.saying(status) if status else changes)

        text = command.text()

        def failed(message: str) -> None:
            said = f"Could not {verb} “{text}”: {message}" if verb else message
            if not command.refused(said):  # then the window says it, with what was refused
                self.operations.refused.emit(said if verb else f"{text}: {said}")

        WriteOp(work, label=command.label).success(done).failure(failed).run_in_background(
            self.operations
        )

    # -- the Edit menu's Undo and Redo -----------------------------------------------------------

    def createUndoAction(self, parent: QObject, prefix: str = "") -> QAction:
        return self._action(parent, prefix or "Undo", undo=True)

    def createRedoAction(self, parent: QObject, prefix: str = "") -> QAction:
        return self._action(parent, prefix or "Redo", undo=False)

    def _action(self, parent: QObject, prefix: str, *, undo: bool) -> QAction:
        action = QAction(prefix, parent)
        action.triggered.connect(self.undo if undo else self.redo)
        self._actions.append((action, prefix, undo))
        action.destroyed.connect(lambda *_: self._forget_action(action))
        self._update_actions()
        return action

    def _forget_action(self, gone: QAction) -> None:
        self._actions = [entry for entry in self._actions if entry[0] is not gone]

    def _update_actions(self) -> None:
        waiting = self.operations.writing_now
        for action, prefix, undo in self._actions:
            possible = self.canUndo() if undo else self.canRedo()
            what = self.undoText() if undo else self.redoText()
            action.setEnabled(possible and not waiting)
            action.setText(f"{prefix} {what}" if possible and what else prefix)


def lane_of(stack: QUndoStack) -> Operations:
    """The operations lane of the window's undo stack. With a plain stack (a tab shown on
    its own, not in the window) a new lane, which the caller keeps."""
    return stack.operations if isinstance(stack, OperationStack) else Operations()


def submit(stack: QUndoStack, command: StackCommand) -> None:
    """Submit `command` on the window's undo stack (an OperationStack)."""
    if not isinstance(stack, OperationStack):
        raise TypeError("undoable steps need the window's OperationStack")
    stack.submit(command)


@dataclass(frozen=True)
class Feedback:
    """Where a command reports back: `done(unit_id)` after a write, `failed(message)` if not."""

    done: Callable[[int], None]
    failed: Callable[[str], None]


class CatalogueCommand(StackCommand):
    """A step over one record, reported to the tab that made it."""

    def __init__(self, text: str, unit_id: int, feedback: Feedback) -> None:
        super().__init__(text)
        self.unit_id = unit_id
        self._feedback = feedback

    def settled(self, changes: Changes) -> None:
        self._feedback.done(self.unit_id)

    def refused(self, message: str) -> bool:
        self._feedback.failed(message)
        return True

    def _changed(self, status: str = "Saved") -> Changes:
        return Changes.of(status, changed=[self.unit_id])


# How a field is named in an undo label, where its name does not say it.
FIELD_WORDS = {
    "date_expression": "date",
    "date_kind": "kind of date",
    "scope_content": "scope and content",
    "acquisition": "immediate source",
    "access_status": "access",
    "access_note": "conditions of access",
    "reproduction_note": "conditions of reproduction",
    "related_note": "related material",
    "publication_note": "publications",
    "media_type": "type",
    "extent": "extent and medium",
}


def field_words(names: Mapping[str, Any]) -> str:
    """'title', 'date', '3 fields' (`title_source` goes with the title)."""
    shown = [FIELD_WORDS.get(n, n.replace("_", " ")) for n in names if n != "title_source"]
    return shown[0] if len(shown) == 1 else f"{len(shown)} fields"


# Per catalogue file, per record: the version a form showed when this window last saved it,
# and the version that save made. A save typed while that one was on its way started from
# the same version, and is not someone else's change. Only the writer thread uses it.
_OWN_SAVES: dict[str, dict[int, tuple[int | None, int | None]]] = {}


def _holds(detail: UnitDetail, name: str, value: Any) -> bool:
    """Whether the record already holds `value` in field `name`, as it would store it."""
    try:
        cleaned = clean_unit_fields({name: value})[name]
    except CatalogError:
        return False  # the save says why
    stored = getattr(detail, name, None)

    def same_form(v: Any) -> Any:
        return tuple(v) if isinstance(v, list) else v

    return bool(same_form(cleaned) == same_form(stored))


class EditFields(CatalogueCommand):
    """Change description fields; undo puts the old values back.

    `expected_version` (the version the form was showing) guards the first save only: if the
    record was saved elsewhere since, the service refuses instead of overwriting that change.
    Submit it with `submit(stack, command)`.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        unit_id: int,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        feedback: Feedback,
        *,
        expected_version: int | None = None,
    ) -> None:
        super().__init__(f"Edit {field_words(new)}", unit_id, feedback)
        self._units = catalogue.units
        self._own = _OWN_SAVES.setdefault(str(catalogue.path), {})
        self.old = dict(old)
        self.new = dict(new)
        self._expected_version = expected_version

    def apply(self, report: Report) -> Changes:
        """The first time, only what still differs from the record (the form may ask again
        for a save still on its way), and only if nobody else saved the record since."""
        shown, self._expected_version = self._expected_version, None
        if shown is None:
            self._units.update(self.unit_id, self.new)
            return self._changed()
        current = self._units.get(self.unit_id)
        self.new = {n: v for n, v in self.new.items() if not _holds(current, n, v)}
        kept = {*self.new, "title_source"} if "title" in self.new else set(self.new)
        self.old = {n: v for n, v in self.old.items() if n in kept}
        if not self.new:
            return NOTHING
        since, reached = self._own.get(self.unit_id, (None, None))
        expected = reached if shown == since else shown  # our own save, not someone else's
        saved = self._units.update(self.unit_id, self.new, expected_version=expected)
        self._own[self.unit_id] = (shown, saved.version)
        return self._changed()

    def revert(self, report: Report) -> Changes:
        self._units.update(self.unit_id, self.old)
        return self._changed()


@dataclass(frozen=True)
class AccessPoint:
    """An agent, place or subject linked to a record (`role` only for agents)."""

    kind: str  # "agent", "place" or "subject"
    id: int
    name: str
    role: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


class _AccessPointCommand(CatalogueCommand):
    def __init__(
        self, verb: str, catalogue: Catalogue, unit_id: int, point: AccessPoint, feedback: Feedback
    ) -> None:
        super().__init__(f"{verb} {point.kind} {point.label}", unit_id, feedback)
        self._units = catalogue.units
        self.point = point

    def _link(self) -> Changes:
        p, units = self.point, self._units
        if p.kind == "agent":
            units.link_agent(self.unit_id, p.id, p.role)
        elif p.kind == "place":
            units.link_place(self.unit_id, p.id)
        else:
            units.link_subject(self.unit_id, p.id)
        return self._changed()

    def _unlink(self) -> Changes:
        p, units = self.point, self._units
        if p.kind == "agent":
            units.unlink_agent(self.unit_id, p.id, p.role)
        elif p.kind == "place":
            units.unlink_place(self.unit_id, p.id)
        else:
            units.unlink_subject(self.unit_id, p.id)
        return self._changed()


class LinkAccessPoint(_AccessPointCommand):
    def __init__(
        self, catalogue: Catalogue, unit_id: int, point: AccessPoint, feedback: Feedback
    ) -> None:
        super().__init__("Add", catalogue, unit_id, point, feedback)

    def apply(self, report: Report) -> Changes:
        return self._link()

    def revert(self, report: Report) -> Changes:
        return self._unlink()


class UnlinkAccessPoint(_AccessPointCommand):
    def __init__(
        self, catalogue: Catalogue, unit_id: int, point: AccessPoint, feedback: Feedback
    ) -> None:
        super().__init__("Remove", catalogue, unit_id, point, feedback)

    def apply(self, report: Report) -> Changes:
        return self._unlink()

    def revert(self, report: Report) -> Changes:
        return self._link()


def same_assessment(a: NewAssessment, b: AssessmentRecord | None) -> bool:
    """Whether `a` says what the assessment `b` says (grades, notes, assessor); the time
    is left out, so recording it again would only repeat it."""
    if b is None:
        return False
    return all(
        getattr(a, f.name) == getattr(b, f.name)
        for f in dataclasses.fields(NewAssessment)
        if f.name not in ("assessed_at", "assessor")
    ) and (a.assessor is None or a.assessor == b.assessor)


class AssessCommand(CatalogueCommand):
    """Record an assessment; undo takes it back, so the one before is current again (the
    audit log keeps both); redo records it again."""

    def __init__(
        self, catalogue: Catalogue, unit_id: int, assessment: NewAssessment, feedback: Feedback
    ) -> None:
        super().__init__("Record assessment", unit_id, feedback)
        self._reliability = catalogue.reliability
        self.assessment = assessment
        self.recorded: AssessmentRecord | None = None

    def apply(self, report: Report) -> Changes:
        self.recorded = self._reliability.assess(self.unit_id, self.assessment)
        return self._changed(f"Assessment {self.recorded.grade} recorded")

    def revert(self, report: Report) -> Changes:
        if self.recorded is not None:
            self._reliability.remove(self.recorded.id, reason="undo")
            self.recorded = None
        return self._changed()


class _RecordsCommand(StackCommand):
    """A step over records as a whole (creating, withdrawing); `done(changes)` follows each
    write; a refusal is left to the window."""

    def __init__(self, text: str, done: Callable[[Changes], None]) -> None:
        super().__init__(text)
        self._done = done

    def settled(self, changes: Changes) -> None:
        self._done(changes)


class CreateRecord(_RecordsCommand):
    """A new record (empty, or like another); undo deletes it again and shows its parent."""

    def __init__(
        self,
        catalogue: Catalogue,
        make: Callable[[Catalogue], UnitDetail],
        done: Callable[[Changes], None],
    ) -> None:
        super().__init__("New record", done)
        self._catalogue = catalogue
        self._make = make
        self.unit_id: int | None = None
        self.parent_id: int | None = None

    def apply(self, report: Report) -> Changes:
        made = self._make(self._catalogue)
        self.unit_id, self.parent_id = made.id, made.parent_id
        return Changes.of(f"Record {made.reference_code} created", added=[made.id], focus=made.id)

    def revert(self, report: Report) -> Changes:
        gone = self.unit_id
        if gone is None:
            return Changes()
        self._catalogue.units.delete(gone, reason="undo of a new record")
        self.unit_id = None
        return Changes.of("Record removed", removed=[gone], focus=self.parent_id)


class SetWithdrawn(_RecordsCommand):
    """Withdraw (or reinstate) records; undo reverses it for those it changed."""

    def __init__(
        self,
        catalogue: Catalogue,
        unit_ids: list[int],
        withdrawn: bool,
        done: Callable[[Changes], None],
    ) -> None:
        verb = "Withdraw" if withdrawn else "Reinstate"
        super().__init__(f"{verb} {counted(len(unit_ids))}", done)
        self._units = catalogue.units
        self._ids = unit_ids
        self._withdrawn = withdrawn
        self._changed: list[int] = []

    def _said(self, withdrawn: bool) -> str:
        count = len(self._changed)
        verb = "withdrawn" if withdrawn else "reinstated"
        return f"Record {verb}" if count == 1 else f"{counted(count)} {verb}"

    def apply(self, report: Report) -> Changes:
        self._changed = self._units.set_withdrawn(self._ids, self._withdrawn)
        return Changes.of(self._said(self._withdrawn), changed=self._changed)

    def revert(self, report: Report) -> Changes:
        self._units.set_withdrawn(self._changed, not self._withdrawn)
        return Changes.of(self._said(not self._withdrawn), changed=self._changed)
