"""What text extraction yields for one file."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import version as installed_version


@cache
def version(distribution: str) -> str:
    """An installed library's version, as the record of how a text was extracted names it
    (read once a process: reading a package's metadata costs about a millisecond)."""
    return installed_version(distribution)


@dataclass
class Extracted:
    """Text and metadata found in a file; every field may be missing."""

    text: str | None = None
    method: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    date: str | None = None  # EDTF
    url: str | None = None
    warnings: list[str] = field(default_factory=list)


# Enough for any real document; a multi-hundred-MB text file is cut here for the index.
MAX_TEXT_CHARACTERS = 20_000_000
CUT_WARNING = f"only the first {MAX_TEXT_CHARACTERS:,} characters of text were kept for search"


def capped(text: str, extracted: Extracted) -> str:
    if len(text) > MAX_TEXT_CHARACTERS:
        if CUT_WARNING not in extracted.warnings:
            extracted.warnings.append(CUT_WARNING)
        return text[:MAX_TEXT_CHARACTERS]
    return text
