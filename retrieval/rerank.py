"""Optional second-stage reranking of the top candidates (off by default).

Two real implementations, both offline:
- `llm`: the configured language model reads the question and the top passages once and lists
  the relevant ones best first (listwise; one call per question);
- `cross-encoder`: a sentence-transformers CrossEncoder from a local folder (e.g. a site's
  downloaded bge-reranker), scoring each (question, passage) pair.

Measured on a 20-question dev subset (see NOTES.md): keep it off unless a measurement on your
own documents says otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from policyqa.errors import SettingsError
from policyqa.records import Hit
from policyqa.settings import Settings

RERANKERS = ("none", "llm", "cross-encoder")


class Reranker(Protocol):
    name: str

    def rerank(self, question: str, hits: Sequence[Hit]) -> list[Hit]:
        """The same hits, best first."""


def merge_order(hits: Sequence[Hit], preferred: Sequence[int]) -> list[Hit]:
    """Hits at the `preferred` positions first (in that order), then the rest in their old order."""
    seen, out = set(), []
    for position in preferred:
        if 0 <= position < len(hits) and position not in seen:
            seen.add(position)
            out.append(hits[position])
    return out + [h for i, h in enumerate(hits) if i not in seen]


class LLMReranker:
    def __init__(self, llm, top_n: int = 6, chars: int = 220):
        self.llm = llm
        self.top_n = top_n
        self.chars = chars  # of each passage shown to the model: enough to judge, short enough to be quick
        self.name = f"llm:{getattr(llm, 'name', 'llm')}"

    def rerank(self, question: str, hits: Sequence[Hit]) -> list[Hit]:
        from retrieval.prompts import messages
        from retrieval.verify import without_instructions

        head = list(hits[: self.top_n])
        passages = "\n".join(
            f"[{n}] {h.chunk.section}\n{without_instructions(h.chunk.text)[: self.chars]}"
            for n, h in enumerate(head, 1)
        )
        reply = "".join(
            self.llm.stream(messages("rerank.zh", question=question, passages=passages), max_tokens=24)
        )
        order = [int(x) - 1 for x in re.findall(r"\d+", reply) if 1 <= int(x) <= len(head)]
        return merge_order(head, order) + list(hits[self.top_n :])


class CrossEncoderReranker:
    def __init__(self, model: str, top_n: int = 20):
        path = Path(model).expanduser()
        if not path.is_dir():
            raise SettingsError(
                f"reranker model {model!r} is not a local folder: download a cross-encoder once on a connected "
                "machine (e.g. BAAI/bge-reranker-base), copy the folder here and set POLICYQA_RERANKER_MODEL"
            )
        from sentence_transformers import CrossEncoder

        self._model = CrossEncoder(str(path), device="cpu", local_files_only=True)
        self.top_n = top_n
        self.name = f"cross-encoder:{path.name}"

    def rerank(self, question: str, hits: Sequence[Hit]) -> list[Hit]:
        head = list(hits[: self.top_n])
        scores = self._model.predict([(question, h.chunk.text) for h in head], show_progress_bar=False)
        order = sorted(range(len(head)), key=lambda i: -float(scores[i]))
        return merge_order(head, order) + list(hits[self.top_n :])


def make_reranker(settings: Settings, llm=None) -> Reranker | None:
    """The reranker `settings.reranker` names (None when off). The LLM one reuses `llm` if given."""
    if settings.reranker == "none":
        return None
    if settings.reranker == "cross-encoder":
        return CrossEncoderReranker(settings.reranker_model)
    if settings.reranker == "llm":
        if llm is None:
            from dataclasses import replace

            from retrieval.llm import make_llm

            llm = make_llm(replace(settings, llm="local" if settings.llm == "none" else settings.llm))
        return LLMReranker(llm)
    raise SettingsError(f"reranker must be one of {', '.join(RERANKERS)}, got {settings.reranker!r}")
