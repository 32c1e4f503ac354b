"""One normalisation for what is indexed and what is searched for.

Arabic-script letters are folded one character for one (Arabic yeh and kaf to the Persian
forms, teh marbuta to heh, the alef forms to bare alef, Persian and Arabic-Indic digits to
ASCII), so a position in folded text is the same position in the original. Short vowels and
tatweel are dropped and the zero-width non-joiner becomes a space: `fold_with_map` keeps
track of where each folded character came from, which is what lets highlighting mark the
right characters of the original text. Case and Latin diacritics are folded by SQLite's
unicode61 tokenizer for the index, and by `fold_token` for highlighting.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

ZWNJ = "\u200c"
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
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
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
_DROP = {ord(ch): None for ch in _DROPPED}
_NEEDS_MAP = re.compile("[" + re.escape("".join(sorted(_DROPPED))) + "\u200c]")
_SPACE = {ord(ZWNJ): " "}


def fold(text: str) -> str:
    """Text as the index holds it, and as queries are matched against it."""
    return unicodedata.normalize("NFC", text).translate(_LETTERS).translate(_DROP).translate(_SPACE)


def fold_with_map(text: str) -> tuple[str, Sequence[int]]:
    """Folded text (without NFC composition) and, for each of its characters, the index of
    the original character it came from."""
    if not _NEEDS_MAP.search(text):  # the usual case: one for one, nothing dropped
        return text.translate(_LETTERS), range(len(text))
    folded: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        if ch in _DROPPED:
            continue
        folded.append(" " if ch == ZWNJ else ch.translate(_LETTERS))
        origin.append(index)
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
