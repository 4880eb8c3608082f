"""Hybrid search: dense (FAISS) and keyword (BM25) scores fused, then shaped by what the question asks.

The scoring math lives in small pure functions (`scale_by_max`, `fuse`, `ranks`) so it can be tested and tuned
on the dev set; `Retriever` only wires the loaded index, the embedder and those functions.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from index import keyword, vector_index
from index.cjk import chinese_to_int, fold_width
from index.store import LoadedIndex
from policyqa.records import BODY, OUTLINE, Hit
from retrieval import figures
from retrieval.query import covered_chars, heading_words, profiles
from retrieval.question import Question, understand
from retrieval.translate import chinese_terms

FRONT_MATTER = ("header", "notice", "footer")
_QUOTED = re.compile(r"[“\"]([^”\"]{2,})[”\"]")


@dataclass(frozen=True)
class Weights:
    """Fusion weights, chosen by measurement on the dev set (see NOTES.md, `scripts/tune_fusion.py`)."""

    method: str = "weighted"  # weighted (max-scaled sum) | rrf
    dense: float = 2.0
    keyword: float = 0.7
    doc_prior: float = 0.35
    # Front matter (文件头, forwarding notice, 版记) answers only questions about the document itself.
    front_matter_penalty: float = 0.25
    # "What are the N items of …": a parent's outline passage is the answer.
    outline_boost: float = 0.25
    outline_penalty: float = 0.1
    english_prior_factor: float = 3.0
    dense_candidates: int = 200  # FAISS neighbours scored per query


def scale_by_max(values: np.ndarray) -> np.ndarray:
    """Divide by the largest value (zeros when nothing is positive).

    Unlike min-max scaling this keeps the dense cosine scores' narrow spread: dense similarity
    separates passages only gently, BM25 decides when the question's words are in the text."""
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else np.zeros_like(values)


def fuse(dense: np.ndarray, sparse: np.ndarray, prior: np.ndarray, weights: Weights) -> np.ndarray:
    """Dense and BM25 scores combined plus the document prior.

    `weighted`: max-scaled weighted sum; `rrf`: reciprocal-rank fusion (texts without a query word get no BM25 share)."""
    if weights.method == "rrf":
        return (
            weights.dense * rrf(dense)
            + weights.keyword * rrf(sparse) * (sparse > 0)
            + weights.doc_prior * prior
        )
    return (
        weights.dense * scale_by_max(dense)
        + weights.keyword * scale_by_max(sparse)
        + weights.doc_prior * prior
    )


def rrf(scores: np.ndarray, k: int = 60) -> np.ndarray:
    """Reciprocal-rank score (k + 1) / (k + rank): 1 for the best entry."""
    return (k + 1) / (k + ranks(scores))


def ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of each entry (1 = highest score)."""
    order = np.argsort(-scores, kind="stable")
    out = np.empty(len(scores), dtype=np.int64)
    out[order] = np.arange(1, len(scores) + 1)
    return out


def _rank_of(scores: np.ndarray, i: int) -> int:
    """1-based rank of entry i without sorting everything."""
    return int((scores > scores[i]).sum()) + 1


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n highest scores, best first (a partial sort: the corpus may hold millions)."""
    if len(scores) <= n:
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, n)[:n]
    return part[np.argsort(-scores[part], kind="stable")]


_BARE_ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇\d]+条")


class Retriever:
    """Searches one loaded index. Build once per process; `search` is the hot path."""

    def __init__(self, index: LoadedIndex, embedder, weights: Weights | None = None):
        self.index = index
        self.embedder = embedder
        self.weights = weights or Weights()
        self.chunks = index.chunks
        self.profiles = profiles(d.meta for d in index.documents.values())
        self.files = sorted(index.documents)
        position = {f: n for n, f in enumerate(self.files)}
        self._file_ids = np.array([position[c.file] for c in self.chunks], dtype=np.int64)
        kind_of = {}
        for file, stored in index.documents.items():
            stack = list(stored.sections)
            while stack:
                section = stack.pop()
                kind_of[(file, section.path)] = section.kind
                stack.extend(section.children)
        section_kind = [kind_of.get((c.file, c.section_path)) for c in self.chunks]
        self._front_matter = np.array([kind in FRONT_MATTER for kind in section_kind], dtype=bool)
        # Each document's first passage of a kind: its introduction ("preamble") for which-document
        # questions, its 文件头 block or web information list ("header") for 文号 questions.
        self._first_of_kind: dict[tuple[str, str], int] = {}
        for i, (c, kind) in enumerate(zip(self.chunks, section_kind, strict=True)):
            self._first_of_kind.setdefault((c.file, kind), i)
        self._is_outline = np.array([c.kind == OUTLINE for c in self.chunks], dtype=bool)
        # For "what are the N items" questions: each section's first passage, listed under its parent.
        self._outline_of: dict[tuple[str, tuple], int] = {}
        self._children: dict[tuple[str, tuple], list[int]] = defaultdict(list)
        seen_sections = set()
        for i, c in enumerate(self.chunks):
            key = (c.file, c.section_path)
            if c.kind == OUTLINE:
                self._outline_of.setdefault(key, i)
            if c.kind in (BODY, OUTLINE) and key not in seen_sections and len(c.section_path) > 1:
                seen_sections.add(key)
                self._children[(c.file, c.section_path[:-1])].append(i)

    def analyse(self, question: str) -> Question:
        """The question analysed once, with its content terms in the documents' language."""

        def terms(text: str, language: str) -> list[str]:
            if language == "en":
                return chinese_terms(text, self.index.bm25.vocab_dict)
            return keyword.tokenize(text)

        return understand(question, self.profiles, terms, figures.asked_unit)

    def term_weights(self, terms: list[str]) -> dict[str, float]:
        """Weight of each query term for picking answer sentences: rare terms count, corpus-wide words
        do not. A word no document uses (这项, 除了, or a thing the documents never mention) weighs 1:
        it matches no sentence, but still counts against a passage that claims to answer."""
        vocabulary = self.index.bm25.vocab_dict
        return {
            t: (keyword.idf(self.index.bm25, t) if t in vocabulary else 1.0) * (1.0 if len(t) > 1 else 0.3)
            for t in set(terms)
        }

    def scores(self, question: str, info: Question) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(fused, dense, keyword) scores of every chunk."""
        n = len(self.chunks)
        query_vector = self.embedder.query(fold_width(question))
        top, ids = vector_index.search(self.index.faiss, query_vector, min(self.weights.dense_candidates, n))
        dense = np.full(n, float(top[0][-1]) if len(top[0]) else 0.0, dtype=np.float32)
        valid = ids[0] >= 0
        dense[ids[0][valid]] = top[0][valid]
        extra = list(info.terms) if info.language == "en" else []
        sparse = keyword.scores(self.index.bm25, question, extra)
        prior_by_file = np.array([info.doc_prior.get(f, 0.0) for f in self.files], dtype=np.float32)
        prior = np.clip(prior_by_file, -1.0, None)[self._file_ids] if len(self.files) else np.zeros(n)
        if info.language == "en":
            # Dictionary terms for an English question are noisy; the places and years it names are not.
            prior = prior * self.weights.english_prior_factor
        fused = fuse(dense, sparse, prior, self.weights)
        if not info.about_document:
            fused = fused - self.weights.front_matter_penalty * self._front_matter
        return fused, dense, sparse

    def heading_coverage(self, info: Question, ids) -> dict[int, float]:
        """For the given chunks: how much of each one's own heading the question's words cover (0..1).

        A quoted name in the heading (“五大专项治理”) that the question repeats counts as full cover."""
        terms = [t for t in info.terms if len(t) >= 2]
        folded_question = keyword.fold(info.text)
        out = {}
        for i in ids:
            path = self.chunks[i].section_path
            if not path:
                out[i] = 0.0
                continue
            heading = heading_words(path[-1])
            if _BARE_ARTICLE.fullmatch(path[-1].strip()):
                # An article's heading is its number alone; its opening clause says what it is about.
                body = self.chunks[i].text.split("\n", 1)[0]
                heading = heading_words(
                    re.split(r"[，。：:；]", body.replace(path[-1], "", 1), maxsplit=1)[0]
                )
            if any(name in folded_question for name in _QUOTED.findall(heading)):
                out[i] = 1.0
                continue
            out[i] = min(1.0, covered_chars(heading, terms) / max(4.0, len(heading) / 2))
        return out

    def _list_parents(self, info: Question, candidates: list[int]) -> dict[int, float]:
        """Outline candidates whose own heading the question names better than any child's: id -> cover."""
        outlines = [i for i in candidates if self._is_outline[i]]
        out = {}
        for i in outlines:
            children = self._children.get((self.chunks[i].file, self.chunks[i].section_path), [])
            cover = self.heading_coverage(info, [i, *children])
            parent = cover.pop(i)
            if parent >= 0.3 and _count_matches(info.text, len(children), self.chunks[i].section_path[-1]):
                parent = 1.0  # "是哪五项" and the parent has exactly five items
            if parent >= 0.3 and parent > max(cover.values(), default=0.0):
                out[i] = parent
        return out

    def search(
        self, question: str | Question, k: int = 10, files: set[str] | None = None
    ) -> tuple[list[Hit], Question]:
        """The k best chunks for the question (restricted to `files` if given), best first.

        Returns the hits and the analysed question (with `list_parent` set when a list's parent
        section was found)."""
        info = question if isinstance(question, Question) else self.analyse(question)
        question = info.text
        if not self.chunks:
            return [], info
        fused, dense, sparse = self.scores(question, info)
        if files:
            allowed = np.array([c.file in files for c in self.chunks])
            fused = np.where(allowed, fused, -np.inf)
        # Shaping below looks only at the best candidates, so its cost does not grow with the corpus.
        candidates = [int(i) for i in _top(fused, max(100, k)) if np.isfinite(fused[i])]
        parents = self._list_parents(info, candidates) if info.wants_list or info.asks("requirements") else {}
        if not parents:
            # An outline repeats its children's opening lines; unless a list is asked for, the child itself is the better passage.
            for i in candidates:
                fused[i] -= self.weights.outline_penalty * self._is_outline[i]
        for i, cover in parents.items():
            fused[i] += self.weights.outline_boost * cover
        order = sorted(candidates, key=lambda i: -fused[i])
        if info.compare:
            order = _spread_over_documents(order, [self.chunks[i].file for i in order], info, fused)
        if parents:
            order, parent = self._expand_lists(order, parents)
            if parent is not None:
                info = replace(info, list_parent=(self.chunks[parent].file, self.chunks[parent].section_path))
        if info.asks("doc_number") and order:
            # "What is the 文号 of …": it stands in the named document's header, whatever the wording.
            target = info.named_files[0] if info.named_files else self.chunks[order[0]].file
            header = self._first_of_kind.get((target, "header"))
            if header is not None:
                order = [header] + [i for i in order if i != header]
        if info.which_doc and not info.compare and order:
            # "Which document …" (one of them): its own introduction is evidence of which one it is.
            intro = self._first_of_kind.get((self.chunks[order[0]].file, "preamble"))
            if intro is not None and intro not in order[:5]:
                order = [order[0], intro] + [i for i in order[1:] if i != intro]
        hits = [
            Hit(
                self.chunks[i],
                float(fused[i]),
                _rank_of(dense, i),
                _rank_of(sparse, i) if sparse[i] > 0 else None,
            )
            for i in order[:k]
        ]
        return hits, info

    def _expand_lists(self, order: list[int], parents: dict[int, float]) -> tuple[list[int], int | None]:
        """Put the named parent's items first, so every item of the list is retrieved.

        Returns the new order and the parent's outline chunk (None when no parent ranks near the top)."""
        for position, i in enumerate(order[:3]):
            # The named parent must lead the ranking, unless the question quotes its name exactly.
            if i not in parents or (position > 0 and parents[i] < 1.0):
                continue
            chunk = self.chunks[i]
            children = self._children.get((chunk.file, chunk.section_path), [])
            if len(children) < 2:
                continue
            if all((chunk.file, self.chunks[c].section_path) in self._outline_of for c in children):
                # Children are headings with items of their own: the outline lists them already.
                return order, i
            expanded = order[:position] + children + [i]
            return expanded + [j for j in order[position:] if j not in set(expanded)], i
        return order, None


_COUNT = re.compile(r"([一二三四五六七八九十两]|\d{1,2})\s*(?:大|项|个|类|方面|条|点|种|阶段|部分)")


def _count_matches(question: str, n_items: int, heading: str) -> bool:
    """The question names the section by its count ("推进五项建设" … "是哪五项") and the section has
    exactly that many items. The counted phrase must stand in the heading itself: "哪四大海绵型工程"
    is not about any section that happens to have four items, and a question quoting a name
    ("“四个一批”是哪四个") is about that name, not about "四、树牢“四个理念”"."""
    folded = keyword.fold(heading)
    quoted = [q for q in _QUOTED.findall(question) if q]
    if quoted and not any(keyword.fold(q) in folded for q in quoted):
        return False
    for match in _COUNT.finditer(question):
        token = match.group(1)
        count = int(token) if token.isdigit() else chinese_to_int(token)
        if count == n_items and keyword.fold(match.group(0)) in folded:
            return True
    return False


def _spread_over_documents(
    order: list[int], files: list[str], info: Question, fused: np.ndarray
) -> list[int]:
    """For comparisons: take the best chunk of each relevant document first, then the rest.

    Relevant documents are the ones the question names; without names, those whose best chunk
    scores close to the overall best.
    """
    best_of: dict[str, int] = {}
    for i, f in zip(order, files, strict=True):
        best_of.setdefault(f, i)
    if len(info.named_files) == 1:
        return order  # "分别" within one named document: nothing to spread
    top = fused[order[0]]
    if len(info.named_files) >= 2:
        wanted = [f for f in info.named_files if f in best_of and fused[best_of[f]] >= 0.6 * top]
    else:
        wanted = [f for f, i in best_of.items() if fused[i] >= 0.75 * top]
    head = [best_of[f] for f in wanted]
    head.sort(key=lambda i: -fused[i])
    return head + [i for i in order if i not in set(head)]
