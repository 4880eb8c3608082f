"""Ledger rows for known targets of the five real corpus documents (no model needed: the documents
are parsed and their targets extracted as the index build does)."""

from __future__ import annotations

import functools

import pytest

from index import load, structure
from index.targets import extract_targets
from policyqa.records import Target
from tests.conftest import REAL_CORPUS

pytestmark = pytest.mark.real


@functools.cache
def _rows(prefix: str) -> tuple[Target, ...]:
    path = next(REAL_CORPUS.glob(f"{prefix}_*.txt"))
    document = structure.parse(load.read_document(path, REAL_CORPUS))
    rows = extract_targets(document)
    assert all(document.text[r.start : r.end] == r.sentence for r in rows)
    return rows


def _row(prefix: str, value: str, subject: str) -> Target:
    found = [r for r in _rows(prefix) if r.value == value and r.subject == subject]
    assert len(found) == 1, [(r.subject, r.value) for r in _rows(prefix) if r.value == value]
    return found[0]


def test_nanjing_2023_targets_with_scope_and_the_task_tables_units():
    suburbs = _row("000", "98%以上", "主干道机扫率")
    assert (suburbs.scope, suburbs.qualifier, suburbs.year) == ("郊园区", "以上", 2023)
    toilets = _row("000", "33座", "新改建城乡公厕")
    # 责任单位 from the 任务分解落实表 row naming the section's heading (推进“厕所革命”)
    assert toilets.responsible == ("市城管局", "市城建集团", "江北新区", "各区（园区）")
    assert toilets.doc_number == "宁政办发〔2023〕3号" and toilets.city == "南京"
    assert _row("000", "1万个", "新增共享泊位").number == 10000.0
    assert _row("000", "零增长", "新增违建").kind == "target"
    assert _row("000", "500万立方米", "江宁区消纳主城渣土").qualifier == "不少于"


def test_gulou_2021_few_figures_and_no_slogans():
    assert _row("001", "40%", "小区亭房建设").district == "鼓楼区"
    assert _row("001", "零增长", "新生违建").section_path[-1].startswith("四是突出智慧支撑")
    values = {r.value for r in _rows("001")}
    assert not values & {"3个", "一个", "1个"}  # 3个环节, “1个岗位”: how the work is organised


def test_haian_2020_counts_and_rates():
    assert _row("002", "20起", "惩戒对象").scope == "各区镇"
    assert _row("002", "135个", "老旧小区“蜘蛛网”整治工程").year == 2020
    assert _row("002", "100%", "执法人员持证率").kind == "target"


def test_nanjing_three_year_plan_inline_responsible_notes():
    trails = _row("003", "300公里以上", "绿道")
    assert trails.responsible[:2] == ("市绿化园林局", "建委") and trails.period == "2021—2023年"
    assert _row("003", "50处以上", "“梧桐语”小型城市客厅").scope == "全市"


def test_wuxi_2025_deadlines_in_the_document_year():
    platform = next(r for r in _rows("004") if r.kind == "task" and r.deadline_text == "9月底前")
    assert platform.deadline == "2025-09-30" and "装修垃圾预约APP" in platform.subject
    plan = next(r for r in _rows("004") if r.kind == "task" and r.deadline_text == "6月底前")
    assert plan.deadline == "2025-06-30" and plan.subject.startswith("制定市容环卫突发事件应急预案")
    assert _row("004", "22%", "家庭厨余垃圾分出率").qualifier == "力争不低于"
    assert _row("004", "20座", "新改建公厕").title == "2025年城市管理工作要点"
