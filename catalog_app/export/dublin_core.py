"""Simple Dublin Core (the OAI-PMH `oai_dc` format), one <oai_dc:dc> record per unit, streamed.

oai_dc defines the record element only; outside an OAI-PMH response (which needs a request,
a response date and per-record headers that a file has no use for) there is no standard
container. The file therefore has a plain <records> root in no namespace, and each record
declares its own namespaces and schema location, so that a consumer can lift any record out
as a complete oai_dc document.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, BinaryIO

from lxml import etree

from catalog_app.domain.records import UnitDetail
from catalog_app.domain.vocabulary import AgentRole, Level, MediaKind
from catalog_app.export import sentences
from catalog_app.export.ead import XmlReport, XmlText

if TYPE_CHECKING:
    from catalog_app.services.export_source import ExportUnit  # a type only, as in ead.py

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_SCHEMA = f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
_NSMAP = {"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS}

# Our media types -> the DCMI Type Vocabulary (dc:type's recommended scheme).
_DCMI_TYPES = {
    MediaKind.TEXT.value: "Text",
    MediaKind.WEB_PAGE.value: "Text",
    MediaKind.PDF.value: "Text",
    MediaKind.DOCUMENT.value: "Text",
    MediaKind.IMAGE.value: "StillImage",
    MediaKind.AUDIO.value: "Sound",
    MediaKind.VIDEO.value: "MovingImage",
}
_SINGLE_ITEMS = frozenset({Level.ITEM.value, Level.PART.value})
_SUBJECT_ROLES = frozenset({AgentRole.SUBJECT.value, AgentRole.MENTIONED.value})


def write(units: Iterable[ExportUnit], out: BinaryIO) -> XmlReport:
    """Write one oai_dc record per unit, in the order given, inside a <records> root."""
    text = XmlText()
    count = 0
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("records"):
            xf.write("\n")
            for unit in units:
                xf.write(_record(unit.detail, text), pretty_print=True)
                text.end_record(unit.detail.reference_code)
                count += 1
    return XmlReport(rows=count, warnings=text.warnings())


def _record(detail: UnitDetail, text: XmlText) -> etree._Element:
    record = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap=_NSMAP)
    record.set(f"{{{XSI_NS}}}schemaLocation", OAI_DC_SCHEMA)
    for name, values in _elements(detail):
        for value in values:
            cleaned = text(value).strip()
            if cleaned:
                etree.SubElement(record, f"{{{DC_NS}}}{name}").text = cleaned
    return record


def _elements(detail: UnitDetail) -> Iterator[tuple[str, list[str]]]:
    """(DC element, values) in the order DCMI lists them; empty values are dropped later."""
    yield "title", [detail.title]
    yield "creator", _agents(detail, {AgentRole.CREATOR.value})
    yield (
        "subject",
        [s.name for s in detail.subjects] + _agents(detail, _SUBJECT_ROLES),
    )
    yield "description", [detail.scope_content or ""]
    yield "publisher", _agents(detail, {AgentRole.PUBLISHER.value})
    yield "date", [detail.date_expression or ""]
    yield "type", _types(detail)
    yield "format", _unique([f.media_type for f in detail.files] + [detail.extent or ""])
    yield "identifier", [detail.reference_code, f"urn:uuid:{detail.uuid}"]
    # The record's own source address first, then any its events name (older records).
    yield "source", _unique([detail.source_url or ""] + [e.source_url or "" for e in detail.events])
    yield "language", list(detail.languages)
    yield "relation", _relations(detail)
    yield "coverage", [p.name for p in detail.places]
    yield (
        "rights",
        [
            f"Access: {detail.access_status}. {detail.access_note or ''}",
            detail.reproduction_note or "",
        ],
    )


def _agents(detail: UnitDetail, roles: set[str] | frozenset[str]) -> list[str]:
    return _unique([a.authorised_name for a in detail.agents if a.role in roles])


def _types(detail: UnitDetail) -> list[str]:
    types = [] if detail.level in _SINGLE_ITEMS else ["Collection"]
    if detail.media_type:
        types.append(_DCMI_TYPES.get(detail.media_type, ""))
        types.append(detail.media_type)  # the catalogue's own, finer term
    return _unique(types)


def _relations(detail: UnitDetail) -> list[str]:
    relations = [detail.related_note or ""]
    if detail.parent_reference_code:
        relations.append(f"Part of {detail.parent_reference_code}")
    return relations + [sentences.relation_sentence(r) for r in detail.relations]


def _unique(values: list[str]) -> list[str]:
    """`values` without repeats (case-insensitive) or blanks, first spelling kept."""
    seen: set[str] = set()
    kept = []
    for value in values:
        key = value.strip().casefold()
        if key and key not in seen:
            seen.add(key)
            kept.append(value)
    return kept
