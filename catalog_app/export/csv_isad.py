"""The `isad` CSV profile: a finding aid for people and spreadsheet programs.

One row per record in hierarchical order (columns.ISAD_COLUMNS), UTF-8 with a BOM so that
spreadsheet programs read Persian and other non-Latin text correctly, multi-value cells one
value per line, and every cell neutralised against formula injection (cells.neutralise).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, BinaryIO

from catalog_app.export import cells, sentences
from catalog_app.export.cells import CsvReport, Warnings
from catalog_app.export.columns import ISAD_COLUMNS

if TYPE_CHECKING:
    from catalog_app.services.export_source import ExportUnit

# Typed columns whose EDTF values (e.g. "-0044") are left as they are.
DATE_COLUMNS = frozenset({"Dates", "Date start", "Date end"})
NEUTRALISED = "cells prefixed with ' (formula-like values)"


def write(units: Iterable[ExportUnit], out: BinaryIO) -> CsvReport:
    """Write `units` (parents first) to `out` as the human-readable finding aid."""
    warnings = Warnings(limit=5)
    rows = 0
    with cells.text_stream(out, bom=True) as stream:
        writer = csv.writer(stream)
        writer.writerow(ISAD_COLUMNS)
        for unit in units:
            writer.writerow(isad_row(unit, warnings))
            rows += 1
    return CsvReport(rows, warnings.lines())


def isad_row(
    unit: ExportUnit, warnings: Warnings, fit: Callable[[str, str], str] | None = None
) -> list[str]:
    """The row's cells in ISAD_COLUMNS order, neutralised for spreadsheets; `fit(value,
    column)` adapts a value to the file format first (before the formula check)."""
    values = isad_values(unit)
    row = []
    for column in ISAD_COLUMNS:
        value = values.get(column) or ""
        if fit is not None:
            value = fit(value, column)
        cell = cells.neutralise(value, date_column=column in DATE_COLUMNS)
        if cell != value:
            warnings.add(
                NEUTRALISED,
                f"{unit.detail.reference_code}: {column} begins with {value[:1]!r}; "
                "written with a leading ' so that spreadsheets show it as text",
            )
        row.append(cell)
    return row


def isad_values(unit: ExportUnit) -> dict[str, str | None]:
    """The record's values by ISAD column name, as they are (not yet neutralised)."""
    detail = unit.detail
    current = detail.current_assessment
    return {
        "Reference code": detail.reference_code,
        "Parent reference code": detail.parent_reference_code if unit.parent_uuid else None,
        "Level": cells.label(detail.level),
        "Title": detail.title,
        "Dates": detail.date_expression,
        "Date start": cells.iso_date(detail.date_start),
        "Date end": cells.iso_date(detail.date_end),
        "Date kind": cells.label(detail.date_kind),
        "Extent and medium": detail.extent,
        "Source address": sentences.source_address(detail),
        "Creators": cells.join_lines(cells.creators(detail)),
        "Administrative / biographical history": detail.administrative_history,
        "Archival history": detail.archival_history,
        "Immediate source of acquisition": detail.acquisition,
        "Scope and content": detail.scope_content,
        "Appraisal, destruction and scheduling": detail.appraisal,
        "Accruals": detail.accruals,
        "Arrangement": detail.arrangement,
        "Access status": cells.label(detail.access_status),
        "Conditions governing access": detail.access_note,
        "Conditions governing reproduction": detail.reproduction_note,
        "Languages": cells.join_lines(detail.languages),
        "Scripts": cells.join_lines(detail.scripts),
        "Physical characteristics and technical requirements": detail.physical_characteristics,
        "Finding aids": detail.finding_aids,
        "Existence and location of originals": detail.originals_location,
        "Existence and location of copies": detail.copies_location,
        "Related units of description": detail.related_note,
        "Relations": cells.join_lines(sentences.relation_sentence(r) for r in detail.relations),
        "Publication note": detail.publication_note,
        "General note": detail.general_note,
        "Archivist's note": detail.archivist_note,
        "Rules or conventions": detail.rules,
        "Date of description": detail.description_date,
        "Type": cells.label(detail.media_type),
        "Subjects": cells.join_lines(cells.subjects(detail)),
        "Places": cells.join_lines(cells.places(detail)),
        "Names": cells.join_lines(cells.names_with_roles(detail)),
        "Provenance": cells.provenance_summary(detail.events),
        "Source reliability": cells.source_reliability(current),
        "Information credibility": cells.information_credibility(current),
        "Reliability notes": cells.reliability_notes(current),
        "Originals (SHA-256)": cells.originals(detail.files),
        "UUID": detail.uuid,
    }
