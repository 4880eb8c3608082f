"""One question analysis, done once: what is asked (the *slot*) and under which constraints.

`understand(text, profiles, ...)` returns a `Question`. Search, the answerability checks and the
answer plans read this record; nothing downstream parses the question string again.

A question is split into *parts* ("…由谁牵头？什么时候完成？" is two); each part asks for one slot:

    quantity      多少 / 几座 / 比例 / how many …           a figure, in the asked unit when one is named
    date          何时 / 哪天 / when                          a date in the text
    doc_date      何时施行 / 印发日期 / 签发于哪日            a date of the document itself (DocumentMeta)
    deadline      完成时限 / 什么时候完成 / by when           a deadline (a table column or a date in the text)
    doc_number    文号                                        the document's 文号
    issuer        由哪个机关发布 / 起草                         the issuing (or drafting) body
    responsible   牵头 / 责任单位 / 由谁负责                   the responsible units of a task
    score         分值 / 多少分 / 权重                        a score weight in a scoring table or text
    items         包括哪几项 / 都有哪些 / 哪N个                the items of a list
    which_doc     哪一份规定 …                               the document(s) that say something
    requirements  有哪些要求 / 措施 / 怎么做                   a section's own content
    fact          anything else                               the best sentences

Constraints are the places and years the question names, the documents it points at (by place,
year or title words), quoted names and a counted name (五大X / 哪五项).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from index.cjk import chinese_to_int
from retrieval.query import DocumentProfile, document_prior, language_of

SLOTS = (
    "quantity",
    "date",
    "doc_date",
    "deadline",
    "doc_number",
    "issuer",
    "responsible",
    "score",
    "items",
    "which_doc",
    "requirements",
    "fact",
)
# Slots whose answer is a value cut from one clause (and whose absence is a reason to refuse).
VALUE_SLOTS = ("quantity", "date", "doc_date", "deadline", "doc_number", "issuer", "responsible", "score")

_COUNT_CHARS = "一二三四五六七八九十两"

# Ordered: the first pattern that matches a part decides its slot.
_SLOT_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("doc_number", re.compile(r"文号|字号|发文号|(?:doc|document|reference|file) number", re.I)),
    (
        "score",
        re.compile(
            r"分值|多少分|几分|满分|权重|扣几分|扣多少|"
            r"how many points\s+(?:is|are|does|do|will|would|can|for|deducted|awarded)|\bpoints? (?:deducted|awarded|worth)|"
            r"\bscores?\b|\bweight",
            re.I,
        ),
    ),
    (
        "responsible",
        re.compile(
            r"牵头|责任单位|责任部门|负责单位|主管部门|主责|配合单位|由谁|由哪|谁(?:来)?负责|谁主管|"
            r"哪个部门负责|哪些部门负责|哪[个些家]单位负责|哪[个些]部门(?:来)?(?:落实|承担)|"
            r"哪个(?:单位|部门|机关|机构)(?!印发|发布|制定|起草|拟定|出台)|什么(?:单位|部门|机构)(?!印发|发布|制定)|设在哪|"
            r"哪些[\u4e00-\u9fff]{0,4}(?:单位|部门)(?:来)?(?:负责|牵头|参与|配合)|"
            r"\bresponsible\b|in charge|\bwho leads\b|\blead(?:s|ing)? (?:unit|department|agency)|which (?:department|unit|agency|body)",
            re.I,
        ),
    ),
    (
        "deadline",
        re.compile(
            r"完成时限|时限|期限|截止|(?:什么时候|何时|哪天|几月|哪个月|哪年)(?:之?前)?(?:要|需要|必须|应当?)?完成|"
            r"完成.{0,6}(?:什么时候|何时|哪天)|by when|deadline|when (?:must|should|will|is)[^?]*(?:complet|finish|done|due)",
            re.I,
        ),
    ),
    (
        "issuer",
        re.compile(
            r"哪个(?:单位|部门|机关)(?:印发|发布|制定|起草|拟定|出台)|谁(?:印发|发布|制定|起草|拟定)|"
            r"(?:印发|发布|制定|起草|拟定|发文)(?:单位|机关|部门|机构)|落款单位|发布机构|"
            r"(?:印发|发布|制定|起草|拟定|出台)(?:了)?(?:这份|该|本)?(?:文件|通知|意见|办法|条例|计划|方案|要点)?的?是(?:哪个|什么)?(?:单位|部门|机关)|"
            r"who (?:issued|drafted|published)|which (?:body|department|agency|unit|office) (?:issued|drafted|published)",
            re.I,
        ),
    ),
    (
        "doc_date",
        re.compile(
            r"(?:施行|生效|实施|印发|发布|成文|签发|落款|通过|修正|修订|出台)(?:的)?(?:日期|时间)|"
            r"(?:何时|什么时候|哪天|哪一天|几月几日|哪年)(?:起)?(?:开始)?(?:施行|生效|实施|印发|发布|签发|通过|修正|修订|出台)|"
            r"(?:施行|生效|印发|发布|签发|落款|通过|修正|修订|出台).{0,4}(?:何时|什么时候|哪天|哪一天|日期)|"
            r"when (?:was|were|is|did|does|will)[^?]*(?:issued|effect|adopted|published|signed|amended|revised)|"
            r"(?:effective|issue|publication|adoption) date",
            re.I,
        ),
    ),
    (
        "which_doc",
        re.compile(
            r"哪份|哪个文件|哪一份|哪部文件|什么文件|哪个城市|哪座城市|哪个区|哪几份|哪两份|哪些文件|"
            r"\bwhich (?:document|plan|file|city|district|regulation)s?\b",
            re.I,
        ),
    ),
    # "有哪些要求 / 采取什么措施": the content of a section, not a list of its headings.
    (
        "requirements",
        re.compile(
            r"(?:哪些|什么|哪几项|哪几条)(?:具体)?(?:要求|措施|举措|做法|规定|工作要求)|怎么做|如何做|怎样做"
        ),
    ),
    # "分为几个等次 / 包括几类": the count of a list is answered by listing it.
    (
        "counted_items",
        re.compile(
            r"(?:分|分为|分成|划分为|包括|包含|设|设置)几[个类种级档项大部]|几个(?:阶段|方面|部分|环节|等次|档次|层次|类别|步骤)|"
            r"几[类种级档](?!以上)"
        ),
    ),
    (
        "quantity",
        re.compile(
            r"多少|多大|多高|多长(?!时间)|多远|(?<!哪)几(?:个月|[个座处条项次名人万亿%天日年倍家辆户台套件米吨成批])|"
            r"几小时|几公里|比例|比率|百分之几|占比|多长时间|多久|"
            r"\bwhat\b(?:\s+[\w'-]+){0,7}?\s+(?:rate|share|percentage|budget|amount|fine|target|ratio|number|proportion)\b|"
            r"\btarget\b|"
            r"how (?:many|much|long|large|high|far)",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            r"哪天|哪一天|日期|什么时候|何时|什么时间|哪个月|几月|哪一年|哪年|\bwhen\b|\bdate\b|what year",
            re.I,
        ),
    ),
    (
        "items",
        re.compile(
            r"哪几(?![份个部]?(?:文件|份))|哪些|哪["
            + _COUNT_CHARS
            + r"\d]+[个项条方类大种级档部]|分别是|分别有|都有|"
            r"具体是|具体包括|(?:包括|包含)(?:什么|哪)|列出|逐一|有哪|"
            # How a whole is divided: 分为几个阶段 / 包括几大板块 / 几部分 / 几个环节
            r"几(?:个|大)?(?:方面|阶段|部分|环节|步骤|板块|层次|类别?|等次|档次?)|"
            r"["
            + _COUNT_CHARS
            + r"]\s*[个大项类条点种级档][^，。？?]{0,8}[”\"]?\s*(?:是什么|指什么|是指|内容)|"
            r"\bwhat are\b|\blist\b|\bwhich (?:are|were)\b|\bwhat (?:\w+ )?(?:categories|levels|grades|items|types|kinds|stages|parts)\b",
            re.I,
        ),
    ),
    (
        "requirements",
        re.compile(
            r"要求|措施|怎么做|如何|怎样|做法|举措|重点|主要任务|工作内容|有什么规定|怎么规定|规定了什么|怎么办|"
            r"what (?:measures|requirements|steps|rules)|how (?:should|will|to|does|do|is|are)",
            re.I,
        ),
    ),
)

# "X、Y、Z分别…多少": one value is asked for each named subject.
_SUBJECTS = re.compile(
    r"((?:[\u4e00-\u9fff“”\"]{2,12}[、和及与]){1,6}[\u4e00-\u9fff“”\"]{2,12})(?:分别|各自|各)"
)
_LISTED_NOUN = re.compile(
    r"(?:哪几|哪些|哪["
    + _COUNT_CHARS
    + r"\d]+)[个项类种大条家座处]?([\u4e00-\u9fff]{2,6}?)(?:的|是|有|分别|呢|？|\?|$)"
)
_PART_END = re.compile(r"[？?；;]+")
_CLAUSE = re.compile(r"[，,]")
_EN_PART = re.compile(r",?\s+and\s+(?=(?:what|how|when|who|which|where)\b)", re.I)
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
_BY_YEAR = re.compile(r"(?:到|至|截至|截止)\s*((?:19|20)\d{2})\s*年|(?<!\d)((?:19|20)\d{2})\s*年\s*(?:底|末)")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,})[”\"」』]")
_COUNTED = re.compile(
    r"(?:哪|是哪|这)?([" + _COUNT_CHARS + r"]|\d{1,2})\s*(?:大|项|个|类|方面|条|点|种|阶段|部分|级|档|等次)"
)
_COMPARE = re.compile(
    r"分别|各自|各(?:计划|用|是|有|提|要)|两地|哪几份|哪两份|哪些文件|都提到|都出现|有什么不同|有何不同|区别|异同|对比|比较|哪份更|"
    r"\bcompare\b|\bdiffer|\bboth\b|\beach\b|\bversus\b|\bvs\b",
    re.I,
)
# Questions about the document itself: its dates, number, issuer.
_ABOUT_DOCUMENT = re.compile(
    r"哪天|哪一天|日期|落款|印发|发文|文号|字号|哪个单位|什么单位|机构|出台|签发|施行|生效|起草|"
    r"when|date|issued|number|effect",
    re.I,
)
# What the question words themselves are: not content to match in a passage.
_QUESTION_WORDS = re.compile(
    r"多少|几|哪些|哪几|哪个|哪份|哪|什么|怎么|如何|怎样|是否|有没有|吗|呢|请问|分别|各自|具体|"
    r"是|的|了|要|有|在|中|对|和|与|及|为|把|被|由|谁|提出|规定|提到|关于|文件|"
    r"[？?。，,、：:；;！!“”\"'（）()《》\s]"
)


@dataclass(frozen=True)
class Part:
    """One sub-question: its words, the slot it asks for and, for figures, the asked unit."""

    text: str
    slot: str
    unit: str = ""  # quantity: the unit named after 多少 ('%' for shares), '' when none is named
    date_kind: str = ""  # doc_date: 施行 | 印发 | 成文 | 发布 | 通过 | 修正 | 修订 | ''
    subjects: tuple[str, ...] = ()  # "甲、乙各为几座": one value per subject
    noun: str = ""  # items: the kind of thing listed (哪几个街区 -> 街区)
    money: str = ""  # quantity in 元: 'fine' (罚多少) or 'fee' (交多少费用), which are not each other


@dataclass(frozen=True)
class Question:
    """Everything the rest of the pipeline knows about a question."""

    text: str  # the standalone question (after any follow-up rewrite)
    language: str  # zh | en
    parts: tuple[Part, ...]
    places: tuple[str, ...] = ()  # places named that some document covers
    years: tuple[int, ...] = ()
    by_year: tuple[int, ...] = ()  # years asked as a point reached: 到2026年底, 2026年底前
    doc_prior: dict = field(default_factory=dict)  # file -> how strongly the question points at it
    named_files: tuple[str, ...] = ()  # documents the question names, best first
    compare: bool = False
    about_document: bool = False  # asks about the document itself (date, 文号, issuer)
    quoted: tuple[str, ...] = ()  # quoted names (“五大专项治理”)
    count: int | None = None  # a counted name's count (哪五项 -> 5)
    # The question's content terms in the documents' language (Chinese terms for English).
    terms: tuple[str, ...] = ()
    # Set by the search: (file, section path) of the parent whose items are asked for.
    list_parent: tuple = ()

    @property
    def slots(self) -> tuple[str, ...]:
        return tuple(p.slot for p in self.parts)

    @property
    def wants_list(self) -> bool:
        return "items" in self.slots

    @property
    def which_doc(self) -> bool:
        return "which_doc" in self.slots

    def asks(self, *slots: str) -> bool:
        return any(p.slot in slots for p in self.parts)


def slot_of(text: str) -> str:
    """The slot one sub-question asks for (the first pattern in `_SLOT_PATTERNS` that matches)."""
    for slot, pattern in _SLOT_PATTERNS:
        if pattern.search(text):
            if slot == "counted_items":
                return "items"
            if slot == "items" and _SLOT_PATTERNS_BY_NAME["quantity"].search(text) and "分别" not in text:
                return "quantity"
            if slot == "deadline" and _ASKS_LENGTH.search(text) and not _ASKS_DEADLINE.search(text):
                return "quantity"  # 期限最长几年: the length of a period, not the day it ends
            return slot
    return "fact"


_SLOT_PATTERNS_BY_NAME = dict(_SLOT_PATTERNS)
_ASKS_LENGTH = re.compile(
    r"几年|几个月|几天|几日|几个?小时|多久|多长时间|多少年(?![底末初])|多少天|多少日|多少个?工作日|多少个?月|多少个?小时|"
    r"how long",
    re.I,
)
_ASKS_DEADLINE = re.compile(r"完成|截止|时限|之前|以前|by when|deadline", re.I)
# Which of the document's dates a question asks for, by the word it uses (实施 only as a verb:
# 实施意见 / 实施方案 are titles).
_DATE_KINDS = (
    ("落款", "成文"),
    ("签发", "成文"),
    ("成文", "成文"),
    ("印发", "印发"),
    ("出台", "印发"),
    ("发布", "发布"),
    ("施行", "施行"),
    ("生效", "施行"),
    ("起实施", "施行"),
    ("开始实施", "施行"),
    ("实施日期", "施行"),
    ("实施时间", "施行"),
    ("通过", "通过"),
    ("修正", "修正"),
    ("修订", "修订"),
)
_EN_DATE_KINDS = (
    ("effect", "施行"),
    ("adopt", "通过"),
    ("amend", "修正"),
    ("revis", "修订"),
    ("issu", "印发"),
)


def _date_kind(text: str) -> str:
    found = [(text.rfind(word), kind) for word, kind in _DATE_KINDS if word in text]
    if found:
        return max(found)[1]  # the word nearest the question word at the end
    lowered = text.lower()
    return next((kind for word, kind in _EN_DATE_KINDS if word in lowered), "")


def split_parts(text: str) -> list[str]:
    """The sub-questions of a question: pieces ending in ？ or ；, and clauses of one piece that each
    ask for a different slot ("由谁制定，何时起施行")."""
    pieces = [p.strip() for p in _PART_END.split(text) if p.strip(" ，,。.")]
    # "…, and what is …" / "… and how many …": an English question asking two things.
    pieces = [q.strip() for p in pieces for q in _EN_PART.split(p) if q.strip(" ,.")]
    parts = []
    for piece in pieces:
        clauses = [c for c in _CLAUSE.split(piece) if c.strip()]
        slotted = [(c, slot_of(c)) for c in clauses]
        asking = [c for c, s in slotted if s != "fact"]
        if len(asking) >= 2 and len({s for _, s in slotted if s != "fact"}) >= 2:
            # Clauses without a slot of their own (the shared subject) go with the next asking clause.
            pending = ""
            for clause, slot in slotted:
                if slot == "fact":
                    pending += clause + "，"
                    continue
                parts.append(pending + clause)
                pending = ""
            if pending:
                parts[-1] += "，" + pending.rstrip("，")
        else:
            parts.append(piece)
    return parts or [text.strip()]


def _part(text: str, asked_unit: Callable[[str], str]) -> Part:
    slot = slot_of(text)
    subjects = ()
    match = _SUBJECTS.search(text)
    if match and slot in ("quantity", "date", "deadline", "responsible", "score"):
        subjects = tuple(s.strip('“”"') for s in re.split(r"[、和及与]", match.group(1)) if s.strip('“”"'))
    noun = ""
    if slot == "items":
        listed = _LISTED_NOUN.search(text)
        noun = listed.group(1)[-2:] if listed else ""
    unit = asked_unit(text) if slot == "quantity" else ""
    return Part(
        text=text,
        slot=slot,
        noun=noun,
        unit=unit,
        money=_money_kind(text) if unit == "元" else "",
        date_kind=_date_kind(text) if slot == "doc_date" else "",
        subjects=subjects if len(subjects) >= 2 else (),
    )


_FINE = re.compile(r"罚|\bfined?\b|\bfines\b|\bpenalt", re.I)
_FEE = re.compile(r"费用|收费|缴|交多少|\bfees?\b|\bcharges?\b|\bcost", re.I)


def _money_kind(text: str) -> str:
    """'fine' for a penalty, 'fee' for a charge paid, '' for any other amount (补贴, 投资 …)."""
    if _FINE.search(text):
        return "fine"
    return "fee" if _FEE.search(text) else ""


def content_terms(tokens: Iterable[str]) -> tuple[str, ...]:
    """Tokens that carry the question's topic: not question words, punctuation or bare digits."""
    out = []
    for token in tokens:
        token = token.strip()
        if not token or token.isdigit() or _QUESTION_WORDS.fullmatch(token):
            continue
        out.append(token)
    return tuple(dict.fromkeys(out))


def understand(
    text: str,
    profiles: Sequence[DocumentProfile],
    terms: Callable[[str, str], Sequence[str]],
    asked_unit: Callable[[str], str],
) -> Question:
    """Analyse a standalone question once.

    `terms(text, language)` gives its content terms in the documents' language (the index's
    tokenizer, or dictionary translations for English); `asked_unit(text)` the unit a figure
    question names."""
    language = language_of(text)
    prior, named, places = document_prior(text, profiles)
    parts = tuple(_part(p, asked_unit) for p in split_parts(text))
    counted = _COUNTED.search(text)
    count = None
    if counted:
        token = counted.group(1)
        count = int(token) if token.isdigit() else chinese_to_int(token)
    return Question(
        text=text,
        language=language,
        parts=parts,
        places=places,
        years=tuple(sorted({int(y) for y in _YEAR.findall(text)})),
        by_year=tuple(sorted({int(a or b) for a, b in _BY_YEAR.findall(text)})),
        doc_prior=prior,
        named_files=named,
        compare=bool(_COMPARE.search(text)),
        about_document=bool(_ABOUT_DOCUMENT.search(text)),
        quoted=tuple(_QUOTED.findall(text)),
        count=count,
        terms=tuple(terms(text, language)),
    )
