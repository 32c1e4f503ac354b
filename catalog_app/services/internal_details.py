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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
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
_SEPARATORS = re.compile(r"[\\/]")
_LOCAL_ADDRESS = re.compile(r"^\s*file:", re.IGNORECASE)


def _file_name(path: str) -> str:
    """The last part of a path as recorded on any system ("C:\\a\\b.pdf" -> "b.pdf")."""
    return _SEPARATORS.split(path.rstrip("\\/"))[-1] or path


@dataclass(frozen=True)
class InternalDetails:
    """The rules for leaving internal details out, with the names that count as this
    computer's (its login and host names, compared without regard to case)."""

    names: frozenset[str]

    @classmethod
    def of_this_computer(cls) -> InternalDetails:
        names: set[str] = set()
        for name in (login_name(), host_name()):
            if name:
                names.add(name.casefold())
                names.add(name.split(".", 1)[0].casefold())  # "laptop" of "laptop.local"
        return cls(frozenset(names))

    def is_computer_name(self, value: str) -> bool:
        return value.strip().casefold() in self.names

    @staticmethod
    def address(value: str | None) -> str | None:
        """A source address, or None if it names a file on a computer (a local path)."""
        return None if value is not None and _LOCAL_ADDRESS.match(value) else value

    def person(self, value: str) -> str:
        """A recorded person name, or UNNAMED if it is a login or host name."""
        return UNNAMED if self.is_computer_name(value) else value

    def _host_place(self, place: str, by_program: bool) -> bool:
        """Whether an event's place is a computer's name: always so for the events the
        program records itself (which may come from another catalogue's computer)."""
        return by_program or self.is_computer_name(place)

    def text(self, value: str, paths: Iterable[str]) -> str:
        """Free text written by the program with each known path replaced by its file name."""
        for path in sorted(set(paths), key=len, reverse=True):
            if path:
                value = value.replace(path, _file_name(path))
        imported = _IMPORTED_FROM.match(value)
        if imported is not None:  # a path the record no longer lists
            value = value.replace(imported["path"], _file_name(imported["path"]), 1)
        return value

    def row(self, values: Mapping[str, Any], paths: Iterable[str] = ()) -> dict[str, Any]:
        """A row's values (by column name) without internal details; `paths` are the local
        paths known to belong to the record (its files' original paths)."""
        by_program = str(values.get("tool") or "").startswith(PROGRAM_TOOL)
        known = [*paths, *(str(values[k]) for k in PATH_FIELDS if values.get(k))]
        cleaned = dict(values)
        for key, value in values.items():
            if not isinstance(value, str):
                continue
            if key in PERSON_FIELDS:
                cleaned[key] = self.person(value)
            elif key in PATH_FIELDS or (key == "place" and self._host_place(value, by_program)):
                cleaned[key] = None
            elif key in ADDRESS_FIELDS:
                cleaned[key] = self.address(value)
            elif key == "note":
                cleaned[key] = self.text(value, known)
        return cleaned

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
