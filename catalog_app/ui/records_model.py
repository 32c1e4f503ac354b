"""The records of one level (or of a search) as a table model that scales to a million rows.

The model holds only the ordered ids (an `array('q')`, 8 bytes a record); the columns of a
row are read when a view asks for them, a page of rows per query, and a few pages are kept.
Sorting asks the database for the ids in the new order.

A long list in its own order (All records, a large collection) is shown from its first rows,
read from an index at once, with as many rows as a count says; the rest of its ids follow
from the lane's reader pool (a second at a million records). Until they arrive, the rows
beyond the first are drawn empty, and whatever asks for their ids (a click, a Shift+click
range, a batch edit) reads them through to that row in place, so the answer is never a guess.
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
from catalog_app.ui.changes import Changes
from catalog_app.ui.operations import QueryOp
from catalog_app.ui.tasks import TaskRunner

PAGE_SIZE = 200
CACHED_PAGES = 16  # 3,200 rows: several screens, a few hundred kilobytes
# A level with more records than this is read off the GUI thread (about 20 ms of reading).
READ_IN_PLACE_UP_TO = 20_000
# How many of a long list's ids are read at once, before the rest: a few screens.
FIRST_ROWS = 1_000
# The views whose records an edit can take in or out (not only an addition or removal).
_FIELD_VIEWS = frozenset({View.NEEDS_REVIEW, View.UNFILED})
UNIT_ID_ROLE = Qt.ItemDataRole.UserRole + 1

AnyIndex = QModelIndex | QPersistentModelIndex
IdsQuery = Callable[[int | None], "array[int]"]  # the first n ids of a list (None: all)


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
    """Rows are records: those under a parent (`set_parent`), of a view (`set_view`) or a
    given list (`set_ids`).

    With a `runner` (the operations lane), sorting and reading long lists run off the GUI
    thread (`sorting` and `loading` say when they start and end; `problem` carries a message
    if one fails; `filled` says that the rest of a list shown from its first rows arrived);
    without one, in place. `follow(changes)` brings the list up to date after a write.
    """

    sorting = Signal(bool)
    loading = Signal(bool)
    problem = Signal(str)
    filled = Signal()

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
        cached_pages: int = CACHED_PAGES,
        runner: TaskRunner | None = None,
        read_in_place_up_to: int = READ_IN_PLACE_UP_TO,
        first_rows: int = FIRST_ROWS,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._catalogue = catalogue
        self._page_size = page_size
        self._cached_pages = cached_pages
        self._in_place_up_to = read_in_place_up_to
        self._first_rows = first_rows
        self._ids: array[int] = array("q")  # the ids known, of the first rows (or all)
        self._rows = 0  # the rows listed: more than the ids known while the rest arrive
        self._listed: IdsQuery = _no_ids  # the read that gave the ids shown
        self._given: array[int] | None = None  # set_ids' own order (e.g. by relevance)
        self._parent_id: int | None = None
        self._showing_parent = False
        self._view: View | None = None  # set_view's
        self._sort_key = ARRANGEMENT
        self._descending = False
        self._reads = 0  # each read of ids in the background; an older one's answer is moot
        self._key = f"records-ids-{id(self)}"
        self._pages: OrderedDict[int, list[RecordRow | None]] = OrderedDict()
        self.pages_fetched = 0  # how many page queries were made; for tests and benchmarks

    # -- what the model shows ----------------------------------------------------------------

    @property
    def parent_id(self) -> int | None:
        """The level shown, or None for the top level or for a list set with `set_ids`."""
        return self._parent_id if self._showing_parent else None

    @property
    def complete(self) -> bool:
        """Whether every listed row's id is known (False while the rest arrive)."""
        return len(self._ids) >= self._rows

    def set_catalogue(self, catalogue: Catalogue | None) -> None:
        self._catalogue = catalogue
        self._showing_parent = False
        self._given = self._view = None
        self._forget_reads()
        self._replace(array("q"), _no_ids)

    def set_parent(self, parent_id: int | None) -> None:
        """Show the records directly under `parent_id` (None: the top level). A long level
        shows its first rows at once and the rest when they arrive (with a runner)."""
        self._parent_id, self._showing_parent, self._given = parent_id, True, None
        self._view = None
        catalogue = self._catalogue
        self._show_new_list(None if catalogue is None else catalogue.browse.count(parent_id))

    def set_ids(self, ids: Iterable[int]) -> None:
        """Show these records (e.g. search results), in this order until a column is sorted."""
        self._showing_parent, self._view = False, None
        self._given = array("q", ids)
        self._forget_reads()
        self._replace_in_place()

    def set_view(self, view: View, size: int | None = None) -> None:
        """Show a view of the whole catalogue (services.browse), sorted in SQL as a level is;
        read in place when its `size` is known to be small, else as a long level is."""
        self._showing_parent, self._given, self._view = False, None, view
        catalogue = self._catalogue
        big = size is None or size > self._in_place_up_to
        if self._runner is not None and catalogue is not None and big:
            size = catalogue.browse.view_count(view)
        self._show_new_list(size)

    def reload(self) -> None:
        """Read the ids again (records were added, moved or removed): a long list goes on
        showing what it showed until the new ids arrive (quietly: it is still usable)."""
        if self._runner is None or self._rows <= self._in_place_up_to:
            self._forget_reads()
            self._replace_in_place()
        else:
            self._in_background(None, self._replace)

    def follow(self, changes: Changes) -> None:
        """After a write: read the list again if records joined or left it (added, removed
        or moved; or edited into or out of a view such as Needs review), and show the
        changed records' rows afresh."""
        if changes.structure or (changes.changed and self._view in _FIELD_VIEWS):
            self.reload()
        if changes.changed:
            self.refresh_rows(changes.changed)

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
            self._rows_changed(first, min(first + self._page_size, self._rows) - 1)

    # -- looking up rows ---------------------------------------------------------------------

    def unit_id(self, row: int) -> int:
        self._read_through(row)
        return self._ids[row]

    def ids_between(self, first: int, last: int) -> array[int]:
        """The ids of rows first..last, both included."""
        self._read_through(last)
        return self._ids[first : last + 1]

    def row_of(self, unit_id: int) -> int | None:
        """The row of a record listed, among the rows whose ids are known."""
        try:
            return self._ids.index(unit_id)
        except ValueError:
            return None

    def rows_of(self, unit_ids: Iterable[int]) -> dict[int, int]:
        """The rows of those of `unit_ids` shown here (among the ids known), by id."""
        wanted = set(unit_ids)
        if len(wanted) <= _LOOKED_UP_ONE_BY_ONE:  # each lookup a pass in C
            found = ((unit_id, self.row_of(unit_id)) for unit_id in wanted)
            return {unit_id: row for unit_id, row in found if row is not None}
        rows: dict[int, int] = {}
        for row, unit_id in enumerate(self._ids):
            if unit_id in wanted:
                rows[unit_id] = row
                if len(rows) == len(wanted):
                    break
        return rows

    def record(self, row: int) -> RecordRow | None:
        """The row's record as last read; None if it was deleted since the ids were read,
        or if its id has not arrived yet."""
        if row >= len(self._ids):
            return None
        page = self._page(row // self._page_size)
        return page[row % self._page_size]

    # -- QAbstractTableModel -----------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else self._rows

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
        # Rows whose ids have not arrived are drawn empty: reading them here would read the
        # whole list through to that row at every paint.
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
        if not (self._rows or self._given):
            return
        if self._runner is None:
            self._replace_in_place()
            return
        self._in_background(self.sorting, self._replace)

    # -- reading ids -------------------------------------------------------------------------

    def _show_new_list(self, size: int | None) -> None:
        """Show the list just chosen: a short one (or any, without a runner) read in place;
        a long one in its own order from its first rows, the rest following; a long one
        sorted by a column (no index gives its first rows at once) when its ids arrive."""
        self._forget_reads()
        if self._runner is None or size is None or size <= self._in_place_up_to:
            self._replace_in_place()
        elif self._sort_key == ARRANGEMENT:
            query = self._query()
            self._replace(query(self._first_rows), query, rows=size)
            self._in_background(None, self._rest_arrived)
        else:
            self._replace(array("q"), _no_ids)
            self._in_background(self.loading, self._replace)

    def _in_background(
        self, busy: SignalInstance | None, arrived: Callable[[array[int], IdsQuery], None]
    ) -> None:
        """Read the list's ids on the lane's reader pool: the newest read wins, and a change
        of list, order or catalogue meanwhile makes its answer moot."""
        assert self._runner is not None
        if busy is not None:
            busy.emit(True)
        self._reads += 1
        read, catalogue, query = self._reads, self._catalogue, self._query()

        def done(ids: array[int]) -> None:
            if busy is not None:
                busy.emit(False)
            if read == self._reads and self._catalogue is catalogue:
                arrived(ids, query)

        def failed(message: str) -> None:
            if busy is not None:
                busy.emit(False)
            if read == self._reads:
                self.problem.emit(message)

        QueryOp(lambda _report: query(None), latest=self._key).success(done).failure(
            failed
        ).run_in_background(self._runner)

    def _forget_reads(self) -> None:
        self._reads += 1
        if self._runner is not None:
            self._runner.forget(self._key)

    def _rest_arrived(self, ids: array[int], query: IdsQuery) -> None:
        """All the ids of a list shown from its first rows: the rows stay where they are
        (with their selection) unless the catalogue changed the first rows meanwhile."""
        known = len(self._ids)
        if ids[:known] != self._ids:
            self._replace(ids, query)  # the view keeps its selection by id
            return
        listed = self._rows
        if len(ids) > listed:
            self.beginInsertRows(QModelIndex(), listed, len(ids) - 1)
        elif len(ids) < listed:
            self.beginRemoveRows(QModelIndex(), len(ids), listed - 1)
        self._ids, self._rows = ids, len(ids)
        if len(ids) > listed:
            self.endInsertRows()
        elif len(ids) < listed:
            self.endRemoveRows()
        self._newly_known(known)
        self.filled.emit()

    def _read_through(self, row: int) -> None:
        """Make the ids up to `row` known, reading the list through to it in place if the
        rest has not arrived yet (the first rows are read again: it is one indexed read)."""
        if row < len(self._ids) or row >= self._rows:
            return
        before = self._ids
        self._ids = self._listed(row + 1)
        self._rows = max(self._rows, len(self._ids))
        # Should the catalogue have changed the first rows meanwhile, they show it too.
        self._newly_known(len(before) if self._ids[: len(before)] == before else 0)

    def _newly_known(self, known: int) -> None:
        """Rows from `known` on have ids now: forget the page drawn half empty, and draw them."""
        self._pages.pop(known // self._page_size, None)
        self._rows_changed(known, min(len(self._ids), self._rows) - 1)

    def _rows_changed(self, first: int, last: int) -> None:
        if first <= last:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def _query(self) -> IdsQuery:
        """The read of the list shown now, in its present order, bound to what it is (so that
        a read on another thread is not affected by a change of list meanwhile)."""
        catalogue, sort, descending = self._catalogue, self._sort_key, self._descending
        if catalogue is None:
            return _no_ids
        browse, parent_id, view = catalogue.browse, self._parent_id, self._view
        if self._showing_parent:
            return lambda limit: browse.ids(parent_id, sort, descending, limit=limit)
        if view is not None:
            column = None if sort == ARRANGEMENT else sort
            return lambda limit: browse.view_ids(view, column, descending, limit=limit)
        given = self._given
        if given is None:
            return _no_ids
        if sort == ARRANGEMENT:
            return lambda limit: given[:limit]
        return lambda limit: browse.order(given, sort, descending)[:limit]

    def _replace_in_place(self) -> None:
        query = self._query()
        self._replace(query(None), query)

    def _replace(self, ids: array[int], query: IdsQuery, rows: int | None = None) -> None:
        # A reset rather than a layout change: views keep their selection by id (RecordsView).
        self.beginResetModel()
        self._ids, self._listed = ids, query
        self._rows = len(ids) if rows is None else max(rows, len(ids))
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


_LOOKED_UP_ONE_BY_ONE = 32


def _no_ids(_limit: int | None) -> array[int]:
    return array("q")
