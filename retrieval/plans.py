"""Answer plans: one small function per *kind* of question, each returning cited blocks.

A plan reads the analysed `Question` (never the question string), the retrieved hits and the
documents' metadata, and returns a `Found`: blocks of verbatim sentences (each becomes a citation),
optional *lead* lines that state the asked value first (cut verbatim from a cited sentence), and,
when the slot asked for is not in the passages, what is missing and what the documents do say.

    list_items        X包括哪几项 / 都有哪些 / 哪N个: a section's children, or one enumerating sentence
    table_cell        牵头单位 / 责任单位 / 完成时限 / 分值 of a task: the row's column in a table
    document_fact     文号 / 印发·施行 dates / issuing body: the document's own metadata, cited in its text
    slot_value        多少 / 何时 / 由谁: the clause that carries the slot and agrees with the constraints
    section_content   有哪些要求 / 措施: the named section's own sentences (a heading is never an answer)
    which_document    哪一份规定…: the best document and its supporting sentence
    best_sentences    anything else: the best few sentences

`plan_for(part)` chooses the plan by slot (table `PLANS`); `per_document` runs a plan once per
compared document.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from index.chrome import is_page_chrome
from index.cjk import chinese_to_int
from index.keyword import fold
from policyqa.records import BODY, OUTLINE, TABLE, Chunk, DocumentMeta, Hit
from retrieval import figures
from retrieval.places import strip_admin_suffix
from retrieval.query import ENUM_MARKER, covered_chars, heading_words
from retrieval.question import VALUE_SLOTS, Part, Question
from retrieval.quotes import MIN_QUOTE_CHARS, Sentence, split_sentences
from retrieval.verify import is_instruction


@dataclass(frozen=True)
class Thresholds:
    """Every tunable number of the plans and the answerability checks, in one place."""

    passages: int = 5  # hits a plan reads
    evidence_passages: int = 3  # hits a value must be found in
    answer_budget: int = 200  # characters of quoted text in a short answer
    rank_decay: float = 0.85  # a lower-ranked passage needs a clearly better sentence
    slot_bonus: float = 3.0  # a sentence holding the asked slot
    slot_damping: float = 0.3  # a sentence without it
    # Share of the part's topic weight a supporting sentence (with its heading) must cover.
    subject_cover: float = 0.34
    row_cover: float = 0.5  # the same, for a table row's name cell
    heading_named: float = 0.8  # the question spells out this share of a heading: it names the section
    heading_half_named: float = 0.5  # … of the best passage's own heading, for its requirements
    compare_floor: float = (
        0.75  # an unnamed document joins a comparison when its best passage scores this close
    )


DEFAULT = Thresholds()


@dataclass(frozen=True)
class Pick:
    hit_rank: int
    chunk: Chunk
    sentence: Sentence
    score: float


@dataclass(frozen=True)
class Block:
    header: str  # 《title》 section path
    picks: tuple[Pick, ...]


@dataclass(frozen=True)
class Found:
    """A plan's result: blocks to cite, lead lines (value first), and what is missing."""

    blocks: tuple[Block, ...] = ()
    leads: tuple[tuple[str, Pick], ...] = ()  # (value text, the pick it is cut from)
    missing: str = ""  # the slot asked is not in the passages (a reason, in the question's language)
    said: tuple[Block, ...] = ()  # when missing: what the documents do say nearby


@dataclass(frozen=True)
class Context:
    question: Question
    hits: Sequence[Hit]
    documents: dict[str, DocumentMeta]
    weights: dict[str, float]  # question term -> how much a sentence containing it is worth
    chunks_of: Callable[[str], Sequence[Chunk]]  # every chunk of a file, in order
    thresholds: Thresholds = field(default=DEFAULT)
    # Per-question values the checks read for every candidate sentence, computed once.
    _topics: dict = field(default_factory=dict, compare=False, repr=False)
    _texts: dict = field(default_factory=dict, compare=False, repr=False)

    @functools.cached_property
    def asked_places(self) -> frozenset[str]:
        """The places the question names, with the city each named district lies in (as the
        documents' own metadata says)."""
        asked = set(self.question.places)
        wanted = set(asked)
        for meta in self.documents.values():
            if asked & _places_of(meta):
                wanted |= {meta.city, strip_admin_suffix(meta.city)} - {""}
        return frozenset(wanted)

    def document_text(self, file: str) -> str:
        """A document's whole text, folded (memoised: the checks ask it once per candidate)."""
        if file not in self._texts:
            self._texts[file] = fold("\n".join(c.text for c in self.chunks_of(file)))
        return self._texts[file]


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
    return _place_agrees(ctx, pick.chunk.file) and _year_agrees(ctx, pick)


def _places_of(meta: DocumentMeta) -> set[str]:
    names = {meta.city, meta.district} - {""}
    return names | {strip_admin_suffix(n) for n in names}


def _place_agrees(ctx: Context, file: str) -> bool:
    """A document of one place does not answer for another: when the question names a place some
    document covers, the sentence's document must be of that place (or of the city it lies in)."""
    meta = ctx.documents.get(file)
    if not ctx.question.places or meta is None or not _places_of(meta):
        return True
    return bool(ctx.asked_places & _places_of(meta))


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
# Headers and helpers


def doc_label(meta: DocumentMeta | None, chunk: Chunk) -> str:
    title = meta.title if meta else chunk.title
    place = ""
    if meta and meta.city and meta.city.rstrip("市") not in title:
        place = f"（{meta.city}）"
    return f"《{title}》{place}"


def header(ctx: Context, chunk: Chunk, section_path: tuple[str, ...] | None = None) -> str:
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


def _top(ctx: Context) -> list[Hit]:
    return list(ctx.hits[: ctx.thresholds.passages])


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


# ---------------------------------------------------------------------------------------------
# The plans


def best_sentences(ctx: Context, part: Part) -> Found:
    """Any question: the best few sentences overall, grouped under their document and section."""
    th = ctx.thresholds
    top = _top(ctx)
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


def table_cells(chunk: Chunk) -> list[tuple[str, str, int, int]]:
    """(column header, cell text, start, end) of a table-row chunk."""
    lines = chunk.text.split("\n", 1)
    if chunk.kind != TABLE or len(lines) < 2:
        return []
    head, values = lines[0].split("\t"), lines[1].split("\t")
    spans = chunk.spans[len(head) :]
    if len(values) != len(spans):
        return []
    # A header shorter than the row has a merged cell; merged cells span the leading columns
    # (工作任务 over two), so the headers align with the row's last cells.
    columns = ([""] * (len(values) - len(head)) + head)[-len(values) :] if values else []
    return [(col, val, s[0], s[1]) for col, val, s in zip(columns, values, spans, strict=True)]


def table_cell(ctx: Context, part: Part) -> Found:
    """Who leads / who is responsible / the deadline / the score weight of a task: the value of the
    matching column (牵头单位, 完成时限, 分值 …) in the best-matching table row; inline text otherwise."""
    names = _COLUMNS.get(part.slot, ())
    best = None
    for rank, hit in enumerate(_top(ctx)):
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
    return _row_found(ctx, rank, chunk, cells, wanted)


def row_topic(ctx: Context, part: Part, chunk: Chunk) -> dict[str, float] | None:
    """The part's topic as a table row of `chunk`'s document is asked for it: without the words
    naming the asked value (补贴比例多少, 上限是多少: they name a column) and without words the
    document never uses (the asker's wording for what it says its own way: 加装 where it says
    增设). None when the question names a thing (a noun) the document never mentions: 残疾人家庭
    is no row of a table of 低收入家庭 and others."""
    document = ctx.document_text(chunk.file)
    asked = fold(part.text)
    whole = fold(ctx.question.text)
    topic = topic_weights(ctx, part)
    value_names = {
        t for t in topic if re.search(re.escape(t) + _ASKED_VALUE + "|" + _WHAT + re.escape(t), whole)
    }
    absent = [t for t in topic if len(t) > 1 and t in asked and t not in document and t not in value_names]
    if any(_word_class(t).startswith("n") for t in absent):
        return None
    return {t: w for t, w in topic.items() if t in document and t not in value_names}


def _names_the_distinctive_term(topic: dict[str, float], name: str, chunk: Chunk) -> bool:
    """Whether a row's name cell holds the row topic's rarest term that its table's headings,
    title and column names do not (a row of 生活垃圾回收利用率 does not answer for 餐厨垃圾资源化利用率)."""
    # The table's headings, title and column names frame the rows; they do not tell rows apart.
    around = fold(" ".join([*chunk.section_path, chunk.title, *(c[0] for c in table_cells(chunk))]))
    weights = {t: w for t, w in topic.items() if t not in around and len(t) > 1}
    if not weights:
        return True
    rarest = max(weights.values())
    return any(t in fold(name) for t, w in weights.items() if w >= rarest)


_ASKED_VALUE = r"(?:是|为|有|达到|要达到)?(?:多少|几|什么|多高|多大)"
_WHAT = r"(?:什么|哪种|哪类|何种)"


@functools.lru_cache(maxsize=4096)
def _word_class(word: str) -> str:
    """jieba's part-of-speech tag of a one-token word ('' for several tokens)."""
    import jieba.posseg

    tokens = jieba.posseg.lcut(word)
    return tokens[0].flag if len(tokens) == 1 else ""


def _row_found(ctx: Context, rank: int, chunk: Chunk, cells, wanted) -> Found:
    """A table row cited as it stands in the file, leading with the wanted cells as 列名：值."""
    pick = _row_pick(ctx, rank, chunk, cells)
    leads = tuple((f"{col}：{value}", pick) for col, value, _, _ in wanted)
    return Found(blocks=(Block(header(ctx, chunk), (pick,)),), leads=leads)


def _row_pick(ctx: Context, rank: int, chunk: Chunk, cells) -> Pick:
    """A table row's quote: its own cells as they stand in the file."""
    # The row as it stands in the file: cells one separator apart. Cells repeated from a merged
    # cell above stand elsewhere in the file, so the quote starts after them.
    own = [(cells[-1][1], cells[-1][2], cells[-1][3])]
    for _, value, start, stop in reversed(cells[:-1]):
        if not 0 <= own[0][1] - stop <= 3:
            break
        own.insert(0, (value, start, stop))
    meta = ctx.documents.get(chunk.file)
    if meta is not None and meta.format != "txt":
        # Cells are separated by markup in the file (`|` in Markdown, tags in html, docx or pdf):
        # quote the longest cell alone.
        own = [max(own, key=lambda cell: len(cell[0]))]
    sentence = Sentence("\t".join(v for v, _, _ in own), own[0][1], own[-1][2])
    return Pick(rank, chunk, sentence, 1.0)


def _asked_columns(ctx: Context, part: Part, values) -> list:
    """Value cells whose column the part names: its own words spell out half the column name
    (单台最多补多少 -> 单台（户）上限; 由哪级财政承担 -> 资金承担)."""
    own = {t: w for t, w in part_weights(ctx, part).items() if t in fold(part.text) and len(t) > 1}
    asked = []
    for cell in values:
        column = re.sub(r"[（(][^）)]*[）)]", "", fold(cell[0]))
        if column and covered_chars(column, own) * 2 >= len(column):
            asked.append(cell)
    return asked


def table_row_values(ctx: Context, part: Part) -> Found:
    """A value asked of a thing that is a row of an indicator, standards or subsidy table (指标 /
    基期值 / 目标值 / 上限 / 资金承担): the row's cells under their column names, leading with the
    columns the question names. Table cells are too short to quote as sentences, so `slot_value`
    finds none; the row is the evidence."""
    best = None
    for rank, hit in enumerate(ctx.hits[: ctx.thresholds.evidence_passages]):
        cells = [c for c in table_cells(hit.chunk) if c[0] not in ("序号", "编号", "")]
        if len(cells) < 2 or not _place_agrees(ctx, hit.chunk.file):
            continue
        # The row's name: its first cell that is not a bare number (a row is named on the left).
        name = next((c for c in cells if not re.fullmatch(r"[\d.%％]+", c[1].strip())), cells[0])
        values = [c for c in cells if c is not name]
        asked = _asked_columns(ctx, part, values)
        if part.slot in VALUE_SLOTS and part.slot != "quantity" and not asked:
            continue  # who / when: only a column named for it answers
        if part.slot == "quantity" and not any(re.search(r"\d", c[1]) for c in values):
            continue
        years = [str(y) for y in ctx.question.years]
        if years and any(re.search(r"20\d\d", c[0]) for c in values):
            # Columns per year (2020年基期值, 2025年目标值): the asked year's column must hold a figure.
            values = [c for c in values if any(y in c[0] for y in years) or not re.search(r"20\d\d", c[0])]
            if not any(re.search(r"\d", c[1]) for c in values if re.search(r"20\d\d", c[0])):
                continue
            asked = [c for c in asked if c in values]
        stated = " ".join(c[1] for c in (asked or values))
        unit_named = part.unit and part.unit in " ".join([name[1], *(c[0] for c in cells)])
        if part.unit and not (holds_slot(stated, part) or unit_named):
            continue  # 不收费 does not state a fee; 3个工作日 is not a percentage
        # The row is about what its name cell says, read with its column names (the question's
        # frame words); the name cell must hold the topic's distinctive term.
        if ctx.question.language == "en":
            # Dictionary translations are too noisy to demand the topic's words: the row must be
            # the passage the search (which reads the English too) ranks first.
            if rank > 0:
                continue
            cover = 1.0
        else:
            topic = row_topic(ctx, part, hit.chunk)
            if not topic:
                continue
            label = " ".join([name[1], *(c[0] for c in cells), *hit.chunk.section_path, hit.chunk.title])
            label = without_complements(fold(label), topic)
            cover = sum(w for t, w in topic.items() if t in label) / sum(topic.values())
            if cover < ctx.thresholds.row_cover or not _names_the_distinctive_term(topic, name[1], hit.chunk):
                continue
        if best is None or cover > best[0]:
            best = (cover, rank, hit.chunk, asked or values)
    if best is None:
        return Found()
    _, rank, chunk, values = best
    return _row_found(ctx, rank, chunk, table_cells(chunk), values)


def document_fact(ctx: Context, part: Part) -> Found:
    """文号, issuing body or a date of the document itself: read from the document's metadata and
    cited where it stands in the text (its header, 落款 or the 施行 article)."""
    files = _target_files(ctx)
    blocks, leads = [], []
    for file in files:
        meta = ctx.documents.get(file)
        value = _meta_value(meta, part) if meta else ""
        pick = _find_in_document(ctx, file, value, part) if value else None
        if pick is None:
            continue
        blocks.append(Block(header(ctx, pick.chunk), (pick,)))
        label = doc_label(meta, pick.chunk) if len(files) > 1 else ""
        leads.append((f"{label}{value}", pick))
    if not blocks:
        found = slot_value(ctx, part)
        return found
    return Found(blocks=tuple(blocks), leads=tuple(leads))


def _target_files(ctx: Context) -> list[str]:
    q = ctx.question
    if q.named_files:
        return list(q.named_files[:2] if q.compare else q.named_files[:1])
    return [ctx.hits[0].chunk.file] if ctx.hits else []


def _meta_value(meta: DocumentMeta, part: Part) -> str:
    if part.slot == "doc_number":
        return meta.doc_number
    if part.slot == "issuer":
        return meta.issuer
    if part.date_kind in ("施行", "通过", "修正", "修订"):
        iso = meta.date(part.date_kind)
    else:
        # An issuing date asked loosely (出台, 落款, 印发) is the first of these the document states.
        order = (part.date_kind, "成文", "印发", "发布") if part.date_kind else ("成文", "印发", "发布")
        iso = next((meta.date(kind) for kind in order if kind and meta.date(kind)), "")
    if not iso:
        return ""
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"


def _find_in_document(ctx: Context, file: str, value: str, part: Part) -> Pick | None:
    """The first quotable sentence of the document holding the value (date digits compared loosely)."""
    target = fold(value)
    loose = re.sub(r"(?<!\d)0(\d)", r"\1", target)
    for chunk in ctx.chunks_of(file):
        for s in split_sentences(chunk):
            text = fold(s.text)
            if len(s.text) >= MIN_QUOTE_CHARS and (target in text or loose in re.sub(r"\s", "", text)):
                if (
                    part.date_kind
                    and part.slot == "doc_date"
                    and part.date_kind not in s.text
                    and len(s.text) > 30
                ):
                    continue
                return Pick(0, chunk, s, 1.0)
    return None


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
        for rank, hit in enumerate(_top(ctx))
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


def which_document(ctx: Context, part: Part) -> Found:
    """哪一份规定…: answer from the best-matching document, leading with its title; 哪几份 / 都提到
    (a comparison): every document whose best passage scores close to the best, one block each."""
    if not ctx.hits:
        return Found()
    if ctx.question.compare:
        found = per_document(ctx, part, best_sentences)
        leads = tuple(
            (doc_label(ctx.documents.get(b.picks[0].chunk.file), b.picks[0].chunk), b.picks[0])
            for b in found.blocks
        )
        return replace(found, leads=leads)
    file = ctx.hits[0].chunk.file
    sub = replace(ctx, hits=[h for h in _top(ctx) if h.chunk.file == file])
    found = best_sentences(sub, part)
    if not found.blocks:
        return found
    first = found.blocks[0].picks[0]
    meta = ctx.documents.get(file)
    return replace(found, leads=((doc_label(meta, first.chunk), first),))


_ENUMERATION = re.compile(
    r"(?:分为|划分为|包括|包含|分成|设置|设立|实行|评定为|确定为|是指|即)[^。；;]*?(?:[“\"][^”\"]+[”\"][、和及与]?){2,}|"
    r"(?:分为|划分为|包括|包含|分成|评定为|确定为)[^。；;]{0,6}(?:[\u4e00-\u9fff]{1,12}、){1,}[\u4e00-\u9fff]{1,12}"
)


def list_items(ctx: Context, part: Part) -> Found:
    """X包括哪几项 / 都有哪些 / 哪N个: (a) the child headings of the section the question names,
    (b) the document's own top-level parts, or (c) the items of one enumerating sentence."""
    q = ctx.question
    filtered = _table_items(ctx, part, filtered_only=True)
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
    rows = _table_items(ctx, part)
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
    body = [(rank, hit) for rank, hit in enumerate(_top(ctx)) if hit.chunk.kind == BODY][:1]
    for rank, hit in body:
        if not plain_text(ctx, hit.chunk.file):
            continue
        for sentence in quotable(hit.chunk):
            whole = with_items(hit.chunk, sentence)
            items = [s for s in split_sentences(hit.chunk) if sentence.end <= s.start and s.end <= whole.end]
            if len(items) >= 2:
                return Pick(rank, hit.chunk, whole, 1.0)
    return None


_ASKS_KINDS = re.compile(r"几[类种]|哪些[类种]")


def _table_items(ctx: Context, part: Part, filtered_only: bool = False) -> Found | None:
    """Things listed as the rows of a table (要交哪些材料 over a 材料名称 table; 哪些是约束性指标
    over an indicator table): each row's name, the rows kept to those with a cell the question
    names when only some rows have it. The table must be named by the question (its heading, or
    a column holding the asked kind of thing) or be filtered so."""
    th = ctx.thresholds
    asked = fold(ctx.question.text)
    for rank, hit in enumerate(_top(ctx)):
        if hit.chunk.kind != TABLE:
            continue
        file, path = hit.chunk.file, hit.chunk.section_path
        rows = [c for c in ctx.chunks_of(file) if c.kind == TABLE and c.section_path == path]
        table = [(row, table_cells(row)) for row in rows]
        table = [(row, cells) for row, cells in table if cells]
        if len(table) < 2:
            continue
        columns = [c[0] for c in table[0][1]]
        # A cell value the question names that only some rows have (约束性 of 约束性/预期性).
        values = Counter(fold(c[1]) for _, cells in table for c in cells if not re.search(r"\d", c[1]))
        named = [v for v, n in values.items() if len(v) >= 2 and v in asked and n < len(table)]
        kind_column = next((i for i, col in enumerate(columns) if part.noun and part.noun in col), None)
        if kind_column is None and _ASKS_KINDS.search(asked):
            # 分哪几类 / 有哪几种: the table's 类别 / 种类 column lists them.
            kind_column = next((i for i, col in enumerate(columns) if re.search("[类种]", col)), None)
        names_table = heading_cover(hit.chunk, ctx.weights) >= th.heading_named or kind_column is not None
        if not (names_table or named) or (filtered_only and not named):
            continue
        if named:
            table = [(row, cells) for row, cells in table if any(fold(c[1]) in named for c in cells)]
        if kind_column is None:
            # The name column: the first whose cells are words, not numbers.
            kind_column = next(
                (
                    i
                    for i, col in enumerate(columns)
                    if col not in ("序号", "编号") and not re.search(r"\d", table[0][1][i][1])
                ),
                0,
            )
        leads, picks = [], []
        for row, cells in table:
            if kind_column < len(cells):
                pick = _row_pick(ctx, rank, row, cells)
                picks.append(pick)
                leads.append((cells[kind_column][1], pick))
        if len(leads) >= (1 if named else 2):
            return Found(blocks=(Block(header(ctx, hit.chunk), tuple(picks)),), leads=tuple(leads))
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


def per_document(ctx: Context, part: Part, plan: Callable[[Context, Part], Found]) -> Found:
    """A comparison: the part's plan run once per compared document, one block each.

    Compared documents are the ones the question names; without names, those whose best passage
    scores close to the best."""
    by_file: dict[str, list[Hit]] = {}
    for hit in _top(ctx):
        if hit.chunk.kind != OUTLINE:
            by_file.setdefault(hit.chunk.file, []).append(hit)
    named = set(ctx.question.named_files)
    best = max((h.score for h in ctx.hits[:1]), default=0.0)
    blocks, leads, missing, said = [], [], [], []
    for file, hits in by_file.items():
        if (named and file not in named) or (
            not named and hits[0].score < ctx.thresholds.compare_floor * best
        ):
            continue
        found = plan(replace(ctx, hits=hits), part)
        if found.missing:
            missing.append(found.missing)
            said += found.said
            continue
        blocks += found.blocks
        leads += [(f"{doc_label(ctx.documents.get(file), p.chunk)}{text}", p) for text, p in found.leads]
    if not blocks:
        return Found(missing=missing[0] if missing else "", said=tuple(said))
    return Found(blocks=tuple(blocks), leads=tuple(leads))


PLANS: dict[str, Callable[[Context, Part], Found]] = {
    "items": list_items,
    "quantity": slot_value,
    "date": slot_value,
    "deadline": table_cell,
    "responsible": table_cell,
    "score": table_cell,
    "doc_number": document_fact,
    "issuer": document_fact,
    "doc_date": document_fact,
    "which_doc": which_document,
    "requirements": section_content,
    "fact": best_sentences,
}


def plan_for(part: Part) -> Callable[[Context, Part], Found]:
    """The plan that answers a part, chosen by the slot it asks for."""
    return PLANS.get(part.slot, best_sentences)
