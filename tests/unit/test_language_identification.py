"""Languages and scripts are judged over the whole text, sampled evenly, at a bounded cost."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from catalog_app.ingest.languages import WINDOW, WINDOWS, detect, sample
from catalog_app.services import Catalogue
from tests.documents import ARABIC, ENGLISH, PERSIAN

FRENCH = (
    "Les familles des prisonniers politiques exécutés pendant l'été 1988 se sont rassemblées "
    "au cimetière de Khavaran malgré une forte présence des forces de sécurité autour du site."
)


def _text(sentence: str, length: int) -> str:
    return ((sentence + " ") * (length // len(sentence) + 1))[:length]


@pytest.mark.parametrize(
    ("text", "languages", "scripts"),
    [
        # A long English text with an Arabic second half.
        (_text(ENGLISH, 30_000) + "\n" + _text(ARABIC, 30_000), {"en", "ar"}, {"Latn", "Arab"}),
        # English front matter, then the Arabic that is most of the document (69%).
        (_text(ENGLISH, 3_000) + "\n" + _text(ARABIC, 7_000), {"en", "ar"}, {"Latn", "Arab"}),
        # Persian with an English appendix at the very end.
        (_text(PERSIAN, 100_000) + "\n" + _text(ENGLISH, 20_000), {"fa", "en"}, {"Arab", "Latn"}),
        # Two languages of one script, each half the text.
        (_text(ENGLISH, 20_000) + "\n" + _text(FRENCH, 20_000), {"en", "fr"}, {"Latn"}),
        # A short quotation is not a share of the text.
        (_text(ENGLISH, 40_000) + "\n" + _text(ARABIC, 1_500), {"en"}, {"Latn"}),
    ],
)
def test_every_language_with_a_real_share_of_the_whole_text_is_tagged(
    text: str, languages: set[str], scripts: set[str]
) -> None:
    found_languages, found_scripts = detect(text)
    assert (set(found_languages), set(found_scripts)) == (languages, scripts)


def test_the_most_used_comes_first() -> None:
    assert detect(_text(ENGLISH, 9_000) + "\n" + _text(ARABIC, 3_000)) == (
        ["en", "ar"],
        ["Latn", "Arab"],
    )


def test_a_long_text_is_judged_on_a_bounded_even_sample() -> None:
    words = 1_250_000
    text = " ".join(f"w{n:07d}" for n in range(words))  # 10 MB, every word its own
    windows = sample(text)
    assert len(windows) == WINDOWS
    assert sum(map(len, windows)) <= WINDOWS * (WINDOW + 30)
    # From the first word to the last, evenly, each window starting on a whole word.
    firsts = [int(window.split()[0][1:]) for window in windows]
    assert firsts[0] == 0
    assert windows[-1].split()[-1] == f"w{words - 1:07d}"
    gaps = [b - a for a, b in pairwise(firsts)]
    assert max(gaps) - min(gaps) <= 1
    assert all(len(window.split()[0]) == len("w0000000") for window in windows)


def test_a_short_text_is_sampled_whole() -> None:
    text = _text(ENGLISH, WINDOWS * WINDOW - 7)
    assert "".join(sample(text)) == text


def test_an_imported_file_is_tagged_with_every_language_in_it(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    source = tmp_path / "statement.txt"
    source.write_text(_text(ENGLISH, 20_000) + "\n\n" + _text(ARABIC, 20_000), encoding="utf-8")
    report = catalogue.imports.run([source], workers=1)
    assert report.count("imported") == 1, report.items
    unit_id = report.items[0].id
    assert unit_id is not None
    unit = catalogue.units.get(unit_id)
    assert set(unit.languages) == {"en", "ar"}
    assert set(unit.scripts) == {"Latn", "Arab"}
