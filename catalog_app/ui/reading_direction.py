"""Cells that read in their own script's direction: a Persian or Arabic title is laid out right
to left and right-aligned, and cut short at its end (its left side), never inside a number.

The direction of a cell is that of its first strong character, the rule HTML's dir="auto"
follows (Unicode's paragraph level rule).
"""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFontMetrics, QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

_RIGHT_TO_LEFT = frozenset({"R", "AL"})
_ELLIPSIS = ("…", "...")  # Qt's ellipsis, or three dots in a font without one


def right_to_left(text: str) -> bool:
    """Whether the text's first strong character belongs to a right-to-left script."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in _RIGHT_TO_LEFT:
            return True
        if kind == "L":
            return False
    return False


def elide_at_end(text: str, metrics: QFontMetrics, width: int) -> str:
    """The text cut to `width` at its logical end, with an ellipsis; a number is kept whole or
    left out ("۱۳۶۷" never becomes "۱۳…", which would read as another year)."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
    ellipsis = next((e for e in _ELLIPSIS if elided.endswith(e)), "")
    kept = elided[: len(elided) - len(ellipsis)]
    if kept and len(kept) < len(text) and kept[-1].isdigit() and text[len(kept)].isdigit():
        end = len(kept)
        while end and kept[end - 1].isdigit():  # any script's digits, not only 0-9
            end -= 1
        kept = kept[:end]
    return kept.rstrip() + (ellipsis or "…")


class ReadingDirectionDelegate(QStyledItemDelegate):
    """Draws each cell in its text's direction, elided as `elide` says (at the end by default,
    which for a right-to-left cell is its left side)."""

    def __init__(
        self,
        elide: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._elide = elide

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        cell = QStyleOptionViewItem(option)
        self.initStyleOption(cell, index)
        widget = cell.widget
        style = widget.style() if widget is not None else QApplication.style()
        if cell.text:
            text: str = cell.text
            rtl = right_to_left(text)
            cell.direction = (
                Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
            )
            if not cell.displayAlignment & Qt.AlignmentFlag.AlignHorizontal_Mask:
                cell.displayAlignment |= Qt.AlignmentFlag.AlignLeading
            cell.textElideMode = self._elide
            if self._elide == Qt.TextElideMode.ElideRight:
                room = style.subElementRect(
                    QStyle.SubElement.SE_ItemViewItemText, cell, widget
                ).width() - 2 * (
                    style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, cell, widget) + 1
                )
                cell.text = elide_at_end(text, cell.fontMetrics, room)
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, cell, painter, widget)
