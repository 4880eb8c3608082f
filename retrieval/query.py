"""Query understanding: language, which documents a question points at, and what it asks for.

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

_LIST = re.compile(
    r"哪几(?![份个部]?(?:文件|份))|哪些|哪[一二三四五六七八九十两\d]+[个项条方类大]|分别是|分别有|都有|具体是|具体包括|包括什么|包括哪|几个方面|"
    r"几个阶段|列出|逐一|是哪[一二三四五六七八九十两\d]|有哪|\bwhat are\b|\blist\b|\bwhich (?:are|were)\b|"
    # "“三个转变”是什么": a counted name asked about is a list of its items
    r"[一二三四五六七八九十两]\s*[个大项类条点][^，。？?]{0,8}[”\"]?\s*(?:是什么|指什么|是指|内容)",
    re.IGNORECASE,
)
_COMPARE = re.compile(
    r"分别|各(?:计划|用|是|有|提|要)|两地|哪几份|哪两份|哪些文件|都提到|都出现|有什么不同|有何不同|区别|异同|对比|比较|"
    r"\bcompare\b|\bdiffer|\bboth\b|\beach\b|\bversus\b|\bvs\b",
    re.IGNORECASE,
)
_WHICH_DOC = re.compile(
    r"哪份|哪个文件|哪一份|哪部文件|什么文件|哪个单位印发|哪个城市|哪座城市|哪个区"
    r"|\bwhich (?:document|plan|file|city|district)\b",
    re.I,
)
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
_ASCII_WORD = re.compile(r"[A-Za-z]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")


# What the question asks for, and how a sentence that holds it looks.
ANSWER_TYPES = {
    "date": (
        re.compile(r"哪天|哪一天|日期|什么时候|何时|什么时间|哪个月|几月|落款|\bwhen\b|\bdate\b", re.I),
        re.compile(
            r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|\d{1,2}\s*月(?:份|底|初|中旬|底前)|\d{4}-\d{2}-\d{2}"
        ),
    ),
    "doc_number": (
        re.compile(r"文号|字号|发文号|编号|(?:doc|document|reference|file) number", re.I),
        re.compile(r"[\u4e00-\u9fff]+[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号"),
    ),
    "issuer": (
        re.compile(
            r"哪个单位|什么单位|哪个部门|哪些部门|哪些单位|发布机构|谁|which (?:unit|department|agency|body)|\bwho\b",
            re.I,
        ),
        # An issuing body stands alone on its line (落款), or as a list of bodies (责任单位).
        re.compile(
            r"^(?:-\s*)?[\u4e00-\u9fff（）()、，,]{2,60}(?:局|委|办|政府|办公厅|办公室|中心|支队|集团|（园区）)$"
        ),
    ),
    "quantity": (
        re.compile(
            r"多少|(?<!哪)几[个座处条项次名人万亿%]|比例|百分之|how (?:many|much)|what (?:is the )?(?:rate|share|percentage|budget|amount)",
            re.I,
        ),
        re.compile(r"\d"),
    ),
}


def asked_types(question: str) -> list[str]:
    return [name for name, (asks, _) in ANSWER_TYPES.items() if asks.search(question)]


# A heading's own enumeration marker: （一） 一、 一是 1． ①.
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


@dataclass(frozen=True)
class QueryInfo:
    text: str
    language: str  # zh | en
    doc_prior: dict  # file -> how strongly the question points at it (0 = not named)
    named_files: tuple[str, ...]  # documents the question names, best first
    wants_list: bool
    compare: bool
    which_doc: bool
    # Set by the search: the question's content terms in the documents' language (Chinese terms
    # for an English question), and (file, section path) of the parent whose items are asked for.
    terms: tuple[str, ...] = ()
    list_parent: tuple = ()


def language_of(text: str) -> str:
    letters = sum(len(w) for w in _ASCII_WORD.findall(text))
    return "en" if letters > 2 * len(_HAN.findall(text)) else "zh"


def strip_admin_suffix(place: str) -> str:
    for suffix in ("自治区", "省", "市", "区", "县", "镇"):
        if place.endswith(suffix) and len(place) > len(suffix) + 1:
            return place[: -len(suffix)]
    return place


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


def understand(question: str, profiles: Iterable[DocumentProfile]) -> QueryInfo:
    """Classify the question and score how strongly it names each document."""
    profiles = list(profiles)
    lowered = question.lower()
    years = {int(y) for y in _YEAR.findall(question)}
    q_bigrams = _bigrams(question)
    prior = {}
    for p in profiles:
        score = 0.0
        place_hit = any(place in question for place in p.places) or any(
            re.search(rf"\b{re.escape(py)}\b", lowered) for py in p.pinyin
        )
        if place_hit:
            score += 1.0
        if years and p.years:
            # A plan for exactly that year beats a multi-year plan that includes it.
            if years & set(p.years):
                score += 0.6 if len(p.years) == 1 else 0.3
            else:
                score -= 0.3
        # Distinctive title words the question repeats (三年行动计划, 工作要点, 实施意见 …).
        score += min(1.0, 0.5 * len(q_bigrams & p.title_keys))
        prior[p.file] = score
    top = max(prior.values(), default=0.0)
    named = tuple(f for f, s in sorted(prior.items(), key=lambda kv: -kv[1]) if s >= 0.9 and s >= top - 0.7)
    return QueryInfo(
        text=question,
        language=language_of(question),
        doc_prior=prior,
        named_files=named,
        wants_list=bool(_LIST.search(question)),
        compare=bool(_COMPARE.search(question)),
        which_doc=bool(_WHICH_DOC.search(question)),
    )
