"""Bringing an existing inventory in from a CSV file of the `isad` or `atom` profile.

Every row is checked before anything is written and the problems are listed by row and
column; a real run then writes the whole file in one transaction, or nothing at all.
"""

from __future__ import annotations

import csv
import io
import re
import string
import uuid as uuid_module
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from catalog_app.domain.dates import DateError, parse_date
from catalog_app.domain.unit_rules import clean_unit_fields
from catalog_app.domain.vocabulary import (
    AccessStatus,
    AgentKind,
    AgentRole,
    DateKind,
    EventOutcome,
    EventType,
    Level,
    MediaKind,
    TitleSource,
)
from catalog_app.errors import CatalogError, ValidationError
from catalog_app.export import csv_atom, sentences
from catalog_app.export.columns import ISAD_COLUMNS
from catalog_app.services.ingest import TOOL
from catalog_app.services.lookup import find_unit
from catalog_app.services.refcodes import next_reference_codes
from catalog_app.services.relations import left_out_relations
from catalog_app.storage import derived, models
from catalog_app.storage.audit import Change, chained_rows, session_actor
from catalog_app.storage.bulk import insert_audited, next_ids
from catalog_app.storage.search_index import refresh_grades
from catalog_app.storage.types import utcnow

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue

Progress = Callable[[int, int], bool]
PROFILES = ("isad", "atom")
REQUIRED_COLUMNS = {
    "isad": ("Reference code", "Title", "Level"),
    "atom": ("legacyId", "title"),
}
_CHUNK = 500  # rows between progress reports; values per IN (...) query
_REQUIRED = frozenset({"title", "level"})
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_NAME_ROLE = re.compile(
    r"^(?P<name>.*\S)\s*\((?P<role>" + "|".join(r.value for r in AgentRole) + r")\)$"
)
_SOURCE_GRADE = re.compile(r"^\s*([A-Fa-f])(?![A-Za-z])")
_CREDIBILITY_GRADE = re.compile(r"^\s*([1-6])(?!\d)")
# The isad writer puts a ' before a cell a spreadsheet would read as a formula (OWASP):
# one that begins, after any quotes it already has, with one of these.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# The isad writer's reliability notes: labelled lines, then who graded it and when.
_NOTE_LABELS = {
    "Affiliation: ": "affiliation_note",
    "Corroboration: ": "corroboration_note",
    "Method: ": "method_note",
}
_GRADED = re.compile(r"^Graded [A-F][1-6](?: on (\d{4}-\d{2}-\d{2}))?(?: by (.+))?$")
_ATOM_ROLES = {
    "creation": AgentRole.CREATOR,
    "accumulation": AgentRole.CUSTODIAN,
    "publication": AgentRole.PUBLISHER,
}

# Columns holding one description field each, and the field.
_ISAD_FIELDS = {
    "Title": "title",
    "Level": "level",
    "Extent and medium": "extent",
    "Source address": "source_url",
    "Administrative / biographical history": "administrative_history",
    "Archival history": "archival_history",
    "Immediate source of acquisition": "acquisition",
    "Scope and content": "scope_content",
    "Appraisal, destruction and scheduling": "appraisal",
    "Accruals": "accruals",
    "Arrangement": "arrangement",
    "Conditions governing access": "access_note",
    "Conditions governing reproduction": "reproduction_note",
    "Languages": "languages",
    "Scripts": "scripts",
    "Physical characteristics and technical requirements": "physical_characteristics",
    "Finding aids": "finding_aids",
    "Existence and location of originals": "originals_location",
    "Existence and location of copies": "copies_location",
    "Related units of description": "related_note",
    "Publication note": "publication_note",
    "General note": "general_note",
    "Archivist's note": "archivist_note",
    "Rules or conventions": "rules",
    "Date of description": "description_date",
    "Type": "media_type",
}
# (archivalHistory, acquisition, locationOfOriginals, relatedUnitsOfDescription and
# generalNote hold what the atom writer generates after the typed text: _read_atom_texts.)
_ATOM_FIELDS = {
    "title": "title",
    "extentAndMedium": "extent",
    "scopeAndContent": "scope_content",
    "appraisal": "appraisal",
    "accruals": "accruals",
    "arrangement": "arrangement",
    "accessConditions": "access_note",
    "reproductionConditions": "reproduction_note",
    "physicalCharacteristics": "physical_characteristics",
    "findingAids": "finding_aids",
    "locationOfCopies": "copies_location",
    # AtoM splits these notes at '|'; the catalogue keeps one note, so they stay whole.
    "publicationNote": "publication_note",
    "archivistNote": "archivist_note",
    "rules": "rules",
    "revisionHistory": "description_date",
}
assert set(_ISAD_FIELDS) < set(ISAD_COLUMNS)


@dataclass(frozen=True)
class _Columns:
    """Where a profile keeps what the checks name in their problems."""

    code: str
    key: str
    uuid: str
    parent: str


_COLUMNS = {
    "isad": _Columns("Reference code", "Reference code", "UUID", "Parent reference code"),
    "atom": _Columns("identifier", "legacyId", "legacyId", "parentId"),
}


@dataclass(frozen=True)
class CsvProblem:
    """Something wrong with one cell (or a whole row) of the file."""

    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class CsvImportReport:
    path: str
    profile: str
    dry_run: bool
    rows: int  # data rows read (blank rows are not counted)
    problems: tuple[CsvProblem, ...] = ()
    created_ids: tuple[int, ...] = ()  # the new records, in the file's order
    cancelled: bool = False
    warnings: tuple[str, ...] = ()  # one line each: what was (or would be) left out, and why

    @property
    def rows_with_problems(self) -> int:
        return len({problem.row for problem in self.problems})

    @property
    def ok(self) -> bool:
        return not self.problems and not self.cancelled


class CsvImportProblems(ValidationError):
    """A real run refused because rows have problems; `report` lists them."""

    def __init__(self, report: CsvImportReport) -> None:
        count = report.rows_with_problems
        rows = "1 row has" if count == 1 else f"{count} rows have"
        super().__init__(
            f"{rows} problems, so nothing was imported; run with --dry-run to list them."
        )
        self.report = report


class _Cancelled(Exception):
    pass


@dataclass
class _Row:
    """One data row as read, checked and (later) written."""

    number: int
    fields: dict[str, Any] = field(default_factory=dict)  # cleaned unit columns
    key: str | None = None  # how children in the file name this row as their parent
    parent_key: str | None = None
    parent_text: str = ""  # the parent as the file names it
    uuid: str | None = None
    agents: list[tuple[str, str]] = field(default_factory=list)  # (name, role)
    histories: dict[str, str] = field(default_factory=dict)  # folded name -> history
    places: list[str] = field(default_factory=list)
    subjects: list[tuple[str, str]] = field(default_factory=list)  # (term, vocabulary)
    grade: dict[str, Any] | None = None  # a reliability assessment's values
    relations: list[sentences.RelationLine] = field(default_factory=list)  # outgoing ones
    notes: list[str] = field(default_factory=list)  # for the ingestion event
    restrict: bool = False  # atom: a draft description is not for the public
    parent_index: int | None = None  # a parent earlier in the file
    parent_id: int | None = None  # a parent already in the catalogue
    parent_access: str | None = None
    depth: int = 0
    id: int = 0

    @property
    def reference_code(self) -> str | None:
        code: str | None = self.fields.get("reference_code")
        return code


def _fold(text: str) -> str:
    """Reference codes, places and subjects compare as SQLite's NOCASE does (ASCII only)."""
    return text.translate(_ASCII_LOWER)


def _term(text: str) -> str:
    return " ".join(text.split())


def _lines(cell: str) -> list[str]:
    return [_term(line) for line in cell.splitlines() if line.strip()]


def _pipes(cell: str) -> list[str]:
    """AtoM's '|'-separated slots; `NULL` marks an empty slot of a parallel list."""
    if not cell.strip():
        return []
    return ["" if part.strip() == "NULL" else part.strip() for part in cell.split("|")]


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid_module.UUID(text)) == text.lower()
    except ValueError:
        return False


def _atom_date(value: str) -> str:
    """AtoM writes an unknown month or day as 00 (2016-00-00): drop those parts."""
    while value.endswith("-00"):
        value = value[:-3]
    return value


def _interval(start: str, end: str) -> str:
    if start and end:
        return start if start == end else f"{start}/{end}"
    return f"{start}/" if start else f"/{end}"  # EDTF: the other end is unknown


class _RowReader:
    """Reads one record's cells into a _Row, noting each problem with its column."""

    def __init__(self, number: int, cells: Mapping[str, str], problems: list[CsvProblem]):
        self.row = _Row(number)
        self.cells = cells
        self._problems = problems

    def problem(self, column: str, message: str) -> None:
        self._problems.append(CsvProblem(self.row.number, column, message))

    def cell(self, column: str) -> str:
        return self.cells.get(column, "")

    def put(self, column: str, name: str, value: Any) -> bool:
        try:
            self.row.fields.update(clean_unit_fields({name: value}))
        except ValidationError as exc:
            self.problem(column, str(exc))
            return False
        return True

    def put_present(self, columns: Mapping[str, str]) -> None:
        for column, name in columns.items():
            value = self.cells.get(column)
            # An empty optional cell leaves the field empty: nothing to check.
            if value is not None and (value.strip() or name in _REQUIRED):
                self.put(column, name, value)

    def date(
        self, column: str, expression: str, starts: tuple[str, str, str], *, free: bool
    ) -> bool:
        """The date from its expression column or else from its start and end columns;
        `free`: the expression column is display text that need not be EDTF (AtoM)."""
        start_column, start, end = starts
        expression = expression.strip()
        if expression:
            try:
                parse_date(expression)
            except DateError as exc:
                if not free:
                    self.problem(column, f"date: {exc}")
                    return False
            else:
                return self.put(column, "date_expression", expression)
        if start or end:
            return self.put(start_column, "date_expression", _interval(start, end))
        if expression:
            self.problem(
                column,
                f"'{expression}' is not an EDTF date, and there are no start or end dates "
                "to use instead",
            )
        return False

    def uuid(self, column: str, value: str) -> None:
        if _is_uuid(value.strip()):
            self.row.uuid = value.strip().lower()
        elif value.strip():
            self.problem(column, f"'{value.strip()}' is not a UUID")

    def grade(self, source: str, credibility: str, notes: str) -> None:
        if not source.strip() and not credibility.strip():
            return
        source_match = _SOURCE_GRADE.match(source)
        credibility_match = _CREDIBILITY_GRADE.match(credibility)
        if source_match is None:
            self.problem("Source reliability", f"'{source}' is not a grade A-F")
        if credibility_match is None:
            self.problem("Information credibility", f"'{credibility}' is not a grade 1-6")
        try:
            values = _assessment_notes(notes)
        except ValueError as exc:  # "Graded B2 on 2024-13-45"
            self.problem("Reliability notes", f"the date it was graded is not a date: {exc}")
            return
        if source_match and credibility_match:
            self.row.grade = {
                "source_reliability": source_match.group(1).upper(),
                "information_credibility": int(credibility_match.group(1)),
                **values,
            }


def _assessment_notes(text: str) -> dict[str, Any]:
    """The notes, assessor and day of an assessment from the isad writer's lines
    ("Affiliation: ...", ..., "Graded B2 on 2024-05-01 by Sara"); other text is a method note."""
    values: dict[str, Any] = {}
    other: list[str] = []
    for line in text.strip().splitlines():
        label = next((label for label in _NOTE_LABELS if line.startswith(label)), None)
        graded = _GRADED.match(line.strip())
        if label is not None:
            values[_NOTE_LABELS[label]] = line[len(label) :].strip() or None
        elif graded is not None:
            day, assessor = graded.groups()
            if day:
                values["assessed_at"] = datetime.combine(date.fromisoformat(day), time(), UTC)
            values["assessor"] = assessor
        elif line.strip():
            other.append(line.strip())
    if other:
        values["method_note"] = "\n".join([*other, values.get("method_note") or ""]).strip()
    return values


def _read_isad(reader: _RowReader) -> None:
    row, cell = reader.row, reader.cell
    code = cell("Reference code").strip()
    if code:
        reader.put("Reference code", "reference_code", code)
        row.key = _fold(code)
    row.parent_text = cell("Parent reference code").strip()
    row.parent_key = _fold(row.parent_text) or None
    reader.put_present(_ISAD_FIELDS)
    if cell("Access status").strip():
        reader.put("Access status", "access_status", cell("Access status"))
    if (
        reader.date(
            "Dates", cell("Dates"), ("Date start", cell("Date start"), cell("Date end")), free=False
        )
        and cell("Date kind").strip()
    ):
        reader.put("Date kind", "date_kind", cell("Date kind"))
    row.relations = _relations(_lines(cell("Relations")))
    row.agents += [(name, AgentRole.CREATOR.value) for name in _lines(cell("Creators"))]
    for line in _lines(cell("Names")):
        match = _NAME_ROLE.match(line)
        row.agents.append(
            (match["name"], match["role"]) if match else (line, AgentRole.SUBJECT.value)
        )
    row.subjects = [(term, "") for term in _lines(cell("Subjects"))]
    row.places = _lines(cell("Places"))
    reader.uuid("UUID", cell("UUID"))
    reader.grade(
        cell("Source reliability"), cell("Information credibility"), cell("Reliability notes")
    )
    if cell("Provenance").strip():
        row.notes.append(f"Provenance given in the file: {cell('Provenance').strip()}")
    if cell("Originals (SHA-256)").strip():
        originals = ", ".join(_lines(cell("Originals (SHA-256)")))
        row.notes.append(f"Originals listed in the file (not imported): {originals}")


def _read_atom(reader: _RowReader) -> None:
    row, cell = reader.row, reader.cell
    legacy = cell("legacyId").strip()
    row.key = legacy or None
    if _is_uuid(legacy):
        row.uuid = legacy.lower()
    elif legacy:
        row.notes.append(f"legacyId in the file: {legacy}")
    row.parent_text = cell("parentId").strip()
    row.parent_key = row.parent_text or None
    if cell("qubitParentSlug").strip() and not row.parent_key:
        reader.problem(
            "qubitParentSlug",
            "a parent named by an AtoM slug cannot be found here: give its legacyId in parentId",
        )
    if cell("identifier").strip():
        reader.put("identifier", "reference_code", cell("identifier"))
    reader.put_present(_ATOM_FIELDS)
    _read_atom_texts(reader)
    reader.put("levelOfDescription", "level", cell("levelOfDescription") or Level.ITEM.value)
    for column, name in (("language", "languages"), ("script", "scripts")):
        reader.put(column, name, [code for code in _pipes(cell(column)) if code])
    row.restrict = cell("publicationStatus").strip().casefold() == "draft"
    _read_atom_events(reader)
    _read_atom_notes(reader)
    row.subjects = [(_term(t), "") for t in _pipes(cell("subjectAccessPoints")) if t]
    row.places = [_term(p) for p in _pipes(cell("placeAccessPoints")) if p]
    row.agents += [
        (_term(n), AgentRole.SUBJECT.value) for n in _pipes(cell("nameAccessPoints")) if n
    ]
    kinds = {kind.value for kind in MediaKind}
    for genre in (_term(g) for g in _pipes(cell("genreAccessPoints")) if g):
        if genre.casefold() in kinds and "media_type" not in row.fields:
            row.fields["media_type"] = genre.casefold()
        else:
            row.subjects.append((genre, "genre"))


def _read_atom_events(reader: _RowReader) -> None:
    """The date (from the first event that has one) and the actors of AtoM's event columns,
    which are parallel '|' lists."""
    row, cell = reader.row, reader.cell
    columns = ("eventTypes", "eventDates", "eventStartDates", "eventEndDates", "eventActors")
    slots = {column: _pipes(cell(column)) for column in (*columns, "eventActorHistories")}
    count = max(len(values) for values in slots.values())

    def slot(column: str, index: int) -> str:
        values = slots[column]
        return values[index] if index < len(values) else ""

    dated = False
    for index in range(count):
        kind = slot("eventTypes", index).casefold() or DateKind.CREATION.value
        starts = (
            "eventStartDates",
            _atom_date(slot("eventStartDates", index)),
            _atom_date(slot("eventEndDates", index)),
        )
        if not dated and (slot("eventDates", index) or starts[1] or starts[2]):
            dated = True
            if reader.date("eventDates", slot("eventDates", index), starts, free=True):
                kinds = {k.value for k in DateKind}
                row.fields["date_kind"] = kind if kind in kinds else None
        actor = _term(slot("eventActors", index))
        if actor:
            role = _ATOM_ROLES.get(kind, AgentRole.CREATOR).value
            row.agents.append((actor, role))
            history = slot("eventActorHistories", index)
            if history:
                row.histories.setdefault(actor.casefold(), history)
                # What AtoM shows as the description's 3.2.2: its first creator's history.
                if role == AgentRole.CREATOR.value and "administrative_history" not in row.fields:
                    reader.put("eventActorHistories", "administrative_history", history)


def _read_atom_texts(reader: _RowReader) -> None:
    """The typed part of the cells the atom writer adds to; what it generated goes back
    where it came from (the source address, the relations) or, for the custody events the
    catalogue records again, into the ingestion event's note."""
    row, cell = reader.row, reader.cell
    typed, events = sentences.split_events(cell("archivalHistory"), sentences.CUSTODY_HEADING)
    reader.put("archivalHistory", "archival_history", typed)
    if events:
        row.notes.append(f"Custody events given in the file: {' '.join(events)}")
    typed, _ = sentences.split_events(cell("acquisition"), sentences.ACQUISITION_HEADING)
    reader.put("acquisition", "acquisition", typed)  # its events are custody events too
    typed, address = sentences.split_source_address(cell("locationOfOriginals"))
    reader.put("locationOfOriginals", "originals_location", typed)
    if address:
        reader.put("locationOfOriginals", "source_url", address)
    typed, lines = sentences.split_generated(
        cell("relatedUnitsOfDescription"), sentences.RELATIONS_HEADING, sentences.RELATION_LINE
    )
    reader.put("relatedUnitsOfDescription", "related_note", typed)
    row.relations = _relations(lines)


def _read_atom_notes(reader: _RowReader) -> None:
    """generalNote's notes: the typed note (which stays whole, '|' and all), the reliability
    grade and a date of a kind AtoM has no event type for."""
    row = reader.row
    typed: list[str] = []
    for note in reader.cell("generalNote").split("|") if reader.cell("generalNote") else []:
        dated = sentences.parse_date_note(note)
        grading = sentences.parse_reliability(note)
        if dated is not None and "date_expression" not in row.fields:
            expression, kind = dated
            if reader.date("generalNote", expression, ("generalNote", "", ""), free=False):
                row.fields["date_kind"] = kind
        elif (
            note.startswith(csv_atom.HISTORY_PREFIX) and "administrative_history" not in row.fields
        ):
            history = note.removeprefix(csv_atom.HISTORY_PREFIX)
            reader.put("generalNote", "administrative_history", history)
        elif grading is not None and row.grade is None:
            row.grade = {
                "source_reliability": grading.source_reliability.value,
                "information_credibility": int(grading.information_credibility),
                "affiliation_note": grading.affiliation_note,
                "corroboration_note": grading.corroboration_note,
                "method_note": grading.method_note,
                "assessor": grading.assessor,
                **({"assessed_at": grading.assessed_at} if grading.assessed_at else {}),
            }
        else:
            typed.append(note)
    reader.put("generalNote", "general_note", "|".join(typed))


def _relations(lines: Iterable[str]) -> list[sentences.RelationLine]:
    """The outgoing relations among the lines (each incoming one is the other record's)."""
    return [r for r in map(sentences.parse_relation, lines) if r is not None]


_READERS: dict[str, Callable[[_RowReader], None]] = {"isad": _read_isad, "atom": _read_atom}


def _read_file(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and the records of a UTF-8 CSV file (a BOM is allowed)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CatalogError(f"There is no file at {path}.") from None
    except OSError as exc:
        raise CatalogError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{path.name} is not UTF-8 text (byte {exc.start + 1} is not valid): "
            "save it as 'CSV UTF-8' and try again."
        ) from None
    # The csv module refuses a field longer than 128 KiB by default; an exported long
    # description can be longer, and no field can be longer than the file.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise ValidationError(f"{path.name} is not a readable CSV file: {exc}.") from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise ValidationError(f"{path.name} is empty: it has no header row.")
    return [cell.strip() for cell in records[0]], records[1:]


def _check_header(header: list[str], profile: str, path: Path) -> None:
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise ValidationError(
            f"{path.name} repeats the column(s) {', '.join(repeated)} in its header."
        )
    missing = [name for name in REQUIRED_COLUMNS[profile] if name not in header]
    if missing:
        others = [p for p in PROFILES if p != profile and REQUIRED_COLUMNS[p][0] in header]
        hint = f" It looks like the {others[0]} profile: choose that one." if others else ""
        raise ValidationError(
            f"{path.name} lacks the column(s) {', '.join(missing)} that the {profile} "
            f"profile needs.{hint}"
        )


def _padded(record: list[str], width: int) -> list[str]:
    return record + [""] * (width - len(record))


def _neutralised(cell: str) -> str:
    """The value before the isad writer made it safe for spreadsheets."""
    if cell.startswith("'") and cell.lstrip("'").startswith(_FORMULA_TRIGGERS):
        return cell[1:]
    return cell


class _Progress:
    """Calls `report(done, total)` every _CHUNK rows and at the end; False cancels."""

    def __init__(self, report: Progress | None, total: int) -> None:
        self._report, self.total, self.done, self._next = report, total, 0, _CHUNK

    def step(self, count: int = 1) -> None:
        self.done = min(self.total, self.done + count)
        if self._report is None or self.done < min(self._next, self.total):
            return
        self._next = self.done + _CHUNK
        if not self._report(self.done, self.total):
            raise _Cancelled

    def finish(self) -> None:
        if self.done < self.total:
            self.step(self.total - self.done)


def _relation_targets(session: Session, rows: list[_Row]) -> dict[str, int]:
    """The records the rows' relations can name, by folded reference code: those of the
    file (ids 0 until they are written) and those of the catalogue."""
    codes = {_fold(row.reference_code): row.id for row in rows if row.reference_code}
    wanted = sorted(
        {
            r.other_reference_code
            for row in rows
            for r in row.relations
            if _fold(r.other_reference_code) not in codes
        }
    )
    for start in range(0, len(wanted), _CHUNK):
        query = select(models.Unit.reference_code, models.Unit.id).where(
            models.Unit.reference_code.in_(wanted[start : start + _CHUNK])
        )
        for code, unit_id in session.execute(query):
            codes.setdefault(_fold(code), unit_id)
    return codes


def _unrelated(rows: list[_Row], codes: Mapping[str, int]) -> list[str]:
    """A warning for the relations that name a record neither in the file nor in the
    catalogue (none when there are none)."""
    unknown = [
        relation.other_reference_code
        for row in rows
        for relation in row.relations
        if _fold(relation.other_reference_code) not in codes
    ]
    return [left_out_relations(len(unknown), unknown, "the file")] if unknown else []


class CsvImportService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue

    def run(
        self,
        path: Path,
        *,
        profile: str = "isad",
        dry_run: bool = False,
        collection: str | None = None,
        report: Progress | None = None,
    ) -> CsvImportReport:
        """Check every row of the CSV file at `path`; unless `dry_run`, then write them all
        in one transaction under `collection` (a reference code; None: the top level).

        A real run with any problem writes nothing and raises CsvImportProblems, whose
        report lists them. `report(done, total)` returning False cancels (nothing written).
        """
        if profile not in PROFILES:
            raise ValidationError(f"'{profile}' is not a CSV profile: use {' or '.join(PROFILES)}")
        header, records = _read_file(path)
        _check_header(header, profile, path)
        problems: list[CsvProblem] = []
        warnings: list[str] = []
        progress = _Progress(report, len(records) * (1 if dry_run else 2))

        def result(
            rows: Sequence[_Row], ids: Iterable[int] = (), cancelled: bool = False
        ) -> CsvImportReport:
            ordered = sorted(problems, key=lambda problem: problem.row)
            return CsvImportReport(
                str(path),
                profile,
                dry_run,
                len(rows),
                tuple(ordered),
                tuple(ids),
                cancelled,
                tuple(warnings),
            )

        try:
            rows = self._read_rows(header, records, profile, problems, progress)
        except _Cancelled:
            return result([], cancelled=True)
        if dry_run:
            with self._cat.db.read() as session:
                self._check(session, rows, profile, collection, problems)
                warnings += _unrelated(rows, _relation_targets(session, rows))
            return result(rows)
        try:
            with self._cat.db.write(self._cat.actor, f"import of CSV file {path.name}") as session:
                parent = self._check(session, rows, profile, collection, problems)
                if problems:
                    raise CsvImportProblems(result(rows))
                warnings += self._write(session, rows, parent, path, profile, progress)
        except _Cancelled:
            return result(rows, cancelled=True)
        return result(rows, [row.id for row in rows])

    # -- checking ---------------------------------------------------------------------------

    def _read_rows(
        self,
        header: list[str],
        records: list[list[str]],
        profile: str,
        problems: list[CsvProblem],
        progress: _Progress,
    ) -> list[_Row]:
        neutralise = _neutralised if profile == "isad" else str
        rows: list[_Row] = []
        for index, record in enumerate(records):
            progress.step()
            if not any(cell.strip() for cell in record):
                continue  # a blank row (spreadsheets leave them at the end)
            reader = _RowReader(
                index + 2,
                {
                    # A short row has empty cells under the columns it lacks.
                    name: neutralise(cell)
                    for name, cell in zip(header, _padded(record, len(header)), strict=False)
                    if name
                },
                problems,
            )
            if any(cell.strip() for cell in record[len(header) :]):
                reader.problem(
                    "", f"the row has {len(record)} cells but the header only {len(header)}"
                )
            _READERS[profile](reader)
            rows.append(reader.row)
        return rows

    def _check(
        self,
        session: Session,
        rows: list[_Row],
        profile: str,
        collection: str | None,
        problems: list[CsvProblem],
    ) -> models.Unit | None:
        """Check the rows against each other and the catalogue, and find where each one
        goes. Returns the unit the file's top-level rows go under (None: the top level)."""
        top = find_unit(session, collection) if collection else None
        columns = _COLUMNS[profile]
        keys = {row.key for row in rows if row.key}
        by_key: dict[str, int] = {}
        codes: dict[str, int] = {}
        uuids: dict[str, int] = {}
        outside: list[_Row] = []  # rows whose parent is not in the file

        def note(row: _Row, column: str, message: str) -> None:
            problems.append(CsvProblem(row.number, column, message))

        for index, row in enumerate(rows):
            code = row.reference_code
            if code and _fold(code) in codes:
                note(row, columns.code, f"'{code}' is also in row {codes[_fold(code)]}")
            elif code:
                codes[_fold(code)] = row.number
            if row.key and row.key in by_key and profile == "atom":
                note(row, columns.key, f"'{row.key}' is also in row {rows[by_key[row.key]].number}")
            elif row.uuid and row.uuid in uuids:
                note(row, columns.uuid, f"{row.uuid} is also in row {uuids[row.uuid]}")
            if row.uuid:
                uuids.setdefault(row.uuid, row.number)
            if row.parent_key is None:
                pass
            elif row.parent_key == row.key:
                note(row, columns.parent, "a record cannot be its own parent")
            elif row.parent_key in by_key:
                row.parent_index = by_key[row.parent_key]
            elif row.parent_key in keys:
                note(row, columns.parent, "the parent comes later: put parents before children")
            elif profile == "atom":
                note(row, columns.parent, f"no row has the legacyId '{row.parent_text}'")
            else:
                outside.append(row)
            if row.key:
                by_key.setdefault(row.key, index)
        self._check_catalogue(session, rows, outside, columns, note)
        self._place(rows, top)
        return top

    def _check_catalogue(
        self,
        session: Session,
        rows: list[_Row],
        outside: list[_Row],
        columns: _Columns,
        note: Callable[[_Row, str, str], None],
    ) -> None:
        """Reference codes and records already in the catalogue; parents found there."""
        taken_codes = _existing(
            session,
            models.Unit.reference_code,
            [row.reference_code for row in rows if row.reference_code],
        )
        taken_uuids = _existing(session, models.Unit.uuid, [r.uuid for r in rows if r.uuid])
        for row in rows:
            code = row.reference_code
            if code and _fold(code) in taken_codes:
                note(row, columns.code, f"'{code}' is already used in the catalogue")
            if row.uuid and row.uuid in taken_uuids:
                note(row, columns.uuid, f"the record {row.uuid} is already in the catalogue")
        parents: dict[str, tuple[int, str]] = {}
        wanted = sorted({row.parent_text for row in outside})
        for start in range(0, len(wanted), _CHUNK):
            query = select(
                models.Unit.id, models.Unit.reference_code, models.Unit.access_status
            ).where(models.Unit.reference_code.in_(wanted[start : start + _CHUNK]))
            for unit_id, code, access in session.execute(query):
                parents[_fold(code)] = (unit_id, access)
        for row in outside:
            assert row.parent_key is not None
            if row.parent_key in parents:
                row.parent_id, row.parent_access = parents[row.parent_key]
            else:
                note(
                    row,
                    columns.parent,
                    f"no record has the reference code '{row.parent_text}', neither earlier "
                    "in the file nor in the catalogue",
                )

    def _place(self, rows: list[_Row], top: models.Unit | None) -> None:
        """Depth in the file and access status (inherited from the parent when not given)."""
        for row in rows:
            if row.parent_index is not None:
                parent = rows[row.parent_index]
                row.depth = parent.depth + 1
                inherited = parent.fields.get("access_status")
            elif row.parent_id is not None:
                inherited = row.parent_access
            else:
                row.parent_id = top.id if top else None
                inherited = top.access_status if top else None
            status = row.fields.get("access_status") or inherited or AccessStatus.OPEN.value
            if row.restrict and status == AccessStatus.OPEN.value:
                status = AccessStatus.RESTRICTED.value
            row.fields["access_status"] = status

    # -- writing ----------------------------------------------------------------------------

    def _write(
        self,
        session: Session,
        rows: list[_Row],
        top: models.Unit | None,
        path: Path,
        profile: str,
        progress: _Progress,
    ) -> list[str]:
        """Write the rows; the warnings of what was left out."""
        ids = next_ids(session, models.Unit, len(rows))
        for row, unit_id in zip(rows, ids, strict=True):
            row.id = unit_id
            row.uuid = row.uuid or models.new_uuid()
        self._fill_codes(session, rows, top)
        positions = self._positions(session, rows)
        units = []
        for row in rows:
            values = dict(row.fields)
            values.setdefault("level", Level.ITEM.value)
            units.append(
                {
                    **values,
                    "id": row.id,
                    "uuid": row.uuid,
                    "parent_id": self._parent_id(rows, row),
                    "position": positions[row.id],
                    "title_source": TitleSource.TYPED.value,
                    "harvested": [],
                    "languages": values.get("languages") or [],
                    "scripts": values.get("scripts") or [],
                    "version": 1,
                    "created_by": self._cat.actor,
                    "updated_by": self._cat.actor,
                }
            )
        for start in range(0, len(units), _CHUNK):
            insert_audited(session, models.Unit, units[start : start + _CHUNK])
            progress.step(min(_CHUNK, len(units) - start))
        _AccessPoints(session, path).link(rows)
        insert_audited(session, models.ProvenanceEvent, self._events(rows, path, profile))
        self._assess(session, rows)
        left_out = self._relate(session, rows)
        derived.mark(session, ids, moved=True)
        progress.finish()
        return left_out

    @staticmethod
    def _parent_id(rows: list[_Row], row: _Row) -> int | None:
        return rows[row.parent_index].id if row.parent_index is not None else row.parent_id

    def _fill_codes(self, session: Session, rows: list[_Row], top: models.Unit | None) -> None:
        """Generated reference codes (as UnitService.create makes them) for rows without
        one, parents before children, skipping the codes the file gives."""
        used = {_fold(row.reference_code) for row in rows if row.reference_code}
        groups: dict[tuple[int, int | None, int | None], list[_Row]] = {}
        for row in rows:
            if not row.reference_code:
                key = (row.depth, row.parent_index, row.parent_id)
                groups.setdefault(key, []).append(row)
        for (_, parent_index, parent_id), members in sorted(
            groups.items(), key=lambda item: item[0][0]
        ):
            parent: models.Unit | None
            if parent_index is not None:
                # Not written yet: what the generator reads of a parent is its uuid and code.
                known = rows[parent_index]
                parent = models.Unit(uuid=known.uuid, reference_code=known.reference_code)
            else:
                parent = session.get(models.Unit, parent_id) if parent_id else None
            codes: list[str] = []
            while len(codes) < len(members):
                for code in next_reference_codes(session, parent, len(members) - len(codes)):
                    if _fold(code) not in used:
                        used.add(_fold(code))
                        codes.append(code)
            for row, code in zip(members, codes, strict=True):
                row.fields["reference_code"] = code

    def _positions(self, session: Session, rows: list[_Row]) -> dict[int, int]:
        """Siblings in the file's order, after those the parent already has."""
        last: dict[tuple[str, int | None], int] = {}
        positions: dict[int, int] = {}
        for row in rows:
            if row.parent_index is not None:
                key: tuple[str, int | None] = ("file", row.parent_index)
                last.setdefault(key, 0)
            else:
                key = ("catalogue", row.parent_id)
                if key not in last:
                    where = (
                        models.Unit.parent_id == row.parent_id
                        if row.parent_id
                        else models.Unit.parent_id.is_(None)
                    )
                    last[key] = int(
                        session.scalar(
                            select(func.coalesce(func.max(models.Unit.position), 0)).where(where)
                        )
                        or 0
                    )
            last[key] += 1
            positions[row.id] = last[key]
        return positions

    def _relate(self, session: Session, rows: list[_Row]) -> list[str]:
        """The relations the file states, to records in the file (by reference code) or
        already in the catalogue; one to a record found in neither is left out, and said."""
        codes = _relation_targets(session, rows)
        relations: dict[tuple[int, int, str], dict[str, Any]] = {}
        for row in rows:
            for relation in row.relations:
                other = codes.get(_fold(relation.other_reference_code))
                if other is None or other == row.id:
                    continue
                relations.setdefault(
                    (row.id, other, relation.kind),
                    {
                        "from_unit_id": row.id,
                        "to_unit_id": other,
                        "kind": relation.kind,
                        "similarity": relation.similarity,
                        "note": relation.note,
                        "found_by": relation.found_by,
                        "created_by": self._cat.actor,
                    },
                )
        insert_audited(session, models.Relation, list(relations.values()))
        return _unrelated(rows, codes)

    def _events(self, rows: list[_Row], path: Path, profile: str) -> list[dict[str, Any]]:
        now = utcnow()
        occurred = now.isoformat(timespec="seconds").replace("+00:00", "Z")
        events = []
        for row in rows:
            note = " ".join(
                [
                    f"Description imported from the CSV file {path.name} ({profile} profile), "
                    f"row {row.number}.",
                    *row.notes,
                ]
            )
            events.append(
                {
                    "unit_id": row.id,
                    "event_type": EventType.INGESTION.value,
                    "occurred_at": occurred,
                    "occurred_start": now.date(),
                    "agent": self._cat.actor,
                    "tool": TOOL,
                    "outcome": EventOutcome.SUCCESS.value,
                    "note": note,
                    "recorded_by": self._cat.actor,
                }
            )
        return events

    def _assess(self, session: Session, rows: list[_Row]) -> None:
        now = utcnow()
        assessments: list[dict[str, Any]] = [
            {
                "affiliation_note": None,
                "corroboration_note": None,
                "method_note": None,
                "assessed_at": now,
                **row.grade,
                "unit_id": row.id,
                "assessor": row.grade.get("assessor") or self._cat.actor,
                "recorded_by": self._cat.actor,
            }
            for row in rows
            if row.grade is not None
        ]
        insert_audited(session, models.ReliabilityAssessment, assessments)
        refresh_grades(session.connection(), [row["unit_id"] for row in assessments])


def _existing(session: Session, column: Any, values: Sequence[str]) -> set[str]:
    """Which of `values` the column already holds (compared as the column compares)."""
    found: set[str] = set()
    for start in range(0, len(values), _CHUNK):
        found.update(
            _fold(value)
            for value in session.scalars(
                select(column).where(column.in_(values[start : start + _CHUNK]))
            )
        )
    return found


class _AccessPoints:
    """Subjects, places and agents matched to the catalogue's (created when new) and linked,
    in bulk, with the same audit rows the ORM writes for a link."""

    def __init__(self, session: Session, path: Path) -> None:
        self._session = session
        self._origin = f"Created from a name in the CSV file {path.name}."

    def link(self, rows: list[_Row]) -> None:
        places = self._places({_term(p) for row in rows for p in row.places})
        subjects = self._subjects({s for row in rows for s in row.subjects})
        agents = self._agents(rows)
        place_links, subject_links, agent_links = [], [], []
        place_changes: list[Change] = []
        subject_changes: list[Change] = []
        agent_changes: list[Change] = []
        for row in rows:
            assert row.uuid is not None
            for place_id, name, place_uuid in _unique(places[_fold(p)] for p in row.places):
                place_links.append({"unit_id": row.id, "place_id": place_id})
                place_changes.append(
                    ("add", "unit_places", row.uuid, "place", None, f"{name} [{place_uuid}]")
                )
            for subject_id, term, subject_uuid in _unique(
                subjects[(_fold(t), v)] for t, v in row.subjects
            ):
                subject_links.append({"unit_id": row.id, "subject_id": subject_id})
                subject_changes.append(
                    ("add", "unit_subjects", row.uuid, "subject", None, f"{term} [{subject_uuid}]")
                )
            for (agent_id, name, agent_uuid), role in _unique(
                (agents[n.casefold()], role) for n, role in row.agents
            ):
                agent_links.append({"unit_id": row.id, "agent_id": agent_id, "role": role})
                agent_changes.append(
                    (
                        "add",
                        "unit_agents",
                        row.uuid,
                        f"agent ({role})",
                        None,
                        f"{name} [{agent_uuid}]",
                    )
                )
        self._insert(models.UnitPlace, place_links, place_changes)
        self._insert(models.UnitSubject, subject_links, subject_changes)
        self._insert(models.UnitAgent, agent_links, agent_changes)

    def _insert(
        self, model: type[models.Base], rows: list[dict[str, Any]], changes: list[Change]
    ) -> None:
        if not rows:
            return
        session = self._session
        session.flush()
        session.execute(insert(model.__table__), rows)  # type: ignore[arg-type]
        actor, reason = session_actor(session)
        session.execute(insert(models.AuditEntry), chained_rows(session, changes, actor, reason))

    def _places(self, names: set[str]) -> dict[str, tuple[int, str, str]]:
        """Folded name -> (id, name, uuid), matched as TermService.place matches."""
        found = self._matching(models.Place, models.Place.name, names)
        known = {_fold(name): value for name, value in found.items()}
        new: list[dict[str, Any]] = [
            {"name": n, "variants": []} for n in _first_spellings(names, known)
        ]
        insert_audited(self._session, models.Place, new)
        known.update({_fold(r["name"]): (r["id"], r["name"], r["uuid"]) for r in new})
        return known

    def _subjects(self, terms: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, str, str]]:
        known: dict[tuple[str, str], tuple[int, str, str]] = {}
        for vocabulary in {v for _, v in terms}:
            wanted = {t for t, v in terms if v == vocabulary}
            found = self._matching(
                models.Subject, models.Subject.term, wanted, models.Subject.vocabulary == vocabulary
            )
            mine = {_fold(term): value for term, value in found.items()}
            new: list[dict[str, Any]] = [
                {"term": t, "vocabulary": vocabulary, "uri": None}
                for t in _first_spellings(wanted, mine)
            ]
            insert_audited(self._session, models.Subject, new)
            mine.update({_fold(r["term"]): (r["id"], r["term"], r["uuid"]) for r in new})
            known.update({(term, vocabulary): value for term, value in mine.items()})
        return known

    def _matching(
        self, model: Any, column: Any, names: set[str], *where: Any
    ) -> dict[str, tuple[int, str, str]]:
        ordered = sorted(names)
        found: dict[str, tuple[int, str, str]] = {}
        for start in range(0, len(ordered), _CHUNK):
            query = select(model.id, column, model.uuid).where(
                column.in_(ordered[start : start + _CHUNK]), *where
            )
            for term_id, name, term_uuid in self._session.execute(query):
                found[name] = (term_id, name, term_uuid)
        return found

    def _agents(self, rows: list[_Row]) -> dict[str, tuple[int, str, str]]:
        """Casefolded name -> (id, authorised name, uuid): an agent with this authorised or
        variant name (as the file import matches authors), created as a person if none."""
        wanted: dict[str, str] = {}
        histories: dict[str, str] = {}
        for row in rows:
            for name, _ in row.agents:
                wanted.setdefault(name.casefold(), name)
            for folded, history in row.histories.items():
                histories.setdefault(folded, history)
        known: dict[str, tuple[int, str, str]] = {}
        if not wanted:
            return known
        names = select(models.Agent.id, models.Agent.authorised_name).union_all(
            select(models.AgentName.agent_id, models.AgentName.name)
        )
        agents = {
            agent_id: (name, agent_uuid)
            for agent_id, name, agent_uuid in self._session.execute(
                select(models.Agent.id, models.Agent.authorised_name, models.Agent.uuid)
            )
        }
        for agent_id, name in sorted(self._session.execute(names), key=lambda r: r[0]):
            if name.casefold() in wanted:
                authorised, agent_uuid = agents[agent_id]
                known.setdefault(name.casefold(), (agent_id, authorised, agent_uuid))
        new: list[dict[str, Any]] = [
            {
                "authorised_name": name,
                "kind": AgentKind.PERSON.value,
                "history": histories.get(folded),
                "notes": self._origin,
            }
            for folded, name in wanted.items()
            if folded not in known
        ]
        insert_audited(self._session, models.Agent, new)
        known.update(
            {
                r["authorised_name"].casefold(): (r["id"], r["authorised_name"], r["uuid"])
                for r in new
            }
        )
        return known


def _first_spellings(names: Iterable[str], known: Mapping[str, Any]) -> list[str]:
    """Names not yet known, one spelling each (the first in sorted order)."""
    new: dict[str, str] = {}
    for name in sorted(names):
        if _fold(name) not in known:
            new.setdefault(_fold(name), name)
    return list(new.values())


def _unique(items: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(items))
