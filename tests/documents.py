"""Documents the tests make for themselves: each format, in several scripts and encodings."""

from __future__ import annotations

from pathlib import Path

PERSIAN = "خانواده‌ها در خاوران گرد آمدند و یاد عزیزانشان را گرامی داشتند."
# Windows-1256 has no Persian yeh or kaf; Persian files in that code page use the Arabic ones.
PERSIAN_1256 = (
    "خانواده‌ها در خاوران گرد آمدند و ياد عزيزانشان را گرامي داشتند و از زندان اوين گفتند."
)
ARABIC = "قال الرئيس إن الحكومة ستعمل على تحسين الأوضاع الاقتصادية في البلاد خلال العام المقبل."
ENGLISH = (
    "Relatives of political prisoners executed in the summer of 1988 gathered at Khavaran "
    "cemetery on Friday, despite a heavy security presence around the site. Security forces "
    "blocked the road and detained two mothers for several hours before releasing them."
)
MIXED = f"The mothers repeated the slogan «{PERSIAN}» as they walked to the gate of Khavaran."


def html_page(
    *,
    title: str = "Families gather at Khavaran",
    body: str = ENGLISH,
    extra: str = PERSIAN,
    charset: str = "utf-8",
    publisher: str | None = None,
) -> bytes:
    declared = f'<meta name="DC.publisher" content="{publisher}">' if publisher else ""
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="{charset}">
<title>{title} | Iran Rights Watch</title>
<meta name="author" content="Jane Roe">
<meta property="og:site_name" content="Iran Rights Watch">{declared}
<meta property="article:published_time" content="2023-08-29T10:00:00Z">
<link rel="canonical" href="https://example.org/news/khavaran-2023">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/about">About us</a></li><li><a href="/donate">Donate</a></li></ul></nav>
<article><h1>{title}</h1>
<p>{body}</p>
<p dir="rtl">{extra}</p>
<p>The gathering has taken place every year since 1989, and every year the authorities try
to stop it, according to witnesses who spoke to our correspondent afterwards.</p>
</article>
<footer>Copyright 2023 Iran Rights Watch. Subscribe to our newsletter. Privacy policy.</footer>
</body></html>"""
    return page.encode(charset)


def pdf_file(path: Path, lines: list[str], *, title: str | None = None) -> Path:
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    if title:
        document.set_title(title)
        document.set_author("Field Team")
    for line in lines:
        document.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    document.output(str(path))
    return path


def encrypted_pdf(path: Path, source: Path, password: str = "secret") -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=password, owner_password=password, algorithm="RC4-128")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def docx_file(path: Path, paragraphs: list[str], *, title: str | None = None) -> Path:
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
        document.core_properties.author = "Amnesty Researcher"
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Prison"
    table.rows[0].cells[1].text = "Gohardasht"
    document.save(str(path))
    return path


def image_with_text(path: Path, text: str) -> Path:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1400, 200), "white")
    draw = ImageDraw.Draw(image)
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 56)
    except OSError:
        font = ImageFont.load_default(size=56)
    draw.text((30, 60), text, fill="black", font=font)
    image.save(path)
    return path
