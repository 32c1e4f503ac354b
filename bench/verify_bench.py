"""Fixity audit speed: `catalog verify` over N stored originals, against the floor.

    .venv/bin/python -m bench.verify_bench --originals 100000 [--keep DIR] [--cold]

Generates N originals of small to medium size (80% 1-16 KB, 18% 16-128 KB, 2% 128 KB-1 MB;
random bytes, so nothing compresses) straight into a catalogue's store, with their records,
then times, in the same run:

- `catalog verify --json` as a user runs it (a new process: startup included);
- the service itself with 1, 2 and 4 hashing threads;
- the floor: reading and hashing the same files with plain hashlib in one loop, and the
  start of a bare `python -c pass`.

Figures are MB/s and files/s. `--cold` empties the operating system's page cache before each
timed pass (Linux, as root), so the reads come from the disk; without it the files are read
from memory, and the figures show the program's own overhead above hashing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from catalog_app.ingest import store
from catalog_app.services import Catalogue
from catalog_app.services.fixity import FixityService

CATALOG = Path(sys.executable).with_name("catalog")
BATCH = 20_000


def _size(rng: random.Random) -> int:
    pick = rng.random()
    if pick < 0.80:
        return rng.randint(1 << 10, 16 << 10)
    if pick < 0.98:
        return rng.randint(16 << 10, 128 << 10)
    return rng.randint(128 << 10, 1 << 20)


def _put(data: bytes, root: Path) -> store.Stored:
    """Like the store's own copy, without flushing each file (a benchmark needs no crash
    safety, and 100,000 flushes would take longer than the benchmark)."""
    sha256 = hashlib.sha256(data).hexdigest()
    relative = store.relative_path(sha256)
    final = root / relative
    final.parent.mkdir(parents=True, exist_ok=True)
    final.write_bytes(data)
    return store.Stored(sha256=sha256, size=len(data), relative_path=relative)


def build(path: Path, count: int, seed: int = 1988) -> None:
    """A catalogue of `count` records with one stored original each."""
    rng = random.Random(seed)
    root = store.store_root(path)
    with Catalogue.open(path, create=True, actor="bench") as catalogue:
        parent = catalogue.units.create({"title": "Benchmark", "level": "collection"}).id
        with catalogue.db.write("bench") as session:
            connection = session.connection()
            start = int(connection.execute(text("SELECT max(id) FROM units")).scalar_one()) + 1
            units: list[dict[str, object]] = []
            files: list[dict[str, object]] = []
            for number in range(count):
                data = rng.randbytes(_size(rng))
                stored = _put(data, root)
                unit_id = start + number
                units.append(
                    {"id": unit_id, "uuid": f"00000000-0000-4000-8000-{unit_id:012d}"}
                    | {"parent": parent, "ref": f"V-{number:07d}"}
                )
                files.append(
                    {
                        "unit": unit_id,
                        "uuid": f"10000000-0000-4000-8000-{unit_id:012d}",
                        "sha": stored.sha256,
                        "size": stored.size,
                        "stored": stored.relative_path,
                    }
                )
                if len(units) == BATCH or number == count - 1:
                    connection.execute(
                        text(
                            "INSERT INTO units (id, uuid, parent_id, root_id, level, position, "
                            "reference_code, title, title_source, harvested, access_status, "
                            "languages, scripts, version, created_at, created_by, updated_at, "
                            "updated_by) VALUES (:id, :uuid, :parent, :parent, 'item', :id, :ref, "
                            "'document', 'typed', '[]', 'open', '[]', '[]', 1, "
                            "'2024-01-01 00:00:00', 'bench', '2024-01-01 00:00:00', 'bench')"
                        ),
                        units,
                    )
                    connection.execute(
                        text(
                            "INSERT INTO files (uuid, unit_id, sha256, size, media_type, "
                            "original_name, stored_path, is_evidentiary, added_at, added_by) "
                            "VALUES (:uuid, :unit, :sha, :size, 'application/octet-stream', "
                            "'doc.bin', :stored, 1, '2024-01-01 00:00:00', 'bench')"
                        ),
                        files,
                    )
                    units, files = [], []


def generated_catalogue(folder: Path, originals: int) -> Path:
    path = folder / f"verify-{originals}.sqlite"
    if not path.exists():
        started = time.perf_counter()
        build(path, originals)
        print(f"generated {originals:,} originals in {time.perf_counter() - started:.0f} s")
    return path


def stored_files(path: Path) -> list[Path]:
    with Catalogue.open(path, actor="bench") as catalogue, catalogue.db.read() as session:
        rows = session.execute(text("SELECT stored_path FROM files ORDER BY id")).all()
    root = store.store_root(path)
    return [root / str(r[0]) for r in rows]


def drop_caches() -> bool:
    """Empty the page cache (Linux, root); False where that is not possible."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def timed(action: Callable[[], object], cold: bool) -> float:
    if cold:
        drop_caches()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def plain_hashlib(files: list[Path]) -> None:
    for path in files:
        with path.open("rb") as reader:
            hashlib.file_digest(reader, "sha256")


def run_cli(path: Path) -> None:
    done = subprocess.run(
        [str(CATALOG), "--db", str(path), "verify", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    result = json.loads(done.stdout)
    if done.returncode != 0 or not result["complete"]:
        raise SystemExit(f"verify failed: {done.stderr or result}")


def run_service(path: Path, threads: int) -> None:
    with Catalogue.open(path, actor="bench") as catalogue:
        report = FixityService(catalogue, threads=threads).verify()
    if not report.all_ok:
        raise SystemExit(f"verify found problems: {report.problems}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--originals", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the catalogue here")
    parser.add_argument("--cold", action="store_true", help="read from disk, not the cache")
    args = parser.parse_args()
    if args.cold and not drop_caches():
        raise SystemExit("--cold needs Linux and root (to write /proc/sys/vm/drop_caches)")
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = generated_catalogue(folder, args.originals)
        files = stored_files(path)
        megabytes = sum(p.stat().st_size for p in files) / 1e6
        if not args.cold:
            plain_hashlib(files)  # warm the cache, so every pass reads from memory
        startup = timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), False)
        rows = [
            ("plain hashlib, one loop (floor)", timed(lambda: plain_hashlib(files), args.cold)),
            ("`catalog verify --json`", timed(lambda: run_cli(path), args.cold)),
        ]
        for threads in (1, 2, 4):
            rows.append(
                (
                    f"verify service, {threads} thread(s)",
                    timed(lambda t=threads: run_service(path, t), args.cold),  # type: ignore[misc]
                )
            )
        cache = "cold (read from disk)" if args.cold else "warm (read from memory)"
        print(
            f"\n{len(files):,} originals, {megabytes:,.0f} MB, page cache {cache}; "
            f"`python -c pass` {startup * 1000:.0f} ms\n"
        )
        print("| pass | seconds | MB/s | files/s |")
        print("|---|---:|---:|---:|")
        for label, seconds in rows:
            print(
                f"| {label} | {seconds:.1f} | {megabytes / seconds:,.0f} | "
                f"{len(files) / seconds:,.0f} |"
            )


if __name__ == "__main__":
    main()
