"""Choosing another record in the window reads it once, off the GUI thread, for every tab; the
detail pane's tab labels are never cut short on a laptop's screen."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from catalog_app.domain.records import NewAssessment, NewEvent
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.services import Catalogue
from catalog_app.ui.main_window import MainWindow
from tests.gui.helpers import record_shown
from tests.gui.test_workflows import _select_in_tree


@pytest.fixture
def opened(qtbot: QtBot, window: MainWindow, catalogue: Catalogue) -> MainWindow:
    """A window on a fonds of three items, each with an original, an event and a grade."""
    fonds = catalogue.units.create({"title": "Testimonies", "level": "fonds"})
    for number in range(3):
        item = catalogue.units.create({"title": f"Letter {number}"}, parent_id=fonds.id)
        catalogue.provenance.record(item.id, NewEvent("capture", occurred_at="2024-03-02"))
        catalogue.reliability.assess(
            item.id, NewAssessment(SourceReliability.B, InformationCredibility.PROBABLY_TRUE)
        )
    path = catalogue.path
    catalogue.close()
    assert window.open_catalogue(path)
    window.resize(1366, 768)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    _select_in_tree(qtbot, window, "CAT-0001")
    qtbot.waitUntil(lambda: window.records.rowCount() == 3)
    return window


def _count_reads(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count the calls of each service read of a record, noting those on the GUI thread."""
    catalogue = window.catalogue
    assert catalogue is not None
    calls: Counter[str] = Counter()
    gui = threading.current_thread()
    reads = [
        (catalogue.units, "get"),
        (catalogue.provenance, "chain"),
        (catalogue.reliability, "history"),
    ]
    assert window.detail is not None
    reads += [(window.detail.originals._originals, "files")]

    def counted(name: str, read: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            if threading.current_thread() is gui:
                calls["on the GUI thread"] += 1
            return read(*args, **kwargs)

        return call

    for service, name in reads:
        monkeypatch.setattr(service, name, counted(name, getattr(service, name)))
    return calls


def test_the_down_arrow_reads_the_next_record_once_off_the_gui_thread(
    qtbot: QtBot, opened: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = opened.records_view
    rect = view.visualRect(opened.records.index(0, 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    detail = record_shown(qtbot, opened.detail)
    calls = _count_reads(opened, monkeypatch)

    qtbot.keyClick(view, Qt.Key.Key_Down)
    record_shown(qtbot, detail)

    assert calls == Counter({"get": 1})
    assert detail.description.fields["title"].value() == "Letter 1"
    assert detail.provenance.current_event() is not None
    assert detail.reliability.source.value() == "B"


def test_a_tab_shown_later_is_filled_from_the_same_reading(
    qtbot: QtBot, opened: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = opened.records_view
    rect = view.visualRect(opened.records.index(0, 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    detail = record_shown(qtbot, opened.detail)
    calls = _count_reads(opened, monkeypatch)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    record_shown(qtbot, detail)

    bar = detail.tabBar()
    summary = bar.tabRect(detail.indexOf(detail.summary))
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=summary.center())

    assert "Letter 1" in detail.summary.toPlainText()
    assert "B2" in detail.summary.toPlainText()
    assert calls == Counter({"get": 1})


def test_quick_presses_show_the_last_record_chosen(qtbot: QtBot, opened: MainWindow) -> None:
    view = opened.records_view
    rect = view.visualRect(opened.records.index(0, 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    detail = record_shown(qtbot, opened.detail)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    record_shown(qtbot, detail)
    assert detail.description.fields["title"].value() == "Letter 2"


def test_every_tab_label_shows_whole_on_a_laptop_screen(opened: MainWindow) -> None:
    detail = opened.detail
    assert detail is not None
    # The pane squeezed by a list of many columns in a 1366-pixel window.
    opened.splitter.setSizes([260, 1000, 100])
    bar = detail.tabBar()
    metrics = bar.fontMetrics()
    for index in range(bar.count()):
        text = bar.tabText(index).replace("&", "")
        tab = bar.tabRect(index)
        assert tab.width() >= metrics.horizontalAdvance(text), text
        assert tab.left() >= 0, text
        assert tab.right() < bar.width(), text  # none behind the edge
    assert bar.elideMode() == Qt.TextElideMode.ElideNone
