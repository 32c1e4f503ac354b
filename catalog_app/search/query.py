"""The query language archivists type, parsed into an FTS5 expression and filters.

    khavaran "mass grave" -rumour           words (all must match), phrases, exclusions
    gohardasht OR "gohar dasht"             either
    execut* NEAR/5 prison                   prefix, nearness (default within 10 words)
    title:testimony agent:khomeini subject:prisons place:evin ref:CAT-0001
    lang:fa date:1988 date:1988-07..1989 access:restricted grade:B2 source:A-C
    credibility:1-3 in:CAT-0001 type:pdf
    review:needed                           harvested values no person has checked yet
    review:checked                          the others

Anything typed either parses or raises QueryError with one plain sentence saying what is
wrong; the FTS5 syntax that reaches SQLite is always generated here, never the user's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from catalog_app.domain.dates import DateError, parse_date
from catalog_app.domain.folding import tokens
from catalog_app.domain.vocabulary import AccessStatus, MediaKind
from catalog_app.errors import CatalogError
from catalog_app.storage.sql_names import HEAD_COLUMNS

TEXT_FIELDS = {
    "title": ("title",),
    "agent": ("names",),
    "name": ("names",),
    "subject": ("subjects",),
    "place": ("places",),
    "ref": ("ref",),
    "text": ("body",),
}
FILTER_FIELDS = {
    "lang",
    "date",
    "access",
    "grade",
    "source",
    "credibility",
    "in",
    "type",
    "review",
}
REVIEW_VALUES = {"needed": True, "checked": False}
DEFAULT_NEAR = 10
MAX_TERMS = 64
MAX_DEPTH = 16


class QueryError(CatalogError):
    """A query that cannot be understood, with what to change."""


@dataclass
class Atom:
    """Words to find: one word (maybe a prefix), or a phrase, optionally in some fields."""

    words: list[str]  # folded tokens
    prefix: bool = False
    phrase: bool = False
    columns: tuple[str, ...] = ()
    typed: str = ""  # as the person typed it, for expanding names
    # For a prefix: the indexed words it stands for, when the service has looked them up
    # (FTS5 merges a prefix's doclists again for every query that uses it; plain words are
    # read incrementally).
    expanded: tuple[str, ...] = ()


@dataclass
class Near:
    atoms: list[Atom]
    distance: int


@dataclass
class Group:
    kind: str  # "and" | "or"
    items: list[Node] = field(default_factory=list)


@dataclass
class Negated:
    item: Node


Node = Atom | Near | Group | Negated


@dataclass
class Filters:
    languages: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    access: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    credibilities: list[int] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    # True: only records with a harvested value not yet checked; False: only the others.
    needs_review: bool | None = None

    def any(self) -> bool:
        return bool(
            self.languages
            or self.date_from
            or self.date_to
            or self.access
            or self.sources
            or self.credibilities
            or self.collections
            or self.media
            or self.needs_review is not None
        )


@dataclass
class ParsedQuery:
    root: Group
    filters: Filters

    @property
    def atoms(self) -> list[Atom]:
        found: list[Atom] = []

        def walk(node: Node, negated: bool) -> None:
            if isinstance(node, Atom) and not negated:
                found.append(node)
            elif isinstance(node, Near):
                found.extend(node.atoms)
            elif isinstance(node, Group):
                for item in node.items:
                    walk(item, negated)
            elif isinstance(node, Negated):
                walk(node.item, True)

        walk(self.root, False)
        return found


_LEXEME = re.compile(
    r'\s*(?:(?P<open>\()|(?P<close>\))|(?P<quote>")|'
    r"(?P<field>[A-Za-z]+):(?=\S)|(?P<word>[^\s()\"]+))"
)


def _words(text: str) -> list[str]:
    return [t for t in tokens(text) if t]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.filters = Filters()
        self.count = 0
        self.depth = 0

    def error(self, message: str) -> QueryError:
        return QueryError(message)

    def parse(self) -> ParsedQuery:
        root = self._sequence(top=True)
        if self.position < len(self.text) and self.text[self.position :].strip():
            raise self.error("there is a ')' without a matching '('")
        return ParsedQuery(root, self.filters)

    def _next(self) -> tuple[str, str] | None:
        match = _LEXEME.match(self.text, self.position)
        if match is None or match.end() == self.position:
            rest = self.text[self.position :]
            if rest.strip():
                raise self.error(f"cannot read the search from '{rest.strip()[:20]}'")
            return None
        kind = match.lastgroup or ""
        self.position = match.end()
        return kind, match.group(kind)

    def _peek(self) -> tuple[str, str] | None:
        saved = self.position
        try:
            return self._next()
        finally:
            self.position = saved

    def _sequence(self, *, top: bool) -> Group:
        if top:
            return self._group(top=True)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"the search has parentheses more than {MAX_DEPTH} deep; simplify it")
        try:
            return self._group(top=False)
        finally:
            self.depth -= 1

    def _group(self, *, top: bool) -> Group:
        group = Group("and")
        alternatives: list[Group] = []
        negate_next = False
        while True:
            lexeme = self._peek()
            if lexeme is None:
                if not top:
                    raise self.error("a '(' is not closed with ')'")
                break
            kind, value = lexeme
            if kind == "close":
                if top:
                    raise self.error("there is a ')' without a matching '('")
                self._next()
                break
            if kind == "word" and value == "OR":
                self._next()
                if not group.items:
                    raise self.error("OR needs something before it")
                alternatives.append(group)
                group = Group("and")
                continue
            if kind == "word" and value == "AND":
                self._next()
                continue
            if kind == "word" and value == "NOT":
                self._next()
                negate_next = True
                continue
            if kind == "word" and value.startswith("-"):
                self._next()
                if len(value) > 1:
                    self.position -= len(value) - 1  # re-read what follows the minus
                    negate_next = True
                elif self.text[self.position : self.position + 1] in ('"', "("):
                    negate_next = True  # -"a phrase", -(a group)
                continue  # a dash on its own has nothing to look for
            if kind == "word" and re.fullmatch(r"NEAR(/\d+)?", value):
                self._next()
                self._near(group, value)
                continue
            node = self._item(top=top)
            if node is None:
                continue
            group.items.append(Negated(node) if negate_next else node)
            negate_next = False
        if negate_next:
            raise self.error("NOT or '-' needs a word after it")
        if alternatives:
            if not group.items:
                raise self.error("OR needs something after it")
            return Group("or", [*alternatives, group])
        return group

    def _near(self, group: Group, value: str) -> None:
        distance = int(value.split("/")[1]) if "/" in value else DEFAULT_NEAR
        if not group.items or not isinstance(group.items[-1], Atom | Near):
            raise self.error("NEAR goes between two words, as in: prison NEAR/5 executions")
        following = self._item(top=False) if self._peek() is not None else None
        if not isinstance(following, Atom):
            raise self.error("NEAR goes between two words, as in: prison NEAR/5 executions")
        previous = group.items.pop()
        atoms = previous.atoms if isinstance(previous, Near) else [previous]
        assert all(isinstance(a, Atom) for a in atoms)
        group.items.append(Near([*atoms, following], distance))

    def _item(self, *, top: bool) -> Node | None:
        lexeme = self._next()
        assert lexeme is not None
        kind, value = lexeme
        if kind == "open":
            return self._sequence(top=False)
        if kind == "quote":
            return self._phrase(())
        if kind == "field":
            name = value.lower()
            if name in FILTER_FIELDS:
                if not top:
                    raise self.error(
                        f"{name}: applies to the whole search; put it outside the parentheses"
                    )
                self._filter(name)
                return None
            if name in TEXT_FIELDS:
                return self._fielded(TEXT_FIELDS[name])
            # Not a field we know ("Note:" in pasted text): read it as a plain word.
            return self._word(value)
        return self._word(value)

    def _fielded(self, columns: tuple[str, ...]) -> Node:
        lexeme = self._next()
        if lexeme is None:
            raise self.error("a field name needs something after the colon")
        kind, value = lexeme
        if kind == "quote":
            return self._phrase(columns)
        if kind == "open":
            inner = self._sequence(top=False)
            _restrict(inner, columns)
            return inner
        node = self._word(value)
        if node is None:
            raise self.error("a field name needs a word after the colon")
        _restrict(node, columns)
        return node

    def _phrase(self, columns: tuple[str, ...]) -> Atom:
        end = self.text.find('"', self.position)
        if end < 0:
            raise self.error('a quotation mark (") is not closed')
        inside = self.text[self.position : end]
        self.position = end + 1
        prefix = self.text[self.position : self.position + 1] == "*"
        if prefix:
            self.position += 1
        words = _words(inside)
        if not words:
            raise self.error(f'there are no words to look for in "{inside}"')
        return self._counted(Atom(words, prefix=prefix, phrase=True, columns=columns, typed=inside))

    def _word(self, value: str) -> Atom | None:
        prefix = value.endswith("*")
        words = _words(value.rstrip("*"))
        if not words:
            if prefix and not value.rstrip("*"):
                raise self.error("* goes at the end of the start of a word, as in: execut*")
            return None  # punctuation alone: nothing to look for
        return self._counted(
            Atom(words, prefix=prefix, phrase=len(words) > 1, typed=value.rstrip("*"))
        )

    def _counted(self, atom: Atom) -> Atom:
        self.count += 1
        if self.count > MAX_TERMS:
            raise self.error(f"the search has more than {MAX_TERMS} terms; shorten it")
        return atom

    def _filter_value(self, name: str) -> str:
        lexeme = self._next()
        if lexeme is None or lexeme[0] not in ("word", "quote"):
            raise self.error(f"{name}: needs a value, as in {_EXAMPLES[name]}")
        if lexeme[0] == "quote":
            end = self.text.find('"', self.position)
            if end < 0:
                raise self.error('a quotation mark (") is not closed')
            value = self.text[self.position : end]
            self.position = end + 1
            return value
        return lexeme[1]

    def _filter(self, name: str) -> None:
        value = self._filter_value(name).strip()
        filters = self.filters
        if name == "lang":
            code = value.lower()
            if not re.fullmatch(r"[a-z]{2,3}", code):
                raise self.error(f"'{value}' is not a language code (e.g. lang:fa, lang:en)")
            filters.languages.append(code)
        elif name == "date":
            self._date(value)
        elif name == "access":
            choices = [a.value for a in AccessStatus]
            if value.lower() not in choices:
                raise self.error(f"access: takes {', '.join(choices)}")
            filters.access.append(value.lower())
        elif name == "grade":
            match = re.fullmatch(r"([A-Fa-f])([1-6])?", value)
            if not match:
                raise self.error(f"'{value}' is not a grade (e.g. grade:B2, or grade:B)")
            self._narrow("sources", [match.group(1).upper()])
            if match.group(2):
                self._narrow("credibilities", [int(match.group(2))])
        elif name == "source":
            match = re.fullmatch(r"([A-Fa-f])(?:-([A-Fa-f]))?", value)
            if not match:
                raise self.error(f"'{value}' is not a source grade or range (e.g. source:A-C)")
            low, high = match.group(1).upper(), (match.group(2) or match.group(1)).upper()
            self._narrow(
                "sources", [chr(c) for c in range(ord(min(low, high)), ord(max(low, high)) + 1)]
            )
        elif name == "credibility":
            match = re.fullmatch(r"([1-6])(?:-([1-6]))?", value)
            if not match:
                raise self.error(f"'{value}' is not a credibility grade or range (e.g. 1-3)")
            low, high = int(match.group(1)), int(match.group(2) or match.group(1))
            self._narrow("credibilities", list(range(min(low, high), max(low, high) + 1)))
        elif name == "in":
            filters.collections.append(value)
        elif name == "type":
            kinds = [m.value for m in MediaKind]
            wanted = value.lower().replace("_", " ")
            if wanted == "web":
                wanted = "web page"
            if wanted not in kinds:
                raise self.error(f"type: takes {', '.join(kinds)}")
            filters.media.append(wanted)
        elif name == "review":
            wanted_review = REVIEW_VALUES.get(value.lower())
            if wanted_review is None:
                raise self.error("review: takes needed or checked")
            if filters.needs_review is not None and filters.needs_review != wanted_review:
                raise self.error("review:needed and review:checked cannot both apply")
            filters.needs_review = wanted_review

    def _date(self, value: str) -> None:
        low, sep, high = value.partition("..")
        try:
            start = parse_date(low).start if low else None
            end = parse_date(high if sep else low).end if (high or not sep) else None
        except DateError as exc:
            raise self.error(f"date: {exc}") from exc
        if sep and not low and not high:
            raise self.error("date: needs a year or a range, as in date:1988..1990")
        if start and end and start > end:
            raise self.error(f"date:{value} ends before it starts")
        # Several date: filters all apply: the record must overlap each range.
        if start and (self.filters.date_from is None or start > self.filters.date_from):
            self.filters.date_from = start
        if end and (self.filters.date_to is None or end < self.filters.date_to):
            self.filters.date_to = end

    def _narrow(self, name: str, allowed: list[Any]) -> None:
        """Grade filters combine with AND: `grade:B source:A-C` keeps B; `grade:B source:C`
        keeps nothing (an impossible value stands for the empty choice)."""
        current = getattr(self.filters, name)
        kept = [v for v in current if v in allowed] if current else allowed
        setattr(self.filters, name, kept or ["-" if name == "sources" else 0])


_EXAMPLES = {
    "lang": "lang:fa",
    "date": "date:1988..1990",
    "access": "access:open",
    "grade": "grade:B2",
    "source": "source:A-C",
    "credibility": "credibility:1-3",
    "in": "in:CAT-0001",
    "type": "type:pdf",
    "review": "review:needed",
}


def _restrict(node: Node, columns: tuple[str, ...]) -> None:
    if isinstance(node, Atom):
        node.columns = columns
    elif isinstance(node, Near):
        for atom in node.atoms:
            atom.columns = columns
    elif isinstance(node, Group):
        for item in node.items:
            _restrict(item, columns)
    else:
        _restrict(node.item, columns)


def parse(text: str) -> ParsedQuery:
    """Parse what a person typed. Raises QueryError with a one-line explanation."""
    if len(text) > 2000:
        raise QueryError("the search is too long (at most 2,000 characters)")
    spaced = re.sub(r"\s", " ", text)  # pasted line breaks and no-break spaces separate words
    cleaned = "".join(ch for ch in spaced if ch.isprintable() or ch == "\u200c")
    return _Parser(cleaned).parse()


# -- to FTS5 ------------------------------------------------------------------------------


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _phrase(words: list[str], prefix: bool = False) -> str:
    # One quoted string is one phrase; "a" "b" would be two separate words to FTS5.
    return _quoted(" ".join(words)) + (" *" if prefix else "")


def _atom_match(atom: Atom, alternatives: dict[int, list[list[str]]]) -> str:
    if atom.prefix and atom.expanded:
        forms = [_phrase([*atom.words[:-1], word]) for word in atom.expanded]
    else:
        forms = [_phrase(atom.words, atom.prefix)]
    if atom.phrase and 1 < len(atom.words) <= 3 and not atom.prefix:
        forms.append(_quoted("".join(atom.words)))  # typed apart, written joined
    for names in alternatives.get(id(atom), []):
        forms.append(_phrase(names))
    body = forms[0] if len(forms) == 1 else "(" + " OR ".join(forms) + ")"
    if atom.columns:
        return "{" + " ".join(atom.columns) + "} : " + body
    return body


def to_match(node: Node, alternatives: dict[int, list[list[str]]] | None = None) -> str:
    """The FTS5 expression for a node (Negated only inside an and-group)."""
    alternatives = alternatives or {}
    if isinstance(node, Atom):
        return _atom_match(node, alternatives)
    if isinstance(node, Near):
        if len({a.columns for a in node.atoms}) > 1:
            raise QueryError("the words on each side of NEAR must be in the same field")
        inner = " ".join(_phrase(a.words, a.prefix) for a in node.atoms)
        near = f"NEAR({inner}, {node.distance})"
        columns = node.atoms[0].columns
        return ("{" + " ".join(columns) + "} : " + near) if columns else near
    if isinstance(node, Negated):
        raise QueryError("NOT or '-' needs something to exclude from")
    positive = [i for i in node.items if not isinstance(i, Negated)]
    negative = [i.item for i in node.items if isinstance(i, Negated)]
    if node.kind == "or":
        if negative:
            raise QueryError("NOT or '-' cannot stand alone on one side of OR")
        return "(" + " OR ".join(to_match(i, alternatives) for i in positive) + ")"
    if not positive:
        raise QueryError("NOT or '-' needs something to exclude from")
    expression = " AND ".join(to_match(i, alternatives) for i in positive)
    words = [
        i
        for i in positive
        if isinstance(i, Atom)
        and not i.phrase
        and not i.prefix
        and not i.columns
        and len(i.words) == 1
    ]
    if len(words) == len(positive) and 1 < len(words) <= 3:
        # Words typed apart may be written as one ("Gohar Dasht", "Gohardasht").
        expression = f"({expression}) OR {_quoted(''.join(w.words[0] for w in words))}"
    for item in negative:
        expression = f"({expression}) NOT {to_match(item, alternatives)}"
    return f"({expression})"


def prefix_atoms(query: ParsedQuery) -> list[Atom]:
    """Every prefix outside NEAR (which takes only phrases), excluded ones too."""
    found: list[Atom] = []

    def walk(node: Node) -> None:
        if isinstance(node, Atom) and node.prefix:
            found.append(node)
        elif isinstance(node, Group):
            for item in node.items:
                walk(item)
        elif isinstance(node, Negated):
            walk(node.item)

    walk(query.root)
    return found


def only_negative(query: ParsedQuery) -> Node | None:
    """For a search like '-rumour': what to exclude from everything."""
    items = query.root.items
    if query.root.kind == "and" and items and all(isinstance(i, Negated) for i in items):
        return Group("or", [i.item for i in items if isinstance(i, Negated)])
    return None


def any_term(query: ParsedQuery, alternatives: dict[int, list[list[str]]] | None = None) -> str:
    """An FTS5 expression matching any of the words or phrases a query looks for."""
    return "(" + " OR ".join(_atom_match(a, alternatives or {}) for a in query.atoms) + ")"


# Tiers of a large result, best first: the columns a searched word must appear in.
TIERS: tuple[tuple[str, ...], ...] = (("title",), HEAD_COLUMNS[1:], ())


def tier_match(match: str, anything: str, tier: int) -> str:
    """Records matching `match` that belong to the tier: a searched word in the title (0),
    else in the reference code, names, subjects or places (1), else only in the text (2)."""
    title, head = TIERS[0], TIERS[1]

    def within(columns: tuple[str, ...]) -> str:
        return f"({{{' '.join(columns)}}} : {anything})"

    if tier == 0:
        return f"({match}) AND {within(title)}"
    if tier == 1:
        return f"({match}) AND {within(head)} NOT {within(title)}"
    return f"({match}) NOT {within(title + head)}"
