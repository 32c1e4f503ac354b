"""Web pages: the main text without navigation and boilerplate (resiliparse), and the page's
metadata (trafilatura).

A publisher is taken only where the page names one as such: a `DC.publisher`,
`DCTERMS.publisher`, `citation_publisher`, `prism.publisher` or `publisher` meta tag, or a
schema.org `publisher` in its JSON-LD. The site's own name (`og:site_name`, or what a
<title> says after its "|") is not: it names the website the page was saved from, which
for documentation, mirrors and aggregators is not who published the document, and taking it
made every Sphinx page's project title a "publisher".
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any, cast

from catalog_app.ingest import metadata
from catalog_app.ingest.decode import decode_text
from catalog_app.ingest.extracted import (
    CUT_WARNING,
    MAX_TEXT_CHARACTERS,
    Extracted,
    capped,
    version,
)
from catalog_app.ingest.limits import megabytes

# Invisible characters trafilatura would drop (see _main_text), and their stand-ins: rare
# printable symbols.
_INVISIBLES = "\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
_STAND_INS = "".join(chr(0x2380 + i) for i in range(len(_INVISIBLES)))
_PROTECT = str.maketrans(_INVISIBLES, _STAND_INS)
_RESTORE = str.maketrans(_STAND_INS, _INVISIBLES)
_ENTITY = re.compile(r"&(?:(zwnj|zwj|lrm|rlm)|#(\d+)|#[xX]([0-9a-fA-F]+));")
_NAMED = {"zwnj": 0x200C, "zwj": 0x200D, "lrm": 0x200E, "rlm": 0x200F}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEAD = 128 << 10  # characters of markup searched for the publisher's meta tags
_META_TAG = re.compile(r"<meta\s[^>]*>", re.I)
_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_JSON_LD = re.compile(
    r"""<script[^>]+type\s*=\s*["']?application/ld\+json["']?[^>]*>(.*?)</script>""", re.I | re.S
)
_PUBLISHER_META = {
    "dc.publisher",
    "dcterms.publisher",
    "dc.publisher.name",
    "citation_publisher",
    "prism.publisher",
    "publisher",
}


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
    """The page's main text, or for a page larger than `main_text_limit`
    (whose extraction would take minutes) all of its text by a streaming parser."""
    size = len(data) if data is not None else path.stat().st_size
    if size > main_text_limit:
        return _whole_text(path, size, main_text_limit)
    return _main_text(data if data is not None else path.read_bytes())


# Parts of an article that main-content extractors take for boilerplate by their names:
# DocBook's and Publican's sidebars ("GOING FURTHER", "BACK TO BASICS"), notes, tips and
# warnings, their title blocks and figure captions, Sphinx's admonitions and topics, HTML's
# <aside> and <figure>. A site's own sidebar of links is still boilerplate: only a part
# whose text is mostly not links is kept.
_ARTICLE_PARTS = (
    "aside, figure, figcaption, .sidebar, .note, .tip, .important, .warning, .caution, "
    ".admonition, .admonition-title, .topic, .titlepage, .title, .figure, .caption, "
    ".caption-text, .sidebar-title"
)
_LINK_SHARE = 0.3  # above this share of link text, a part is navigation
_KEPT = "article-part"


def _keep_article_parts(tree: Any) -> None:
    body = tree.body
    if body is None:
        return
    for node in body.query_selector_all(_ARTICLE_PARTS):
        text = node.text
        if not text.strip():
            continue
        links = sum(len(link.text) for link in node.get_elements_by_tag_name("a"))
        if links > _LINK_SHARE * len(text):
            continue
        if node.tag in ("aside", "figure"):
            replacement = tree.create_element("div")
            replacement.inner_html = node.inner_html
            replacement.class_name = _KEPT
            node.parent.replace_child(replacement, node)
        else:
            node.class_name = _KEPT
            if node.hasattr("id"):
                node.delattr("id")


def _main_text(data: bytes) -> Extracted:
    """The article's text by resiliparse's main-content extractor (a DOM built by lexbor:
    15 times faster than trafilatura's on real documentation pages, and with the parts named
    above kept, 99% of the article's words against trafilatura's 70%); the title, author,
    date and address by trafilatura's metadata reader."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree
    from trafilatura.metadata import extract_metadata
    from trafilatura.utils import load_html

    result = Extracted()
    markup, encoding = decode_html(data)  # NotText: the caller decides what that means
    tree = HTMLTree.parse(markup)
    _keep_article_parts(tree)
    text = extract_plain_text(
        tree,
        main_content=True,
        alt_texts=False,
        links=False,
        list_bullets=False,
        form_fields=False,
        noscript=False,
    )
    tool = f"resiliparse {version('resiliparse')}, metadata by trafilatura {version('trafilatura')}"
    lines = (" ".join(line.split()) for line in text.splitlines())
    text = "\n".join(line for line in lines if line)
    if not text:
        result.warnings.append("no main text was found on the page")
        result.method = f"html main text ({tool}, {encoding}): none found"
    else:
        result.text = capped(text, result)
        result.method = f"html main text ({tool}, {encoding})"
    # trafilatura drops characters that are not "printable", which includes the zero-width
    # non-joiner and the direction marks: swapped for stand-ins, restored in what it gives.
    protected = _ENTITY.sub(_entity, markup).translate(_PROTECT)
    page = load_html(protected)
    if page is not None:
        # Dates from the page's markup (meta tags, <time>, its address) only: htmldate's
        # "extensive" search through the visible text costs 1-2 ms a page and guesses from
        # any date the article mentions; the text's own dates are harvested afterwards
        # (`harvest.dates_from_text`) when the markup gives none.
        document = extract_metadata(page, extensive=False)
        result.title = metadata.clean((document.title or "").translate(_RESTORE))
        result.authors = metadata.people((document.author or "").translate(_RESTORE))
        result.date = document.date or None
        result.url = document.url or None
    result.publisher = declared_publisher(markup)
    return result


def _attributes(tag: str) -> dict[str, str]:
    return {
        m.group(1).lower(): html.unescape(next(v for v in m.groups()[1:] if v is not None))
        for m in _ATTRIBUTE.finditer(tag)
    }


def _a_name(value: object) -> str | None:
    """A publisher's name, not an address ("https://facebook.com/...", "www.x.org")."""
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str) or "://" in value or value.lower().startswith("www."):
        return None
    return metadata.clean(value)


def _json_ld_publisher(markup: str) -> str | None:
    for match in _JSON_LD.finditer(markup):
        try:
            data = json.loads(match.group(1))
        except ValueError:
            continue
        items = data if isinstance(data, list) else [data]
        for item in items:
            if not isinstance(item, dict):
                continue
            graph = item.get("@graph")
            for node in [item, *(graph if isinstance(graph, list) else [])]:
                name = _a_name(node.get("publisher")) if isinstance(node, dict) else None
                if name:
                    return name
    return None


def declared_publisher(markup: str) -> str | None:
    """The publisher the page names in its metadata, if it names one (see above)."""
    head = markup[:_HEAD]
    for tag in _META_TAG.findall(head):
        attributes = _attributes(tag)
        key = attributes.get("name") or attributes.get("property") or ""
        if key.lower() in _PUBLISHER_META:
            name = _a_name(attributes.get("content"))
            if name:
                return name
    return _json_ld_publisher(markup)


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
