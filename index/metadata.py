"""Metadata of an official document, read from its front and back matter and its text.

The title (the preamble's title, a forwarded document's name, a web page's <title> repeated as
a line), the 文号 (or 政府令 number), the issuer (web page fields, the notice's 落款, the 文件头, an
author line, the 印发 line), the dates (成文, 印发, 发布, a regulation's history, 施行), the city and
district it is about, the years it covers and its kind (意见, 方案, 条例 …). Also what the parser
needs to find that front matter: title lines (and the Markdown title), the 文件头, a web page's
information list, the 落款 issuer above a date line.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Protocol

from index.dates import YEAR_RANGE, date_of, history_dates, is_date_line, years_covered
from index.lines import (
    ATTACH_LABEL,
    ATTACH_NOTE,
    CJK,
    CN_NUMERALS,
    PRINTED,
    PUNCTUATION,
    WHITESPACE,
    Line,
    heading_match,
    is_parenthetical,
    strip_parens,
)
from policyqa.records import DocumentMeta, RawDocument

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
    rf"[{CJK}]{{1,12}}\s*[〔\[［【(（]\s*(?:19|20|１９|２０)\d{{2}}\s*[〕\]］】)）]\s*\d{{1,4}}\s*号"
)
# key:value lines of a web page's information list (发布时间:2025-02-25 …)
_META_KV = re.compile(rf"([{CJK}]{{2,6}})\s*[:：]\s*(\S.*)")
_META_KEYS = frozenset(
    "信息索引号 索引号 发文日期 成文日期 公开日期 发布日期 发布时间 文件编号 发文字号 文号 发布机构 发文机关 "
    "发文机构 公开时限 公开形式 公开方式 公开范围 有效期 公开程序 主题 主题分类 体裁 关键词 文件下载 "
    "内容概述 标题 名称 来源 生效日期 废止日期 有效性".split()
)
# X市 / X区 that are ordinary words, not place names.
_NOT_PLACE_END = set("全我本各该省县区镇乡村超集都门夜股上下同城和与及在的对到为是等")
# Cities whose name ends in 城 (a character that otherwise ends ordinary words, not place names).
_CITIES_ENDING_IN_CHENG = frozenset(
    (Path(__file__).with_name("data") / "cities_ending_in_cheng.txt").read_text(encoding="utf-8").split()
)


class _Matter(Protocol):
    """A front- or back-matter section as the parser built it."""

    heading: str
    kind: str
    lines: list[Line]


class ParsedDocument(Protocol):
    """What the parser found that the metadata is read from: the source, its front matter (文件头 or
    web page header, issuing notice, the document's own title and preamble), its 版记 footer, and
    the notice's 落款 issuer and date and the date lines of the body."""

    @property
    def raw(self) -> RawDocument: ...
    @property
    def header(self) -> _Matter | None: ...
    @property
    def notice(self) -> _Matter | None: ...
    @property
    def preamble(self) -> _Matter | None: ...
    @property
    def footer(self) -> _Matter | None: ...
    @property
    def notice_issuer(self) -> str: ...
    @property
    def notice_date(self) -> str: ...
    @property
    def body_dates(self) -> list[str]: ...


# ---------------------------------------------------------------------------------------------
# front matter lines


def is_file_head(s: str) -> bool:
    """A 文件头 line: `…文件`, short, with no punctuation."""
    return len(s) <= 40 and s.endswith("文件") and not PUNCTUATION.search(s)


def _is_doc_number(s: str) -> bool:
    m = _DOC_NUMBER.search(s)
    return bool(m) and len(s) - len(m.group(0)) <= 12


def is_meta_line(s: str) -> bool:
    """A line of a web page's information list (`- 发布机构`, `发布时间:2025-02-25 …`)."""
    if s[:1] in "-•·*" and len(s) > 1:
        return True
    m = _META_KV.match(s)
    return bool(m) and m.group(1) in _META_KEYS


def _is_title_line(s: str) -> bool:
    """A line that may be (part of) a title: short, no sentence punctuation, not a date or 文号."""
    if len(s) > 60 or PUNCTUATION.search(strip_parens(s)):
        return False
    if is_date_line(s) or _is_doc_number(s) or is_meta_line(s) or is_file_head(s):
        return False
    if ATTACH_LABEL.match(s) or ATTACH_NOTE.match(s):
        return False
    # `（市城市管理局  2023年1月）` is an author line; `（2021—2023年）` continues a title
    return not (heading_match(s) or (is_parenthetical(s) and not YEAR_RANGE.search(s)))


def title_group(lines: list[Line], i: int) -> tuple[int, int] | None:
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


def markdown_title(lines: list[Line]) -> int:
    """Index of the Markdown heading that is the document's title, or -1.

    It is the first Markdown heading when no other stands above it, it has no heading marker,
    and it is the only one at its level or ends like a title (`…实施办法`)."""
    md = [k for k, x in enumerate(lines) if x.md]
    if not md:
        return -1
    first = lines[md[0]]
    top = min(lines[k].md for k in md)
    alone = sum(1 for k in md if lines[k].md == top) == 1
    if first.md == top and not heading_match(first.text) and (alone or _TITLE_END.search(first.text)):
        return md[0]
    return -1


def signature_issuer(lines: list[Line], i: int) -> str:
    """The 落款 issuer: the short line just above the date line i, if it reads like a name."""
    if i == 0:
        return ""
    s = lines[i - 1].text
    if len(s) <= 30 and not PUNCTUATION.search(s) and not is_date_line(s):
        return s
    return ""


def _continues_title(s: str) -> bool:
    # A follow-on line continues a title when it does not read as a title of its own.
    return s.startswith(("（", "(", "的", "和", "与", "及")) or len(s) <= 6


# ---------------------------------------------------------------------------------------------
# metadata


def web_fields(lines: list[Line]) -> dict[str, str]:
    """Fields of a web page's information list: `- 发布机构` / `- 无锡市城市管理局`, `发布时间:…`."""
    fields: dict[str, str] = {}
    items = [x.text.lstrip("-•·* \t").strip(WHITESPACE) for x in lines if x.text[:1] in "-•·*"]
    k = 0
    while k < len(items):
        if items[k] in _META_KEYS:
            value = items[k + 1] if k + 1 < len(items) and items[k + 1] not in _META_KEYS else ""
            fields.setdefault(items[k], value)
            k += 2 if value else 1
        else:
            k += 1
    for x in lines:
        for m in re.finditer(rf"([{CJK}]{{2,6}})\s*[:：]\s*([^\s【】]+(?:\s\d{{1,2}}:\d{{2}})?)", x.text):
            if m.group(1) in _META_KEYS:
                fields.setdefault(m.group(1), m.group(2))
    return fields


# `本条例自2024年3月1日起施行。`
_IN_FORCE = re.compile(
    r"本(?:条例|办法|规定|细则|决定|规则|意见|方案|计划|要点|通知|通告|公告|措施|标准|指引|指南|制度)"
    r"\s*(?:自|从|于)\s*([^，,。；;起]{6,24}?)\s*起\s*(?:施行|实施|执行|生效)"
)


def _kind(title: str) -> str:
    core = strip_parens(title).rstrip(WHITESPACE)
    for ending, kind in _KINDS:
        if core.endswith(ending):
            return kind
    return ""


def _place(anchors: list[str], text: str, suffix: str) -> str:
    """Place name X of `X市`/`X区`: first found in the anchors (issuer, title…), else the most
    frequent candidate in the text, counted with and without the suffix."""

    def candidates(s: str) -> list[str]:
        out = []
        # `开展市容…`, `提升市民…`: 市 starts a word there, it does not end a place name
        for m in re.finditer(rf"{suffix}(?![容场民政貌级区县委域内属直长镇])", s):
            for n in (2, 3):
                x = s[max(0, m.start() - n) : m.start()]
                if len(x) != n or not re.fullmatch(rf"[{CJK}]+", x) or "市" in x or "区" in x:
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
            a = re.sub(rf"^[{CJK}]{{2,3}}?市", "", a)
        m = re.match(rf"([{CJK}]{{2,4}}?){suffix}", a)
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
_DECREE = re.compile(
    rf"^([{CJK}]{{2,20}}?政府)令[{WHITESPACE}]*第[{WHITESPACE}]*[\d{CN_NUMERALS}]+[{WHITESPACE}]*号$"
)
_FORWARDED = re.compile(r"关于(?:印发|转发|发布)《?(.+?)》?的(?:通知|决定)")


def _one_line(s: str) -> str:
    """`s` with every run of whitespace (full-width spaces too) as one space, trimmed."""
    return re.sub(rf"[{WHITESPACE}]+", " ", s).strip()


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
        line = line.strip(WHITESPACE)
        if line.startswith("##"):
            continue
        line = line.lstrip("# ")
        if line and _is_title_line(line) and _TITLE_END.search(line):
            return _forwarded(line)
    return ""


def document_meta(p: ParsedDocument, fields: dict[str, str], sha256: str) -> DocumentMeta:
    """The document's metadata from what the parser found and the format's own `fields`."""
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
            if is_parenthetical(x.text) and not is_date_line(x.text):
                author = re.split(r"\s|\d", x.text.strip("（）() "), maxsplit=1)[0]
                break
    printed_by = ""
    printed_on = ""
    if p.footer is not None:
        for x in p.footer.lines:
            m = PRINTED.search(x.text)
            if m:
                printed_on = date_of(m.group(0))
                printed_by = x.text[: m.start()].strip(WHITESPACE)
    head_org = p.header.heading[:-2] if p.header is not None and is_file_head(p.header.heading) else ""
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
        doc_number = re.sub(rf"[{WHITESPACE}]+", "", decree.group(0))  # 芷川市人民政府令第47号
    if not doc_number:
        front = [x for n in (p.header, p.notice, p.preamble) if n is not None for x in n.lines]
        for x in front:
            m = _DOC_NUMBER.search(x.text)
            if m and _is_doc_number(x.text):
                doc_number = re.sub(r"\s+", "", m.group(0))
                break

    dates: list[tuple[str, str]] = []
    written = p.notice_date or date_of(fields.get("成文日期", "")) or date_of(fields.get("发文日期", ""))
    if not written and p.preamble is not None:
        written = next((date_of(x.text) for x in p.preamble.lines[:4] if is_date_line(x.text)), "")
    if not written and p.body_dates:
        written = p.body_dates[-1]  # 落款 date at the end of a document without a notice
    if written:
        dates.append(("成文", written))
    if printed_on:
        dates.append(("印发", printed_on))
    published = next(
        (date_of(fields[k]) for k in ("发布时间", "发布日期", "公开日期") if date_of(fields.get(k, ""))), ""
    )
    if published:
        dates.append(("发布", published))
    if p.preamble is not None:
        dates.extend(history_dates(p.preamble.lines))
    in_force = next((date_of(m.group(1)) for m in _IN_FORCE.finditer(raw.text) if date_of(m.group(1))), "")
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
        years=years_covered(title, notice_title),
        kind=_kind(title),
        sha256=sha256,
        format=raw.format,
    )
