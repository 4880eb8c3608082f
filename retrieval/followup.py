"""Rule-based follow-up rewriting for extractive mode: "那无锡呢？" -> a standalone question.

Only questions that are incomplete on their own are rewritten (`is_incomplete`):
1. switches, "那X呢？" / "X呢？": the previous question with its place / year swapped for X (or, when
   X is a topic, X with the previous question's place, year and predicate);
2. pointers (这一条, 该项, 上述, 它, 其中, 这些, 该市 …): the pointer becomes the section the previous
   answer cited, else the previous question's subject;
3. elided subjects, a question with no topic of its own (什么时候完成？ 由谁负责？ 标准是什么？
   有没有罚款？): the previous question's subject is put in front;
4. short questions with a topic but no place or year of their own (建几座驿站？): the previous
   question's place and year are put in front.
A question that names its own place or year never gets another; a "which document / which city"
question, or one with `STANDALONE_CHARS` or more content characters, is standalone and unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from policyqa.records import DocumentMeta
from retrieval.places import question_places, strip_admin_suffix

STANDALONE_CHARS = 8  # content characters (question words, pointers, generic words removed)

_SWITCH = re.compile(r"^(?:那么?|那|还有|如果是|换成)?\s*(?P<x>.{1,14}?)(?:的情况|的话|的)?呢\s*[？?]?$")
_POINTER = re.compile(
    r"这一条|这一项|这条|这项|该项|该条|此项|上述|这个|这些|它们|(?<!其)它|其中|前者|后者"
    r"|(?P<doc>该|这份|这个|此)(?=市|区|县|文件|计划|方案|意见|要点|通知|办法)"
)
_YEAR = re.compile(r"(?:19|20)\d{2}年?")
_HEADER_SECTION = re.compile(r"》(?:（[^）]*）)?\s*(.+?)：\s*$", re.M)
# "Which document / city" questions and questions about other places stand on their own.
_STANDALONE = re.compile(
    r"哪份|哪个文件|哪一份|哪部|哪些文件|什么文件|哪个城市|哪座城市|哪个区|哪几份|哪两份|各(?:个)?(?:城市|文件|地)|"
    r"(?:其他|其它|别的|另外的?)(?:城市|地区|地方|文件|区)|\bwhich\b",
    re.I,
)
_QUESTION_WORDS = re.compile(
    r"什么时候|什么时间|什么|怎么样|怎样|怎么|如何|哪些|哪个|哪里|哪儿|哪天|哪|几|多少|多久|多长|谁|何时|何|是否|"
    r"有没有|有无|能否|可否|吗|呢|么"
)
# Words that say what is asked about any subject, not what the subject is.
_GENERIC = re.compile(
    r"完成|负责|牵头|配合|标准|罚款|处罚|要求|目标|时间|期限|内容|措施|单位|部门|落实|实施|开始|截止|规定|依据|"
    r"具体|主要|情况|需要|应该|可以|达到|包括|进行|责任|任务|安排|做法|办法|方式|步骤|日期|数量|金额|资金|费用|"
    r"文号|发布|印发|执行|办理|处理|解决|推进|开展|时限|截至|截止到|有关|相关|规模|范围|对象|条件|结果"
)
_FUNCTION_CHARS = re.compile(r"[的了是有要由在对和与及被把将向从到为也都还又就再呀啊吧呗]")
_NON_HAN = re.compile(r"[^\u4e00-\u9fff]")
# The predicate of a question: the verbs/adverbs right before its first question word.
_PREDICATE_FLAGS = ("v", "d", "p", "c")


def _places_in(question: str, doc_places: Sequence[str]) -> list[str]:
    found = [p for p in doc_places if p in question]
    for p in question_places(question):
        if not any(p in q or q in p for q in found):
            found.append(p)
    # Drop a place contained in a longer one found (南京 inside 南京市).
    return [p for p in found if not any(p != q and p in q for q in found)]


def _doc_places(documents: Iterable[DocumentMeta]) -> list[str]:
    places = set()
    for meta in documents:
        for place in (meta.city, meta.district):
            if place:
                places.update({place, strip_admin_suffix(place)})
    return sorted(places, key=len, reverse=True)


def content_chars(question: str) -> int:
    """How many characters of the question say what it is about (question words, pointers,
    generic asking words such as 完成 / 负责 / 标准 and function characters removed)."""
    text = _POINTER.sub("", question)
    text = _QUESTION_WORDS.sub("", text)
    text = _GENERIC.sub("", text)
    text = _FUNCTION_CHARS.sub("", text)
    return len(_NON_HAN.sub("", text))


def _own_context(question: str, doc_places: Sequence[str] = ()) -> bool:
    return bool(_places_in(question, doc_places) or _YEAR.search(question))


def _kind(question: str, doc_places: Sequence[str] = ()) -> str:
    """switch | pointer | elided | short | '' (complete on its own)."""
    q = question.strip()
    if not q or _STANDALONE.search(q) or re.search(r"[A-Za-z]{3,}", q):
        return ""
    switch = _SWITCH.match(q)
    if switch and _NON_HAN.sub("", switch.group("x")) and not _QUESTION_WORDS.search(switch.group("x")):
        return "switch"
    if _POINTER.search(q):
        return "pointer"
    chars = content_chars(q)
    if chars == 0:
        return "elided"
    if chars < STANDALONE_CHARS and not _own_context(q, doc_places):
        return "short"
    return ""


def is_incomplete(question: str) -> bool:
    """Whether a question needs the previous turn to be understood: a 那X呢 switch, a pointer
    (这一条, 该项, 上述, 它), an elided subject (什么时候完成？), or a short question naming no place or year."""
    return bool(_kind(question))


def _split_previous(previous: str) -> tuple[str, str]:
    """(subject, predicate) of the previous question: 澜江2024年人行道修复率 | 是多少？"""
    import jieba.posseg

    tokens = jieba.posseg.lcut(previous)
    pos, qi = 0, None
    offsets = []
    for word, _flag in tokens:
        offsets.append(pos)
        if qi is None and _QUESTION_WORDS.match(word):
            qi = len(offsets) - 1
        pos += len(word)
    if qi is None:
        return previous.rstrip("？?。 "), ""
    start = qi
    while start > 0 and tokens[start - 1].flag.startswith(_PREDICATE_FLAGS):
        start -= 1
    cut = offsets[start]
    if cut == 0:
        return "", previous
    return previous[:cut], previous[cut:]


def _context_prefix(previous: str, doc_places: Sequence[str]) -> str:
    places = _places_in(previous, doc_places)
    years = _YEAR.findall(previous)
    return "".join(places[:1] + years[:1])


def rewrite(question: str, history: Sequence[tuple[str, str]], documents: Iterable[DocumentMeta]) -> str:
    """A standalone version of `question` given earlier (question, answer) turns; unchanged if standalone."""
    if not history:
        return question
    previous_q, previous_a = history[-1]
    doc_places = _doc_places(documents)
    kind = _kind(question, doc_places)
    if not kind:
        return question
    q_places, q_years = _places_in(question, doc_places), _YEAR.findall(question)
    p_places, p_years = _places_in(previous_q, doc_places), _YEAR.findall(previous_q)
    own = bool(q_places or q_years)
    prefix = "" if own else _context_prefix(previous_q, doc_places)

    if kind == "switch":
        x = _SWITCH.match(question.strip()).group("x").strip()
        if own:
            rewritten = previous_q
            for old, new in zip(p_places, q_places, strict=False):
                rewritten = rewritten.replace(old, new)
            for old, new in zip(p_years, q_years, strict=False):
                rewritten = rewritten.replace(old, new)
            if rewritten != previous_q:
                return rewritten
            return "".join(q_places + q_years) + previous_q
        # A topic switch (那人行道呢？): the new topic with the previous place, year and predicate.
        _, predicate = _split_previous(previous_q)
        return prefix + x + (predicate or "？")

    if kind == "pointer":
        pointer = _POINTER.search(question)
        if pointer.group("doc"):
            # 该市 / 这份文件: the previous question's place and year.
            end = pointer.end()
            if question[end : end + 1] in ("市", "区", "县") and p_places:
                suffix = question[end]
                context = (
                    p_places[0] if p_places[0].endswith(suffix) else p_places[0] + suffix
                )  # 该市 -> 澜江市
                end += 1
            else:
                context = _context_prefix(previous_q, doc_places)  # 这份文件 -> 澜江2023年文件
            return question[: pointer.start()] + context + question[end:] if context else question
        sections = _HEADER_SECTION.findall(previous_a or "")
        if sections:
            subject = sections[0].split(" > ")[-1].strip()
            subject = re.sub(r"^[（(]?[一二三四五六七八九十\d]+[)）、.．]\s*", "", subject)
            replacement = f"“{subject}”"
        else:
            subject, _ = _split_previous(previous_q)
            replacement = subject.strip()
            if not replacement:
                return question
            prefix = ""  # the subject carries the previous place and year
        return prefix + question[: pointer.start()] + replacement + question[pointer.end() :]

    if kind == "elided":
        subject, _ = _split_previous(previous_q)
        if subject.strip():
            return subject.strip() + question.strip()
        return prefix + question

    # short: only the place / year context
    return prefix + question if prefix else question
