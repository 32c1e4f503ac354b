"""Authority records for persons, organisations and families, with their variant names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from catalog_app.domain.records import AgentName, AgentRecord
from catalog_app.domain.vocabulary import AgentKind, NameKind
from catalog_app.errors import ValidationError
from catalog_app.services.lookup import get_row
from catalog_app.storage import mappers, models

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue

_AGENT_FIELDS = frozenset(
    {"kind", "authorised_name", "dates_of_existence", "history", "notes", "sources"}
)


def _clean(changes: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - _AGENT_FIELDS
    if unknown:
        raise ValidationError(f"unknown agent field(s): {', '.join(sorted(unknown))}")
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        text = value.strip() if isinstance(value, str) else value
        if name == "authorised_name" and not text:
            raise ValidationError("an agent needs an authorised name")
        if name == "kind":
            kinds = [k.value for k in AgentKind]
            if not isinstance(text, str) or text.lower() not in kinds:
                raise ValidationError(
                    f"'{value}' is not an agent type: use one of {', '.join(kinds)}"
                )
            text = text.lower()
        cleaned[name] = text or None
    return cleaned


def _name_kind(kind: str) -> str:
    kinds = [k.value for k in NameKind]
    if kind not in kinds:
        raise ValidationError(f"'{kind}' is not a kind of name: use one of {', '.join(kinds)}")
    return kind


def _record(session: Session, agent_id: int) -> AgentRecord:
    session.flush()
    agent = session.scalar(
        select(models.Agent)
        .where(models.Agent.id == agent_id)
        .options(selectinload(models.Agent.names))
        .execution_options(populate_existing=True)
    )
    assert agent is not None
    return mappers.agent_record(agent)


class AgentService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue

    def create(
        self,
        authorised_name: str,
        *,
        kind: str = AgentKind.PERSON.value,
        names: Iterable[AgentName] = (),
        **fields: Any,
    ) -> AgentRecord:
        values = _clean({"authorised_name": authorised_name, "kind": kind, **fields})
        with self._cat.db.write(self._cat.actor) as session:
            agent = models.Agent(**values)
            session.add(agent)
            for name in names:
                self._add_name(agent, name)
            session.flush()
            return _record(session, agent.id)

    def update(self, agent_id: int, changes: Mapping[str, Any]) -> AgentRecord:
        values = _clean(changes)
        with self._cat.db.write(self._cat.actor) as session:
            agent = get_row(session, models.Agent, agent_id, "agent")
            for name, value in values.items():
                setattr(agent, name, value)
            return _record(session, agent_id)

    def add_name(self, agent_id: int, name: AgentName) -> AgentRecord:
        with self._cat.db.write(self._cat.actor) as session:
            agent = get_row(session, models.Agent, agent_id, "agent")
            self._add_name(agent, name)
            return _record(session, agent_id)

    def remove_name(self, agent_id: int, name: str) -> AgentRecord:
        with self._cat.db.write(self._cat.actor) as session:
            agent = get_row(session, models.Agent, agent_id, "agent")
            for row in list(agent.names):
                if row.name == name:
                    # An explicit delete, so the audit hook sees it before the flush.
                    agent.names.remove(row)
                    session.delete(row)
            return _record(session, agent_id)

    @staticmethod
    def _add_name(agent: models.Agent, name: AgentName) -> None:
        text = name.name.strip()
        if not text:
            raise ValidationError("a variant name cannot be empty")
        if text == agent.authorised_name or any(n.name == text for n in agent.names):
            return
        agent.names.append(
            models.AgentName(name=text, kind=_name_kind(name.kind), script=name.script)
        )

    def delete(self, agent_id: int) -> None:
        """Delete an agent that no record refers to."""
        with self._cat.db.write(self._cat.actor) as session:
            agent = get_row(session, models.Agent, agent_id, "agent")
            used = session.scalar(select(func.count()).where(models.UnitAgent.agent_id == agent_id))
            if used:
                raise ValidationError(
                    f"{agent.authorised_name} is named in {used} record(s); remove those links "
                    "first."
                )
            session.delete(agent)

    def get(self, agent_id: int) -> AgentRecord:
        with self._cat.db.read() as session:
            get_row(session, models.Agent, agent_id, "agent")
            return _record(session, agent_id)

    def find(self, text: str, *, limit: int = 20) -> list[AgentRecord]:
        """Agents whose authorised or variant name starts with `text` (case-insensitive)."""
        pattern = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self._cat.db.read() as session:
            variant_ids = select(models.AgentName.agent_id).where(
                models.AgentName.name.ilike(pattern, escape="\\")
            )
            query = (
                select(models.Agent)
                .where(
                    or_(
                        models.Agent.authorised_name.ilike(pattern, escape="\\"),
                        models.Agent.id.in_(variant_ids),
                    )
                )
                .options(selectinload(models.Agent.names))
                .order_by(models.Agent.authorised_name)
                .limit(limit)
            )
            return [mappers.agent_record(a) for a in session.scalars(query)]
