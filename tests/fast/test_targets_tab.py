"""The 指标 tab's handlers on a live Library, called as the browser's events call them (no browser):
every event reads the engine current at that moment, so a swapped index is seen at once."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import pytest

from index import library
from policyqa.ledger_export import COLUMNS
from policyqa.web.library import Library
from policyqa.web.targets_tab import targets_tab
from tests.conftest import DOC_A


@pytest.fixture
def tab(fake_settings):
    from retrieval.pipeline import Engine

    engine, _ = Engine.open(fake_settings)
    lib = Library(engine, fake_settings)
    with gr.Blocks(), gr.Tabs():
        handlers = targets_tab(lib)
    return lib, handlers


def _click(line: list[str]) -> gr.SelectData:
    """The event a click on the line's second cell sends."""
    return gr.SelectData(None, {"index": [0, 1], "value": line[1], "row_value": line})


def _skipped(value) -> bool:
    return value == gr.skip()


def test_search_then_a_click_opens_the_sentence(tab):
    lib, handlers = tab
    count, table, ids, active, download = handlers.show_ledger("公共厕所", "", "", "文件顺序")
    assert count == "“公共厕所”：共 1 条，来自 1 份文件" and active == "ledger"
    assert table[0][1:3] == ["新改建公厕", "20座"] and len(ids) == 1
    assert download["visible"] is False  # an earlier export's file is not this view's
    opened = handlers.open_row(ids, _click(table[0]))
    assert opened["visible"] is True
    row = next(t for t in lib.engine.index.targets if t.id == ids[0])
    assert DOC_A[row.start : row.end] == row.sentence
    assert f'<mark id="pq-cited">{row.sentence}</mark>' in opened["value"]


def test_compare_due_and_export(tab, tmp_path):
    from openpyxl import load_workbook

    lib, handlers = tab
    matrix, count, table, ids, active, _ = handlers.show_compare("公厕")
    assert "《甲市2024年城市管理工作要点》" in matrix and active == "compare" and len(ids) == len(table) >= 1
    with pytest.warns(UserWarning, match="YYYY-MM"):  # a warning in the page, nothing redrawn
        assert all(_skipped(v) for v in handlers.show_due("六月"))
    line, due_table, due_ids, active, _ = handlers.show_due("2024-06")
    assert line == "2024-06 没有到期的事项。" and due_table == [] and active == "due"
    download = handlers.export("compare", [], ids, [], "Excel (XLSX)")
    lines = list(load_workbook(download["value"]).active.iter_rows(values_only=True))
    assert list(lines[0]) == list(COLUMNS) and len(lines) == len(ids) + 1
    with pytest.warns(UserWarning, match="没有可导出"):  # the due view shows nothing
        assert _skipped(handlers.export("due", [], ids, [], "CSV"))


def test_every_event_reads_the_engine_current_then(tab):
    lib, handlers = tab
    # largest values first puts b's 50万平方米 before a's rows: removing b must not shift a's lines
    _, table, ids, _, _ = handlers.show_ledger("", "", "", "数值（大的在前）")
    b_line, a_line = table[0], table[-1]
    assert "乙县" in b_line[6] and "甲市" in a_line[6]
    with lib.update_lock:  # as the 文件管理 tab removes a document
        lib.swap(library.remove_document(lib.settings, "b.txt", lib.engine.embedder).index)
    files, months, examples, count, table_after, *_ = handlers.refresh("", "b.txt", "", "", "")
    assert files["value"] == "" and "b.txt" not in {f for _, f in files["choices"]}
    assert "来自 1 份文件" in count and not any("乙县" in line[6] for line in table_after)
    with pytest.warns(UserWarning, match="已不在当前索引中"):  # that row is gone
        assert _skipped(handlers.open_row(ids, _click(b_line)))
    kept = next(t for t in lib.engine.index.targets if t.id == ids[-1])
    assert f'<mark id="pq-cited">{kept.sentence}</mark>' in handlers.open_row(ids, _click(a_line))["value"]
    download = handlers.export("ledger", ids, [], [], "CSV")
    text = Path(download["value"]).read_text(encoding="utf-8-sig")
    assert "甲市" in text and "乙县" not in text
