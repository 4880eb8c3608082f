"""Choosing and grouping quotable sentences: which sentences may be quoted (`quotable`), how each
scores for a question (`score_sentence`, `picks_of`), keeping the best without repeats and within
the answer's budget (`dedupe`, `within_budget`), and grouping them under their document and
section (`grouped`, `header`, `doc_label`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.chrome import is_page_chrome
from index.keyword import fold
from policyqa.records import BODY, Chunk, DocumentMeta
from retrieval.checks import holds_slot, part_weights
from retrieval.plan_records import DEFAULT, Block, Context, Pick, Thresholds
from retrieval.question import Part
from retrieval.quotes import MIN_QUOTE_CHARS, Sentence, split_sentences
from retrieval.verify import is_instruction

# ---------------------------------------------------------------------------------------------
# Sentences and their scores


def quotable(chunk: Chunk) -> list[Sentence]:
    """Sentences fit to quote: long enough to cite, never a planted instruction, never page chrome,
    never a bare heading (a heading names a section; it does not answer anything)."""
    heading = (
        fold(chunk.section_path[-1]).rstrip("。：:") if chunk.section_path and chunk.kind == BODY else ""
    )
    return [
        s
        for s in split_sentences(chunk)
        if len(s.text) >= MIN_QUOTE_CHARS
        and not is_instruction(s.text)
        and not is_page_chrome(s.text)
        and not (heading and fold(s.text).rstrip("。：:") == heading)
    ]


def score_sentence(
    text: str, weights: dict[str, float], part: Part | None, th: Thresholds = DEFAULT
) -> float:
    """Question-term weight in the sentence, raised when it holds the asked slot, damped when not."""
    folded = fold(text)
    score = sum(w for t, w in weights.items() if t in folded)
    if part is None or part.slot not in ("quantity", "date", "doc_date", "deadline", "doc_number", "issuer"):
        return score
    return score + th.slot_bonus if holds_slot(text, part) else score * th.slot_damping


_ITEM_START = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]|[①-⑳]|[-*•·]\s|[一二三四五六七八九十]+、)"
)


def with_items(chunk: Chunk, sentence: Sentence, limit: int = 400) -> Sentence:
    """A sentence that introduces a list ("有下列情形之一的：", "应当遵守下列规定：") together with the
    items that follow it in the same passage, as one verbatim quote."""
    if not sentence.text.rstrip().endswith(("：", ":")) or len(chunk.spans) > 1:
        return sentence
    end = sentence.end
    for nxt in split_sentences(chunk):
        if nxt.start < end:
            continue
        gap = chunk.text[end - chunk.start : nxt.start - chunk.start]
        starts_item = _ITEM_START.match(nxt.text) or "\n" not in gap
        if not starts_item or nxt.end - sentence.start > limit:
            break
        end = nxt.end
    if end == sentence.end:
        return sentence
    return Sentence(chunk.text[sentence.start - chunk.start : end - chunk.start], sentence.start, end)


def plain_text(ctx: Context, file: str) -> bool:
    """Whether the file's extracted text is the file itself (txt, md): only there does a quote that
    spans lines or table cells stand verbatim in the file; in html, docx or pdf markup lies between."""
    meta = ctx.documents.get(file)
    return meta is None or meta.format in ("txt", "md")


def picks_of(ctx: Context, rank: int, chunk: Chunk, part: Part | None, bonus: float = 0.0) -> list[Pick]:
    """A chunk's quotable sentences scored for the part, best first (those scoring nothing left out)."""
    lines_ok = plain_text(ctx, chunk.file)
    picks = [
        Pick(
            rank,
            chunk,
            with_items(chunk, s) if lines_ok else s,
            score_sentence(s.text, part_weights(ctx, part), part, ctx.thresholds) + bonus,
        )
        for s in quotable(chunk)
    ]
    return sorted((p for p in picks if p.score > 0), key=lambda p: -p.score)


# ---------------------------------------------------------------------------------------------
# Headers and helpers


def doc_label(meta: DocumentMeta | None, chunk: Chunk) -> str:
    """《title》, with the city when the title does not name it."""
    title = meta.title if meta else chunk.title
    place = ""
    if meta and meta.city and meta.city.rstrip("市") not in title:
        place = f"（{meta.city}）"
    return f"《{title}》{place}"


def header(ctx: Context, chunk: Chunk, section_path: tuple[str, ...] | None = None) -> str:
    """A block's header: the document's label and the section path."""
    path = chunk.section_path if section_path is None else section_path
    return f"{doc_label(ctx.documents.get(chunk.file), chunk)} {' > '.join(path)}".rstrip()


def dedupe(picks: Sequence[Pick], limit: int, floor: float = 0.5) -> list[Pick]:
    """The best sentences without repeats (the same sentence may sit in an outline and in its item)."""
    chosen, seen = [], set()
    best = picks[0].score if picks else 0
    for p in picks:
        key = fold(p.sentence.text)
        if key in seen or p.score < floor * best:
            continue
        seen.add(key)
        chosen.append(p)
        if len(chosen) == limit:
            break
    return chosen


def within_budget(picks: Sequence[Pick], budget: int, keep_first: int = 1) -> list[Pick]:
    """Keep the answer short: the first picks, then more only while they fit the budget."""
    kept, used = [], 0
    for position, p in enumerate(picks):
        if position < keep_first or used + len(p.sentence.text) <= budget:
            kept.append(p)
            used += len(p.sentence.text)
    return kept


def grouped(ctx: Context, picks: Sequence[Pick]) -> tuple[Block, ...]:
    """Picks grouped under their document and section, in the order of each group's best pick."""
    groups: dict[tuple, list[Pick]] = {}
    for p in picks:
        groups.setdefault((p.chunk.file, p.chunk.section_path), []).append(p)
    return tuple(Block(header(ctx, ps[0].chunk), tuple(ps)) for ps in groups.values())
