"""Reading real material right: PDFs as TeX and word processors write them (Persian and
Arabic included), damaged pages, Word documents with comments, OpenDocument files, and
document metadata as producers really fill it in."""

from __future__ import annotations

import codecs
import json
import zipfile
from pathlib import Path

import pytest

from catalog_app.domain.vocabulary import AgentKind
from catalog_app.ingest import metadata
from catalog_app.ingest.docx import extract_docx
from catalog_app.ingest.harvest import agent_kind, meaningful_title, title_from_text
from catalog_app.ingest.html import extract_html
from catalog_app.ingest.odf import extract_odf
from catalog_app.ingest.pdf import extract_pdf
from catalog_app.ingest.sniff import Kind, sniff
from catalog_app.services import Catalogue
from tests.documents import ARABIC, ENGLISH, PERSIAN, docx_file, html_page
from tests.pdfs import HELVETICA, helvetica_pdf, right_to_left_pdf, stream, write_pdf

PAGES = 10_000
PERSIAN_WORDS = PERSIAN.rstrip(".")
ARABIC_WORDS = ARABIC.rstrip(".")


def _pdf(tmp_path: Path, data: bytes, name: str = "document.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- PDF text ------------------------------------------------------------------------------


def test_persian_and_arabic_pdfs_read_in_logical_order_with_spaces(tmp_path: Path) -> None:
    """Glyphs in visual order, presentation forms, gaps for spaces: what pypdf read back to
    front, in presentation forms and without a single space."""
    source = _pdf(tmp_path, right_to_left_pdf([PERSIAN_WORDS, ARABIC_WORDS]))
    extracted = extract_pdf(source, PAGES)
    assert extracted.text == f"{PERSIAN_WORDS}\n{ARABIC_WORDS}"
    assert not any(0xFB50 <= ord(ch) <= 0xFEFF for ch in extracted.text)
    assert (extracted.method or "").startswith("pdf text layer (PDFium")


def test_a_word_hyphenated_across_lines_is_joined(tmp_path: Path) -> None:
    source = _pdf(tmp_path, helvetica_pdf(["Distinguished Encoding Rules manip-\nulation of data"]))
    assert "Rules manipulation of data" in (extract_pdf(source, PAGES).text or "")


def test_a_damaged_page_costs_only_that_page(tmp_path: Path) -> None:
    source = _pdf(tmp_path, helvetica_pdf(["First page", None, "Third page"]))
    extracted = extract_pdf(source, PAGES)
    assert extracted.text == "First page\n\nThird page"
    assert extracted.warnings == [
        "page 2 of 3 could not be read (damaged); the text of the others was kept"
    ]


def test_a_pdf_beyond_pypdfs_limits_is_read(tmp_path: Path) -> None:
    """A content stream that unpacks past pypdf's guard (its LimitReachedError refused such
    files before): PDFium reads it."""
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    page = b"BT /F1 12 Tf 72 700 Td (Khavaran cemetery) Tj ET\n" + b" " * 80_000_000
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        stream(page, compress=True),
        HELVETICA,
    ]
    source = _pdf(tmp_path, write_pdf(objects))
    with pytest.raises(LimitReachedError):
        PdfReader(source).pages[0].extract_text()
    extracted = extract_pdf(source, PAGES)
    assert extracted.text == "Khavaran cemetery"
    assert extracted.warnings == []


def test_a_pdf_pdfium_cannot_open_is_kept_with_a_warning(tmp_path: Path) -> None:
    source = _pdf(tmp_path, b"%PDF-1.4\n" + b"\x00garbage" * 100)
    extracted = extract_pdf(source, PAGES)
    assert extracted.text is None
    assert extracted.warnings == ["the PDF is damaged; no text was extracted"]


# -- PDF document information --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (codecs.BOM_UTF16_BE + "گزارش سال ۱۳۶۷".encode("utf-16-be"), "گزارش سال ۱۳۶۷"),
        (codecs.BOM_UTF16_LE + "گزارش سال ۱۳۶۷".encode("utf-16-le"), "گزارش سال ۱۳۶۷"),
        ("Witness statement 12".encode("utf-16-be"), "Witness statement 12"),  # no BOM
        ("Café témoignage".encode(), "Café témoignage"),  # UTF-8, which PDF 1.7 lacks
        (b"\x8dQuoted\x8e \x84 a dash", "“Quoted” — a dash"),  # PDFDocEncoding
        (b"Witness statement\x00\x00", "Witness statement"),  # C-string padding
        (b"Line one\r\nline two\tend", "Line one line two end"),
        (bytes(range(128, 200)), None),  # binary junk
        (b"\x01\x02\x03AB\x04\x05", None),
        (b"\xc0\xc1\xc2\xc3\xc4\xc5\xc6\xc7\xc8", None),  # bytes read one by one as Latin-1
    ],
)
def test_pdf_information_strings_are_decoded_and_junk_refused(
    tmp_path: Path, raw: bytes, expected: str | None
) -> None:
    source = _pdf(tmp_path, helvetica_pdf(["Some text"], info={"Title": raw, "Author": raw}))
    extracted = extract_pdf(source, PAGES)
    assert extracted.title == expected
    assert extracted.authors == ([expected] if expected else [])
    assert metadata.clean(metadata.pdf_text(raw)) == expected


def test_placeholder_and_several_authors(tmp_path: Path) -> None:
    assert metadata.people("Jane Roe; John Doe; jane roe") == ["Jane Roe", "John Doe"]
    assert metadata.people("Administrator") == []
    assert metadata.people("") == []


# -- Word and OpenDocument -----------------------------------------------------------------


def _with_comments(source: Path, target: Path) -> Path:
    """The document with an XML comment and a processing instruction in its body and in a
    paragraph, as some converters leave them."""
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(target, "w") as out:
        for item in package.infolist():
            data = package.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body><!-- made by a converter --><?x y?>")
                data = data.replace(b"<w:r>", b"<w:r><!-- a run -->", 1)
            out.writestr(item, data)
    return target


def test_a_word_document_with_xml_comments_is_read(tmp_path: Path) -> None:
    plain = docx_file(tmp_path / "plain.docx", ["Report on Gohardasht", PERSIAN], title="Report")
    source = _with_comments(plain, tmp_path / "commented.docx")
    extracted = extract_docx(source, 1 << 26)
    assert extracted.text == f"Report on Gohardasht\n{PERSIAN}\nPrison\tGohardasht"
    assert extracted.title == "Report"
    assert extracted.authors == ["Amnesty Researcher"]


def _odf_table(rows: list[tuple[str, ...]]) -> object:
    from odf import table, text

    sheet = table.Table(name="Table")
    for values in rows:
        row = table.TableRow()
        for value in values:
            cell = table.TableCell()
            cell.addElement(text.P(text=value))
            row.addElement(cell)
        sheet.addElement(row)
    return sheet


def _odt(path: Path) -> Path:
    from odf import dc, meta, text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text="Gohardasht report"))
    document.meta.addElement(meta.InitialCreator(text="Amnesty Researcher"))
    document.text.addElement(text.H(outlinelevel=1, text="Report on Gohardasht"))
    paragraph = text.P(text="Two")
    paragraph.addElement(text.S(c=3))
    paragraph.addText("spaces")
    paragraph.addElement(text.Tab())
    paragraph.addText(PERSIAN)
    document.text.addElement(paragraph)
    document.text.addElement(_odf_table([("Prison", "Gohardasht")]))
    document.save(str(path))
    return path


def _ods(path: Path) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet

    document = OpenDocumentSpreadsheet()
    document.spreadsheet.addElement(_odf_table([("Name", "Prison"), ("علی کریمی", "Evin")]))
    document.save(str(path))
    return path


def _odp(path: Path) -> Path:
    from odf import draw, style, text
    from odf.opendocument import OpenDocumentPresentation

    document = OpenDocumentPresentation()
    layout = style.PageLayout(name="Layout")
    document.automaticstyles.addElement(layout)
    master = style.MasterPage(name="Master", pagelayoutname=layout)
    document.masterstyles.addElement(master)
    slide = draw.Page(masterpagename=master)
    frame = draw.Frame(width="20cm", height="3cm", x="1cm", y="1cm")
    box = draw.TextBox()
    box.addElement(text.P(text="Khavaran, summer 1988"))
    frame.addElement(box)
    slide.addElement(frame)
    document.presentation.addElement(slide)
    document.save(str(path))
    return path


def test_opendocument_text_spreadsheets_and_presentations_are_read(tmp_path: Path) -> None:
    odt = extract_odf(_odt(tmp_path / "report.odt"), 1 << 26)
    assert odt.text == f"Report on Gohardasht\nTwo   spaces\t{PERSIAN}\nPrison\tGohardasht"
    assert (odt.title, odt.authors) == ("Gohardasht report", ["Amnesty Researcher"])
    assert (odt.method or "").startswith("opendocument (odfpy")
    assert extract_odf(_ods(tmp_path / "list.ods"), 1 << 26).text == "Name\tPrison\nعلی کریمی\tEvin"
    assert extract_odf(_odp(tmp_path / "talk.odp"), 1 << 26).text == "Khavaran, summer 1988"


def test_a_damaged_opendocument_file_is_kept_with_a_warning(tmp_path: Path) -> None:
    source = _odt(tmp_path / "report.odt")
    with zipfile.ZipFile(source) as package:
        parts = {item.filename: package.read(item) for item in package.infolist()}
    parts["content.xml"] = parts["content.xml"][:200]
    with zipfile.ZipFile(source, "w") as package:
        package.writestr("mimetype", parts.pop("mimetype"))
        for name, data in parts.items():
            package.writestr(name, data)
    extracted = extract_odf(source, 1 << 26)
    assert extracted.warnings == ["the OpenDocument file is damaged; no text was extracted"]


@pytest.mark.parametrize(
    ("maker", "mime"),
    [
        (_odt, "application/vnd.oasis.opendocument.text"),
        (_ods, "application/vnd.oasis.opendocument.spreadsheet"),
        (_odp, "application/vnd.oasis.opendocument.presentation"),
    ],
)
def test_opendocument_files_are_recognised_by_their_content(
    tmp_path: Path, maker: object, mime: str
) -> None:
    path = maker(tmp_path / "file")  # type: ignore[operator]
    head = path.read_bytes()[:8192]
    assert sniff(head, "no-extension") == (Kind.ODF, mime)
    assert sniff(head, "misnamed.docx") == (Kind.ODF, mime)


# -- titles, agents and publishers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("candidate", "title"),
    [
        ("Installation¶", "Installation"),
        ("Installing Debian #", "Installing Debian"),
        ("# Field notes", "Field notes"),
        ("Scope §", "Scope"),
        ("¶", None),
        ("C#", "C#"),
        ("§ 12 Definitions", "§ 12 Definitions"),
    ],
)
def test_heading_marks_are_kept_out_of_titles(candidate: str, title: str | None) -> None:
    assert meaningful_title(candidate) == title


def test_a_sphinx_page_title_has_no_permalink_mark(tmp_path: Path) -> None:
    page = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<title>Installation — Sphinx documentation</title>"
        "<meta property='og:site_name' content='Sphinx documentation'></head><body>"
        "<section><h1>Installation<a class='headerlink' href='#installation'>¶</a></h1>"
        f"<p>{ENGLISH}</p></section></body></html>"
    ).encode()
    extracted = extract_html(tmp_path / "index.html", page, 1 << 21)
    assert meaningful_title(extracted.title) == "Installation"
    assert title_from_text("Installation¶\n" + ENGLISH) == "Installation"
    assert extracted.publisher is None  # the site's name is not a publisher


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("The LaTeX Project", AgentKind.ORGANISATION),
        ("Python Software Foundation", AgentKind.ORGANISATION),
        ("Debian Documentation Team", AgentKind.ORGANISATION),
        ("Acme Ltd.", AgentKind.ORGANISATION),
        ("University of Tehran", AgentKind.ORGANISATION),
        ("UNESCO", AgentKind.ORGANISATION),
        ("سازمان عفو بین‌الملل", AgentKind.ORGANISATION),
        ("Jane Roe", AgentKind.PERSON),
        ("Alonzo Church", AgentKind.PERSON),
        ("علی کریمی", AgentKind.PERSON),
    ],
)
def test_organisations_are_told_from_persons(name: str, kind: AgentKind) -> None:
    assert agent_kind(name) is kind


@pytest.mark.parametrize(
    ("head", "publisher"),
    [
        ('<meta name="DC.publisher" content="Iran Rights Watch">', "Iran Rights Watch"),
        ("<meta name='citation_publisher' content='Brill'>", "Brill"),
        ('<meta property="article:publisher" content="https://facebook.com/x">', None),
        (
            '<script type="application/ld+json">'
            + json.dumps({"@graph": [{"@type": "NewsArticle", "publisher": {"name": "BBC"}}]})
            + "</script>",
            "BBC",
        ),
        ("", None),
    ],
)
def test_publishers_come_only_from_publisher_metadata(
    tmp_path: Path, head: str, publisher: str | None
) -> None:
    page = html_page().replace(b"</head>", head.encode() + b"</head>")
    assert extract_html(tmp_path / "page.html", page, 1 << 21).publisher == publisher


# -- through the import --------------------------------------------------------------------


def test_real_kinds_of_file_are_catalogued_with_their_text(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _odt(folder / "report.odt")
    _with_comments(docx_file(tmp_path / "plain.docx", [ENGLISH]), folder / "commented.docx")
    (folder / "persian.pdf").write_bytes(right_to_left_pdf([PERSIAN_WORDS]))
    (folder / "manual.pdf").write_bytes(
        helvetica_pdf(["LaTeX2e for authors"], info={"Author": b"The LaTeX Project"})
    )
    report = catalogue.imports.run([folder])
    items = {Path(item.path).name: item for item in report.items}
    assert {name: item.outcome for name, item in items.items()} == dict.fromkeys(
        ("commented.docx", "manual.pdf", "persian.pdf", "report.odt"), "imported"
    )
    odt = catalogue.units.get(items["report.odt"].id or 0)
    assert odt.title == "Gohardasht report"
    assert odt.media_type == "document"
    assert odt.files[0].media_type == "application/vnd.oasis.opendocument.text"
    assert "fa" in odt.languages
    persian = catalogue.units.get(items["persian.pdf"].id or 0)
    assert persian.title == PERSIAN_WORDS
    manual = catalogue.units.get(items["manual.pdf"].id or 0)
    assert [(a.authorised_name, a.role, a.kind) for a in manual.agents] == [
        ("The LaTeX Project", "creator", "organisation")
    ]
    assert catalogue.audit.verify() == []
