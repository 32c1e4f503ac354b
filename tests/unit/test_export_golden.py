"""Every finding aid, byte for byte as it was written before the exports were made fast: the
rich test catalogue (tests/unit/export_catalogue.py), its identifiers, times and computer
names made the same on every run, through each writer, against files kept under golden/.

    EXPORT_GOLDEN_UPDATE=1 pytest tests/unit/test_export_golden.py   (writes them anew)

Only a deliberate change of a format may change them.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from catalog_app.domain.records import EventRecord
from catalog_app.export import csv_atom, csv_isad, dublin_core, ead, xlsx
from catalog_app.services import Catalogue
from catalog_app.services.export_source import ExportUnit, Selection, iter_units
from catalog_app.services.identity import host_name, login_name
from tests.unit.export_catalogue import build_rich

GOLDEN = Path(__file__).parent / "golden" / "export"
UPDATE = os.environ.get("EXPORT_GOLDEN_UPDATE") == "1"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT")
_WHEN = datetime(2025, 6, 7, 8, 9, 10, tzinfo=UTC)
# What changes from run to run in an EAD file: when it was made, and a wrapper's own id.
_EAD_VOLATILE = (
    (re.compile(rb"<eventdatetime[^>]*>[^<]*</eventdatetime>"), b"<eventdatetime/>"),
    (re.compile(rb"<recordid>urn:uuid:[0-9a-f-]{36}</recordid>"), b"<recordid/>"),
)


class _Canon:
    """Makes records the same on every run: UUIDs numbered in the order met, recording
    times fixed, the import folder and this computer's names replaced."""

    def __init__(self, folder: Path) -> None:
        self._uuids: dict[str, str] = {}
        self._folder = str(folder)
        self._names = {name: "computer-name" for name in (login_name(), host_name()) if name}

    def value(self, name: str, value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self.record(value)
        if isinstance(value, tuple):
            return tuple(self.value(name, v) for v in value)
        if isinstance(value, datetime) and name != "assessed_at":
            return _WHEN
        if type(value) is str:  # not the grades, which are str enums
            if _UUID.match(value):
                return self._uuids.setdefault(
                    value, f"00000000-0000-4000-8000-{len(self._uuids):012d}"
                )
            if value in self._names:
                return self._names[value]
            return value.replace(self._folder, "/home/archivist/incoming")
        return value

    def record(self, value: Any) -> Any:
        changes = {
            f.name: self.value(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)
        }
        if isinstance(value, EventRecord) and _STAMP.match(value.occurred_at or ""):
            # An event the program recorded as it happened (an import): when is now.
            changes.update(occurred_at=_WHEN.isoformat(), occurred_start=_WHEN.date())
        return dataclasses.replace(value, **changes)


def _units(catalogue: Catalogue, tmp_path: Path, collection: str | None) -> list[ExportUnit]:
    rich = build_rich(catalogue, tmp_path)
    canon = _Canon(rich.folder)
    selection = Selection(collection, include_restricted=True, include_internal=True)
    return [canon.record(unit) for unit in iter_units(catalogue, selection)]


def _sheet_summary(data: bytes) -> bytes:
    """What a spreadsheet program shows of a workbook: cells (value, type, bold, wrapped,
    vertical alignment), column widths and the frozen pane."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[xlsx.SHEET_TITLE]
    assert isinstance(sheet, Worksheet)
    summary = {
        "sheets": workbook.sheetnames,
        "freeze": sheet.freeze_panes,
        "widths": {k: v.width for k, v in sorted(sheet.column_dimensions.items())},
        "rows": [
            [
                [
                    c.value,
                    c.data_type,
                    bool(c.font.b),
                    bool(c.alignment.wrap_text),
                    c.alignment.vertical,
                ]
                for c in row
            ]
            for row in sheet.iter_rows()
        ],
    }
    return json.dumps(summary, ensure_ascii=False, indent=1).encode("utf-8")


def _ead_stable(data: bytes) -> bytes:
    for pattern, replacement in _EAD_VOLATILE:
        data = pattern.sub(replacement, data)
    return data


Write = Callable[[Iterable[ExportUnit], BinaryIO], object]
CASES: dict[str, tuple[str | None, Write, Callable[[bytes], bytes]]] = {
    "isad.csv": (None, csv_isad.write, bytes),
    "atom.csv": (None, csv_atom.write, bytes),
    "atom-collection.csv": ("RICH", csv_atom.write, bytes),
    "ead-collection.xml": ("RICH", ead.write, _ead_stable),
    "ead-whole.xml": (None, lambda u, o: ead.write(u, o, title="Catalogue rich"), _ead_stable),
    "dc.xml": (None, dublin_core.write, bytes),
    "sheet.json": (None, xlsx.write, _sheet_summary),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_finding_aid_is_as_before(name: str, catalogue: Catalogue, tmp_path: Path) -> None:
    collection, write, stable = CASES[name]
    out = io.BytesIO()
    report = write(_units(catalogue, tmp_path, collection), out)
    written = stable(out.getvalue()) + b"\n--\n" + repr(report).encode("utf-8")
    golden = GOLDEN / name
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(written)
    assert golden.read_bytes() == written


def test_canonical_records_are_dated_once() -> None:
    """The fixed time stands in for every recording time (a guard on _Canon itself)."""
    canon = _Canon(Path("/nowhere"))
    assert canon.value("recorded_at", datetime(2020, 1, 1, tzinfo=UTC)) == _WHEN
    assert canon.value("assessed_at", datetime(2020, 1, 1, tzinfo=UTC)).year == 2020
    assert canon.value("date_start", date(1988, 1, 1)) == date(1988, 1, 1)
