"""How the catalogue's custody events, reliability grades, relations, source address and dates
read in a finding aid, written once for every format (and read back by the CSV import, so
that what a finding aid generates is told apart from what a person typed).

Which events tell the custody (ISAD(G) 3.2.3 archival history: "successive transfers of
ownership, responsibility and/or custody"; the Berkeley Protocol's chain of custody of
custodians, transfers and disposition): the material coming into being or into our hands
(creation, capture, acquisition, accession, ingestion), passing between custodians (transfer,
custody change) and leaving custody (deaccession, deletion). The other PREMIS events
(checksums, fixity and virus checks, format identification, validation, metadata work,
migration, normalization, replication, renaming, redaction, signatures) are preservation
work on material already held: EAD files them under <processinfo>. Of these, acquisition
and accession say where the material came from (ISAD(G) 3.2.4, immediate source).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from catalog_app.domain.records import (
    AssessmentRecord,
    EventRecord,
    RelationRecord,
    UnitDetail,
)
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.domain.vocabulary import EventType, FoundBy, RelationKind

CUSTODY_EVENTS = frozenset(
    {
        EventType.CREATION,
        EventType.CAPTURE,
        EventType.ACQUISITION,
        EventType.ACCESSION,
        EventType.INGESTION,
        EventType.TRANSFER,
        EventType.CUSTODY_CHANGE,
        EventType.DEACCESSION,
        EventType.DELETION,
    }
)
ACQUISITION_EVENTS = frozenset({EventType.ACQUISITION, EventType.ACCESSION})

# Headings before the generated part of a text cell (after what a person typed, if any).
CUSTODY_HEADING = "Custody events recorded in the catalogue:"
ACQUISITION_HEADING = "Acquisition events recorded in the catalogue:"
RELATIONS_HEADING = "Relations recorded in the catalogue:"
SOURCE_PREFIX = "Source address: "
NO_DATE = "Date unknown"
NO_KIND = "kind not recorded"

_EVENT_LINE = re.compile(
    rf"^(?:{NO_DATE}|\S+): (?:{'|'.join(re.escape(t.value) for t in EventType)})\b"
)
_DATE_NOTE = re.compile(r"^Date \((?P<kind>[^)]+)\): (?P<date>\S.*)$", re.DOTALL)
_GRADE = re.compile(
    r"^Source reliability (?P<source>[A-F]) \([^)]*\), information credibility "
    r"(?P<credibility>[1-6]) \([^)]*\)(?: — assessed(?: by (?P<assessor>.+?))?"
    r"(?: on (?P<day>\d{4}-\d{2}-\d{2}))?)?:?$"
)
_REASONS = (
    ("Affiliation: ", "affiliation_note"),
    ("Corroboration: ", "corroboration_note"),
    ("Method: ", "method_note"),
)
_KINDS = "|".join(re.escape(k.value) for k in sorted(RelationKind, key=len, reverse=True))
_RELATION = re.compile(
    rf"^This record (?P<kind>{_KINDS}) (?P<code>.+?) “(?P<title>.*?)”"
    r"(?: \((?P<facts>[^)]*)\))?(?:: (?P<note>.*))?$"
)


def one_line(value: str) -> str:
    return " ".join(value.split())


# -- custody events -------------------------------------------------------------------------


def event_sentence(event: EventRecord) -> str:
    """One event as a sentence on one line: when, what, who, with what, where, from where,
    how it went, and its note, e.g. "2019-11-02: capture by Field worker using wget 1.21 at
    Tehran from https://example.org/letters (success). Captured with headers."."""
    line = f"{event.occurred_at or NO_DATE}: {event.event_type}"
    for prefix, value in (
        (" by ", event.agent),
        (" using ", event.tool),
        (" at ", event.place),
        (" from ", event.source_url),
    ):
        if value:
            line += f"{prefix}{one_line(value)}"
    if event.outcome:
        line += f" ({event.outcome})"
    return f"{line}. {one_line(event.note)}" if event.note else f"{line}."


def custody_events(events: Iterable[EventRecord]) -> list[EventRecord]:
    """The events that tell the chain of custody, in the record's (date) order."""
    return [e for e in events if e.event_type in CUSTODY_EVENTS]


def acquisition_events(events: Iterable[EventRecord]) -> list[EventRecord]:
    return [e for e in events if e.event_type in ACQUISITION_EVENTS]


def preservation_events(events: Iterable[EventRecord]) -> list[EventRecord]:
    """The events that are work on material already held (checks, migrations, ...)."""
    return [e for e in events if e.event_type not in CUSTODY_EVENTS]


def with_events(typed: str | None, heading: str, events: Iterable[EventRecord]) -> str:
    """A text cell: what a person typed, then `heading` and one paragraph per event."""
    return with_generated(typed, heading, [event_sentence(e) for e in events])


def with_generated(typed: str | None, heading: str, lines: list[str]) -> str:
    """`typed`, then (if there are `lines`) `heading` and the lines, blank-line separated
    so that a reader (and AtoM's Markdown) shows each as a paragraph."""
    parts = [typed.strip()] if typed and typed.strip() else []
    if lines:
        parts.append("\n\n".join([heading, *lines]))
    return "\n\n".join(parts)


def split_generated(
    cell: str, heading: str, is_line: re.Pattern[str] | None = None
) -> tuple[str, list[str]]:
    """The typed text and the generated lines of a cell `with_generated` wrote; a cell whose
    heading is followed by anything but generated lines is all typed text."""
    marker = cell.rfind(heading)
    if marker < 0 or (marker and not cell[:marker].endswith("\n\n")):
        return cell, []
    lines = [line.strip() for line in cell[marker + len(heading) :].splitlines() if line.strip()]
    pattern = is_line or _EVENT_LINE
    if not lines or not all(pattern.match(line) for line in lines):
        return cell, []
    return cell[:marker].strip(), lines


def split_events(cell: str, heading: str) -> tuple[str, list[str]]:
    return split_generated(cell, heading, _EVENT_LINE)


# -- the source address ---------------------------------------------------------------------


def source_address(detail: UnitDetail) -> str | None:
    """Where captured material was taken from: the record's own source address, or for a
    record catalogued before it had one, that of its first event that names one."""
    if detail.source_url:
        return detail.source_url
    return next((e.source_url for e in detail.events if e.source_url), None)


def with_source_address(typed: str | None, address: str | None) -> str:
    """ISAD(G) 3.5.1 (existence and location of originals): a captured page is a copy of
    the one at its address, so the address follows what a person typed."""
    lines = [f"{SOURCE_PREFIX}{address}"] if address else []
    return "\n\n".join([*([typed.strip()] if typed and typed.strip() else []), *lines])


def split_source_address(cell: str) -> tuple[str, str | None]:
    """The typed text and the source address of a cell `with_source_address` wrote."""
    text, _, last = cell.rstrip().rpartition("\n")
    if last.startswith(SOURCE_PREFIX) and (not text or text.endswith("\n")):
        return text.strip(), last[len(SOURCE_PREFIX) :].strip() or None
    return cell, None


# -- dates of a kind a format does not know --------------------------------------------------


def date_note(detail: UnitDetail) -> str:
    """e.g. "Date (capture): 2024-03-02", "Date (kind not recorded): 1985~"."""
    return f"Date ({detail.date_kind or NO_KIND}): {detail.date_expression}"


def parse_date_note(text: str) -> tuple[str, str | None] | None:
    """(date expression, kind or None) of a `date_note`, or None for other text."""
    match = _DATE_NOTE.match(text.strip())
    if match is None:
        return None
    kind = match["kind"]
    return match["date"].strip(), None if kind == NO_KIND else kind


# -- reliability grades ---------------------------------------------------------------------


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]


def reliability_lines(assessment: AssessmentRecord) -> list[str]:
    """The grading for a reader: "Source reliability B (usually reliable), information
    credibility 2 (probably true) — assessed by Sara on 2026-01-05:", then one line per
    reason ("Affiliation: ...", "Corroboration: ...", "Method: ...")."""
    source, credibility = assessment.source_reliability, assessment.information_credibility
    line = (
        f"Source reliability {source.value} ({_lower(source.label)}), information "
        f"credibility {int(credibility)} ({_lower(credibility.label)})"
    )
    if assessment.assessor or assessment.assessed_at:
        line += " — assessed"
        if assessment.assessor:
            line += f" by {one_line(assessment.assessor)}"
        if assessment.assessed_at:
            line += f" on {assessment.assessed_at.date().isoformat()}"
    reasons = [
        f"{label}{one_line(value)}"
        for label, name in _REASONS
        if (value := getattr(assessment, name))
    ]
    return [line + ":" if reasons else line, *reasons]


def reliability_text(assessment: AssessmentRecord) -> str:
    return "\n".join(reliability_lines(assessment))


@dataclass(frozen=True)
class Grading:
    """An assessment read back from `reliability_text`."""

    source_reliability: SourceReliability
    information_credibility: InformationCredibility
    assessor: str | None = None
    assessed_at: datetime | None = None
    affiliation_note: str | None = None
    corroboration_note: str | None = None
    method_note: str | None = None


def parse_reliability(text: str) -> Grading | None:
    """The assessment of a `reliability_text`, or None for other text."""
    first, *rest = text.strip().splitlines() or [""]
    match = _GRADE.match(first.strip())
    if match is None:
        return None
    notes: dict[str, str] = {}
    for line in rest:
        for label, name in _REASONS:
            if line.startswith(label):
                notes[name] = line[len(label) :].strip()
                break
        else:
            return None
    try:
        day = (
            datetime.strptime(match["day"], "%Y-%m-%d").replace(tzinfo=UTC)
            if match["day"]
            else None
        )
    except ValueError:
        return None
    return Grading(
        SourceReliability(match["source"]),
        InformationCredibility(int(match["credibility"])),
        assessor=match["assessor"],
        assessed_at=day,
        **notes,
    )


# -- relations ------------------------------------------------------------------------------


def relation_sentence(relation: RelationRecord) -> str:
    """e.g. "This record republishes FA/2 “The letters” (similarity 0.93): note" or, seen
    from the other record, "FA/1 “The copy” republishes this record"."""
    other = f"{relation.other_reference_code} “{one_line(relation.other_title)}”"
    if relation.direction == "outgoing":
        line = f"This record {relation.kind} {other}"
    else:
        line = f"{other} {relation.kind} this record"
    facts = []
    if relation.similarity is not None:
        facts.append(f"similarity {relation.similarity:.2f}")
    if relation.found_by == FoundBy.METHOD.value:
        facts.append("found by a method")
    if facts:
        line += f" ({'; '.join(facts)})"
    return f"{line}: {one_line(relation.note)}" if relation.note else line


@dataclass(frozen=True)
class RelationLine:
    """An outgoing relation read back from `relation_sentence`."""

    kind: str
    other_reference_code: str
    similarity: float | None
    found_by: str
    note: str | None


RELATION_LINE = re.compile(
    rf"^(?:This record (?:{_KINDS}) .+|.+ (?:{_KINDS}) this record(?: \(.*\))?(?:: .*)?)$"
)


def parse_relation(line: str) -> RelationLine | None:
    """The outgoing relation a line states, or None (an incoming one is stated by the other
    record's own line)."""
    match = _RELATION.match(line.strip())
    if match is None:
        return None
    similarity: float | None = None
    found_by = FoundBy.PERSON.value
    for fact in (match["facts"] or "").split("; "):
        if fact.startswith("similarity "):
            try:
                similarity = float(fact.removeprefix("similarity "))
            except ValueError:
                return None
        elif fact == "found by a method":
            found_by = FoundBy.METHOD.value
    return RelationLine(match["kind"], match["code"], similarity, found_by, match["note"])
