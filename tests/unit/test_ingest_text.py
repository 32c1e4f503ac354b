"""Decoding, language identification and harvesting on text the tests write themselves."""

from __future__ import annotations

import codecs
import os

import pytest

from catalog_app.ingest.decode import NotText, decode_text
from catalog_app.ingest.harvest import (
    dates_from_text,
    meaningful_title,
    title_from_name,
    title_from_text,
)
from catalog_app.ingest.languages import detect
from tests.documents import ARABIC, ENGLISH, MIXED, PERSIAN, PERSIAN_1256


@pytest.mark.parametrize(
    ("text", "encoding", "label"),
    [
        (PERSIAN, "utf-8", "utf-8"),
        (PERSIAN_1256, "cp1256", "cp1256 (detected)"),
        (ARABIC, "cp1256", "cp1256 (detected)"),
        (
            "Café, déjà vu: the prisoners of 1988 were executed in España.",
            "cp1252",
            "cp1252 (detected)",
        ),
        ("Политические заключённые были казнены летом 1988 года.", "cp1251", "cp1251 (detected)"),
        (PERSIAN, "utf-16", "utf-16-le (byte order mark)"),
        (PERSIAN, "utf-16-be", "utf-16 (detected)"),
        (MIXED, "utf-8-sig", "utf-8 (byte order mark)"),
        (ENGLISH, "ascii", "utf-8"),
    ],
)
def test_text_in_any_common_encoding_comes_back_exactly(
    text: str, encoding: str, label: str
) -> None:
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        assert not data.startswith(codecs.BOM_UTF16_BE)
    decoded = decode_text(data)
    assert decoded.text == text
    assert decoded.encoding == label
    assert decoded.warnings == []


def test_mixed_right_to_left_text_keeps_every_character() -> None:
    text = "\u200fمتن\u200e (1988) \u202bnested\u202c " + MIXED
    assert decode_text(text.encode("utf-8")).text == text


def test_windows_line_endings_become_plain_newlines() -> None:
    assert decode_text(b"one\r\ntwo\r\n").text == "one\ntwo\n"


def test_damaged_utf8_is_kept_with_a_warning() -> None:
    data = (ENGLISH * 20).encode("utf-8") + b"\xff\xfe broken" + PERSIAN.encode("utf-8")
    decoded = decode_text(data)
    assert decoded.encoding == "utf-8 (damaged)"
    assert PERSIAN in decoded.text
    assert decoded.warnings == ["2 byte sequence(s) were not valid UTF-8 and were replaced with �"]


@pytest.mark.parametrize(
    "data",
    [os.urandom(4096), b"\x00\x01\x02\x03" * 500, b"\x7fELF\x02\x01\x01\x00" + bytes(3000)],
)
def test_binary_data_is_not_taken_for_text(data: bytes) -> None:
    with pytest.raises(NotText):
        decode_text(data)


@pytest.mark.parametrize(
    ("text", "languages", "scripts"),
    [
        (ENGLISH, ["en"], ["Latn"]),
        (PERSIAN * 3, ["fa"], ["Arab"]),
        (ARABIC * 2, ["ar"], ["Arab"]),
        (ENGLISH + " " + PERSIAN * 4, ["en", "fa"], ["Latn", "Arab"]),
        ("1988 — 30,000 ...", [], []),
    ],
)
def test_languages_and_scripts(text: str, languages: list[str], scripts: list[str]) -> None:
    assert detect(text) == (languages, scripts)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            "News : Human rights\n\nWho Were the Ayyaran in Iran?\n\nA 2018 report found…",
            "Who Were the Ayyaran in Iran?",
        ),
        (
            "Home News Iranian Opposition The Massacre: Part 1\n\nThe Massacre: Part 1\n\nIn 1988",
            "The Massacre: Part 1",
        ),
        (
            "Home » Reports » Prisons\nEvin prison in the 1980s\nText follows.",
            "Evin prison in the 1980s",
        ),
        ("  \n\n" + PERSIAN.rstrip(".") + "\n\nمتن", PERSIAN.rstrip(".")),
        (
            ENGLISH,
            "Relatives of political prisoners executed in the summer of 1988 gathered at "
            "Khavaran cemetery…",
        ),
        ("...\n---\n", None),
    ],
)
def test_titles_are_harvested_from_the_first_meaningful_line(text: str, title: str | None) -> None:
    assert title_from_text(text) == title


def test_titles_fall_back_to_the_file_name() -> None:
    assert title_from_name("witness_statement_03.txt") == "witness statement 03"
    assert title_from_name(".hidden") == ".hidden"
    assert meaningful_title("Microsoft Word - draft3.doc") is None
    assert meaningful_title("Untitled") is None
    assert meaningful_title("  Report on   Evin  ") == "Report on Evin"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Families gather at Khavaran\nAugust 29, 2023\n\nRelatives met in 1988...", "2023-08-29"),
        ("Title\nPosted on 29 August 2023\nBody", "2023-08-29"),
        ("A post ends here. July 15, 2019\nAnother post. 2019-07-11\n", "2019-07-11/2019-07-15"),
        (
            "In late July 1988 prisoners were killed; on 19 July 1988, in the middle of a long "
            "sentence about the massacre, the regime began.",
            None,
        ),
        ("Title\nFebruary 30, 2020\n", None),
        (ENGLISH, None),
    ],
)
def test_only_datelines_become_the_documents_date(text: str, expected: str | None) -> None:
    assert dates_from_text(text) == expected
