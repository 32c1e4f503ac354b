"""Finding rows by what a person types, with one clear message when nothing is there."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog_app.errors import RecordNotFound
from catalog_app.storage import models

Row = TypeVar("Row", bound=models.Base)


# SQLite's integers are 64-bit: a larger number cannot be an id (and would not bind).
MAX_ROW_ID = 2**63 - 1


def get_row(session: Session, model: type[Row], row_id: int, what: str) -> Row:
    row = session.get(model, row_id) if 0 < row_id <= MAX_ROW_ID else None
    if row is None:
        raise RecordNotFound(f"There is no {what} with id {row_id}.")
    return row


def find_unit(session: Session, key: str) -> models.Unit:
    """A unit by reference code (any case), UUID, or numeric id, in that order."""
    text = key.strip()
    unit = session.scalar(select(models.Unit).where(models.Unit.reference_code == text))
    if unit is None and len(text) == 36:
        unit = session.scalar(select(models.Unit).where(models.Unit.uuid == text.lower()))
    if unit is None and text.isdigit() and int(text) <= MAX_ROW_ID:
        unit = session.get(models.Unit, int(text))
    if unit is None:
        raise RecordNotFound(f"No record has the id or reference code '{key}'.")
    return unit


def children_count(session: Session, unit_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(models.Unit).where(models.Unit.parent_id == unit_id)
        )
        or 0
    )
