"""Showing problems to the person at the window: plain words, never a traceback."""

from __future__ import annotations

import logging
import sys
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from catalog_app.errors import CatalogError
from catalog_app.logs import private

log = logging.getLogger(__name__)


def show_problem(parent: QWidget | None, title: str, error: BaseException) -> None:
    """A dialog for an error: its message if the user can act on it, an apology if a bug."""
    if isinstance(error, CatalogError):
        log.warning("%s: %s", private(title), private(error), exc_info=error)
        QMessageBox.warning(parent, title, str(error))
        return
    log.error("unexpected error: %s", private(title), exc_info=error)
    QMessageBox.critical(
        parent,
        title,
        "Something went wrong inside the program; nothing you did caused it. Your saved work "
        "is safe. The details were written to the log file.",
    )


def install_excepthook() -> None:
    """Route uncaught exceptions (e.g. in slots) to the log and a dialog instead of stderr."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        log.error("uncaught exception", exc_info=(kind, error, tb))
        show_problem(None, "Unexpected problem", error)

    sys.excepthook = hook
