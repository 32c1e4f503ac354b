"""The records table: sortable, columns chosen and arranged by the person, remembered."""

from __future__ import annotations

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from catalog_app.ui.reading_direction import ReadingDirectionDelegate
from catalog_app.ui.records_model import COLUMNS, TITLE_COLUMN, RecordsModel
from catalog_app.ui.settings import UiSettings

SAVE_DELAY_MS = 400  # header changes come in bursts (dragging a column edge)
# Keep a selection across a re-sort only up to this many records (finding them is one pass).
MAX_KEPT_SELECTION = 10_000
CELL_PADDING = 12  # pixels around a cell's text, beyond its characters
SORT_ARROW = 14  # room for the header's sort indicator beside a title
# A saved arrangement is for these columns: once a column is added, the defaults apply again.
_COLUMN_TITLES = [column.title for column in COLUMNS]


class RecordsView(QTableView):
    """Shows a RecordsModel. `current_unit_changed` carries the current record's id or None."""

    current_unit_changed = Signal(object)

    def __init__(
        self,
        model: RecordsModel,
        settings: UiSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("records")
        self._records = model
        self._settings = settings
        self._current: int | None = None
        self._kept: tuple[list[int], int | None] = ([], None)
        self.header_menu: QMenu | None = None
        self.setModel(model)
        # The header does not show what is selected (highlightSections is off), yet Qt asks
        # the selection, at each header paint, whether each column is wholly selected: with
        # 10,000 rows selected that is 10,000 Python calls a column (140 ms a paint, found by
        # PERF12). An empty selection of its own answers at once.
        self.horizontalHeader().setSelectionModel(QItemSelectionModel(model, self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Tab goes on to the record's tabs, as out of every list: not from cell to cell of
        # a row (which chose the next record at the row's end).
        self.setTabKeyNavigation(False)

        rows = self.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self._set_up_header()

        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_header)
        header = self.horizontalHeader()
        header.sectionMoved.connect(self._save_soon)
        header.sectionResized.connect(self._save_soon)
        header.sortIndicatorChanged.connect(self._save_soon)

        model.modelAboutToBeReset.connect(self._keep_selection)
        model.modelReset.connect(self._restore_selection)
        model.filled.connect(self._announce_current)  # a row chosen before its id arrived

    # -- columns -----------------------------------------------------------------------------

    def _set_up_header(self) -> None:
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setSortIndicatorClearable(True)
        header.setStretchLastSection(False)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_header_menu)
        metrics = self.fontMetrics()
        header_metrics = header.fontMetrics()
        delegates: dict[Qt.TextElideMode, ReadingDirectionDelegate] = {}
        for number, column in enumerate(COLUMNS):
            width = max(
                metrics.horizontalAdvance(column.sample),
                header_metrics.horizontalAdvance(column.title) + SORT_ARROW,
            )
            header.resizeSection(number, width + CELL_PADDING)
            header.setSectionHidden(number, not column.shown)
            if column.elide not in delegates:
                delegates[column.elide] = ReadingDirectionDelegate(column.elide, self)
            self.setItemDelegateForColumn(number, delegates[column.elide])
        # The title takes the room the other columns leave, so that the list fits its pane.
        header.setSectionResizeMode(TITLE_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(metrics.horizontalAdvance("Title…") + CELL_PADDING)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the arrangement's order
        state = self._settings.records_header(_COLUMN_TITLES) if self._settings else None
        if state is not None and not header.restoreState(state):
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        if header.hiddenSectionCount() == header.count():
            header.setSectionHidden(0, False)
        self.setSortingEnabled(True)  # sorts by the (restored) indicator

    def is_column_shown(self, column: int) -> bool:
        return not self.horizontalHeader().isSectionHidden(column)

    def set_column_shown(self, column: int, shown: bool) -> None:
        header = self.horizontalHeader()
        if not shown and header.count() - header.hiddenSectionCount() <= 1:
            return  # the last column stays, or there would be no header to bring others back
        header.setSectionHidden(column, not shown)
        self._save_timer.start()

    def make_header_menu(self) -> QMenu:
        """A checkable entry per column, in the order the columns are shown."""
        header = self.horizontalHeader()
        menu = QMenu(self)
        shown = header.count() - header.hiddenSectionCount()
        for visual in range(header.count()):
            column = header.logicalIndex(visual)
            action = menu.addAction(COLUMNS[column].title)
            action.setCheckable(True)
            action.setChecked(self.is_column_shown(column))
            action.setEnabled(not self.is_column_shown(column) or shown > 1)
            action.toggled.connect(lambda on, c=column: self.set_column_shown(c, on))
        return menu

    def _show_header_menu(self, position: QPoint) -> None:
        if self.header_menu is not None:
            self.header_menu.deleteLater()
        self.header_menu = self.make_header_menu()
        self.header_menu.popup(self.horizontalHeader().viewport().mapToGlobal(position))

    def _save_soon(self, *_: object) -> None:
        self._save_timer.start()

    def save_header(self) -> None:
        """Write the columns' order, widths, visibility and sort to the settings now."""
        self._save_timer.stop()
        if self._settings is not None:
            self._settings.save_records_header(self.horizontalHeader().saveState(), _COLUMN_TITLES)

    # -- selection ---------------------------------------------------------------------------

    def _selected_spans(self) -> list[tuple[int, int]]:
        spans = sorted((r.top(), r.bottom()) for r in self.selectionModel().selection().toList())
        merged: list[tuple[int, int]] = []
        for top, bottom in spans:
            if merged and top <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(bottom, merged[-1][1]))
            else:
                merged.append((top, bottom))
        return merged

    def selected_ids(self) -> list[int]:
        """The ids of the selected records, top to bottom."""
        ids: list[int] = []
        for top, bottom in self._selected_spans():
            ids.extend(self._records.ids_between(top, bottom))
        return ids

    def current_unit(self) -> int | None:
        return self._current

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        # A list of records, not of cells: Home and End go to the first and last record (as
        # Ctrl+Home and Ctrl+End do), not to the first and last column of the row.
        if cursorAction in (
            QAbstractItemView.CursorAction.MoveHome,
            QAbstractItemView.CursorAction.MoveEnd,
        ):
            modifiers |= Qt.KeyboardModifier.ControlModifier
        return super().moveCursor(cursorAction, modifiers)

    def currentChanged(
        self,
        current: QModelIndex | QPersistentModelIndex,
        previous: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().currentChanged(current, previous)
        self._announce_current()

    def _announce_current(self) -> None:
        index = self.currentIndex()
        unit = self._records.unit_id(index.row()) if index.isValid() else None
        if unit != self._current:
            self._current = unit
            self.current_unit_changed.emit(unit)

    def _keep_selection(self) -> None:
        spans = self._selected_spans()
        if sum(bottom - top + 1 for top, bottom in spans) > MAX_KEPT_SELECTION:
            self._kept = ([], self._current)
        else:
            self._kept = (self.selected_ids(), self._current)

    def _restore_selection(self) -> None:
        """After a re-sort or reload, select the same records again where they now are."""
        selected, current = self._kept
        self._kept = ([], None)
        rows = self._records.rows_of([*selected, *([current] if current is not None else [])])
        selection = QItemSelection()
        last_column = self._records.columnCount() - 1
        for row in sorted(rows[unit] for unit in selected if unit in rows):
            selection.select(self._records.index(row, 0), self._records.index(row, last_column))
        flags = QItemSelectionModel.SelectionFlag
        self.selectionModel().select(selection, flags.ClearAndSelect | flags.Rows)
        if current in rows:
            index = self._records.index(rows[current], 0)
            self.selectionModel().setCurrentIndex(index, flags.NoUpdate)
            self.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self._announce_current()
