"""How fast the records table opens and moves on a generated catalogue, measured on screen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.gui_bench --documents 1000000 [--keep DIR]

Builds (or reuses, with --keep) the catalogue of `bench.search_bench` (10 collections sharing N
records), then times, in a real RecordsView already on screen (as in the program's window),
from each action until the view's next paint has finished: opening the catalogue and showing
its largest collection, jumping to the last row, opening another collection, sorting by a
column, and listing every record at once; then, in the program's main window on a 1366x768
screen: from a search being entered until its results are painted; from opening the catalogue,
choosing its largest collection or "All records" until the middle list has painted rows; from
a Down arrow in the middle list until the detail pane has painted the next record's
Description tab (50 records in the middle of the largest collection, each with an original,
custody events and a grade); and a batch edit of 10,000 records chosen with a click and a
Shift+click and set in the Batch Edit dialog, timing it to the end and the longest pause of
the window's event loop meanwhile (a timer ticking every 10 ms on the GUI thread). Each of
these is printed beside its floor measured in the same run: the bare SQL read of what the
step shows, or the timer's longest pause while the window is idle. Prints a table.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import (
    QEvent,
    QEventLoop,
    QModelIndex,
    QObject,
    QPoint,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtGui import QPaintEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from bench.search_bench import generated_catalogue
from catalog_app.services import Catalogue
from catalog_app.ui.batch_edit import BatchEditDialog
from catalog_app.ui.hierarchy import UNIT_ID_ROLE
from catalog_app.ui.main_window import MainWindow
from catalog_app.ui.records_model import RecordsModel
from catalog_app.ui.records_view import RecordsView
from catalog_app.ui.settings import UiSettings

TITLE, REFERENCE_CODE = 1, 0
PAINT_TIMEOUT_MS = 60_000
SCREEN = (1366, 768)  # a laptop's screen, the smallest the window is made for
SWITCHES = 50
BATCH = 10_000
TICK_MS = 10
BATCH_TIMEOUT_S = int(os.environ.get("BENCH_BATCH_TIMEOUT", "600"))


class TimedView(RecordsView):
    """A records view that notes when a paint of its rows has finished."""

    painted_at = 0.0
    waiting: QEventLoop | None = None

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.painted_at = time.perf_counter()
        if self.waiting is not None:
            self.waiting.quit()


def _settle(app: QApplication) -> None:
    # Flush pending paints and layouts so that the next paint is the one being measured.
    for _ in range(3):
        app.processEvents()


def _until_painted(view: TimedView, action: Callable[[], object]) -> float:
    """Milliseconds from the start of `action` to the end of the view's next paint."""
    loop = QEventLoop()
    view.waiting = loop
    view.painted_at = 0.0
    QTimer.singleShot(PAINT_TIMEOUT_MS, loop.quit)
    started = time.perf_counter()
    action()
    if not view.painted_at:
        loop.exec()
    view.waiting = None
    if not view.painted_at:
        raise RuntimeError("the view was never painted")
    return (view.painted_at - started) * 1000


def _largest_two(path: Path) -> tuple[int, int, int]:
    with Catalogue.open(path) as catalogue:
        sizes = sorted(
            ((catalogue.browse.count(c), c) for c in catalogue.browse.ids(None)), reverse=True
        )
    (count, largest), (_, other) = sizes[0], sizes[1]
    return largest, other, count


def one_run(app: QApplication, path: Path, largest: int, other: int) -> dict[str, float]:
    """One pass over the steps, in a window that is already on screen, as in the program."""
    model = RecordsModel()
    view = TimedView(model)
    view.resize(1200, 800)
    view.show()
    _settle(app)
    opened: list[Catalogue] = []

    def open_catalogue() -> None:
        opened.append(Catalogue.open(path))
        model.set_catalogue(opened[0])
        model.set_parent(largest)

    def list_everything() -> None:
        model.set_ids(opened[0].browse.ids(None, "position", recursive=True))

    steps: dict[str, Callable[[], object]] = {
        "open catalogue → first rows painted": open_catalogue,
        "jump to the last row": view.scrollToBottom,
        "open another collection": lambda: model.set_parent(other),
        "sort by title": lambda: view.sortByColumn(TITLE, Qt.SortOrder.AscendingOrder),
        "sort by reference code, descending": lambda: view.sortByColumn(
            REFERENCE_CODE, Qt.SortOrder.DescendingOrder
        ),
        "back to the arrangement order": lambda: view.sortByColumn(-1, Qt.SortOrder.AscendingOrder),
        "every record as one list": list_everything,
    }
    times: dict[str, float] = {}
    try:
        for step, action in steps.items():
            times[step] = _until_painted(view, action)
            _settle(app)
    finally:
        view.close()
        view.deleteLater()
        for catalogue in opened:
            catalogue.close()
        _settle(app)
    return times


SEARCHES = {
    "search, rare word → results painted": "rareword01234",
    "search, common word → results painted": "prison",
    "search, Persian word → results painted": "خاوران",
    "search, word and filters → results painted": "mothers lang:en date:1988..1990",
}


class _PaintWatch(QObject):
    """Notes when the records list of the main window has painted."""

    def __init__(self, target: QWidget) -> None:
        super().__init__(target)
        self.painted_at = 0.0
        self.reset_at = 0.0
        target.installEventFilter(self)

    def reset(self) -> None:
        self.reset_at = time.perf_counter()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted_at = time.perf_counter()
        return False


def search_run(app: QApplication, path: Path, scratch: Path) -> dict[str, float]:
    """In the real window: from Enter in the search box (typing is debounced by 250 ms
    before this) until the results list has painted with the new results."""
    settings = UiSettings(QSettings(str(scratch / "ui.ini"), QSettings.Format.IniFormat))
    settings.set_backups_to_keep(0)
    window = MainWindow(settings)
    window.resize(1400, 900)
    window.show()
    window.open_catalogue(path)
    _settle(app)
    watch = _PaintWatch(window.records_view.viewport())
    window.records.modelReset.connect(watch.reset)
    times: dict[str, float] = {}
    for step, query in SEARCHES.items():
        watch.reset_at = 0.0
        started = time.perf_counter()
        window.search.set_query(query)
        deadline = started + PAINT_TIMEOUT_MS / 1000
        while not (watch.reset_at and watch.painted_at > watch.reset_at):
            if time.perf_counter() > deadline:
                raise RuntimeError(f"no results painted for {query!r}")
            app.processEvents()
            time.sleep(0.001)
        times[step] = (watch.painted_at - started) * 1000
        _settle(app)
    window.close()
    _settle(app)
    return times


def _wait(app: QApplication, done: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    deadline = time.perf_counter() + timeout_s
    while not done():
        if time.perf_counter() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)


def _median_p95(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _open_window(app: QApplication, path: Path, scratch: Path) -> MainWindow:
    settings = UiSettings(QSettings(str(scratch / "ui.ini"), QSettings.Format.IniFormat))
    settings.set_backups_to_keep(0)  # a backup of a 3 GB catalogue would run beside the steps
    window = MainWindow(settings)
    window.resize(*SCREEN)
    window.show()
    window.activateWindow()  # its shortcuts work only in the active window
    _wait(app, window.isActiveWindow, "the window to be active")
    return window


def _rows_painted(app: QApplication, window: MainWindow, action: Callable[[], object]) -> float:
    """Milliseconds from `action` until the middle list has painted rows it was given since."""
    watch = _PaintWatch(window.records_view.viewport())
    window.records.modelReset.connect(watch.reset)
    watch.reset_at = 0.0
    started = time.perf_counter()
    action()
    if not watch.reset_at:
        watch.reset_at = started  # the rows came without a reset of the model
    _wait(
        app,
        lambda: watch.painted_at > watch.reset_at and window.records.rowCount() > 0,
        "the first rows",
    )
    window.records.modelReset.disconnect(watch.reset)
    window.records_view.viewport().removeEventFilter(watch)
    return (watch.painted_at - started) * 1000


def _tree_index(window: MainWindow, role: int, value: object) -> QModelIndex | None:
    """The first item of the window's tree (at any depth) whose `role` starts with `value`."""
    model = window.hierarchy
    found = model.match(
        model.index(0, 0),
        role,
        value,
        1,
        Qt.MatchFlag.MatchStartsWith | Qt.MatchFlag.MatchRecursive,  # a view's count follows
    )
    return found[0] if found else None


@dataclass
class Figures:
    """One pass's times in ms: single steps, and samples of the steps done many times."""

    steps: dict[str, float] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)


def window_run(
    app: QApplication, path: Path, scratch: Path, largest: int, *, batch: bool
) -> Figures:
    """In the real window: first rows painted, switching records, and (once) a batch edit."""
    figures = Figures()
    window = _open_window(app, path, scratch)
    try:
        figures.steps["window: open catalogue → first rows painted"] = _rows_painted(
            app, window, lambda: window.open_catalogue(path)
        )
        _settle(app)
        collection = _tree_index(window, UNIT_ID_ROLE, largest)

        def choose_collection() -> None:
            if collection is not None:
                window.tree.setCurrentIndex(collection)
            else:  # what choosing it in the tree does
                print("the largest collection is not in the tree: listing it directly")
                window.records.set_parent(largest)

        figures.steps["window: choose the largest collection → first rows painted"] = _rows_painted(
            app, window, choose_collection
        )
        _settle(app)
        everything = _tree_index(window, Qt.ItemDataRole.DisplayRole, "All records")
        if everything is not None:
            figures.steps["window: choose All records → first rows painted"] = _rows_painted(
                app, window, lambda: window.tree.setCurrentIndex(everything)
            )
            _settle(app)
            choose_collection()
            _wait(app, lambda: window.records.rowCount() > SWITCHES, "the collection's rows")
        figures.samples["switch record (Down) → Description tab painted"] = _switches(app, window)
        if batch:
            total, gap, idle = _batch_edit(app, window)
            figures.steps[f"batch edit of {BATCH:,} records: OK → done"] = total
            figures.steps["  longest event-loop pause while it runs"] = gap
            figures.steps["  longest event-loop pause, window idle (floor)"] = idle
    finally:
        window.close()
        _settle(app)
    return figures


class _DescriptionPaints(QObject):
    """Notes when the Description tab's title field paints while showing `expected`."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        assert window.detail is not None
        self.tab = window.detail.description
        self.target = self.tab.fields["title"].editor
        self.expected: int | None = None
        self.painted_at = 0.0
        self.target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.tab.unit_id == self.expected:
            self.painted_at = time.perf_counter()
        return False


def _switches(app: QApplication, window: MainWindow) -> list[float]:
    """Down arrow in the middle list, SWITCHES times from its middle row."""
    view, detail = window.records_view, window.detail
    assert detail is not None
    detail.setCurrentWidget(detail.description)
    middle = window.records.rowCount() // 2
    view.setFocus()
    view.selectRow(middle)
    view.scrollTo(window.records.index(middle, 0))
    _wait(app, lambda: detail.detail is not None and detail.detail.id == detail.unit_id, "a record")
    _settle(app)
    watch = _DescriptionPaints(window)
    times = []
    for _ in range(SWITCHES):
        watch.painted_at = 0.0
        started = time.perf_counter()
        QTest.keyClick(view, Qt.Key.Key_Down)
        watch.expected = view.current_unit()
        _wait(app, lambda: watch.painted_at > 0, "the Description tab's paint")
        times.append((watch.painted_at - started) * 1000)
        _settle(app)
    watch.target.removeEventFilter(watch)
    return times


class _Ticks(QObject):
    """A timer on the GUI thread ticking every TICK_MS; the longest pause between ticks."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def start(self) -> None:
        self.last, self.longest = time.perf_counter(), 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        self._tick()
        return self.longest * 1000


def _click_row(view: QWidget, rect_center: QPoint, *, shift: bool = False) -> None:
    modifier = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    QTest.mouseClick(view, Qt.MouseButton.LeftButton, modifier, rect_center)


def _batch_edit(app: QApplication, window: MainWindow) -> tuple[float, float, float]:
    """Select BATCH rows (click, Shift+click), Batch Edit, set the access status, OK."""
    view, model = window.records_view, window.records
    window.activateWindow()
    _wait(app, window.isActiveWindow, "the window to be active")
    view.setFocus()
    view.scrollToTop()
    _settle(app)
    _click_row(view.viewport(), view.visualRect(model.index(0, TITLE)).center())
    last = min(BATCH, model.rowCount()) - 1  # a small catalogue's collection may hold fewer
    view.scrollTo(model.index(last, 0))
    _settle(app)
    _click_row(view.viewport(), view.visualRect(model.index(last, TITLE)).center(), shift=True)
    ids = view.selected_ids()
    assert len(ids) == last + 1, f"{len(ids)} rows selected"
    catalogue = window.catalogue
    assert catalogue is not None
    before = catalogue.units.get(ids[-1]).access_status
    wanted = "confidential" if before != "confidential" else "restricted"
    ticks = _Ticks()
    ticks.start()
    idle_from = time.perf_counter()
    _wait(app, lambda: time.perf_counter() - idle_from > 1.0, "a second", 5)
    idle = ticks.stop()
    timing: dict[str, float] = {}

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, BatchEditDialog):
            QTimer.singleShot(10, fill)
            return
        dialog.access_box.setFocus()
        QTest.keyClick(dialog.access_box, Qt.Key.Key_Space)
        QTest.keyClicks(dialog.access, wanted[0])
        assert dialog.access.currentText() == wanted
        ticks.start()
        timing["started"] = time.perf_counter()
        QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, fill)
    QTest.keySequence(view, window.batch_action.shortcut())

    def done() -> bool:
        if window.tasks.busy():
            return False
        with closing(sqlite3.connect(f"file:{catalogue.path}?mode=ro", uri=True)) as bare:
            row = bare.execute("SELECT access_status FROM units WHERE id = ?", (ids[-1],))
            return bool(row.fetchone()[0] == wanted)

    _wait(app, done, "the batch edit", BATCH_TIMEOUT_S)
    total = (time.perf_counter() - timing["started"]) * 1000
    return total, ticks.stop(), idle


# -- floors: the bare SQL reads of what the steps show -------------------------------------------


@contextmanager
def _bare(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        yield connection


def floors(path: Path, largest: int) -> dict[str, float]:
    """Milliseconds (median) of the bare SQL each window step cannot do without."""
    with _bare(path) as bare:
        count = bare.execute("SELECT count(*) FROM units WHERE parent_id = ?", (largest,))
        middle = int(count.fetchone()[0]) // 2
        ids = [
            row[0]
            for row in bare.execute(
                "SELECT id FROM units WHERE parent_id = ? ORDER BY position LIMIT ?, ?",
                (largest, middle, SWITCHES),
            )
        ]

        def one_record(unit_id: int) -> None:
            bare.execute("SELECT * FROM units WHERE id = ?", (unit_id,)).fetchall()
            for table in ("files", "provenance_events", "reliability_assessments"):
                bare.execute(f"SELECT * FROM {table} WHERE unit_id = ?", (unit_id,)).fetchall()

        switch = []
        for unit_id in ids:
            started = time.perf_counter()
            one_record(unit_id)
            switch.append((time.perf_counter() - started) * 1000)

        def first_rows() -> None:
            bare.execute("SELECT count(*) FROM units WHERE parent_id = ?", (largest,)).fetchall()
            bare.execute(
                "SELECT id, reference_code, title, date_expression, media_type, "
                "current_source_reliability, access_status FROM units WHERE parent_id = ? "
                "ORDER BY position LIMIT 60",
                (largest,),
            ).fetchall()

        rows = []
        for _ in range(5):
            started = time.perf_counter()
            first_rows()
            rows.append((time.perf_counter() - started) * 1000)
    with closing(sqlite3.connect(path)) as writable:
        batch_ids = [
            row[0]
            for row in writable.execute(
                "SELECT id FROM units WHERE parent_id = ? ORDER BY position LIMIT ?",
                (largest, BATCH),
            )
        ]
        started = time.perf_counter()
        writable.executemany(
            "UPDATE units SET access_status = 'confidential', version = version + 1 WHERE id = ?",
            [(unit_id,) for unit_id in batch_ids],
        )
        batch = (time.perf_counter() - started) * 1000
        writable.rollback()
    return {
        "switch": statistics.median(switch),
        "switch p95": _median_p95(switch)[1],
        "rows": statistics.median(rows),
        "batch": batch,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the catalogue here")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = generated_catalogue(folder, args.documents)
        largest, other, count = _largest_two(path)
        runs: list[Figures] = []
        for number in range(args.runs):
            figures = window_run(app, path, Path(scratch), largest, batch=number == 0)
            figures.steps = (
                one_run(app, path, largest, other)
                | search_run(app, path, Path(scratch))
                | figures.steps
            )
            runs.append(figures)
            print(f"run {number + 1}: {figures.steps}", file=sys.stderr, flush=True)
        floor = floors(path, largest)
    load = os.getloadavg()
    print(
        f"\n{args.documents:,} records; largest collection {count:,} records; "
        f"{args.runs} runs; times in ms until the view's paint has finished; load average "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} cores\n"
    )
    floor_of = {
        "window: open catalogue → first rows painted": floor["rows"],
        "window: choose the largest collection → first rows painted": floor["rows"],
        "window: choose All records → first rows painted": floor["rows"],
        f"batch edit of {BATCH:,} records: OK → done": floor["batch"],
    }
    print("| step | first run | median | 95th percentile | floor |")
    print("|---|---:|---:|---:|---:|")
    for step in runs[0].steps:
        values = [run.steps[step] for run in runs if step in run.steps]
        below = f"{floor_of[step]:,.1f}" if step in floor_of else ""
        print(f"| {step} | {values[0]:,.0f} | {statistics.median(values):,.0f} | | {below} |")
    for step in runs[0].samples:
        first = _median_p95(runs[0].samples[step])
        median, p95 = _median_p95([value for run in runs for value in run.samples[step]])
        print(
            f"| {step} ({SWITCHES} a run) | {first[0]:,.1f} | {median:,.1f} | {p95:,.1f} | "
            f"{floor['switch']:,.2f} / {floor['switch p95']:,.2f} |"
        )
    print(
        "\nfloors: the bare SQL (Python's sqlite3) reads of the first rows' columns and count, "
        "of one record with its originals, events and assessments (median / 95th percentile), "
        f"and the UPDATE of {BATCH:,} rows' access status (rolled back); for the pause, the "
        "timer's longest pause in an idle second."
    )
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
