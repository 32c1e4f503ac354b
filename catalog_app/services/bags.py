"""BagIt transfer packages: exporting records with their originals and metadata, and
bringing such a package into a catalogue with its identity, custody and assessments kept.

A bag is made in a staging folder beside the target and renamed into place only when
complete, so a failed or cancelled export leaves nothing behind. An import checks every
checksum first and writes everything in one transaction; where files are stored is decided
by their SHA-256 alone, never by a path written in the bag.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog_app import __version__, staging
from catalog_app.domain.records import UNIT_EDITABLE_FIELDS
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.domain.unit_rules import clean_unit_fields, language_code, script_code
from catalog_app.domain.vocabulary import (
    AgentKind,
    AgentRole,
    EventOutcome,
    EventType,
    FoundBy,
    NameKind,
    RelationKind,
)
from catalog_app.errors import CatalogError, CatalogueReadOnly, ValidationError
from catalog_app.export import bag as bagit_format
from catalog_app.export import records_json
from catalog_app.export.bag import BagDamaged
from catalog_app.ingest import store
from catalog_app.services.description_language import LANGUAGE_KEY, SCRIPT_KEY
from catalog_app.services.export_source import ExportUnit, Selection, iter_units
from catalog_app.services.identity import host_name
from catalog_app.services.originals import OriginalsService
from catalog_app.services.refcodes import next_reference_codes
from catalog_app.services.relations import NAMED_AT_MOST, left_out_relations
from catalog_app.storage import derived, models
from catalog_app.storage.bulk import insert_audited
from catalog_app.storage.search_index import refresh_grades
from catalog_app.storage.types import utcnow

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue

Progress = Callable[[int, int], bool]
MetadataWriter = Callable[[Iterable[ExportUnit], BinaryIO], object]
CHUNK = 500  # records written per batch of an import
TOOL = f"catalog-app {__version__}"
_E = TypeVar("_E", bound=Enum)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
# bag-info.txt labels for the catalogue's language and script of description.
LANGUAGE_LABEL = "Description-Language"
SCRIPT_LABEL = "Description-Script"


@dataclass(frozen=True)
class BagReport:
    path: Path
    records: int
    originals: int
    payload_bytes: int  # bytes of the originals copied
    left_out: int  # restricted or confidential records left out
    left_out_codes: tuple[str, ...] = ()
    metadata_files: tuple[str, ...] = ()  # names under data/metadata/
    writer_reports: tuple[tuple[str, object], ...] = ()  # (file name, what its writer said)
    cancelled: bool = False  # nothing was written


@dataclass(frozen=True)
class BagImportReport:
    path: Path
    records: int
    originals: int
    relations: int
    agents_created: int
    source: str  # where the bag says it came from
    renamed: tuple[tuple[str, str], ...] = ()  # (code in the bag, code here) where taken here
    top_ids: tuple[int, ...] = ()  # the imported records at the top of their hierarchy
    cancelled: bool = False  # nothing was written
    # The bag's language and script of description ("fa Arab"), when it names them, and
    # whether this catalogue took them as its own (it does when it has none set yet).
    description_language: str | None = None
    description_language_adopted: bool = False
    warnings: tuple[str, ...] = ()  # one line each: what was left out, and why


class _Cancelled(Exception):
    pass


class BagService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue

    # -- export ---------------------------------------------------------------------------

    def export(
        self,
        target: Path,
        selection: Selection,
        *,
        metadata: Mapping[str, MetadataWriter],
        bag_info: Mapping[str, str],
        report: Progress | None = None,
    ) -> BagReport:
        """Write the records of `selection` as a bag at `target` (a new or empty folder).

        The payload holds each record's originals under data/originals/<record uuid>/ and,
        under data/metadata/, records.json plus one file per entry of `metadata`, written
        by its writer from the same records. `bag_info` fills bag-info.txt (Source-
        Organization, External-Description, ...), after the catalogue's language and script
        of description (Description-Language, Description-Script). `report(done, total)`
        returning False cancels, leaving nothing behind. Fills in `selection`'s counts of
        what was left out.
        """
        language = self._cat.description_language.get()
        bag_info = {LANGUAGE_LABEL: language.language, SCRIPT_LABEL: language.script, **bag_info}
        target = target.expanduser().absolute()
        try:
            free = bagit_format.bag_folder_is_free(target)
        except OSError as exc:
            raise CatalogError(
                f"Cannot write the bag to {target}: {exc.strerror or exc}. No bag was written."
            ) from exc
        if not free:
            raise CatalogError(
                f"{target} already exists and is not empty; choose a new folder for the bag."
            )
        for name in metadata:
            if name == bagit_format.RECORDS_FILE or bagit_format.safe_file_name(name, "") != name:
                raise ValueError(f"'{name}' cannot be the name of a metadata file in a bag")
        temporary = staging.staging_path(target)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            staging.sweep(target.parent)
            temporary.mkdir()
            result = self._fill(temporary, selection, metadata, report)
            if not result.cancelled:
                bagit_format.make(temporary, {str(k): str(v) for k, v in bag_info.items()})
                if target.exists():
                    target.rmdir()
                temporary.rename(target)
                staging.sync_folder(target.parent)
        except OSError as exc:
            raise CatalogError(
                f"Cannot write the bag to {target}: {exc.strerror or exc}. No bag was written."
            ) from exc
        finally:
            staging.remove(temporary)
        return replace(result, path=target)

    def _fill(
        self,
        staging: Path,
        selection: Selection,
        metadata: Mapping[str, MetadataWriter],
        report: Progress | None,
    ) -> BagReport:
        progress = _Passes(report, 1 + len(metadata))
        scope = _fresh(selection)
        copier = _Copier(
            staging / bagit_format.ORIGINALS, OriginalsService(self._cat), self._cat.store_key
        )
        folder = staging / bagit_format.METADATA
        folder.mkdir()
        with (folder / bagit_format.RECORDS_FILE).open("wb") as out:
            records = records_json.write(
                copier.copying(iter_units(self._cat, scope, progress.of(0))),
                out,
                catalogue=self._cat,
                include_restricted=selection.include_restricted,
                include_internal=selection.include_internal,
            )
        said: list[tuple[str, object]] = []
        for number, (name, writer) in enumerate(metadata.items(), start=1):
            if progress.cancelled:
                break
            units = iter_units(self._cat, _fresh(selection), progress.of(number))
            with (folder / name).open("wb") as out:
                said.append((name, writer(units, out)))
        selection.total, selection.left_out = scope.total, scope.left_out
        selection.left_out_codes = list(scope.left_out_codes)
        return BagReport(
            path=staging,
            records=records.rows,
            originals=copier.files,
            payload_bytes=copier.bytes,
            left_out=scope.left_out,
            left_out_codes=tuple(scope.left_out_codes),
            metadata_files=(bagit_format.RECORDS_FILE, *metadata),
            writer_reports=tuple(said),
            cancelled=progress.cancelled,
        )

    # -- import ---------------------------------------------------------------------------

    def import_bag(self, path: Path, *, report: Progress | None = None) -> BagImportReport:
        """Bring the records of the bag at `path` into this catalogue, keeping their UUIDs,
        hierarchy, description, access points, custody events and assessments, and adding a
        transfer event to each. The bag is checked in full first; a damaged or changed bag,
        or one whose records are already here, is refused and nothing is written."""
        if self._cat.readonly:
            raise CatalogueReadOnly(
                f"The catalogue {self._cat.path} is open read-only; nothing can be imported."
            )
        opened = bagit_format.open_valid(path)
        store.clear_incoming(store.store_root(self._cat.path))  # what a killed run left
        records_file = opened.metadata(bagit_format.RECORDS_FILE)
        plan = _plan(opened, records_file)
        with self._cat.db.read() as session:
            _refuse_existing(session, plan)
            taken_codes = _taken_codes(session, plan.codes)
            language = _description_language(opened)
            adopt = language is not None and session.get(models.Setting, LANGUAGE_KEY) is None
        stored = self._store(opened, plan)
        source = _source(opened)
        try:
            with (
                self._cat.db.write(self._cat.actor, reason=f"bag import: {source}") as session,
                records_file.open("rb") as reader,
            ):
                writer = _Writer(session, self._cat.actor, stored, taken_codes, source)
                for number, raw in enumerate(records_json.read(reader)):
                    writer.add(_parse(raw, number))
                    if writer.pending >= CHUNK:
                        writer.flush()
                        if report is not None and not report(number + 1, plan.count):
                            raise _Cancelled
                writer.flush()
                relations = writer.relate()
                if adopt and language is not None:
                    for key, value in zip((LANGUAGE_KEY, SCRIPT_KEY), language, strict=True):
                        session.merge(models.Setting(key=key, value=value))
        except _Cancelled:
            return BagImportReport(opened.root, 0, 0, 0, 0, source, cancelled=True)
        except ValueError as exc:  # records.json changed between the two readings
            raise _unusable(str(exc)) from exc
        if report is not None:
            report(plan.count, plan.count)
        return BagImportReport(
            path=opened.root,
            records=plan.count,
            originals=len(stored),
            relations=relations,
            agents_created=writer.agents_created,
            source=source,
            renamed=tuple(writer.renamed),
            top_ids=tuple(writer.top_ids),
            description_language=" ".join(language) if language else None,
            description_language_adopted=adopt,
            warnings=tuple(writer.warnings),
        )

    def _store(self, opened: bagit_format.OpenedBag, plan: _Plan) -> dict[str, str]:
        """Copy each original into the store (named by its hash, sealed in an encrypted
        catalogue): SHA-256 -> stored path."""
        root = store.store_root(self._cat.path)
        stored: dict[str, str] = {}
        for sha256 in plan.originals:
            kept = store.put(opened.original(sha256), root, self._cat.store_key)
            if kept.sha256 != sha256:
                raise BagDamaged(
                    f"The original {opened.payload_by_sha256[sha256]} changed while the bag "
                    "was being imported; nothing was imported."
                )
            stored[sha256] = kept.relative_path
        store.make_durable()
        return stored


# -- export helpers --------------------------------------------------------------------------


def _fresh(selection: Selection) -> Selection:
    """A copy of the selection for one reading of the records (each counts what it leaves out)."""
    return Selection(selection.collection, selection.include_restricted, selection.include_internal)


class _Passes:
    """Progress over several readings of the same records, as one count."""

    def __init__(self, report: Progress | None, passes: int) -> None:
        self._report = report
        self._passes = passes
        self.cancelled = False

    def of(self, number: int) -> Progress | None:
        if self._report is None:
            return None
        report = self._report

        def progress(done: int, total: int) -> bool:
            if not report(number * total + done, self._passes * total):
                self.cancelled = True
            return not self.cancelled

        return progress


class _Copier:
    """Copies each record's originals into the payload as the records go by (decrypted, when
    the catalogue's store is sealed under `key`)."""

    def __init__(
        self, folder: Path, originals: OriginalsService, key: store.StoreKey | None
    ) -> None:
        self._folder = folder
        self._originals = originals
        self._key = key
        self.files = 0
        self.bytes = 0

    def copying(self, units: Iterable[ExportUnit]) -> Iterator[ExportUnit]:
        for unit in units:
            taken: set[str] = set()
            for file in unit.detail.files:
                what = f"{file.original_name} of {unit.detail.reference_code}"
                source = self._originals.stored_copy(file)
                if source is None:
                    raise bagit_format.OriginalDamaged(
                        f"No stored copy was recorded for {what}; no bag was written."
                    )
                name = bagit_format.unique_name(
                    bagit_format.safe_file_name(file.original_name, file.sha256), taken
                )
                target = self._folder / unit.detail.uuid / name
                plain = None if self._key is None else _opened(source, self._key, what)
                self.bytes += bagit_format.copy_verified(source, target, file.sha256, what, plain)
                self.files += 1
            yield unit


def _opened(source: Path, key: store.StoreKey, what: str) -> Iterator[bytes]:
    """The original whose sealed copy is `source`, refused if the copy fails to open."""
    try:
        yield from store.open_plain(source, key)
    except store.NotAuthentic as exc:
        raise bagit_format.OriginalDamaged(
            f"The stored copy of {what} fails its authenticity check (it was altered, cut off "
            "or replaced); check the store's fixity. No bag was written."
        ) from exc


# -- reading records.json ------------------------------------------------------------------


def _unusable(problem: str) -> ValidationError:
    return ValidationError(
        f"The bag's records.json cannot be imported: {problem}. Nothing was imported."
    )


class _Fields:
    """Typed, checked access to one JSON object of records.json."""

    def __init__(self, raw: Any, where: str) -> None:
        if not isinstance(raw, Mapping):
            raise _unusable(f"{where} is not an object")
        self.raw = raw
        self.where = where

    def fail(self, key: str, problem: str) -> ValidationError:
        return _unusable(f"{self.where}, {key}: {problem}")

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.raw.get(key)
        if value is None or (required and value == ""):
            if required:
                raise self.fail(key, "missing")
            return None
        if not isinstance(value, str):
            raise self.fail(key, "not text")
        return value

    def required(self, key: str) -> str:
        value = self.text(key, required=True)
        assert value is not None
        return value

    def choice(self, key: str, kind: type[_E], *, default: _E | None = None) -> _E:
        value = self.raw.get(key)
        if value is None and default is not None:
            return default
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(str(member.value) for member in kind)
            raise self.fail(key, f"'{value}' is not one of {allowed}") from None

    def uuid(self, key: str, *, required: bool = True) -> str | None:
        value = self.text(key, required=required)
        if value is None:
            return None
        try:
            parsed = uuid_module.UUID(value)
        except ValueError:
            raise self.fail(key, f"'{value}' is not a UUID") from None
        if str(parsed) != value.lower():
            raise self.fail(key, f"'{value}' is not a UUID")
        return str(parsed)

    def day(self, key: str) -> date | None:
        value = self.text(key)
        try:
            return None if value is None else date.fromisoformat(value)
        except ValueError:
            raise self.fail(key, f"'{value}' is not a date") from None

    def moment(self, key: str) -> datetime | None:
        value = self.text(key)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(key, f"'{value}' is not a date and time") from None
        if parsed.tzinfo is None:
            raise self.fail(key, f"'{value}' has no time zone")
        return parsed

    def number(self, key: str) -> float | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, "not a number")
        return float(value)

    def integer(self, key: str, *, default: int | None = None) -> int:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "not a whole number")
        if not _INT64_MIN <= value <= _INT64_MAX:  # what SQLite can hold
            raise self.fail(key, f"{value} is out of range")
        return value

    def flag(self, key: str, *, default: bool) -> bool:
        value = self.raw.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "not true or false")
        return value

    def strings(self, key: str) -> list[str]:
        value = self.raw.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "not a list of text")
        return value

    def objects(self, key: str) -> list[_Fields]:
        value = self.raw.get(key) or []
        if not isinstance(value, list):
            raise self.fail(key, "not a list")
        return [_Fields(item, f"{self.where}, {key}[{n}]") for n, item in enumerate(value)]


@dataclass
class _Incoming:
    """One record of records.json, checked and turned into row values."""

    uuid: str
    parent_uuid: str | None
    reference_code: str
    unit: dict[str, Any]
    files: list[tuple[int, dict[str, Any]]]  # (id in the source catalogue, row)
    events: list[tuple[int | None, dict[str, Any]]]  # (source file id, row)
    assessments: list[dict[str, Any]]
    agents: list[tuple[dict[str, Any], list[dict[str, Any]], str]]  # agent, names, role
    places: list[dict[str, Any]]
    subjects: list[dict[str, Any]]
    relations: list[dict[str, Any]]


def _parse(raw: Any, number: int) -> _Incoming:
    record = _Fields(raw, f"record {number + 1}")
    uuid = record.uuid("uuid")
    assert uuid is not None
    record.where = f"record {number + 1} ({record.text('reference_code') or uuid})"
    editable = {name: raw[name] for name in UNIT_EDITABLE_FIELDS if name in raw}
    try:
        unit = clean_unit_fields(editable)
        for name in ("title", "reference_code", "level", "access_status", "title_source"):
            if not unit.get(name):
                raise ValidationError(f"{name.replace('_', ' ')} is missing")
    except ValidationError as exc:
        raise _unusable(f"{record.where}: {exc}") from None
    unit.update(
        uuid=uuid,
        position=record.integer("position", default=0),
        harvested=[f for f in record.strings("harvested") if f in UNIT_EDITABLE_FIELDS],
        created_at=record.moment("created_at") or utcnow(),
        created_by=record.text("created_by") or "unknown",
        withdrawn_at=record.moment("withdrawn_at"),
        version=1,
    )
    return _Incoming(
        uuid=uuid,
        parent_uuid=record.uuid("parent_uuid", required=False),
        reference_code=unit["reference_code"],
        unit=unit,
        files=[_file(f) for f in record.objects("files")],
        events=[_event(e) for e in record.objects("events")],
        assessments=[_assessment(a) for a in record.objects("assessments")],
        agents=[_agent(a) for a in record.objects("agents")],
        places=[_place(p) for p in record.objects("places")],
        subjects=[_subject(s) for s in record.objects("subjects")],
        relations=[_relation(r) for r in record.objects("relations")],
    )


def _file(item: _Fields) -> tuple[int, dict[str, Any]]:
    sha256 = item.required("sha256").lower()
    if not bagit_format._HEX64.match(sha256):
        raise item.fail("sha256", f"'{sha256}' is not a SHA-256")
    return item.integer("id"), {
        "uuid": item.uuid("uuid"),
        "sha256": sha256,
        "size": item.integer("size"),
        "media_type": item.text("media_type") or "application/octet-stream",
        "original_name": item.required("original_name"),
        "original_path": item.text("original_path"),
        "original_modified_at": item.moment("original_modified_at"),
        "extracted_text": item.text("extracted_text"),
        "text_method": item.text("text_method"),
        "text_language": item.text("text_language"),
        "is_evidentiary": item.flag("is_evidentiary", default=True),
        "added_at": item.moment("added_at") or utcnow(),
    }


def _event(item: _Fields) -> tuple[int | None, dict[str, Any]]:
    file_id = item.raw.get("file_id")
    outcome = item.text("outcome")
    return (file_id if isinstance(file_id, int) else None), {
        "uuid": item.uuid("uuid"),
        "event_type": item.choice("event_type", EventType).value,
        "occurred_at": item.text("occurred_at"),
        "occurred_start": item.day("occurred_start"),
        "agent": item.text("agent"),
        "tool": item.text("tool"),
        "place": item.text("place"),
        "source_url": item.text("source_url"),
        "outcome": item.choice("outcome", EventOutcome).value if outcome else None,
        "note": item.text("note"),
        "recorded_at": item.moment("recorded_at") or utcnow(),
        "recorded_by": item.text("recorded_by") or "unknown",
    }


def _assessment(item: _Fields) -> dict[str, Any]:
    recorded_by = item.text("recorded_by") or "unknown"
    return {
        "uuid": item.uuid("uuid"),
        "source_reliability": item.choice("source_reliability", SourceReliability).value,
        "information_credibility": int(
            item.choice("information_credibility", InformationCredibility)
        ),
        "affiliation_note": item.text("affiliation_note"),
        "corroboration_note": item.text("corroboration_note"),
        "method_note": item.text("method_note"),
        "assessor": item.text("assessor") or recorded_by,
        "assessed_at": item.moment("assessed_at") or utcnow(),
        "recorded_by": recorded_by,
    }


def _agent(item: _Fields) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    agent = {
        "authorised_name": item.required("authorised_name").strip(),
        "kind": item.choice("kind", AgentKind, default=AgentKind.PERSON).value,
        "dates_of_existence": item.text("dates_of_existence"),
        "history": item.text("history"),
        "notes": item.text("notes"),
        "sources": item.text("sources"),
    }
    names = [
        {
            "name": name.required("name").strip(),
            "kind": name.choice("kind", NameKind, default=NameKind.VARIANT).value,
            "script": name.text("script"),
        }
        for name in item.objects("names")
    ]
    return agent, names, item.choice("role", AgentRole).value


def _place(item: _Fields) -> dict[str, Any]:
    return {
        "name": " ".join(item.required("name").split()),
        "variants": item.strings("variants"),
        "latitude": item.number("latitude"),
        "longitude": item.number("longitude"),
    }


def _subject(item: _Fields) -> dict[str, Any]:
    return {
        "term": " ".join(item.required("name").split()),
        "vocabulary": item.text("vocabulary") or "",
        "uri": item.text("uri"),
    }


def _relation(item: _Fields) -> dict[str, Any]:
    direction = item.text("direction")
    if direction not in ("outgoing", "incoming"):
        raise item.fail("direction", "must be 'outgoing' or 'incoming'")
    return {
        "uuid": item.uuid("uuid"),
        "outgoing": direction == "outgoing",
        "other_uuid": item.uuid("other_uuid"),
        "kind": item.choice("kind", RelationKind).value,
        "similarity": item.number("similarity"),
        "note": item.text("note"),
        "found_by": item.choice("found_by", FoundBy, default=FoundBy.PERSON).value,
    }


@dataclass
class _Plan:
    """What a first reading of records.json found, before anything is written."""

    count: int = 0
    units: dict[str, str] = field(default_factory=dict)  # uuid -> reference code
    codes: list[str] = field(default_factory=list)
    originals: dict[str, str] = field(default_factory=dict)  # SHA-256 -> "name of CODE"
    parts: dict[type[models.Base], set[str]] = field(default_factory=dict)  # model -> uuids


def _plan(opened: bagit_format.OpenedBag, records_file: Path) -> _Plan:
    plan = _Plan()
    try:
        with records_file.open("rb") as reader:
            for number, raw in enumerate(records_json.read(reader)):
                _check(plan, opened, _parse(raw, number))
    except ValueError as exc:
        raise _unusable(str(exc)) from exc
    if not plan.count:
        raise _unusable("it holds no records")
    return plan


def _check(plan: _Plan, opened: bagit_format.OpenedBag, incoming: _Incoming) -> None:
    where = f"record {incoming.reference_code} ({incoming.uuid})"
    if incoming.uuid in plan.units:
        raise _unusable(f"{where} appears twice")
    if incoming.parent_uuid is not None and incoming.parent_uuid not in plan.units:
        raise _unusable(f"{where} comes before its parent, or its parent is not in the bag")
    plan.units[incoming.uuid] = incoming.reference_code
    plan.codes.append(incoming.reference_code)
    plan.count += 1
    for _, file in incoming.files:
        sha256 = file["sha256"]
        if sha256 in plan.originals:
            raise _unusable(f"{where} has an original that another record of the bag also has")
        if sha256 not in opened.payload_by_sha256:
            raise _unusable(
                f"the bag does not hold the original {file['original_name']} of {where}"
            )
        plan.originals[sha256] = f"{file['original_name']} of {incoming.reference_code}"
    parts: list[tuple[type[models.Base], Iterable[dict[str, Any]]]] = [
        (models.StoredFile, (row for _, row in incoming.files)),
        (models.ProvenanceEvent, (row for _, row in incoming.events)),
        (models.ReliabilityAssessment, incoming.assessments),
    ]
    for model, rows in parts:
        uuids = plan.parts.setdefault(model, set())
        for row in rows:
            if row["uuid"] in uuids:
                raise _unusable(f"{where} repeats the identifier {row['uuid']}")
            uuids.add(row["uuid"])
    plan.parts.setdefault(models.Relation, set()).update(r["uuid"] for r in incoming.relations)


def _chunks(values: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _refuse_existing(session: Session, plan: _Plan) -> None:
    """Refuse a bag whose records (or originals) this catalogue already has."""
    uuids = list(plan.units)
    for chunk in _chunks(uuids):
        rows = session.execute(
            select(models.Unit.uuid, models.Unit.reference_code).where(models.Unit.uuid.in_(chunk))
        ).all()
        if rows:
            shown = ", ".join(f"{code} ({uuid})" for uuid, code in rows[:5])
            more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
            raise ValidationError(
                f"This catalogue already has {len(rows)} of the bag's records: {shown}{more}. "
                "Nothing was imported."
            )
    hashes = list(plan.originals)
    for chunk in _chunks(hashes):
        rows = session.execute(
            select(models.StoredFile.sha256, models.Unit.reference_code)
            .join(models.Unit, models.Unit.id == models.StoredFile.unit_id)
            .where(models.StoredFile.sha256.in_(chunk))
        ).all()
        if rows:
            sha256, code = rows[0]
            raise ValidationError(
                f"The original {plan.originals[sha256]} is already catalogued here as {code}. "
                "Nothing was imported."
            )
    for model, part_uuids in plan.parts.items():
        column = model.__table__.c.uuid
        for chunk in _chunks(sorted(part_uuids)):
            found = session.scalar(select(column).where(column.in_(chunk)).limit(1))
            if found is not None:
                raise ValidationError(
                    f"This catalogue already has a {model.__tablename__} row with the bag's "
                    f"identifier {found}. Nothing was imported."
                )


def _taken_codes(session: Session, codes: list[str]) -> set[str]:
    taken: set[str] = set()
    for chunk in _chunks(codes):
        taken.update(
            code.casefold()
            for code in session.scalars(
                select(models.Unit.reference_code).where(models.Unit.reference_code.in_(chunk))
            )
        )
    return taken


def _description_language(opened: bagit_format.OpenedBag) -> tuple[str, str] | None:
    """The language and script of description the bag names (None if it names neither or
    a code that is not one: a bag from elsewhere may say anything)."""
    language, script = opened.info.get(LANGUAGE_LABEL), opened.info.get(SCRIPT_LABEL)
    if not language or not script:
        return None
    try:
        return language_code(language), script_code(script)
    except ValidationError:
        return None


def _source(opened: bagit_format.OpenedBag) -> str:
    info = opened.info
    parts = [
        f'"{info["External-Description"]}"' if info.get("External-Description") else "",
        f"from {info['Source-Organization']}" if info.get("Source-Organization") else "",
        f"bagged {info['Bagging-Date']}" if info.get("Bagging-Date") else "",
    ]
    described = " ".join(p for p in parts if p)
    return f"the bag {opened.root.name}" + (f" ({described})" if described else "")


# -- writing the records -------------------------------------------------------------------


class _Writer:
    """Writes incoming records a batch at a time, inside the import's one transaction."""

    def __init__(
        self,
        session: Session,
        actor: str,
        stored: dict[str, str],
        taken_codes: set[str],
        source: str,
    ) -> None:
        self.session = session
        self.actor = actor
        self.stored = stored
        self.taken = taken_codes
        self.source = source
        self.ids: dict[str, int] = {}  # uuid -> id of every record imported so far
        self.codes: dict[str, str] = {}  # uuid -> code here, for records whose code changed
        self._old_codes: dict[str, str] = {}  # uuid -> code in the bag, for the same
        self.renamed: list[tuple[str, str]] = []
        self.top_ids: list[int] = []
        self.agents_created = 0
        self.warnings: list[str] = []
        self._batch: list[_Incoming] = []
        self._relations: dict[str, tuple[str, dict[str, Any]]] = {}  # uuid -> (owner, values)
        self._next_id = int(session.scalar(select(func.max(models.Unit.id))) or 0) + 1
        self._top_position = int(
            session.scalar(
                select(func.coalesce(func.max(models.Unit.position), 0)).where(
                    models.Unit.parent_id.is_(None)
                )
            )
            or 0
        )
        self._agents: dict[tuple[str, str], int] | None = None
        self._places: dict[str, models.Place] = {}
        self._subjects: dict[tuple[str, str], models.Subject] = {}

    @property
    def pending(self) -> int:
        return len(self._batch)

    def add(self, incoming: _Incoming) -> None:
        parent_id = self.ids[incoming.parent_uuid] if incoming.parent_uuid else None
        unit = incoming.unit
        unit["id"] = self.ids[incoming.uuid] = self._next_id
        self._next_id += 1
        unit["parent_id"] = parent_id
        if parent_id is None:
            self._top_position += 1
            unit["position"] = self._top_position
            self.top_ids.append(unit["id"])
        unit["reference_code"] = self._code(incoming, parent_id)
        unit["updated_by"] = self.actor
        self._batch.append(incoming)

    def _code(self, incoming: _Incoming, parent_id: int | None) -> str:
        """The record's reference code if it is free here; else one in line with its
        parent's new code, or a fresh one."""
        code = incoming.reference_code
        parent_code = self.codes.get(incoming.parent_uuid or "")
        if parent_code is not None:
            old_parent = self._old_codes.get(incoming.parent_uuid or "", "")
            if old_parent and code.startswith(old_parent + "/"):
                code = parent_code + code[len(old_parent) :]
        if self._free(code):
            chosen = code
        else:
            self.flush()  # the parent must be in the table to number its children
            parent = self.session.get(models.Unit, parent_id) if parent_id else None
            chosen = next(c for c in self._fresh_codes(parent) if self._free(c))
        self.taken.add(chosen.casefold())
        if chosen != incoming.reference_code:
            self.codes[incoming.uuid] = chosen
            self._old_codes[incoming.uuid] = incoming.reference_code
            self.renamed.append((incoming.reference_code, chosen))
        return chosen

    def _fresh_codes(self, parent: models.Unit | None) -> Iterator[str]:
        while True:
            yield from next_reference_codes(self.session, parent, 1)

    def _free(self, code: str) -> bool:
        if code.casefold() in self.taken:
            return False
        found = self.session.scalar(
            select(models.Unit.id).where(models.Unit.reference_code == code).limit(1)
        )
        return found is None

    def flush(self) -> None:
        batch, self._batch = self._batch, []
        if not batch:
            return
        session = self.session
        insert_audited(session, models.Unit, [incoming.unit for incoming in batch])
        files: list[dict[str, Any]] = []
        for incoming in batch:
            for _, row in incoming.files:
                row.update(
                    unit_id=incoming.unit["id"],
                    stored_path=self.stored[row["sha256"]],
                    added_by=self.actor,
                )
                files.append(row)
        insert_audited(session, models.StoredFile, files)
        events: list[dict[str, Any]] = []
        assessments: list[dict[str, Any]] = []
        for incoming in batch:
            unit_id = incoming.unit["id"]
            file_ids = {source_id: row["id"] for source_id, row in incoming.files}
            for source_file, row in incoming.events:
                row.update(unit_id=unit_id, file_id=file_ids.get(source_file or -1))
                events.append(row)
            events.append(self._transfer_event(incoming))
            assessments.extend({**row, "unit_id": unit_id} for row in incoming.assessments)
            for relation in incoming.relations:
                self._relations.setdefault(relation["uuid"], (incoming.uuid, relation))
        insert_audited(session, models.ProvenanceEvent, events)
        insert_audited(session, models.ReliabilityAssessment, assessments)
        for incoming in batch:
            self._link(incoming)
        session.flush()
        unit_ids = [incoming.unit["id"] for incoming in batch]
        refresh_grades(session.connection(), unit_ids)
        derived.mark(session, unit_ids, moved=True)

    def _transfer_event(self, incoming: _Incoming) -> dict[str, Any]:
        now = utcnow()
        note = f"Transferred in {self.source}."
        renamed = self.codes.get(incoming.uuid)
        if renamed is not None:
            note += f" Its reference code there was {incoming.reference_code}."
        return {
            "unit_id": incoming.unit["id"],
            "event_type": EventType.TRANSFER.value,
            "occurred_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "occurred_start": now.date(),
            "agent": self.actor,
            "tool": TOOL,
            "place": host_name(),
            "outcome": EventOutcome.SUCCESS.value,
            "note": note,
            "recorded_by": self.actor,
        }

    def _link(self, incoming: _Incoming) -> None:
        session = self.session
        unit_id = incoming.unit["id"]
        linked: set[tuple[int, str]] = set()
        for agent, names, role in incoming.agents:
            agent_id = self._agent_id(agent, names)
            if (agent_id, role) not in linked:
                linked.add((agent_id, role))
                session.add(models.UnitAgent(unit_id=unit_id, agent_id=agent_id, role=role))
        places = {id(p): p for p in map(self._place, incoming.places)}
        for place in places.values():
            session.add(models.UnitPlace(unit_id=unit_id, place=place))
        subjects = {id(s): s for s in map(self._subject, incoming.subjects)}
        for subject in subjects.values():
            session.add(models.UnitSubject(unit_id=unit_id, subject=subject))

    def _agent_id(self, values: dict[str, Any], names: list[dict[str, Any]]) -> int:
        """The agent with this authorised name and kind, created (with its other names)
        if this catalogue has none."""
        if self._agents is None:
            rows = self.session.execute(
                select(models.Agent.id, models.Agent.authorised_name, models.Agent.kind)
            )
            self._agents = {}
            for agent_id, known, kind in rows:
                self._agents.setdefault((known.casefold(), kind), agent_id)
        key = (values["authorised_name"].casefold(), values["kind"])
        if key not in self._agents:
            agent = models.Agent(**values)
            seen = {values["authorised_name"]}
            for name in names:
                if name["name"] and name["name"] not in seen:
                    seen.add(name["name"])
                    agent.names.append(models.AgentName(**name))
            self.session.add(agent)
            self.session.flush()
            self._agents[key] = agent.id
            self.agents_created += 1
        return self._agents[key]

    def _place(self, values: dict[str, Any]) -> models.Place:
        key = values["name"].casefold()
        if key not in self._places:
            place = self.session.scalar(
                select(models.Place).where(models.Place.name == values["name"])
            )
            if place is None:
                place = models.Place(**values)
                self.session.add(place)
                self.session.flush()
            self._places[key] = place
        return self._places[key]

    def _subject(self, values: dict[str, Any]) -> models.Subject:
        key = (values["term"].casefold(), values["vocabulary"])
        if key not in self._subjects:
            subject = self.session.scalar(
                select(models.Subject).where(
                    models.Subject.term == values["term"],
                    models.Subject.vocabulary == values["vocabulary"],
                )
            )
            if subject is None:
                subject = models.Subject(**values)
                self.session.add(subject)
                self.session.flush()
            self._subjects[key] = subject
        return self._subjects[key]

    def relate(self) -> int:
        """Relations among the imported records (and to records this catalogue already
        has); each appears in both its records, so it is written once, by its UUID."""
        wanted = {relation["other_uuid"] for _, relation in self._relations.values()}
        others = wanted - self.ids.keys()
        known = dict(self.ids)
        for chunk in _chunks(sorted(others)):
            found = self.session.execute(
                select(models.Unit.uuid, models.Unit.id).where(models.Unit.uuid.in_(chunk))
            )
            known.update((uuid, unit_id) for uuid, unit_id in found)
        rows: list[dict[str, Any]] = []
        unknown: list[tuple[int, str]] = []  # (the record here, the other's UUID)
        for owner, relation in self._relations.values():
            other = known.get(relation["other_uuid"])
            mine = self.ids[owner]
            if other is None:
                unknown.append((mine, relation["other_uuid"]))
                continue
            from_id, to_id = (mine, other) if relation["outgoing"] else (other, mine)
            if from_id == to_id:
                continue
            rows.append(
                {
                    "uuid": relation["uuid"],
                    "from_unit_id": from_id,
                    "to_unit_id": to_id,
                    "kind": relation["kind"],
                    "similarity": relation["similarity"],
                    "note": relation["note"],
                    "found_by": relation["found_by"],
                    "created_by": self.actor,
                }
            )
        insert_audited(self.session, models.Relation, rows)
        if unknown:
            named = [f"{self._code_of(mine)} to {other}" for mine, other in unknown[:NAMED_AT_MOST]]
            self.warnings.append(left_out_relations(len(unknown), named, "the bag"))
        return len(rows)

    def _code_of(self, unit_id: int) -> str:
        code = select(models.Unit.reference_code).where(models.Unit.id == unit_id)
        return str(self.session.scalar(code))
