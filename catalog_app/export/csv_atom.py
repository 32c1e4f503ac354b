"""The `atom` CSV profile: AtoM's ISAD(G) archival-description import, ready to load.

Conventions (AtoM 2.x, see resources/standards/atom_isad_csv_header.csv):
- every header column, in AtoM's order; hierarchy through legacyId (our uuid) and parentId,
  parents before children;
- values as they are (no formula neutralising: AtoM has no code to strip a prefix), line
  breaks inside values as LF and rows ended by LF, UTF-8 without BOM;
- multi-value columns joined by "|", which cannot be escaped: a "|" inside one value is
  written as it is and reported;
- one Creation event per creator, the parallel event columns paired by position with
  NULL in empty slots. The unit's date goes in an event only when its kind is one of
  AtoM's event types (creation, publication): AtoM reads an event without a type as a
  creation, so a date of another kind (capture) or of none is written as a note instead
  ("Date (kind not recorded): 1985~", in generalNote, which AtoM shows among the notes);
- archivalHistory and acquisition: what the archivist typed, then the custody events and
  the acquisition events (export.sentences) one sentence each, in date order;
- locationOfOriginals (ISAD(G) 3.5.1): what was typed, then the source address a captured
  page was taken from (the page itself is the original of which the record holds a copy);
- the administrative / biographical history (ISAD(G) 3.2.2) in eventActorHistories, on the
  first creator's event: AtoM keeps it in that creator's authority record and shows it as
  the description's 3.2.2 (without a creator it is a note: "Administrative / biographical
  history: ...");
- relatedUnitsOfDescription: what was typed, then the recorded relations ("This record
  republishes ..."); generalNote: the typed note, the current reliability grade, and a
  date AtoM has no event type for, each as a note of its own;
- culture, languageOfDescription and scriptOfDescription from the catalogue's setting.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TYPE_CHECKING, BinaryIO

from catalog_app.domain.vocabulary import DateKind
from catalog_app.export import cells, sentences
from catalog_app.export.cells import CsvReport, Warnings
from catalog_app.export.columns import atom_columns

if TYPE_CHECKING:
    from catalog_app.services.export_source import ExportUnit

SEPARATOR = "|"
NULL = "NULL"
CULTURE = "en"  # when the language of description has no ISO 639-1 code
CREATION = "Creation"
# Our kinds of date that are AtoM event types (its taxonomy's Creation and Publication).
EVENT_TYPES = {DateKind.CREATION.value: CREATION, DateKind.PUBLICATION.value: "Publication"}
# Columns AtoM's importer splits at "|" (its arrayColumns and note columns).
PIPE_COLUMNS = frozenset(
    {
        "accessionNumber",
        "alternativeIdentifiers",
        "alternativeIdentifierLabels",
        "subjectAccessPoints",
        "placeAccessPoints",
        "nameAccessPoints",
        "genreAccessPoints",
        "eventDates",
        "eventTypes",
        "eventStartDates",
        "eventEndDates",
        "eventActors",
        "eventActorHistories",
        "language",
        "script",
        "languageOfDescription",
        "scriptOfDescription",
        "physicalObjectName",
        "physicalObjectLocation",
        "physicalObjectType",
        "languageNote",
        "publicationNote",
        "generalNote",
        "archivistNote",
    }
)
PIPE_WARNING = "values containing '|' that AtoM will split"
FORMULA_WARNING = "cells a spreadsheet would read as a formula"
CULTURE_WARNING = "languages of description without a two-letter code"
# ISAD(G) 3.2.2 of a record without a creator, whose authority record would hold it.
HISTORY_PREFIX = "Administrative / biographical history: "


def write(units: Iterable[ExportUnit], out: BinaryIO) -> CsvReport:
    """Write `units` (parents first) to `out` as AtoM's archival-description CSV."""
    columns = atom_columns()
    warnings = Warnings()
    rows = 0
    with cells.text_stream(out) as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        for unit in units:
            row = atom_row(unit, warnings)
            writer.writerow([row.get(column, "") for column in columns])
            rows += 1
    if warnings.count(FORMULA_WARNING):
        return CsvReport(
            rows,
            [
                *warnings.lines(),
                "Import this file into AtoM as it is; opened in a spreadsheet program, "
                "the cells listed above would be read as formulas.",
            ],
        )
    return CsvReport(rows, warnings.lines())


def atom_row(unit: ExportUnit, warnings: Warnings) -> dict[str, str]:
    """The row's cells by AtoM column name (columns left out are empty)."""
    detail = unit.detail
    description = unit.description_language
    notes = [detail.general_note] if detail.general_note else []
    if detail.administrative_history and not cells.creators(detail):
        notes.append(f"{HISTORY_PREFIX}{detail.administrative_history}")
    if detail.date_expression and detail.date_kind not in EVENT_TYPES:
        notes.append(sentences.date_note(detail))
    if detail.current_assessment is not None:
        notes.append(sentences.reliability_text(detail.current_assessment))
    lists: dict[str, list[str]] = {
        "language": list(detail.languages),
        "script": list(detail.scripts),
        "subjectAccessPoints": cells.subjects(detail),
        "placeAccessPoints": cells.places(detail),
        "nameAccessPoints": cells.other_names(detail),
        "genreAccessPoints": [detail.media_type] if detail.media_type else [],
        "generalNote": notes,
        **_events(unit),
    }
    texts: dict[str, str | None] = {
        "legacyId": detail.uuid,
        "parentId": unit.parent_uuid,
        "identifier": detail.reference_code,
        "title": detail.title,
        "levelOfDescription": cells.label(detail.level),
        "extentAndMedium": detail.extent,
        "archivalHistory": sentences.with_events(
            detail.archival_history,
            sentences.CUSTODY_HEADING,
            sentences.custody_events(detail.events),
        ),
        "acquisition": sentences.with_events(
            detail.acquisition,
            sentences.ACQUISITION_HEADING,
            sentences.acquisition_events(detail.events),
        ),
        "scopeAndContent": detail.scope_content,
        "appraisal": detail.appraisal,
        "accruals": detail.accruals,
        "arrangement": detail.arrangement,
        "accessConditions": detail.access_note,
        "reproductionConditions": detail.reproduction_note,
        "physicalCharacteristics": detail.physical_characteristics,
        "findingAids": detail.finding_aids,
        "locationOfOriginals": sentences.with_source_address(
            detail.originals_location, sentences.source_address(detail)
        ),
        "locationOfCopies": detail.copies_location,
        "relatedUnitsOfDescription": sentences.with_generated(
            detail.related_note,
            sentences.RELATIONS_HEADING,
            [sentences.relation_sentence(r) for r in detail.relations],
        ),
        "publicationNote": detail.publication_note,
        "archivistNote": detail.archivist_note,
        "rules": detail.rules,
        "revisionHistory": detail.description_date,
        "descriptionIdentifier": detail.uuid,
        # AtoM has no access-status column; a record that is not open goes in as a draft,
        # which AtoM does not show to the public (and the CSV import reads back as restricted).
        "publicationStatus": "Published" if detail.access_status == "open" else "Draft",
        "languageOfDescription": description.language,
        "scriptOfDescription": description.script,
        "culture": _culture(description.language, warnings),
    }
    row = {column: _line_feeds(value) for column, value in texts.items() if value}
    for column, values in lists.items():
        row[column] = _joined(values)
    for column, value in row.items():
        if column in PIPE_COLUMNS:
            for one in lists.get(column, [value]):
                if SEPARATOR in one:
                    warnings.add(
                        PIPE_WARNING,
                        f"{detail.reference_code}: {column} value {one!r} contains '|', "
                        f"which AtoM reads as a separator (it will import as "
                        f"{one.count(SEPARATOR) + 1} values)",
                    )
        if cells.looks_like_formula(value):
            warnings.add(
                FORMULA_WARNING,
                f"{detail.reference_code}: {column} begins with {value[:1]!r}, which a "
                "spreadsheet would read as a formula",
            )
    return {column: value for column, value in row.items() if value}


def _culture(language: str, warnings: Warnings) -> str:
    """AtoM's culture (ISO 639-1) for the language of description: "fa" of "fa-IR"."""
    primary = language.split("-", 1)[0]
    if len(primary) == 2:
        return primary
    if not warnings.count(CULTURE_WARNING):
        warnings.add(
            CULTURE_WARNING,
            f"the language of description '{language}' has no two-letter (ISO 639-1) code, "
            f"which AtoM's culture column needs: written as '{CULTURE}'",
        )
    return CULTURE


def _events(unit: ExportUnit) -> dict[str, list[str]]:
    """AtoM's parallel event columns: one Creation event per creator, and the unit's date
    on the first of them (or on an event of its own without an actor) when its kind is an
    AtoM event type; a date of another kind or of none is not an event (see atom_row)."""
    detail = unit.detail
    actors = cells.creators(detail)
    dated = bool(detail.date_expression or detail.date_start or detail.date_end)
    kind = EVENT_TYPES.get(detail.date_kind or "") if dated else None
    types = [CREATION] * len(actors)
    names = list(actors)
    if kind == CREATION and not actors:
        types, names = [CREATION], [NULL]
    elif kind is not None and kind != CREATION:
        types, names = [kind, *types], [NULL, *names]
    if not types:
        return {}
    dates = (
        [
            detail.date_expression or NULL,
            cells.iso_date(detail.date_start) or NULL,
            cells.iso_date(detail.date_end) or NULL,
        ]
        if kind is not None
        else [NULL, NULL, NULL]
    )
    rest = [NULL] * (len(types) - 1)
    columns = {
        "eventDates": [dates[0], *rest],
        "eventTypes": types,
        "eventStartDates": [dates[1], *rest],
        "eventEndDates": [dates[2], *rest],
        "eventActors": names,
    }
    if actors and detail.administrative_history:
        # ISAD(G) 3.2.2 is, in AtoM, the history of the creator's authority record (ISAAR
        # 5.2.2), which it reads from the event of that creator.
        first = names.index(actors[0])
        histories = [NULL] * len(names)
        histories[first] = detail.administrative_history
        columns["eventActorHistories"] = histories
    return columns


def _joined(values: list[str]) -> str:
    """Values joined by "|"; a column whose slots are all empty is left empty."""
    if all(value == NULL for value in values):
        return ""
    return SEPARATOR.join(_line_feeds(value) for value in values)


def _line_feeds(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")
