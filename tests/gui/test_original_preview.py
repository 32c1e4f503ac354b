"""The preview under the Originals tab's list: PDF pages turned by keys, buttons and the page
number, a photograph upright, a web page's headings, a plain word for a damaged PDF, drawing
off the GUI thread and only while on screen, and Open handing over a copy."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar, cast

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QUndoStack
from PySide6.QtWidgets import QAbstractSpinBox, QApplication
from pytestqt.qtbot import QtBot

from catalog_app.cli.main import main
from catalog_app.domain.records import FileRecord
from catalog_app.ingest.render.pages import Page
from catalog_app.services import Catalogue
from catalog_app.services import ingest as ingest_service
from catalog_app.services.originals import OriginalsService, forget_viewable_copies
from catalog_app.services.previews import PreviewService
from catalog_app.ui.detail.original_preview import OriginalPreview
from catalog_app.ui.detail.originals_tab import OriginalsTab
from catalog_app.ui.main_window import MainWindow
from tests.gui.helpers import on_screen
from tests.preview_documents import (
    BLUE,
    GREEN,
    RED,
    coloured_pdf,
    damaged_pdf,
    long_pdf,
    near,
    turned_photo,
)

T = TypeVar("T")
CAPTURE = """<!doctype html><html><head><meta charset="utf-8"><title>Capture</title>
<script>document.title = "ran"</script></head><body>
<h1>Families gather at Khavaran</h1><p>They came every year.</p>
<p>خانواده‌ها در خاوران گرد آمدند.</p>
<img src="https://tracker.example/pixel.gif" alt="the gate"></body></html>"""


@pytest.fixture(autouse=True)
def in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_service, "IN_PROCESS", True)


@pytest.fixture
def tab(qtbot: QtBot, catalogue: Catalogue) -> OriginalsTab:
    return on_screen(qtbot, OriginalsTab(catalogue, QUndoStack()), 700, 620)


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pages the preview service was asked to draw (by index), in order."""
    asked: list[int] = []
    draw = PreviewService.page

    def page(self: PreviewService, file: FileRecord, index: int, w: int, h: int) -> Page:
        asked.append(index)
        return draw(self, file, index, w, h)

    monkeypatch.setattr(PreviewService, "page", page)
    return asked


def record_of(catalogue: Catalogue, path: Path) -> int:
    [unit_id] = catalogue.imports.run([path], workers=1).new_ids
    return unit_id


def show(qtbot: QtBot, tab: OriginalsTab, unit_id: int) -> None:
    with qtbot.waitSignal(tab.preview.shown, timeout=10_000):
        tab.show_unit(unit_id)


def centre_colour(tab: OriginalsTab) -> tuple[int, int, int]:
    return centre_colour_of(tab.preview)


def centre_colour_of(preview: OriginalPreview) -> tuple[int, int, int]:
    pixmap = preview.canvas.pixmap()
    assert pixmap is not None
    image = pixmap.toImage()
    colour = image.pixelColor(image.width() // 2, image.height() // 2)
    return colour.red(), colour.green(), colour.blue()


def test_pages_are_turned_with_page_down_page_up_the_buttons_and_the_page_number(
    qtbot: QtBot, tab: OriginalsTab, catalogue: Catalogue, tmp_path: Path
) -> None:
    show(qtbot, tab, record_of(catalogue, coloured_pdf(tmp_path / "pages.pdf")))
    preview = tab.preview
    assert near(centre_colour(tab), RED)
    assert preview.page_count.text() == "of 3"
    assert preview.page_box.value() == 1
    assert not preview.previous_button.isEnabled()

    qtbot.mouseClick(preview.canvas, Qt.MouseButton.LeftButton)
    assert preview.canvas.hasFocus()
    with qtbot.waitSignal(preview.shown, timeout=10_000):
        qtbot.keyClick(preview.canvas, Qt.Key.Key_PageDown)
    assert near(centre_colour(tab), GREEN)
    assert preview.page_box.value() == 2

    with qtbot.waitSignal(preview.shown, timeout=10_000):
        qtbot.mouseClick(preview.next_button, Qt.MouseButton.LeftButton)
    assert near(centre_colour(tab), BLUE)
    assert not preview.next_button.isEnabled()
    qtbot.keyClick(preview.canvas, Qt.Key.Key_PageDown)  # already on the last page
    assert preview.page_index == 2

    with qtbot.waitSignal(preview.shown, timeout=10_000):
        qtbot.keyClick(preview.canvas, Qt.Key.Key_PageUp)
    assert near(centre_colour(tab), GREEN)

    preview.page_box.setFocus()
    preview.page_box.selectAll()
    with qtbot.waitSignal(preview.shown, timeout=10_000):
        qtbot.keyClicks(preview.page_box, "1")
        qtbot.keyClick(preview.page_box, Qt.Key.Key_Return)
    assert near(centre_colour(tab), RED)
    with qtbot.waitSignal(preview.shown, timeout=10_000):
        qtbot.keyClick(preview.page_box, Qt.Key.Key_PageDown)  # in the page box too
    assert preview.page_box.value() == 2
    assert preview.page_box.buttonSymbols() is not QAbstractSpinBox.ButtonSymbols.NoButtons


def test_the_page_is_drawn_for_the_space_and_its_pixel_density(
    qtbot: QtBot, tab: OriginalsTab, catalogue: Catalogue, tmp_path: Path, drawn: list[int]
) -> None:
    show(qtbot, tab, record_of(catalogue, coloured_pdf(tmp_path / "pages.pdf")))
    canvas = tab.preview.canvas
    pixmap = canvas.pixmap()
    assert pixmap is not None
    ratio = canvas.devicePixelRatioF()
    space = canvas.pixel_size()
    assert pixmap.devicePixelRatio() == ratio
    # Portrait pages fill the height (the space is wider than a page's proportions).
    assert abs(pixmap.height() - space.height()) <= 1
    with qtbot.waitSignal(tab.preview.shown, timeout=10_000):
        tab.resize(tab.width(), tab.height() - 150)
    smaller = canvas.pixmap()
    assert smaller is not None
    assert abs(smaller.height() - canvas.pixel_size().height()) <= 1
    assert smaller.height() < pixmap.height()
    assert drawn == [0, 0]


def test_fit_width_draws_the_page_as_wide_as_the_space_to_be_read_from_its_top(
    qtbot: QtBot, tab: OriginalsTab, catalogue: Catalogue, tmp_path: Path
) -> None:
    show(qtbot, tab, record_of(catalogue, coloured_pdf(tmp_path / "pages.pdf")))
    preview = tab.preview
    whole = preview.canvas.pixmap()
    assert whole is not None
    with qtbot.waitSignal(preview.shown, timeout=10_000):
        qtbot.keyClick(preview, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    assert preview.fit_width.isChecked()
    wide = preview.canvas.pixmap()
    assert wide is not None
    viewport = preview.scroller.viewport()
    assert abs(wide.width() - viewport.width()) <= 1
    assert wide.height() > viewport.height()  # taller than the space: scrolled
    bar = preview.scroller.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())

    qtbot.mouseClick(preview.canvas, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(preview.shown, timeout=10_000):
        qtbot.keyClick(preview.canvas, Qt.Key.Key_PageDown)
    assert near(centre_colour(tab), GREEN)
    assert bar.value() == 0

    with qtbot.waitSignal(preview.shown, timeout=10_000):
        qtbot.mouseClick(preview.fit_width, Qt.MouseButton.LeftButton)
    back = preview.canvas.pixmap()
    assert back is not None
    assert back.size() == whole.size()


def test_a_long_pdf_is_drawn_off_the_gui_thread_one_page_at_a_time(
    qtbot: QtBot, tab: OriginalsTab, catalogue: Catalogue, tmp_path: Path, drawn: list[int]
) -> None:
    unit_id = record_of(catalogue, long_pdf(tmp_path / "report.pdf", 200))
    with qtbot.waitSignal(tab.preview.shown, timeout=10_000):
        tab.show_unit(unit_id)
        # show_unit came back before anything was drawn: drawing is not on this thread.
        assert tab.preview.canvas.pixmap() is None
    assert tab.preview.page_count.text() == "of 200"
    assert drawn == [0]


def test_nothing_is_drawn_while_the_tab_is_not_on_screen(
    qtbot: QtBot, catalogue: Catalogue, tmp_path: Path, drawn: list[int]
) -> None:
    hidden = OriginalsTab(catalogue, QUndoStack())
    qtbot.addWidget(hidden)
    hidden.show_unit(record_of(catalogue, coloured_pdf(tmp_path / "pages.pdf")))
    assert drawn == []
    with qtbot.waitSignal(hidden.preview.shown, timeout=10_000):
        hidden.show()
    assert drawn == [0]


def test_a_photograph_is_shown_upright(
    qtbot: QtBot, tab: OriginalsTab, catalogue: Catalogue, tmp_path: Path
) -> None:
    show(qtbot, tab, record_of(catalogue, turned_photo(tmp_path / "photo.jpg")))
    pixmap = tab.preview.canvas.pixmap()
    assert pixmap is not None
    assert (pixmap.width(), pixmap.height()) == (30, 60)
    image = pixmap.toImage()
    top, bottom = image.pixelColor(15, 5), image.pixelColor(15, 55)
    assert near((top.red(), top.green(), top.blue()), RED)
    assert near((bottom.red(), bottom.green(), bottom.blue()), BLUE)
    assert tab.preview.navigation.isHidden()  # one picture: nothing to turn


def test_a_captured_web_page_shows_its_heading_and_text_and_runs_nothing(
    qtbot: QtBot, tab: OriginalsTab, catalogue: Catalogue, tmp_path: Path
) -> None:
    page = tmp_path / "capture.html"
    page.write_text(CAPTURE, encoding="utf-8")
    show(qtbot, tab, record_of(catalogue, page))
    browser = tab.preview.text
    assert tab.preview.stack.currentWidget() is browser
    document = browser.document()
    heading = document.firstBlock()
    while heading.isValid() and heading.blockFormat().headingLevel() != 1:
        heading = heading.next()
    assert heading.text() == "Families gather at Khavaran"
    text = browser.toPlainText()
    assert "They came every year." in text
    assert "picture: the gate" in text
    assert "ran" not in text.split()
    persian = document.findBlock(text.index("خانواده‌ها"))
    assert persian.textDirection() is Qt.LayoutDirection.RightToLeft
    assert heading.textDirection() is Qt.LayoutDirection.LeftToRight
    assert browser.loadResource(0, QUrl("https://tracker.example/pixel.gif")) is None


def test_a_damaged_pdf_shows_one_plain_line(
    qtbot: QtBot, tab: OriginalsTab, catalogue: Catalogue, tmp_path: Path
) -> None:
    show(qtbot, tab, record_of(catalogue, damaged_pdf(tmp_path / "scan.pdf")))
    preview = tab.preview
    assert preview.stack.currentWidget() is preview.message
    assert preview.message.text() == (
        "scan.pdf cannot be previewed: the PDF is damaged or is not a PDF."
    )
    assert tab.open_button.isEnabled()  # another program may still read it


def test_a_file_without_a_preview_says_what_it_is(
    qtbot: QtBot, tab: OriginalsTab, catalogue: Catalogue, tmp_path: Path
) -> None:
    archive = tmp_path / "bundle.zip"
    archive.write_bytes(b"PK\x03\x04" + bytes(64))
    tab.show_unit(record_of(catalogue, archive))
    message = tab.preview.message.text()
    assert message.startswith("bundle.zip\napplication/zip: no preview.")
    assert "Open" in message


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[Path]]:
    """The files handed to the system's applications (none is started)."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    files: list[Path] = []

    def open_url(url: QUrl) -> bool:
        files.append(Path(url.toLocalFile()))
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    yield files
    forget_viewable_copies()


def test_open_hands_over_a_copy_and_what_the_program_writes_leaves_the_evidence_intact(
    qtbot: QtBot,
    tab: OriginalsTab,
    catalogue: Catalogue,
    tmp_path: Path,
    opened: list[Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = coloured_pdf(tmp_path / "pages.pdf")
    unit_id = record_of(catalogue, source)
    show(qtbot, tab, unit_id)
    [file] = OriginalsService(catalogue).files(unit_id)
    stored = OriginalsService(catalogue).stored_copy(file)
    assert stored is not None

    tab.files.setFocus()
    with qtbot.waitSignal(tab.open_settled, timeout=10_000):
        qtbot.keyClick(tab.files, Qt.Key.Key_Return)
    [given] = opened
    assert given != stored
    assert given.is_relative_to(tmp_path / "runtime")
    assert given.read_bytes() == source.read_bytes()
    assert not given.stat().st_mode & (stat.S_IWUSR | stat.S_IRWXG | stat.S_IRWXO)

    # The outside program makes its file writable and saves over it.
    given.chmod(0o600)
    given.write_bytes(b"%PDF-1.7 annotated by an editor")
    assert stored.read_bytes() == source.read_bytes()
    assert OriginalsService(catalogue).verify(file.id).matches
    capsys.readouterr()
    assert main(["--db", str(catalogue.path), "verify"]) == 0
    forget_viewable_copies()
    assert not given.exists()


def test_the_preview_follows_the_chosen_original(
    qtbot: QtBot, tab: OriginalsTab, catalogue: Catalogue, tmp_path: Path
) -> None:
    unit_id = record_of(catalogue, coloured_pdf(tmp_path / "red.pdf", (RED,)))
    OriginalsService(catalogue).attach(unit_id, coloured_pdf(tmp_path / "blue.pdf", (BLUE,)))
    show(qtbot, tab, unit_id)
    assert near(centre_colour(tab), RED)
    second = tab.files.topLevelItem(1)
    assert second is not None
    rect = tab.files.visualItemRect(second)
    with qtbot.waitSignal(tab.preview.shown, timeout=10_000):
        qtbot.mouseClick(tab.files.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert near(centre_colour(tab), BLUE)
    assert tab.preview.page_count.text() == "of 1"


def test_in_the_window_a_pdfs_second_page_is_reached_with_the_keyboard(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, tmp_path: Path
) -> None:
    unit_id = record_of(catalogue, coloured_pdf(tmp_path / "pages.pdf"))
    path = catalogue.path
    catalogue.close()
    assert window.open_catalogue(path)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.show_unit(unit_id)
    detail = window.detail
    assert detail is not None
    tabs = detail.tabBar()
    tabs.setFocus()
    for _ in range(detail.count()):  # along the tabs with the arrow key, to Originals
        if detail.currentWidget() is detail.originals:
            break
        qtbot.keyClick(tabs, Qt.Key.Key_Right)
    assert detail.currentWidget() is detail.originals
    preview = detail.originals.preview
    qtbot.waitUntil(lambda: preview.canvas.pixmap() is not None, timeout=10_000)
    for _ in range(8):  # Tab, from the tabs on, to the page
        if preview.canvas.hasFocus():
            break
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    assert preview.canvas.hasFocus()
    with qtbot.waitSignal(preview.shown, timeout=10_000):
        qtbot.keyClick(preview.canvas, Qt.Key.Key_PageDown)
    assert near(centre_colour(detail.originals), GREEN)
    assert preview.page_count.text() == "of 3"


class HeldRunner:
    """Keeps what the preview asks for until the test hands the answers back, in the order
    the test chooses (as slow pool threads might)."""

    def __init__(self) -> None:
        self.asked: list[tuple[Callable[[], object], Callable[[object], None]]] = []

    def run_latest(
        self,
        key: str,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[str], None],
    ) -> None:
        self.asked.append((fn, cast(Callable[[object], None], on_done)))

    def answer(self, number: int) -> None:
        fn, on_done = self.asked[number]
        on_done(fn())


def test_a_page_drawn_late_for_a_page_turned_away_from_does_not_undo_the_turn(
    qtbot: QtBot, catalogue: Catalogue, tmp_path: Path
) -> None:
    [file] = OriginalsService(catalogue).files(
        record_of(catalogue, coloured_pdf(tmp_path / "pages.pdf"))
    )
    runner = HeldRunner()
    preview = on_screen(qtbot, OriginalPreview(PreviewService(catalogue), runner), 500, 600)
    preview.show_file(file)
    qtbot.waitUntil(lambda: len(runner.asked) == 1)
    runner.answer(0)
    preview.resize(500, 500)  # page 1 asked for again, at the new size...
    qtbot.waitUntil(lambda: len(runner.asked) == 2)
    preview.canvas.setFocus()
    qtbot.keyClick(preview.canvas, Qt.Key.Key_PageDown)
    runner.answer(1)  # ...and it comes back just after Page Down, before page 2 is asked for
    assert preview.page_index == 1
    qtbot.waitUntil(lambda: len(runner.asked) == 3)
    runner.answer(2)
    assert near(centre_colour_of(preview), GREEN)
    assert preview.page_box.value() == 2
