"""The preview of one original under the Originals tab's list: a PDF's (or a TIFF's) pages
with page turning, a picture fitted to the space, a captured web page as its headings and
text, a text file as text, or what kind of file it is when it has no preview.

Drawing and reading run off the GUI thread through the window's runner (`run_latest`: a
page asked for before the last one finished is dropped), only while the preview is on the
screen, and only for the page shown, at the size and pixel density of the space it fills.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol, TypeVar

from PySide6.QtCore import QRect, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QImage,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from catalog_app.domain.records import FileRecord
from catalog_app.ingest.render.raster import MAX_SIDE, Mode, Raster
from catalog_app.services.previews import Page, PreviewKind, PreviewService, Text, preview_kind

T = TypeVar("T")
FORMATS: dict[Mode, QImage.Format] = {
    "RGB": QImage.Format.Format_RGB888,
    "RGBA": QImage.Format.Format_RGBA8888,
    "RGBX": QImage.Format.Format_RGBX8888,
}
NO_FILES = "This record has no stored originals."
DRAWING = "Drawing the page…"
READING = "Reading…"
CUT_TEXT = "Only the first megabyte of the file is shown here; Open shows all of it."
MESSAGE_STYLE = "color: palette(placeholder-text);"
ERROR_STYLE = "color: #b00020;"


class LatestRunner(Protocol):
    """What the preview needs of the window's runner."""

    def run_latest(
        self,
        key: str,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[str], None],
    ) -> None: ...


def to_image(raster: Raster) -> QImage:
    """A picture of its own (Qt does not keep the raster's bytes alive)."""
    image = QImage(raster.data, raster.width, raster.height, raster.stride, FORMATS[raster.mode])
    return image.copy()


class PageCanvas(QWidget):
    """A page or picture drawn in the middle of the space, never larger than it."""

    resized = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.setAccessibleName("Page preview")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(120, 120)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Mid)
        self._pixmap: QPixmap | None = None
        self._placeholder = ""

    def pixmap(self) -> QPixmap | None:
        return self._pixmap

    def set_pixmap(self, pixmap: QPixmap | None, placeholder: str = "") -> None:
        self._pixmap, self._placeholder = pixmap, placeholder
        self.update()

    def pixel_size(self) -> QSize:
        """The space to draw in, in device pixels."""
        ratio = self.devicePixelRatioF()
        return QSize(round(self.width() * ratio), round(self.height() * ratio))

    def page_rect(self) -> QRect:
        """Where the page is drawn, in this widget's coordinates."""
        if self._pixmap is None:
            return QRect()
        size = self._pixmap.deviceIndependentSize().toSize()
        size.scale(size.boundedTo(self.size()), Qt.AspectRatioMode.KeepAspectRatio)
        rect = QRect(0, 0, size.width(), size.height())
        rect.moveCenter(self.rect().center())
        return rect

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self._pixmap is not None:
            # Until the page drawn for a new size arrives, the last one is scaled to fit.
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawPixmap(self.page_rect(), self._pixmap)
        elif self._placeholder:
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self._placeholder,
            )
        if self.hasFocus():
            painter.setPen(self.palette().color(QPalette.ColorRole.Highlight))
            painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()


class PageScroller(QScrollArea):
    """Holds the page: fitted whole into the space, or as wide as the space and scrolled."""

    resized = Signal()

    def __init__(self, canvas: PageCanvas, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page-scroller")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setWidget(canvas)
        self.fit_width(False)

    def fit_width(self, on: bool) -> None:
        self.setWidgetResizable(not on)
        # A scroll bar always there while the page is as wide as the space: one coming and
        # going would change that width, and so the page's, and so whether it is needed.
        self.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOn if on else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()


class SafeTextBrowser(QTextBrowser):
    """Shows markup without loading anything it names: no picture, style sheet or page,
    from the network or from this computer, and no link is followed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setSearchPaths([])

    def loadResource(self, kind: int, name: QUrl | str) -> object:
        return None


class OriginalPreview(QWidget):
    shown = Signal()  # a preview (or why there is none) is on the screen

    def __init__(
        self,
        service: PreviewService,
        runner: LatestRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("preview")
        self._service = service
        self._runner = runner
        self._key = f"preview-{id(self)}"
        self._file: FileRecord | None = None
        self._kind = PreviewKind.NONE
        self._index = 0
        self._count = 0
        self._drawn_at = QSize()  # the pixel size the shown page was drawn for
        self._shown_index = -1  # the page shown
        self._stale = False  # something is to be asked for once the preview is on screen
        # Asked for on the next turn of the event loop, once the layout has settled: a new
        # file, a page turned and the resizes that come with showing are one request.
        self._asking = QTimer(self)
        self._asking.setSingleShot(True)
        self._asking.setInterval(0)
        self._asking.timeout.connect(self._ask_now)

        self.canvas = PageCanvas()
        self.scroller = PageScroller(self.canvas)
        self.text = SafeTextBrowser()
        self.text.setObjectName("preview-text")
        self.message = QLabel()
        self.message.setObjectName("preview-message")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stack = QStackedWidget()
        for widget in (self.scroller, self.text, self.message):
            self.stack.addWidget(widget)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(MESSAGE_STYLE)

        self.previous_button = QPushButton("‹ Previous")
        self.previous_button.setToolTip("Previous page (Page Up)")
        self.next_button = QPushButton("Next ›")
        self.next_button.setToolTip("Next page (Page Down)")
        for button in (self.previous_button, self.next_button):
            # A click leaves the focus where it was (on the page, for Page Up and Down).
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.page_box = QSpinBox()
        self.page_box.setObjectName("page-number")
        self.page_box.setKeyboardTracking(False)  # go when the number is typed and Enter hit
        self.page_box.setAccessibleName("Page number")
        self.page_label = QLabel("&Page")
        self.page_label.setBuddy(self.page_box)
        self.page_count = QLabel()
        self.fit_width = QPushButton("Fit &width")
        self.fit_width.setCheckable(True)
        self.fit_width.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.fit_width.setToolTip(
            "Draw the page as wide as the space, to read it (scroll down it); "
            "again to see the whole page"
        )
        self.navigation = QWidget()
        row = QHBoxLayout(self.navigation)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.previous_button)
        row.addStretch(1)
        row.addWidget(self.page_label)
        row.addWidget(self.page_box)
        row.addWidget(self.page_count)
        row.addStretch(1)
        row.addWidget(self.fit_width)
        row.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.navigation)

        self._keys: list[QShortcut] = []
        for key, step in ((Qt.Key.Key_PageDown, 1), (Qt.Key.Key_PageUp, -1)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(partial(self.turn, step))
            self._keys.append(shortcut)
        self.previous_button.clicked.connect(lambda: self.turn(-1))
        self.next_button.clicked.connect(lambda: self.turn(1))
        self.page_box.valueChanged.connect(lambda number: self.go_to(number - 1))
        self.fit_width.toggled.connect(self._fit_changed)
        self.canvas.resized.connect(self._space_changed)
        self.scroller.resized.connect(self._space_changed)
        self.show_file(None)

    # -- what is shown ----------------------------------------------------------------------

    @property
    def page_index(self) -> int:
        return self._index

    @property
    def pages(self) -> int:
        return self._count

    def show_file(self, file: FileRecord | None) -> None:
        """Preview `file` (None: the record has none) from its first page."""
        if file is not None and self._file is not None and file.id == self._file.id:
            return
        self._file, self._index, self._count = file, 0, 0
        self._kind = preview_kind(file) if file is not None else PreviewKind.NONE
        self._drawn_at, self._shown_index = QSize(), -1
        self.canvas.set_pixmap(None, DRAWING)
        self.text.clear()
        self.note.hide()
        self._update_navigation()
        if file is None:
            self._say(NO_FILES)
        elif self._kind is PreviewKind.NONE:
            self._say(
                f"{file.original_name}\n{file.media_type}: no preview. "
                "Open shows it in the program this computer has for it."
            )
        else:
            self.stack.setCurrentWidget(
                self.scroller
                if self._kind in (PreviewKind.PAGES, PreviewKind.PICTURE)
                else self.text
            )
            self._stale = True
            self._ask()

    def refresh(self) -> None:
        """Read the current original again (its copy may have changed, or been repaired)."""
        file, self._file = self._file, None
        self._service.forget()
        self.show_file(file)

    def turn(self, step: int) -> None:
        self.go_to(self._index + step)

    def go_to(self, index: int) -> None:
        if self._count <= 1 or self._file is None:
            return
        index = min(max(index, 0), self._count - 1)
        if index != self._index:
            self._index = index
            self._update_navigation()
            self._stale = True
            self._ask()

    # -- asking for it, off the GUI thread --------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._ask()

    def _fit_changed(self, on: bool) -> None:
        self.scroller.fit_width(on)
        self._space_changed()

    def _space_changed(self) -> None:
        drawn = self._kind in (PreviewKind.PAGES, PreviewKind.PICTURE) and self._file is not None
        if drawn and self._box() != self._drawn_at:
            self._stale = True
            self._ask()

    def _box(self) -> QSize:
        """The space to draw the page in, in device pixels (as wide as the space and as high
        as it needs, when fitting the width)."""
        if not self.fit_width.isChecked():
            return self.canvas.pixel_size()
        ratio = self.canvas.devicePixelRatioF()
        return QSize(round(self.scroller.viewport().width() * ratio), MAX_SIDE)

    def _ask(self) -> None:
        if self._stale and self._file is not None and self.isVisible():
            self._asking.start()

    def _ask_now(self) -> None:
        file = self._file
        if not self._stale or file is None or not self.isVisible():
            return
        self._stale = False
        service = self._service
        if self._kind in (PreviewKind.PAGES, PreviewKind.PICTURE):
            size = self._box()
            self._runner.run_latest(
                self._key,
                partial(_draw, service, file, self._index, size),
                partial(self._page_drawn, file.id, self._index, size),
                self._failed,
            )
        elif self._kind is PreviewKind.WEB_PAGE:
            self.text.setPlainText(READING)
            self._runner.run_latest(
                self._key, partial(service.web_page, file), self._page_read, self._failed
            )
        else:
            self.text.setPlainText(READING)
            self._runner.run_latest(
                self._key, partial(service.text, file), self._text_read, self._failed
            )

    # -- showing what came back -------------------------------------------------------------

    def _page_drawn(
        self, file_id: int, index: int, size: QSize, drawn: tuple[Page, QImage]
    ) -> None:
        if self._file is None or self._file.id != file_id or index != self._index:
            return  # another file was chosen, or another page turned to, since it was asked for
        page, image = drawn
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(self.canvas.devicePixelRatioF())
        turned = page.index != self._shown_index
        self._drawn_at, self._shown_index = size, page.index
        self._index, self._count = page.index, page.count
        self.canvas.set_pixmap(pixmap)
        if self.fit_width.isChecked():
            self.canvas.resize(
                self.scroller.viewport().width(), round(pixmap.deviceIndependentSize().height())
            )
            if turned:
                self.scroller.verticalScrollBar().setValue(0)  # a new page is read from its top
        self.stack.setCurrentWidget(self.scroller)
        self._update_navigation()
        self.shown.emit()

    def _page_read(self, markup: str) -> None:
        self.text.setHtml(markup)
        self.shown.emit()

    def _text_read(self, text: Text) -> None:
        self.text.setPlainText(text.text)
        self.note.setText(CUT_TEXT)
        self.note.setVisible(text.cut)
        self.shown.emit()

    def _failed(self, message: str) -> None:
        self._say(message, problem=True)  # the pages around a damaged one can still be turned to
        self.shown.emit()

    def _say(self, text: str, *, problem: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if problem else MESSAGE_STYLE)
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def _update_navigation(self) -> None:
        # A PDF's row is there from the start (its page count to come), so that the page is
        # not drawn twice: once for the space without the row, and again for that with it.
        self.navigation.setVisible(self._kind is PreviewKind.PAGES or self._count > 1)
        for button, usable in (
            (self.previous_button, self._index > 0),
            (self.next_button, self._index < self._count - 1),
        ):
            if not usable and button.hasFocus():
                self.canvas.setFocus()  # not to the next widget in the window, out of reach
            button.setEnabled(usable)
        self.page_box.blockSignals(True)
        self.page_box.setRange(1, max(1, self._count))
        self.page_box.setValue(self._index + 1)
        self.page_box.blockSignals(False)
        self.page_count.setText(f"of {self._count}" if self._count else "of …")
        for shortcut in self._keys:
            shortcut.setEnabled(self._count > 1)


def _draw(
    service: PreviewService, file: FileRecord, index: int, size: QSize
) -> tuple[Page, QImage]:
    """On a pool thread: the page, and it as a picture Qt can show (made there too)."""
    page = service.page(file, index, size.width(), size.height())
    return page, to_image(page.raster)


__all__ = ["LatestRunner", "OriginalPreview", "PageCanvas", "SafeTextBrowser", "to_image"]
