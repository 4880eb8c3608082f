"""The one Answer -> dict function: each output keeps its exact shape and key order."""

from datetime import UTC, datetime

from policyqa.answer_json import answer_to_json
from policyqa.records import Answer, Chunk, Citation, Hit
from policyqa.web.api import API_CITATION_FIELDS, API_FIELDS
from policyqa.web.feedback import feedback_record

CHUNK = Chunk("a.txt#1", "a.txt", "甲市要点", ("一、目标", "1．保洁"), 5, 20, "主干道机扫率达到100%。", "x")
CITATION = Citation(
    1,
    "a.txt",
    "甲市要点",
    ("一、目标", "1．保洁"),
    "主干道机扫率达到100%。",
    5,
    20,
    doc_number="甲发〔2024〕1号",
)
ANSWER = Answer("机扫率？", "主干道机扫率达到100%。 [1]", (CITATION,), False, hits=(Hit(CHUNK, 0.12345678),))


def test_batch_contract_is_the_default():
    out = answer_to_json(ANSWER)
    assert list(out) == ["answer", "refused", "citations", "passages"]
    assert out["citations"] == [
        {"file": "a.txt", "section": "一、目标 > 1．保洁", "quote": "主干道机扫率达到100%。"}
    ]
    assert out["passages"] == [
        {
            "file": "a.txt",
            "section": "一、目标 > 1．保洁",
            "text": "主干道机扫率达到100%。",
            "score": 0.123457,
        }
    ]


def test_api_shape():
    out = answer_to_json(ANSWER, API_FIELDS, API_CITATION_FIELDS)
    assert list(out) == ["answer", "refused", "rewritten_question", "citations"]
    assert out["citations"] == [
        {
            "n": 1,
            "file": "a.txt",
            "title": "甲市要点",
            "doc_number": "甲发〔2024〕1号",
            "section": "一、目标 > 1．保洁",
            "quote": "主干道机扫率达到100%。",
            "start": 5,
            "end": 20,
        }
    ]


def test_feedback_shape():
    record = feedback_record(ANSWER, "down", " 不对 ", when=datetime(2024, 5, 1, tzinfo=UTC))
    assert list(record) == [
        "time",
        "rating",
        "comment",
        "question",
        "rewritten_question",
        "answer",
        "refused",
        "mode",
        "citations",
        "answer_id",
        "user",
    ]
    assert record["comment"] == "不对" and record["mode"] == "extractive"
    assert list(record["citations"][0]) == ["n", "file", "title", "section", "quote"]
