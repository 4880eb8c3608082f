"""Answers from the targets ledger, one kind of question at a time, on invented documents (庚水市,
辛桥市, 壬山县): which documents set a figure, one figure per compared document, and what is due
before a date. Each rule is tested on its own function and through `Engine.ask`."""

from __future__ import annotations

import pytest

from retrieval.ledger_plans import due_before, side_by_side, which_documents_with, year_by_year
from retrieval.plan_records import Context
from tests.fast.test_plans import _engine

GENGSHUI = """庚水市人民政府办公室关于开展2024年街容街貌集中提升行动的通知

庚水政办发〔2024〕5号

一、行动目标

到2024年底，全市新改建公厕26座，建成口袋公园12个，生活垃圾回收利用率达到42%。

二、主要任务

（一）公厕建设。新改建公厕26座，其中新建10座。

（二）口袋公园建设。利用边角地建成口袋公园12个。

三、工作要求

各区于5月10日前报送实施方案。制定街巷保洁作业规范，6月底前报市政府审定。

庚水市人民政府办公室
2024年3月1日

附件

庚水市街容街貌集中提升行动任务分工表

序号\t工作任务\t牵头单位\t完成时限
1\t街巷照明设施改造\t市城市管理局\t2024年6月30日前
2\t建成口袋公园12个\t市园林局\t2024年9月30日前
3\t行动总结评估\t市城市管理局\t2024年12月15日前
"""

XINQIAO = """辛桥市城市面貌提升三年行动计划（2025—2027年）

一、总体目标

到2025年底，新改建公厕50座，生活垃圾回收利用率达到39%。

到2027年底，累计新改建公厕150座，建成口袋公园90个，生活垃圾回收利用率达到46%。

二、重点任务

（一）公厕提档。三年累计新改建公厕150座。

（二）智慧平台。2025年底前建成市级城市运行管理服务平台。
"""

RENSHAN = """壬山县河道保洁工作方案

一、工作内容

全县河道保洁实行网格化管理，每条河道明确一名河道保洁员，河道保洁覆盖率达到55%。
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return _engine(
        tmp_path_factory.mktemp("ledger"),
        {"gengshui.txt": GENGSHUI, "xinqiao.txt": XINQIAO, "renshan.txt": RENSHAN},
    )


def _ctx(engine, question: str) -> Context:
    """The context a plan sees for a question (no retrieved passages: the ledger plans read rows)."""
    q = engine.retriever.analyse(question)
    weights = engine.retriever.term_weights(q.terms)
    return Context(q, [], engine.documents, weights, engine.chunks_of, targets=engine.index.targets)


def _files(found) -> list[str]:
    return [block.picks[0].chunk.file for block in found.blocks]


# --- which_documents_with: every document with a row for the subject (and the named value) --------


def test_every_document_with_a_row_for_the_subject_is_named(engine):
    ctx = _ctx(engine, "哪几份文件提出了口袋公园的建设目标？")
    found = which_documents_with(ctx, ctx.question.parts[0])
    assert found is not None
    assert sorted(_files(found)) == ["gengshui.txt", "xinqiao.txt"]
    assert any("庚水" in lead for lead, _ in found.leads)


def test_a_named_value_picks_the_document_that_states_it(engine):
    ctx = _ctx(engine, "哪份文件要求生活垃圾回收利用率达到46%？")
    found = which_documents_with(ctx, ctx.question.parts[0])
    assert found is not None and _files(found) == ["xinqiao.txt"]
    quote = found.blocks[0].picks[0].sentence
    assert "46%" in quote.text
    assert XINQIAO[quote.start : quote.end] == quote.text  # cited verbatim, at its place in the file


def test_a_value_no_row_states_but_a_document_writes_is_left_to_retrieval(engine):
    # 55% stands in a document (of another subject): the ledger does not claim nobody sets it.
    ctx = _ctx(engine, "哪份文件要求生活垃圾回收利用率达到55%？")
    assert which_documents_with(ctx, ctx.question.parts[0]) is None


def test_a_figure_no_document_writes_for_a_subject_with_rows_is_refused(engine):
    answer = engine.ask("哪份文件提出口袋公园要建成300个？")
    assert answer.refused
    assert "12个" in answer.text  # what the documents do set for it
    ctx = _ctx(engine, "哪份文件要求生活垃圾回收利用率达到60%？")
    found = which_documents_with(ctx, ctx.question.parts[0])
    assert found.missing and not found.blocks
    assert any("46%" in p.sentence.text for block in found.said for p in block.picks)


def test_a_subject_no_row_is_about_is_left_to_retrieval(engine):
    ctx = _ctx(engine, "哪份文件提出了河道保洁员的数量目标？")
    assert which_documents_with(ctx, ctx.question.parts[0]) is None


# --- side_by_side: one row per compared document ---------------------------------------------------


def test_compared_documents_get_one_row_each(engine):
    ctx = _ctx(engine, "庚水和辛桥分别计划新改建多少座公厕？")
    found = side_by_side(ctx, ctx.question.parts[0])
    assert found is not None
    assert _files(found) == list(ctx.question.named_files)
    leads = dict(zip(_files(found), (lead for lead, _ in found.leads), strict=True))
    assert "26座" in leads["gengshui.txt"]
    # A multi-year plan's whole-period figure, not an interim year's.
    assert "150座" in leads["xinqiao.txt"]


def test_a_comparison_is_left_to_retrieval_when_a_named_document_has_no_row(engine):
    ctx = _ctx(engine, "庚水和壬山分别计划新改建多少座公厕？")
    assert side_by_side(ctx, ctx.question.parts[0]) is None


def test_one_row_per_asked_year_of_one_document(engine):
    ctx = _ctx(engine, "辛桥三年行动计划的生活垃圾回收利用率2025年和2027年分别要达到多少？")
    found = year_by_year(ctx, ctx.question.parts[0])
    assert [lead for lead, _ in found.leads] == [
        "2025年底：生活垃圾回收利用率达到39%",
        "2027年底：生活垃圾回收利用率达到46%",
    ]


def test_a_year_without_a_row_leaves_the_comparison_to_retrieval(engine):
    ctx = _ctx(engine, "辛桥三年行动计划的生活垃圾回收利用率2025年和2026年分别要达到多少？")
    assert year_by_year(ctx, ctx.question.parts[0]) is None


# --- due_before: rows due on or before the asked date ---------------------------------------------


def test_rows_due_by_the_asked_date_are_listed_earliest_first(engine):
    ctx = _ctx(engine, "庚水提升行动6月底前要完成哪些任务？")
    found = due_before(ctx, ctx.question.parts[0])
    assert found is not None
    leads = [lead for lead, _ in found.leads]
    assert leads[0].startswith("各区于5月10日前报送实施方案")
    assert any("街巷照明设施改造" in lead for lead in leads)
    # A short clause holding the deadline is led with the clause before it, which names the thing.
    assert "制定街巷保洁作业规范，6月底前报市政府审定" in leads
    assert not any("口袋公园" in lead or "总结评估" in lead for lead in leads)


def test_a_year_end_deadline_in_a_multi_year_plan(engine):
    ctx = _ctx(engine, "辛桥三年行动计划2025年底前要完成哪些任务？")
    found = due_before(ctx, ctx.question.parts[0])
    text = " ".join(lead for lead, _ in found.leads)
    assert "市级城市运行管理服务平台" in text and "新改建公厕50座" in text
    assert "150座" not in text


def test_nothing_due_that_early_is_refused_with_the_earliest_deadlines(engine):
    answer = engine.ask("庚水提升行动2024年4月底前要完成哪些任务？")
    assert answer.refused
    assert "5月10日前" in answer.text
