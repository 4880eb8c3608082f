"""Structure of a Chinese official document: its heading tree (with offsets) and its metadata.

`parse(raw)` reads the layout that 党政机关公文 share, not any one file's words:

* front matter, before the first body heading: the 文件头 line (`…文件`) with the 文号, or a web
  page's title with its 信息索引号/发布机构 list (header); a forwarding/issuing notice (its title,
  主送 line, body, 落款 issuer and date, `（此件公开发布）`); the document's own title with what
  stands under it (date or author line, preamble);
* the body: headings `第一章`/`第一节`/`第一条`, `一、`, `（一）`, `1．`, `（1）`, `①`, each nested
  below the kinds ranked above it, and run-in ordinals `一是…。二是…。` found inside a section's
  own text; a heading on a line with body text (`（一）加强组织领导。市城管局要…`) ends at the first
  sentence end, and never runs past ~40 characters;
* articles of a regulation (`第十五条　违反…`): the heading is the article number, the text its body,
  and the numbered items inside an article (`（一）…`) stay in it (an article is a leaf);
* Markdown headings (`#`…`######`), ranked by level above every numbered kind; `问：…` lines
  answered by `答：…` lines (a Q&A heading); tab-separated rows (a table pasted from Word, or an
  HTML/Word table as the loader renders it) as a `table` section of the section it stands in;
* 附件 (attachments), whose title may head a table flattened one cell per line;
* the 版记 footer (抄送/主送/印发 lines, `…印发` date line).

Every heading is kept verbatim (a title split over lines is joined without the line breaks).
Offsets are character offsets into `raw.text`; line ends may be `\\n` or `\\r\\n`, blank lines
and leading spaces do not matter, and full-width or half-width punctuation give the same tree.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from policyqa.errors import DocumentError
from policyqa.records import Document, DocumentMeta, RawDocument, Section

# Whitespace that may pad a line in copies of these documents (incl. ideographic space, BOM).
_WS = " \t\r\n\u3000\xa0\ufeff\u200b\u2002\u2003\u2009\x0b\x0c"
_CN = "一二三四五六七八九十百零〇两"
_CJK = "\u4e00-\u9fff"

_ARTICLE_RANK = 12  # 第X条: a leaf; numbered items inside it are its text
# Body heading kinds, highest first; a heading nests below the open headings ranked above it.
_HEADINGS = (
    ("chapter", 10, re.compile(rf"第[ \u3000]*[{_CN}\d]+[ \u3000]*章")),
    ("part", 11, re.compile(rf"第[ \u3000]*[{_CN}\d]+[ \u3000]*节")),
    ("article", _ARTICLE_RANK, re.compile(rf"第[{_CN}\d]+条(?![{_CN}\d])")),
    ("cn", 13, re.compile(rf"[{_CN}]+\s*[、.．,，]")),
    ("paren_cn", 14, re.compile(rf"[（(]\s*[{_CN}]+\s*[)）]")),
    ("num", 15, re.compile(r"\d{1,3}\s*[.．、,，](?!\d)")),
    ("paren_num", 16, re.compile(r"[（(]\s*\d{1,3}\s*[)）]")),
    ("circled", 17, re.compile(r"[①-⑳]")),
)
_RUNIN_RANK = 18  # 一是/二是: below whatever section they stand in
_QA_RANK = 19  # a `问：` line answered by `答：` lines: below whatever section it stands in
_MAX_HEADING = 50  # a run-in heading longer than this is cut …
_CUT_HEADING = 40  # … at its first sentence end, or else after this many characters
_TABLE_RANK = 50  # a table under a title line sits in whatever section it stands in
_TABLE_CAPTION = re.compile(rf"附?表\s*[\d{_CN}]+(?:[-—.．]\d+)?[ \u3000:：]")
# A box (`专栏2　环卫设施补短板工程`) inside a section of a plan, with its numbered items
# (`01　…：`, `1．…`): below whatever section it stands in, and it holds its items.
_BOX_RANK = 45
_BOX = re.compile(rf"专栏\s*[\d{_CN}]+")
_BOX_ITEM = re.compile(r"\d{1,2}[ \u3000]+\S|\d{1,2}\s*[.．、](?!\d)|[①-⑳]")
_RUNIN = re.compile(r"([一二三四五六七八九十]{1,3})是")
_RUNIN_BEFORE = "。；;！？!?：:.\r\n"  # what may stand right before a run-in ordinal

# A sentence ends at 。！？ (or a half-width stop not followed by a digit, for rewritten copies).
_SENT_END = re.compile(r"[。！？!?]|\.(?!\d)")
_NEWLINE = re.compile(r"[\r\n]")
_PUNCT = re.compile(r"[。；;：:，,！？!?]")

_TITLE_END = re.compile(
    r"(?:通知|通告|通报|公告|意见|要点|计划|方案|办法|条例|规定|细则|决定|决议|规划|报告|纲要|指引|指南"
    r"|标准|规则|制度|措施|批复|函|安排|清单)"
    r"(?:\s*[（(][^（()）]{1,20}[)）])?》?$"
)
_KINDS = (
    ("实施意见", "意见"),
    ("意见", "意见"),
    ("要点", "要点"),
    ("计划", "计划"),
    ("方案", "方案"),
    ("办法", "办法"),
    ("条例", "条例"),
    ("细则", "细则"),
    ("规定", "规定"),
    ("决定", "决定"),
    ("规划", "规划"),
    ("纲要", "纲要"),
    ("指引", "指引"),
    ("指南", "指南"),
    ("报告", "报告"),
    ("通告", "通告"),
    ("通报", "通报"),
    ("公告", "公告"),
    ("批复", "批复"),
    ("通知", "通知"),
)
_DOC_NUMBER = re.compile(
    rf"[{_CJK}]{{1,12}}\s*[〔\[［【(（]\s*(?:19|20|１９|２０)\d{{2}}\s*[〕\]］】)）]\s*\d{{1,4}}\s*号"
)
_DATE = re.compile(r"((?:19|20|１９|２０)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_DATE = re.compile(
    r"([〇零一二三四五六七八九○Ｏ]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)
_ISO_DATE = re.compile(r"((?:19|20|１９|２０)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_YEAR_RANGE = re.compile(r"((?:19|20|１９|２０)\d{2})\s*年?\s*[—–\-－~～至到]+\s*((?:19|20|１９|２０)\d{2})")
_FOOTER = re.compile(r"(?:抄\s*送|主\s*送|抄\s*报|分\s*送|发\s*送|印\s*发|抄\s*发|发)\s*[：:]")
_PRINTED = re.compile(r"(?:19|20|１９|２０)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印\s*发$")
_ATTACH_NOTE = re.compile(rf"附\s*([件表])\s*([\d{_CN}]*)\s*[：:]")
_ATTACH_LABEL = re.compile(rf"附\s*([件表])\s*([\d{_CN}]*)$")
# key:value lines of a web page's information list (发布时间:2025-02-25 …)
_META_KV = re.compile(rf"([{_CJK}]{{2,6}})\s*[:：]\s*(\S.*)")
_META_KEYS = frozenset(
    "信息索引号 索引号 发文日期 成文日期 公开日期 发布日期 发布时间 文件编号 发文字号 文号 发布机构 发文机关 "
    "发文机构 公开时限 公开形式 公开方式 公开范围 有效期 公开程序 主题 主题分类 体裁 关键词 文件下载 "
    "内容概述 标题 名称 来源 生效日期 废止日期 有效性".split()
)
# X市 / X区 that are ordinary words, not place names.
_NOT_PLACE_END = set("全我本各该省县区镇乡村超集都门夜股上下同城和与及在的对到为是等")
_CITIES_ENDING_IN_CHENG = ("盐城", "聊城", "晋城", "运城", "白城", "宜城", "邹城", "诸城", "韩城", "龙城")


# ---------------------------------------------------------------------------------------------
# lines


@dataclass(frozen=True)
class _Line:
    start: int  # offset of the first non-space character
    end: int  # offset after the last non-space character
    text: str  # the stripped line
    gap_before: bool = False  # a blank (or whitespace-only) line stands before it
    md: int = 0  # Markdown heading level (1 for `#` … 6 for `######`), 0 for other lines


# Markdown markup around a line (`## 一、指导思想`, `**（一）加强组织领导**`) is layout, not text.
_MD_HEADING = re.compile(r"(#{1,6})[ \t\u3000]+(?=\S)")
_MD_CLOSING = re.compile(r"[ \t\u3000]+#+$")  # `## 标题 ##`


def _without_markup(line: str) -> tuple[int, str, int]:
    """(characters of markup before the text, the text, Markdown heading level) of a stripped line."""
    heading = _MD_HEADING.match(line)
    if heading:
        lead, inner = heading.end(), _MD_CLOSING.sub("", line[heading.end() :])
        if len(inner) > 4 and inner.startswith("**") and inner.endswith("**"):
            lead, inner = lead + 2, inner[2:-2]
        return lead + len(inner) - len(inner.lstrip(_WS)), inner.strip(_WS), len(heading.group(1))
    if len(line) > 4 and line.startswith("**") and line.endswith("**"):
        inner = line[2:-2]
        return 2 + len(inner) - len(inner.lstrip(_WS)), inner.strip(_WS), 0
    return 0, line, 0


def _lines(text: str) -> list[_Line]:
    out = []
    previous = 0
    for m in re.finditer(r"[^\r\n]+", text):  # \n, \r\n and old \r line ends alike
        piece = m.group(0)
        markup, stripped, md = _without_markup(piece.strip(_WS))
        lead = len(piece) - len(piece.lstrip(_WS)) + markup
        if stripped:
            start = m.start() + lead
            between = text[previous:start].replace("\r\n", "\n")
            gap = bool(out) and between.count("\n") + between.count("\r") >= 2
            out.append(_Line(start, start + len(stripped), stripped, gap, md))
            previous = start + len(stripped)
    return out


def _halfwidth(s: str) -> str:
    return "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in s)


# ---------------------------------------------------------------------------------------------
# tree nodes while parsing (frozen into Section at the end)


@dataclass
class _Node:
    heading: str
    kind: str
    rank: int
    start: int
    body_start: int
    end: int
    children: list[_Node] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)  # front matter lines, kept for metadata
    leaf: bool = False  # an article: the numbered items in it are its text, not sections


def _heading_match(s: str) -> tuple[int, int] | None:
    """(rank, marker length) when the line starts with a body heading marker."""
    for _name, rank, pattern in _HEADINGS:
        m = pattern.match(s)
        if m:
            return rank, m.end()
    return None


def _heading_text(s: str, marker_end: int) -> tuple[str, int]:
    """Heading of a line (or run-in segment): up to the first sentence end after the marker.

    Returns the heading and where the body starts (after the sentence end, if there was one).
    A heading never runs past ~50 characters: with no sentence end that soon it ends at the last
    clause mark (，；：) before character 40, or else at character 40."""
    m = _SENT_END.search(s, marker_end)
    if m and m.start() <= _MAX_HEADING:
        return s[: m.start()].rstrip(_WS), m.end()
    if not m and len(s.rstrip(_WS + "：:；;，,")) <= _MAX_HEADING:
        # `（一）主要任务：` / `（一）市容管理；`: the colon or semicolon is not part of the heading
        return s.rstrip(_WS + "：:；;，,"), len(s)
    clauses = [c.start() for c in _CLAUSE_MARK.finditer(s, marker_end + 2, _CUT_HEADING + 1)]
    cut = clauses[-1] if clauses else _CUT_HEADING
    body = cut + 1 if clauses else cut
    return s[:cut].rstrip(_WS), body


_CLAUSE_MARK = re.compile(r"[，,；;：:]")
_QUESTION = re.compile(r"问\s*[：:]")
_ANSWER = re.compile(r"答\s*[：:]")


def _question_heading(s: str) -> tuple[str, int]:
    """Heading of a `问：…？` line: the question through its question mark (capped like any heading)."""
    m = re.search(r"[？?]", s)
    if m and m.end() <= _MAX_HEADING:
        return s[: m.end()], m.end()
    return _heading_text(s, 2)


def _article_heading(s: str, marker_end: int) -> tuple[str, int]:
    """An article's heading is its number (`第十五条`); its text, after the number, is its body."""
    body = marker_end
    while body < len(s) and s[body] in _WS:
        body += 1
    return s[:marker_end], body


# ---------------------------------------------------------------------------------------------
# tables pasted as tab-separated rows (Word, or a web/Word table as the loader renders it)


_MD_RULE = re.compile(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?")  # `| --- | ---: |`


def _cells(line: _Line) -> list[tuple[int, int, str]]:
    """(start, end, text) of each cell of a tab-separated row or a Markdown row (`| a | b |`);
    an empty cell has empty text."""
    t = line.text
    if t.startswith("|"):
        a, b, sep = 1, len(t) - 1 if len(t) > 1 and t.endswith("|") else len(t), "|"
    else:
        a, b, sep = 0, len(t), "\t"
    out, pos = [], line.start + a
    for part in t[a:b].split(sep):
        lead = len(part) - len(part.lstrip(_WS))
        text = part.strip(_WS)
        out.append((pos + lead, pos + lead + len(text), text))
        pos += len(part) + 1
    return out


def _tab_block(lines: list[_Line], i: int) -> int:
    """End (exclusive) of the table whose header row is line i, or i if none.

    A Markdown table is its header row, the `|---|` rule and the `|` rows after it. Tab-separated:
    the header has n ≥ 2 cells; each following row has at most n (a row with fewer is missing its
    leading, merged cells), at least one has exactly n, and there are ≥ 2 rows in all."""
    if i >= len(lines):
        return i
    if lines[i].text.startswith("|"):
        if i + 1 >= len(lines) or not _MD_RULE.fullmatch(lines[i + 1].text) or len(_cells(lines[i])) < 2:
            return i
        j = i + 2
        while j < len(lines) and lines[j].text.startswith("|") and not _MD_RULE.fullmatch(lines[j].text):
            j += 1
        return j if j > i + 2 else i
    if "\t" not in lines[i].text:
        return i
    n = len(_cells(lines[i]))
    if sum(1 for c in _cells(lines[i]) if c[2]) < 2:
        return i
    j, full = i + 1, 0
    while j < len(lines) and "\t" in lines[j].text and 2 <= len(_cells(lines[j])) <= n:
        full += len(_cells(lines[j])) == n
        j += 1
    return j if full else i


def _tab_rows(lines: list[_Line]) -> list[TableRow]:
    """Rows of a tab-separated table (header first). Leading cells a row lacks or leaves empty
    were merged with the row above in the source table: they repeat that row's cells."""
    end = _tab_block(lines, 0)
    if end == 0:
        return []
    first = _cells(lines[0])
    header = tuple(c for c in first if c[2])
    above: list[tuple[int, int, str] | None] = [None] * len(first)
    rows = []
    for line in lines[1:end]:
        if _MD_RULE.fullmatch(line.text):
            continue
        cells: list[tuple[int, int, str] | None] = _cells(line)
        cells = [None] * max(0, len(first) - len(cells)) + cells
        above.extend([None] * (len(cells) - len(above)))
        row, leading = [], True
        for k, c in enumerate(cells):
            if c is not None and c[2]:
                leading = False
                above[k] = c
                row.append(c)
            elif leading and above[k] is not None:
                row.append(above[k])
        rows.append(TableRow(header, tuple(row)))
    return rows


# ---------------------------------------------------------------------------------------------
# front matter


def _is_file_head(s: str) -> bool:
    return len(s) <= 40 and s.endswith("文件") and not _PUNCT.search(s)


def _is_doc_number(s: str) -> bool:
    m = _DOC_NUMBER.search(s)
    return bool(m) and len(s) - len(m.group(0)) <= 12


def _date_of(s: str) -> str:
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
        mo, d = _cn_number(m.group(2)), _cn_number(m.group(3))
        if len(year) == 4 and 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{year}-{mo:02d}-{d:02d}"
    m = _ISO_DATE.search(s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    return ""


def _cn_number(s: str) -> int:
    values = {c: i for i, c in enumerate("零一二三四五六七八九")}
    values["〇"] = 0
    values["两"] = 2
    if "百" in s:
        hundreds, _, rest = s.partition("百")
        return (values.get(hundreds, 1) if hundreds else 1) * 100 + (_cn_number(rest) if rest else 0)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (values.get(tens, 1) if tens else 1) * 10 + (values.get(ones, 0) if ones else 0)
    return values.get(s, 0)


def _is_date_line(s: str) -> bool:
    """A line that is only a date, maybe in brackets: `2023年1月21日`, `（2019年12月13日）`."""
    core = s.strip("（）()[]【】 \u3000")
    m = _DATE.fullmatch(core) or _CN_DATE.fullmatch(core)
    return bool(m)


def _is_parenthetical(s: str) -> bool:
    return s[:1] in "（(" and s[-1:] in "）)"


def _is_meta_line(s: str) -> bool:
    """A line of a web page's information list (`- 发布机构`, `发布时间:2025-02-25 …`)."""
    if s[:1] in "-•·*" and len(s) > 1:
        return True
    m = _META_KV.match(s)
    return bool(m) and m.group(1) in _META_KEYS


def _is_title_line(s: str) -> bool:
    """A line that may be (part of) a title: short, no sentence punctuation, not a date or 文号."""
    if len(s) > 60 or _PUNCT.search(_strip_parens(s)):
        return False
    if _is_date_line(s) or _is_doc_number(s) or _is_meta_line(s) or _is_file_head(s):
        return False
    if _ATTACH_LABEL.match(s) or _ATTACH_NOTE.match(s):
        return False
    # `（市城市管理局  2023年1月）` is an author line; `（2021—2023年）` continues a title
    return not (_heading_match(s) or (_is_parenthetical(s) and not _YEAR_RANGE.search(s)))


def _strip_parens(s: str) -> str:
    return re.sub(r"[（(][^（()）]*[)）]", "", s)


def _title_group(lines: list[_Line], i: int) -> tuple[int, int] | None:
    """Lines [a, b) from i on that form one title (its last line ends like a title), else None."""
    if not _is_title_line(lines[i].text):
        return None
    j = i
    while j < len(lines) and j < i + 4 and _is_title_line(lines[j].text):
        if _TITLE_END.search(lines[j].text):
            break
        j += 1
    else:
        return None
    if j >= len(lines) or not _TITLE_END.search(lines[j].text):
        return None
    # A line starting with 关于 begins a title: what stands before it is page furniture.
    a = i
    for k in range(i + 1, j + 1):
        if lines[k].text.startswith("关于"):
            a = k
    b = j + 1
    # `…三年行动计划` + `（2021—2023年）的通知`: keep extending while the title still ends well.
    while b < len(lines) and b < a + 4 and _is_title_line(lines[b].text) and _TITLE_END.search(lines[b].text):
        if not _continues_title(lines[b].text):
            break
        b += 1
    return a, b


def _continues_title(s: str) -> bool:
    # A follow-on line continues a title when it does not read as a title of its own.
    return s.startswith(("（", "(", "的", "和", "与", "及")) or len(s) <= 6


# ---------------------------------------------------------------------------------------------
# tables flattened one cell per line


@dataclass(frozen=True)
class TableRow:
    """One rebuilt table row: the header cells and the row's cells (number, group cells, row cells)."""

    header: tuple[tuple[int, int, str], ...]  # (start, end, text) of each header cell
    cells: tuple[tuple[int, int, str], ...]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(c[2] for c in self.cells)


def _int_cell(s: str) -> int | None:
    s = _halfwidth(s).strip(".、")
    return int(s) if s.isdigit() and len(s) <= 3 else None


def _parse_table(cells: list[_Line]) -> list[TableRow]:
    """Rows of a table given its cells in reading order (header first), [] if it is no table.

    Shape, not words: the header is a run of short label cells, ended by the first number cell
    `1` (a numbered table) or else by the first blank line. In a numbered table a cell holding the
    next number opens the next group; a group holds g group-level cells (written once, on its
    first row, empty cells below them) and then rows of r cells, where r is the number of header
    labels after the number column and g the smallest count that fits every group. An unnumbered
    table is rows of as many cells as the header has.
    """
    labels = 0
    while labels < len(cells) and _is_label_cell(cells[labels].text):
        labels += 1
    numbered = labels < len(cells) and _int_cell(cells[labels].text) == 1
    if numbered:
        h = labels
    else:
        h = next((k for k in range(2, labels + 1) if k < len(cells) and cells[k].gap_before), 0)
    data = cells[h:]
    if h < 2 or not data:
        return []
    head = tuple((c.start, c.end, c.text) for c in cells[:h])
    rows: list[tuple[_Line, ...]] = []
    if numbered:
        groups: list[list[_Line]] = []
        expected = 1
        for c in data:
            if _int_cell(c.text) == expected:
                groups.append([c])
                expected += 1
            else:
                groups[-1].append(c)
        sizes = [len(group) - 1 for group in groups]
        r = h - 1
        g = next((g for g in range(max(sizes) + 1) if all(k > g and (k - g) % r == 0 for k in sizes)), None)
        for group in groups:
            number, rest = group[0], group[1:]
            if g is None:  # no regular shape: keep the whole group as one row
                rows.append((number, *rest))
                continue
            for k in range(g, len(rest), r):
                rows.append((number, *rest[:g], *rest[k : k + r]))
    else:
        if len(data) < h:
            return []
        rows = [tuple(data[k : k + h]) for k in range(0, len(data) - len(data) % h, h)]
    return [TableRow(head, tuple((c.start, c.end, c.text) for c in row)) for row in rows]


def _is_label_cell(s: str) -> bool:
    return len(s) <= 10 and _int_cell(s) is None and not _PUNCT.search(s)


def _is_table_title(s: str) -> bool:
    """A line that names the table under it: `…任务清单` / `…一览表`, or a numbered caption
    (`表1　…主要指标`, `附表2 …`) whatever its last word."""
    if len(s) > 60 or _PUNCT.search(s):
        return False
    return s.endswith(("表", "清单", "名单", "一览")) or bool(_TABLE_CAPTION.match(s))


def _box_item_heading(s: str) -> tuple[str, int]:
    """Heading of a box item (`01　餐厨垃圾处理厂：建设…`): its name up to an early colon."""
    colon = re.search(r"[：:]", s)
    if colon and colon.start() <= 20:
        return s[: colon.start()].rstrip(_WS), colon.end()
    return _heading_text(s, 0)


def _table_extent(lines: list[_Line], i: int, stop: int) -> int:
    """End (exclusive) of the cell lines from i: up to a date line, a paragraph, or `stop`."""
    k = i
    while (
        k < stop
        and not _is_date_line(lines[k].text)
        and not (len(lines[k].text) > 80 and "。" in lines[k].text)
    ):
        k += 1
    return k


def table_rows(doc: Document, section: Section) -> list[TableRow]:
    """The rebuilt rows of a `table` section: its tab-separated rows, or else its cells, one
    non-empty line each, after its title."""
    if section.kind != "table":
        return []
    cells = [
        _Line(line.start + section.body_start, line.end + section.body_start, line.text, line.gap_before)
        for line in _lines(doc.text[section.body_start : section.end])
    ]
    return _tab_rows(cells) or _parse_table(cells)


# ---------------------------------------------------------------------------------------------
# the parser


class _Parser:
    def __init__(self, raw: RawDocument):
        self.raw = raw
        self.text = raw.text
        self.lines = _lines(raw.text)
        self.roots: list[_Node] = []
        self.stack: list[_Node] = []
        self.header: _Node | None = None
        self.notice: _Node | None = None
        self.preamble: _Node | None = None
        self.footer: _Node | None = None
        self.notice_issuer = ""
        self.notice_date = ""
        self.body_dates: list[str] = []
        self.md_title = self._markdown_title()

    def _markdown_title(self) -> int:
        """Index of the Markdown heading that is the document's title, or -1.

        It is the first Markdown heading when no other stands above it, it has no heading marker,
        and it is the only one at its level or ends like a title (`…实施办法`)."""
        md = [k for k, x in enumerate(self.lines) if x.md]
        if not md:
            return -1
        first = self.lines[md[0]]
        top = min(self.lines[k].md for k in md)
        alone = sum(1 for k in md if self.lines[k].md == top) == 1
        if first.md == top and not _heading_match(first.text) and (alone or _TITLE_END.search(first.text)):
            return md[0]
        return -1

    def _is_question(self, i: int) -> bool:
        """A `问：…` line answered by the `答：…` line after it."""
        lines = self.lines
        return bool(
            _QUESTION.match(lines[i].text) and i + 1 < len(lines) and _ANSWER.match(lines[i + 1].text)
        )

    def _starts_body(self, i: int) -> bool:
        """Line i is a body heading: a numbered one, a Markdown one (not the title), a question."""
        line = self.lines[i]
        return bool(_heading_match(line.text) or (line.md and i != self.md_title) or self._is_question(i))

    # -- building helpers
    def _open_root(self, node: _Node) -> _Node:
        self.roots.append(node)
        self.stack = [node]
        return node

    def _push(self, node: _Node) -> None:
        while self.stack and self.stack[-1].rank >= node.rank:
            self.stack.pop()
        (self.stack[-1].children if self.stack else self.roots).append(node)
        self.stack.append(node)

    def _absorb(self, line: _Line) -> None:
        if not self.stack:  # text before any title: it still needs a section
            head, _ = _heading_text(line.text[:40], 0)
            self._open_root(_Node(head, "preamble", 0, line.start, line.start, line.end))
            self.preamble = self.preamble or self.stack[-1]
        node = self.stack[-1]
        node.end = max(node.end, line.end)
        node.lines.append(line)

    # -- front matter
    def front(self) -> int:
        """Parse the lines before the first body heading; returns the index of that heading."""
        lines, i = self.lines, 0
        notice_open = False  # inside a notice, until its 落款 date
        while i < len(lines):
            line = lines[i]
            s = line.text
            # The front matter ends at the first body heading or 版记 line; a 附件 label or 附件说明
            # here belongs to the issuing notice (its attachment is the document that follows).
            in_preamble = self.stack and self.stack[0] is self.preamble
            if in_preamble and _tab_block(lines, i) > i:  # a table under the title, before any heading
                i = self._tab_table(None, i)
                continue
            if self._starts_body(i) or _PRINTED.search(s) or (_FOOTER.match(s) and not s.startswith("主")):
                return i
            if notice_open:
                self._absorb(line)
                if _is_date_line(s):
                    notice_open = False
                    self.notice_date = self.notice_date or _date_of(s)
                    self.notice_issuer = self._issuer_before(i)
                    # `（此件公开发布）` and the like close the notice.
                    if (
                        i + 1 < len(lines)
                        and _is_parenthetical(lines[i + 1].text)
                        and "此件" in lines[i + 1].text
                    ):
                        i += 1
                        self._absorb(lines[i])
                i += 1
                continue
            if _is_file_head(s) and self.header is None:
                self.header = self._open_root(_Node(s, "header", 0, line.start, line.end, line.end))
                i += 1
                continue
            # Under the document's own title everything up to the first heading is its preamble.
            group = None if in_preamble else _title_group(lines, i)
            if i == self.md_title:  # `# 标题`: that line, whatever its words
                group = (i, i + 1)
            if group is not None:
                a, b = group
                for k in range(i, a):  # page furniture before the title
                    self._absorb(lines[k])
                first, last = lines[a], lines[b - 1]
                title = "".join(x.text for x in lines[a:b])
                node = _Node(title, "preamble", 0, first.start, last.end, last.end)
                node.lines.extend(lines[a:b])
                nxt = lines[b].text if b < len(lines) else ""
                if _is_meta_line(nxt) and self.header is None:
                    node.kind = "header"  # a web page's title over its information list
                    self.header = node
                elif re.search(r"(?:通知|通告|通报|函|批复)$", _strip_parens(title)) and self.notice is None:
                    node.kind = "notice"
                    self.notice = node
                    notice_open = True
                else:
                    self.preamble = self.preamble or node
                self._open_root(node)
                i = b
                continue
            self._absorb(line)
            i += 1
        return i

    def _issuer_before(self, i: int) -> str:
        """The 落款 issuer: the short line just above the date line, if it reads like a name."""
        if i == 0:
            return ""
        s = self.lines[i - 1].text
        if len(s) <= 30 and not _PUNCT.search(s) and not _is_date_line(s):
            return s
        return ""

    # -- body, attachments, footer
    def _starts_back_matter(self, s: str) -> bool:
        return bool(_FOOTER.match(s) or _PRINTED.search(s) or _ATTACH_NOTE.match(s) or _ATTACH_LABEL.match(s))

    def body(self, i: int) -> None:
        lines = self.lines
        self.stack = []
        mode = "body"
        while i < len(lines):
            line = lines[i]
            s = line.text
            if mode != "footer" and (_FOOTER.match(s) or _PRINTED.search(s)):
                self.footer = self._open_root(_Node("版记", "footer", 0, line.start, line.start, line.end))
                self._absorb(line)
                mode = "footer"
                i += 1
                continue
            label = _ATTACH_LABEL.match(s)
            if label:
                current = self.stack[0] if self.stack else None
                heading = "附" + label.group(1) + label.group(2)
                if not (
                    current
                    and current.kind == "attachment"
                    and not current.children
                    and current.heading == heading
                ):
                    self._open_root(_Node(heading, "attachment", 0, line.start, line.end, line.end))
                else:
                    current.end = line.end
                    self.stack = [current]
                i = self._attachment(i + 1)
                mode = "body"
                continue
            if mode == "body" and _ATTACH_NOTE.match(s):
                # 附件说明 (`附件：…表`): opens the 附件 section; numbered names under it are not headings.
                note = _ATTACH_NOTE.match(s)
                heading = "附" + note.group(1) + note.group(2)
                self._open_root(_Node(heading, "attachment", 0, line.start, line.start, line.end))
                self._absorb(line)
                mode = "note"
                i += 1
                continue
            if mode == "note" and (not _heading_match(s) or (len(s) <= 60 and not _PUNCT.search(s))):
                # `2．…清单` names more attachments; a 落款 may follow the 附件说明
                if _is_date_line(s):
                    self.body_dates.append(_date_of(s))
                self._absorb(line)
                i += 1
                continue
            if mode == "footer":
                self._absorb(line)
                i += 1
                continue
            mode = "body"
            if _tab_block(lines, i) > i:
                i = self._tab_table(None, i)
                continue
            if _is_table_title(s) and not _heading_match(s):
                after = self._table(i)
                if after > i:
                    i = after
                    continue
            if self._box_line(line):
                i += 1
                continue
            self._line(i)
            i += 1

    def _box_line(self, line: _Line) -> bool:
        """A box's title line, or an item line inside an open box: pushed as its section."""
        s = line.text
        if _BOX.match(s) and len(s) <= 40 and not _SENT_END.search(s) and not line.md:
            self._push(_Node(s.rstrip(_WS), "body", _BOX_RANK, line.start, line.end, line.end))
            return True
        in_box = any(node.rank == _BOX_RANK for node in self.stack)
        if in_box and _BOX_ITEM.match(s) and not line.md:
            heading, body = _box_item_heading(s)
            self._push(_Node(heading, "body", _BOX_RANK + 1, line.start, line.start + body, line.end))
            return True
        return False

    def _tab_table(self, title: _Line | None, i: int) -> int:
        """The tab-separated table from line i (under its title line, if any) as a `table`
        section of the open section; returns the line after it."""
        end = _tab_block(self.lines, i)
        first, last = self.lines[i], self.lines[end - 1]
        if title is None:  # no title line: the header row names the table
            heading = " ".join(c[2] for c in _cells(first) if c[2])
            heading = heading[:_CUT_HEADING].rstrip(_WS)
            node = _Node(heading, "table", _TABLE_RANK, first.start, first.start, last.end)
        else:
            node = _Node(title.text, "table", _TABLE_RANK, title.start, title.end, last.end)
        self._push(node)
        self.stack.pop()  # what follows the table belongs to the section around it
        return end

    def _table(self, i: int) -> int:
        """A table under the title line i, as a `table` section of the open section; next line."""
        lines = self.lines
        if _tab_block(lines, i + 1) > i + 1:
            return self._tab_table(lines[i], i + 1)
        stop = i + 1
        while stop < len(lines) and not (
            self._starts_back_matter(lines[stop].text) or _heading_match(lines[stop].text)
        ):
            stop += 1
        rows = _parse_table(lines[i + 1 : _table_extent(lines, i + 1, stop)])
        if not rows:
            return i
        last = max(c[1] for row in rows for c in row.cells)
        title = lines[i]
        self._push(_Node(title.text, "table", _TABLE_RANK, title.start, title.end, last))
        self.stack.pop()  # what follows the table belongs to the section around it
        k = i + 1
        while k < len(lines) and lines[k].end <= last:
            k += 1
        return k

    def _line(self, i: int) -> None:
        line = self.lines[i]
        s = line.text
        match = _heading_match(s)
        question = self._is_question(i)
        rank, marker_end = match or (_QA_RANK if question else 0, 0)
        if line.md:
            rank = line.md  # Markdown levels rank above every numbered kind
        top = self.stack[-1] if self.stack else None
        # inside an article, its numbered items (`（一）…`) are its text
        inside_article = top is not None and top.leaf and rank > top.rank and not line.md
        if not rank or inside_article:
            if _is_date_line(s):
                self.body_dates.append(_date_of(s))
            self._absorb(line)
            return
        if self.stack and self.stack[0].kind in ("header", "notice", "preamble", "footer"):
            self.stack = []  # front matter ends at the first body heading
        article = bool(match) and match[0] == _ARTICLE_RANK
        if article:
            heading, body = _article_heading(s, marker_end)
        elif question and not match:
            heading, body = _question_heading(s)
        elif line.md and not match and len(s) <= _MAX_HEADING:
            heading, body = s, len(s)  # `### 问：补贴怎么申请？`: the whole line
        else:
            heading, body = _heading_text(s, marker_end)
        node = _Node(heading, "body", rank, line.start, line.start + body, line.end, leaf=article)
        self._push(node)

    def _attachment(self, i: int) -> int:
        """After an attachment label: its title, then a table or structured text. Returns next line."""
        lines = self.lines
        if i >= len(lines) or self._starts_back_matter(lines[i].text) or _heading_match(lines[i].text):
            return i
        line = lines[i]
        attach = self.stack[0]
        title = _Node(line.text, "attachment", 1, line.start, line.end, line.end)
        attach.children.append(title)
        self.stack = [attach, title]
        i += 1
        end = i
        while end < len(lines) and not self._starts_back_matter(lines[end].text):
            end += 1
        rows = _parse_table(lines[i : _table_extent(lines, i, end)])
        if rows:
            title.kind = "table"
            last = max(c[1] for row in rows for c in row.cells)
            while i < end and lines[i].end <= last:
                title.end = max(title.end, lines[i].end)
                i += 1
        return i

    # -- run-in ordinals (一是…。二是…。) inside each section's own text
    def runins(self, node: _Node) -> None:
        for child in node.children:
            self.runins(child)
        if node.kind in ("header", "notice", "preamble", "footer", "table") or node.leaf:
            return
        region_end = node.children[0].start if node.children else node.end
        found = self._find_runins(node.body_start, region_end)
        if len(found) < 2:
            return
        kids = []
        for k, p in enumerate(found):
            stop = found[k + 1] if k + 1 < len(found) else region_end
            seg_end = p + len(self.text[p:stop].rstrip(_WS))
            m = _SENT_END.search(self.text, p, seg_end)
            newline = _NEWLINE.search(self.text, p, seg_end)
            cut = min(m.start() if m else seg_end, newline.start() if newline else seg_end)
            heading = self.text[p:cut].rstrip(_WS)
            body = m.end() if m and m.start() == cut else cut
            kids.append(_Node(heading, "body", _RUNIN_RANK, p, body, seg_end))
        node.children[:0] = kids
        node.end = max(node.end, kids[-1].end)

    def _find_runins(self, a: int, b: int) -> list[int]:
        found: list[int] = []
        expected = 1
        for m in _RUNIN.finditer(self.text, a, b):
            before = self.text[a : m.start()].rstrip(" \t\r\u3000\xa0")
            if before and before[-1] not in _RUNIN_BEFORE:
                continue
            value = _cn_number(m.group(1))
            if value == expected:
                found.append(m.start())
                expected += 1
            elif value == 1 and expected > 2:  # a second list in the same section
                found.append(m.start())
                expected = 2
        return found if expected > 2 else []


def _freeze(node: _Node, parent_path: tuple[str, ...], level: int) -> Section:
    path = (*parent_path, node.heading)
    children = tuple(_freeze(c, path, level + 1) for c in node.children)
    end = max([node.end, *(c.end for c in children)])
    return Section(
        heading=node.heading,
        level=level,
        path=path,
        start=node.start,
        end=end,
        body_start=min(node.body_start, end),
        kind=node.kind,
        children=children,
    )


# ---------------------------------------------------------------------------------------------
# metadata


def _web_fields(lines: list[_Line]) -> dict[str, str]:
    """Fields of a web page's information list: `- 发布机构` / `- 无锡市城市管理局`, `发布时间:…`."""
    fields: dict[str, str] = {}
    items = [x.text.lstrip("-•·* \t").strip(_WS) for x in lines if x.text[:1] in "-•·*"]
    k = 0
    while k < len(items):
        if items[k] in _META_KEYS:
            value = items[k + 1] if k + 1 < len(items) and items[k + 1] not in _META_KEYS else ""
            fields.setdefault(items[k], value)
            k += 2 if value else 1
        else:
            k += 1
    for x in lines:
        for m in re.finditer(rf"([{_CJK}]{{2,6}})\s*[:：]\s*([^\s【】]+(?:\s\d{{1,2}}:\d{{2}})?)", x.text):
            if m.group(1) in _META_KEYS:
                fields.setdefault(m.group(1), m.group(2))
    return fields


# A regulation's history under its title: `（2019年6月20日…会议通过　2023年4月12日…会议修正）`.
_HISTORY_KINDS = re.compile(r"通过|修正|修订|批准|公布")
# `本条例自2024年3月1日起施行。`
_IN_FORCE = re.compile(
    r"本(?:条例|办法|规定|细则|决定|规则|意见|方案|计划|要点|通知|通告|公告|措施|标准|指引|指南|制度)"
    r"\s*(?:自|从|于)\s*([^，,。；;起]{6,24}?)\s*起\s*(?:施行|实施|执行|生效)"
)


def _all_dates(s: str) -> list[tuple[int, int, str]]:
    """(start, end, ISO date) of every date in s, in order."""
    found = [(m.start(), m.end(), _date_of(m.group(0))) for m in _DATE.finditer(s)]
    found += [(m.start(), m.end(), _date_of(m.group(0))) for m in _CN_DATE.finditer(s)]
    return sorted(d for d in found if d[2])


def _history(lines: list[_Line]) -> list[tuple[str, str]]:
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


def _kind(title: str) -> str:
    core = _strip_parens(title).rstrip(_WS)
    for ending, kind in _KINDS:
        if core.endswith(ending):
            return kind
    return ""


def _years(*titles: str) -> tuple[int, ...]:
    for title in titles:
        t = _halfwidth(title)
        m = _YEAR_RANGE.search(t)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if a <= b <= a + 20:
                return tuple(range(a, b + 1))
        years = sorted({int(y) for y in re.findall(r"((?:19|20|１９|２０)\d{2})\s*年", t)})
        if years:
            return tuple(years)
    return ()


def _place(anchors: list[str], text: str, suffix: str) -> str:
    """Place name X of `X市`/`X区`: first found in the anchors (issuer, title…), else the most
    frequent candidate in the text, counted with and without the suffix."""

    def candidates(s: str) -> list[str]:
        out = []
        # `开展市容…`, `提升市民…`: 市 starts a word there, it does not end a place name
        for m in re.finditer(rf"{suffix}(?![容场民政貌级区县委域内属直长镇])", s):
            for n in (2, 3):
                x = s[max(0, m.start() - n) : m.start()]
                if len(x) != n or not re.fullmatch(rf"[{_CJK}]+", x) or "市" in x or "区" in x:
                    continue
                if x[0] in "年月日" and m.start() - n > 0 and s[m.start() - n - 1].isdigit():
                    continue  # `2023年6月1日丁岭市…`: a date ends there, the name starts after it
                if x[-1] in _NOT_PLACE_END and x not in _CITIES_ENDING_IN_CHENG:
                    continue
                out.append(x)
        return out

    for anchor in anchors:
        # an anchor starts with the place: `南京市鼓楼区人民政府办公室`, `2021年鼓楼区…`
        a = re.sub(r"^[\d\s]+年(?:度)?", "", anchor)
        if suffix == "区":
            a = re.sub(rf"^[{_CJK}]{{2,3}}?市", "", a)
        m = re.match(rf"([{_CJK}]{{2,4}}?){suffix}", a)
        if m and m.group(1)[-1] not in _NOT_PLACE_END | set("市人政府"):
            return m.group(1)
    if suffix == "区":
        return ""  # a city's document names many districts: only its own anchors tell
    counts = Counter(candidates(text))
    if not counts:
        return ""
    # a name also stands alone (`海安高质量发展`); a 3-character candidate wins only when it is
    # as frequent as its 2-character tail (`张家港` over `家港`)
    scored = {x: 3 * n + text.count(x) - n for x, n in counts.items()}
    return max(scored, key=lambda x: (scored[x], len(x)))


_ORG_LINE = re.compile(r"(?:政府|办公厅|办公室|委员会|局|委)$")
_DECREE = re.compile(rf"^([{_CJK}]{{2,20}}?政府)令[{_WS}]*第[{_WS}]*[\d{_CN}]+[{_WS}]*号$")
_FORWARDED = re.compile(r"关于(?:印发|转发|发布)《?(.+?)》?的(?:通知|决定)")


def _one_line(s: str) -> str:
    """`s` with every run of whitespace (full-width spaces too) as one space, trimmed."""
    return re.sub(rf"[{_WS}]+", " ", s).strip()


def _forwarded(title: str) -> str:
    """A 印发 notice's title names the document it forwards; that document is the title."""
    forwarded = _FORWARDED.search(title)
    return forwarded.group(1) if forwarded else title


def _repeated_page_title(text: str, page_title: str) -> str:
    """A web page's <title> (before the site's `_栏目_网站` suffix) when the body repeats it as a
    line (its <h1>): then it is the document's title, whatever banner stands above it."""
    page_title = _one_line(page_title.split("_", 1)[0])
    if not page_title:
        return ""
    lines = {_one_line(line) for line in text.split("\n")[:80]}
    return page_title if page_title in lines else ""


def _front_title(text: str) -> str:
    """The first of a document's opening lines that reads as a title (Markdown level 1 included)."""
    for line in text.split("\n")[:60]:
        line = line.strip(_WS)
        if line.startswith("##"):
            continue
        line = line.lstrip("# ")
        if line and _is_title_line(line) and _TITLE_END.search(line):
            return _forwarded(line)
    return ""


def _meta(p: _Parser, fields: dict[str, str], sha256: str) -> DocumentMeta:
    raw = p.raw
    title = ""
    if p.preamble is not None and p.preamble.kind == "preamble" and p.preamble.lines:
        title = p.preamble.heading
    if not title and p.notice is not None:
        quoted = re.search(r"《([^《》]+)》", p.notice.heading)
        title = quoted.group(1) if quoted else p.notice.heading
    if not title:
        title = fields.get("标题") or fields.get("名称") or (p.header.heading if p.header else "")
    if not title:
        title = raw.file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    title = _one_line(title)
    if title.startswith("《") and title.endswith("》"):  # `《江宁市道路管理条例》`
        title = title[1:-1].strip()
    front_org = ""
    opening = p.preamble.heading if p.preamble is not None else ""
    decree = _DECREE.match(_one_line(opening))
    page_title = _repeated_page_title(raw.text, fields.get("title", ""))
    if page_title:
        title = _forwarded(page_title)
    elif not _TITLE_END.search(title) and (_ORG_LINE.search(title) or decree):
        # The first title-like line was an organisation (a 红头 `…办公室`) or a 政府令 number: the
        # document's own title is the first line further on that ends like one.
        better = _front_title(raw.text)
        if better:
            if _ORG_LINE.search(title):
                front_org = title
            title = better

    author = ""
    if p.preamble is not None:
        for x in p.preamble.lines[:4]:
            if _is_parenthetical(x.text) and not _is_date_line(x.text):
                author = re.split(r"\s|\d", x.text.strip("（）() "), maxsplit=1)[0]
                break
    printed_by = ""
    printed_on = ""
    if p.footer is not None:
        for x in p.footer.lines:
            m = _PRINTED.search(x.text)
            if m:
                printed_on = _date_of(m.group(0))
                printed_by = x.text[: m.start()].strip(_WS)
    head_org = p.header.heading[:-2] if p.header is not None and _is_file_head(p.header.heading) else ""
    issuer = (
        fields.get("发布机构")
        or fields.get("发文机关")
        or fields.get("发文机构")
        or p.notice_issuer
        or head_org
        or author
        or printed_by
        or front_org
        or (decree.group(1) if decree else "")
    )

    doc_number = fields.get("文件编号") or fields.get("发文字号") or fields.get("文号") or ""
    if not doc_number and decree:
        doc_number = re.sub(rf"[{_WS}]+", "", decree.group(0))  # 芷川市人民政府令第47号
    if not doc_number:
        front = [x for n in (p.header, p.notice, p.preamble) if n is not None for x in n.lines]
        for x in front:
            m = _DOC_NUMBER.search(x.text)
            if m and _is_doc_number(x.text):
                doc_number = re.sub(r"\s+", "", m.group(0))
                break

    dates: list[tuple[str, str]] = []
    written = p.notice_date or _date_of(fields.get("成文日期", "")) or _date_of(fields.get("发文日期", ""))
    if not written and p.preamble is not None:
        written = next((_date_of(x.text) for x in p.preamble.lines[:4] if _is_date_line(x.text)), "")
    if not written and p.body_dates:
        written = p.body_dates[-1]  # 落款 date at the end of a document without a notice
    if written:
        dates.append(("成文", written))
    if printed_on:
        dates.append(("印发", printed_on))
    published = next(
        (_date_of(fields[k]) for k in ("发布时间", "发布日期", "公开日期") if _date_of(fields.get(k, ""))), ""
    )
    if published:
        dates.append(("发布", published))
    if p.preamble is not None:
        dates.extend(_history(p.preamble.lines))
    in_force = next((_date_of(m.group(1)) for m in _IN_FORCE.finditer(raw.text) if _date_of(m.group(1))), "")
    if in_force:
        dates.append(("施行", in_force))

    notice_title = p.notice.heading if p.notice is not None else ""
    anchors = [a for a in (issuer, head_org, title, printed_by, notice_title) if a]
    district = _place(anchors, raw.text, "区")
    return DocumentMeta(
        file=raw.file,
        title=title,
        issuer=issuer,
        doc_number=doc_number,
        dates=tuple(dates),
        city=_place(anchors, raw.text, "市"),
        district=district + "区" if district else "",
        years=_years(title, notice_title),
        kind=_kind(title),
        sha256=sha256,
        format=raw.format,
    )


# ---------------------------------------------------------------------------------------------
# entry points


def parse(raw: RawDocument, sha256: str = "") -> Document:
    """Heading tree (with offsets into `raw.text`) and metadata of one official document."""
    if not raw.text.strip(_WS):
        raise DocumentError(
            f"{raw.file}: the file has no text; check that it is not empty or a scanned image."
        )
    p = _Parser(raw)
    first_heading = p.front()
    p.body(first_heading)
    for node in p.roots:
        p.runins(node)
    sections = tuple(_freeze(node, (), 1) for node in p.roots)
    fields = dict(raw.fields)
    if p.header is not None:
        for key, value in _web_fields(p.header.lines).items():
            fields.setdefault(key, value)
    return Document(meta=_meta(p, fields, sha256), text=raw.text, sections=sections)


def format_outline(doc: Document) -> str:
    """Metadata lines, then the indented heading tree with `[start-end]` offsets and kinds."""
    m = doc.meta
    out = [
        f"file:       {m.file}",
        f"title:      {m.title}",
        f"issuer:     {m.issuer}",
        f"doc_number: {m.doc_number}",
        f"dates:      {', '.join(f'{k} {v}' for k, v in m.dates)}",
        f"city:       {m.city}" + (f"  district: {m.district}" if m.district else ""),
        f"years:      {', '.join(str(y) for y in m.years)}",
        f"kind:       {m.kind}",
        f"format:     {m.format}" + (f"  sha256: {m.sha256[:12]}" if m.sha256 else ""),
        "sections:",
    ]
    for s in doc.walk():
        out.append(f"{'  ' * s.level}[{s.start}-{s.end}] {s.kind:<10} {s.heading}")
    return "\n".join(out)
