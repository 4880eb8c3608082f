"""Value plans: the best few sentences for any question (`best_sentences`); a figure, date,
deadline or responsible unit stated in the text (`slot_value`, led by the `value_clause` that
states it); and a task's column in a table (`table_cell`, else `slot_value`)."""

from __future__ import annotations

import re
from dataclasses import replace

from index.keyword import fold
from policyqa.records import OUTLINE
from retrieval.checks import agrees, holds_slot, names_heading, subject_cover
from retrieval.plan_records import Context, Found, Pick, top_hits
from retrieval.question import Part
from retrieval.sentences import dedupe, grouped, picks_of, within_budget
from retrieval.table_plans import row_found, table_cells, table_row_values

_CLAUSE_END = re.compile(r"[，,；;：:。！？!?]")


def value_clause(text: str, part: Part, subject: str = "") -> str:
    """The clause of a sentence that states the asked value, in the document's words
    ("全市新改建公厕20座"), or '' when no single clause holds it."""
    clauses, start = [], 0
    for match in _CLAUSE_END.finditer(text + "。"):
        clause = text[start : match.start()].strip()
        if clause:
            clauses.append(clause)
        start = match.end()
    holding = [c for c in clauses if holds_slot(c, part)] if part.slot not in ("fact", "items") else []
    if subject:
        holding = [c for c in holding if _shares_words(c, subject)] or holding
    if not holding:
        return ""
    clause = holding[0]
    if len(clause) < 6 and len(clauses) > 1:
        # A bare figure ("达到100%"): keep the clause before it, which names what is measured.
        i = clauses.index(clause)
        if i > 0:
            clause = clauses[i - 1] + "，" + clause if clauses[i - 1] + "，" + clause in text else clause
    return clause


def _shares_words(text: str, subject: str) -> bool:
    folded = fold(text)
    grams = {subject[i : i + 2] for i in range(len(subject) - 1)} or {subject}
    return sum(g in folded for g in grams) >= max(1, len(grams) // 2)


def best_sentences(ctx: Context, part: Part) -> Found:
    """Any question: the best few sentences overall, grouped under their document and section."""
    th = ctx.thresholds
    top = top_hits(ctx)
    if top and names_heading(top[0].chunk, ctx.weights, th.heading_named):
        # "总体目标是什么" and 二、总体目标: the named section answers, though its sentences share no word.
        named = dedupe(picks_of(ctx, 0, top[0].chunk, part, bonus=1.0), 3)
        return Found(blocks=grouped(ctx, within_budget(named, th.answer_budget)))
    picks = []
    for rank, hit in enumerate(top):
        if hit.chunk.kind == OUTLINE:
            continue  # its sentences are its items' opening lines, cited better from the items
        picks += [
            replace(p, score=p.score * th.rank_decay**rank) for p in picks_of(ctx, rank, hit.chunk, part)[:2]
        ]
    picks.sort(key=lambda p: -p.score)
    chosen = within_budget(dedupe(picks, 3), th.answer_budget)
    return Found(blocks=grouped(ctx, chosen))


def slot_value(ctx: Context, part: Part) -> Found:
    """A figure, date, deadline or responsible unit stated in the text.

    The supporting sentence must carry the slot (a figure in the asked unit, a date …), cover the
    question's topic, and agree with the asked year; the answer leads with the clause that states
    the value. When sentences carry the slot but not for the asked year or subject, the plan
    reports it missing and shows them."""
    th = ctx.thresholds
    candidates: list[Pick] = []
    for rank, hit in enumerate(ctx.hits[: th.passages]):
        if hit.chunk.kind == OUTLINE:
            continue
        for p in picks_of(ctx, rank, hit.chunk, part):
            candidates.append(replace(p, score=p.score * th.rank_decay**rank))
    candidates.sort(key=lambda p: -p.score)
    carrying = [
        p for p in candidates if p.hit_rank < th.evidence_passages and holds_slot(p.sentence.text, part)
    ]
    if ctx.question.language == "en":
        on_topic = carrying  # dictionary translations are too noisy to demand the topic's words
    else:
        on_topic = [
            p for p in carrying if subject_cover(ctx, p.sentence.text, p.chunk, part) >= th.subject_cover
        ]
    supporting = [p for p in on_topic if agrees(ctx, p)]
    if not supporting and part.slot in ("quantity", "date"):
        row = table_row_values(ctx, part)
        if row.blocks:
            return row
    if not supporting:
        said = grouped(ctx, dedupe(on_topic or carrying or candidates, 2))
        return Found(missing=_missing_reason(ctx, part, bool(on_topic)), said=said)
    subjects = part.subjects or ("",)
    leads, chosen = [], []
    for subject in subjects:
        pool = [p for p in supporting if not subject or _shares_words(p.sentence.text, subject)] or supporting
        best = pool[0]
        clause = value_clause(best.sentence.text, part, subject)
        if best not in chosen:
            chosen.append(best)
        if clause and clause not in [text for text, _ in leads]:
            leads.append((clause, best))
    extra = [p for p in dedupe(supporting, 3) if p not in chosen]
    chosen = within_budget(chosen + extra, th.answer_budget, keep_first=len(chosen))
    return Found(blocks=grouped(ctx, chosen), leads=tuple(leads))


def _missing_reason(ctx: Context, part: Part, topic_found: bool) -> str:
    from retrieval import messages

    lang = ctx.question.language
    if ctx.question.years and topic_found:
        return messages.missing_for_year(lang, ctx.question.years, part.slot)
    return messages.missing_slot(lang, part.slot)


# The columns of a task table that hold each slot.
_COLUMNS = {
    "responsible": (
        "牵头单位",
        "责任单位",
        "负责单位",
        "责任部门",
        "牵头部门",
        "主责单位",
        "配合单位",
        "实施主体",
    ),
    "deadline": ("完成时限", "时限", "完成时间", "时间节点", "截止时间", "时间安排", "进度安排"),
    "score": ("分值", "分数", "权重", "满分", "标准分"),
}


def table_cell(ctx: Context, part: Part) -> Found:
    """Who leads / who is responsible / the deadline / the score weight of a task: the value of the
    matching column (牵头单位, 完成时限, 分值 …) in the best-matching table row; inline text otherwise."""
    names = _COLUMNS.get(part.slot, ())
    best = None
    for rank, hit in enumerate(top_hits(ctx)):
        cells = table_cells(hit.chunk)
        wanted = [c for c in cells if any(name in c[0] for name in names)]
        if not wanted:
            continue
        # The row's other cells and the column names (a task row is read with its header).
        others = " ".join([*(c[1] for c in cells if c not in wanted), *(c[0] for c in cells)])
        cover = subject_cover(ctx, others, hit.chunk, part)
        score = cover * ctx.thresholds.rank_decay**rank
        if cover >= ctx.thresholds.subject_cover and (best is None or score > best[0]):
            best = (score, rank, hit.chunk, cells, wanted)
    if best is None:
        row = table_row_values(ctx, part)
        return row if row.blocks else slot_value(ctx, part)
    _, rank, chunk, cells, wanted = best
    return row_found(ctx, rank, chunk, cells, wanted)
