"""The window and the `catalog` command on one catalogue, with the window's own file dialog
listing the catalogue's folder in between (which opens and closes the catalogue file in the
window's process, as Qt guesses each file's type)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QMimeDatabase, Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.ui.main_window import MainWindow

CATALOG = Path(sys.executable).with_name("catalog")


def catalog(db: Path, *args: str) -> dict[str, object]:
    done = subprocess.run(
        [str(CATALOG), "--db", str(db), *args, "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def browse_folder_in_a_file_dialog(qtbot: QtBot, folder: Path, catalogue_file: Path) -> None:
    dialog = QFileDialog(None, "Back Up Catalogue", str(folder))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(dialog)
    dialog.show()
    # What the dialog does for every file it shows: guess its type from its content.
    guessed = QMimeDatabase().mimeTypeForFile(
        str(catalogue_file), QMimeDatabase.MatchMode.MatchContent
    )
    assert guessed.isValid()
    dialog.reject()


def test_an_edit_after_a_file_dialog_and_another_program_is_seen_at_once(
    qtbot: QtBot, window: MainWindow, described: Catalogue, tmp_path: Path
) -> None:
    path = described.path
    described.close()
    assert window.open_catalogue(path)
    assert window.catalogue is not None
    record = window.catalogue.units.create({"title": "Typed in the window"})

    browse_folder_in_a_file_dialog(qtbot, path.parent, path)
    note = tmp_path / "statement.txt"
    note.write_text("A statement taken at Khavaran.\n", encoding="utf-8")
    catalog(path, "import", str(note))

    window.catalogue.units.update(record.id, {"title": "Corrected in the window"})
    shown = catalog(path, "show", record.reference_code)
    assert shown["title"] == "Corrected in the window"
    window.close()
    assert catalog(path, "check")["ok"] is True


def test_f5_shows_what_the_command_imported_meanwhile(
    qtbot: QtBot, window: MainWindow, described: Catalogue, tmp_path: Path
) -> None:
    path = described.path
    described.close()
    assert window.open_catalogue(path)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    before = window.hierarchy.rowCount()
    note = tmp_path / "statement.txt"
    note.write_text("A statement taken at Khavaran.\n", encoding="utf-8")
    imported = catalog(path, "import", str(note))
    assert imported["imported"] == 1

    window.records_view.setFocus()
    qtbot.keyClick(window.records_view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: window.hierarchy.rowCount() == before + 1)
    labels = [window.hierarchy.item(row).text() for row in range(window.hierarchy.rowCount())]
    assert any("statement" in label for label in labels)
