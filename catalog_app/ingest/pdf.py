"""PDF files: the text layer, page by page, and the document information, by pypdf.

The file's creation date is not taken as the document's date: it is when the PDF was made
(printed, scanned, saved from a browser), which the ingestion event already tells.
"""

from __future__ import annotations

import logging
import warnings
from importlib.metadata import version
from pathlib import Path

from catalog_app.ingest.extracted import MAX_TEXT_CHARACTERS, Extracted, capped
from catalog_app.ingest.limits import TooLarge
from catalog_app.logs import private

_log = logging.getLogger(__name__)


def extract_pdf(path: Path, page_limit: int) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError

    result = Extracted()
    tool = f"pypdf {version('pypdf')}"
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(path, strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                result.warnings.append(
                    "the PDF is encrypted with a password; no text was extracted"
                )
                result.method = f"pdf text layer ({tool}): encrypted"
                return result
            pages: list[str] = []
            length = 0
            count = len(reader.pages)
            for number, page in enumerate(reader.pages):
                if number == page_limit:
                    result.warnings.append(
                        f"only the first {page_limit:,} of its {count:,} pages were read for text"
                    )
                    break
                text = page.extract_text() or ""
                pages.append(text)
                length += len(text)
                if length > MAX_TEXT_CHARACTERS:
                    break
            info = reader.metadata
    except LimitReachedError as exc:  # pypdf's own guard against huge page trees and streams
        raise TooLarge("it holds more than the PDF reader accepts") from exc
    except (
        PdfReadError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        OSError,
        RecursionError,
    ) as exc:
        _log.info("PDF %s unreadable", private(path), exc_info=exc)
        result.warnings.append("the PDF is damaged; no text was extracted")
        result.method = f"pdf text layer ({tool}): unreadable"
        return result
    text = "\n\n".join(p.strip() for p in pages).strip()
    if text:
        result.text = capped(text, result)
        result.method = f"pdf text layer ({tool})"
    else:
        result.method = f"pdf text layer ({tool}): none"
        result.warnings.append("the PDF has no text layer (a scan?); no text was extracted")
    if info is not None:
        result.title = (info.title or "").strip() or None
        if info.author:
            result.authors = [info.author.strip()]
    return result
