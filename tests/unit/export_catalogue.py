"""A catalogue with everything an export carries and every access rule it applies, made by
the tests (tests/unit/test_export_loader.py, test_export_golden.py).

    RICH fonds (open)                     description, agents, terms, events, grades, originals
      series (open)
        item (open)                       relations to open, restricted and hidden records
        hidden item (restricted)          with an open child below it
          child (open, below restricted)
        third item (open, Persian)
      confidential (confidential)
    CLOSED fonds (restricted)
      inside (open)
    loose item (open, top level)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from catalog_app.domain.records import AgentName, NewAssessment, NewEvent
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.services import Catalogue
from catalog_app.services.identity import host_name, login_name
from catalog_app.services.originals import OriginalsService


@dataclass(frozen=True)
class Rich:
    fonds: int
    series: int
    item: int
    hidden: int
    child: int
    third: int
    confidential: int
    closed: int
    inside: int
    loose: int
    folder: Path  # where the originals were imported from (an internal detail)


def _original(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def build_rich(catalogue: Catalogue, tmp_path: Path) -> Rich:
    catalogue.description_language.set("fa", "Arab")
    units, agents, terms = catalogue.units, catalogue.agents, catalogue.terms
    fonds = units.create(
        {
            "title": 'نامه‌های خانواده, "quoted"',
            "reference_code": "RICH",
            "level": "fonds",
            "date_expression": "1979/1988",
            "date_kind": "creation",
            "extent": "3 boxes",
            "administrative_history": "The family.\n\nTwo paragraphs.",
            "archival_history": "Kept by the family.",
            "acquisition": "Given by the family.",
            "scope_content": "=SUM(A1) letters\r\nwith lines",
            "appraisal": "Duplicates destroyed.",
            "accruals": "More | perhaps",
            "arrangement": "By year.",
            "access_note": "Open to all.",
            "reproduction_note": "Ask first.",
            "physical_characteristics": "Faded ink.",
            "finding_aids": "A list.",
            "originals_location": "With the family.",
            "copies_location": "Scans.",
            "related_note": "See the photographs.",
            "publication_note": "Cited in a book.",
            "general_note": "+98 21 1234",
            "archivist_note": "Checked by Sara (working note)",
            "rules": "ISAD(G)",
            "description_date": "2024-01-02",
            "source_url": "https://example.org/letters",
            "languages": ["fa", "en"],
            "scripts": ["Arab", "Latn"],
            "media_type": "text",
        }
    )
    series = units.create(
        {"title": "Series\x07 bell", "level": "series", "date_expression": "-0044"},
        parent_id=fonds.id,
    )
    item = units.create(
        {
            "title": "@item title",
            "level": "item",
            "date_expression": "1985~",
            "date_kind": "publication",
            "media_type": "web page",
            "archivist_note": "secret source",
        },
        parent_id=series.id,
    )
    hidden = units.create(
        {"title": "Hidden", "level": "file", "access_status": "restricted"},
        parent_id=series.id,
    )
    child = units.create({"title": "Below hidden", "level": "item"}, parent_id=hidden.id)
    third = units.create(
        {"title": "گزارش سوم", "date_expression": "1988-08", "date_kind": "capture"},
        parent_id=series.id,
    )
    confidential = units.create(
        {"title": "Confidential", "level": "part", "access_status": "confidential"},
        parent_id=fonds.id,
    )
    closed = units.create(
        {"title": "Closed fonds", "level": "record group", "access_status": "restricted"}
    )
    inside = units.create({"title": "Inside closed"}, parent_id=closed.id)
    loose = units.create({"title": "Loose item", "date_expression": "2001-02-03"})

    person = agents.create(
        "محمد رضایی",
        names=[AgentName("Mohammad Rezaei", "variant", "Latn")],
        dates_of_existence="1950-",
    )
    organisation = agents.create("Shah Mosque", kind="organisation")
    family = agents.create("Mohammadi family", kind="family")
    for unit_id, agent_id, role in (
        (fonds.id, person.id, "creator"),
        (fonds.id, family.id, "creator"),
        (fonds.id, organisation.id, "subject"),
        (item.id, family.id, "publisher"),
        (item.id, person.id, "mentioned"),
        (item.id, organisation.id, "custodian"),
        (child.id, person.id, "creator"),
    ):
        units.link_agent(unit_id, agent_id, role)
    tehran = terms.place("تهران", variants=["Tehran"], latitude=35.69, longitude=51.39)
    for unit_id in (fonds.id, item.id):
        units.link_place(unit_id, tehran.id)
    units.link_place(item.id, terms.place("Evin").id)
    for term, vocabulary, uri in (
        ("اعدام‌ها", "local", None),
        ("Prisons", "lcsh", "http://id.loc.gov/authorities/subjects/sh85107047"),
        ("a | pipe", "", None),
    ):
        units.link_subject(item.id, terms.subject(term, vocabulary=vocabulary, uri=uri).id)

    record = catalogue.provenance.record
    record(fonds.id, NewEvent("transfer", occurred_at="2020-03-01", agent="Family"))
    record(fonds.id, NewEvent("fixity check", occurred_at="2024-02-01", outcome="success"))
    record(
        fonds.id,
        NewEvent(
            "capture",
            occurred_at="2019-11-02",
            agent=login_name() or "someone",
            tool="wget 1.21",
            place=host_name() or "somewhere",
            source_url="https://example.org/letters/1",
            note="With headers.",
        ),
    )
    record(fonds.id, NewEvent("accession", occurred_at="2020-04-01", agent="Archive"))
    record(fonds.id, NewEvent("migration", note="undated"))
    record(third.id, NewEvent("capture", occurred_at="2019-11-02", source_url="https://x.org/3"))
    for unit_id, grades in ((fonds.id, (("C", 2023), ("B", 2024))), (item.id, (("A", 2022),))):
        for grade, year in grades:
            catalogue.reliability.assess(
                unit_id,
                NewAssessment(
                    SourceReliability(grade),
                    InformationCredibility.PROBABLY_TRUE,
                    affiliation_note="Family of the prisoner",
                    corroboration_note="Two witnesses agree",
                    method_note="Compared" if grade == "B" else None,
                    assessor="Reza",
                    assessed_at=datetime(year, 1, 5, 6, 7, tzinfo=UTC),
                ),
            )
    relations = catalogue.relations
    relations.relate(third.id, item.id, "corroborates", note="همان رویداد")
    relations.relate(item.id, hidden.id, "cites")
    relations.relate(item.id, child.id, "republishes", similarity=0.93, found_by="method")
    relations.relate(inside.id, item.id, "cites")
    relations.relate(item.id, loose.id, "contradicts", note="dates differ\nby a year")

    folder = tmp_path / "private folder"
    originals = OriginalsService(catalogue)
    originals.attach(fonds.id, _original(folder, "letter.txt", "نامه اول"))
    originals.attach(fonds.id, _original(folder / "b", "page.html", "<p>A page</p>"))
    stored = originals.attach(item.id, _original(folder, "note.txt", "a note"))
    originals.attach(hidden.id, _original(folder, "hidden.txt", "hidden text"))
    with catalogue.db.write("tester") as session:
        # Text with a NUL in it counts as its characters all the same.
        session.execute(
            text("UPDATE files SET extracted_text = :value WHERE id = :id"),
            {"value": "a\x00note ✓", "id": stored.id},
        )
    return Rich(
        fonds.id,
        series.id,
        item.id,
        hidden.id,
        child.id,
        third.id,
        confidential.id,
        closed.id,
        inside.id,
        loose.id,
        folder,
    )
