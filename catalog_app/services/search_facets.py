"""Facet counts for a set of search results: one read of the units they name, counted here."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from catalog_app.storage import driver
from catalog_app.storage.sql_names import NEEDS_REVIEW

FACETS = ("collection", "decade", "language", "media_type", "grade", "access_status", "review")
NEEDS_REVIEW_VALUE, CHECKED_VALUE = "needs review", "checked"
Facets = dict[str, list[tuple[str, int]]]


def _decade(date_start: str | None) -> str:
    if not date_start or not date_start[:4].lstrip("-").isdigit():
        return "undated"
    return f"{int(date_start[:4]) // 10 * 10}s"


def count_facets(connection: driver.Connection, ids_sql: str, params: dict[str, Any]) -> Facets:
    """Counts by collection, decade, language, media type, grade, access status and review
    (whether a harvested value still needs a person's check) of the units whose ids `ids_sql`
    selects."""
    counters: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    roots: Counter[int | None] = Counter()
    rows = connection.execute(
        "SELECT u.root_id, u.date_start, u.languages, u.media_type, "
        "u.current_source_reliability || u.current_information_credibility, "
        f"u.access_status, u.{NEEDS_REVIEW} FROM units u WHERE u.id IN ({ids_sql})",
        params,
    )
    for root, start, languages, media, grade, access, review in rows:
        roots[root] += 1
        counters["decade"][_decade(start)] += 1
        for code in json.loads(languages or "[]") or ["(none)"]:
            counters["language"][str(code)] += 1
        counters["media_type"][media or "(none)"] += 1
        counters["grade"][grade or "not assessed"] += 1
        counters["access_status"][access] += 1
        counters["review"][NEEDS_REVIEW_VALUE if review else CHECKED_VALUE] += 1
    named = {None: "(none)"} | {
        int(row[0]): f"{row[1]} {row[2]}"
        for row in connection.execute(
            "SELECT id, reference_code, title FROM units WHERE id IN ("
            + ",".join(str(int(r)) for r in roots if r is not None)
            + ")"
        )
    }
    for root, count in roots.items():
        counters["collection"][named.get(root, "(none)")] += count
    return {
        name: sorted(counters[name].items(), key=lambda item: (-item[1], item[0]))
        for name in FACETS
    }
