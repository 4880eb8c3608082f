"""Answerability checks: whether a sentence holds the asked slot (`holds_slot`), covers the
question's topic (`topic_weights`, `subject_cover`) and agrees with the asked place and year
(`agrees`), and whether the question names a section by its heading (`heading_cover`,
`names_heading`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.keyword import fold
from policyqa.records import BODY, Chunk
from retrieval import figures
from retrieval.plan_records import DEFAULT, Context, Pick, places_of
from retrieval.query import covered_chars, heading_words
from retrieval.question import VALUE_SLOTS, Part

# ---------------------------------------------------------------------------------------------
# How a sentence that holds each slot looks.

_RESPONSIBLE = re.compile(
    r"(?:牵头单位|责任单位|责任部门|负责单位|配合单位|主责单位|牵头部门)[:：]|[（(](?:牵头|责任|负责)[^）)]{0,6}[:：]|"
    r"由[\u4e00-\u9fff、，]{2,40}(?:牵头|负责|组织实施|具体实施)|[\u4e00-\u9fff]{2,20}(?:局|委|办|政府|中心)(?:牵头|负责)|"
    r"[\u4e00-\u9fff]{2,20}(?:部门|局|委员会|办公室|中心)是[^，。；]{0,40}(?:主管部门|责任单位|牵头单位|责任主体)|"
    r"(?:设在|设于)[\u4e00-\u9fff]{2,20}(?:局|委|办|中心|部门)"
)
_FRACTION = re.compile(r"[一二三四五六七八九十百\d]+分之[一二三四五六七八九十\d]+")
_DEADLINE = re.compile(
    r"\d{4}\s*年(?:\s*\d{1,2}\s*月)?(?:底|末|年底|前|以前|之前)?|\d{1,2}\s*月(?:底|末|上旬|中旬|下旬|\d{1,2}日)?(?:前|以前|之前)?|"
    r"[一二三四五六七八九十]+月(?:底|末)?前|年底前|年内|(?:\d+|[一二三四五六七八九十]+)\s*(?:个)?(?:工作日|日|天|个月|小时)(?:内|以内)"
)
_SCORE = re.compile(r"\d+(?:\.\d+)?\s*分|[一二三四五六七八九十]+分")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]+[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号")
_ISSUER = re.compile(
    r"^(?:-\s*)?[\u4e00-\u9fff（）()、，,]{2,60}(?:局|委|办|政府|办公厅|办公室|中心|支队|集团|委员会|（园区）)$"
)


def holds_slot(sentence: str, part: Part) -> bool:
    """Whether a sentence carries the value a part asks for."""
    slot = part.slot
    if slot == "quantity":
        if part.money and ("罚" in sentence) != (part.money == "fine"):
            return False  # a fine does not state a fee, nor a fee a fine
        return figures.states_quantity(sentence, part.unit) or (
            part.unit in ("", "%") and bool(_FRACTION.search(sentence))
        )
    if slot in ("date", "doc_date"):
        return figures.states_date(sentence)
    if slot == "deadline":
        return bool(_DEADLINE.search(sentence))
    if slot == "responsible":
        return bool(_RESPONSIBLE.search(sentence))
    if slot == "score":
        return bool(_SCORE.search(sentence))
    if slot == "doc_number":
        return bool(_DOC_NUMBER.search(sentence))
    if slot == "issuer":
        return bool(_ISSUER.search(sentence.strip()))
    return True


# ---------------------------------------------------------------------------------------------
# Whether a sentence is on the question's topic and agrees with its place and year.


def part_weights(ctx: Context, part: Part | None) -> dict[str, float]:
    """The term weights for one value part of a multi-part question: its own words in full, the
    other parts' words at half (a later part often leaves the subject named in the first one
    unsaid). A part that asks for content (如何部署 …) is read with the whole question, whose
    later parts say what the content is about."""
    if part is None or len(ctx.question.parts) < 2 or part.slot not in VALUE_SLOTS:
        return ctx.weights
    own = fold(part.text)
    return {t: (w if t in own else w * 0.5) for t, w in ctx.weights.items()}


def topic_weights(ctx: Context, part: Part | None = None) -> dict[str, float]:
    """A part's term weights without the words that pick the *document* (the places and years it
    names): those are checked by the document constraints, and counting them as topic lets any
    sentence of the right document pass as on topic. (Title words stay: they are the topic's domain.)"""
    if part not in ctx._topics:
        ctx._topics[part] = _topic_weights(ctx, part)
    return ctx._topics[part]


def _topic_weights(ctx: Context, part: Part | None) -> dict[str, float]:
    question = ctx.question
    identifying = [*question.places, *(str(y) for y in question.years)]
    weights = part_weights(ctx, part)
    topic = {
        t: w
        for t, w in weights.items()
        if not any(t in name or name in t for name in identifying)
        and not re.fullmatch(r"\d+|年底?|年末|年初|月底?", t)
    }
    return topic or dict(weights)


def without_complements(text: str, terms) -> str:
    """`text` with every 非X removed for the question's terms X: 非机动车 names the complement of
    机动车, so neither 机动车 nor its pieces (机动, 动车) may count as mentioned there."""
    asked = " ".join(terms)
    for term in sorted(terms, key=len, reverse=True):
        # When the question itself says 非X, 非X is what it asks about.
        if len(term) > 1 and not term.startswith("非") and "非" + term not in asked:
            text = text.replace("非" + term, "")
    return text


def subject_cover(ctx: Context, text: str, chunk: Chunk, part: Part | None = None) -> float:
    """Share of the question's topic weight (see `topic_weights`) found in a sentence or its
    section headings."""
    weights = topic_weights(ctx, part)
    total = sum(weights.values())
    if total <= 0:
        return 1.0
    where = without_complements(fold(text + " ".join(chunk.section_path) + chunk.title), weights)
    return sum(w for t, w in weights.items() if t in where) / total


def agrees(ctx: Context, pick: Pick) -> bool:
    """The sentence agrees with the question's place and year constraints."""
    return place_agrees(ctx, pick.chunk.file) and _year_agrees(ctx, pick)


def place_agrees(ctx: Context, file: str) -> bool:
    """A document of one place does not answer for another: when the question names a place some
    document covers, the sentence's document must be of that place (or of the city it lies in)."""
    meta = ctx.documents.get(file)
    if not ctx.question.places or meta is None or not places_of(meta):
        return True
    return bool(ctx.asked_places & places_of(meta))


_EVERY_YEAR = re.compile(r"每年|年均|逐年|各年|每一年|年度")


def _year_agrees(ctx: Context, pick: Pick) -> bool:
    """A multi-year document must name the asked year in the sentence or its headings (a
    single-year document covers it everywhere). An undated figure of a multi-year plan is for the
    whole period: it does not answer "by the end of" a year before the period's last."""
    question = ctx.question
    years = question.years
    if not years:
        return True
    meta = ctx.documents.get(pick.chunk.file)
    if meta and meta.years and len(meta.years) == 1:
        return meta.years[0] in years
    where = pick.sentence.text + " ".join(pick.chunk.section_path)
    mentioned = {int(y) for y in re.findall(r"(?<!\d)(20\d{2})(?!\d)", where)}
    if not mentioned:
        if not (meta and meta.years):
            return True
        if question.by_year and max(question.by_year) < max(meta.years) and not _EVERY_YEAR.search(where):
            return False
        return bool(set(meta.years) & set(years))
    return bool(mentioned & set(years)) or _in_range(where, years)


def _in_range(text: str, years: Sequence[int]) -> bool:
    for a, b in re.findall(r"(20\d{2})\s*[—\-–~至到]+\s*(20\d{2})", text):
        if any(int(a) <= y <= int(b) for y in years):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Whether the question names a section by its heading.


def heading_cover(chunk: Chunk, weights: dict[str, float]) -> float:
    """Share of the chunk's own heading (marker removed) that the question's words spell out."""
    if not chunk.section_path:
        return 0.0
    heading = heading_words(chunk.section_path[-1])
    return covered_chars(heading, weights) / len(heading) if heading else 0.0


def names_heading(chunk: Chunk, weights: dict[str, float], share: float = DEFAULT.heading_named) -> bool:
    """Whether the question's words spell out (most of) the chunk's own heading, e.g. "总体目标是什么"
    and 二、总体目标: every sentence under it answers, though none repeats the words."""
    return chunk.kind == BODY and heading_cover(chunk, weights) >= share
