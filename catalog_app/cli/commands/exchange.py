"""export, import-csv and import-bag: finding aids and transfer packages."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from catalog_app.cli.context import AddArguments, CommandContext, json_option
from catalog_app.cli.output import print_json
from catalog_app.services.exports import FORMATS, PROFILES, ExportResult, ExportService

EXIT_PROBLEMS = 1


def _export_json(result: ExportResult) -> dict[str, Any]:
    return {
        "format": result.format,
        "path": str(result.path),
        "records": result.records,
        "left_out": result.left_out,
        "left_out_reference_codes": list(result.left_out_codes),
        "warnings": list(result.warnings),
        "internal_details_included": result.include_internal,
    }


def _export(ctx: CommandContext) -> int:
    args = ctx.args
    progress = ctx.progress("Exporting")
    with ctx.open(readonly=True) as catalogue:
        try:
            result = ExportService(catalogue).export(
                args.format,
                args.output,
                profile=args.profile,
                collection=args.collection,
                include_restricted=args.include_restricted,
                include_internal=args.include_internal,
                in_clear=args.in_clear,
                report=progress,
            )
        finally:
            progress.finish()
    if ctx.json:
        print_json(_export_json(result))
        return 0
    _warn(result.warnings)
    print(result.summary())
    return 0


def _warn(warnings: Iterable[str]) -> None:
    for warning in warnings:
        print(f"warning: {warning}")


def _import_csv(ctx: CommandContext) -> int:
    from catalog_app.services.csv_import import CsvImportService

    args = ctx.args
    with ctx.open() as catalogue:
        report = CsvImportService(catalogue).run(
            args.file, profile=args.profile, dry_run=args.dry_run, collection=args.collection
        )
    if ctx.json:
        print_json(
            {
                "rows": report.rows,
                "dry_run": report.dry_run,
                "problems": [
                    {"row": p.row, "column": p.column, "message": p.message}
                    for p in report.problems
                ],
                "created_ids": list(report.created_ids),
                "warnings": list(report.warnings),
            }
        )
    else:
        for problem in report.problems:
            print(problem)
        _warn(report.warnings)
        if report.dry_run:
            print(
                f"{report.rows:,} row(s) checked; {report.rows_with_problems:,} with problems; "
                "nothing was written (dry run)"
            )
        else:
            print(f"{len(report.created_ids):,} record(s) imported from {report.path}")
    return EXIT_PROBLEMS if report.problems else 0


def _import_bag(ctx: CommandContext) -> int:
    from catalog_app.services.bags import BagService

    args = ctx.args
    with ctx.open() as catalogue:
        report = BagService(catalogue).import_bag(args.path)
    renamed = [{"from": old, "to": new} for old, new in report.renamed]
    if ctx.json:
        print_json(
            {
                "records": report.records,
                "originals": report.originals,
                "relations": report.relations,
                "agents_created": report.agents_created,
                "top_ids": list(report.top_ids),
                "renamed": renamed,
                "warnings": list(report.warnings),
            }
        )
        return 0
    for change in renamed:
        print(f"reference code {change['from']} was taken here: now {change['to']}")
    _warn(report.warnings)
    print(
        f"{report.records:,} record(s) and {report.originals:,} original(s) brought in from "
        f"{report.path} (checksums verified)"
    )
    return 0


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("format", choices=FORMATS)
    parser.add_argument("output", type=Path, metavar="OUTPUT", help="file (or folder, for bag)")
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="isad",
        help="CSV columns: isad (a finding aid for people) or atom (AtoM's import CSV)",
    )
    parser.add_argument("--collection", metavar="REF", help="export this record and all below")
    parser.add_argument(
        "--include-restricted",
        action="store_true",
        help="also export restricted and confidential records, and archivists' notes",
    )
    parser.add_argument(
        "--include-internal",
        action="store_true",
        help="also export host and login names and the local paths files were imported from",
    )
    parser.add_argument(
        "--in-clear",
        action="store_true",
        help="from an encrypted catalogue: write the export anyway, readable by anyone who "
        "gets it (without this an encrypted catalogue is not exported)",
    )
    json_option(parser, _export)


def _import_csv_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--profile", choices=PROFILES, default="isad")
    parser.add_argument("--collection", metavar="REF", help="put the top rows under this record")
    parser.add_argument(
        "--dry-run", action="store_true", help="check every row and report; write nothing"
    )
    json_option(parser, _import_csv)


def _import_bag_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, metavar="PATH")
    json_option(parser, _import_bag)


ARGUMENTS: dict[str, AddArguments] = {
    "export": _export_arguments,
    "import-csv": _import_csv_arguments,
    "import-bag": _import_bag_arguments,
}
