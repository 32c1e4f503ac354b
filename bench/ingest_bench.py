"""Import speed: documents per second and peak memory for a generated corpus.

    .venv/bin/python -m bench.ingest_bench --documents 10000

Half the documents are plain text (English, Persian, Arabic, mixed), half saved web pages
with navigation and boilerplate around the article. Prints one table row per run.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path

from catalog_app.services import Catalogue

WORDS = {
    "en": "the prisoners were executed in summer families gathered at the cemetery witnesses "
    "said security forces blocked road mothers detained hours report commission evidence "
    "testimony court archive record massacre survivors interview letter".split(),
    "fa": "زندانیان اعدام شدند تابستان خانواده‌ها خاوران گورستان شاهدان گفتند نیروهای امنیتی "
    "جاده را بستند مادران بازداشت گزارش کمیسیون شهادت دادگاه بایگانی".split(),
    "ar": "السجناء أعدموا الصيف العائلات المقبرة الشهود قالوا قوات الأمن أغلقت الطريق الأمهات "
    "اعتقلت تقرير لجنة شهادة المحكمة الأرشيف".split(),
}


def _paragraph(rng: random.Random, language: str, words: int) -> str:
    return " ".join(rng.choice(WORDS[language]) for _ in range(words)).capitalize() + "."


def _text_document(rng: random.Random, number: int) -> str:
    language = rng.choice(["en", "en", "fa", "ar"])
    title = f"Report {number}: " + _paragraph(rng, language, 6)
    body = "\n\n".join(_paragraph(rng, language, rng.randint(40, 120)) for _ in range(4))
    if rng.random() < 0.3:
        body += "\n\n" + _paragraph(rng, "fa" if language == "en" else "en", 60)
    return f"{title}\n\n{body}\n"


def _html_document(rng: random.Random, number: int) -> str:
    paragraphs = "".join(f"<p>{_paragraph(rng, 'en', rng.randint(40, 100))}</p>" for _ in range(5))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Article {number} | Site"
        f"</title><meta name='author' content='Author {number % 50}'></head><body><nav>"
        "<a href='/'>Home</a> <a href='/news'>News</a> <a href='/about'>About</a></nav>"
        f"<article><h1>Article {number}</h1>{paragraphs}<p dir='rtl'>"
        f"{_paragraph(rng, 'fa', 30)}</p></article><footer>Copyright. Subscribe to our "
        "newsletter.</footer></body></html>"
    )


def make_corpus(folder: Path, count: int, kind: str = "mixed", seed: int = 1988) -> None:
    rng = random.Random(seed)
    for number in range(count):
        sub = folder / f"batch{number // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        if kind == "html" or (kind == "mixed" and number % 2):
            (sub / f"doc{number:07d}.html").write_text(_html_document(rng, number), "utf-8")
        else:
            (sub / f"doc{number:07d}.txt").write_text(_text_document(rng, number), "utf-8")


class MemoryWatch:
    """Peak resident memory of this process and of all its descendants together (the
    extraction workers), sampled from /proc while the import runs."""

    def __init__(self) -> None:
        self.peak_total = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @staticmethod
    def _family_rss_mb() -> float:
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            parents[int(entry.name)] = int(fields.get("PPid", "0").strip())
            rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0])
        me, total = os.getpid(), 0
        for pid in rss:
            ancestor = pid
            while ancestor and ancestor != me:
                ancestor = parents.get(ancestor, 0)
            if ancestor == me:
                total += rss[pid]
        return total / 1024

    def _watch(self) -> None:
        while not self._stop.wait(0.25):
            self.peak_total = max(self.peak_total, self._family_rss_mb())


def bare_fts5_build(corpus: Path, target: Path) -> float:
    """The floor: read every file of the corpus and insert its text into a plain FTS5 table
    in one transaction, nothing else (no copy, no extraction); documents a second."""
    started = time.perf_counter()
    with closing(sqlite3.connect(target)) as bare:
        bare.execute("CREATE VIRTUAL TABLE bare USING fts5(body, tokenize=unicode61)")
        files = sorted(p for p in corpus.rglob("*") if p.is_file())
        bare.executemany(
            "INSERT INTO bare (body) VALUES (?)", ((p.read_text("utf-8"),) for p in files)
        )
        bare.commit()
    return len(files) / (time.perf_counter() - started)


def recoll_build(corpus: Path, config: Path) -> float | None:
    """Recoll (Xapian), the desktop full-text indexer, on the same files: documents a
    second, or None where `recollindex` is not installed (Debian: recollcmd)."""
    program = shutil.which("recollindex")
    if program is None:
        return None
    config.mkdir(parents=True, exist_ok=True)
    (config / "recoll.conf").write_text(f"topdirs = {corpus}\nloglevel = 1\n")
    count = sum(1 for p in corpus.rglob("*") if p.is_file())
    started = time.perf_counter()
    subprocess.run([program, "-c", str(config)], check=True, capture_output=True)
    return count / (time.perf_counter() - started)


def peak_main_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--kind",
        choices=["mixed", "text", "html"],
        default="mixed",
        help="plain text, saved web pages, or half of each (default)",
    )
    parser.add_argument("--keep", type=Path, help="build the corpus and catalogue here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        base = args.keep or Path(scratch)
        corpus = base / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        make_corpus(corpus, args.documents, args.kind)
        print(f"generated {args.documents:,} documents in {time.perf_counter() - started:.1f} s")
        floor = bare_fts5_build(corpus, base / "bare-fts5.sqlite")
        recoll = recoll_build(corpus, base / "recoll")
        with Catalogue.open(base / "bench.sqlite", create=True, actor="bench") as catalogue:
            started = time.perf_counter()
            with MemoryWatch() as memory:
                report = catalogue.imports.run([corpus], recursive=True, workers=args.workers)
            elapsed = time.perf_counter() - started
            started = time.perf_counter()
            again = catalogue.imports.run([corpus], recursive=True, workers=args.workers)
            rerun = time.perf_counter() - started
        assert report.count("imported") == args.documents, report.count("failed")
        assert again.count("duplicate") == args.documents
        rate = args.documents / elapsed
        print(
            "| documents | kind | import | documents/s | of the floor | re-import (all "
            "duplicates) | peak memory (main process / with workers) |"
        )
        print("|---:|---|---:|---:|---:|---:|---:|")
        print(
            f"| {args.documents:,} | floor: bare FTS5 build of the same files | "
            f"{args.documents / floor:.1f} s | {floor:,.0f} | 1.00 | | |"
        )
        if recoll is not None:
            print(
                f"| {args.documents:,} | Recoll (recollindex, Xapian) on the same files | "
                f"{args.documents / recoll:.1f} s | {recoll:,.0f} | {recoll / floor:.2f} | | |"
            )
        print(
            f"| {args.documents:,} | {args.kind} | {elapsed:.1f} s | {rate:,.0f} | "
            f"{rate / floor:.2f} | {rerun:.1f} s ({args.documents / rerun:,.0f}/s) | "
            f"{peak_main_mb():.0f} MB / {memory.peak_total:.0f} MB |"
        )
        catalogue_size = sum(f.stat().st_size for f in base.glob("bench.sqlite*") if f.is_file())
        bare_size = (base / "bare-fts5.sqlite").stat().st_size
        print(
            f"size on disk: catalogue {catalogue_size / 1e6:,.1f} MB, bare FTS5 file "
            f"{bare_size / 1e6:,.1f} MB ({catalogue_size / bare_size:.2f}x; originals not counted)"
        )


if __name__ == "__main__":
    main()
