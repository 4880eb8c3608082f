"""Is the question answered by the corpus at all? Calibrated "not found" decisions.

Two kinds of unanswerable questions need two checks:
1. the question is about something no document covers (another city, a year no document
   covers): caught from the question and the documents' metadata;
2. the topic is there but the asked figure is not (a budget no document states): retrieval
   scores cannot see that, so we check the answer type — a question asking "how many / how much
   [unit]" needs a sentence in the best passages that mentions the question's subject *and* a
   number (with the asked unit, when one is named).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from index.keyword import fold, tokenize
from policyqa.records import Hit
from retrieval.query import QueryInfo, asked_types, pinyin, strip_admin_suffix
from retrieval.quotes import split_sentences

_CAPITALISED = re.compile(r"\b([A-Z][a-z]{2,})\b")
_UNIT_AFTER = re.compile(r"多少([\u4e00-\u9fff]{1,3})")
# Measure words and units a figure is stated in; what follows 多少 counts only if it is one of them.
_UNITS = (
    "平方米 立方米 平方公里 公里 公顷 亿元 万元 元 万 亿 个 座 处 条 项 次 名 人 家 辆 户 台 套 件 天 周 年 "
    "月 日 米 亩 吨 批 期 届 倍 栋 间 份 类 级 星 所 只 棵 株 盏 块 场 起 张".split()
)
# Asking for a share: the answer is a percentage (or 成 / 百分之).
_SHARE_WORDS = ("比例", "比率", "百分比", "占比")
_SHARE_FIGURE = re.compile(r"\d\s*[%％]|百分之|[一二三四五六七八九十]成")


def _asked_unit(question: str) -> str:
    """The unit a 多少 question names ('亿元', '个'), '%' for a share, or '' when none is named."""
    match = _UNIT_AFTER.search(question)
    if not match:
        return ""
    words = match.group(1)
    if words.startswith(_SHARE_WORDS) or any(w in question for w in _SHARE_WORDS):
        return "%"
    return next((u for u in _UNITS if words.startswith(u)), "")


def _states(sentence: str, unit: str) -> bool:
    """Whether a sentence states a figure in the asked unit."""
    if unit == "%":
        return bool(_SHARE_FIGURE.search(sentence))
    return bool(_DIGIT.search(sentence)) and (not unit or unit in sentence)


_DIGIT = re.compile(r"\d|[一二三四五六七八九十百千万]+[个座处条项次名]")


@functools.lru_cache(maxsize=1)
def _known_placespinyin() -> dict[str, str]:
    """pinyin -> place for jieba's dictionary place names (ns), to read place names in English questions."""
    import jieba.posseg

    out = {}
    for word, flag in jieba.posseg.dt.word_tag_tab.items():
        if flag == "ns" and 2 <= len(word) <= 3:
            out.setdefault(pinyin(word), word)
    return out


def foreign_places(question: str, corpus_text: str, covered_pinyin: set[str]) -> list[str]:
    """Places the question names (jieba place names, ns) that appear nowhere in the corpus."""
    import jieba.posseg

    found = []
    for word, flag in jieba.posseg.lcut(question):
        if flag == "ns" and len(word) >= 2 and strip_admin_suffix(word) not in corpus_text:
            found.append(word)
    known = None
    for word in _CAPITALISED.findall(question):
        key = word.lower()
        if key in covered_pinyin:
            continue
        known = known if known is not None else _known_placespinyin()
        place = known.get(key)
        if place and place not in corpus_text:
            found.append(word)
    return found


_EN_HEAD = re.compile(
    r"\b(?:how (?:many|much)|what is the|what was the|what are the)\s+((?:[\w'-]+\s+){0,4}?[\w'-]+?)"
    r"(?=\s+(?:are|is|does|do|did|will|would|has|have|had|was|were|should|can|to|in|of|for|per|under|on|at|by)\b|[?,.]|$)",
    re.I,
)


def english_head(question: str) -> str:
    """The noun phrase a 'how many X …' / 'what is the X per …' question counts, e.g. 'parking spaces'."""
    match = _EN_HEAD.search(question)
    return match.group(1).lower() if match else ""


def _counted_forms(head: str, corpus_text: str) -> list[str]:
    """Chinese forms of the counted thing: of its last two words as a dictionary phrase when the
    corpus uses that phrase (parking spaces -> 停车位), else of its last word."""
    from retrieval.translate import translations

    words = head.split()
    if len(words) >= 2:
        phrase = [t for t in translations(" ".join(words[-2:])) if len(t) > 1]
        if any(t in corpus_text for t in phrase):
            return phrase
    return [t for t in translations(words[-1]) if len(t) > 1] if words else []


def missing_english_figure(question: str, hits: Sequence[Hit], corpus_text: str, top_n: int = 3) -> str:
    """For an English quantity question: the counted thing (in Chinese) must stand beside a figure.

    If the dictionary knows the counted noun but none of its Chinese forms occurs anywhere in the
    corpus, the corpus cannot state the figure either."""
    head = english_head(question) if "quantity" in asked_types(question) else ""
    if not head:
        return ""
    forms = _counted_forms(head, corpus_text)
    if not forms:
        return ""  # the dictionary does not know the word: no evidence either way
    present = [t for t in forms if t in corpus_text]
    if not present:
        return f"no document mentions {head}"
    sentences = [s.text for hit in hits[:top_n] for s in split_sentences(hit.chunk)]
    talked_about = [t for t in present if any(t in s for s in sentences)]
    if not talked_about:
        # The best passages never name the counted thing: more likely a dictionary sense that
        # does not fit (compound -> 复合) than proof of absence. No evidence either way.
        return ""
    if any(re.search(r"\d", s) and any(t in s for t in talked_about) for s in sentences):
        return ""
    return f"the passages give no figure for {head}"


def missing_answer_type(
    question: str, info: QueryInfo, hits: Sequence[Hit], subject: Sequence[str] = (), top_n: int = 3
) -> str:
    """A reason when the question asks for a quantity that the best passages do not state, else ''.

    `subject` are the question's content terms in the documents' language (for an English
    question, its Chinese translations); by default the question's own tokens."""
    if "quantity" not in asked_types(question) or not hits:
        return ""
    unit = _asked_unit(question)
    subject = [t for t in (subject or tokenize(question)) if len(t) >= 2 and not t.isdigit()]
    if not subject:
        return ""
    supported = any(
        _states(sentence.text, unit) and any(t in fold(sentence.text) for t in subject)
        for hit in hits[:top_n]
        for sentence in split_sentences(hit.chunk)
    )
    if not supported:
        return (
            "相关段落中没有给出所问的数字"
            if info.language == "zh"
            else "the passages do not state that figure"
        )
    return ""
