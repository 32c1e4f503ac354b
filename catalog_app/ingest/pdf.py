"""PDF files: the text layer, page by page, and the document information, by PDFium
(through pypdfium2; pypdf reads only the pages PDFium cannot).

PDFium gives text in reading (logical) order, right-to-left scripts included, with the
spaces between words that a PDF draws as gaps rather than characters (TeX's PDFs), and
Arabic presentation forms as ordinary letters; pypdf gave Persian and Arabic back to front
in presentation forms without spaces, and it is ten times slower. A damaged page costs only
that page: the rest is kept and a warning names the pages that could not be read.

PDFium is not thread-safe, so every call into it holds the lock the previews hold too; it
is taken page by page, so a long extraction never holds a preview up for more than a page.

The file's creation date is not taken as the document's date: it is when the PDF was made
(printed, scanned, saved from a browser), which the ingestion event already tells.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog_app.ingest import metadata
from catalog_app.ingest.extracted import MAX_TEXT_CHARACTERS, Extracted, capped, version

# The one lock around PDFium in this process, shared with the page previews.
from catalog_app.ingest.render.pdf_pages import _PDFIUM as PDFIUM_LOCK
from catalog_app.logs import private

_log = logging.getLogger(__name__)
ENCRYPTED = "the PDF is encrypted with a password; no text was extracted"
DAMAGED = "the PDF is damaged; no text was extracted"
NO_TEXT = "the PDF has no text layer (a scan?); no text was extracted"
# PDFium marks a hyphen it took out to join a word broken across lines as U+FFFE (a
# non-character); the other controls are glyphs without a Unicode mapping.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# Presentation forms (Arabic letters in their joined shapes, Latin ligatures such as "ﬁ"):
# how a font draws letters, never letters of their own.
_PRESENTATION_FORMS = re.compile("[\ufb00-\ufdff\ufe70-\ufefe]+")


@dataclass
class _Reading:
    pages: list[str] = field(default_factory=list)
    unreadable: list[int] = field(default_factory=list)  # page numbers from 1
    count: int = 0
    title: str | None = None
    author: str | None = None


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _NOT_TEXT.sub("", text)
    if _PRESENTATION_FORMS.search(text):
        text = _PRESENTATION_FORMS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return text.strip()


def _page_ranges(numbers: list[int]) -> str:
    """3, 5–7, 12"""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


class _Encrypted(Exception):
    pass


class _Unopenable(Exception):
    pass


def _open(path: Path) -> Any:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    with PDFIUM_LOCK:
        try:
            return pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
                raise _Encrypted from exc
            raise _Unopenable(str(exc)) from exc


def _page_text(document: Any, index: int) -> str | None:
    """Page `index`'s text, or None when PDFium cannot load the page."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        try:
            page = document[index]
        except (pdfium.PdfiumError, ValueError, IndexError):
            return None
        try:
            textpage = page.get_textpage()
            try:
                return str(textpage.get_text_range())
            finally:
                textpage.close()
        except (pdfium.PdfiumError, ValueError):
            return None
        finally:
            page.close()


def _read_with_pdfium(path: Path, page_limit: int) -> _Reading:
    document = _open(path)
    reading = _Reading()
    try:
        with PDFIUM_LOCK:
            reading.count = len(document)
            info = document.get_metadata_dict()
        reading.title = info.get("Title") or None
        reading.author = info.get("Author") or None
        length = 0
        for index in range(min(reading.count, page_limit)):
            text = _page_text(document, index)
            if text is None:
                reading.unreadable.append(index + 1)
                reading.pages.append("")
                continue
            reading.pages.append(_clean(text))
            length += len(reading.pages[-1])
            if length > MAX_TEXT_CHARACTERS:
                break
    finally:
        with PDFIUM_LOCK:
            document.close()
    return reading


# pypdf's own failures on a damaged file: its guards against huge streams and page trees
# (LimitReachedError), numbers out of range (OverflowError) and broken structure.
_PYPDF_FAILURES: tuple[type[BaseException], ...] = (
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    OSError,
    RecursionError,
    OverflowError,
    ZeroDivisionError,
    AssertionError,
)


class _Pypdf:
    """pypdf over the same file, for what PDFium could not read."""

    def __init__(self, path: Path) -> None:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        logging.getLogger("pypdf").setLevel(logging.ERROR)
        self.failures: tuple[type[BaseException], ...] = (*_PYPDF_FAILURES, PyPdfError)
        self.reader: Any = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                self.reader = PdfReader(path, strict=False)
            except self.failures as exc:
                _log.info("pypdf cannot open PDF %s either", private(path), exc_info=exc)

    def count(self) -> int | None:
        try:
            return len(self.reader.pages) if self.reader is not None else None
        except self.failures:
            return None

    def page(self, number: int) -> str | None:
        """Page `number`'s text (from 1), or None if pypdf cannot read it either."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return _clean(self.reader.pages[number - 1].extract_text() or "")
            except self.failures:
                return None

    def whole(self, page_limit: int) -> _Reading | None:
        """The whole document as pypdf reads it, or None if it cannot."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                count = self.count()
                if count is None or self.reader.is_encrypted:
                    return None
                reading = _Reading(count=count)
                info = self.reader.metadata or {}
                reading.title, reading.author = _value(info, "/Title"), _value(info, "/Author")
            except self.failures:
                return None
        for number in range(1, min(reading.count, page_limit) + 1):
            text = self.page(number)
            reading.pages.append(text or "")
            if text is None:
                reading.unreadable.append(number)
        return reading


def _value(info: Any, key: str) -> str | None:
    value = info.get(key)
    if isinstance(value, bytes):  # pypdf's ByteStringObject: it could not decode the string
        return metadata.pdf_text(value)
    return str(value) if value is not None else None


def extract_pdf(path: Path, page_limit: int) -> Extracted:
    import pypdfium2 as pdfium

    result = Extracted()
    tool = f"PDFium {pdfium.PDFIUM_INFO.build} through pypdfium2 {version('pypdfium2')}"
    fallback = f"pypdf {version('pypdf')}"
    try:
        reading: _Reading | None = _read_with_pdfium(path, page_limit)
    except _Encrypted:
        result.warnings.append(ENCRYPTED)
        result.method = f"pdf text layer ({tool}): encrypted"
        return result
    except _Unopenable as exc:
        _log.info("PDFium cannot open PDF %s: %s", private(path), exc)
        reading = _Pypdf(path).whole(page_limit)
        tool = fallback
    if reading is None:
        result.warnings.append(DAMAGED)
        result.method = f"pdf text layer ({tool}): unreadable"
        return result
    if reading.unreadable and tool != fallback:
        tool += f", {fallback} for pages PDFium could not read"
        pypdf = _Pypdf(path)
        # Only page for page: a reader that skips a broken page-tree entry numbers the
        # pages after it differently.
        same_pages = pypdf.count() == reading.count
        for number in list(reading.unreadable) if same_pages else []:
            text = pypdf.page(number)
            if text is not None:
                reading.pages[number - 1] = text
                reading.unreadable.remove(number)
    _describe(result, reading, page_limit, tool)
    return result


def _describe(result: Extracted, reading: _Reading, page_limit: int, tool: str) -> None:
    read = len(reading.pages)
    if reading.unreadable and len(reading.unreadable) == read:
        result.warnings.append(DAMAGED)
        result.method = f"pdf text layer ({tool}): unreadable"
    elif reading.unreadable:
        pages = _page_ranges(reading.unreadable)
        word = "page" if len(reading.unreadable) == 1 else "pages"
        result.warnings.append(
            f"{word} {pages} of {reading.count:,} could not be read (damaged); "
            "the text of the others was kept"
        )
    if reading.count > page_limit:
        result.warnings.append(
            f"only the first {page_limit:,} of its {reading.count:,} pages were read for text"
        )
    text = "\n\n".join(page for page in reading.pages if page).strip()
    if text:
        result.text = capped(text, result)
        result.method = result.method or f"pdf text layer ({tool})"
    elif not result.method:
        result.method = f"pdf text layer ({tool}): none"
        result.warnings.append(NO_TEXT)
    result.title = metadata.clean(metadata.pdf_string(reading.title or ""))
    result.authors = metadata.people(metadata.pdf_string(reading.author or ""))
