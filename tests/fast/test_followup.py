"""Follow-up rewriting: only incomplete questions change; standalone ones stay as asked."""

import pytest

from policyqa.records import DocumentMeta
from retrieval.followup import content_chars, is_incomplete, rewrite

DOCS = [
    DocumentMeta(file="a.txt", title="澜江市2023年城市管理工作要点", city="澜江市"),
    DocumentMeta(file="b.txt", title="桐溪市城市管理三年行动计划", city="桐溪市"),
]
PREVIOUS_Q = "澜江2023年主干道机扫率要达到多少？"
CITED = "《澜江市2023年城市管理工作要点》 二、重点任务 > 3．提升道路保洁水平：\n…"
WITH_SECTION = [(PREVIOUS_Q, CITED)]
PLAIN = [(PREVIOUS_Q, "机扫率达到95%以上。")]


@pytest.mark.parametrize(
    "question",
    [
        "哪份文件提到潮汐公厕？",  # a "which document" question stands alone
        "哪个城市提出了夜间施工审批？",
        "其他城市怎么做？",
        "桐溪2025年新增多少公厕？",  # names its own place and year
        "桐溪市新增多少公厕？",
        "2025年新增多少公厕？",
        "生活垃圾分类覆盖率要达到多少？",  # ≥ 8 content characters: its own topic
        "建筑垃圾资源化利用率目标是多少？",
        "What about the budget?",
    ],
)
def test_standalone_questions_stay_unchanged(question):
    assert not is_incomplete(question)
    assert rewrite(question, WITH_SECTION, DOCS) == question
    assert rewrite(question, PLAIN, DOCS) == question


@pytest.mark.parametrize(
    ("question", "history", "expected"),
    [
        # switches: the previous question with the place / year swapped
        ("那桐溪呢？", PLAIN, "桐溪2023年主干道机扫率要达到多少？"),
        ("桐溪呢", PLAIN, "桐溪2023年主干道机扫率要达到多少？"),
        ("那2024年呢？", PLAIN, "澜江2024年主干道机扫率要达到多少？"),
        ("那人行道呢？", PLAIN, "澜江2023年人行道要达到多少？"),
        # pointers: the cited section, else the previous subject
        ("这一条由哪个部门负责？", WITH_SECTION, "澜江2023年“提升道路保洁水平”由哪个部门负责？"),
        ("该项由谁牵头？", WITH_SECTION, "澜江2023年“提升道路保洁水平”由谁牵头？"),
        ("它由谁负责？", PLAIN, "澜江2023年主干道机扫率由谁负责？"),
        ("上述目标什么时候完成？", PLAIN, "澜江2023年主干道机扫率目标什么时候完成？"),
        ("该市的文号是什么？", PLAIN, "澜江市的文号是什么？"),
        ("这份文件的文号是什么？", PLAIN, "澜江2023年文件的文号是什么？"),
        # elided subjects: the previous subject in front
        ("什么时候完成？", PLAIN, "澜江2023年主干道机扫率什么时候完成？"),
        ("由谁负责？", PLAIN, "澜江2023年主干道机扫率由谁负责？"),
        ("标准是什么？", PLAIN, "澜江2023年主干道机扫率标准是什么？"),
        ("有没有罚款？", PLAIN, "澜江2023年主干道机扫率有没有罚款？"),
        # short, with a topic but no place or year: the previous place and year
        ("新增多少公厕？", PLAIN, "澜江2023年新增多少公厕？"),
    ],
)
def test_incomplete_questions_are_rewritten(question, history, expected):
    assert is_incomplete(question)
    assert rewrite(question, history, DOCS) == expected


def test_no_history_no_rewrite():
    assert rewrite("什么时候完成？", [], DOCS) == "什么时候完成？"


def test_places_outside_the_documents_count_as_the_questions_own():
    # 南京 is no document's city, but it is a place: never add 澜江 to it.
    assert rewrite("南京新增多少公厕？", PLAIN, DOCS) == "南京新增多少公厕？"
    assert rewrite("那南京呢？", PLAIN, DOCS) == "南京2023年主干道机扫率要达到多少？"


@pytest.mark.parametrize(
    ("question", "chars"),
    [
        ("什么时候完成？", 0),
        ("由谁负责？", 0),
        ("有没有罚款？", 0),
        ("新增多少公厕？", 4),
        ("哪份文件提到潮汐公厕？", 8),
    ],
)
def test_content_chars(question, chars):
    assert content_chars(question) == chars
