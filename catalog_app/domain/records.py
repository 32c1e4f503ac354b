"""Records the services hand to their callers: frozen dataclasses, safe to pass across threads."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from catalog_app.domain.reliability import (
    InformationCredibility,
    SourceReliability,
    format_grade,
)

# The descriptive fields of a unit that a person can set, in ISAD(G) order (3.2.1, the
# creator, is the unit's agents in the creator role; 3.1.4 and 3.4.3 are choices and lists).
UNIT_TEXT_FIELDS: tuple[str, ...] = (
    "reference_code",  # 3.1.1
    "title",  # 3.1.2
    "date_expression",  # 3.1.3
    "extent",  # 3.1.5
    "administrative_history",  # 3.2.2
    "archival_history",  # 3.2.3
    "acquisition",  # 3.2.4
    "scope_content",  # 3.3.1
    "appraisal",  # 3.3.2
    "accruals",  # 3.3.3
    "arrangement",  # 3.3.4
    "access_note",  # 3.4.1
    "reproduction_note",  # 3.4.2
    "physical_characteristics",  # 3.4.4
    "finding_aids",  # 3.4.5
    "originals_location",  # 3.5.1
    "copies_location",  # 3.5.2
    "related_note",  # 3.5.3
    "publication_note",  # 3.5.4
    "general_note",  # 3.6.1
    "archivist_note",  # 3.7.1
    "rules",  # 3.7.2
    "description_date",  # 3.7.3
    "source_url",  # where captured material was taken from
)
UNIT_CHOICE_FIELDS: tuple[str, ...] = (
    "level",
    "title_source",
    "date_kind",
    "access_status",
    "media_type",
)
UNIT_LIST_FIELDS: tuple[str, ...] = ("languages", "scripts")
UNIT_EDITABLE_FIELDS: frozenset[str] = frozenset(
    UNIT_TEXT_FIELDS + UNIT_CHOICE_FIELDS + UNIT_LIST_FIELDS
)


@dataclass(frozen=True)
class UnitSummary:
    id: int
    uuid: str
    reference_code: str
    title: str
    level: str
    parent_id: int | None
    date_expression: str | None
    date_start: date | None
    date_end: date | None
    access_status: str
    media_type: str | None
    children_count: int = 0


@dataclass(frozen=True)
class AgentName:
    name: str
    kind: str
    script: str | None


@dataclass(frozen=True)
class AgentRecord:
    id: int
    uuid: str
    kind: str
    authorised_name: str
    dates_of_existence: str | None
    history: str | None
    notes: str | None
    sources: str | None
    names: tuple[AgentName, ...] = ()


@dataclass(frozen=True)
class AgentLink:
    agent_id: int
    agent_uuid: str
    authorised_name: str
    kind: str
    role: str


@dataclass(frozen=True)
class TermRecord:
    """A place or subject term."""

    id: int
    uuid: str
    name: str
    vocabulary: str | None = None
    uri: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileRecord:
    id: int
    uuid: str
    sha256: str
    size: int
    media_type: str
    original_name: str
    original_path: str | None
    original_modified_at: datetime | None
    stored_path: str | None
    text_method: str | None
    text_language: str | None
    text_length: int
    is_evidentiary: bool
    added_at: datetime


@dataclass(frozen=True)
class NewEvent:
    """A provenance (custody) event as a person or the program records it."""

    event_type: str
    occurred_at: str | None = None
    agent: str | None = None
    tool: str | None = None
    place: str | None = None
    source_url: str | None = None
    outcome: str | None = None
    note: str | None = None
    file_id: int | None = None


@dataclass(frozen=True)
class EventRecord(NewEvent):
    id: int = 0
    uuid: str = ""
    occurred_start: date | None = None
    recorded_at: datetime | None = None
    recorded_by: str | None = None


@dataclass(frozen=True)
class NewAssessment:
    source_reliability: SourceReliability
    information_credibility: InformationCredibility
    affiliation_note: str | None = None
    corroboration_note: str | None = None
    method_note: str | None = None
    assessor: str | None = None
    assessed_at: datetime | None = None


@dataclass(frozen=True)
class AssessmentRecord(NewAssessment):
    id: int = 0
    uuid: str = ""
    recorded_by: str | None = None

    @property
    def grade(self) -> str:
        return format_grade(self.source_reliability, self.information_credibility)


@dataclass(frozen=True)
class RelationRecord:
    id: int
    uuid: str
    kind: str
    direction: str  # "outgoing": this unit -> other; "incoming": other -> this unit
    other_id: int
    other_reference_code: str
    other_title: str
    similarity: float | None
    note: str | None
    found_by: str


@dataclass(frozen=True)
class UnitDetail:
    id: int
    uuid: str
    reference_code: str
    title: str
    title_source: str
    level: str
    parent_id: int | None
    parent_reference_code: str | None
    position: int
    date_expression: str | None
    date_start: date | None
    date_end: date | None
    date_kind: str | None
    extent: str | None
    administrative_history: str | None
    archival_history: str | None
    acquisition: str | None
    scope_content: str | None
    appraisal: str | None
    accruals: str | None
    arrangement: str | None
    access_status: str
    access_note: str | None
    reproduction_note: str | None
    physical_characteristics: str | None
    finding_aids: str | None
    originals_location: str | None
    copies_location: str | None
    related_note: str | None
    publication_note: str | None
    general_note: str | None
    archivist_note: str | None
    rules: str | None
    description_date: str | None
    source_url: str | None
    media_type: str | None
    languages: tuple[str, ...]
    scripts: tuple[str, ...]
    harvested: tuple[str, ...]  # fields whose value came from the document, not a person
    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    withdrawn_at: datetime | None
    children_count: int
    agents: tuple[AgentLink, ...] = ()
    places: tuple[TermRecord, ...] = ()
    subjects: tuple[TermRecord, ...] = ()
    files: tuple[FileRecord, ...] = ()
    events: tuple[EventRecord, ...] = ()
    assessments: tuple[AssessmentRecord, ...] = ()  # newest first
    relations: tuple[RelationRecord, ...] = ()

    @property
    def current_assessment(self) -> AssessmentRecord | None:
        return self.assessments[0] if self.assessments else None


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    action: str
    table_name: str
    row_uuid: str
    field: str | None
    old_value: str | None
    new_value: str | None
    reason: str | None
    hash: str


@dataclass(frozen=True)
class CatalogueStats:
    path: str
    schema_revision: str | None
    counts: dict[str, int] = field(default_factory=dict)


def to_jsonable(value: Any) -> Any:
    """Turn records (and what they hold) into JSON-ready values, with grades spelled out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, AssessmentRecord):
            result["grade"] = value.grade
            result["source_reliability_label"] = value.source_reliability.label
            result["information_credibility_label"] = value.information_credibility.label
        return result
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, str):
        return displayable(value)
    return value


def displayable(text: str) -> str:
    """`text` with the undecodable bytes of a file name (kept by Python as lone surrogates)
    written as `\\xff` escapes, so that it can be printed and is valid JSON."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return text.encode("utf-8", "backslashreplace").decode("utf-8")
        return raw.decode("utf-8", "backslashreplace")
    return text


@dataclass(frozen=True)
class ImportItem:
    """What happened to one file of an import."""

    path: str
    outcome: str  # "imported", "duplicate" or "failed"
    id: int | None = None
    reference_code: str | None = None
    reason: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    items: tuple[ImportItem, ...]
    skipped: tuple[str, ...] = ()  # system files and repeated folder links, not material
    cancelled: bool = False

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.items if item.outcome == outcome)

    @property
    def new_ids(self) -> list[int]:
        return [i.id for i in self.items if i.outcome == "imported" and i.id is not None]


@dataclass(frozen=True)
class SearchHit:
    id: int
    reference_code: str
    title: str
    level: str
    date_expression: str | None
    access_status: str
    media_type: str | None
    score: float
    snippet: str
    highlights: tuple[tuple[int, int], ...]  # [start, end) in snippet
    title_highlights: tuple[tuple[int, int], ...] = ()  # [start, end) in title


@dataclass(frozen=True)
class SearchResults:
    query: str
    total: int
    offset: int
    hits: tuple[SearchHit, ...]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    facets_exact: bool = True
    ranking: str = "bm25"  # "bm25", "tiered" for large results, or "browse"
    fuzzy: tuple[str, ...] = ()  # extra spellings the fuzzy mode searched for
    total_exact: bool = True  # False: `total` is an estimate (large results)
    ids: tuple[int, ...] = ()  # the page's record ids, in order (also without snippets)
