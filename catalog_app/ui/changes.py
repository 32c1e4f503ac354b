"""What a write changed, so that the window's views refresh from it (and say so)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    """The records a write changed, added or removed; whether the hierarchy changed shape
    (records added, removed or moved); the record to show next (`focus`, e.g. the parent of
    a record that is gone); and a few words for the status bar ("Saved", "3 records moved")."""

    changed: frozenset[int] = field(default_factory=frozenset)
    added: frozenset[int] = field(default_factory=frozenset)
    removed: frozenset[int] = field(default_factory=frozenset)
    structure: bool = False
    status: str = ""
    focus: int | None = None

    @classmethod
    def of(
        cls,
        status: str,
        *,
        changed: Iterable[int] = (),
        added: Iterable[int] = (),
        removed: Iterable[int] = (),
        structure: bool = False,
        focus: int | None = None,
    ) -> Changes:
        return cls(
            frozenset(changed),
            frozenset(added),
            frozenset(removed),
            structure or bool(added) or bool(removed),
            status,
            focus,
        )

    def saying(self, status: str) -> Changes:
        """The same changes with other words (an undo says "Undone: …")."""
        return Changes(self.changed, self.added, self.removed, self.structure, status, self.focus)


NOTHING = Changes()


def counted(count: int, word: str = "record") -> str:
    """'1 record', '3 records', '10,000 records'."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"
