"""Export speed and memory on a generated catalogue, beside the floor of the same run.

    .venv/bin/python -m bench.export_bench --documents 100000 [--keep DIR] [--formats csv,ead]

Builds (or reuses) the catalogue of `bench.search_bench`, then exports all of it (restricted
records included, so every record is written) in each format, each in a fresh process so
that peak memory is the export's own. The floor is a plain `sqlite3` + `csv` script that
writes the same columns of the same records (the unit's own fields, and its creators,
names, subjects, places, custody events, current grade and originals gathered by SQLite)
in one query, also in a process of its own. Prints records per second and their ratio to
the floor, the output size and peak memory (Python allocations traced during the export,
and the process's resident maximum).

Each export (and the floor) runs twice: once timed, untraced, and once with tracemalloc on
for its peak. Tracing makes every allocation several times dearer, far more so for the
exports' Python than for the floor's C loops, so timing under it measured the tracer.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import closing
from pathlib import Path

from bench.search_bench import generated_catalogue

FLOOR = "floor"
# The floor's query: what the isad CSV shows of each record, as SQLite can gather it itself.
_LIST = "(SELECT group_concat({value}, char(10)) FROM {source} WHERE {link} = u.id)"
_AGENTS = "unit_agents l JOIN agents a ON a.id = l.agent_id"
FLOOR_SQL = (
    "SELECT u.reference_code, p.reference_code, u.level, u.title, u.date_expression, "
    "u.date_start, u.date_end, u.date_kind, u.extent, u.source_url, "
    + _LIST.format(
        value="a.authorised_name", source=_AGENTS + " AND l.role = 'creator'", link="l.unit_id"
    )
    + ", u.administrative_history, u.archival_history, u.acquisition, u.scope_content, "
    "u.appraisal, u.accruals, u.arrangement, u.access_status, u.access_note, "
    "u.reproduction_note, u.languages, u.scripts, u.physical_characteristics, u.finding_aids, "
    "u.originals_location, u.copies_location, u.related_note, "
    + _LIST.format(
        value="r.kind || ' ' || o.reference_code || ' ' || o.title",
        source="relations r JOIN units o ON o.id = r.to_unit_id",
        link="r.from_unit_id",
    )
    + ", u.publication_note, u.general_note, u.archivist_note, u.rules, u.description_date, "
    "u.media_type, "
    + _LIST.format(
        value="s.term",
        source="unit_subjects l JOIN subjects s ON s.id = l.subject_id",
        link="l.unit_id",
    )
    + ", "
    + _LIST.format(
        value="g.name", source="unit_places l JOIN places g ON g.id = l.place_id", link="l.unit_id"
    )
    + ", "
    + _LIST.format(
        value="a.authorised_name || ' (' || l.role || ')'", source=_AGENTS, link="l.unit_id"
    )
    + ", "
    + _LIST.format(
        value="e.occurred_at || ': ' || e.event_type || ' by ' || e.agent || '.'",
        source="provenance_events e",
        link="e.unit_id",
    )
    + ", (SELECT g.source_reliability || ' ' || g.information_credibility || ' ' || g.assessor"
    " FROM reliability_assessments g WHERE g.unit_id = u.id"
    " ORDER BY g.assessed_at DESC, g.id DESC LIMIT 1), "
    + _LIST.format(value="f.original_name || ' ' || f.sha256", source="files f", link="f.unit_id")
    + ", u.uuid FROM units u LEFT JOIN units p ON p.id = u.parent_id"
)


def _start(traced: bool) -> float:
    if traced:
        tracemalloc.start()
    return time.perf_counter()


def _memory(started: float, records: int, target: Path) -> dict[str, float]:
    elapsed = time.perf_counter() - started
    _, traced_peak = tracemalloc.get_traced_memory()  # (0, 0) when not traced
    tracemalloc.stop()
    size = sum(f.stat().st_size for f in target.rglob("*")) if target.is_dir() else 0
    return {
        "records": records,
        "seconds": elapsed,
        "bytes": size or target.stat().st_size,
        "traced_mb": traced_peak / 1e6,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3,
    }


def floor_dump(path: Path, target: Path, traced: bool = False) -> dict[str, float]:
    """The same columns of every record, straight from sqlite3 to csv."""
    started = _start(traced)
    records = 0
    with (
        closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out)
        cursor = db.execute(FLOOR_SQL)
        while rows := cursor.fetchmany(1000):
            writer.writerows(rows)
            records += len(rows)
    return _memory(started, records, target)


def one_export(
    path: Path, fmt: str, profile: str, target: Path, traced: bool = False
) -> dict[str, float]:
    from catalog_app.services import Catalogue
    from catalog_app.services.exports import ExportService

    with Catalogue.open(path, readonly=True) as catalogue:
        started = _start(traced)
        result = ExportService(catalogue).export(
            fmt, target, profile=profile, include_restricted=True
        )
        return _memory(started, result.records, target)


def _run(path: Path, spec: str, target: Path, traced: bool) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.export_bench", "--one", str(path), spec, str(target)]
    run = subprocess.run(
        [*command, *(["--traced"] if traced else [])], check=True, capture_output=True, text=True
    )
    figures: dict[str, float] = json.loads(run.stdout)
    return figures


def _child(path: Path, spec: str, target: Path) -> dict[str, float]:
    """The timed run's figures, with the traced run's peak of Python allocations."""
    figures = _run(path, spec, target, traced=False)
    figures["traced_mb"] = _run(path, spec, target, traced=True)["traced_mb"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the catalogue here")
    parser.add_argument("--formats", default="csv:isad,csv:atom,xlsx,ead,dc")
    parser.add_argument(
        "--one", nargs=3, metavar=("DB", "FORMAT", "TARGET"), help=argparse.SUPPRESS
    )
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # the child process: one export (or the floor), figures as JSON
        db, spec, target = args.one
        if spec == FLOOR:
            print(json.dumps(floor_dump(Path(db), Path(target), args.traced)))
            return
        fmt, _, profile = spec.partition(":")
        figures = one_export(Path(db), fmt, profile or "isad", Path(target), args.traced)
        print(json.dumps(figures))
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = generated_catalogue(folder, args.documents)
        floor = _child(path, FLOOR, Path(scratch) / "floor.csv")
        floor_rate = floor["records"] / floor["seconds"]
        print(f"\n{args.documents:,} records, every one exported\n")
        print(
            "| format | records/s | ratio to floor | output | peak traced memory "
            "| peak process memory |"
        )
        print("|---|---:|---:|---:|---:|---:|")

        def line(label: str, figures: dict[str, float]) -> None:
            rate = figures["records"] / figures["seconds"]
            print(
                f"| {label} | {rate:,.0f} | {rate / floor_rate:.2f} | "
                f"{figures['bytes'] / 1e6:,.1f} MB | {figures['traced_mb']:,.1f} MB | "
                f"{figures['rss_mb']:,.0f} MB |",
                flush=True,
            )

        line("plain sqlite3 + csv, same columns (floor)", floor)
        for spec in args.formats.split(","):
            line(spec, _child(path, spec, Path(scratch) / f"export-{spec.replace(':', '-')}"))


if __name__ == "__main__":
    main()
