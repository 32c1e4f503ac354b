"""What kind of file this is, from its first bytes first and its name second."""

from __future__ import annotations

import mimetypes
import struct
from enum import StrEnum

from catalog_app.domain.vocabulary import MediaKind


class Kind(StrEnum):
    TEXT = "text"
    HTML = "html"
    PDF = "pdf"
    DOCX = "docx"
    ODF = "odf"  # OpenDocument: text, spreadsheet, presentation, drawing
    IMAGE = "image"
    OTHER = "other"


_IMAGES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
    b"II*\x00": "image/tiff",
    b"MM\x00*": "image/tiff",
    b"BM": "image/bmp",
}
_HTML_EXTENSIONS = {".html", ".htm", ".xhtml", ".shtml"}
_TEXT_EXTENSIONS = {
    ".txt",
    ".text",
    ".md",
    ".markdown",
    ".csv",
    ".tsv",
    ".srt",
    ".vtt",
    ".log",
    ".rst",
    ".json",
    ".xml",
    ".eml",
    "",
}
_DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_ODF_MIME = "application/vnd.oasis.opendocument."
_ODF_EXTENSIONS = {
    ".odt": "text",
    ".ott": "text-template",
    ".ods": "spreadsheet",
    ".ots": "spreadsheet-template",
    ".odp": "presentation",
    ".otp": "presentation-template",
    ".odg": "graphics",
    ".otg": "graphics-template",
}
_ZIP_ENTRY = struct.Struct("<4s2xHH8xIIHH")  # signature, flags, method, sizes, name, extra


def _odf_mimetype(head: bytes) -> str | None:
    """The MIME type an OpenDocument package declares in its first entry, "mimetype",
    which the format requires to be stored uncompressed at the very start."""
    if len(head) < _ZIP_ENTRY.size:
        return None
    _, _, method, stored, _, name_length, extra = _ZIP_ENTRY.unpack_from(head)
    start = _ZIP_ENTRY.size + name_length + extra
    if method != 0 or head[_ZIP_ENTRY.size : _ZIP_ENTRY.size + name_length] != b"mimetype":
        return None
    declared = head[start : start + min(stored, 100)].decode("ascii", "replace").strip()
    return declared if declared.startswith(_ODF_MIME) else None


def _looks_like_html(head: bytes) -> bool:
    sample = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sample.startswith((b"<!doctype html", b"<html")):
        return True
    # UTF-16 pages: compare without the zero bytes.
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _looks_like_html(head[2:].replace(b"\x00", b""))
    return b"<html" in sample[:1024] and b"<body" in sample


def sniff(head: bytes, name: str) -> tuple[Kind, str]:
    """(kind, MIME type) of a file from its first bytes (a few KB) and its name."""
    extension = "." + name.rsplit(".", 1)[1].lower() if "." in name else ""
    if head.startswith(b"%PDF-"):
        return Kind.PDF, "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        declared = _odf_mimetype(head)
        if declared:
            return Kind.ODF, declared
        if extension == ".docx" or b"word/" in head:
            return Kind.DOCX, _DOCX_MIME
        if extension in _ODF_EXTENSIONS:
            return Kind.ODF, _ODF_MIME + _ODF_EXTENSIONS[extension]
        guessed = mimetypes.guess_type(name)[0]
        return Kind.OTHER, guessed or "application/zip"
    for signature, mime in _IMAGES.items():
        if head.startswith(signature):
            return Kind.IMAGE, mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Kind.IMAGE, "image/webp"
    if extension in _HTML_EXTENSIONS or _looks_like_html(head):
        return Kind.HTML, "text/html"
    guessed = mimetypes.guess_type(name)[0]
    if extension in _TEXT_EXTENSIONS or (guessed or "").startswith("text/"):
        return Kind.TEXT, guessed or "text/plain"
    if guessed is None:
        # Unknown name: the text decoder decides whether the content is text.
        return Kind.TEXT, "text/plain"
    return Kind.OTHER, guessed


def media_kind(kind: Kind, mime: str) -> MediaKind:
    """The unit's broad type (Dublin Core type) for a file."""
    if kind is Kind.TEXT:
        return MediaKind.TEXT
    if kind is Kind.HTML:
        return MediaKind.WEB_PAGE
    if kind is Kind.PDF:
        return MediaKind.PDF
    if kind in (Kind.DOCX, Kind.ODF):
        return MediaKind.DOCUMENT
    if kind is Kind.IMAGE or mime.startswith("image/"):
        return MediaKind.IMAGE
    if mime.startswith("audio/"):
        return MediaKind.AUDIO
    if mime.startswith("video/"):
        return MediaKind.VIDEO
    return MediaKind.OTHER
