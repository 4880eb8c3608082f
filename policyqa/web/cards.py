"""Which source cards an answer shows: citations that point at the same passage share one card
with all their numbers, and a citation of a bare heading or of the letterhead (文件头) joins a card
of its own document instead of standing alone.

Pure functions over the citations, the documents' text and their heading trees.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from policyqa.records import Citation, Section

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Card:
    """One source card: the citations it stands for, the paragraph it shows, the spans it marks."""

    numbers: tuple[int, ...]
    citation: Citation  # the first citation: title, 文号, section path of the card
    start: int  # the passage the viewer opens at
    end: int
    marks: tuple[tuple[int, int], ...]  # quoted spans inside the paragraph, in order
    para: tuple[int, int] | None  # the paragraph shown; None when the text cannot be read
    spans: tuple[tuple[int, int, int], ...] = ()  # (n, start, end): where each number's quote is


def _squash(s: str) -> str:
    return _SPACE.sub("", s)


def locate_quote(text: str, quote: str, start: int, end: int) -> tuple[int, int] | None:
    """The quote's span in `text`: the given offsets when they still hold, else its first occurrence."""
    if 0 <= start < end <= len(text) and _squash(text[start:end]) == _squash(quote):
        return start, end
    found = text.find(quote)
    return (found, found + len(quote)) if found >= 0 else None


def paragraph_of(text: str, start: int, end: int) -> tuple[int, int]:
    """The line(s) holding [start, end)."""
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    return para_start, len(text) if para_end < 0 else para_end


def _walk(sections: Iterable[Section]):
    for s in sections:
        yield s
        yield from _walk(s.children)


def bare_kind(sections: Iterable[Section], start: int, end: int) -> str:
    """ "letterhead" for a span inside the 文件头, "heading" for one inside a heading line that has
    text under it, "" for body text."""
    for s in _walk(sections):
        if s.kind == "header" and s.start <= start and end <= s.end:
            return "letterhead"
        if s.body_start > s.start and s.start <= start and end <= s.body_start and s.body_start < s.end:
            return "heading"
    return ""


def _host(cards: list[Card], c: Citation) -> int | None:
    """The card a bare heading's citation joins: one under that heading, else one of its document."""
    same_doc = [i for i, card in enumerate(cards) if card.citation.file == c.file]
    under = [i for i in same_doc if cards[i].citation.section_path[: len(c.section_path)] == c.section_path]
    return (under or same_doc or [None])[0]


def merge_cards(
    citations: Iterable[Citation],
    text_of: Callable[[str], str | None],
    sections_of: Callable[[str], Iterable[Section]] = lambda f: (),
) -> list[Card]:
    """The cards for `citations`, in order of their first number.

    Citations in the same paragraph of the same file share a card. A bare heading or letterhead
    citation is added to a card of its document (preferably one under that heading); with none,
    its card shows the paragraph that follows too, so it is never a heading on its own."""
    cards: list[Card] = []
    where: dict[tuple[str, int, int], int] = {}
    bare: list[Citation] = []
    for c in citations:
        text = text_of(c.file)
        span = locate_quote(text, c.quote, c.start, c.end) if text else None
        if span is None:
            cards.append(Card((c.n,), c, c.start, c.end, (), None, ((c.n, c.start, c.end),)))
            continue
        if bare_kind(tuple(sections_of(c.file)), *span):
            bare.append(replace(c, start=span[0], end=span[1]))
            continue
        para = paragraph_of(text, *span)
        key = (c.file, *para)
        if key in where:
            i = where[key]
            card = cards[i]
            marks = tuple(sorted({*card.marks, span}))
            spans = (*card.spans, (c.n, *span))
            cards[i] = replace(card, numbers=(*card.numbers, c.n), marks=marks, spans=spans)
        else:
            where[key] = len(cards)
            cards.append(Card((c.n,), c, *span, (span,), para, ((c.n, *span),)))
    for c in bare:
        i = _host(cards, c)
        if i is not None:
            card = cards[i]
            numbers = tuple(sorted((*card.numbers, c.n)))
            cards[i] = replace(card, numbers=numbers, spans=(*card.spans, (c.n, c.start, c.end)))
            continue
        text = text_of(c.file) or ""
        para_start, para_end = paragraph_of(text, c.start, c.end)
        # The heading with the paragraph under it (skipping blank lines).
        nxt = text.find("\n", para_end + 1) if para_end < len(text) else -1
        while nxt >= 0 and not text[para_end:nxt].strip():
            nxt = text.find("\n", nxt + 1)
        para_end = len(text) if nxt < 0 else nxt
        span = (c.start, c.end)
        cards.append(Card((c.n,), c, *span, (span,), (para_start, para_end), ((c.n, *span),)))
    return sorted(cards, key=lambda card: min(card.numbers))
