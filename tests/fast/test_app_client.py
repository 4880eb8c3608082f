"""The running app, called through gradio_client: an answer with citations over the /ask endpoint."""

import socket

import pytest

from policyqa.settings import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def running_app(fake_settings: Settings, tmp_path):
    import app
    from retrieval.pipeline import Engine

    settings = fake_settings.with_changes(port=_free_port(), feedback_log=tmp_path / "feedback.jsonl")
    engine, _ = Engine.open(settings)
    demo = app.build_app(engine, settings)
    _, url, _ = app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    try:
        yield url, demo
    finally:
        demo.close()


def test_ask_endpoint_answers_with_citations(running_app):
    from gradio_client import Client

    url, demo = running_app
    client = Client(url, verbose=False)
    result = client.predict("主干道机扫率要达到多少？", None, api_name="/ask")
    assert not result["refused"] and "100%" in result["answer"]
    cited = result["citations"][0]
    assert cited["file"] == "a.txt" and cited["title"] == "甲市2024年城市管理工作要点"
    assert cited["section"].endswith("1．提升道路保洁")
    text = (demo.library.settings.corpus / "a.txt").read_text(encoding="utf-8")
    assert text[cited["start"] : cited["end"]] == cited["quote"]

    # restricted to the other document, the figure is not found there
    other = client.predict("主干道机扫率要达到多少？", ["乙县"], api_name="/ask")
    assert "100%" not in other["answer"]
    assert other["citations"] and all(c["file"] == "b.txt" for c in other["citations"])


def test_streamed_yields_growing_text_then_the_answer():
    from policyqa.web import chat_tab

    class StubEngine:
        def ask(self, question, history=(), files=None, on_token=None):
            for piece in ("主干道", "机扫率", "100%。"):
                on_token(piece)
            return f"answer to {question}"

    steps = list(chat_tab._streamed(StubEngine(), "q", [], None))
    assert [text for text, _ in steps[:-1]] == ["主干道", "主干道机扫率", "主干道机扫率100%。"]
    assert steps[-1] == ("", "answer to q")


def test_streamed_reraises_engine_errors():
    from policyqa.errors import LLMError
    from policyqa.web import chat_tab

    class Failing:
        def ask(self, *args, **kwargs):
            raise LLMError("the local model refused the prompt")

    with pytest.raises(LLMError, match="refused"):
        list(chat_tab._streamed(Failing(), "q", [], None))
