"""The Provenance tab: the record's chain of custody as a timeline, with a form to add,
edit and remove events (each an undoable command)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from catalog_app.domain.dates import DateError, describe_date
from catalog_app.domain.records import EventRecord, NewEvent, UnitDetail
from catalog_app.domain.vocabulary import EventOutcome, EventType
from catalog_app.errors import CatalogError
from catalog_app.services import Catalogue
from catalog_app.ui.detail.commands import EventCommand, RecordEvent, RemoveEvent, UpdateEvent
from catalog_app.ui.undo import Feedback, submit

MakeStep = Callable[[Feedback], EventCommand]
COLUMNS = ("Date", "Event", "Agent or holder", "Place", "Outcome", "Note")
EVENT_ID_ROLE = Qt.ItemDataRole.UserRole
ERROR_STYLE = "color: #b00020;"


def event_tooltip(event: EventRecord) -> str:
    lines = [f"{event.event_type} — {event.occurred_at or 'undated'}"]
    for label, value in (
        ("Agent or holder", event.agent),
        ("Place", event.place),
        ("Tool", event.tool),
        ("Source address", event.source_url),
        ("Outcome", event.outcome),
        ("Note", event.note),
        ("Recorded by", event.recorded_by),
    ):
        if value:
            lines.append(f"{label}: {value}")
    return "\n".join(lines)


class EventForm(QGroupBox):
    """The fields of one event. Enter saves, Escape cancels."""

    save_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.event_type = QComboBox()
        self.event_type.addItems([t.value for t in EventType])
        self.occurred_at = QLineEdit()
        self.occurred_at.setPlaceholderText("EDTF, e.g. 1988-07, 1988-07/1988-09, 1989?")
        self.date_words = QLabel()
        self.agent = QLineEdit()
        self.place = QLineEdit()
        self.outcome = QComboBox()
        self.outcome.addItems(["", *(o.value for o in EventOutcome)])
        self.source_url = QLineEdit()
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)  # Tab leaves the note, as in every other field
        self.note.setFixedHeight(70)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.save = QPushButton("&Save event")
        self.cancel = QPushButton("Cancel")

        form = QFormLayout(self)
        form.addRow("Event &type", self.event_type)
        form.addRow("&Date", self.occurred_at)
        form.addRow("", self.date_words)
        form.addRow("&Agent or holder", self.agent)
        form.addRow("P&lace", self.place)
        form.addRow("&Outcome", self.outcome)
        form.addRow("Source add&ress", self.source_url)
        form.addRow("&Note", self.note)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save)
        buttons.addWidget(self.cancel)
        form.addRow(self.error)
        form.addRow(buttons)

        self.occurred_at.textChanged.connect(self._explain_date)
        for line in (self.occurred_at, self.agent, self.place, self.source_url):
            line.returnPressed.connect(self.save_requested)
        self.save.clicked.connect(self.save_requested)
        self.cancel.clicked.connect(self.cancel_requested)
        save_note = QShortcut(QKeySequence("Ctrl+Return"), self)
        save_note.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_note.activated.connect(self.save_requested)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.cancel_requested)

    def load(self, event: EventRecord | None) -> None:
        """Fill the form with an event to edit, or empty it for a new one."""
        self.setTitle("Edit event" if event else "New event")
        self.event_type.setCurrentText(event.event_type if event else EventType.CUSTODY_CHANGE)
        self.occurred_at.setText(event.occurred_at or "" if event else "")
        self.agent.setText(event.agent or "" if event else "")
        self.place.setText(event.place or "" if event else "")
        self.outcome.setCurrentText(event.outcome or "" if event else "")
        self.source_url.setText(event.source_url or "" if event else "")
        self.note.setPlainText(event.note or "" if event else "")
        self.error.clear()
        self._explain_date(self.occurred_at.text())

    def values(self) -> dict[str, str | None]:
        texts = {
            "event_type": self.event_type.currentText(),
            "occurred_at": self.occurred_at.text(),
            "agent": self.agent.text(),
            "place": self.place.text(),
            "outcome": self.outcome.currentText(),
            "source_url": self.source_url.text(),
            "note": self.note.toPlainText(),
        }
        return {name: text.strip() or None for name, text in texts.items()}

    def _explain_date(self, text: str) -> None:
        try:
            self.date_words.setText(describe_date(text) if text.strip() else "undated")
        except DateError as error:
            self.date_words.setText(str(error))


class ProvenanceTab(QWidget):
    TITLE = "Provenance"
    changed = Signal(int)

    def __init__(
        self, catalogue: Catalogue, undo_stack: QUndoStack, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._cat = catalogue
        self._undo = undo_stack
        self._unit_id: int | None = None
        self._events: dict[int, EventRecord] = {}
        self._editing: EventRecord | None = None  # None while adding
        self._saving: EventCommand | None = None  # the form's step, until it is made

        self.timeline = QTreeWidget()
        self.timeline.setObjectName("timeline")
        self.timeline.setHeaderLabels(COLUMNS)
        self.timeline.setRootIsDecorated(False)
        self.timeline.setUniformRowHeights(True)
        self.timeline.setAllColumnsShowFocus(True)
        for column, width in enumerate((90, 90, 120, 90, 80)):
            self.timeline.setColumnWidth(column, width)
        # The whole of the chosen event, notes included, without hovering.
        self.details = QLabel()
        self.details.setObjectName("event_details")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setFrameShape(QFrame.Shape.StyledPanel)
        self.details.setMargin(6)
        self.add_button = QPushButton("&Add event…")
        self.edit_button = QPushButton("&Edit…")
        self.remove_button = QPushButton("&Remove")
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        self.form = EventForm()
        self.form.hide()

        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.timeline, 1)
        layout.addWidget(self.details)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.form)

        self._list_action("Add event", QKeySequence(Qt.Key.Key_Insert), self.start_adding)
        self._list_action("Edit event", QKeySequence(Qt.Key.Key_F2), self.start_editing)
        self._list_action("Remove event", QKeySequence.StandardKey.Delete, self.remove_current)
        self.timeline.itemActivated.connect(lambda *_: self.start_editing())
        self.timeline.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.timeline.currentItemChanged.connect(lambda *_: self._show_details())
        self.add_button.clicked.connect(self.start_adding)
        self.edit_button.clicked.connect(self.start_editing)
        self.remove_button.clicked.connect(self.remove_current)
        self.form.save_requested.connect(self.save_form)
        self.form.cancel_requested.connect(self.close_form)
        self.show_unit(None)

    def _list_action(
        self, text: str, keys: QKeySequence | QKeySequence.StandardKey, slot: Callable[[], None]
    ) -> None:
        action = QAction(text, self.timeline)
        action.setShortcut(keys)
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        self.timeline.addAction(action)

    # -- showing ------------------------------------------------------------------------------

    def _show_details(self) -> None:
        event = self.current_event()
        self.details.setText(event_tooltip(event) if event is not None else "")
        self.details.setVisible(event is not None)

    def show_unit(self, unit_id: int | None, events: Sequence[EventRecord] | None = None) -> None:
        """Show a record's events (`events`: read with it already, by the detail pane)."""
        self._unit_id = unit_id
        self._saving = None
        self.form.hide()
        self.message.clear()
        self._reload(events=events)

    def show_detail(self, detail: UnitDetail | None) -> None:
        """Show a record read already (the detail pane reads it once for every tab)."""
        self.show_unit(detail.id if detail else None, detail.events if detail else None)

    def _reload(
        self, select_event: int | None = None, events: Sequence[EventRecord] | None = None
    ) -> None:
        current = self.current_event()
        wanted = select_event if select_event is not None else current.id if current else None
        self.timeline.clear()
        self._events = {}
        if events is None and self._unit_id is not None:
            try:
                events = self._cat.provenance.chain(self._unit_id)
            except CatalogError as error:  # the record was deleted meanwhile
                self._unit_id = None
                self.message.setText(str(error))
        for event in events or ():  # the service gives them oldest first: newest last
            self._events[event.id] = event
            note = (event.note or "").split("\n", 1)[0]
            item = QTreeWidgetItem(
                [
                    event.occurred_at or "undated",
                    event.event_type,
                    event.agent or "",
                    event.place or "",
                    event.outcome or "",
                    note,
                ]
            )
            item.setData(0, EVENT_ID_ROLE, event.id)
            item.setToolTip(5, event_tooltip(event))
            item.setToolTip(0, event_tooltip(event))
            self.timeline.addTopLevelItem(item)
            if event.id == wanted:
                self.timeline.setCurrentItem(item)
        if self.timeline.currentItem() is None and events:  # the newest by default
            self.timeline.setCurrentItem(item)
        self.setEnabled(self._unit_id is not None)
        self._update_buttons()

    @property
    def writable(self) -> bool:
        """Whether events can be added or changed (not in a catalogue opened read-only)."""
        return self._unit_id is not None and not self._cat.readonly

    def _update_buttons(self) -> None:
        has_event = self.writable and self.current_event() is not None
        self.add_button.setEnabled(self.writable)
        self.edit_button.setEnabled(has_event)
        self.remove_button.setEnabled(has_event)

    def current_event(self) -> EventRecord | None:
        item = self.timeline.currentItem()
        return self._events.get(item.data(0, EVENT_ID_ROLE)) if item else None

    # -- changing -----------------------------------------------------------------------------

    def start_adding(self) -> None:
        if not self.writable:
            return
        self._editing = None
        self._open_form(None)

    def start_editing(self) -> None:
        event = self.current_event()
        if event is None or not self.writable:
            return
        self._editing = event
        self._open_form(event)

    def _open_form(self, event: EventRecord | None) -> None:
        self.message.clear()
        self.form.load(event)
        self.form.show()
        self.form.event_type.setFocus()

    def close_form(self) -> None:
        self.form.hide()
        self.timeline.setFocus()

    def save_form(self) -> None:
        """Save what the form says; it closes once the catalogue took it, or says why not."""
        if self._unit_id is None:
            return
        make = self._step_from_form(self._unit_id)
        if make is None:  # nothing was changed
            self.close_form()
            return
        self.form.error.clear()
        self._submit(make, from_form=True)

    def _step_from_form(self, unit_id: int) -> MakeStep | None:
        """How to make the step for what the form says (the service checks it)."""
        values = self.form.values()
        if self._editing is None:
            event = NewEvent(
                event_type=values["event_type"] or "",
                occurred_at=values["occurred_at"],
                agent=values["agent"],
                place=values["place"],
                outcome=values["outcome"],
                source_url=values["source_url"],
                note=values["note"],
            )
            return lambda feedback: RecordEvent(self._cat, unit_id, event, feedback)
        before = self._editing
        changes = {name: value for name, value in values.items() if value != getattr(before, name)}
        if not changes:
            return None
        return lambda feedback: UpdateEvent(self._cat, unit_id, before, changes, feedback)

    def remove_current(self) -> None:
        event = self.current_event()
        if event is None or self._unit_id is None or not self.writable:
            return
        unit_id = self._unit_id
        self._submit(lambda feedback: RemoveEvent(self._cat, unit_id, event, feedback))

    def _submit(self, make: MakeStep, *, from_form: bool = False) -> None:
        """Submit a step; it reports back when made (the first time, or by undo or redo from
        the Edit menu) or refused, in the form if it came from there."""

        def done(unit_id: int) -> None:
            if command is self._saving:
                self._saving = None
                self.close_form()
            self._after_change(unit_id, command.event_id)

        def failed(message: str) -> None:
            if command is self._saving and self.form.isVisible():
                self.form.error.setText(message)
            else:
                self.message.setText(message)

        command = make(Feedback(done, failed))
        self.message.clear()
        if from_form:
            self._saving = command
        submit(self._undo, command)

    def _after_change(self, unit_id: int, select_event: int | None = None) -> None:
        if unit_id == self._unit_id:
            self._reload(select_event)
        self.changed.emit(unit_id)
