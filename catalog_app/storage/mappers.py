"""ORM rows to the domain's frozen records, so nothing outside the core holds a live row."""

from __future__ import annotations

from catalog_app.domain.records import (
    AgentLink,
    AgentName,
    AgentRecord,
    AssessmentRecord,
    AuditRecord,
    EventRecord,
    FileRecord,
    RelationRecord,
    TermRecord,
    UnitDetail,
    UnitSummary,
)
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.storage import models


def unit_summary(unit: models.Unit, children_count: int = 0) -> UnitSummary:
    return UnitSummary(
        id=unit.id,
        uuid=unit.uuid,
        reference_code=unit.reference_code,
        title=unit.title,
        level=unit.level,
        parent_id=unit.parent_id,
        date_expression=unit.date_expression,
        date_start=unit.date_start,
        date_end=unit.date_end,
        access_status=unit.access_status,
        media_type=unit.media_type,
        children_count=children_count,
    )


def agent_record(agent: models.Agent) -> AgentRecord:
    return AgentRecord(
        id=agent.id,
        uuid=agent.uuid,
        kind=agent.kind,
        authorised_name=agent.authorised_name,
        dates_of_existence=agent.dates_of_existence,
        history=agent.history,
        notes=agent.notes,
        sources=agent.sources,
        names=tuple(AgentName(n.name, n.kind, n.script) for n in agent.names),
    )


def place_record(place: models.Place) -> TermRecord:
    return TermRecord(
        id=place.id,
        uuid=place.uuid,
        name=place.name,
        latitude=place.latitude,
        longitude=place.longitude,
        variants=tuple(place.variants or ()),
    )


def subject_record(subject: models.Subject) -> TermRecord:
    return TermRecord(
        id=subject.id,
        uuid=subject.uuid,
        name=subject.term,
        vocabulary=subject.vocabulary or None,
        uri=subject.uri,
    )


def file_record(stored: models.StoredFile) -> FileRecord:
    return FileRecord(
        id=stored.id,
        uuid=stored.uuid,
        sha256=stored.sha256,
        size=stored.size,
        media_type=stored.media_type,
        original_name=stored.original_name,
        original_path=stored.original_path,
        original_modified_at=stored.original_modified_at,
        stored_path=stored.stored_path,
        text_method=stored.text_method,
        text_language=stored.text_language,
        text_length=len(stored.extracted_text or ""),
        is_evidentiary=stored.is_evidentiary,
        added_at=stored.added_at,
    )


def event_record(event: models.ProvenanceEvent) -> EventRecord:
    return EventRecord(
        id=event.id,
        uuid=event.uuid,
        event_type=event.event_type,
        occurred_at=event.occurred_at,
        occurred_start=event.occurred_start,
        agent=event.agent,
        tool=event.tool,
        place=event.place,
        source_url=event.source_url,
        outcome=event.outcome,
        note=event.note,
        file_id=event.file_id,
        recorded_at=event.recorded_at,
        recorded_by=event.recorded_by,
    )


def assessment_record(row: models.ReliabilityAssessment) -> AssessmentRecord:
    return AssessmentRecord(
        id=row.id,
        uuid=row.uuid,
        source_reliability=SourceReliability(row.source_reliability),
        information_credibility=InformationCredibility(row.information_credibility),
        affiliation_note=row.affiliation_note,
        corroboration_note=row.corroboration_note,
        method_note=row.method_note,
        assessor=row.assessor,
        assessed_at=row.assessed_at,
        recorded_by=row.recorded_by,
    )


def relation_record(row: models.Relation, perspective: models.Unit) -> RelationRecord:
    outgoing = row.from_unit_id == perspective.id
    other = row.to_unit if outgoing else row.from_unit
    return RelationRecord(
        id=row.id,
        uuid=row.uuid,
        kind=row.kind,
        direction="outgoing" if outgoing else "incoming",
        other_id=other.id,
        other_reference_code=other.reference_code,
        other_title=other.title,
        similarity=row.similarity,
        note=row.note,
        found_by=row.found_by,
    )


def unit_detail(unit: models.Unit, children_count: int) -> UnitDetail:
    relations = sorted([*unit.relations_out, *unit.relations_in], key=lambda r: (r.kind, r.id))
    return UnitDetail(
        id=unit.id,
        uuid=unit.uuid,
        reference_code=unit.reference_code,
        title=unit.title,
        title_source=unit.title_source,
        level=unit.level,
        parent_id=unit.parent_id,
        parent_reference_code=unit.parent.reference_code if unit.parent else None,
        position=unit.position,
        date_expression=unit.date_expression,
        date_start=unit.date_start,
        date_end=unit.date_end,
        date_kind=unit.date_kind,
        extent=unit.extent,
        administrative_history=unit.administrative_history,
        archival_history=unit.archival_history,
        acquisition=unit.acquisition,
        scope_content=unit.scope_content,
        appraisal=unit.appraisal,
        accruals=unit.accruals,
        arrangement=unit.arrangement,
        access_status=unit.access_status,
        access_note=unit.access_note,
        reproduction_note=unit.reproduction_note,
        physical_characteristics=unit.physical_characteristics,
        finding_aids=unit.finding_aids,
        originals_location=unit.originals_location,
        copies_location=unit.copies_location,
        related_note=unit.related_note,
        publication_note=unit.publication_note,
        general_note=unit.general_note,
        archivist_note=unit.archivist_note,
        rules=unit.rules,
        description_date=unit.description_date,
        source_url=unit.source_url,
        media_type=unit.media_type,
        languages=tuple(unit.languages or ()),
        scripts=tuple(unit.scripts or ()),
        harvested=tuple(unit.harvested or ()),
        version=unit.version,
        created_at=unit.created_at,
        created_by=unit.created_by,
        updated_at=unit.updated_at,
        updated_by=unit.updated_by,
        withdrawn_at=unit.withdrawn_at,
        children_count=children_count,
        agents=tuple(
            AgentLink(
                agent_id=link.agent.id,
                agent_uuid=link.agent.uuid,
                authorised_name=link.agent.authorised_name,
                kind=link.agent.kind,
                role=link.role,
            )
            for link in unit.agent_links
        ),
        places=tuple(place_record(link.place) for link in unit.place_links),
        subjects=tuple(subject_record(link.subject) for link in unit.subject_links),
        files=tuple(file_record(f) for f in unit.files),
        events=tuple(event_record(e) for e in unit.events),
        assessments=tuple(assessment_record(a) for a in unit.assessments),
        relations=tuple(relation_record(r, unit) for r in relations),
    )


def audit_record(entry: models.AuditEntry) -> AuditRecord:
    return AuditRecord(
        id=entry.id,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        table_name=entry.table_name,
        row_uuid=entry.row_uuid,
        field=entry.field,
        old_value=entry.old_value,
        new_value=entry.new_value,
        reason=entry.reason,
        hash=entry.hash,
    )
