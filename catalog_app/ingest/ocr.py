"""Images: text by Tesseract OCR when it is installed (English and Persian, and Arabic when
its language data is there)."""

from __future__ import annotations

import logging
import shutil
from functools import cache
from pathlib import Path

from catalog_app.ingest.extracted import Extracted, capped
from catalog_app.ingest.limits import TooLarge
from catalog_app.logs import private

_log = logging.getLogger(__name__)

WANTED_LANGUAGES = ("eng", "fas", "ara")


@cache
def tesseract() -> tuple[str, str] | None:
    """(version, "eng+fas+…") of the installed Tesseract, or None when there is none."""
    if shutil.which("tesseract") is None:
        return None
    import pytesseract

    try:
        installed = set(pytesseract.get_languages(config=""))
        found = str(pytesseract.get_tesseract_version())
    except (pytesseract.TesseractError, OSError):
        return None
    languages = [lang for lang in WANTED_LANGUAGES if lang in installed]
    return (found, "+".join(languages)) if languages else None


def extract_image(path: Path, seconds: float) -> Extracted:
    result = Extracted()
    available = tesseract()
    if available is None:
        result.method = "none: Tesseract OCR is not installed"
        result.warnings.append(
            "no text was extracted: install Tesseract OCR (tesseract-ocr, tesseract-ocr-fas) "
            "to read text in images"
        )
        return result
    import pytesseract
    from PIL import Image, UnidentifiedImageError

    found, languages = available
    try:
        with Image.open(path) as image:
            # Tesseract runs as a process of its own: stopped with the time limit.
            text = pytesseract.image_to_string(image, lang=languages, timeout=seconds)
    except Image.DecompressionBombError as exc:
        raise TooLarge("the image has more pixels than is safe to read") from exc
    except (UnidentifiedImageError, OSError, pytesseract.TesseractError) as exc:
        _log.info("image %s unreadable", private(path), exc_info=exc)
        result.warnings.append("the image could not be read; no text was extracted")
        result.method = f"ocr (tesseract {found}): unreadable"
        return result
    except RuntimeError as exc:  # pytesseract's way of saying the time ran out
        raise TimeoutError from exc
    result.method = f"ocr (tesseract {found}, {languages})"
    text = text.strip()
    if text:
        result.text = capped(text, result)
    else:
        result.warnings.append("OCR found no text in the image")
    return result
