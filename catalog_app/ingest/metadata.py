"""Values from a document's own metadata (a PDF's Info dictionary, a Word or OpenDocument
file's properties, a web page's meta tags), made fit to describe it or refused.

A title or an author is only worth taking if it reads as words: values in the wrong encoding
are repaired where that can be told for certain (a PDF string in UTF-16 without its byte
order mark, UTF-8 read as PDFDocEncoding), control characters and NUL bytes are dropped,
and what is left is refused when it still looks like binary data rather than a name.
"""

from __future__ import annotations

import re
import unicodedata

MAX_VALUE = 500
# Names that word processors, PDF makers and libraries put in the author field by default.
PLACEHOLDER_AUTHORS = frozenset(
    {
        "python-docx",
        "microsoft office user",
        "administrator",
        "user",
        "author",
        "unknown",
        "admin",
        "owner",
        "default",
        "anonymous",
    }
)

# PDFDocEncoding (PDF 32000-1, annex D.2): Latin-1 but for these code points. PDFium decodes
# strings without a byte order mark by it; undefined bytes come back as NUL.
_PDFDOC = {
    0x18: "˘",
    0x19: "ˇ",
    0x1A: "ˆ",
    0x1B: "˙",
    0x1C: "˝",
    0x1D: "˛",
    0x1E: "˚",
    0x1F: "˜",
    **{0x80 + i: ch for i, ch in enumerate("•†‡…—–ƒ⁄‹›−‰„“”‘’‚™ﬁﬂŁŒŠŸŽıłœšž")},
    0xA0: "€",
}
_PDFDOC_BYTES = {ch: code for code, ch in _PDFDOC.items()}
_UNDEFINED_IN_PDFDOC = frozenset({0x7F, 0x9F, 0xAD})
_BOMS = ((b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"), (b"\xef\xbb\xbf", "utf-8"))
# Controls, the byte order mark, non-characters and private-use code points: never part of
# a name. Tabs and line breaks become spaces instead.
_DROPPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff\ue000-\uf8ff]")
_SEPARATORS = str.maketrans("\t\n\r\u2028\u2029", "     ")


def _pdfdoc_bytes(value: str) -> bytes | None:
    """The bytes a string decoded by PDFDocEncoding came from, or None if it holds
    characters that encoding cannot give (it was UTF-16 with a byte order mark)."""
    out = bytearray()
    for ch in value:
        code = _PDFDOC_BYTES.get(ch)
        if code is None:
            code = ord(ch)
            if code > 0xFF or code in _PDFDOC or code in _UNDEFINED_IN_PDFDOC:
                return None
        out.append(code)
    return bytes(out)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text written without its byte order mark: every other byte zero (as in
    ASCII), on one side only."""
    data = data.rstrip(b"\x00") if len(data) % 2 else data
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    half = len(data) // 2
    for zeros, other, codec in ((even, odd, "utf-16-be"), (odd, even, "utf-16-le")):
        if zeros / half >= 0.5 and other == 0:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def pdf_text(data: bytes) -> str:
    """A PDF text string's bytes decoded: UTF-16 or UTF-8 by their byte order marks, UTF-16
    without one (every other byte zero) and UTF-8 (which PDF 1.7 does not allow, but many
    producers write) when the bytes are valid as such, else PDFDocEncoding."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    repaired = _utf16_without_bom(data)
    if repaired is not None:
        return repaired
    if not data.isascii() and b"\x00" not in data:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return "".join(
        "" if byte in _UNDEFINED_IN_PDFDOC else _PDFDOC.get(byte, chr(byte)) for byte in data
    )


def pdf_string(value: str) -> str:
    """A PDF text string as a library decoded it (PDFium takes every string without a byte
    order mark for PDFDocEncoding), decoded again from its bytes by `pdf_text`."""
    data = _pdfdoc_bytes(value)
    return value if data is None or (data.isascii() and b"\x00" not in data) else pdf_text(data)


def _letters_and_digits(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def _looks_binary(original: str, cleaned: str) -> bool:
    visible = cleaned.replace(" ", "")
    if not visible:
        return True
    # Control characters inside the value (NUL padding at its ends aside): not a name.
    inner = original.strip("\x00 \t\r\n")
    controls = len(_DROPPED.findall(inner))
    if controls > max(1, len(inner) // 10):
        return True
    if _letters_and_digits(visible) * 2 < len(visible):
        return True  # mostly symbols: "•†‡…ƒ⁄‹›", "\x8d\x92"
    letters = [ch for ch in visible if ch.isalpha()]
    accented_latin = sum(
        1 for ch in letters if not ch.isascii() and "LATIN" in unicodedata.name(ch, "")
    )
    # Bytes read one by one as Latin-1: "ÀÁÂÃÄÅÆÇ" (real Latin-script names are mostly ASCII).
    return len(letters) >= 4 and accented_latin * 2 > len(letters)


def clean(value: str | None) -> str | None:
    """The value with control characters dropped and spaces collapsed, or None when nothing
    readable is left or it looks like binary data."""
    if not value:
        return None
    cleaned = " ".join(_DROPPED.sub("", value.translate(_SEPARATORS)).split())
    if _looks_binary(value, cleaned):
        return None
    return cleaned[:MAX_VALUE]


def people(value: str | None) -> list[str]:
    """The names in an author field ("A; B"), less placeholders like "Administrator"."""
    names: dict[str, str] = {}
    for part in (value or "").split(";"):
        name = clean(part)
        if name and name.casefold() not in PLACEHOLDER_AUTHORS:
            names.setdefault(name.casefold(), name)
    return list(names.values())
