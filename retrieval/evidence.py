"""Is the question answered by the corpus at all? Calibrated "not found" decisions.

Checks made before any answer plan runs:
1. the question is about a place no document covers: caught from the question and the corpus;
2. an English "how many X" whose counted thing the best passages name but never beside a figure.
Whether the asked slot itself is stated (a figure for the asked year and subject, a 文号 …) is
decided by the answer plans (`retrieval/plans.py`), which read the supporting clause.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from policyqa.records import Hit
from retrieval.places import strip_admin_suffix
from retrieval.question import Question
from retrieval.quotes import split_sentences

_CAPITALISED = re.compile(r"\b([A-Z][a-z]{2,})\b")


def foreign_places(question: str, corpus_text: str, covered_pinyin: set[str]) -> list[str]:
    """Places the question names (administrative names or words standing where a place stands,
    `retrieval/places.py`) that appear nowhere in the corpus."""
    from retrieval import places

    found = [p for p in places.question_places(question) if strip_admin_suffix(p) not in corpus_text]
    for word in _CAPITALISED.findall(question):
        if word.lower() in covered_pinyin:
            continue
        found += [p for p in places.english_places(word) if strip_admin_suffix(p) not in corpus_text][:1]
    return list(dict.fromkeys(found))


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


def missing_english_figure(question: Question, hits: Sequence[Hit], corpus_text: str, top_n: int = 3) -> str:
    """For an English quantity question: the counted thing (in Chinese) must stand beside a figure.

    If the dictionary knows the counted noun but none of its Chinese forms occurs anywhere in the
    corpus, the corpus cannot state the figure either."""
    head = english_head(question.text) if question.asks("quantity") else ""
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
