"""What every subcommand gets: the parsed options and a way to open the catalogue."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from catalog_app.paths import catalogue_from_environment, default_catalogue
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

    def open(self, *, create: bool = False, readonly: bool | None = None) -> Catalogue:
        """Open the chosen catalogue. The default one is created on first use."""
        return Catalogue.open(
            self.path,
            create=create or self.uses_default,
            actor=self.args.user,
            readonly=readonly,
        )
