"""EAD3 finding aids (https://ead3.archivists.org/schema/), written as a stream.

The records arrive in pre-order with their depth (services/export_source.py). The first one
becomes <archdesc> and those below it nested <c> components inside <dsc>, opened and closed as
the depth changes, so that only the open ancestors' end tags are held while the rest of the
document goes straight to the output. With a `title` (a whole-catalogue export, which can
have several top-level records) an <archdesc level="collection"> of that title wraps every
top-level record as a first-level component.

ISAD(G) lands here: 3.1 in <did> (unitid, unittitle, unitdate / unitdatestructured,
physdesc, origination for the creators, langmaterial); <bioghist> for the administrative /
biographical history; archival history and the custody events (one <p> each, in date order,
export.sentences) in <custodhist>; the immediate source and the acquisition events in
<acqinfo>; then <scopecontent>, <appraisal>, <accruals>, <arrangement>, <accessrestrict>,
<userestrict>, <phystech>, <otherfindaid>, <originalsloc> (with the source address a captured
page was taken from), <altformavail> for the copies, <relatedmaterial> (with the recorded
relations as sentences) and <relations> (the same, one <relation> each), <bibliography> for
the publication note, <odd> for the general note and (localtype "reliability") the
Admiralty grades, <processinfo> for the archivist's note, the preservation events (fixity
checks and the like) and the description rules and date, and <controlaccess> for agents,
subjects, places and the media type. The catalogue's language and script of description
are the <languagedeclaration> in <control>.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain
from typing import TYPE_CHECKING, BinaryIO

from lxml import etree

from catalog_app import APP_NAME, __version__
from catalog_app.domain.records import AgentLink, AssessmentRecord, RelationRecord, UnitDetail
from catalog_app.domain.vocabulary import AgentKind, AgentRole
from catalog_app.export import sentences

if TYPE_CHECKING:
    from lxml.etree._serializer import _IncrementalFileWriter

    # Only a type here: export/ sits below services/ and does not import it at run time.
    from catalog_app.services.description_language import DescriptionLanguage
    from catalog_app.services.export_source import ExportUnit

EAD_NS = "http://ead3.archivists.org/schema/"

# Characters XML 1.0 allows (its `Char` production); anything else cannot be written at all.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_NMTOKEN = re.compile(r"^[\w.:-]+$")  # the attribute type of language and script codes
_NAMED_CODES = 20  # records named in a warning before it says "and N more"
RELIABILITY = "reliability"  # the @localtype of the <odd> holding the Admiralty grades

# Our levels of description -> EAD3 @level (otherlevel carries the rest in @otherlevel).
_LEVELS = {
    "fonds": "fonds",
    "subfonds": "subfonds",
    "collection": "collection",
    "series": "series",
    "subseries": "subseries",
    "file": "file",
    "item": "item",
    "record group": "recordgrp",
}
_AGENT_ELEMENTS = {
    AgentKind.PERSON.value: "persname",
    AgentKind.ORGANISATION.value: "corpname",
    AgentKind.FAMILY.value: "famname",
}


@dataclass(frozen=True)
class XmlReport:
    """What an XML export wrote: `rows` records, and what the person should know about it."""

    rows: int
    warnings: list[str] = field(default_factory=list)


class XmlText:
    """Makes text safe for XML 1.0, remembering which records lost characters on the way.

    Control characters (other than tab and line breaks), lone surrogates and U+FFFE/U+FFFF
    cannot appear in an XML document even escaped, so they are dropped, and the export
    names the records that had them.
    """

    def __init__(self) -> None:
        self._dropped = 0
        self._records: list[str] = []
        self._characters = 0

    def __call__(self, value: str) -> str:
        """`value` without the characters XML cannot hold, counted for this record."""
        cleaned, count = _NOT_XML.subn("", value)
        self._dropped += count
        return cleaned

    def end_record(self, reference_code: str) -> None:
        if self._dropped:
            self._records.append(reference_code)
            self._characters += self._dropped
            self._dropped = 0

    def warnings(self) -> list[str]:
        if not self._records:
            return []
        named = ", ".join(self._records[:_NAMED_CODES])
        more = len(self._records) - _NAMED_CODES
        tail = f" and {more} more" if more > 0 else ""
        return [
            f"removed {self._characters} character(s) that XML does not allow (control "
            f"characters) from {len(self._records)} record(s): {named}{tail}"
        ]


def xml_safe(value: str) -> str:
    """`value` without the characters XML cannot hold (uncounted: not a record's text)."""
    return _NOT_XML.sub("", value)


def level_attributes(level: str) -> dict[str, str]:
    """EAD3's @level (and @otherlevel) for one of our levels of description."""
    mapped = _LEVELS.get(level)
    if mapped is not None:
        return {"level": mapped}
    return {"level": "otherlevel", "otherlevel": level}


def write(
    units: Iterable[ExportUnit], out: BinaryIO, *, title: str | None = None, agency: str = ""
) -> XmlReport:
    """Write an EAD3 document for `units` (pre-order, with depths) to `out`.

    Without `title` the first record is the described collection (<archdesc>) and the rest
    must lie below it. With `title` the export is a set of top-level records (the whole
    catalogue): an <archdesc level="collection"> of that title holds each as a component.
    """
    text = XmlText()
    records = iter(units)
    first = next(records, None)
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{EAD_NS}}}ead", nsmap={None: EAD_NS}):
            xf.write("\n")
            # Everything inside <ead> is built without a namespace: written inside the
            # default-namespace root it serialises unprefixed and so lands in EAD3's
            # namespace, instead of repeating xmlns on every component.
            xf.write(_control(first, title, agency), pretty_print=True)
            if first is None or title is not None:
                tree = _Tree(xf, top_level=1)
                with xf.element("archdesc", level="collection"):
                    xf.write("\n")
                    xf.write(_wrapper_did(title or "Nothing to export", agency), pretty_print=True)
                    tree.add_all(records if first is None else chain([first], records), text)
                rows = tree.count
            else:
                tree = _Tree(xf, top_level=0)
                with xf.element("archdesc", _attributes(first.detail)):
                    xf.write("\n")
                    for element in _description(first.detail, text, agency=agency):
                        xf.write(element, pretty_print=True)
                    text.end_record(first.detail.reference_code)
                    tree.add_all(records, text)
                rows = tree.count + 1
    return XmlReport(rows=rows, warnings=text.warnings())


class _Tree:
    """The open <dsc> and <c> elements below <archdesc>: opened and closed by depth."""

    def __init__(self, xf: _IncrementalFileWriter, *, top_level: int) -> None:
        self._xf = xf
        self._offset = top_level  # nesting level of a depth-0 record (0: it is archdesc)
        self._open: list[AbstractContextManager[None]] = []  # <dsc>, then each open <c>
        self.count = 0

    def add_all(self, units: Iterator[ExportUnit], text: XmlText) -> None:
        """Write `units` as components, then close all that is still open."""
        try:
            for unit in units:
                self.add(unit, text)
            while self._open:
                self._close_last()
        except BaseException as error:
            # Leave the open elements as a failed `with` would, so that the error itself
            # reaches the caller rather than lxml's complaint about unclosed elements.
            while self._open:
                self._open.pop().__exit__(type(error), error, error.__traceback__)
            raise

    def add(self, unit: ExportUnit, text: XmlText) -> None:
        level = unit.depth + self._offset  # 1: directly inside <dsc>
        if level < 1:
            raise ValueError(
                f"record {unit.detail.reference_code} is a second top-level record: pass a "
                "title to export several as one collection"
            )
        # Open before it: <dsc> and its `level - 1` ancestors; close what it is not below.
        while len(self._open) > level:
            self._close_last()
        if not self._open:
            self._enter(self._xf.element("dsc"))
        if len(self._open) != level:
            raise ValueError(f"record {unit.detail.reference_code} skips a hierarchy level")
        self._enter(self._xf.element("c", _attributes(unit.detail)))
        for element in _description(unit.detail, text):
            self._xf.write(element, pretty_print=True)
        text.end_record(unit.detail.reference_code)
        self.count += 1

    def _enter(self, element: AbstractContextManager[None]) -> None:
        element.__enter__()
        self._open.append(element)
        self._xf.write("\n")  # a line per element keeps a large file readable and diffable

    def _close_last(self) -> None:
        self._open.pop().__exit__(None, None, None)
        self._xf.write("\n")


# -- control ----------------------------------------------------------------------------


def _control(first: ExportUnit | None, title: str | None, agency: str) -> etree._Element:
    control = etree.Element("control")
    if title is None and first is not None:
        record_id, finding_aid_title = f"urn:uuid:{first.detail.uuid}", first.detail.title
    else:
        record_id, finding_aid_title = f"urn:uuid:{uuid.uuid4()}", title or "Nothing to export"
    _sub(control, "recordid", record_id)
    titlestmt = etree.SubElement(etree.SubElement(control, "filedesc"), "titlestmt")
    _sub(titlestmt, "titleproper", xml_safe(finding_aid_title))
    etree.SubElement(control, "maintenancestatus", value="derived")
    maintenance = etree.SubElement(control, "maintenanceagency")
    _sub(maintenance, "agencyname", xml_safe(agency.strip()) or "Not recorded")
    if first is not None:
        control.append(_language_declaration(first.description_language))
    convention = etree.SubElement(control, "conventiondeclaration")
    _sub(convention, "abbr", "ISAD(G)")
    _sub(convention, "citation", "ISAD(G): General International Standard Archival Description")
    declared = etree.SubElement(control, "localtypedeclaration")
    _sub(declared, "abbr", RELIABILITY)
    _sub(
        declared,
        "citation",
        "Admiralty (NATO) grading of the source's reliability (A completely reliable to "
        "F cannot be judged) and of the information's credibility (1 confirmed by other "
        "sources to 6 cannot be judged)",
    )
    event = etree.SubElement(etree.SubElement(control, "maintenancehistory"), "maintenanceevent")
    etree.SubElement(event, "eventtype", value="derived")
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    _sub(event, "eventdatetime", f"{now.isoformat()}Z", standarddatetime=now.isoformat())
    etree.SubElement(event, "agenttype", value="machine")
    _sub(event, "agent", f"{APP_NAME} {__version__}")
    _sub(event, "eventdescription", "Exported from the field catalogue.")
    return control


def _language_declaration(language: DescriptionLanguage) -> etree._Element:
    """The language and script the descriptions are written in (the catalogue's setting)."""
    declaration = etree.Element("languagedeclaration")
    _sub(declaration, "language", language.language, **_code("langcode", language.language))
    _sub(declaration, "script", language.script, **_code("scriptcode", language.script))
    return declaration


def _wrapper_did(title: str, agency: str) -> etree._Element:
    did = etree.Element("did")
    _sub(did, "unittitle", xml_safe(title))
    _repository(did, agency)
    return did


def _repository(did: etree._Element, agency: str) -> None:
    if agency.strip():
        corpname = etree.SubElement(etree.SubElement(did, "repository"), "corpname")
        _sub(corpname, "part", xml_safe(agency.strip()))


# -- one record -------------------------------------------------------------------------


def _attributes(detail: UnitDetail) -> dict[str, str]:
    """@level and an @id (an xs:ID cannot start with a digit, so not the bare UUID)."""
    return {**level_attributes(detail.level), "id": f"u-{detail.uuid}"}


def _description(detail: UnitDetail, text: XmlText, *, agency: str = "") -> list[etree._Element]:
    """<did> and the notes of one record, in ISAD(G) order; empty fields are left out."""
    elements = [_did(detail, text, agency)]
    events = detail.events
    notes = [
        _note("bioghist", _paragraphs(detail.administrative_history, text)),
        _note(
            "custodhist",
            _paragraphs(detail.archival_history, text)
            + _lines(map(sentences.event_sentence, sentences.custody_events(events)), text),
        ),
        _note(
            "acqinfo",
            _paragraphs(detail.acquisition, text)
            + _lines(map(sentences.event_sentence, sentences.acquisition_events(events)), text),
        ),
        _note("scopecontent", _paragraphs(detail.scope_content, text)),
        _note("appraisal", _paragraphs(detail.appraisal, text)),
        _note("accruals", _paragraphs(detail.accruals, text)),
        _note("arrangement", _paragraphs(detail.arrangement, text)),
        _note(
            "accessrestrict",
            [_p(f"Access: {detail.access_status}."), *_paragraphs(detail.access_note, text)],
            localtype=detail.access_status,
        ),
        _note("userestrict", _paragraphs(detail.reproduction_note, text)),
        _note("phystech", _paragraphs(detail.physical_characteristics, text)),
        _note("otherfindaid", _paragraphs(detail.finding_aids, text)),
        _note("originalsloc", _originals(detail, text)),
        _note("altformavail", _paragraphs(detail.copies_location, text)),
        _note("relatedmaterial", _related(detail, text)),
        _relations(detail.relations, text),
        _note("bibliography", _paragraphs(detail.publication_note, text)),
        _note("odd", _paragraphs(detail.general_note, text)),
        # The Admiralty grading has no EAD element of its own. It describes the material
        # (how far its source and content can be trusted), not the archivist's processing,
        # so it goes in <odd> ("other descriptive data"), told apart by @localtype (declared
        # in <control>); a <processinfo> would be read as a note about arranging and
        # describing.
        _note(
            "odd",
            _assessments(detail.assessments, text),
            head="Reliability assessment",
            localtype=RELIABILITY,
        ),
        _note("processinfo", _paragraphs(detail.archivist_note, text), localtype="archivist-note"),
        _note(
            "processinfo",
            _lines(map(sentences.event_sentence, sentences.preservation_events(events)), text),
            head="Preservation events",
            localtype="preservation-events",
        ),
        _note(
            "processinfo",
            _description_control(detail, text),
            localtype="description-control",
        ),
    ]
    elements += [note for note in notes if note is not None]
    access = _controlaccess(detail, text)
    if len(access):
        elements.append(access)
    return elements


def _did(detail: UnitDetail, text: XmlText, agency: str) -> etree._Element:
    did = etree.Element("did")
    _sub(did, "unitid", text(detail.reference_code), identifier=f"urn:uuid:{detail.uuid}")
    _sub(did, "unittitle", text(detail.title))
    date_character = {"datechar": detail.date_kind} if detail.date_kind else {}
    if detail.date_expression:
        _sub(did, "unitdate", text(detail.date_expression), **date_character)
    if detail.date_start or detail.date_end:
        structured = etree.SubElement(did, "unitdatestructured", date_character)
        start, end = detail.date_start, detail.date_end
        if start is not None and start == end:
            _sub(structured, "datesingle", start.isoformat(), standarddate=start.isoformat())
        else:
            span = etree.SubElement(structured, "daterange")
            for tag, bound in (("fromdate", start), ("todate", end)):
                if bound is not None:
                    _sub(span, tag, bound.isoformat(), standarddate=bound.isoformat())
    creators = [a for a in detail.agents if a.role == AgentRole.CREATOR.value]
    if creators:
        origination = etree.SubElement(did, "origination", label="Creator")
        origination.extend(_agent(agent, text) for agent in creators)
    if detail.extent:
        _sub(did, "physdesc", text(detail.extent))
    if detail.languages or detail.scripts:
        did.append(_langmaterial(detail.languages, detail.scripts, text))
    _repository(did, agency)
    return did


def _langmaterial(
    languages: tuple[str, ...], scripts: tuple[str, ...], text: XmlText
) -> etree._Element:
    langmaterial = etree.Element("langmaterial")
    # Scripts can only be given in a <languageset> beside at least one language; "und"
    # (ISO 639-2: undetermined) stands in when the record names scripts only.
    holder = etree.SubElement(langmaterial, "languageset") if scripts else langmaterial
    for code in languages or ("und",):
        _sub(holder, "language", text(code), **_code("langcode", code))
    for code in scripts:
        _sub(holder, "script", text(code), **_code("scriptcode", code))
    return langmaterial


def _code(attribute: str, code: str) -> dict[str, str]:
    return {attribute: code} if _NMTOKEN.match(code) else {}


def _originals(detail: UnitDetail, text: XmlText) -> list[etree._Element]:
    """3.5.1 as typed, then the address the captured original is at, as a link."""
    paragraphs = _paragraphs(detail.originals_location, text)
    address = sentences.source_address(detail)
    if address:
        paragraph = _p(sentences.SOURCE_PREFIX)
        link = etree.SubElement(paragraph, "ref", href=text(address))
        link.text = text(address)
        paragraphs.append(paragraph)
    return paragraphs


def _assessments(assessments: tuple[AssessmentRecord, ...], text: XmlText) -> list[etree._Element]:
    """One paragraph per assessment, the current one first, then those it superseded."""
    return [
        _p(text(f"{'Current' if n == 0 else 'Superseded'}: " + " ".join(reliability)))
        for n, reliability in enumerate(map(sentences.reliability_lines, assessments))
    ]


def _related(detail: UnitDetail, text: XmlText) -> list[etree._Element]:
    paragraphs = _paragraphs(detail.related_note, text)
    return paragraphs + _lines(map(sentences.relation_sentence, detail.relations), text)


def _relations(relations: tuple[RelationRecord, ...], text: XmlText) -> etree._Element | None:
    """The recorded relations to other records, one <relation> each: its kind (as seen from
    this record: "outgoing", or "incoming" when the other record is the subject), the other
    record's reference code and title, and the relation as a sentence."""
    if not relations:
        return None
    element = etree.Element("relations")
    for relation in relations:
        one = etree.SubElement(element, "relation", relationtype="resourcerelation")
        for localtype, value in (
            (relation.direction, relation.kind),
            ("reference code", relation.other_reference_code),
            ("title", relation.other_title),
        ):
            _sub(one, "relationentry", text(value), localtype=localtype)
        note = etree.SubElement(one, "descriptivenote")
        note.append(_p(text(sentences.relation_sentence(relation))))
    return element


def _description_control(detail: UnitDetail, text: XmlText) -> list[etree._Element]:
    lines = []
    if detail.rules:
        lines.append(f"Rules or conventions: {detail.rules}")
    if detail.description_date:
        lines.append(f"Date of description: {detail.description_date}")
    return [_p(text(line)) for line in lines]


def _controlaccess(detail: UnitDetail, text: XmlText) -> etree._Element:
    access = etree.Element("controlaccess")
    access.extend(_agent(agent, text) for agent in detail.agents)
    for subject in detail.subjects:
        attributes = {"identifier": subject.uri} if subject.uri else {}
        if subject.vocabulary:
            attributes["source"] = subject.vocabulary
        element = etree.SubElement(access, "subject", _clean_all(attributes, text))
        _sub(element, "part", text(subject.name))
    for place in detail.places:
        element = etree.SubElement(access, "geogname", identifier=f"urn:uuid:{place.uuid}")
        _sub(element, "part", text(place.name))
        if place.latitude is not None and place.longitude is not None:
            _sub(
                element,
                "geographiccoordinates",
                f"{place.latitude}, {place.longitude}",
                coordinatesystem="WGS84",
            )
    if detail.media_type:
        genre = etree.SubElement(access, "genreform", localtype="media type")
        _sub(genre, "part", detail.media_type)
    return access


def _agent(agent: AgentLink, text: XmlText) -> etree._Element:
    element = etree.Element(
        _AGENT_ELEMENTS.get(agent.kind, "name"),
        relator=agent.role,
        identifier=f"urn:uuid:{agent.agent_uuid}",
    )
    _sub(element, "part", text(agent.authorised_name))
    return element


# -- helpers ----------------------------------------------------------------------------


def _note(
    tag: str, paragraphs: list[etree._Element], *, head: str | None = None, **attributes: str
) -> etree._Element | None:
    """A note element holding `paragraphs`, or None when there is nothing to say."""
    if not paragraphs:
        return None
    note = etree.Element(tag, attributes)
    if head is not None:
        _sub(note, "head", head)
    note.extend(paragraphs)
    return note


def _lines(lines: Iterable[str], text: XmlText) -> list[etree._Element]:
    """One <p> per generated line."""
    return [_p(text(line)) for line in lines]


def _paragraphs(value: str | None, text: XmlText) -> list[etree._Element]:
    """A note as <p> elements, one per paragraph (blank-line separated); none if empty."""
    if not value:
        return []
    parts = (part.strip() for part in _PARAGRAPH_BREAK.split(text(value)))
    return [_p(part) for part in parts if part]


def _p(content: str) -> etree._Element:
    paragraph = etree.Element("p")
    paragraph.text = content
    return paragraph


def _sub(parent: etree._Element, tag: str, content: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attributes)
    element.text = content
    return element


def _clean_all(attributes: dict[str, str], text: XmlText) -> dict[str, str]:
    return {name: text(value) for name, value in attributes.items()}
