"""What encryption at rest costs: plain against encrypted catalogues, each with its floor.

    .venv/bin/python -m bench.encryption_bench [--documents 100000] [--keep DIR]

Prints five tables, every figure measured in the same run:

1. opening (`Catalogue.open` and close), an empty and a generated catalogue, plain and
   encrypted, with Argon2id at its default cost; floors: `python -c pass`, a bare sqlite3
   open, Argon2id alone (unsealing the key file) and a bare SQLCipher open with the raw key;
2. search on the generated catalogue of `bench.search_bench` (N records) and an encrypted
   copy of it, against bare FTS5 in each file;
3. importing the plain-text corpus of `bench.ingest_bench` into a new plain and a new
   encrypted catalogue, against copying and hashing the same files;
4. `verify` (re-hashing every original, or opening and hashing every sealed copy) on the
   generated store of `bench.verify_bench` and an encrypted copy, against bare hashing and
   bare unsealing;
5. `catalog encrypt`'s conversion of the two generated catalogues.

Files are read from the page cache (each set is read once before it is timed), so the
figures show the program's cost above the operating system's. Imports and audits are timed
once the catalogue is open (what opening costs is table 1's); `encrypt` includes its one
Argon2id, to seal the new key file. With `--keep DIR` the
generated catalogues and corpus are kept there and reused; the copies made from them are
made anew each run.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from sqlalchemy import Connection, Table, insert, select, text
from sqlalchemy.orm import Session

from bench import ingest_bench, search_bench, verify_bench
from catalog_app.ingest import store
from catalog_app.services import Catalogue, encryption
from catalog_app.services.fixity import THREADS, FixityService
from catalog_app.storage import driver, keys
from catalog_app.storage.audit import Change, chained_rows, snapshot
from catalog_app.storage.models import AuditEntry, StoredFile, Unit

PASSPHRASE = "benchmark passphrase, not a secret"
SEARCHES = (
    *("rare word", "common word", "very common word", "phrase", "prefix"),
    *("with filters", "Persian"),
)
BARE_FTS = "SELECT rowid, rank FROM bare_fts WHERE bare_fts MATCH :m ORDER BY rank LIMIT 20"

Row = tuple[str, float]  # a pass's label and its seconds


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} / {search_bench._p99(values):.1f}"


def _unlogged(session: Session, model: type[Unit | StoredFile]) -> list[Change]:
    """'create' changes, as the program logs them, for up to a batch of `model`'s rows that
    have no audit row."""
    table: Table = model.__table__  # type: ignore[assignment]
    logged = select(AuditEntry.row_uuid).where(AuditEntry.table_name == table.name)
    rows = session.execute(select(table).where(table.c.uuid.not_in(logged)).limit(20_000))
    summarise = model.__audit_summarise__
    return [
        ("create", table.name, str(row["uuid"]), None, None, snapshot(dict(row), summarise))
        for row in rows.mappings()
    ]


def audit_generated(path: Path) -> None:
    """Give the records the other benches' generators insert in SQL the audit rows the
    program would have written: `encrypt` checks its copy as `catalog check` does, and
    refuses records that have no audit trail. Only records without one get it, so this can
    run again on a kept catalogue."""
    with Catalogue.open(path, actor="bench") as catalogue:
        for model in (Unit, StoredFile):
            while True:
                with catalogue.db.write("bench") as session:
                    changes = _unlogged(session, model)
                    if not changes:
                        break
                    rows = chained_rows(session, changes, "bench", None)
                    session.execute(insert(AuditEntry), rows)


def copy_catalogue(source: Path, target: Path) -> None:
    """The closed catalogue at `source`, with its store, copied to `target`."""
    shutil.copyfile(source, target)
    originals = store.store_root(source)
    if originals.is_dir():
        shutil.copytree(originals, store.store_root(target))
    else:  # `encrypt` fails on a catalogue without a store folder (reported to the lead)
        store.store_root(target).mkdir(mode=0o700)


def encrypted_copy(source: Path, target: Path) -> float:
    """Copy the plain catalogue `source` to `target` and encrypt it; the seconds encrypting
    took."""
    copy_catalogue(source, target)
    started = time.perf_counter()
    encryption.encrypt(target, PASSPHRASE)
    return time.perf_counter() - started


def _bare_sqlite(path: Path) -> None:
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()


def _bare_sqlcipher(path: Path, key: tuple[bytes, bytes]) -> None:
    with closing(driver.connect(path, key=key)) as connection:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()


def _open_close(path: Path, passphrase: str | None) -> None:
    Catalogue.open(path, actor="bench", passphrase=passphrase).close()


def _database_key(path: Path) -> tuple[bytes, bytes]:
    with Catalogue.open(path, actor="bench", passphrase=PASSPHRASE) as catalogue:
        assert catalogue.keys is not None
        return catalogue.keys.database  # a copy: close() forgets the catalogue's own


def opening_rows(folder: Path, generated: Path, encrypted: Path, runs: int) -> list[str]:
    empty, empty_encrypted = folder / "empty.sqlite", folder / "empty-encrypted.sqlite"
    Catalogue.open(empty, create=True, actor="bench").close()
    Catalogue.open(
        empty_encrypted, create=True, actor="bench", encrypt=True, passphrase=PASSPHRASE
    ).close()
    key_file = keys.read_key_file(empty_encrypted)
    assert key_file is not None
    key = _database_key(empty_encrypted)
    passes: list[tuple[str, str, Callable[[], object]]] = [
        (
            "`python -c pass` (floor)",
            "—",
            lambda: subprocess.run([sys.executable, "-c", "pass"], check=True),
        ),
        ("bare sqlite3 open (floor)", "empty, plain", lambda: _bare_sqlite(empty)),
        (
            "Argon2id alone: unsealing the key file (floor)",
            "empty, encrypted",
            lambda: keys.unlock(key_file, PASSPHRASE, empty_encrypted).forget(),
        ),
        (
            "bare SQLCipher open, raw key (floor)",
            "empty, encrypted",
            lambda: _bare_sqlcipher(empty_encrypted, key),
        ),
        ("`Catalogue.open` + close", "empty, plain", lambda: _open_close(empty, None)),
        (
            "`Catalogue.open` + close",
            "empty, encrypted",
            lambda: _open_close(empty_encrypted, PASSPHRASE),
        ),
        ("`Catalogue.open` + close", "generated, plain", lambda: _open_close(generated, None)),
        (
            "`Catalogue.open` + close",
            "generated, encrypted",
            lambda: _open_close(encrypted, PASSPHRASE),
        ),
    ]
    rows = []
    for label, catalogue, action in passes:
        action()  # the first opening of a file reads it from disk; time the ones after
        times = search_bench._time(action, runs)
        rows.append(
            f"| {label} | {catalogue} | {statistics.median(times):.1f} | {max(times):.1f} |"
        )
    cost = f"Argon2id {key_file.memlimit >> 20} MiB, {key_file.opslimit} passes"
    return [
        f"\n{cost}; ms, median and slowest of {runs}\n",
        "| pass | catalogue | median | slowest |",
        "|---|---|---:|---:|",
        *rows,
    ]


def _query_times(
    catalogue: Catalogue,
    raw: Connection,
    label: str,
    runs: int,
    rng: random.Random,
) -> tuple[str, list[float], list[float] | None]:
    """Matches, and times (ms) of the search service and of bare FTS5 on the same text."""
    ours, theirs = search_bench.QUERIES[label]

    def search() -> str:
        results = catalogue.search.search(ours.format(n=rng.randrange(20_000)), facets=False)
        return ("" if results.total_exact else "~") + f"{results.total:,}"

    def bare() -> None:
        raw.execute(text(BARE_FTS), {"m": theirs.format(n=rng.randrange(20_000))}).fetchall()

    matches = search()  # and warms the cache
    mine = search_bench._time(search, runs)
    if not theirs:
        return matches, mine, None
    bare()
    return matches, mine, search_bench._time(bare, runs)


def search_times(
    path: Path, passphrase: str | None, runs: int
) -> dict[str, tuple[str, list[float], list[float] | None]]:
    rng = random.Random(7)  # the same words for either catalogue
    with (
        Catalogue.open(path, actor="bench", passphrase=passphrase) as catalogue,
        catalogue.db.read() as session,
    ):
        raw = session.connection()
        return {label: _query_times(catalogue, raw, label, runs, rng) for label in SEARCHES}


def search_rows(plain: Path, encrypted: Path, runs: int) -> list[str]:
    mine, theirs = search_times(plain, None, runs), search_times(encrypted, PASSPHRASE, runs)
    rows = []
    for label in SEARCHES:
        matches, ours_plain, bare_plain = mine[label]
        _, ours_encrypted, bare_encrypted = theirs[label]
        ratio = statistics.median(ours_encrypted) / statistics.median(ours_plain)
        floors = "— | —"
        if bare_plain is not None and bare_encrypted is not None:
            floors = f"{_ms(bare_plain)} | {_ms(bare_encrypted)}"
        rows.append(
            f"| {label} | {matches} | {_ms(ours_plain)} | {_ms(ours_encrypted)} | "
            f"{ratio:.2f}x | {floors} |"
        )
    return rows


def _copy_files(files: list[Path], target: Path, flush: bool) -> None:
    target.mkdir()
    for number, source in enumerate(files):
        copy = target / f"{number:07d}"
        shutil.copyfile(source, copy)
        if flush:
            with copy.open("rb+") as writer:
                getattr(os, "fdatasync", os.fsync)(writer.fileno())


def import_seconds(corpus: Path, target: Path, count: int, passphrase: str | None) -> float:
    with Catalogue.open(
        target,
        create=True,
        actor="bench",
        encrypt=passphrase is not None,
        passphrase=passphrase,
    ) as catalogue:
        started = time.perf_counter()
        report = catalogue.imports.run([corpus], recursive=True)
        elapsed = time.perf_counter() - started
    if report.count("imported") != count:
        raise SystemExit(f"import failed: {report.count('failed')} of {count} documents")
    return elapsed


def _timed(action: Callable[[], object]) -> float:
    return verify_bench.timed(action, cold=False)


def import_rows(folder: Path, run: Path, count: int) -> tuple[int, float, list[Row]]:
    corpus = folder / f"corpus-text-{count}"
    if not corpus.exists():
        started = time.perf_counter()
        ingest_bench.make_corpus(corpus, count, "text")
        print(f"generated {count:,} documents in {time.perf_counter() - started:.1f} s")
    files = sorted(corpus.rglob("*.txt"))
    megabytes = sum(f.stat().st_size for f in files) / 1e6
    verify_bench.plain_hashlib(files)  # into the page cache
    rows = [
        ("copy the files (floor)", _timed(lambda: _copy_files(files, run / "copy", False))),
        (
            "copy, flushing each file to disk as the store does (floor)",
            _timed(lambda: _copy_files(files, run / "copy-flushed", True)),
        ),
        ("SHA-256 of the files (floor)", _timed(lambda: verify_bench.plain_hashlib(files))),
        ("import, plain", import_seconds(corpus, run / "import-plain.sqlite", count, None)),
        (
            "import, encrypted",
            import_seconds(corpus, run / "import-encrypted.sqlite", count, PASSPHRASE),
        ),
    ]
    return len(files), megabytes, rows


def _sealed_copies(path: Path) -> tuple[list[Path], store.StoreKey]:
    with Catalogue.open(path, actor="bench", passphrase=PASSPHRASE) as catalogue:
        key = catalogue.store_key
        with catalogue.db.read() as session:
            names = session.execute(text("SELECT stored_path FROM files ORDER BY id")).all()
    assert key is not None
    root = store.store_root(path)
    return [root / str(name[0]) for name in names], key


def _unseal_and_hash(files: list[Path], key: store.StoreKey) -> None:
    for path in files:
        store.sha256_of(path, key=key)


def verify_seconds(path: Path, passphrase: str | None) -> float:
    with Catalogue.open(path, actor="bench", passphrase=passphrase) as catalogue:
        started = time.perf_counter()
        report = FixityService(catalogue).verify()
        elapsed = time.perf_counter() - started
    if not report.all_ok:
        raise SystemExit(f"verify found problems: {report.problems}")
    return elapsed


def verify_rows(plain: Path, encrypted: Path) -> tuple[int, float, list[Row]]:
    files = verify_bench.stored_files(plain)
    sealed, key = _sealed_copies(encrypted)
    megabytes = sum(f.stat().st_size for f in files) / 1e6
    verify_bench.plain_hashlib(files + sealed)  # into the page cache
    rows = [
        ("SHA-256 of the plain copies (floor)", _timed(lambda: verify_bench.plain_hashlib(files))),
        (
            "unseal + SHA-256 of the sealed copies (floor)",
            _timed(lambda: _unseal_and_hash(sealed, key)),
        ),
        (f"verify, plain ({THREADS} threads)", verify_seconds(plain, None)),
        (f"verify, encrypted ({THREADS} threads)", verify_seconds(encrypted, PASSPHRASE)),
    ]
    return len(files), megabytes, rows


def _print_rows(rows: list[Row], count: int, megabytes: float, unit: str) -> None:
    print(f"| pass | seconds | {unit}/s | MB/s |")
    print("|---|---:|---:|---:|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.2f} | {count / seconds:,.0f} | {megabytes / seconds:,.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=100_000, help="records to search")
    parser.add_argument("--imports", type=int, default=2_000, help="documents to import")
    parser.add_argument("--originals", type=int, default=20_000, help="originals to verify")
    parser.add_argument("--runs", type=int, default=50, help="timings of each search")
    parser.add_argument("--opens", type=int, default=10, help="timings of each opening")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the generated files here")
    args = parser.parse_args()
    # The cost of opening is Argon2id's at its default cost, whatever the tests ask for.
    os.environ.pop(keys.KDF_MEMORY_ENV, None)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        run = folder / "this-run"  # the copies, made anew each run
        shutil.rmtree(run, ignore_errors=True)
        run.mkdir()
        searched = search_bench.generated_catalogue(folder, args.documents)
        audit_generated(searched)
        searched_encrypted = run / "search-encrypted.sqlite"
        search_conversion = encrypted_copy(searched, searched_encrypted)
        verified = verify_bench.generated_catalogue(folder, args.originals)
        audit_generated(verified)
        verified_encrypted = run / "verify-encrypted.sqlite"
        verify_conversion = encrypted_copy(verified, verified_encrypted)

        print("\n### 1. Opening a catalogue")
        print(f"\ngenerated: the {args.documents:,} records searched in table 2")
        for line in opening_rows(run, searched, searched_encrypted, args.opens):
            print(line)

        print(f"\n### 2. Search, {args.documents:,} records\n")
        print("ms, median / 99th percentile of", args.runs, "queries each\n")
        print(
            "| query | matches | plain | encrypted | encrypted / plain | bare FTS5, plain | "
            "bare FTS5, encrypted |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        for line in search_rows(searched, searched_encrypted, args.runs):
            print(line)

        count, megabytes, rows = import_rows(folder, run, args.imports)
        print(f"\n### 3. Import, {count:,} text documents, {megabytes:,.1f} MB\n")
        _print_rows(rows, count, megabytes, "documents")

        count, megabytes, rows = verify_rows(verified, verified_encrypted)
        print(f"\n### 4. Verify, {count:,} originals, {megabytes:,.0f} MB\n")
        _print_rows(rows, count, megabytes, "originals")

        print("\n### 5. `encrypt`: converting an existing catalogue\n")
        print("| catalogue | records | originals | MB of originals | seconds | originals/s |")
        print("|---|---:|---:|---:|---:|---:|")
        print(
            f"| generated for search (table 2) | {args.documents:,} | 0 | 0 | "
            f"{search_conversion:.1f} | — |"
        )
        print(
            f"| generated for verify (table 4) | {count:,} | {count:,} | {megabytes:,.0f} | "
            f"{verify_conversion:.1f} | {count / verify_conversion:,.0f} |"
        )
        shutil.rmtree(run, ignore_errors=True)


if __name__ == "__main__":
    main()
