"""Table plans: a table row's cells (`table_cells`), the value asked of a thing that is a row of an
indicator, standards or subsidy table (`table_row_values`), and things listed as the rows of a
table (`table_items`). A task's 牵头单位 / 完成时限 column is `value_plans.table_cell`: it falls
back to the value stated inline."""

from __future__ import annotations

import functools
import re
from collections import Counter

from index.keyword import fold
from policyqa.records import TABLE, Chunk
from retrieval.checks import (
    heading_cover,
    holds_slot,
    part_weights,
    place_agrees,
    topic_weights,
    without_complements,
)
from retrieval.plan_records import Block, Context, Found, Pick, top_hits
from retrieval.query import covered_chars
from retrieval.question import VALUE_SLOTS, Part
from retrieval.quotes import Sentence
from retrieval.sentences import header


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


def row_found(ctx: Context, rank: int, chunk: Chunk, cells, wanted) -> Found:
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
        if len(cells) < 2 or not place_agrees(ctx, hit.chunk.file):
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
    return row_found(ctx, rank, chunk, table_cells(chunk), values)


_ASKS_KINDS = re.compile(r"几[类种]|哪些[类种]")


def table_items(ctx: Context, part: Part, filtered_only: bool = False) -> Found | None:
    """Things listed as the rows of a table (要交哪些材料 over a 材料名称 table; 哪些是约束性指标
    over an indicator table): each row's name, the rows kept to those with a cell the question
    names when only some rows have it. The table must be named by the question (its heading, or
    a column holding the asked kind of thing) or be filtered so."""
    th = ctx.thresholds
    asked = fold(ctx.question.text)
    for rank, hit in enumerate(top_hits(ctx)):
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
