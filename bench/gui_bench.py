"""How fast the records table opens and moves on a generated catalogue, measured on screen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.gui_bench --documents 1000000 [--keep DIR]

Builds (or reuses, with --keep) the catalogue of `bench.search_bench` (10 collections sharing N
records), then times, in a real RecordsView already on screen (as in the program's window),
from each action until the view's next paint has finished: opening the catalogue and showing
its largest collection, jumping to the last row, opening another collection, sorting by a
column, and listing every record at once; then, in the program's main window, from a search
being entered until its results are painted. Prints a table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QWidget

from bench.search_bench import generated_catalogue
from catalog_app.services import Catalogue
from catalog_app.ui.main_window import MainWindow
from catalog_app.ui.records_model import RecordsModel
from catalog_app.ui.records_view import RecordsView
from catalog_app.ui.settings import UiSettings

TITLE, REFERENCE_CODE = 1, 0
PAINT_TIMEOUT_MS = 60_000


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
        runs = [
            one_run(app, path, largest, other) | search_run(app, path, Path(scratch))
            for _ in range(args.runs)
        ]
    print(
        f"\n{args.documents:,} records; largest collection {count:,} records; "
        f"{args.runs} runs; times in ms until the view's paint has finished\n"
    )
    print("| step | first run | median |")
    print("|---|---:|---:|")
    for step in runs[0]:
        values = [run[step] for run in runs]
        print(f"| {step} | {values[0]:,.0f} | {statistics.median(values):,.0f} |")


if __name__ == "__main__":
    main()
