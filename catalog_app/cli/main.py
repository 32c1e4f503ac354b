"""`catalog`: the command-line face of the catalogue.

Exit status: 0 success; 1 a problem the user can act on (message on stderr); 2 wrong usage;
70 an internal error (logged with details); 130 interrupted.
"""

from __future__ import annotations

import argparse
import io
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from catalog_app import __version__
from catalog_app.cli.commands import backups as backup_commands
from catalog_app.cli.commands import catalogue as catalogue_commands
from catalog_app.cli.commands import encryption as encryption_commands
from catalog_app.cli.commands import exchange as exchange_commands
from catalog_app.cli.commands import ingest as ingest_commands
from catalog_app.cli.commands import search as search_commands
from catalog_app.cli.commands import verify as verify_commands
from catalog_app.cli.context import CommandContext
from catalog_app.errors import CatalogError
from catalog_app.logs import configure_logging, private
from catalog_app.paths import DB_ENV

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

log = logging.getLogger("catalog_app.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="catalog",
        description="Work with an archival catalogue file from the command line.",
        epilog=f"The catalogue is --db, else ${DB_ENV}, else the default catalogue in your "
        "data folder (created on first use).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--db", type=Path, metavar="PATH", help="catalogue file to use")
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="your name, recorded with every change, event and assessment (default: "
        "$CATALOG_USER; without either, 'unnamed user', never your login name)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    catalogue_commands.register(commands)
    ingest_commands.register(commands)
    search_commands.register(commands)
    exchange_commands.register(commands)
    verify_commands.register(commands)
    backup_commands.register(commands)
    encryption_commands.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # A file name that is not valid UTF-8 is printed with escapes, never a crash.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 for --help
        return int(exc.code or 0)
    logfile = configure_logging()
    log.info("catalog %s", args.command)
    try:
        return int(args.run(CommandContext(args)))
    except CatalogError as exc:
        log.warning("'catalog %s' refused: %s", args.command, private(exc), exc_info=exc)
        print(f"catalog: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        log.info("'catalog %s' interrupted", args.command)
        print(
            "catalog: interrupted; what was finished is saved, so running the same command "
            "again completes it",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        log.exception("internal error in 'catalog %s'", args.command)
        where = f"; details are in {logfile}" if logfile else ""
        print(f"catalog: internal error ({type(exc).__name__}: {exc}){where}", file=sys.stderr)
        return EXIT_INTERNAL
