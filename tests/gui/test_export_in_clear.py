"""The export dialog on an encrypted catalogue: nothing is written until the archivist ticks
that the export may be in clear; a plain catalogue does not ask."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.ui.export_dialog import ExportDialog
from catalog_app.ui.tasks import TaskRunner

PASSPHRASE = "eleven quiet lanterns"


@pytest.fixture
def encrypted(tmp_path: Path) -> Iterator[Catalogue]:
    path = tmp_path / "field.sqlite"
    with Catalogue.open(path, create=True, encrypt=True, passphrase=PASSPHRASE) as catalogue:
        catalogue.units.create({"title": "Statement about the night search"})
        yield catalogue


def test_an_encrypted_catalogue_is_exported_only_once_ticked_in_clear(
    qtbot: QtBot, encrypted: Catalogue, tmp_path: Path
) -> None:
    dialog = ExportDialog(encrypted, TaskRunner())
    qtbot.addWidget(dialog)
    dialog.show()
    target = tmp_path / "finding-aid.csv"
    qtbot.keyClicks(dialog.output, str(target))
    assert dialog.in_clear.isVisible()
    assert not dialog.in_clear.isChecked()
    assert not dialog.export_button.isEnabled()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert not target.exists()
    qtbot.mouseClick(dialog.in_clear, Qt.MouseButton.LeftButton)
    assert dialog.export_button.isEnabled()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_ is not None, timeout=10_000)
    assert "night search" in target.read_text(encoding="utf-8")


def test_a_plain_catalogue_does_not_ask(qtbot: QtBot, catalogue: Catalogue) -> None:
    dialog = ExportDialog(catalogue, TaskRunner())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.output, "/tmp/anything.csv")
    assert not dialog.in_clear.isVisible()
    assert dialog.export_button.isEnabled()
