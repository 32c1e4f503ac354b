"""A guard for GUI tests: which SQL statements ran on the GUI thread while a person acted.

It listens on every SQLAlchemy engine (the catalogue the window opened itself too), so a
write that bypasses the operations lane is seen wherever it comes from. Statements SQLite
runs for itself (triggers) and writes through a raw driver connection are not seen.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@dataclass
class Statements:
    """What ran while the guard was on, by where it ran."""

    on_gui_thread: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)

    @property
    def writes_on_gui_thread(self) -> list[str]:
        return [s for s in self.on_gui_thread if WRITE.match(s)]

    @property
    def writes_elsewhere(self) -> list[str]:
        return [s for s in self.elsewhere if WRITE.match(s)]


@contextmanager
def statements_by_thread() -> Iterator[Statements]:
    """Note each statement any engine runs inside the block, and on which thread."""
    seen = Statements()

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        on_gui = threading.current_thread() is threading.main_thread()
        (seen.on_gui_thread if on_gui else seen.elsewhere).append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", note)


@contextmanager
def no_writes_on_gui_thread() -> Iterator[Statements]:
    """Fail if a statement that changes the catalogue runs on the GUI thread in the block."""
    with statements_by_thread() as seen:
        yield seen
    assert seen.writes_on_gui_thread == [], "written on the GUI thread"
