"""The Reliability tab: grade the source (A-F) and the information (1-6), with the meaning of
every grade in view, and read back the earlier assessments of the record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from catalog_app.domain.records import AssessmentRecord, NewAssessment, UnitDetail
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.errors import CatalogError
from catalog_app.services import Catalogue
from catalog_app.ui.detail.description_tab import text_editor
from catalog_app.ui.undo import AssessCommand, Feedback, same_assessment, submit

ERROR_STYLE = "color: #b00020;"
NOTES = (
    ("affiliation_note", "Affiliation and bias", "Who stands behind the source, its stance"),
    ("corroboration_note", "Corroboration", "What independent sources say"),
    ("method_note", "Method", "How the grade was reached"),
)


class GradeChooser(QWidget):
    """A combo box of grades with the meaning of the chosen one written out under it."""

    def __init__(self, grades: list[tuple[str, str, str]], name: str) -> None:
        """`grades`: (value, label, meaning) for each grade, best first."""
        super().__init__()
        self.combo = QComboBox()
        self.combo.setObjectName(name)
        self.combo.setPlaceholderText("Choose a grade")
        for value, label, meaning in grades:
            self.combo.addItem(f"{value} — {label}", value)
            self.combo.setItemData(self.combo.count() - 1, meaning, Qt.ItemDataRole.ToolTipRole)
        self.meaning = QLabel()
        self.meaning.setObjectName(f"{name}_meaning")
        self.meaning.setWordWrap(True)
        self.combo.currentIndexChanged.connect(self._show_meaning)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(self.combo)
        layout.addWidget(self.meaning)

    def value(self) -> str | None:
        data = self.combo.currentData()
        return str(data) if data is not None else None

    def set_value(self, value: str | None) -> None:
        self.combo.setCurrentIndex(self.combo.findData(value) if value is not None else -1)
        self._show_meaning()

    def _show_meaning(self, _index: int = 0) -> None:
        tip = self.combo.currentData(Qt.ItemDataRole.ToolTipRole)
        self.meaning.setText(str(tip) if tip else "")


def describe_assessment(record: AssessmentRecord) -> str:
    """Several lines for the history list: grade, meanings, who and when, the reasons."""
    when = f" on {record.assessed_at.astimezone().date().isoformat()}" if record.assessed_at else ""
    lines = [
        f"{record.grade} · {record.source_reliability.label} / "
        f"{record.information_credibility.label}",
        f"by {record.assessor or 'unknown'}{when}",
    ]
    for name, label, _ in NOTES:
        note = getattr(record, name)
        if note:
            lines.append(f"{label}: {note}")
    return "\n".join(lines)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _assessed_at(day: date) -> datetime | None:
    """None (now, as the service records it) for today; midday local time for another day."""
    if day == date.today():
        return None
    return datetime.combine(day, time(12)).astimezone()


class ReliabilityTab(QWidget):
    TITLE = "Reliability"
    changed = Signal(int)

    def __init__(
        self,
        catalogue: Catalogue,
        undo_stack: QUndoStack,
        parent: QWidget | None = None,
        *,
        assessor: str = "",
    ) -> None:
        super().__init__(parent)
        self._catalogue = catalogue
        self._undo_stack = undo_stack
        self._assessor = assessor or catalogue.actor
        self._unit_id: int | None = None
        self._history: list[AssessmentRecord] = []
        self._recording = False  # an assessment is on its way to the catalogue
        self._feedback = Feedback(done=self._after_change, failed=self._refused)

        self.source = GradeChooser(
            [(g.value, g.label, g.meaning) for g in SourceReliability], "source_reliability"
        )
        self.credibility = GradeChooser(
            [(str(int(g)), g.label, g.meaning) for g in InformationCredibility],
            "information_credibility",
        )
        self.notes: dict[str, QTextEdit] = {}
        self.assessor = QLineEdit()
        self.assessor.setObjectName("assessor")
        self.assessed_on = QDateEdit()
        self.assessed_on.setObjectName("assessed_on")
        self.assessed_on.setCalendarPopup(True)
        self.assessed_on.setDisplayFormat("yyyy-MM-dd")
        self.record_button = QPushButton("Record assessment")
        self.record_button.setObjectName("record_assessment")
        self.record_button.clicked.connect(self.record)
        self.error_label = QLabel()
        self.error_label.setObjectName("error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        self.current = QLabel()
        self.current.setObjectName("current_assessment")
        self.current.setWordWrap(True)
        self.current.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.history = QListWidget()
        self.history.setObjectName("history")
        self.history.setWordWrap(True)
        self.history.setAlternatingRowColors(True)
        self.history.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.empty_label = QLabel("No record selected.")

        form_box = QGroupBox("New assessment")
        form = QFormLayout(form_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Source reliability", self.source)
        form.addRow("Information credibility", self.credibility)
        for name, label, hint in NOTES:
            edit = text_editor(max_height=80)
            edit.setObjectName(name)
            edit.setPlaceholderText(hint)
            self.notes[name] = edit
            form.addRow(label, edit)
        form.addRow("Assessor", self.assessor)
        form.addRow("Date", self.assessed_on)
        form.addRow(self.record_button)
        for chooser in (self.source, self.credibility):
            chooser.combo.currentIndexChanged.connect(self._update_button)
        for note in self.notes.values():
            note.textChanged.connect(self._update_button)
        self.assessor.textChanged.connect(self._update_button)

        current_box = QGroupBox("Current assessment")
        QVBoxLayout(current_box).addWidget(self.current)
        history_box = QGroupBox("Earlier assessments (newest first)")
        QVBoxLayout(history_box).addWidget(self.history)

        content = QWidget()
        self._content = content
        content_layout = QVBoxLayout(content)
        content_layout.addWidget(current_box)
        content_layout.addWidget(form_box)
        content_layout.addWidget(history_box, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.error_label)
        layout.addWidget(self.empty_label)
        layout.addWidget(scroll, 1)
        self.show_unit(None)

    def set_assessor(self, name: str) -> None:
        """The default assessor (the user's name from the preferences)."""
        self._assessor = name or self._catalogue.actor
        self.assessor.setText(self._assessor)

    def show_unit(
        self, unit_id: int | None, history: Sequence[AssessmentRecord] | None = None
    ) -> None:
        """Show a record's assessments (`history`: read with it already, newest first)."""
        self.error_label.hide()
        self._recording = False
        self._unit_id = unit_id
        self._history = list(history or ())
        if history is None and unit_id is not None:
            try:
                self._history = self._catalogue.reliability.history(unit_id)
            except CatalogError as exc:
                self._unit_id = None
                self._show_error(str(exc))
        self._fill()

    def show_detail(self, detail: UnitDetail | None) -> None:
        """Show a record read already (the detail pane reads it once for every tab)."""
        self.show_unit(detail.id if detail else None, detail.assessments if detail else None)

    def _fill(self) -> None:
        """The form starts from the current assessment, so a revision changes only what moved."""
        shown = self._unit_id is not None
        self.empty_label.setVisible(not shown)
        self._content.setEnabled(shown and not self._catalogue.readonly)
        current = self._history[0] if self._history else None
        self.source.set_value(current.source_reliability.value if current else None)
        self.credibility.set_value(str(int(current.information_credibility)) if current else None)
        for name, edit in self.notes.items():
            edit.setPlainText((getattr(current, name) if current else None) or "")
        self.assessor.setText(self._assessor)
        today = QDate.currentDate()
        self.assessed_on.setMaximumDate(today)
        self.assessed_on.setDate(today)
        self.current.setText(describe_assessment(current) if current else "Not assessed yet.")
        self.history.clear()  # the current one is above, not repeated here
        self.history.addItems([describe_assessment(a) for a in self._history[1:]])
        self._update_button()

    def _update_button(self, *_: object) -> None:
        """Recording is offered once the form says something the current one does not."""
        assessment = self._assessment()
        self.record_button.setEnabled(
            self._unit_id is not None
            and not self._recording
            and assessment is not None
            and not same_assessment(assessment, self._history[0] if self._history else None)
        )

    def _assessment(self) -> NewAssessment | None:
        """What the form says, once both grades are chosen."""
        source, credibility = self.source.value(), self.credibility.value()
        if source is None or credibility is None:
            return None
        notes = {name: edit.toPlainText().strip() or None for name, edit in self.notes.items()}
        return NewAssessment(
            SourceReliability(source),
            InformationCredibility(int(credibility)),
            assessor=self.assessor.text().strip() or None,
            assessed_at=_assessed_at(_day(self.assessed_on.date())),
            **notes,
        )

    def record(self) -> None:
        """Record the assessment in the form as an undoable step (not again if it only
        repeats the current one)."""
        self._update_button()
        assessment = self._assessment()
        if self._unit_id is None or assessment is None or not self.record_button.isEnabled():
            return
        self._recording = True
        self._update_button()
        submit(
            self._undo_stack,
            AssessCommand(self._catalogue, self._unit_id, assessment, self._feedback),
        )

    def _after_change(self, unit_id: int) -> None:
        if unit_id == self._unit_id:
            self.show_unit(unit_id)
        self.changed.emit(unit_id)

    def _refused(self, message: str) -> None:
        self._recording = False
        self._update_button()
        self._show_error(message)

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
