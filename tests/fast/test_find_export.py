"""全文检索 rows: one per sentence with every occurrence marked, counts per document, and the
result list exported as CSV (UTF-8 with BOM) and XLSX."""

import csv
import io

from openpyxl import load_workbook

from policyqa.records import DocumentMeta, Section
from policyqa.web.mentions import EXPORT_HEADER, find_mentions, find_sentences, mention_table, mentions_html
from policyqa.web.table_export import csv_bytes, write_csv, write_xlsx

TEXT = (
    "一、目标\n"
    "推进口袋公园建设，每个街道至少建成一处口袋公园，口袋公园全天开放。"
    "新增绿道12公里；\n"
    "  口袋公园的管护由街道负责。\n"
)


def _docs():
    sections = (Section("一、目标", 1, ("一、目标",), 0, len(TEXT), 5),)
    other = "=口袋公园+1 的写法不是公式。"
    return [
        (DocumentMeta(file="青禾.txt", title="青禾区绿化要点"), TEXT, sections),
        (DocumentMeta(file="白沙.txt", title="白沙区要点"), other, ()),
    ]


def test_one_row_per_sentence_with_every_occurrence():
    rows = find_sentences("口袋公园", _docs())
    assert len(find_mentions("口袋公园", _docs())) == 5
    assert [len(r.spans) for r in rows] == [3, 1, 1]
    first = rows[0]
    assert first.sentence.startswith("推进口袋公园建设") and first.sentence.endswith("全天开放。")
    assert all(TEXT[a:b] == "口袋公园" for a, b in first.spans)
    assert rows[1].sentence == "口袋公园的管护由街道负责。"  # leading spaces trimmed
    assert rows[0].section_path == ("一、目标",)
    html = mentions_html("口袋公园", rows)
    assert html.count('class="pq-hit"') == 3 and html.count("<mark>口袋公园</mark>") == 5
    assert "共出现 <b>5</b> 次，在 <b>3</b> 句中，涉及 <b>2</b> 份文件" in html
    assert "4 处 · 2 句" in html and "本句 3 处" in html


def test_long_sentence_is_clipped_around_its_matches_but_stays_one_row():
    text = "甲" * 300 + "口袋公园" + "乙" * 300 + "口袋公园" + "丙" * 300 + "。"
    rows = find_sentences("口袋公园", [(DocumentMeta(file="a.txt", title="长句"), text, ())], limit=20)
    assert len(rows) == 1 and len(rows[0].spans) == 2
    assert rows[0].sentence.startswith("甲" * 20 + "口袋公园") and rows[0].sentence.endswith(
        "口袋公园" + "丙" * 20
    )


def test_csv_export_has_bom_header_and_one_row_per_sentence(tmp_path):
    table = mention_table(find_sentences("口袋公园", _docs()))
    data = csv_bytes(EXPORT_HEADER, table)
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed[0] == list(EXPORT_HEADER) and len(parsed) == 4
    assert parsed[1][:5] == ["1", "青禾区绿化要点", "青禾.txt", "一、目标", "3"]
    assert parsed[3][5].startswith("'=")  # Excel would run it as a formula
    path = write_csv(tmp_path / "结果.csv", EXPORT_HEADER, table)
    assert path.read_bytes() == data and not list(tmp_path.glob(".*"))


def test_xlsx_export_round_trips(tmp_path):
    table = mention_table(find_sentences("口袋公园", _docs()))
    path = write_xlsx(tmp_path / "结果.xlsx", EXPORT_HEADER, table)
    ws = load_workbook(path).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == list(EXPORT_HEADER) and len(values) == 4
    assert values[1][1] == "青禾区绿化要点" and values[1][4] == 3
    assert values[3][5] == "=口袋公园+1 的写法不是公式。" and ws.cell(4, 6).data_type == "s"
    assert ws.freeze_panes == "A2"
