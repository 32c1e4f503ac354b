"""Export speed and memory on a generated catalogue.

    .venv/bin/python -m bench.export_bench --documents 100000 [--keep DIR] [--formats csv,ead]

Builds (or reuses) the catalogue of `bench.search_bench`, then exports all of it (restricted
records included, so every record is written) in each format, each in a fresh process so
that peak memory is the export's own. Prints records per second, the output size and peak
memory (Python allocations traced during the export, and the process's resident maximum).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench.search_bench import generated_catalogue
from catalog_app.services import Catalogue
from catalog_app.services.exports import ExportService


def one_export(path: Path, fmt: str, profile: str, target: Path) -> dict[str, float]:
    with Catalogue.open(path, readonly=True) as catalogue:
        tracemalloc.start()
        started = time.perf_counter()
        result = ExportService(catalogue).export(
            fmt, target, profile=profile, include_restricted=True
        )
        elapsed = time.perf_counter() - started
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    size = sum(f.stat().st_size for f in target.rglob("*")) if target.is_dir() else 0
    return {
        "records": result.records,
        "seconds": elapsed,
        "bytes": size or target.stat().st_size,
        "traced_mb": traced_peak / 1e6,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the catalogue here")
    parser.add_argument("--formats", default="csv:isad,csv:atom,xlsx,ead,dc")
    parser.add_argument(
        "--one", nargs=3, metavar=("DB", "FORMAT", "TARGET"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.one:  # the child process: one export, figures as JSON
        db, spec, target = args.one
        fmt, _, profile = spec.partition(":")
        print(json.dumps(one_export(Path(db), fmt, profile or "isad", Path(target))))
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = generated_catalogue(folder, args.documents)
        print(f"\n{args.documents:,} records, every one exported\n")
        print("| format | records/s | output | peak traced memory | peak process memory |")
        print("|---|---:|---:|---:|---:|")
        for spec in args.formats.split(","):
            target = Path(scratch) / f"export-{spec.replace(':', '-')}"
            figures = json.loads(
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "bench.export_bench",
                        "--one",
                        str(path),
                        spec,
                        str(target),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )
            print(
                f"| {spec} | {figures['records'] / figures['seconds']:,.0f} | "
                f"{figures['bytes'] / 1e6:,.1f} MB | {figures['traced_mb']:,.1f} MB | "
                f"{figures['rss_mb']:,.0f} MB |"
            )


if __name__ == "__main__":
    main()
