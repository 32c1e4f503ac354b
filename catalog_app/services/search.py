"""Searching the catalogue: ranked full-text and fielded search with filters and facets."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, text

from catalog_app.domain.folding import tokens
from catalog_app.domain.records import SearchHit, SearchResults
from catalog_app.search import highlight
from catalog_app.search.query import (
    Filters,
    ParsedQuery,
    QueryError,
    head_only,
    only_negative,
    parse,
    to_match,
)
from catalog_app.services.lookup import find_unit
from catalog_app.storage.search_index import FTS_TABLE, VOCAB_TABLE, WEIGHTS, rebuild

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue

MAX_LIMIT = 500
# Above this many matches, ranking every one of them costs more than a person waits for:
# the newest matches, and the newest whose titles, names, subjects or places match, are
# ranked, and the rest follow newest first.
RANK_ALL_UP_TO = 5_000
RECENT_WINDOW = 1_000
HEAD_WINDOW = 2_000
FILTERED_COUNT_CAP = 1_000
FACET_SAMPLE = 5_000
FUZZY_MAX_VARIANTS = 8
_BM25 = f"bm25({FTS_TABLE}, {', '.join(str(w) for w in WEIGHTS)})"
_FACETS = ("collection", "decade", "language", "media_type", "grade", "access_status")


def _filter_sql(connection: Connection, filters: Filters, params: dict[str, Any]) -> list[str]:
    clauses: list[str] = []

    def values(name: str, items: list[Any]) -> str:
        keys = []
        for number, item in enumerate(items):
            key = f"{name}{number}"
            params[key] = item
            keys.append(f":{key}")
        return ", ".join(keys)

    if filters.languages:
        # languages is a JSON list of codes; a substring test is far cheaper than json_each.
        quoted = [f'%"{code}"%' for code in filters.languages]
        keys = values("lang", quoted).split(", ")
        clauses.append("(" + " OR ".join(f"u.languages LIKE {k}" for k in keys) + ")")
    if filters.date_from:
        params["date_from"] = filters.date_from.isoformat()
        clauses.append("u.date_end >= :date_from")
    if filters.date_to:
        params["date_to"] = filters.date_to.isoformat()
        clauses.append("u.date_start <= :date_to")
    if filters.access:
        clauses.append(f"u.access_status IN ({values('access', filters.access)})")
    if filters.sources:
        clauses.append(
            f"u.current_source_reliability IN ({values('source', sorted(set(filters.sources)))})"
        )
    if filters.credibilities:
        clauses.append(
            "u.current_information_credibility IN ("
            + values("cred", sorted(set(filters.credibilities)))
            + ")"
        )
    if filters.media:
        clauses.append(f"u.media_type IN ({values('media', filters.media)})")
    if filters.collections:
        roots = []
        for key in filters.collections:
            from sqlalchemy.orm import Session

            with Session(bind=connection) as session:
                roots.append(find_unit(session, key).id)
        clauses.append(
            "u.id IN (WITH RECURSIVE below(id) AS (SELECT id FROM units WHERE id IN ("
            + values("root", roots)
            + ") UNION ALL SELECT units.id FROM units JOIN below ON units.parent_id = below.id)"
            " SELECT id FROM below)"
        )
    return clauses


class SearchService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue
        self._names: tuple[int, _Names] | None = None

    def _known_names(self, connection: Connection) -> _Names:
        """Agents' and places' names, reloaded only after something changed (every change
        writes to the audit log, so its newest id says whether anything did)."""
        marker = int(
            connection.execute(text("SELECT coalesce(max(id), 0) FROM audit_log")).scalar_one()
        )
        if self._names is None or self._names[0] != marker:
            self._names = (marker, _known_names(connection))
        return self._names[1]

    def search(
        self,
        query: str,
        *,
        limit: int = 20,
        offset: int = 0,
        fuzzy: bool = False,
        facets: bool = True,
    ) -> SearchResults:
        """Run a query in the query language (see catalog_app.search.query)."""
        if not 1 <= limit <= MAX_LIMIT:
            raise QueryError(f"the page size must be between 1 and {MAX_LIMIT}")
        if offset < 0:
            raise QueryError("the offset cannot be negative")
        parsed = parse(query)
        with self._cat.db.read() as session:
            connection = session.connection()
            names = lambda: self._known_names(connection)  # noqa: E731 (loaded only if needed)
            return _Search(connection, parsed, query, fuzzy, names).run(limit, offset, facets)

    def reindex(self, report: Callable[[int, int], bool] | None = None) -> int:
        """Rebuild the search index from the catalogue; returns how many records it holds."""
        with self._cat.db.write(self._cat.actor, reason="reindex") as session:
            return rebuild(session.connection(), report)


class _Search:
    def __init__(
        self,
        connection: Connection,
        parsed: ParsedQuery,
        text_: str,
        fuzzy: bool,
        names: Callable[[], _Names],
    ) -> None:
        self.connection = connection
        self.names = names
        self.parsed = parsed
        self.text = text_
        self.fuzzy = fuzzy
        self.params: dict[str, Any] = {}
        self.where = _filter_sql(connection, parsed.filters, self.params)
        self.variants: list[str] = []

    # -- matching ------------------------------------------------------------------------------

    def _match_expressions(self) -> tuple[str, str | None] | None:
        """(exact expression, expression with close spellings too) or None for browsing."""
        root = self.parsed.root
        if not root.items or only_negative(self.parsed) is not None:
            return None
        alternatives = self._name_alternatives()
        exact = to_match(root, alternatives)
        if not self.fuzzy:
            return exact, None
        widened = self._fuzzy_alternatives({k: list(v) for k, v in alternatives.items()})
        return exact, (to_match(root, widened) if self.variants else None)

    def _name_alternatives(self) -> dict[int, list[list[str]]]:
        """Other recorded names of agents and places a searched name belongs to."""
        found: dict[int, list[list[str]]] = {}
        candidates = [
            a
            for a in self.parsed.atoms
            if not a.prefix and a.columns in ((), ("names",), ("places",))
        ]
        if not candidates:
            return found
        names = self.names()
        for atom in candidates:
            key = tuple(atom.words)
            groups = names.by_name.get(key, [])
            if not groups and len(key) == 1 and len(key[0]) >= 4:
                groups = names.by_word.get(key[0], [])
                if len(groups) > 2:  # a word shared by many names says little
                    groups = []
            for group in groups:
                for other in names.groups[group]:
                    if list(other) != atom.words and list(other) not in found.get(id(atom), []):
                        found.setdefault(id(atom), []).append(list(other))
        return found

    def _fuzzy_alternatives(self, found: dict[int, list[list[str]]]) -> dict[int, list[list[str]]]:
        from rapidfuzz.distance import Levenshtein

        for atom in self.parsed.atoms:
            if atom.prefix or len(atom.words) != 1 or len(atom.words[0]) < 4:
                continue
            word = atom.words[0]
            allowed = 1 if len(word) < 7 else 2
            rows = self.connection.execute(
                text(f"SELECT term FROM {VOCAB_TABLE} WHERE term >= :low AND term < :high"),
                {"low": word[0], "high": chr(ord(word[0]) + 1)},
            )
            close = sorted(
                (Levenshtein.distance(word, term), term)
                for (term,) in rows
                if term != word
                and abs(len(term) - len(word)) <= allowed
                and Levenshtein.distance(word, term, score_cutoff=allowed) <= allowed
            )[:FUZZY_MAX_VARIANTS]
            for _, term in close:
                found.setdefault(id(atom), []).append([term])
                self.variants.append(term)
        return found

    # -- running ---------------------------------------------------------------------------------

    def run(self, limit: int, offset: int, want_facets: bool) -> SearchResults:
        expressions = self._match_expressions()
        if expressions is None:
            return self._browse(limit, offset, want_facets)
        match, widened = expressions
        self.params["match"] = match
        joins = " JOIN units u ON u.id = f.rowid" if self.where else ""
        where = "".join(f" AND {w}" for w in self.where)
        base = f"FROM {FTS_TABLE} f{joins} WHERE {FTS_TABLE} MATCH :match{where}"
        total, total_exact = self._count(base)
        if widened is not None:
            return self._with_close_spellings(base, widened, total, limit, offset, want_facets)
        if total == 0:
            return SearchResults(self.text, 0, offset, (), {}, True, "bm25", tuple(self.variants))
        if total <= RANK_ALL_UP_TO and total_exact:
            ranking = "bm25"
            rows = self._rows(
                f"SELECT f.rowid, {_BM25} AS score {base} ORDER BY score LIMIT :limit "
                "OFFSET :offset",
                limit,
                offset,
            )
        else:
            ranking = "recent-window"
            rows = self._window_rows(base, match, limit, offset)
        hits = self._hits(rows)
        facet_counts, exact = self._facets(base, total) if want_facets else ({}, True)
        return SearchResults(
            self.text,
            total,
            offset,
            hits,
            facet_counts,
            exact and total_exact,
            ranking,
            tuple(self.variants),
            total_exact,
        )

    def _count(self, base: str) -> tuple[int, bool]:
        """How many records match. With filters, every match must be looked up in the
        units table, which for a common word is far too slow: counting stops at
        FILTERED_COUNT_CAP and the total is marked as a lower bound."""
        if not self.where:
            return self._scalar(f"SELECT count(*) {base}"), True
        capped = self._scalar(
            f"SELECT count(*) FROM (SELECT 1 {base} LIMIT {FILTERED_COUNT_CAP + 1})"
        )
        return min(capped, FILTERED_COUNT_CAP), capped <= FILTERED_COUNT_CAP

    def _with_close_spellings(
        self,
        base: str,
        widened: str,
        exact_total: int,
        limit: int,
        offset: int,
        want_facets: bool,
    ) -> SearchResults:
        """Exact matches first (ranked), then those found only by a close spelling."""
        if self.where:  # the filtered count stops at a cap; here the boundary must be exact
            exact_total = self._scalar(f"SELECT count(*) {base}")
        self.params["widened"] = widened
        extra = (
            base.replace(":match", ":widened")
            + f" AND f.rowid NOT IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match)"
        )
        extra_total = self._scalar(f"SELECT count(*) {extra}")
        ranked = f"SELECT f.rowid, {_BM25} AS score"
        rows = []
        if offset < exact_total:
            rows = self._rows(
                f"{ranked} {base} ORDER BY score LIMIT :limit OFFSET :offset", limit, offset
            )
        if len(rows) < limit:
            rows += self._rows(
                f"{ranked} {extra} ORDER BY score LIMIT :limit OFFSET :offset",
                limit - len(rows),
                max(0, offset - exact_total),
            )
        total = exact_total + extra_total
        facet_counts, exact = (
            self._facets(base.replace(":match", ":widened"), total) if want_facets else ({}, True)
        )
        return SearchResults(
            self.text,
            total,
            offset,
            self._hits(rows),
            facet_counts,
            exact,
            "bm25",
            tuple(self.variants),
        )

    def _scalar(self, sql: str) -> int:
        return int(self.connection.execute(text(sql), self.params).scalar_one())

    def _rows(self, sql: str, limit: int, offset: int) -> list[tuple[int, float]]:
        params = {**self.params, "limit": limit, "offset": offset}
        return [(int(r[0]), float(r[1])) for r in self.connection.execute(text(sql), params)]

    def _window_rows(
        self, base: str, match: str, limit: int, offset: int
    ) -> list[tuple[int, float]]:
        """Very common words: rank the newest matches together with the newest matches in
        titles, reference codes, names, subjects and places; the rest follow newest first."""
        head_base = base.replace(":match", ":head_match")
        self.params["head_match"] = head_only(match)
        ranked = self._rows(
            "SELECT rowid, min(score) FROM ("
            f" SELECT * FROM (SELECT f.rowid AS rowid, {_BM25} AS score {base}"
            f"  ORDER BY f.rowid DESC LIMIT {RECENT_WINDOW})"
            f" UNION ALL SELECT * FROM (SELECT f.rowid AS rowid, {_BM25} AS score {head_base}"
            f"  ORDER BY f.rowid DESC LIMIT {HEAD_WINDOW})"
            ") GROUP BY rowid ORDER BY 2 LIMIT :limit OFFSET 0",
            RECENT_WINDOW + HEAD_WINDOW,
            0,
        )
        page = ranked[offset : offset + limit]
        if len(page) == limit:
            return page
        self.connection.execute(
            text("CREATE TEMP TABLE IF NOT EXISTS ranked_ids (id INTEGER PRIMARY KEY)")
        )
        self.connection.execute(text("DELETE FROM temp.ranked_ids"))
        self.connection.execute(
            text("INSERT INTO temp.ranked_ids VALUES (:id)"), [{"id": r[0]} for r in ranked]
        )
        rest = self._rows(
            f"SELECT f.rowid, 0.0 {base} AND f.rowid NOT IN (SELECT id FROM temp.ranked_ids) "
            "ORDER BY f.rowid DESC LIMIT :limit OFFSET :offset",
            limit - len(page),
            max(0, offset - len(ranked)),
        )
        return page + rest

    def _browse(self, limit: int, offset: int, want_facets: bool) -> SearchResults:
        """Filters alone, or only exclusions: records in reference-code order."""
        negative = only_negative(self.parsed)
        where = list(self.where)
        if negative is not None:
            self.params["exclude"] = to_match(negative, self._name_alternatives())
            where.append(
                f"u.id NOT IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :exclude)"
            )
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        base = f"FROM units u{clause}"
        total = self._scalar(f"SELECT count(*) {base}")
        rows = self._rows(
            f"SELECT u.id, 0.0 {base} ORDER BY u.reference_code LIMIT :limit OFFSET :offset",
            limit,
            offset,
        )
        hits = self._hits(rows)
        facet_counts, exact = (
            self._facets_of(f"SELECT u.id {base}", total) if want_facets else ({}, True)
        )
        return SearchResults(self.text, total, offset, hits, facet_counts, exact, "browse")

    # -- results --------------------------------------------------------------------------------

    def _terms(self) -> list[highlight.Term]:
        terms = [highlight.Term(tuple(a.words), a.prefix) for a in self.parsed.atoms]
        terms += [highlight.Term(tuple(tokens(v))) for v in self.variants]
        return terms

    def _hits(self, rows: list[tuple[int, float]]) -> tuple[SearchHit, ...]:
        if not rows:
            return ()
        ids = ",".join(str(r[0]) for r in rows)
        units = {
            r[0]: r
            for r in self.connection.execute(
                text(
                    "SELECT u.id, u.reference_code, u.title, u.level, u.date_expression, "
                    "u.access_status, u.media_type, u.scope_content, "
                    "(SELECT substr(group_concat(f.extracted_text, char(10)), 1, 400000) "
                    " FROM files f WHERE f.unit_id = u.id) "
                    f"FROM units u WHERE u.id IN ({ids})"
                )
            )
        }
        terms = self._terms()
        hits = []
        for unit_id, score in rows:
            row = units.get(unit_id)
            if row is None:
                continue
            title, scope, body = row[2], row[7] or "", row[8] or ""
            piece = (
                highlight.snippet(body, terms)
                or highlight.snippet(scope, terms)
                or highlight.lead(body or scope)
            )
            hits.append(
                SearchHit(
                    id=unit_id,
                    reference_code=row[1],
                    title=title,
                    level=row[3],
                    date_expression=row[4],
                    access_status=row[5],
                    media_type=row[6],
                    score=round(-score, 4),
                    snippet=piece.text,
                    highlights=piece.spans,
                    title_highlights=tuple(highlight.find(title, terms)),
                )
            )
        return tuple(hits)

    def _facets(self, base: str, total: int) -> tuple[dict[str, list[tuple[str, int]]], bool]:
        if self.where:
            # Filtered: the same (capped) set that was counted, so no more lookups than that.
            sample = f"SELECT f.rowid {base} LIMIT {FILTERED_COUNT_CAP}"
            return self._facets_of(sample, min(total, FILTERED_COUNT_CAP))[0], (
                total < FILTERED_COUNT_CAP
            )
        exact = total <= FACET_SAMPLE
        sample = f"SELECT f.rowid {base}" + (
            "" if exact else f" ORDER BY f.rowid DESC LIMIT {FACET_SAMPLE}"
        )
        return self._facets_of(sample, total)[0], exact

    def _facets_of(self, ids_sql: str, total: int) -> tuple[dict[str, list[tuple[str, int]]], bool]:
        exact = total <= FACET_SAMPLE
        if not exact and "LIMIT" not in ids_sql:
            ids_sql += f" LIMIT {FACET_SAMPLE}"
        within = f"u.id IN ({ids_sql})"
        queries = {
            "collection": "SELECT coalesce(r.reference_code || ' ' || r.title, '(none)'), "
            f"count(*) FROM units u LEFT JOIN units r ON r.id = u.root_id WHERE {within} "
            "GROUP BY u.root_id",
            "decade": "SELECT coalesce((CAST(substr(u.date_start, 1, 4) AS INTEGER) / 10 * 10)"
            f" || 's', 'undated'), count(*) FROM units u WHERE {within} GROUP BY 1",
            "language": "SELECT coalesce(j.value, '(none)'), count(*) FROM units u LEFT JOIN "
            f"json_each(u.languages) j WHERE {within} GROUP BY 1",
            "media_type": "SELECT coalesce(u.media_type, '(none)'), count(*) FROM units u "
            f"WHERE {within} GROUP BY 1",
            "grade": "SELECT coalesce(u.current_source_reliability || "
            "u.current_information_credibility, 'not assessed'), count(*) FROM units u "
            f"WHERE {within} GROUP BY 1",
            "access_status": f"SELECT u.access_status, count(*) FROM units u WHERE {within} "
            "GROUP BY 1",
        }
        facets: dict[str, list[tuple[str, int]]] = {}
        for name in _FACETS:
            rows = self.connection.execute(text(queries[name]), self.params)
            facets[name] = sorted(
                ((str(k), int(n)) for k, n in rows), key=lambda item: (-item[1], item[0])
            )
        return facets, exact


class _Names:
    def __init__(self) -> None:
        self.groups: dict[str, list[tuple[str, ...]]] = {}
        self.by_name: dict[tuple[str, ...], list[str]] = {}
        self.by_word: dict[str, list[str]] = {}

    def add(self, group: str, name: str) -> None:
        words = tuple(tokens(name))
        if not words:
            return
        members = self.groups.setdefault(group, [])
        if words not in members:
            members.append(words)
        if group not in self.by_name.setdefault(words, []):
            self.by_name[words].append(group)
        for word in words:
            if group not in self.by_word.setdefault(word, []):
                self.by_word[word].append(group)


def _known_names(connection: Connection) -> _Names:
    names = _Names()
    for agent_id, name in connection.execute(
        text(
            "SELECT id, authorised_name FROM agents"
            " UNION ALL SELECT agent_id, name FROM agent_names"
        )
    ):
        names.add(f"agent:{agent_id}", name)
    for place_id, name, variants in connection.execute(
        text("SELECT id, name, variants FROM places")
    ):
        for each in [name, *json.loads(variants or "[]")]:
            names.add(f"place:{place_id}", each)
    return names
