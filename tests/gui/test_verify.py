"""File → Verify Originals: run the audit in the background, see when and what failed."""

from __future__ import annotations

import stat
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from catalog_app.ingest import store
from catalog_app.services import Catalogue
from catalog_app.ui.main_window import MainWindow
from catalog_app.ui.verify_panel import NEVER

DOCUMENTS = 6


def _imported(tmp_path: Path) -> Path:
    db = tmp_path / "cat.sqlite"
    source = tmp_path / "captures"
    source.mkdir()
    for number in range(DOCUMENTS):
        (source / f"letter{number}.txt").write_text(f"Letter {number} from Evin", "utf-8")
    with Catalogue.open(db, create=True, actor="tester") as catalogue:
        catalogue.imports.run([source], workers=1)
    return db


def _damage(db: Path) -> tuple[Path, Path]:
    altered, deleted, *_ = sorted(store.store_root(db).glob("??/*"))
    altered.chmod(stat.S_IRUSR | stat.S_IWUSR)
    altered.write_bytes(b"not what was imported")
    deleted.unlink()
    return altered, deleted


def _rows(window: MainWindow) -> list[tuple[str, str]]:
    """(problem, full stored path) of each failure listed."""
    tree = window.verification.dialog.failures
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    return [(item.text(0), item.toolTip(3)) for item in items if item is not None]


def _open_dialog_with_the_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(
        window.records_view,
        Qt.Key.Key_V,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(window.verification.dialog.isVisible)


def test_verifying_from_the_window_shows_when_and_what_failed(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    db = _imported(tmp_path)
    altered, deleted = _damage(db)
    assert window.open_catalogue(db)
    panel = window.verification
    qtbot.waitUntil(lambda: panel.label.text() == NEVER)
    assert panel.dialog.last_label.text() == NEVER + "."

    _open_dialog_with_the_keyboard(qtbot, window)
    dialog = panel.dialog
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Verify Now is the default button
    qtbot.waitUntil(
        lambda: dialog.last_label.text().startswith("Originals verified"), timeout=20_000
    )
    assert "1 missing, 1 altered" in dialog.last_label.text()
    assert panel.label.text().startswith("Originals verified")
    assert sorted(_rows(window)) == [("altered", str(altered)), ("missing", str(deleted))]
    assert dialog.verify_button.isEnabled()
    assert not panel.running()

    # Reopening the catalogue shows the last run as recorded in it.
    assert window.open_catalogue(db)
    qtbot.waitUntil(lambda: "1 missing, 1 altered" in panel.label.text())
    assert sorted(_rows(window)) == [("altered", str(altered)), ("missing", str(deleted))]


def test_a_stopped_run_carries_on_from_the_menu(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    db = _imported(tmp_path)
    assert window.open_catalogue(db)
    panel = window.verification
    file_menu = window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu)
    assert window.verify_action in file_menu.actions()
    window.verify_action.trigger()
    dialog = panel.dialog
    assert dialog.isVisible()
    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)  # before anything is hashed
    qtbot.waitUntil(lambda: not panel.running(), timeout=20_000)
    assert "Verify Now carries on" in dialog.status.text()
    assert panel.label.text().startswith("Verification stopped")

    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.last_label.text().startswith("Originals verified"), timeout=20_000
    )
    assert f"{DOCUMENTS:,} intact" in dialog.last_label.text()
    assert _rows(window) == []
    with Catalogue.open(db, actor="tester") as catalogue:
        last = catalogue.fixity.last()
        assert last is not None
        assert last.checked == DOCUMENTS
        assert catalogue.integrity_problems() == []
