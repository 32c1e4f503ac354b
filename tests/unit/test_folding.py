"""The one folding rule of the index and the queries: compatibility forms (NFKC) become the
letters people type, and the Persian/Arabic guarantees hold."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog_app.domain.folding import (
    DIGIT_ZEROS,
    TOKEN,
    fold,
    fold_token,
    fold_with_map,
    tokens,
)

# Words as a PDF's text layer gives them: each letter in the presentation form of its place.
KHAVARAN = "\ufea7\ufe8e\ufeed\ufead\ufe8d\ufee5"  # ﺧﺎﻭﺭﺍﻥ  خاوران
KETAB = "\ufb90\ufe98\ufe8e\ufe8f"  # ﮐﺘﺎﺏ  کتاب
YADHA = "\ufbfe\ufe8e\ufea9\ufeeb\ufe8e"  # ﯾﺎﺩﻫﺎ  یادها
SALAM = "\ufeb3\ufefc\ufee1"  # ﺳﻼﻡ (lam-alef one ligature)  سلام


@pytest.mark.parametrize(
    ("original", "typed"),
    [
        (KHAVARAN, "خاوران"),
        (KETAB, "کتاب"),
        (YADHA, "یادها"),
        (SALAM, "سلام"),
        ("\ufe8b\ufef4", "یی"),  # yeh with hamza and Arabic yeh, as forms: Persian yeh
        ("\ufedb", "ک"),  # Arabic kaf, initial form: Persian kaf
        ("\ufe94", "ه"),  # teh marbuta, final form: heh
        ("\ufef7", "لا"),  # lam with alef with hamza above: bare alef
        ("\ufdf2", "الله"),
        ("\ufb01nal", "final"),
        ("\uff21\uff52\uff43\uff48\uff49\uff56\uff45", "Archive"),  # full-width
        ("x\u00b2", "x2"),
        ("\u2460\u2461", "12"),  # circled digits
        ("\U0001d7cf\U0001d7d7\U0001d7d6\U0001d7d6", "1988"),  # mathematical digits
        ("\uff11\uff19\uff18\uff18", "1988"),  # full-width digits
    ],
)
def test_compatibility_forms_fold_to_the_letters_people_type(original: str, typed: str) -> None:
    assert fold(original) == fold(typed)
    assert tokens(original) == tokens(typed)


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("كتاب", "کتاب"),  # Arabic kaf and yeh
        ("يادها", "یادها"),
        ("مدرسة", "مدرسه"),
        ("الأمّهات", "الامهات"),  # hamza and shadda
        ("أُغلقت", "اغلقت"),
        ("خاورانـــ", "خاوران"),  # tatweel
        ("۱۳۶۷", "1367"),  # Persian digits
        ("١٣٦٧", "1367"),  # Arabic-Indic digits
        ("१९८८", "1988"),  # Devanagari digits
        ("\u200fخاوران\u200e", "خاوران"),  # direction marks
    ],
)
def test_persian_and_arabic_spellings_still_fold_together(written: str, typed: str) -> None:
    assert tokens(written) == tokens(typed)


def test_a_zero_width_non_joiner_still_separates_words() -> None:
    assert fold("خانواده\u200cها") == "خانواده ها"
    assert tokens("خانواده\u200cها") == ["خانواده", "ها"]


def test_latin_case_and_accents_are_still_folded_for_highlighting() -> None:
    assert fold_token("Café") == fold_token("CAFE") == "cafe"
    assert fold_token("\ufb01ancée") == "fiancee"


def test_every_decimal_digit_of_this_unicode_folds_to_its_ascii_digit() -> None:
    digits = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Nd"]
    assert {fold(d) for d in digits} <= set("0123456789")
    assert all(fold(d) == str(unicodedata.digit(d)) for d in digits)
    assert len(DIGIT_ZEROS) * 10 == len(digits)


def test_highlighting_maps_a_ligature_and_dropped_marks_back_to_the_original() -> None:
    text = "the \ufb01nal ﺳﻼﻡ الأمّهات"
    folded, origin = fold_with_map(text)
    assert len(folded) == len(origin)
    spans = {
        fold_token(m.group()): text[origin[m.start()] : origin[m.end() - 1] + 1]
        for m in TOKEN.finditer(folded)
    }
    assert spans == {"the": "the", "final": "\ufb01nal", "سلام": SALAM, "الامهات": "الأمّهات"}


# Letters, marks, joiners and compatibility forms of the scripts the catalogue meets.
# (U+0653-U+0655, the combining madda and hamzas, are left out: after a letter the index
# composes them with it, which highlighting, character by character, does not try.)
_ALPHABET = st.sampled_from(
    [
        *"abcé ,.\u0301\u200c\u0640\u200fﬁﬂ²①１۱१",
        *map(chr, range(0x0621, 0x0653)),
        *map(chr, range(0xFE70, 0xFEFD)),
        *map(chr, range(0xFB50, 0xFBB1)),
        *map(chr, range(0xFC00, 0xFC20)),
    ]
)


@given(st.lists(_ALPHABET, max_size=16).map("".join))
def test_folding_twice_changes_nothing(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.lists(_ALPHABET, max_size=16).map("".join))
def test_highlighting_sees_the_tokens_the_index_sees(text: str) -> None:
    folded, origin = fold_with_map(text)
    assert len(origin) == len(folded)
    assert [fold_token(m.group()) for m in TOKEN.finditer(folded)] == tokens(text)
