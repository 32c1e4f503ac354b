"""Web pages: the main text without navigation and boilerplate, and the page's metadata,
by trafilatura."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path
from typing import Any, cast

from catalog_app.ingest.decode import decode_text
from catalog_app.ingest.extracted import CUT_WARNING, MAX_TEXT_CHARACTERS, Extracted, capped
from catalog_app.ingest.limits import megabytes

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


def extract_html(path: Path, data: bytes | None, main_text_limit: int) -> Extracted:
    """The page's main text by trafilatura, or for a page larger than `main_text_limit`
    (whose extraction would take minutes) all of its text by a streaming parser."""
    size = len(data) if data is not None else path.stat().st_size
    if size > main_text_limit:
        return _whole_text(path, size, main_text_limit)
    return _main_text(data if data is not None else path.read_bytes())


def _main_text(data: bytes) -> Extracted:
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


_SKIPPED = {"script", "style", "noscript", "template", "svg", "head"}
_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section"}
_CHUNK = 1 << 20


class _TextCollector:
    """lxml parser target: the page's visible text and title, built without a tree."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.title: list[str] = []
        self._skipping = 0
        self._in_title = False

    def start(self, tag: str, attrib: object) -> None:
        tag = tag.lower()
        if tag == "title":
            self._in_title = True
        elif tag in _SKIPPED:
            self._skipping += 1

    def end(self, tag: str) -> None:
        tag = tag.lower()
        if tag == "title":
            self._in_title = False
        elif tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def data(self, text: str) -> None:
        if self._in_title:
            self.title.append(text)
        elif not self._skipping and self.length <= MAX_TEXT_CHARACTERS:
            self.parts.append(text)
            self.length += len(text)

    def close(self) -> None:
        return None


def _whole_text(path: Path, size: int, limit: int) -> Extracted:
    from lxml import etree

    with path.open("rb") as reader:
        sample = reader.read(_CHUNK)
        markup, encoding = decode_html(sample)  # NotText: the caller decides what it means
        del markup
        codec = encoding.split(" ", 1)[0]
        collector = _TextCollector()
        # (cast: the stubs' target protocol asks for callbacks that lxml treats as optional)
        parser = etree.HTMLParser(target=cast(Any, collector), encoding=codec, recover=True)
        chunk = sample
        while chunk and collector.length <= MAX_TEXT_CHARACTERS:
            parser.feed(chunk)
            chunk = reader.read(_CHUNK)
        parser.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).splitlines())
    result = Extracted(method=f"html whole text (lxml {etree.__version__}, {encoding})")
    result.warnings.append(
        f"the page is very large ({megabytes(size)}; main-text extraction stops at "
        f"{megabytes(limit)}): all of its text was kept, menus and boilerplate included"
    )
    text = "\n".join(line for line in lines if line)
    if collector.length > MAX_TEXT_CHARACTERS:  # reading stopped there
        result.warnings.append(CUT_WARNING)
    if text:
        result.text = capped(text, result)
    result.title = " ".join("".join(collector.title).split()) or None
    return result
