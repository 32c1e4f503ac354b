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
_IN_DATE_COLUMN = tuple(column in DATE_COLUMNS for column in ISAD_COLUMNS)
NEUTRALISED = "cells prefixed with ' (formula-like values)"
# Adapts a row's values to a file format (before the formula check): the XLSX writer's.
Fit = Callable[[list[str], str], list[str]]


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


def isad_row(unit: ExportUnit, warnings: Warnings, fit: Fit | None = None) -> list[str]:
    """The row's cells in ISAD_COLUMNS order, neutralised for spreadsheets; `fit(values,
    reference code)` adapts the values to the file format first (before the formula
    check)."""
    row = _cells(unit)
    if fit is not None:
        row = fit(row, unit.detail.reference_code)
    for n, value in cells.neutralise_row(row, _IN_DATE_COLUMN):
        warnings.add(
            NEUTRALISED,
            f"{unit.detail.reference_code}: {ISAD_COLUMNS[n]} begins with {value[:1]!r}; "
            "written with a leading ' so that spreadsheets show it as text",
        )
    return row


def isad_values(unit: ExportUnit) -> dict[str, str]:
    """The record's values by ISAD column name, as they are (not yet neutralised)."""
    return dict(zip(ISAD_COLUMNS, _cells(unit), strict=True))


def _cells(unit: ExportUnit) -> list[str]:
    """The record's values in ISAD_COLUMNS order, "" where it has none."""
    detail = unit.detail
    current = detail.current_assessment
    return [
        detail.reference_code or "",
        (detail.parent_reference_code or "") if unit.parent_uuid else "",
        cells.label(detail.level),
        detail.title or "",
        detail.date_expression or "",
        cells.iso_date(detail.date_start),
        cells.iso_date(detail.date_end),
        cells.label(detail.date_kind),
        detail.extent or "",
        sentences.source_address(detail) or "",
        cells.join_lines(cells.creators(detail)),
        detail.administrative_history or "",
        detail.archival_history or "",
        detail.acquisition or "",
        detail.scope_content or "",
        detail.appraisal or "",
        detail.accruals or "",
        detail.arrangement or "",
        cells.label(detail.access_status),
        detail.access_note or "",
        detail.reproduction_note or "",
        cells.join_lines(detail.languages),
        cells.join_lines(detail.scripts),
        detail.physical_characteristics or "",
        detail.finding_aids or "",
        detail.originals_location or "",
        detail.copies_location or "",
        detail.related_note or "",
        cells.join_lines(sentences.relation_sentence(r) for r in detail.relations),
        detail.publication_note or "",
        detail.general_note or "",
        detail.archivist_note or "",
        detail.rules or "",
        detail.description_date or "",
        cells.label(detail.media_type),
        cells.join_lines(cells.subjects(detail)),
        cells.join_lines(cells.places(detail)),
        cells.join_lines(cells.names_with_roles(detail)),
        cells.provenance_summary(detail.events),
        cells.source_reliability(current),
        cells.information_credibility(current),
        cells.reliability_notes(current),
        cells.originals(detail.files),
        detail.uuid or "",
    ]
