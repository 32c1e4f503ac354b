"""The column sets of the two CSV profiles, shared by the writers and the CSV import."""

from __future__ import annotations

from functools import cache

from catalog_app.paths import bundled

# The `isad` profile: a finding aid for people (and spreadsheet programs), one row per
# record in hierarchical order. The names are what a person reads in the header row.
ISAD_COLUMNS: tuple[str, ...] = (
    "Reference code",
    "Parent reference code",
    "Level",
    "Title",
    "Dates",
    "Date start",
    "Date end",
    "Date kind",
    "Extent and medium",
    "Source address",
    "Creators",
    "Administrative / biographical history",
    "Archival history",
    "Immediate source of acquisition",
    "Scope and content",
    "Appraisal, destruction and scheduling",
    "Accruals",
    "Arrangement",
    "Access status",
    "Conditions governing access",
    "Conditions governing reproduction",
    "Languages",
    "Scripts",
    "Physical characteristics and technical requirements",
    "Finding aids",
    "Existence and location of originals",
    "Existence and location of copies",
    "Related units of description",
    "Relations",
    "Publication note",
    "General note",
    "Archivist's note",
    "Rules or conventions",
    "Date of description",
    "Type",
    "Subjects",
    "Places",
    "Names",
    "Provenance",
    "Source reliability",
    "Information credibility",
    "Reliability notes",
    "Originals (SHA-256)",
    "UUID",
)
# Cells of these columns hold several values, one per line (a spreadsheet shows them so).
ISAD_MULTI_VALUE = (
    "Creators",
    "Languages",
    "Scripts",
    "Relations",
    "Subjects",
    "Places",
    "Names",
)


@cache
def atom_columns() -> tuple[str, ...]:
    """AtoM's ISAD(G) archival-description CSV header (AtoM 2.x), in its order."""
    header = bundled("resources") / "standards" / "atom_isad_csv_header.csv"
    return tuple(header.read_text(encoding="utf-8").strip().split(","))
