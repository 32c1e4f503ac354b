"""`catalog`: the command-line face of the catalogue.

Exit status: 0 success; 1 a problem the user can act on (message on stderr); 2 wrong usage;
70 an internal error (logged with details); 130 interrupted.

Only the chosen command's module is imported (see catalog_app.cli.commands), and nothing that
opens a catalogue is imported before the command line has been read, so `--version`, `--help`
and usage errors answer at once.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import TYPE_CHECKING

from catalog_app import DB_ENV, __version__
from catalog_app.cli.commands import COMMANDS

if TYPE_CHECKING:
    from pathlib import Path

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


def _path(text: str) -> Path:
    from pathlib import Path  # here: --version and --help need none of it

    return Path(text)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser listing every command, with the arguments of `command` only (None: of none;
    the others take whatever follows them, and are never parsed with this parser)."""
    parser = argparse.ArgumentParser(
        prog="catalog",
        description="Work with an archival catalogue file from the command line.",
        epilog=f"The catalogue is --db, else ${DB_ENV}, else the default catalogue in your "
        "data folder (created on first use).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--db", type=_path, metavar="PATH", help="catalogue file to use")
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="your name, recorded with every change, event and assessment (default: "
        "$CATALOG_USER; without either, 'unnamed user', never your login name)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module, text in COMMANDS:
        chosen = name == command
        subparser = commands.add_parser(name, help=text, description=text, add_help=chosen)
        if chosen:
            import_module(f"catalog_app.cli.commands.{module}").ARGUMENTS[name](subparser)
    return parser


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line; exits as argparse does (0 after --help or --version, 2 on a
    usage error)."""
    # A first reading finds the command (and answers --version, --help and a missing or
    # unknown command) without importing any; the second reads the command's own arguments.
    command = build_parser().parse_known_args(argv)[0].command
    return build_parser(command).parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # A file name that is not valid UTF-8 is printed with escapes, never a crash.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        args = parse(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 for --help
        return int(exc.code or 0)
    code = run(args)
    if argv is None:  # the program itself, not a caller passing its arguments
        end_now(code)
    return code


def end_now(code: int) -> None:
    """End the process with `code` once output and logs are written and the exit handlers have
    run, skipping Python's teardown of every module, which takes longer than the search itself
    (SQLAlchemy's alone, some 70 ms). Returns, for an ordinary exit, while another thread
    still runs or when the output cannot be written (a closed pipe); the caller then returns
    `code` as usual."""
    import atexit
    import os
    import threading

    if threading.active_count() > 1:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        return
    atexit._run_exitfuncs()  # logging's shutdown among them
    os._exit(code)


def run(args: argparse.Namespace) -> int:
    """Run the parsed command, turning what goes wrong into one line on stderr."""
    import logging

    from catalog_app.cli.context import CommandContext
    from catalog_app.errors import CatalogError
    from catalog_app.logs import configure_logging, private

    log = logging.getLogger("catalog_app.cli")
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
