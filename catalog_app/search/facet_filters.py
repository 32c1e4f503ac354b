"""The query-language filter that narrows a search to one facet value (a click in a facet list
adds it to the search box, so the person sees and can edit what was added)."""

from __future__ import annotations

import re


def _quoted(value: str) -> str:
    return f'"{value}"' if re.search(r'[\s()"]', value) else value


def filter_for(facet: str, value: str) -> str | None:
    """`lang:fa` for ("language", "fa"); None for values no filter can select ("undated")."""
    if value in ("(none)", "not assessed", "undated", ""):
        return None
    if facet == "collection":
        return f"in:{_quoted(value.split(' ', 1)[0])}"
    if facet == "decade":
        match = re.fullmatch(r"(\d{4})s", value)
        return f"date:{match.group(1)}..{int(match.group(1)) + 9}" if match else None
    if facet == "language":
        return f"lang:{value}"
    if facet == "media_type":
        return f"type:{value.replace(' ', '_')}"
    if facet == "grade":
        return f"grade:{value}"
    if facet == "access_status":
        return f"access:{value}"
    if facet == "review":
        return {"needs review": "review:needed", "checked": "review:checked"}.get(value)
    return None


def add_filter(query: str, token: str) -> str:
    """The query with the filter added once (a second click on the same value changes
    nothing)."""
    if token in query.split():
        return query
    return f"{query.rstrip()} {token}".strip()
