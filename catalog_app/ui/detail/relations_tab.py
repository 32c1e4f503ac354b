"""The Relations tab: links between this record and others, each one a way to the other."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from catalog_app.domain.records import RelationRecord, UnitDetail
from catalog_app.domain.vocabulary import RelationKind
from catalog_app.errors import CatalogError
from catalog_app.services import Catalogue
from catalog_app.ui.detail.commands import AddRelation, Link, RemoveRelation
from catalog_app.ui.undo import Feedback, submit

COLUMNS = ("Relation", "Reference code", "Title")
RELATION_ID_ROLE = Qt.ItemDataRole.UserRole
ERROR_STYLE = "color: #b00020;"
# How a relation another record holds to this one reads from this record's side.
INVERSE: dict[str, str] = {
    RelationKind.DUPLICATE_OF: "duplicated by",
    RelationKind.REPUBLISHES: "republished by",
    RelationKind.DERIVED_FROM: "source of",
    RelationKind.CITES: "cited by",
    RelationKind.CORROBORATES: "corroborated by",
    RelationKind.CONTRADICTS: "contradicted by",
    RelationKind.PART_OF: "has part",
}


def relation_words(relation: RelationRecord) -> str:
    if relation.direction == "incoming":
        return INVERSE.get(relation.kind, f"{relation.kind} (from the other record)")
    return relation.kind


class RelationsTab(QWidget):
    TITLE = "Relations"
    changed = Signal(int)
    open_unit = Signal(int)

    def __init__(
        self, catalogue: Catalogue, undo_stack: QUndoStack, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._cat = catalogue
        self._undo = undo_stack
        self._unit_id: int | None = None
        self._relations: dict[int, RelationRecord] = {}
        self._feedback = Feedback(done=self._after_change, failed=self._refused)

        self.links = QTreeWidget()
        self.links.setObjectName("relations")
        self.links.setHeaderLabels(COLUMNS)
        self.links.setRootIsDecorated(False)
        self.links.setUniformRowHeights(True)
        self.links.setAllColumnsShowFocus(True)
        self.links.setToolTip("Double-click or press Enter to open the other record")
        self.kind = QComboBox()
        self.kind.addItems([k.value for k in RelationKind])
        self.other_code = QLineEdit()
        self.other_code.setPlaceholderText("reference code of the other record")
        self.link_button = QPushButton("&Link")
        self.remove_button = QPushButton("&Remove link")
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)

        adding = QHBoxLayout()
        this_record = QLabel("This record is")
        this_record.setBuddy(self.kind)
        adding.addWidget(this_record)
        adding.addWidget(self.kind)
        adding.addWidget(self.other_code, 1)
        adding.addWidget(self.link_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.links, 1)
        remove_row = QHBoxLayout()
        remove_row.addWidget(self.remove_button)
        remove_row.addStretch(1)
        layout.addLayout(remove_row)
        layout.addLayout(adding)
        layout.addWidget(self.error)

        remove = QAction("Remove link", self.links)
        remove.setShortcut(QKeySequence.StandardKey.Delete)
        remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove.triggered.connect(self.remove_current)
        self.links.addAction(remove)
        self.links.itemActivated.connect(self._activated)
        self.links.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.other_code.returnPressed.connect(self.add_link)
        self.link_button.clicked.connect(self.add_link)
        self.remove_button.clicked.connect(self.remove_current)
        self.show_unit(None)

    # -- showing ------------------------------------------------------------------------------

    def show_unit(
        self, unit_id: int | None, relations: Sequence[RelationRecord] | None = None
    ) -> None:
        """Show a record's relations (`relations`: read with it already, by the detail pane)."""
        self._unit_id = unit_id
        self.error.clear()
        self.other_code.clear()
        self._reload(relations)

    def show_detail(self, detail: UnitDetail | None) -> None:
        """Show a record read already (the detail pane reads it once for every tab)."""
        self.show_unit(detail.id if detail else None, detail.relations if detail else None)

    def _reload(self, relations: Sequence[RelationRecord] | None = None) -> None:
        self.links.clear()
        self._relations = {}
        if relations is None and self._unit_id is not None:
            try:
                relations = self._cat.units.get(self._unit_id).relations
            except CatalogError as error:  # the record was deleted meanwhile
                self._unit_id = None
                self.error.setText(str(error))
        for relation in relations or ():
            self._relations[relation.id] = relation
            item = QTreeWidgetItem(
                [relation_words(relation), relation.other_reference_code, relation.other_title]
            )
            item.setData(0, RELATION_ID_ROLE, relation.id)
            if relation.note:
                item.setToolTip(0, relation.note)
            self.links.addTopLevelItem(item)
            if self.links.currentItem() is None:
                self.links.setCurrentItem(item)
        self.setEnabled(self._unit_id is not None)
        self._update_buttons()

    @property
    def writable(self) -> bool:
        """Whether links can be made or removed (not in a catalogue opened read-only)."""
        return self._unit_id is not None and not self._cat.readonly

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.writable and self.current_relation() is not None)
        for widget in (self.kind, self.other_code, self.link_button):
            widget.setEnabled(self.writable)

    def current_relation(self) -> RelationRecord | None:
        item = self.links.currentItem()
        return self._relations.get(item.data(0, RELATION_ID_ROLE)) if item else None

    def _activated(self, item: QTreeWidgetItem, column: int) -> None:
        relation = self._relations.get(item.data(0, RELATION_ID_ROLE))
        if relation is not None:
            self.open_unit.emit(relation.other_id)

    # -- changing -----------------------------------------------------------------------------

    def add_link(self) -> None:
        if self._unit_id is None or not self.writable:
            return
        code, kind = self.other_code.text().strip(), self.kind.currentText()
        if not code:
            self.error.setText("Type the reference code of the record to link to.")
            return
        try:
            other = self._cat.units.find(code)
        except CatalogError as error:
            self.error.setText(str(error))
            return
        if any(
            r.other_id == other.id and r.kind == kind and r.direction == "outgoing"
            for r in self._relations.values()
        ):
            self.error.setText(f"This record is already linked to {code} as '{kind}'.")
            return
        link = Link(self._unit_id, other.id, kind)
        self.error.clear()
        submit(self._undo, AddRelation(self._cat, self._unit_id, link, self._feedback))
        self.other_code.clear()

    def remove_current(self) -> None:
        relation = self.current_relation()
        if relation is None or self._unit_id is None or not self.writable:
            return
        self.error.clear()
        submit(self._undo, RemoveRelation(self._cat, self._unit_id, relation, self._feedback))

    def _refused(self, message: str) -> None:
        self.error.setText(message)

    def _after_change(self, unit_id: int) -> None:
        self.error.clear()
        if unit_id == self._unit_id:
            self._reload()
        self.changed.emit(unit_id)
