"""Render the main window on the sample catalogue to PNG files (for the README).

    xvfb-run -a .venv/bin/python tools/screenshots.py docs/screenshots

Uses a private settings file and a fresh sample catalogue, so it changes nothing of yours.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from catalog_app.services.browse import View
from catalog_app.ui.export_dialog import ExportDialog
from catalog_app.ui.main_window import MainWindow
from catalog_app.ui.settings import UiSettings

sys.path.insert(0, str(Path(__file__).parent))
from demo_catalogue import build  # a sibling script, not a package


def _settle(app: QApplication, seconds: float = 0.6) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def _shoot(app: QApplication, widget: QWidget, target: Path) -> None:
    _settle(app)
    widget.grab().save(str(target))
    print(f"wrote {target}")


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "sample.sqlite"
        build(path)
        settings = UiSettings(QSettings(str(Path(scratch) / "ui.ini"), QSettings.Format.IniFormat))
        window = MainWindow(settings)  # sized to fit the screen (run it on a 1366x768 one)
        window.show()
        window.open_catalogue(path)
        _settle(app, 1.5)
        window.tree.setCurrentIndex(window.hierarchy.view_index(View.ALL))
        _settle(app, 1.0)
        _shoot(app, window, out / "all-records.png")
        window.tree.expandAll()
        _settle(app)
        assert window.catalogue is not None
        assert window.detail is not None
        article = window.catalogue.units.find("CAT-0001/0001/0001")
        window.show_unit(article.id)
        detail = window.detail
        for name, tab in (("description", 0), ("provenance", 1), ("reliability", 2)):
            detail.setCurrentIndex(tab)
            _shoot(app, window, out / f"{name}.png")
        statement = window.catalogue.search.search("title:statement", facets=False).ids
        window.show_unit(statement[0])
        _settle(app, 1.0)
        detail.setCurrentWidget(detail.originals)
        _settle(app, 1.0)
        detail.originals.preview.turn(1)
        _shoot(app, window, out / "preview.png")
        window.search.set_query("khavaran")
        _settle(app, 1.0)
        persian = window.catalogue.search.search("title:گزارش", facets=False).ids
        window.show_unit(persian[0])
        window.detail.setCurrentIndex(3)
        _shoot(app, window, out / "search-and-text.png")
        fonds = window.catalogue.units.find("CAT-0001")
        dialog = ExportDialog(
            window.catalogue,
            window.tasks,
            collection=(fonds.id, f"{fonds.reference_code}  {fonds.title}"),
            parent=window,
        )
        dialog.output.setText("~/Documents/khavaran-finding-aid.csv")
        dialog.include_restricted.setChecked(True)
        dialog.show()
        _shoot(app, dialog, out / "export.png")
        dialog.close()
        window.close()


if __name__ == "__main__":
    main()
