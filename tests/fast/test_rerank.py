import pytest

from index import build
from policyqa.errors import SettingsError
from retrieval.llm import FakeLLM
from retrieval.pipeline import Engine
from retrieval.rerank import CrossEncoderReranker, LLMReranker, make_reranker, merge_order


def test_merge_order_puts_preferred_first_and_keeps_the_rest():
    assert merge_order(["a", "b", "c", "d"], [2, 0, 9, 2]) == ["c", "a", "b", "d"]


def test_llm_reranker_follows_the_model_and_keeps_every_hit(fake_settings):
    engine = Engine(fake_settings, build.update(fake_settings).index)
    hits, _ = engine.retriever.search("公厕新改建多少座", k=10)
    reranked = LLMReranker(FakeLLM("3 1"), top_n=4).rerank("公厕新改建多少座", hits)
    assert [h.chunk.id for h in reranked[:2]] == [hits[2].chunk.id, hits[0].chunk.id]
    assert sorted(h.chunk.id for h in reranked) == sorted(h.chunk.id for h in hits)


def test_engine_uses_the_configured_reranker(fake_settings):
    settings = fake_settings.with_changes(reranker="llm", llm="fake")
    engine = Engine(settings, build.update(settings).index, llm=FakeLLM("2"))
    assert isinstance(engine.reranker, LLMReranker)
    assert make_reranker(fake_settings) is None


def test_cross_encoder_needs_a_local_folder():
    with pytest.raises(SettingsError, match="local folder"):
        CrossEncoderReranker("BAAI/bge-reranker-base")


def test_llm_refusal_on_an_answerable_question_falls_back_to_quotes(fake_settings):
    settings = fake_settings.with_changes(llm="fake")
    engine = Engine(settings, build.update(settings).index, llm=FakeLLM("文件中未找到相关内容"))
    answer = engine.ask("甲市公厕新改建多少座？")
    assert not answer.refused and "20座" in answer.text
    assert answer.notes and answer.citations
    # A question the documents do not answer is still refused before the model is asked.
    assert engine.ask("北京市2023年城市管理经费预算是多少亿元？").refused
