"""Which languages and scripts a text is in (py3langid, a maintained langid.py)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_SAMPLE = 600  # characters per script: enough to tell languages apart, and fast
_MIN_SCRIPT_SHARE = 0.15
_MIN_CONFIDENCE = 0.5
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
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, confidence 0..1) for a sample of text."""
    language, confidence = _identifier().classify(text[:_SAMPLE])
    return str(language), float(confidence)


@cache
def script_of(ch: str) -> str | None:
    """ISO 15924 code of a letter or mark, None for anything else."""
    if ch == "\u200c":
        return None
    for code, pattern in _ONE.items():
        if pattern.match(ch):
            return code
    return None


def detect(text: str) -> tuple[list[str], list[str]]:
    """(languages, scripts) of a text, most used first.

    Each script that carries a fair share of the letters is identified on its own, so an
    English article quoting Persian passages comes out as ["en", "fa"], ["Latn", "Arab"].
    """
    sample = text[: _SAMPLE * 4]
    runs = {
        code: pattern.findall(sample)
        for code, pattern in _RUNS.items()
        if code == "Latn" or _ONE[code].search(sample)
    }
    counts = {code: sum(map(len, found)) for code, found in runs.items() if found}
    total = sum(counts.values())
    if not total:
        return [], []
    scripts = [
        code
        for code, count in sorted(counts.items(), key=lambda item: -item[1])
        if count / total >= _MIN_SCRIPT_SHARE
    ]
    languages: list[str] = []
    for script in scripts:
        language, confidence = identify(" ".join(runs[script]))
        if confidence >= _MIN_CONFIDENCE and language not in languages:
            languages.append(language)
    return languages, scripts
