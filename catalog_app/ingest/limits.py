"""How much reading one file may cost: time, memory, and the sizes above which a reader is
not handed the whole file. Each default can be changed with an environment variable (and
tests pass small limits directly)."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from catalog_app.errors import ValidationError

# Per file, in the extraction worker. A time or memory overrun kills or retires the worker;
# the file is still catalogued, with its original, and a warning.
SECONDS = 120.0
MEMORY_MB = 1024  # address space the worker may add while reading one file
# Web pages: trafilatura's main-text extraction slows sharply with size (1 MB ~1.5 s, 4 MB
# ~26 s here), so larger pages get their whole text by a streaming parser instead.
HTML_MAIN_TEXT_MB = 2
# Word and OpenDocument files: the XML parts' declared unpacked size (a zip bomb is refused
# before it is unpacked; the zip reader itself never unpacks more than is declared).
DOCX_XML_MB = 64
PDF_PAGES = 10_000  # pages read for text; the rest of a longer PDF is kept but not read
DETECT_MB = 1  # bytes of a legacy-encoded text that charset detection looks at

ENVIRONMENT = {
    "seconds": "CATALOG_IMPORT_SECONDS",
    "memory_mb": "CATALOG_IMPORT_MEMORY_MB",
    "html_main_text_mb": "CATALOG_IMPORT_HTML_MB",
    "docx_xml_mb": "CATALOG_IMPORT_DOCX_MB",
    "pdf_pages": "CATALOG_IMPORT_PDF_PAGES",
}


@dataclass(frozen=True)
class Limits:
    seconds: float = SECONDS
    memory_mb: float = MEMORY_MB
    html_main_text_mb: float = HTML_MAIN_TEXT_MB
    docx_xml_mb: float = DOCX_XML_MB
    pdf_pages: int = PDF_PAGES

    @property
    def memory_bytes(self) -> int:
        return int(self.memory_mb * (1 << 20))

    @property
    def html_main_text_bytes(self) -> int:
        return int(self.html_main_text_mb * (1 << 20))

    @property
    def docx_xml_bytes(self) -> int:
        return int(self.docx_xml_mb * (1 << 20))

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Limits:
        values: dict[str, float | int] = {}
        for item in fields(cls):
            raw = environ.get(ENVIRONMENT[item.name])
            if raw is None or not raw.strip():
                continue
            try:
                value = float(raw)
            except ValueError:
                value = -1.0
            if value <= 0:
                raise ValidationError(
                    f"{ENVIRONMENT[item.name]} must be a positive number, not {raw!r}."
                )
            values[item.name] = int(value) if item.name == "pdf_pages" else value
        return cls(**values)  # type: ignore[arg-type]


def megabytes(size: float) -> str:
    return f"{size / (1 << 20):,.0f} MB" if size >= 1 << 20 else f"{size / 1024:,.0f} KB"


class TooLarge(Exception):
    """A file a reader is not given; `str()` says in plain words what is too large."""


def check_unpacked_size(path: Path, limit: int) -> None:
    """Refuse an office document (Word, OpenDocument) whose XML parts would unpack to more
    than `limit` bytes (a zip bomb), judged from the sizes the zip declares: Python's zip
    reader never unpacks more than a member declares, so the declaration cannot lie past
    this check."""
    try:
        with zipfile.ZipFile(path) as package:
            unpacked = sum(m.file_size for m in package.infolist() if m.filename.endswith(".xml"))
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # damaged: the reader says so
    if unpacked > limit:
        raise TooLarge(f"its text unpacks to {megabytes(unpacked)}; limit {megabytes(limit)}")


TOO_LARGE = "text not extracted: the file is too large to read"


def too_large(detail: str) -> str:
    return f"{TOO_LARGE} ({detail})"


def too_slow(seconds: float) -> str:
    return f"text not extracted: reading the file took longer than {seconds:g} s"


READER_STOPPED = (
    "text not extracted: the reader stopped unexpectedly on this file (it may be damaged)"
)
READER_FAILED = (
    "text not extracted: the reader could not make sense of this file (it may be damaged)"
)
