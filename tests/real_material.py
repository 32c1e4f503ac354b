"""Real documents nobody here wrote (tests/corpus/, see its README) and the words each holds,
read independently of the program's own extraction: for web pages the article's own elements
by lxml, for Word and OpenDocument files the XML text of their body, for PDFs the text that
poppler's pdftotext gave (shipped beside each PDF as NAME.pdf.pdftotext.txt, so the tests
need no poppler).

Used by tests/unit/test_real_material.py and bench/real_material_bench.py.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from lxml import etree, html

from catalog_app.domain.folding import tokens

CORPUS = Path(__file__).parent / "corpus"
KINDS = ("html", "pdf", "docx", "odf")
PDFTOTEXT = ".pdftotext.txt"

# Elements whose text is the article's: paragraphs (a sidebar's and a note's too; DocBook and
# Publican write them as <div class="para">), list items, definitions, table cells, headings
# and figure or table captions. Code listings
# (<pre>) are left out of the sample, and so is everything inside navigation, headers and
# footers (Publican's navheader/navfooter, breadcrumbs, tables of contents).
_ARTICLE = "p li dt dd td th h1 h2 h3 h4 h5 h6 figcaption caption".split()
_BOILERPLATE = ("nav", "footer", "header", "breadcrumb", "toc", "legalnotice", "docnav")
_PARA = re.compile(r"\b(?:para|simpara)\b")
_SCRIPT_RUN = re.compile(
    r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]+|[^\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]+"
)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def documents(kind: str) -> list[Path]:
    return sorted(p for p in (CORPUS / kind).iterdir() if not p.name.endswith(PDFTOTEXT))


def _in_boilerplate(element: etree._Element) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in ("nav", "footer", "header"):
            return True
        marks = f"{ancestor.get('class', '')} {ancestor.get('id', '')}".lower()
        if any(mark in marks for mark in _BOILERPLATE):
            return True
    return False


def _html_reference(path: Path) -> str:
    tree = html.fromstring(path.read_bytes())
    parts: list[str] = []
    for element in tree.iter(*_ARTICLE, "div"):
        if element.tag == "div" and not _PARA.search(element.get("class", "")):
            continue
        if any(
            a.tag in _ARTICLE or _PARA.search(a.get("class", "")) for a in element.iterancestors()
        ):
            continue  # its text is in its ancestor's
        if element.tag in ("td", "th") and element.xpath("ancestor::pre"):
            continue
        if not _in_boilerplate(element):
            parts.append(" ".join(element.itertext()))
    return "\n".join(parts)


def _xml_paragraphs(data: bytes, paragraph: set[str], text: set[str]) -> str:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    lines: list[str] = []
    for element in root.iter(*paragraph):
        if any(a.tag in paragraph for a in element.iterancestors()):
            continue
        if text:
            lines.append("".join(t.text or "" for t in element.iter(*text)))
        else:
            lines.append("".join(element.itertext()))
    return "\n".join(lines)


def _pdftotext(path: Path) -> str:
    sidecar = path.with_name(path.name + PDFTOTEXT)
    if sidecar.exists():
        return sidecar.read_text(encoding="utf-8")
    command = os.environ.get("PDFTOTEXT") or shutil.which("pdftotext") or "pdftotext"
    done = subprocess.run(
        [command, "-q", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=False
    )
    return done.stdout.decode("utf-8", "replace")


def reference_text(path: Path, kind: str | None = None) -> str:
    """The text an independent reader finds in a document of `kind` (html, pdf, docx, odf;
    by default the name of the folder it is in)."""
    kind = kind or path.parent.name
    if kind == "html":
        return _html_reference(path)
    if kind == "pdf":
        return _pdftotext(path)
    with zipfile.ZipFile(path) as archive:
        if kind == "docx":
            body = archive.read("word/document.xml")
            return _xml_paragraphs(body, {f"{_W}p"}, {f"{_W}t"})
        body = archive.read("content.xml")
        return _xml_paragraphs(body, {f"{_TEXT}p", f"{_TEXT}h"}, set())


def _runs(token: str) -> list[str]:
    """A token cut where it passes between Arabic script and anything else: pdftotext glues
    a Latin word or a number to the Persian word beside it ('bookاز', '7چند')."""
    return [run.group() for run in _SCRIPT_RUN.finditer(token)]


def sample_words(text: str, count: int = 40, seed: str = "") -> list[str]:
    """Up to `count` distinct words of the text (folded as the index folds them, cut where
    the script changes; at least three characters, a letter among them), chosen at random
    but the same every run."""
    words = sorted(
        {
            run
            for t in tokens(text)
            for run in _runs(t)
            if len(run) >= 3 and any(c.isalpha() for c in run)
        }
    )
    rng = random.Random(seed)
    return sorted(rng.sample(words, min(count, len(words))))


def found_in(words: list[str], extracted: str) -> list[bool]:
    """Whether each (folded) word is among the extracted text's folded tokens."""
    present = set(tokens(extracted))
    return [word in present for word in words]
