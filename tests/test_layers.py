"""The core never imports Qt: it must run in scripts, on servers and in worker processes."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import catalog_app

GUI_MODULES = ("catalog_app.ui", "catalog_app.app")


def _core_modules() -> list[str]:
    names = [
        module.name
        for module in pkgutil.walk_packages(catalog_app.__path__, prefix="catalog_app.")
        if not module.name.startswith(GUI_MODULES) and not module.name.endswith("__main__")
    ]
    assert "catalog_app.services.units" in names
    assert "catalog_app.storage.models" in names
    return names


def test_core_layers_do_not_import_qt() -> None:
    modules = _core_modules()
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "qt_roots = ('PySide6', 'shiboken6', 'qtawesome', 'qtpy')\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in qt_roots)\n"
        "print(','.join(qt))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "", f"Qt was imported by the core: {result.stdout}"


def test_domain_imports_neither_sqlalchemy_nor_qt() -> None:
    script = (
        "import importlib, pkgutil, sys, catalog_app.domain as d\n"
        "for m in pkgutil.walk_packages(d.__path__, prefix='catalog_app.domain.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(','.join(sorted(m for m in sys.modules\n"
        "    if m.split('.')[0] in ('sqlalchemy', 'PySide6', 'alembic'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == ""
