"""How the window looks on a laptop screen: the toolbar, a size that fits, the list's columns,
titles in their script's direction, and the search help as a page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QFontMetrics, QImage
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from catalog_app.services import Catalogue
from catalog_app.ui.main_window import (
    SCREEN_MARGIN,
    WINDOW_FRAME,
    MainWindow,
    default_pane_sizes,
)
from catalog_app.ui.reading_direction import elide_at_end, right_to_left
from catalog_app.ui.records_model import COLUMNS, TITLE_COLUMN, RecordsModel
from catalog_app.ui.records_view import RecordsView
from catalog_app.ui.settings import UiSettings

LAPTOP_WIDTH = 1366 - 2 * SCREEN_MARGIN - WINDOW_FRAME  # the first run's, on a 1366 screen
PERSIAN_TITLE = "گزارش دیدار خانواده‌ها در خاوران در تابستان ۱۳۶۷ و گورهای جمعی بی‌نام"
TOOLBAR = [
    "New Record",
    "Import Files…",
    "Import Folder…",
    "Save Record",
    "Undo",
    "Redo",
    "Batch Edit Selected…",
    "Export…",
    "Verify Originals…",
    "Back Up Catalogue…",
    "Lock Catalogue",
    "Find…",
]


def _name(text: str) -> str:
    return text.replace("&", "")


def test_the_toolbar_holds_the_most_used_actions_with_icons(window: MainWindow) -> None:
    actions = [a for a in window.toolbar.actions() if not a.isSeparator()]
    assert [_name(a.text()) for a in actions] == TOOLBAR
    assert all(not a.icon().isNull() for a in actions)
    assert not window.open_action.icon().isNull()  # menus carry the icons too
    assert window.toolbar.isVisible()
    assert "Ctrl+E" in window.export_action.toolTip()


def test_hiding_the_toolbar_from_the_view_menu_is_remembered(
    qtbot: QtBot, window: MainWindow, ui_settings: UiSettings
) -> None:
    toggle = window.toolbar.toggleViewAction()
    assert toggle.isChecked()
    toggle.trigger()
    assert not window.toolbar.isVisible()
    window.close()
    again = MainWindow(ui_settings)
    qtbot.addWidget(again)
    again.show()
    assert not again.toolbar.isVisible()
    assert not again.toolbar.toggleViewAction().isChecked()
    again.close()


def test_the_first_window_fits_the_free_area_of_its_screen(window: MainWindow) -> None:
    free = window.screen().availableGeometry()
    frame = window.frameGeometry()
    assert free.contains(frame)
    assert frame.left() - free.left() >= SCREEN_MARGIN  # not squeezed against the edges
    assert free.bottom() - frame.bottom() >= SCREEN_MARGIN
    sizes = window.splitter.sizes()
    assert 0 < sizes[0] < min(sizes[1], sizes[2])  # the list and the record get the room


def _long_titled(catalogue: Catalogue) -> RecordsModel:
    fonds = catalogue.units.create({"title": "Testimonies", "level": "fonds"})
    catalogue.units.create(
        {"title": "Families gather at Khavaran cemetery to remember the dead of the summer"},
        parent_id=fonds.id,
    )
    catalogue.units.create(
        {"title": PERSIAN_TITLE, "languages": ["fa"], "date_expression": "1988-07/1988-09"},
        parent_id=fonds.id,
    )
    model = RecordsModel(catalogue)
    model.set_parent(fonds.id)
    return model


def _list_at_laptop_width(qtbot: QtBot, model: RecordsModel, settings: UiSettings) -> RecordsView:
    """The list as wide as the window gives it on a 1366-pixel screen, before any change."""
    view = RecordsView(model, settings)
    qtbot.addWidget(view)
    view.resize(default_pane_sizes(LAPTOP_WIDTH)[1], 300)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_the_default_columns_fit_the_list_on_a_laptop(
    qtbot: QtBot, catalogue: Catalogue, ui_settings: UiSettings
) -> None:
    view = _list_at_laptop_width(qtbot, _long_titled(catalogue), ui_settings)
    header = view.horizontalHeader()
    shown = [
        COLUMNS[header.logicalIndex(v)].title
        for v in range(header.count())
        if not header.isSectionHidden(header.logicalIndex(v))
    ]
    assert shown == ["Reference code", "Title", "Dates", "Type", "Access", "Grade"]
    qtbot.waitUntil(lambda: view.horizontalScrollBar().maximum() == 0)  # nothing off to the side
    metrics = view.fontMetrics()
    assert header.sectionSize(TITLE_COLUMN) >= metrics.horizontalAdvance("Families gather at")
    for column in (0, 2):  # a reference code and a date range are shown whole
        index = view.model().index(1, column)
        assert metrics.horizontalAdvance(index.data()) < header.sectionSize(column)


def _ink_columns(image: QImage, cell: QRect) -> list[int]:
    """The x positions (in the cell) where something darker than the background is drawn."""
    ratio = image.devicePixelRatio()
    background = image.pixelColor(int((cell.left() + 2) * ratio), int(cell.top() * ratio) + 1)
    found = []
    for x in range(cell.width()):
        for y in range(2, cell.height() - 2):
            color = image.pixelColor(int((cell.left() + x) * ratio), int((cell.top() + y) * ratio))
            if background.lightness() - color.lightness() > 80:
                found.append(x)
                break
    return found


def test_a_persian_title_reads_from_the_right_and_an_english_one_from_the_left(
    qtbot: QtBot, catalogue: Catalogue, ui_settings: UiSettings
) -> None:
    model = _long_titled(catalogue)
    view = _list_at_laptop_width(qtbot, model, ui_settings)
    view.clearSelection()
    image = view.viewport().grab().toImage()
    english = view.visualRect(model.index(0, TITLE_COLUMN))
    persian = view.visualRect(model.index(1, TITLE_COLUMN))
    english_ink, persian_ink = _ink_columns(image, english), _ink_columns(image, persian)
    assert english_ink[0] < 12  # flush left
    assert persian_ink[-1] > persian.width() - 12  # flush right: its start is on the right
    assert persian_ink[0] < 12  # and long enough to be cut short at its left end


def test_a_title_is_cut_at_its_end_and_never_inside_a_number() -> None:
    metrics = QFontMetrics(QApplication.font())
    assert right_to_left(PERSIAN_TITLE)
    assert not right_to_left("CAT-0001 " + PERSIAN_TITLE)  # the first strong letter decides
    year = PERSIAN_TITLE.index("۱۳۶۷")
    inside_the_year = metrics.horizontalAdvance(PERSIAN_TITLE[: year + 2] + "…")
    shown = elide_at_end(PERSIAN_TITLE, metrics, inside_the_year)
    assert shown.endswith("…")
    assert PERSIAN_TITLE.startswith(shown[:-1])  # its start kept, its end cut
    assert "۱۳" not in shown  # not "۱۳…", a year that never was
    wider = elide_at_end(
        PERSIAN_TITLE, metrics, metrics.horizontalAdvance(PERSIAN_TITLE[: year + 4] + "…") + 1
    )
    assert "۱۳۶۷" in wider
    assert elide_at_end("short", metrics, 500) == "short"


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen: no windows
def test_help_search_syntax_is_a_page_with_headings_and_examples(
    qtbot: QtBot, window: MainWindow
) -> None:
    (action,) = [
        a
        for menu in window.menuBar().findChildren(QMenu)
        for a in menu.actions()
        if _name(a.text()) == "Search Syntax"
    ]
    action.trigger()
    dialog = window.search_help
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    text = dialog.browser.toPlainText()
    assert text.startswith("Searching the catalogue")
    assert "FTS5" not in text
    assert "QueryError" not in text
    assert "title:testimony" in text
    assert "<table" in dialog.browser.toHtml()
    action.trigger()  # a second time: the same page, brought forward
    assert window.search_help is dialog


def test_the_language_facet_lists_languages_by_name(
    qtbot: QtBot, window: MainWindow, described: Catalogue
) -> None:
    path = described.path
    described.close()
    assert window.open_catalogue(path)
    window.find_action.trigger()
    qtbot.keyClicks(window.search.box, "lang:fa")
    facets = window.search.facets_view
    qtbot.waitUntil(lambda: facets.topLevelItemCount() > 0)
    groups = [facets.topLevelItem(i) for i in range(facets.topLevelItemCount())]
    (language,) = [g for g in groups if g is not None and g.text(0) == "Language"]
    value = language.child(0)
    assert value is not None
    assert value.text(0).startswith("Persian ")


def test_on_a_laptop_the_list_s_columns_and_every_tab_of_the_record_are_shown_whole(
    qtbot: QtBot, window: MainWindow, described: Catalogue
) -> None:
    path = described.path
    described.close()
    assert window.open_catalogue(path)
    width = LAPTOP_WIDTH
    window.resize(width, 700)
    window.splitter.setSizes(default_pane_sizes(width))
    detail = window.detail
    assert detail is not None
    qtbot.waitUntil(lambda: detail.width() < width // 2)
    assert detail.tabBar().sizeHint().width() <= detail.width()  # no "Sum" behind an arrow
    assert window.records_view.horizontalScrollBar().maximum() == 0
