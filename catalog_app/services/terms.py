"""Places and subject terms: the catalogue's own authority lists for access points."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select

from catalog_app.domain.records import TermRecord
from catalog_app.errors import ValidationError
from catalog_app.storage import mappers, models

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue


def _name(text: str, what: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise ValidationError(f"a {what} needs a name")
    return cleaned


class TermService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue

    def place(
        self,
        name: str,
        *,
        variants: Iterable[str] = (),
        latitude: float | None = None,
        longitude: float | None = None,
    ) -> TermRecord:
        """The place called `name`, created if the catalogue does not have it yet."""
        text = _name(name, "place")
        if latitude is not None and not -90 <= latitude <= 90:
            raise ValidationError(f"latitude {latitude} is outside -90..90")
        if longitude is not None and not -180 <= longitude <= 180:
            raise ValidationError(f"longitude {longitude} is outside -180..180")
        with self._cat.db.write(self._cat.actor) as session:
            place = session.scalar(select(models.Place).where(models.Place.name == text))
            if place is None:
                place = models.Place(name=text, variants=[], latitude=latitude, longitude=longitude)
                session.add(place)
            extra = [
                v
                for v in (_name(v, "variant") for v in variants)
                if v not in place.variants and v != place.name
            ]
            if extra:
                place.variants = [*place.variants, *extra]
            session.flush()
            return mappers.place_record(place)

    def subject(self, term: str, *, vocabulary: str = "", uri: str | None = None) -> TermRecord:
        """The subject `term` (in `vocabulary`), created if the catalogue does not have it."""
        text = _name(term, "subject")
        with self._cat.db.write(self._cat.actor) as session:
            subject = session.scalar(
                select(models.Subject).where(
                    models.Subject.term == text, models.Subject.vocabulary == vocabulary
                )
            )
            if subject is None:
                subject = models.Subject(term=text, vocabulary=vocabulary, uri=uri)
                session.add(subject)
                session.flush()
            return mappers.subject_record(subject)

    def places(self) -> list[TermRecord]:
        with self._cat.db.read() as session:
            rows = session.scalars(select(models.Place).order_by(models.Place.name))
            return [mappers.place_record(p) for p in rows]

    def subjects(self) -> list[TermRecord]:
        with self._cat.db.read() as session:
            rows = session.scalars(select(models.Subject).order_by(models.Subject.term))
            return [mappers.subject_record(s) for s in rows]
