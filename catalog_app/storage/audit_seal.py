"""The seal: the audit chain's head written down outside the file.

Whoever holds the file can recompute a plain chain, or cut rows off its end and fix the count.
A seal (the number of rows and the start of the newest row's hash, in a form a person can copy
onto paper) or a backup made earlier pins the chain as it was then: the chain of the catalogue
must still pass through that row with that hash.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from catalog_app.errors import CatalogError
from catalog_app.storage.audit import GENESIS_HASH

HEAD_DIGITS = 16  # of the head hash: 64 bits, four groups of four
_GROUP = 4
_CHECK_DIGITS = 4
_CODE = re.compile(r"^\s*([\d,.\s]+?)\s*[:/]\s*([0-9a-fA-F\s-]+?)\s*$")


class SealMistyped(CatalogError):
    """A seal that is not one this program writes, or one with a typing mistake in it."""


def _check(rows: int, head: str) -> str:
    return hashlib.sha256(f"{rows}:{head}".encode()).hexdigest()[:_CHECK_DIGITS]


@dataclass(frozen=True)
class Seal:
    """A chain's length and the first HEAD_DIGITS hex digits of its newest row's hash."""

    rows: int
    head: str

    @property
    def code(self) -> str:
        """e.g. 1532:9f3a-0c2e-77d1-b4e0-5d1c (the last group is a check on the others)."""
        digits = self.head[:HEAD_DIGITS] + _check(self.rows, self.head[:HEAD_DIGITS])
        groups = (digits[i : i + _GROUP] for i in range(0, len(digits), _GROUP))
        return f"{self.rows}:{'-'.join(groups)}"

    @classmethod
    def parse(cls, code: str) -> Seal:
        """Read a seal as a person may have copied it (spaces, capitals, 1,532)."""
        found = _CODE.match(code)
        digits = re.sub(r"[\s-]", "", found.group(2)).lower() if found else ""
        if not found or len(digits) != HEAD_DIGITS + _CHECK_DIGITS:
            raise SealMistyped(
                f"'{code.strip()}' is not a catalogue seal: one looks like "
                "1532:9f3a-0c2e-77d1-b4e0-5d1c (as catalog seal prints it)."
            )
        rows = int(re.sub(r"[,.\s]", "", found.group(1)))
        head, check = digits[:HEAD_DIGITS], digits[HEAD_DIGITS:]
        if _check(rows, head) != check:
            raise SealMistyped(
                f"The seal '{code.strip()}' has a typing mistake in it (its last group does not "
                "match the others); copy it again from where it was noted."
            )
        return cls(rows, head)


# Each takes a SQLAlchemy connection to the open catalogue or a DB-API connection to a backup's
# copy of it (opened by the caller, who knows its key).
Database = Connection | Any


def _query(connection: Database, sql: str, *params: Any) -> Any:
    if isinstance(connection, Connection):
        return connection.exec_driver_sql(sql, params)
    return connection.execute(sql, params)


def _count(connection: Database) -> int:
    return int(_query(connection, "SELECT count(*) FROM audit_log").fetchone()[0] or 0)


def chain_head(connection: Database) -> tuple[int, str]:
    """How many rows the log holds and the full hash of the newest (genesis when empty)."""
    newest = _query(connection, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return _count(connection), str(newest[0]) if newest else GENESIS_HASH


def seal_of(connection: Database) -> Seal:
    rows, head = chain_head(connection)
    return Seal(rows, head[:HEAD_DIGITS])


def seal_problem(connection: Database, seal: Seal, what: str) -> str | None:
    """Whether the log no longer passes through the sealed row; `what` names the seal."""
    rows = _count(connection)
    if rows < seal.rows:
        return (
            f"the audit log holds {rows:,} row(s), fewer than the {seal.rows:,} {what} records: "
            "rows were removed"
        )
    if seal.rows == 0:
        return None
    sealed = _query(
        connection, "SELECT hash FROM audit_log ORDER BY id LIMIT 1 OFFSET ?", seal.rows - 1
    ).fetchone()
    if not str(sealed[0] if sealed else "").startswith(seal.head):
        return (
            f"the audit log does not extend the one {what} records: its history up to row "
            f"{seal.rows:,} was rewritten (or {what} belongs to another catalogue)"
        )
    return None


def chain_hashes(connection: Database) -> Iterator[str]:
    """Every row's hash, oldest first, streamed."""
    for (row_hash,) in _query(connection, "SELECT hash FROM audit_log ORDER BY id"):
        yield str(row_hash)


def prefix_problem(ours: Iterable[str], earlier: Iterable[str], what: str) -> str | None:
    """Whether the chain `ours` fails to start with the chain `earlier` (from a backup)."""
    mine, before = iter(ours), iter(earlier)
    for position, theirs in enumerate(before, start=1):
        current = next(mine, None)
        if current is None:
            held = position + sum(1 for _ in before)
            return (
                f"the audit log holds {position - 1:,} row(s), fewer than the {held:,} in "
                f"{what}: rows were removed"
            )
        if current != theirs:
            return (
                f"the audit log does not extend the one in {what}: row {position:,} differs, "
                "so its history was rewritten"
            )
    return None
