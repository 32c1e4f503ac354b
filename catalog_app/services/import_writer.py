"""The import's one writer, on a thread of its own: the thread that hands files to the
extraction workers and collects their results passes each finished batch here and goes on at
once, so the workers keep reading while a batch is flushed to disk and committed (the two
overlap; before, every worker waited for every commit).

Batches are written one at a time, in the order they were handed over. The first error
stops the writing: that batch and later ones are kept in `unwritten` (their files were never
catalogued) and the error is raised to the handing thread at its next `put` or at `close`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

Batch = TypeVar("Batch")
# Batches waiting beyond the one being written: enough to ride out one slow commit, few
# enough that memory stays bounded whatever the size of the import.
WAITING = 2


class BatchWriter(Generic[Batch]):
    def __init__(self, write: Callable[[Batch], None]) -> None:
        self._write = write
        self._queue: queue.Queue[Batch | None] = queue.Queue(maxsize=WAITING)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="import writer", daemon=True)
        self._thread.start()
        self._closed = False
        self.unwritten: list[Batch] = []

    def put(self, batch: Batch) -> None:
        """Hand a batch over (waiting while WAITING others wait); raises the writer's error."""
        self._raise()
        self._queue.put(batch)

    def close(self) -> None:
        """Wait until every batch handed over is written; raises the writer's error."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()
        self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self) -> None:
        failed = False
        while (batch := self._queue.get()) is not None:
            if failed:  # drained, so that the handing thread never waits on a full queue
                self.unwritten.append(batch)
                continue
            try:
                self._write(batch)
            except BaseException as exc:  # raised again in the handing thread
                self._error, failed = exc, True
                self.unwritten.append(batch)
