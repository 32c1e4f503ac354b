"""Search latency on generated catalogues, against bare SQLite FTS5 on the same text.

    .venv/bin/python -m bench.search_bench --documents 100000 [--keep DIR]

Builds a catalogue of N records (Zipf-distributed English and Persian vocabulary, so there
are very common and very rare words), then runs a fixed mix of queries through the search
service (count or estimate, ranked first page, snippets; facets timed separately) and the same text
queries straight against a minimal FTS5 table (`ORDER BY rank LIMIT 20`). Prints a table.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from sqlalchemy import text

from catalog_app.services import Catalogue
from catalog_app.storage.search_index import rebuild

ENGLISH = (
    "the of and to in a was were prison prisoners executed families security forces "
    "witness testimony cemetery mothers detained hours report commission court archive "
    "record massacre survivors interview letter summer winter night guards cell trial "
    "sentence judge ward visit release transfer hunger strike fatwa committee death "
    "commission political leftist mojahedin tudeh fedaian bahai kurdish student teacher "
    "worker doctor lawyer poet journalist brother sister father son daughter husband wife"
).split()
PERSIAN = (
    "زندان زندانیان اعدام خانواده‌ها خاوران گورستان مادران شاهد شهادت دادگاه کمیسیون "
    "مرگ تابستان شب نگهبان سلول محاکمه حکم بازجویی ملاقات آزادی انتقال اعتصاب غذا "
    "گوهردشت اوین قزلحصار برادر خواهر پدر پسر دختر همسر"
).split()
RARE = [f"rareword{n:05d}" for n in range(20_000)]


def _zipf_sampler(words: list[str], rng: random.Random) -> Callable[[int], list[str]]:
    weights = [1 / (rank + 1) for rank in range(len(words))]
    return lambda k: rng.choices(words, weights=weights, k=k)


def build(path: Path, count: int, seed: int = 1988) -> None:
    rng = random.Random(seed)
    english, persian = _zipf_sampler(ENGLISH, rng), _zipf_sampler(PERSIAN, rng)
    with Catalogue.open(path, create=True, actor="bench") as catalogue:
        collections = [
            catalogue.units.create({"title": f"Collection {n}", "level": "collection"}).id
            for n in range(10)
        ]
        with catalogue.db.write("bench") as session:
            connection = session.connection()
            start = int(connection.execute(text("SELECT max(id) FROM units")).scalar_one()) + 1
            units, files, events, assessments = [], [], [], []
            for number in range(count):
                unit_id = start + number
                fa = number % 4 == 0
                words = [*(persian if fa else english)(70), rng.choice(RARE)]
                title = " ".join((persian if fa else english)(5))
                year = 1980 + number % 45
                units.append(
                    {
                        "id": unit_id,
                        "uuid": f"00000000-0000-4000-8000-{unit_id:012d}",
                        "parent_id": collections[number % 10],
                        "root": collections[number % 10],
                        "ref": f"G-{number:07d}",
                        "title": title,
                        "year": f"{year}",
                        "start": f"{year}-01-01",
                        "end": f"{year}-12-31",
                        "langs": '["fa"]' if fa else '["en"]',
                        "access": ("open", "open", "open", "restricted")[number % 4],
                        "media": ("text", "web page", "pdf")[number % 3],
                        "source": "ABCDEF"[number % 6],
                        "credibility": 1 + number % 6,
                    }
                )
                files.append(
                    {
                        "unit": unit_id,
                        "uuid": f"10000000-0000-4000-8000-{unit_id:012d}",
                        "sha": f"{unit_id:064x}",
                        "text": " ".join(words),
                    }
                )
                # Every record has a custody chain and a grade, as the detail pane shows them.
                events += [
                    {
                        "unit": unit_id,
                        "uuid": f"2000000{kind}-0000-4000-8000-{unit_id:012d}",
                        "type": event_type,
                        "on": f"{year}-0{kind + 1}-01",
                    }
                    for kind, event_type in enumerate(("capture", "fixity check"))
                ]
                assessments.append(
                    {
                        "unit": unit_id,
                        "uuid": f"30000000-0000-4000-8000-{unit_id:012d}",
                        "source": "ABCDEF"[number % 6],
                        "credibility": 1 + number % 6,
                    }
                )
                if len(units) == 20_000 or number == count - 1:
                    connection.execute(
                        text(
                            "INSERT INTO units (id, uuid, parent_id, root_id, level, position, "
                            "reference_code, title, title_source, harvested, date_expression, "
                            "date_start, date_end, access_status, languages, scripts, media_type, "
                            "current_source_reliability, current_information_credibility, "
                            "version, created_at, created_by, updated_at, updated_by) VALUES (:id, "
                            ":uuid, :parent_id, :root, 'item', :id, :ref, :title, 'typed', '[]', "
                            ":year, :start, :end, :access, :langs, '[]', :media, :source, "
                            ":credibility, 1, '2024-01-01 00:00:00', 'bench', "
                            "'2024-01-01 00:00:00', 'bench')"
                        ),
                        units,
                    )
                    connection.execute(
                        text(
                            "INSERT INTO files (uuid, unit_id, sha256, size, media_type, "
                            "original_name, extracted_text, is_evidentiary, added_at, added_by) "
                            "VALUES (:uuid, :unit, :sha, 1, 'text/plain', 'doc.txt', :text, 1, "
                            "'2024-01-01 00:00:00', 'bench')"
                        ),
                        files,
                    )
                    connection.execute(
                        text(
                            "INSERT INTO provenance_events (uuid, unit_id, event_type, "
                            "occurred_at, occurred_start, agent, outcome, recorded_at, "
                            "recorded_by) VALUES (:uuid, :unit, :type, :on, :on, 'bench', "
                            "'success', '2024-01-01 00:00:00', 'bench')"
                        ),
                        events,
                    )
                    connection.execute(
                        text(
                            "INSERT INTO reliability_assessments (uuid, unit_id, "
                            "source_reliability, information_credibility, assessor, "
                            "assessed_at, recorded_by) VALUES (:uuid, :unit, :source, "
                            ":credibility, 'bench', '2024-01-01 00:00:00', 'bench')"
                        ),
                        assessments,
                    )
                    units, files, events, assessments = [], [], [], []
        with catalogue.db.write("bench") as session:
            connection = session.connection()
            rebuild(connection)
            connection.execute(
                text(
                    "CREATE VIRTUAL TABLE bare_fts USING fts5(body, content='', tokenize=unicode61)"
                )
            )
            connection.execute(
                text("INSERT INTO bare_fts (rowid, body) SELECT unit_id, extracted_text FROM files")
            )


def generated_catalogue(folder: Path, documents: int) -> Path:
    """The generated catalogue of this size in `folder`, built on first use."""
    path = folder / f"search-{documents}.sqlite"
    if not path.exists():
        started = time.perf_counter()
        build(path, documents)
        print(f"built {documents:,} records in {time.perf_counter() - started:.0f} s")
    return path


QUERIES: dict[str, tuple[str, str]] = {
    # label: (our query, bare FTS5 MATCH on the same text; None where it has no equivalent)
    "rare word": ("rareword{n:05d}", '"rareword{n:05d}"'),
    "common word": ("prison", '"prison"'),
    "very common word": ("the", '"the"'),
    "phrase": ('"hunger strike"', '"hunger strike"'),
    "prefix": ("interv*", '"interv" *'),
    "fielded": ("title:testimony", ""),
    "with filters": ("mothers lang:en date:1988..1990 access:open", ""),
    "Persian": ("خاوران", '"خاوران"'),
    "Persian, no ZWNJ": ("خانوادهها", ""),
}


def _time(action: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _measure_query(
    catalogue: Catalogue,
    bare: Callable[[str], None],
    label: str,
    ours: str,
    theirs: str,
    runs: int,
    rng: random.Random,
    everything: list[float],
) -> str:
    def pick(template: str) -> str:
        return template.format(n=rng.randrange(20_000))

    deep = 0 if label == "rare word" else 10_000
    catalogue.search.search(pick(ours), facets=False)  # warm the cache
    mine = _time(lambda: catalogue.search.search(pick(ours), facets=False), runs)
    everything += mine
    page = _time(
        lambda: catalogue.search.search(pick(ours), facets=False, offset=deep), max(3, runs // 5)
    )
    faceted = _time(lambda: catalogue.search.search(pick(ours)), max(3, runs // 5))
    results = catalogue.search.search(pick(ours), facets=False)
    bare_text, ratio = "—", "—"
    if theirs:
        bare(pick(theirs))
        base = _time(lambda: bare(pick(theirs)), runs)
        ratio = f"{statistics.median(mine) / statistics.median(base):.2g}x"
        bare_text = f"{statistics.median(base):.1f} / {_p99(base):.1f}"
    about = "" if results.total_exact else "~"
    return (
        f"| {label} | {about}{results.total:,} | "
        f"{statistics.median(mine):.1f} / {_p99(mine):.1f} | "
        f"{statistics.median(page):.1f} | {statistics.median(faceted):.1f} | {bare_text} | "
        f"{ratio} | {results.ranking} |"
    )


def measure(path: Path, runs: int, only: set[str] | None = None) -> list[str]:
    rng = random.Random(7)
    with Catalogue.open(path) as catalogue, catalogue.db.read() as session:
        raw = session.connection()

        def bare(match: str) -> None:
            raw.execute(
                text(
                    "SELECT rowid, rank FROM bare_fts WHERE bare_fts MATCH :m ORDER BY rank "
                    "LIMIT 20"
                ),
                {"m": match},
            ).fetchall()

        everything: list[float] = []
        rows = [
            _measure_query(catalogue, bare, label, ours, theirs, runs, rng, everything)
            for label, (ours, theirs) in QUERIES.items()
            if only is None or label in only
        ]
        return [
            *rows,
            f"| **the whole mix** | | **{statistics.median(everything):.1f} / "
            f"{_p99(everything):.1f}** | | | | | |",
        ]


def _bare_file(catalogue: sqlite3.Connection, path: Path) -> int:
    """The floor for size: a file holding only a plain FTS5 table (text and index) of the
    records' text, as a bare full-text program would keep it; its size in bytes."""
    path.unlink(missing_ok=True)
    with closing(sqlite3.connect(path)) as bare:
        bare.execute("CREATE VIRTUAL TABLE bare USING fts5(body, tokenize=unicode61)")
        rows = catalogue.execute("SELECT unit_id, extracted_text FROM files ORDER BY unit_id")
        while batch := rows.fetchmany(10_000):
            bare.executemany("INSERT INTO bare (rowid, body) VALUES (?, ?)", batch)
        bare.execute("INSERT INTO bare(bare) VALUES ('optimize')")
        bare.commit()
        bare.execute("VACUUM")
    size = path.stat().st_size
    path.unlink()
    return size


def size_lines(path: Path, folder: Path) -> list[str]:
    """The catalogue's size on disk beside the bare FTS5 file of the same text, and where the
    space goes."""
    # The standard module's SQLite has the dbstat table (SQLCipher's build does not);
    # nothing else has the file open at this point. The bench's own bare_fts table (the
    # floor of the timings) is no part of a catalogue and is left out of its size.
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        pages = dict(
            connection.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
        )
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        free = connection.execute("PRAGMA freelist_count").fetchone()[0] * page_size
        text_bytes = connection.execute(
            "SELECT coalesce(sum(length(CAST(extracted_text AS BLOB))), 0) FROM files"
        ).fetchone()[0]
        bare = _bare_file(connection, folder / "bare-fts5.sqlite")
    file_size = path.stat().st_size
    bench_table = sum(v for k, v in pages.items() if k.startswith("bare_fts"))
    catalogue = file_size - bench_table - free
    index = sum(v for k, v in pages.items() if k.startswith("search_"))
    groups = {
        "records' text (files)": pages.get("files", 0),
        "search index": index,
        "audit log": sum(v for k, v in pages.items() if "audit" in k),
    }
    groups["everything else (records, events, assessments, their indexes)"] = catalogue - sum(
        groups.values()
    )
    lines = [
        f"catalogue {catalogue / 1e6:,.0f} MB (file {file_size / 1e6:,.0f} MB, less the "
        f"benchmark's own bare table {bench_table / 1e6:,.0f} MB and {free / 1e6:,.0f} MB free); "
        f"text {text_bytes / 1e6:,.0f} MB; bare FTS5 file of the same text {bare / 1e6:,.0f} MB; "
        f"catalogue / bare = {catalogue / bare:.2f}x",
        "",
        "| part | MB | share |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {name} | {size / 1e6:,.1f} | {size / catalogue:.0%} |" for name, size in groups.items()
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the catalogue here")
    parser.add_argument("--only", help="these queries only (labels, comma-separated)")
    parser.add_argument("--no-sizes", action="store_true", help="leave out the sizes on disk")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = generated_catalogue(folder, args.documents)
        if not args.no_sizes:
            for line in size_lines(path, folder):
                print(line)
        print(f"\n{args.documents:,} records; times in ms (median / 99th percentile)\n")
        print("| query | matches | search | page 500 | with facets | bare FTS5 | ratio | ranking |")
        print("|---|---:|---:|---:|---:|---:|---:|---|")
        only = {label.strip() for label in args.only.split(",")} if args.only else None
        for row in measure(path, args.runs, only):
            print(row)


if __name__ == "__main__":
    main()
