"""index.chunk: section-aligned BODY / OUTLINE / TABLE chunks."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from index.chunk import chunk_document, split_span
from index.cjk import fold_width
from index.structure import parse
from index.tokens import count_tokens
from policyqa.errors import SettingsError
from policyqa.records import BODY, OUTLINE, TABLE, RawDocument

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _files():
    files = sorted(CORPUS.glob("*.txt"))
    if not files:
        pytest.skip(f"no corpus in {CORPUS}")
    return files


def _doc(prefix: str):
    path = next((p for p in _files() if p.name.startswith(prefix)), None)
    if path is None:
        pytest.skip(f"{prefix}_*.txt is not in {CORPUS}")
    return parse(RawDocument(file=path.name, text=path.read_text("utf-8"), format="txt"))


@pytest.fixture(scope="module")
def corpus_chunks():
    out = []
    for path in _files():
        doc = parse(RawDocument(file=path.name, text=path.read_text("utf-8"), format="txt"))
        out.append((doc, chunk_document(doc)))
    return out


def _with(chunks, kind, path_tail, text_part=""):
    found = [c for c in chunks if c.kind == kind and c.section_path[-1] == path_tail and text_part in c.text]
    assert found, f"no {kind} chunk under {path_tail!r} with {text_part!r}"
    return found


def test_chunk_text_is_verbatim_and_ids_are_in_document_order(corpus_chunks):
    for doc, chunks in corpus_chunks:
        assert [c.id for c in chunks] == [f"{doc.meta.file}#{n}" for n in range(len(chunks))]
        for c in chunks:
            assert c.file == doc.meta.file and c.title == doc.meta.title
            assert c.embed_text == fold_width(f"{doc.meta.title}\n{' > '.join(c.section_path)}\n{c.text}")
            pieces = [doc.text[a:b] for a, b in c.spans]
            assert all(p.strip() == p and p for p in pieces)
            assert (c.start, c.end) == (min(a for a, _ in c.spans), max(b for _, b in c.spans))
            if c.kind == BODY:
                assert doc.text[c.start : c.end] == c.text
            elif c.kind == OUTLINE:
                assert c.text == "\n".join(pieces)
            else:
                assert c.kind == TABLE
                assert c.text.replace("\n", "\t").split("\t") == pieces


def test_chunks_fit_the_token_budget(corpus_chunks):
    for _, chunks in corpus_chunks:
        for c in chunks:
            assert count_tokens(c.text) <= 320, (c.id, c.kind)


def test_small_budget_splits_at_sentence_ends_and_keeps_the_path():
    doc = _doc("000")
    chunks = chunk_document(doc, chunk_tokens=60)
    leaf = ("三、工作任务", "（一）全面实施精细化管理，推动城市品质再升级", "2．抓好精细化环卫保洁")
    pieces = [c for c in chunks if c.kind == BODY and c.section_path == leaf]
    assert len(pieces) >= 3
    section = next(s for s in doc.walk() if s.path == leaf)
    assert pieces[0].start == section.start and pieces[-1].end == section.end
    for c in pieces:
        assert count_tokens(c.text) <= 60
        assert c.text[-1] in "。！？；，、：" or c.end == section.end
    # consecutive pieces touch or overlap: nothing of the section is lost
    for a, b in zip(pieces, pieces[1:], strict=False):
        assert b.start <= a.end + 2


def test_every_leaf_is_covered_by_its_own_body_chunks(corpus_chunks):
    for doc, chunks in corpus_chunks:
        for s in doc.walk():
            if s.children or s.kind == "table":
                continue
            # (004's page header and its notice share one title, so select by place as well)
            mine = [
                c
                for c in chunks
                if c.kind == BODY and c.section_path == s.path and s.start <= c.start < s.end
            ]
            covered = set()
            for c in mine:
                assert c.end <= s.end, "a chunk runs into the next section"
                covered.update(range(c.start, c.end))
            missing = [k for k in range(s.start, s.end) if k not in covered and not doc.text[k].isspace()]
            assert not missing, (doc.meta.file, s.path)


def test_intro_text_of_a_parent_is_its_own_body_chunk():
    chunks = chunk_document(_doc("003"))
    intro = _with(chunks, BODY, "（四）老旧小区改造")
    assert [c.text for c in intro] == [
        "（四）老旧小区改造。贯彻落实国家、省、市新要求，全面推进城镇老旧小区改造。"
    ]
    first = _with(chunks, BODY, "一是强化功能改造")[0]
    assert first.text.startswith("一是强化功能改造。结合省市宜居示范住区创建")
    assert first.section_path[:2] == ("三、重点任务", "（四）老旧小区改造")


def test_outline_lists_child_headings_or_run_in_first_sentences():
    chunks = chunk_document(_doc("000"))
    outline = _with(chunks, OUTLINE, "三、工作任务")
    assert len(outline) == 1
    assert outline[0].text.split("\n")[0] == "三、工作任务"
    assert len(outline[0].text.split("\n")) == 8
    assert "（七）聚焦风险隐患防控，筑牢城市管理安全防线" in outline[0].text

    chunks = chunk_document(_doc("002"))
    parent = "（一）以开展“五大专项治理”为主线，实现城市环境大改观"
    text = "\n".join(c.text for c in _with(chunks, OUTLINE, parent))
    assert "1.开展生活垃圾专项治理。深入推进城区垃圾分类管理，按照" in text
    assert "5.开展社区物业专项治理。完善物业服务企业诚信考核，" in text
    for c in _with(chunks, OUTLINE, parent):
        assert c.text.startswith(parent + "\n")

    chunks = chunk_document(_doc("003"))
    text = "\n".join(c.text for c in _with(chunks, OUTLINE, "（四）老旧小区改造"))
    assert text.startswith("（四）老旧小区改造\n一是强化功能改造。结合省市宜居示范住区创建")
    assert "\n三是落实长效管理。" in text


def test_table_rows_are_chunks_with_header_and_group_context():
    chunks = chunk_document(_doc("000"))
    rows = [c for c in chunks if c.kind == TABLE]
    assert len(rows) == 27
    row = next(c for c in rows if "抓好违建治理" in c.text)
    assert row.section_path == ("附件", "南京市2023年城市管理工作任务分解落实表")
    assert row.text == (
        "序号\t工作任务\t责任单位\n"
        "3\t聚力办好民生实事，积极破解突出民生难题\t抓好违建治理\t"
        "市城管局、市规划资源局、市建委、市房产局、市消防救援支队，江北新区、各区（园区）"
    )


def test_front_and_back_matter_are_chunked():
    chunks = chunk_document(_doc("000"))
    notice = _with(chunks, BODY, "市政府办公厅转发市城市管理局关于南京市2023年城市管理工作实施意见的通知")
    assert "2023年1月21日" in notice[0].text
    assert "宁政办发〔2023〕3号" in _with(chunks, BODY, "南京市人民政府办公厅文件")[0].text
    assert "2023年1月28日印发" in _with(chunks, BODY, "版记")[0].text


def test_split_span_packs_sentences_and_cuts_overlong_ones():
    text = "甲" * 10 + "。" + "乙" * 10 + "；" + "丙，" * 60 + "。"
    spans = split_span(text, 0, len(text), 30)
    assert all(count_tokens(text[a:b]) <= 30 for a, b in spans)
    assert text[spans[0][0] : spans[0][1]].endswith("。") or text[spans[0][0] : spans[0][1]].endswith("；")
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert split_span("  \n ", 0, 4, 30) == []


def test_budget_must_be_usable():
    with pytest.raises(SettingsError, match="chunk_tokens"):
        chunk_document(_doc("001"), chunk_tokens=4)


def test_parsing_and_chunking_the_corpus_is_fast():
    files = _files()
    count_tokens("预热")  # the tokenizer's one-off load is not what we measure
    started = time.perf_counter()
    for path in files:
        chunk_document(parse(RawDocument(file=path.name, text=path.read_text("utf-8"), format="txt")))
    assert time.perf_counter() - started < 2.0


def _parsed(name: str, text: str):
    return parse(RawDocument(file=name, text=text, format=name.rsplit(".", 1)[-1]))


def test_an_article_is_one_chunk_with_its_items():
    text = (
        "清河市河道管理条例\n第三章　法律责任\n"
        "第十五条　违反本条例规定，有下列行为之一的，处五百元以上五千元以下罚款：\n"
        "（一）向河道倾倒垃圾的；\n（二）擅自在河道内设置网箱的；\n（三）损毁护岸设施的。\n"
        "第十六条　本条例自2024年5月1日起施行。\n"
    )
    chunks = chunk_document(_parsed("river.txt", text))
    article = [c for c in chunks if c.section_path == ("第三章　法律责任", "第十五条")]
    assert [c.kind for c in article] == [BODY]
    assert article[0].text.startswith("第十五条　违反本条例规定")
    assert article[0].text.count("第十五条") == 1
    assert article[0].text.endswith("（三）损毁护岸设施的。")
    # the chapter's outline lists each article with its first sentence
    outline = _with(chunks, OUTLINE, "第三章　法律责任")[0]
    assert "第十六条　本条例自2024年5月1日起施行。" in outline.text.split("\n")


def test_markdown_and_tab_tables_give_table_chunks_and_text_after_a_table_is_kept():
    md = "# 青溪区补贴标准\n\n## 一、标准\n\n| 类别 | 金额 |\n|---|---|\n| 甲类 | 100元 |\n| 乙类 | 200元 |\n\n以上标准按月发放。\n"
    doc = _parsed("std.md", md)
    chunks = chunk_document(doc)
    rows = [c for c in chunks if c.kind == TABLE]
    assert [c.text for c in rows] == ["类别\t金额\n甲类\t100元", "类别\t金额\n乙类\t200元"]
    assert all(c.section_path[0] == "一、标准" for c in rows)
    for c in rows:
        assert c.text.replace("\n", "\t").split("\t") == [doc.text[a:b] for a, b in c.spans]
    after = _with(chunks, BODY, "一、标准", "以上标准按月发放。")
    assert after[0].text == "以上标准按月发放。"

    txt = "一、任务\n项目\t单位\t时限\n修路\t城管局\t6月\n绿化\t园林局\t9月\n"
    rows = [c for c in chunk_document(_parsed("t.txt", txt)) if c.kind == TABLE]
    assert [c.text for c in rows] == [
        "项目\t单位\t时限\n修路\t城管局\t6月",
        "项目\t单位\t时限\n绿化\t园林局\t9月",
    ]


def test_markdown_markup_stays_out_of_intro_chunks_and_outlines():
    md = "# 问答\n\n## 一、申请\n\n### 问：补贴怎么申请？\n\n答：线上提交材料。\n\n**（一）受理时间**\n\n全年受理。\n"
    chunks = chunk_document(_parsed("q.md", md))
    assert not [c for c in chunks if c.kind == BODY and c.section_path == ("一、申请",)]
    assert _with(chunks, OUTLINE, "一、申请")[0].text == "一、申请\n问：补贴怎么申请？"
    assert _with(chunks, OUTLINE, "问：补贴怎么申请？")[0].text.endswith("（一）受理时间")
    for c in chunks:
        assert "#" not in c.text
