"""Originals of a record: their text, fixity checks, and adding more to an existing record."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from catalog_app.errors import RecordNotFound, ValidationError
from catalog_app.services import Catalogue
from catalog_app.services.originals import CHANGED, MATCHES, OriginalsService

PERSIAN = "گزارش شاهدان از خاوران در تابستان ۱۳۶۷"


def imported(catalogue: Catalogue, tmp_path: Path, text: str = PERSIAN) -> int:
    source = tmp_path / "testimony.txt"
    source.write_text(text, encoding="utf-8")
    report = catalogue.imports.run([source], workers=1)
    (unit_id,) = report.new_ids
    return unit_id


def tamper(path: Path, data: bytes) -> None:
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)  # stored copies are read-only
    path.write_bytes(data)


def test_texts_and_fixity_of_an_imported_original(catalogue: Catalogue, tmp_path: Path) -> None:
    unit_id = imported(catalogue, tmp_path)
    service = OriginalsService(catalogue)
    (item,) = service.texts(unit_id)
    assert item.text == PERSIAN
    assert item.file.original_name == "testimony.txt"
    result = service.verify(item.file.id)
    assert result.matches
    assert result.status == MATCHES


def test_an_altered_stored_copy_is_reported_changed(catalogue: Catalogue, tmp_path: Path) -> None:
    unit_id = imported(catalogue, tmp_path)
    service = OriginalsService(catalogue)
    (file,) = service.files(unit_id)
    copy = service.stored_copy(file)
    assert copy is not None
    tamper(copy, b"altered")
    result = service.verify(file.id)
    assert not result.matches
    assert result.status == CHANGED
    assert result.problem is not None
    assert "now has SHA-256" in result.problem


def test_a_missing_stored_copy_is_reported_changed(catalogue: Catalogue, tmp_path: Path) -> None:
    unit_id = imported(catalogue, tmp_path)
    service = OriginalsService(catalogue)
    (file,) = service.files(unit_id)
    copy = service.stored_copy(file)
    assert copy is not None
    copy.unlink()
    result = service.verify(file.id)
    assert result.status == CHANGED
    assert result.actual is None
    assert result.problem is not None
    assert "missing" in result.problem


def test_attach_adds_file_text_and_ingestion_event(catalogue: Catalogue, tmp_path: Path) -> None:
    unit_id = imported(catalogue, tmp_path)
    second = tmp_path / "translation.txt"
    second.write_text("Witness reports from Khavaran, summer 1988", encoding="utf-8")
    service = OriginalsService(catalogue)

    added = service.attach(unit_id, second)

    assert added.original_name == "translation.txt"
    assert [f.original_name for f in service.files(unit_id)] == [
        "testimony.txt",
        "translation.txt",
    ]
    assert service.texts(unit_id)[1].text.startswith("Witness reports")
    assert service.verify(added.id).matches
    events = [e for e in catalogue.provenance.chain(unit_id) if e.file_id == added.id]
    assert [e.event_type for e in events] == ["ingestion"]
    # The added text is searchable with the record.
    hits = catalogue.search.search("Khavaran").hits
    assert [h.id for h in hits] == [unit_id]


def test_attach_refuses_bytes_already_catalogued(catalogue: Catalogue, tmp_path: Path) -> None:
    unit_id = imported(catalogue, tmp_path)
    other = catalogue.units.create({"title": "Another record"})
    copy = tmp_path / "copy.txt"
    copy.write_text(PERSIAN, encoding="utf-8")
    service = OriginalsService(catalogue)
    with pytest.raises(ValidationError, match="already catalogued"):
        service.attach(other.id, copy)
    assert service.files(other.id) == []
    assert len(service.files(unit_id)) == 1


def test_attach_explains_unreadable_input(catalogue: Catalogue, tmp_path: Path) -> None:
    record = catalogue.units.create({"title": "A record"})
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    service = OriginalsService(catalogue)
    with pytest.raises(ValidationError, match=r"empty\.txt cannot be added: the file is empty"):
        service.attach(record.id, empty)
    with pytest.raises(RecordNotFound):
        service.attach(record.id + 100, empty)
