"""Rules for the values of a unit's description, checked before anything is written."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from catalog_app.domain.dates import DateError, parse_date
from catalog_app.domain.records import (
    UNIT_CHOICE_FIELDS,
    UNIT_EDITABLE_FIELDS,
    UNIT_LIST_FIELDS,
)
from catalog_app.domain.vocabulary import AccessStatus, DateKind, Level, MediaKind, TitleSource
from catalog_app.errors import ValidationError

_CHOICES: dict[str, type[StrEnum]] = {
    "level": Level,
    "title_source": TitleSource,
    "date_kind": DateKind,
    "access_status": AccessStatus,
    "media_type": MediaKind,
}
_REQUIRED = frozenset({"title", "reference_code", "level", "access_status", "title_source"})
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")  # ISO 639-1/-3, BCP 47 subtags
_SCRIPT = re.compile(r"^[A-Z][a-z]{3}$")  # ISO 15924
_MAX_REFERENCE_CODE = 200

assert set(_CHOICES) == set(UNIT_CHOICE_FIELDS)


def _label(name: str) -> str:
    return name.replace("_", " ")


def _codes(name: str, value: Any) -> list[str]:
    items: Iterable[Any]
    if value is None:
        items = ()
    elif isinstance(value, str):
        items = value.replace(",", " ").split()
    elif isinstance(value, Iterable):
        items = value
    else:
        raise ValidationError(f"{_label(name)} must be a list of codes")
    pattern, example = (_LANGUAGE, "en, fa, ar") if name == "languages" else (_SCRIPT, "Latn, Arab")
    codes: list[str] = []
    for item in items:
        code = str(item).strip()
        if name == "languages":
            code = code.lower()
        elif code:
            code = code[:1].upper() + code[1:].lower()
        if not pattern.match(code):
            raise ValidationError(
                f"'{item}' is not a valid code in {_label(name)} (e.g. {example})"
            )
        if code not in codes:
            codes.append(code)
    return codes


def language_code(value: str) -> str:
    """One ISO 639 language code, normalised ('FA' → 'fa'); ValidationError if it is not one."""
    codes = _codes("languages", [value])
    return codes[0]


def script_code(value: str) -> str:
    """One ISO 15924 script code, normalised ('arab' → 'Arab'); ValidationError if not one."""
    codes = _codes("scripts", [value])
    return codes[0]


def clean_unit_fields(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise description values; derive the sortable dates from the expression.

    Raises ValidationError naming the first field that is wrong and why.
    """
    unknown = set(changes) - UNIT_EDITABLE_FIELDS
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}")
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        if name in UNIT_LIST_FIELDS:
            cleaned[name] = _codes(name, value)
            continue
        if value is not None and not isinstance(value, str):
            raise ValidationError(f"{_label(name)} must be text")
        text = value.strip() if value is not None else None
        if not text:
            if name in _REQUIRED:
                raise ValidationError(f"{_label(name)} cannot be empty")
            cleaned[name] = None
            continue
        if name in _CHOICES:
            allowed = [member.value for member in _CHOICES[name]]
            if text.lower() not in allowed:
                raise ValidationError(
                    f"'{text}' is not a valid {_label(name)}: use one of {', '.join(allowed)}"
                )
            text = text.lower()
        elif name == "reference_code" and len(text) > _MAX_REFERENCE_CODE:
            raise ValidationError(
                f"reference code is too long (at most {_MAX_REFERENCE_CODE} characters)"
            )
        # Long text keeps its inner line breaks and spacing; only the ends are trimmed.
        cleaned[name] = text
    if "date_expression" in cleaned:
        try:
            bounds = parse_date(cleaned["date_expression"])
        except DateError as exc:
            raise ValidationError(f"date: {exc}") from exc
        cleaned["date_start"] = bounds.start
        cleaned["date_end"] = bounds.end
    return cleaned
