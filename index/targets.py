"""The targets ledger at index time: every quantified commitment and deadline of a parsed document.

`extract_targets(document)` reads the document's own text section by section, cut into sentences
(。！？ and line ends), and its tables row by row (`index/tables.py`). In each sentence the named
value rules (`index/target_rules.py`) find the figures and `index/target_values.py` their subjects
(the words before a figure, or for a count written before its noun the words after it, trimmed of
the verbs around it). A deadline no figure takes is a task. Responsible units
(`index/target_units.py`) come from a note in the sentence's paragraph, else the nearest section
holding a single 责任单位 note, else the task table row naming one of the sentence's headings.
Rules and measurements: docs/ledger.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from index import target_rules as rules
from index.cjk import fold_width
from index.lines import WHITESPACE
from index.tables import TableRow, table_rows
from index.target_units import Responsible, lead_units, normalised_task, split_units
from index.target_values import (
    CLAUSE_END,
    Found,
    blanked,
    clean,
    find_values,
    is_noise,
    is_past,
    penalty_subject,
    subjects,
    task_subject,
    thing_of,
)
from policyqa.records import Document, DocumentMeta, Section, Target

# Sentences end at 。！？ and line ends; not at ；, which joins the clauses of one rule (…的，由…
# 责令改正；逾期不改正的，处…罚款) and whose parts need each other to be read.
_SENTENCE_END = re.compile(r"[。！？!?]+[”’」』）)]*|[\r\n]+")
_TEXT_KINDS = ("preamble", "body", "attachment", "table")


def document_year(meta: DocumentMeta) -> int | None:
    """The year a document's relative deadlines (6月底前) fall in: the one year it covers, else the
    year it was dated, else its first year."""
    if len(meta.years) == 1:
        return meta.years[0]
    for _, iso in meta.dates:
        if iso[:4].isdigit():
            return int(iso[:4])
    return meta.years[0] if meta.years else None


# ---------------------------------------------------------------------------------------------
# sentences of the document's own text


def _own_ranges(section: Section) -> list[tuple[int, int]]:
    """The parts of a section's span not inside a child section."""
    out, pos = [], section.start
    for child in section.children:
        if child.start > pos:
            out.append((pos, child.start))
        pos = max(pos, child.end)
    if section.end > pos:
        out.append((pos, section.end))
    return out


def _sentences(text: str, a: int, b: int) -> Iterator[tuple[int, int]]:
    pos = a
    for m in _SENTENCE_END.finditer(text, a, b):
        yield from _stripped(text, pos, m.end() if not m.group(0).isspace() else m.start())
        pos = m.end()
    yield from _stripped(text, pos, b)


def _stripped(text: str, a: int, b: int) -> Iterator[tuple[int, int]]:
    while a < b and text[a] in WHITESPACE:
        a += 1
    while b > a and text[b - 1] in WHITESPACE:
        b -= 1
    if a < b:
        yield a, b


def _chains(sections: tuple[Section, ...], above: list[Section]) -> Iterator[tuple[Section, list[Section]]]:
    for section in sections:
        chain = [*above, section]
        yield section, chain
        yield from _chains(section.children, chain)


class _Draft(NamedTuple):
    start: int
    end: int
    section_path: tuple[str, ...]
    subject: str
    found: Found | None
    scope: str
    period: str
    deadline: rules.Deadline | None
    responsible: tuple[str, ...]
    kind: str
    source: str


_YEAR_SPAN = re.compile(
    r"(?:19|20)\d{2}\s*(?:年\s*)?[—–\-－~～至到]+\s*(?:19|20)\d{2}\s*年|(?:19|20)\d{2}\s*年"
)


def _period(
    sentence: str, chain: list[Section], lead: str = "", title: str = "", at: int | None = None
) -> str:
    """The years a figure is for, as written: the sentence's own (the last before the figure at
    `at`), else those of the words before it in its paragraph (第二阶段（2023—2024年）：…。), else its
    headings', else the title's."""
    taken = [(d.start, d.end) for d in rules.find_deadlines(sentence, None)]
    for source in (sentence, lead, *(s.heading for s in reversed(chain)), title):
        spans = [
            m
            for m in _YEAR_SPAN.finditer(fold_width(source))
            if source is not sentence
            or not (  # 2025年6月底前 is a deadline; a year after the figure is another figure's
                any(x < m.end() and m.start() < y for x, y in taken) or (at is not None and m.start() > at)
            )
        ]
        if spans:
            m = spans[-1] if source is sentence and at is not None else spans[0]
            return source[m.start() : m.end()]
    return ""


def _kind(sentence: str, f: Found | None) -> str:
    if f is None:
        return "task"
    if rules.FORMULA.search(sentence):
        return "score"  # a weight of a scoring formula
    if rules.PROHIBITION.search(sentence):
        return "standard"  # 在居住区周边五十米范围内，不得设置…
    if rules.SANCTION.search(sentence):  # a fine, or 扣减…经费的5%
        return "penalty" if f.unit in ("元", "万元", "亿元", "%") else "standard"
    if f.unit == rules.SCORE_UNIT:
        return "score"
    if f.unit in rules.DURATION_UNITS:
        return "standard"
    return "target"


def _sentence_drafts(
    text: str, a: int, b: int, chain: list[Section], doc: tuple[int | None, int | None, str], who: Responsible
) -> Iterator[_Draft]:
    """The rows of one sentence; `doc` is the document's year, the first year it covers, its title."""
    year, first_year, title = doc
    path = chain[-1].path
    sentence = text[a:b]
    lead = text[text.rfind("\n", 0, a) + 1 : a]
    folded = fold_width(sentence)
    deadlines = rules.find_deadlines(sentence, year)
    found = [
        f
        for f in find_values(sentence)
        if not any(d.start <= f.start < d.end for d in deadlines) and not is_past(folded, f)
    ]
    found = [f for f in found if not is_noise(folded, f, found)]
    if not found and not deadlines:
        return
    # 市住房和城乡建设局牵头制定…: the sentence's own unit, else a note around it
    units, unit_start, unit_end = lead_units(sentence)
    responsible = units or who.of(a, b, chain)
    # no subject holds a deadline or the units doing it (市…局牵头制定… -> 制定…)
    blank = [(d.start, d.end) for d in deadlines] + [(unit_start, unit_end)]
    masked = blanked(sentence, blank)
    # 2021年5月印发的…办法同时废止: a date before the document's years is no deadline
    current = [d for d in deadlines if not (first_year and d.iso and int(d.iso[:4]) < first_year)]
    if not found:
        for d in current:  # one task per deadline: 8月底前上线…，第三季度完成…
            subject = task_subject(masked, d, deadlines)
            period = _period(sentence, chain, lead, title)
            yield _Draft(a, b, path, subject, None, "", period, d, responsible, "task", "text")
        return
    penalty = "罚款" in sentence
    used = set()
    read = subjects(sentence, found, blank)
    for f, (scope, subject) in zip(found, read, strict=True):
        d = _deadline_of(folded, f, deadlines)
        used.add(d)
        if d and first_year and d.iso and int(d.iso[:4]) < first_year:
            continue  # 2020年底…达到32% in a plan for 2021—2025: what was reached, not a target
        if penalty and f.unit in ("元", "万元", "亿元"):
            subject = penalty_subject(masked) or subject
        for x in deadlines:  # 年底前共享泊位达到1500个: the deadline is not part of the subject
            subject = clean(subject.replace(x.text, ""))
        subject = subject or _heading_subject(chain[-1].heading)
        yield _Draft(
            a,
            b,
            path,
            subject,
            f,
            scope,
            _period(sentence, chain, lead, title, f.start),
            d,
            responsible,
            _kind(sentence, f),
            "text",
        )
    for d in current:  # 新增泊位3000个，6月底前上线平台: the deadline is a task of its own
        if d not in used:
            # 2027年底前全部消除: the thing the sentence's figures count
            subject = task_subject(masked, d, deadlines, thing_of(read[0][1]))
            period = _period(sentence, chain, lead, title)
            yield _Draft(a, b, path, subject, None, "", period, d, responsible, "task", "text")


def _heading_subject(heading: str) -> str:
    """A short heading's thing (1．建设口袋公园 -> 口袋公园), for a figure whose sentence names none."""
    words = clean(rules.LEADING_VERBS.sub("", rules.ITEM_MARKER.sub("", heading)))
    return words if len(words) <= 16 else ""


def _deadline_of(folded: str, f: Found, deadlines: list[rules.Deadline]) -> rules.Deadline | None:
    """A figure's deadline: the last one before it in the sentence (到2025年底，A达到…，B达到…),
    else one after it in its own clause, else a later clause that is only a deadline (…，9月底前完成).
    新增泊位3000个，6月底前上线平台 gives the figure none: that deadline is the platform's."""
    before = [d for d in deadlines if d.end <= f.start]
    if before:
        return before[-1]
    end = CLAUSE_END.search(folded, f.end)
    own = next((d for d in deadlines if end is None or d.start < end.start()), None)
    # …1200块户外招牌规范提升，9月底前完成。: a deadline clause with nothing of its own is theirs
    bare = (d for d in deadlines if d.start >= f.end and rules.BARE_DEADLINE.match(folded, d.end))
    return own or next(bare, None)


# ---------------------------------------------------------------------------------------------
# tables


def _columns(row: TableRow) -> list[str]:
    """The header name of each of the row's cells. A row with more cells than the header (a group
    cell merged above it) gives the first header to its first cells and the rest from the right."""
    names = [c[2] for c in row.header]
    n = len(row.cells)
    if n == len(names) or not names:
        return names[:n]
    if n > len(names):
        return [names[0]] * (n - len(names) + 1) + names[1:] if len(names) > 1 else names * n
    return names[len(names) - n :]


def _task_table_units(
    document: Document, tables: list[tuple[Section, list[TableRow]]]
) -> dict[str, tuple[str, ...]]:
    """Task name -> responsible units, from every table with a task and a responsible column."""
    out: dict[str, tuple[str, ...]] = {}
    for _, rows in tables:
        for row in rows:
            cols = _columns(row)
            units = [
                c[2]
                for c, name in zip(row.cells, cols, strict=False)
                if rules.RESPONSIBLE_COLUMN.search(name)
            ]
            tasks = [c[2] for c, name in zip(row.cells, cols, strict=False) if rules.NAME_COLUMN.search(name)]
            if units and tasks:
                out.setdefault(
                    normalised_task(tasks[-1]), tuple(u for cell in units for u in split_units(cell))
                )
    return out


def _row_name(named: list[tuple[tuple[int, int, str], str]]) -> str:
    """What a table row is about: its (last short) task/item cell, else its first cell of words."""
    names = [c[2] for c, n in named if rules.NAME_COLUMN.search(n) and not rules.SCORE_COLUMN.search(n)]
    plain = [c[2] for c, n in named if not rules.NUMBER_COLUMN.match(n) and not _BARE.fullmatch(c[2])]
    if names:
        return (names[-1] if len(names[-1]) <= 24 else names[0])[:40]
    return plain[0][:40] if plain else ""


_BARE = re.compile(r"\d+(?:\.\d+)?")
_NAME_UNIT = re.compile(r"[（(]([^（）()]{1,12})[）)]\s*$")  # 城市生活污水集中收集率（%）


def _table_drafts(section: Section, rows: list[TableRow], year: int | None) -> Iterator[_Draft]:
    """Rows of a table: a figure in any cell is a target (score column: a score; a bare number
    under a year or 目标值 column: the indicator's value in the unit its name gives); a row whose
    only commitment is its 完成时限 cell is a task."""
    untitled = section.body_start == section.start and len(section.path) > 1
    path = section.path[:-1] if untitled else section.path
    scoring = any(rules.SCORE_COLUMN.search(h[2]) for row in rows[:1] for h in row.header)
    done = 0  # where the previous row ended: a cell before it is a merged cell repeated from above
    for row in rows:
        own_cells = [c for c in row.cells if c[0] >= done] or list(row.cells)
        a, b = min(c[0] for c in own_cells), max(c[1] for c in row.cells)
        done = b
        named = [(c, n) for c, n in zip(row.cells, _columns(row), strict=False) if c[2]]
        responsible = tuple(
            u
            for c, n in named
            if rules.RESPONSIBLE_COLUMN.search(n) and not rules.NAME_COLUMN.search(n)
            for u in split_units(c[2])
        )
        name = _row_name(named)
        unit = _NAME_UNIT.search(name)
        deadline, deadline_words, values, deductions, scored = None, "", [], [], False
        for c, n in named:
            if (
                rules.NUMBER_COLUMN.match(n)
                or (rules.RESPONSIBLE_COLUMN.search(n) and not rules.NAME_COLUMN.search(n))
                or rules.BASELINE_COLUMN.search(n)
                or c[0] < a  # a merged cell: its figures belong to the row it was written on
            ):
                continue
            if rules.DEADLINE_COLUMN.search(n):
                found = rules.find_deadlines(c[2], year)
                if found:
                    deadline = deadline or found[0]
                    continue
                if not find_values(c[2]):  # 长期坚持: the words, with no date
                    deadline_words = deadline_words or c[2]
                    continue
            if rules.SCORE_COLUMN.search(n):
                number = rules.number_of(c[2])
                if number is not None:
                    scored = True
                    value = c[2] if c[2].endswith("分") else f"{c[2]}分"
                    values.append(
                        (name, Found(0, 0, value, number, "分", "", "count"), "", "", "score", False)
                    )
                continue
            period = n if re.search(r"(?:19|20)\d{2}", n) else ""
            if _BARE.fullmatch(c[2]) and (period or rules.VALUE_COLUMN.search(n)) and c[2] != name:
                f = Found(0, 0, c[2], float(c[2]), unit.group(1) if unit else "", "", "count")
                values.append((name, f, "", period or n, "target", False))
                continue
            found = find_values(c[2])
            for f, (scope, subject) in zip(found, subjects(c[2], found), strict=True):
                own = subject if subject and subject != name and not re.search(r"\d", subject) else ""
                full = (
                    own
                    if name and name in own
                    else f"{name}：{own}"
                    if own and name and own not in name
                    else (own or name)
                )
                kind = _kind(c[2], f)
                if scoring:  # a scoring rule: 扣0.5分 is a score, 低于80%的 a threshold
                    kind = "score" if f.unit == rules.SCORE_UNIT else "standard"
                    # 城市秩序管理（20分）, a group cell, scores the group; a rule cell, the row
                    full = own if own and rules.NAME_COLUMN.search(n) and c[2] != name else (name or full)
                row_value = (full[:48], f, scope, period, kind, c[2] == name)
                # 每处扣0.2分 in a rule cell: how the item's score is lost, not its score
                deduction = scoring and f.unit == rules.SCORE_UNIT and not rules.NAME_COLUMN.search(n)
                (deductions if deduction else values).append(row_value)
        if not scored:  # a row whose score column is empty: its rule's points are all it says
            values.extend(deductions)
        if any(not in_name for *_, in_name in values):
            # 一般占道施工（…期限30日以内） | 20个工作日: figures in the row's name say which row it is
            values = [v for v in values if not v[-1]]
        for subject, f, scope, period, kind, _ in values:
            yield _Draft(a, b, path, subject, f, scope, period, deadline, responsible, kind, "table")
        if not values and (deadline or deadline_words):
            d = deadline or rules.Deadline(0, 0, deadline_words, "")
            yield _Draft(a, b, path, name, None, "", "", d, responsible, "task", "table")


# ---------------------------------------------------------------------------------------------
# entry point


def extract_targets(document: Document) -> tuple[Target, ...]:
    """Every quantified target, deadline, fine, score and standard of the document, in text order."""
    meta, text = document.meta, document.text
    year = document_year(meta)
    years = (year, min(meta.years) if meta.years else year, meta.title)
    tables = [(s, table_rows(document, s)) for s in document.walk() if s.kind == "table"]
    tables = [(s, rows) for s, rows in tables if rows]
    table_sections = {id(s) for s, _ in tables}
    who = Responsible(document, _task_table_units(document, tables))
    drafts: list[_Draft] = []
    for section, chain in _chains(document.sections, []):
        if section.kind not in _TEXT_KINDS or any(rules.PAST_SECTION.search(s.heading) for s in chain):
            continue
        if id(section) in table_sections:
            rows = next(r for s, r in tables if s is section)
            drafts.extend(_table_drafts(section, rows, year))
            continue
        for a, b in _own_ranges(section):
            for x, y in _sentences(text, a, b):
                drafts.extend(_sentence_drafts(text, x, y, chain, years, who))
    drafts.sort(key=lambda d: d.start)  # a parent's text after its children comes back in place
    return tuple(_target(meta, text, year, n, d) for n, d in enumerate(drafts))


def _target(meta: DocumentMeta, text: str, year: int | None, n: int, d: _Draft) -> Target:
    f = d.found
    return Target(
        id=f"{meta.file}#t{n}",
        file=meta.file,
        title=meta.title,
        doc_number=meta.doc_number,
        city=meta.city,
        district=meta.district,
        year=year,
        section_path=d.section_path,
        sentence=text[d.start : d.end],
        start=d.start,
        end=d.end,
        subject=d.subject,
        value=f.value if f else "",
        number=f.number if f else None,
        unit=f.unit if f else "",
        qualifier=f.qualifier if f else "",
        scope=d.scope,
        period=d.period,
        deadline=d.deadline.iso if d.deadline else "",
        deadline_text=d.deadline.text if d.deadline else "",
        responsible=d.responsible,
        kind=d.kind,
        source=d.source,
    )
