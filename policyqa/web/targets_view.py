"""What the 指标 tab shows, without a server: the ledger table with its filters and sort orders, one
subject compared across documents, what falls due in a month by responsible unit, the count line,
and the current view written out as CSV or XLSX.

Every view is a list of `Target`s; its table's first column is the row's place in that list (序号),
so a click maps back to the row however the browser re-sorted the table.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

from policyqa.ledger_export import KIND_NAMES, write_csv, write_xlsx
from policyqa.records import TARGET_KINDS, DocumentMeta, Target
from policyqa.web.documents import document_label
from retrieval.ledger import ALIASES, by_deadline, compare, due_in, filter_targets, subject_key

ALL = ""  # the filters' "any" choice
LEDGER_COLUMNS = ("序号", "指标/事项", "数值", "限定", "期限/截止", "责任单位", "文件", "章节")
COMPARE_COLUMNS = ("序号", "比较项", "文件", "指标/事项", "数值", "限定", "期限/截止", "章节")
DUE_COLUMNS = ("序号", "责任单位", "截止", "指标/事项", "数值", "文件", "章节")
SORTS = {
    "文件顺序": "file",
    "截止日期（近的在前）": "deadline",
    "数值（大的在前）": "number",
    "指标名称": "subject",
}
EXPORT_FORMATS = ("Excel (XLSX)", "CSV")
EXAMPLE_CANDIDATES = 30
_NO_VALUE = '<span class="pq-cmp-none">—</span>'  # this document gives no value for the subject


def kind_choices() -> list[tuple[str, str]]:
    """(label, kind) pairs for the kind filter, "全部类型" first."""
    return [("全部类型", ALL), *((KIND_NAMES.get(k, k), k) for k in TARGET_KINDS)]


def doc_choices(rows: Iterable[Target], metas: dict[str, DocumentMeta]) -> list[tuple[str, str]]:
    """(label, file) pairs for the document filter: the documents that have rows, by label."""
    files = {r.file for r in rows}
    labels = {f: document_label(metas[f]) if f in metas else f for f in files}
    return [("全部文件", ALL), *sorted(((labels[f], f) for f in files), key=lambda c: c[0])]


def month_choices(rows: Iterable[Target]) -> list[str]:
    """The months (YYYY-MM) that some row falls due in, earliest first."""
    return sorted({r.deadline[:7] for r in rows if r.deadline})


def default_month(months: Sequence[str], today: date | None = None) -> str | None:
    """The month the deadlines view opens at: this month or the next one that has deadlines, else
    the latest (every deadline is past); None when no row has a deadline."""
    if not months:
        return None
    now = (today or date.today()).isoformat()[:7]
    return next((m for m in sorted(months) if m >= now), max(months))


def subject_examples(rows: Sequence[Target], n: int = 6) -> list[str]:
    """Subjects worth comparing, those a comparison finds in most documents first: the subjects
    documents share (by `subject_key`) and the ledger's synonym groups (公厕, 泊位, 违建 …). Only
    subjects found in two or more documents, unless no subject is."""
    counts: Counter = Counter()
    for r in rows:
        if r.kind != "task" and r.subject:
            counts[subject_key(r.subject)] += 1
    # Each candidate is one comparison over every row: the commonest subjects only, for a large ledger.
    common = [k for k, _ in counts.most_common(EXAMPLE_CANDIDATES) if len(k) >= 2]
    candidates = common + [group[0] for group in ALIASES]
    spans: dict[str, int] = {}
    for word in dict.fromkeys(candidates):
        _, found = compare_view(rows, word)
        if found:
            spans[word] = len({r.file for r in found})
    shared = [w for w in spans if spans[w] >= 2] or list(spans)
    return sorted(shared, key=lambda w: -spans[w])[:n]


def _sorted(rows: list[Target], order: str) -> list[Target]:
    if order == "deadline":
        return by_deadline(rows)
    if order == "number":
        return sorted(rows, key=lambda r: (r.number is None, -(r.number or 0)))
    if order == "subject":
        return sorted(rows, key=lambda r: r.subject)
    return rows


def ledger_view(
    rows: Sequence[Target], search: str = "", file: str = ALL, kind: str = ALL, sort: str = ""
) -> list[Target]:
    """The rows the table shows: matching the words (with aliases), in `file` (exact, as the
    dropdown gives it) and of `kind`, in the chosen order (a SORTS label; file order otherwise)."""
    chosen = [r for r in rows if not file or r.file == file]
    chosen = filter_targets(chosen, search=search or "", kind=kind or "")
    return _sorted(chosen, SORTS.get(sort, "file"))


def count_line(rows: Sequence[Target], what: str = "") -> str:
    """ "共 N 条，来自 M 份文件" (with what was asked for first, when given)."""
    lead = f"{what}：" if what else ""
    if not rows:
        return f"{lead}没有找到符合条件的指标。可以换个说法，或清除文件和类型筛选。"
    docs = len({r.file for r in rows})
    return f"{lead}共 {len(rows)} 条，来自 {docs} 份文件"


def limit_text(row: Target) -> str:
    """限定: the qualifier and the scope the value holds for (不少于 · 主城区)."""
    return " · ".join(p for p in (row.qualifier, row.scope) if p)


def due_text(row: Target) -> str:
    """期限/截止: the ISO deadline with the words it came from, else the period as written."""
    if row.deadline:
        words = row.deadline_text
        return f"{row.deadline}（{words}）" if words and words != row.deadline else row.deadline
    return row.deadline_text or row.period


def _doc_name(row: Target) -> str:
    return f"《{row.title}》" if row.title else row.file


def ledger_table(rows: Sequence[Target]) -> list[list[str]]:
    """One line per row in LEDGER_COLUMNS order."""
    return [
        [
            str(i + 1),
            r.subject,
            r.value,
            limit_text(r),
            due_text(r),
            "、".join(r.responsible),
            _doc_name(r),
            r.section,
        ]
        for i, r in enumerate(rows)
    ]


def compare_view(rows: Sequence[Target], subject: str) -> tuple[list[tuple[str, list[Target]]], list[Target]]:
    """(groups, flat rows): `compare`'s groups of one subject across documents, and their rows in
    group order (what the detail table lists and an export writes)."""
    subject = (subject or "").strip()
    if not subject:
        return [], []
    groups = compare(rows, subject)
    return groups, [r for _, members in groups for r in members]


def compare_table(groups: Sequence[tuple[str, list[Target]]]) -> list[list[str]]:
    """One line per row, grouped by subject and then document, in COMPARE_COLUMNS order."""
    out = []
    for label, members in groups:
        for r in members:
            out.append(
                [
                    str(len(out) + 1),
                    label,
                    _doc_name(r),
                    r.subject,
                    r.value,
                    limit_text(r),
                    due_text(r),
                    r.section,
                ]
            )
    return out


def compare_html(subject: str, groups: Sequence[tuple[str, list[Target]]]) -> str:
    """The subject side by side: a row per wording group, a column per document, the values in cells
    (each opens its sentence in the viewer, as a source card does)."""
    if not (subject or "").strip():
        return '<div class="pq-empty">输入或选择一个比较项（如 公厕、垃圾分类），查看各文件的数值。</div>'
    if not groups:
        return (
            f'<div class="pq-empty">没有文件对“{html.escape(subject.strip())}”给出数值。'
            "可以换个说法，如“公共厕所”“停车泊位”。</div>"
        )
    docs: dict[str, str] = {}
    for _, members in groups:
        for r in members:
            docs.setdefault(
                r.file, _doc_name(r) + (f"（{r.year}）" if r.year and str(r.year) not in r.title else "")
            )
    head = "".join(f"<th>{html.escape(name)}</th>" for name in docs.values())
    body = []
    for label, members in groups:
        cells = []
        for file in docs:
            values = [r for r in members if r.file == file]
            items = "".join(
                f'<div class="pq-cmp-value" role="button" tabindex="0" data-file="{html.escape(r.file)}" '
                f'data-start="{r.start}" data-end="{r.end}" title="{html.escape(r.sentence)}">'
                f"{html.escape(_value_words(r))}</div>"
                for r in values
            )
            cells.append(f"<td>{items or _NO_VALUE}</td>")
        body.append(f'<tr><th scope="row">{html.escape(label)}</th>{"".join(cells)}</tr>')
    return (
        f'<div class="pq-cmp"><table><thead><tr><th>比较项</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _value_words(row: Target) -> str:
    value = row.value or "（无数值）"
    extra = " · ".join(p for p in (row.scope, due_text(row)) if p)
    subject = "" if subject_key(row.subject) == row.subject else f"{row.subject} "
    return f"{subject}{value}" + (f"（{extra}）" if extra else "")


def due_view(rows: Sequence[Target], month: str) -> tuple[list[tuple[str, Target]], list[Target]]:
    """((unit, row) pairs, distinct rows): what falls due in `month` by responsible unit (a row
    naming several units is listed under each), and the rows once each for an export. ValueError
    (a Chinese message) for a month not written YYYY-MM."""
    if not (month or "").strip():
        return [], []
    by_unit = due_in(rows, month)
    pairs = [(unit, r) for unit, members in by_unit.items() for r in by_deadline(members)]
    distinct = list({r.id: r for _, r in pairs}.values())
    return pairs, by_deadline(distinct)


def due_table(pairs: Sequence[tuple[str, Target]]) -> list[list[str]]:
    """One line per (unit, row) in DUE_COLUMNS order."""
    return [
        [str(i + 1), unit, due_text(r), r.subject, r.value, _doc_name(r), r.section]
        for i, (unit, r) in enumerate(pairs)
    ]


def picked(table_rows: Sequence, row_value: Sequence | None):
    """The row (or row id) a table click chose, from the clicked line's 序号 (its place in the view);
    None for a line without one."""
    try:
        index = int(str(row_value[0])) - 1
    except (TypeError, ValueError, IndexError):
        return None
    return table_rows[index] if 0 <= index < len(table_rows) else None


def by_ids(rows: Iterable[Target], ids: Sequence[str | None]) -> list[Target]:
    """The rows with these ids, in `ids` order (those gone from the index after a re-index left out)."""
    known = {r.id: r for r in rows}
    return [known[i] for i in ids if i in known]


def export_view(rows: Sequence[Target], fmt: str, folder: Path, name: str = "指标台账") -> Path:
    """The rows written as `<name>-<time>.xlsx` (or .csv, UTF-8 with BOM) in `folder`."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    if fmt == "CSV":
        return write_csv(rows, Path(folder) / f"{name}-{stamp}.csv")
    return write_xlsx(rows, Path(folder) / f"{name}-{stamp}.xlsx")
