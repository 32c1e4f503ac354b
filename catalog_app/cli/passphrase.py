"""Where the `catalog` command gets a passphrase: $CATALOG_PASSPHRASE (for scripts), else a
prompt on the terminal that does not echo. It is never written anywhere."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from catalog_app.errors import PassphraseNeeded, ValidationError

if TYPE_CHECKING:
    from pathlib import Path

PASSPHRASE_ENV = "CATALOG_PASSPHRASE"
NEW_PASSPHRASE_ENV = "CATALOG_NEW_PASSPHRASE"


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def asker(path: Path, *, new: bool = False, env: str = PASSPHRASE_ENV) -> Callable[[], str]:
    """A function that gives the passphrase for `path` when the catalogue needs one.

    `new` asks twice (a passphrase being chosen), unless it comes from the environment.
    """

    def ask() -> str:
        value = os.environ.get(env)
        if value:
            return value
        if not _interactive():
            raise PassphraseNeeded(
                f"{path} is encrypted: set {env} or run the command in a terminal to be "
                "asked for the passphrase."
                if not new
                else f"A new passphrase is needed: set {env} or run the command in a terminal."
            )
        import getpass  # here: the command table imports this module for its names

        label = "New passphrase" if new else "Passphrase"
        text = getpass.getpass(f"{label} for {path.name}: ")
        if not text:
            raise PassphraseNeeded("No passphrase was given; nothing was done.")
        if new and getpass.getpass("The same passphrase again: ") != text:
            raise ValidationError("The two passphrases differ; nothing was done.")
        return text

    return ask
