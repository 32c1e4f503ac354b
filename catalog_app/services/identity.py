"""Who is at work: the one person name recorded with every change, event and assessment,
and the names of the account and the computer, which stay inside the catalogue.

The person name is what the person gave: the window's Edit → Preferences, or `--user` on
the command line, else $CATALOG_USER. Without any of them changes are recorded as UNNAMED,
never as the login name: a login name is a fact about the computer, not the name a person
chose to sign their work with, and it must not travel in a finding aid.
"""

from __future__ import annotations

import getpass
import os
import platform

USER_ENV = "CATALOG_USER"
UNNAMED = "unnamed user"


def person_name(given: str | None = None) -> str:
    """The name to record: `given` (Preferences, --user), else $CATALOG_USER, else UNNAMED.
    White space is tidied (a name typed with a trailing space is the same name)."""
    for candidate in (given, os.environ.get(USER_ENV)):
        name = " ".join((candidate or "").split())
        if name:
            return name
    return UNNAMED


def login_name() -> str | None:
    """The operating system account this program runs as (None where it cannot be told)."""
    try:
        return getpass.getuser() or None
    except (OSError, KeyError):
        return None


def host_name() -> str | None:
    """This computer's network name, as recorded in the place of the events the program
    records itself (import, fixity check, transfer)."""
    return platform.node() or None
