"""The text extraction worker: a process of its own (`python -m catalog_app.ingest.worker
PARENT_PID`) that stores and reads one file at a time for the import that started it.

It dies with that import: on Linux the kernel kills it when its parent goes
(PR_SET_PDEATHSIG); elsewhere a watchdog thread notices that the parent changed, and
end-of-file on its task pipe ends it too. Each file is read under a memory limit (the
address space it may add, RLIMIT_AS); the time limit is the parent's to enforce, by killing.

Frames on stdin/stdout: a 4-byte little-endian length, then a pickle. In: `(Limits,
TaskKeys)` once (an encrypted catalogue's keys travel only on this pipe, never in the
worker's arguments, environment or a file), then `(index, ImportTask)` per file. Out:
`("stored", index, Prepared)` when the original is safe and reading starts, then
`("done", index, Prepared, retire)`; `retire` says the worker is leaving (after running out
of memory its state is not to be trusted).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import pickle
import signal
import struct
import sys
import tempfile
import threading
from collections.abc import Iterator
from typing import IO, Any

from catalog_app import clear_copies, logs
from catalog_app.ingest import prepare as steps
from catalog_app.ingest.limits import TOO_LARGE, Limits

_HEADER = struct.Struct("<I")
_PR_SET_PDEATHSIG = 1
WATCHDOG_SECONDS = 0.5


def write_frame(stream: IO[bytes], message: object) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    """The next message, or None at end of file."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (length,) = _HEADER.unpack(header)
    payload = stream.read(length)
    if len(payload) < length:
        return None
    return pickle.loads(payload)


def die_with_parent(parent: int) -> None:
    """Be killed when `parent` ends, however it ends (kill -9 included)."""
    libc_name = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
    if libc_name:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    else:  # no prctl: watch for being handed to another parent
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # it ended before we were listening
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        threading.Event().wait(WATCHDOG_SECONDS)
    os._exit(1)


def _address_space() -> int | None:
    """This process's current virtual size in bytes (Linux), else None."""
    try:
        with open("/proc/self/statm", "rb") as statm:  # noqa: PTH123
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


@contextlib.contextmanager
def memory_limit(extra: int) -> Iterator[None]:
    """At most `extra` more bytes of address space inside the block (where the system has
    RLIMIT_AS and says how much is in use); allocation beyond it raises MemoryError."""
    try:
        import resource
    except ImportError:  # Windows
        yield
        return
    current = _address_space()
    if current is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = current + extra
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def serve(tasks: IO[bytes], results: IO[bytes]) -> None:
    setup = read_frame(tasks)
    if setup is None:
        return
    limits: Limits
    keys: steps.TaskKeys
    limits, keys = setup
    if keys.store is not None:
        # Readers' scratch files (Tesseract's copy of an image) hold the original in clear.
        tempfile.tempdir = str(clear_copies.folder())
        _redacted_stderr()
    try:
        _serve(tasks, results, limits, keys)
    finally:
        steps.close_connections()
        clear_copies.remove()


def _redacted_stderr() -> None:
    """What a worker of an encrypted catalogue logs (its stderr, kept by the pool for the
    log) names no file: the same redaction as the program's log file."""
    logs.redact(True)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logs.PrivacyFormatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


def _serve(tasks: IO[bytes], results: IO[bytes], limits: Limits, keys: steps.TaskKeys) -> None:
    while (message := read_frame(tasks)) is not None:
        index, task = message
        stage = steps.store_original(task, keys)
        if isinstance(stage, steps.Prepared):
            write_frame(results, ("done", index, stage, False))
            continue
        write_frame(results, ("stored", index, stage.prepared))
        with memory_limit(limits.memory_bytes):
            prepared = steps.describe(stage, limits)
        # After a MemoryError the interpreter may be short of memory itself: start afresh.
        retire = any(w.startswith(TOO_LARGE) for w in prepared.warnings)
        write_frame(results, ("done", index, prepared, retire))
        if retire:
            break


def main() -> None:
    die_with_parent(int(sys.argv[1]))
    steps.ignore_interrupts()  # Ctrl-C is the import's to handle
    # Results go out on a private copy of stdout; anything a library prints goes to stderr.
    results = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, results)


if __name__ == "__main__":
    main()
