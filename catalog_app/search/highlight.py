"""Snippets with the matched words marked, found in the original text (any script).

Matching is done on folded text (`fold_with_map` keeps, for every folded character, where it
came from), so the marks land on exactly the characters of the original that matched, even
when the original has short vowels, tatweel or a zero-width non-joiner that the index
ignores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from catalog_app.domain.folding import TOKEN, ZWNJ, fold_token, fold_with_map

SCAN_LIMIT = 60_000  # characters of a long document searched for a snippet
SNIPPET_CHARS = 240
_WINDOW = 300  # characters read on each side of a likely match
_MAX_WINDOWS = 12


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # folded
    prefix: bool = False


@dataclass(frozen=True)
class Snippet:
    text: str
    spans: tuple[tuple[int, int], ...]  # [start, end) character offsets into text

    def marked(self, before: str = "[", after: str = "]") -> str:
        out, last = [], 0
        for start, end in self.spans:
            out += [self.text[last:start], before, self.text[start:end], after]
            last = end
        out.append(self.text[last:])
        return "".join(out)


Token = tuple[int, int, str]
# TOKEN on ASCII text, which `fold_token` only lowers.
_ASCII_TOKEN = re.compile("[a-z0-9]+")


def _tokens(text: str) -> tuple[list[Token], list[Token]]:
    """(start, end, folded token) with offsets into `text` itself; and, separately, words
    written with zero-width non-joiners as single tokens ('خانواده‌ها')."""
    scan = text[:SCAN_LIMIT]
    if scan.isascii():  # ASCII folds as it lowers, one for one: one pass over the text
        return [(m.start(), m.end(), m.group()) for m in _ASCII_TOKEN.finditer(scan.lower())], []
    # The joiner folds to a space, one character for one: replaced first, a text with
    # joiners keeps to the fast, one-for-one way of folding.
    folded, origin = fold_with_map(scan.replace(ZWNJ, " "))
    if isinstance(origin, range):  # nothing dropped: offsets are the folded text's own
        found = [(m.start(), m.end(), fold_token(m.group())) for m in TOKEN.finditer(folded)]
    else:
        found = [
            (origin[m.start()], origin[m.end() - 1] + 1, fold_token(m.group()))
            for m in TOKEN.finditer(folded)
        ]
    joined: list[Token] = []
    if ZWNJ not in text:
        return found, joined
    index = 0
    while index < len(found):
        last = index
        while last + 1 < len(found) and text[found[last][1] : found[last + 1][0]] == "\u200c":
            last += 1
        if last > index:
            word = "".join(token[2] for token in found[index : last + 1])
            joined.append((found[index][0], found[last][1], word))
        index = last + 1
    return found, joined


def _matches(tokens: tuple[list[Token], list[Token]], terms: list[Term]) -> list[tuple[int, int]]:
    found, joined = tokens
    by_first: dict[str, list[Term]] = {}
    prefixes = [t for t in terms if t.prefix and len(t.words) == 1]
    for term in terms:
        if term not in prefixes:
            by_first.setdefault(term.words[0], []).append(term)
    starts = tuple(t.words[0] for t in prefixes)

    def single(word: str) -> bool:
        return any(len(t.words) == 1 for t in by_first.get(word, ())) or word.startswith(starts)

    spans: list[tuple[int, int]] = [(start, end) for start, end, word in joined if single(word)]
    for index, (start, end, word) in enumerate(found):
        if starts and word.startswith(starts):
            spans.append((start, end))
            continue
        if word not in by_first:
            continue
        for term in by_first[word]:
            size = len(term.words)
            window = found[index : index + size]
            if len(window) < size:
                continue
            rest = all(w[2] == t for w, t in zip(window[1:-1], term.words[1:-1], strict=True))
            last, wanted = window[-1][2], term.words[-1]
            if rest and (last.startswith(wanted) if term.prefix else last == wanted):
                spans.append((start, window[-1][1]))
                break
    # Longest first, then drop spans inside others (a joined word and its parts).
    spans.sort(key=lambda span: (span[0], -span[1]))
    kept: list[tuple[int, int]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def _shift(tokens: tuple[list[Token], list[Token]], by: int) -> tuple[list[Token], list[Token]]:
    found, joined = tokens
    return [(s + by, e + by, w) for s, e, w in found], [(s + by, e + by, w) for s, e, w in joined]


def _windows(text: str, terms: list[Term]) -> list[tuple[int, int]] | None:
    """Stretches of a long text worth tokenizing: around places where a searched word's
    letters appear. None when a quick look finds none (diacritics, short vowels or a
    joiner may hide a match), and the whole text must be read."""
    firsts = sorted({t.words[0] for t in terms if t.words[0]}, key=len, reverse=True)
    if not firsts:
        return None
    pattern = re.compile("|".join(re.escape(w) for w in firsts), re.IGNORECASE)
    windows: list[tuple[int, int]] = []
    for match in pattern.finditer(text, 0, SCAN_LIMIT):
        start, end = max(0, match.start() - _WINDOW), match.end() + _WINDOW
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
        if len(windows) >= _MAX_WINDOWS:
            break
    return windows or None


def find(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Spans of `text` that match any of the terms."""
    if not text or not terms:
        return []
    if text.isascii():
        # An ASCII text's tokens are pieces of it lowered: a term whose first word is no
        # piece of it cannot match, and the text need not be read token by token.
        lowered = text[:SCAN_LIMIT].lower()
        if not any(t.words and t.words[0] in lowered for t in terms):
            return []
    windows = _windows(text, terms) if len(text) > 2 * _WINDOW else None
    if windows is None:
        return _matches(_tokens(text), terms)
    spans: list[tuple[int, int]] = []
    for start, end in windows:
        # Start the slice on a word boundary so the first token is whole.
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        spans += _matches(_shift(_tokens(text[start:end]), start), terms)
    return sorted(set(spans))


def snippet(text: str, terms: list[Term], width: int = SNIPPET_CHARS) -> Snippet | None:
    """The part of `text` around its densest cluster of matches, or None if none match."""
    spans = find(text, terms)
    if not spans:
        return None
    if len(text) <= width:
        return Snippet(" ".join(text.split("\n")), tuple(spans))
    best_start, best_count = spans[0][0], 0
    for index, (start, _) in enumerate(spans):
        count = sum(1 for s, e in spans[index:] if e - start <= width)
        if count > best_count:
            best_start, best_count = start, count
    begin = max(0, best_start - width // 4)
    # Start and end on word boundaries.
    while begin > 0 and not text[begin - 1].isspace() and best_start - begin < width // 2:
        begin -= 1
    end = min(len(text), begin + width)
    while end < len(text) and not text[end].isspace() and end - begin < width + 30:
        end += 1
    piece = text[begin:end]
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(text) else ""
    inside = [
        (s - begin + len(prefix), e - begin + len(prefix))
        for s, e in spans
        if s >= begin and e <= end
    ]
    flat = " ".join(piece.split("\n"))
    return Snippet(prefix + flat + suffix, tuple(inside))


def lead(text: str, width: int = SNIPPET_CHARS) -> Snippet:
    """The start of a text, for results that matched only by their fields."""
    piece = " ".join(text[: width + 40].split())
    cut = piece[:width].rsplit(" ", 1)[0] if len(piece) > width else piece
    return Snippet(cut + ("…" if len(cut) < len(text.strip()) else ""), ())
