"""Errors a user can cause and act on. Each carries one plain sentence and what to do.

Anything that is not one of these is a bug: the CLI and the GUI log it with its traceback and
show a short apology instead of the traceback.
"""

from __future__ import annotations


class CatalogError(Exception):
    """Base of user-facing errors. `str(error)` is a complete one-line message."""

    exit_code = 1


class CatalogueNotFound(CatalogError):
    pass


class NotACatalogue(CatalogError):
    pass


class CatalogueReadOnly(CatalogError):
    pass


class CatalogueLocked(CatalogError):
    pass


class CatalogueTooNew(CatalogError):
    pass


class CatalogueCorrupt(CatalogError):
    pass


class DiskFull(CatalogError):
    pass


class RecordNotFound(CatalogError):
    pass


class ValidationError(CatalogError):
    """Input that breaks a rule of the catalogue (bad date, duplicate reference code, ...)."""


class ConflictError(CatalogError):
    """The record changed (in another window or program) since it was read."""


class PassphraseNeeded(CatalogError):
    """The catalogue is encrypted and no passphrase was given (or could be asked for)."""


class WrongPassphrase(CatalogError):
    """The passphrase does not open this encrypted catalogue."""


class PreviewUnavailable(CatalogError):
    """An original that cannot be shown in the window (damaged, protected by a password, of
    a kind without a preview); it may still open in another program."""


class MissingComponent(CatalogError):
    """A library the program needs did not install or cannot load; reinstalling mends it."""
