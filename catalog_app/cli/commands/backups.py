"""backup and restore: the catalogue with its originals, as a verified BagIt bag and back."""

from __future__ import annotations

import argparse
from pathlib import Path

from catalog_app.cli.context import AddArguments, CommandContext, json_option
from catalog_app.cli.output import print_json
from catalog_app.cli.passphrase import asker
from catalog_app.cli.progress import ProgressBar
from catalog_app.services.backups import MB, BackupReport, Progress, RestoreReport, restore


def _in_megabytes(bar: ProgressBar) -> Progress:
    """The services report bytes; the bar counts megabytes."""

    def report(done: int, total: int) -> bool:
        return bar(-(-done // MB), max(1, -(-total // MB)))

    return report


def _print_result(ctx: CommandContext, result: BackupReport | RestoreReport) -> None:
    if not ctx.json:
        print(result.summary())
        return
    paths: dict[str, object]
    if isinstance(result, BackupReport):
        paths = {"path": str(result.catalogue), "backup": str(result.path)}
        paths["not_backed_up"] = list(result.not_backed_up)
    else:
        paths = {"backup": str(result.backup), "path": str(result.path)}
        paths["not_in_backup"] = result.not_in_backup
    print_json(
        {
            **paths,
            "originals": result.originals,
            "bytes": result.bytes,
            "verified": True,
            "seconds": round(result.seconds, 3),
        }
    )


def _backup(ctx: CommandContext) -> int:
    progress = ctx.progress("Copying and verifying (MB)")
    with ctx.open() as catalogue:
        try:
            result = catalogue.backup(ctx.args.destination, report=_in_megabytes(progress))
        finally:
            progress.finish()
    _print_result(ctx, result)
    return 1 if result.not_backed_up else 0


def _restore(ctx: CommandContext) -> int:
    progress = ctx.progress("Checking and restoring (MB)")
    try:
        result = restore(
            ctx.args.backup,
            ctx.args.target,
            report=_in_megabytes(progress),
            passphrase=asker(ctx.args.backup),
        )
    finally:
        progress.finish()
    _print_result(ctx, result)
    return 0


def _backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "destination", type=Path, metavar="DEST", help="the new folder to write (must not exist)"
    )
    json_option(parser, _backup)


def _restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("backup", type=Path, metavar="BACKUP", help="a folder made by backup")
    parser.add_argument(
        "target", type=Path, metavar="TARGET", help="the catalogue file to create (must not exist)"
    )
    json_option(parser, _restore)


ARGUMENTS: dict[str, AddArguments] = {"backup": _backup_arguments, "restore": _restore_arguments}
