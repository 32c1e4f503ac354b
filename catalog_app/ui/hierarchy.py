"""The collection hierarchy as a tree that loads each level only when it is opened."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from catalog_app.domain.records import UnitSummary
from catalog_app.services import Catalogue

UNIT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_PENDING_ROLE = Qt.ItemDataRole.UserRole + 2


def _item(unit: UnitSummary) -> QStandardItem:
    item = QStandardItem(f"{unit.reference_code}  {unit.title}")
    item.setEditable(False)
    item.setData(unit.id, UNIT_ID_ROLE)
    item.setToolTip(f"{unit.reference_code} · {unit.level}\n{unit.title}")
    if unit.children_count:
        placeholder = QStandardItem("…")
        placeholder.setData(True, _PENDING_ROLE)
        placeholder.setEnabled(False)
        item.appendRow(placeholder)
    return item


class HierarchyModel(QStandardItemModel):
    def __init__(self, catalogue: Catalogue | None = None) -> None:
        super().__init__()
        self._catalogue = catalogue
        self.reload()

    def set_catalogue(self, catalogue: Catalogue | None) -> None:
        self._catalogue = catalogue
        self.reload()

    def reload(self) -> None:
        self.clear()
        self.setHorizontalHeaderLabels(["Collections"])
        if self._catalogue is None:
            return
        for unit in self._catalogue.units.children(None):
            self.appendRow(_item(unit))

    def load_children(self, index: QModelIndex | QPersistentModelIndex) -> None:
        """Replace the placeholder under `index` with its real children (once)."""
        item = self.itemFromIndex(index)
        if item is None or self._catalogue is None or item.rowCount() != 1:
            return
        first = item.child(0)
        if first is None or not first.data(_PENDING_ROLE):
            return
        item.removeRow(0)
        for unit in self._catalogue.units.children(int(item.data(UNIT_ID_ROLE))):
            item.appendRow(_item(unit))

    def refresh_unit(self, unit_id: int) -> None:
        """Show a record's new code or title, if its row has been loaded."""
        if self._catalogue is None:
            return
        found = self.match(
            self.index(0, 0),
            UNIT_ID_ROLE,
            unit_id,
            1,
            Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
        )
        if not found:
            return
        item = self.itemFromIndex(found[0])
        unit = self._catalogue.units.get(unit_id)
        item.setText(f"{unit.reference_code}  {unit.title}")
        item.setToolTip(f"{unit.reference_code} · {unit.level}\n{unit.title}")
