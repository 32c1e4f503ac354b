"""The program's log file: where unexpected errors go with their tracebacks."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from catalog_app.paths import log_dir

LOG_NAME = "catalog.log"


def configure_logging(level: int = logging.INFO) -> Path | None:
    """Log to a rotating file in the user's log folder; returns its path (None if unwritable)."""
    root = logging.getLogger()
    path = log_dir() / LOG_NAME
    for handler in list(root.handlers):
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            if Path(handler.baseFilename) == path.absolute():
                return path
            # The log folder changed (another CATALOG_APP_HOME): follow it.
            root.removeHandler(handler)
            handler.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    # Libraries that narrate every file or step at INFO would push the program's own
    # warnings out of the rotating log.
    for chatty in ("bagit", "alembic"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    return path
