"""The workbook's cells hold what the records hold, whatever the text: markup characters,
carriage returns, spaces at either end, and characters no workbook can hold (removed, with
a warning), read back by openpyxl as a spreadsheet program would."""

from __future__ import annotations

import dataclasses
import io
import zipfile

from lxml import etree
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from catalog_app.export import xlsx
from catalog_app.export.columns import ISAD_COLUMNS
from catalog_app.services import Catalogue
from catalog_app.services.export_source import ExportUnit

TEXTS = {
    "Title": "  spaced at both ends ",
    "Scope and content": "a & b < c > d ]]> e\r\nf\rg\th",
    "General note": "Persian خاوران and an emoji \U0001f4dc",
}


def _workbook(
    catalogue: Catalogue, title: str, scope_content: str, general_note: str | None = None
) -> tuple[Worksheet, xlsx.XlsxReport, bytes]:
    template = catalogue.units.create({"title": "Template"})
    detail = dataclasses.replace(
        template,
        reference_code="X/1",
        title=title,
        scope_content=scope_content,
        general_note=general_note,
    )
    unit = ExportUnit(detail, 0, None)
    out = io.BytesIO()
    report = xlsx.write([unit], out)
    sheet = load_workbook(io.BytesIO(out.getvalue()))[xlsx.SHEET_TITLE]
    assert isinstance(sheet, Worksheet)
    return sheet, report, out.getvalue()


def _cell(sheet: Worksheet, column: str) -> object:
    return sheet.cell(2, ISAD_COLUMNS.index(column) + 1).value


def test_text_comes_back_as_it_was(catalogue: Catalogue) -> None:
    sheet, report, data = _workbook(
        catalogue,
        title=TEXTS["Title"],
        scope_content=TEXTS["Scope and content"],
        general_note=TEXTS["General note"],
    )
    for column, text in TEXTS.items():
        assert _cell(sheet, column) == text
    assert report.warnings == []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():  # every part is well-formed XML
            etree.fromstring(archive.read(name))


def test_characters_no_workbook_can_hold_are_removed_with_a_warning(
    catalogue: Catalogue,
) -> None:
    sheet, report, _ = _workbook(
        catalogue, title="lone \ud800 surrogate", scope_content="not\ufffe a\x00 character"
    )
    assert _cell(sheet, "Title") == "lone  surrogate"
    assert _cell(sheet, "Scope and content") == "not a character"
    assert any("X/1" in w and "Title" in w for w in report.warnings)
    assert any("X/1" in w and "Scope and content" in w for w in report.warnings)
