"""Importing files and folders through the service, as the command and the window do."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from catalog_app.domain.records import ImportReport
from catalog_app.ingest import ocr, store
from catalog_app.ingest import prepare as prepare_module
from catalog_app.services import Catalogue
from catalog_app.services import ingest as ingest_service
from tests.documents import (
    ARABIC,
    ENGLISH,
    MIXED,
    PERSIAN,
    PERSIAN_1256,
    docx_file,
    encrypted_pdf,
    html_page,
    image_with_text,
    pdf_file,
)


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Extraction in this process, for tests that patch the readers."""
    monkeypatch.setattr(ingest_service, "IN_PROCESS", True)


def only(report: ImportReport, outcome: str = "imported") -> int:
    (item,) = report.items
    assert item.outcome == outcome, item
    assert item.id is not None
    return item.id


def text_of(catalogue: Catalogue, unit_id: int) -> str:
    from catalog_app.storage import models

    with catalogue.db.read() as session:
        (stored,) = session.get(models.Unit, unit_id).files  # type: ignore[union-attr]
        return stored.extracted_text or ""


def test_a_text_file_is_stored_described_and_its_ingestion_recorded(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    source = tmp_path / "khavaran.txt"
    source.write_text(f"Families gather at Khavaran\nAugust 29, 2023\n\n{ENGLISH}\n")
    unit = catalogue.units.get(only(catalogue.imports.run([source])))

    assert unit.title == "Families gather at Khavaran"
    assert unit.title_source == "harvested"
    assert unit.level == "item"
    assert unit.date_expression == "2023-08-29"
    assert unit.languages == ("en",)
    assert set(unit.harvested) == {"title", "date_expression", "languages", "scripts"}
    (original,) = unit.files
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    assert original.sha256 == digest
    assert original.size == source.stat().st_size
    assert original.original_name == "khavaran.txt"
    assert original.original_path == str(source)
    assert original.text_method == "plain text (utf-8)"
    assert original.text_language == "en"
    stored = store.store_root(catalogue.path) / (original.stored_path or "")
    assert stored.read_bytes() == source.read_bytes()
    (event,) = unit.events
    assert event.event_type == "ingestion"
    assert event.agent == "tester"
    assert event.tool == f"catalog-app {__import__('catalog_app').__version__}"
    assert digest in (event.note or "")
    assert str(source) in (event.note or "")
    assert catalogue.audit.verify() == []
    assert {h.table_name for h in catalogue.audit.history(unit.uuid)} == {"units"}


def test_editing_a_harvested_field_marks_it_as_typed(catalogue: Catalogue, tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("A harvested title\n\n" + ENGLISH)
    unit_id = only(catalogue.imports.run([source]))
    edited = catalogue.units.update(unit_id, {"title": "A title typed by a person"})
    assert edited.title_source == "typed"
    assert "title" not in edited.harvested
    assert "languages" in edited.harvested


@pytest.mark.parametrize(
    ("text", "encoding", "method", "languages"),
    [
        (PERSIAN_1256 * 3, "cp1256", "plain text (cp1256 (detected))", ("fa",)),
        (ARABIC * 3, "cp1256", "plain text (cp1256 (detected))", ("ar",)),
        (PERSIAN * 3, "utf-16", "plain text (utf-16-le (byte order mark))", ("fa",)),
        (MIXED * 3, "utf-8-sig", "plain text (utf-8 (byte order mark))", ("en", "fa")),
    ],
)
def test_plain_text_in_legacy_encodings_and_scripts(
    catalogue: Catalogue,
    tmp_path: Path,
    text: str,
    encoding: str,
    method: str,
    languages: tuple[str, ...],
) -> None:
    source = tmp_path / "statement.txt"
    source.write_bytes(text.encode(encoding))
    unit = catalogue.units.get(only(catalogue.imports.run([source])))
    assert text_of(catalogue, unit.id) == text
    assert unit.files[0].text_method == method
    assert unit.languages == languages


def test_a_web_page_gives_main_text_and_its_metadata(catalogue: Catalogue, tmp_path: Path) -> None:
    source = tmp_path / "khavaran-2023.html"
    source.write_bytes(html_page(publisher="Iran Rights Watch"))
    unit = catalogue.units.get(only(catalogue.imports.run([source])))
    text = text_of(catalogue, unit.id)
    assert unit.title == "Families gather at Khavaran"
    assert unit.date_expression == "2023-08-29"
    assert unit.date_kind == "publication"
    assert unit.media_type == "web page"
    assert PERSIAN in text  # the zero-width non-joiner of خانواده‌ها survives
    assert "\u200c" in text
    assert "Subscribe to our newsletter" not in text
    assert "Donate" not in text
    assert {(a.authorised_name, a.role) for a in unit.agents} == {
        ("Jane Roe", "creator"),
        ("Iran Rights Watch", "publisher"),
    }
    capture = [e for e in unit.events if e.event_type == "capture"]
    assert capture[0].source_url == "https://example.org/news/khavaran-2023"
    assert (unit.files[0].text_method or "").startswith("html main text (resiliparse")


def test_agents_found_in_several_documents_are_one_agent(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    publisher = "Iran Rights Watch"
    (tmp_path / "a.html").write_bytes(html_page(title="First report", publisher=publisher))
    (tmp_path / "b.html").write_bytes(
        html_page(title="Second report", body=ENGLISH[:150], publisher=publisher)
    )
    report = catalogue.imports.run([tmp_path / "a.html", tmp_path / "b.html"])
    assert report.count("imported") == 2
    assert catalogue.stats().counts["agents"] == 2  # Jane Roe and Iran Rights Watch


def test_a_legacy_encoded_web_page(catalogue: Catalogue, tmp_path: Path) -> None:
    source = tmp_path / "page.htm"
    source.write_bytes(html_page(title="Report", extra=PERSIAN_1256, charset="windows-1256"))
    unit_id = only(catalogue.imports.run([source]))
    assert PERSIAN_1256 in text_of(catalogue, unit_id)


def test_a_pdf_gives_its_text_layer_and_title(catalogue: Catalogue, tmp_path: Path) -> None:
    source = pdf_file(
        tmp_path / "statement.pdf",
        [ENGLISH, "Page two of the statement."],
        title="Witness statement 12",
    )
    unit = catalogue.units.get(only(catalogue.imports.run([source])))
    assert unit.title == "Witness statement 12"
    assert unit.media_type == "pdf"
    assert "Khavaran cemetery" in text_of(catalogue, unit.id)
    assert unit.files[0].media_type == "application/pdf"
    assert [a.authorised_name for a in unit.agents] == ["Field Team"]


def test_an_encrypted_pdf_is_kept_with_a_warning(catalogue: Catalogue, tmp_path: Path) -> None:
    plain = pdf_file(tmp_path / "plain.pdf", [ENGLISH])
    source = encrypted_pdf(tmp_path / "locked.pdf", plain)
    plain.unlink()
    report = catalogue.imports.run([source])
    unit = catalogue.units.get(only(report))
    assert report.items[0].warnings == (
        "the PDF is encrypted with a password; no text was extracted",
    )
    assert unit.files[0].sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert unit.events[0].outcome == "warning"


def test_a_truncated_pdf_is_kept_with_a_warning(catalogue: Catalogue, tmp_path: Path) -> None:
    whole = pdf_file(tmp_path / "whole.pdf", [ENGLISH] * 5).read_bytes()
    source = tmp_path / "cut.pdf"
    source.write_bytes(whole[: len(whole) // 3])
    report = catalogue.imports.run([source])
    (item,) = report.items
    assert item.outcome == "imported"
    assert any("PDF" in w for w in item.warnings), item.warnings


def test_a_word_document(catalogue: Catalogue, tmp_path: Path) -> None:
    source = docx_file(
        tmp_path / "report.docx",
        ["Report on Gohardasht", PERSIAN, ENGLISH],
        title="Gohardasht report",
    )
    unit = catalogue.units.get(only(catalogue.imports.run([source])))
    text = text_of(catalogue, unit.id)
    assert unit.title == "Gohardasht report"
    assert PERSIAN in text
    assert "Gohardasht" in text
    assert "Prison\tGohardasht" in text  # table cells
    assert unit.languages == ("en", "fa")
    assert unit.media_type == "document"


@pytest.mark.skipif(ocr.tesseract() is None, reason="Tesseract OCR is not installed here")
def test_an_image_is_read_with_ocr(catalogue: Catalogue, tmp_path: Path) -> None:
    source = image_with_text(tmp_path / "placard.png", "Khavaran cemetery 1988")
    unit = catalogue.units.get(only(catalogue.imports.run([source])))
    assert "Khavaran" in text_of(catalogue, unit.id)
    method = unit.files[0].text_method or ""
    assert method.startswith("ocr (tesseract")
    assert "fas" in method
    assert unit.media_type == "image"


@pytest.mark.usefixtures("in_process")
def test_without_tesseract_an_image_is_catalogued_with_a_note(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    ocr.tesseract.cache_clear()
    try:
        source = image_with_text(tmp_path / "placard.png", "Khavaran")
        report = catalogue.imports.run([source])
    finally:
        ocr.tesseract.cache_clear()
    unit = catalogue.units.get(only(report))
    assert unit.title == "placard"
    assert unit.files[0].text_method == "none: Tesseract OCR is not installed"
    assert "install Tesseract" in report.items[0].warnings[0]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "the file is empty (0 bytes)"),
        ("junk.txt", os.urandom(5000), "the name says text (.txt) but it holds binary data"),
        ("junk.html", b"\x00\x01\x02\xff" * 800, "the name says text (.html) but"),
    ],
)
def test_bad_files_fail_with_a_reason_and_the_rest_still_lands(
    catalogue: Catalogue, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text(ENGLISH)
    report = catalogue.imports.run([bad, good])
    failed, imported = report.items
    assert (failed.path, failed.outcome) == (str(bad), "failed")
    assert (failed.reason or "").startswith(reason)
    assert imported.outcome == "imported"
    assert catalogue.stats().counts["units"] == 1


def test_unknown_binary_files_are_kept_as_other_material(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    source = tmp_path / "recording"
    source.write_bytes(os.urandom(4000))
    unit = catalogue.units.get(only(catalogue.imports.run([source])))
    assert unit.media_type == "other"
    assert unit.files[0].text_method == "none: not a text format"


def test_invalid_utf8_is_kept_with_a_warning(catalogue: Catalogue, tmp_path: Path) -> None:
    source = tmp_path / "broken.txt"
    source.write_bytes((ENGLISH * 30).encode() + b"\xc3\x28" + PERSIAN.encode())
    report = catalogue.imports.run([source])
    assert report.items[0].outcome == "imported"
    assert "not valid UTF-8" in report.items[0].warnings[0]


@pytest.mark.usefixtures("in_process")
def test_a_file_that_vanishes_or_cannot_be_read_fails_alone(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "gone.txt").write_text(ENGLISH)
    (tmp_path / "locked.txt").write_text(ENGLISH + " locked")
    (tmp_path / "fine.txt").write_text(ENGLISH + " fine")
    real_read = Path.read_bytes

    def flaky(source: Path) -> bytes:
        if source.name == "gone.txt":
            source.unlink()  # removed between being listed and being read
        if source.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real_read(source)

    monkeypatch.setattr(Path, "read_bytes", flaky)
    report = catalogue.imports.run([tmp_path], workers=1)
    outcomes = {Path(i.path).name: (i.outcome, i.reason) for i in report.items}
    assert outcomes["gone.txt"] == ("failed", "the file disappeared while it was being read")
    assert outcomes["locked.txt"] == ("failed", "permission denied")
    assert outcomes["fine.txt"][0] == "imported"


def test_special_files_and_broken_links_fail_without_hanging(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    report = catalogue.imports.run([fifo, tmp_path / "dangling.txt", tmp_path / "missing.txt"])
    assert [(Path(i.path).name, i.outcome, i.reason) for i in report.items] == [
        ("missing.txt", "failed", "no such file or folder"),
        ("pipe.txt", "failed", "it is not a regular file (a device, pipe or socket)"),
        ("dangling.txt", "failed", "it is a link to a file that does not exist"),
    ]


def test_odd_file_names(catalogue: Catalogue, tmp_path: Path) -> None:
    names = ["line\nbreak.txt", "گزارش خاوران.txt", "😀 emoji.txt", " spaces .txt", "-dash.txt"]
    for number, name in enumerate(names):
        (tmp_path / name).write_text(f"{ENGLISH} {number}")
    raw = os.fsencode(tmp_path) + b"/latin1-\xe9t\xe9.txt"
    with open(raw, "wb") as handle:  # noqa: PTH123 (a bytes path)
        handle.write(b"undecodable name")
    report = catalogue.imports.run([tmp_path])
    assert report.count("imported") == 6
    stored_names = {catalogue.units.get(i.id).files[0].original_name for i in report.items if i.id}
    assert "گزارش خاوران.txt" in stored_names
    assert "latin1-\\xe9t\\xe9.txt" in stored_names  # the bytes stay recoverable


def test_duplicates_are_reported_not_stored_twice(catalogue: Catalogue, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "report.txt").write_text(ENGLISH)
    (tmp_path / "b" / "copy of report.txt").write_text(ENGLISH)
    report = catalogue.imports.run([tmp_path], recursive=True, flatten=True)
    first, second = report.items
    assert first.outcome == "imported"
    assert (second.outcome, second.id, second.reference_code) == (
        "duplicate",
        first.id,
        first.reference_code,
    )
    again = catalogue.imports.run([tmp_path], recursive=True, flatten=True)
    assert [i.outcome for i in again.items] == ["duplicate", "duplicate"]
    assert catalogue.stats().counts["files"] == 1
    assert len([p for p in store.store_root(catalogue.path).rglob("*") if p.is_file()]) == 1


def _tree(root: Path) -> Path:
    (root / "usb" / "2024 captures" / "march").mkdir(parents=True)
    (root / "usb" / "transcripts").mkdir(parents=True)
    (root / "usb" / "readme.txt").write_text("About this stick\n\n" + ENGLISH)
    (root / "usb" / "2024 captures" / "march" / "a.txt").write_text("Capture A\n\n" + ENGLISH)
    (root / "usb" / "2024 captures" / "b.txt").write_text("Capture B\n\n" + ARABIC)
    (root / "usb" / "transcripts" / "t1.txt").write_text("Transcript 1\n\n" + PERSIAN)
    (root / "usb" / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    return root / "usb"


def test_folders_become_a_hierarchy_under_the_collection(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    collection = catalogue.units.create({"title": "Field trip 2024", "level": "collection"})
    report = catalogue.imports.run(
        [_tree(tmp_path)], collection=collection.reference_code, recursive=True
    )
    assert report.count("imported") == 4
    assert report.skipped == (str(tmp_path / "usb" / ".DS_Store"),)
    top = catalogue.units.children(collection.id)
    assert [(u.title, u.level) for u in top] == [
        ("2024 captures", "series"),
        ("transcripts", "file"),
        ("About this stick", "item"),
    ]
    captures = catalogue.units.children(top[0].id)
    assert [(u.title, u.level) for u in captures] == [("march", "file"), ("Capture B", "item")]
    assert [u.title for u in catalogue.units.children(captures[0].id)] == ["Capture A"]
    assert top[0].reference_code == collection.reference_code + "/0001"

    again = catalogue.imports.run(
        [tmp_path / "usb"], collection=collection.reference_code, recursive=True
    )
    assert again.count("duplicate") == 4
    assert len(catalogue.units.children(collection.id)) == 3  # folder records reused


def test_without_recursive_only_the_folders_own_files_are_taken(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    report = catalogue.imports.run([_tree(tmp_path)])
    assert [Path(i.path).name for i in report.items] == ["readme.txt"]


def test_flatten_puts_every_file_directly_under_the_collection(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    report = catalogue.imports.run([_tree(tmp_path)], recursive=True, flatten=True)
    assert report.count("imported") == 4
    assert {u.level for u in catalogue.units.children(None)} == {"item"}


def test_new_records_inherit_the_collections_access_status(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    sensitive = catalogue.units.create(
        {"title": "Victims' testimonies", "level": "collection", "access_status": "confidential"}
    )
    report = catalogue.imports.run([_tree(tmp_path)], collection=str(sensitive.id), recursive=True)
    for item in report.items:
        assert catalogue.units.get(item.id or 0).access_status == "confidential"


def test_an_unknown_collection_is_refused_before_anything_is_written(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    from catalog_app.errors import RecordNotFound

    with pytest.raises(RecordNotFound):
        catalogue.imports.run([_tree(tmp_path)], collection="NOPE")
    assert catalogue.stats().counts["units"] == 0


def test_links_and_loops_in_folders(catalogue: Catalogue, tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.txt").write_text(ENGLISH)
    (root / "sub" / "loop").symlink_to(root)  # a link back up the tree
    (root / "alias.txt").symlink_to(root / "sub" / "a.txt")
    report = catalogue.imports.run([root], recursive=True)
    outcomes = sorted((Path(i.path).name, i.outcome) for i in report.items)
    assert outcomes == [("a.txt", "duplicate"), ("alias.txt", "imported")] or outcomes == [
        ("a.txt", "imported"),
        ("alias.txt", "duplicate"),
    ]
    assert str(root / "sub" / "loop") in report.skipped


@pytest.mark.usefixtures("in_process")
def test_a_large_file_is_streamed_and_its_text_capped(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prepare_module, "MAX_TEXT_BYTES", 1 << 20)
    source = tmp_path / "big.txt"
    line = (MIXED + "\n").encode()
    with source.open("wb") as handle:
        for _ in range((8 << 20) // len(line)):
            handle.write(line)
    report = catalogue.imports.run([source])
    unit = catalogue.units.get(only(report))
    assert unit.files[0].size == source.stat().st_size
    assert unit.files[0].sha256 == store.sha256_of(source)
    assert "only the first 1 MB" in report.items[0].warnings[0]
    assert len(text_of(catalogue, unit.id).encode()) <= 1 << 20


@pytest.mark.slow
def test_a_file_of_several_hundred_megabytes(catalogue: Catalogue, tmp_path: Path) -> None:
    source = tmp_path / "video.mp4"
    with source.open("wb") as handle:
        handle.write(b"\x00\x00\x00\x18ftypmp42")
        for _ in range(300):
            handle.write(os.urandom(1 << 20))
    unit = catalogue.units.get(only(catalogue.imports.run([source])))
    assert unit.media_type == "video"
    assert unit.files[0].sha256 == store.sha256_of(source)


def _small_batches(monkeypatch: pytest.MonkeyPatch, folder: Path, batch: int, count: int) -> None:
    """Write `count` documents and make the import commit every `batch` and report each."""
    monkeypatch.setattr(ingest_service, "BATCH_SIZE", batch)
    monkeypatch.setattr(ingest_service, "PROGRESS_SECONDS", 0.0)
    for number in range(count):
        (folder / f"doc{number:02d}.txt").write_text(f"Document {number}\n\n{ENGLISH}")


def test_cancelling_keeps_what_was_done_and_a_rerun_finishes(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_batches(monkeypatch, tmp_path, batch=5, count=20)
    seen: list[tuple[int, int]] = []

    def stop_after_seven(done: int, total: int) -> bool:
        seen.append((done, total))
        return done < 7

    first = catalogue.imports.run([tmp_path], report=stop_after_seven, workers=1)
    assert first.cancelled
    assert seen[0] == (1, 20)
    assert first.count("imported") == 7
    second = catalogue.imports.run([tmp_path], workers=1)
    assert (second.count("duplicate"), second.count("imported")) == (7, 13)
    assert catalogue.stats().counts["units"] == 20


def test_an_import_killed_midway_can_be_run_again(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_batches(monkeypatch, tmp_path, batch=4, count=10)

    def killed(done: int, total: int) -> bool:
        if done == 9:
            raise KeyboardInterrupt
        return True

    with pytest.raises(KeyboardInterrupt):
        catalogue.imports.run([tmp_path], report=killed, workers=1)
    landed = catalogue.stats().counts["units"]
    assert 0 < landed < 10
    assert catalogue.integrity_problems() == []
    rerun = catalogue.imports.run([tmp_path], workers=1)
    assert rerun.count("failed") == 0
    assert catalogue.stats().counts["units"] == 10
    assert catalogue.stats().counts["files"] == 10


def test_worker_processes_give_the_same_result(catalogue: Catalogue, tmp_path: Path) -> None:
    for number in range(40):
        body = PERSIAN if number % 2 else ENGLISH
        (tmp_path / f"doc{number:02d}.txt").write_text(f"Document {number}\n\n{body}")
    shutil.copy(tmp_path / "doc00.txt", tmp_path / "zz-copy.txt")
    progress: list[int] = []

    def record(done: int, total: int) -> bool:
        progress.append(done)
        return True

    report = catalogue.imports.run([tmp_path], workers=2, report=record)
    assert report.count("imported") == 40
    assert report.count("duplicate") == 1
    assert progress[-1] == 41
    languages = {catalogue.units.get(i.id or 0).languages for i in report.items if i.id}
    assert languages == {("en",), ("fa",)}


def test_imported_documents_are_searchable_at_once(catalogue: Catalogue, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Statement\n\nThe guards at Gohardasht moved us at night.")
    (tmp_path / "b.html").write_bytes(html_page())
    report = catalogue.imports.run([tmp_path])
    assert report.count("imported") == 2
    hits = catalogue.search.search("gohardasht").hits
    assert [h.title for h in hits] == ["Statement"]
    assert [h.title for h in catalogue.search.search("agent:jane").hits] == [
        "Families gather at Khavaran"
    ]
    assert catalogue.search.search("خانوادهها").total == 1
    assert catalogue.integrity_problems() == []


def test_repeated_and_non_ascii_author_names_make_one_agent(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    page = html_page().replace(b'content="Jane Roe"', 'content="Émile Zola; émile zola"'.encode())
    (tmp_path / "a.html").write_bytes(page)
    (tmp_path / "b.html").write_bytes(page.replace(b"every year since", b"each year since"))
    first = catalogue.imports.run([tmp_path / "a.html"])
    second = catalogue.imports.run([tmp_path / "b.html"])
    assert first.count("imported") == second.count("imported") == 1
    names = [a.authorised_name for a in catalogue.agents.find("")]
    assert names.count("Émile Zola") == 1


def test_an_import_indexes_what_a_rebuild_of_the_index_would(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    """The workers fold the text they read for the index; the writer folds the rest. The
    words indexed, and in how many records, are those `catalog reindex` finds afresh."""
    from sqlalchemy import text

    folder = tmp_path / "day"
    folder.mkdir()
    (folder / "fa.txt").write_text(f"خانواده‌ها در خاوران\n\n{PERSIAN}\n", encoding="utf-8")
    (folder / "ar.txt").write_text(f"تقرير اللجنة\n\n{ARABIC}\n", encoding="utf-8")
    (folder / "mixed.txt").write_text(f"Mothers ﻛﺘﺎﺏ 1988\n\n{MIXED}\n", encoding="utf-8")
    (folder / "page.html").write_bytes(html_page())
    assert catalogue.imports.run([folder]).count("imported") == 4

    def vocabulary() -> list[tuple[str, int, int]]:
        with catalogue.db.read() as session:
            rows = session.execute(text("SELECT term, doc, cnt FROM search_vocab ORDER BY term"))
            return [(str(term), int(doc), int(cnt)) for term, doc, cnt in rows]

    imported = vocabulary()
    terms = {term for term, _, _ in imported}
    assert "خانوادهها" in terms  # the joined form of a word with a ZWNJ
    assert "کتاب" in terms  # presentation forms folded to letters
    catalogue.search.reindex()
    assert vocabulary() == imported
