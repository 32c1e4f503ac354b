"""Choosing another record while a field holds a value the record refused: the window says
so and asks, instead of dropping the typing without a word."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from catalog_app.domain.records import UnitDetail
from catalog_app.services import Catalogue
from catalog_app.ui.detail.description_tab import DISCARD
from catalog_app.ui.main_window import MainWindow
from tests.gui.helpers import record_shown


@pytest.fixture
def two(catalogue: Catalogue) -> tuple[Catalogue, UnitDetail, UnitDetail]:
    fonds = catalogue.units.create({"title": "Testimonies", "level": "fonds"})
    first = catalogue.units.create(
        {"title": "Letters", "date_expression": "1988"}, parent_id=fonds.id
    )
    second = catalogue.units.create({"title": "Diaries"}, parent_id=fonds.id)
    return catalogue, first, second


class DialogAnswerer(QObject):
    """Answers each message box as soon as it is on screen, as a person would; keeps their
    texts in `asked`."""

    def __init__(self, answer: Callable[[QMessageBox], None]) -> None:
        super().__init__()
        self.answer = answer
        self.asked: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QMessageBox):
            self.asked.append(watched.text())
            QTimer.singleShot(0, lambda: self.answer(watched))
        return False


@pytest.fixture
def answering() -> Iterator[Callable[[Callable[[QMessageBox], None]], list[str]]]:
    """`answering(answer)`: answer the message boxes that come up from now on."""
    app = QApplication.instance()
    assert app is not None
    answerers: list[DialogAnswerer] = []

    def start(answer: Callable[[QMessageBox], None]) -> list[str]:
        answerer = DialogAnswerer(answer)
        app.installEventFilter(answerer)
        answerers.append(answerer)
        return answerer.asked

    yield start
    for answerer in answerers:
        app.removeEventFilter(answerer)


Answering = Callable[[Callable[[QMessageBox], None]], list[str]]


def press_escape(qtbot: QtBot) -> Callable[[QMessageBox], None]:
    return lambda box: qtbot.keyClick(box, Qt.Key.Key_Escape)


def click_discard(qtbot: QtBot) -> Callable[[QMessageBox], None]:
    def click(box: QMessageBox) -> None:
        [button] = [b for b in box.buttons() if b.text() == DISCARD]
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    return click


def open_on_first(
    qtbot: QtBot, window: MainWindow, two: tuple[Catalogue, UnitDetail, UnitDetail]
) -> QLineEdit:
    """The window on the first record, its date typed over with one that is no date."""
    catalogue, first, second = two
    path = catalogue.path
    catalogue.close()
    assert window.open_catalogue(path)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.show_unit(first.id)
    qtbot.waitUntil(lambda: None not in (row_of(window, first), row_of(window, second)))
    pane = record_shown(qtbot, window.detail)
    date = pane.description.fields["date_expression"].editor
    assert isinstance(date, QLineEdit)
    date.setFocus()
    qtbot.waitUntil(date.hasFocus)
    date.selectAll()
    qtbot.keyClicks(date, "1988-13")
    return date


def row_of(window: MainWindow, unit: UnitDetail) -> int | None:
    return window.records.row_of(unit.id)


def click_row(qtbot: QtBot, window: MainWindow, unit: UnitDetail) -> None:
    view = window.records_view
    rect = view.visualRect(window.records.index(row_of(window, unit) or 0, 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_clicking_another_record_asks_and_escape_goes_back_to_the_value(
    qtbot: QtBot,
    window: MainWindow,
    two: tuple[Catalogue, UnitDetail, UnitDetail],
    answering: Answering,
) -> None:
    _catalogue, first, second = two
    date = open_on_first(qtbot, window, two)
    asked = answering(press_escape(qtbot))
    click_row(qtbot, window, second)

    assert asked == ["“Dates (EDTF)” holds a value this record refused, so it is not saved."]
    assert window.statusBar().currentMessage().startswith("Not saved: Dates (EDTF): ")
    assert window.current_unit() == first.id
    assert window.records_view.current_unit() == first.id
    assert date.text() == "1988-13"  # still there to fix
    window.activateWindow()  # the offscreen platform does not give it back by itself
    qtbot.waitUntil(date.hasFocus)


def test_the_arrow_key_in_the_list_asks_and_discarding_moves_on(
    qtbot: QtBot,
    window: MainWindow,
    two: tuple[Catalogue, UnitDetail, UnitDetail],
    answering: Answering,
) -> None:
    _catalogue, first, second = two
    open_on_first(qtbot, window, two)
    view = window.records_view
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    below = row_of(window, second) == (row_of(window, first) or 0) + 1  # listed next to it
    key = Qt.Key.Key_Down if below else Qt.Key.Key_Up
    asked = answering(click_discard(qtbot))
    qtbot.keyClick(view, key)

    assert len(asked) == 1
    qtbot.waitUntil(lambda: window.current_unit() == second.id)
    pane = record_shown(qtbot, window.detail)
    assert pane.description.fields["title"].value() == "Diaries"
    assert window.catalogue is not None
    assert window.catalogue.units.get(first.id).date_expression == "1988"


def test_a_good_value_is_saved_on_leaving_without_a_question(
    qtbot: QtBot,
    window: MainWindow,
    two: tuple[Catalogue, UnitDetail, UnitDetail],
    answering: Answering,
) -> None:
    _catalogue, first, second = two
    date = open_on_first(qtbot, window, two)
    date.selectAll()
    qtbot.keyClicks(date, "1989")
    asked = answering(press_escape(qtbot))
    click_row(qtbot, window, second)
    qtbot.waitUntil(lambda: window.current_unit() == second.id)
    opened = window.catalogue
    assert opened is not None
    qtbot.waitUntil(lambda: opened.units.get(first.id).date_expression == "1989")
    assert asked == []


def test_refresh_shows_the_record_as_stored_now_without_the_refused_value(
    qtbot: QtBot, window: MainWindow, two: tuple[Catalogue, UnitDetail, UnitDetail]
) -> None:
    _catalogue, first, _second = two
    date = open_on_first(qtbot, window, two)
    assert window.catalogue is not None
    with Catalogue.open(window.catalogue.path, actor="the command line") as other:
        other.units.update(first.id, {"title": "Letters, renamed meanwhile"})
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(date, Qt.Key.Key_F5)  # View → Refresh

    assert window.detail is not None
    title = window.detail.description.fields["title"]
    qtbot.waitUntil(lambda: title.value() == "Letters, renamed meanwhile")
    assert date.text() == "1988"
    assert window.detail.description.fields["date_expression"].message.text() == "Means: 1988"


def test_the_next_record_key_in_the_form_asks_too(
    qtbot: QtBot,
    window: MainWindow,
    two: tuple[Catalogue, UnitDetail, UnitDetail],
    answering: Answering,
) -> None:
    _catalogue, first, _second = two
    date = open_on_first(qtbot, window, two)
    asked = answering(press_escape(qtbot))
    qtbot.keyClick(date, Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier)

    assert len(asked) == 1
    assert window.current_unit() == first.id
    assert date.text() == "1988-13"
