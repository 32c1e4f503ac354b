"""Web pages: the main text without navigation and boilerplate, and the page's metadata,
by trafilatura."""

from __future__ import annotations

import re
from importlib.metadata import version

from catalog_app.ingest.decode import decode_text
from catalog_app.ingest.extracted import Extracted, capped

# trafilatura drops characters that are not "printable", which includes the zero-width
# non-joiner that Persian spelling depends on and the bidirectional marks. They are swapped
# for rare printable symbols on the way in and restored on the way out.
_INVISIBLES = "\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
_STAND_INS = "".join(chr(0x2380 + i) for i in range(len(_INVISIBLES)))
_PROTECT = str.maketrans(_INVISIBLES, _STAND_INS)
_RESTORE = str.maketrans(_STAND_INS, _INVISIBLES)
_ENTITY = re.compile(r"&(?:(zwnj|zwj|lrm|rlm)|#(\d+)|#[xX]([0-9a-fA-F]+));")
_NAMED = {"zwnj": 0x200C, "zwj": 0x200D, "lrm": 0x200E, "rlm": 0x200F}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _entity(match: re.Match[str]) -> str:
    named, decimal, hexadecimal = match.groups()
    code = _NAMED[named] if named else int(decimal or hexadecimal, 16 if hexadecimal else 10)
    char = chr(code) if code < 0x110000 else ""
    return char if char and char in _INVISIBLES else match.group(0)


def decode_html(data: bytes) -> tuple[str, str]:
    """(markup, encoding): the declared charset if it decodes, else detection."""
    declared = _META_CHARSET.search(data[:4096])
    if declared and not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        name = declared.group(1).decode("ascii", "replace")
        try:
            return data.decode(name), f"{name.lower()} (declared)"
        except (LookupError, UnicodeDecodeError):
            pass
    decoded = decode_text(data)
    return decoded.text, decoded.encoding


def extract_html(data: bytes) -> Extracted:
    import trafilatura

    result = Extracted()
    markup, encoding = decode_html(data)  # NotText: the caller decides what that means
    protected = _ENTITY.sub(_entity, markup).translate(_PROTECT)
    document = trafilatura.bare_extraction(
        protected, with_metadata=True, include_comments=False, favor_recall=True
    )
    if isinstance(document, dict):  # older trafilatura returned a dict
        document = trafilatura.settings.Document.from_dict(document)
    tool = f"trafilatura {version('trafilatura')}"
    if document is None or not (document.text or "").strip():
        result.warnings.append("no main text was found on the page")
        result.method = f"html main text ({tool}, {encoding}): none found"
    else:
        result.text = capped((document.text or "").translate(_RESTORE), result)
        result.method = f"html main text ({tool}, {encoding})"
    if document is not None:
        result.title = (document.title or "").translate(_RESTORE).strip() or None
        if document.author:
            result.authors = [
                a.strip() for a in document.author.translate(_RESTORE).split(";") if a.strip()
            ]
        result.publisher = (document.sitename or "").strip() or None
        result.date = document.date or None
        result.url = document.url or None
    return result
