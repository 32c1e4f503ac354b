"""The catalogue's tables as typed SQLAlchemy models.

Every constraint is named (SQLite batch migrations need names to alter them). Tables that hold
records travelling between catalogues carry a UUID; the integer ids are local row ids.
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.domain.vocabulary import (
    AccessStatus,
    AgentKind,
    AgentRole,
    DateKind,
    FoundBy,
    Level,
    NameKind,
    RelationKind,
    TitleSource,
)
from catalog_app.storage.sql_names import NEEDS_REVIEW as NEEDS_REVIEW
from catalog_app.storage.sql_names import UNFILED_CANDIDATE as UNFILED_CANDIDATE
from catalog_app.storage.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_uuid() -> str:
    return str(uuid_module.uuid4())


def _one_of(column: str, values: Any) -> str:
    quoted = ", ".join("'" + str(v.value).replace("'", "''") + "'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), date: Date()}


class Audited:
    """Marks a model whose every change is written to the audit log (see storage.audit)."""

    # Columns that change as a side effect of other changes; not worth an audit row each.
    __audit_ignore__: ClassVar[frozenset[str]] = frozenset(
        {"id", "version", "updated_at", "updated_by"}
    )
    # Columns too large to copy into the log: recorded by length and digest instead.
    __audit_summarise__: ClassVar[frozenset[str]] = frozenset()


class HasUuid:
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)


class Unit(Audited, HasUuid, Base):
    """A unit of description: fonds, series, file or item (ISAD(G) 3.1.4)."""

    __tablename__ = "units"
    __audit_ignore__: ClassVar[frozenset[str]] = Audited.__audit_ignore__ | {
        "root_id",
        "current_source_reliability",
        "current_information_credibility",
    }
    __table_args__ = (
        CheckConstraint(_one_of("level", Level), name="level"),
        CheckConstraint(_one_of("access_status", AccessStatus), name="access_status"),
        CheckConstraint(_one_of("title_source", TitleSource), name="title_source"),
        CheckConstraint("date_kind IS NULL OR " + _one_of("date_kind", DateKind), name="date_kind"),
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        CheckConstraint("length(trim(reference_code)) > 0", name="reference_code_not_blank"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        Index(None, "parent_id", "position"),
        Index(None, "date_start", "date_end"),
        Index(None, "access_status"),
        Index(None, "current_source_reliability", "current_information_credibility"),
        # The window's views (services.browse): "Recently added", "Needs review", "Unfiled".
        Index(None, "created_at"),
        Index("ix_units_needs_review", "reference_code", sqlite_where=text(NEEDS_REVIEW)),
        Index("ix_units_unfiled", "reference_code", sqlite_where=text(UNFILED_CANDIDATE)),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    level: Mapped[str] = mapped_column(String(20), default=Level.ITEM.value)
    position: Mapped[int] = mapped_column(default=0)
    reference_code: Mapped[str] = mapped_column(String(200, collation="NOCASE"), unique=True)
    title: Mapped[str] = mapped_column(Text)
    title_source: Mapped[str] = mapped_column(String(12), default=TitleSource.TYPED.value)
    date_expression: Mapped[str | None] = mapped_column(String(100))
    date_start: Mapped[date | None]
    date_end: Mapped[date | None]
    date_kind: Mapped[str | None] = mapped_column(String(20))
    extent: Mapped[str | None] = mapped_column(Text)
    administrative_history: Mapped[str | None] = mapped_column(Text)
    archival_history: Mapped[str | None] = mapped_column(Text)
    acquisition: Mapped[str | None] = mapped_column(Text)
    scope_content: Mapped[str | None] = mapped_column(Text)
    appraisal: Mapped[str | None] = mapped_column(Text)
    accruals: Mapped[str | None] = mapped_column(Text)
    arrangement: Mapped[str | None] = mapped_column(Text)
    access_status: Mapped[str] = mapped_column(String(20), default=AccessStatus.OPEN.value)
    access_note: Mapped[str | None] = mapped_column(Text)
    reproduction_note: Mapped[str | None] = mapped_column(Text)
    physical_characteristics: Mapped[str | None] = mapped_column(Text)
    finding_aids: Mapped[str | None] = mapped_column(Text)
    originals_location: Mapped[str | None] = mapped_column(Text)
    copies_location: Mapped[str | None] = mapped_column(Text)
    # Where captured material was taken from (a web page's address), at the description's level.
    source_url: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    scripts: Mapped[list[str]] = mapped_column(JSON, default=list)
    related_note: Mapped[str | None] = mapped_column(Text)
    publication_note: Mapped[str | None] = mapped_column(Text)
    general_note: Mapped[str | None] = mapped_column(Text)
    archivist_note: Mapped[str | None] = mapped_column(Text)
    rules: Mapped[str | None] = mapped_column(Text)
    description_date: Mapped[str | None] = mapped_column(String(100))
    media_type: Mapped[str | None] = mapped_column(String(20))
    # Names of fields whose value the program harvested from the document rather than a
    # person typed; editing a field takes it off the list.
    harvested: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # Derived, kept by the services for fast filters and facets over large result sets:
    # the top of this unit's hierarchy, and its current reliability grades.
    root_id: Mapped[int | None] = mapped_column(index=True)
    current_source_reliability: Mapped[str | None] = mapped_column(String(1))
    current_information_credibility: Mapped[int | None]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200))
    withdrawn_at: Mapped[datetime | None]

    parent: Mapped[Unit | None] = relationship(back_populates="children", remote_side=[id])
    children: Mapped[list[Unit]] = relationship(
        back_populates="parent", order_by="Unit.position", cascade="all, delete-orphan"
    )
    files: Mapped[list[StoredFile]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="StoredFile.id"
    )
    agent_links: Mapped[list[UnitAgent]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="UnitAgent.id"
    )
    place_links: Mapped[list[UnitPlace]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="UnitPlace.place_id"
    )
    subject_links: Mapped[list[UnitSubject]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="UnitSubject.subject_id"
    )
    events: Mapped[list[ProvenanceEvent]] = relationship(
        back_populates="unit",
        cascade="all, delete-orphan",
        order_by="(ProvenanceEvent.occurred_start.is_(None), ProvenanceEvent.occurred_start, "
        "ProvenanceEvent.id)",
    )
    assessments: Mapped[list[ReliabilityAssessment]] = relationship(
        back_populates="unit",
        cascade="all, delete-orphan",
        order_by="(ReliabilityAssessment.assessed_at.desc(), ReliabilityAssessment.id.desc())",
    )
    relations_out: Mapped[list[Relation]] = relationship(
        foreign_keys="Relation.from_unit_id",
        back_populates="from_unit",
        cascade="all, delete-orphan",
    )
    relations_in: Mapped[list[Relation]] = relationship(
        foreign_keys="Relation.to_unit_id",
        back_populates="to_unit",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)


class StoredFile(Audited, HasUuid, Base):
    """A digital original attached to a unit, identified by the SHA-256 of its bytes."""

    __tablename__ = "files"
    __table_args__ = (
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        CheckConstraint("size >= 0", name="size_not_negative"),
    )
    __audit_summarise__: ClassVar[frozenset[str]] = frozenset({"extracted_text"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(Text)
    original_path: Mapped[str | None] = mapped_column(Text)
    original_modified_at: Mapped[datetime | None]
    stored_path: Mapped[str | None] = mapped_column(Text)
    extracted_text: Mapped[str | None] = mapped_column(Text)
    text_method: Mapped[str | None] = mapped_column(String(200))
    text_language: Mapped[str | None] = mapped_column(String(20))
    is_evidentiary: Mapped[bool] = mapped_column(Boolean, default=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by: Mapped[str] = mapped_column(String(200))

    unit: Mapped[Unit] = relationship(back_populates="files")


class Agent(Audited, HasUuid, Base):
    """A person, organisation or family (ISAAR(CPF))."""

    __tablename__ = "agents"
    __table_args__ = (
        CheckConstraint(_one_of("kind", AgentKind), name="kind"),
        CheckConstraint("length(trim(authorised_name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default=AgentKind.PERSON.value)
    authorised_name: Mapped[str] = mapped_column(Text, index=True)
    dates_of_existence: Mapped[str | None] = mapped_column(String(100))
    history: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    names: Mapped[list[AgentName]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", order_by="AgentName.id"
    )
    unit_links: Mapped[list[UnitAgent]] = relationship(back_populates="agent")


class AgentName(Audited, Base):
    """A variant, parallel or standardised form of an agent's name."""

    __tablename__ = "agent_names"
    __table_args__ = (
        UniqueConstraint("agent_id", "name"),
        CheckConstraint(_one_of("kind", NameKind), name="kind"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(Text, index=True)
    kind: Mapped[str] = mapped_column(String(20), default=NameKind.VARIANT.value)
    script: Mapped[str | None] = mapped_column(String(4))

    agent: Mapped[Agent] = relationship(back_populates="names")


class UnitAgent(Audited, Base):
    __tablename__ = "unit_agents"
    __table_args__ = (
        UniqueConstraint("unit_id", "agent_id", "role"),
        CheckConstraint(_one_of("role", AgentRole), name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    unit: Mapped[Unit] = relationship(back_populates="agent_links")
    agent: Mapped[Agent] = relationship(back_populates="unit_links")


class Place(Audited, HasUuid, Base):
    __tablename__ = "places"
    __table_args__ = (
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text(collation="NOCASE"), unique=True)
    variants: Mapped[list[str]] = mapped_column(JSON, default=list)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)


class Subject(Audited, HasUuid, Base):
    __tablename__ = "subjects"
    __table_args__ = (
        UniqueConstraint("term", "vocabulary"),
        CheckConstraint("length(trim(term)) > 0", name="term_not_blank"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term: Mapped[str] = mapped_column(Text(collation="NOCASE"))
    # '' rather than NULL for "our own terms", so that the unique constraint holds.
    vocabulary: Mapped[str] = mapped_column(String(100), default="")
    uri: Mapped[str | None] = mapped_column(Text)
    scope_note: Mapped[str | None] = mapped_column(Text)


class UnitPlace(Audited, Base):
    __tablename__ = "unit_places"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    place_id: Mapped[int] = mapped_column(
        ForeignKey("places.id", ondelete="RESTRICT"), primary_key=True, index=True
    )

    unit: Mapped[Unit] = relationship(back_populates="place_links")
    place: Mapped[Place] = relationship()


class UnitSubject(Audited, Base):
    __tablename__ = "unit_subjects"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    subject_id: Mapped[int] = mapped_column(
        ForeignKey("subjects.id", ondelete="RESTRICT"), primary_key=True, index=True
    )

    unit: Mapped[Unit] = relationship(back_populates="subject_links")
    subject: Mapped[Subject] = relationship()


class ProvenanceEvent(Audited, HasUuid, Base):
    """One step in a unit's chain of custody (PREMIS-style event)."""

    __tablename__ = "provenance_events"
    __table_args__ = (Index(None, "unit_id", "occurred_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    file_id: Mapped[int | None] = mapped_column(
        ForeignKey("files.id", ondelete="SET NULL"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(50))
    occurred_at: Mapped[str | None] = mapped_column(String(100))
    occurred_start: Mapped[date | None]
    agent: Mapped[str | None] = mapped_column(Text)
    tool: Mapped[str | None] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(200))

    unit: Mapped[Unit] = relationship(back_populates="events")


class ReliabilityAssessment(Audited, HasUuid, Base):
    """A grading of a unit on the Admiralty scale. Never changed: a new one supersedes it."""

    __tablename__ = "reliability_assessments"
    __table_args__ = (
        CheckConstraint(_one_of("source_reliability", SourceReliability), name="source"),
        CheckConstraint(
            "information_credibility BETWEEN "
            f"{min(InformationCredibility)} AND {max(InformationCredibility)}",
            name="credibility",
        ),
        Index(None, "unit_id", "assessed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    source_reliability: Mapped[str] = mapped_column(String(1))
    information_credibility: Mapped[int]
    affiliation_note: Mapped[str | None] = mapped_column(Text)
    corroboration_note: Mapped[str | None] = mapped_column(Text)
    method_note: Mapped[str | None] = mapped_column(Text)
    assessor: Mapped[str] = mapped_column(String(200))
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(200))

    unit: Mapped[Unit] = relationship(back_populates="assessments")


class Relation(Audited, HasUuid, Base):
    __tablename__ = "relations"
    __table_args__ = (
        UniqueConstraint("from_unit_id", "to_unit_id", "kind"),
        CheckConstraint("from_unit_id <> to_unit_id", name="not_to_itself"),
        CheckConstraint(_one_of("kind", RelationKind), name="kind"),
        CheckConstraint(_one_of("found_by", FoundBy), name="found_by"),
        CheckConstraint("similarity IS NULL OR similarity BETWEEN 0 AND 1", name="similarity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    similarity: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    found_by: Mapped[str] = mapped_column(String(10), default=FoundBy.PERSON.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))

    from_unit: Mapped[Unit] = relationship(
        foreign_keys=[from_unit_id], back_populates="relations_out"
    )
    to_unit: Mapped[Unit] = relationship(foreign_keys=[to_unit_id], back_populates="relations_in")


class AuditEntry(Base):
    """One change to the catalogue. Append-only (triggers refuse UPDATE and DELETE) and
    hash-chained, so that a removed or altered row is detectable."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "row_uuid", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))
    table_name: Mapped[str] = mapped_column(String(50))
    row_uuid: Mapped[str] = mapped_column(String(36))
    field: Mapped[str | None] = mapped_column(String(100))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Setting(Audited, Base):
    """Catalogue-wide settings (its own UUID, reference code prefix, name)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Sequence(Base):
    """Counters for generated reference codes, never reused after a deletion."""

    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
