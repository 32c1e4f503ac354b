"""Internal details: what a catalogue records about the computer, the account and the folders
its material came through. They are part of the chain of custody and stay in the catalogue,
but every export leaves them out unless the archivist includes them on purpose (the same
kind of choice as including restricted records):

- local paths: the folder and path a file was imported from (`original_path`), also where
  the program wrote it into an event's note ("Imported from ...": the file's name stays),
  and a source address on this or another computer (`file:...`, as a page saved from a
  disk names itself);
- host names: the place of the events the program records itself (import, fixity check,
  transfer), and any place that is this computer's name;
- login names: any recorded person name that is this computer's login name (what older
  versions recorded when no name was given) becomes UNNAMED.

The rules work on a row's values by column name, so that the records an export writes and
the audit rows that describe them (whole-row snapshots) are cleaned the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from catalog_app import APP_NAME
from catalog_app.domain.records import AuditRecord, UnitDetail
from catalog_app.services.identity import UNNAMED, host_name, login_name

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    Part = TypeVar("Part", bound=DataclassInstance)

# Columns that hold the name of the person who did or recorded something.
PERSON_FIELDS = frozenset(
    {"actor", "agent", "assessor", "recorded_by", "created_by", "updated_by", "added_by"}
)
PATH_FIELDS = frozenset({"original_path"})
ADDRESS_FIELDS = frozenset({"source_url"})  # of a record and of its events
# The tool of the events the program records itself ("catalog-app 1.4", "... verify, run 3").
PROGRAM_TOOL = APP_NAME + " "
_IMPORTED_FROM = re.compile(r"^Imported from (?P<path>.+?); (?=[\d,]+ bytes; )")
_MEMO_LIMIT = 4096  # distinct values whose answer is remembered
_SEPARATORS = re.compile(r"[\\/]")
_LOCAL_ADDRESS = re.compile(r"^\s*file:", re.IGNORECASE)


RowCleaner = Callable[[Sequence[Any], Iterable[str]], tuple[Any, ...]]


@dataclass(frozen=True)
class _Layout:
    """Where in a row of given columns each rule applies (indexes into the row)."""

    persons: tuple[int, ...]
    paths: tuple[int, ...]
    addresses: tuple[int, ...]
    place: int | None
    tool: int | None
    note: int | None


@cache
def _layout(names: tuple[str, ...]) -> _Layout:
    def indexes(kind: frozenset[str]) -> tuple[int, ...]:
        return tuple(n for n, name in enumerate(names) if name in kind)

    def index(name: str) -> int | None:
        return names.index(name) if name in names else None

    return _Layout(
        indexes(PERSON_FIELDS),
        indexes(PATH_FIELDS),
        indexes(ADDRESS_FIELDS),
        index("place"),
        index("tool"),
        index("note"),
    )


def _file_name(path: str) -> str:
    """The last part of a path as recorded on any system ("C:\\a\\b.pdf" -> "b.pdf")."""
    return _SEPARATORS.split(path.rstrip("\\/"))[-1] or path


@dataclass(frozen=True)
class InternalDetails:
    """The rules for leaving internal details out, with the names that count as this
    computer's (its login and host names, compared without regard to case)."""

    names: frozenset[str]
    # Whether a value is one of `names`, remembered (an export asks of the same few people
    # and places again and again).
    _seen: dict[str, bool] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def of_this_computer(cls) -> InternalDetails:
        names: set[str] = set()
        for name in (login_name(), host_name()):
            if name:
                names.add(name.casefold())
                names.add(name.split(".", 1)[0].casefold())  # "laptop" of "laptop.local"
        return cls(frozenset(names))

    def is_computer_name(self, value: str) -> bool:
        seen = self._seen
        known = seen.get(value)
        if known is None:
            if len(seen) >= _MEMO_LIMIT:
                seen.clear()
            known = seen[value] = value.strip().casefold() in self.names
        return known

    @staticmethod
    def address(value: str | None) -> str | None:
        """A source address, or None if it names a file on a computer (a local path)."""
        return None if value is not None and _LOCAL_ADDRESS.match(value) else value

    def person(self, value: str) -> str:
        """A recorded person name, or UNNAMED if it is a login or host name."""
        return UNNAMED if self.is_computer_name(value) else value

    def text(self, value: str, paths: Iterable[str]) -> str:
        """Free text written by the program with each known path replaced by its file name."""
        for path in sorted(set(paths), key=len, reverse=True):
            if path and path in value:
                value = value.replace(path, _file_name(path))
        imported = _IMPORTED_FROM.match(value)
        if imported is not None:  # a path the record no longer lists
            value = value.replace(imported["path"], _file_name(imported["path"]), 1)
        return value

    def row(self, values: Mapping[str, Any], paths: Iterable[str] = ()) -> dict[str, Any]:
        """A row's values (by column name) without internal details; `paths` are the local
        paths known to belong to the record (its files' original paths)."""
        names = tuple(values)
        return dict(zip(names, self.cleaner(names)(tuple(values.values()), paths), strict=True))

    def cleaner(self, names: tuple[str, ...]) -> RowCleaner:
        """`row` for many rows of the same columns: a function of a row's values (a tuple in
        the order of `names`) and the record's known paths, giving the cleaned tuple. The
        columns each rule applies to are found once, not for every row."""
        layout = _layout(names)
        person, is_computer_name = self.person, self.is_computer_name
        address, text = self.address, self.text

        def clean(values: Sequence[Any], paths: Iterable[str] = ()) -> tuple[Any, ...]:
            changed = list(values)
            for n in layout.persons:
                if isinstance(value := values[n], str):
                    changed[n] = person(value)
            for n in layout.paths:
                if isinstance(values[n], str):
                    changed[n] = None
            if layout.place is not None and isinstance(place := values[layout.place], str):
                # An event's place is a computer's name: always so for the events the
                # program records itself (which may come from another catalogue's computer).
                by_program = layout.tool is not None and str(values[layout.tool] or "").startswith(
                    PROGRAM_TOOL
                )
                if by_program or is_computer_name(place):
                    changed[layout.place] = None
            for n in layout.addresses:
                if isinstance(value := values[n], str):
                    changed[n] = address(value)
            if layout.note is not None and isinstance(note := values[layout.note], str):
                known = [*paths, *(str(values[n]) for n in layout.paths if values[n])]
                changed[layout.note] = text(note, known)
            return tuple(changed)

        return clean

    # -- the records an export writes ------------------------------------------------------

    def detail(self, detail: UnitDetail) -> UnitDetail:
        paths = [f.original_path for f in detail.files if f.original_path]
        return replace(
            detail,
            created_by=self.person(detail.created_by),
            updated_by=self.person(detail.updated_by),
            source_url=self.address(detail.source_url),
            files=tuple(self._part(f, paths) for f in detail.files),
            events=tuple(self._part(e, paths) for e in detail.events),
            assessments=tuple(self._part(a, paths) for a in detail.assessments),
        )

    def _part(self, part: Part, paths: list[str]) -> Part:
        values = {f.name: getattr(part, f.name) for f in fields(part)}
        cleaned = self.row(values, paths)
        changed = {k: v for k, v in cleaned.items() if v is not values[k]}
        return replace(part, **changed) if changed else part

    # -- the audit rows of a records.json ----------------------------------------------------

    def audit(self, rows: list[AuditRecord]) -> list[AuditRecord]:
        """A record's audit rows without internal details (the paths its rows ever named
        are taken out of every note)."""
        paths = {p for row in rows for p in _paths_in(row)}
        return [self._audit_row(row, paths) for row in rows]

    def _audit_row(self, row: AuditRecord, paths: set[str]) -> AuditRecord:
        def value(text: str | None) -> str | None:
            if text is None:
                return None
            if row.field is None:
                snapshot = _parsed(text)
                if snapshot is None:
                    return text
                return json.dumps(self.row(snapshot, paths), ensure_ascii=False, sort_keys=True)
            cleaned = self.row({row.field: text}, paths)
            result = cleaned[row.field]
            return None if result is None else str(result)

        return replace(
            row,
            actor=self.person(row.actor),
            old_value=value(row.old_value),
            new_value=value(row.new_value),
            reason=self.text(row.reason, paths) if row.reason else row.reason,
        )


def _parsed(text: str) -> dict[str, Any] | None:
    """A whole-row snapshot (JSON text) as a dict, or None for anything else."""
    if not text.startswith("{"):
        return None
    try:
        snapshot = json.loads(text)
    except ValueError:
        return None
    return snapshot if isinstance(snapshot, dict) else None


def _paths_in(row: AuditRecord) -> list[str]:
    found: list[str] = []
    for text in (row.old_value, row.new_value):
        if not text:
            continue
        if row.field in PATH_FIELDS:
            found.append(text)
        elif row.field is None and (snapshot := _parsed(text)) is not None:
            found += [str(snapshot[k]) for k in PATH_FIELDS if snapshot.get(k)]
    return found
