"""What every subcommand gets: the parsed options and a way to open the catalogue."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from catalog_app.cli.passphrase import asker
from catalog_app.cli.progress import ProgressBar
from catalog_app.paths import catalogue_from_environment, default_catalogue

if TYPE_CHECKING:
    from catalog_app.services import Catalogue


@dataclass
class CommandContext:
    args: argparse.Namespace

    @property
    def path(self) -> Path:
        return self.args.db or catalogue_from_environment() or default_catalogue()

    @property
    def uses_default(self) -> bool:
        return self.args.db is None and catalogue_from_environment() is None

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    def progress(self, label: str) -> ProgressBar:
        """Progress for this command: a bar on a terminal, JSON lines on stderr with --json."""
        return ProgressBar(label, json_name=self.args.command if self.json else None)

    def open(
        self, *, create: bool = False, readonly: bool | None = None, encrypt: bool = False
    ) -> Catalogue:
        """Open the chosen catalogue. The default one is created on first use. An encrypted
        one asks for its passphrase (or takes it from the environment)."""
        from catalog_app.services import Catalogue  # the storage layer, only when it is used

        return Catalogue.open(
            self.path,
            create=create or self.uses_default,
            passphrase=asker(self.path, new=encrypt and not Catalogue.is_encrypted(self.path)),
            encrypt=encrypt,
            actor=self.args.user,
            readonly=readonly,
        )


# What a command does with its context; returns the exit status.
Run = Callable[[CommandContext], int]
# Adds a command's arguments (and its `run`) to the parser made for it.
AddArguments = Callable[[argparse.ArgumentParser], None]


def json_option(parser: argparse.ArgumentParser, run: Run) -> None:
    """The --json option every command has, and the command's `run`."""
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)
