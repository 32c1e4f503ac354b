"""Real documents (tests/corpus/: Debian's handbook in English, Persian and Arabic, TeX Live's
Persian and Arabic package manuals, python-docx's and odfpy's own sample files) imported
into a catalogue: none refused, and of the words an independent reader finds in each (see
tests/real_material.py), at least 95% of each kind are found by a search for them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog_app.services import Catalogue
from catalog_app.services.search import MAX_IDS
from tests.real_material import KINDS, documents, reference_text, sample_words

RECALL = 0.95


@pytest.fixture(scope="module")
def imported(
    tmp_path_factory: pytest.TempPathFactory, empty_catalogue_file: Path
) -> Iterator[tuple[Catalogue, dict[Path, int]]]:
    path = tmp_path_factory.mktemp("real") / "catalogue.sqlite"
    shutil.copyfile(empty_catalogue_file, path)
    files = [f for kind in KINDS for f in documents(kind)]
    with Catalogue.open(path, actor="tester") as catalogue:
        report = catalogue.imports.run(files, workers=2)
        refused = [(i.path, i.reason) for i in report.items if i.outcome != "imported"]
        assert not refused
        ids = {Path(item.path): item.id for item in report.items if item.id is not None}
        yield catalogue, {f: ids[f] for f in files}


def _searchable(catalogue: Catalogue, word: str, record: int) -> bool:
    hits = catalogue.search.search(f'"{word}"', limit=MAX_IDS, facets=False, snippets=False)
    return record in hits.ids


def _arabic_script(c: str) -> bool:
    return "\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufefe"  # presentation forms too


def test_the_corpus_has_each_kind_and_script() -> None:
    for kind in KINDS:
        assert len(documents(kind)) >= 3, kind
    arabic_script = {
        path.name
        for kind in ("html", "pdf")
        for path in documents(kind)
        if sum(_arabic_script(c) for c in reference_text(path)) > 500
    }
    assert len(arabic_script) >= 5, arabic_script


@pytest.mark.parametrize("kind", KINDS)
def test_words_of_real_documents_are_searchable(
    imported: tuple[Catalogue, dict[Path, int]], kind: str
) -> None:
    catalogue, ids = imported
    sampled = found = 0
    missing: dict[str, list[str]] = {}
    for path in documents(kind):
        words = sample_words(reference_text(path), seed=path.name)
        assert len(words) >= 5, path.name
        lost = [w for w in words if not _searchable(catalogue, w, ids[path])]
        sampled += len(words)
        found += len(words) - len(lost)
        if lost:
            missing[path.name] = lost
    assert found / sampled >= RECALL, (kind, f"{found}/{sampled}", missing)
