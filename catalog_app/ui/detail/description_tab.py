"""The Description tab: a record's full ISAD(G) description, as a fast form.

The 26 elements are grouped in the standard's seven areas (`catalog_app.domain.isad`); in each
area the optional elements without a value are folded away until the person shows them all
(remembered per area). The creators (3.2.1) are the agents linked in the creator role; the
other roles are the access points' names.

A field is saved when it loses focus or on Ctrl+S; only the fields that changed, as one
undoable EditFields command. Values are checked as they are typed (EDTF dates read back in
plain words, reference codes checked for uniqueness) and a bad value stays in its field with a
one-line explanation under it instead of being saved. Leaving the record while a field holds
such a value asks whether to go back to it or drop it (`can_leave`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from catalog_app.domain.dates import DateError, describe_date
from catalog_app.domain.isad import AREAS, CREATOR_ROLE, Area, Element
from catalog_app.domain.records import AgentRecord, TermRecord, UnitDetail
from catalog_app.domain.unit_rules import clean_unit_fields
from catalog_app.domain.vocabulary import AgentRole
from catalog_app.errors import CatalogError, RecordNotFound
from catalog_app.services import Catalogue
from catalog_app.ui.detail.access_points import (
    AccessPointEditor,
    NewTerm,
    NewTermDialog,
    ask_new_term,
)
from catalog_app.ui.detail.commands import LinkNewTerm
from catalog_app.ui.detail.description_areas import AreaBox
from catalog_app.ui.detail.description_fields import (
    ERROR_STYLE,
    Field,
    LineField,
    TextField,
    field_label,
    make_field,
    text_editor,
)
from catalog_app.ui.settings import UiSettings
from catalog_app.ui.undo import (
    AccessPoint,
    EditFields,
    Feedback,
    LinkAccessPoint,
    UnlinkAccessPoint,
    submit,
)

__all__ = [
    "AccessPointEditor",
    "DescriptionTab",
    "Field",
    "LineField",
    "NewTerm",
    "NewTermDialog",
    "TextField",
    "ask_new_term",
    "text_editor",
]

_REDO = QKeySequence.StandardKey.Redo
GO_BACK = "Go back and fix it"
DISCARD = "Discard my change"
NOT_SAVED = "Not saved: {label}: {problem}"


def stored_value(detail: UnitDetail, name: str) -> Any:
    """A record's value in the form `Field.value()` gives (empty text as None)."""
    value = getattr(detail, name)
    if isinstance(value, str):
        return value.strip() or None
    return value


def normalised(name: str, value: Any) -> Any:
    """A typed value as the catalogue would store it (itself if it would be refused)."""
    try:
        cleaned = clean_unit_fields({name: value})[name]
    except CatalogError:
        return value
    return tuple(cleaned) if isinstance(cleaned, list) else cleaned


def date_meaning(expression: str | None) -> tuple[str, bool]:
    """What a date expression means in plain words, or why it is not a date (error=True)."""
    try:
        return f"Means: {describe_date(expression)}", False
    except DateError as exc:
        return str(exc), True


def ask_leave_refused(parent: QWidget, label: str, problem: str) -> bool:
    """Ask what to do with a refused value when leaving its record: True drops it, False
    goes back to it (also Escape and Enter)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("A change was not saved")
    box.setText(f"“{label}” holds a value this record refused, so it is not saved.")
    box.setInformativeText(problem)
    back = box.addButton(GO_BACK, QMessageBox.ButtonRole.RejectRole)
    discard = box.addButton(DISCARD, QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(back)
    box.setEscapeButton(back)
    box.exec()
    return box.clickedButton() is discard


# -- the tab -----------------------------------------------------------------------------------


class DescriptionTab(QWidget):
    TITLE = "Description"
    changed = Signal(int)

    def __init__(
        self, catalogue: Catalogue, undo_stack: QUndoStack, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._catalogue = catalogue
        self._undo_stack = undo_stack
        self._detail: UnitDetail | None = None
        self._places: list[TermRecord] = []
        self._subjects: list[TermRecord] = []
        self._settings: UiSettings | None = None

        self.fields: dict[str, Field] = {}
        self.labels: dict[str, str] = {}  # what the form calls each field
        self.areas: dict[str, AreaBox] = {}  # by area number: "3.2"
        self.error_label = QLabel()
        self.error_label.setObjectName("error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        self.empty_label = QLabel("No record selected.")

        # Built top to bottom, which is also the order Tab goes through the form.
        form = QWidget()
        self._form = form
        form_layout = QVBoxLayout(form)
        for area in AREAS:
            if area.number == "3.7":  # where AtoM has them too: before description control
                form_layout.addWidget(self._access_points())
            form_layout.addWidget(self._area(area))
        form_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(form)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.error_label)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.scroll_area, 1)

        self.save_action = QAction("Save", self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_action.triggered.connect(self.save)
        self.addAction(self.save_action)

        for name in ("reference_code", "date_expression"):  # checked as they are typed
            field = self.fields[name]
            assert isinstance(field, LineField)
            field.line.textEdited.connect(lambda _, f=field: self._check(f))
        self.show_unit(None)

    # -- building -------------------------------------------------------------------------

    def _area(self, area: Area) -> AreaBox:
        box = AreaBox(area)
        for element in area.elements:
            if element.creators:
                self.creators = self._linking(
                    AccessPointEditor("agent", fixed_role=CREATOR_ROLE, name="creator")
                )
                box.add(element, element.label, self.creators, self._has_creators)
                continue
            for name in element.fields:
                field = make_field(name)
                field.editor.installEventFilter(self)
                self.fields[name] = field
                self.labels[name] = field_label(element, name)
                box.add(element, self.labels[name], field.row, self._has_value(element))
        box.finish()
        box.unfolded_changed.connect(self._remember_folding)
        self.areas[area.number] = box
        return box

    def _access_points(self) -> QGroupBox:
        box = QGroupBox("Access points")
        box.setObjectName("access_points")
        layout = QFormLayout(box)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        others = [role.value for role in AgentRole if role.value != CREATOR_ROLE]
        self.agents = self._linking(AccessPointEditor("agent", others))
        self.places = self._linking(AccessPointEditor("place"))
        self.subjects = self._linking(AccessPointEditor("subject"))
        layout.addRow("Names", self.agents)
        layout.addRow("Places", self.places)
        layout.addRow("Subjects", self.subjects)
        return box

    def _linking(self, editor: AccessPointEditor) -> AccessPointEditor:
        """`editor`, adding and removing links as the person asks; agents' names suggested
        from the catalogue as they are typed."""
        editor.add_requested.connect(
            lambda name, role: self.add_access_point(editor.kind, name, role)
        )
        editor.remove_requested.connect(self.remove_access_point)
        if editor.kind == "agent":
            editor.entry.textEdited.connect(lambda text: self._suggest_agents(editor, text))
        return editor

    def _has_value(self, element: Element) -> Callable[[], bool]:
        def has_value() -> bool:
            return any(self.fields[name].value() for name in element.fields)

        return has_value

    def _has_creators(self) -> bool:
        return bool(self.creators.points() or self.creators.entry.text().strip())

    # -- folding --------------------------------------------------------------------------

    def remember_folding(self, settings: UiSettings) -> None:
        """Show the areas folded or not as the person left them, and remember their choices."""
        self._settings = settings
        unfolded = set(settings.unfolded_description_areas())
        for number, box in self.areas.items():
            box.set_unfolded(number in unfolded)

    def _remember_folding(self) -> None:
        if self._settings is not None:
            unfolded = [number for number, box in self.areas.items() if box.unfolded]
            self._settings.set_unfolded_description_areas(unfolded)

    def _refold(self) -> None:
        for box in self.areas.values():
            box.refold()

    # -- showing a record -----------------------------------------------------------------

    @property
    def unit_id(self) -> int | None:
        return self._detail.id if self._detail else None

    def show_unit(self, unit_id: int | None) -> None:
        """Show another record, first saving what was typed into this one."""
        try:
            detail = None if unit_id is None else self._catalogue.units.get(unit_id)
            places = self._catalogue.terms.places() if detail else None
            subjects = self._catalogue.terms.subjects() if detail else None
        except CatalogError as exc:
            self.show_detail(None)
            self._show_error(str(exc))
            return
        self.show_detail(detail, places, subjects)

    def show_detail(
        self,
        detail: UnitDetail | None,
        places: list[TermRecord] | None = None,
        subjects: list[TermRecord] | None = None,
    ) -> None:
        """Show a record read already (the detail pane reads it once for every tab), first
        saving what was typed into the one shown; `places` and `subjects` to suggest."""
        if self._detail is not None and (detail is None or detail.id != self._detail.id):
            self.save()
        self.error_label.hide()
        self._places = places if places is not None else self._places
        self._subjects = subjects if subjects is not None else self._subjects
        self._detail = None
        self._display(detail, keep_typing=False)

    def _display(self, detail: UnitDetail | None, *, keep_typing: bool) -> None:
        """Fill the form from `detail`. With `keep_typing`, fields that hold unsaved typing
        (a value refused, or not saved yet) keep it."""
        previous, self._detail = self._detail, detail
        self.empty_label.setVisible(detail is None)
        self._form.setEnabled(detail is not None)
        editable = detail is not None and not self._catalogue.readonly
        for field in self.fields.values():
            field.set_editable(editable)
            typed = (
                previous is not None
                and detail is not None
                and field.value() != stored_value(previous, field.name)
                and normalised(field.name, field.value()) != stored_value(detail, field.name)
            )
            if not (keep_typing and typed):
                field.set_value(stored_value(detail, field.name) if detail else None)
            if detail is None:
                field.show_message("")
            else:
                self._check(field)
        agents = [
            AccessPoint("agent", a.agent_id, a.authorised_name, a.role)
            for a in (detail.agents if detail else ())
        ]
        self.creators.set_points([a for a in agents if a.role == CREATOR_ROLE])
        self.agents.set_points([a for a in agents if a.role != CREATOR_ROLE])
        self.places.set_points(_terms("place", detail.places if detail else ()))
        self.subjects.set_points(_terms("subject", detail.subjects if detail else ()))
        self.places.suggestions.setStringList(_names(self._places))
        self.subjects.suggestions.setStringList(_names(self._subjects))
        for editor in (self.creators, self.agents, self.places, self.subjects):
            editor.setEnabled(editable)
        self._refold()

    def _reload(self, *, keep_typing: bool) -> None:
        if self._detail is None:
            return
        try:
            detail = self._catalogue.units.get(self._detail.id)
        except RecordNotFound as exc:
            self._detail = None
            self._display(None, keep_typing=False)
            self._show_error(str(exc))
            return
        self._display(detail, keep_typing=keep_typing)

    # -- checking and saving --------------------------------------------------------------

    def _problem(self, name: str, value: Any) -> str | None:
        """Why `value` cannot be saved in field `name`, or None."""
        try:
            cleaned = clean_unit_fields({name: value})
        except CatalogError as exc:
            return str(exc)
        if name == "reference_code":
            return self._code_taken(cleaned[name])
        return None

    def _code_taken(self, code: str) -> str | None:
        try:
            other = self._catalogue.units.find(code)
        except RecordNotFound:
            return None
        if other.id == self.unit_id or other.reference_code.casefold() != code.casefold():
            return None
        return f"'{other.reference_code}' is already the code of “{other.title}”; choose another."

    def _check(self, field: Field) -> bool:
        """Show under `field` what is wrong with its value (or what a date means)."""
        if self._detail is None:
            return True
        value = field.value()
        problem = None
        if value != stored_value(self._detail, field.name):
            problem = self._problem(field.name, value)
        if problem:
            field.show_message(problem, error=True)
        elif field.name == "date_expression":
            text, error = date_meaning(value)
            field.show_message(text, error=error)
        else:
            field.show_message("")
        return problem is None

    def save(self) -> bool:
        """Save the fields that changed, as one undoable step. False if some were refused
        (they keep their typing and say why)."""
        detail = self._detail
        if detail is None or self._catalogue.readonly:
            return True
        old: dict[str, Any] = {}
        new: dict[str, Any] = {}
        all_good = True
        for name, field in self.fields.items():
            value = field.value()
            if value == stored_value(detail, name):
                continue
            if not self._check(field):
                all_good = False
                continue
            old[name] = getattr(detail, name)
            new[name] = value
        if not new:
            return all_good
        if "title" in new:
            old["title_source"] = detail.title_source  # undo restores "harvested" too
        submit(
            self._undo_stack,
            EditFields(
                self._catalogue,
                detail.id,
                old,
                new,
                self._step_feedback(),
                expected_version=detail.version,
            ),
        )
        return all_good

    def can_leave(self) -> bool:
        """Save what was typed before another record is shown. If a field holds a value the
        record refused, say so in the status bar and ask: True to go on without it, False to
        go back to it (the caller then stays on this record)."""
        if self.save():
            return True
        refused = [field for field in self.fields.values() if field.refused]
        if not refused:
            return True
        field = refused[0]
        label, problem = self.labels[field.name], field.message.text()
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(NOT_SAVED.format(label=label, problem=problem))
        if ask_leave_refused(self, label, problem):
            self._display(self._detail, keep_typing=False)  # the stored values again
            return True
        self.scroll_area.ensureWidgetVisible(field.row)
        field.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self.save()
        elif event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            # A field keeps Ctrl+Z for its own typing; once there is none, the key goes on
            # to the window's undo of saved changes.
            field = next((f for f in self.fields.values() if f.editor is watched), None)
            for redo, key in ((False, QKeySequence.StandardKey.Undo), (True, _REDO)):
                if field and event.matches(key) and not field.has_local_undo(redo):
                    event.ignore()
                    return True
        return super().eventFilter(watched, event)

    # -- access points --------------------------------------------------------------------

    def _suggest_agents(self, editor: AccessPointEditor, text: str) -> None:
        if len(text.strip()) < 1:
            return
        try:
            found = self._catalogue.agents.find(text)
        except CatalogError:
            return
        names = {a.authorised_name for a in found} | {n.name for a in found for n in a.names}
        editor.suggestions.setStringList(sorted(names, key=str.casefold))

    def add_access_point(self, kind: str, name: str, role: str = "") -> None:
        """Link the agent, place or subject called `name`, offering to create it if new."""
        if self._detail is None:
            return
        try:
            point = self._find(kind, name, role)
        except CatalogError as exc:
            self._show_error(str(exc))
            return
        if point is None:
            self._add_new(kind, name, role)
            return
        editor = self._editor(kind, role)
        if any((p.id, p.role) == (point.id, point.role) for p in editor.points()):
            self._show_error(f"{point.label} is already listed.")
            return
        editor.entry.clear()
        submit(
            self._undo_stack,
            LinkAccessPoint(self._catalogue, self._detail.id, point, self._step_feedback()),
        )

    def remove_access_point(self, point: AccessPoint) -> None:
        if self._detail is not None:
            submit(
                self._undo_stack,
                UnlinkAccessPoint(self._catalogue, self._detail.id, point, self._step_feedback()),
            )

    def _editor(self, kind: str, role: str) -> AccessPointEditor:
        """The editor that lists a `kind` in `role`: creators have their own (3.2.1)."""
        if kind == "agent" and role == CREATOR_ROLE:
            return self.creators
        return {"agent": self.agents, "place": self.places, "subject": self.subjects}[kind]

    def _find(self, kind: str, name: str, role: str) -> AccessPoint | None:
        """The catalogue's agent, place or subject that `name` names (any of its names)."""
        key = name.casefold()
        if kind == "agent":
            for agent in self._catalogue.agents.find(name):
                if key in {n.casefold() for n in (agent.authorised_name, *_variants(agent))}:
                    return AccessPoint(kind, agent.id, agent.authorised_name, role)
            return None
        for term in self._places if kind == "place" else self._subjects:
            if key in {n.casefold() for n in (term.name, *term.variants)}:
                return AccessPoint(kind, term.id, term.name)
        return None

    def _add_new(self, kind: str, name: str, role: str) -> None:
        """Ask whether to add `name` to the catalogue; if so, make and link it, as one step
        on the writer (the form waits for nothing)."""
        assert self._detail is not None
        unit_id = self._detail.id  # the record typed in, whatever the dialog lets happen
        new = ask_new_term(self, kind, name)
        if new is None:
            return
        step = self._step_feedback()

        def done(unit_id: int) -> None:
            if command.made is not None and shiboken6.isValid(self):
                self._learn(kind, command.made)
            step.done(unit_id)

        command = LinkNewTerm(
            self._catalogue, unit_id, kind, new, role, Feedback(done=done, failed=step.failed)
        )
        self._editor(kind, role).entry.clear()
        submit(self._undo_stack, command)

    def _learn(self, kind: str, made: AgentRecord | TermRecord) -> None:
        """A place or subject just made is suggested and found from now on (agents are
        looked up in the catalogue as they are typed)."""
        if isinstance(made, AgentRecord):
            return
        terms = self._places if kind == "place" else self._subjects
        if any(t.id == made.id for t in terms):
            return
        if kind == "place":
            self._places = [*terms, made]
        else:
            self._subjects = [*terms, made]

    # -- after a command ------------------------------------------------------------------

    def _step_feedback(self) -> Feedback:
        """Where an undoable step reports back. After its first write, fields being typed in
        meanwhile keep their typing; after an undo or a redo of it, the form shows the record
        as stored (a value refused meanwhile goes, with its message)."""
        first = True

        def done(unit_id: int) -> None:
            nonlocal first
            keep_typing, first = first, False
            if shiboken6.isValid(self):  # not if the window closed while the write ran
                self._after_change(unit_id, keep_typing=keep_typing)

        def failed(message: str) -> None:
            if shiboken6.isValid(self):
                self._after_failure(message)

        return Feedback(done=done, failed=failed)

    def _after_change(self, unit_id: int, *, keep_typing: bool) -> None:
        self.error_label.hide()
        if unit_id == self.unit_id:
            self._reload(keep_typing=keep_typing)
        self.changed.emit(unit_id)

    def _after_failure(self, message: str) -> None:
        self._show_error(message)
        self._reload(keep_typing=True)

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()


def _variants(agent: AgentRecord) -> list[str]:
    return [n.name for n in agent.names]


def _terms(kind: str, terms: Sequence[TermRecord]) -> list[AccessPoint]:
    return [AccessPoint(kind, t.id, t.name) for t in terms]


def _names(terms: Sequence[TermRecord]) -> list[str]:
    return sorted({n for t in terms for n in (t.name, *t.variants)}, key=str.casefold)
