"""Word documents (.docx): paragraphs and tables in order, and the title and author from the
core properties (not their dates, which say when the file was made, not the document)."""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from catalog_app.ingest import metadata
from catalog_app.ingest.extracted import Extracted, capped, version
from catalog_app.ingest.limits import check_unpacked_size
from catalog_app.logs import private

_log = logging.getLogger(__name__)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Body elements that hold no text of the document: section and paragraph properties,
# deleted text of tracked changes, bookmarks.
_SKIPPED = {"sectPr", "pPr", "rPr", "del", "bookmarkStart", "bookmarkEnd", "moveFrom"}


def extract_docx(path: Path, unpacked_limit: int) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    result = Extracted()
    tool = f"python-docx {version('python-docx')}"
    check_unpacked_size(path, unpacked_limit)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        _log.info("Word document %s unreadable", private(path), exc_info=exc)
        result.warnings.append("the Word document is damaged; no text was extracted")
        result.method = f"docx ({tool}): unreadable"
        return result
    blocks = list(_blocks(document.element.body))
    text = "\n".join(blocks).strip()
    result.method = f"docx ({tool})"
    if text:
        result.text = capped(text, result)
    else:
        result.warnings.append("the Word document holds no text")
    props = document.core_properties
    result.title = metadata.clean(props.title)
    result.authors = metadata.people(props.author)
    return result


def _name(node: Any) -> str | None:
    """An element's local name; None for comments, processing instructions and entities
    (whose lxml `tag` is a function, not a name)."""
    tag = node.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else None


def _run_text(element: Any) -> str:
    """The text of a paragraph: its runs' text, tabs and line breaks (not the tab
    stops of its paragraph properties, nor deleted text, which is w:delText)."""
    parts: list[str] = []
    for node in element.iter(_W + "t", _W + "tab", _W + "br", _W + "cr"):
        name = _name(node)
        if name == "t":
            parts.append(node.text or "")
        elif _name(node.getparent()) == "r":
            parts.append("\t" if name == "tab" else "\n")
    return "".join(parts)


def _blocks(body: Any) -> Iterator[str]:
    """Paragraphs and table rows (cells joined by tabs) in document order, including those
    inside content controls, tracked insertions and other wrappers."""
    pending = [iter(body.iterchildren())]
    while pending:
        node = next(pending[-1], None)
        if node is None:
            pending.pop()
            continue
        name = _name(node)
        if name == "p":
            yield _run_text(node)
        elif name == "tbl":
            for row in node.iterchildren(_W + "tr"):
                cells = row.iterchildren(_W + "tc")
                yield "\t".join(" ".join(_blocks(cell)).replace("\n", " ") for cell in cells)
        elif name is not None and name not in _SKIPPED:
            pending.append(iter(node.iterchildren()))
