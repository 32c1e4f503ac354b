"""Language codes as records hold them (ISO 639, BCP 47 tags: "fa", "fa-af") and script codes
(ISO 15924: "Arab") as names people read ("Persian", "Persian (Afghanistan)", "Arabic"), from
the Unicode CLDR's English names through Babel.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from babel import Locale

_ENGLISH = Locale("en")


@cache
def language_name(code: str) -> str:
    """The English name of a language code; a code CLDR does not name is shown as it is."""
    base, *subtags = code.strip().replace("_", "-").split("-")
    name = _ENGLISH.languages.get(base.lower())
    if not isinstance(name, str):
        return code
    details = [_subtag_name(subtag) for subtag in subtags if subtag]
    return f"{name} ({', '.join(details)})" if details else name


def language_names(codes: Iterable[str]) -> str:
    """Several codes as one line of names: "Persian, English"."""
    return ", ".join(language_name(code) for code in codes)


def script_names(codes: Iterable[str]) -> str:
    """Script codes as one line of names: "Arabic, Latin"; a code CLDR does not name as it is."""
    return ", ".join(str(_ENGLISH.scripts.get(code.title(), code)) for code in codes)


def _subtag_name(subtag: str) -> str:
    name: object = subtag  # a variant, or a subtag CLDR does not name: shown as typed
    if len(subtag) == 4 and subtag.isalpha():  # a script (ISO 15924): "arab"
        name = _ENGLISH.scripts.get(subtag.title(), subtag)
    elif len(subtag) == 2 or (len(subtag) == 3 and subtag.isdigit()):  # a region: "af", "419"
        name = _ENGLISH.territories.get(subtag.upper(), subtag)
    return str(name)
