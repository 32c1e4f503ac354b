"""`catalog export`, `catalog import-csv` and `catalog import-bag` as scripts use them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import bagit
import pytest
from lxml import etree
from openpyxl import load_workbook

from catalog_app.cli import main
from catalog_app.paths import bundled
from catalog_app.services import Catalogue
from catalog_app.services.exports import ExportService


@pytest.fixture
def archive(catalogue: Catalogue, tmp_path: Path) -> Catalogue:
    fonds = catalogue.units.create(
        {"title": "Khavaran testimonies", "level": "fonds", "date_expression": "1988/1990"}
    )
    series = catalogue.units.create({"title": "Letters", "level": "series"}, parent_id=fonds.id)
    for number in range(3):
        catalogue.units.create(
            {
                "title": f"نامهٔ مادران {number}",
                "scope_content": 'She wrote: "=HYPERLINK(1)", then, on a new line\nmore',
                "languages": ["fa"],
                "archivist_note": "source is a relative of a prisoner",
            },
            parent_id=series.id,
        )
    catalogue.units.create(
        {"title": "Names of informants", "access_status": "confidential"}, parent_id=fonds.id
    )
    document = tmp_path / "statement.txt"
    document.write_text("Statement of the Mothers of Khavaran", encoding="utf-8")
    catalogue.imports.run([document], collection=series.reference_code, workers=1)
    return catalogue


def _run(archive: Catalogue, *args: str) -> int:
    return main(["--db", str(archive.path), *args])


def test_every_format_exports_from_the_command_line(
    archive: Catalogue, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = {
        "csv": tmp_path / "aid.csv",
        "xlsx": tmp_path / "aid.xlsx",
        "ead": tmp_path / "aid.xml",
        "dc": tmp_path / "dc.xml",
        "bag": tmp_path / "bag",
    }
    for fmt, output in outputs.items():
        assert _run(archive, "export", fmt, str(output), "--json") == 0
        summary = json.loads(capsys.readouterr().out)
        assert summary["records"] == 6  # the confidential record is left out
        assert summary["left_out"] == 1
        assert output.exists()

    with outputs["csv"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 6
    assert "Names of informants" not in {row["Title"] for row in rows}
    assert all(row["Archivist's note"] == "" for row in rows)  # withheld by default

    workbook = load_workbook(outputs["xlsx"])
    assert workbook.active is not None
    assert workbook.active.max_row == 7

    schema = etree.XMLSchema(etree.parse(str(bundled("resources") / "standards" / "ead3.xsd")))
    ead = etree.parse(str(outputs["ead"]))
    assert schema.validate(ead), schema.error_log
    assert "نامهٔ مادران 0" in etree.tostring(ead, encoding="unicode")

    dc = etree.parse(str(outputs["dc"]))
    assert len(dc.getroot()) == 6

    bagit.Bag(str(outputs["bag"])).validate()


def test_including_restricted_records_is_a_choice_and_says_so(
    archive: Catalogue, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "all.csv"
    assert _run(archive, "export", "csv", str(output), "--include-restricted") == 0
    assert "Wrote 7 record(s)" in capsys.readouterr().out
    with output.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert "Names of informants" in {row["Title"] for row in rows}
    assert "source is a relative of a prisoner" in {row["Archivist's note"] for row in rows}


def test_an_atom_csv_and_a_bag_come_back_into_another_catalogue(
    archive: Catalogue, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    atom = tmp_path / "atom.csv"
    bag = tmp_path / "bag"
    assert _run(archive, "export", "csv", str(atom), "--profile", "atom") == 0
    assert _run(archive, "export", "bag", str(bag), "--collection", "CAT-0001") == 0
    assert b"\r\n" not in atom.read_bytes()
    capsys.readouterr()

    with Catalogue.open(tmp_path / "second.sqlite", create=True, actor="receiver") as second:
        path = str(second.path)
    assert main(["--db", path, "import-csv", str(atom), "--profile", "atom", "--dry-run"]) == 0
    assert "nothing was written" in capsys.readouterr().out
    assert main(["--db", path, "import-csv", str(atom), "--profile", "atom"]) == 0
    assert "6 record(s) imported" in capsys.readouterr().out
    with Catalogue.open(Path(path)) as second:
        assert second.search.search("مادران").total == 3

    with Catalogue.open(tmp_path / "third.sqlite", create=True, actor="receiver") as third:
        path = str(third.path)
    assert main(["--db", path, "import-bag", str(bag), "--json"]) == 0
    brought = json.loads(capsys.readouterr().out)
    assert brought["records"] == 6
    assert brought["originals"] == 1
    with Catalogue.open(Path(path)) as third:
        statement = third.search.search("Statement Mothers").hits[0]
        detail = third.units.get(statement.id)
        assert [e.event_type for e in detail.events][-1] == "transfer"


def test_relations_to_records_that_are_not_here_are_a_one_line_warning(
    archive: Catalogue, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    letter = archive.units.find("CAT-0001/0001/0001")
    elsewhere = archive.units.create({"title": "Press cuttings", "level": "fonds"})
    archive.relations.relate(letter.id, elsewhere.id, "cites")
    inventory, bag = tmp_path / "inventory.csv", tmp_path / "bag"
    for fmt, output in (("csv", inventory), ("bag", bag)):  # the collection without the other
        assert _run(archive, "export", fmt, str(output), "--collection", "CAT-0001") == 0
    capsys.readouterr()

    with Catalogue.open(tmp_path / "second.sqlite", create=True, actor="receiver") as second:
        path = str(second.path)
    assert main(["--db", path, "import-csv", str(inventory)]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0].startswith("warning: 1 relation left out: it names a record that is neither")
    assert said[0].endswith(f"({elsewhere.reference_code})")

    with Catalogue.open(tmp_path / "third.sqlite", create=True, actor="receiver") as third:
        path = str(third.path)
    assert main(["--db", path, "import-bag", str(bag), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == [
        "1 relation left out: it names a record that is neither in the bag nor in this "
        f"catalogue (CAT-0001/0001/0001 to {elsewhere.uuid})"
    ]


def test_a_tampered_bag_is_refused_naming_the_file(
    archive: Catalogue, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bag = tmp_path / "bag"
    ExportService(archive).export("bag", bag)
    original = next((bag / "data" / "originals").rglob("*.txt"))
    original.write_text("Statement, edited on the way", encoding="utf-8")
    with Catalogue.open(tmp_path / "other.sqlite", create=True, actor="receiver") as other:
        path = str(other.path)
    assert main(["--db", path, "import-bag", str(bag)]) == 1
    error = capsys.readouterr().err
    assert original.name in error
    assert "\n" not in error.strip()  # one line


def test_bad_export_requests_get_one_line(
    archive: Catalogue, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(archive, "export", "csv", str(tmp_path / "missing" / "x.csv")) == 1
    assert "does not exist" in capsys.readouterr().err
    assert _run(archive, "export", "ead", str(tmp_path / "x.xml"), "--collection", "NOPE") == 1
    assert "NOPE" in capsys.readouterr().err
    assert not (tmp_path / "x.xml").exists()
