"""Running slow work off the GUI thread, with results delivered back on it.

Reads go to a pool of a few threads; writes to a pool of exactly one, so saves never race
(SQLite has one writer anyway). A task is a function; its result or its failure reaches the
caller's callbacks on the GUI thread. Long tasks take a `report(done, total) -> bool` callback
(the services' convention) whose False answer asks them to stop.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from catalog_app.errors import CatalogError
from catalog_app.logs import private

log = logging.getLogger(__name__)

T = TypeVar("T")
Report = Callable[[int, int], bool]
OnError = Callable[[str], None]
OnProgress = Callable[[int, int], None]

INTERNAL_ERROR = (
    "An internal error stopped this task; nothing you did caused it. "
    "The details were written to the log file."
)
MAX_READERS = 4
_SUPERSEDED = object()  # what a run_latest task returns when it was skipped


def failure_message(error: BaseException) -> str:
    """The plain words for a failed task: the user-facing message, or an apology for a bug."""
    if isinstance(error, CatalogError):
        log.warning("task refused: %s", private(error), exc_info=error)
        return str(error)
    log.error("background task failed", exc_info=error)
    return INTERNAL_ERROR


class TaskHandle:
    """Lets the caller ask a running task to stop at its next progress report."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()


class TaskSignals(QObject):
    """Made on the GUI thread, so the slots below (and the callbacks they call) run there."""

    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        on_done: Callable[[Any], None],
        on_error: OnError,
        on_progress: OnProgress | None,
        settled: Callable[[TaskSignals], None],
    ) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error
        self._on_progress = on_progress
        self._settled = settled
        self.finished.connect(self._deliver_result)
        self.failed.connect(self._deliver_failure)
        self.progress.connect(self._deliver_progress)

    @Slot(object)
    def _deliver_result(self, result: object) -> None:
        self._settle_later()
        self._on_done(result)

    @Slot(str)
    def _deliver_failure(self, message: str) -> None:
        self._settle_later()
        self._on_error(message)

    def _settle_later(self) -> None:
        # Letting go of this object inside its own slot would free it while Qt is still
        # delivering the signal to it; let go on the next turn of the event loop instead.
        QTimer.singleShot(0, lambda: self._settled(self))

    @Slot(int, int)
    def _deliver_progress(self, done: int, total: int) -> None:
        if self._on_progress is not None:
            self._on_progress(done, total)


class Task(QRunnable):
    """Runs `fn(report)` on a pool thread and emits the outcome through `signals`."""

    def __init__(
        self, fn: Callable[[Report], object], signals: TaskSignals, handle: TaskHandle
    ) -> None:
        super().__init__()
        self._fn = fn
        self._handle = handle
        self.signals = signals

    def _report(self, done: int, total: int) -> bool:
        self.signals.progress.emit(done, total)
        return not self._handle.cancelled

    def run(self) -> None:
        try:
            result = self._fn(self._report)
        except Exception as error:
            self.signals.failed.emit(failure_message(error))
        else:
            self.signals.finished.emit(result)


class TaskRunner(QObject):
    """Starts tasks on the reader or writer pool. `synchronous=True` runs them in place (tests)."""

    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self.readers = QThreadPool(self)
        cores = QThreadPool.globalInstance().maxThreadCount()
        self.readers.setMaxThreadCount(max(1, min(MAX_READERS, cores)))
        self.writer = QThreadPool(self)
        self.writer.setMaxThreadCount(1)
        # Tasks whose outcome has not reached the GUI thread yet; holding them keeps their
        # signal objects alive until then.
        self._pending: set[TaskSignals] = set()
        self._generations: dict[str, int] = {}

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
        """Like `run`, for a long task given a `report(done, total) -> bool` callback."""
        handle = TaskHandle()
        if self.synchronous:
            self._run_in_place(fn, on_done, on_error, on_progress, handle)
            return handle
        signals = TaskSignals(on_done, on_error, on_progress, self._pending.discard)
        self._pending.add(signals)
        (self.writer if write else self.readers).start(Task(fn, signals, handle))
        return handle

    def run_latest(
        self,
        key: str,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: OnError,
        *,
        write: bool = False,
    ) -> None:
        """Like `run`, but drop the outcome if another `run_latest` with `key` came after it.

        For searches as the user types: only the newest answer is shown, and a query that
        was superseded before it started is not run at all.
        """
        generation = self._generations[key] = self._generations.get(key, 0) + 1

        def current() -> bool:
            return self._generations.get(key) == generation

        def work() -> object:
            return fn() if current() else _SUPERSEDED

        def done(result: object) -> None:
            if current() and result is not _SUPERSEDED:
                on_done(cast(T, result))

        def failed(message: str) -> None:
            if current():
                on_error(message)

        self.run(work, done, failed, write=write)

    def forget(self, key: str) -> None:
        """Drop the outcome of any pending `run_latest(key, ...)` (e.g. the catalogue closed)."""
        self._generations[key] = self._generations.get(key, 0) + 1

    def busy(self) -> bool:
        """Whether some task's outcome has not been delivered yet."""
        return bool(self._pending)

    def wait_for_done(self, msecs: int = -1) -> bool:
        """At shutdown: drop reads not started yet, let started ones and every write finish.

        Their outcomes are not delivered (that needs the event loop). False on timeout.
        """
        self.readers.clear()
        readers_done = self.readers.waitForDone(msecs)
        return self.writer.waitForDone(msecs) and readers_done

    @staticmethod
    def _run_in_place(
        fn: Callable[[Report], T],
        on_done: Callable[[T], None],
        on_error: OnError,
        on_progress: OnProgress | None,
        handle: TaskHandle,
    ) -> None:
        def report(done: int, total: int) -> bool:
            if on_progress is not None:
                on_progress(done, total)
            return not handle.cancelled

        try:
            result = fn(report)
        except Exception as error:
            on_error(failure_message(error))
        else:
            on_done(result)


# -- work off the GUI thread -----------------------------------------------------------------


class BackgroundWork(QObject):
    """Runs functions on a thread pool and posts their results back to the GUI thread.

    Each `start` returns a ticket; `done(ticket, result)` or `failed(ticket, error)` follows.
    Callers drop results whose ticket is older than the one they wait for.
    """

    done = Signal(int, object)
    failed = Signal(int, object)

    def __init__(self, parent: QObject, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._tickets = 0

    def start(self, work: Callable[[], object]) -> int:
        self._tickets += 1
        self.pool.start(_Job(self, self._tickets, work))
        return self._tickets


class _Job(QRunnable):
    def __init__(self, owner: BackgroundWork, ticket: int, work: Callable[[], object]) -> None:
        super().__init__()
        self._owner = owner
        self._ticket = ticket
        self._work = work

    def run(self) -> None:
        try:
            outcome, value = self._owner.done, self._work()
        except Exception as error:  # handed to the GUI thread, which shows it
            # A bug is logged here and shown as an apology, never as its raw text.
            plain = (
                error if isinstance(error, CatalogError) else CatalogError(failure_message(error))
            )
            outcome, value = self._owner.failed, plain
        # RuntimeError: the tab was closed meanwhile, and nobody is waiting for this.
        with contextlib.suppress(RuntimeError):
            outcome.emit(self._ticket, value)
