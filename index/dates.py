"""Dates in Chinese official documents: a date written in digits (２０２３年 too) or in Chinese
numerals (二〇二三年六月一日), a regulation's dated history, the years a title covers."""

from __future__ import annotations

import re

from index.cjk import chinese_to_int
from index.lines import Line, halfwidth

_DATE = re.compile(r"((?:19|20|１９|２０)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# 二〇二三年六月十五日: month and day without 百/零/两, which index.cjk.chinese_to_int reads.
_CN_DATE = re.compile(
    r"([〇零一二三四五六七八九○Ｏ]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)
_ISO_DATE = re.compile(r"((?:19|20|１９|２０)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
# `2021—2023年`, `2021年至2023年`: a multi-year plan's span
YEAR_RANGE = re.compile(r"((?:19|20|１９|２０)\d{2})\s*年?\s*[—–\-－~～至到]+\s*((?:19|20|１９|２０)\d{2})")


def date_of(s: str) -> str:
    """ISO date of the first date in s ('' if none)."""
    m = _DATE.search(s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= mo <= 12 and 1 <= d <= 31 else ""
    m = _CN_DATE.search(s)
    if m:
        digits = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")}
        digits.update({"零": "0", "○": "0", "Ｏ": "0"})
        year = "".join(digits.get(c, "") for c in m.group(1))
        mo, d = chinese_to_int(m.group(2)), chinese_to_int(m.group(3))
        if len(year) == 4 and 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{year}-{mo:02d}-{d:02d}"
    m = _ISO_DATE.search(s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    return ""


def is_date_line(s: str) -> bool:
    """A line that is only a date, maybe in brackets: `2023年1月21日`, `（2019年12月13日）`."""
    core = s.strip("（）()[]【】 \u3000")
    m = _DATE.fullmatch(core) or _CN_DATE.fullmatch(core)
    return bool(m)


# A regulation's history under its title: `（2019年6月20日…会议通过　2023年4月12日…会议修正）`.
_HISTORY_KINDS = re.compile(r"通过|修正|修订|批准|公布")


def _all_dates(s: str) -> list[tuple[int, int, str]]:
    """(start, end, ISO date) of every date in s, in order."""
    found = [(m.start(), m.end(), date_of(m.group(0))) for m in _DATE.finditer(s)]
    found += [(m.start(), m.end(), date_of(m.group(0))) for m in _CN_DATE.finditer(s)]
    return sorted(d for d in found if d[2])


def history_dates(lines: list[Line]) -> list[tuple[str, str]]:
    """(kind, ISO date) from the bracketed history lines under a regulation's title: each date
    takes the first of 通过/修正/修订/批准/公布 that follows it before the next date."""
    blocks, block, open_ = [], [], False
    for x in lines:
        if not open_ and x.text[:1] in "（(":
            open_, block = True, []
        if open_:
            block.append(x.text)
            if x.text[-1:] in "）)":
                blocks.append("".join(block))
                open_ = False
    out = []
    for text in blocks:
        dates = _all_dates(text)
        for k, (_, end, iso) in enumerate(dates):
            stop = dates[k + 1][0] if k + 1 < len(dates) else len(text)
            m = _HISTORY_KINDS.search(text, end, stop)
            if m:
                out.append((m.group(0), iso))
    return out


def years_covered(*titles: str) -> tuple[int, ...]:
    """Years a document covers, from the first of its titles that names any: every year of a range
    (`2021—2023年`), else each year written `…年`."""
    for title in titles:
        t = halfwidth(title)
        m = YEAR_RANGE.search(t)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if a <= b <= a + 20:
                return tuple(range(a, b + 1))
        years = sorted({int(y) for y in re.findall(r"((?:19|20|１９|２０)\d{2})\s*年", t)})
        if years:
            return tuple(years)
    return ()
