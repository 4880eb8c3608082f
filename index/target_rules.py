"""The ledger's named rules: how a figure, a qualitative goal or a deadline is written.

Each rule is data (`VALUE_RULES`, `DEADLINE_RULES`) read by `index/targets.py`, which finds the
sentences and their subjects. Patterns run on width-folded text (１００％ → 100%), which keeps every
offset, so a match's span is also its span in the verbatim sentence.
"""

from __future__ import annotations

import calendar
import re
from typing import NamedTuple

from index.cjk import chinese_numeral_value, fold_width

# ---------------------------------------------------------------------------------------------
# numbers and units

_AR = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CN = r"[零〇一二两三四五六七八九十百千万]+"
NUMBER = rf"(?:{_AR}(?:万|亿|千)?|{_CN})"
# Not inside a longer number (第二十条 holds no 十条), an ordinal (第3), a version (3.0), a code (G20)
# or a date (月21日).
_LEAD = r"(?<![\d.\-第A-Za-z月号零〇一二两三四五六七八九十百千])"

# Units a counted or measured target is written in (longest first). 年 is left out on purpose: in
# these documents "三年行动计划", "3年左右时间" name plans and periods, not commitments.
COUNT_UNITS = (
    "个 座 条 处 家 幢 栋 所 辆 台 套 项 次 起 名 人 户 场 批 块 盏 棵 株 间 根 宗 件 部 张 只 床 吨".split()
)
MEASURE_UNITS = (
    "平方公里 平方千米 平方米 立方米 公顷 亩 公里 千米 米 万元 亿元 元 个百分点 百分点 倍 千瓦".split()
)
DURATION_UNITS = "个工作日 工作日 个小时 小时 学时 分钟 个月 天 日 周 年".split()
SCORE_UNIT = "分"
_UNITS = sorted(set(COUNT_UNITS + MEASURE_UNITS + DURATION_UNITS), key=len, reverse=True)
_UNIT_RE = "|".join(re.escape(u) for u in _UNITS)
# 分 is a score only when it does not start another word (分类, 分钟, 分级, 分期, 三分之一 …).
_SCORE_RE = r"分(?![类钟级期区别配析拣批布出工管局值数段散流解享担成户包项组层档支会队部院行所步时秒米之])"
# 年 is a duration only when bound (不超过三年, 5年以内) or named as one (有效期5年, 连续补贴5年):
# "三年行动计划", "用三年时间", "三年新建…" name plans and periods, not commitments.
YEAR_CONTEXT = re.compile(r"(?:有效期|期限|为期|连续补贴|连续|满|保修期|质保期)$")
# What may follow a figure as part of it.
SUFFIX_QUALIFIERS = ("以上", "以下", "以内", "左右", "之内", "多", "余", "内")
# What may stand right before a figure and says how it binds (longest first).
PREFIX_QUALIFIERS = (
    "不得少于",
    "不得低于",
    "不得超过",
    "不低于",
    "不少于",
    "不超过",
    "不高于",
    "不大于",
    "不小于",
    "至少",
    "最多",
    "超过",
    "达到",
    "控制在",
    "稳定在",
    "提高到",
    "提升至",
    "提升到",
    "降至",
    "力争",
    "确保",
    "达",
    "超",
)
# A single-digit Chinese count (一批, 两个, 三级, 四个一批) is a slogan or an article, not a target.
_SMALL_CN = set("一二两三四五六七八九")


class ValueRule(NamedTuple):
    """A named way a target's value is written; `kind` is the unit family it yields."""

    name: str
    pattern: re.Pattern
    kind: str  # range | percent | count | qualitative


def _rule(name: str, pattern: str, kind: str) -> ValueRule:
    return ValueRule(name, re.compile(pattern), kind)


_SUFFIX = "(?P<suffix>" + "|".join(SUFFIX_QUALIFIERS) + ")?"
_ANY_UNIT = rf"(?:{_UNIT_RE}|{_SCORE_RE}|%)"

VALUE_RULES: tuple[ValueRule, ...] = (
    # 五百元以上三千元以下, 5000元以上5万元以下: a fine's or a subsidy's range
    _rule(
        "amount_range",
        rf"{_LEAD}(?P<n>{NUMBER})(?P<unit>{_UNIT_RE}|{_SCORE_RE})以上(?P<n2>{NUMBER})(?:{_UNIT_RE}|{_SCORE_RE})以下",
        "range",
    ),
    # 10%—20%, 3至5个工作日, 80-100分
    _rule(
        "range",
        rf"{_LEAD}(?P<n>{NUMBER})(?:{_ANY_UNIT})?\s*(?:至|到|~|～|—|－|-)\s*(?P<n2>{NUMBER})(?P<unit>{_ANY_UNIT}){_SUFFIX}",
        "range",
    ),
    # 100%, 95%以上, 百分之二十
    _rule("percent", rf"{_LEAD}(?P<n>{_AR})\s*(?P<unit>%){_SUFFIX}", "percent"),
    _rule("percent_words", rf"百分之(?P<n>{_CN}|{_AR})(?P<unit>){_SUFFIX}", "percent"),
    # 33座, 1万个, 300公里以上, 500万立方米, 七个工作日, 20分
    # 2000多个, 300余辆: the approximation stands between the number and its unit
    _rule(
        "count",
        rf"{_LEAD}(?P<n>{NUMBER})(?P<approx>多|余)?(?P<unit>{_UNIT_RE}|{_SCORE_RE}){_SUFFIX}",
        "count",
    ),
    # 1:1 (matching funds): a ratio is a figure only beside the word 比例
    _rule("ratio", rf"{_LEAD}(?P<n>\d+)\s*[:：]\s*\d+(?P<unit>)(?=的?比例)", "count"),
    # goals stated without a figure
    _rule("full_coverage", r"(?P<n>)(?P<unit>)全覆盖", "qualitative"),
    _rule("zero_growth", r"(?P<n>)(?P<unit>)[“\"]?零增长", "qualitative"),
)


def number_of(text: str) -> float | None:
    """20 -> 20.0, 1万 -> 10000.0, 1,200 -> 1200.0, 七十二 -> 72.0, 3.5亿 -> 350000000.0; None if none."""
    s = fold_width(text).replace(",", "")
    m = re.match(r"(\d+(?:\.\d+)?)(万|亿|千)?", s)
    if m:
        scale = {"万": 10_000, "亿": 100_000_000, "千": 1000}.get(m.group(2) or "", 1)
        return float(m.group(1)) * scale
    return chinese_numeral_value(s) if s else None


def unit_scale(unit: str) -> float:
    """万元 -> 10000 so that a number is in the unit's base (元)."""
    return {"万元": 10_000, "亿元": 100_000_000}.get(unit, 1)


def is_small_chinese_count(number_text: str, unit: str, bound: bool) -> bool:
    """一批 / 两个 / 一天一目标: a single Chinese digit before a count word, or before a duration
    that no qualifier binds (七个工作日内 and 不超过六个月 are figures; 一天一目标 is a slogan)."""
    if number_text not in _SMALL_CN:
        return False
    return unit in COUNT_UNITS or not bound


# ---------------------------------------------------------------------------------------------
# deadlines

_Y = r"(?:(?P<y>(?:19|20)\d{2})\s*年\s*)?"
_M = r"(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_CJK = "\u4e00-\u9fff"


class DeadlineRule(NamedTuple):
    """A named way a deadline is written; `when` turns the match into (year, month, day) given the
    document's year (day 0 = the month's last day)."""

    name: str
    pattern: re.Pattern
    when: str  # date | month_end | year_end | half | quarter | recurring (no single date)


DEADLINE_RULES: tuple[DeadlineRule, ...] = (
    # 2024年3月1日前, 6月30日之前
    DeadlineRule(
        "day",
        re.compile(rf"{_Y}{_M}\s*月\s*(?P<d>[12]\d|3[01]|0?[1-9])\s*日\s*(?:前|之前|以前|止)"),
        "date",
    ),
    # 6月底前, 2025年9月底, 3月末
    DeadlineRule("month_end", re.compile(rf"{_Y}{_M}\s*月\s*(?:底|末)(?:前|之前|以前)?"), "month_end"),
    # 到2025年底, 2027年底前, 年底前, 年内
    DeadlineRule(
        "year_end",
        re.compile(
            r"(?:(?P<y>(?:19|20)\d{2})\s*年\s*(?:底|末)|(?<![\d今去明])年(?:底|末|内))(?:前|之前|以前)?(?!不)"
        ),
        "year_end",
    ),
    DeadlineRule("by_year", re.compile(r"(?:到|至)(?P<y>(?:19|20)\d{2})\s*年(?![\d底末月])"), "year_end"),
    # 上半年 / 下半年
    DeadlineRule("half", re.compile(rf"{_Y}(?P<h>上|下)半年"), "half"),
    # 第三季度, 2025年第4季度
    DeadlineRule("quarter", re.compile(rf"{_Y}第(?P<q>[一二三四1-4])季度"), "quarter"),
    # 每月10日前 (a recurring deadline: the words, no date)
    DeadlineRule(
        "monthly",
        re.compile(r"每月\s*(?P<d>[12]\d|3[01]|0?[1-9]|[一二三四五六七八九十]{1,3})\s*日\s*(?:前|之前|以前)"),
        "recurring",
    ),
    # 9月建成运行, 6月份动态调整: a month on its own before what is to be done by then
    DeadlineRule(
        "month",
        re.compile(
            rf"(?<![\d—\-－~～至到])(?:{_Y})(?P<m>1[0-2]|0?[1-9])\s*月份?(?:前|之前)?(?=[{_CJK}])(?![日份底末])"
        ),
        "month_end",
    ),
)


class Deadline(NamedTuple):
    start: int
    end: int
    text: str
    iso: str  # "" when the document's year is unknown


def _cn_or_int(s: str) -> int:
    value = number_of(s)
    return int(value) if value else 0


def find_deadlines(text: str, year: int | None) -> list[Deadline]:
    """Deadlines in `text`, non-overlapping, earliest first; a month without a year is read in `year`."""
    folded = fold_width(text)
    found: list[Deadline] = []
    taken: list[tuple[int, int]] = []
    for rule in DEADLINE_RULES:
        for m in rule.pattern.finditer(folded):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append(Deadline(m.start(), m.end(), text[m.start() : m.end()], _iso(rule.when, m, year)))
    return sorted(found)


def _iso(when: str, m: re.Match, year: int | None) -> str:
    groups = m.groupdict()
    y = int(groups["y"]) if groups.get("y") else year
    if y is None or when == "recurring":
        return ""
    if when == "year_end":
        return f"{y:04d}-12-31"
    if when == "half":
        return f"{y:04d}-06-30" if groups["h"] == "上" else f"{y:04d}-12-31"
    if when == "quarter":
        month = 3 * _cn_or_int(groups["q"])
        return f"{y:04d}-{month:02d}-{calendar.monthrange(y, month)[1]:02d}"
    month = _cn_or_int(groups["m"])
    if not 1 <= month <= 12:
        return ""
    day = int(groups["d"]) if when == "date" else calendar.monthrange(y, month)[1]
    if day > calendar.monthrange(y, month)[1]:
        return ""
    return f"{y:04d}-{month:02d}-{day:02d}"


# ---------------------------------------------------------------------------------------------
# words around a figure

# Where a document says who does it.
RESPONSIBLE_LABEL = re.compile(r"(?:责任单位|牵头单位|责任部门|牵头部门|配合单位|实施单位)\s*[：:]")
# 市住房和城乡建设局牵头制定…, 由市城管局牵头…, 市交通局负责编制…: who does it, said unbracketed
# at the start of a sentence (a unit is a named body: …局, …委, …办, …政府, …集团)
_UNIT = (
    r"(?:市|区|县|省|各区|各县|各市|各街道)[\u4e00-\u9fff（）()]{0,18}?"
    r"(?:局|委员会|委|办公室|办|政府|集团|公司|中心|部门)"
)
# 各区于2024年7月底前报送…: the places a sentence starts with as the ones who do it
LEAD_PLACES = re.compile(
    r"(?P<units>各区（园区）|各县（市、区）|各县（市）区|各区|各县|各镇|各街道|各街镇)(?=于|要|应|在|须|负责)"
)
LEAD_UNITS = re.compile(rf"由?(?P<units>{_UNIT}(?:[、和]{_UNIT})*)(?:牵头|负责|会同)")
RESPONSIBLE_INLINE = re.compile(r"[（(]([^（）()。]{2,80}?(?:牵头|负责|配合)[^（）()。]{0,40})[）)]")
# Table columns, by header words.
RESPONSIBLE_COLUMN = re.compile(r"牵头|责任|负责|配合")
DEADLINE_COLUMN = re.compile(r"时限|完成时间|时间节点|期限|截止")
SCORE_COLUMN = re.compile(r"分值|分数|满分|权重|标准分")
VALUE_COLUMN = re.compile(r"目标|指标值|数值|预期|值$")
BASELINE_COLUMN = re.compile(r"基期|现状|基数|基准|上年|实际")  # what was, not what is to be
NAME_COLUMN = re.compile(r"任务|事项|项目|内容|指标|名称|类别|工作")
NUMBER_COLUMN = re.compile(r"^(?:序号|编号|序|No\.?)$", re.I)

# Where a target is set (longest first); stated at the start or the end of the words before it.
SCOPES = (
    "各区（园区）",
    "各市（县）区",
    "各市(县)区",
    "中心城区",
    "主城区",
    "郊园区",
    "各区镇",
    "各街道",
    "各街镇",
    "城区",
    "郊区",
    "市区",
    "全市",
    "全区",
    "全县",
    "各区",
    "各镇",
    "农村",
    "城乡",
    "市级",
    "区级",
)
# 雨花台区、栖霞区、溧水区各…: the places a figure is set for each of
PLACE_LIST = re.compile(
    r"^((?:[\u4e00-\u9fff]{2,8}(?:区|县|市|镇|街道)、)+[\u4e00-\u9fff]{2,8}(?:区|县|市|镇|街道))各"
)
# A place: 临波区, 江宁区 — not 小区, 社区, 景区, 片区 … which are things counted.
PLACE_NAME = re.compile(r"[\u4e00-\u9fff]{1,8}(?:(?<![小社景片街校厂库园商住营])区|县|市|镇|街道)")
SCOPE_RE = re.compile("(?:" + "|".join(re.escape(s) for s in SCOPES) + r")(?:范围内|范围)?")
# Words around a subject that say what is done to it, not what it is (longest first). 新建,
# 新增 and 新改建 stay: they are part of the thing counted (新改建公厕).
LEADING_VERBS = re.compile(
    r"^(?:(?:继续|持续|全面|加快|积极|大力|努力|进一步|深入|切实|稳步|有序|高标准|高质量|高水平|"
    r"(?:19|20)\d{2}年|汛期前|汛前|年度|全年|年内|今年|每年(?!度)|三年|五年|其中|同时|并|要|将|均|累计|总计|力争|确保|"
    r"实现|完成|推进|推动|强化|针对|"
    r"开展|实施|建设|建成(?!区(?!级))|打造|创建|遴选|守住|守牢|以|在(?!建)|对|使|让|把|通过|做好|抓好)\s*)+"
)
TRAILING_VERBS = re.compile(
    r"(?:不低于|不少于|不超过|不高于|不大于|不小于|至少|最多|超过|达到|控制在|稳定在|提高到|提升至|"
    r"提升到|降至|实现|完成|要|均|各|分别|累计|共|约|达|为|的|全年|年内|年度|两个|三个|原则上|低于|高于|不满|不足|"
    r"未达到|未|扩大至|扩大到|增加到|增至|减少到|减至|提高至)+$"
)
# Where a subject written after its figure stops (the verb of what is done with it).
AFTER_SUBJECT_STOP = re.compile(r"进行|纳入|并入|加入|开展|实施|中选取|向社会|和|及|，|。|；")
# A count of these is how a document is organised (3个环节, 1个岗位), not a target.
ABSTRACT_NOUNS = re.compile(
    r"^[“\"]?(?:环节|方面|领域|岗位|机制|体系|理念|关键|转变|重点|保障|阶段|层次|维度|步骤)"
)
# Words saying a figure is already done (已建成, 完成了), not a commitment.
PAST = re.compile(r"已经|已(?!有|知)|(?<![为除])了(?!解)|截至")
QUOTES = "“”\"'‘’「」《》"
# An item or article marker: （一） 1． 一、 一是 第十条
ITEM_MARKER = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]|[一二三四五六七八九十]+[、是]|第[一二三四五六七八九十百\d]+条)\s*"
)
KEPT_VERBS = "消除|拆除|清理|取缔|淘汰|关停|整治|改造|新建|新增|新改建"
KEPT_VERB = re.compile(rf"({KEPT_VERBS})(?:全部|现状|现有)*$")
# 2026年底前消除30处，2027年底前全部消除: a clause that is only a kept verb names no thing of its own
VERB_ONLY = re.compile(rf"^(?:全部|全面|基本|累计|再)?(?:{KEPT_VERBS})$")
# 易涝积水点实行“一点一策”整治 -> 易涝积水点: where the thing counted ends and what is done to it starts
THING_END = re.compile(r"实行|实施|开展|进行|推行|落实")
# 按照步行10分钟可达的标准布局公厕: a figure that sets the standard something is done by
BY_STANDARD = re.compile(r"^\s*(?:按照|按|依照|参照)")
STANDARD_AFTER = re.compile(r"^([\u4e00-\u9fff]{0,6}?)的?(?:标准|要求)([\u4e00-\u9fff]{2,16})$")
# A qualifier inside the words before a figure: 播放公益广告的时间不得少于播放总时长的 -> the thing
# is what stands before it.
INNER_QUALIFIER = re.compile(r"不得少于|不得低于|不得超过|不少于|不低于|不超过|不高于")
BARE_DEADLINE = re.compile(r"(?:全部|全面)?(?:完成|到位|建成|实现)?\s*(?:[。；;]|$)")
PROHIBITION = re.compile(r"不得(?!低于|少于|超过|高于)")
# Bare verbs that name no thing (其中新建16座、改建20座): the thing is the first figure's
SUBSET = re.compile(r"其中|内含|含")
BARE_VERB = re.compile(r"^(?:新改建|新建|改建|新增|改造|提升)$")
# 每项加2分, 每处扣1分: a score per case; the case is the clause before
PER_CASE = re.compile(r"^每[\u4e00-\u9fff]{0,3}[加扣]$|^[加扣]$")
SANCTION = re.compile(r"罚款|罚金|扣减|扣除|扣发|核减")
NOT_A_COMMITMENT = re.compile(r"是指|所称")
FORMULA = re.compile(r"[＝=]")
# Headings of a plan's look back (十三五主要成就, 工作回顾, 出台背景): their figures describe what
# was or is, not what is to be.
PAST_SECTION = re.compile(r"成就|回顾|成效|进展情况|工作基础|发展基础|基本情况|出台背景|发展现状|现状分析")
COMPARED = re.compile(r"^(?:较|比|同比|环比)")
CHANGED_TO = re.compile(r"(?:扩大|提高|增加|减少|降低|提升|调整|压减)(?:至|到)")
PER_STEP = re.compile(r"每(?:低|高|少|多|超|超过|增加|减少|下降|上升)$")
RULE_REFERENCE = re.compile(r"内?按照[^，。；]{0,12}?规定")
