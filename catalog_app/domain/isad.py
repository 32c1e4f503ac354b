"""ISAD(G)'s 26 elements of description in its seven areas, and the unit fields that hold each:
the one table the Description form, the Summary and `catalog show` present a record by.

3.2.1, the name of the creator(s), holds no field of its own: it is the unit's agents linked in
the creator role. The source address of captured material is no ISAD(G) element (its number is
empty); it is shown in the identity statement, where the material is identified.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog_app.domain.dates import DateError, describe_date
from catalog_app.domain.languages import language_names, script_names
from catalog_app.domain.records import UnitDetail
from catalog_app.domain.vocabulary import AgentRole

CREATOR_ROLE = AgentRole.CREATOR.value


@dataclass(frozen=True)
class Element:
    number: str  # "3.2.2"; empty for what the standard does not number
    name: str  # as the standard names it
    label: str  # the short form a form or a listing shows
    fields: tuple[str, ...]  # the unit fields holding it, in the order they are shown
    essential: bool = False  # ISAD(G) 2.4: required for the international exchange

    @property
    def creators(self) -> bool:
        """Whether this is 3.2.1, held by the creator links rather than a field."""
        return not self.fields

    @property
    def reference(self) -> str:
        """'ISAD(G) 3.2.2 Administrative / biographical history', for tooltips."""
        return f"ISAD(G) {self.number} {self.name}" if self.number else self.name


@dataclass(frozen=True)
class Area:
    number: str  # "3.2"
    name: str
    elements: tuple[Element, ...]


E = Element
AREAS: tuple[Area, ...] = (
    Area(
        "3.1",
        "Identity statement",
        (
            E("3.1.1", "Reference code(s)", "Reference code", ("reference_code",), True),
            E("3.1.2", "Title", "Title", ("title",), True),
            E("3.1.3", "Date(s)", "Dates", ("date_expression", "date_kind"), True),
            E("3.1.4", "Level of description", "Level", ("level",), True),
            E(
                "3.1.5",
                "Extent and medium of the unit of description",
                "Extent and medium",
                ("extent", "media_type"),
                True,
            ),
            E("", "Source address of captured material", "Source address", ("source_url",)),
        ),
    ),
    Area(
        "3.2",
        "Context",
        (
            E("3.2.1", "Name of creator(s)", "Creators", (), True),
            E(
                "3.2.2",
                "Administrative / biographical history",
                "Administrative / biographical history",
                ("administrative_history",),
            ),
            E("3.2.3", "Archival history", "Archival history", ("archival_history",)),
            E(
                "3.2.4",
                "Immediate source of acquisition or transfer",
                "Immediate source of acquisition",
                ("acquisition",),
            ),
        ),
    ),
    Area(
        "3.3",
        "Content and structure",
        (
            E("3.3.1", "Scope and content", "Scope and content", ("scope_content",)),
            E(
                "3.3.2",
                "Appraisal, destruction and scheduling information",
                "Appraisal, destruction and scheduling",
                ("appraisal",),
            ),
            E("3.3.3", "Accruals", "Accruals", ("accruals",)),
            E("3.3.4", "System of arrangement", "Arrangement", ("arrangement",)),
        ),
    ),
    Area(
        "3.4",
        "Conditions of access and use",
        (
            E(
                "3.4.1",
                "Conditions governing access",
                "Conditions of access",
                ("access_status", "access_note"),
            ),
            E(
                "3.4.2",
                "Conditions governing reproduction",
                "Conditions of reproduction",
                ("reproduction_note",),
            ),
            E(
                "3.4.3",
                "Language/scripts of material",
                "Languages and scripts",
                ("languages", "scripts"),
            ),
            E(
                "3.4.4",
                "Physical characteristics and technical requirements",
                "Physical characteristics",
                ("physical_characteristics",),
            ),
            E("3.4.5", "Finding aids", "Finding aids", ("finding_aids",)),
        ),
    ),
    Area(
        "3.5",
        "Allied materials",
        (
            E(
                "3.5.1",
                "Existence and location of originals",
                "Location of originals",
                ("originals_location",),
            ),
            E(
                "3.5.2",
                "Existence and location of copies",
                "Location of copies",
                ("copies_location",),
            ),
            E(
                "3.5.3",
                "Related units of description",
                "Related units of description",
                ("related_note",),
            ),
            E("3.5.4", "Publication note", "Publication note", ("publication_note",)),
        ),
    ),
    Area("3.6", "Notes", (E("3.6.1", "Note", "Note", ("general_note",)),)),
    Area(
        "3.7",
        "Description control",
        (
            E("3.7.1", "Archivist's note", "Archivist's note", ("archivist_note",)),
            E("3.7.2", "Rules or conventions", "Rules or conventions", ("rules",)),
            E("3.7.3", "Date(s) of descriptions", "Date of description", ("description_date",)),
        ),
    ),
)
del E


def creators(unit: UnitDetail) -> list[str]:
    """The names of the unit's creators (3.2.1), in the order they were linked."""
    return [a.authorised_name for a in unit.agents if a.role == CREATOR_ROLE]


def dates_text(expression: str | None) -> str | None:
    """A date expression with what it means in plain words ("1988-06/1988-08 (summer 1988)")."""
    if not expression:
        return None
    try:
        return f"{expression} ({describe_date(expression)})"
    except DateError:  # stored before a rule tightened: shown as it is
        return expression


def element_text(unit: UnitDetail, element: Element) -> str | None:
    """An element's value as one plain text (several fields joined), None if it has none."""
    if element.creators:
        return "; ".join(creators(unit)) or None
    if element.number == "3.1.3":
        parts = [dates_text(unit.date_expression), unit.date_kind]
    elif element.number == "3.4.1":
        note = f": {unit.access_note}" if unit.access_note else ""
        return f"{unit.access_status}{note}"
    elif element.number == "3.4.3":
        parts = [language_names(unit.languages), script_names(unit.scripts)]
    else:
        parts = [getattr(unit, name) for name in element.fields]
    text = "; ".join(str(part) for part in parts if part)
    return text or None


def described_elements(unit: UnitDetail) -> list[tuple[Area, list[tuple[Element, str]]]]:
    """The areas in which the unit has values, each with its elements that have one."""
    shown = []
    for area in AREAS:
        values = [(e, text) for e in area.elements if (text := element_text(unit, e))]
        if values:
            shown.append((area, values))
    return shown
