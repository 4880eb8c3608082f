"""Matching targets-ledger rows to what a question asks: the part's *topic* (`topic`), how much of
it a row's own words hold (`cover`, `row_words`), the figure a question names (`asked_values`,
`value_matches`) and the asked unit (`unit_fits`); `candidates` finds the rows worth scoring
through a character-pair index of the live ledger. The plans that use them: `retrieval/ledger_plans.py`."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from index.cjk import fold_width
from index.keyword import fold
from index.target_rules import unit_scale
from index.target_values import Found as Value
from index.target_values import find_values
from policyqa.records import Target
from retrieval.checks import part_weights, place_agrees, without_complements
from retrieval.plan_records import Context
from retrieval.question import Part

# Words that say *that* something is committed, done or asked, not *what*: they never pick a row.
_GENERIC = re.compile(
    r"(?:目标|指标|任务|要求|数量|计划|提出|规定|明确|文件|份|完成|达到|实现|工作|事项|内容|哪些|哪几|哪|"
    r"建设|建成|新建|推进|开展|实施|落实|加强|推动|提高|提升|打造|"
    r"分别|各自|各|对比|比较|多少|几|方面|是|要|需|需要|应|应当|必须|的|了|有|在|对|和|与|及|中|里|前|之前|"
    r"以前|底|末|年|月|日|号|什么|为|都|还|将|把|被|由|给|提|定|下)+"
)
CLAUSE = re.compile(r"[，,；;：:。！？!?\t\r\n]")


def topic(ctx: Context, part: Part, files: Iterable[str] = (), drop: Iterable[str] = ()) -> dict[str, float]:
    """The part's term weights without what picks the document (places, years, the titles of the
    `files` it names), the figures and dates it asks about (`drop`), and words that only say a
    commitment is asked (目标, 分别, 完成 …)."""
    q = ctx.question
    naming = [*q.places, *(str(y) for y in q.years), *drop]
    titles = "".join(fold(ctx.documents[f].title) for f in files if f in ctx.documents)
    out = {}
    for term, weight in part_weights(ctx, part).items():
        t = fold(term)
        if (
            not re.search(r"[\u4e00-\u9fff]", t)
            or _GENERIC.fullmatch(t)
            or any(t in name or name in t for name in naming if name)
            or (titles and t in titles)
        ):
            continue
        out[t] = weight
    return out


def _credit(term: str, text: str) -> float:
    """1 when the term stands in the text; for a longer term, half the share of its character pairs
    that do (满意度 against 满意率): the asker's wording need not be the document's, but a near word
    (保洁员 against 保洁覆盖率) is weaker evidence than the word itself."""
    if term in text:
        return 1.0
    if len(term) < 3:
        return 0.0
    pairs = [term[i : i + 2] for i in range(len(term) - 1)]
    return 0.5 * sum(p in text for p in pairs) / len(pairs)


def cover(weights: dict[str, float], text: str) -> float:
    """Share of the topic weight the text holds (非X never counts as X)."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    where = fold(text)
    if "非" in where:
        where = without_complements(where, weights)
    return sum(w * _credit(t, where) for t, w in weights.items()) / total


def clause_of(row: Target) -> str:
    """The clause of the row's sentence that states its value (or its deadline), verbatim; for a
    table row, its task cell (with the value when the cell does not hold it)."""
    if row.source == "table":
        cells = [c.strip() for c in re.split(r"\t|\s{2,}", row.sentence)]
        return next((c for c in cells if row.subject and row.subject in c), row.subject)
    return clause_at(row.sentence, row.value or row.deadline_text) or row.subject


def clause_at(text: str, anchor: str) -> str:
    """The clause of `text` (between ，；。 tabs and line ends) that holds `anchor`, or ''."""
    at = text.find(anchor) if anchor else -1
    if at < 0:
        return ""
    start = max([m.end() for m in CLAUSE.finditer(text, 0, at)] + [0])
    end = CLAUSE.search(text, at + len(anchor))
    return text[start : end.start() if end else len(text)].strip()


@functools.lru_cache(maxsize=65536)
def row_words(row: Target) -> str:
    """What a row is about, in its own words: scope, subject and the clause stating its value
    (memoised: every question of these kinds reads every row's)."""
    return f"{row.scope}{row.subject} {clause_of(row)}"


def asked_values(text: str) -> list[Value]:
    """The figures (or 全覆盖 / 零增长) a question names: 达到45% -> 45 %."""
    return find_values(fold_width(text))


def value_matches(row: Target, value: Value) -> bool:
    """The row states the asked figure (95% and 95%以上 alike; 1万个 and 10000个 alike)."""
    if value.number is None:
        return value.value in row.value
    if row.number is None:
        return False
    if money_unit(row.unit) != money_unit(value.unit):
        return False
    return abs(row.number * unit_scale(row.unit) - value.number * unit_scale(value.unit)) < 1e-6


def money_unit(unit: str) -> str:
    """万元 and 亿元 are 元 at another scale."""
    return "元" if unit.endswith("元") else unit


def unit_fits(row: Target, asked: str) -> bool:
    """The row is in the unit a 多少 question asks for (个 is any count; no unit asked, any)."""
    if not asked or asked in ("个", row.unit):
        return bool(row.value)
    return asked.endswith("元") and row.unit.endswith("元")


def candidates(
    ctx: Context, files: Iterable[str] | None = None, weights: dict[str, float] | None = None
) -> list[Target]:
    """Rows of the given documents (all when None) that agree with the places the question names;
    with `weights`, only rows whose words share a character pair with the topic (the others
    cover none of it), found in an index instead of scoring every row of a large corpus."""
    wanted = set(files) if files is not None else None
    rows = _touching(ctx.targets, weights) if weights else ctx.targets
    return [r for r in rows if (wanted is None or r.file in wanted) and place_agrees(ctx, r.file)]


# The live ledger's rows by the characters and character pairs of their words (one ledger at a time).
_ROW_INDEX: dict[int, tuple[Sequence[Target], dict[str, set[int]]]] = {}


def _touching(targets: Sequence[Target], weights: dict[str, float]) -> list[Target]:
    cached = _ROW_INDEX.get(id(targets))
    if cached is None or cached[0] is not targets:
        grams: dict[str, set[int]] = {}
        for n, row in enumerate(targets):
            text = fold(row_words(row))
            for g in {text[i : i + k] for k in (1, 2) for i in range(len(text) - k + 1)}:
                grams.setdefault(g, set()).add(n)
        _ROW_INDEX.clear()
        _ROW_INDEX[id(targets)] = cached = (targets, grams)
    grams = cached[1]
    found: set[int] = set()
    for term in weights:
        # A term counts where it stands whole or (3+ characters) where some of its pairs do.
        for key in [term] if len(term) <= 2 else [term[i : i + 2] for i in range(len(term) - 1)]:
            found |= grams.get(key, set())
    return [targets[n] for n in sorted(found)]
