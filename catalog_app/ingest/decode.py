"""Bytes to text for plain-text files in whatever encoding the source used."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Share of replacement characters up to which a file is taken as damaged UTF-8 rather than
# text in another encoding.
_DAMAGED_UTF8 = 0.001
_MAX_CONTROL = 0.01
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # Cc, less tab and line breaks
# Legacy code pages always considered: Windows Arabic/Persian, Western European, Cyrillic.
_REGIONAL = ("cp1256", "cp1252", "cp1251")


class NotText(ValueError):
    """The bytes are not text in any encoding worth trusting."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:100_000]
    return len(_CONTROL.findall(sample)) / len(sample)


def _checked(text: str, encoding: str, warnings: list[str] | None = None) -> Decoded:
    if _control_share(text) > _MAX_CONTROL:
        raise NotText("it holds binary data, not text")
    return Decoded(text.replace("\r\n", "\n"), encoding, warnings or [])


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4000]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2 or 1
    for zeros, other, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        # Spaces and digits alone put zeros in every other byte of UTF-16 text.
        if zeros / half > 0.08 and other / half < 0.01:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def decode_text(data: bytes) -> Decoded:
    """Decode with the BOM if there is one, else UTF-8, else the detected legacy encoding.

    Raises NotText for binary data.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data[len(bom) :].decode(codec), f"{codec} (byte order mark)")
            except UnicodeDecodeError as exc:
                raise NotText(
                    f"it starts with a {codec} byte order mark but is not {codec}"
                ) from exc
    if b"\x00" in data[:4000]:
        text = _utf16_without_bom(data)
        if text is None:
            raise NotText("it holds binary data, not text")
        return _checked(text, "utf-16 (detected)")
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    if bad / max(len(lenient), 1) <= _DAMAGED_UTF8:
        return _checked(
            lenient,
            "utf-8 (damaged)",
            [f"{bad} byte sequence(s) were not valid UTF-8 and were replaced with �"],
        )
    return _checked(*_legacy(data))


def _plausibility(text: str) -> tuple[float, float]:
    """How much a decoding reads like real writing, judged on its non-ASCII words: the share
    of them written in one script (a wrong code page makes words like "Cafй"), then how
    sure a model of byte sequences in real writing is about them."""
    from catalog_app.ingest.languages import script_of

    words = [w for w in text[:20_000].split() if not w.isascii()]
    if not words:
        return 1.0, 1.0
    single = sum(1 for w in words if len({s for s in map(script_of, w) if s}) <= 1)
    _, confidence = _byte_model().classify(" ".join(words)[:600])
    return round(single / len(words), 2), float(confidence)


@cache
def _byte_model() -> Any:
    """langid.py's model (py3langid) judges a decoding: it scores byte n-grams, so a wrong
    code page's letters ("déjŕ") read as unlikely, where fastText's word model, which
    identifies languages (`languages`), shrugs them off."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _legacy(data: bytes) -> tuple[str, str]:
    """Text in a legacy code page: the Windows code pages of this program's users and
    charset-normalizer's candidates, judged by which decoding reads as real writing.

    (charset-normalizer alone takes short Persian texts in Windows-1256 for Kazakh.)
    """
    from charset_normalizer import from_bytes

    from catalog_app.ingest.limits import DETECT_MB

    guesses = [r.encoding for r in from_bytes(data[: DETECT_MB << 20])][:3]
    best: tuple[tuple[float, float], str, str] | None = None
    for encoding in dict.fromkeys([*_REGIONAL, *guesses]):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        score = _plausibility(text)
        if (
            best is None
            or score[0] > best[0][0]
            or (score[0] == best[0][0] and score[1] > best[0][1] + 0.1)
        ):
            best = (score, text, encoding)
    if best is None:
        raise NotText("its encoding could not be recognised; it may not be text")
    return best[1], f"{best[2]} (detected)"
