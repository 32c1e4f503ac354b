"""Where things live: the default catalogue, logs, and the files shipped with the program.

CATALOG_APP_HOME overrides every per-user directory at once (tests and portable installs).
"""

from __future__ import annotations

import os
from pathlib import Path

from catalog_app import APP_NAME
from catalog_app import DB_ENV as DB_ENV

HOME_ENV = "CATALOG_APP_HOME"
DEFAULT_CATALOGUE_NAME = "catalogue.sqlite"
_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override) / "data"
    import platformdirs  # here: the command line's --help and --version need none of it

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override) / "logs"
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def default_catalogue() -> Path:
    return data_dir() / DEFAULT_CATALOGUE_NAME


def catalogue_from_environment() -> Path | None:
    value = os.environ.get(DB_ENV)
    return Path(value).expanduser() if value else None


def bundled(name: str) -> Path:
    """A top-level folder of the project (migrations, resources) as installed or checked out.

    A wheel carries it inside the package; a source checkout (editable install) beside it.
    """
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the program's '{name}' folder is missing: reinstall the program")
