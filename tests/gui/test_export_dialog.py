"""File → Export: choose a format and scope, watch it run, read what was left out."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.ui.export_dialog import ExportDialog
from catalog_app.ui.main_window import MainWindow
from catalog_app.ui.tasks import TaskRunner


@pytest.fixture
def papers(catalogue: Catalogue) -> Catalogue:
    fonds = catalogue.units.create({"title": "Khavaran papers", "level": "fonds"})
    for number in range(4):
        catalogue.units.create({"title": f"Letter {number}"}, parent_id=fonds.id)
    catalogue.units.create(
        {"title": "Informants", "access_status": "restricted"}, parent_id=fonds.id
    )
    return catalogue


def _dialog(qtbot: QtBot, catalogue: Catalogue) -> ExportDialog:
    runner = TaskRunner()
    fonds = catalogue.units.find("CAT-0001")
    dialog = ExportDialog(catalogue, runner, collection=(fonds.id, "CAT-0001  Khavaran papers"))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_every_format_is_offered_and_a_csv_export_reports_what_it_left_out(
    qtbot: QtBot, papers: Catalogue, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, papers)
    offered = [dialog.format.itemData(i) for i in range(dialog.format.count())]
    assert offered == ["csv", "xlsx", "ead", "dc", "bag"]
    assert dialog.scope.currentData() == papers.units.find("CAT-0001").id
    assert not dialog.export_button.isEnabled()  # nowhere to save yet
    target = tmp_path / "aid.csv"
    qtbot.keyClicks(dialog.output, str(target))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_ is not None, timeout=10_000)
    assert dialog.result_ is not None
    assert dialog.result_.records == 5
    assert "left out 1 restricted" in dialog.message.text()
    assert target.read_text(encoding="utf-8-sig").count("Letter") == 4
    assert dialog.cancel_button.text() == "Close"


def test_including_restricted_records_warns_first(
    qtbot: QtBot, papers: Catalogue, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, papers)
    dialog.format.setCurrentIndex(dialog.format.findData("ead"))
    assert not dialog.profile.isEnabled()  # columns are for CSV only
    assert dialog.warning.isHidden()
    qtbot.mouseClick(dialog.include_restricted, Qt.MouseButton.LeftButton)
    assert dialog.warning.isVisible()
    qtbot.keyClicks(dialog.output, str(tmp_path / "aid.xml"))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.result_ is not None, timeout=10_000)
    assert "Informants" in (tmp_path / "aid.xml").read_text(encoding="utf-8")


def test_a_failed_export_says_why_and_can_be_tried_again(
    qtbot: QtBot, papers: Catalogue, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, papers)
    qtbot.keyClicks(dialog.output, str(tmp_path / "no-such-folder" / "aid.csv"))
    dialog.start()
    qtbot.waitUntil(lambda: "does not exist" in dialog.message.text(), timeout=10_000)
    assert dialog.export_button.isEnabled()


def test_file_export_opens_the_dialog_on_the_chosen_collection(
    qtbot: QtBot, window: MainWindow, papers: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = papers.path
    papers.close()
    assert window.open_catalogue(path)
    seen: list[ExportDialog] = []

    def record(dialog: ExportDialog) -> int:
        seen.append(dialog)
        return int(QDialog.DialogCode.Rejected)

    monkeypatch.setattr(ExportDialog, "exec", record)
    window.export_action.trigger()  # All records is chosen when the catalogue opens
    assert seen[0].scope.currentText() == "The whole catalogue"
    model = window.hierarchy
    window.tree.setCurrentIndex(model.index(model.first_unit_row(), 0))  # the first collection
    window.export_action.trigger()
    assert len(seen) == 2
    assert seen[1].scope.currentText().startswith("CAT-0001")
