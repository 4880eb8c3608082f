"""The start page's examples: varied kinds made from the documents' own text, and only those
that answer with quoted content (not a refusal, not a bare heading) are shown."""

from policyqa.records import Answer, Citation, DocumentMeta, Section
from policyqa.web.examples import answers_with_content, candidates, example_set

A = "一、目标\n新改建公厕12座，主干道机扫率达到95%。推广“口袋驿站”模式。\n（一）加强环卫保洁\n落实门前责任。\n"
B = "一、任务\n新改建公厕7座。\n（一）提升绿化水平\n新增绿道3公里。\n"


def _docs():
    def doc(file, title, city, year, text):
        body = text.index("（一）")
        sections = (
            Section(
                "一、目标",
                1,
                (text[:4],),
                0,
                len(text),
                5,
                children=(
                    Section(
                        text[body : text.index("\n", body)], 2, (text[:4], "x"), body, len(text), body + 8
                    ),
                ),
            ),
        )
        return file, (DocumentMeta(file=file, title=title, city=city, years=(year,)), sections, text)

    return dict(
        [
            doc("a.txt", "甲市2031年工作要点", "甲市", 2031, A),
            doc("b.txt", "乙县2032年工作意见", "乙县", 2032, B),
        ]
    )


def test_candidates_cover_every_kind_from_the_documents_text():
    found = {(c.kind, c.question) for c in candidates(_docs())}
    assert ("figure", "甲市2031年新改建公厕多少座？") in found
    assert ("figure", "甲市2031年主干道机扫率要达到多少？") in found
    assert ("which", "哪份文件提到口袋驿站？") in found
    assert ("compare", "乙县2032年和甲市2031年分别新改建多少座公厕？") in found
    assert any(kind == "list" and "加强环卫保洁" in q for kind, q in found)


def _answer(quote, file="a.txt", refused=False):
    cites = () if quote is None else (Citation(1, file, "t", (), quote, 0, len(quote)),)
    return Answer("q", "a", cites, refused)


def test_only_examples_that_answer_with_content_are_kept():
    replies = {
        "甲市2031年新改建公厕多少座？": _answer(None, refused=True),  # a refusal
        "甲市2031年主干道机扫率要达到多少？": _answer("主干道机扫率达到95%。"),
        "哪份文件提到口袋驿站？": _answer("加强环卫保洁"),  # only a heading
    }
    asked = []

    def ask(question):
        asked.append(question)
        return replies.get(question, _answer("落实门前责任。", "b.txt"))

    shown = example_set(_docs(), ask)
    assert "甲市2031年主干道机扫率要达到多少？" in shown
    assert "甲市2031年新改建公厕多少座？" not in shown and "哪份文件提到口袋驿站？" not in shown
    assert set(shown) <= set(asked) and len(shown) == len(set(shown))


def test_a_comparison_must_cite_both_documents():
    docs = _docs()
    compare = next(c for c in candidates(docs) if c.kind == "compare")
    assert not answers_with_content(_answer("新改建公厕12座。"), compare, set())
    both = Answer(
        "q",
        "a",
        (
            Citation(1, "a.txt", "t", (), "新改建公厕12座。", 0, 9),
            Citation(2, "b.txt", "t", (), "新改建公厕7座。", 0, 8),
        ),
        False,
    )
    assert answers_with_content(both, compare, set())
