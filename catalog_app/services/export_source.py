"""The records an export writes: streamed in hierarchical order, in chunks, with the access
rule applied and internal details left out, so that 100,000 records never sit in memory at
once."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.orm import Session

from catalog_app.domain.records import UnitDetail
from catalog_app.services.description_language import DescriptionLanguage
from catalog_app.services.export_loader import load_details
from catalog_app.services.internal_details import InternalDetails
from catalog_app.services.lookup import find_unit

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue

CHUNK = 1000  # records read together, with one query per table
# The archivist's own working notes (which may name sources or people) are left out of
# exports unless restricted material is included on purpose.
RESTRICTED_FIELDS = ("archivist_note",)
Progress = Callable[[int, int], bool]
DEFAULT_LANGUAGE = DescriptionLanguage()


@dataclass(frozen=True)
class ExportUnit:
    """One record as an export sees it."""

    detail: UnitDetail
    depth: int  # 0 for the top of what is exported
    parent_uuid: str | None  # the parent's uuid, None at the top of what is exported
    # The catalogue's language and script of description (one setting for all records).
    description_language: DescriptionLanguage = DEFAULT_LANGUAGE


@dataclass
class Selection:
    """What an export covers, and what it left out (filled in as the units are read)."""

    collection: str | None = None  # a reference code or id; None for the whole catalogue
    include_restricted: bool = False
    # Host and login names and local paths (services.internal_details) go too.
    include_internal: bool = False
    total: int = 0  # records in scope before the access rule
    left_out: int = 0  # restricted or confidential records (and those below them) left out
    left_out_codes: list[str] = field(default_factory=list)


def _ordered_ids(catalogue: Catalogue, selection: Selection) -> tuple[array[int], array[int]]:
    """The ids and depths of the records in scope, in pre-order (parents before children,
    siblings by position), kept compactly (a million records take 12 MB). Records that
    are not open, or are below one that is not, are left out unless `include_restricted`
    (counted, with their reference codes, in `selection`)."""
    ids, depths = array("q"), array("i")
    selection.total, selection.left_out, selection.left_out_codes = 0, 0, []
    with catalogue.db.read() as session:
        if selection.collection is not None:
            where = f"id = {int(find_unit(session, selection.collection).id)}"
        else:
            where = "parent_id IS NULL"
        rows = session.connection().exec_driver_sql(
            "WITH RECURSIVE tree(id, depth, withheld, path, code) AS ("
            " SELECT id, 0, access_status != 'open', printf('%010d', position),"
            f" reference_code FROM units WHERE {where}"
            " UNION ALL SELECT u.id, t.depth + 1, t.withheld OR u.access_status != 'open',"
            " t.path || '/' || printf('%010d', u.position), u.reference_code"
            " FROM units u JOIN tree t ON u.parent_id = t.id)"
            " SELECT id, depth, CASE WHEN withheld THEN code END FROM tree ORDER BY path"
        )
        while batch := rows.fetchmany(CHUNK):
            selection.total += len(batch)
            for unit_id, depth, withheld_code in batch:
                if withheld_code is not None and not selection.include_restricted:
                    selection.left_out += 1
                    selection.left_out_codes.append(str(withheld_code))
                else:
                    ids.append(unit_id)
                    depths.append(depth)
    return ids, depths


def iter_units(
    catalogue: Catalogue, selection: Selection, report: Progress | None = None
) -> Iterator[ExportUnit]:
    """The records in scope, parents first, read CHUNK at a time (export_loader: one query
    per table per chunk). Records that are not open (and everything below them) are left
    out unless `include_restricted`; so is each record's archivist's note. Internal details
    are left out unless `include_internal`. `report(done, total)` returning False stops
    the export."""
    ids, depths = _ordered_ids(catalogue, selection)
    internal = None if selection.include_internal else InternalDetails.of_this_computer()
    language = catalogue.description_language.get()
    total = len(ids)
    for start in range(0, total, CHUNK):
        chunk = ids[start : start + CHUNK]
        shown: set[int] | None = None
        with catalogue.db.read() as session:
            loaded = load_details(session.connection(), chunk, internal)
            if not selection.include_restricted:
                others = sorted({r.other_id for d, _ in loaded.values() for r in d.relations})
                shown = open_ids(session, others)
        for unit_id, depth in zip(chunk, depths[start : start + CHUNK], strict=True):
            if unit_id not in loaded:
                continue  # deleted since the export began
            detail, parent_uuid = loaded[unit_id]
            if shown is not None:
                detail = _without_restricted(detail, shown)
            # The top of what is exported has no parent in the export.
            yield ExportUnit(detail, depth, parent_uuid if depth else None, language)
        if report is not None and not report(min(start + CHUNK, total), total):
            return


def open_ids(session: Session, ids: Sequence[int]) -> set[int]:
    """The records of `ids` that are open and have no restricted or confidential record
    above them (the others may not even be named in an export)."""
    shown: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        marks = ",".join(str(int(i)) for i in ids[start : start + CHUNK])
        rows = session.execute(
            text(
                "WITH RECURSIVE up(start, id) AS ("
                f" SELECT id, id FROM units WHERE id IN ({marks})"
                " UNION ALL SELECT up.start, u.parent_id FROM up JOIN units u ON u.id = up.id"
                " WHERE u.parent_id IS NOT NULL)"
                " SELECT up.start FROM up JOIN units u ON u.id = up.id"
                " GROUP BY up.start HAVING max(u.access_status != 'open') = 0"
            )
        )
        shown.update(int(start) for (start,) in rows)
    return shown


def _without_restricted(detail: UnitDetail, shown: set[int]) -> UnitDetail:
    """`detail` without its restricted fields, nor relations to records not `shown`
    (whose reference codes and titles would otherwise appear in the export). Most records
    have neither, and are given back as they are (replace() makes a record anew)."""
    if detail.archivist_note is None and all(r.other_id in shown for r in detail.relations):
        return detail
    return replace(
        detail,
        archivist_note=None,  # RESTRICTED_FIELDS, typed
        relations=tuple(r for r in detail.relations if r.other_id in shown),
    )
