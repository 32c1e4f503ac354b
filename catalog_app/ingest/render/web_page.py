"""A captured web page as a person reads it: its title, headings, paragraphs and lists, in
the page's order, as simple markup made here from the page's text.

Nothing of the page's own markup is passed on: no script, style, frame, form, link or
picture, so showing the result cannot run or fetch anything. Pictures leave their
description ("picture: …") where they stood.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING

from catalog_app.ingest.decode import NotText
from catalog_app.ingest.html import decode_html
from catalog_app.ingest.render.raster import Unrenderable

if TYPE_CHECKING:
    from lxml import etree

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "caption", "dd", "details"),
        *("div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "header", "hr"),
        *("legend", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table"),
        *("td", "th", "tr", "ul"),
    }
)
SKIPPED = frozenset(
    {
        *("audio", "button", "canvas", "embed", "head", "iframe", "input", "math"),
        *("noscript", "object", "option", "script", "select", "style", "svg"),
        *("template", "textarea", "video"),
    }
)
MAX_CHARACTERS = 400_000  # a longer page is cut here: the text layout would crawl
CUT_NOTE = "The page goes on: only its first part is shown here. Open shows all of it."
NOT_TEXT = "the page is not text in any encoding this program reads"


@dataclass
class _Reading:
    blocks: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, text, dir)
    parts: list[str] = field(default_factory=list)
    kind: str = "p"
    direction: str = ""  # the block's own dir="rtl" or "ltr"; else the page's
    length: int = 0

    def add(self, text: str | None) -> None:
        if text:
            self.parts.append(text)

    def flush(self) -> None:
        text = "".join(self.parts)
        self.parts = []
        if self.kind != "pre":
            text = " ".join(text.split())
        if text.strip():
            self.blocks.append((self.kind, text, self.direction))
            self.length += len(text)


def readable_page(data: bytes) -> str:
    """The page in `data` (its bytes, in their declared or detected encoding) as markup
    of headings and paragraphs."""
    import lxml.html
    from lxml import etree

    try:
        markup, _encoding = decode_html(data)
    except NotText as exc:
        raise Unrenderable(NOT_TEXT) from exc
    if not markup.strip():
        return _markup(None, [], "", cut=False)
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    try:
        root = lxml.html.document_fromstring(markup.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise Unrenderable("the page cannot be read as HTML") from exc
    title = " ".join((root.findtext(".//title") or "").split()) or None
    body = root.find("body")
    direction = _direction(root, body)
    reading = _Reading()
    skipping = 0
    for event, element in etree.iterwalk(body if body is not None else root, ("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in SKIPPED:
                skipping += 1
            elif not skipping:
                _open(reading, tag, element)
            continue
        if tag in SKIPPED:
            skipping -= 1
        elif not skipping:
            _close(reading, tag)
        if not skipping:
            reading.add(element.tail)
        if reading.length > MAX_CHARACTERS:
            break
    reading.flush()
    return _markup(title, reading.blocks, direction, cut=reading.length > MAX_CHARACTERS)


def _open(reading: _Reading, tag: str, element: etree._Element) -> None:
    if tag in HEADINGS or tag in BLOCKS or tag == "br":
        reading.flush()
    if tag in HEADINGS or tag in BLOCKS:
        reading.direction = _direction(element) or reading.direction
    if tag in HEADINGS or tag == "pre":
        reading.kind = tag
    elif tag == "li":
        reading.add("• ")
    elif tag == "img":
        alt = " ".join(str(element.get("alt") or "").split())
        if alt:
            reading.flush()
            reading.blocks.append(("picture", alt, reading.direction))
    reading.add(element.text)


def _close(reading: _Reading, tag: str) -> None:
    if tag in HEADINGS or tag in BLOCKS:
        reading.flush()
        reading.kind, reading.direction = "p", ""
    elif tag in ("td", "th"):
        reading.add("  ")


def _direction(*elements: etree._Element | None) -> str:
    for element in elements:
        value = str(element.get("dir") or "").lower() if element is not None else ""
        if value in ("rtl", "ltr"):
            return value
    return ""


def _markup(
    title: str | None, blocks: list[tuple[str, str, str]], direction: str, *, cut: bool
) -> str:
    # No <html> or <body>: Qt's text view then lays out each paragraph in the direction of
    # its first strong letter (as dir="auto"), where a body would make them all left to right.
    def where(own: str) -> str:
        chosen = own or direction
        return f' dir="{chosen}"' if chosen else ""

    lines = []
    if title:
        lines.append(f'<p{where("")} style="color:#555555">Title of the page: {escape(title)}</p>')
    for tag, text, own in blocks:
        if tag == "picture":
            lines.append(f'<p{where(own)} style="color:#555555"><i>picture: {escape(text)}</i></p>')
        elif tag == "pre":
            lines.append(f"<pre>{escape(text)}</pre>")
        else:
            lines.append(f"<{tag}{where(own)}>{escape(text)}</{tag}>")
    if not blocks:
        lines.append("<p><i>The page holds no text.</i></p>")
    if cut:
        lines.append(f"<p><i>{escape(CUT_NOTE)}</i></p>")
    return "\n".join(lines)
