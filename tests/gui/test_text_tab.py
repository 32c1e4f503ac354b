"""The Text tab: right-to-left paragraphs, highlighted search terms, hit navigation."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor, QUndoStack
from pytestqt.qtbot import QtBot

from catalog_app.search import highlight
from catalog_app.services import Catalogue
from catalog_app.services.originals import OriginalsService
from catalog_app.ui.detail.text_tab import TextTab, find_all
from tests.gui.helpers import on_screen

PERSIAN = "گزارش از خاوران: شاهدان می‌گویند که در خاوران گورستانی بی‌نام هست."
ENGLISH = "Witnesses describe an unmarked grave at Khavaran."
SECOND_PERSIAN = "خانواده‌ها هر سال به خاوران می‌روند."


@pytest.fixture
def tab(qtbot: QtBot, catalogue: Catalogue) -> TextTab:
    return on_screen(qtbot, TextTab(catalogue, QUndoStack()), 700, 500)


def imported(catalogue: Catalogue, path: Path, text: str) -> int:
    path.write_text(text, encoding="utf-8")
    (unit_id,) = catalogue.imports.run([path], workers=1).new_ids
    return unit_id


@pytest.fixture
def testimony(catalogue: Catalogue, tmp_path: Path) -> int:
    return imported(
        catalogue, tmp_path / "testimony.txt", f"{PERSIAN}\n{ENGLISH}\n{SECOND_PERSIAN}\n"
    )


def show(qtbot: QtBot, tab: TextTab, unit_id: int | None) -> None:
    with qtbot.waitSignal(tab.text_shown, timeout=10_000):
        tab.show_unit(unit_id)


def selected_text(tab: TextTab) -> str:
    return tab.editor.textCursor().selectedText()


def test_paragraphs_take_their_own_direction(qtbot: QtBot, tab: TextTab, testimony: int) -> None:
    show(qtbot, tab, testimony)
    assert tab.editor is tab.rich_view
    document = tab.editor.document()
    blocks = [document.findBlockByNumber(n) for n in range(3)]
    assert [b.text() for b in blocks] == [PERSIAN, ENGLISH, SECOND_PERSIAN]
    directions = [b.textDirection() for b in blocks]
    rtl, ltr = Qt.LayoutDirection.RightToLeft, Qt.LayoutDirection.LeftToRight
    assert directions == [rtl, ltr, rtl]

    # And they are drawn that way: a Persian line starts at the right edge, English at the left.
    def start_x(block_number: int) -> int:
        cursor = QTextCursor(document.findBlockByNumber(block_number))
        return tab.editor.cursorRect(cursor).x()

    middle = tab.editor.viewport().width() // 2
    assert start_x(0) > middle
    assert start_x(1) < middle
    assert start_x(2) > middle


def test_search_terms_are_highlighted_and_f3_moves_between_hits(
    qtbot: QtBot, tab: TextTab, testimony: int
) -> None:
    show(qtbot, tab, testimony)
    assert tab.hit_label.text() == ""
    assert not tab.next_button.isEnabled()

    with qtbot.waitSignal(tab.text_shown):
        tab.set_search_terms("خاوران")
    assert tab.hits == 3
    assert tab.hit_label.text() == "hit 1 of 3"
    assert selected_text(tab) == "خاوران"
    assert len(tab.editor.extraSelections()) == 4  # every hit, and the current one again

    tab.editor.setFocus()
    qtbot.keyClick(tab.editor, Qt.Key.Key_F3)
    assert tab.hit_label.text() == "hit 2 of 3"
    qtbot.keyClick(tab.editor, Qt.Key.Key_F3)
    assert tab.hit_label.text() == "hit 3 of 3"
    assert selected_text(tab) == "خاوران"
    assert tab.editor.textCursor().blockNumber() == 2
    qtbot.keyClick(tab.editor, Qt.Key.Key_F3)
    assert tab.hit_label.text() == "hit 1 of 3"  # round again
    qtbot.keyClick(tab.editor, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert tab.hit_label.text() == "hit 3 of 3"
    qtbot.mouseClick(tab.previous_button, Qt.MouseButton.LeftButton)
    assert tab.hit_label.text() == "hit 2 of 3"
    qtbot.mouseClick(tab.next_button, Qt.MouseButton.LeftButton)
    assert tab.hit_label.text() == "hit 3 of 3"


def test_phrases_prefixes_and_joined_words_are_found(
    qtbot: QtBot, tab: TextTab, testimony: int
) -> None:
    show(qtbot, tab, testimony)
    with qtbot.waitSignal(tab.text_shown):
        tab.set_search_terms('"unmarked grave" OR خانواده* -Khavaran')
    assert tab.hits == 2
    assert selected_text(tab) == "unmarked grave"
    qtbot.mouseClick(tab.next_button, Qt.MouseButton.LeftButton)
    assert selected_text(tab) == "خانواده‌ها"  # the whole word, joiner and all

    with qtbot.waitSignal(tab.text_shown):
        tab.set_search_terms("nothing-like-this")
    assert tab.hit_label.text() == "no hits in this text"
    assert not tab.next_button.isEnabled()
    with qtbot.waitSignal(tab.text_shown):
        tab.set_search_terms('"unclosed')  # a query in error highlights nothing
    assert tab.hits == 0


def test_long_text_loads_off_the_gui_thread_and_every_hit_counts(
    qtbot: QtBot, tab: TextTab, catalogue: Catalogue, tmp_path: Path
) -> None:
    filler = "این یک جملهٔ پرکننده است که هیچ واژهٔ جستجو شده‌ای ندارد.\n" * 8000
    text = f"{filler}خاوران\n{filler}خاوران در پایان"
    assert len(text) > 500_000
    unit_id = imported(catalogue, tmp_path / "long.txt", text)
    tab.set_search_terms("خاوران")

    tab.show_unit(unit_id)
    assert tab.editor.toPlainText() == ""  # not read yet: the window stays responsive
    qtbot.waitUntil(lambda: tab.hits == 2, timeout=20_000)
    assert tab.hit_label.text() == "hit 1 of 2"
    tab.next_hit()
    assert tab.editor.textCursor().blockNumber() == 16_001
    # Shown in the lazily laid out view, right-aligned as the text is Persian, each
    # paragraph still in its own direction.
    assert tab.views.currentWidget() is tab.plain_view
    document = tab.editor.document()
    assert document.defaultTextOption().alignment() == Qt.AlignmentFlag.AlignRight
    assert document.findBlockByNumber(16_001).textDirection() == Qt.LayoutDirection.RightToLeft

    tab.show_unit(None)
    assert tab.views.currentWidget() is tab.rich_view
    assert tab.plain_view.document().isEmpty()


def test_a_record_without_text_says_so(qtbot: QtBot, tab: TextTab, catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "Described only"})
    show(qtbot, tab, unit.id)
    assert tab.editor.toPlainText() == ""
    assert tab.editor.placeholderText() == "This record has no extracted text."
    tab.show_unit(None)
    assert not tab.isEnabled()


def test_several_originals_are_shown_under_their_names(
    qtbot: QtBot, tab: TextTab, catalogue: Catalogue, testimony: int, tmp_path: Path
) -> None:
    extra = tmp_path / "note.txt"
    extra.write_text("A second original about Khavaran.", encoding="utf-8")
    OriginalsService(catalogue).attach(testimony, extra)
    tab.set_search_terms("Khavaran")
    show(qtbot, tab, testimony)
    text = tab.editor.toPlainText()
    assert "── testimony.txt ──" in text
    assert "── note.txt ──" in text
    assert tab.hits == 2


def test_a_place_searched_by_one_name_is_marked_under_its_other_names(
    qtbot: QtBot, tab: TextTab, catalogue: Catalogue, testimony: int
) -> None:
    place = catalogue.terms.place("Unnamed cemetery", variants=["گورستانی بی‌نام"])
    catalogue.units.link_place(testimony, place.id)
    show(qtbot, tab, testimony)
    with qtbot.waitSignal(tab.text_shown):
        tab.set_search_terms('"unnamed cemetery"')
    assert tab.hits == 1
    assert selected_text(tab) == "گورستانی بی‌نام"


def test_find_all_reads_past_what_a_snippet_needs() -> None:
    terms = [highlight.Term(("needle",), False)]
    text = " ".join(["needle" if n % 50 == 0 else "hay" for n in range(50_000)])
    spans = find_all(text, terms)
    assert len(spans) == 1000
    assert all(text[s:e] == "needle" for s, e in spans)
    haystack = ("hay " * 123) + "two words" + (" hay" * 200)
    phrase = find_all(haystack, [highlight.Term(("two", "words"))])
    assert len(phrase) == 1
