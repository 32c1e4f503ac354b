"""A picture of a page as plain pixels, and the size a page is drawn at to fit a box."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Mode = Literal["RGB", "RGBA", "RGBX"]  # bytes per pixel: 3, 4, 4 (X: unused, opaque)
CHANNELS: dict[Mode, int] = {"RGB": 3, "RGBA": 4, "RGBX": 4}
# A preview never needs more than a large screen shows: a bigger box asked for (a wrong
# size, or a zoom by mistake) is drawn at this size, not at gigabytes of pixels.
MAX_SIDE = 8192
MIN_SIDE = 1


class Unrenderable(ValueError):
    """The original cannot be shown; `str()` is the reason, in a reader's words
    ("the PDF is damaged")."""


@dataclass(frozen=True, repr=False)
class Raster:
    """`height` rows of `stride` bytes each, top row first; each row's first
    `width * CHANNELS[mode]` bytes are its pixels."""

    data: bytes
    width: int
    height: int
    stride: int
    mode: Mode

    def __post_init__(self) -> None:
        if self.width < 1 or self.height < 1:
            raise ValueError("a raster has at least one pixel")
        if self.stride < self.width * CHANNELS[self.mode]:
            raise ValueError("a raster's rows are at least as long as its pixels")
        if len(self.data) < self.stride * (self.height - 1) + self.width * CHANNELS[self.mode]:
            raise ValueError("a raster's data holds all of its rows")

    def __repr__(self) -> str:  # not the pixels
        return f"Raster({self.width}×{self.height} {self.mode})"

    def pixel(self, x: int, y: int) -> tuple[int, ...]:
        """The channel values at (x, y), for checks and tests."""
        start = y * self.stride + x * CHANNELS[self.mode]
        return tuple(self.data[start : start + CHANNELS[self.mode]])


def fitted(width: float, height: float, box_width: int, box_height: int) -> float:
    """The scale at which a `width` × `height` page fills the box without overflowing it
    (kept within MAX_SIDE pixels a side)."""
    if width <= 0 or height <= 0:
        raise Unrenderable("the page has no size")
    box_width = min(max(box_width, MIN_SIDE), MAX_SIDE)
    box_height = min(max(box_height, MIN_SIDE), MAX_SIDE)
    return min(box_width / width, box_height / height)
