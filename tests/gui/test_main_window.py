"""The main window driven as a person would: menus, the tree, the record pane."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.ui.main_window import MainWindow
from catalog_app.ui.settings import UiSettings
from tests.gui.helpers import record_shown


def _open(window: MainWindow, catalogue: Catalogue) -> None:
    path = catalogue.path
    catalogue.close()
    assert window.open_catalogue(path)


def _summary(qtbot: QtBot, window: MainWindow) -> str:
    """The Summary tab's text, once the chosen record is shown there (it is clicked)."""
    detail = record_shown(qtbot, window.detail)
    bar = detail.tabBar()
    tab = bar.tabRect(detail.indexOf(detail.summary))
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=tab.center())
    return detail.summary.toPlainText()


def _counts(qtbot: QtBot, window: MainWindow, start: str) -> None:
    qtbot.waitUntil(lambda: window.counts_label.text().startswith(start))


def test_without_a_catalogue_the_window_says_so(window: MainWindow) -> None:
    assert "No catalogue is open" in window.record_view.toPlainText()
    assert window.path_label.text() == "No catalogue open"
    assert not window.backup_action.isEnabled()


def test_an_empty_catalogue_shows_its_path_and_zero_counts(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue
) -> None:
    _open(window, catalogue)
    assert window.path_label.text() == str(catalogue.path)
    _counts(qtbot, window, "0 records")
    assert "no records yet" in window.record_view.toPlainText()
    assert window.windowTitle().startswith("catalogue.sqlite")


def test_the_tree_loads_levels_as_they_are_opened_and_shows_the_chosen_record(
    qtbot: QtBot, window: MainWindow, described: Catalogue
) -> None:
    _open(window, described)
    model, tree = window.hierarchy, window.tree
    assert model.top_units() == ["CAT-0001  Testimonies", "CAT-0002  Second fonds"]
    # All records is chosen, and its first row shown at once
    assert "Testimonies" in _summary(qtbot, window)
    _counts(qtbot, window, "4 records")

    fonds = model.index(model.first_unit_row(), 0)
    tree.expand(fonds)
    series = model.index(0, 0, fonds)
    assert series.data() == "CAT-0001/0001  Web captures"
    tree.expand(series)
    item = model.index(0, 0, series)
    assert item.data() == "CAT-0001/0001/0001  خاوران؛ گورستان بی‌نام"

    tree.scrollTo(item)
    rect = tree.visualRect(item)
    # Near the start of the name: the tree may be narrower than its deepest row.
    where = QPoint(min(rect.left() + 8, tree.viewport().width() - 2), rect.center().y())
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
    text = _summary(qtbot, window)
    assert "خاوران؛ گورستان بی‌نام" in text
    assert "summer 1988" in text
    assert "capture 2024-03-02" in text
    assert "C2 Fairly reliable; Probably true" in text
    assert "Opposition outlet" in text


def test_keyboard_moves_through_the_tree(
    qtbot: QtBot, window: MainWindow, described: Catalogue
) -> None:
    _open(window, described)
    window.tree.setFocus()
    window.tree.setCurrentIndex(window.hierarchy.folder_index())  # Saved searches
    qtbot.keyClick(window.tree, Qt.Key.Key_Down)  # passes over the Collections heading
    assert "Testimonies" in _summary(qtbot, window)
    window.tree.setFocus()
    qtbot.keyClick(window.tree, Qt.Key.Key_Down)
    assert "Second fonds" in _summary(qtbot, window)
    window.tree.setFocus()
    qtbot.keyClick(window.tree, Qt.Key.Key_Up)
    qtbot.keyClick(window.tree, Qt.Key.Key_Right)  # expands, loading the series
    qtbot.keyClick(window.tree, Qt.Key.Key_Down)
    assert "Web captures" in _summary(qtbot, window)


def test_file_new_creates_and_opens_a_catalogue(
    window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    ui_settings: UiSettings,
) -> None:
    target = tmp_path / "field-trip.sqlite"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert window.new_action.shortcut() == QKeySequence(QKeySequence.StandardKey.New)
    window.new_action.trigger()
    assert target.exists()
    assert window.catalogue is not None
    assert window.catalogue.path == target
    assert ui_settings.recent_catalogues()[0] == target


def test_file_new_refuses_an_existing_file(
    window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    messages: list[tuple[str, str]],
) -> None:
    existing = tmp_path / "taken.sqlite"
    existing.write_text("someone's notes")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(existing), ""))
    window.new_action.trigger()
    assert messages == [
        ("warning", f"{existing} already exists; open it with File → Open, or choose a new name.")
    ]
    assert existing.read_text() == "someone's notes"
    assert window.catalogue is None


def test_opening_something_that_is_not_a_catalogue_explains_and_keeps_the_current_one(
    window: MainWindow,
    catalogue: Catalogue,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    messages: list[tuple[str, str]],
) -> None:
    _open(window, catalogue)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(notes), ""))
    window.open_action.trigger()
    assert messages == [
        ("warning", f"{notes} is not a catalogue (it is not an SQLite database file).")
    ]
    assert window.catalogue is not None
    assert window.catalogue.path == catalogue.path
    assert notes.read_text() == "hello"


def test_cancelling_a_file_dialog_changes_nothing(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, messages: list[tuple[str, str]]
) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    window.open_action.trigger()
    window.new_action.trigger()
    assert window.catalogue is None
    assert messages == []


def test_recent_catalogues_and_layout_survive_a_restart(
    qtbot: QtBot,
    window: MainWindow,
    described: Catalogue,
    ui_settings: UiSettings,
) -> None:
    _open(window, described)
    window.splitter.setSizes([200, 900])
    window.close()
    again = MainWindow(ui_settings)
    qtbot.addWidget(again)
    again._fill_recent_menu()
    entries = [a.text() for a in again.recent_menu.actions()]
    assert entries == [str(described.path)]
    again.recent_menu.actions()[0].trigger()
    assert again.catalogue is not None
    assert again.catalogue.path == described.path
    assert ui_settings.splitter_state() is not None
    again.close()


def test_backup_from_the_file_menu(
    qtbot: QtBot,
    window: MainWindow,
    described: Catalogue,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _open(window, described)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path))
    window.backup_action.trigger()
    dialog = window.backup_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.report is not None)
    with Catalogue.open(dialog.destination / "data" / described.path.name) as copy:
        assert copy.stats().counts["units"] == 4
    assert window.statusBar().currentMessage().startswith("Backed up")


def test_a_read_only_catalogue_is_marked(window: MainWindow, catalogue: Catalogue) -> None:
    path = catalogue.path
    catalogue.close()
    path.chmod(0o444)
    try:
        assert window.open_catalogue(path)
        assert "[read-only]" in window.windowTitle()
    finally:
        path.chmod(0o644)
