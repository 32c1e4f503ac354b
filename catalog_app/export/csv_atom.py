"""The `atom` CSV profile: AtoM's ISAD(G) archival-description import, ready to load.

Conventions (AtoM 2.x, see resources/standards/atom_isad_csv_header.csv):
- every header column, in AtoM's order; hierarchy through legacyId (our uuid) and parentId,
  parents before children;
- values as they are (no formula neutralising: AtoM has no code to strip a prefix), line
  breaks inside values as LF and rows ended by LF, UTF-8 without BOM;
- multi-value columns joined by "|", which cannot be escaped: a "|" inside one value is
  written as it is and reported;
- one Creation event per creator, the parallel event columns paired by position with
  NULL in empty slots; the unit's dates go with the first event.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TYPE_CHECKING, BinaryIO

from catalog_app.export import cells
from catalog_app.export.cells import CsvReport, Warnings
from catalog_app.export.columns import atom_columns

if TYPE_CHECKING:
    from catalog_app.services.export_source import ExportUnit

SEPARATOR = "|"
NULL = "NULL"
CULTURE = "en"
CREATION = "Creation"
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
    lists: dict[str, list[str]] = {
        "language": list(detail.languages),
        "script": list(detail.scripts),
        "subjectAccessPoints": cells.subjects(detail),
        "placeAccessPoints": cells.places(detail),
        "nameAccessPoints": cells.other_names(detail),
        "genreAccessPoints": [detail.media_type] if detail.media_type else [],
        **_events(unit),
    }
    texts: dict[str, str | None] = {
        "legacyId": detail.uuid,
        "parentId": unit.parent_uuid,
        "identifier": detail.reference_code,
        "title": detail.title,
        "levelOfDescription": cells.label(detail.level),
        "extentAndMedium": detail.extent,
        "archivalHistory": detail.archival_history,
        "acquisition": detail.acquisition,
        "scopeAndContent": detail.scope_content,
        "arrangement": detail.arrangement,
        "accessConditions": detail.access_note,
        "reproductionConditions": detail.reproduction_note,
        "relatedUnitsOfDescription": detail.related_note,
        "publicationNote": detail.publication_note,
        "generalNote": detail.general_note,
        "archivistNote": detail.archivist_note,
        "rules": detail.rules,
        "revisionHistory": detail.description_date,
        "descriptionIdentifier": detail.uuid,
        # AtoM has no access-status column; a record that is not open goes in as a draft,
        # which AtoM does not show to the public (and the CSV import reads back as restricted).
        "publicationStatus": "Published" if detail.access_status == "open" else "Draft",
        "culture": CULTURE,
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
    return row


def _events(unit: ExportUnit) -> dict[str, list[str]]:
    """AtoM's parallel event columns: one Creation event per creator (one without an actor
    if there is a date but no creator), the dates on the first."""
    detail = unit.detail
    actors = cells.creators(detail)
    if not actors and not (detail.date_expression or detail.date_start or detail.date_end):
        return {}
    slots = max(1, len(actors))

    def first(value: str | None) -> list[str]:
        return [value or NULL] + [NULL] * (slots - 1)

    return {
        "eventDates": first(detail.date_expression),
        "eventTypes": [CREATION] * slots,
        "eventStartDates": first(cells.iso_date(detail.date_start)),
        "eventEndDates": first(cells.iso_date(detail.date_end)),
        "eventActors": actors or [NULL],
    }


def _joined(values: list[str]) -> str:
    """Values joined by "|"; a column whose slots are all empty is left empty."""
    if all(value == NULL for value in values):
        return ""
    return SEPARATOR.join(_line_feeds(value) for value in values)


def _line_feeds(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")
