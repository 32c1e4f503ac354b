"""Opening another catalogue leaves nothing of the previous one behind (a search, answers
still on their way); a catalogue opened read-only offers no way to change it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.ui.main_window import MainWindow
from tests.gui.test_workflows import _click_row, _select_in_tree, _shown_codes, opened

__all__ = ["opened"]  # the fixture, shared with the workflow tests


def _search(qtbot: QtBot, window: MainWindow, text: str) -> None:
    box = window.search.box
    box.setText(text)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.search.status.text().startswith("1 found"), timeout=5000)


def test_after_a_search_another_catalogue_is_browsed_from_its_tree(
    qtbot: QtBot, opened: MainWindow, tmp_path: Path
) -> None:
    assert opened.catalogue is not None
    _search(qtbot, opened, "captures")
    other = tmp_path / "other.sqlite"
    shutil.copyfile(opened.catalogue.path, other)
    assert opened.open_catalogue(other)
    assert opened.search.box.text() == ""
    _select_in_tree(qtbot, opened, "CAT-0001/0001")
    assert _shown_codes(opened) == ["CAT-0001/0001/0001"]


def test_after_following_a_link_out_of_the_results_the_tree_drives_the_list(
    qtbot: QtBot, opened: MainWindow
) -> None:
    assert opened.catalogue is not None
    _search(qtbot, opened, "captures")
    second = opened.catalogue.units.find("CAT-0002").id
    opened.show_unit(second)  # e.g. a relation followed to a record not among the results
    _select_in_tree(qtbot, opened, "CAT-0001/0001")
    assert _shown_codes(opened) == ["CAT-0001/0001/0001"]


def test_a_sort_of_the_previous_catalogue_does_not_reach_the_next_one(
    qtbot: QtBot, opened: MainWindow, tmp_path: Path
) -> None:
    other = tmp_path / "other.sqlite"
    with Catalogue.open(other, create=True, actor="tester") as catalogue:
        fonds = catalogue.units.create({"title": "Other fonds", "level": "fonds"})
        catalogue.units.create({"title": "Second fonds", "level": "fonds"})
        catalogue.units.create({"title": "Only child"}, parent_id=fonds.id)
    _select_in_tree(qtbot, opened, "CAT-0001")
    header = opened.records_view.horizontalHeader()
    x = header.sectionViewportPosition(1) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert opened.open_catalogue(other)  # before the sorted ids reach the GUI thread
    shown = _shown_codes(opened)
    assert sorted(shown) == ["CAT-0001", "CAT-0001/0001", "CAT-0002"]  # its All records
    qtbot.wait(300)
    assert _shown_codes(opened) == shown


@pytest.fixture
def read_only(opened: MainWindow) -> Iterator[MainWindow]:
    assert opened.catalogue is not None
    path = opened.catalogue.path
    opened.set_catalogue(None)
    path.chmod(0o444)
    try:
        assert opened.open_catalogue(path)
        assert opened.catalogue is not None
        assert opened.catalogue.readonly
        yield opened
    finally:
        opened.set_catalogue(None)
        path.chmod(0o644)


def test_a_read_only_catalogue_offers_no_way_to_change_it(
    qtbot: QtBot, read_only: MainWindow
) -> None:
    window = read_only
    for action in (window.new_record_action, window.import_files_action):
        assert not action.isEnabled(), action.text()
    _select_in_tree(qtbot, window, "CAT-0001/0001")
    _click_row(qtbot, window, 0)
    detail = window.detail
    assert detail is not None
    assert detail.unit_id is not None
    provenance = detail.provenance
    assert provenance.current_event() is not None
    for button in (provenance.add_button, provenance.edit_button, provenance.remove_button):
        assert not button.isEnabled(), button.text()
    detail.setCurrentWidget(provenance)
    provenance.timeline.setFocus()
    qtbot.keyClick(provenance.timeline, Qt.Key.Key_Insert)
    assert provenance.form.isHidden()
    assert not detail.relations.link_button.isEnabled()
    assert not detail.originals.add_button.isEnabled()
