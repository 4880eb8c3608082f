"""Section and list plans: a named section's own sentences (`section_content`) and the items of a
list (`list_items`): a named parent's children, one enumerating sentence, a sentence that
introduces a list, a table's rows, or a section's outline."""

from __future__ import annotations

import re
from dataclasses import replace

from index.cjk import chinese_to_int
from index.keyword import fold
from policyqa.records import BODY, OUTLINE, Chunk
from retrieval.checks import heading_cover, holds_slot, names_heading
from retrieval.plan_records import Block, Context, Found, Pick, top_hits
from retrieval.query import ENUM_MARKER, covered_chars, heading_words
from retrieval.question import Part
from retrieval.quotes import MIN_QUOTE_CHARS, Sentence, split_sentences
from retrieval.sentences import header, picks_of, plain_text, quotable, with_items, within_budget
from retrieval.table_plans import table_items
from retrieval.value_plans import best_sentences
from retrieval.verify import is_instruction


def section_content(ctx: Context, part: Part) -> Found:
    """有哪些要求 / 措施 / 怎么做: the named section's own sentences. The question names a section when
    it spells out most of its heading; its content (never the bare heading) answers."""
    th = ctx.thresholds
    if ctx.question.list_parent:
        # The search found the parent section the question names (better than any of its items):
        # its requirements are its items.
        found = _children_of(ctx, part)
        if found.blocks:
            return found
    named = [
        (rank, hit.chunk)
        for rank, hit in enumerate(top_hits(ctx))
        if hit.chunk.kind == BODY and names_heading(hit.chunk, ctx.weights, th.heading_named)
    ]
    # The section whose heading the question spells out most fully (the first on a tie).
    named.sort(key=lambda rc: (-heading_cover(rc[1], ctx.weights), rc[0]))
    parent = _named_outline(ctx, part)
    if parent is not None:
        outline = parent.blocks[0].picks[0].chunk
        if not named or heading_cover(outline, ctx.weights) > heading_cover(named[0][1], ctx.weights):
            # A parent section (二、工作要求): its requirements are its items.
            return parent
    for rank, chunk in named[:1]:
        picks = [Pick(rank, chunk, s, 1.0) for s in quotable(chunk)]
        if picks:
            chosen = within_budget(picks, th.answer_budget + 100)
            return Found(blocks=(Block(header(ctx, chunk), tuple(chosen)),))
    return best_sentences(ctx, part)


_ENUMERATION = re.compile(
    r"(?:分为|划分为|包括|包含|分成|设置|设立|实行|评定为|确定为|是指|即)[^。；;]*?(?:[“\"][^”\"]+[”\"][、和及与]?){2,}|"
    r"(?:分为|划分为|包括|包含|分成|评定为|确定为)[^。；;]{0,6}(?:[\u4e00-\u9fff]{1,12}、){1,}[\u4e00-\u9fff]{1,12}"
)


def list_items(ctx: Context, part: Part) -> Found:
    """X包括哪几项 / 都有哪些 / 哪N个: (a) the child headings of the section the question names,
    (b) the document's own top-level parts, or (c) the items of one enumerating sentence."""
    q = ctx.question
    filtered = table_items(ctx, part, filtered_only=True)
    if filtered is not None:
        return filtered  # the rows with the value the question names: more precise than any list
    named = _named_outline(ctx, part)
    if q.list_parent:
        found = _children_of(ctx, part)
        if found.blocks and not (named is not None and _names_better(ctx, named, q.list_parent)):
            return found
    enumerating = _enumerating_sentence(ctx, part)
    if enumerating is not None:
        return Found(blocks=(Block(header(ctx, enumerating.chunk), (enumerating,)),))
    introduced = _introduced_list(ctx)
    if introduced is not None:
        return Found(blocks=(Block(header(ctx, introduced.chunk), (introduced,)),))
    rows = table_items(ctx, part)
    if rows is not None:
        return rows
    if named is not None:
        return named
    siblings = _sibling_outline(ctx, part)
    if siblings is not None:
        return siblings
    own = _own_section(ctx)
    if own is not None:
        return own
    return best_sentences(ctx, part)


def _own_section(ctx: Context) -> Found | None:
    """The best passage's whole section, when the question spells out half its heading (有哪些处理
    措施 and 问：对骗取补贴的行为怎么处理？): a list without markers is its sentences, and the best
    few sentences alone would cut it short."""
    th = ctx.thresholds
    top = ctx.hits[:1]
    if not top or not names_heading(top[0].chunk, ctx.weights, th.heading_half_named):
        return None
    chunk = top[0].chunk
    picks = [Pick(0, chunk, s, 1.0) for s in quotable(chunk)]
    if len(picks) < 2:
        return None
    return Found(blocks=(Block(header(ctx, chunk), tuple(within_budget(picks, th.answer_budget + 100))),))


def _names_better(ctx: Context, named: Found, parent: tuple) -> bool:
    """Whether the question spells out the heading of the outline `named` more fully than the
    heading of the parent the search chose (重点任务 named outright beats a child whose items
    happen to share the listed noun)."""
    outline = named.blocks[0].picks[0].chunk
    if (outline.file, outline.section_path) == parent:
        return False
    _, path = parent
    chosen = heading_words(path[-1]) if path else ""
    chosen_cover = covered_chars(chosen, ctx.weights) / len(chosen) if chosen else 0.0
    return heading_cover(outline, ctx.weights) > chosen_cover


def _outline_items(outline: Chunk, min_chars: int = MIN_QUOTE_CHARS) -> list[Pick]:
    """An outline passage's item lines (those with an enumeration marker), its own heading excluded."""
    heading = fold(outline.section_path[-1]) if outline.section_path else ""
    items = [Pick(0, outline, s, 1.0) for s in split_sentences(outline) if ENUM_MARKER.match(s.text)]
    return [p for p in items if fold(p.sentence.text) != heading and len(p.sentence.text) >= min_chars]


def section_items(ctx: Context, outline: Chunk, min_chars: int = MIN_QUOTE_CHARS) -> list[Pick]:
    """Every item of the outline's section: a long outline is split into several passages by the
    chunker, and a list is only whole with the items of all of them."""
    parts = [
        c for c in ctx.chunks_of(outline.file) if c.kind == OUTLINE and c.section_path == outline.section_path
    ]
    items = [p for chunk in (parts or [outline]) for p in _outline_items(chunk, min_chars)]
    seen, whole = set(), []
    for p in sorted(items, key=lambda p: p.sentence.start):
        if p.sentence.start not in seen:
            seen.add(p.sentence.start)
            whole.append(p)
    return whole


def _named_outline(ctx: Context, part: Part) -> Found | None:
    """In the best passage's document, the parent section the question names: its heading is mostly
    spelled out by the question (重点任务, 保障措施), or most of its items are the kind of thing
    listed (哪几个环节 -> items ending in 环节)."""
    if not ctx.hits:
        return None
    file = ctx.hits[0].chunk.file
    # Only a parent of the best passages: a heading the question happens to share words with
    # elsewhere in the document is not what it asks about.
    ancestors = {
        h.chunk.section_path[:n]
        for h in ctx.hits[: ctx.thresholds.passages]
        if h.chunk.file == file
        for n in range(1, len(h.chunk.section_path) + 1)
    }
    best, best_score = None, 0.0
    for chunk in ctx.chunks_of(file):
        if chunk.kind != OUTLINE or chunk.section_path not in ancestors:
            continue
        items = section_items(ctx, chunk)
        if len(items) < 2:
            continue
        score = heading_cover(chunk, ctx.weights)
        if part.noun and _introduces(ctx, chunk, part.noun):
            score = 1.0  # 主要步骤如下： over the items, for 要走哪几个步骤
        if part.noun:
            share = sum(part.noun in heading_words(p.sentence.text.split("。")[0]) for p in items) / len(
                items
            )
            score = max(score, share if share >= 0.5 else 0.0)
        if score > best_score:
            best, best_score = chunk, score
    if best is None or best_score < ctx.thresholds.heading_named:
        return None
    return Found(blocks=(Block(header(ctx, best), tuple(section_items(ctx, best))),))


def _introduces(ctx: Context, outline: Chunk, noun: str) -> bool:
    """Whether the section's own text announces its items as things of the asked kind, in a
    sentence that ends with a colon (主要步骤如下： / 包括以下材料：)."""
    own = [
        c for c in ctx.chunks_of(outline.file) if c.kind == BODY and c.section_path == outline.section_path
    ]
    return any(s.text.endswith(("：", ":")) and noun in s.text for c in own for s in split_sentences(c))


def _sibling_outline(ctx: Context, part: Part) -> Found | None:
    """When the best passages are several items of one parent section (the question names the items'
    kind, not the parent's heading), the parent's outline lists them all. When the question names
    the kind of thing listed (哪几类设施), the items must be of that kind."""
    parents: dict[tuple[str, tuple], set] = {}
    for hit in ctx.hits[: ctx.thresholds.evidence_passages]:
        path = hit.chunk.section_path
        if hit.chunk.kind == BODY and len(path) >= 2:
            parents.setdefault((hit.chunk.file, path[:-1]), set()).add(path)
    for (file, path), children in parents.items():
        if len(children) < 2:
            continue
        outline = next((c for c in ctx.chunks_of(file) if c.kind == OUTLINE and c.section_path == path), None)
        if outline is None:
            continue
        items = section_items(ctx, outline)
        if part.noun and not any(part.noun in p.sentence.text for p in items):
            continue
        if len(items) >= 2:
            return Found(blocks=(Block(header(ctx, outline), tuple(items)),))
    return None


def _enumerating_sentence(ctx: Context, part: Part) -> Pick | None:
    best = None
    for rank, hit in enumerate(ctx.hits[: ctx.thresholds.evidence_passages]):
        for p in picks_of(ctx, rank, hit.chunk, None):
            if not (_ENUMERATION.search(p.sentence.text) or _lists_noun(p.sentence.text, part.noun)):
                continue
            if ctx.question.count and not _count_agrees(p.sentence.text, ctx.question.count):
                continue
            score = p.score * ctx.thresholds.rank_decay**rank
            if best is None or score > best.score:
                best = replace(p, score=score)
    top = max((p.score for h in ctx.hits[:1] for p in picks_of(ctx, 0, h.chunk, None)[:1]), default=0)
    return best if best is not None and best.score >= 0.6 * top else None


def _introduced_list(ctx: Context) -> Pick | None:
    """In the best passage, a sentence that introduces a list (需提交以下材料： / 主要步骤如下：)
    quoted with the item lines that follow it: a list question asks for all of them. Only the
    best body passage: an introducer further down answers some other question."""
    body = [(rank, hit) for rank, hit in enumerate(top_hits(ctx)) if hit.chunk.kind == BODY][:1]
    for rank, hit in body:
        if not plain_text(ctx, hit.chunk.file):
            continue
        for sentence in quotable(hit.chunk):
            whole = with_items(hit.chunk, sentence)
            items = [s for s in split_sentences(hit.chunk) if sentence.end <= s.start and s.end <= whole.end]
            if len(items) >= 2:
                return Pick(rank, hit.chunk, whole, 1.0)
    return None


def _lists_noun(text: str, noun: str) -> bool:
    """A sentence naming several things of the asked kind in a 、 series (A片区、B片区、C片区)."""
    if not noun:
        return False
    return any(run.count("、") >= 1 and run.count(noun) >= 2 for run in re.split(r"[，。；;,]", text))


def _count_agrees(text: str, count: int) -> bool:
    for token in re.findall(
        r"([一二三四五六七八九十两]|\d{1,2})\s*(?:个|类|级|档|项|种|等次|部分|方面)", text
    ):
        n = int(token) if token.isdigit() else chinese_to_int(token)
        if n == count:
            return True
    items = max((len(re.findall(r"[“\"][^”\"]+[”\"]", text)), text.count("、") + 1))
    return items == count


def _children_of(ctx: Context, part: Part) -> Found:
    """The named parent's items, one line each, from its outline or its item passages."""
    file, path = ctx.question.list_parent
    hits = ctx.hits
    # Every child of the parent, not only those retrieved: a list is only whole with all its items.
    rank_of = {id(h.chunk): rank for rank, h in reversed(list(enumerate(hits)))}
    # A child with items of its own has an outline passage and maybe no body: its heading line
    # stands for it there.
    first_of: dict[tuple, Chunk] = {}
    for c in ctx.chunks_of(file):
        is_child = (
            c.kind in (BODY, OUTLINE) and c.section_path[:-1] == path and len(c.section_path) > len(path)
        )
        if is_child and (
            c.section_path not in first_of or (first_of[c.section_path].kind, c.kind) == (OUTLINE, BODY)
        ):
            first_of[c.section_path] = c
    children = sorted(first_of.values(), key=lambda c: c.start) or [
        h.chunk
        for h in hits
        if h.chunk.file == file and h.chunk.kind == BODY and h.chunk.section_path[:-1] == path
    ]
    items_of_parent = [(rank_of.get(id(c), len(hits)), c) for c in children]
    outline = next(
        (
            h.chunk
            for h in hits
            if h.chunk.kind == OUTLINE and (h.chunk.file, h.chunk.section_path) == (file, path)
        ),
        None,
    )
    if sum(c.kind == BODY for c in children) < 2 and outline is not None:
        # Items are headings with sub-items of their own: list them from the outline.
        items = section_items(ctx, outline, min_chars=0)
        return Found(blocks=(Block(header(ctx, outline), tuple(items)),)) if len(items) >= 2 else Found()
    items, seen = [], set()
    value_part = part if part.slot in ("quantity", "date") else None
    for rank, chunk in items_of_parent:
        if chunk.section_path in seen:
            continue  # a long item split into several chunks: its first chunk holds its heading
        seen.add(chunk.section_path)
        sentences = split_sentences(chunk)
        sentences = [s for s in sentences if len(s.text) >= 2 and not is_instruction(s.text)]
        if not sentences:
            continue
        item = Pick(rank, chunk, sentences[0], 1.0)
        if len(item.sentence.text) < MIN_QUOTE_CHARS and len(sentences) > 1:
            # A short heading line: quote it with the sentence that follows, as one passage.
            nxt = sentences[1]
            start, end = item.sentence.start, nxt.end
            text = (
                chunk.text[start - chunk.start : end - chunk.start]
                if not chunk.spans or len(chunk.spans) == 1
                else ""
            )
            if text:
                item = replace(item, sentence=Sentence(text, start, end))
        if value_part is not None:
            scored = [
                p for p in picks_of(ctx, rank, chunk, value_part) if holds_slot(p.sentence.text, value_part)
            ]
            if scored:
                item = scored[0]
        items.append(item)
    items.sort(key=lambda p: p.chunk.start)
    if len(items) < 2:
        return Found()
    return Found(blocks=(Block(header(ctx, items[0].chunk, path), tuple(items)),))
