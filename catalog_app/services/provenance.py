"""The chain of custody: PREMIS-style events recorded against a unit."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from catalog_app.domain.dates import DateError, parse_date
from catalog_app.domain.records import EventRecord, NewEvent
from catalog_app.domain.vocabulary import EventOutcome, EventType
from catalog_app.errors import ValidationError
from catalog_app.services.lookup import get_row
from catalog_app.storage import mappers, models

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue

_EVENT_FIELDS = frozenset(f.name for f in dataclasses.fields(NewEvent))


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - _EVENT_FIELDS
    if unknown:
        raise ValidationError(f"unknown event field(s): {', '.join(sorted(unknown))}")
    cleaned = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in values.items()}
    if "event_type" in cleaned:
        types = [t.value for t in EventType]
        if cleaned["event_type"] not in types:
            raise ValidationError(
                f"'{values['event_type']}' is not an event type: use one of {', '.join(types)}"
            )
    if cleaned.get("outcome") is not None:
        outcomes = [o.value for o in EventOutcome]
        if cleaned["outcome"] not in outcomes:
            raise ValidationError(f"outcome must be one of {', '.join(outcomes)}")
    if "occurred_at" in cleaned:
        try:
            cleaned["occurred_start"] = parse_date(cleaned["occurred_at"]).start
        except DateError as exc:
            raise ValidationError(f"event date: {exc}") from exc
    return cleaned


class ProvenanceService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue

    def record(self, unit_id: int, event: NewEvent) -> EventRecord:
        values = _clean(dataclasses.asdict(event))
        with self._cat.db.write(self._cat.actor) as session:
            get_row(session, models.Unit, unit_id, "record")
            if event.file_id is not None:
                stored = get_row(session, models.StoredFile, event.file_id, "original")
                if stored.unit_id != unit_id:
                    raise ValidationError("that original belongs to another record")
            row = models.ProvenanceEvent(unit_id=unit_id, recorded_by=self._cat.actor, **values)
            session.add(row)
            session.flush()
            return mappers.event_record(row)

    def update(self, event_id: int, changes: Mapping[str, Any]) -> EventRecord:
        values = _clean(changes)
        if "event_type" in changes and not values.get("event_type"):
            raise ValidationError("an event needs a type")
        with self._cat.db.write(self._cat.actor) as session:
            row = get_row(session, models.ProvenanceEvent, event_id, "event")
            for name, value in values.items():
                setattr(row, name, value)
            session.flush()
            return mappers.event_record(row)

    def remove(self, event_id: int, reason: str | None = None) -> None:
        with self._cat.db.write(self._cat.actor, reason) as session:
            session.delete(get_row(session, models.ProvenanceEvent, event_id, "event"))

    def chain(self, unit_id: int) -> list[EventRecord]:
        """The unit's events, oldest first (undated ones last, in the order recorded)."""
        with self._cat.db.read() as session:
            unit = get_row(session, models.Unit, unit_id, "record")
            return [mappers.event_record(e) for e in unit.events]
