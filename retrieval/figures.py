"""Figures in a sentence (20座, 3.5亿元, 七十二小时, 百分之二十, 2025年底) and the unit a question asks for.

Arabic digits (half or full width) and Chinese numerals are both figures. Each figure has a kind:
- ``quantity``: an amount with its unit as written (20座, 95%以上, 3.5亿元, 三至五倍, 七日, 六个月);
  a bare number (800) is a quantity with unit '';
- ``date``: a point in time (2025年底, 6月底前, 2024年3月1日, 2024-03-01);
- ``year``: a year on its own (2025年, 2023—2025年);
- ``ordinal``: 第十五条, 第3批 — a position, not an amount.
Enumeration markers (（一） 一、 1．) are not figures at all. The Chinese numeral 一 with a bare
measure word (一个机制, 一批项目, 一项制度) is the indefinite article, not a figure; with a real
unit (一年, 一万元) it is.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from index.cjk import chinese_numeral_value, fold_width

QUANTITY, DATE, YEAR, ORDINAL = "quantity", "date", "year", "ordinal"
DURATION = "duration"  # asked_unit's sentinel: any duration unit (天, 月, 小时, 年, 周) answers


class Figure(NamedTuple):
    text: str  # as written, qualifiers (以上, 左右) included when they follow a range's end
    value: float | None  # the number as written (3.5 for 3.5亿元; the lower bound of a range)
    unit: str  # as written, width folded: 座, %, 亿元, 个月, 日 ('' for a bare number); see canonical_unit
    start: int
    end: int
    kind: str = QUANTITY  # quantity | date | year | ordinal
    upper: float | None = None  # a range's upper bound (三至五倍 -> 5)


# ---------------------------------------------------------------- numerals


def number_value(text: str) -> float | None:
    """Arabic (1,200 / 3.5 / full width) or Chinese numeral to a number; None when it is neither."""
    folded = fold_width(text).replace(",", "")
    try:
        return float(folded)
    except ValueError:
        return chinese_numeral_value(text)


# ---------------------------------------------------------------- units

# Units and measure words a figure is stated in (longest first where one is a prefix of another).
_UNITS = (
    "平方公里 平方千米 平方米 平米 ㎡ 立方米 公顷 亩 公里 千米 厘米 毫米 米 "
    "万吨 吨 千克 公斤 千瓦 兆瓦 "
    "亿元 万元 千元 元 "
    "个百分点 百分点 % ％ 倍 成 "
    "个工作日 工作日 个小时 小时 分钟 个月 个星期 星期 周 天 日 年 "
    "人次 万人 人 户 家 名 位 个 座 处 条 项 次 辆 台 套 件 批 期 届 栋 间 所 只 棵 株 盏 块 场 起 张 "
    "床 宗 部 篇 类 种 片 段 根 公顷 万 亿"
).split()
_UNIT_RE = "|".join(re.escape(u) for u in sorted(set(_UNITS), key=len, reverse=True))
_MEASURE_WORDS = set(
    "人 户 家 名 位 个 座 处 条 项 次 辆 台 套 件 批 期 届 栋 间 所 只 棵 株 盏 块 场 起 张 床 宗 部 篇 类 种 片 段 根".split()
)

_CANONICAL = {
    "日": "天",
    "天": "天",
    "工作日": "工作日",
    "个工作日": "工作日",
    "个月": "月",
    "月": "月",
    "小时": "小时",
    "个小时": "小时",
    "时": "小时",
    "星期": "周",
    "个星期": "周",
    "周": "周",
    "％": "%",
    "%": "%",
    "百分之": "%",
    "平米": "平方米",
    "㎡": "平方米",
    "平方千米": "平方公里",
    "千米": "公里",
    "公斤": "千克",
    "个百分点": "百分点",
}
_KINDS = {
    "money": {"元", "万元", "亿元", "千元", "钱"},
    "length": {"米", "公里", "厘米", "毫米"},
    "area": {"平方米", "平方公里", "公顷", "亩"},
    "volume": {"立方米"},
    "mass": {"吨", "万吨", "千克"},
    "power": {"千瓦", "兆瓦"},
    "duration": {"天", "工作日", "月", "小时", "分钟", "周", "年"},
    "share": {"%", "百分点", "成"},
    "people": {"人", "万人", "人次", "名", "位"},
}
_KIND_OF = {unit: kind for kind, units in _KINDS.items() for unit in units}


def canonical_unit(unit: str) -> str:
    """One spelling per unit: 日/天 -> 天, 个月/月 -> 月, 时/小时 -> 小时, ％ -> %, 平米/㎡ -> 平方米, 千米 -> 公里.

    Magnitudes stay: 万元, 亿元 and 元 remain distinct (see same_quantity_kind)."""
    unit = fold_width(unit).strip()
    return _CANONICAL.get(unit, unit)


def quantity_kind(unit: str) -> str:
    """What a unit measures: money, length, area, volume, mass, duration, share, people — else the
    (canonical) unit itself, so each measure word (座, 个, 辆) is its own kind; 万个 is 个."""
    unit = canonical_unit(unit)
    if unit == DURATION:
        return "duration"
    if unit in _KIND_OF:
        return _KIND_OF[unit]
    if len(unit) > 1 and unit[0] in "万亿千" and unit[1:] in _MEASURE_WORDS:
        return unit[1:]
    return unit


def same_quantity_kind(a: str, b: str) -> bool:
    """Whether two units measure the same kind of thing: 万元 ~ 元 ~ 亿元, 公里 ~ 米, 天 ~ 个月 ~ 小时."""
    return bool(a) and bool(b) and quantity_kind(a) == quantity_kind(b)


# ---------------------------------------------------------------- finding figures

_AR = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CN = r"[零〇一二两三四五六七八九十百千万亿]+(?:点[零〇一二三四五六七八九]+)?"
_NUM = rf"(?:{_AR}|{_CN})"
_SEP = r"\s*(?:至|到|~|～|-|—|－|–|—+)\s*"
_QUALIFIER = r"(?:以上|以下|以内|左右|上下|之内|多|余|以前|之前|前)?"

_ISO_DATE = re.compile(r"(?<!\d)(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])(?!\d)")
_YEAR_NUM = r"(?:(?:19|20)\d{2}|[一二][〇零九][〇零一二三四五六七八九]{2})"
_MONTH_NUM = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY_NUM = (
    r"(?:3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])"
)
_TIME_SUFFIX = r"(?:底前|底|初|末|前|中旬|上旬|下旬|中|份|以前|之前|上半年|下半年)?"
_DATE = re.compile(
    rf"(?P<y>{_YEAR_NUM})\s*年\s*(?:(?P<m>{_MONTH_NUM})\s*月\s*(?:(?P<d>{_DAY_NUM})\s*日)?)?(?P<suffix>{_TIME_SUFFIX})"
    rf"|(?<![\d零〇一二两三四五六七八九十个])(?P<m2>{_MONTH_NUM})\s*月(?!份?[以之]?内)\s*(?:(?P<d2>{_DAY_NUM})\s*[日号])?(?P<suffix2>{_TIME_SUFFIX})"
)
_YEAR_RANGE = re.compile(rf"(?P<y1>{_YEAR_NUM})\s*(?:年)?{_SEP}(?P<y2>{_YEAR_NUM})\s*年")
_ORDINAL = re.compile(rf"第\s*(?P<n>{_NUM})\s*(?P<unit>[条章款项节批次个届期年名位部篇类]?)")
_PERCENT_CN = re.compile(rf"百分之(?P<n>{_NUM})(?:{_SEP}(?:百分之)?(?P<n2>{_NUM}))?(?P<q>{_QUALIFIER})")
_QUANTITY = re.compile(
    rf"(?P<n>{_NUM})(?P<mag>[万亿](?={_UNIT_RE}))?(?P<u>{_UNIT_RE})?"
    rf"(?:{_SEP}(?P<n2>{_NUM})(?P<mag2>[万亿](?={_UNIT_RE}))?(?P<u2>{_UNIT_RE})?)?(?P<q>{_QUALIFIER})"
)
# Halves: 半年, 半个月, 一年半, 两个半小时 (not 上半年 / 下半年, which are dates).
_HALF = re.compile(
    rf"(?<![上下前后])(?:(?P<n>{_AR}|{_CN})(?:(?P<u1>个月|年|个小时|小时|天)半|个半(?P<u3>小时|月))|半(?P<u2>个月|年|个小时|小时|天))"
)
# Enumeration markers: （一） (1) 一、 1． 1. ① at the start of a line or clause.
_MARKER = re.compile(
    r"(?:^|(?<=[\n。；;：:！!？?\s]))(?:[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十]+\s*[、是]|\d+\s*[、．]|\d+\.(?!\d))"
    # a box item's number at the start of its line (`03　道路桥梁维护：…`)
    r"|(?:^|(?<=\n))\d{1,2}[ \u3000]+(?=[\u4e00-\u9fff])"
)
_RANGE_JOIN = re.compile(r"^(?:以上|至|到|~|～|-|—|－)?$")


def _date_kind(match: re.Match) -> str:
    if match.group("y") and not match.group("m") and not match.group("suffix"):
        return YEAR
    return DATE


def find_figures(text: str) -> list[Figure]:
    """Every figure in `text`, left to right, with its unit and kind (see the module doc)."""
    folded = fold_width(text)
    taken = [False] * len(folded)
    figures: list[Figure] = []

    def free(start: int, end: int) -> bool:
        return not any(taken[start:end])

    def add(start: int, end: int, value, unit: str, kind: str, upper=None) -> None:
        taken[start:end] = [True] * (end - start)
        figures.append(Figure(text[start:end], value, unit, start, end, kind, upper))

    for match in _MARKER.finditer(folded):
        taken[match.start() : match.end()] = [True] * (match.end() - match.start())
    for match in _ORDINAL.finditer(folded):
        if free(*match.span()):
            add(*match.span(), number_value(match.group("n")), match.group("unit"), ORDINAL)
    for match in _ISO_DATE.finditer(folded):
        if free(*match.span()):
            add(*match.span(), number_value(match.group()[:4]), "", DATE)
    for match in _YEAR_RANGE.finditer(folded):
        if free(*match.span()):
            add(*match.span(), number_value(match.group("y1")), "年", YEAR, number_value(match.group("y2")))
    for match in _DATE.finditer(folded):
        if not match.group() or not free(*match.span()):
            continue
        if match.group("m2") and _month_is_duration(folded, match):
            continue
        number = match.group("y") or match.group("m2")
        unit = "年" if match.group("y") else "月"
        add(*match.span(), number_value(number), unit, _date_kind(match) if match.group("y") else DATE)
    for match in _PERCENT_CN.finditer(folded):
        if free(*match.span()):
            upper = number_value(match.group("n2")) if match.group("n2") else None
            add(*match.span(), number_value(match.group("n")), "%", QUANTITY, upper)
    for match in _HALF.finditer(folded):
        if free(*match.span()):
            whole = number_value(match.group("n")) if match.group("n") else 0.0
            if whole is not None:
                add(
                    *match.span(),
                    whole + 0.5,
                    match.group("u1") or match.group("u2") or match.group("u3"),
                    QUANTITY,
                )
    for match in _QUANTITY.finditer(folded):
        _add_quantity(folded, match, free, add)
    figures.sort(key=lambda f: f.start)
    return _join_ranges(text, figures)


def _month_is_duration(text: str, match: re.Match) -> bool:
    """ "3月" is a month; "3个月" never reaches here; a month number above 12 is not a month."""
    value = number_value(match.group("m2"))
    return value is None or not 1 <= value <= 12


def _add_quantity(text: str, match: re.Match, free, add) -> None:
    start, end = match.span()
    number, unit, number2, unit2 = match.group("n", "u", "n2", "u2")
    if unit and match.group("mag"):
        unit = match.group("mag") + unit  # 1万个, 3.5亿元
    if unit2 and match.group("mag2"):
        unit2 = match.group("mag2") + unit2
    if not free(start, end):
        # Part of a date, ordinal or marker: keep only a free tail (rare; skip instead of guessing).
        return
    is_chinese = not re.match(r"\d", number)
    if number2 and not unit and unit2:
        unit = unit2  # 三至五倍
    if is_chinese:
        if not unit:
            return  # a Chinese numeral without a unit is a word (统一, 进一步, 十四五), not a figure
        if number[-1] in "万亿" and len(number) > 1 and unit not in ("万", "亿"):
            unit, number = number[-1] + unit, number[:-1]  # 三亿元 -> 三 亿元, like 3亿元
        if number == "一" and (unit in _MEASURE_WORDS) and not number2:
            return  # 一个机制, 一批项目: the indefinite article
        if number in ("万", "亿", "千", "百", "十") and not number2:
            return  # 千万 (by all means), 万一
    if unit == "年" and re.fullmatch(r"(?:19|20)\d{2}", number):
        add(start, end, number_value(number), unit, YEAR)
        return
    value = number_value(number)
    if value is None:
        return
    upper = number_value(number2) if number2 else None
    if number2 and unit2 and unit and not same_quantity_kind(unit, unit2):
        # "3天-5" style noise or two different figures: keep only the first.
        end = match.start("n2") - len(re.search(_SEP + "$", text[: match.start("n2")]).group())
        add(start, end, value, unit, QUANTITY)
        return
    add(start, end, value, unit or "", QUANTITY, upper)


def _scale(unit: str) -> float:
    return {"万": 1e4, "亿": 1e8, "千": 1e3}.get(unit[:1], 1.0) if len(unit) > 1 else 1.0


def _join_ranges(text: str, figures: list[Figure]) -> list[Figure]:
    """五百元以上三千元以下 / 5000元以上5万元以下: one figure covering the whole range."""
    out: list[Figure] = []
    for fig in figures:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == fig.kind == QUANTITY
            and prev.upper is None
            and same_quantity_kind(prev.unit, fig.unit)
            and prev.text.endswith("以上")
            and fig.text.endswith("以下")
            and _RANGE_JOIN.match(text[prev.end : fig.start].strip())
        ):
            upper = fig.value * _scale(fig.unit) / _scale(prev.unit)  # 5000元 … 5万元 -> 50000
            out[-1] = Figure(
                text[prev.start : fig.end], prev.value, prev.unit, prev.start, fig.end, QUANTITY, upper
            )
            continue
        out.append(fig)
    return out


# ---------------------------------------------------------------- questions about a sentence


def states_quantity(text: str, unit: str = "") -> bool:
    """Whether `text` states an amount (not a date, year or ordinal); with `unit`, one of that kind
    (亿元 accepts 元 and 万元; 'duration' accepts 天/月/小时/年; '%' accepts 百分之 and 个百分点)."""
    for fig in find_figures(text):
        if fig.kind != QUANTITY:
            continue
        if not unit:
            return True
        if unit == DURATION:
            if quantity_kind(fig.unit) == "duration":
                return True
        elif canonical_unit(fig.unit) == canonical_unit(unit) or same_quantity_kind(fig.unit, unit):
            return True
    return False


def states_date(text: str) -> bool:
    """Whether `text` states a point in time (2025年底, 6月底前, 2024年3月1日); a bare year does not."""
    return any(fig.kind == DATE for fig in find_figures(text))


# ---------------------------------------------------------------- what a question asks for

_ASK_SHARE = re.compile(
    r"百分之几|多少比例|什么比例|比例(?:是|为|达到?)?多少|占比|比率|百分比|[率]\s*(?:是|为|要|需|应|达到?|将)?\s*多少|多少[%％]"
    r"|\bwhat\b[^?]*\b(?:percentage|rate|share|proportion)\b|\bpercent",
    re.I,
)
_ASK_DURATION = re.compile(r"多长时间|多久|多长期限|期限是多少|how long", re.I)
_ASK_DAYS = re.compile(
    r"(?:几|多少)(?:个)?(?:天|日(?!期))|(?:几|多少)个?工作日|how many (?:working )?days", re.I
)
_ASK_MONEY = re.compile(
    r"罚(?:款)?多少|多少钱|罚多少|罚款(?:是|为)?多少|金额(?:是|为)?多少|资金(?:是|为)?多少|投资(?:是|为)?多少|"
    r"费用(?:是|为)?多少|多少费用|(?:交|缴纳?|收取?|付)多少|收费(?:标准)?(?:是|为)?多少|"
    r"how much (?:money|is the fine|are the fines|.*?\byuan\b)|\bfines?\b.*\bhow much\b|\bhow much\b.*\bfined?\b|"
    r"how many yuan|\bwhat (?:is the )?(?:fines?|fees?|penalty|charge)\b|\bhow much\b[^?]*\b(?:fee|cost|charge)",
    re.I,
)
_ASK_UNIT = re.compile(rf"(?:多少|几)(?P<unit>{_UNIT_RE})")
_EN_UNITS = (
    (re.compile(r"how many (?:hours)\b", re.I), "小时"),
    (re.compile(r"how many (?:months)\b", re.I), "月"),
    (re.compile(r"how many (?:years)\b", re.I), "年"),
    (re.compile(r"how many (?:kilomet(?:er|re)s|km)\b", re.I), "公里"),
    (re.compile(r"how many (?:square met(?:er|re)s)\b", re.I), "平方米"),
    (re.compile(r"how many (?:met(?:er|re)s)\b", re.I), "米"),
    (re.compile(r"how many (?:tons|tonnes)\b", re.I), "吨"),
    (re.compile(r"how many (?:times)\b", re.I), "倍"),
)


def asked_unit(question: str) -> str:
    """The unit a question asks its figure in, canonical: 多少万元 -> 万元, 罚多少钱 -> 元, 几天 -> 天,
    多久 -> 'duration', 多少比例 / 覆盖率多少 -> %, 几座 -> 座; '' when it names none.

    个 (几个 / 多少个) is returned but is weak: it is the general measure word, so documents often
    state the same count with a specific one (5座, 3处) or none at all."""
    folded = fold_width(question)
    if _ASK_SHARE.search(folded):
        return "%"
    if _ASK_DAYS.search(folded):
        return "天"
    if _ASK_DURATION.search(folded):
        return DURATION
    match = _ASK_UNIT.search(folded)
    if match:
        unit = canonical_unit(match.group("unit"))
        return "%" if unit in ("%", "百分点") else unit
    if _ASK_MONEY.search(folded):
        return "元"
    for pattern, unit in _EN_UNITS:
        if pattern.search(folded):
            return unit
    return ""
