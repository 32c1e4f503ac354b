"""An extraction worker whose reader misbehaves on purpose, chosen by how the file starts:
`hang` never returns, `crash` dies of a segmentation fault, `eat` allocates without end,
and `slow` waits until the file named by HOSTILE_RELEASE exists. Tests run it in place
of the real worker by setting `catalog_app.ingest.pool.WORKER_MODULE`."""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from pathlib import Path

from catalog_app.ingest import prepare, worker
from catalog_app.ingest.extracted import Extracted
from catalog_app.ingest.limits import Limits
from catalog_app.ingest.sniff import Kind

RELEASE_ENV = "HOSTILE_RELEASE"
_real_extract = prepare._extract


def _hostile_extract(kind: Kind, stored: Path, data: bytes | None, limits: Limits) -> Extracted:
    name = (data or b"")[:16]
    if name.startswith(b"hang"):
        threading.Event().wait()
    if name.startswith(b"crash"):
        ctypes.string_at(0)  # a reader's segmentation fault
    if name.startswith(b"eat"):
        hoard = []
        while True:
            hoard.append(bytearray(8 << 20))
    if name.startswith(b"slow"):
        release = Path(os.environ[RELEASE_ENV])
        while not release.exists():  # waits on a condition the test sets
            threading.Event().wait(0.01)
    return _real_extract(kind, stored, data, limits)


if __name__ == "__main__":
    prepare._extract = _hostile_extract
    worker.main()


_CLI_WITH_HOSTILE_WORKERS = (
    "import sys\n"
    "from catalog_app.ingest import pool\n"
    f"pool.WORKER_MODULE = {__name__!r}\n"
    "from catalog_app.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def catalog_command(*args: str) -> list[str]:
    """`catalog ARGS...` as a process of its own whose workers are these hostile ones (run
    it with the repository on PYTHONPATH)."""
    return [sys.executable, "-c", _CLI_WITH_HOSTILE_WORKERS, *args]
