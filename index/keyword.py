"""The keyword index: jieba tokens scored with BM25 (bm25s), built once at index time.

Saved by bm25s as plain `.npy`/`.json` files under `<index>/bm25/`; loaded once per process,
never rebuilt per query.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

from index.cjk import fold_width

# Tokens that carry no meaning for matching: punctuation, whitespace, lone particles.
_PUNCT = re.compile(r"^[\W_]+$")
_STOP = frozenset(
    "的 了 和 与 及 等 是 在 要 对 将 把 按 以 为 中 上 下 个 各 其 并 或 有 哪 什么 哪些 多少 如何 怎么 怎样 吗 呢 啊".split()
)


def fold(text: str) -> str:
    """Full-width ASCII to half-width and lower case: the form both index and queries are tokenised in."""
    # So 100％ matches 100%, （一） matches (一), Ａ matches a.
    return fold_width(text).lower()


@functools.lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens (words and their sub-words) of the folded text, minus noise."""
    jieba = _jieba()
    tokens = []
    for token in jieba.lcut_for_search(fold(text)):
        token = token.strip()
        if token and token not in _STOP and not _PUNCT.match(token):
            tokens.append(token)
    return tokens


def build(texts: list[str]):
    """A bm25s index over the texts (row i = chunk i)."""
    import bm25s

    model = bm25s.BM25()
    # create_empty_token keeps row numbers aligned even for a text with no tokens.
    model.index([tokenize(t) or [""] for t in texts], show_progress=False)
    return model


def save(model, folder: Path) -> None:
    model.save(str(folder), show_progress=False)


def load(folder: Path):
    import bm25s

    return bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)


def scores(model, query: str, extra_tokens: list[str] = ()) -> np.ndarray:
    """BM25 score of every indexed text for the query (zeros when no query token is known).

    `extra_tokens` are added as they are (e.g. Chinese terms found for an English question)."""
    vocab = model.vocab_dict
    tokens = [t for t in tokenize(query) + list(extra_tokens) if t in vocab]
    n_docs = int(model.scores["num_docs"])
    if not tokens:
        return np.zeros(n_docs, dtype=np.float32)
    return np.asarray(model.get_scores(tokens), dtype=np.float32)


def idf(model, token: str) -> float:
    """BM25 inverse document frequency of a token (an unknown token counts as never seen)."""
    n_docs = int(model.scores["num_docs"])
    column = model.vocab_dict.get(token)
    indptr = model.scores["indptr"]
    df = 0 if column is None else int(indptr[column + 1] - indptr[column])
    return float(np.log((n_docs - df + 0.5) / (df + 0.5) + 1.0))
