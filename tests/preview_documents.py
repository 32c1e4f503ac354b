"""Originals the preview tests make for themselves: PDFs whose pages have colours of their
own, a photograph turned by its EXIF orientation, a damaged PDF, a long PDF."""

from __future__ import annotations

from pathlib import Path

RED, GREEN, BLUE = (220, 30, 30), (30, 160, 60), (40, 60, 210)
PAGE_COLOURS = (RED, GREEN, BLUE)


def coloured_pdf(path: Path, colours: tuple[tuple[int, int, int], ...] = PAGE_COLOURS) -> Path:
    """A PDF of portrait pages, each filled with its own colour (Pillow's PDF writer)."""
    from PIL import Image

    pages = [Image.new("RGB", (200, 280), colour) for colour in colours]
    pages[0].save(path, "PDF", save_all=True, append_images=pages[1:])
    return path


def long_pdf(path: Path, pages: int) -> Path:
    """A PDF of `pages` blank A4 pages (pypdf)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def damaged_pdf(path: Path) -> Path:
    """Starts as a PDF does, and is nothing after that."""
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    return path


def turned_photo(path: Path) -> Path:
    """A JPEG stored 60 wide and 30 high, red on its left and blue on its right, whose EXIF
    orientation (6) says it is seen turned a quarter clockwise: 30 wide, 60 high, red on top."""
    from PIL import Image

    image = Image.new("RGB", (60, 30), BLUE)
    image.paste(RED, (0, 0, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6
    image.save(path, "JPEG", exif=exif, quality=95)
    return path


def near(colour: tuple[int, ...], expected: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour[:3], expected, strict=True))
