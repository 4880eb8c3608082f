"""The 指标 tab's plain functions (policyqa.web.targets_view), without a server, on invented documents."""

from __future__ import annotations

import csv

import pytest

from index import structure
from index.targets import extract_targets
from policyqa.ledger_export import COLUMNS
from policyqa.records import DocumentMeta, RawDocument
from policyqa.web import targets_view as tv

EAST = """丙市2024年市政管理工作要点

一、重点任务

1．厕所提升。全年新改建公厕18座，其中主城区不少于10座。（市城管局牵头，各区政府负责）

2．停车治理。新增共享泊位1200个。（市交通局负责）

3．立面整治。9月底前完成主干道立面整治。（市住建局负责）
"""

WEST = """丁县2025年城乡环境整治方案

一、工作目标

年度新改建公共厕所6座，生活垃圾分类覆盖率达到90%以上。

二、工作安排

（一）9月底前完成公厕选址。（县城管局负责）
（二）12月底前完成全部公厕建设。（县城管局、各乡镇负责）
"""


@pytest.fixture(scope="module")
def rows():
    out = []
    for file, text in (("east.txt", EAST), ("west.txt", WEST)):
        out.extend(extract_targets(structure.parse(RawDocument(file, text, "txt"))))
    return out


def test_the_ledger_view_searches_with_aliases_and_filters_by_file_and_kind(rows):
    toilets = tv.ledger_view(rows, "公厕")
    assert {r.file for r in toilets} == {"east.txt", "west.txt"}  # 公共厕所 found through the alias
    assert {"18座", "6座"} <= {r.value for r in toilets}
    assert {r.file for r in tv.ledger_view(rows, "", "west.txt")} == {"west.txt"}
    assert {r.kind for r in tv.ledger_view(rows, kind="task")} == {"task"}
    assert tv.ledger_view(rows, "公厕", "east.txt", "task") == [
        r for r in toilets if r.file == "east.txt" and r.kind == "task"
    ]
    assert tv.ledger_view(rows, "没有这个说法") == []


def test_sort_orders(rows):
    by_deadline = tv.ledger_view(rows, sort="截止日期（近的在前）")
    dated = [r.deadline for r in by_deadline if r.deadline]
    assert (
        dated
        and dated == sorted(dated)
        and by_deadline[: len(dated)] == [r for r in by_deadline if r.deadline]
    )
    numbers = [r.number for r in tv.ledger_view(rows, sort="数值（大的在前）") if r.number is not None]
    assert numbers[0] == 1200 and numbers == sorted(numbers, reverse=True)
    assert tv.ledger_view(rows, sort="文件顺序") == list(rows)


def test_count_line_and_table(rows):
    toilets = tv.ledger_view(rows, "公厕")
    assert tv.count_line(toilets) == f"共 {len(toilets)} 条，来自 2 份文件"
    assert tv.count_line(toilets, "“公厕”").startswith("“公厕”：共 ")
    assert "没有找到" in tv.count_line([])
    table = tv.ledger_table(toilets)
    assert [line[0] for line in table] == [str(i + 1) for i in range(len(toilets))]
    assert all(len(line) == len(tv.LEDGER_COLUMNS) for line in table)
    east = next(line for line in table if line[2] == "18座")
    assert (
        east[1] == "新改建公厕"
        and east[5] == "市城管局、各区政府"
        and east[6] == "《丙市2024年市政管理工作要点》"
    )
    assert east[7].startswith("一、重点任务")


def test_limit_and_due_text(rows):
    at_least = next(r for r in rows if r.value.startswith("10"))
    assert tv.limit_text(at_least) == " · ".join(p for p in (at_least.qualifier, at_least.scope) if p)
    assert "不少于" in tv.limit_text(at_least)
    facade = next(r for r in rows if "立面" in r.subject)
    assert tv.due_text(facade) == f"{facade.deadline}（9月底前）" and facade.deadline.endswith("-09-30")


def test_a_click_maps_back_through_the_serial_number(rows):
    view = tv.ledger_view(rows, "公厕")
    # the browser may have re-sorted the table: the row's own 序号 decides, not its position
    assert tv.picked(view, ["2", "whatever"]) is view[1]
    assert tv.picked(view, [1]) is view[0]
    for bad in (None, [], ["0"], [str(len(view) + 1)], ["序号"]):
        assert tv.picked(view, bad) is None
    ids = [view[1].id, "gone.txt#t1", view[0].id]
    assert tv.by_ids(rows, ids) == [view[1], view[0]]


def test_compare_puts_one_subject_side_by_side(rows):
    groups, flat = tv.compare_view(rows, "公厕")
    label, members = groups[0]
    assert {r.file for r in members} == {"east.txt", "west.txt"}  # 新改建公厕 and 新改建公共厕所 are one
    assert flat[: len(members)] == members
    page = tv.compare_html("公厕", groups)
    assert page.count("<th>《") == 2 and "18座" in page and "6座" in page
    assert f'<th scope="row">{label}</th>' in page
    east = next(r for r in members if r.file == "east.txt")  # a value opens its sentence in the viewer
    assert f'data-file="east.txt" data-start="{east.start}" data-end="{east.end}"' in page
    assert EAST[east.start : east.end] == east.sentence
    table = tv.compare_table(groups)
    assert [line[0] for line in table] == [str(i + 1) for i in range(len(flat))]
    assert table[0][1] == label
    assert tv.compare_view(rows, "  ") == ([], [])
    assert "输入或选择" in tv.compare_html("", [])
    assert "没有文件" in tv.compare_html("<b>无</b>", []) and "<b>" not in tv.compare_html("<b>无</b>", [])


def test_due_view_groups_a_month_by_responsible_unit(rows):
    assert tv.month_choices(rows) == sorted(tv.month_choices(rows))
    september = [m for m in tv.month_choices(rows) if m.endswith("-09")]
    assert september
    pairs, distinct = tv.due_view(rows, september[0])
    assert pairs and {r.deadline[:7] for _, r in pairs} == {september[0]}
    assert len(distinct) == len({r.id for _, r in pairs})
    table = tv.due_table(pairs)
    assert [line[0] for line in table] == [str(i + 1) for i in range(len(pairs))]
    assert {line[1] for line in table} <= {u for _, r in pairs for u in r.responsible} | {"未注明责任单位"}
    december = next(m for m in tv.month_choices(rows) if m.endswith("-12"))
    units = [unit for unit, _ in tv.due_view(rows, december)[0]]
    assert {"县城管局", "各乡镇"} <= set(units)  # a row naming two units is under each
    assert tv.due_view(rows, "") == ([], [])
    with pytest.raises(ValueError, match="YYYY-MM"):
        tv.due_view(rows, "九月")


def test_the_deadlines_view_opens_at_this_or_the_next_month_with_deadlines():
    from datetime import date

    months = ["2024-03", "2024-09", "2025-12"]
    assert tv.default_month(months, date(2024, 9, 15)) == "2024-09"
    assert tv.default_month(months, date(2024, 4, 1)) == "2024-09"
    assert tv.default_month(months, date(2026, 1, 1)) == "2025-12"  # all past: the latest
    assert tv.default_month([], date(2024, 1, 1)) is None


def test_choices_and_examples(rows):
    metas = {"east.txt": DocumentMeta(file="east.txt", title="丙市2024年市政管理工作要点")}
    choices = tv.doc_choices(rows, metas)
    assert choices[0] == ("全部文件", tv.ALL)
    assert {f for _, f in choices[1:]} == {"east.txt", "west.txt"}
    assert ("《丙市2024年市政管理工作要点》", "east.txt") in choices
    assert [k for _, k in tv.kind_choices()][:2] == [tv.ALL, "target"]
    assert tv.subject_examples(rows)[0] == "公厕"  # the subject both documents share


def test_export_writes_the_view_as_xlsx_and_csv(rows, tmp_path):
    from openpyxl import load_workbook

    view = tv.ledger_view(rows, "公厕")
    xlsx = tv.export_view(view, "Excel (XLSX)", tmp_path, "指标对比")
    assert xlsx.name.startswith("指标对比-") and xlsx.suffix == ".xlsx"
    sheet = load_workbook(xlsx).active
    lines = list(sheet.iter_rows(values_only=True))
    assert list(lines[0]) == list(COLUMNS) and len(lines) == len(view) + 1
    assert {line[0] for line in lines[1:]} == {r.subject for r in view}
    path = tv.export_view(view, "CSV", tmp_path)
    assert path.suffix == ".csv" and path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as f:
        read = list(csv.reader(f))
    assert read[0] == list(COLUMNS) and len(read) == len(view) + 1
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
