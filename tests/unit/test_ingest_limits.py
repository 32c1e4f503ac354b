"""Hostile and failing input: every file is read under a time and a memory limit, in a
worker that dies with the import, and a file that defeats its reader is still catalogued,
its original kept, with a warning in plain words."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog_app.cli import main
from catalog_app.domain.records import ImportItem, ImportReport
from catalog_app.ingest import pool, store
from catalog_app.ingest.limits import Limits
from catalog_app.services import Catalogue
from catalog_app.services import ingest as ingest_service
from catalog_app.services.originals import OriginalsService
from tests.disk import small_filesystem
from tests.documents import ENGLISH, docx_file, html_page
from tests.pdfs import write_pdf
from tests.unit import hostile_worker

REPO = Path(__file__).resolve().parents[2]
CATALOG = str(Path(sys.executable).with_name("catalog"))


def _by_name(report: ImportReport) -> dict[str, ImportItem]:
    return {Path(item.path).name: item for item in report.items}


def _stored_copy(catalogue: Catalogue, item: ImportItem) -> bytes:
    (original,) = catalogue.units.get(item.id or 0).files
    return (store.store_root(catalogue.path) / (original.stored_path or "")).read_bytes()


def _kept_with_warning(catalogue: Catalogue, item: ImportItem, source: Path, warning: str) -> None:
    assert item.outcome == "imported", item
    assert item.warnings == (warning,)
    assert _stored_copy(catalogue, item) == source.read_bytes()
    unit = catalogue.units.get(item.id or 0)
    assert unit.title == source.stem
    assert unit.events[0].outcome == "warning"


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Workers whose reader hangs, crashes or eats memory on cue; returns the file whose
    creation lets `slow` files finish."""
    monkeypatch.setattr(pool, "WORKER_MODULE", hostile_worker.__name__)
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    release = tmp_path / "release"
    monkeypatch.setenv(hostile_worker.RELEASE_ENV, str(release))
    return release


def _documents(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"doc{n:02d}.txt" for n in range(count)]
    for number, path in enumerate(paths):
        path.write_text(f"Document {number}\n\n{ENGLISH}")
    return paths


# -- readers that hang, crash, or take all the memory -------------------------------------


def test_a_reader_that_hangs_is_stopped_at_the_time_limit(
    catalogue: Catalogue, tmp_path: Path, hostile: Path
) -> None:
    hang = tmp_path / "in" / "hangs.txt"
    _documents(tmp_path / "in", 6)
    hang.write_text("hang " + ENGLISH)
    report = catalogue.imports.run([tmp_path / "in"], workers=2, limits=Limits(seconds=2))
    items = _by_name(report)
    warning = "text not extracted: reading the file took longer than 2 s"
    _kept_with_warning(catalogue, items["hangs.txt"], hang, warning)
    assert report.count("imported") == 7  # the worker was replaced and the rest went on
    assert [i.warnings for n, i in items.items() if n != "hangs.txt"] == [()] * 6


def test_while_one_file_is_slow_the_others_are_committed_and_cancel_is_heard(
    catalogue: Catalogue, tmp_path: Path, hostile: Path
) -> None:
    """Every file but one finishes in well under a batch's size: they are committed about a
    second later, not when the slow one ends, and Cancel is heard while it is still read."""
    _documents(tmp_path / "in", 6)
    (tmp_path / "in" / "hangs.txt").write_text("hang " + ENGLISH)

    def committed() -> int:
        with contextlib.closing(sqlite3.connect(catalogue.path)) as connection:
            return int(connection.execute("SELECT count(*) FROM units").fetchone()[0])

    seen: list[int] = []

    def progress(done: int, total: int) -> bool:
        seen.append(done)
        return committed() < 6  # cancel once the six are in the catalogue

    report = catalogue.imports.run(
        [tmp_path / "in"], workers=2, limits=Limits(seconds=600), report=progress
    )
    assert report.cancelled
    assert sorted(n for n, i in _by_name(report).items() if i.outcome == "imported") == [
        f"doc{n:02d}.txt" for n in range(6)
    ]
    assert committed() == 6
    assert max(seen) == 6


def test_a_reader_that_crashes_costs_only_its_own_text(
    catalogue: Catalogue, tmp_path: Path, hostile: Path
) -> None:
    _documents(tmp_path / "in", 6)
    crash = tmp_path / "in" / "crashes.txt"
    crash.write_text("crash " + ENGLISH)
    report = catalogue.imports.run([tmp_path / "in"], workers=2)
    items = _by_name(report)
    warning = "text not extracted: the reader stopped unexpectedly on this file (it may be damaged)"
    _kept_with_warning(catalogue, items["crashes.txt"], crash, warning)
    assert report.count("imported") == 7
    assert catalogue.integrity_problems() == []


def test_a_reader_that_takes_all_the_memory_is_stopped_at_the_limit(
    catalogue: Catalogue, tmp_path: Path, hostile: Path
) -> None:
    if not Path("/proc/self/statm").exists():
        pytest.skip("the memory limit needs Linux's /proc")
    _documents(tmp_path / "in", 3)
    eat = tmp_path / "in" / "eats.txt"
    eat.write_text("eat " + ENGLISH)
    report = catalogue.imports.run([tmp_path / "in"], workers=1, limits=Limits(memory_mb=64))
    warning = "text not extracted: the file is too large to read (limit 64 MB of memory)"
    _kept_with_warning(catalogue, _by_name(report)["eats.txt"], eat, warning)
    assert report.count("imported") == 4


def test_a_slow_file_does_not_hold_up_the_others(
    catalogue: Catalogue, tmp_path: Path, hostile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The slow file finishes only once every other file has come back: with results taken
    in order it would wait for ever (and the import would stop at the time limit)."""
    (tmp_path / "in").mkdir()
    slow = tmp_path / "in" / "a-slow.txt"  # first in the folder, so first handed out
    slow.write_text("slow " + ENGLISH)
    _documents(tmp_path / "in", 20)
    monkeypatch.setattr(ingest_service, "PROGRESS_SECONDS", 0.0)  # every file reported

    def progress(done: int, total: int) -> bool:
        if done == total - 1:
            hostile.touch()
        return True

    report = catalogue.imports.run(
        [tmp_path / "in"], workers=2, report=progress, limits=Limits(seconds=60)
    )
    assert hostile.exists()
    assert report.count("imported") == 21
    assert _by_name(report)["a-slow.txt"].warnings == ()
    assert Path(report.items[0].path).name == "a-slow.txt"  # the report is in file order


# -- hostile files --------------------------------------------------------------------------


def _docx_bomb(path: Path, unpacked_mb: int) -> Path:
    """A real Word document whose document.xml unpacks to `unpacked_mb` MB."""
    docx_file(path.with_suffix(".base.docx"), ["A bomb"])
    paragraph = b"<w:p><w:r><w:t>" + b"A" * 4000 + b"</w:t></w:r></w:p>"
    with (
        zipfile.ZipFile(path.with_suffix(".base.docx")) as base,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for member in base.infolist():
            if member.filename != "word/document.xml":
                bomb.writestr(member, base.read(member))
                continue
            head, tail = base.read(member).split(b"<w:body>")
            with bomb.open(member.filename, "w", force_zip64=True) as part:
                part.write(head + b"<w:body>")
                for _ in range(unpacked_mb * (1 << 20) // len(paragraph)):
                    part.write(paragraph)
                part.write(tail)
    path.with_suffix(".base.docx").unlink()
    return path


def test_a_docx_bomb_is_kept_with_a_warning_without_being_unpacked(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    bomb = _docx_bomb(tmp_path / "bomb.docx", 8)
    assert bomb.stat().st_size < 200_000
    report = catalogue.imports.run([bomb], limits=Limits(docx_xml_mb=4))
    (item,) = report.items
    _kept_with_warning(catalogue, item, bomb, item.warnings[0])
    assert item.warnings[0].startswith(
        "text not extracted: the file is too large to read (its text unpacks to "
    )
    assert item.warnings[0].endswith(" MB; limit 4 MB)")
    assert catalogue.units.get(report.items[0].id or 0).media_type == "document"


def test_a_docx_past_the_memory_limit_is_kept_with_a_warning(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    if not Path("/proc/self/statm").exists():
        pytest.skip("the memory limit needs Linux's /proc")
    bomb = _docx_bomb(tmp_path / "bomb.docx", 48)
    report = catalogue.imports.run([bomb], limits=Limits(docx_xml_mb=1000, memory_mb=64))
    warning = "text not extracted: the file is too large to read (limit 64 MB of memory)"
    _kept_with_warning(catalogue, report.items[0], bomb, warning)


def test_a_huge_web_page_gives_its_whole_text_with_a_warning(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    page = html_page()
    head, tail = page.split(b"</body>")
    source = tmp_path / "huge.html"
    source.write_bytes(head + b"<p>Gohardasht prison, summer 1988.</p>\n" * 30_000 + tail)
    report = catalogue.imports.run([source], limits=Limits(html_main_text_mb=0.25))
    (item,) = report.items
    assert item.outcome == "imported"
    assert item.warnings == (
        "the page is very large (1 MB; main-text extraction stops at 256 KB): all of its "
        "text was kept, menus and boilerplate included",
    )
    unit = catalogue.units.get(item.id or 0)
    assert unit.title.startswith("Families gather at Khavaran")
    assert (unit.files[0].text_method or "").startswith("html whole text (lxml")
    with catalogue.db.read() as session:
        from catalog_app.storage import models

        text = session.get(models.StoredFile, unit.files[0].id).extracted_text or ""  # type: ignore[union-attr]
    assert text.count("Gohardasht prison") == 30_000
    assert "<p>" not in text


def _pdf_with_pages(path: Path, pages: int, per_node: int | None = None) -> Path:
    """A minimal PDF of blank pages, written by hand: one flat page list, or a tree of
    `per_node` pages per branch."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    page_ids = list(range(3, 3 + pages))
    if per_node is None:
        kids = " ".join(f"{i} 0 R" for i in page_ids)
        objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
        parents = dict.fromkeys(page_ids, 2)
        branches: list[bytes] = []
    else:
        groups = [page_ids[i : i + per_node] for i in range(0, pages, per_node)]
        branch_ids = [3 + pages + n for n in range(len(groups))]
        kids = " ".join(f"{i} 0 R" for i in branch_ids)
        objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
        parents = {
            page: branch for branch, group in zip(branch_ids, groups, strict=True) for page in group
        }
        branches = [
            f"<< /Type /Pages /Parent 2 0 R /Kids [{' '.join(f'{i} 0 R' for i in group)}] "
            f"/Count {len(group)} >>".encode()
            for group in groups
        ]
    objects += [
        f"<< /Type /Page /Parent {parents[i]} 0 R /MediaBox [0 0 612 792] >>".encode()
        for i in page_ids
    ]
    objects += branches
    path.write_bytes(write_pdf(objects))
    return path


def test_a_pdf_of_200000_pages_is_read_up_to_the_page_limit(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    """pypdf refused such a file (its LimitReachedError); PDFium reads its first pages as it
    reads any long PDF's."""
    source = _pdf_with_pages(tmp_path / "endless.pdf", 200_000)
    report = catalogue.imports.run([source])
    (item,) = report.items
    assert item.outcome == "imported"
    assert item.warnings == (
        "only the first 10,000 of its 200,000 pages were read for text",
        "the PDF has no text layer (a scan?); no text was extracted",
    )


def test_only_the_first_pages_of_a_very_long_pdf_are_read(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    source = _pdf_with_pages(tmp_path / "long.pdf", 300, per_node=50)
    report = catalogue.imports.run([source], limits=Limits(pdf_pages=40))
    (item,) = report.items
    assert item.outcome == "imported"
    assert "only the first 40 of its 300 pages were read for text" in item.warnings


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from catalog_app.errors import ValidationError

    monkeypatch.setenv("CATALOG_IMPORT_SECONDS", "7")
    monkeypatch.setenv("CATALOG_IMPORT_PDF_PAGES", "12")
    assert Limits.from_environment() == Limits(seconds=7, pdf_pages=12)
    monkeypatch.setenv("CATALOG_IMPORT_MEMORY_MB", "lots")
    with pytest.raises(ValidationError, match="CATALOG_IMPORT_MEMORY_MB must be a positive"):
        Limits.from_environment()


# -- a killed import leaves no process behind -------------------------------------------------


def _process_tree() -> dict[int, tuple[int, str]]:
    """pid: (parent pid, state) of every process."""
    tree = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            tree[int(entry.name)] = (int(fields[1]), fields[0])
    return tree


def _descendants(root: int) -> set[int]:
    tree = _process_tree()
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, (parent, _) in tree.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    tree = _process_tree()
    return {pid for pid in pids if pid in tree and tree[pid][1] not in ("Z", "X")}


def _wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.02)  # polling a condition, with a deadline
    return bool(callable(condition) and condition())


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes in /proc")
def test_kill_9_of_an_import_leaves_no_process_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.ingest_bench import make_corpus

    corpus = tmp_path / "corpus"
    make_corpus(corpus, 200, "mixed")
    (corpus / "hangs.txt").write_text("hang " + ENGLISH)  # the import cannot end on its own
    db = str(tmp_path / "cat.sqlite")
    subprocess.run([CATALOG, "--db", db, "init"], check=True, capture_output=True)
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("CATALOG_IMPORT_SECONDS", "3600")
    running = subprocess.Popen(
        hostile_worker.catalog_command(
            "--db", db, "import", "--recursive", str(corpus), "--workers", "3"
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_until(lambda: len(_descendants(running.pid)) >= 3, 300), (
            "the import never started its workers"
        )
        family = _descendants(running.pid)
        running.kill()
        running.wait()
        assert _wait_until(lambda: not _alive(family), 5), (
            f"still running 5 s after kill -9: {sorted(_alive(family))}"
        )
    finally:
        running.kill()
        for pid in _alive(_descendants(running.pid)):
            os.kill(pid, signal.SIGKILL)
    again = subprocess.run(
        [CATALOG, "--db", db, "import", "--recursive", str(corpus), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)
    assert (result["imported"] + result["duplicates"], result["failed"]) == (201, 0)


# -- a full disk -------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB file system of its own (tmpfs, mounted for the test)."""
    with small_filesystem(tmp_path / "disk", 4096) as mount_point:
        yield mount_point


def test_a_full_disk_stops_with_one_line_and_a_rerun_finishes(
    tmp_path: Path,
    small_disk: Path,
    empty_catalogue_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sqlite3

    monkeypatch.setattr(ingest_service, "BATCH_SIZE", 4)  # some batches land before it fills
    db = small_disk / "cat.sqlite"
    db.write_bytes(empty_catalogue_file.read_bytes())
    source = tmp_path / "usb"
    for folder in ("letters", "reports"):
        (source / folder).mkdir(parents=True)
        for number in range(20):
            # Text that does not compress and differs in every file: 200 KB each.
            body = hashlib.sha256(f"{folder}{number}".encode()).hexdigest() * 3200
            (source / folder / f"{number:02d}.txt").write_text(f"{folder} {number}\n{body}")
    capsys.readouterr()
    code = main(["--db", str(db), "import", "--recursive", str(source)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1, err
    assert err[0].startswith(f"catalog: The disk holding {small_disk}")
    assert "is full" in err[0]
    assert "run the same import again to finish it" in err[0]

    def state() -> tuple[set[str], set[str], int]:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
            referenced = {row[0] for row in connection.execute("SELECT stored_path FROM files")}
            empty_folders = connection.execute(
                "SELECT count(*) FROM units AS u WHERE u.level != 'item' AND NOT EXISTS "
                "(SELECT 1 FROM units AS c WHERE c.parent_id = u.id)"
            ).fetchone()[0]
        connection.close()
        root = store.store_root(db)
        kept = {
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.is_file() and store.INCOMING not in p.parts
        }
        return kept, referenced, empty_folders

    kept, referenced, empty_folders = state()
    assert kept == referenced  # no original that no record refers to
    assert empty_folders == 0
    assert 0 < len(referenced) < 40

    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    code = main(["--db", str(db), "import", "--recursive", str(source), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["imported"] + result["duplicates"] == 40
    assert result["duplicates"] == len(referenced)
    kept, referenced, empty_folders = state()
    assert kept == referenced
    assert len(referenced) == 40
    assert empty_folders == 0


# -- the real thing, at full size --------------------------------------------------------------


@pytest.mark.slow
def test_a_1_gb_docx_bomb_and_a_200_mb_page_with_the_default_limits(tmp_path: Path) -> None:
    _docx_bomb(tmp_path / "in" / "bomb.docx", 1024)
    page = tmp_path / "in" / "page.html"
    head, tail = html_page().split(b"</body>")
    with page.open("wb") as writer:
        writer.write(head)
        paragraph = b"<p>Families gather at Khavaran every year since the summer of 1988.</p>\n"
        for _ in range((200 << 20) // len(paragraph)):
            writer.write(paragraph)
        writer.write(tail)
    db = str(tmp_path / "cat.sqlite")
    subprocess.run([CATALOG, "--db", db, "init"], check=True, capture_output=True)
    started = time.monotonic()
    done = subprocess.run(
        [CATALOG, "--db", db, "import", str(tmp_path / "in"), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    items = {Path(i["path"]).name: i for i in json.loads(done.stdout)["items"]}
    assert items["bomb.docx"]["warnings"][0].startswith(
        "text not extracted: the file is too large to read (its text unpacks to 1,024 MB"
    )
    assert items["page.html"]["warnings"][0].startswith("the page is very large (200 MB")
    print(f"bomb and 200 MB page catalogued in {seconds:.1f} s")


def test_an_original_added_to_a_record_is_read_in_a_worker_too(
    catalogue: Catalogue, tmp_path: Path, hostile: Path
) -> None:
    record = catalogue.units.create({"title": "A testimony"})
    crash = tmp_path / "crashes.txt"
    crash.write_text("crash " + ENGLISH)
    added = OriginalsService(catalogue).attach(record.id, crash)  # this process survives
    assert OriginalsService(catalogue).verify(added.id).matches
    event = catalogue.units.get(record.id).events[-1]
    assert event.outcome == "warning"
    assert "reader stopped unexpectedly" in (event.note or "")


def test_the_files_after_one_that_is_too_large_are_read_by_another_worker(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _docx_bomb(folder / "a-bomb.docx", 8)
    after = _documents(folder, 3)
    report = catalogue.imports.run([folder], workers=1, limits=Limits(docx_xml_mb=4))
    items = _by_name(report)
    assert items["a-bomb.docx"].outcome == "imported"
    assert [items[p.name].outcome for p in after] == ["imported"] * 3
    assert all(not items[p.name].warnings for p in after)
