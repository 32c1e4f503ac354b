"""PDFs the tests write by hand, byte by byte, to have exactly what real files hold: text
drawn as TeX draws it (Arabic script in visual order, in its joined presentation forms, words
set apart by gaps rather than space characters), broken pages, over-long streams, document
information in every encoding producers use. No font file is needed: the glyphs of the
Type 3 font are plain boxes, and the text comes from the font's ToUnicode map."""

from __future__ import annotations

import unicodedata
import zlib
from functools import cache

HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def write_pdf(objects: list[bytes], *, info: int | None = None) -> bytes:
    """A PDF of these objects (numbered from 1; the first is the catalogue) with a
    cross-reference table; `info`: the number of the document information dictionary."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    extra = f" /Info {info} 0 R" if info else ""
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{extra} >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def stream(data: bytes, *, compress: bool = False) -> bytes:
    if compress:
        data = zlib.compress(data, 9)
        return (
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
        )
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _page(parent: int, font: int, contents: int) -> bytes:
    return (
        f"<< /Type /Page /Parent {parent} 0 R /MediaBox [0 0 612 792] "
        f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {contents} 0 R >>"
    ).encode()


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def helvetica_pdf(
    pages: list[str | None], *, info: dict[str, bytes] | None = None, compress: bool = False
) -> bytes:
    """One page per entry, each line of its text in Helvetica; None: a page-tree entry that
    is not a page at all (a damaged file), which no reader can load."""
    count = len(pages)
    font = 3 + 2 * count
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + n} 0 R" for n in range(count))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode())
    contents = []
    for number, text in enumerate(pages):
        objects.append(b"null" if text is None else _page(2, font, 3 + count + number))
        lines = (text or "").split("\n")
        ops = "BT /F1 12 Tf 72 720 Td " + " 0 -16 Td ".join(f"({_escaped(t)}) Tj" for t in lines)
        contents.append(stream(f"{ops} ET".encode("latin-1"), compress=compress))
    objects += [*contents, HELVETICA]
    if info:
        entries = " ".join(f"/{key} <{value.hex()}>" for key, value in info.items())
        objects.append(f"<< {entries} >>".encode())
    return write_pdf(objects, info=len(objects) if info else None)


@cache
def _joined_forms() -> dict[str, dict[str, str]]:
    """Arabic-script letter → {isolated, initial, medial, final: presentation form}, from
    the Unicode character database's compatibility decompositions."""
    forms: dict[str, dict[str, str]] = {}
    for code in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)]:
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and parts[0] in ("<isolated>", "<initial>", "<medial>", "<final>"):
            forms.setdefault(chr(int(parts[1], 16)), {})[parts[0].strip("<>")] = chr(code)
    return forms


def shaped(word: str) -> str:
    """The word in the presentation forms a font draws it with (a letter joins the one
    before it when that one joins forward, i.e. has an initial form)."""
    forms = _joined_forms()
    out = []
    for index, letter in enumerate(word):
        shapes = forms.get(letter)
        if not shapes:
            out.append(letter)
            continue
        before = word[index - 1] if index else ""
        after = word[index + 1] if index + 1 < len(word) else ""
        joins_before = "initial" in forms.get(before, {})
        joins_after = after in forms and "initial" in shapes
        form = {
            (True, True): "medial",
            (False, True): "initial",
            (True, False): "final",
            (False, False): "isolated",
        }[(joins_before, joins_after)]
        out.append(shapes.get(form) or shapes.get("isolated") or letter)
    return "".join(out)


def right_to_left_pdf(lines: list[str]) -> bytes:
    """Persian or Arabic lines set as a TeX engine sets them: each word in its joined
    presentation forms, its glyphs drawn left to right in visual order (the word's last
    letter first), the words placed from the right margin leftwards with gaps between them
    and no space characters at all."""
    glyphs = sorted({g for line in lines for word in line.split() for g in shaped(word)})
    code = {glyph: number for number, glyph in enumerate(glyphs, start=1)}
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    objects.append(b"")  # the page, once its objects' numbers are known
    box = stream(b"500 0 0 0 450 600 d1\n50 0 400 600 re f")
    procedures = {glyph: len(objects) + number for number, glyph in enumerate(glyphs, start=1)}
    objects += [box] * len(glyphs)
    mapping = "\n".join(f"<{code[g]:02X}> <{ord(g):04X}>" for g in glyphs)
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Boxes def "
        "1 begincodespacerange <00> <FF> endcodespacerange\n"
        f"{len(glyphs)} beginbfchar\n{mapping}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    objects.append(stream(cmap.encode()))
    to_unicode = len(objects)
    names = " ".join(f"{code[g]} /g{code[g]}" for g in glyphs)
    procs = " ".join(f"/g{code[g]} {procedures[g]} 0 R" for g in glyphs)
    objects.append(
        f"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 500 600] "
        f"/FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << {procs} >> "
        f"/Encoding << /Type /Encoding /Differences [{names}] >> /FirstChar 1 "
        f"/LastChar {len(glyphs)} /Widths [{' '.join('500' for _ in glyphs)}] "
        f"/ToUnicode {to_unicode} 0 R >>".encode()
    )
    font = len(objects)
    ops = ["BT /F1 12 Tf"]
    for row, line in enumerate(lines):
        x = 560.0
        for word in line.split():
            drawn = shaped(word)
            x -= 6 * len(drawn)
            visual = "".join(f"{code[g]:02X}" for g in reversed(drawn))
            ops.append(f"1 0 0 1 {x:.1f} {740 - 20 * row} Tm <{visual}> Tj")
            x -= 4  # the gap between words
    ops.append("ET")
    objects.append(stream("\n".join(ops).encode()))
    objects[2] = _page(2, font, len(objects))
    return write_pdf(objects)
