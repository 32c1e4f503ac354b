"""Finding rows by what a person types, with one clear message when nothing is there."""

from __future__ import annotations

from typing import TypeVar, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog_app.errors import RecordNotFound
from catalog_app.services.unit_key import MAX_ROW_ID as MAX_ROW_ID
from catalog_app.services.unit_key import find_unit_id
from catalog_app.storage import driver, models

Row = TypeVar("Row", bound=models.Base)


def get_row(session: Session, model: type[Row], row_id: int, what: str) -> Row:
    row = session.get(model, row_id) if 0 < row_id <= MAX_ROW_ID else None
    if row is None:
        raise RecordNotFound(f"There is no {what} with id {row_id}.")
    return row


def find_unit(session: Session, key: str) -> models.Unit:
    """A unit by reference code (any case), UUID, or numeric id, in that order (the rule of
    `find_unit_id`)."""
    if session.autoflush:
        session.flush()  # what the session holds unwritten is found too, as by a query
    connection = cast(driver.Connection, session.connection().connection.driver_connection)
    unit = session.get(models.Unit, find_unit_id(connection, key))
    if unit is None:  # deleted in this session
        raise RecordNotFound(f"No record has the id or reference code '{key}'.")
    return unit


def children_count(session: Session, unit_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(models.Unit).where(models.Unit.parent_id == unit_id)
        )
        or 0
    )
