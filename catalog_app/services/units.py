"""Describing units: create, edit, arrange, withdraw and delete, and their access points."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.strategy_options import _AbstractLoad

from catalog_app.domain.records import UNIT_EDITABLE_FIELDS, UnitDetail, UnitSummary
from catalog_app.domain.unit_rules import clean_unit_fields
from catalog_app.domain.vocabulary import AgentRole, Level, TitleSource
from catalog_app.errors import ConflictError, ValidationError
from catalog_app.services.lookup import children_count, find_unit, get_row
from catalog_app.services.refcodes import next_reference_code, reference_code_taken
from catalog_app.storage import mappers, models
from catalog_app.storage.types import utcnow

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue


def detail_loads() -> tuple[_AbstractLoad, ...]:
    return (
        selectinload(models.Unit.parent),
        selectinload(models.Unit.files),
        selectinload(models.Unit.agent_links).selectinload(models.UnitAgent.agent),
        selectinload(models.Unit.place_links).selectinload(models.UnitPlace.place),
        selectinload(models.Unit.subject_links).selectinload(models.UnitSubject.subject),
        selectinload(models.Unit.events),
        selectinload(models.Unit.assessments),
        selectinload(models.Unit.relations_out).selectinload(models.Relation.to_unit),
        selectinload(models.Unit.relations_in).selectinload(models.Relation.from_unit),
    )


def _detail(session: Session, unit_id: int) -> UnitDetail:
    session.flush()
    unit = session.scalar(
        select(models.Unit)
        .where(models.Unit.id == unit_id)
        .options(*detail_loads())
        .execution_options(populate_existing=True)
    )
    assert unit is not None
    return mappers.unit_detail(unit, children_count(session, unit_id))


def _check_reference_code(session: Session, code: str, unit_id: int | None) -> None:
    if reference_code_taken(session, code, except_id=unit_id):
        raise ValidationError(f"The reference code '{code}' is already used by another record.")


class UnitService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue

    # -- reading ----------------------------------------------------------------------------

    def get(self, unit_id: int) -> UnitDetail:
        with self._cat.db.read() as session:
            get_row(session, models.Unit, unit_id, "record")
            return _detail(session, unit_id)

    def find(self, key: str) -> UnitDetail:
        """A record by reference code, UUID or id, as a person would type it."""
        with self._cat.db.read() as session:
            return _detail(session, find_unit(session, key).id)

    def children(self, parent_id: int | None) -> list[UnitSummary]:
        """The records directly below `parent_id` (None: the top level), in order."""
        child = aliased(models.Unit)
        below = (
            select(func.count())
            .where(child.parent_id == models.Unit.id)
            .correlate(models.Unit)
            .scalar_subquery()
        )
        where = (
            models.Unit.parent_id.is_(None)
            if parent_id is None
            else models.Unit.parent_id == parent_id
        )
        query = (
            select(models.Unit, below).where(where).order_by(models.Unit.position, models.Unit.id)
        )
        with self._cat.db.read() as session:
            return [mappers.unit_summary(unit, count) for unit, count in session.execute(query)]

    # -- describing -------------------------------------------------------------------------

    def create(
        self,
        fields: Mapping[str, Any],
        *,
        parent_id: int | None = None,
        reason: str | None = None,
    ) -> UnitDetail:
        """A new record under `parent_id`. Its reference code is generated unless given."""
        values = clean_unit_fields({"level": Level.ITEM.value, **fields})
        if "title" not in values:
            raise ValidationError("title cannot be empty")
        with self._cat.db.write(self._cat.actor, reason) as session:
            parent = (
                get_row(session, models.Unit, parent_id, "parent record") if parent_id else None
            )
            code = values.pop("reference_code", None)
            if code:
                _check_reference_code(session, code, None)
            else:
                code = next_reference_code(session, parent)
            position = session.scalar(
                select(func.coalesce(func.max(models.Unit.position), 0) + 1).where(
                    models.Unit.parent_id == parent_id
                    if parent_id
                    else models.Unit.parent_id.is_(None)
                )
            )
            unit = models.Unit(
                parent_id=parent_id if parent else None,
                reference_code=code,
                position=position,
                created_by=self._cat.actor,
                updated_by=self._cat.actor,
                **values,
            )
            session.add(unit)
            session.flush()
            return _detail(session, unit.id)

    def update(
        self,
        unit_id: int,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> UnitDetail:
        """Change description fields. With `expected_version`, refuse if someone else saved
        the record since it was read (the window shows their change instead of losing it)."""
        values = clean_unit_fields(changes)
        try:
            with self._cat.db.write(self._cat.actor, reason) as session:
                unit = get_row(session, models.Unit, unit_id, "record")
                if expected_version is not None and unit.version != expected_version:
                    raise ConflictError(
                        f"{unit.reference_code} was changed elsewhere since you opened it; "
                        "reload it to see the change."
                    )
                if "reference_code" in values:
                    _check_reference_code(session, values["reference_code"], unit_id)
                for name, value in values.items():
                    setattr(unit, name, value)
                _mark_typed(unit, set(changes))
                return _detail(session, unit_id)
        except StaleDataError as exc:
            raise ConflictError(
                "The record was changed elsewhere while saving; reload it and try again."
            ) from exc

    def move(
        self, unit_id: int, new_parent_id: int | None, *, position: int | None = None
    ) -> UnitDetail:
        """Put a record (with everything below it) under another parent, or at the top."""
        with self._cat.db.write(self._cat.actor) as session:
            unit = get_row(session, models.Unit, unit_id, "record")
            ancestor = (
                get_row(session, models.Unit, new_parent_id, "parent record")
                if new_parent_id
                else None
            )
            while ancestor is not None:
                if ancestor.id == unit.id:
                    raise ValidationError(
                        f"{unit.reference_code} cannot go inside itself or one of its own parts."
                    )
                ancestor = ancestor.parent
            siblings = list(
                session.scalars(
                    select(models.Unit)
                    .where(
                        models.Unit.parent_id == new_parent_id
                        if new_parent_id
                        else models.Unit.parent_id.is_(None),
                        models.Unit.id != unit_id,
                    )
                    .order_by(models.Unit.position, models.Unit.id)
                )
            )
            index = len(siblings) if position is None else max(0, min(position, len(siblings)))
            siblings.insert(index, unit)
            unit.parent_id = new_parent_id
            for number, sibling in enumerate(siblings, start=1):
                if sibling.position != number:
                    sibling.position = number
            return _detail(session, unit_id)

    def create_like(self, unit_id: int) -> UnitDetail:
        """A new record beside `unit_id` with a copy of its description and access points
        (not its originals, custody or assessments), for cataloguing a series quickly."""
        with self._cat.db.write(self._cat.actor, "new record like " + str(unit_id)) as session:
            source = get_row(session, models.Unit, unit_id, "record")
            values = {name: getattr(source, name) for name in UNIT_EDITABLE_FIELDS}
            values.pop("reference_code")
            position = session.scalar(
                select(func.coalesce(func.max(models.Unit.position), 0) + 1).where(
                    models.Unit.parent_id == source.parent_id
                    if source.parent_id
                    else models.Unit.parent_id.is_(None)
                )
            )
            unit = models.Unit(
                parent_id=source.parent_id,
                reference_code=next_reference_code(session, source.parent),
                position=position,
                created_by=self._cat.actor,
                updated_by=self._cat.actor,
                **values,
            )
            session.add(unit)
            session.flush()
            for agent in source.agent_links:
                session.add(models.UnitAgent(unit_id=unit.id, agent=agent.agent, role=agent.role))
            for place in source.place_links:
                session.add(models.UnitPlace(unit_id=unit.id, place=place.place))
            for subject in source.subject_links:
                session.add(models.UnitSubject(unit_id=unit.id, subject=subject.subject))
            session.flush()
            return _detail(session, unit.id)

    def set_withdrawn(
        self, unit_ids: Sequence[int], withdrawn: bool, reason: str | None = None
    ) -> list[int]:
        """Withdraw (or reinstate) several records in one change; returns the ids of those
        whose state changed (the others already were as asked)."""
        changed = []
        with self._cat.db.write(self._cat.actor, reason) as session:
            for unit_id in unit_ids:
                unit = get_row(session, models.Unit, unit_id, "record")
                if (unit.withdrawn_at is not None) != withdrawn:
                    unit.withdrawn_at = utcnow() if withdrawn else None
                    changed.append(unit_id)
        return changed

    def withdraw(self, unit_id: int, reason: str | None = None) -> UnitDetail:
        """Mark a record as withdrawn: hidden from finding aids, kept with its history."""
        with self._cat.db.write(self._cat.actor, reason) as session:
            unit = get_row(session, models.Unit, unit_id, "record")
            unit.withdrawn_at = unit.withdrawn_at or utcnow()
            return _detail(session, unit_id)

    def reinstate(self, unit_id: int) -> UnitDetail:
        with self._cat.db.write(self._cat.actor) as session:
            unit = get_row(session, models.Unit, unit_id, "record")
            unit.withdrawn_at = None
            return _detail(session, unit_id)

    def delete(self, unit_id: int, *, recursive: bool = False, reason: str | None = None) -> int:
        """Delete a record for good (its audit trail stays). Returns how many were deleted."""
        with self._cat.db.write(self._cat.actor, reason) as session:
            unit = get_row(session, models.Unit, unit_id, "record")
            below = children_count(session, unit_id)
            if below and not recursive:
                raise ValidationError(
                    f"{unit.reference_code} has {below} record(s) below it: move or delete "
                    "them first, or delete everything below it too."
                )
            deleted = _count_subtree(unit)
            session.delete(unit)
            return deleted

    # -- access points ----------------------------------------------------------------------

    def link_agent(self, unit_id: int, agent_id: int, role: str) -> UnitDetail:
        if role not in {r.value for r in AgentRole}:
            raise ValidationError(
                f"'{role}' is not a role: use one of {', '.join(r.value for r in AgentRole)}"
            )
        with self._cat.db.write(self._cat.actor) as session:
            get_row(session, models.Unit, unit_id, "record")
            get_row(session, models.Agent, agent_id, "agent")
            exists = session.scalar(
                select(models.UnitAgent.id).where(
                    models.UnitAgent.unit_id == unit_id,
                    models.UnitAgent.agent_id == agent_id,
                    models.UnitAgent.role == role,
                )
            )
            if exists is None:
                session.add(models.UnitAgent(unit_id=unit_id, agent_id=agent_id, role=role))
            return _detail(session, unit_id)

    def unlink_agent(self, unit_id: int, agent_id: int, role: str) -> UnitDetail:
        with self._cat.db.write(self._cat.actor) as session:
            link = session.scalar(
                select(models.UnitAgent).where(
                    models.UnitAgent.unit_id == unit_id,
                    models.UnitAgent.agent_id == agent_id,
                    models.UnitAgent.role == role,
                )
            )
            if link is not None:
                session.delete(link)
            return _detail(session, unit_id)

    def link_place(self, unit_id: int, place_id: int) -> UnitDetail:
        return self._link_term(unit_id, models.UnitPlace, "place_id", place_id, models.Place)

    def unlink_place(self, unit_id: int, place_id: int) -> UnitDetail:
        return self._unlink_term(unit_id, models.UnitPlace, "place_id", place_id)

    def link_subject(self, unit_id: int, subject_id: int) -> UnitDetail:
        return self._link_term(
            unit_id, models.UnitSubject, "subject_id", subject_id, models.Subject
        )

    def unlink_subject(self, unit_id: int, subject_id: int) -> UnitDetail:
        return self._unlink_term(unit_id, models.UnitSubject, "subject_id", subject_id)

    def _link_term(
        self,
        unit_id: int,
        link_model: type[models.UnitPlace | models.UnitSubject],
        column: str,
        term_id: int,
        term_model: type[models.Place | models.Subject],
    ) -> UnitDetail:
        with self._cat.db.write(self._cat.actor) as session:
            get_row(session, models.Unit, unit_id, "record")
            term = get_row(session, term_model, term_id, term_model.__tablename__[:-1])
            if session.get(link_model, (unit_id, term_id)) is None:
                link = link_model(unit_id=unit_id, **{column: term_id})
                # The audit row names the term, so give the link its term before the flush.
                setattr(link, column.removesuffix("_id"), term)
                session.add(link)
            return _detail(session, unit_id)

    def _unlink_term(
        self,
        unit_id: int,
        link_model: type[models.UnitPlace | models.UnitSubject],
        column: str,
        term_id: int,
    ) -> UnitDetail:
        with self._cat.db.write(self._cat.actor) as session:
            link = session.get(link_model, (unit_id, term_id))
            if link is not None:
                session.delete(link)
            return _detail(session, unit_id)


def _mark_typed(unit: models.Unit, fields: set[str]) -> None:
    """A field a person has set is no longer a harvested value."""
    if "title" in fields and "title_source" not in fields:
        unit.title_source = TitleSource.TYPED.value
    remaining = [name for name in unit.harvested or [] if name not in fields]
    if remaining != list(unit.harvested or []):
        unit.harvested = remaining


def _count_subtree(unit: models.Unit) -> int:
    return 1 + sum(_count_subtree(child) for child in unit.children)
