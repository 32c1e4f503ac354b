"""The Originals tab of an encrypted catalogue: a sealed copy is checked, and opened as a
decrypted copy in a private folder, never as the sealed file itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QUndoStack
from pytestqt.qtbot import QtBot

from catalog_app.ingest import store
from catalog_app.services import Catalogue
from catalog_app.services import ingest as ingest_service
from catalog_app.services.originals import OriginalsService, forget_viewable_copies
from catalog_app.ui.detail.originals_tab import FIXITY_COLUMN, OriginalsTab
from tests.gui.helpers import on_screen

SENTENCE = "The witness saw the convoy leave the northern checkpoint at dawn."


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "runtime"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    return folder


@pytest.fixture
def catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runtime: Path
) -> Iterator[Catalogue]:
    monkeypatch.setenv("CATALOG_KDF_MEMORY_MB", "8")
    monkeypatch.setattr(ingest_service, "IN_PROCESS", True)
    path = tmp_path / "sealed.sqlite"
    with Catalogue.open(path, create=True, encrypt=True, passphrase="a long passphrase") as opened:
        yield opened
    forget_viewable_copies()


def test_a_sealed_original_opens_decrypted_and_its_copy_is_forgotten(
    qtbot: QtBot,
    catalogue: Catalogue,
    tmp_path: Path,
    runtime: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = tmp_path / "statement.txt"
    source.write_text(SENTENCE, encoding="utf-8")
    [unit_id] = catalogue.imports.run([source], workers=1).new_ids
    opened: list[str] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url.toLocalFile())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    tab = on_screen(qtbot, OriginalsTab(catalogue, QUndoStack()), 900, 400)
    tab.show_unit(unit_id)
    item = tab.files.topLevelItem(0)
    assert item is not None
    qtbot.waitUntil(lambda: item.text(FIXITY_COLUMN) != "checking…", timeout=10_000)
    assert item.text(FIXITY_COLUMN) == "matches its checksum"

    tab.files.setFocus()
    with qtbot.waitSignal(tab.open_settled, timeout=10_000):
        qtbot.keyClick(tab.files, Qt.Key.Key_Return)
    [shown] = opened
    [file] = OriginalsService(catalogue).files(unit_id)
    assert Path(shown) != OriginalsService(catalogue).stored_copy(file)
    assert Path(shown).is_relative_to(runtime)
    assert Path(shown).read_text(encoding="utf-8") == SENTENCE
    forget_viewable_copies()
    assert not Path(shown).exists()


def test_an_altered_sealed_original_is_not_opened(
    qtbot: QtBot,
    catalogue: Catalogue,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = tmp_path / "statement.txt"
    source.write_text(SENTENCE, encoding="utf-8")
    [unit_id] = catalogue.imports.run([source], workers=1).new_ids
    [file] = OriginalsService(catalogue).files(unit_id)
    assert file.stored_path is not None
    copy = store.store_root(catalogue.path) / file.stored_path
    copy.chmod(0o600)
    copy.write_bytes(copy.read_bytes()[:-3])
    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    tab = on_screen(qtbot, OriginalsTab(catalogue, QUndoStack()), 900, 400)
    tab.show_unit(unit_id)
    item = tab.files.topLevelItem(0)
    assert item is not None
    qtbot.waitUntil(lambda: item.text(FIXITY_COLUMN) != "checking…", timeout=10_000)
    assert item.text(FIXITY_COLUMN) == "CHANGED or missing"
    assert "authenticity" in item.toolTip(FIXITY_COLUMN)

    with qtbot.waitSignal(tab.open_settled, timeout=10_000):
        qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    assert opened == []
    assert "was altered" in tab.message.text()
