"""The audit trail: every change flushed through an ORM session becomes audit rows.

Hooking the session's flush, rather than asking each service to remember, means no service
can change data without leaving a trace. Rows are hash-chained: each row's hash covers its
content and the previous row's hash, so a deleted or edited row breaks the chain. In an
encrypted catalogue the chain is keyed (HMAC-SHA256 with a secret derived from the
passphrase), so that someone with the file but not the passphrase cannot recompute it.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, event, func, inspect, select, text
from sqlalchemy.orm import Session

from catalog_app.errors import CatalogError
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
CHAIN_KEY = "audit_chain_key"  # session.info: the HMAC key of the chain, None when unkeyed

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


def summary(value: Any) -> str | None:
    """A large value as the log records it: its length and SHA-256."""
    if value is None:
        return None
    raw = str(value).encode("utf-8")
    return f"<{len(str(value))} characters, sha256 {hashlib.sha256(raw).hexdigest()}>"


def _column_value(obj: Audited, key: str, value: Any) -> str | None:
    return summary(value) if key in obj.__audit_summarise__ else logged_value(value)


def snapshot(values: Mapping[str, Any], summarise: frozenset[str] = frozenset()) -> str:
    """A row's values as one JSON text for the log (large columns by length and digest)."""
    shown = {
        key: summary(value) if key in summarise else logged_value(value)
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


def chain_hash(prev_hash: str, entry: Mapping[str, Any], chain_key: bytes | None = None) -> str:
    """The hash of an audit row's content (column values) chained onto the previous hash:
    SHA-256, or HMAC-SHA256 under `chain_key` in an encrypted catalogue."""
    payload = [prev_hash, entry["at"].isoformat(), *(entry[key] for key in _HASHED)]
    encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if chain_key is None:
        return hashlib.sha256(encoded).hexdigest()
    return hmac.new(chain_key, encoded, hashlib.sha256).hexdigest()


def session_chain_key(session: Session) -> bytes | None:
    key = session.info.get(CHAIN_KEY)
    return key if isinstance(key, bytes) else None


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
    chain_key = session_chain_key(session)
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
        row["hash"] = prev = chain_hash(prev, row, chain_key)
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


class AuditChainBroken(CatalogError):
    """The audit log does not follow from its own content under the key it was checked with."""


_ENTRY_COLUMNS = ("id", "at", *_HASHED, "prev_hash", "hash")


def _content(row: Any) -> dict[str, Any]:
    return {"at": row.at, **{key: getattr(row, key) for key in _HASHED}}


def _entries(connection: Connection, after: int = 0, limit: int | None = None) -> Any:
    """Audit rows (the hashed columns, prev_hash and hash) in order, from after `after`."""
    table = AuditEntry.__table__
    query = (
        select(*(table.c[name] for name in _ENTRY_COLUMNS))
        .where(table.c.id > after)
        .order_by(table.c.id)
        .limit(limit)
    )
    return connection.execute(query.execution_options(yield_per=5000))


def broken_rows(connection: Connection, chain_key: bytes | None) -> list[int]:
    """Ids of audit rows whose hash does not follow from their content and predecessor."""
    broken: list[int] = []
    prev = GENESIS_HASH
    for row in _entries(connection):
        if row.prev_hash != prev or chain_hash(prev, _content(row), chain_key) != row.hash:
            broken.append(row.id)
        prev = row.hash
    return broken


def verify_chain(session: Session) -> list[int]:
    """Ids of audit rows that break the chain, under the session's chain key."""
    return broken_rows(session.connection(), session_chain_key(session))


_NO_UPDATE_TRIGGER = "audit_log_no_update"
_RECHAIN_BATCH = 5000


def rechain(
    connection: Connection, chain_key: bytes | None, *, current_key: bytes | None = None
) -> None:
    """Rewrite every row hash of the log under `chain_key` (None: plain SHA-256), after
    proving the chain intact under `current_key`, the key it was written with.

    Run inside the transaction that encrypts or decrypts the catalogue: a chain that was
    broken before is refused (AuditChainBroken) rather than laundered into a valid one.
    """
    broken = broken_rows(connection, current_key)
    if broken:
        raise AuditChainBroken(
            f"The audit log was altered ({len(broken):,} row(s) do not match the hash chain, "
            f"first at id {broken[0]}), so it was not re-keyed; run catalog check."
        )
    trigger = connection.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": _NO_UPDATE_TRIGGER},
    ).scalar()
    if trigger:
        connection.execute(text(f"DROP TRIGGER {_NO_UPDATE_TRIGGER}"))
    prev, after = GENESIS_HASH, 0
    while rows := list(_entries(connection, after, _RECHAIN_BATCH)):
        updates: list[dict[str, Any]] = []
        for row in rows:
            new_hash = chain_hash(prev, _content(row), chain_key)
            updates.append({"id": row.id, "prev": prev, "hash": new_hash})
            prev = new_hash
        after = rows[-1].id
        connection.execute(
            text("UPDATE audit_log SET prev_hash = :prev, hash = :hash WHERE id = :id"), updates
        )
    if trigger:
        connection.execute(text(str(trigger)))
