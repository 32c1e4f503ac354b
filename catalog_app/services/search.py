"""Searching the catalogue: ranked full-text and fielded search with filters and facets."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from catalog_app.domain.folding import tokens
from catalog_app.domain.records import SearchHit, SearchResults
from catalog_app.search import highlight
from catalog_app.search.query import (
    Filters,
    ParsedQuery,
    QueryError,
    any_term,
    only_negative,
    parse,
    prefix_atoms,
    tier_match,
    to_match,
)
from catalog_app.services.search_facets import Facets, count_facets
from catalog_app.services.unit_key import find_unit_id
from catalog_app.storage import driver
from catalog_app.storage.sql_names import FTS_TABLE, NEEDS_REVIEW, VOCAB_TABLE, WEIGHTS

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue

# A search is SQL written here, run through the driver (Catalogue.reading): the window's
# searches and `catalog search` share it, and the command loads neither SQLAlchemy nor the
# ORM models, which take longer to import than a search takes.

MAX_LIMIT = 500
MAX_IDS = 10_000
# Up to this many matches every one is ranked by BM25. Above it, ranking every match would
# cost more than a person waits (BM25 must score all of them to find the best twenty), so
# results come in tiers: a searched word in the title, then in the reference code, names,
# subjects or places, then only in the text; newest first within each tier. Every tier is
# read straight from the index in rowid order, so a page costs the same at any depth.
RANK_ALL_UP_TO = 5_000
# Matches are counted exactly up to here; above it the total is estimated by counting the
# matches in ESTIMATE_STRATA evenly spaced stretches of STRATUM_IDS record ids.
COUNT_CAP = 10_000
ESTIMATE_STRATA = 8
STRATUM_IDS = 1_000
FACET_SAMPLE = 5_000
FUZZY_MAX_VARIANTS = 8
PREFIX_EXPANSION = 64  # more words than this, and FTS5 merges the prefix itself
TIER_SCORES = (10.0, 5.0, 1.0)
_BM25 = f"bm25({FTS_TABLE}, {', '.join(str(w) for w in WEIGHTS)})"


def _filter_sql(
    connection: driver.Connection, filters: Filters, params: dict[str, Any]
) -> list[str]:
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
    if filters.needs_review is not None:
        clauses.append(f"u.{NEEDS_REVIEW}" if filters.needs_review else f"NOT u.{NEEDS_REVIEW}")
    if filters.collections:
        roots = [find_unit_id(connection, key) for key in filters.collections]
        clauses.append(
            "u.id IN (WITH RECURSIVE below(id) AS (SELECT id FROM units WHERE id IN ("
            + values("root", roots)
            + ") UNION ALL SELECT units.id FROM units JOIN below ON units.parent_id = below.id)"
            " SELECT id FROM below)"
        )
    return clauses


# Deeper than any catalogue: beyond SQLite's integers an offset cannot even be bound.
MAX_OFFSET = 10**12


class SearchService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue
        self._names: tuple[int, _Names] | None = None

    def _known_names(self, connection: driver.Connection) -> _Names:
        """Agents' and places' names, reloaded only after something changed (every change
        writes to the audit log, so its newest id says whether anything did)."""
        marker = int(connection.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0])
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
        snippets: bool = True,
    ) -> SearchResults:
        """Run a query in the query language (see catalog_app.search.query). Without
        snippets, results carry only the ids of the page, which may then be longer (a
        results list shows its rows from the ids)."""
        largest = MAX_LIMIT if snippets else MAX_IDS
        if not 1 <= limit <= largest:
            raise QueryError(f"the page size must be between 1 and {largest}")
        if not 0 <= offset <= MAX_OFFSET:
            raise QueryError(f"the offset must be between 0 and {MAX_OFFSET:,}")
        parsed = parse(query)
        with self._cat.reading() as connection:
            names = lambda: self._known_names(connection)  # noqa: E731 (loaded only if needed)
            search = _Search(connection, parsed, query, fuzzy, names, snippets=snippets)
            return search.run(limit, offset, facets)

    def highlight_terms(self, query: str) -> list[highlight.Term]:
        """What to mark in a record's text for a query: its words and phrases, and the
        other recorded names of the agents and places it names. None for a query in error."""
        try:
            parsed = parse(query)
        except QueryError:
            return []
        with self._cat.reading() as connection:
            names = lambda: self._known_names(connection)  # noqa: E731 (loaded only if needed)
            return _Search(connection, parsed, query, False, names).terms()

    def count(self, query: str) -> int:
        """The exact number of records a query finds (search() estimates large totals; this
        counts every match, which at a million records can take a second or more)."""
        parsed = parse(query)
        with self._cat.reading() as connection:
            names = lambda: self._known_names(connection)  # noqa: E731 (loaded only if needed)
            return _Search(connection, parsed, query, False, names).exact_count()

    def reindex(self, report: Callable[[int, int], bool] | None = None) -> int:
        """Rebuild the search index from the catalogue; returns how many records it holds."""
        from catalog_app.storage.search_index import rebuild

        with self._cat.db.write(self._cat.actor, reason="reindex") as session:
            return rebuild(session.connection(), report)


class _Search:
    def __init__(
        self,
        connection: driver.Connection,
        parsed: ParsedQuery,
        text_: str,
        fuzzy: bool,
        names: Callable[[], _Names],
        *,
        snippets: bool = True,
    ) -> None:
        self.connection = connection
        self.snippets = snippets
        self.names = names
        self.parsed = parsed
        self.text = text_
        self.fuzzy = fuzzy
        self.params: dict[str, Any] = {}
        self.where = _filter_sql(connection, parsed.filters, self.params)
        self._alternatives: dict[int, list[list[str]]] | None = None
        self.variants: list[str] = []

    # -- matching ------------------------------------------------------------------------------

    def _match_expressions(self) -> tuple[str, str | None] | None:
        """(exact expression, expression with close spellings too) or None for browsing."""
        root = self.parsed.root
        if not root.items or only_negative(self.parsed) is not None:
            return None
        self._expand_prefixes()
        alternatives = self._name_alternatives()
        exact = to_match(root, alternatives)
        if not self.fuzzy:
            return exact, None
        widened = self._fuzzy_alternatives({k: list(v) for k, v in alternatives.items()})
        return exact, (to_match(root, widened) if self.variants else None)

    def _expand_prefixes(self) -> None:
        for atom in prefix_atoms(self.parsed):
            last = atom.words[-1]
            words = self.connection.execute(
                f"SELECT term FROM {VOCAB_TABLE} WHERE term >= :low AND term < :high "
                f"LIMIT {PREFIX_EXPANSION + 1}",
                {"low": last, "high": last + "\U0010ffff"},
            )
            found = tuple(str(w) for (w,) in words)
            if 0 < len(found) <= PREFIX_EXPANSION:
                atom.expanded = found

    def _name_alternatives(self) -> dict[int, list[list[str]]]:
        """Other recorded names of agents and places a searched name belongs to (worked out
        once a search: matching, the tiers and the marks all ask)."""
        if self._alternatives is None:
            self._alternatives = self._find_name_alternatives()
        return self._alternatives

    def _find_name_alternatives(self) -> dict[int, list[list[str]]]:
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
                f"SELECT term FROM {VOCAB_TABLE} WHERE term >= :low AND term < :high",
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
        base = self._base(":match")
        total, total_exact = self._count(base)
        if widened is not None:
            return self._with_close_spellings(base, widened, total, limit, offset, want_facets)
        if total == 0 and total_exact:
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
            ranking = "tiered"
            rows = self._tiered_rows(match, limit, offset)
            if not total_exact and rows:  # an estimate never says fewer than were shown
                total = max(total, offset + len(rows))
        facet_counts, exact = self._facets(base, total, total_exact) if want_facets else ({}, True)
        return self._results(total, offset, rows, facet_counts, exact, ranking, total_exact)

    def _results(
        self,
        total: int,
        offset: int,
        rows: list[tuple[int, float]],
        facets: Facets,
        facets_exact: bool,
        ranking: str,
        total_exact: bool = True,
    ) -> SearchResults:
        return SearchResults(
            self.text,
            total,
            offset,
            self._hits(rows) if self.snippets else (),
            facets,
            facets_exact,
            ranking,
            tuple(self.variants),
            total_exact,
            tuple(row[0] for row in rows),
        )

    def exact_count(self) -> int:
        expressions = self._match_expressions()
        if expressions is None:
            return self._scalar(f"SELECT count(*) {self._browse_base()}")
        self.params["match"] = expressions[0]
        return self._scalar(f"SELECT count(*) {self._base(':match')}")

    def _base(self, match_key: str) -> str:
        # The index drives (CROSS JOIN fixes the order): left to itself, SQLite would walk
        # an index of units (say, all open records) and look each one up in the index,
        # tens of times slower. A collection filter is the exception: a small collection
        # is best walked first.
        join = "JOIN" if self.parsed.filters.collections else "CROSS JOIN"
        joins = f" {join} units u ON u.id = f.rowid" if self.where else ""
        where = "".join(f" AND {w}" for w in self.where)
        return f"FROM {FTS_TABLE} f{joins} WHERE {FTS_TABLE} MATCH {match_key}{where}"

    def _count(self, base: str) -> tuple[int, bool]:
        """How many records match: exactly when the text matches at most COUNT_CAP records
        (or the catalogue is small), otherwise an estimate to two significant figures."""
        plain = f"FROM {FTS_TABLE} f WHERE {FTS_TABLE} MATCH :match"
        matches = self._scalar(f"SELECT count(*) FROM (SELECT 1 {plain} LIMIT {COUNT_CAP + 1})")
        if matches <= COUNT_CAP:
            return (self._scalar(f"SELECT count(*) {base}") if self.where else matches), True
        estimate = self._estimate(base)
        if estimate is None:
            return self._scalar(f"SELECT count(*) {base}"), True
        return (estimate if self.where else max(estimate, COUNT_CAP + 1)), False

    def _estimate(self, base: str) -> int | None:
        """Matches counted in evenly spaced stretches of record ids, scaled up to them all;
        None when the stretches would cover the whole catalogue."""
        # Two subqueries: SQLite reads min() and max() from the ends of the table only when
        # each stands alone.
        low, high = self.connection.execute(
            "SELECT (SELECT min(id) FROM units), (SELECT max(id) FROM units)"
        ).fetchone()
        span = int(high) - int(low) + 1
        if span <= ESTIMATE_STRATA * STRATUM_IDS:
            return None
        step = span // ESTIMATE_STRATA
        found = 0
        for stratum in range(ESTIMATE_STRATA):
            first = int(low) + stratum * step
            found += self._scalar(
                f"SELECT count(*) {base} AND f.rowid BETWEEN {first} AND {first + STRATUM_IDS - 1}"
            )
        estimate = found * span / (ESTIMATE_STRATA * STRATUM_IDS)
        return int(float(f"{estimate:.2g}"))

    def _tiered_rows(self, match: str, limit: int, offset: int) -> list[tuple[int, float]]:
        """A page of a large result: the tiers in order, newest first within each."""
        anything = any_term(self.parsed, self._name_alternatives())
        rows: list[tuple[int, float]] = []
        skip = offset
        for tier, score in enumerate(TIER_SCORES):
            key = f"tier{tier}"
            self.params[key] = tier_match(match, anything, tier)
            # One read gives both the rows wanted and, when the page starts past this
            # tier, how many to skip in the next.
            got = self._rows(
                f"SELECT f.rowid, {score} {self._base(':' + key)} ORDER BY f.rowid DESC "
                "LIMIT :limit",
                skip + limit - len(rows),
                0,
            )
            rows += got[skip:]
            skip = max(0, skip - len(got))
            if len(rows) == limit:
                break
        return rows

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
            self._facets(base.replace(":match", ":widened"), total, True)
            if want_facets
            else ({}, True)
        )
        return self._results(total, offset, rows, facet_counts, exact, "bm25")

    def _scalar(self, sql: str) -> int:
        return int(self.connection.execute(sql, self.params).fetchone()[0])

    def _rows(self, sql: str, limit: int, offset: int) -> list[tuple[int, float]]:
        params = {**self.params, "limit": limit, "offset": offset}
        return [(int(r[0]), float(r[1])) for r in self.connection.execute(sql, params)]

    def _browse_base(self) -> str:
        negative = only_negative(self.parsed)
        where = list(self.where)
        if negative is not None:
            self.params["exclude"] = to_match(negative, self._name_alternatives())
            where.append(
                f"u.id NOT IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :exclude)"
            )
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        return f"FROM units u{clause}"

    def _browse(self, limit: int, offset: int, want_facets: bool) -> SearchResults:
        """Filters alone, or only exclusions: records in reference-code order."""
        base = self._browse_base()
        total = self._scalar(f"SELECT count(*) {base}")
        rows = self._rows(
            f"SELECT u.id, 0.0 {base} ORDER BY u.reference_code LIMIT :limit OFFSET :offset",
            limit,
            offset,
        )
        exact = total <= FACET_SAMPLE
        sample = f"SELECT u.id {base}" + ("" if exact else f" LIMIT {FACET_SAMPLE}")
        facet_counts = count_facets(self.connection, sample, self.params) if want_facets else {}
        return self._results(total, offset, rows, facet_counts, exact, "browse")

    # -- results --------------------------------------------------------------------------------

    def terms(self) -> list[highlight.Term]:
        terms = [highlight.Term(tuple(a.words), a.prefix) for a in self.parsed.atoms if a.words]
        terms += [highlight.Term(tuple(tokens(v))) for v in self.variants]
        for names in self._name_alternatives().values():
            terms += [highlight.Term(tuple(words)) for words in names if words]
        return terms

    def _hits(self, rows: list[tuple[int, float]]) -> tuple[SearchHit, ...]:
        if not rows:
            return ()
        ids = ",".join(str(r[0]) for r in rows)
        units = {
            r[0]: r
            for r in self.connection.execute(
                "SELECT u.id, u.reference_code, u.title, u.level, u.date_expression, "
                "u.access_status, u.media_type, u.scope_content, "
                "(SELECT substr(group_concat(f.extracted_text, char(10)), 1, 400000) "
                " FROM files f WHERE f.unit_id = u.id) "
                f"FROM units u WHERE u.id IN ({ids})"
            )
        }
        terms = self.terms()
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

    def _facets(self, base: str, total: int, total_exact: bool) -> tuple[Facets, bool]:
        """Facet counts of every match, or of the newest FACET_SAMPLE when there are more."""
        exact = total_exact and total <= FACET_SAMPLE
        sample = f"SELECT f.rowid {base}" + (
            "" if exact else f" ORDER BY f.rowid DESC LIMIT {FACET_SAMPLE}"
        )
        return count_facets(self.connection, sample, self.params), exact


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


def _known_names(connection: driver.Connection) -> _Names:
    names = _Names()
    for agent_id, name in connection.execute(
        "SELECT id, authorised_name FROM agents UNION ALL SELECT agent_id, name FROM agent_names"
    ):
        names.add(f"agent:{agent_id}", name)
    for place_id, name, variants in connection.execute("SELECT id, name, variants FROM places"):
        for each in [name, *json.loads(variants or "[]")]:
            names.add(f"place:{place_id}", each)
    return names
