"""import: take files and folders into the catalogue."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from catalog_app.cli.context import AddArguments, CommandContext, json_option
from catalog_app.cli.output import print_json
from catalog_app.domain.records import ImportReport

EXIT_SOME_FAILED = 1


def _print_summary(report: ImportReport) -> None:
    for item in report.items:
        if item.outcome == "failed":
            print(f"failed: {item.path}: {item.reason}")
        elif item.warnings:
            for warning in item.warnings:
                print(f"warning: {item.path} ({item.reference_code}): {warning}")
    imported, duplicates, failed = (report.count(o) for o in ("imported", "duplicate", "failed"))
    line = f"{imported:,} imported, {duplicates:,} duplicate(s), {failed:,} failed"
    if report.skipped:
        line += f", {len(report.skipped):,} system file(s) or repeated link(s) skipped"
    if report.cancelled:
        line += " (stopped before the end; run the same import again to finish it)"
    print(line)


def _json(report: ImportReport) -> dict[str, Any]:
    return {
        "imported": report.count("imported"),
        "duplicates": report.count("duplicate"),
        "failed": report.count("failed"),
        "cancelled": report.cancelled,
        "items": [
            {
                "path": item.path,
                "outcome": item.outcome,
                "id": item.id,
                "reference_code": item.reference_code,
                "reason": item.reason,
                "warnings": list(item.warnings),
            }
            for item in report.items
        ],
        "skipped": list(report.skipped),
    }


def _import(ctx: CommandContext) -> int:
    args = ctx.args
    progress = ctx.progress("Importing")
    with ctx.open() as catalogue:
        try:
            report = catalogue.imports.run(
                args.paths,
                collection=args.collection,
                recursive=args.recursive,
                flatten=args.flatten,
                report=progress,
                workers=args.workers,
            )
        finally:
            progress.finish()
    if ctx.json:
        print_json(_json(report))
    else:
        _print_summary(report)
    return EXIT_SOME_FAILED if report.count("failed") else 0


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    parser.add_argument(
        "--collection",
        metavar="REF",
        help="put the new records under this record (reference code or id)",
    )
    parser.add_argument("--recursive", "-r", action="store_true", help="go into sub-folders too")
    parser.add_argument(
        "--flatten",
        action="store_true",
        help="put every file directly under the collection, without folder records",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes for text extraction (default: one more than the cores; "
        "at most four per core)",
    )
    json_option(parser, _import)


ARGUMENTS: dict[str, AddArguments] = {"import": _arguments}
