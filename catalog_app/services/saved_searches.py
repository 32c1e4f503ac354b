"""Saved searches: named queries kept in the catalogue itself, so that they travel with it
(backups, copies, another computer) and every change to them is in its audit trail.

They are one catalogue setting holding a JSON list of {"name", "query"}, written in one
transaction per change. Names are unique regardless of case; a query must parse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog_app.errors import CatalogError, ValidationError
from catalog_app.search.query import parse
from catalog_app.storage import models

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from catalog_app.services.catalogue import Catalogue

SETTING = "saved_searches"
MAX_NAME = 100


@dataclass(frozen=True)
class SavedSearch:
    name: str
    query: str


def _stored(value: str | None) -> list[SavedSearch]:
    """The searches in the setting; entries that are not a name and a query are left out
    (a catalogue edited by hand), the rest kept."""
    try:
        items = json.loads(value) if value else []
    except ValueError:
        return []
    return [
        SavedSearch(item["name"], item["query"])
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict)
        and isinstance(item.get("name"), str)
        and isinstance(item.get("query"), str)
    ]


def _sorted(searches: list[SavedSearch]) -> list[SavedSearch]:
    return sorted(searches, key=lambda s: (s.name.casefold(), s.name))


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError("A saved search needs a name.")
    if len(cleaned) > MAX_NAME:
        raise ValidationError(f"A saved search's name can have at most {MAX_NAME} characters.")
    return cleaned


def _clean_query(query: str) -> str:
    cleaned = query.strip()
    if not cleaned:
        raise ValidationError("There is no search to save: type one in the search box first.")
    try:
        parse(cleaned)
    except CatalogError as exc:
        raise ValidationError(f"That search cannot be saved: {exc}.") from exc
    return cleaned


def _find(searches: list[SavedSearch], name: str) -> int | None:
    wanted = name.casefold()
    return next((n for n, s in enumerate(searches) if s.name.casefold() == wanted), None)


class SavedSearchService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue

    def all(self) -> list[SavedSearch]:
        """Every saved search, by name."""
        return _sorted(_stored(self._cat.setting(SETTING)))

    def get(self, name: str) -> SavedSearch:
        searches = self.all()
        found = _find(searches, name)
        if found is None:
            raise ValidationError(f"There is no saved search named '{name}'.")
        return searches[found]

    def save(self, name: str, query: str) -> SavedSearch:
        """Save a new search; a name already used (in any case) is refused."""
        saved = SavedSearch(_clean_name(name), _clean_query(query))
        with self._cat.db.write(self._cat.actor, reason="saved search added") as session:
            searches = self._read(session)
            taken = _find(searches, saved.name)
            if taken is not None:
                raise ValidationError(
                    f"There is already a saved search named '{searches[taken].name}': choose "
                    "another name, or edit that one."
                )
            self._write(session, [*searches, saved])
        return saved

    def change(
        self, name: str, *, new_name: str | None = None, query: str | None = None
    ) -> SavedSearch:
        """Rename a saved search, or give it another query, or both."""
        with self._cat.db.write(self._cat.actor, reason="saved search changed") as session:
            searches = self._read(session)
            found = _find(searches, name)
            if found is None:
                raise ValidationError(f"There is no saved search named '{name}'.")
            old = searches[found]
            changed = SavedSearch(
                old.name if new_name is None else _clean_name(new_name),
                old.query if query is None else _clean_query(query),
            )
            other = _find(searches, changed.name)
            if other is not None and other != found:
                raise ValidationError(
                    f"There is already a saved search named '{searches[other].name}': choose "
                    "another name."
                )
            if changed != old:
                searches[found] = changed
                self._write(session, searches)
        return changed

    def delete(self, name: str) -> None:
        with self._cat.db.write(self._cat.actor, reason="saved search deleted") as session:
            searches = self._read(session)
            found = _find(searches, name)
            if found is None:
                raise ValidationError(f"There is no saved search named '{name}'.")
            del searches[found]
            self._write(session, searches)

    @staticmethod
    def _read(session: Session) -> list[SavedSearch]:
        row = session.get(models.Setting, SETTING)
        return _stored(row.value if row is not None else None)

    @staticmethod
    def _write(session: Session, searches: list[SavedSearch]) -> None:
        value = json.dumps(
            [{"name": s.name, "query": s.query} for s in _sorted(searches)], ensure_ascii=False
        )
        row = session.get(models.Setting, SETTING)
        if row is None:
            session.add(models.Setting(key=SETTING, value=value))
        else:
            row.value = value
