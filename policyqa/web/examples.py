"""Example questions under the chat box, made from the documents themselves: one per document from
its headings (`example_questions`), and a varied set checked by asking (`example_set`)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from policyqa.records import DocumentMeta, Section
from policyqa.web.documents import walk_sections

_NUMBERING = re.compile(
    r"^[\s\u3000]*(?:第[一二三四五六七八九十百零〇两\d]+[章节条款部分篇]"
    r"|[（(]\s*[一二三四五六七八九十百零〇两\d]+\s*[)）]"
    r"|[一二三四五六七八九十百]+\s*[、.．]"
    r"|\d{1,3}\s*[、.．](?!\d)"
    r"|[①-⑳]"
    r"|[一二三四五六七八九十]{1,3}是)[\s\u3000]*"
)


def clean_heading(heading: str) -> str:
    """A heading without its ordinal (一、 （一） 1． 第一条 一是 ①) or closing punctuation."""
    text = _NUMBERING.sub("", heading.strip())
    return text.strip(" \u3000。；;：:，,")


def example_question(title: str, sections: Iterable[Section]) -> str:
    """One question about a document, made from its deepest, first leaf heading of the body."""
    best = None
    for section in walk_sections(sections):
        if section.children or section.kind != "body":
            continue
        heading = clean_heading(section.heading)
        if not 4 <= len(heading) <= 24 or "。" in heading:
            continue
        if best is None or len(section.path) > len(best.path):
            best = section
    if best is None:
        return f"《{title}》的主要内容有哪些？"
    return f"《{title}》中关于“{clean_heading(best.heading)}”有哪些要求？"


def example_questions(documents: Mapping[str, tuple[DocumentMeta, Iterable[Section]]]) -> list[str]:
    """One example question per document (file -> (meta, sections)), in title order."""
    items = sorted(documents.values(), key=lambda item: item[0].title)
    return [example_question(meta.title, sections) for meta, sections in items]


# ------------------------------------------------------------ varied examples, checked by asking them
# What staff ask first: a figure, a list, which document, a comparison. Each kind is made from the
# documents' own sentences, then asked; only questions that answer with quoted content are shown.
_COUNT = re.compile(
    r"(新改建|新增|新建|建成|完成|改造|打造)([\u4e00-\u9fff]{2,10}?)(\d+(?:\.\d+)?)(座|个|处|家|条|辆|项|公里|万平方米|平方米)"
)
_RATE = re.compile(r"([\u4e00-\u9fff]{2,8}?)(?:要|须|必须|力争|稳定)?达到(\d+(?:\.\d+)?)%")
_QUOTED_TERM = re.compile(r"“([\u4e00-\u9fff]{3,6})”")


@dataclass(frozen=True)
class Candidate:
    kind: str  # figure | list | which | compare
    question: str
    files: tuple[str, ...] = ()  # the documents a good answer cites (all of them, for a comparison)


def document_short(meta: DocumentMeta) -> str:
    """How staff name a document in a question: place and year (无锡2025年), else its 《title》."""
    place = meta.district or meta.city
    if place and len(meta.years) == 1:
        return f"{place}{meta.years[0]}年"
    return f"《{meta.title}》"


def _figures(meta: DocumentMeta, text: str) -> list[tuple[str, str, str, str]]:
    """(verb, thing, unit, question) for the targets of one document, in text order."""
    short = document_short(meta)
    out = []
    for m in _COUNT.finditer(text):
        verb, thing, unit = m.group(1), m.group(2).removeprefix("城乡"), m.group(4)
        out.append((verb, thing, unit, f"{short}{verb}{thing}多少{unit}？"))
    for m in _RATE.finditer(text):
        thing = m.group(1)
        if not thing.endswith("率"):
            continue  # "达到90%" after a rate reads as a target; after anything else it rarely does
        out.append(("达到", thing, "%", f"{short}{thing}要达到多少？"))
    return out


def candidates(documents: Mapping[str, tuple[DocumentMeta, Iterable[Section], str]]) -> list[Candidate]:
    """Example questions of every kind made from the documents (file -> (meta, sections, text)),
    best first within a kind; `example_set` keeps the ones that answer."""
    items = sorted(documents.items(), key=lambda item: item[1][0].title)
    out: list[Candidate] = []
    figures = {file: _figures(meta, text) for file, (meta, _, text) in items}
    for file, found in figures.items():
        out += [Candidate("figure", q, (file,)) for *_, q in found[:3]]
    for file, (meta, sections, _) in items:
        out.append(Candidate("list", example_question(meta.title, sections), (file,)))
    texts = {file: text for file, (_, _, text) in items}
    for file, (_, _, text) in items:
        for term in dict.fromkeys(_QUOTED_TERM.findall(text)):
            if sum(term in t for t in texts.values()) == 1:
                out.append(Candidate("which", f"哪份文件提到{term}？", (file,)))
    # A comparison: the same kind of target (its last two characters, e.g. 公厕) in two documents.
    for (fa, a), (fb, b) in itertools.combinations(figures.items(), 2):
        for verb, thing, unit, _ in a:
            if unit == "%" or not any(v == verb and t[-2:] == thing[-2:] and u == unit for v, t, u, _ in b):
                continue
            ma, mb = documents[fa][0], documents[fb][0]
            question = f"{document_short(ma)}和{document_short(mb)}分别{verb}多少{unit}{thing[-2:]}？"
            out.append(Candidate("compare", question, (fa, fb)))
    return out


def answers_with_content(answer, candidate: Candidate, headings: set[str]) -> bool:
    """Whether `answer` is not a refusal, cites the candidate's documents, and quotes at least one
    sentence that is more than a heading."""
    if answer.refused or not answer.citations:
        return False
    cited = {c.file for c in answer.citations}
    if not set(candidate.files) <= cited:
        return False
    return any(clean_heading(c.quote) not in headings for c in answer.citations)


KINDS = ("figure", "list", "which", "compare")


def example_set(
    documents: Mapping[str, tuple[DocumentMeta, Iterable[Section], str]],
    ask,
    per_kind: int = 1,
    total: int = 6,
) -> list[str]:
    """Varied examples that each answer with content: one of each kind first, then more lists and
    figures up to `total`. `ask(question)` gives the engine's Answer."""
    headings = {
        clean_heading(s.heading) for _, sections, _ in documents.values() for s in walk_sections(sections)
    }
    pool = candidates(documents)
    chosen: list[Candidate] = []
    tries = dict.fromkeys(KINDS, 0)

    def take(kind: str, limit: int) -> None:
        for c in pool:
            if c.kind != kind or c in chosen or sum(x.kind == kind for x in chosen) >= limit:
                continue
            if tries[kind] >= 6 or any(set(c.files) == set(x.files) and x.kind == kind for x in chosen):
                continue  # bounded work; and vary the documents too
            tries[kind] += 1
            if answers_with_content(ask(c.question), c, headings):
                chosen.append(c)

    for kind in KINDS:
        take(kind, per_kind)
    for kind in ("list", "figure"):
        if len(chosen) < total:
            take(kind, per_kind + total - len(chosen))
    return [c.question for c in chosen[:total]]
