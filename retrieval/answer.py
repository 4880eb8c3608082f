"""Extractive answers: the sentences of the retrieved passages that answer the question, cited.

No language model: every sentence of the answer is a verbatim sentence of a cited passage, so a
citation can never fail to support its claim. The composer picks sentences by how many of the
question's words they contain (rarer, longer words count more), keeps figures verbatim, leads
with the document title and section, lists items for "what are the N …" questions and gives
one block per document for comparisons.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.keyword import fold, tokenize
from policyqa.records import OUTLINE, TABLE, Answer, Chunk, Citation, DocumentMeta, Hit
from retrieval.query import QueryInfo
from retrieval.quotes import MIN_QUOTE_CHARS, Sentence, split_sentences

_NUMBER = re.compile(r"\d")
_QUANTITY = re.compile(r"多少|几|比例|百分之|how (?:many|much)|what (?:rate|share|percentage)", re.I)
_ENUM = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、.．]|\d+[、.．]|[①-⑳])"
)

REFUSAL_ZH = "文件中未找到能回答这个问题的内容。"
REFUSAL_EN = "The documents do not answer this question."


@dataclass(frozen=True)
class Pick:
    hit_rank: int
    chunk: Chunk
    sentence: Sentence
    score: float


def _weights(question: str) -> dict[str, float]:
    """Question words with weights: longer words are more specific."""
    return {t: math.log(1 + len(t)) * (1.0 if len(t) > 1 else 0.3) for t in set(tokenize(question))}


def score_sentence(sentence: str, weights: dict[str, float], wants_number: bool) -> float:
    folded = fold(sentence)
    score = sum(w for t, w in weights.items() if t in folded)
    if wants_number and _NUMBER.search(sentence):
        score *= 1.3
    return score


def _best_sentences(hit_rank: int, chunk: Chunk, weights, wants_number: bool, limit: int) -> list[Pick]:
    sentences = [s for s in split_sentences(chunk) if len(s.text) >= MIN_QUOTE_CHARS] or split_sentences(
        chunk
    )
    scored = [Pick(hit_rank, chunk, s, score_sentence(s.text, weights, wants_number)) for s in sentences]
    scored = [p for p in scored if p.score > 0]
    scored.sort(key=lambda p: -p.score)
    return scored[:limit]


def _heading_of(chunk: Chunk) -> str:
    return chunk.section_path[-1] if chunk.section_path else ""


def _doc_label(meta: DocumentMeta | None, chunk: Chunk) -> str:
    title = meta.title if meta else chunk.title
    place = ""
    if meta and meta.city and meta.city.rstrip("市") not in title:
        place = f"（{meta.city}）"
    return f"《{title}》{place}"


def compose(
    question: str,
    hits: Sequence[Hit],
    info: QueryInfo,
    documents: dict[str, DocumentMeta],
    max_passages: int = 5,
) -> Answer:
    """An extractive, cited answer from the top hits."""
    if not hits:
        return refusal(question, info, hits)
    weights = _weights(question)
    wants_number = bool(_QUANTITY.search(question))
    top = list(hits[:max_passages])

    if info.wants_list and top[0].chunk.kind == OUTLINE:
        blocks = [_list_block(top[0].chunk, documents)]
    elif info.compare or info.which_doc and len({h.chunk.file for h in top[:3]}) > 1:
        blocks = _per_document_blocks(top, weights, wants_number, documents, info)
    else:
        picks = []
        for rank, hit in enumerate(top):
            picks += _best_sentences(rank, hit.chunk, weights, wants_number, 2)
        picks.sort(key=lambda p: -p.score * (0.85**p.hit_rank))
        chosen = _choose(picks, 3)
        blocks = [_block(chosen, documents)] if chosen else []
    blocks = [b for b in blocks if b[1]]
    if not blocks:
        return refusal(question, info, hits)
    return _render(question, blocks, hits, info)


def _choose(picks: list[Pick], limit: int) -> list[Pick]:
    """The best sentences, without repeats, in document order within each chunk."""
    chosen, seen = [], set()
    best = picks[0].score if picks else 0
    for p in picks:
        key = (p.chunk.file, p.sentence.start)
        if key in seen or p.score < 0.5 * best:
            continue
        seen.add(key)
        chosen.append(p)
        if len(chosen) == limit:
            break
    return chosen


def _block(picks: list[Pick], documents) -> tuple[str, list[Pick]]:
    first = picks[0].chunk
    header = f"{_doc_label(documents.get(first.file), first)} {first.section}"
    return header, picks


def _per_document_blocks(top, weights, wants_number, documents, info) -> list[tuple[str, list[Pick]]]:
    by_file: dict[str, list[Pick]] = {}
    for rank, hit in enumerate(top):
        for p in _best_sentences(rank, hit.chunk, weights, wants_number, 1):
            by_file.setdefault(hit.chunk.file, []).append(p)
    blocks = []
    best = max((p.score for ps in by_file.values() for p in ps), default=0)
    for _file, picks in by_file.items():
        picks.sort(key=lambda p: -p.score)
        if picks[0].score < 0.45 * best:
            continue
        blocks.append(_block(_choose(picks, 2), documents))
    return blocks


def _list_block(outline: Chunk, documents) -> tuple[str, list[Pick]]:
    """Each listed item of an outline passage, one line each."""
    sentences = split_sentences(outline)
    items = [Pick(0, outline, s, 1.0) for s in sentences if _ENUM.match(s.text)] or [
        Pick(0, outline, s, 1.0) for s in sentences[1:]
    ]
    header = f"{_doc_label(documents.get(outline.file), outline)} {outline.section}"
    return header, items


def _render(question: str, blocks, hits, info: QueryInfo) -> Answer:
    citations: list[Citation] = []
    lines = []
    for header, picks in blocks:
        lines.append(header + "：")
        for p in picks:
            n = len(citations) + 1
            meta_date = ""
            citations.append(
                Citation(
                    n=n,
                    file=p.chunk.file,
                    title=p.chunk.title,
                    section_path=p.chunk.section_path,
                    quote=p.sentence.text,
                    start=p.sentence.start,
                    end=p.sentence.end,
                    date=meta_date,
                )
            )
            bullet = "- " if len(picks) > 1 or p.chunk.kind in (OUTLINE, TABLE) else ""
            lines.append(f"{bullet}{p.sentence.text} [{n}]")
    return Answer(
        question=question, text="\n".join(lines), citations=tuple(citations), refused=False, hits=tuple(hits)
    )


def refusal(question: str, info: QueryInfo, hits: Sequence[Hit], reason: str = "") -> Answer:
    """A plain "not found" answer; the closest passages stay attached as related material."""
    text = REFUSAL_EN if info.language == "en" else REFUSAL_ZH
    if reason:
        text += f"（{reason}）" if info.language == "zh" else f" ({reason})"
    return Answer(question=question, text=text, citations=(), refused=True, hits=tuple(hits))
