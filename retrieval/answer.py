"""Extractive answers: one answer plan per sub-question, rendered value first, every sentence cited.

No language model: every quoted sentence is a verbatim sentence of a cited passage, and every lead
line (the asked value, first) is cut verbatim from a cited sentence, so a citation can never fail
to support its claim. Which plan answers which kind of question is in `retrieval/plans.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from policyqa.records import Answer, Chunk, Citation, DocumentMeta, Hit, Target
from retrieval import messages
from retrieval.document_plans import per_document
from retrieval.ledger_plans import ledger_answer
from retrieval.plan_records import DEFAULT, Block, Context, Found, Pick, Thresholds
from retrieval.plans import plan_for
from retrieval.question import Question

# Slots whose comparison across documents is one value per document.
_PER_DOCUMENT = ("quantity", "date", "deadline", "responsible", "score", "fact", "requirements")


def compose(
    question: Question,
    hits: Sequence[Hit],
    documents: dict[str, DocumentMeta],
    weights: dict[str, float] | None = None,
    chunks_of: Callable[[str], Sequence[Chunk]] = lambda file: (),
    thresholds: Thresholds = DEFAULT,
    targets: Sequence[Target] = (),
) -> Answer:
    """An extractive, cited answer from the top hits (and the targets ledger's rows, for questions
    about every document's commitments). `weights` maps the question's content words (in the
    documents' language) to how much a sentence containing them is worth."""
    if not hits:
        return refusal(question, hits)
    ctx = Context(question, hits, documents, weights or {}, chunks_of, thresholds, targets)
    results = [(part, answer_part(ctx, part)) for part in question.parts]
    if not any(found.blocks for _, found in results):
        reason = next((found.missing for _, found in results if found.missing), "")
        said = tuple(block for _, found in results for block in found.said)
        return refusal(question, hits, reason, said)
    return render(question, results, hits)


def answer_part(ctx: Context, part) -> Found:
    """One sub-question from the ledger's rows when it asks about them and they match, else through
    its plan (once per document for a comparison across documents)."""
    found = ledger_answer(ctx, part)
    if found is not None:
        return found
    plan = plan_for(part)
    q = ctx.question
    if q.compare and len(q.named_files) != 1 and part.slot in _PER_DOCUMENT:
        found = per_document(ctx, part, plan)
        if found.blocks or found.missing:
            return found
    return plan(ctx, part)


class _Citations:
    """Numbers citations in order of first use; the same sentence keeps its number."""

    def __init__(self):
        self.items: list[Citation] = []
        self._by_span: dict[tuple[str, int, int], int] = {}

    def cite(self, pick: Pick) -> int:
        key = (pick.chunk.file, pick.sentence.start, pick.sentence.end)
        if key not in self._by_span:
            n = len(self.items) + 1
            self._by_span[key] = n
            self.items.append(
                Citation(
                    n=n,
                    file=pick.chunk.file,
                    title=pick.chunk.title,
                    section_path=pick.chunk.section_path,
                    quote=pick.sentence.text,
                    start=pick.sentence.start,
                    end=pick.sentence.end,
                )
            )
        return self._by_span[key]


def _block_lines(block: Block, citations: _Citations) -> list[str]:
    lines = [block.header + "："]
    bullet = "- " if len(block.picks) > 1 else ""
    lines += [f"{bullet}{p.sentence.text} [{citations.cite(p)}]" for p in block.picks]
    return lines


def render(question: Question, results, hits) -> Answer:
    """Lead lines (the asked values) first, then each block of cited sentences; a part that found
    nothing says so in one line."""
    citations = _Citations()
    leads, body, notes = [], [], []
    seen_blocks = set()
    for _, found in results:
        for text, pick in found.leads:
            leads.append(f"{text} [{citations.cite(pick)}]")
        for block in found.blocks:
            key = (block.header, tuple((p.chunk.file, p.sentence.start) for p in block.picks))
            if key in seen_blocks:
                continue
            seen_blocks.add(key)
            body += _block_lines(block, citations)
        if found.missing and not found.blocks:
            notes.append(messages.part_missing(question.language, found.missing))
    lines = leads + ([""] if leads and body else []) + body + notes
    return _answer(question, lines, citations, hits, refused=False)


def refusal(question: Question, hits: Sequence[Hit], reason: str = "", said: Sequence[Block] = ()) -> Answer:
    """A "not found" answer that says what is missing and shows what the documents do say nearby."""
    lang = question.language
    lines = [messages.with_reason(lang, reason)]
    citations = _Citations()
    if said:
        lines.append(messages.what_is_said(lang))
        for block in said:
            lines += _block_lines(block, citations)
    return _answer(question, lines, citations, hits, refused=True)


def _answer(question: Question, lines: list[str], citations: _Citations, hits, refused: bool) -> Answer:
    return Answer(
        question=question.text,
        text="\n".join(lines),
        citations=tuple(citations.items),
        refused=refused,
        hits=tuple(hits),
    )
