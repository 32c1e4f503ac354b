"""The Text tab: the text extracted from the record's originals, each paragraph in its own
direction (Persian and Arabic right to left), with the current search's words highlighted
and a way from hit to hit.

Reading the text and finding its hits happen off the GUI thread. Ordinary texts are shown
in a QTextEdit, whose layout gives every paragraph its own direction and alignment. Its
layout of a whole text costs about a second per megabyte (paid when jumping to a late hit),
so very long texts go to a QPlainTextEdit instead, which lays out only what is on screen:
there each paragraph still reads in its own direction, but all are aligned to the side of
the text's main script (that widget has one alignment for the whole document).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QColor,
    QKeySequence,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
    QTextOption,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from catalog_app.search import highlight
from catalog_app.services import Catalogue
from catalog_app.services.originals import FileText, OriginalsService
from catalog_app.ui.detail.alive import while_alive
from catalog_app.ui.undo import lane_of

Span = tuple[int, int]
# highlight.find skims texts longer than a snippet needs; pieces this short it reads whole.
PIECE = 500
OVERLAP = 100  # pieces overlap so a phrase across a cut is still found
MAX_MARKED = 5000  # hits painted at once (the counter and navigation cover all of them)
LONG_TEXT = 400_000  # characters from which the plain, lazily laid out view is used
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_RTL_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_LTR_LETTER = re.compile("[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]")
HIT_COLOUR = QColor("#fff59d")
CURRENT_COLOUR = QColor("#ffb74d")
NO_TEXT = "This record has no extracted text."


def _word_start(text: str, position: int, floor: int) -> int:
    """The start of the word at `position` (not before `floor`, so a piece is never empty)."""
    space = max(text.rfind(" ", floor + 1, position), text.rfind("\n", floor + 1, position))
    return space + 1 if space > floor else position


def find_all(text: str, terms: list[highlight.Term]) -> list[Span]:
    """Every match of the terms in `text`, in order, without overlaps."""
    if not terms:
        return []
    found: set[Span] = set()
    start = 0
    while start < len(text):
        end = len(text)
        if start + PIECE < len(text):
            end = _word_start(text, start + PIECE, start)
        found.update((start + s, start + e) for s, e in highlight.find(text[start:end], terms))
        if end >= len(text):
            break
        start = max(_word_start(text, end - OVERLAP, start), start + 1)
    kept: list[Span] = []
    for span in sorted(found, key=lambda s: (s[0], -s[1])):
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def to_utf16(text: str, spans: list[Span]) -> list[Span]:
    """Python offsets to the editor's (UTF-16: characters beyond U+FFFF count twice)."""
    astral = [m.start() for m in _ASTRAL.finditer(text)]
    if not astral:
        return spans
    return [
        (s + bisect.bisect_left(astral, s), e + bisect.bisect_left(astral, e)) for s, e in spans
    ]


def combined_text(texts: list[FileText]) -> str:
    """One text for the editor: each original's, under its name when there are several."""
    with_text = [t for t in texts if t.text.strip()]
    parts = [
        (f"── {t.file.original_name} ──\n" if len(with_text) > 1 else "") + t.text
        for t in with_text
    ]
    return "\n\n".join(parts).replace("\r\n", "\n").replace("\r", "\n")


def mostly_right_to_left(text: str, sample: int = 100_000) -> bool:
    head = text[:sample]
    return len(_RTL_LETTER.findall(head)) > len(_LTR_LETTER.findall(head))


@dataclass(frozen=True)
class Prepared:
    unit_id: int
    text: str
    hits: list[Span]  # editor positions
    right_to_left: bool  # most of the text is in a right-to-left script
    terms: list[highlight.Term] = field(default_factory=list)  # what the hits are hits of


class TextTab(QWidget):
    TITLE = "Text"
    changed = Signal(int)  # never emitted: the tab only reads
    text_shown = Signal(int)  # the unit whose text and hits are now on screen

    def __init__(
        self, catalogue: Catalogue, undo_stack: QUndoStack, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._catalogue = catalogue
        self._originals = OriginalsService(catalogue)
        self._unit_id: int | None = None
        self._shown: Prepared | None = None
        self._terms: list[highlight.Term] = []
        self._query = ""
        self._marks: list[QTextEdit.ExtraSelection] = []
        self._current = -1
        # Read on the window's lane (a tab on its own: a lane of its own); only the answer
        # for the newest record and search asked for is shown.
        self._lane = lane_of(undo_stack)
        self._key = f"text-{id(self)}"

        self.rich_view = QTextEdit()
        self.plain_view = QPlainTextEdit()
        self.views = QStackedWidget()
        for view in (self.rich_view, self.plain_view):
            view.setReadOnly(True)
            view.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
            # Each paragraph takes its direction from its first letters, whatever the window's.
            option = view.document().defaultTextOption()
            option.setTextDirection(Qt.LayoutDirection.LayoutDirectionAuto)
            option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            view.document().setDefaultTextOption(option)
            self.views.addWidget(view)
        self.editor: QTextEdit | QPlainTextEdit = self.rich_view
        self.previous_button = QPushButton("◀ &Previous hit")
        self.previous_button.setToolTip("Previous hit (Shift+F3)")
        self.next_button = QPushButton("&Next hit ▶")
        self.next_button.setToolTip("Next hit (F3)")
        self.hit_label = QLabel()
        self.hit_label.setObjectName("hits")

        bar = QHBoxLayout()
        bar.addWidget(self.previous_button)
        bar.addWidget(self.next_button)
        bar.addWidget(self.hit_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.views, 1)

        self.next_button.clicked.connect(self.next_hit)
        self.previous_button.clicked.connect(self.previous_hit)
        for keys, slot in (("F3", self.next_hit), ("Shift+F3", self.previous_hit)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.show_unit(None)

    # -- what is shown ------------------------------------------------------------------------

    def show_unit(self, unit_id: int | None) -> None:
        self._unit_id = unit_id
        self._shown = None
        self._use_view(self.rich_view)
        self._set_hits([])
        self.setEnabled(unit_id is not None)
        self.editor.setPlaceholderText("Reading the text…" if unit_id is not None else "")
        self._prepare()

    def _use_view(self, view: QTextEdit | QPlainTextEdit, text: str = "") -> None:
        """Show `text` in `view`, emptying the other one."""
        for other in (self.rich_view, self.plain_view):
            if other is not view:
                other.clear()
        self.editor = view
        self.views.setCurrentWidget(view)
        view.setPlainText(text)

    def set_search_terms(self, query: str) -> None:
        """Highlight what `query` (in the search language) looks for."""
        self._query = query
        self._prepare()

    @property
    def hits(self) -> int:
        return len(self._shown.hits) if self._shown else 0

    def _prepare(self) -> None:
        unit_id, query, shown = self._unit_id, self._query, self._shown
        if unit_id is None:
            self._lane.forget(self._key)
            return
        service, search = self._originals, self._catalogue.search

        def work() -> Prepared:
            # The terms too: finding a name's other names reads the authority lists.
            terms = search.highlight_terms(query)
            text = shown.text if shown else combined_text(service.texts(unit_id))
            hits = to_utf16(text, find_all(text, terms))
            rtl = shown.right_to_left if shown else mostly_right_to_left(text)
            return Prepared(unit_id, text, hits, rtl, terms)

        self._lane.run_latest(
            self._key, work, while_alive(self, self._prepared), while_alive(self, self._failed)
        )

    def _prepared(self, prepared: Prepared) -> None:
        if prepared.unit_id != self._unit_id:
            return  # no record is shown since
        if self._shown is None:  # a new record's text, not new hits in the same one
            long_text = len(prepared.text) >= LONG_TEXT
            self._use_view(self.plain_view if long_text else self.rich_view, prepared.text)
            if long_text:
                option = self.plain_view.document().defaultTextOption()
                right = (
                    Qt.AlignmentFlag.AlignRight
                    if prepared.right_to_left
                    else Qt.AlignmentFlag.AlignLeft
                )
                option.setAlignment(right)
                self.plain_view.document().setDefaultTextOption(option)
            self.editor.setPlaceholderText(NO_TEXT)
        self._shown = prepared
        self._terms = prepared.terms
        self._set_hits(prepared.hits)
        self.text_shown.emit(prepared.unit_id)

    def _failed(self, message: str) -> None:
        self.editor.setPlaceholderText(f"The text cannot be shown: {message}")

    # -- hits -----------------------------------------------------------------------------------

    def _selection(self, span: Span, colour: QColor) -> QTextEdit.ExtraSelection:
        cursor = QTextCursor(self.editor.document())
        cursor.setPosition(span[0])
        cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        text_format = QTextCharFormat()
        text_format.setBackground(colour)
        selection.format = text_format
        return selection

    def _set_hits(self, hits: list[Span]) -> None:
        self._marks = [self._selection(span, HIT_COLOUR) for span in hits[:MAX_MARKED]]
        self._current = -1
        if hits:
            self._go_to(0)
        else:
            self.editor.setExtraSelections(self._marks)
            self._update_bar()

    def _go_to(self, index: int) -> None:
        if self._shown is None or not self._shown.hits:
            return
        self._current = index % len(self._shown.hits)
        current = self._selection(self._shown.hits[self._current], CURRENT_COLOUR)
        self.editor.setExtraSelections([*self._marks, current])
        self.editor.setTextCursor(current.cursor)
        self.editor.ensureCursorVisible()
        self._update_bar()

    def next_hit(self) -> None:
        self._go_to(self._current + 1)

    def previous_hit(self) -> None:
        self._go_to(self._current - 1)

    def current_hit(self) -> Span | None:
        """The highlighted hit, as editor positions."""
        return self._shown.hits[self._current] if self._shown and self._current >= 0 else None

    def _update_bar(self) -> None:
        count = self.hits
        self.next_button.setEnabled(count > 0)
        self.previous_button.setEnabled(count > 0)
        if not self._terms or self._shown is None:
            self.hit_label.clear()
        elif count == 0:
            self.hit_label.setText("no hits in this text")
        else:
            self.hit_label.setText(f"hit {self._current + 1} of {count}")
