from __future__ import annotations

from datetime import date

import pytest

from catalog_app.domain.dates import DateError, DateRange, describe_date, parse_date


@pytest.mark.parametrize(
    ("expression", "start", "end"),
    [
        ("1988", date(1988, 1, 1), date(1988, 12, 31)),
        ("1988-07", date(1988, 7, 1), date(1988, 7, 31)),
        ("1988-07-15", date(1988, 7, 15), date(1988, 7, 15)),
        ("1988-07/1988-09", date(1988, 7, 1), date(1988, 9, 30)),
        ("1988-22", date(1988, 6, 1), date(1988, 8, 31)),  # summer
        ("1989-01?", date(1989, 1, 1), date(1989, 1, 31)),
        ("2004-06~", date(2004, 6, 1), date(2004, 6, 30)),
        ("201X", date(2010, 1, 1), date(2019, 12, 31)),
        ("1985-XX-XX", date(1985, 1, 1), date(1985, 12, 31)),
        ("1984~/2004-06", date(1984, 1, 1), date(2004, 6, 30)),
        ("/1985", None, date(1985, 12, 31)),
        ("1985/..", date(1985, 1, 1), None),
        ("../1985-03", None, date(1985, 3, 31)),
        ("1985/", date(1985, 1, 1), None),
        ("2004-06-11T10:10:10Z", date(2004, 6, 11), date(2004, 6, 11)),
        ("XXXX", None, None),
        ("-0100", None, None),  # valid, but before year 1: no sortable bounds
        ("", None, None),
        ("  1990 ", date(1990, 1, 1), date(1990, 12, 31)),
    ],
)
def test_parse_date_derives_sortable_bounds(
    expression: str, start: date | None, end: date | None
) -> None:
    assert parse_date(expression) == DateRange(start, end)


@pytest.mark.parametrize(
    "expression",
    ["1988-13", "July 1988", "1988/1987", "1988/1989/1990", "../..", "/", "19888-01", "abc"],
)
def test_invalid_dates_are_refused_with_a_hint(expression: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(expression)
    assert (
        expression in str(caught.value) or "EDTF" in str(caught.value) or "/" in str(caught.value)
    )
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("1988-07/1988-09", "between July 1988 and September 1988"),
        ("1989-01?", "January 1989, uncertain"),
        ("1988-22", "summer 1988"),
        ("2004-06-11", "11 June 2004"),
        ("201X", "some year in the 2010s"),
        ("19XX", "some year in the 1900s"),
        ("1985/..", "from 1985 onwards"),
        ("/1985", "unknown start, until 1985"),
        ("1984~/2004-06", "between 1984 (approximate) and June 2004"),
        ("../1985", "any time up to 1985"),
        ("1985/", "from 1985, end unknown"),
        ("1990%", "1990, uncertain and approximate"),
        ("XXXX", "an unknown year"),
        ("-0100", "100 BCE"),
        (None, "no date"),
    ],
)
def test_describe_date_in_plain_words(expression: str | None, words: str) -> None:
    assert describe_date(expression) == words
