"""The window's one operations lane: everything it reads or writes off the GUI thread.

Reads run on a pool of a few threads; writes on a pool of exactly one (the design's one
writer; SQLite has one anyway), so writes run one at a time, in the order they were asked
for. An operation is a function; its result, or its failure in plain words, reaches the
caller's callbacks on the GUI thread. In the style of Anki's QueryOp and CollectionOp:

- `QueryOp(work)` reads. With `latest=key`, only the newest answer for `key` is delivered
  (searches as the person types), and one superseded before it started is not run at all.
- `WriteOp(work)` changes the catalogue: `work` returns an `Outcome`, its value and the
  `Changes` it made; on success the lane emits `changed(Changes)`, which the window's views
  refresh from, and shows the words of the change in the status bar.

Long operations take a `report(done, total) -> bool` callback (the services' convention)
whose False answer asks them to stop. While a write is in flight the lane says so
(`writing`), shows a busy cursor once it has taken longer than BUSY_CURSOR_MS, and a write
with a label reports its progress as status text (`activity`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar, cast

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication

from catalog_app.errors import CatalogError, MissingComponent
from catalog_app.logs import private
from catalog_app.ui.changes import NOTHING, Changes

log = logging.getLogger(__name__)

T = TypeVar("T")
Report = Callable[[int, int], bool]
OnError = Callable[[str], None]
OnProgress = Callable[[int, int], None]

INTERNAL_ERROR = (
    "An internal error stopped this task; nothing you did caused it. "
    "The details were written to the log file."
)
MISSING_PART = (
    "A part of the program is missing ({name}), so this could not be done; reinstall "
    "Catalog to put it back. The details were written to the log file."
)
MAX_READERS = 4
BUSY_CURSOR_MS = 300  # quicker writes do not flash the cursor
_SUPERSEDED = object()  # what a `latest` operation returns when it was skipped


def failure_message(error: BaseException) -> str:
    """The plain words for a failed operation: the user-facing message, or an apology."""
    if isinstance(error, CatalogError):
        log.warning("operation refused: %s", private(error), exc_info=error)
        return str(error)
    if isinstance(error, ImportError):  # a library that did not install, or broke
        log.error("a part of the program is missing", exc_info=error)
        return str(MissingComponent(MISSING_PART.format(name=error.name or "a library")))
    log.error("background operation failed", exc_info=error)
    return INTERNAL_ERROR


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a write returns: its value for the caller, and what it changed for the views."""

    value: T
    changes: Changes = NOTHING


class TaskHandle:
    """Lets the caller ask a running operation to stop at its next progress report."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()


# -- operations ---------------------------------------------------------------------------------


class _Op(Generic[T]):
    def __init__(self) -> None:
        self.on_success: Callable[[T], object] | None = None
        self.on_failure: OnError | None = None
        self.on_progress: OnProgress | None = None

    def success(self, fn: Callable[[T], object]) -> Self:
        self.on_success = fn
        return self

    def failure(self, fn: OnError) -> Self:
        self.on_failure = fn
        return self

    def progress(self, fn: OnProgress) -> Self:
        self.on_progress = fn
        return self


class QueryOp(_Op[T]):
    """A read: `work(report)` on a reader thread; `success(result)` on the GUI thread."""

    def __init__(self, work: Callable[[Report], T], *, latest: str | None = None) -> None:
        super().__init__()
        self.work = work
        self.latest = latest

    def run_in_background(self, lane: Operations) -> TaskHandle:
        return lane.start_query(self)


class WriteOp(_Op[T]):
    """A change to the catalogue: `work(report)` on the writer thread returns an Outcome;
    on the GUI thread `success(value)`, then the lane's `changed(changes)`. `label` (e.g.
    "Editing 10,000 records") is shown with the progress the work reports."""

    def __init__(self, work: Callable[[Report], Outcome[T]], *, label: str = "") -> None:
        super().__init__()
        self.work = work
        self.label = label

    def run_in_background(self, lane: Operations) -> TaskHandle:
        return lane.start_write(self)


# -- running them -------------------------------------------------------------------------------


class _Delivery(QObject):
    """Made on the GUI thread, so its slots (and the callbacks they call) run there."""

    progress = Signal(object, object)  # not int: a backup counts bytes beyond 2**31
    finished = Signal(object)
    failed = Signal(object)  # the exception

    def __init__(
        self,
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None],
        on_progress: OnProgress | None,
        ended: Callable[[_Delivery], None],
    ) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error
        self._on_progress = on_progress
        self._ended = ended
        self._over = False
        self.finished.connect(self._deliver_result)
        self.failed.connect(self._deliver_failure)
        self.progress.connect(self._deliver_progress)

    @Slot(object)
    def _deliver_result(self, result: object) -> None:
        if not self._over:
            try:
                self._on_done(result)
            finally:
                self.end()

    @Slot(object)
    def _deliver_failure(self, error: Exception) -> None:
        if not self._over:
            try:
                self._on_error(error)
            finally:
                self.end()

    @Slot(object, object)
    def _deliver_progress(self, done: int, total: int) -> None:
        if self._on_progress is not None and not self._over:
            self._on_progress(done, total)

    def end(self) -> None:
        """No more callbacks: the outcome was delivered, or is dropped (the lane shut)."""
        if not self._over:
            self._over = True
            self._ended(self)


class _Task(QRunnable):
    """Runs `fn(report)` on a pool thread and emits the outcome through `delivery`."""

    def __init__(self, fn: Callable[[Report], object], delivery: _Delivery, handle: TaskHandle):
        super().__init__()
        self._fn = fn
        self._handle = handle
        self._delivery = delivery

    def _report(self, done: int, total: int) -> bool:
        self._delivery.progress.emit(done, total)
        return not self._handle.cancelled

    def run(self) -> None:
        try:
            result = self._fn(self._report)
        except Exception as error:  # told on the GUI thread, never lost in this one
            self._delivery.failed.emit(error)
        else:
            self._delivery.finished.emit(result)


class Operations(QObject):
    """The lane. `synchronous=True` runs every operation in place (a test double)."""

    changed = Signal(object)  # Changes, after each write that succeeded
    refused = Signal(str)  # a write failed and had no failure callback of its own
    writing = Signal(bool)  # whether a write is in flight (undo and redo wait for it)
    activity = Signal(str)  # progress of a labelled write; "" when it ends

    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self.readers = QThreadPool(self)
        cores = QThreadPool.globalInstance().maxThreadCount()
        self.readers.setMaxThreadCount(max(1, min(MAX_READERS, cores)))
        self.writer = QThreadPool(self)
        self.writer.setMaxThreadCount(1)
        # Operations whose outcome has not reached the GUI thread yet; holding them keeps
        # their delivery objects alive until then.
        self._pending: set[_Delivery] = set()
        self._generations: dict[str, int] = {}
        self._writes = 0
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_CURSOR_MS)
        self._busy_timer.timeout.connect(self._show_busy_cursor)
        self._busy_cursor = False

    # -- the runner's plain calls (reads, and writes that change nothing the views show) ----

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: OnError,
        *,
        write: bool = False,
    ) -> None:
        """Run `fn()` off the GUI thread; then `on_done(result)` or `on_error(message)` on it."""
        self.run_reporting(lambda _report: fn(), on_done, on_error, write=write)

    def run_reporting(
        self,
        fn: Callable[[Report], T],
        on_done: Callable[[T], None],
        on_error: OnError,
        on_progress: OnProgress | None = None,
        *,
        write: bool = False,
    ) -> TaskHandle:
        """Like `run`, for a long operation given a `report(done, total) -> bool` callback."""
        op: WriteOp[T] | QueryOp[T]
        op = WriteOp(lambda report: Outcome(fn(report))) if write else QueryOp(fn)
        op.success(on_done).failure(on_error)
        if on_progress is not None:
            op.progress(on_progress)
        return op.run_in_background(self)

    def run_latest(
        self, key: str, fn: Callable[[], T], on_done: Callable[[T], None], on_error: OnError
    ) -> None:
        """Like `run`, but drop the outcome if another `run_latest` with `key` came after it."""
        QueryOp(lambda _report: fn(), latest=key).success(on_done).failure(
            on_error
        ).run_in_background(self)

    def forget(self, key: str) -> None:
        """Drop the outcome of any pending `latest=key` read (e.g. the catalogue closed)."""
        self._generations[key] = self._generations.get(key, 0) + 1

    def busy(self) -> bool:
        """Whether some operation's outcome has not been delivered yet."""
        return bool(self._pending) or self._writes > 0

    @property
    def writing_now(self) -> bool:
        return self._writes > 0

    def wait_for_done(self, msecs: int = -1) -> bool:
        """At shutdown: drop reads not started yet, let started ones and every write finish.

        Their outcomes are dropped: they are about what is being closed. False on timeout.
        """
        self.readers.clear()
        readers_done = self.readers.waitForDone(msecs)
        done = self.writer.waitForDone(msecs) and readers_done
        for delivery in list(self._pending):
            delivery.end()
        return done

    # -- starting operations ---------------------------------------------------------------------

    def start_query(self, op: QueryOp[T]) -> TaskHandle:
        work: Callable[[Report], object] = op.work
        current: Callable[[], bool] = lambda: True  # noqa: E731
        if op.latest is not None:
            key = op.latest
            generation = self._generations[key] = self._generations.get(key, 0) + 1
            current = lambda: self._generations.get(key) == generation  # noqa: E731
            work = lambda report: op.work(report) if current() else _SUPERSEDED  # noqa: E731

        def done(result: object) -> None:
            if current() and result is not _SUPERSEDED and op.on_success is not None:
                op.on_success(cast(T, result))

        def failed(message: str) -> None:
            if current() and op.on_failure is not None:
                op.on_failure(message)

        return self._start(work, done, failed, op.on_progress, write=False)

    def start_write(self, op: WriteOp[T]) -> TaskHandle:
        def progress(done: int, total: int) -> None:
            if op.label:
                self.activity.emit(f"{op.label}… {done:,} of {total:,}")
            if op.on_progress is not None:
                op.on_progress(done, total)

        def done(result: object) -> None:
            outcome = cast(Outcome[T], result)
            if op.label:
                self.activity.emit("")
            if op.on_success is not None:
                op.on_success(outcome.value)
            if outcome.changes != NOTHING:
                self.changed.emit(outcome.changes)

        def failed(message: str) -> None:
            if op.label:
                self.activity.emit("")
            if op.on_failure is not None:
                op.on_failure(message)
            else:
                self.refused.emit(message)

        self._writes += 1
        if self._writes == 1:
            self._busy_timer.start()
            self.writing.emit(True)
        return self._start(op.work, done, failed, progress, write=True)

    def _start(
        self,
        work: Callable[[Report], object],
        on_done: Callable[[object], None],
        on_error: OnError,
        on_progress: OnProgress | None,
        *,
        write: bool,
    ) -> TaskHandle:
        handle = TaskHandle()
        ended = self._write_ended if write else self._read_ended
        if self.synchronous:
            self._run_in_place(work, on_done, on_error, on_progress, handle)
            if write:
                self._writes_settled()
            return handle

        def told(error: Exception) -> None:
            on_error(failure_message(error))

        delivery = _Delivery(on_done, told, on_progress, ended)
        self._pending.add(delivery)
        (self.writer if write else self.readers).start(_Task(work, delivery, handle))
        return handle

    def _read_ended(self, delivery: _Delivery) -> None:
        self._release_later(delivery)

    def _write_ended(self, delivery: _Delivery) -> None:
        self._release_later(delivery)
        self._writes_settled()

    def _release_later(self, delivery: _Delivery) -> None:
        # Letting go of the object inside its own slot would free it while Qt is still
        # delivering the signal to it; let go on the next turn of the event loop instead.
        QTimer.singleShot(0, lambda: self._pending.discard(delivery))

    def _writes_settled(self) -> None:
        self._writes -= 1
        if self._writes:
            return
        self._busy_timer.stop()
        if self._busy_cursor:
            self._busy_cursor = False
            QGuiApplication.restoreOverrideCursor()
        self.writing.emit(False)

    def _show_busy_cursor(self) -> None:
        if self._writes and not self._busy_cursor:
            self._busy_cursor = True
            QGuiApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)

    @staticmethod
    def _run_in_place(
        work: Callable[[Report], object],
        on_done: Callable[[object], None],
        on_error: OnError,
        on_progress: OnProgress | None,
        handle: TaskHandle,
    ) -> None:
        def report(done: int, total: int) -> bool:
            if on_progress is not None:
                on_progress(done, total)
            return not handle.cancelled

        try:
            result = work(report)
        except Exception as error:
            on_error(failure_message(error))
        else:
            on_done(result)
