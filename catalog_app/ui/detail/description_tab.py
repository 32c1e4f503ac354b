"""The Description tab: the ISAD(G) / Dublin Core fields of one record, as a fast form.

A field is saved when it loses focus or on Ctrl+S; only the fields that changed, as one
undoable EditFields command. Values are checked as they are typed (EDTF dates read back in
plain words, reference codes checked for uniqueness) and a bad value stays in its field with a
one-line explanation under it instead of being saved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from catalog_app.domain.dates import DateError, describe_date
from catalog_app.domain.records import AgentName, AgentRecord, TermRecord, UnitDetail
from catalog_app.domain.unit_rules import clean_unit_fields
from catalog_app.domain.vocabulary import (
    AccessStatus,
    AgentKind,
    AgentRole,
    DateKind,
    Level,
    MediaKind,
    NameKind,
)
from catalog_app.errors import CatalogError, RecordNotFound
from catalog_app.services import Catalogue
from catalog_app.ui.undo import (
    AccessPoint,
    EditFields,
    Feedback,
    LinkAccessPoint,
    UnlinkAccessPoint,
)

ERROR_STYLE = "color: #b00020;"
_REDO = QKeySequence.StandardKey.Redo
HINT_STYLE = "color: palette(mid);"

# -- one field of the form ---------------------------------------------------------------------


class Field:
    """An editor for one unit field, with the one-line message shown under it."""

    def __init__(self, name: str, editor: QWidget) -> None:
        self.name = name
        self.editor = editor
        editor.setObjectName(name)
        self.message = QLabel()
        self.message.setObjectName(f"{name}_message")
        self.message.setWordWrap(True)
        self.message.hide()
        self.row = QWidget()
        layout = QVBoxLayout(self.row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(editor)
        layout.addWidget(self.message)

    def value(self) -> Any:
        """The value as typed, in the form the record holds it (for comparing)."""
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def set_editable(self, editable: bool) -> None:
        self.editor.setEnabled(editable)

    def has_local_undo(self, redo: bool) -> bool:
        """Whether the editor has typing of its own to undo (then Ctrl+Z stays in it)."""
        return False

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else HINT_STYLE)
        self.message.setVisible(bool(text))


class LineField(Field):
    def __init__(self, name: str) -> None:
        self.line = QLineEdit()
        super().__init__(name, self.line)

    def value(self) -> Any:
        return self.line.text().strip() or None

    def set_value(self, value: Any) -> None:
        self.line.setText(value or "")

    def set_editable(self, editable: bool) -> None:
        self.line.setReadOnly(not editable)

    def has_local_undo(self, redo: bool) -> bool:
        return self.line.isRedoAvailable() if redo else self.line.isUndoAvailable()


class CodesField(LineField):
    """A list of language or script codes, typed as "fa, en"."""

    def value(self) -> Any:
        return tuple(self.line.text().replace(",", " ").split())

    def set_value(self, value: Any) -> None:
        self.line.setText(", ".join(value or ()))


def text_editor(max_height: int = 110) -> QTextEdit:
    """A multi-line plain-text editor in which each paragraph takes its own direction.

    QTextEdit rather than QPlainTextEdit: the latter lays out every paragraph left-aligned,
    so a Persian or Arabic paragraph would hang on the wrong side.
    """
    edit = QTextEdit()
    edit.setAcceptRichText(False)
    edit.setTabChangesFocus(True)  # Tab moves on, as in every other field
    edit.setMinimumHeight(60)
    edit.setMaximumHeight(max_height)
    return edit


class TextField(Field):
    def __init__(self, name: str) -> None:
        self.text = text_editor()
        super().__init__(name, self.text)

    def value(self) -> Any:
        return self.text.toPlainText().strip() or None

    def set_value(self, value: Any) -> None:
        self.text.setPlainText(value or "")

    def set_editable(self, editable: bool) -> None:
        self.text.setReadOnly(not editable)

    def has_local_undo(self, redo: bool) -> bool:
        document = self.text.document()
        return document.isRedoAvailable() if redo else document.isUndoAvailable()


class ChoiceField(Field):
    def __init__(self, name: str, choices: type[StrEnum], *, optional: bool) -> None:
        self.combo = QComboBox()
        if optional:
            self.combo.addItem("—", None)
        for choice in choices:
            self.combo.addItem(choice.value, choice.value)
        super().__init__(name, self.combo)

    def value(self) -> Any:
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(value)))


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    make: Callable[[str], Field]


def _line(name: str) -> Field:
    return LineField(name)


def _text(name: str) -> Field:
    return TextField(name)


def _codes(name: str) -> Field:
    return CodesField(name)


def _choice(choices: type[StrEnum], *, optional: bool = False) -> Callable[[str], Field]:
    return lambda name: ChoiceField(name, choices, optional=optional)


GROUPS: tuple[tuple[str, tuple[FieldSpec, ...]], ...] = (
    (
        "Identity",
        (
            FieldSpec("reference_code", "Reference code", _line),
            FieldSpec("title", "Title", _line),
            FieldSpec("level", "Level", _choice(Level)),
            FieldSpec("date_expression", "Date (EDTF)", _line),
            FieldSpec("date_kind", "Kind of date", _choice(DateKind, optional=True)),
            FieldSpec("extent", "Extent and medium", _line),
            FieldSpec("media_type", "Type", _choice(MediaKind, optional=True)),
        ),
    ),
    (
        "Content and context",
        (
            FieldSpec("scope_content", "Scope and content", _text),
            FieldSpec("arrangement", "Arrangement", _text),
            FieldSpec("archival_history", "Archival history", _text),
            FieldSpec("acquisition", "Immediate source", _text),
        ),
    ),
    (
        "Conditions of access and use",
        (
            FieldSpec("access_status", "Access", _choice(AccessStatus)),
            FieldSpec("access_note", "Conditions of access", _text),
            FieldSpec("reproduction_note", "Conditions of reproduction", _text),
            FieldSpec("languages", "Languages", _codes),
            FieldSpec("scripts", "Scripts", _codes),
        ),
    ),
    (
        "Notes",
        (
            FieldSpec("related_note", "Related material", _text),
            FieldSpec("publication_note", "Publications", _text),
            FieldSpec("general_note", "Note", _text),
        ),
    ),
    (
        "Description control",
        (
            FieldSpec("archivist_note", "Archivist's note", _text),
            FieldSpec("rules", "Rules or conventions", _line),
            FieldSpec("description_date", "Date of description", _line),
        ),
    ),
)
PLACEHOLDERS = {
    "date_expression": "e.g. 1988, 1988-07/1988-09, 1989-01?",
    "languages": "e.g. fa, en",
    "scripts": "e.g. Arab, Latn",
}


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


# -- creating authority entries ----------------------------------------------------------------


@dataclass(frozen=True)
class NewTerm:
    """What a person gave for a new agent, place or subject."""

    name: str
    kind: str = ""
    variants: tuple[str, ...] = ()


class NewTermDialog(QDialog):
    """A small form for a new agent (type and variant names), place (variants) or subject."""

    def __init__(self, what: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"New {what}")
        self.name = QLineEdit(name)
        self.kind = QComboBox()
        for kind in AgentKind:
            self.kind.addItem(kind.value)
        self.variants = text_editor()
        self.variants.setPlaceholderText("one per line, in any script")
        form = QFormLayout(self)
        form.addRow(QLabel(f"'{name}' is not in this catalogue yet. Add it?"))
        form.addRow("Name", self.name)
        if what == "agent":
            form.addRow("Type", self.kind)
        if what in ("agent", "place"):
            form.addRow("Other names", self.variants)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def term(self) -> NewTerm:
        variants = (line.strip() for line in self.variants.toPlainText().splitlines())
        return NewTerm(
            self.name.text().strip(), self.kind.currentText(), tuple(v for v in variants if v)
        )


def ask_new_term(parent: QWidget, what: str, name: str) -> NewTerm | None:
    """Ask whether to add `name` as a new `what`; None if the person declines."""
    dialog = NewTermDialog(what, name, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    term = dialog.term()
    return term if term.name else None


# -- the linked agents, places or subjects -----------------------------------------------------


class AccessPointEditor(QWidget):
    """The agents, places or subjects linked to the record, with a line to add one."""

    add_requested = Signal(str, str)  # name as typed, role ("" for places and subjects)
    remove_requested = Signal(object)  # the AccessPoint

    def __init__(self, kind: str, roles: Sequence[str] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        self.list = QListWidget()
        self.list.setObjectName(f"{kind}_list")
        self.list.setMaximumHeight(90)
        self.list.installEventFilter(self)
        self.entry = QLineEdit()
        self.entry.setObjectName(f"{kind}_entry")
        self.entry.setPlaceholderText("Type a name, press Enter")
        self.suggestions = QStringListModel(self)
        completer = QCompleter(self.suggestions, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.entry.setCompleter(completer)
        self.role = QComboBox()
        self.role.setObjectName(f"{kind}_role")
        self.role.addItems(list(roles))
        self.role.setVisible(bool(roles))
        self.add_button = QPushButton("Add")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName(f"{kind}_remove")
        self.entry.returnPressed.connect(self._add)
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)

        row = QHBoxLayout()
        row.addWidget(self.entry, 1)
        row.addWidget(self.role)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(row)

    def set_points(self, points: Sequence[AccessPoint]) -> None:
        self.list.clear()
        for point in points:
            item = QListWidgetItem(point.label)
            item.setData(Qt.ItemDataRole.UserRole, point)
            self.list.addItem(item)

    def points(self) -> list[AccessPoint]:
        items = (self.list.item(row) for row in range(self.list.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items]

    def _add(self) -> None:
        name = " ".join(self.entry.text().split())
        if name:
            self.add_requested.emit(name, self.role.currentText())

    def _remove(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.remove_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Delete in the list removes the link; claim the key before a window-wide shortcut.
        if watched is self.list and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Delete and event.type() == QEvent.Type.ShortcutOverride:
                event.accept()
                return True
            if event.key() == Qt.Key.Key_Delete and event.type() == QEvent.Type.KeyPress:
                self._remove()
                return True
        return super().eventFilter(watched, event)


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
        self._feedback = Feedback(done=self._after_change, failed=self._after_failure)

        self.fields: dict[str, Field] = {}
        self.error_label = QLabel()
        self.error_label.setObjectName("error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        self.empty_label = QLabel("No record selected.")

        form = QWidget()
        self._form = form
        form_layout = QVBoxLayout(form)
        for index, (title, specs) in enumerate(GROUPS):
            form_layout.addWidget(self._group(title, specs))
            if index == 1:
                form_layout.addWidget(self._access_points())
        form_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.error_label)
        layout.addWidget(self.empty_label)
        layout.addWidget(scroll, 1)

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

    def _group(self, title: str, specs: Sequence[FieldSpec]) -> QGroupBox:
        box = QGroupBox(title)
        layout = QFormLayout(box)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for spec in specs:
            field = spec.make(spec.name)
            if isinstance(field, LineField) and spec.name in PLACEHOLDERS:
                field.line.setPlaceholderText(PLACEHOLDERS[spec.name])
            field.editor.installEventFilter(self)
            self.fields[spec.name] = field
            layout.addRow(spec.label, field.row)
        return box

    def _access_points(self) -> QGroupBox:
        box = QGroupBox("Access points")
        layout = QFormLayout(box)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.agents = AccessPointEditor("agent", [role.value for role in AgentRole])
        self.places = AccessPointEditor("place")
        self.subjects = AccessPointEditor("subject")
        for label, editor in (
            ("Names", self.agents),
            ("Places", self.places),
            ("Subjects", self.subjects),
        ):
            editor.add_requested.connect(
                lambda name, role, kind=editor.kind: self.add_access_point(kind, name, role)
            )
            editor.remove_requested.connect(self.remove_access_point)
            layout.addRow(label, editor)
        self.agents.entry.textEdited.connect(self._suggest_agents)
        return box

    # -- showing a record -----------------------------------------------------------------

    @property
    def unit_id(self) -> int | None:
        return self._detail.id if self._detail else None

    def show_unit(self, unit_id: int | None) -> None:
        """Show another record, first saving what was typed into this one."""
        if self._detail is not None and unit_id != self._detail.id:
            self.save()
        self.error_label.hide()
        detail = None
        if unit_id is not None:
            try:
                detail = self._catalogue.units.get(unit_id)
                self._places = self._catalogue.terms.places()
                self._subjects = self._catalogue.terms.subjects()
            except CatalogError as exc:
                self._show_error(str(exc))
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
        self.agents.set_points(agents)
        self.places.set_points(_terms("place", detail.places if detail else ()))
        self.subjects.set_points(_terms("subject", detail.subjects if detail else ()))
        self.places.suggestions.setStringList(_names(self._places))
        self.subjects.suggestions.setStringList(_names(self._subjects))
        for editor in (self.agents, self.places, self.subjects):
            editor.setEnabled(editable)

    def _reload(self) -> None:
        if self._detail is None:
            return
        try:
            detail = self._catalogue.units.get(self._detail.id)
        except RecordNotFound as exc:
            self._detail = None
            self._display(None, keep_typing=False)
            self._show_error(str(exc))
            return
        self._display(detail, keep_typing=True)

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
        self._undo_stack.push(
            EditFields(
                self._catalogue,
                detail.id,
                old,
                new,
                self._feedback,
                expected_version=detail.version,
            )
        )
        return all_good

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

    def _suggest_agents(self, text: str) -> None:
        if len(text.strip()) < 1:
            return
        try:
            found = self._catalogue.agents.find(text)
        except CatalogError:
            return
        names = {a.authorised_name for a in found} | {n.name for a in found for n in a.names}
        self.agents.suggestions.setStringList(sorted(names, key=str.casefold))

    def add_access_point(self, kind: str, name: str, role: str = "") -> None:
        """Link the agent, place or subject called `name`, offering to create it if new."""
        if self._detail is None:
            return
        try:
            point = self._find_or_create(kind, name, role)
        except CatalogError as exc:
            self._show_error(str(exc))
            return
        if point is None:
            return
        editor = self._editor(kind)
        if any((p.id, p.role) == (point.id, point.role) for p in editor.points()):
            self._show_error(f"{point.label} is already listed.")
            return
        editor.entry.clear()
        self._undo_stack.push(
            LinkAccessPoint(self._catalogue, self._detail.id, point, self._feedback)
        )

    def remove_access_point(self, point: AccessPoint) -> None:
        if self._detail is not None:
            self._undo_stack.push(
                UnlinkAccessPoint(self._catalogue, self._detail.id, point, self._feedback)
            )

    def _editor(self, kind: str) -> AccessPointEditor:
        return {"agent": self.agents, "place": self.places, "subject": self.subjects}[kind]

    def _find_or_create(self, kind: str, name: str, role: str) -> AccessPoint | None:
        key = name.casefold()
        if kind == "agent":
            for agent in self._catalogue.agents.find(name):
                if key in {n.casefold() for n in (agent.authorised_name, *_variants(agent))}:
                    return AccessPoint(kind, agent.id, agent.authorised_name, role)
        else:
            terms = self._places if kind == "place" else self._subjects
            for term in terms:
                if key in {n.casefold() for n in (term.name, *term.variants)}:
                    return AccessPoint(kind, term.id, term.name)
        new = ask_new_term(self, kind, name)
        if new is None:
            return None
        if kind == "agent":
            names = [AgentName(v, NameKind.VARIANT.value, None) for v in new.variants]
            agent = self._catalogue.agents.create(new.name, kind=new.kind, names=names)
            return AccessPoint(kind, agent.id, agent.authorised_name, role)
        if kind == "place":
            term = self._catalogue.terms.place(new.name, variants=new.variants)
            self._places = self._catalogue.terms.places()
        else:
            term = self._catalogue.terms.subject(new.name)
            self._subjects = self._catalogue.terms.subjects()
        return AccessPoint(kind, term.id, term.name)

    # -- after a command ------------------------------------------------------------------

    def _after_change(self, unit_id: int) -> None:
        self.error_label.hide()
        if unit_id == self.unit_id:
            self._reload()
        self.changed.emit(unit_id)

    def _after_failure(self, message: str) -> None:
        self._show_error(message)
        self._reload()

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()


def _variants(agent: AgentRecord) -> list[str]:
    return [n.name for n in agent.names]


def _terms(kind: str, terms: Sequence[TermRecord]) -> list[AccessPoint]:
    return [AccessPoint(kind, t.id, t.name) for t in terms]


def _names(terms: Sequence[TermRecord]) -> list[str]:
    return sorted({n for t in terms for n in (t.name, *t.variants)}, key=str.casefold)
