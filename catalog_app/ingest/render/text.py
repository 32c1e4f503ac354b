"""A plain-text original's opening part, decoded as its import decoded it."""

from __future__ import annotations

from dataclasses import dataclass

from catalog_app.ingest.decode import NotText, decode_text
from catalog_app.ingest.render.raster import Unrenderable

SHOWN_BYTES = 1 << 20  # more would make the text view crawl; Open shows the rest
NOT_TEXT = "it holds binary data, not text in any encoding this program reads"


@dataclass(frozen=True)
class Text:
    text: str
    cut: bool  # only the first SHOWN_BYTES of the file are in `text`


def readable_text(data: bytes) -> Text:
    """The text of `data`, which holds the file's first SHOWN_BYTES bytes or more."""
    cut = len(data) > SHOWN_BYTES
    shown = _whole_characters(data[:SHOWN_BYTES]) if cut else data
    try:
        return Text(decode_text(shown).text, cut)
    except NotText as exc:
        raise Unrenderable(NOT_TEXT) from exc


def _whole_characters(data: bytes) -> bytes:
    """`data` less a UTF-8 character that the cut split (UTF-16 is cut to whole units)."""
    end = len(data)
    while end and data[end - 1] & 0xC0 == 0x80 and len(data) - end < 3:
        end -= 1
    if end and data[end - 1] >= 0xC0:
        lead = data[end - 1]
        needed = 4 if lead >= 0xF0 else 3 if lead >= 0xE0 else 2
        if len(data) - (end - 1) < needed:
            return data[: end - 1]
        return data
    return data[: len(data) - len(data) % 2] if b"\x00" in data[:4000] else data
