"""One real answer from the local 0.5B GGUF model over two real passages, end to end.

Needs `bash scripts/setup_llm.sh 0.5b` (llama-cpp-python + the assembled model); skipped otherwise.
Run: .venv/bin/pytest tests/real/test_local_llm.py -m llm -s
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest

from policyqa.llm_setup import default_model_path
from policyqa.records import Chunk, Hit
from policyqa.settings import Settings
from retrieval.generate import generate_answer
from retrieval.llm import make_llm
from retrieval.verify import norm

pytestmark = pytest.mark.llm

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
MODEL = default_model_path("0.5b")
TASKS = "三、工作任务"
GROUP = "（一）全面实施精细化管理，推动城市品质再升级"


def _requirements() -> str:
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed (run: bash scripts/setup_llm.sh 0.5b)"
    if not MODEL.is_file():
        return f"{MODEL} is missing (run: bash scripts/setup_llm.sh 0.5b)"
    if not list(CORPUS.glob("000_*.txt")):
        return f"no corpus/000_*.txt under {CORPUS}"
    return ""


def _paragraph_chunk(path: Path, text: str, heading: str, n: int) -> Chunk:
    """The corpus paragraph that starts with `heading` (a run-in heading ending in 。), verbatim."""
    start = text.index(heading)
    end = text.index("\n", start)
    return Chunk(
        id=f"{path.name}#{n}",
        file=path.name,
        title="南京市2023年城市管理工作实施意见",
        section_path=(TASKS, GROUP, heading.rstrip("。")),
        start=start,
        end=end,
        text=text[start:end],
        embed_text=text[start:end],
    )


@pytest.mark.skipif(bool(_requirements()), reason=_requirements() or "ready")
def test_local_model_answers_with_verified_citations():
    path = next(CORPUS.glob("000_*.txt"))
    text = path.read_text(encoding="utf-8")
    chunks = [
        _paragraph_chunk(path, text, "3．强化市容市貌管理。", 0),
        _paragraph_chunk(path, text, "2．抓好精细化环卫保洁。", 1),
    ]
    llm = make_llm(Settings(llm="local", llm_model=str(MODEL)))
    loaded = time.perf_counter()
    first: list[float] = []

    def on_token(piece: str) -> None:
        if not first:
            first.append(time.perf_counter())

    answer = generate_answer(
        "南京2023年“门前三包”的履责率要达到多少？", [Hit(c, 1.0) for c in chunks], llm, on_token=on_token
    )
    total = time.perf_counter() - loaded
    print(f"\n0.5B: first token {first[0] - loaded:.1f}s, total {total:.1f}s")
    print(f"answer: {answer.text!r} refused={answer.refused} dropped={answer.dropped_claims}")

    assert first, "the model streamed nothing"
    assert answer.mode == "llm" and answer.text.strip()
    if answer.refused:
        assert not answer.citations
        return
    assert answer.citations
    corpus_text = norm(text)
    for citation in answer.citations:
        assert citation.file == path.name
        assert text[citation.start : citation.end] == citation.quote
        assert len(norm(citation.quote)) >= 8 and norm(citation.quote) in corpus_text
        assert citation.section_path[:2] == (TASKS, GROUP)
