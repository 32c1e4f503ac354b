"""The full-text index: one FTS5 row per unit, indexing its folded text by kind of field.

The index stores no text of its own (a contentless FTS5 table with `contentless_delete=1`,
migration 0008): what it indexes is folded from the records' tables whenever a record
changes, and snippets and highlights are taken from the records' own text. It is kept in
step by `refresh_derived` inside the same transaction as the change (called from the
session's commit hook and by the bulk writer), so a search never sees an edit or deletion
late. `rebuild` recreates it from the tables (`catalog reindex`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

from sqlalchemy import Connection, text

from catalog_app.domain.folding import FoldedText, fold, joined_forms
from catalog_app.domain.records import UNIT_TEXT_FIELDS

# The index's names, kept where a search can read them without loading SQLAlchemy.
from catalog_app.storage.sql_names import COLUMNS as COLUMNS
from catalog_app.storage.sql_names import DOCSIZE_TABLE as DOCSIZE_TABLE
from catalog_app.storage.sql_names import FTS_TABLE as FTS_TABLE
from catalog_app.storage.sql_names import HEAD_COLUMNS as HEAD_COLUMNS
from catalog_app.storage.sql_names import VOCAB_TABLE as VOCAB_TABLE
from catalog_app.storage.sql_names import WEIGHTS as WEIGHTS

TOKENIZER = "unicode61 remove_diacritics 2 categories 'L* N* Co Mn Mc'"
_CHUNK = 500

# Every descriptive text field except those indexed in their own columns or not worth finding.
_DESCRIPTION_FIELDS = tuple(
    name
    for name in UNIT_TEXT_FIELDS
    if name
    not in {"reference_code", "title", "date_expression", "rules", "description_date", "source_url"}
)


def _id_list(ids: Iterable[int]) -> str:
    """Integer ids as a literal SQL list (ints only, so nothing can be injected)."""
    return ",".join(str(int(i)) for i in sorted(set(ids)))


def _documents(
    connection: Connection, ids: Sequence[int], folded: Mapping[int, FoldedText]
) -> list[dict[str, object]]:
    marks = _id_list(ids)
    names: dict[int, list[str]] = defaultdict(list)
    subjects: dict[int, list[str]] = defaultdict(list)
    places: dict[int, list[str]] = defaultdict(list)
    bodies: dict[int, list[str]] = defaultdict(list)
    for unit_id, name, variants in connection.execute(
        text(
            "SELECT ua.unit_id, a.authorised_name, (SELECT group_concat(n.name, ' | ') FROM "
            "agent_names n WHERE n.agent_id = a.id) FROM unit_agents ua JOIN agents a ON "
            f"a.id = ua.agent_id WHERE ua.unit_id IN ({marks})"
        )
    ):
        names[unit_id] += [name, variants or ""]
    for unit_id, term in connection.execute(
        text(
            "SELECT us.unit_id, s.term FROM unit_subjects us JOIN subjects s ON s.id = "
            f"us.subject_id WHERE us.unit_id IN ({marks})"
        )
    ):
        subjects[unit_id].append(term)
    for unit_id, name, variants in connection.execute(
        text(
            "SELECT up.unit_id, p.name, p.variants FROM unit_places up JOIN places p ON p.id = "
            f"up.place_id WHERE up.unit_id IN ({marks})"
        )
    ):
        places[unit_id] += [name, *json.loads(variants or "[]")]
    unfolded = _id_list(i for i in ids if i not in folded)
    for unit_id, body in connection.execute(
        text(f"SELECT unit_id, extracted_text FROM files WHERE unit_id IN ({unfolded}) ORDER BY id")
    ):
        if body:
            bodies[unit_id].append(body)
    documents = []
    # Only the fields this catalogue has: an older migration (0004) builds the index before
    # later ones add fields. One PRAGMA per chunk of units costs microseconds.
    present = {row[1] for row in connection.execute(text("PRAGMA table_info(units)"))}
    fields = ", ".join(name for name in _DESCRIPTION_FIELDS if name in present)
    for row in connection.execute(
        text(f"SELECT id, title, reference_code, {fields} FROM units WHERE id IN ({marks})")
    ):
        unit_id, title, reference = row[0], row[1], row[2]
        description = "\n".join(v for v in row[3:] if v)
        name_text = " | ".join(names[unit_id])
        given = folded.get(unit_id)
        if given is None:
            body = "\n\n".join(bodies[unit_id])
            given = FoldedText(fold(body), joined_forms(body))
        joined = joined_forms(title, name_text, description)
        documents.append(
            {
                "rowid": unit_id,
                "title": fold(title),
                "ref": fold(reference),
                "names": fold(name_text),
                "subjects": fold(" | ".join(subjects[unit_id])),
                "places": fold(" | ".join(places[unit_id])),
                "description": fold(description),
                "body": given.body,
                "joined": f"{joined} {given.joined}"
                if joined and given.joined
                else joined or given.joined,
            }
        )
    return documents


def index_units(
    connection: Connection, ids: Iterable[int], folded: Mapping[int, FoldedText] | None = None
) -> None:
    """Bring the index rows of these units in line with the tables (deleted ones go).
    `folded` gives the folded text of units whose one file's text was folded already (an
    import's new records), which must be what folding that text here would give."""
    ordered = sorted(set(ids))
    columns = ", ".join(("rowid", *COLUMNS))
    values = ", ".join(f":{c}" for c in ("rowid", *COLUMNS))
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        marks = _id_list(chunk)
        connection.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})"))
        documents = _documents(connection, chunk, folded or {})
        if documents:
            connection.execute(
                text(f"INSERT INTO {FTS_TABLE} ({columns}) VALUES ({values})"), documents
            )


def rebuild(connection: Connection, report: Callable[[int, int], bool] | None = None) -> int:
    """Recreate the whole index from the tables; returns how many units it holds."""
    if _contentless(connection):
        connection.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')"))
    else:  # the index as it was before migration 0008 (which an earlier migration rebuilds)
        connection.execute(text(f"DELETE FROM {FTS_TABLE}"))
    ids = [row[0] for row in connection.execute(text("SELECT id FROM units ORDER BY id"))]
    for start in range(0, len(ids), _CHUNK):
        index_units(connection, ids[start : start + _CHUNK])
        if report is not None:
            report(min(start + _CHUNK, len(ids)), len(ids))
    connection.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))
    return len(ids)


def copy_rows(
    connection: Connection, source: str, target: str, columns: Sequence[str], batch: int
) -> int:
    """Copy an FTS5 table that holds its text into another, `batch` rows at a time in rowid
    order (migration 0008); returns how many rows were copied."""
    names = ", ".join(columns)
    # Each batch's last rowid, read from the source's column sizes (a b-tree keyed by rowid);
    # the rows are then copied inside SQLite.
    bound = text(
        f"SELECT id FROM {source}_docsize WHERE id > :after ORDER BY id LIMIT 1 OFFSET :skip"
    )
    copy = text(
        f"INSERT INTO {target} (rowid, {names}) SELECT rowid, {names} FROM {source} "
        "WHERE rowid > :after AND rowid <= :last ORDER BY rowid"
    )
    after, copied = -(2**63), 0
    while True:
        last = connection.execute(bound, {"after": after, "skip": batch - 1}).scalar()
        if last is None:
            last = connection.execute(text(f"SELECT max(id) FROM {source}_docsize")).scalar()
            if last is None or last <= after:
                return copied
        copied += connection.execute(copy, {"after": after, "last": last}).rowcount
        after = last


def _contentless(connection: Connection) -> bool:
    sql = connection.execute(
        text("SELECT sql FROM sqlite_master WHERE name = :name"), {"name": FTS_TABLE}
    ).scalar()
    return "contentless_delete" in str(sql)


def integrity_problems(connection: Connection) -> list[str]:
    """What is wrong with the index: damage inside it (FTS5's own check of its structure and
    of the column sizes against it), or records missing from it or left in it."""
    try:
        connection.execute(
            text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
        )
    except Exception as exc:  # SQLite reports corruption as an error of this statement
        return [f"the search index is damaged ({exc}); run 'catalog reindex'"]
    indexed = connection.execute(text(f"SELECT count(*) FROM {DOCSIZE_TABLE}")).scalar_one()
    units = connection.execute(text("SELECT count(*) FROM units")).scalar_one()
    if indexed != units:
        return [
            f"the search index holds {indexed} records but the catalogue {units}; "
            "run 'catalog reindex'"
        ]
    # The same number, but not the same records (one missing, another left behind).
    strays = connection.execute(
        text(
            f"SELECT count(*) FROM {DOCSIZE_TABLE} d WHERE NOT EXISTS "
            "(SELECT 1 FROM units u WHERE u.id = d.id)"
        )
    ).scalar_one()
    if strays:
        return [
            f"the search index holds {strays} records no longer in the catalogue and misses "
            f"as many; run 'catalog reindex'"
        ]
    return []


def refresh_roots(connection: Connection, ids: Iterable[int]) -> None:
    """Set root_id (the top of the hierarchy) for these units and everything below them."""
    marks = _id_list(ids)
    if not marks:
        return
    connection.execute(
        text(
            "WITH RECURSIVE up(start, id, parent_id) AS ("
            f" SELECT id, id, parent_id FROM units WHERE id IN ({marks})"
            " UNION ALL SELECT up.start, u.id, u.parent_id FROM units u"
            " JOIN up ON u.id = up.parent_id"
            "), roots(start, root) AS (SELECT start, id FROM up WHERE parent_id IS NULL),"
            " down(id, root) AS (SELECT start, root FROM roots"
            " UNION ALL SELECT u.id, down.root FROM units u JOIN down ON u.parent_id = down.id)"
            " UPDATE units SET root_id = (SELECT root FROM down WHERE down.id = units.id)"
            " WHERE id IN (SELECT id FROM down)"
        )
    )


def refresh_grades(connection: Connection, ids: Iterable[int]) -> None:
    """Copy each unit's newest assessment into its current-grade columns."""
    marks = _id_list(ids)
    if not marks:
        return
    connection.execute(
        text(
            "UPDATE units SET (current_source_reliability, current_information_credibility) = ("
            " SELECT source_reliability, information_credibility FROM reliability_assessments r"
            " WHERE r.unit_id = units.id ORDER BY assessed_at DESC, id DESC LIMIT 1)"
            f" WHERE id IN ({marks})"
        )
    )
