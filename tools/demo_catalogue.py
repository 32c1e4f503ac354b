"""Build a small sample catalogue for trying the program and for screenshots.

python tools/demo_catalogue.py /tmp/demo.sqlite
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from catalog_app.domain.records import AgentName, NewAssessment, NewEvent
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.services import Catalogue

DOCUMENTS = {
    "statement-mothers-of-khavaran.html": (
        "<html><head><title>Statement of the Mothers of Khavaran</title></head><body>"
        "<article><h1>Statement of the Mothers of Khavaran</h1>"
        "<p>Every year at the end of summer the families of the prisoners executed in 1988 "
        "gather at Khavaran cemetery in the south-east of Tehran. They bring flowers to a "
        "field where no grave carries a name.</p>"
        "<p>In this statement the mothers ask for the truth about the mass graves, for the "
        "names of those buried there, and for the right to mourn in peace. Security forces "
        "have stopped the gathering in several years and detained relatives for hours.</p>"
        "<p>The mothers say they will come back to Khavaran every summer until the truth "
        "is told.</p></article></body></html>"
    ),
    "gozaresh-khavaran.html": (
        '<html lang="fa" dir="rtl"><head><title>گزارش دیدار خانواده‌ها در خاوران</title>'
        "</head><body><article><h1>گزارش دیدار خانواده‌ها در خاوران</h1>"
        "<p>خانواده‌های زندانیان سیاسی اعدام‌شده در تابستان ۱۳۶۷ هر سال در خاوران گرد "
        "هم می‌آیند. مادران خاوران می‌گویند که هنوز نمی‌دانند عزیزانشان کجا به خاک "
        "سپرده شده‌اند.</p><p>در این گزارش شاهدان از گورهای جمعی و از برخورد نیروهای "
        "امنیتی با خانواده‌ها سخن می‌گویند. بسیاری از خانواده‌ها ساعت‌ها بازداشت "
        "شدند.</p></article></body></html>"
    ),
}


SCANNED_PAGES = (
    ("Statement of a relative, page 1", "Given at Khavaran on 28 August 2023."),
    ("Statement of a relative, page 2", "The graves were levelled in January 2009."),
    ("Statement of a relative, page 3", "Signed before two witnesses."),
)


def _scanned_statement(path: Path) -> Path:
    """A three-page scan-like PDF (pages drawn by Pillow), to show the page preview."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=34)
    pages = []
    for heading, line in SCANNED_PAGES:
        page = Image.new("RGB", (1240, 1754), (250, 248, 240))
        draw = ImageDraw.Draw(page)
        draw.text((120, 160), heading, fill=(20, 20, 20), font=font)
        for row in range(12):
            draw.text((120, 300 + row * 70), line, fill=(60, 60, 60), font=font)
        pages.append(page)
    pages[0].save(path, "PDF", save_all=True, append_images=pages[1:], resolution=150)
    return path


def _import_documents(cat: Catalogue, collection: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for name, html in DOCUMENTS.items():
            (folder / name).write_text(html, encoding="utf-8")
        _scanned_statement(folder / "statement-of-a-relative.pdf")
        cat.imports.run(sorted(folder.iterdir()), collection=collection, workers=1)


def build(path: Path) -> None:
    with Catalogue.open(path, create=True, actor="Demo Archivist") as cat:
        fonds = cat.units.create(
            {
                "title": "Testimonies on the 1988 prison massacres",
                "level": "collection",
                "date_expression": "1988-07/1988-09",
                "scope_content": "Captured web articles, transcripts and statements about "
                "the summer 1988 executions of political prisoners in Iran.",
                "languages": ["en", "fa"],
            }
        )
        series = cat.units.create(
            {"title": "Web articles captured 2024", "level": "series"}, parent_id=fonds.id
        )
        article = cat.units.create(
            {
                "title": "Families gather at Khavaran cemetery",
                "date_expression": "2023-08~",
                "date_kind": "publication",
                "extent": "1 web page (HTML, 48 KB)",
                "media_type": "web page",
                "languages": ["en"],
                "scope_content": "Report of an annual commemoration at Khavaran, with "
                "statements from relatives.",
            },
            parent_id=series.id,
        )
        cat.units.create(
            {
                "title": "خاوران؛ گورستان بی‌نام",
                "languages": ["fa"],
                "date_expression": "1989-01?",
                "scope_content": "روایت خانواده‌ها از خاوران در تابستان ۱۳۶۷.",
            },
            parent_id=series.id,
        )
        _import_documents(cat, series.reference_code)
        cat.units.create(
            {"title": "Oral history transcripts", "level": "series"}, parent_id=fonds.id
        )
        agent = cat.agents.create(
            "Ruhollah Khomeini",
            names=[
                AgentName("Rouhollah Khomeini", "variant", "Latn"),
                AgentName("روح‌الله خمینی", "parallel", "Arab"),
            ],
        )
        cat.units.link_agent(article.id, agent.id, "mentioned")
        place = cat.terms.place("Khavaran", variants=["Khaveran", "خاوران"])
        cat.units.link_place(article.id, place.id)
        subject = cat.terms.subject("Mass executions")
        cat.units.link_subject(article.id, subject.id)
        cat.provenance.record(
            article.id,
            NewEvent(
                "capture",
                occurred_at="2024-03-02",
                agent="Field team",
                tool="SingleFile 1.22",
                note="Saved from the outlet's website; URL not recorded by the capture tool.",
            ),
        )
        cat.provenance.record(
            article.id,
            NewEvent(
                "transfer",
                occurred_at="2024-03-10",
                agent="Field team",
                note="Handed over on a USB stick.",
            ),
        )
        cat.reliability.assess(
            article.id,
            NewAssessment(
                SourceReliability.C,
                InformationCredibility.PROBABLY_TRUE,
                affiliation_note="Outlet run by an exile opposition group; partisan framing.",
                corroboration_note="Date and place match two independent NGO reports.",
            ),
        )


if __name__ == "__main__":
    build(Path(sys.argv[1]))
