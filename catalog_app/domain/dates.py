"""Dates as archivists type them: EDTF (ISO 8601-2) strings with derived, sortable bounds.

The expression is kept exactly as typed; the start and end dates are derived from it so that
records sort and filter by date. Parsing is done by the `edtf` library (Library of Congress
specification); this module adds what a catalogue needs on top: open and unknown interval ends,
wholly unspecified dates, and a plain-words reading for the description form.
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

_MONTHS = list(calendar.month_name)
_SEASONS = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}
_SIMPLE = re.compile(
    r"^(?P<year>-?\d{4}|\d{2}XX|\d{3}X|XXXX)"
    r"(?:-(?P<month>\d{2}|XX))?(?:-(?P<day>\d{2}|XX))?(?P<qual>[?~%])?$"
)


class DateError(ValueError):
    """An expression that is not a valid EDTF date."""


@dataclass(frozen=True)
class DateRange:
    """What an EDTF expression covers: the earliest and latest day it can mean.

    None for a bound that is open, unknown, or outside the years 1-9999.
    """

    start: date | None
    end: date | None


_EMPTY = DateRange(None, None)


def _to_date(value: time.struct_time) -> date | None:
    if not 1 <= value.tm_year <= 9999:
        return None
    day = min(value.tm_mday, calendar.monthrange(value.tm_year, value.tm_mon)[1])
    return date(value.tm_year, value.tm_mon, day)


def _parse_one(text: str) -> Any:
    import edtf  # pyparsing grammar: slow to import, so only when a date is checked

    try:
        return edtf.parse_edtf(text)
    except Exception as exc:  # the library raises several unrelated types for bad input
        raise DateError(
            f"'{text}' is not a date in EDTF form (e.g. 1988, 1988-07, "
            "1988-07-15, 1988-07/1988-09, 1989-01?)"
        ) from exc


_PLAIN = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def _plain_bounds(text: str) -> DateRange | None:
    """The bounds of a plain year, month or day (most dates typed), without the grammar."""
    match = _PLAIN.match(text)
    if match is None or match.group(1) == "0000":
        return None
    year, month, day = (int(g) if g else 0 for g in match.groups())
    if month:
        if not 1 <= month <= 12:
            return None
        last = calendar.monthrange(year, month)[1]
        if day and not 1 <= day <= last:
            return None
        if day:
            return DateRange(date(year, month, day), date(year, month, day))
        return DateRange(date(year, month, 1), date(year, month, last))
    return DateRange(date(year, 1, 1), date(year, 12, 31))


def _bounds(text: str) -> DateRange:
    if text.strip("X-?~%") == "":
        return _EMPTY
    plain = _plain_bounds(text)
    if plain is not None:
        return plain
    parsed = _parse_one(text)
    return DateRange(_to_date(parsed.lower_strict()), _to_date(parsed.upper_strict()))


def parse_date(expression: str | None) -> DateRange:
    """Validate an EDTF expression and derive its bounds; empty input means no date."""
    text = (expression or "").strip()
    if not text:
        return _EMPTY
    if "/" not in text:
        return _bounds(text)
    if text.count("/") != 1:
        raise DateError(f"'{text}' has more than one '/': an interval has one start and one end")
    first, last = text.split("/")
    if first in ("", "..") and last in ("", ".."):
        raise DateError(f"'{text}' has neither a start nor an end")
    start = None if first in ("", "..") else _bounds(first).start
    end = None if last in ("", "..") else _bounds(last).end
    # The library validates the whole interval too (order of ends, qualifiers).
    ends = (first, last)
    if all(e not in ("", "..") for e in ends) and not all(_PLAIN.match(e) for e in ends):
        _parse_one(text)
    if start is not None and end is not None and start > end:
        raise DateError(f"'{text}' ends before it starts")
    return DateRange(start, end)


def _describe_single(text: str, *, in_interval: bool = False) -> str:
    match = _SIMPLE.match(text)
    if match is None:
        bounds = _bounds(text)
        return _span_words(bounds) or "an unspecified date"
    year, month, day, qual = match.group("year", "month", "day", "qual")
    if year == "XXXX":
        words = "an unknown year"
    elif year.endswith("XX"):
        words = f"some year in the {year[:2]}00s"
    elif year.endswith("X"):
        words = f"some year in the {year[:3]}0s"
    elif year.startswith("-"):
        words = f"{int(year[1:])} BCE"
    else:
        words = str(int(year))
    if month and month != "XX":
        number = int(month)
        if number in _SEASONS:
            words = f"{_SEASONS[number]} {words}"
        elif 1 <= number <= 12:
            words = f"{_MONTHS[number]} {words}"
            if day and day != "XX":
                words = f"{int(day)} {words}"
    qualifier = {"?": "uncertain", "~": "approximate", "%": "uncertain and approximate"}
    if not qual:
        return words
    return f"{words} ({qualifier[qual]})" if in_interval else f"{words}, {qualifier[qual]}"


def _span_words(bounds: DateRange) -> str:
    if bounds.start and bounds.end:
        return f"from {bounds.start.isoformat()} to {bounds.end.isoformat()}"
    return ""


def describe_date(expression: str | None) -> str:
    """A plain-words reading of an EDTF expression, e.g. 'between July 1988 and September 1988'.

    Raises DateError for an invalid expression, with a message that says what is accepted.
    """
    text = (expression or "").strip()
    if not text:
        return "no date"
    parse_date(text)
    if "/" not in text:
        return _describe_single(text)
    first, last = text.split("/")
    start = _describe_single(first, in_interval=True) if first not in ("", "..") else ""
    end = _describe_single(last, in_interval=True) if last not in ("", "..") else ""
    if first == "..":
        return f"any time up to {end}"
    if first == "":
        return f"unknown start, until {end}"
    if last == "..":
        return f"from {start} onwards"
    if last == "":
        return f"from {start}, end unknown"
    return f"between {start} and {end}"
