"""Extractive answers: the sentences of the retrieved passages that answer the question, cited.

No language model: every sentence of the answer is a verbatim sentence of a cited passage, so a
citation can never fail to support its claim. The composer scores sentences by the question's
words they contain (longer words count more) and by whether they hold the kind of thing asked
for (a date, a document number, an issuing body, a figure); it leads with the document title and
section, lists items for "what are the N …" questions and gives one block per document for
comparisons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from index.keyword import fold
from index.load import is_page_chrome
from policyqa.records import BODY, OUTLINE, Answer, Chunk, Citation, DocumentMeta, Hit
from retrieval.query import ANSWER_TYPES, ENUM_MARKER, QueryInfo, asked_types, covered_chars, heading_words
from retrieval.quotes import MIN_QUOTE_CHARS, Sentence, split_sentences
from retrieval.verify import is_instruction

REFUSAL_ZH = "文件中未找到能回答这个问题的内容。"
REFUSAL_EN = "The documents do not answer this question."


@dataclass(frozen=True)
class Pick:
    hit_rank: int
    chunk: Chunk
    sentence: Sentence
    score: float


def score_sentence(sentence: str, weights: dict[str, float], types: Sequence[str]) -> float:
    folded = fold(sentence)
    score = sum(w for t, w in weights.items() if t in folded)
    if not types:
        return score
    # When a date, number or issuer is asked for, a sentence without one cannot be the answer.
    if any(ANSWER_TYPES[name][1].search(sentence) for name in types):
        return score + 3.0
    return score * 0.3


def _sentences(chunk: Chunk) -> list[Sentence]:
    """Quotable sentences: long enough to cite, never a line planted to instruct a model, never page chrome."""
    return [
        s
        for s in split_sentences(chunk)
        if len(s.text) >= MIN_QUOTE_CHARS and not is_instruction(s.text) and not is_page_chrome(s.text)
    ]


def _picks(rank: int, chunk: Chunk, weights, types, bonus: float = 0.0) -> list[Pick]:
    picks = [Pick(rank, chunk, s, score_sentence(s.text, weights, types) + bonus) for s in _sentences(chunk)]
    return sorted((p for p in picks if p.score > 0), key=lambda p: -p.score)


def _doc_label(meta: DocumentMeta | None, chunk: Chunk) -> str:
    title = meta.title if meta else chunk.title
    place = ""
    if meta and meta.city and meta.city.rstrip("市") not in title:
        place = f"（{meta.city}）"
    return f"《{title}》{place}"


def _header(chunk: Chunk, documents, section_path: tuple[str, ...] | None = None) -> str:
    path = chunk.section_path if section_path is None else section_path
    return f"{_doc_label(documents.get(chunk.file), chunk)} {' > '.join(path)}".rstrip()


def compose(
    question: str,
    hits: Sequence[Hit],
    info: QueryInfo,
    documents: dict[str, DocumentMeta],
    weights: dict[str, float] | None = None,
    max_passages: int = 5,
) -> Answer:
    """An extractive, cited answer from the top hits. `weights` maps the question's content words
    (in the documents' language) to how much a sentence containing them is worth."""
    if not hits:
        return refusal(question, info, hits)
    weights = weights or {}
    types = asked_types(question)
    top = list(hits[:max_passages])

    blocks = _list_blocks(info.list_parent, hits, weights, types, documents) if info.list_parent else []
    if not blocks and _names_heading(top[0].chunk, weights):
        picks = _picks(0, top[0].chunk, weights, types, bonus=1.0)
        blocks = [
            (
                _header(top[0].chunk, documents),
                _within_budget(_dedupe(_cover_types(picks, types), 3), len(types)),
            )
        ]
    if not blocks and info.compare:
        blocks = _per_document_blocks(top, weights, types, documents, info)
    if not blocks and info.which_doc:
        # "Which document …": answer from the best-matching document only.
        blocks = _best_blocks(
            [h for h in top if h.chunk.file == top[0].chunk.file], weights, types, documents
        )
    if not blocks:
        blocks = _best_blocks(top, weights, types, documents)
    blocks = [b for b in blocks if b[1]]
    if not blocks:
        return refusal(question, info, hits)
    return _render(question, blocks, hits)


def _dedupe(picks: list[Pick], limit: int, floor: float = 0.5) -> list[Pick]:
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


def _cover_types(picks: list[Pick], types: Sequence[str]) -> list[Pick]:
    """Reorder so that each asked type (a date *and* an issuer, say) is answered by one of the first picks."""
    if len(types) < 2:
        return picks
    first = []
    for name in types:
        match = next(
            (p for p in picks if p not in first and ANSWER_TYPES[name][1].search(p.sentence.text)), None
        )
        if match is not None:
            first.append(match)
    first.sort(key=lambda p: -p.score)
    return first + [p for p in picks if p not in first]


ANSWER_BUDGET = 200  # characters of quoted text in a short answer: enough for a sentence or two


def _within_budget(picks: list[Pick], n_types: int) -> list[Pick]:
    """Keep the answer short: the best sentence, then more only while they fit the budget
    (each asked type keeps its sentence)."""
    kept, used = [], 0
    for position, p in enumerate(picks):
        if position == 0 or position < n_types or used + len(p.sentence.text) <= ANSWER_BUDGET:
            kept.append(p)
            used += len(p.sentence.text)
    return kept


def _names_heading(chunk: Chunk, weights: dict[str, float]) -> bool:
    """Whether the question's words spell out (80%+ of) the chunk's own heading, e.g.
    "总体目标是什么" and 二、总体目标: every sentence under it answers, though none repeats the words."""
    if not chunk.section_path or chunk.kind != BODY:
        return False
    heading = heading_words(chunk.section_path[-1])
    return bool(heading) and covered_chars(heading, weights) >= 0.8 * len(heading)


def _best_blocks(top: list[Hit], weights, types, documents) -> list[tuple[str, list[Pick]]]:
    """The best few sentences overall, grouped under their document and section."""
    picks = []
    for rank, hit in enumerate(top):
        if hit.chunk.kind == OUTLINE:
            continue  # its sentences are its items' opening lines, cited better from the items
        # Lower-ranked passages need clearly better sentences to be chosen.
        picks += [replace(p, score=p.score * 0.85**rank) for p in _picks(rank, hit.chunk, weights, types)[:2]]
    picks.sort(key=lambda p: -p.score)
    chosen = _within_budget(_dedupe(_cover_types(picks, types), 3), len(types))
    groups: dict[tuple, list[Pick]] = {}
    for p in chosen:
        groups.setdefault((p.chunk.file, p.chunk.section_path), []).append(p)
    return [(_header(ps[0].chunk, documents), ps) for ps in groups.values()]


def _per_document_blocks(top, weights, types, documents, info) -> list[tuple[str, list[Pick]]]:
    """One block per compared document, each with its best sentences."""
    by_file: dict[str, list[Pick]] = {}
    for rank, hit in enumerate(top):
        if hit.chunk.kind == OUTLINE:
            continue
        by_file.setdefault(hit.chunk.file, []).extend(_picks(rank, hit.chunk, weights, types)[:2])
    best = max((p.score for ps in by_file.values() for p in ps), default=0)
    named = set(info.named_files)
    if len(named) == 1:
        return []  # a comparison inside one document: the best sentences answer it
    blocks = []
    for file, picks in by_file.items():
        picks.sort(key=lambda p: -p.score)
        if not picks or (file not in named and picks[0].score < 0.45 * best):
            continue
        chosen = _dedupe(picks, 2, floor=0.6)
        blocks.append((_header(chosen[0].chunk, documents), chosen))
    return blocks


def _list_blocks(parent, hits, weights, types, documents) -> list[tuple[str, list[Pick]]]:
    """'What are the N items of X': X's items, one line each, from its outline or its item passages."""
    file, path = parent
    items_of_parent = [
        (rank, h.chunk)
        for rank, h in enumerate(hits)
        if h.chunk.file == file and h.chunk.kind == BODY and h.chunk.section_path[:-1] == path
    ]
    outline = next(
        (h.chunk for h in hits if h.chunk.kind == OUTLINE and (h.chunk.file, h.chunk.section_path) == parent),
        None,
    )
    if len(items_of_parent) < 2 and outline is not None:
        # Items are headings with sub-items of their own: list them from the outline.
        lines = [s for s in split_sentences(outline) if ENUM_MARKER.match(s.text)]
        items = [Pick(0, outline, s, 1.0) for s in lines if fold(s.text) != fold(path[-1])]
        return [(_header(outline, documents), items)] if len(items) >= 2 else []
    items = []
    seen = set()
    for rank, chunk in items_of_parent:
        if chunk.section_path in seen:
            continue  # a long item split into several chunks: its first chunk holds its heading
        seen.add(chunk.section_path)
        sentences = _sentences(chunk)
        if not sentences:
            continue
        item = Pick(rank, chunk, sentences[0], 1.0)
        wanted = [t for t in types if t in ("quantity", "date")]
        if wanted:
            # The item's heading rarely holds the figure asked for: take its best sentence that does.
            scored = [
                p
                for p in _picks(rank, chunk, weights, types)
                if ANSWER_TYPES[wanted[0]][1].search(p.sentence.text)
            ]
            if scored:
                item = scored[0]
        items.append(item)
    items.sort(key=lambda p: p.chunk.start)
    return [(_header(items[0].chunk, documents, path), items)] if len(items) >= 2 else []


def _render(question: str, blocks, hits) -> Answer:
    citations: list[Citation] = []
    lines = []
    for header, picks in blocks:
        lines.append(header + "：")
        for p in picks:
            n = len(citations) + 1
            citations.append(
                Citation(
                    n=n,
                    file=p.chunk.file,
                    title=p.chunk.title,
                    section_path=p.chunk.section_path,
                    quote=p.sentence.text,
                    start=p.sentence.start,
                    end=p.sentence.end,
                )
            )
            bullet = "- " if len(picks) > 1 else ""
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
