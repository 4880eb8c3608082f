"""Queries over the targets ledger (`LoadedIndex.targets`): pure functions over rows, shared by the
CLI (`policyqa targets`), the exports and the app.

- `filter_targets`: rows by words (subject, sentence, section, responsible; a few aliases), by
  document (file, title, place, 文号, year), by deadline and by kind;
- `subject_key` / `compare`: one subject across documents, side by side;
- `due_in`: what falls due in a month, by responsible unit.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date

from index.cjk import fold_width
from policyqa.records import TARGET_KINDS, Target

# Words documents use for the same thing: searching one finds the others.
ALIASES: tuple[tuple[str, ...], ...] = (
    ("公厕", "公共厕所", "厕所"),
    ("泊位", "停车位", "车位"),
    ("违建", "违法建设", "违章建筑"),
    ("背街小巷", "街巷"),
    ("垃圾分类", "生活垃圾分类"),
)
# Wording around a subject that does not change what is counted (新改建公厕 = 公厕 for comparing).
_KEY_PREFIX = re.compile(
    r"^(?:新改建|新建|新增|改建|改造|完成|建设|建成|打造|创建|实施|推进|年度|全年|城乡|城市)+"
)
_KEY_SUFFIX = re.compile(r"(?:工程|项目|工作|任务|建设|改造|整治)+$")
_KEY_DROP = re.compile(r"[\s“”\"'‘’《》「」（）()、，,。：:]")
NO_UNIT = "未注明责任单位"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MONTH = re.compile(r"\d{4}-\d{2}")


def _fold(text: str) -> str:
    return fold_width(text).lower()


def search_terms(search: str) -> list[str]:
    """The search words and their aliases (公厕 -> 公厕, 公共厕所, 厕所)."""
    word = _fold(search.strip())
    if not word:
        return []
    terms = [word]
    for group in ALIASES:
        if word in group:
            terms.extend(w for w in group if w != word)
    return terms


def matches_search(row: Target, search: str) -> bool:
    """Whether the row's subject, sentence, section or responsible units hold the words (or an alias)."""
    terms = search_terms(search)
    if not terms:
        return True
    haystack = _fold(" ".join((row.subject, row.sentence, row.section, " ".join(row.responsible))))
    return any(t in haystack for t in terms)


def matches_doc(row: Target, doc: str) -> bool:
    """Whether `doc` names the row's document: part of its file name, title, city/district or 文号,
    or its year (as the engine's `resolve_files` selects documents)."""
    doc = doc.strip()
    if not doc:
        return True
    fields = (row.file, row.title, row.city, row.district, row.doc_number)
    return any(doc in f for f in fields if f) or (doc.isdigit() and row.year == int(doc))


def check_date(text: str) -> str:
    """`text` as an ISO date (YYYY-MM-DD), or ValueError saying the expected form."""
    text = text.strip()
    try:
        if not _ISO_DAY.fullmatch(text):
            raise ValueError
        date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"日期“{text}”无法识别：请写成 YYYY-MM-DD，例如 2024-06-30") from None
    return text


def check_month(text: str) -> str:
    """`text` as YYYY-MM, or ValueError saying the expected form."""
    text = text.strip()
    if not _ISO_MONTH.fullmatch(text) or not 1 <= int(text[5:]) <= 12:
        raise ValueError(f"月份“{text}”无法识别：请写成 YYYY-MM，例如 2024-06")
    return text


def filter_targets(
    rows: Iterable[Target], search: str = "", doc: str = "", due_before: str = "", kind: str = ""
) -> list[Target]:
    """The rows matching every given filter, in ledger order. `due_before` (YYYY-MM-DD) keeps rows
    with a deadline on or before it; `kind` is one of TARGET_KINDS (ValueError otherwise)."""
    if due_before:
        due_before = check_date(due_before)
    if kind and kind not in TARGET_KINDS:
        raise ValueError(f"类型“{kind}”不存在：可选 {'、'.join(TARGET_KINDS)}")
    return [
        r
        for r in rows
        if matches_search(r, search)
        and matches_doc(r, doc)
        and (not due_before or (r.deadline and r.deadline <= due_before))
        and (not kind or r.kind == kind)
    ]


def subject_key(subject: str) -> str:
    """What a subject counts, without the wording around it: 新改建城乡公厕 and 新改建公共厕所 ->
    公厕; “美丽街巷” -> 美丽街巷."""
    key = _KEY_DROP.sub("", fold_width(subject))
    for group in ALIASES:
        if group[0] in ("公厕", "泊位", "违建"):  # whole-word synonyms (街巷 is a part of 背街小巷)
            for word in group[1:]:
                key = key.replace(word, group[0])
    stripped = _KEY_SUFFIX.sub("", _KEY_PREFIX.sub("", key))
    return stripped or key


def compare(rows: Iterable[Target], term: str) -> list[tuple[str, list[Target]]]:
    """Rows about `term` grouped by subject (subject_key), the groups spanning most documents first;
    each group is labelled with its commonest wording and ordered by year and file."""
    groups: dict[str, list[Target]] = {}
    for row in filter_targets(rows, search=term):
        if row.kind == "task":
            continue
        groups.setdefault(subject_key(row.subject), []).append(row)
    out = []
    for members in groups.values():
        label = Counter(r.subject for r in members).most_common(1)[0][0]
        out.append((label, sorted(members, key=lambda r: (r.year or 0, r.file, r.start))))
    return sorted(out, key=lambda g: (-len({r.file for r in g[1]}), -len(g[1]), g[0]))


def due_in(rows: Iterable[Target], month: str) -> dict[str, list[Target]]:
    """Rows falling due in `month` (YYYY-MM) by responsible unit (a row with several units under
    each); rows naming none under NO_UNIT."""
    month = check_month(month)
    out: dict[str, list[Target]] = {}
    for row in rows:
        if row.deadline.startswith(month):
            for unit in row.responsible or (NO_UNIT,):
                out.setdefault(unit, []).append(row)
    return dict(sorted(out.items(), key=lambda kv: (kv[0] == NO_UNIT, kv[0])))


def by_deadline(rows: Sequence[Target]) -> list[Target]:
    """Rows with a deadline first, earliest first; the others after, in ledger order."""
    return sorted(rows, key=lambda r: (not r.deadline, r.deadline))
