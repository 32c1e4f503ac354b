"""`catalog-app`: start the desktop window on a catalogue (composition root of the GUI)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from catalog_app import APP_NAME, __version__
from catalog_app.logs import configure_logging
from catalog_app.paths import catalogue_from_environment, default_catalogue
from catalog_app.qt_libs import missing_libraries, packages_for

log = logging.getLogger(__name__)


def _display_problem() -> str | None:
    """Why Qt could not show a window here, said before Qt aborts with something cryptic."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or platform not in ("", "xcb"):
        return None
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return (
            "no graphical display was found (DISPLAY is not set): start the program from "
            "a desktop session, or use the 'catalog' command"
        )
    if os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        missing = missing_libraries("xcb")
        if missing:
            packages, unknown = packages_for(missing)
            wanted = " ".join(packages + unknown)
            return f"Qt needs system libraries that are missing: sudo apt-get install {wanted}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="catalog-app", description="Open the catalogue window.")
    parser.add_argument(
        "catalogue",
        nargs="?",
        type=Path,
        help="catalogue file (default: $CATALOG_DB or your default catalogue)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    args = parser.parse_args(argv)
    problem = _display_problem()
    if problem:
        print(f"catalog-app: {problem}", file=sys.stderr)
        return 1
    configure_logging()

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from catalog_app.paths import bundled
    from catalog_app.ui.errors import install_excepthook
    from catalog_app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("Catalog")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(bundled("resources") / "icons" / "catalog-app.svg")))
    install_excepthook()

    window = MainWindow()
    window.show()  # first: an encrypted catalogue's passphrase dialog opens over it
    explicit = args.catalogue or catalogue_from_environment()
    window.open_catalogue(explicit or default_catalogue(), create=explicit is None)
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
