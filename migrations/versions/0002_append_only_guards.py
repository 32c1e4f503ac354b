"""Append-only guards: the audit log can be neither edited nor deleted from, and a reliability
assessment, once recorded, is never edited (a new one supersedes it).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TRIGGERS = {
    "audit_log_no_update": (
        "BEFORE UPDATE ON audit_log",
        "SELECT RAISE(ABORT, 'the audit log is append-only');",
    ),
    "audit_log_no_delete": (
        "BEFORE DELETE ON audit_log",
        "SELECT RAISE(ABORT, 'the audit log is append-only');",
    ),
    "reliability_assessments_no_update": (
        "BEFORE UPDATE ON reliability_assessments",
        "SELECT RAISE(ABORT, 'a reliability assessment is never changed: record a new one');",
    ),
}


def upgrade() -> None:
    for name, (when, body) in _TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")


def downgrade() -> None:
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
