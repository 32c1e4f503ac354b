"""The `isad` finding aid as an Excel workbook (openpyxl, write-only so rows stream to disk).

Same cells as the `isad` CSV (neutralised the same way), every value stored as a string
cell so that nothing is ever a formula; a frozen bold header row, column widths to suit
the content, and wrapped text in the long-text columns.
"""

from __future__ import annotations

import contextlib
import errno
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from lxml import etree
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet import _writer as sheet_writer
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.dimensions import ColumnDimension, DimensionHolder
from openpyxl.writer.excel import ExcelWriter

from catalog_app.export.cells import Warnings
from catalog_app.export.columns import ISAD_COLUMNS
from catalog_app.export.csv_isad import isad_row

if TYPE_CHECKING:
    from catalog_app.services.export_source import ExportUnit

SHEET_TITLE = "Finding aid"
MAX_CELL_CHARACTERS = 32_767  # Excel's limit for one cell
DEFAULT_WIDTH = 16.0
# Width (in characters) of the columns that hold more than a short word or code.
WIDTHS: dict[str, float] = {
    "Reference code": 20,
    "Parent reference code": 20,
    "Title": 45,
    "Dates": 18,
    "Date start": 12,
    "Date end": 12,
    "Level": 12,
    "Date kind": 12,
    "Extent and medium": 30,
    "Source address": 40,
    "Creators": 30,
    "Administrative / biographical history": 50,
    "Archival history": 50,
    "Immediate source of acquisition": 40,
    "Scope and content": 60,
    "Appraisal, destruction and scheduling": 40,
    "Accruals": 40,
    "Arrangement": 40,
    "Access status": 14,
    "Conditions governing access": 40,
    "Conditions governing reproduction": 40,
    "Languages": 10,
    "Scripts": 10,
    "Physical characteristics and technical requirements": 40,
    "Finding aids": 40,
    "Existence and location of originals": 40,
    "Existence and location of copies": 40,
    "Related units of description": 40,
    "Relations": 50,
    "Publication note": 40,
    "General note": 40,
    "Archivist's note": 40,
    "Rules or conventions": 30,
    "Subjects": 30,
    "Places": 30,
    "Names": 30,
    "Provenance": 60,
    "Source reliability": 26,
    "Information credibility": 30,
    "Reliability notes": 50,
    "Originals (SHA-256)": 80,
    "UUID": 38,
}
# Columns whose text wraps within the cell (long text or one value per line).
WRAPPED = frozenset(column for column, width in WIDTHS.items() if width >= 30)
CLEANED = "cells changed to fit a workbook"


@dataclass(frozen=True)
class XlsxReport:
    rows: int
    warnings: list[str] = field(default_factory=list)


def write(units: Iterable[ExportUnit], out: BinaryIO, *, scratch: Path | None = None) -> XlsxReport:
    """Write `units` (parents first) to `out` as a workbook with one sheet, "Finding aid".

    The sheet's rows stream through the file `scratch` (removed when done), which the
    export service puts beside the output rather than in the system's temporary folder,
    where a killed export would leave it for good.
    """
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(SHEET_TITLE)
    if scratch is not None:
        _stream_through(sheet, scratch)
    try:
        rows, warnings = _fill(sheet, units)
        # As openpyxl's save() does, but closing the archive even when the disk fills, so
        # no half-closed zip is left to fail again when it is garbage collected.
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            ExcelWriter(workbook, archive).write_data()
    except etree.SerialisationError as exc:
        _abandon(sheet)
        if "ENOSPC" in str(exc):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)) from exc
        raise OSError(errno.EIO, "the spreadsheet's rows could not be written") from exc
    except BaseException:
        _abandon(sheet)
        raise
    return XlsxReport(rows, warnings.lines())


def _fill(sheet: WriteOnlyWorksheet, units: Iterable[ExportUnit]) -> tuple[int, Warnings]:
    sheet.freeze_panes = "A2"
    # Write-only sheets have column dimensions (set before any row), but the stubs miss them.
    widths: DimensionHolder[str, ColumnDimension] = sheet.column_dimensions  # type: ignore[attr-defined]
    for index, column in enumerate(ISAD_COLUMNS, start=1):
        widths[get_column_letter(index)].width = WIDTHS.get(column, DEFAULT_WIDTH)
    header = _style(sheet, font=Font(bold=True))
    wrap = _style(sheet, alignment=Alignment(wrap_text=True, vertical="top"))
    top = _style(sheet, alignment=Alignment(vertical="top"))
    styles = [wrap if column in WRAPPED else top for column in ISAD_COLUMNS]
    sheet.append([_string_cell(sheet, column, header) for column in ISAD_COLUMNS])
    warnings = Warnings(limit=5)
    fit = partial(_fitted, warnings=warnings)
    rows = 0
    for unit in units:
        sheet.append(
            [
                _string_cell(sheet, value, style)
                for style, value in zip(styles, isad_row(unit, warnings, fit), strict=True)
            ]
        )
        rows += 1
    return rows, warnings


def _abandon(sheet: WriteOnlyWorksheet) -> None:
    """Close the sheet's row stream now, so a failed write does not fail again later."""
    writer = getattr(sheet, "_writer", None)
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.xf.close()


def _stream_through(sheet: WriteOnlyWorksheet, scratch: Path) -> None:
    name = str(scratch)
    sheet_writer.ALL_TEMP_FILES.append(name)  # openpyxl takes it off this list when done
    writer = sheet_writer.WorksheetWriter(sheet, out=name)
    writer.write_top()
    sheet._writer = writer  # type: ignore[attr-defined]


def _style(
    sheet: WriteOnlyWorksheet, *, font: Font | None = None, alignment: Alignment | None = None
) -> StyleArray:
    """A cell style registered once and shared by cells (setting one cell by cell is slow)."""
    cell = WriteOnlyCell(sheet)
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    # The cell's style array (the ids of its font, alignment...), which the stubs leave out.
    style: StyleArray = cell._style  # type: ignore[attr-defined]
    return style


def _string_cell(sheet: WriteOnlyWorksheet, value: str, style: StyleArray) -> Cell:
    cell = Cell(sheet, row=1, column=1, value=value or None, style_array=style)
    if value:
        # openpyxl takes a str beginning with "=" for a formula; these are always text.
        cell.data_type = "s"
    return cell


def _fitted(values: list[str], code: str, *, warnings: Warnings) -> list[str]:
    """A row's `values` without the control characters a workbook cannot hold, each cut to
    Excel's limit (a row needing neither, as most do, is seen in one look)."""
    if ILLEGAL_CHARACTERS_RE.search("".join(values)) is None and (
        max(map(len, values)) <= MAX_CELL_CHARACTERS
    ):
        return values
    return [
        _fitted_cell(value, column, code, warnings)
        for value, column in zip(values, ISAD_COLUMNS, strict=True)
    ]


def _fitted_cell(value: str, column: str, code: str, warnings: Warnings) -> str:
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        warnings.add(CLEANED, f"{code}: control characters removed from {column}")
    if len(value) > MAX_CELL_CHARACTERS:
        value = value[: MAX_CELL_CHARACTERS - 1] + "…"
        warnings.add(
            CLEANED,
            f"{code}: {column} cut to {MAX_CELL_CHARACTERS:,} characters (Excel's limit)",
        )
    return value
