"""How a record's values become table cells, shared by the CSV and XLSX writers.

Also the rule for neutralising spreadsheet formulas (OWASP "CSV injection"): a cell that
begins with one of FORMULA_TRIGGERS is prefixed with a single quote so that a spreadsheet
shows it as text, except an EDTF date in a date column (e.g. "-0044", 44 BCE), whose
characters cannot call a function. The rule is reversible (see `restore`).
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO, TextIO

from catalog_app.domain.records import (
    AssessmentRecord,
    EventRecord,
    FileRecord,
    UnitDetail,
)
from catalog_app.domain.vocabulary import AgentRole
from catalog_app.export.sentences import event_sentence, one_line

# OWASP lists = + - @ TAB CR; ASVS 1.2.10 adds LF.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
QUOTE = "'"
# Most cells begin with none of these, and are returned without a further look.
_CAN_BEGIN_A_FORMULA = frozenset(FORMULA_TRIGGERS) | {QUOTE}
# What an EDTF expression (levels 0-2) is made of: digits, X, the Y/S/E/T/Z markers and
# punctuation. No letters of a function name, no parentheses, no = or @.
_EDTF_CHARACTERS = re.compile(r"[0-9XYSETZ:.?~%/\-+\[\]{},^ ]*")


@dataclass(frozen=True)
class CsvReport:
    rows: int
    warnings: list[str] = field(default_factory=list)


@contextmanager
def text_stream(out: BinaryIO, *, bom: bool = False) -> Iterator[TextIO]:
    """UTF-8 text written through to `out` as it fills (which stays open afterwards)."""
    if bom:
        out.write(codecs.BOM_UTF8)
    stream = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        yield stream
    finally:
        stream.flush()
        stream.detach()


def looks_like_formula(text: str) -> bool:
    """True if a spreadsheet would read a cell holding `text` as a formula (or a number)."""
    return text.startswith(FORMULA_TRIGGERS)


def is_edtf_text(text: str) -> bool:
    return _EDTF_CHARACTERS.fullmatch(text) is not None


def neutralise(text: str, *, date_column: bool = False) -> str:
    """`text` as a spreadsheet cell that cannot run a formula.

    A value beginning (after any quotes) with = + - @ TAB CR or LF gets one more leading
    quote; in a date column, an EDTF expression such as "-0044" is left as it is. Values
    that already begin with a quote before a trigger get one more, so `restore` can undo
    the prefix exactly.
    """
    if not text or text[0] not in _CAN_BEGIN_A_FORMULA:
        return text
    if date_column and is_edtf_text(text):
        return text
    if looks_like_formula(text.lstrip(QUOTE)):
        return QUOTE + text
    return text


def neutralise_row(row: list[str], date_columns: Sequence[bool]) -> list[tuple[int, str]]:
    """`neutralise` each cell of `row` in place (`date_columns[n]`: whether cell n is in a
    date column); the index and former value of each cell it changed. Only cells whose
    first character could begin a formula are looked at further."""
    changed = []
    for n, value in enumerate(row):
        if value and value[0] in _CAN_BEGIN_A_FORMULA:
            cell = neutralise(value, date_column=date_columns[n])
            if cell != value:
                row[n] = cell
                changed.append((n, value))
    return changed


def restore(cell: str) -> str:
    """The value `neutralise` was given (for reading a neutralised file back)."""
    if cell.startswith(QUOTE) and looks_like_formula(cell.lstrip(QUOTE)):
        return cell[1:]
    return cell


def unique(values: Iterable[str]) -> list[str]:
    """The values in order, each once, without empty ones."""
    return list(dict.fromkeys(v for v in values if v))


def join_lines(values: Iterable[str]) -> str:
    """A multi-value cell for people: one value per line."""
    return "\n".join(values)


def text(value: str | None) -> str:
    return value or ""


def iso_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def label(value: str | None) -> str:
    """A vocabulary value as a heading word: "record group" -> "Record group"."""
    return value[:1].upper() + value[1:] if value else ""


def creators(detail: UnitDetail) -> list[str]:
    """The names of the agents linked as creators (ISAD(G) 3.2.1), in order."""
    return unique(a.authorised_name for a in detail.agents if a.role == AgentRole.CREATOR)


def other_names(detail: UnitDetail) -> list[str]:
    """The names of the other linked agents (subject, mentioned, publisher, custodian)."""
    names = creators(detail)
    return unique(
        a.authorised_name
        for a in detail.agents
        if a.role != AgentRole.CREATOR and a.authorised_name not in names
    )


def names_with_roles(detail: UnitDetail) -> list[str]:
    """The other linked agents for people: "Name" for a subject of the record, otherwise
    "Name (role)", e.g. "Mehdi Bazargan (mentioned)"."""
    return unique(
        a.authorised_name if a.role == AgentRole.SUBJECT else f"{a.authorised_name} ({a.role})"
        for a in detail.agents
        if a.role != AgentRole.CREATOR
    )


def subjects(detail: UnitDetail) -> list[str]:
    return unique(s.name for s in detail.subjects)


def places(detail: UnitDetail) -> list[str]:
    return unique(p.name for p in detail.places)


def source_reliability(assessment: AssessmentRecord | None) -> str:
    """e.g. "C — Fairly reliable"."""
    if assessment is None:
        return ""
    grade = assessment.source_reliability
    return f"{grade.value} — {grade.label}"


def information_credibility(assessment: AssessmentRecord | None) -> str:
    """e.g. "2 — Probably true"."""
    if assessment is None:
        return ""
    grade = assessment.information_credibility
    return f"{int(grade)} — {grade.label}"


def reliability_notes(assessment: AssessmentRecord | None) -> str:
    """The current assessment's notes, one labelled line each, then who graded it when."""
    if assessment is None:
        return ""
    lines = [
        f"{name}: {one_line(note)}"
        for name, note in (
            ("Affiliation", assessment.affiliation_note),
            ("Corroboration", assessment.corroboration_note),
            ("Method", assessment.method_note),
        )
        if note
    ]
    graded = f"Graded {assessment.grade}"
    if assessment.assessed_at:
        graded += f" on {assessment.assessed_at.date().isoformat()}"
    if assessment.assessor or assessment.recorded_by:
        graded += f" by {assessment.assessor or assessment.recorded_by}"
    return join_lines([*lines, graded])


def provenance_summary(events: Iterable[EventRecord]) -> str:
    """The chain of custody and the preservation work, one event per line, in date order."""
    return join_lines(event_sentence(e) for e in events)


def originals(files: Iterable[FileRecord]) -> str:
    """One "name sha256" line per original (the checksum is always the last word)."""
    return join_lines(f"{f.original_name} {f.sha256}" for f in files)


class Warnings:
    """Warnings for an export summary: at most `limit` of each kind spelled out, then how
    many more there were (100,000 records can make a lot of them)."""

    def __init__(self, limit: int = 20) -> None:
        self._limit = limit
        self._lines: list[str] = []
        self._counts: dict[str, int] = {}

    def add(self, kind: str, message: str) -> None:
        """`kind` names the problem in plural words, e.g. "values with a '|' in them"."""
        count = self._counts[kind] = self._counts.get(kind, 0) + 1
        if count <= self._limit:
            self._lines.append(message)

    def count(self, kind: str) -> int:
        return self._counts.get(kind, 0)

    def lines(self) -> list[str]:
        extra = [
            f"… and {count - self._limit} more {kind}"
            for kind, count in self._counts.items()
            if count > self._limit
        ]
        return [*self._lines, *extra]
