"""The records of one level (or of a search) as a table model that scales to a million rows.

The model holds only the ordered ids (an `array('q')`, 8 bytes a record); the columns of a
row are read when a view asks for them, a page of rows per query, and a few pages are kept.
Sorting asks the database for the ids in the new order.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    SignalInstance,
)

from catalog_app.domain.languages import language_names
from catalog_app.services import Catalogue
from catalog_app.services.browse import ARRANGEMENT, RecordRow, View
from catalog_app.ui.tasks import TaskRunner

PAGE_SIZE = 200
CACHED_PAGES = 16  # 3,200 rows: several screens, a few hundred kilobytes
# A level with more records than this is read off the GUI thread (about 20 ms of reading).
READ_IN_PLACE_UP_TO = 20_000
UNIT_ID_ROLE = Qt.ItemDataRole.UserRole + 1

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    title: str
    sort_key: str
    text: Callable[[RecordRow], str]
    sample: str  # the default width fits this (and the title)
    shown: bool = True  # shown until the person chooses otherwise
    tooltip: str = ""  # what the header's title stands for, when it is short
    elide: Qt.TextElideMode = Qt.TextElideMode.ElideRight  # at the end, in reading order
    number: bool = False  # a count: right-aligned, as figures are


# Shown by default: what tells records apart at a glance (reference, title, dates, type, grade,
# access), in the width a 1366-pixel screen gives the list. The title takes the room left.
COLUMNS: tuple[Column, ...] = (
    Column(
        "Reference code",
        "reference_code",
        lambda r: r.reference_code,
        "CAT-0000/0000/0000",
        elide=Qt.TextElideMode.ElideMiddle,  # codes differ at their end: keep both ends
    ),
    Column("Title", "title", lambda r: r.title, "A title of about this length"),
    Column("Dates", "date", lambda r: r.dates or "", "1988-07/1988-09"),
    Column("Level", "level", lambda r: r.level, "subseries", shown=False),
    Column("Type", "media_type", lambda r: r.media_type or "", "web page"),
    Column("Language", "languages", lambda r: language_names(r.languages), "Persian", shown=False),
    Column("Access", "access_status", lambda r: r.access_status, "restricted"),
    Column(
        "Grade",
        "reliability",
        lambda r: r.reliability or "",
        "B2",
        tooltip="Reliability grade: the source (A–F) and the information (1–6)",
    ),
    Column("Originals", "originals", lambda r: str(r.originals), "0", shown=False, number=True),
    Column(
        "Needs review",
        "review",
        lambda r: ", ".join(name.replace("_", " ") for name in r.harvested),
        "title, dates",
        shown=False,
        tooltip="Values harvested from the document that no person has checked yet",
    ),
)
TITLE_COLUMN = 1
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class RecordsModel(QAbstractTableModel):
    """Rows are records: those under a parent (`set_parent`) or a given list (`set_ids`).

    With a `runner`, sorting and reading large levels run off the GUI thread (`sorting`
    and `loading` say when they start and end; `problem` carries a message if one fails);
    without one, in place.
    """

    sorting = Signal(bool)
    loading = Signal(bool)
    problem = Signal(str)

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
        cached_pages: int = CACHED_PAGES,
        runner: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._catalogue = catalogue
        self._page_size = page_size
        self._cached_pages = cached_pages
        self._ids: array[int] = array("q")
        self._given: array[int] | None = None  # set_ids' own order (e.g. by relevance)
        self._parent_id: int | None = None
        self._showing_parent = False
        self._view: View | None = None  # set_view's
        self._sort_key = ARRANGEMENT
        self._descending = False
        self._pages: OrderedDict[int, list[RecordRow | None]] = OrderedDict()
        self.pages_fetched = 0  # how many page queries were made; for tests and benchmarks

    # -- what the model shows ----------------------------------------------------------------

    @property
    def parent_id(self) -> int | None:
        """The level shown, or None for the top level or for a list set with `set_ids`."""
        return self._parent_id if self._showing_parent else None

    def set_catalogue(self, catalogue: Catalogue | None) -> None:
        self._catalogue = catalogue
        self._showing_parent = False
        self._given = self._view = None
        self._replace(array("q"))

    def set_parent(self, parent_id: int | None) -> None:
        """Show the records directly under `parent_id` (None: the top level). A large level
        is read in the background (with a runner), the list empty until it arrives."""
        self._parent_id, self._showing_parent, self._given = parent_id, True, None
        self._view = None
        catalogue = self._catalogue
        if (
            self._runner is None
            or catalogue is None
            or catalogue.browse.count(parent_id) <= READ_IN_PLACE_UP_TO
        ):
            self._replace(self._query_ids())
            return
        self._replace(array("q"))
        self._in_background("records-level", self.loading)

    def set_ids(self, ids: Iterable[int]) -> None:
        """Show these records (e.g. search results), in this order until a column is sorted."""
        self._showing_parent, self._view = False, None
        self._given = array("q", ids)
        self._replace(self._query_ids())

    def set_view(self, view: View, size: int | None = None) -> None:
        """Show a view of the whole catalogue (services.browse), sorted in SQL as a level is;
        read in place when its `size` is known to be small, else in the background."""
        self._showing_parent, self._given, self._view = False, None, view
        if self._runner is None or (size is not None and size <= READ_IN_PLACE_UP_TO):
            self._replace(self._query_ids())
            return
        self._replace(array("q"))
        self._in_background("records-level", self.loading)

    def reload(self) -> None:
        """Read the ids again (records were added, moved or removed)."""
        self._replace(self._query_ids())

    def refresh_rows(self, unit_ids: Iterable[int]) -> None:
        """Forget what was read about these records so that views show them afresh."""
        wanted = set(unit_ids)
        stale = [
            number
            for number, rows in self._pages.items()
            if any(row is not None and row.id in wanted for row in rows)
        ]
        for number in stale:
            del self._pages[number]
            first = number * self._page_size
            last = min(first + self._page_size, len(self._ids)) - 1
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    # -- looking up rows ---------------------------------------------------------------------

    def unit_id(self, row: int) -> int:
        return self._ids[row]

    def ids_between(self, first: int, last: int) -> array[int]:
        """The ids of rows first..last, both included."""
        return self._ids[first : last + 1]

    def row_of(self, unit_id: int) -> int | None:
        try:
            return self._ids.index(unit_id)
        except ValueError:
            return None

    def rows_of(self, unit_ids: Iterable[int]) -> dict[int, int]:
        """The rows of those of `unit_ids` shown here, by id: one pass over the ids."""
        wanted = set(unit_ids)
        found: dict[int, int] = {}
        if not wanted:
            return found
        for row, unit_id in enumerate(self._ids):
            if unit_id in wanted:
                found[unit_id] = row
                if len(found) == len(wanted):
                    break
        return found

    def record(self, row: int) -> RecordRow | None:
        """The row's record as last read, or None if it was deleted since the ids were read."""
        page = self._page(row // self._page_size)
        return page[row % self._page_size]

    # -- QAbstractTableModel -----------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section].title
            if role == Qt.ItemDataRole.ToolTipRole:
                return COLUMNS[section].tooltip or None
            if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[section].number:
                return _RIGHT
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == UNIT_ID_ROLE:
            return self._ids[index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if COLUMNS[index.column()].number else None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        record = self.record(index.row())
        if record is None:
            return (
                "(deleted)" if index.column() == 0 and role == Qt.ItemDataRole.DisplayRole else None
            )
        text = COLUMNS[index.column()].text(record)
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole of a title the column cuts short
            return text if index.column() == TITLE_COLUMN else None
        return text

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column in SQL; column -1 restores the natural order (arrangement/given)."""
        self._sort_key = COLUMNS[column].sort_key if 0 <= column < len(COLUMNS) else ARRANGEMENT
        self._descending = order == Qt.SortOrder.DescendingOrder
        if not (self._ids or self._given):
            return
        if self._runner is None:
            self._replace(self._query_ids())
            return
        self._in_background("records-sort", self.sorting)

    def _in_background(self, key: str, busy: SignalInstance) -> None:
        """Read the ids off the GUI thread (sorting a large level takes a second): the
        newest request wins, and a change of level or catalogue meanwhile makes it moot."""
        assert self._runner is not None
        busy.emit(True)
        catalogue, shown = self._catalogue, self._shown()

        def arrived(ids: array[int]) -> None:
            busy.emit(False)
            # Another catalogue opened since has ids of its own: these would mean other records.
            if self._catalogue is catalogue and self._shown() == shown:
                self._replace(ids)

        def failed(message: str) -> None:
            busy.emit(False)
            self.problem.emit(message)

        self._runner.run_latest(key, self._query_ids, arrived, failed)

    # -- internals ---------------------------------------------------------------------------

    def _shown(self) -> tuple[bool, int | None, array[int] | None, View | None]:
        return self._showing_parent, self._parent_id, self._given, self._view

    def _query_ids(self) -> array[int]:
        catalogue = self._catalogue
        if catalogue is None:
            return array("q")
        if self._showing_parent:
            return catalogue.browse.ids(self._parent_id, self._sort_key, self._descending)
        if self._view is not None:
            sort = None if self._sort_key == ARRANGEMENT else self._sort_key
            return catalogue.browse.view_ids(self._view, sort, self._descending)
        if self._given is None:
            return array("q")
        if self._sort_key == ARRANGEMENT:
            return array("q", self._given)
        return catalogue.browse.order(self._given, self._sort_key, self._descending)

    def _replace(self, ids: array[int]) -> None:
        # A reset rather than a layout change: views keep their selection by id (RecordsView).
        self.beginResetModel()
        self._ids = ids
        self._pages.clear()
        self.endResetModel()

    def _page(self, number: int) -> list[RecordRow | None]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        ids = self._ids[number * self._page_size : (number + 1) * self._page_size]
        found = self._catalogue.browse.rows(ids) if self._catalogue is not None else {}
        page = [found.get(unit_id) for unit_id in ids]
        self.pages_fetched += 1
        self._pages[number] = page
        while len(self._pages) > self._cached_pages:
            self._pages.popitem(last=False)
        return page
