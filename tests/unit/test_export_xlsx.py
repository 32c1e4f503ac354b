"""The XLSX finding aid, read back with openpyxl as a spreadsheet program would open it."""

from __future__ import annotations

import dataclasses
import gc
import io
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from catalog_app.export import cells, xlsx
from catalog_app.export.columns import ISAD_COLUMNS
from catalog_app.services import Catalogue
from catalog_app.services.export_source import ExportUnit, Selection, iter_units
from tests.unit.test_export_csv import (
    AT_TITLE,
    FORMULA_TITLE,
    PERSIAN_TITLE,
    PHONE_NOTE,
    PIPE_SUBJECT,
    SCOPE,
    described_catalogue,
)


def exported_sheet(catalogue: Catalogue) -> tuple[Worksheet, xlsx.XlsxReport]:
    out = io.BytesIO()
    report = xlsx.write(iter_units(catalogue, Selection()), out)
    out.seek(0)
    workbook = load_workbook(out)
    assert workbook.sheetnames == [xlsx.SHEET_TITLE]
    sheet = workbook[xlsx.SHEET_TITLE]
    assert isinstance(sheet, Worksheet)
    return sheet, report


def rows_by_code(sheet: Worksheet) -> dict[str, dict[str, str]]:
    values = list(sheet.iter_rows(values_only=True))
    header = [str(v) for v in values[0]]
    rows = [
        {h: "" if v is None else str(v) for h, v in zip(header, row, strict=True)}
        for row in values[1:]
    ]
    return {row["Reference code"]: row for row in rows}


def test_workbook_values_read_back(catalogue: Catalogue, tmp_path: Path) -> None:
    sample = described_catalogue(catalogue, tmp_path)
    sheet, report = exported_sheet(catalogue)
    assert report.rows == 4
    assert [c.value for c in sheet[1]] == list(ISAD_COLUMNS)
    rows = rows_by_code(sheet)
    assert rows["FA"]["Title"] == PERSIAN_TITLE
    assert rows["FA"]["Scope and content"] == SCOPE
    series = rows[catalogue.units.get(sample.series).reference_code]
    assert series["Title"] == "'" + FORMULA_TITLE
    assert cells.restore(series["Title"]) == FORMULA_TITLE
    assert series["General note"] == "'" + PHONE_NOTE
    assert series["Dates"] == "-0044"
    item = rows[catalogue.units.get(sample.item).reference_code]
    assert item["Title"] == "'" + AT_TITLE
    assert item["Subjects"].splitlines() == [PIPE_SUBJECT, "روزنامه"]
    assert item["Source reliability"] == "C — Fairly reliable"
    assert item["Originals (SHA-256)"] == f"report.txt {sample.sha256}"


def test_no_cell_is_a_formula(catalogue: Catalogue, tmp_path: Path) -> None:
    described_catalogue(catalogue, tmp_path)
    sheet, _ = exported_sheet(catalogue)
    filled = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert filled
    assert all(cell.data_type == "s" for cell in filled)


def test_values_are_string_cells_even_without_neutralising(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = described_catalogue(catalogue, tmp_path)
    monkeypatch.setattr(cells, "neutralise", lambda text, date_column=False: text)
    sheet, _ = exported_sheet(catalogue)
    code = catalogue.units.get(sample.series).reference_code
    (row,) = [r for r in sheet.iter_rows() if r[0].value == code]
    title = row[ISAD_COLUMNS.index("Title")]
    assert (title.value, title.data_type) == (FORMULA_TITLE, "s")


def test_layout_frozen_bold_header_widths_and_wrapping(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    described_catalogue(catalogue, tmp_path)
    sheet, _ = exported_sheet(catalogue)
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    column = {name: n + 1 for n, name in enumerate(ISAD_COLUMNS)}
    letter = {name: get_column_letter(n) for name, n in column.items()}
    widths = {name: sheet.column_dimensions[letter[name]].width for name in ISAD_COLUMNS}
    assert widths["Scope and content"] > widths["Reference code"] > widths["Level"]
    assert widths["Originals (SHA-256)"] >= 64 + len("report.txt ")
    assert sheet.cell(2, column["Scope and content"]).alignment.wrap_text
    assert not sheet.cell(2, column["Reference code"]).alignment.wrap_text


def test_control_characters_are_removed_with_a_warning(catalogue: Catalogue) -> None:
    unit = catalogue.units.create({"title": "Bell\x07 in the title", "reference_code": "BEL"})
    sheet, report = exported_sheet(catalogue)
    assert rows_by_code(sheet)["BEL"]["Title"] == "Bell in the title"
    assert any(unit.reference_code in w and "Title" in w for w in report.warnings)


def lazy_units(catalogue: Catalogue, count: int) -> Iterator[ExportUnit]:
    """`count` records with 4 KB of text each, made one at a time (never all in memory)."""
    template = catalogue.units.create({"title": "Template"})
    for n in range(count):
        text = f"{n:08d} " * 450
        yield ExportUnit(
            dataclasses.replace(
                template, id=n + 1000, uuid=f"u{n}", reference_code=f"R/{n}", scope_content=text
            ),
            0,
            None,
        )


def test_a_large_workbook_is_not_built_in_memory(catalogue: Catalogue, tmp_path: Path) -> None:
    count = 2000
    text_bytes = count * 450 * 9  # about 8 MB of cell text
    xlsx.write(lazy_units(catalogue, 2), io.BytesIO())  # imports and caches warmed up first
    gc.collect()
    tracemalloc.start()
    try:
        with (tmp_path / "big.xlsx").open("wb") as out:
            report = xlsx.write(lazy_units(catalogue, count), out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.rows == count
    # A workbook held in memory needs several times its text; write-only keeps a few rows.
    assert peak < text_bytes / 4, f"peak {peak:,} bytes for {text_bytes:,} bytes of text"
    workbook = load_workbook(tmp_path / "big.xlsx", read_only=True)
    sheet = workbook[xlsx.SHEET_TITLE]
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == count + 1
    workbook.close()
