"""A PDF's pages as pictures, by PDFium (Chromium's PDF engine, through pypdfium2).

PDFium is not thread-safe, not even across documents, so every call into it holds one
lock, and each document, page and bitmap is closed before the lock is let go (none is left
for the garbage collector to close on some other thread).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from catalog_app.ingest.render.pages import Page, within
from catalog_app.ingest.render.raster import Raster, Unrenderable, fitted

_log = logging.getLogger(__name__)
_PDFIUM = threading.Lock()
DAMAGED = "the PDF is damaged or is not a PDF"
PASSWORD = "the PDF is protected by a password"


def render_pdf_page(source: Path | bytes, index: int, box_width: int, box_height: int) -> Page:
    """Page `index` (from 0) drawn to fill a box of `box_width` × `box_height` pixels, and
    how many pages the document has."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(source)
        except pdfium.PdfiumError as exc:
            if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
                raise Unrenderable(PASSWORD) from exc
            _log.info("PDFium cannot open a PDF: %s", exc)
            raise Unrenderable(DAMAGED) from exc
        except OSError as exc:
            raise Unrenderable(f"the file cannot be read ({exc.strerror or 'error'})") from exc
        try:
            count = len(document)
            index = within(index, count)
            page = document[index]
            try:
                width, height = page.get_size()
                # RGBx: four bytes a pixel, in the order a picture on screen takes them.
                bitmap = page.render(
                    scale=fitted(width, height, box_width, box_height),
                    rev_byteorder=True,
                    prefer_bgrx=True,
                    may_draw_forms=False,
                )
                try:
                    raster = Raster(
                        bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride, "RGBX"
                    )
                finally:
                    bitmap.close()
            finally:
                page.close()
        except (pdfium.PdfiumError, ValueError) as exc:
            _log.info("PDFium cannot draw page %d of a PDF: %s", index + 1, exc)
            raise Unrenderable(f"page {index + 1} of the PDF is damaged") from exc
        finally:
            document.close()
    return Page(raster, index, count)
