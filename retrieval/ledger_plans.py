"""Answers read from the targets ledger (`Context.targets`): every quantified commitment and deadline
of every document, so a question about all of them is answered from all of them, not from the few
passages retrieval returned.

    which_documents_with   哪份/哪几份文件提出 X（达到 V）: every document with a row for X (and value V)
    side_by_side           甲、乙 X 分别是多少: one row per compared document
    year_by_year           X 在2025年、2027年各是多少: one row per asked year of one document
    due_before             X月底前要完成哪些任务: the rows due on or before the asked date

`ledger_answer(ctx, part)` tries them in that order. Each returns None when its kind of question is
not asked or no row matches the asked subject (and value) well enough; the part then goes to its
retrieval plan. Every row is cited by its verbatim sentence, like any other citation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.keyword import fold
from index.target_rules import find_deadlines
from index.targets import document_year
from policyqa.records import OUTLINE, Chunk, Target
from retrieval import messages
from retrieval.checks import agrees, place_agrees
from retrieval.ledger_match import (
    CLAUSE,
    Value,
    asked_values,
    candidates,
    clause_at,
    clause_of,
    cover,
    money_unit,
    row_words,
    topic,
    unit_fits,
    value_matches,
)
from retrieval.plan_records import Block, Context, Found, Pick
from retrieval.question import Part
from retrieval.quotes import Sentence
from retrieval.sentences import doc_label, header

# A question asking what is to be done by a date (not what a date is).
_ASKS_TASKS = re.compile(r"任务|工作|事项|目标|指标|完成|实现|建成|做什么|干什么|到期")


# ---------------------------------------------------------------------------------------------
# Rows as citations


def pick_of(ctx: Context, row: Target) -> Pick:
    """A row as a quoted sentence, inside the chunk that holds it (its own section, for the card)."""
    chunk = next(
        (
            c
            for c in ctx.chunks_of(row.file)
            if c.kind != OUTLINE
            and c.start <= row.start
            and row.end <= c.end
            and c.section_path == row.section_path
        ),
        None,
    ) or Chunk(row.id, row.file, row.title, row.section_path, row.start, row.end, row.sentence, row.sentence)
    return Pick(0, chunk, Sentence(row.sentence, row.start, row.end), 1.0)


def _blocks(ctx: Context, rows: Sequence[Target]) -> tuple[tuple[Block, ...], list[Pick]]:
    """Rows grouped under their document and section (in the order given), one citation each."""
    groups: dict[tuple, list[Pick]] = {}
    picks = []
    for row in rows:
        pick = pick_of(ctx, row)
        picks.append(pick)
        key = (row.file, row.section_path)
        if all(p.sentence.start != pick.sentence.start for p in groups.get(key, [])):
            groups.setdefault(key, []).append(pick)
    blocks = tuple(
        Block(header(ctx, ps[0].chunk, ps[0].chunk.section_path), tuple(ps)) for ps in groups.values()
    )
    return blocks, picks


def _labelled(ctx: Context, rows: Sequence[Target]) -> Found:
    """One lead per row, naming its document (《title》 + the clause stating the value), then the rows."""
    blocks, picks = _blocks(ctx, rows)
    leads = tuple(
        (f"{doc_label(ctx.documents.get(r.file), p.chunk)}{clause_of(r)}", p)
        for r, p in zip(rows, picks, strict=True)
    )
    return Found(blocks=blocks, leads=leads)


def _best_per_document(scored: Sequence[tuple[float, Target]]) -> dict[str, Target]:
    """The best row of each document: the best cover; then a row for the whole period (the latest
    deadline, or none) over an interim one; then the text over a table row restating it."""
    best: dict[str, tuple] = {}
    for score, row in scored:
        key = (round(score, 3), row.deadline or "9999", row.source == "text", -row.start)
        if row.file not in best or key > best[row.file][0]:
            best[row.file] = (key, row)
    return {file: row for file, (_, row) in best.items()}


def _ranked(ctx: Context, best: dict[str, Target], weights: dict[str, float]) -> list[Target]:
    """Each document's row, best cover first; among equals, the document retrieval ranks higher."""
    rank = {}
    for n, hit in enumerate(ctx.hits):
        rank.setdefault(hit.chunk.file, n)
    return sorted(
        best.values(), key=lambda r: (-round(cover(weights, row_words(r)), 3), rank.get(r.file, len(rank)))
    )


# ---------------------------------------------------------------------------------------------
# The question kinds


def which_documents_with(ctx: Context, part: Part) -> Found | None:
    """哪份/哪几份文件提出 X（达到 V）: every document with a row for X (of value V when the question
    names one), each named and cited by its row; None when no row matches."""
    if part.slot != "which_doc":
        return None
    values = asked_values(part.text)
    weights = topic(ctx, part, drop=[v.value for v in values])
    if not weights:
        return None
    th = ctx.thresholds
    floor = th.ledger_cover_with_value if values else th.ledger_cover
    scored = []
    for row in candidates(ctx, weights=weights):
        if values and not any(value_matches(row, v) for v in values):
            continue
        score = cover(weights, row_words(row))
        if score >= floor and agrees(ctx, pick_of(ctx, row)):
            scored.append((score, row))
    if not scored:
        return _value_not_set(ctx, part, values, weights) if values else None
    rows = _ranked(ctx, _best_per_document(scored), weights)[: ctx.thresholds.ledger_documents]
    return _labelled(ctx, rows)


def _value_not_set(
    ctx: Context, part: Part, values: Sequence[Value], weights: dict[str, float]
) -> Found | None:
    """A near miss: rows for the asked subject state other figures, and no document writes the asked
    one anywhere. Refused with those rows; None (retrieval decides) unless both hold."""
    units = {money_unit(v.unit) for v in values}
    scored = [
        (score, row)
        for row in candidates(ctx, weights=weights)
        if money_unit(row.unit) in units
        and (score := cover(weights, row_words(row))) >= ctx.thresholds.ledger_cover
        and agrees(ctx, pick_of(ctx, row))
    ]
    # Checked last: folding every document's text is the costly part.
    if not scored or any(fold(v.value) in ctx.document_text(f) for v in values for f in ctx.documents):
        return None
    rows = _ranked(ctx, _best_per_document(scored), weights)[:3]
    blocks, _ = _blocks(ctx, rows)
    return Found(missing=messages.value_not_stated(ctx.question.language, values[0].value), said=blocks)


def side_by_side(ctx: Context, part: Part) -> Found | None:
    """甲、乙（或各文件）X 分别是多少: one row per compared document, side by side. The documents are
    those the question names (each must have a row), or, naming none, every document with a row for X
    (at least two)."""
    q = ctx.question
    if not q.compare or part.slot != "quantity" or len(q.named_files) == 1:
        return None
    files = list(q.named_files)
    weights = topic(ctx, part, files=files)
    if not weights:
        return None
    scored = [
        (score, row)
        for score, row in _figures(ctx, part, weights, files or None)
        if agrees(ctx, pick_of(ctx, row))
    ]
    best = _best_per_document(scored)
    if (files and set(best) != set(files)) or len(best) < 2:
        return None
    rows = [best[f] for f in files] if files else _ranked(ctx, best, weights)
    return _labelled(ctx, rows[: ctx.thresholds.ledger_documents])


def _figures(ctx: Context, part: Part, weights: dict[str, float], files) -> list[tuple[float, Target]]:
    """Rows of the given documents stating a figure in the asked unit, on the topic, with their cover."""
    scored = []
    for row in candidates(ctx, files, weights):
        if not unit_fits(row, part.unit) or row.kind not in ("target", "standard", "penalty", "score"):
            continue
        score = cover(weights, row_words(row))
        if score >= ctx.thresholds.ledger_cover:
            scored.append((score, row))
    return scored


def year_by_year(ctx: Context, part: Part) -> Found | None:
    """X 在2025年、2027年分别是多少 (one document): one row per asked year, the row due in that year.
    Every asked year must have one."""
    q = ctx.question
    if not q.compare or part.slot != "quantity" or len(q.named_files) != 1 or len(q.years) < 2:
        return None
    weights = topic(ctx, part, files=q.named_files)
    if not weights:
        return None
    by_year: dict[int, tuple[float, Target]] = {}
    for score, row in _figures(ctx, part, weights, q.named_files):
        year = int(row.deadline[:4]) if row.deadline else None
        if year in q.years and (year not in by_year or score > by_year[year][0]):
            by_year[year] = (score, row)
    if set(by_year) != set(q.years):
        return None
    rows = [by_year[y][1] for y in sorted(by_year)]
    blocks, picks = _blocks(ctx, rows)
    leads = tuple((f"{r.deadline_text}：{clause_of(r)}", p) for r, p in zip(rows, picks, strict=True))
    return Found(blocks=blocks, leads=leads)


def asked_due(ctx: Context, part: Part, file: str) -> str:
    """The ISO date a "due before" part names (6月底前, 2025年底前), read in the question's year, else
    in the document's own year; '' when it names none."""
    meta = ctx.documents.get(file)
    year = ctx.question.years[0] if ctx.question.years else (document_year(meta) if meta else None)
    dates = [d.iso for d in find_deadlines(part.text, year) if d.iso]
    return max(dates, default="")


def _due(row: Target, year: int | None) -> tuple[str, str]:
    """A row's earliest deadline (ISO, as written): its own, or an earlier one its sentence states."""
    dates = [(d.iso, d.text) for d in find_deadlines(row.sentence, year) if d.iso]
    dates += [(row.deadline, row.deadline_text)] if row.deadline else []
    return min(dates, default=("", ""))


def due_before(ctx: Context, part: Part) -> Found | None:
    """X月底前要完成哪些任务: every row of the named document (or of every document of the named place)
    due on or before the asked date, earliest first. When the named document sets deadlines but none
    that early, the part is refused with its earliest ones."""
    q = ctx.question
    if part.slot not in ("items", "requirements", "fact") or not _ASKS_TASKS.search(part.text):
        return None
    files = list(q.named_files[:1]) or [f for f in ctx.documents if place_agrees(ctx, f)]
    deadlines = [d.text for d in find_deadlines(part.text, None)]
    if not deadlines:
        return None
    weights = topic(ctx, part, files=files, drop=deadlines)
    due, later, asked_in = [], [], {}
    for row in candidates(ctx, files):
        if not row.deadline:  # undated rows (持续推进, 每月) are never due by a date
            continue
        if row.file not in asked_in:
            asked_in[row.file] = asked_due(ctx, part, row.file)
        if not asked_in[row.file] or (
            weights
            and cover(weights, f"{row.sentence}{''.join(row.section_path)}") < ctx.thresholds.ledger_cover
        ):
            continue
        meta = ctx.documents.get(row.file)
        when = _due(row, document_year(meta) if meta else None)
        (due if when[0] <= asked_in[row.file] else later).append((when, row))
    if due:
        dated = _unique(sorted(due, key=lambda x: (x[0][0], x[1].file, x[1].start)))[
            : ctx.thresholds.ledger_rows
        ]
        rows = [row for _, row in dated]
        blocks, picks = _blocks(ctx, rows)
        leads = tuple((_task_words(row, when[1]), p) for (when, row), p in zip(dated, picks, strict=True))
        return Found(blocks=blocks, leads=leads)
    if later and q.named_files and not weights:
        earliest = _unique(sorted(later, key=lambda x: (x[0][0], x[1].start)))[:2]
        blocks, _ = _blocks(ctx, [row for _, row in earliest])
        return Found(missing=messages.nothing_due(q.language, deadlines[-1]), said=blocks)
    return None


def _unique(dated: Sequence[tuple[tuple[str, str], Target]]) -> list[tuple[tuple[str, str], Target]]:
    """Dated rows without repeating a sentence (a sentence of two figures is two rows)."""
    seen, out = set(), []
    for when, row in dated:
        if (row.file, row.start) not in seen:
            seen.add((row.file, row.start))
            out.append((when, row))
    return out


def _task_words(row: Target, when_text: str) -> str:
    """What is due, in the document's words: a table row's task cell with its time limit, else the
    clause of the sentence holding the deadline."""
    if row.source == "table":
        return f"{clause_of(row)}（{row.deadline_text}）"
    clause = clause_at(row.sentence, when_text) or clause_of(row)
    # 到2025年底，建成…，…: a clause that is only the date is read with the sentence it opens;
    # 制定应急预案，6月底前报审批: a short one with the clause before it, which names the thing.
    if len(clause) - len(when_text) < 4:
        return row.sentence
    at = row.sentence.find(clause)
    before = [m.end() for m in CLAUSE.finditer(row.sentence, 0, max(at - 1, 0))]
    if len(clause) < 14 and at > 0:
        return row.sentence[before[-1] if before else 0 : at + len(clause)]
    return clause


LEDGER_PLANS = (which_documents_with, side_by_side, year_by_year, due_before)


def ledger_answer(ctx: Context, part: Part) -> Found | None:
    """The part answered from ledger rows, or None (then retrieval's plan answers it)."""
    if not ctx.targets or ctx.question.language != "zh":
        return None
    for plan in LEDGER_PLANS:
        found = plan(ctx, part)
        if found is not None:
            return found
    return None
