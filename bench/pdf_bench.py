"""PDF text extraction speed: pages a second across worker processes.

    .venv/bin/python -m bench.pdf_bench                       # a generated corpus
    .venv/bin/python -m bench.pdf_bench --folder /usr/share/doc --import

Each row reads the same PDFs with as many processes as --workers (default: the cores):
- `catalog_app extract_pdf`: this program's reader (PDFium, pypdf for pages it cannot read);
- `bare PDFium`, the floor: pypdfium2 opening each file and asking each page for its text,
  nothing else;
- `pypdf extract_text`: the reader this program used before, page by page, for comparison.
With --import, a last row times `catalog import` of the same files into a new catalogue
(storing, fsync, language identification, harvesting and the index included).
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import tempfile
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

WORDS = (
    "the archive holds testimony letters court records and photographs of the families "
    "who gathered at the cemetery every summer since the executions of political prisoners "
    "in nineteen eighty eight witnesses described the road blocked by security forces"
).split()


def make_corpus(folder: Path, files: int, pages: int, seed: int = 1988) -> None:
    """Dense English pages, as a typeset report's: about 3,000 characters a page."""
    from fpdf import FPDF

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(files):
        document = FPDF()
        document.set_font("helvetica", size=10)
        for _ in range(pages):
            document.add_page()
            text = " ".join(rng.choice(WORDS) for _ in range(520))
            document.multi_cell(0, 5, text)
        document.output(str(folder / f"report{number:04d}.pdf"))


def _ours(path: str) -> int:
    from catalog_app.ingest.pdf import extract_pdf

    return len(extract_pdf(Path(path), 10_000).text or "")


def _bare_pdfium(path: str) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    characters = 0
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        characters += len(textpage.get_text_range())
        textpage.close()
        page.close()
    document.close()
    return characters


def _pypdf(path: str) -> int:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return sum(len(page.extract_text() or "") for page in PdfReader(path).pages)
        except Exception:  # a file it refuses (LimitReachedError, ...) counts as no text
            return 0


def _pages(path: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def _timed(reader: Callable[[str], int], files: list[Path], workers: int) -> tuple[float, int]:
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(len, [[0]] * workers))  # the processes started before the clock does
        started = time.perf_counter()
        characters = sum(pool.map(reader, [str(f) for f in files], chunksize=1))
        return time.perf_counter() - started, characters


def _imported(files: list[Path], workers: int) -> float:
    from catalog_app.services import Catalogue

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "bench.sqlite"
        with Catalogue.open(path, create=True, actor="bench") as catalogue:
            started = time.perf_counter()
            report = catalogue.imports.run(files, workers=workers)
            elapsed = time.perf_counter() - started
        assert report.count("imported") == len(files), [i.reason for i in report.items]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folder", type=Path, help="read the PDFs below this folder instead")
    parser.add_argument("--files", type=int, default=40, help="generated PDFs (default 40)")
    parser.add_argument("--pages", type=int, default=25, help="pages of each (default 25)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--import", dest="run_import", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.folder
        if folder is None:
            folder = Path(scratch) / "corpus"
            make_corpus(folder, args.files, args.pages)
        files = sorted(p for p in folder.rglob("*.pdf") if p.is_file())
        pages = sum(_pages(f) for f in files)
        print(f"{len(files):,} PDFs, {pages:,} pages, {args.workers} worker process(es)")
        print("| reader | seconds | pages/s | characters | relative to the floor |")
        print("|---|---:|---:|---:|---:|")
        floor = 0.0
        readers = [
            ("bare PDFium (floor)", _bare_pdfium),
            ("catalog_app extract_pdf", _ours),
            ("pypdf extract_text (the former reader)", _pypdf),
        ]
        for name, reader in readers:
            elapsed, characters = _timed(reader, files, args.workers)
            floor = floor or elapsed
            print(
                f"| {name} | {elapsed:.2f} | {pages / elapsed:,.0f} | {characters:,} | "
                f"{floor / elapsed:.2f} |"
            )
        if args.run_import:
            elapsed = _imported(files, args.workers)
            print(
                f"| catalog import | {elapsed:.2f} | {pages / elapsed:,.0f} | | "
                f"{floor / elapsed:.2f} |"
            )


if __name__ == "__main__":
    main()
