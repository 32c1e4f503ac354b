"""Source reliability and information credibility assessments (Admiralty scale)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from catalog_app.domain.records import AssessmentRecord, NewAssessment
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.errors import ValidationError
from catalog_app.services.lookup import get_row
from catalog_app.storage import mappers, models
from catalog_app.storage.types import utcnow

if TYPE_CHECKING:
    from catalog_app.services.catalogue import Catalogue


class ReliabilityService:
    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue

    def assess(self, unit_id: int, assessment: NewAssessment) -> AssessmentRecord:
        """Record a new assessment; it becomes the current one, earlier ones are kept."""
        try:
            source = SourceReliability(assessment.source_reliability)
            credibility = InformationCredibility(assessment.information_credibility)
        except ValueError as exc:
            raise ValidationError("grade the source A-F and the information 1-6 (e.g. B2)") from exc
        if assessment.assessed_at is not None and assessment.assessed_at.tzinfo is None:
            raise ValidationError("the assessment time needs a time zone")
        values = dataclasses.asdict(assessment)
        values.update(
            source_reliability=source.value,
            information_credibility=int(credibility),
            assessor=(assessment.assessor or "").strip() or self._cat.actor,
            assessed_at=assessment.assessed_at or utcnow(),
        )
        for note in ("affiliation_note", "corroboration_note", "method_note"):
            values[note] = (values[note] or "").strip() or None
        with self._cat.db.write(self._cat.actor) as session:
            get_row(session, models.Unit, unit_id, "record")
            row = models.ReliabilityAssessment(
                unit_id=unit_id, recorded_by=self._cat.actor, **values
            )
            session.add(row)
            session.flush()
            return mappers.assessment_record(row)

    def remove(self, assessment_id: int, reason: str | None = None) -> None:
        """Take back an assessment just recorded (an undo): the one before it is current
        again. The audit log keeps both the recording and the removal."""
        with self._cat.db.write(self._cat.actor, reason) as session:
            session.delete(
                get_row(session, models.ReliabilityAssessment, assessment_id, "assessment")
            )

    def history(self, unit_id: int) -> list[AssessmentRecord]:
        """Every assessment of the unit, the current (newest) first."""
        with self._cat.db.read() as session:
            unit = get_row(session, models.Unit, unit_id, "record")
            return [mappers.assessment_record(a) for a in unit.assessments]

    def current(self, unit_id: int) -> AssessmentRecord | None:
        history = self.history(unit_id)
        return history[0] if history else None
