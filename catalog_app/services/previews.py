"""Previews of a record's originals in the window: a PDF's or a TIFF's pages and a picture
drawn to a size, a captured web page as its headings and text, a text file as text.

The original's bytes are read through `OriginalsService`: a plain catalogue's stored copy is
read where it is, a sealed one is opened in memory (the last one is kept for turning its
pages); no plaintext is written anywhere. Every method reads files: call them off the GUI
thread (they are safe to call from several threads at once).
"""

from __future__ import annotations

import threading
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from catalog_app.domain.records import FileRecord
from catalog_app.errors import PreviewUnavailable
from catalog_app.ingest.limits import megabytes
from catalog_app.ingest.render.image_pages import render_image
from catalog_app.ingest.render.pages import Page
from catalog_app.ingest.render.pdf_pages import render_pdf_page
from catalog_app.ingest.render.raster import Unrenderable
from catalog_app.ingest.render.text import SHOWN_BYTES, Text, readable_text
from catalog_app.ingest.render.web_page import readable_page
from catalog_app.services.originals import OriginalsService

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue

__all__ = ["Page", "PreviewKind", "PreviewService", "Text", "preview_kind"]

# Pillow reads these; others (SVG, which can hold scripts, among them) get no preview.
PICTURES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/tiff", "image/bmp", "image/webp"}
)
WEB_PAGES = frozenset({"text/html", "application/xhtml+xml"})
TEXTS = frozenset({"application/json", "application/xml"})
WEB_PAGE_BYTES = 16 << 20  # a captured page beyond this is shown from its first part
SEALED_IN_MEMORY = 512 << 20  # a sealed original is opened in memory up to this size


class PreviewKind(StrEnum):
    PAGES = "pages"  # a PDF
    PICTURE = "picture"  # a scan or photograph (a TIFF may have pages)
    WEB_PAGE = "web page"
    TEXT = "text"
    NONE = "none"


def preview_kind(file: FileRecord) -> PreviewKind:
    """How the window shows `file`, from its media type."""
    media = file.media_type.split(";", 1)[0].strip().lower()
    if media == "application/pdf":
        return PreviewKind.PAGES
    if media in PICTURES:
        return PreviewKind.PICTURE
    if media in WEB_PAGES:
        return PreviewKind.WEB_PAGE
    if media.startswith("text/") or media in TEXTS:
        return PreviewKind.TEXT
    return PreviewKind.NONE


class PreviewService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._originals = OriginalsService(catalogue)
        self._lock = threading.Lock()
        self._kept: tuple[int, bytes] | None = None  # (file id, bytes) of a sealed original

    def page(self, file: FileRecord, index: int, width: int, height: int) -> Page:
        """Page `index` (from 0, kept within the document) of a PDF or a picture, drawn to
        fill a box of `width` × `height` pixels (a picture is never enlarged)."""
        kind = preview_kind(file)
        if kind not in (PreviewKind.PAGES, PreviewKind.PICTURE):
            raise PreviewUnavailable(f"{file.original_name} has no pages to show.")
        draw = render_pdf_page if kind is PreviewKind.PAGES else render_image
        source = self._whole(file)
        try:
            return draw(source, index, width, height)
        except Unrenderable as exc:
            raise self._unavailable(file, exc) from exc

    def web_page(self, file: FileRecord) -> str:
        """A captured web page as markup of its title, headings and text (nothing in it
        runs or loads anything)."""
        try:
            return readable_page(self._originals.read(file, WEB_PAGE_BYTES))
        except Unrenderable as exc:
            raise self._unavailable(file, exc) from exc

    def text(self, file: FileRecord) -> Text:
        """A text file's text, or its first part when it is long."""
        try:
            return readable_text(self._originals.read(file, SHOWN_BYTES))
        except Unrenderable as exc:
            raise self._unavailable(file, exc) from exc

    def forget(self) -> None:
        """Let go of the sealed original kept in memory."""
        with self._lock:
            self._kept = None

    def _whole(self, file: FileRecord) -> Path | bytes:
        unsealed = self._originals.unsealed_copy(file)
        if unsealed is not None:
            return unsealed
        with self._lock:
            if self._kept is not None and self._kept[0] == file.id:
                return self._kept[1]
        if file.size > SEALED_IN_MEMORY:
            raise PreviewUnavailable(
                f"{file.original_name} is too large ({megabytes(file.size)}) to preview in an "
                "encrypted catalogue; Open shows it in another program."
            )
        data = self._originals.read(file)
        with self._lock:
            self._kept = (file.id, data)
        return data

    @staticmethod
    def _unavailable(file: FileRecord, reason: Unrenderable) -> PreviewUnavailable:
        return PreviewUnavailable(f"{file.original_name} cannot be previewed: {reason}.")
