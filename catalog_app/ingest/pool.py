"""A small supervisor of extraction workers (see `worker`): files go out a few at a time,
results come back as they finish, and a worker that overruns the time limit, crashes or
runs out of memory is replaced while the rest go on.

Why not concurrent.futures or pebble: both run on multiprocessing, whose forkserver and
resource tracker outlive a killed parent, neither makes a worker die with its parent, and
neither can say that a file's original was stored before its reader died, which is what
lets such a file still be catalogued. Plain subprocesses and pipes do all of that, with no
process but the workers themselves.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from catalog_app.ingest.limits import READER_STOPPED, Limits, too_slow
from catalog_app.ingest.prepare import PLAIN, ImportTask, Prepared, TaskKeys, failure
from catalog_app.ingest.worker import read_frame, write_frame
from catalog_app.logs import private

WORKER_MODULE = "catalog_app.ingest.worker"
# Files queued at a worker beyond the one it is reading. None: a file queued behind a slow
# one would wait for it, and the round trip costs far less than reading a file.
PREFETCH = 0
STOP_SECONDS = 5.0  # an idle worker's time to leave before it is killed
FAILED_STARTS = 3  # workers in a row that die before saying anything: a broken install
_log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    errors: IO[bytes]  # its stderr, for the log should it die
    assigned: deque[int] = field(default_factory=deque)
    reading: Prepared | None = None  # the file it is reading, once its original is stored
    since: float = 0.0
    alive: bool = True
    spoke: bool = False
    retiring: bool = False  # it said it leaves after its current file

    def stderr_tail(self) -> str:
        with contextlib.suppress(OSError, ValueError):
            self.errors.seek(0, os.SEEK_END)
            self.errors.seek(max(0, self.errors.tell() - 4000))
            return self.errors.read().decode("utf-8", "replace")
        return ""


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill the worker and whatever it started (Tesseract), which share its process group."""
    if process.poll() is not None:
        return  # gone and reaped: its number may already be another process's
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()


class ExtractionPool:
    """`results()` yields (index, Prepared) for every task, in the order they finish.

    Workers are started, and replaced, from the thread that iterates: on Linux a worker
    dies with the thread that started it, and that thread lives until the pool is closed.
    """

    def __init__(
        self,
        tasks: Sequence[ImportTask],
        workers: int,
        limits: Limits,
        keys: TaskKeys = PLAIN,
    ) -> None:
        self._tasks = tasks
        self._size = max(1, min(workers, len(tasks)))
        self._limits = limits
        self._keys = keys
        self._events: queue.Queue[tuple[_Worker, Any]] = queue.Queue()
        self._workers: list[_Worker] = []
        self._pending: deque[int] = deque(range(len(tasks)))
        self._silent_deaths = 0

    def results(self) -> Generator[tuple[int, Prepared]]:
        with contextlib.closing(self.results_or_idle(None)) as results:
            for result in results:
                assert result is not None  # no idle ticks were asked for
                yield result

    def results_or_idle(self, idle: float | None) -> Generator[tuple[int, Prepared] | None]:
        """As `results()`, and None each time `idle` seconds pass with no file finished, so
        the caller can commit what it holds while one file is slow to read."""
        clean = False
        try:
            remaining = len(self._tasks)
            quiet_since = time.monotonic()
            while remaining:
                self._staff()
                for worker in self._live():
                    self._dispatch(worker)
                finished = self._handle(self._next_event(idle)) + self._overdue()
                for result in finished:
                    remaining -= 1
                    yield result
                now = time.monotonic()
                if finished:
                    quiet_since = now
                elif idle is not None and now - quiet_since >= idle:
                    quiet_since = now
                    yield None
            clean = True
        finally:
            self._stop(kill=not clean)

    def finish(self) -> list[tuple[int, Prepared]]:
        """Stop handing out files and wait for those being read (each within the time
        limit): their originals are stored, so they are worth cataloguing or removing."""
        self._pending.clear()
        for worker in self._live():
            if worker.process.stdin is not None:
                with contextlib.suppress(OSError):
                    worker.process.stdin.close()  # each leaves after its current file
        results: list[tuple[int, Prepared]] = []
        while any(w.assigned for w in self._live()):
            results += self._handle(self._next_event())
            results += self._overdue()
        self._pending.clear()
        return results

    # -- workers -------------------------------------------------------------------------

    def _live(self) -> list[_Worker]:
        return [w for w in self._workers if w.alive and not w.retiring]

    def _staff(self) -> None:
        busy = sum(1 for w in self._live() if w.assigned)
        wanted = min(self._size, busy + len(self._pending))
        for _ in range(wanted - len(self._live())):
            self._start()

    def _start(self) -> None:
        errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed in _stop)
        process = subprocess.Popen(
            [sys.executable, "-m", WORKER_MODULE, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            start_new_session=True,  # its own process group, so a kill takes Tesseract too
        )
        worker = _Worker(process, errors)
        self._workers.append(worker)
        threading.Thread(target=self._listen, args=(worker,), daemon=True).start()
        assert process.stdin is not None
        with contextlib.suppress(OSError):  # it died at once: its end of file says so
            write_frame(process.stdin, (self._limits, self._keys))

    def _listen(self, worker: _Worker) -> None:
        stream = worker.process.stdout
        assert stream is not None
        with contextlib.suppress(OSError, EOFError, ValueError):
            while (message := read_frame(stream)) is not None:
                self._events.put((worker, message))
        stream.close()
        self._events.put((worker, None))

    def _dispatch(self, worker: _Worker) -> None:
        stdin = worker.process.stdin
        assert stdin is not None
        while (
            not worker.retiring
            and not stdin.closed
            and self._pending
            and len(worker.assigned) <= PREFETCH
        ):
            index = self._pending.popleft()
            try:
                write_frame(stdin, (index, self._tasks[index]))
            except OSError:
                self._pending.appendleft(index)  # it is dying: its end of file comes next
                return
            worker.assigned.append(index)

    # -- events --------------------------------------------------------------------------

    def _next_event(self, idle: float | None = None) -> tuple[_Worker, Any] | None:
        reading = [w.since for w in self._live() if w.reading is not None]
        timeout = idle
        if reading:
            overdue = max(0.0, min(reading) + self._limits.seconds - time.monotonic()) + 0.01
            timeout = overdue if idle is None else min(idle, overdue)
        try:
            return self._events.get(timeout=timeout)
        except queue.Empty:
            return None

    def _handle(self, event: tuple[_Worker, Any] | None) -> list[tuple[int, Prepared]]:
        if event is None:
            return []
        worker, message = event
        if not worker.alive:
            return []  # a worker already given up on
        worker.spoke = worker.spoke or message is not None
        if message is None:
            return self._died(worker)
        if message[0] == "stored":
            worker.reading, worker.since = message[2], time.monotonic()
            return []
        _, index, prepared, retire = message
        worker.assigned.remove(index)
        worker.reading = None
        if retire:
            # The files already handed to it were never started: they go to another worker.
            worker.retiring = True
            self._pending.extendleft(reversed(worker.assigned))
            worker.assigned.clear()
        self._silent_deaths = 0
        return [(index, prepared)]

    def _died(self, worker: _Worker) -> list[tuple[int, Prepared]]:
        """A worker's output ended: it retired, crashed or was killed by the system."""
        worker.alive = False
        worker.process.wait()
        results: list[tuple[int, Prepared]] = []
        if worker.assigned and worker.reading is not None:
            index = worker.assigned.popleft()
            _log.warning(
                "the extraction worker stopped (exit %s) reading %s:\n%s",
                worker.process.returncode,
                private(worker.reading.path),
                private(worker.stderr_tail()),
            )
            results.append((index, worker.reading.without_text(READER_STOPPED)))
        elif worker.assigned and worker.spoke:
            index = worker.assigned.popleft()
            reason = "it could not be stored: the reading process stopped unexpectedly"
            results.append((index, failure(self._tasks[index].path, reason)))
        elif not worker.spoke:
            self._silent_deaths += 1
            if self._silent_deaths >= FAILED_STARTS:
                raise RuntimeError(f"text extraction workers do not start:\n{worker.stderr_tail()}")
        self._pending.extendleft(reversed(worker.assigned))
        worker.assigned.clear()
        return results

    def _overdue(self) -> list[tuple[int, Prepared]]:
        now = time.monotonic()
        results = []
        for worker in self._live():
            if worker.reading is not None and now - worker.since > self._limits.seconds:
                _kill(worker.process)
                worker.alive = False
                worker.process.wait()
                slow = worker.reading.without_text(too_slow(self._limits.seconds))
                results.append((worker.assigned.popleft(), slow))
                self._pending.extendleft(reversed(worker.assigned))
                worker.assigned.clear()
        return results

    def _stop(self, *, kill: bool) -> None:
        for worker in self._workers:
            if worker.process.stdin is not None:
                with contextlib.suppress(OSError):
                    worker.process.stdin.close()
            if kill:
                _kill(worker.process)
        deadline = time.monotonic() + STOP_SECONDS
        for worker in self._workers:
            try:
                worker.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _kill(worker.process)
                worker.process.wait()
            worker.errors.close()
