"""Initial catalogue schema: description units, originals, agents, terms, provenance,
reliability assessments, relations, the audit log, settings and reference-code sequences.
Revision ID: 0001
Revises: (none)
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("authorised_name", sa.Text(), nullable=False),
        sa.Column("dates_of_existence", sa.String(length=100), nullable=True),
        sa.Column("history", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("sources", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.CheckConstraint(
            "kind IN ('person', 'organisation', 'family')", name=op.f("ck_agents_kind")
        ),
        sa.CheckConstraint(
            "length(trim(authorised_name)) > 0", name=op.f("ck_agents_name_not_blank")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("uuid", name=op.f("uq_agents_uuid")),
    )
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agents_authorised_name"), ["authorised_name"], unique=False
        )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("table_name", sa.String(length=50), nullable=False),
        sa.Column("row_uuid", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=True),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_log_row_uuid_id"), ["row_uuid", "id"], unique=False
        )

    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(collation="NOCASE"), nullable=False),
        sa.Column("variants", sa.JSON(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.CheckConstraint(
            "latitude IS NULL OR latitude BETWEEN -90 AND 90", name=op.f("ck_places_latitude")
        ),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_places_name_not_blank")),
        sa.CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN -180 AND 180", name=op.f("ck_places_longitude")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
        sa.UniqueConstraint("name", name=op.f("uq_places_name")),
        sa.UniqueConstraint("uuid", name=op.f("uq_places_uuid")),
    )
    op.create_table(
        "sequences",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sequences")),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term", sa.Text(collation="NOCASE"), nullable=False),
        sa.Column("vocabulary", sa.String(length=100), nullable=False),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.Column("scope_note", sa.Text(), nullable=True),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.CheckConstraint("length(trim(term)) > 0", name=op.f("ck_subjects_term_not_blank")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subjects")),
        sa.UniqueConstraint("term", "vocabulary", name=op.f("uq_subjects_term_vocabulary")),
        sa.UniqueConstraint("uuid", name=op.f("uq_subjects_uuid")),
    )
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("reference_code", sa.String(length=200, collation="NOCASE"), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_source", sa.String(length=12), nullable=False),
        sa.Column("date_expression", sa.String(length=100), nullable=True),
        sa.Column("date_start", sa.Date(), nullable=True),
        sa.Column("date_end", sa.Date(), nullable=True),
        sa.Column("date_kind", sa.String(length=20), nullable=True),
        sa.Column("extent", sa.Text(), nullable=True),
        sa.Column("archival_history", sa.Text(), nullable=True),
        sa.Column("acquisition", sa.Text(), nullable=True),
        sa.Column("scope_content", sa.Text(), nullable=True),
        sa.Column("arrangement", sa.Text(), nullable=True),
        sa.Column("access_status", sa.String(length=20), nullable=False),
        sa.Column("access_note", sa.Text(), nullable=True),
        sa.Column("reproduction_note", sa.Text(), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("scripts", sa.JSON(), nullable=False),
        sa.Column("related_note", sa.Text(), nullable=True),
        sa.Column("publication_note", sa.Text(), nullable=True),
        sa.Column("general_note", sa.Text(), nullable=True),
        sa.Column("archivist_note", sa.Text(), nullable=True),
        sa.Column("rules", sa.Text(), nullable=True),
        sa.Column("description_date", sa.String(length=100), nullable=True),
        sa.Column("media_type", sa.String(length=20), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.CheckConstraint(
            "access_status IN ('open', 'restricted', 'confidential')",
            name=op.f("ck_units_access_status"),
        ),
        sa.CheckConstraint(
            "date_kind IS NULL OR date_kind IN ('creation', 'publication', 'capture')",
            name=op.f("ck_units_date_kind"),
        ),
        sa.CheckConstraint(
            "level IN ('fonds', 'subfonds', 'collection', 'series', 'subseries', 'file', 'item', 'part', 'record group')",
            name=op.f("ck_units_level"),
        ),
        sa.CheckConstraint(
            "title_source IN ('typed', 'harvested')", name=op.f("ck_units_title_source")
        ),
        sa.CheckConstraint(
            "length(trim(reference_code)) > 0", name=op.f("ck_units_reference_code_not_blank")
        ),
        sa.CheckConstraint("length(trim(title)) > 0", name=op.f("ck_units_title_not_blank")),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name=op.f("ck_units_not_own_parent")
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["units.id"], name=op.f("fk_units_parent_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("reference_code", name=op.f("uq_units_reference_code")),
        sa.UniqueConstraint("uuid", name=op.f("uq_units_uuid")),
    )
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_units_access_status"), ["access_status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_units_date_start_date_end"), ["date_start", "date_end"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_units_parent_id_position"), ["parent_id", "position"], unique=False
        )

    op.create_table(
        "agent_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("script", sa.String(length=4), nullable=True),
        sa.CheckConstraint(
            "kind IN ('variant', 'parallel', 'standardised')", name=op.f("ck_agent_names_kind")
        ),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_agent_names_name_not_blank")),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_agent_names_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_names")),
        sa.UniqueConstraint("agent_id", "name", name=op.f("uq_agent_names_agent_id_name")),
    )
    with op.batch_alter_table("agent_names", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_names_name"), ["name"], unique=False)

    op.create_table(
        "files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=200), nullable=False),
        sa.Column("original_name", sa.Text(), nullable=False),
        sa.Column("original_path", sa.Text(), nullable=True),
        sa.Column("stored_path", sa.Text(), nullable=True),
        sa.Column("extracted_text", sa.Text(), nullable=True),
        sa.Column("text_method", sa.String(length=200), nullable=True),
        sa.Column("text_language", sa.String(length=20), nullable=True),
        sa.Column("is_evidentiary", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.CheckConstraint("length(sha256) = 64", name=op.f("ck_files_sha256_length")),
        sa.CheckConstraint("size >= 0", name=op.f("ck_files_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_files_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_files_sha256")),
        sa.UniqueConstraint("uuid", name=op.f("uq_files_uuid")),
    )
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_files_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "relations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_unit_id", sa.Integer(), nullable=False),
        sa.Column("to_unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("found_by", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.CheckConstraint("found_by IN ('person', 'method')", name=op.f("ck_relations_found_by")),
        sa.CheckConstraint(
            "kind IN ('duplicate of', 'republishes', 'derived from', 'cites', 'corroborates', 'contradicts', 'part of')",
            name=op.f("ck_relations_kind"),
        ),
        sa.CheckConstraint("from_unit_id <> to_unit_id", name=op.f("ck_relations_not_to_itself")),
        sa.CheckConstraint(
            "similarity IS NULL OR similarity BETWEEN 0 AND 1", name=op.f("ck_relations_similarity")
        ),
        sa.ForeignKeyConstraint(
            ["from_unit_id"],
            ["units.id"],
            name=op.f("fk_relations_from_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_unit_id"],
            ["units.id"],
            name=op.f("fk_relations_to_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relations")),
        sa.UniqueConstraint(
            "from_unit_id",
            "to_unit_id",
            "kind",
            name=op.f("uq_relations_from_unit_id_to_unit_id_kind"),
        ),
        sa.UniqueConstraint("uuid", name=op.f("uq_relations_uuid")),
    )
    with op.batch_alter_table("relations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_relations_to_unit_id"), ["to_unit_id"], unique=False)

    op.create_table(
        "reliability_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("source_reliability", sa.String(length=1), nullable=False),
        sa.Column("information_credibility", sa.Integer(), nullable=False),
        sa.Column("affiliation_note", sa.Text(), nullable=True),
        sa.Column("corroboration_note", sa.Text(), nullable=True),
        sa.Column("method_note", sa.Text(), nullable=True),
        sa.Column("assessor", sa.String(length=200), nullable=False),
        sa.Column("assessed_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.CheckConstraint(
            "source_reliability IN ('A', 'B', 'C', 'D', 'E', 'F')",
            name=op.f("ck_reliability_assessments_source"),
        ),
        sa.CheckConstraint(
            "information_credibility BETWEEN 1 AND 6",
            name=op.f("ck_reliability_assessments_credibility"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_reliability_assessments_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reliability_assessments")),
        sa.UniqueConstraint("uuid", name=op.f("uq_reliability_assessments_uuid")),
    )
    with op.batch_alter_table("reliability_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reliability_assessments_unit_id_assessed_at"),
            ["unit_id", "assessed_at"],
            unique=False,
        )

    op.create_table(
        "unit_agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "role IN ('creator', 'publisher', 'subject', 'mentioned', 'custodian')",
            name=op.f("ck_unit_agents_role"),
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_unit_agents_agent_id_agents"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_unit_agents_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_agents")),
        sa.UniqueConstraint(
            "unit_id", "agent_id", "role", name=op.f("uq_unit_agents_unit_id_agent_id_role")
        ),
    )
    with op.batch_alter_table("unit_agents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_agents_agent_id"), ["agent_id"], unique=False)

    op.create_table(
        "unit_places",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["places.id"],
            name=op.f("fk_unit_places_place_id_places"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_unit_places_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("unit_id", "place_id", name=op.f("pk_unit_places")),
    )
    with op.batch_alter_table("unit_places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_places_place_id"), ["place_id"], unique=False)

    op.create_table(
        "unit_subjects",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_unit_subjects_subject_id_subjects"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_unit_subjects_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("unit_id", "subject_id", name=op.f("pk_unit_subjects")),
    )
    with op.batch_alter_table("unit_subjects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unit_subjects_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "provenance_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("event_type", sa.String(length=50), nullable=False),
        sa.Column("occurred_at", sa.String(length=100), nullable=True),
        sa.Column("occurred_start", sa.Date(), nullable=True),
        sa.Column("agent", sa.Text(), nullable=True),
        sa.Column("tool", sa.Text(), nullable=True),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["files.id"],
            name=op.f("fk_provenance_events_file_id_files"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_provenance_events_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provenance_events")),
        sa.UniqueConstraint("uuid", name=op.f("uq_provenance_events_uuid")),
    )
    with op.batch_alter_table("provenance_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provenance_events_file_id"), ["file_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_provenance_events_unit_id_occurred_start"),
            ["unit_id", "occurred_start"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("provenance_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provenance_events_unit_id_occurred_start"))
        batch_op.drop_index(batch_op.f("ix_provenance_events_file_id"))

    op.drop_table("provenance_events")
    with op.batch_alter_table("unit_subjects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_subjects_subject_id"))

    op.drop_table("unit_subjects")
    with op.batch_alter_table("unit_places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_places_place_id"))

    op.drop_table("unit_places")
    with op.batch_alter_table("unit_agents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_agents_agent_id"))

    op.drop_table("unit_agents")
    with op.batch_alter_table("reliability_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reliability_assessments_unit_id_assessed_at"))

    op.drop_table("reliability_assessments")
    with op.batch_alter_table("relations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relations_to_unit_id"))

    op.drop_table("relations")
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_files_unit_id"))

    op.drop_table("files")
    with op.batch_alter_table("agent_names", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_names_name"))

    op.drop_table("agent_names")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_units_parent_id_position"))
        batch_op.drop_index(batch_op.f("ix_units_date_start_date_end"))
        batch_op.drop_index(batch_op.f("ix_units_access_status"))

    op.drop_table("units")
    op.drop_table("subjects")
    op.drop_table("settings")
    op.drop_table("sequences")
    op.drop_table("places")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_row_uuid_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agents_authorised_name"))

    op.drop_table("agents")
