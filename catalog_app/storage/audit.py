"""The audit trail: every change flushed through an ORM session becomes audit rows.

Hooking the session's flush, rather than asking each service to remember, means no service
can change data without leaving a trace. Rows are hash-chained: each row's hash covers its
content and the previous row's hash, so a deleted or edited row breaks the chain.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.orm import Session

from catalog_app.storage.models import (
    Agent,
    AgentName,
    Audited,
    AuditEntry,
    HasUuid,
    Setting,
    Unit,
    UnitAgent,
    UnitPlace,
    UnitSubject,
)
from catalog_app.storage.types import utcnow

GENESIS_HASH = "0" * 64
ACTOR_KEY = "actor"
REASON_KEY = "audit_reason"

# (action, table, row_uuid, field, old value, new value)
Change = tuple[str, str, str, str | None, str | None, str | None]


def logged_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _summary(value: Any) -> str | None:
    if value is None:
        return None
    raw = str(value).encode("utf-8")
    return f"<{len(str(value))} characters, sha256 {hashlib.sha256(raw).hexdigest()}>"


def _column_value(obj: Audited, key: str, value: Any) -> str | None:
    return _summary(value) if key in obj.__audit_summarise__ else logged_value(value)


def snapshot(values: Mapping[str, Any], summarise: frozenset[str] = frozenset()) -> str:
    """A row's values as one JSON text for the log (large columns by length and digest)."""
    shown = {
        key: _summary(value) if key in summarise else logged_value(value)
        for key, value in values.items()
        if key not in ("id", "version")
    }
    return json.dumps(shown, ensure_ascii=False, sort_keys=True)


def _snapshot(obj: Audited) -> str:
    state = inspect(obj)
    values = {attr.key: getattr(obj, attr.key) for attr in state.mapper.column_attrs}
    return snapshot(values, obj.__audit_summarise__)


# Rows that only say "this unit (or agent) has that term / name / setting" are logged against
# the record they belong to, as a field with a readable value.
def _unit(session: Session, obj: Any) -> Unit:
    unit: Unit | None = obj.unit or session.get(Unit, obj.unit_id)
    assert unit is not None
    return unit


def _agent(session: Session, obj: Any) -> Agent:
    agent: Agent | None = obj.agent or session.get(Agent, obj.agent_id)
    assert agent is not None
    return agent


def _link_unit_agent(session: Session, obj: Any) -> tuple[str, str, str]:
    agent = _agent(session, obj)
    return (
        _unit(session, obj).uuid,
        f"agent ({obj.role})",
        f"{agent.authorised_name} [{agent.uuid}]",
    )


def _link_unit_place(session: Session, obj: Any) -> tuple[str, str, str]:
    return _unit(session, obj).uuid, "place", f"{obj.place.name} [{obj.place.uuid}]"


def _link_unit_subject(session: Session, obj: Any) -> tuple[str, str, str]:
    return _unit(session, obj).uuid, "subject", f"{obj.subject.term} [{obj.subject.uuid}]"


def _link_agent_name(session: Session, obj: Any) -> tuple[str, str, str]:
    return _agent(session, obj).uuid, f"name ({obj.kind})", obj.name


def _link_setting(session: Session, obj: Any) -> tuple[str, str, str]:
    return "settings", obj.key, obj.value


_LINKS: dict[type, Callable[[Session, Any], tuple[str, str, str]]] = {
    UnitAgent: _link_unit_agent,
    UnitPlace: _link_unit_place,
    UnitSubject: _link_unit_subject,
    AgentName: _link_agent_name,
    Setting: _link_setting,
}


def _whole_row(session: Session, obj: Audited, table: str, *, added: bool) -> Change:
    """The change for a row coming or going: a link as a field of its owner, else a snapshot."""
    link = _LINKS.get(type(obj))
    if link is not None:
        row_uuid, field, value = link(session, obj)
        return (
            ("add", table, row_uuid, field, None, value)
            if added
            else ("remove", table, row_uuid, field, value, None)
        )
    assert isinstance(obj, HasUuid)
    snap = _snapshot(obj)
    return (
        ("create", table, obj.uuid, None, None, snap)
        if added
        else ("delete", table, obj.uuid, None, snap, None)
    )


def _field_changes(session: Session, obj: Audited, table: str) -> Iterator[Change]:
    link = _LINKS.get(type(obj))
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        if attr.key in obj.__audit_ignore__:
            continue
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if logged_value(old) == logged_value(new):
            continue
        if link is not None:
            row_uuid, field, _ = link(session, obj)
            field = f"{field}.{attr.key}"
        else:
            assert isinstance(obj, HasUuid)
            row_uuid, field = obj.uuid, attr.key
        yield (
            "update",
            table,
            row_uuid,
            field,
            _column_value(obj, attr.key, old),
            _column_value(obj, attr.key, new),
        )


def _changes(session: Session) -> Iterator[Change]:
    """(action, table, row_uuid, field, old, new) for everything about to be flushed."""
    for obj in list(session.new):
        if isinstance(obj, Audited):
            yield _whole_row(session, obj, _table(obj), added=True)
    for obj in list(session.dirty):
        if isinstance(obj, Audited) and session.is_modified(obj):
            yield from _field_changes(session, obj, _table(obj))
    for obj in list(session.deleted):
        if isinstance(obj, Audited):
            yield _whole_row(session, obj, _table(obj), added=False)


def _table(obj: Audited) -> str:
    return str(obj.__class__.__tablename__)  # type: ignore[attr-defined]


_HASHED = ("actor", "action", "table_name", "row_uuid", "field", "old_value", "new_value", "reason")


def chain_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    """The hash of an audit row's content (column values) chained onto the previous hash."""
    payload = [prev_hash, entry["at"].isoformat(), *(entry[key] for key in _HASHED)]
    encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def _apply_defaults(obj: Audited) -> None:
    """Fill Python-side column defaults now, so the audit snapshot shows the stored values."""
    for column in inspect(type(obj)).columns:
        default = column.default
        if default is None or column.key is None or getattr(obj, column.key) is not None:
            continue
        if default.is_scalar:
            setattr(obj, column.key, default.arg)
        elif default.is_callable:
            setattr(obj, column.key, default.arg(None))


def _stamp_updates(session: Session, actor: str) -> None:
    now = utcnow()
    for obj in session.dirty:
        if isinstance(obj, Unit | Agent) and session.is_modified(obj):
            obj.updated_at = now
            if isinstance(obj, Unit):
                obj.updated_by = actor


def last_hash(session: Session) -> str:
    with session.no_autoflush:
        prev = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return prev or GENESIS_HASH


def chained_rows(
    session: Session, changes: Iterable[Change], actor: str, reason: str | None
) -> list[dict[str, Any]]:
    """Audit rows (as column values) for `changes`, hash-chained onto the log's last row.

    Call inside the write transaction that makes the changes: it holds the write lock, so
    no other writer can add to the chain in between.
    """
    prev = last_hash(session)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    changes = list(changes)
    _advance_anchor(session, len(changes))
    for action, table, row_uuid, field, old, new in changes:
        row = {
            "at": now,
            "actor": actor,
            "action": action,
            "table_name": table,
            "row_uuid": row_uuid,
            "field": field,
            "old_value": old,
            "new_value": new,
            "reason": reason,
            "prev_hash": prev,
        }
        row["hash"] = prev = chain_hash(prev, row)
        rows.append(row)
    return rows


def _advance_anchor(session: Session, added: int) -> None:
    """Count the rows the log will hold in the file's header (PRAGMA user_version).

    The hash chain shows a row edited or removed from the middle, but not rows cut off its
    end: the count, written in the same transaction as the rows, does. A catalogue from
    before the count was kept starts it from the rows it holds.
    """
    if not added:
        return
    held = int(session.execute(text("PRAGMA user_version")).scalar() or 0)
    if not held:
        held = int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
    session.execute(text(f"PRAGMA user_version = {held + added:d}"))


def anchor_problem(session: Session) -> str | None:
    """What the count in the file's header says is wrong with the log, if anything."""
    kept = int(session.execute(text("PRAGMA user_version")).scalar() or 0)
    if not kept:
        return None  # never counted yet (no change since the count was introduced)
    held = int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
    if held == kept:
        return None
    if held < kept:
        return (
            f"the audit log was altered: it holds {held:,} row(s) where {kept:,} were written "
            "(the newest were removed)"
        )
    return f"the audit log was altered: it holds {held:,} row(s) where {kept:,} were written"


def session_actor(session: Session) -> tuple[str, str | None]:
    actor = session.info.get(ACTOR_KEY)
    if not actor:
        raise RuntimeError("a change was made without an actor: use the service layer")
    return str(actor), session.info.get(REASON_KEY)


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    if not any(isinstance(o, Audited) for o in (*session.new, *session.dirty, *session.deleted)):
        return
    actor, reason = session_actor(session)
    with session.no_autoflush:
        for obj in session.new:
            if isinstance(obj, Audited):
                _apply_defaults(obj)
        _stamp_updates(session, actor)
        changes = list(_changes(session))
    if changes:
        session.add_all(AuditEntry(**row) for row in chained_rows(session, changes, actor, reason))


def install(session_class: type[Session]) -> None:
    """Attach the audit hook to sessions of this class (idempotent)."""
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)


def verify_chain(session: Session) -> list[int]:
    """Ids of audit rows whose hash does not follow from their content and predecessor."""
    broken: list[int] = []
    prev = GENESIS_HASH
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(2000):
        content = {key: getattr(entry, key) for key in ("at", *_HASHED)}
        if entry.prev_hash != prev or chain_hash(prev, content) != entry.hash:
            broken.append(entry.id)
        prev = entry.hash
    return broken
