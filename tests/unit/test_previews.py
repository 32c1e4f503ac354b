"""Previews of originals, without a window: pages drawn at a size, pictures turned upright,
web pages as headings and text, text files as text, and plain words when they cannot be."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog_app.domain.records import FileRecord
from catalog_app.errors import CatalogError, PreviewUnavailable
from catalog_app.services import Catalogue
from catalog_app.services import ingest as ingest_service
from catalog_app.services.originals import OriginalsService, forget_viewable_copies
from catalog_app.services.previews import PreviewKind, PreviewService, preview_kind
from tests.documents import encrypted_pdf
from tests.preview_documents import (
    BLUE,
    GREEN,
    PAGE_COLOURS,
    RED,
    coloured_pdf,
    damaged_pdf,
    near,
    turned_photo,
)

WEB_PAGE = """<!doctype html><html dir="rtl"><head><meta charset="utf-8">
<title>خاوران</title><style>p { color: red }</style>
<script>document.write("injected")</script></head><body>
<h1>Families gather at Khavaran</h1><p>They came <b>every</b> year.</p>
<img src="https://tracker.example/pixel.gif" alt="the cemetery gate">
<h2>Witnesses</h2><ul><li>a mother</li><li>a brother</li></ul>
<iframe src="https://ads.example/"></iframe>
<a href="https://example.org/more">more &amp; older</a> &lt;script&gt;
</body></html>"""


@pytest.fixture(autouse=True)
def in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_service, "IN_PROCESS", True)


def imported(catalogue: Catalogue, path: Path) -> FileRecord:
    [unit_id] = catalogue.imports.run([path], workers=1).new_ids
    [file] = OriginalsService(catalogue).files(unit_id)
    return file


def test_each_page_of_a_pdf_is_drawn_with_its_own_colour_at_the_size_asked(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    file = imported(catalogue, coloured_pdf(tmp_path / "pages.pdf"))
    previews = PreviewService(catalogue)
    assert preview_kind(file) is PreviewKind.PAGES
    for index, colour in enumerate(PAGE_COLOURS):
        page = previews.page(file, index, 400, 400)
        assert (page.index, page.count) == (index, 3)
        raster = page.raster
        assert near(raster.pixel(raster.width // 2, raster.height // 2), colour)
    # Fitted into the box with the page's proportions (200 × 280 points): 400 high.
    page = previews.page(file, 1, 400, 400)
    assert (page.raster.width, page.raster.height) == (286, 400)
    assert previews.page(file, 1, 100, 1000).raster.width == 100
    assert previews.page(file, 99, 50, 50).index == 2  # kept within the document


def test_a_damaged_or_locked_pdf_gives_one_plain_line(catalogue: Catalogue, tmp_path: Path) -> None:
    previews = PreviewService(catalogue)
    damaged = imported(catalogue, damaged_pdf(tmp_path / "damaged.pdf"))
    with pytest.raises(PreviewUnavailable) as refused:
        previews.page(damaged, 0, 300, 300)
    assert str(refused.value) == (
        "damaged.pdf cannot be previewed: the PDF is damaged or is not a PDF."
    )
    locked = imported(
        catalogue, encrypted_pdf(tmp_path / "locked.pdf", coloured_pdf(tmp_path / "c.pdf"))
    )
    with pytest.raises(
        PreviewUnavailable,
        match=r"^locked.pdf cannot be previewed: the PDF "
        r"is protected by a password\.$",
    ):
        previews.page(locked, 0, 300, 300)


def test_a_photograph_is_turned_upright_by_its_exif_orientation(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    file = imported(catalogue, turned_photo(tmp_path / "photo.jpg"))
    assert preview_kind(file) is PreviewKind.PICTURE
    previews = PreviewService(catalogue)
    page = previews.page(file, 0, 1000, 1000)
    raster = page.raster
    assert (raster.width, raster.height, page.count) == (30, 60, 1)  # never enlarged
    assert near(raster.pixel(15, 5), RED)
    assert near(raster.pixel(15, 55), BLUE)
    small = previews.page(file, 0, 15, 15).raster
    assert (small.width, small.height) == (8, 15)


def test_a_web_page_is_shown_as_its_headings_and_text_with_nothing_that_runs_or_loads(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    page = tmp_path / "capture.html"
    page.write_text(WEB_PAGE, encoding="utf-8")
    file = imported(catalogue, page)
    assert preview_kind(file) is PreviewKind.WEB_PAGE
    markup = PreviewService(catalogue).web_page(file)
    assert '<h1 dir="rtl">Families gather at Khavaran</h1>' in markup
    assert '<h2 dir="rtl">Witnesses</h2>' in markup
    assert "They came every year." in markup
    assert "• a mother" in markup
    assert "picture: the cemetery gate" in markup
    assert "Title of the page: خاوران" in markup
    assert "more &amp; older &lt;script&gt;" in markup
    for gone in ("injected", "<script", "color: red", "http", "<img", "<iframe", "<a "):
        assert gone not in markup


def test_a_text_file_is_shown_from_its_start_and_says_when_it_is_cut(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    short = tmp_path / "note.txt"
    short.write_text("گزارش شاهدان\nsecond line", encoding="utf-8")
    file = imported(catalogue, short)
    assert preview_kind(file) is PreviewKind.TEXT
    text = PreviewService(catalogue).text(file)
    assert (text.text, text.cut) == ("گزارش شاهدان\nsecond line", False)

    long = tmp_path / "long.txt"
    long.write_text("ش" * 700_000, encoding="utf-8")  # 1.4 MB: cut inside a letter
    text = PreviewService(catalogue).text(imported(catalogue, long))
    assert text.cut
    assert set(text.text) == {"ش"}
    assert len(text.text) == (1 << 20) // 2


def test_other_kinds_have_no_preview(catalogue: Catalogue, tmp_path: Path) -> None:
    archive = tmp_path / "bundle.zip"
    archive.write_bytes(b"PK\x03\x04" + bytes(100))
    file = imported(catalogue, archive)
    assert preview_kind(file) is PreviewKind.NONE
    with pytest.raises(PreviewUnavailable, match="has no pages"):
        PreviewService(catalogue).page(file, 0, 100, 100)


def test_a_missing_stored_copy_is_said_in_plain_words(catalogue: Catalogue, tmp_path: Path) -> None:
    file = imported(catalogue, coloured_pdf(tmp_path / "pages.pdf"))
    copy = OriginalsService(catalogue).stored_copy(file)
    assert copy is not None
    copy.unlink()
    with pytest.raises(CatalogError, match=r"^The stored copy of pages.pdf is missing\.$"):
        PreviewService(catalogue).page(file, 0, 100, 100)


@pytest.fixture
def sealed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Catalogue, Path]]:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("TMPDIR", str(runtime))
    with Catalogue.open(
        tmp_path / "sealed.sqlite", create=True, encrypt=True, passphrase="a long passphrase"
    ) as opened:
        yield opened, runtime
    forget_viewable_copies()


def test_a_sealed_original_is_previewed_in_memory_and_never_written_in_clear(
    sealed: tuple[Catalogue, Path], tmp_path: Path
) -> None:
    catalogue, runtime = sealed
    source = coloured_pdf(tmp_path / "pages.pdf", (GREEN, RED))
    file = imported(catalogue, source)
    before = sorted(runtime.rglob("*"))
    previews = PreviewService(catalogue)
    assert near(previews.page(file, 1, 200, 200).raster.pixel(50, 50), RED)
    assert near(previews.page(file, 0, 200, 200).raster.pixel(50, 50), GREEN)
    assert sorted(runtime.rglob("*")) == before  # nothing decrypted to a file
    store_bytes = b"".join(
        p.read_bytes()
        for p in tmp_path.rglob("*")
        if p.is_file() and p != source and "runtime" not in p.parts
    )
    assert source.read_bytes()[:200] not in store_bytes


def test_an_altered_sealed_original_is_not_previewed(
    sealed: tuple[Catalogue, Path], tmp_path: Path
) -> None:
    catalogue, _ = sealed
    file = imported(catalogue, coloured_pdf(tmp_path / "pages.pdf"))
    copy = OriginalsService(catalogue).stored_copy(file)
    assert copy is not None
    copy.chmod(0o600)
    copy.write_bytes(copy.read_bytes()[:-5])
    with pytest.raises(CatalogError, match=r"pages\.pdf was altered: it fails its authenticity"):
        PreviewService(catalogue).page(file, 0, 100, 100)
