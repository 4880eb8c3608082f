"""The HTTP API over the real corpus and embedder: the OpenAI chat route on a loopback server."""

from __future__ import annotations

import _socket
import socket

import pytest

from tests.fast.http_helpers import free_port, running_server

pytestmark = pytest.mark.real


@pytest.fixture
def loopback_allowed(no_network, monkeypatch):
    """The real tier blocks every connection; a test's own server on 127.0.0.1 may be reached."""
    blocked = socket.socket.connect

    def loopback_only(self, address):
        if self.family == socket.AF_INET and address[0] == "127.0.0.1":
            return _socket.socket.connect(self, address)
        return blocked(self, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)


def test_chat_completions_answer_from_the_real_corpus(real_engine, real_settings, loopback_allowed):
    openai = pytest.importorskip("openai")
    settings = real_settings.with_changes(port=free_port())
    with running_server(settings, ui=False, opener=lambda progress: real_engine) as server:
        client = openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0)
        reply = client.chat.completions.create(
            model="policyqa", messages=[{"role": "user", "content": "主干道机扫率主城区要达到多少？"}]
        )
    assert "100%" in reply.choices[0].message.content
    assert reply.model_extra["refused"] is False
    assert any(
        ref["file"].startswith("000_") and "抓好精细化环卫保洁" in ref["section"]
        for ref in reply.model_extra["references"]
    )


def test_dify_retrieval_returns_the_gold_passages_of_dev_questions(
    real_engine, real_settings, loopback_allowed
):
    """A Dify workspace using policyqa as its external knowledge base gets the passage each of three
    dev questions is answered from (the first three single-source questions of the gold set)."""
    import json

    import httpx

    from tests.conftest import GOLD

    if not GOLD.exists():
        pytest.skip(f"gold set {GOLD} not present (it lives in ../shared/eval)")
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    single = [g for g in gold if len(g["sources"]) == 1][:3]
    assert len(single) == 3
    settings = real_settings.with_changes(port=free_port())
    squash = "".join
    with running_server(settings, ui=False, opener=lambda progress: real_engine) as server:
        for g in single:
            body = {
                "knowledge_id": "policyqa",
                "query": g["question"],
                "retrieval_setting": {"top_k": 5, "score_threshold": 0.0},
            }
            reply = httpx.post(server.url + "/retrieval", json=body, timeout=60)
            assert reply.status_code == 200, reply.text
            records = reply.json()["records"]
            quote = squash(g["sources"][0]["quote"].split())
            assert any(quote in squash(r["content"].split()) for r in records), (g["id"], g["question"])
