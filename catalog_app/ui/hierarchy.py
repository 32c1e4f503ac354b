"""The tree beside the records: the views of the whole catalogue, the saved searches, then the
collection hierarchy, which loads each level only when it is opened.

Rows at the top: "All records", "Recently added", "Unfiled", "Needs review" (each with the
number of records it lists after its name, see services.browse), the "Saved searches" folder, a
"Collections" heading, and the records at the top of the hierarchy. `reload` brings the tree
up to date in place: rows stay where they are, so the view keeps what is open and chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel

from catalog_app.domain.records import UnitDetail, UnitSummary
from catalog_app.services import Catalogue
from catalog_app.services.browse import RECENT_DAYS, RecordRow, View
from catalog_app.services.saved_searches import SavedSearch

UNIT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_PENDING_ROLE = Qt.ItemDataRole.UserRole + 2
VIEW_ROLE = Qt.ItemDataRole.UserRole + 3  # a view's View value
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 4  # a saved search's name
QUERY_ROLE = Qt.ItemDataRole.UserRole + 5  # a saved search's query
COUNT_ROLE = Qt.ItemDataRole.UserRole + 6  # how many records a view lists (None: not yet)
FOLDER_ROLE = Qt.ItemDataRole.UserRole + 7  # True on the "Saved searches" folder

VIEW_TITLES: dict[View, str] = {
    View.ALL: "All records",
    View.RECENT: "Recently added",
    View.UNFILED: "Unfiled",
    View.NEEDS_REVIEW: "Needs review",
}
_VIEW_TIPS: dict[View, str] = {
    View.ALL: "Every record in the catalogue, by reference code",
    View.RECENT: f"Records added in the last {RECENT_DAYS} days, newest first",
    View.UNFILED: "Records at the top level that are not in any collection",
    View.NEEDS_REVIEW: "Records with values harvested from the document that no person has "
    "checked yet (editing a field checks it)",
}
SAVED_SEARCHES = "Saved searches"
COLLECTIONS = "Collections"


def _unit_text(unit: UnitSummary | UnitDetail | RecordRow) -> str:
    return f"{unit.reference_code}  {unit.title}"


def _unit_tip(unit: UnitSummary | UnitDetail | RecordRow) -> str:
    return f"{unit.reference_code} · {unit.level}\n{unit.title}"


def _placeholder() -> QStandardItem:
    placeholder = QStandardItem("…")
    placeholder.setData(True, _PENDING_ROLE)
    placeholder.setEnabled(False)
    return placeholder


def _item(unit: UnitSummary) -> QStandardItem:
    item = QStandardItem(_unit_text(unit))
    item.setEditable(False)
    item.setData(unit.id, UNIT_ID_ROLE)
    item.setToolTip(_unit_tip(unit))
    if unit.children_count:
        item.appendRow(_placeholder())
    return item


def _view_item(view: View) -> QStandardItem:
    item = QStandardItem(VIEW_TITLES[view])
    item.setEditable(False)
    item.setData(view.value, VIEW_ROLE)
    item.setToolTip(_VIEW_TIPS[view])
    return item


def _search_item(search: SavedSearch) -> QStandardItem:
    item = QStandardItem(search.name)
    item.setEditable(True)  # renamed in place (F2); the window saves the new name
    _set_search(item, search)
    return item


def _set_search(item: QStandardItem, search: SavedSearch) -> None:
    item.setData(search.name, SEARCH_ROLE)
    item.setData(search.query, QUERY_ROLE)
    if item.text() != search.name:
        item.setText(search.name)
    item.setToolTip(f"{search.name}\n{search.query}")


def _heading(text: str) -> QStandardItem:
    # Not enabled: the keyboard and the mouse pass over it, as over a heading.
    item = QStandardItem(text)
    font = QFont(item.font())
    font.setBold(True)
    item.setFont(font)
    item.setFlags(Qt.ItemFlag.NoItemFlags)
    return item


K = TypeVar("K")


def _sync_rows(
    parent: QStandardItem,
    first: int,
    keys: Sequence[K],
    key_at: Callable[[int], object],
    make: Callable[[K], QStandardItem],
    refresh: Callable[[QStandardItem, K], None],
) -> None:
    """Make the rows of `parent` from `first` on hold `keys` in order, the rows whose key is
    not among them being gone already: a row that stays is refreshed in place (keeping its
    children, and its place in the view); one out of order is moved; a new one inserted."""
    for offset, key in enumerate(keys):
        row = first + offset
        if row < parent.rowCount() and key_at(row) == key:
            child = parent.child(row)
            assert child is not None
            refresh(child, key)
            continue
        later = next((r for r in range(row + 1, parent.rowCount()) if key_at(r) == key), None)
        if later is None:
            parent.insertRow(row, [make(key)])
        else:
            moved = parent.takeRow(later)
            parent.insertRow(row, moved)
            refresh(moved[0], key)


def _key(parent: QStandardItem, role: int) -> Callable[[int], object]:
    def at(row: int) -> object:
        child = parent.child(row)
        return child.data(role) if child is not None else None

    return at


def _loaded(item: QStandardItem) -> bool:
    """Whether the item's children were read (it was opened), not just promised (by the
    placeholder, the one child not enabled). Asked of every row at each reload, so it asks
    Qt nothing that can answer None: PySide6 6.12 on Python 3.11 loses a reference to None
    with each such answer."""
    if not item.rowCount():
        return False
    first = item.child(0)
    return first is not None and first.isEnabled()


# What a row stands for, to find it again after the tree changed: ("view", "all"),
# ("search", name), ("unit", id), ("folder", "").
RowKey = tuple[str, object]


class HierarchyModel(QStandardItemModel):
    """`rename_requested(old, new)`: a saved search was renamed in place; the window saves
    the new name and calls `reload` (the row shows the old name until then).
    `reloading(True)` and `reloading(False)` come before and after `reload` changes rows."""

    rename_requested = Signal(str, str)
    reloading = Signal(bool)

    def __init__(self, catalogue: Catalogue | None = None) -> None:
        super().__init__()
        self._catalogue = catalogue
        self._views: dict[View, QStandardItem] = {}
        self._folder: QStandardItem | None = None
        self._heading: QStandardItem | None = None
        self.set_catalogue(catalogue)

    # -- what the tree shows -------------------------------------------------------------------

    def set_catalogue(self, catalogue: Catalogue | None) -> None:
        """Show another catalogue (or none), everything closed."""
        self._catalogue = catalogue
        self.clear()
        self.setHorizontalHeaderLabels([COLLECTIONS])
        self._views, self._folder, self._heading = {}, None, None
        self._counts: dict[View, int] = {}
        if catalogue is None:
            return
        for view in View:
            self._views[view] = _view_item(view)
            self.appendRow(self._views[view])
        self._folder = QStandardItem(SAVED_SEARCHES)
        self._folder.setEditable(False)
        self._folder.setData(True, FOLDER_ROLE)
        self._folder.setToolTip("Searches saved in this catalogue (Search → Save Search…)")
        self.appendRow(self._folder)
        self._heading = _heading(COLLECTIONS)
        self.appendRow(self._heading)
        self.reload()

    def reload(self) -> None:
        """Bring the tree up to date with the catalogue in place: records added, removed,
        moved or retitled, and the saved searches, at every level that was opened. The rows
        that stay keep their place, so the view keeps what is open and what is chosen."""
        if self._catalogue is None:
            return
        searches = self._catalogue.saved_searches.all()
        self.reloading.emit(True)
        try:
            self._sync_searches(searches)
            self._sync_level(self.invisibleRootItem(), self.first_unit_row(), None)
        finally:
            self.reloading.emit(False)

    def set_counts(self, counts: dict[View, int]) -> None:
        """Show how many records each view lists, after its name: "Needs review (40)"."""
        for view, item in self._views.items():
            count = counts.get(view)
            if count is None or self._counts.get(view) == count:
                continue
            self._counts[view] = count
            item.setData(count, COUNT_ROLE)
            item.setText(f"{VIEW_TITLES[view]} ({count:,})")
            item.setData(
                f"{VIEW_TITLES[view]}, {count:,} records", Qt.ItemDataRole.AccessibleTextRole
            )

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

    def refresh_units(self, unit_ids: Iterable[int]) -> None:
        """Show records' new codes or titles, for those whose rows have been loaded: one walk
        of the loaded rows and one query, however many records a batch edit changed."""
        if self._catalogue is None:
            return
        wanted = set(unit_ids)
        loaded: dict[int, QStandardItem] = {}
        stack = [self.invisibleRootItem()]
        while stack and wanted:
            parent = stack.pop()
            for row in range(parent.rowCount()):
                item = parent.child(row)
                unit_id = item.data(UNIT_ID_ROLE)
                if unit_id is not None and int(unit_id) in wanted:
                    loaded[int(unit_id)] = item
                if item.rowCount():
                    stack.append(item)
        if not loaded:
            return
        for unit_id, shown in self._catalogue.browse.rows(sorted(loaded)).items():
            item = loaded[unit_id]
            item.setText(_unit_text(shown))
            item.setToolTip(_unit_tip(shown))

    # -- finding rows --------------------------------------------------------------------------

    def first_unit_row(self) -> int:
        """The row of the first top-level record (after the views, searches and heading)."""
        return 0 if self._heading is None else self._heading.row() + 1

    def view_index(self, view: View) -> QModelIndex:
        item = self._views.get(view)
        return item.index() if item is not None else QModelIndex()

    def folder_index(self) -> QModelIndex:
        return self._folder.index() if self._folder is not None else QModelIndex()

    def search_index(self, name: str) -> QModelIndex:
        if self._folder is not None:
            for row in range(self._folder.rowCount()):
                child = self._folder.child(row)
                if child is not None and child.data(SEARCH_ROLE) == name:
                    return child.index()
        return QModelIndex()

    def index_of_unit(self, unit_id: int) -> QModelIndex | None:
        found = self.match(
            self.index(self.first_unit_row(), 0),
            UNIT_ID_ROLE,
            unit_id,
            1,
            Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
        )
        return found[0] if found else None

    def key_of(self, index: QModelIndex | QPersistentModelIndex) -> RowKey | None:
        for kind, role in (("view", VIEW_ROLE), ("search", SEARCH_ROLE), ("unit", UNIT_ID_ROLE)):
            value = index.data(role)
            if value is not None:
                return kind, value
        return ("folder", "") if index.data(FOLDER_ROLE) else None

    def index_of_key(self, key: RowKey | None) -> QModelIndex:
        """The row `key_of` named, if it is still in the tree (a record: if its level is open)."""
        if key is None:
            return QModelIndex()
        kind, value = key
        if kind == "view":
            return self.view_index(View(str(value)))
        if kind == "search":
            return self.search_index(str(value))
        if kind == "unit" and isinstance(value, int):
            return self.index_of_unit(value) or QModelIndex()
        return self.folder_index() if kind == "folder" else QModelIndex()

    def top_units(self) -> list[str]:
        """The texts of the top-level records' rows, in order."""
        return [self.index(row, 0).data() for row in range(self.first_unit_row(), self.rowCount())]

    # -- renaming in place ---------------------------------------------------------------------

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: object,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        name = index.data(SEARCH_ROLE)
        if role == Qt.ItemDataRole.EditRole and isinstance(name, str):
            # The row keeps its name until the catalogue has the new one (reload shows it).
            new = str(value).strip()
            if new and new != name:
                self.rename_requested.emit(name, new)
            return False
        return super().setData(index, value, role)

    # -- bringing rows up to date --------------------------------------------------------------

    def _sync_searches(self, searches: Sequence[SavedSearch]) -> None:
        folder = self._folder
        if folder is None:
            return
        wanted = {s.name: s for s in searches}
        for row in reversed(range(folder.rowCount())):
            child = folder.child(row)
            if child is None or child.data(SEARCH_ROLE) not in wanted:
                folder.removeRow(row)
        _sync_rows(
            folder,
            0,
            [s.name for s in searches],
            _key(folder, SEARCH_ROLE),
            lambda name: _search_item(wanted[name]),
            lambda item, name: _set_search(item, wanted[name]),
        )

    def _sync_level(self, parent: QStandardItem, first: int, parent_id: int | None) -> None:
        assert self._catalogue is not None
        units = {u.id: u for u in self._catalogue.units.children(parent_id)}
        for row in reversed(range(first, parent.rowCount())):
            child = parent.child(row)
            if child is None or child.data(UNIT_ID_ROLE) not in units:
                parent.removeRow(row)

        def refreshed(item: QStandardItem, unit_id: int) -> None:
            unit = units[unit_id]
            if item.text() != _unit_text(unit):
                item.setText(_unit_text(unit))
                item.setToolTip(_unit_tip(unit))
            if _loaded(item):
                self._sync_level(item, 0, unit_id)
            elif item.rowCount() == 0 and unit.children_count:
                item.appendRow(_placeholder())
            elif item.rowCount() and not unit.children_count:
                item.removeRows(0, item.rowCount())

        _sync_rows(
            parent,
            first,
            list(units),
            _key(parent, UNIT_ID_ROLE),
            lambda unit_id: _item(units[unit_id]),
            refreshed,
        )
