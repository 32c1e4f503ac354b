"""Pre-filling a description from the document: a title, dates as EDTF, and what kind of
agent each harvested name is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from catalog_app.domain.vocabulary import AgentKind, AgentRole

_MAX_TITLE = 150
_SHORTENED_TITLE = 100
_BREADCRUMB_SEPARATOR = re.compile(r"\s(?::|»|›|>|\||/|·|—|–)\s")
_BREADCRUMB_START = re.compile(r"^(home|news|menu|skip to (main )?content)\b", re.I)
# Words a shortened title should not end on.
_TRAILING_WORDS = {
    "a",
    "an",
    "the",
    "of",
    "on",
    "in",
    "at",
    "to",
    "for",
    "with",
    "by",
    "from",
    "and",
    "or",
    "but",
    "as",
    "that",
    "which",
    "who",
    "و",
    "در",
    "از",
    "به",
    "که",
    "با",
    "را",
    "في",
    "من",
    "على",
    "إلى",
}
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s")
_MEANINGLESS_TITLES = re.compile(
    r"^(untitled|document\d*|microsoft word - .*|title|new document|\W*)$", re.I
)
# Marks that headings carry as permalinks or markup, not as words: Sphinx's and MkDocs' "¶",
# "#" and "§" anchors, link icons, a Markdown heading's "# ". "C#" and "§ 12" keep theirs.
_HEADING_MARK_AT_END = re.compile(r"(?:[¶§🔗⚓\uf0c1]+|\s#+)\s*$")
_HEADING_MARK_AT_START = re.compile(r"^(?:[¶🔗⚓\uf0c1]+\s*|#+\s+|§(?!\s*\d)\s*)")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_PATTERNS = (
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), ("y", "m", "d")),
    (re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.I), ("M", "d", "y")),
    (
        re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(\d{4})\b", re.I),
        ("d", "M", "y"),
    ),
)
# A date counts as the document's own (a dateline) when it stands near the end of a short
# line or of a line; dates inside running text are what the document talks about.
_DATELINE_TAIL = 30
_DATELINE_SCAN_LINES = 40


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _is_breadcrumb(line: str, following: str | None) -> bool:
    if following and following != line and line.endswith(following):
        return True  # "Home News Opposition The Title" followed by "The Title"
    if _BREADCRUMB_START.match(line) and len(line.split()) <= 12:
        return True
    parts = _BREADCRUMB_SEPARATOR.split(line)
    return len(parts) > 1 and all(len(p.split()) <= 4 for p in parts)


def _shorten(sentence: str) -> str:
    if len(sentence) <= _SHORTENED_TITLE:
        return sentence
    words = sentence[:_SHORTENED_TITLE].rsplit(" ", 1)[0].split()
    while len(words) > 3 and words[-1].casefold().strip(",;:") in _TRAILING_WORDS:
        words.pop()
    return " ".join(words).rstrip(",;:—–- ") + "…"


def without_heading_marks(title: str) -> str:
    """The title without the permalink or markup marks of a heading ("Installation¶")."""
    previous = None
    while previous != title:
        previous = title
        title = _HEADING_MARK_AT_START.sub("", _HEADING_MARK_AT_END.sub("", title)).strip()
    return title


def title_from_text(text: str) -> str | None:
    """The first line that reads as a title (skipping navigation trails), else the start
    of the first sentence."""
    lines = [without_heading_marks(line) for line in _lines(text[:20_000])[:15]]
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else None
        if _is_breadcrumb(line, following):
            continue
        if sum(ch.isalpha() for ch in line) < 3:
            continue
        if len(line) <= _MAX_TITLE and not line.endswith((".", ",", ";")):
            return line
        return _shorten(_SENTENCE_END.split(line, 1)[0])
    return None


def meaningful_title(candidate: str | None) -> str | None:
    """A title from document metadata, unless it is a placeholder like 'Untitled'."""
    text = without_heading_marks(" ".join((candidate or "").split()))
    if not text or _MEANINGLESS_TITLES.match(text) or re.search(r"\.\w{2,4}$", text):
        return None
    return text[:500]


def title_from_name(name: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name.strip(".") else name
    words = " ".join(re.split(r"[_\s]+", stem)).strip()
    return words or name


def _found_dates(line: str) -> list[tuple[date, int]]:
    found: list[tuple[date, int]] = []
    for pattern, order in _DATE_PATTERNS:
        for match in pattern.finditer(line):
            parts = dict(zip(order, match.groups(), strict=True))
            month = _MONTHS[parts["M"].lower()] if "M" in parts else int(parts["m"])
            try:
                found.append((date(int(parts["y"]), month, int(parts["d"])), match.end()))
            except ValueError:
                continue
    return found


def dates_from_text(text: str) -> str | None:
    """EDTF for the document's own dates (datelines near its top): one day, or the span
    from the earliest to the latest when a page carries several (a list of posts)."""
    datelines: set[date] = set()
    for line in _lines(text[:50_000])[:_DATELINE_SCAN_LINES]:
        tail = line if len(line) <= 60 else line[-(_DATELINE_TAIL + 30) :]
        for found, end in _found_dates(tail):
            if len(tail) - end <= _DATELINE_TAIL or len(line) <= 60:
                datelines.add(found)
    if not datelines:
        return None
    first, last = min(datelines), max(datelines)
    return first.isoformat() if first == last else f"{first.isoformat()}/{last.isoformat()}"


# Words that make a name an organisation's, whole words compared case-folded: "The LaTeX
# Project", "Python Software Foundation", "Debian Documentation Team", "Wikipedia
# contributors". A person's name is the default: it is what an author field mostly holds.
_ORGANISATION_WORDS = frozenset(
    """
    project projects inc incorporated ltd limited llc llp plc gmbh sarl corp corporation
    company companies university universität université universidad college
    school academy institute institut institution association associates society societies
    committee commission council foundation fund trust agency department ministry office
    organisation organization organisations organizations group team teams network centre
    center press publishing publisher publishers media news newspaper times library
    libraries archive archives museum bureau board union federation league party
    consortium community developers contributors maintainers authors editors staff
    government international service services laboratory laboratories lab labs studio
    studios systems software technologies coalition alliance watch
    سازمان انجمن دانشگاه کمیته کمیسیون شورای شورا وزارت بنیاد مؤسسه موسسه جمعیت حزب اداره
    مرکز گروه کانون جامعه دفتر خبرگزاری انتشارات
    منظمة جمعية جامعة لجنة مجلس وزارة مؤسسة مركز حزب اتحاد شركة هيئة مكتب دار وكالة
    """.split()
)
_WORD = re.compile(r"[\w'’]+")


def agent_kind(name: str) -> AgentKind:
    """Person or organisation, judged from a harvested name alone: a name that starts with
    "The", is one capitalised acronym ("UNESCO"), or holds a word that names a body of
    people ("Project", "Inc", "University", "Committee", "سازمان", ...) is an organisation's."""
    words = _WORD.findall(name)
    if not words:
        return AgentKind.PERSON
    if words[0].casefold() == "the" and len(words) > 1:
        return AgentKind.ORGANISATION
    if len(words) == 1 and len(words[0]) >= 2 and words[0].isupper():
        return AgentKind.ORGANISATION
    if any(word.casefold().strip("'’") in _ORGANISATION_WORDS for word in words):
        return AgentKind.ORGANISATION
    return AgentKind.PERSON


@dataclass(frozen=True)
class HarvestedAgent:
    name: str
    kind: AgentKind
    role: AgentRole


def harvested_agents(authors: list[str], publisher: str | None) -> list[HarvestedAgent]:
    """The agents a document names: its authors as creators (each a person or an
    organisation by `agent_kind`), its publisher (always a body that publishes)."""
    agents = [HarvestedAgent(name, agent_kind(name), AgentRole.CREATOR) for name in authors]
    if publisher:
        agents.append(HarvestedAgent(publisher, AgentKind.ORGANISATION, AgentRole.PUBLISHER))
    return agents
