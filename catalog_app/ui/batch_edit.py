"""Batch edit: set collection, access status, languages or subjects on many records at once.

`BatchEditDialog` asks what to change; `BatchEditCommand` makes the change as one undoable
step on the operations lane (see `catalog_app.ui.undo`): 10,000 records are written in the
background, with their progress in the status bar.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from catalog_app.domain.records import UnitSummary
from catalog_app.domain.unit_rules import clean_unit_fields
from catalog_app.domain.vocabulary import AccessStatus
from catalog_app.errors import CatalogError
from catalog_app.services import Catalogue
from catalog_app.services.batch import BatchChange, BatchService, BatchSnapshot
from catalog_app.ui.changes import Changes, counted
from catalog_app.ui.operations import Report
from catalog_app.ui.undo import StackCommand

ERROR_STYLE = "color: #b00020;"
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# Records per transaction of a batch edit: its progress moves in these steps. Each commit
# waits for the disk (10-30 ms); 2,500 records hold the catalogue's write lock for about a
# fifth of a second, short enough for the command line working beside the window.
CHUNK = 2_500


def records_text(verb: str, count: int) -> str:
    return f"{verb} {counted(count)}"


def _collection_label(unit: UnitSummary) -> str:
    return f"{unit.reference_code} — {unit.title}"


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


def _section(title: str, name: str, *widgets: QWidget) -> QGroupBox:
    """A part of the change the user switches on by ticking its title."""
    box = QGroupBox(title)
    box.setObjectName(name)
    box.setCheckable(True)
    box.setChecked(False)
    layout = QVBoxLayout(box)
    for widget in widgets:
        layout.addWidget(widget)
    return box


def _show(label: QLabel, message: str | None) -> bool:
    """Show `message` under a field (or hide the label); True when there is no problem."""
    label.setText(message or "")
    label.setVisible(bool(message))
    return not message


class BatchEditDialog(QDialog):
    """What to set on all the selected records. After `exec()` returns Accepted, `change()`
    says what to do, and `new_subjects()` the subjects typed that the catalogue does not know
    yet (the batch edit's first write creates them)."""

    def __init__(
        self, catalogue: Catalogue, unit_ids: Sequence[int], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._cat = catalogue
        self.unit_ids = list(dict.fromkeys(unit_ids))
        self._change = BatchChange()
        self._new_subjects: tuple[str, ...] = ()
        self.setWindowTitle(records_text("Edit", len(self.unit_ids)))

        self.collection = QComboBox()
        self.collection.setObjectName("collection")
        self.collection.setEditable(True)
        self.collection.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        selected = set(self.unit_ids)
        self._collections = [
            u for u in BatchService(catalogue).collections() if u.id not in selected
        ]
        for unit in self._collections:
            self.collection.addItem(_collection_label(unit), unit.id)
        self.collection.setCurrentIndex(-1)
        typed = QLineEdit()
        typed.setPlaceholderText("Type a reference code or title")
        self.collection.setLineEdit(typed)
        completer = QCompleter(self.collection.model(), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.collection.setCompleter(completer)
        self.collection_error = _error_label("collection_error")

        self.access = QComboBox()
        self.access.setObjectName("access")
        self.access.addItems([status.value for status in AccessStatus])

        self.languages = QLineEdit()
        self.languages.setObjectName("languages")
        self.languages.setPlaceholderText("Codes separated by commas, e.g. en, fa (empty: none)")
        self.languages_error = _error_label("languages_error")
        self.languages.textChanged.connect(self._check_languages)

        self._known_subjects = {t.name.casefold(): t.id for t in catalogue.terms.subjects()}
        self.subject_entry = QLineEdit()
        self.subject_entry.setObjectName("subject_entry")
        self.subject_entry.setPlaceholderText("Type a subject, press Enter")
        subject_completer = QCompleter(
            QStringListModel([t.name for t in catalogue.terms.subjects()], self), self
        )
        subject_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        subject_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.subject_entry.setCompleter(subject_completer)
        self.subject_entry.installEventFilter(self)
        add_subject = QPushButton("Add")
        add_subject.setAutoDefault(False)
        add_subject.clicked.connect(self._add_subject)
        self.subject_list = QListWidget()
        self.subject_list.setObjectName("subject_list")
        self.subject_list.setMaximumHeight(90)
        self.subjects_error = _error_label("subjects_error")
        subject_row = QWidget()
        row = QHBoxLayout(subject_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.subject_entry, 1)
        row.addWidget(add_subject)

        self.move_box = _section(
            "Move to collection", "move_box", self.collection, self.collection_error
        )
        self.access_box = _section("Access status", "access_box", self.access)
        self.languages_box = _section(
            "Languages (replace)", "languages_box", self.languages, self.languages_error
        )
        self.subjects_box = _section(
            "Add subjects",
            "subjects_box",
            subject_row,
            self.subject_list,
            self.subjects_error,
        )
        self._boxes = (self.move_box, self.access_box, self.languages_box, self.subjects_box)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        for box in self._boxes:
            box.toggled.connect(self._update_ok)
        self._update_ok()

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Tick what to set on all {len(self.unit_ids)} selected records."))
        for box in self._boxes:
            layout.addWidget(box)
        layout.addWidget(buttons)

    # -- what the dialog decided ----------------------------------------------------------------

    def change(self) -> BatchChange:
        return self._change

    def new_subjects(self) -> tuple[str, ...]:
        return self._new_subjects

    def accept(self) -> None:
        checks = (
            self._checked_collection(),
            not self.languages_box.isChecked() or self._check_languages(),
            self._checked_subjects(),
        )
        if not all(checks):
            return
        subject_ids, self._new_subjects = self._subjects()
        languages = self.languages.text() if self.languages_box.isChecked() else None
        self._change = BatchChange(
            parent_id=self._collection_id() if self.move_box.isChecked() else None,
            access_status=self.access.currentText() if self.access_box.isChecked() else None,
            languages=tuple(clean_unit_fields({"languages": languages})["languages"])
            if languages is not None
            else None,
            subject_ids=subject_ids,
        )
        super().accept()

    # -- sections --------------------------------------------------------------------------------

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(any(box.isChecked() for box in self._boxes))

    def _collection_id(self) -> int | None:
        """The collection the typed text names: the chosen entry, an exact reference code or
        label, or the only one whose label contains the text."""
        typed = self.collection.currentText().strip().casefold()
        if not typed:
            return None
        exact = [
            u.id
            for u in self._collections
            if typed in (u.reference_code.casefold(), _collection_label(u).casefold())
        ]
        if exact:
            return exact[0]
        partial = [u.id for u in self._collections if typed in _collection_label(u).casefold()]
        return partial[0] if len(partial) == 1 else None

    def _checked_collection(self) -> bool:
        if not self.move_box.isChecked():
            return _show(self.collection_error, None)
        if self._collection_id() is None:
            return _show(
                self.collection_error,
                "Choose one collection from the list (type part of its reference code or title).",
            )
        return _show(self.collection_error, None)

    def _check_languages(self) -> bool:
        try:
            clean_unit_fields({"languages": self.languages.text()})
        except CatalogError as error:
            return _show(self.languages_error, str(error))
        return _show(self.languages_error, None)

    def _add_subject(self) -> None:
        name = " ".join(self.subject_entry.text().split())
        if not name:
            return
        taken = {self.subject_list.item(i).text().casefold() for i in self._subject_rows()}
        if name.casefold() not in taken:
            self.subject_list.addItem(name)
        self.subject_entry.clear()
        _show(self.subjects_error, None)

    def _subject_rows(self) -> range:
        return range(self.subject_list.count())

    def _checked_subjects(self) -> bool:
        if not self.subjects_box.isChecked():
            return True
        self._add_subject()  # what is typed but not yet added counts too
        if not self.subject_list.count():
            return _show(self.subjects_error, "Type at least one subject to add.")
        return _show(self.subjects_error, None)

    def _subjects(self) -> tuple[tuple[int, ...], tuple[str, ...]]:
        """Ids of the listed subjects the catalogue knows, and the names of those it does not."""
        if not self.subjects_box.isChecked():
            return (), ()
        ids: list[int] = []
        new: list[str] = []
        for row in self._subject_rows():
            name = self.subject_list.item(row).text()
            known = self._known_subjects.get(name.casefold())
            if known is None:
                new.append(name)
            else:
                ids.append(known)
        return tuple(ids), tuple(new)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter in the subject line adds the subject rather than pressing OK.
        if (
            watched is self.subject_entry
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER_KEYS
        ):
            self._add_subject()
            return True
        return super().eventFilter(watched, event)


class BatchEditCommand(StackCommand):
    """A batch change as one undoable step, written on the operations lane's writer thread
    in transactions of CHUNK records, so that the window shows its progress and stays
    responsive. If one part is refused, the parts already written are put back; undo puts
    everything back, a later redo applies it again. Subjects the dialog did not know are
    created by the first write."""

    def __init__(
        self,
        catalogue: Catalogue,
        unit_ids: Sequence[int],
        change: BatchChange,
        done: Callable[[Changes], None],
        *,
        new_subjects: Sequence[str] = (),
    ) -> None:
        self.unit_ids = list(dict.fromkeys(unit_ids))
        only_moved = (
            change.parent_id is not None
            and change == BatchChange(parent_id=change.parent_id)
            and not new_subjects
        )
        super().__init__(records_text("Move" if only_moved else "Edit", len(self.unit_ids)))
        self.label = f"{'Moving' if only_moved else 'Editing'} {counted(len(self.unit_ids))}"
        self.change = change
        self._catalogue = catalogue
        self._service = BatchService(catalogue)
        self._new_subjects = list(new_subjects)
        self._snapshots: list[BatchSnapshot] = []
        self._done = done

    def apply(self, report: Report) -> Changes:
        if self._new_subjects:  # only the first time: then they are known
            made = [self._catalogue.terms.subject(name).id for name in self._new_subjects]
            subjects = tuple(dict.fromkeys((*self.change.subject_ids, *made)))
            self.change = dataclasses.replace(self.change, subject_ids=subjects)
            self._new_subjects = []
        total = len(self.unit_ids)
        written: list[BatchSnapshot] = []
        try:
            for start in range(0, total, CHUNK):
                report(start, total)
                part = self.unit_ids[start : start + CHUNK]
                written.append(self._service.apply(part, self.change))
        except CatalogError:
            self._put_back(written)
            raise
        report(total, total)
        self._snapshots = written
        moved = self.change.parent_id is not None
        said = f"{counted(total)} {'moved' if moved else 'edited'}"
        return Changes.of(said, changed=self.unit_ids, structure=moved)

    def revert(self, report: Report) -> Changes:
        self._put_back(self._snapshots, report)
        self._snapshots = []
        moved = self.change.parent_id is not None
        return Changes.of("", changed=self.unit_ids, structure=moved)

    def _put_back(self, snapshots: list[BatchSnapshot], report: Report | None = None) -> None:
        for number, snapshot in enumerate(reversed(snapshots)):
            if report is not None:
                report(number * CHUNK, len(self.unit_ids))
            self._service.revert(snapshot)

    def settled(self, changes: Changes) -> None:
        self._done(changes)
