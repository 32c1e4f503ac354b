"""The records table: a lazy model over ids, sorted in SQL, with columns the person chooses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from catalog_app.services import Catalogue
from catalog_app.ui.records_model import COLUMNS, UNIT_ID_ROLE, RecordsModel
from catalog_app.ui.records_view import RecordsView
from catalog_app.ui.settings import UiSettings

TITLE, DATES, LEVEL, LANGUAGE, ORIGINALS = 1, 2, 3, 5, 8
# A popup menu on the offscreen platform warns that it cannot raise it or grab the keyboard.
MENU_WARNINGS = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")


def _add_items(catalogue: Catalogue, parent: int, titles: list[str]) -> list[int]:
    """Records under `parent` in one bulk insert (as an import would), in this order."""
    with catalogue.db.write("tester") as session:
        connection = session.connection()
        start = int(connection.execute(text("SELECT max(id) FROM units")).scalar_one()) + 1
        rows = [
            {"id": start + n, "uuid": f"00000000-0000-4000-8000-{start + n:012d}", "p": parent,
             "ref": f"R/{n:05d}", "title": title}
            for n, title in enumerate(titles)
        ]  # fmt: skip
        connection.execute(
            text(
                "INSERT INTO units (id, uuid, parent_id, root_id, level, position, reference_code, "
                "title, title_source, harvested, access_status, languages, scripts, version, "
                "created_at, created_by, updated_at, updated_by) VALUES (:id, :uuid, :p, :p, "
                "'item', :id, :ref, :title, 'typed', '[]', 'open', '[\"en\"]', '[]', 1, "
                "'2024-01-01 00:00:00', 'tester', '2024-01-01 00:00:00', 'tester')"
            ),
            rows,
        )
    return list(range(start, start + len(titles)))


@pytest.fixture
def collection(catalogue: Catalogue) -> tuple[Catalogue, int, list[int]]:
    parent = catalogue.units.create({"title": "Letters", "level": "collection"}).id
    ids = _add_items(catalogue, parent, ["delta", "Bravo", "alpha", "charlie", "echo"])
    return catalogue, parent, ids


@pytest.fixture
def view(
    qtbot: QtBot, collection: tuple[Catalogue, int, list[int]], ui_settings: UiSettings
) -> Iterator[RecordsView]:
    catalogue, parent, _ = collection
    model = RecordsModel(catalogue)
    model.set_parent(parent)
    table = RecordsView(model, ui_settings)
    qtbot.addWidget(table)
    table.resize(1000, 400)
    table.show()
    qtbot.waitExposed(table)
    yield table
    table.close()


def _column(table: RecordsView, column: int) -> list[str]:
    model = table.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def _click_header(qtbot: QtBot, table: RecordsView, column: int, button: Qt.MouseButton) -> None:
    header = table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), button, pos=QPoint(x, header.height() // 2))


def _choose_in_header_menu(qtbot: QtBot, table: RecordsView, title: str) -> None:
    # A right click on a real display arrives as this event (QTest does not make it).
    header = table.horizontalHeader()
    where = QPoint(header.sectionViewportPosition(0) + 5, header.height() // 2)
    QApplication.sendEvent(
        header.viewport(),
        QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse, where, header.viewport().mapToGlobal(where)
        ),
    )
    qtbot.waitUntil(lambda: table.header_menu is not None and table.header_menu.isVisible())
    menu = table.header_menu
    assert isinstance(menu, QMenu)
    (action,) = [a for a in menu.actions() if a.text() == title]
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def test_the_model_passes_the_model_tester(
    qtmodeltester: object, collection: tuple[Catalogue, int, list[int]]
) -> None:
    catalogue, parent, _ = collection
    model = RecordsModel(catalogue, page_size=2, cached_pages=2)
    model.set_parent(parent)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.sort(TITLE, Qt.SortOrder.DescendingOrder)
    model.set_ids([])
    model.set_parent(None)
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_rows_show_the_columns_in_the_arrangement_order(view: RecordsView) -> None:
    model = view.model()
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(COLUMNS))] == [
        c.title for c in COLUMNS
    ]
    assert _column(view, 0) == ["R/00000", "R/00001", "R/00002", "R/00003", "R/00004"]
    assert _column(view, TITLE) == ["delta", "Bravo", "alpha", "charlie", "echo"]
    assert model.index(0, LANGUAGE).data() == "English"  # a name, not the code "en"
    assert model.index(0, ORIGINALS).data() == "0"
    assert view.is_column_shown(TITLE)
    assert not view.is_column_shown(LEVEL)  # not one of the default columns


def test_clicking_a_header_sorts_in_sql_and_again_reverses(qtbot: QtBot, view: RecordsView) -> None:
    _click_header(qtbot, view, TITLE, Qt.MouseButton.LeftButton)
    assert _column(view, TITLE) == ["alpha", "Bravo", "charlie", "delta", "echo"]
    _click_header(qtbot, view, TITLE, Qt.MouseButton.LeftButton)
    assert _column(view, TITLE) == ["echo", "delta", "charlie", "Bravo", "alpha"]
    _click_header(qtbot, view, TITLE, Qt.MouseButton.LeftButton)  # third click: no sort
    assert _column(view, TITLE) == ["delta", "Bravo", "alpha", "charlie", "echo"]


def test_the_current_record_and_selection_are_reported_and_survive_a_sort(
    qtbot: QtBot, view: RecordsView, collection: tuple[Catalogue, int, list[int]]
) -> None:
    _, _, ids = collection
    seen: list[object] = []
    view.current_unit_changed.connect(seen.append)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(
        view.model().index(1, TITLE)).center())  # fmt: skip
    assert seen == [ids[1]]
    qtbot.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ShiftModifier,
        view.visualRect(view.model().index(3, TITLE)).center(),
    )
    assert view.selected_ids() == ids[1:4]
    assert seen == [ids[1], ids[3]]

    _click_header(qtbot, view, TITLE, Qt.MouseButton.LeftButton)  # alpha Bravo charlie delta
    assert sorted(view.selected_ids()) == sorted(ids[1:4])
    assert view.currentIndex().data(UNIT_ID_ROLE) == ids[3]
    assert seen == [ids[1], ids[3]]  # the same record is still current: nothing to announce

    view.model().set_ids([ids[0]])  # type: ignore[attr-defined]
    assert seen[-1] is None
    assert view.selected_ids() == []


@MENU_WARNINGS
def test_hiding_a_column_from_the_header_menu(qtbot: QtBot, view: RecordsView) -> None:
    _choose_in_header_menu(qtbot, view, "Dates")
    assert not view.is_column_shown(DATES)
    menu = view.make_header_menu()
    checked = {a.text(): a.isChecked() for a in menu.actions()}
    assert checked["Dates"] is False
    assert checked["Title"] is True
    assert checked["Level"] is False
    _choose_in_header_menu(qtbot, view, "Dates")
    assert view.is_column_shown(DATES)


def test_the_last_shown_column_cannot_be_hidden(view: RecordsView) -> None:
    for column in range(len(COLUMNS)):
        view.set_column_shown(column, False)
    shown = [c for c in range(len(COLUMNS)) if view.is_column_shown(c)]
    assert len(shown) == 1
    (only,) = [a for a in view.make_header_menu().actions() if a.isChecked()]
    assert not only.isEnabled()


@MENU_WARNINGS
def test_the_columns_and_sort_are_restored_in_a_new_view(
    qtbot: QtBot,
    view: RecordsView,
    ui_settings: UiSettings,
    collection: tuple[Catalogue, int, list[int]],
) -> None:
    catalogue, parent, _ = collection
    _choose_in_header_menu(qtbot, view, "Dates")
    view.horizontalHeader().moveSection(view.horizontalHeader().visualIndex(TITLE), 0)
    _click_header(qtbot, view, TITLE, Qt.MouseButton.LeftButton)
    titles = [c.title for c in COLUMNS]
    qtbot.waitUntil(lambda: ui_settings.records_header(titles) is not None)  # after a pause
    view.save_header()

    model = RecordsModel(catalogue)
    again = RecordsView(model, ui_settings)
    qtbot.addWidget(again)
    model.set_parent(parent)
    header = again.horizontalHeader()
    assert not again.is_column_shown(DATES)
    assert header.logicalIndex(0) == TITLE
    assert header.sortIndicatorSection() == TITLE
    assert _column(again, TITLE) == ["alpha", "Bravo", "charlie", "delta", "echo"]


def test_refreshing_rows_shows_an_edited_record(
    qtbot: QtBot, view: RecordsView, collection: tuple[Catalogue, int, list[int]]
) -> None:
    catalogue, _, ids = collection
    model = view.model()
    assert isinstance(model, RecordsModel)
    assert model.index(2, TITLE).data() == "alpha"
    catalogue.units.update(ids[2], {"title": "Alpha, corrected"})
    assert model.index(2, TITLE).data() == "alpha"  # cached until told
    with qtbot.waitSignal(model.dataChanged):
        model.refresh_rows([ids[2]])
    assert model.index(2, TITLE).data() == "Alpha, corrected"


def test_search_results_keep_their_order_until_a_column_is_sorted(
    view: RecordsView, collection: tuple[Catalogue, int, list[int]]
) -> None:
    _, _, ids = collection
    model = view.model()
    assert isinstance(model, RecordsModel)
    model.set_ids([ids[4], ids[0], ids[2]])
    assert model.parent_id is None
    assert _column(view, TITLE) == ["echo", "delta", "alpha"]
    view.sortByColumn(TITLE, Qt.SortOrder.AscendingOrder)
    assert _column(view, TITLE) == ["alpha", "delta", "echo"]
    view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    assert _column(view, TITLE) == ["echo", "delta", "alpha"]
    assert [model.unit_id(r) for r in range(3)] == [ids[4], ids[0], ids[2]]
    assert model.row_of(ids[0]) == 1
    assert model.row_of(ids[1]) is None


def test_scrolling_to_the_bottom_of_thousands_reads_only_a_few_pages(
    qtbot: QtBot, catalogue: Catalogue, ui_settings: UiSettings
) -> None:
    parent = catalogue.units.create({"title": "Big", "level": "collection"}).id
    _add_items(catalogue, parent, [f"Item {n}" for n in range(5000)])
    model = RecordsModel(catalogue)
    table = RecordsView(model, ui_settings)
    qtbot.addWidget(table)
    table.resize(800, 500)
    model.set_parent(parent)
    table.show()
    qtbot.waitExposed(table)
    assert model.rowCount() == 5000
    qtbot.waitUntil(lambda: model.pages_fetched == 1)  # the first screen was painted
    table.scrollToBottom()
    qtbot.waitUntil(lambda: model.pages_fetched >= 2)  # ... and then the last
    qtbot.wait(50)
    assert table.rowAt(table.viewport().height() - 2) == 4999
    assert model.index(4999, 0).data() == "R/04999"
    # the first screen's page, the last one's and perhaps the one before: not all 25
    assert model.pages_fetched <= 3
