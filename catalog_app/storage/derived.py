"""Keeping derived data in step with every change, inside the same transaction: the search
index, each unit's root in the hierarchy, and its current reliability grades."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from catalog_app.domain.folding import FoldedText
from catalog_app.storage import models
from catalog_app.storage.search_index import index_units, refresh_grades, refresh_roots

_TOUCHED = "derived_touched"  # units whose index rows need refreshing
_MOVED = "derived_moved"  # units whose place in the hierarchy may have changed
_GRADED = "derived_graded"  # units whose assessments changed
_FOLDED = "derived_folded"  # new units' text, folded already (see `mark`)

_UNIT_PARTS = (
    models.StoredFile,
    models.UnitAgent,
    models.UnitPlace,
    models.UnitSubject,
)


def mark(
    session: Session,
    ids: Iterable[int],
    *,
    moved: bool = False,
    folded: Mapping[int, FoldedText] | None = None,
) -> None:
    """Ask for these units to be re-derived when the transaction commits (bulk writers).
    `folded`: the folded text of new units with one file each, folded where it was read."""
    unit_ids = set(ids)
    session.info.setdefault(_TOUCHED, set()).update(unit_ids)
    if moved:
        session.info.setdefault(_MOVED, set()).update(unit_ids)
    if folded:
        session.info.setdefault(_FOLDED, {}).update(folded)


def _units_of(session: Session, model: type[models.Base], column: Any, key: int) -> list[int]:
    return list(session.scalars(select(model.unit_id).where(column == key)))  # type: ignore[attr-defined]


def _after_flush(session: Session, flush_context: Any) -> None:
    touched: set[int] = session.info.setdefault(_TOUCHED, set())
    moved: set[int] = session.info.setdefault(_MOVED, set())
    graded: set[int] = session.info.setdefault(_GRADED, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, models.Unit):
            touched.add(obj.id)
            if obj in session.new:
                moved.add(obj.id)
        elif isinstance(obj, _UNIT_PARTS):
            touched.add(obj.unit_id)
        elif isinstance(obj, models.ReliabilityAssessment):
            graded.add(obj.unit_id)
        elif isinstance(obj, models.Agent):
            touched.update(_units_of(session, models.UnitAgent, models.UnitAgent.agent_id, obj.id))
        elif isinstance(obj, models.AgentName):
            touched.update(
                _units_of(session, models.UnitAgent, models.UnitAgent.agent_id, obj.agent_id)
            )
        elif isinstance(obj, models.Place):
            touched.update(_units_of(session, models.UnitPlace, models.UnitPlace.place_id, obj.id))
        elif isinstance(obj, models.Subject):
            touched.update(
                _units_of(session, models.UnitSubject, models.UnitSubject.subject_id, obj.id)
            )


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    # A change of parent is only visible before the flush.
    moved: set[int] = session.info.setdefault(_MOVED, set())
    for obj in session.dirty:
        if isinstance(obj, models.Unit) and inspect(obj).attrs.parent_id.history.has_changes():
            moved.add(obj.id)


def _before_commit(session: Session) -> None:
    session.flush()
    touched: set[int] = session.info.pop(_TOUCHED, set())
    moved: set[int] = session.info.pop(_MOVED, set())
    graded: set[int] = session.info.pop(_GRADED, set())
    folded: dict[int, FoldedText] = session.info.pop(_FOLDED, {})
    if not (touched or moved or graded):
        return
    connection = session.connection()
    if moved:
        refresh_roots(connection, moved)
    if graded:
        refresh_grades(connection, graded)
    if touched:
        index_units(connection, touched, folded)


def _after_rollback(session: Session, previous_transaction: Any) -> None:
    for key in (_TOUCHED, _MOVED, _GRADED, _FOLDED):
        session.info.pop(key, None)


def install(session_class: type[Session]) -> None:
    for name, handler in (
        ("before_flush", _before_flush),
        ("after_flush", _after_flush),
        ("before_commit", _before_commit),
        ("after_soft_rollback", _after_rollback),
    ):
        if not event.contains(session_class, name, handler):
            event.listen(session_class, name, handler)
