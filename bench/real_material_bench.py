"""Real material: recall of independently extracted words, and speed, per kind of file.

    .venv/bin/python -m bench.real_material_bench                  # tests/corpus/ (shipped)
    .venv/bin/python -m bench.real_material_bench --fetch          # Debian packages' files
    .venv/bin/python -m bench.real_material_bench --folder DIR     # DIR/html, DIR/pdf, ...

--fetch downloads debian-handbook (Publican HTML in 26 languages, Persian and Arabic
among them) and texlive-lang-arabic (Persian and Arabic package manuals typeset by XeTeX,
LuaTeX and pdfTeX) with `apt-get download`, unpacks them with `dpkg-deb -x` into a cache
folder outside the repository (never installed) and reads their HTML and PDFs; add
--pages N to read only N web pages of each of en-US, fa-IR and ar-MA.

The words each file holds come from a reader independent of this program
(tests/real_material.py): lxml for the article's own elements of a web page, pdftotext
(poppler) for a PDF (PDFTOTEXT names the command if it is not on the PATH), the XML text for
DOCX and ODF. Recall is the share of 40 sampled words a file holds that the extraction's
text holds too (folded as the index folds them); "boilerplate kept" is the share of the
words only a page's navigation, header and footer hold that the extraction kept (a
chapter's own table of contents counts as neither).

Speed is measured over --workers processes (default 2), beside its floor from the same run:
for web pages a bare lxml parse of each page and its text_content(), for PDFs bare PDFium
(open each file, ask each page for its text).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tests.real_material import CORPUS, KINDS, documents, found_in, reference_text, sample_words

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "catalog-app" / "real"
PACKAGES = ("debian-handbook", "texlive-lang-arabic")
HTML_LIMIT = 2 << 20


# --- readers, each run in a worker process: path -> text ---------------------------------


def _ours_html(path: str) -> str:
    from catalog_app.ingest.html import extract_html

    return extract_html(Path(path), None, HTML_LIMIT).text or ""


def _trafilatura(path: str, *, recall: bool = False, fast: bool = False) -> str:
    import trafilatura

    from catalog_app.ingest.html import decode_html

    markup, _ = decode_html(Path(path).read_bytes())
    document = trafilatura.bare_extraction(
        markup, with_metadata=True, include_comments=False, favor_recall=recall, fast=fast
    )
    return (document.text if document is not None else "") or ""  # type: ignore[union-attr]


def _trafilatura_default(path: str) -> str:
    return _trafilatura(path)


def _trafilatura_recall(path: str) -> str:
    return _trafilatura(path, recall=True)


def _trafilatura_fast(path: str) -> str:
    return _trafilatura(path, recall=True, fast=True)


def _resiliparse(path: str) -> str:
    try:
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree
    except ImportError:
        return ""
    from catalog_app.ingest.html import decode_html

    markup, _ = decode_html(Path(path).read_bytes())
    tree = HTMLTree.parse(markup)
    return str(extract_plain_text(tree, main_content=True, alt_texts=False, links=False))


def _bare_lxml(path: str) -> str:
    from lxml import html

    return str(html.fromstring(Path(path).read_bytes()).text_content())


def _ours_pdf(path: str) -> str:
    from catalog_app.ingest.pdf import extract_pdf

    return extract_pdf(Path(path), 10_000).text or ""


def _bare_pdfium(path: str) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    parts = []
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        parts.append(textpage.get_text_range())
        textpage.close()
        page.close()
    document.close()
    return "\n".join(parts)


def _ours_docx(path: str) -> str:
    from catalog_app.ingest.docx import extract_docx

    return extract_docx(Path(path), 64 << 20).text or ""


def _ours_odf(path: str) -> str:
    from catalog_app.ingest.odf import extract_odf

    return extract_odf(Path(path), 64 << 20).text or ""


READERS: dict[str, list[tuple[str, Callable[[str], str]]]] = {
    "html": [
        ("bare lxml parse + text_content (floor)", _bare_lxml),
        ("catalog_app extract_html", _ours_html),
        ("trafilatura, default settings", _trafilatura_default),
        ("trafilatura, favor_recall", _trafilatura_recall),
        ("trafilatura, favor_recall + fast", _trafilatura_fast),
        ("resiliparse main_content", _resiliparse),
    ],
    "pdf": [("bare PDFium (floor)", _bare_pdfium), ("catalog_app extract_pdf", _ours_pdf)],
    "docx": [("catalog_app extract_docx", _ours_docx)],
    "odf": [("catalog_app extract_odf", _ours_odf)],
}


# --- the corpus ---------------------------------------------------------------------------


def fetch(pages: int | None) -> dict[str, list[Path]]:
    """Debian's files, downloaded and unpacked once into CACHE."""
    CACHE.mkdir(parents=True, exist_ok=True)
    for package in PACKAGES:
        unpacked = CACHE / package
        if unpacked.exists():
            continue
        with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
            subprocess.run(["apt-get", "download", package], cwd=scratch, check=True)
            (deb,) = Path(scratch).glob("*.deb")
            subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
    handbook = CACHE / "debian-handbook" / "usr/share/doc/debian-handbook/html"
    html: list[Path] = []
    for language in ("en-US", "fa-IR", "ar-MA"):
        found = sorted(p for p in (handbook / language).glob("*.html") if p.name != "index.html")
        html += found[:pages] if pages else found
    texlive = CACHE / "texlive-lang-arabic" / "usr/share/doc/texlive-doc"
    pdfs = sorted(texlive.rglob("*.pdf"))
    return {"html": html, "pdf": pdfs, "docx": [], "odf": []}


def _page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def _boilerplate_words(path: Path) -> list[str]:
    """Words a page's navigation, header and footer hold that its article does not."""
    from lxml import html

    from catalog_app.domain.folding import tokens

    whole = set(tokens(str(html.fromstring(path.read_bytes()).text_content())))
    article = set(tokens(reference_text(path, "html")))
    tree = html.fromstring(path.read_bytes())
    for pre in tree.iter("pre", "script", "style", "title"):
        article |= set(tokens(pre.text_content()))
    # A chapter's own table of contents (Publican's div.toc) is neither the article's prose
    # nor the site's navigation: left out of both counts.
    for toc in tree.xpath("//*[contains(concat(' ', @class, ' '), ' toc ')]"):
        article |= set(tokens(toc.text_content()))
    return sorted(w for w in whole - article if len(w) >= 3)


# --- measuring ----------------------------------------------------------------------------


def _timed(
    reader: Callable[[str], str], files: list[Path], workers: int
) -> tuple[float, list[str]]:
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(len, [[0]] * workers))  # the processes started before the clock does
        started = time.perf_counter()
        texts = list(pool.map(reader, [str(f) for f in files], chunksize=1))
        return time.perf_counter() - started, texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fetch", action="store_true", help="Debian packages' files")
    parser.add_argument("--folder", type=Path, help="a folder with html/, pdf/, docx/, odf/")
    parser.add_argument("--pages", type=int, help="with --fetch: web pages per language")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kinds", default=",".join(KINDS))
    args = parser.parse_args()
    if args.fetch:
        corpus = fetch(args.pages)
    else:
        folder = args.folder or CORPUS
        corpus = {k: documents(k) if (folder / k).is_dir() else [] for k in KINDS}
        if args.folder:
            corpus = {k: sorted((folder / k).rglob("*.*")) for k in KINDS if (folder / k).is_dir()}
    print(f"{args.workers} worker process(es)")
    print(
        "| kind | reader | files | recall (words) | files with recall >= 95% | "
        "boilerplate kept | seconds | rate | relative to the floor |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind in args.kinds.split(","):
        files = corpus.get(kind) or []
        if not files:
            continue
        references = {f: reference_text(f, kind) for f in files}
        samples = {f: sample_words(references[f], seed=f.name) for f in files}
        files = [f for f in files if samples[f]]  # a file with no words has nothing to find
        units = [_page_count(f) for f in files] if kind == "pdf" else [1] * len(files)
        unit = "pages/s" if kind == "pdf" else "files/s"
        noise = {f: _boilerplate_words(f) for f in files} if kind == "html" else {}
        floor = 0.0
        for name, reader in READERS[kind]:
            elapsed, texts = _timed(reader, files, args.workers)
            if not any(texts):
                print(f"| {kind} | {name}: not installed | | | | | | | |")
                continue
            floor = floor or elapsed
            sampled = found = good = 0
            kept = noisy = 0
            for path, text in zip(files, texts, strict=True):
                hits = found_in(samples[path], text)
                sampled += len(hits)
                found += sum(hits)
                good += sum(hits) >= 0.95 * len(hits)
                if kind == "html" and noise[path]:
                    kept += sum(found_in(noise[path], text))
                    noisy += len(noise[path])
            boilerplate = f"{kept / noisy:.0%}" if noisy else ""
            floor_note = "" if "floor" in name else f"{floor / elapsed:.2f}"
            print(
                f"| {kind} | {name} | {len(files)} | {found / sampled:.1%} | "
                f"{good}/{len(files)} | {boilerplate} | {elapsed:.2f} | "
                f"{sum(units) / elapsed:,.1f} {unit} | {floor_note} |"
            )


if __name__ == "__main__":
    main()
