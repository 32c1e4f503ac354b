"""The editors of the Description form: one `Field` per unit field, each with the one-line
message shown under it, and which editor and label each field of an ISAD(G) element gets."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from html import escape
from typing import Any

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from catalog_app.domain.isad import Element
from catalog_app.domain.vocabulary import AccessStatus, DateKind, Level, MediaKind

ERROR_STYLE = "color: #b00020;"
HINT_STYLE = "color: palette(mid);"
LINK_SCHEMES = ("http", "https")  # other addresses (file:, javascript:) are never clickable
MIN_TEXT_HEIGHT = 52  # about two lines
OPEN_LINK_TIP = "Open this address in your web browser (the catalogue never loads it by itself)"


class Field:
    """An editor for one unit field, with the one-line message shown under it."""

    def __init__(self, name: str, editor: QWidget) -> None:
        self.name = name
        self.editor = editor
        editor.setObjectName(name)
        self.message = QLabel()
        self.message.setObjectName(f"{name}_message")
        self.message.setWordWrap(True)
        self.message.hide()
        self.refused = False  # the message says why the value typed cannot be saved
        self.row = QWidget()
        self.layout = QVBoxLayout(self.row)
        self.layout.setContentsMargins(0, 0, 0, 0)
        self.layout.setSpacing(1)
        self.layout.addWidget(editor)
        self.layout.addWidget(self.message)

    def value(self) -> Any:
        """The value as typed, in the form the record holds it (for comparing)."""
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def set_editable(self, editable: bool) -> None:
        self.editor.setEnabled(editable)

    def has_local_undo(self, redo: bool) -> bool:
        """Whether the editor has typing of its own to undo (then Ctrl+Z stays in it)."""
        return False

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else HINT_STYLE)
        self.message.setVisible(bool(text))
        self.refused = error and bool(text)


class LineField(Field):
    def __init__(self, name: str) -> None:
        self.line = QLineEdit()
        super().__init__(name, self.line)

    def value(self) -> Any:
        return self.line.text().strip() or None

    def set_value(self, value: Any) -> None:
        self.line.setText(value or "")

    def set_editable(self, editable: bool) -> None:
        self.line.setReadOnly(not editable)

    def has_local_undo(self, redo: bool) -> bool:
        return self.line.isRedoAvailable() if redo else self.line.isUndoAvailable()


class CodesField(LineField):
    """A list of language or script codes, typed as "fa, en"."""

    def value(self) -> Any:
        return tuple(self.line.text().replace(",", " ").split())

    def set_value(self, value: Any) -> None:
        self.line.setText(", ".join(value or ()))


def web_address(text: str | None) -> QUrl | None:
    """`text` as an address a browser may open (http or https with a host), else None."""
    url = QUrl((text or "").strip(), QUrl.ParsingMode.StrictMode)
    if url.isValid() and url.scheme().lower() in LINK_SCHEMES and url.host():
        return url
    return None


class UrlField(LineField):
    """The source address of captured material, with a link under it that opens it in the
    browser when the person chooses to (nothing is loaded otherwise)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.link = QLabel()
        self.link.setObjectName(f"{name}_link")
        self.link.setTextFormat(Qt.TextFormat.RichText)
        self.link.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.link.setToolTip(OPEN_LINK_TIP)
        self.link.linkActivated.connect(self._open)
        self.link.hide()
        self.layout.insertWidget(1, self.link)
        self.line.textChanged.connect(self._show_link)

    def _show_link(self, text: str) -> None:
        url = web_address(text)
        if url is None:
            self.link.clear()
        else:
            shown = url.toDisplayString()
            self.link.setText(f'<a href="{escape(url.toString())}">{escape(shown)}</a>')
        self.link.setVisible(url is not None)

    def _open(self, address: str) -> None:
        url = web_address(address)
        if url is not None:
            QDesktopServices.openUrl(url)


class GrowingTextEdit(QTextEdit):
    """As tall as its text, from MIN_TEXT_HEIGHT up to `max_height` (then it scrolls), so
    that an empty field takes little room in a long form."""

    def __init__(self, max_height: int) -> None:
        super().__init__()
        self._max_height = max_height
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout = self.document().documentLayout()
        layout.documentSizeChanged.connect(lambda _size: self.updateGeometry())

    def sizeHint(self) -> QSize:
        margins = self.contentsMargins()
        text = int(self.document().size().height()) + margins.top() + margins.bottom()
        height = max(MIN_TEXT_HEIGHT, min(self._max_height, text))
        return QSize(super().sizeHint().width(), height)

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), MIN_TEXT_HEIGHT)


def text_editor(max_height: int = 160) -> QTextEdit:
    """A multi-line plain-text editor in which each paragraph takes its own direction.

    QTextEdit rather than QPlainTextEdit: the latter lays out every paragraph left-aligned,
    so a Persian or Arabic paragraph would hang on the wrong side.
    """
    edit = GrowingTextEdit(max_height)
    edit.setAcceptRichText(False)
    edit.setTabChangesFocus(True)  # Tab moves on, as in every other field
    return edit


class TextField(Field):
    def __init__(self, name: str) -> None:
        self.text = text_editor()
        super().__init__(name, self.text)

    def value(self) -> Any:
        return self.text.toPlainText().strip() or None

    def set_value(self, value: Any) -> None:
        self.text.setPlainText(value or "")

    def set_editable(self, editable: bool) -> None:
        self.text.setReadOnly(not editable)

    def has_local_undo(self, redo: bool) -> bool:
        document = self.text.document()
        return document.isRedoAvailable() if redo else document.isUndoAvailable()


class ChoiceField(Field):
    def __init__(self, name: str, choices: type[StrEnum], *, optional: bool) -> None:
        self.combo = QComboBox()
        if optional:
            self.combo.addItem("—", None)
        for choice in choices:
            self.combo.addItem(choice.value, choice.value)
        super().__init__(name, self.combo)

    def value(self) -> Any:
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(value)))


def _choice(choices: type[StrEnum], *, optional: bool = False) -> Callable[[str], Field]:
    return lambda name: ChoiceField(name, choices, optional=optional)


# The editor of each field; a field not named here is free text over several lines.
EDITORS: dict[str, Callable[[str], Field]] = {
    "reference_code": LineField,
    "title": LineField,
    "date_expression": LineField,
    "date_kind": _choice(DateKind, optional=True),
    "level": _choice(Level),
    "extent": LineField,
    "media_type": _choice(MediaKind, optional=True),
    "source_url": UrlField,
    "access_status": _choice(AccessStatus),
    "languages": CodesField,
    "scripts": CodesField,
    "rules": LineField,
    "description_date": LineField,
}
# The label of a field that is one part of its element (else the element's own label).
PART_LABELS = {
    "date_expression": "Dates (EDTF)",
    "date_kind": "Kind of date",
    "extent": "Extent and medium",
    "media_type": "Type",
    "access_status": "Access",
    "access_note": "Conditions of access",
    "languages": "Languages of the material",
    "scripts": "Scripts of the material",
}
PLACEHOLDERS = {
    "date_expression": "e.g. 1988, 1988-07/1988-09, 1989-01?",
    "languages": "e.g. fa, en",
    "scripts": "e.g. Arab, Latn",
    "source_url": "where the captured material was taken from: https://…",
}


def make_field(name: str) -> Field:
    field = EDITORS.get(name, TextField)(name)
    if isinstance(field, LineField) and name in PLACEHOLDERS:
        field.line.setPlaceholderText(PLACEHOLDERS[name])
    return field


def field_label(element: Element, name: str) -> str:
    return PART_LABELS.get(name, element.label)
