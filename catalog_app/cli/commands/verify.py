"""verify: re-prove every stored original against its recorded SHA-256."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from catalog_app.cli.context import AddArguments, CommandContext
from catalog_app.cli.output import print_json
from catalog_app.domain.fixity import FixityProblem, FixityReport

EXIT_PROBLEMS = 1
NOT_RECORDED = (
    "The catalogue is read-only, so these checks could not be recorded as provenance events."
)


def _problem_json(problem: FixityProblem) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "reference_code": problem.reference_code,
        "id": problem.record_id,
        "uuid": problem.record_uuid,
        "file_id": problem.file_id,
        "original_name": problem.original_name,
        "stored_path": problem.stored_path,
        "expected_sha256": problem.expected_sha256,
        "reason": problem.reason,
    }
    if problem.actual_sha256 is not None:
        entry["actual_sha256"] = problem.actual_sha256
    return entry


def report_json(report: FixityReport) -> dict[str, Any]:
    return {
        "checked": report.checked,
        "ok": report.ok,
        "missing": [_problem_json(p) for p in report.missing],
        "altered": [_problem_json(p) for p in report.altered],
        "orphaned": [
            {"stored_path": o.stored_path, "size": o.size, "temporary": o.temporary}
            for o in report.orphaned
        ],
        "seconds": round(report.seconds, 3),
        "run": report.run_id,
        "collection": report.collection,
        "complete": report.complete,
        "resumed": report.resumed,
        "recorded": report.recorded,
    }


def _print_text(report: FixityReport) -> None:
    scope = f" within {report.collection}" if report.collection else ""
    resumed = " (carrying on an interrupted run)" if report.resumed else ""
    print(
        f"Checked {report.checked:,} originals{scope}{resumed} in {report.seconds:.1f} s: "
        f"{report.ok:,} match their SHA-256."
    )
    for problem in report.missing:
        where = problem.stored_path or "no stored copy was recorded"
        print(f"missing: {problem.reference_code} {problem.original_name} ({where})")
    for problem in report.altered:
        found = (
            f"SHA-256 now {problem.actual_sha256}"
            if problem.actual_sha256 is not None
            else "it fails its authenticity check"  # a sealed copy, which has no SHA-256 to show
        )
        print(
            f"altered: {problem.reference_code} {problem.original_name} ({problem.stored_path}): "
            f"{found}, recorded {problem.expected_sha256}"
        )
    for orphan in report.orphaned:
        what = "left by an interrupted import" if orphan.temporary else "no record refers to it"
        print(f"orphaned: {orphan.stored_path} ({orphan.size:,} bytes; {what})")
    if not report.complete:
        print("Stopped before the end; run the same command again to check the rest.")
    elif not report.problems:
        print("Every stored original is intact.")


def _verify(ctx: CommandContext) -> int:
    progress = ctx.progress("Verifying")
    with ctx.open() as catalogue:
        try:
            report = catalogue.fixity.verify(ctx.args.collection, report=progress)
        finally:
            progress.finish()
    if ctx.json:
        print_json(report_json(report))
    else:
        _print_text(report)
    if not report.recorded:
        print(f"catalog: {NOT_RECORDED}", file=sys.stderr)
    return 0 if report.all_ok else EXIT_PROBLEMS


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--collection",
        metavar="REF",
        help="only the originals of this record and everything below it (no orphan search)",
    )
    parser.set_defaults(run=_verify)


ARGUMENTS: dict[str, AddArguments] = {"verify": _arguments}
