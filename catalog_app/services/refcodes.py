"""Generated reference codes: PREFIX-0001 at the top, PARENT/0001 below it.

Codes come from counters that only go up, so a code freed by a deletion is never handed out
again (finding aids and labels printed earlier keep pointing at one record only).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog_app.storage import models
from catalog_app.storage.migrate import DEFAULT_REFERENCE_PREFIX

PREFIX_SETTING = "reference_code_prefix"


def reference_code_taken(session: Session, code: str, except_id: int | None = None) -> bool:
    query = select(models.Unit.id).where(models.Unit.reference_code == code)
    if except_id is not None:
        query = query.where(models.Unit.id != except_id)
    return session.scalar(query.limit(1)) is not None


def next_reference_codes(session: Session, parent: models.Unit | None, count: int) -> list[str]:
    """`count` fresh codes for new records under `parent` (None: the top level)."""
    if parent is None:
        setting = session.get(models.Setting, PREFIX_SETTING)
        scope, base = "top", f"{setting.value if setting else DEFAULT_REFERENCE_PREFIX}-"
    else:
        scope, base = f"children:{parent.uuid}", f"{parent.reference_code}/"
    counter = session.get(models.Sequence, scope)
    if counter is None:
        counter = models.Sequence(name=scope, value=0)
        session.add(counter)
    codes: list[str] = []
    while len(codes) < count:
        wanted = count - len(codes)
        candidates = [f"{base}{counter.value + i:04d}" for i in range(1, wanted + 1)]
        counter.value += wanted
        taken = set(
            session.scalars(
                select(models.Unit.reference_code).where(models.Unit.reference_code.in_(candidates))
            )
        )
        taken_folded = {code.casefold() for code in taken}
        codes += [c for c in candidates if c.casefold() not in taken_folded]
    return codes


def next_reference_code(session: Session, parent: models.Unit | None) -> str:
    return next_reference_codes(session, parent, 1)[0]
