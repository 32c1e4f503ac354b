"""OpenDocument files (.odt text, .ods spreadsheets, .odp presentations, .odg drawings, and
their templates): the text of the body in document order, and the title and first author
from the metadata, by odfpy.

Only the two parts that hold them are parsed (content.xml and meta.xml), by odfpy's own
parser over defusedxml: odfpy's `load` reads every picture into memory and prints a part
it cannot parse in full, which in a worker would put the document's text in the log.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax import SAXException

from catalog_app.ingest import metadata
from catalog_app.ingest.extracted import Extracted, capped, version
from catalog_app.ingest.limits import check_unpacked_size
from catalog_app.logs import private

_log = logging.getLogger(__name__)
MIME_PREFIX = "application/vnd.oasis.opendocument."
_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_BLOCKS = {(_TEXT_NS, "p"), (_TEXT_NS, "h")}
_ROW = (_TABLE_NS, "table-row")
_CELLS = {(_TABLE_NS, "table-cell"), (_TABLE_NS, "covered-table-cell")}
# Not the document's text: deleted text kept by change tracking, reviewers' comments (a
# Word document's are not read either), the names of sequences and variables.
_SKIPPED = {
    (_TEXT_NS, "tracked-changes"),
    (_OFFICE_NS, "annotation"),
    (_TEXT_NS, "sequence-decls"),
    (_TEXT_NS, "variable-decls"),
    (_TEXT_NS, "user-field-decls"),
}
_MAX_SPACES = 1000  # a text:s may ask for any number of spaces; no real document needs more


def _loaded(package: zipfile.ZipFile, mimetype: str) -> Any:
    from xml.sax import handler

    from defusedxml.sax import make_parser
    from odf.load import LoadParser
    from odf.opendocument import OpenDocument

    document = OpenDocument(mimetype, add_generator=False)
    names = set(package.namelist())
    for part in ("meta.xml", "content.xml"):
        if part not in names:
            continue
        document._parsing = part  # odfpy's parser reads which part it is in from here
        parser = make_parser()
        parser.setFeature(handler.feature_namespaces, True)
        parser.setFeature(handler.feature_external_ges, False)
        parser.setContentHandler(LoadParser(document))
        parser.setErrorHandler(handler.ErrorHandler())  # raises on the first error
        parser.parse(BytesIO(package.read(part)))
    return document


def _encrypted(package: zipfile.ZipFile) -> bool:
    try:
        manifest = package.read("META-INF/manifest.xml")
    except KeyError:
        return False
    return b"encryption-data" in manifest


def _mimetype(package: zipfile.ZipFile) -> str:
    try:
        return package.read("mimetype").decode("ascii", "replace").strip()
    except KeyError:
        return MIME_PREFIX + "text"


def _text(element: Any) -> str:
    """An element's text with its spaces, tabs and line breaks, without recursion (a
    deeply nested file must not exhaust the stack)."""
    from xml.dom import Node

    parts: list[str] = []
    pending = [iter(element.childNodes)]
    while pending:
        node = next(pending[-1], None)
        if node is None:
            pending.pop()
        elif node.nodeType == Node.TEXT_NODE:
            parts.append(node.data)
        elif node.nodeType == Node.ELEMENT_NODE and node.qname not in _SKIPPED:
            namespace, name = node.qname
            if namespace == _TEXT_NS and name == "s":
                count = node.getAttrNS(_TEXT_NS, "c")
                parts.append(" " * min(int(count) if (count or "").isdigit() else 1, _MAX_SPACES))
            elif namespace == _TEXT_NS and name == "tab":
                parts.append("\t")
            elif namespace == _TEXT_NS and name == "line-break":
                parts.append("\n")
            else:
                pending.append(iter(node.childNodes))
    return "".join(parts)


def _blocks(body: Any) -> Iterator[str]:
    """Paragraphs and headings, and table rows with their cells joined by tabs, in order."""
    from xml.dom import Node

    pending = [iter(body.childNodes)]
    while pending:
        node = next(pending[-1], None)
        if node is None:
            pending.pop()
        elif node.nodeType != Node.ELEMENT_NODE or node.qname in _SKIPPED:
            continue
        elif node.qname in _BLOCKS:
            yield _text(node)
        elif node.qname == _ROW:
            cells = [
                " ".join(_blocks(cell)).replace("\n", " ")
                for cell in node.childNodes
                if cell.nodeType == Node.ELEMENT_NODE and cell.qname in _CELLS
            ]
            row = "\t".join(cells).rstrip("\t")
            if row:
                yield row
        else:
            pending.append(iter(node.childNodes))


def _meta(document: Any, name: str) -> str | None:
    from odf import dc, meta

    kinds = {"title": dc.Title, "initial-creator": meta.InitialCreator, "creator": dc.Creator}
    for element in document.getElementsByType(kinds[name]):
        return _text(element)
    return None


def extract_odf(path: Path, unpacked_limit: int) -> Extracted:
    result = Extracted()
    tool = f"odfpy {version('odfpy')}"
    check_unpacked_size(path, unpacked_limit)
    try:
        with zipfile.ZipFile(path) as package:
            if _encrypted(package):
                result.warnings.append(
                    "the OpenDocument file is encrypted with a password; no text was extracted"
                )
                result.method = f"opendocument ({tool}): encrypted"
                return result
            document = _loaded(package, _mimetype(package))
    except (zipfile.BadZipFile, KeyError, ValueError, SAXException, OSError, EOFError) as exc:
        _log.info("OpenDocument file %s unreadable", private(path), exc_info=exc)
        result.warnings.append("the OpenDocument file is damaged; no text was extracted")
        result.method = f"opendocument ({tool}): unreadable"
        return result
    text = "\n".join(_blocks(document.body)).strip()
    result.method = f"opendocument ({tool})"
    if text:
        result.text = capped(text, result)
    else:
        result.warnings.append("the OpenDocument file holds no text")
    result.title = metadata.clean(_meta(document, "title"))
    # meta:initial-creator is who made the document; dc:creator, who last saved it.
    result.authors = metadata.people(
        _meta(document, "initial-creator") or _meta(document, "creator")
    )
    return result
