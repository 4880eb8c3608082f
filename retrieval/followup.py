"""Rule-based follow-up rewriting for extractive mode: "那无锡呢？" -> a standalone question.

Rules, in order:
1. "那X呢？" / "X呢？" where X names a place or year: the previous question with its place/year
   replaced by X.
2. A question pointing back ("这一条", "该项", "它", "上述") gets the section the previous answer
   cited in place of the pointer.
3. A question naming no document inherits the place and year context of the previous question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from policyqa.records import DocumentMeta
from retrieval.query import strip_admin_suffix

_POINTER = re.compile(r"这一条|这一项|这条|这项|该项|该条|此项|上述|这个|这些|它们|它|其中")
_SWITCH = re.compile(r"^(?:那么?|那)?\s*(.{1,12}?)(?:的情况|的呢|呢)[？?]?$")
_YEAR = re.compile(r"(?:19|20)\d{2}年?")
_HEADER_SECTION = re.compile(r"》(?:（[^）]*）)?\s*(.+?)：\s*$", re.M)


def _places(documents: Iterable[DocumentMeta]) -> list[str]:
    places = set()
    for meta in documents:
        for place in (meta.city, meta.district):
            if place:
                places.update({place, strip_admin_suffix(place)})
    return sorted(places, key=len, reverse=True)


def _context(question: str, places: list[str]) -> tuple[list[str], list[str]]:
    found_places = [p for p in places if p in question]
    # Drop a place contained in a longer one found (南京 inside 南京市).
    found_places = [p for p in found_places if not any(p != q and p in q for q in found_places)]
    return found_places, _YEAR.findall(question)


def rewrite(question: str, history: Sequence[tuple[str, str]], documents: Iterable[DocumentMeta]) -> str:
    """A standalone version of `question` given earlier (question, answer) turns; unchanged if standalone."""
    if not history:
        return question
    previous_q, previous_a = history[-1]
    places = _places(documents)
    q_places, q_years = _context(question, places)
    p_places, p_years = _context(previous_q, places)

    switch = _SWITCH.match(question.strip())
    if switch and (q_places or q_years):
        rewritten = previous_q
        for old, new in zip(p_places, q_places, strict=False):
            rewritten = rewritten.replace(old, new)
        for old, new in zip(p_years, q_years, strict=False):
            rewritten = rewritten.replace(old, new)
        if rewritten != previous_q:
            return rewritten
        return " ".join(q_places + q_years) + previous_q

    pointer = _POINTER.search(question)
    if pointer:
        sections = _HEADER_SECTION.findall(previous_a or "")
        if sections:
            subject = sections[0].split(" > ")[-1].strip()
            subject = re.sub(r"^[（(]?[一二三四五六七八九十\d]+[)）、.．]\s*", "", subject)
            prefix = "".join(p_places[:1] + p_years[:1]) if not (q_places or q_years) else ""
            return prefix + question[: pointer.start()] + f"“{subject}”" + question[pointer.end() :]

    if not q_places and not q_years and (p_places or p_years):
        return "".join(p_places[:1] + p_years[:1]) + question
    return question
