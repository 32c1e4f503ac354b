"""Word documents (.docx): paragraphs and tables in order, and the title and author from the
core properties (not their dates, which say when the file was made, not the document)."""

from __future__ import annotations

import logging
import zipfile
from importlib.metadata import version
from pathlib import Path

from catalog_app.ingest.extracted import Extracted, capped
from catalog_app.ingest.limits import TooLarge, megabytes
from catalog_app.logs import private

_log = logging.getLogger(__name__)

# Names that word processors and libraries put in the author field by default.
_PLACEHOLDER_AUTHORS = {
    "python-docx",
    "microsoft office user",
    "administrator",
    "user",
    "author",
    "unknown",
    "admin",
}


def check_unpacked_size(path: Path, limit: int) -> None:
    """Refuse a document whose XML parts would unpack to more than `limit` bytes (a zip
    bomb), judged from the sizes the zip declares: Python's zip reader never unpacks more
    than a member declares, so the declaration cannot lie past this check."""
    try:
        with zipfile.ZipFile(path) as package:
            unpacked = sum(m.file_size for m in package.infolist() if m.filename.endswith(".xml"))
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # damaged: python-docx says so below
    if unpacked > limit:
        raise TooLarge(f"its text unpacks to {megabytes(unpacked)}; limit {megabytes(limit)}")


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
    blocks: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(
                "".join(node.text or "" for node in child.iter() if node.tag.endswith("}t"))
            )
        elif tag == "tbl":
            for row in child.iter():
                if row.tag.endswith("}tr"):
                    cells = [
                        "".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t"))
                        for cell in row.iterchildren()
                        if cell.tag.endswith("}tc")
                    ]
                    blocks.append("\t".join(cells))
    text = "\n".join(blocks).strip()
    result.method = f"docx ({tool})"
    if text:
        result.text = capped(text, result)
    else:
        result.warnings.append("the Word document holds no text")
    props = document.core_properties
    result.title = (props.title or "").strip() or None
    if props.author and props.author.strip().casefold() not in _PLACEHOLDER_AUTHORS:
        result.authors = [props.author.strip()]
    return result
