"""Queries over the targets ledger, its exports and `policyqa targets`, on invented documents."""

from __future__ import annotations

import csv
import json

import pytest

from index import structure
from index.targets import extract_targets
from policyqa import cli, ledger_export
from policyqa.records import RawDocument
from retrieval.ledger import compare, due_in, filter_targets, subject_key

CITY_A = """辛市2024年城市管理工作要点

一、重点任务

1．推进厕所建设。全年新改建公厕25座。（市城管局牵头，各区政府负责）

2．提升停车服务。新增停车泊位3000个，6月底前上线停车导航平台。（市交通局牵头）

3．治理违建。拆除违法建设不少于20万平方米。
"""

CITY_B = """壬市人民政府办公室文件
壬政办发〔2023〕5号

壬市2023年市容工作方案

一、工作目标

年度新改建公共厕所40座，主次干道机扫率达到95%以上。

二、工作安排

（一）6月底前完成公厕选址。（市城管局负责）
（二）11月底前完成全部建设任务。（各区政府负责）
"""


@pytest.fixture
def rows():
    out = []
    for file, text in (("a.txt", CITY_A), ("b.txt", CITY_B)):
        out.extend(extract_targets(structure.parse(RawDocument(file, text, "txt"))))
    return out


def test_search_matches_subject_sentence_and_aliases(rows):
    toilets = filter_targets(rows, search="公厕")
    assert {r.value for r in toilets if r.kind == "target" and "厕" in r.subject} == {
        "25座",
        "40座",
    }  # 公共厕所 through the alias
    assert {r.file for r in filter_targets(rows, search="市交通局")} == {"a.txt"}  # responsible units
    assert [r.value for r in filter_targets(rows, search="机扫率") if "机扫率" in r.subject] == ["95%以上"]
    assert filter_targets(rows, search="没有这个词") == []


def test_doc_matches_file_title_place_number_and_year(rows):
    for doc in ("b.txt", "市容工作方案", "壬市", "壬政办发〔2023〕5号", "2023"):
        assert {r.file for r in filter_targets(rows, doc=doc)} == {"b.txt"}, doc


def test_due_before_and_kind(rows):
    due = filter_targets(rows, due_before="2024-06-30")
    assert {(r.file, r.deadline) for r in due} == {
        ("a.txt", "2024-06-30"),
        ("b.txt", "2023-06-30"),
        ("b.txt", "2023-11-30"),
    }
    assert {r.kind for r in filter_targets(rows, kind="task")} == {"task"}
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        filter_targets(rows, due_before="2024/6/30")
    with pytest.raises(ValueError, match="类型"):
        filter_targets(rows, kind="goal")


def test_subject_key_groups_wordings_of_one_thing():
    assert subject_key("新改建城乡公厕") == subject_key("新改建公共厕所") == subject_key("公厕") == "公厕"
    assert subject_key("“美丽街巷”") == "美丽街巷"
    assert subject_key("新增停车泊位") != subject_key("主次干道机扫率")


def test_compare_puts_one_subject_of_several_documents_side_by_side(rows):
    groups = compare(rows, "公厕")
    label, members = groups[0]
    assert {(r.file, r.value) for r in members} == {("a.txt", "25座"), ("b.txt", "40座")}
    assert [r.year for r in members] == [2023, 2024] and label in ("新改建公厕", "新改建公共厕所")


def test_due_in_a_month_by_responsible_unit(rows):
    june = due_in(rows, "2024-06")
    assert list(june) == ["市交通局"] and june["市交通局"][0].subject == "上线停车导航平台"
    june_2023 = due_in(rows, "2023-06")
    assert list(june_2023) == ["市城管局"]
    with pytest.raises(ValueError, match="YYYY-MM"):
        due_in(rows, "六月")


def test_csv_has_a_bom_and_chinese_headers(rows, tmp_path):
    path = ledger_export.write_csv(rows, tmp_path / "out" / "ledger.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == list(ledger_export.COLUMNS) and table[0][:2] == ["指标/事项", "数值"]
    assert len(table) == len(rows) + 1
    row = next(t for t in table if t[1] == "25座")
    assert row[6] == "市城管局、各区政府" and row[7] == "目标" and row[-1] == "全年新改建公厕25座。"
    assert not list(tmp_path.glob("out/.*"))  # no temp file left behind


def test_xlsx_reads_back_with_openpyxl(rows, tmp_path):
    from openpyxl import load_workbook

    path = ledger_export.write_xlsx(rows, tmp_path / "ledger.xlsx")
    sheet = load_workbook(path).active
    values = [[c.value or "" for c in r] for r in sheet.iter_rows()]
    assert values[0] == list(ledger_export.COLUMNS) and len(values) == len(rows) + 1
    assert any(v[1] == "40座" and v[10] == "壬政办发〔2023〕5号" for v in values)


def test_rows_json_round_trips(rows):
    from policyqa.records import Target

    data = json.loads(json.dumps(ledger_export.rows_json(rows), ensure_ascii=False))
    assert [Target.from_json(d) for d in data] == rows


# ---------------------------------------------------------------------------------------------
# policyqa targets (the conftest corpus: 甲市 and 乙县)


def test_targets_prints_an_aligned_table(env, capsys):
    assert cli.main(["targets", "--search", "公厕"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("指标/事项") and "20座" in out[2] and "a.txt" in out[2]
    assert out[-1] == "共 1 条"


def test_targets_json_csv_and_xlsx(env, capsys, tmp_path):
    assert cli.main(["targets", "--doc", "乙县", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {d["file"] for d in data} == {"b.txt"} and "800个" in {d["value"] for d in data}
    assert cli.main(["targets", "--csv", str(tmp_path / "t.csv")]) == 0
    assert (tmp_path / "t.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert cli.main(["targets", "--kind", "target", "--xlsx", str(tmp_path / "t.xlsx")]) == 0
    assert (tmp_path / "t.xlsx").stat().st_size > 0


def test_a_bad_due_before_date_names_the_expected_format(env, capsys):
    assert cli.main(["targets", "--due-before", "2024.6.30"]) == 2
    err = capsys.readouterr().err
    assert "--due-before" in err and "YYYY-MM-DD" in err
    assert not env.index.exists()  # refused before any index was built


def test_nothing_found_says_so(env, capsys):
    assert cli.main(["targets", "--search", "没有的词"]) == 0
    assert "没有符合条件的指标" in capsys.readouterr().out
