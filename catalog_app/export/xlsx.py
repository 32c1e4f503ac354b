"""The `isad` finding aid as an Excel workbook (Office Open XML SpreadsheetML, ECMA-376),
streamed: each row goes through the zip's compressor as it is made, so memory does not grow
with the catalogue and no scratch file is needed.

Same cells as the `isad` CSV (neutralised the same way), every value an inline string cell
so that nothing is ever a formula or a number; a frozen bold header row, column widths to
suit the content, and wrapped text in the long-text columns.

The package holds the five parts a workbook of one sheet needs (content types, two sets of
relationships, the workbook, its styles) and the sheet, written here: a row is one string
of markup. Libraries were measured first on the bench catalogue's rows (44 cells, 16 of
them filled): openpyxl in write-only mode, which this replaced, builds every cell as an
object and serialises it through lxml (about 700 rows/s of a whole export); XlsxWriter in
constant-memory mode writes about 4,000 rows/s before any record is read (a few µs a
cell); rustpy-xlsxwriter takes rows as dicts with one type per column and has no per-column
cell formats for the wrapped columns.
"""

from __future__ import annotations

import functools
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

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
# What a workbook cannot hold, XML 1.0 having no way to write it even escaped: the control
# characters but tab and line breaks, lone surrogates, U+FFFE and U+FFFF.
NOT_IN_A_WORKBOOK = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
WRITE_SIZE = 1 << 16  # characters of rows gathered before they go to the compressor

_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_PATH = "xl/worksheets/sheet1.xml"
_MAIN_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
# Cell formats, by their place in <cellXfs> (the `s` of a cell).
_HEADER, _WRAPPED, _TOP = 1, 2, 3
_PRESERVED = '<t xml:space="preserve">'
_TOP_ALIGNED = '<alignment vertical="top"/>'
_STYLES = (
    f"<styleSheet {_MAIN_NS}>"
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b val="1"/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    f"{_TOP_ALIGNED}</xf></cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package'
        '.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_SPREADSHEET}.sheet.main+xml"/>'
        f'<Override PartName="/{_SHEET_PATH}" ContentType="{_SPREADSHEET}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_SPREADSHEET}.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{_OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook {_MAIN_NS} xmlns:r="{_OFFICE}"><sheets>'
        f'<sheet name="{SHEET_TITLE}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_RELATIONSHIPS}">'
        f'<Relationship Id="rId1" Type="{_OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_OFFICE}/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": _STYLES,
}


@dataclass(frozen=True)
class XlsxReport:
    rows: int
    warnings: list[str] = field(default_factory=list)


def write(units: Iterable[ExportUnit], out: BinaryIO) -> XlsxReport:
    """Write `units` (parents first) to `out` as a workbook with one sheet, "Finding aid"."""
    warnings = Warnings(limit=5)
    fit = functools.partial(_fitted, warnings=warnings)
    sheet = _Sheet()
    rows = 0
    # A write that fails (a full disk) leaves the archive closed, never half-open: each
    # `with` closes what it opened on the way out, and the error reaches the caller.
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, _DECLARATION + text)
        with archive.open(_SHEET_PATH, "w", force_zip64=True) as stream:
            stream.write(sheet.top().encode("utf-8"))
            pending = [sheet.row(list(ISAD_COLUMNS), _HEADER)]
            size = 0
            for unit in units:
                row = sheet.row(isad_row(unit, warnings, fit))
                pending.append(row)
                rows += 1
                size += len(row)
                if size >= WRITE_SIZE:
                    stream.write("".join(pending).encode("utf-8"))
                    pending.clear()
                    size = 0
            pending.append(sheet.tail())
            stream.write("".join(pending).encode("utf-8"))
    return XlsxReport(rows, warnings.lines())


def column_letter(index: int) -> str:
    """The letters of the column at `index` (1 -> "A", 27 -> "AA")."""
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


class _Sheet:
    """The worksheet's markup: its top (view, columns), rows one by one, then its end."""

    def __init__(self) -> None:
        letters = [column_letter(n) for n in range(1, len(ISAD_COLUMNS) + 1)]
        styles = [_WRAPPED if column in WRAPPED else _TOP for column in ISAD_COLUMNS]
        self._widths = [WIDTHS.get(column, DEFAULT_WIDTH) for column in ISAD_COLUMNS]
        # Each column's cells: the start of their markup (up to the row number), format.
        self._cells = [
            (f'<c r="{letter}', style) for letter, style in zip(letters, styles, strict=True)
        ]
        self._next = 1

    def top(self) -> str:
        columns = "".join(
            f'<col min="{n}" max="{n}" width="{width:g}" customWidth="1"/>'
            for n, width in enumerate(self._widths, start=1)
        )
        return (
            f'{_DECLARATION}<worksheet {_MAIN_NS}><sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{columns}</cols><sheetData>'
        )

    def row(self, values: list[str], style: int | None = None) -> str:
        """One row of string cells (empty ones keep their column's format), each in the
        column's format or, given, in `style`."""
        number = self._next
        self._next += 1
        cells = [f'<row r="{number}">']
        for (start, column_style), value in zip(self._cells, values, strict=True):
            s = column_style if style is None else style
            if not value:
                cells.append(f'{start}{number}" s="{s}"/>')
                continue
            # Leading or trailing spaces are kept only when the text says so.
            text = "<t>" if not (value[0].isspace() or value[-1].isspace()) else _PRESERVED
            cells.append(
                f'{start}{number}" s="{s}" t="inlineStr"><is>{text}{_escaped(value)}</t></is></c>'
            )
        cells.append("</row>")
        return "".join(cells)

    @staticmethod
    def tail() -> str:
        return "</sheetData></worksheet>"


def _escaped(text: str) -> str:
    """`text` as XML character data (a carriage return as a reference, which a reader
    would otherwise take for a line feed)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _fitted(values: list[str], code: str, *, warnings: Warnings) -> list[str]:
    """A row's `values` without the characters a workbook cannot hold, each cut to Excel's
    limit (a row needing neither, as most do, is seen in one look)."""
    if NOT_IN_A_WORKBOOK.search("".join(values)) is None and (
        max(map(len, values)) <= MAX_CELL_CHARACTERS
    ):
        return values
    return [
        _fitted_cell(value, column, code, warnings)
        for value, column in zip(values, ISAD_COLUMNS, strict=True)
    ]


def _fitted_cell(value: str, column: str, code: str, warnings: Warnings) -> str:
    if NOT_IN_A_WORKBOOK.search(value):
        value = NOT_IN_A_WORKBOOK.sub("", value)
        warnings.add(CLEANED, f"{code}: control characters removed from {column}")
    if len(value) > MAX_CELL_CHARACTERS:
        value = value[: MAX_CELL_CHARACTERS - 1] + "…"
        warnings.add(
            CLEANED,
            f"{code}: {column} cut to {MAX_CELL_CHARACTERS:,} characters (Excel's limit)",
        )
    return value
