"""Relations between units: duplicates, republications, citations, corroboration."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select

from catalog_app.domain.records import RelationRecord
from catalog_app.domain.vocabulary import FoundBy, RelationKind
from catalog_app.errors import ValidationError
from catalog_app.services.lookup import get_row
from catalog_app.storage import mappers, models

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue


NAMED_AT_MOST = 5  # of the relations an import's warning names


def left_out_relations(count: int, named: Sequence[str], source: str) -> str:
    """The one line an import says of the `count` relations it left out because each names
    a record neither in `source` ("the file", "the bag") nor in this catalogue; `named`
    says which, for the first few (a reference code, or the record's and the other's)."""
    shown = list(dict.fromkeys(named))[:NAMED_AT_MOST]
    more = count - len(shown)
    listed = ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")
    they = "it names a record that is" if count == 1 else "they name records that are"
    return (
        f"{count:,} relation{'' if count == 1 else 's'} left out: {they} neither in {source} "
        f"nor in this catalogue ({listed})"
    )


class RelationService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue

    def relate(
        self,
        from_unit_id: int,
        to_unit_id: int,
        kind: str,
        *,
        similarity: float | None = None,
        note: str | None = None,
        found_by: str = FoundBy.PERSON.value,
    ) -> RelationRecord:
        """Record that `from_unit` <kind> `to_unit`, e.g. 001 republishes 000."""
        kinds = [k.value for k in RelationKind]
        if kind not in kinds:
            raise ValidationError(f"'{kind}' is not a relation: use one of {', '.join(kinds)}")
        if found_by not in {f.value for f in FoundBy}:
            raise ValidationError("found_by must be 'person' or 'method'")
        if from_unit_id == to_unit_id:
            raise ValidationError("a record cannot be related to itself")
        if similarity is not None and not 0 <= similarity <= 1:
            raise ValidationError("similarity must be between 0 and 1")
        with self._cat.db.write(self._cat.actor) as session:
            source = get_row(session, models.Unit, from_unit_id, "record")
            get_row(session, models.Unit, to_unit_id, "record")
            row = session.scalar(
                select(models.Relation).where(
                    models.Relation.from_unit_id == from_unit_id,
                    models.Relation.to_unit_id == to_unit_id,
                    models.Relation.kind == kind,
                )
            )
            if row is None:
                row = models.Relation(
                    from_unit_id=from_unit_id,
                    to_unit_id=to_unit_id,
                    kind=kind,
                    created_by=self._cat.actor,
                )
                session.add(row)
            row.similarity = similarity
            row.note = (note or "").strip() or None
            row.found_by = found_by
            session.flush()
            session.refresh(row)
            return mappers.relation_record(row, source)

    def remove(self, relation_id: int) -> None:
        with self._cat.db.write(self._cat.actor) as session:
            session.delete(get_row(session, models.Relation, relation_id, "relation"))
