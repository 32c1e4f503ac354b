"""One page of a document with several: what is shown and how many there are."""

from __future__ import annotations

from dataclasses import dataclass

from catalog_app.ingest.render.raster import Raster


@dataclass(frozen=True)
class Page:
    raster: Raster
    index: int  # from 0; the page asked for, kept within the document
    count: int  # the document's pages (1 for a single picture)


def within(index: int, count: int) -> int:
    return min(max(index, 0), count - 1)
