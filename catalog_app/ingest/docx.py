"""Word documents (.docx): paragraphs and tables in order, and the title and author from the
core properties (not their dates, which say when the file was made, not the document)."""

from __future__ import annotations

import zipfile
from importlib.metadata import version
from pathlib import Path

from catalog_app.ingest.extracted import Extracted, capped

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


def extract_docx(path: Path) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    result = Extracted()
    tool = f"python-docx {version('python-docx')}"
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        result.warnings.append(
            f"the Word document is damaged ({type(exc).__name__}); no text was extracted"
        )
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
