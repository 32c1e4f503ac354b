"""Which record a person means by what they type: its reference code, UUID or numeric id.

On a driver connection, so that a search's `in:` filter finds its collection without the
ORM; `catalog_app.services.lookup.find_unit` gives the same record as a model row.
"""

from __future__ import annotations

from catalog_app.errors import RecordNotFound
from catalog_app.storage import driver

# SQLite's integers are 64-bit: a larger number cannot be an id (and would not bind).
MAX_ROW_ID = 2**63 - 1


def find_unit_id(connection: driver.Connection, key: str) -> int:
    """A unit's id by reference code (any case), UUID, or numeric id, in that order."""
    text = key.strip()
    row = connection.execute("SELECT id FROM units WHERE reference_code = ?", (text,)).fetchone()
    if row is None and len(text) == 36:
        row = connection.execute("SELECT id FROM units WHERE uuid = ?", (text.lower(),)).fetchone()
    if row is None and text.isdigit() and int(text) <= MAX_ROW_ID:
        row = connection.execute("SELECT id FROM units WHERE id = ?", (int(text),)).fetchone()
    if row is None:
        raise RecordNotFound(f"No record has the id or reference code '{key}'.")
    return int(row[0])
