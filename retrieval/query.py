"""What a question can name to point at documents: places, years, title words (document profiles).

Everything here is derived from the question and the documents' own metadata and text, so a
new corpus needs no configuration: places come from each document's city/district (and, for
English questions, their pinyin), years from the years a document covers, and title words from
its title.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from policyqa.records import DocumentMeta
from retrieval.places import strip_admin_suffix

_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
_ASCII_WORD = re.compile(r"[A-Za-z]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")


# A heading's own enumeration marker: （一） 一、 一是 1． ①. Not index.lines' heading markers: it
# strips a marker before matching words (run-in 一是 too), rather than ranking a heading by its kind.
ENUM_MARKER = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、是]|\d+[、.．]|[①-⑳])"
)


def heading_words(heading: str) -> str:
    """A heading as the question's words are matched against it: marker removed, width folded."""
    from index.keyword import fold

    return fold(ENUM_MARKER.sub("", heading))


def covered_chars(text: str, terms) -> int:
    """How many characters of `text` the terms cover (overlapping matches counted once)."""
    covered = [False] * len(text)
    for term in terms:
        for match in re.finditer(re.escape(term), text):
            covered[match.start() : match.end()] = [True] * len(term)
    return sum(covered)


@dataclass(frozen=True)
class DocumentProfile:
    """What a question can name to point at one document."""

    file: str
    places: tuple[str, ...]  # 南京, 南京市, 鼓楼, 鼓楼区 …
    pinyin: tuple[str, ...]  # nanjing, gulou …
    years: tuple[int, ...]
    title: str
    # Title bigrams no other document's title has (三年行动计划 vs 工作要点), set by `profiles`.
    title_keys: frozenset[str] = frozenset()


def language_of(text: str) -> str:
    letters = sum(len(w) for w in _ASCII_WORD.findall(text))
    return "en" if letters > 2 * len(_HAN.findall(text)) else "zh"


@functools.lru_cache(maxsize=4096)
def pinyin(word: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(word)).lower()


def profile(meta: DocumentMeta) -> DocumentProfile:
    places = set()
    for place in (meta.city, meta.district):
        if place:
            places.add(place)
            places.add(strip_admin_suffix(place))
    return DocumentProfile(
        file=meta.file,
        places=tuple(sorted(places, key=len, reverse=True)),
        pinyin=tuple(sorted({pinyin(p) for p in places if len(p) >= 2})),
        years=tuple(meta.years),
        title=meta.title,
    )


def profiles(metas: Iterable[DocumentMeta]) -> list[DocumentProfile]:
    """Profiles of a set of documents, each with the title words that tell it apart from the others."""
    base = [profile(m) for m in metas]
    counts: dict[str, int] = {}
    for p in base:
        for gram in _bigrams(p.title):
            counts[gram] = counts.get(gram, 0) + 1
    return [replace(p, title_keys=frozenset(g for g in _bigrams(p.title) if counts[g] == 1)) for p in base]


def _bigrams(text: str) -> set[str]:
    han = "".join(_HAN.findall(text))
    return {han[i : i + 2] for i in range(len(han) - 1)}


def _names_place(p: DocumentProfile, question: str, lowered: str) -> bool:
    return any(place in question for place in p.places) or any(
        re.search(rf"\b{re.escape(py)}\b", lowered) for py in p.pinyin
    )


def document_prior(
    question: str, profiles: Iterable[DocumentProfile]
) -> tuple[dict[str, float], tuple[str, ...], tuple[str, ...]]:
    """How strongly the question points at each document (by place, year and distinctive title
    words): (file -> score, the documents it names best first, the document places it names)."""
    profiles = list(profiles)
    lowered = question.lower()
    years = {int(y) for y in _YEAR.findall(question)}
    q_bigrams = _bigrams(question)
    prior = {}
    places: set[str] = set()
    # Title words tell documents apart among those of the place the question names: a sister
    # city's plan of the same kind shares them, but is ruled out by its place.
    local = [p for p in profiles if _names_place(p, question, lowered)]
    if local:
        counts: dict[str, int] = {}
        for p in local:
            for gram in _bigrams(p.title):
                counts[gram] = counts.get(gram, 0) + 1
        keys = {p.file: frozenset(g for g in _bigrams(p.title) if counts[g] == 1) for p in local}
    else:
        keys = {p.file: p.title_keys for p in profiles}
    for p in profiles:
        score = 0.0
        named_places = [place for place in p.places if place in question]
        place_hit = _names_place(p, question, lowered)
        if place_hit:
            score += 1.0
            places.update(named_places[:1] or [p.places[0]] if p.places else [])
        if years and p.years:
            # A plan for exactly that year beats a multi-year plan that includes it.
            if years & set(p.years):
                score += 0.6 if len(p.years) == 1 else 0.3
            else:
                score -= 0.3
        # Distinctive title words the question repeats (三年行动计划, 工作要点, 实施意见 …).
        score += min(1.0, 0.5 * len(q_bigrams & keys.get(p.file, frozenset())))
        prior[p.file] = score
    if places:
        # The question names a place some documents cover: a document known to be about another
        # place does not answer it (a sister city's plan says the same things of itself).
        for p in profiles:
            if p.places and not _names_place(p, question, lowered):
                prior[p.file] -= 1.0
    top = max(prior.values(), default=0.0)
    named = [f for f, s in sorted(prior.items(), key=lambda kv: -kv[1]) if s >= 0.9 and s >= top - 0.7]
    # Of one place's documents, the question names the one it points at best (南京2023年: the
    # 2023 plan, not the 2021—2023 plan that also covers that year).
    places_of = {p.file: set(p.places) for p in profiles}
    named = [
        f
        for f in named
        if not any(places_of[f] & places_of[g] and prior[g] - prior[f] >= 0.25 for g in named if g != f)
    ]
    return prior, tuple(named), tuple(sorted(places))
