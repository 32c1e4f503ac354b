"""One normalisation for what is indexed and what is searched for.

Text is brought to Unicode compatibility form (NFKC) first, so that the Arabic presentation
forms PDFs are full of (U+FB50–U+FDFF, U+FE70–U+FEFF: 'ﻛﺘﺎﺏ') become the ordinary letters
people type ('کتاب'), and ligatures ('ﬁ'), full-width and half-width forms, superscripts and
circled or mathematical digits become plain letters and digits. Then Arabic-script letters
are folded one character for one (Arabic yeh and kaf to the Persian forms, teh marbuta to
heh, the alef forms to bare alef), the decimal digits of every script become ASCII digits,
short vowels, tatweel and direction marks are dropped and the zero-width non-joiner becomes
a space. Case and Latin diacritics are folded by SQLite's unicode61 tokenizer for the index,
and by `fold_token` for highlighting.

`fold_with_map` folds the same way character by character and keeps track of where each
folded character came from (a ligature gives two characters from one, a dropped mark none),
which is what lets highlighting mark the right characters of the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

ZWNJ = "\u200c"
# The zero of every run of ten decimal digits (Unicode category Nd, Unicode 14). Listed
# rather than read from unicodedata at start-up: a scan of every code point costs 0.2 s,
# and a newer Python must not fold differently from the index it finds (a test checks the
# list against the running Python's Unicode data).
DIGIT_ZEROS = (
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66,
    0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946,
    0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0,
    0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0,
    0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50,
    0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC,
    0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
)  # fmt: skip
# One character for one.
_LETTERS = str.maketrans(
    {
        "\u064a": "\u06cc",  # ي Arabic yeh -> ی Persian yeh
        "\u0649": "\u06cc",  # ى alef maksura -> ی
        "\u0626": "\u06cc",  # ئ yeh with hamza -> ی
        "\u0643": "\u06a9",  # ك Arabic kaf -> ک Persian kaf
        "\u0629": "\u0647",  # ة teh marbuta -> ه
        "\u06c0": "\u0647",  # ۀ heh with yeh above -> ه
        "\u06d5": "\u0647",  # ە ae -> ه
        "\u0623": "\u0627",  # أ -> ا
        "\u0625": "\u0627",  # إ -> ا
        "\u0622": "\u0627",  # آ -> ا
        "\u0671": "\u0627",  # ٱ -> ا
        "\u0624": "\u0648",  # ؤ -> و
        **{chr(zero + d): str(d) for zero in DIGIT_ZEROS[1:] for d in range(10)},
    }
)
# Dropped: tatweel, harakat (short vowels, shadda, sukun), superscript alef, small marks;
# and direction marks, which carry no letters.
_DROPPED = frozenset(
    "\u0640"
    + "".join(chr(c) for c in range(0x064B, 0x0660))
    + "\u0670\u06d6\u06d7\u06d8\u06d9\u06da\u06db\u06dc\u06df\u06e0\u06e1\u06e2\u06e3\u06e4"
    + "\u06e7\u06e8\u06ea\u06eb\u06ec\u06ed"
    + "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\u200d\ufeff"
)
_TABLE = {**_LETTERS, **{ord(ch): None for ch in _DROPPED}, ord(ZWNJ): " "}
# Runs of characters the table may change: most text has few, so replacing runs found by a
# regular expression is several times faster than translating every character. (Characters
# beyond the BMP go in as one range: listed one by one they make the class a slow list.)
_CHANGED = re.compile(
    "["
    + re.escape("".join(chr(c) for c in sorted(_TABLE) if c <= 0xFFFF))
    + "\U00010000-\U0010ffff]+"
)
# Characters that do not fold one for one (dropped, or the joiner that becomes a space).
_UNEVEN = re.compile("[" + re.escape("".join(sorted(_DROPPED))) + ZWNJ + "]")
_BLOCK = 64  # characters looked at together when a text is not folded one for one
_CHARS: dict[str, str] = {}  # each character as `fold` turns it, met so far


def _translated(match: re.Match[str]) -> str:
    return match.group().translate(_TABLE)


def fold(text: str) -> str:
    """Text as the index holds it, and as queries are matched against it."""
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():  # nothing ASCII changes, and asking costs nothing
        return text
    # Composed again: a dropped mark may have stood between a letter and an accent.
    return unicodedata.normalize("NFC", _CHANGED.sub(_translated, text))


def joined_forms(*texts: str | None) -> str:
    """Words written with a zero-width non-joiner, also as one word without it (folded), so
    that 'خانواده‌ها' is found whether it is typed with the joiner, a space, or neither."""
    forms: list[str] = []
    for value in texts:
        if value and ZWNJ in value:
            forms += [w.replace(ZWNJ, "") for w in value.split() if ZWNJ in w]
    return fold(" ".join(forms))


@dataclass(frozen=True)
class FoldedText:
    """A document's text as the index takes it, folded where the text was read (an import's
    worker) so the writer does not: the folded text and its joined forms."""

    body: str
    joined: str

    @classmethod
    def of(cls, text: str) -> FoldedText:
        return cls(fold(text), joined_forms(text))


def _fold_char(ch: str) -> str:
    folded = _CHARS.get(ch)
    if folded is None:
        folded = _CHARS[ch] = fold(ch)
    return folded


def fold_with_map(text: str) -> tuple[str, Sequence[int]]:
    """Folded text (each character normalised on its own, nothing composed with its
    neighbours) and, for each of its characters, the index of the original character it
    came from."""
    if not _UNEVEN.search(text) and unicodedata.is_normalized("NFKC", text):
        return text.translate(_LETTERS), range(len(text))  # the usual case: one for one
    folded: list[str] = []
    origin: list[int] = []
    for start in range(0, len(text), _BLOCK):
        block = text[start : start + _BLOCK]
        if not _UNEVEN.search(block) and unicodedata.is_normalized("NFKC", block):
            folded.append(block.translate(_LETTERS))
            origin.extend(range(start, start + len(block)))
            continue
        for index, ch in enumerate(block, start):
            piece = _fold_char(ch)
            if len(piece) == 1:
                origin.append(index)
            elif piece:
                origin.extend([index] * len(piece))
            folded.append(piece)
    return "".join(folded), origin


# What SQLite's unicode61 tokenizer (with the categories used for the index) keeps together.
TOKEN = re.compile(r"[^\W_]+(?:[\u0300-\u036f\u0900-\u0dff]*[^\W_]*)*", re.UNICODE)


@lru_cache(maxsize=65_536)
def fold_token(token: str) -> str:
    """A token compared as the index compares it: case folded, and the diacritics of Latin
    letters removed (as unicode61's remove_diacritics does; other scripts keep their marks)."""
    kept: list[str] = []
    base = ""
    for ch in unicodedata.normalize("NFKD", fold(token).casefold()):
        if unicodedata.combining(ch):
            if base and ord(base) < 0x0250:
                continue
        else:
            base = ch
        kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))


def tokens(text: str) -> list[str]:
    """The folded tokens of a text, as the index sees them."""
    return [fold_token(match.group()) for match in TOKEN.finditer(fold(text))]
