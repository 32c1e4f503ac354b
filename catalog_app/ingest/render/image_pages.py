"""Pictures (scans, photographs) by Pillow: turned upright as their EXIF orientation says
and made small enough to fit, never larger than their own pixels. A multi-page TIFF has a
page per image in it."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from catalog_app.ingest.render.pages import Page, within
from catalog_app.ingest.render.raster import CHANNELS, Mode, Raster, Unrenderable, fitted

_log = logging.getLogger(__name__)
_ORIENTATION = 0x0112  # the EXIF tag
_TURNED = {5, 6, 7, 8}  # orientations that swap width and height
DAMAGED = "the image is damaged or in a format that cannot be shown"
TOO_LARGE = "the image has more pixels than is safe to show"


def render_image(source: Path | bytes, index: int, box_width: int, box_height: int) -> Page:
    """Image `index` (from 0; only a TIFF has more than one) fitted into the box."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(source if isinstance(source, Path) else io.BytesIO(source)) as image:
            count = getattr(image, "n_frames", 1) if image.format == "TIFF" else 1
            index = within(index, count)
            if index:
                image.seek(index)
            raw_width, raw_height = image.size
            turned = image.getexif().get(_ORIENTATION, 1) in _TURNED
            width, height = (raw_height, raw_width) if turned else (raw_width, raw_height)
            scale = min(1.0, fitted(width, height, box_width, box_height))
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            # A JPEG is decoded at a fraction of its size when that is enough (much faster).
            image.draft("RGB", (size[1], size[0]) if turned else size)
            upright = ImageOps.exif_transpose(image)
            alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
            shown = upright.convert("RGBA" if alpha else "RGB")
            if shown.size != size:
                shown = shown.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
            data = shown.tobytes()
    except Image.DecompressionBombError as exc:
        raise Unrenderable(TOO_LARGE) from exc
    except (UnidentifiedImageError, OSError, ValueError, EOFError, SyntaxError) as exc:
        _log.info("Pillow cannot show an image: %s", exc)
        raise Unrenderable(DAMAGED) from exc
    width, height = size
    mode: Mode = "RGBA" if alpha else "RGB"
    return Page(Raster(data, width, height, width * CHANNELS[mode], mode), index, count)
