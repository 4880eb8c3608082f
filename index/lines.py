"""Lines of an official document, and what the start of a line can mark.

A document's text is read as stripped lines (`Line`, with offsets into the text and the Markdown
markup around it taken off). A line may start with a body heading marker (`第一章`, `一、`, `（一）`,
`1．`, `（1）`, `①`, each kind with its rank), a box (`专栏2`) or a box item, a question answered on
the next line (`问：`/`答：`), or a back-matter marker (附件 label or note, 版记 line); run-in
ordinals (`一是…。二是…。`) stand inside the text. The heading of such a line or run-in item is cut
at its first sentence end. The patterns here are shared by the parser, the table reader and the
chunker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.cjk import chinese_to_int

# Whitespace that may pad a line in copies of these documents (incl. ideographic space, BOM).
WHITESPACE = " \t\r\n\u3000\xa0\ufeff\u200b\u2002\u2003\u2009\x0b\x0c"
CN_NUMERALS = "一二三四五六七八九十百零〇两"  # characters a Chinese numeral is written with
CJK = "\u4e00-\u9fff"  # CJK unified ideographs, for character classes

ARTICLE_RANK = 12  # 第X条: a leaf; numbered items inside it are its text
# Body heading kinds, highest first; a heading nests below the open headings ranked above it.
_HEADINGS = (
    ("chapter", 10, re.compile(rf"第[ \u3000]*[{CN_NUMERALS}\d]+[ \u3000]*章")),
    ("part", 11, re.compile(rf"第[ \u3000]*[{CN_NUMERALS}\d]+[ \u3000]*节")),
    ("article", ARTICLE_RANK, re.compile(rf"第[{CN_NUMERALS}\d]+条(?![{CN_NUMERALS}\d])")),
    ("cn", 13, re.compile(rf"[{CN_NUMERALS}]+\s*[、.．,，]")),
    ("paren_cn", 14, re.compile(rf"[（(]\s*[{CN_NUMERALS}]+\s*[)）]")),
    ("num", 15, re.compile(r"\d{1,3}\s*[.．、,，](?!\d)")),
    ("paren_num", 16, re.compile(r"[（(]\s*\d{1,3}\s*[)）]")),
    ("circled", 17, re.compile(r"[①-⑳]")),
)
# A box (`专栏2　环卫设施补短板工程`) inside a section of a plan, and its numbered items (`01　…：`, `1．…`).
BOX = re.compile(rf"专栏\s*[\d{CN_NUMERALS}]+")
BOX_ITEM = re.compile(r"\d{1,2}[ \u3000]+\S|\d{1,2}\s*[.．、](?!\d)|[①-⑳]")
# 一是 … 九十九是: written without 百/零/两, so index.cjk.chinese_to_int reads every one of them.
_RUNIN = re.compile(r"([一二三四五六七八九十]{1,3})是")
_RUNIN_BEFORE = "。；;！？!?：:.\r\n"  # what may stand right before a run-in ordinal
_MAX_HEADING = 50  # a run-in heading longer than this is cut …
CUT_HEADING = 40  # … at its first sentence end, or else after this many characters

# A sentence ends at 。！？ (or a half-width stop not followed by a digit, for rewritten copies).
SENTENCE_END = re.compile(r"[。！？!?]|\.(?!\d)")
NEWLINE = re.compile(r"[\r\n]")
# Sentence and clause punctuation: a line with any of it is prose, not a title, name or label.
PUNCTUATION = re.compile(r"[。；;：:，,！？!?]")

# 版记 (抄送/印发 lines, the `…印发` date line) and 附件 (`附件2：…` note, `附件2` label alone).
FOOTER = re.compile(r"(?:抄\s*送|主\s*送|抄\s*报|分\s*送|发\s*送|印\s*发|抄\s*发|发)\s*[：:]")
PRINTED = re.compile(r"(?:19|20|１９|２０)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印\s*发$")
ATTACH_NOTE = re.compile(rf"附\s*([件表])\s*([\d{CN_NUMERALS}]*)\s*[：:]")
ATTACH_LABEL = re.compile(rf"附\s*([件表])\s*([\d{CN_NUMERALS}]*)$")


# ---------------------------------------------------------------------------------------------
# lines


@dataclass(frozen=True)
class Line:
    """One non-blank line of a document's text, stripped of padding and Markdown markup."""

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
        return (
            lead + len(inner) - len(inner.lstrip(WHITESPACE)),
            inner.strip(WHITESPACE),
            len(heading.group(1)),
        )
    if len(line) > 4 and line.startswith("**") and line.endswith("**"):
        inner = line[2:-2]
        return 2 + len(inner) - len(inner.lstrip(WHITESPACE)), inner.strip(WHITESPACE), 0
    return 0, line, 0


def split_lines(text: str) -> list[Line]:
    """The non-blank lines of `text`, stripped of padding and Markdown markup, with offsets."""
    out = []
    previous = 0
    for m in re.finditer(r"[^\r\n]+", text):  # \n, \r\n and old \r line ends alike
        piece = m.group(0)
        markup, stripped, md = _without_markup(piece.strip(WHITESPACE))
        lead = len(piece) - len(piece.lstrip(WHITESPACE)) + markup
        if stripped:
            start = m.start() + lead
            between = text[previous:start].replace("\r\n", "\n")
            gap = bool(out) and between.count("\n") + between.count("\r") >= 2
            out.append(Line(start, start + len(stripped), stripped, gap, md))
            previous = start + len(stripped)
    return out


def halfwidth(s: str) -> str:
    """`s` with full-width ASCII (！…～) as half-width characters."""
    return "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in s)


def is_parenthetical(s: str) -> bool:
    """A line wholly in brackets: `（2019年12月13日）`, `（此件公开发布）`."""
    return s[:1] in "（(" and s[-1:] in "）)"


def strip_parens(s: str) -> str:
    """`s` without its bracketed parts."""
    return re.sub(r"[（(][^（()）]*[)）]", "", s)


def starts_back_matter(s: str) -> bool:
    """A 版记 line or a 附件 note or label: the body (or an attachment's table) ends before it."""
    return bool(FOOTER.match(s) or PRINTED.search(s) or ATTACH_NOTE.match(s) or ATTACH_LABEL.match(s))


# ---------------------------------------------------------------------------------------------
# headings


def heading_match(s: str) -> tuple[int, int] | None:
    """(rank, marker length) when the line starts with a body heading marker."""
    for _name, rank, pattern in _HEADINGS:
        m = pattern.match(s)
        if m:
            return rank, m.end()
    return None


def heading_text(s: str, marker_end: int) -> tuple[str, int]:
    """Heading of a line (or run-in segment): up to the first sentence end after the marker.

    Returns the heading and where the body starts (after the sentence end, if there was one).
    A heading never runs past ~50 characters: with no sentence end that soon it ends at the last
    clause mark (，；：) before character 40, or else at character 40."""
    m = SENTENCE_END.search(s, marker_end)
    if m and m.start() <= _MAX_HEADING:
        return s[: m.start()].rstrip(WHITESPACE), m.end()
    if not m and len(s.rstrip(WHITESPACE + "：:；;，,")) <= _MAX_HEADING:
        # `（一）主要任务：` / `（一）市容管理；`: the colon or semicolon is not part of the heading
        return s.rstrip(WHITESPACE + "：:；;，,"), len(s)
    clauses = [c.start() for c in _CLAUSE_MARK.finditer(s, marker_end + 2, CUT_HEADING + 1)]
    cut = clauses[-1] if clauses else CUT_HEADING
    body = cut + 1 if clauses else cut
    return s[:cut].rstrip(WHITESPACE), body


_CLAUSE_MARK = re.compile(r"[，,；;：:]")
_QUESTION = re.compile(r"问\s*[：:]")
_ANSWER = re.compile(r"答\s*[：:]")


def is_question(lines: list[Line], i: int) -> bool:
    """Line i is a `问：…` line answered by the `答：…` line after it."""
    return bool(_QUESTION.match(lines[i].text) and i + 1 < len(lines) and _ANSWER.match(lines[i + 1].text))


def _question_heading(s: str) -> tuple[str, int]:
    """Heading of a `问：…？` line: the question through its question mark (capped like any heading)."""
    m = re.search(r"[？?]", s)
    if m and m.end() <= _MAX_HEADING:
        return s[: m.end()], m.end()
    return heading_text(s, 2)


def _article_heading(s: str, marker_end: int) -> tuple[str, int]:
    """An article's heading is its number (`第十五条`); its text, after the number, is its body."""
    body = marker_end
    while body < len(s) and s[body] in WHITESPACE:
        body += 1
    return s[:marker_end], body


def box_item_heading(s: str) -> tuple[str, int]:
    """Heading of a box item (`01　餐厨垃圾处理厂：建设…`): its name up to an early colon."""
    colon = re.search(r"[：:]", s)
    if colon and colon.start() <= 20:
        return s[: colon.start()].rstrip(WHITESPACE), colon.end()
    return heading_text(s, 0)


def line_heading(line: Line, marker: tuple[int, int] | None, question: bool) -> tuple[str, int]:
    """Heading of a heading line and where its body starts, given its marker (rank, length) and
    whether it is a question: an article's number, a question, a short Markdown heading whole,
    or else the text up to the first sentence end."""
    s = line.text
    marker_end = marker[1] if marker else 0
    if marker and marker[0] == ARTICLE_RANK:
        return _article_heading(s, marker_end)
    if question and not marker:
        return _question_heading(s)
    if line.md and not marker and len(s) <= _MAX_HEADING:
        return s, len(s)  # `### 问：补贴怎么申请？`: the whole line
    return heading_text(s, marker_end)


def runin_ordinals(text: str, a: int, b: int) -> list[int]:
    """Offsets of the run-in ordinals (`一是…。二是…。`) in text[a:b] that count up from 一, each
    at the start of a line or after a sentence or clause end; a second list may start again at 一.
    [] unless the last list has at least two."""
    found: list[int] = []
    expected = 1
    for m in _RUNIN.finditer(text, a, b):
        before = text[a : m.start()].rstrip(" \t\r\u3000\xa0")
        if before and before[-1] not in _RUNIN_BEFORE:
            continue
        value = chinese_to_int(m.group(1))
        if value == expected:
            found.append(m.start())
            expected += 1
        elif value == 1 and expected > 2:  # a second list in the same section
            found.append(m.start())
            expected = 2
    return found if expected > 2 else []


def runin_heading(text: str, start: int, stop: int) -> tuple[str, int, int]:
    """(heading, body start, end) of the run-in item at `start` that runs until `stop`: its heading
    ends at its first sentence end or line end."""
    seg_end = start + len(text[start:stop].rstrip(WHITESPACE))
    m = SENTENCE_END.search(text, start, seg_end)
    newline = NEWLINE.search(text, start, seg_end)
    cut = min(m.start() if m else seg_end, newline.start() if newline else seg_end)
    heading = text[start:cut].rstrip(WHITESPACE)
    body = m.end() if m and m.start() == cut else cut
    return heading, body, seg_end
