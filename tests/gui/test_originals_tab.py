"""The Originals tab: stored files, fixity checked in the background, opening and adding."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QUndoStack
from PySide6.QtWidgets import QFileDialog, QTreeWidget, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.services.originals import OriginalsService, forget_viewable_copies
from catalog_app.ui.detail.originals_tab import FIXITY_COLUMN, OriginalsTab
from tests.gui.helpers import on_screen

TEXT = "گزارش شاهدان از خاوران"


@pytest.fixture
def tab(qtbot: QtBot, catalogue: Catalogue) -> OriginalsTab:
    return on_screen(qtbot, OriginalsTab(catalogue, QUndoStack()), 900, 400)


@pytest.fixture
def unit_id(catalogue: Catalogue, tmp_path: Path) -> int:
    source = tmp_path / "testimony.txt"
    source.write_text(TEXT, encoding="utf-8")
    (new,) = catalogue.imports.run([source], workers=1).new_ids
    return new


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[QUrl]]:
    urls: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        urls.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    (tmp_path / "runtime").mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "runtime"))
    yield urls
    forget_viewable_copies()  # the copies handed over


def row_item(tree: QTreeWidget, row: int) -> QTreeWidgetItem:
    item = tree.topLevelItem(row)
    assert item is not None
    return item


def fixity(tab: OriginalsTab, row: int = 0) -> str:
    return row_item(tab.files, row).text(FIXITY_COLUMN)


def show_and_check(qtbot: QtBot, tab: OriginalsTab, unit_id: int) -> None:
    tab.show_unit(unit_id)
    qtbot.waitUntil(
        lambda: all(fixity(tab, r) != "checking…" for r in range(tab.files.topLevelItemCount())),
        timeout=10_000,
    )


def test_stored_files_are_listed_and_their_copies_match(
    qtbot: QtBot, tab: OriginalsTab, catalogue: Catalogue, unit_id: int
) -> None:
    show_and_check(qtbot, tab, unit_id)
    (file,) = catalogue.units.get(unit_id).files
    item = row_item(tab.files, 0)
    assert [item.text(c) for c in range(4)] == [
        "testimony.txt",
        file.media_type,
        f"{file.size:,} bytes",
        file.sha256,
    ]
    assert fixity(tab) == "matches its checksum"


def test_a_stored_copy_altered_on_disk_shows_changed(
    qtbot: QtBot, tab: OriginalsTab, catalogue: Catalogue, unit_id: int
) -> None:
    show_and_check(qtbot, tab, unit_id)
    assert fixity(tab) == "matches its checksum"
    (file,) = catalogue.units.get(unit_id).files
    copy = OriginalsService(catalogue).stored_copy(file)
    assert copy is not None
    copy.chmod(stat.S_IRUSR | stat.S_IWUSR)
    copy.write_text(TEXT + " (edited)", encoding="utf-8")

    qtbot.mouseClick(tab.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: fixity(tab) == "CHANGED or missing", timeout=10_000)
    assert "now has SHA-256" in row_item(tab.files, 0).toolTip(FIXITY_COLUMN)

    copy.unlink()
    show_and_check(qtbot, tab, unit_id)
    assert fixity(tab) == "CHANGED or missing"
    assert "missing" in row_item(tab.files, 0).toolTip(FIXITY_COLUMN)


def test_open_hands_a_copy_to_the_system_never_the_stored_copy(
    qtbot: QtBot, tab: OriginalsTab, catalogue: Catalogue, unit_id: int, opened: list[QUrl]
) -> None:
    show_and_check(qtbot, tab, unit_id)
    (file,) = catalogue.units.get(unit_id).files
    copy = OriginalsService(catalogue).stored_copy(file)

    tab.files.setFocus()
    with qtbot.waitSignal(tab.open_settled, timeout=10_000):
        qtbot.keyClick(tab.files, Qt.Key.Key_Return)
    [given] = [Path(url.toLocalFile()) for url in opened]
    assert given != copy
    assert given.read_text(encoding="utf-8") == TEXT
    with qtbot.waitSignal(tab.open_settled, timeout=10_000):
        qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    assert len(opened) == 2

    assert copy is not None
    copy.unlink()
    with qtbot.waitSignal(tab.open_settled, timeout=10_000):
        qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    assert len(opened) == 2
    assert "is missing" in tab.message.text()


def test_add_original_stores_it_with_its_text_and_an_ingestion_event(
    qtbot: QtBot,
    tab: OriginalsTab,
    catalogue: Catalogue,
    unit_id: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    extra = tmp_path / "translation.txt"
    extra.write_text("Witness reports from Khavaran", encoding="utf-8")
    duplicate = tmp_path / "again.txt"
    duplicate.write_text(TEXT, encoding="utf-8")
    chosen = [str(extra), str(duplicate)]
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *args, **kwargs: (chosen, "All files (*)")
    )
    show_and_check(qtbot, tab, unit_id)

    with qtbot.waitSignal(tab.changed, timeout=10_000) as changed:
        qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
        assert not tab.add_button.isEnabled()
    assert changed.args == [unit_id]

    qtbot.waitUntil(lambda: fixity(tab, 1) == "matches its checksum", timeout=10_000)
    names = [row_item(tab.files, r).text(0) for r in range(tab.files.topLevelItemCount())]
    assert names == ["testimony.txt", "translation.txt"]
    assert "again.txt is not added: the same bytes are already catalogued" in tab.message.text()
    assert tab.add_button.isEnabled()
    added = catalogue.units.get(unit_id).files[1]
    assert any(
        e.event_type == "ingestion" and e.file_id == added.id
        for e in catalogue.provenance.chain(unit_id)
    )
    texts = OriginalsService(catalogue).texts(unit_id)
    assert texts[1].text == "Witness reports from Khavaran"


def test_nothing_selected_is_an_empty_disabled_tab(tab: OriginalsTab) -> None:
    tab.show_unit(None)
    assert not tab.isEnabled()
    assert tab.files.topLevelItemCount() == 0
