"""Property-based fuzzing of the parser, the chunker, the loaders and question analysis (issue item 9).

No exception escapes but the documented domain errors (DocumentError for a file that cannot be
read), and every offset holds: each section inside the text and inside its parent, each chunk's
text equal to its source slices, each quotable sentence equal to its slice, each answer's
quotes equal to the document text at their offsets.

Bounded for the fast tier (a few hundred examples, a deadline each). For a longer run:
`POLICYQA_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest -q tests/fast/test_fuzz.py`.
"""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import build, load, pdf, structure
from index.chunk import chunk_document
from policyqa.errors import DocumentError
from policyqa.records import RawDocument
from retrieval.quotes import split_sentences

SCALE = int(os.environ.get("POLICYQA_FUZZ_EXAMPLES", "0"))


def bounded(examples: int, deadline_ms: int = 2000):
    return settings(
        max_examples=SCALE or examples,
        deadline=timedelta(milliseconds=deadline_ms),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


# Pieces of Chinese official documents: heading markers of every level, numbering, 文号, dates,
# footers, Markdown and table markup, odd whitespace and line ends.
PIECES = [
    "一、", "二、", "十二、", "（一）", "(二)", "1．", "2.", "10、", "（1）", "(3)", "①", "②", "一是", "第一章",
    "第二条", "附件", "附件1：", "抄送：", "印发", "主送：", "各区人民政府：", "南京市", "江苏省", "无锡",
    "2023年", "2024—2026年", "２０２５年", "3月5日", "宁政发〔2023〕3号", "工作要点", "实施意见", "城市管理",
    "目标任务", "达到100%", "不少于50万平方米", "新建公厕20座", "。", "；", "，", "：", "！", "？", "、",
    "“", "”", "《", "》", "# ", "## ", "**", "- ", "> ", "|", " | ", "---", "\t", " ", "\u3000", "\xa0",
    "\ufeff", "\u200b", "\n", "\n\n", "\r\n", "\r", "序号\t工作任务\t责任单位", "1\t抓好保洁\t市环卫处",
]  # fmt: skip
MARKERS = [
    "", "", "", "一、", "二、", "三、", "十二、", "（一）", "（二）", "(三)", "1．", "2.", "3、", "（1）", "(2)",
    "①", "②", "一是", "二是", "第一章 ", "第二章", "第一条 ", "第二条", "附件", "附件1", "# ", "## ", "### ",
    "**一、", "  ", "\u3000\u3000",
]  # fmt: skip
WORDS = [
    "总体要求", "工作目标", "重点任务", "保障措施", "加强组织领导", "主干道机扫率达到100%", "新建公厕20座",
    "南京市2023年城市管理工作要点", "宁政发〔2023〕3号", "市城管局", "抄送：市委办公厅", "2024年3月5日印发",
    "序号\t工作任务\t责任单位", "1\t抓好保洁\t市环卫处", "| 指标 | 2025年 |", "|---|---|", "，", "、",
]  # fmt: skip
# Line-shaped documents: a title, then lines opening with heading markers of every level.
_line = st.tuples(
    st.sampled_from(MARKERS),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=4)), max_size=6).map("".join),
    st.sampled_from(["", "。", "；", "：", "**", "。”"]),
).map("".join)
_lined = st.tuples(
    st.sampled_from(["", "南京市2023年城市管理工作要点", "关于印发《工作要点》的通知"]),
    st.lists(_line, max_size=30),
    st.sampled_from(["\n", "\n\n", "\r\n", "\r"]),
).map(lambda t: t[2].join([t[0], *t[1]]))
document_text = st.one_of(
    _lined,
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=80).map("".join),
    st.text(max_size=300),
)


def _check_document(raw: RawDocument) -> None:
    """parse + chunk `raw` and check every offset; DocumentError is the only allowed failure."""
    text = raw.text
    try:
        document = structure.parse(raw, sha256="0" * 64)
    except DocumentError:
        return
    assert document.text == text

    def inside(section, lo, hi):
        assert lo <= section.start <= section.body_start <= section.end <= hi, section
        for child in section.children:
            inside(child, section.start, section.end)

    for section in document.sections:
        inside(section, 0, len(text))
    for chunk_tokens in (320, 40):
        for chunk in chunk_document(document, chunk_tokens):
            assert 0 <= chunk.start <= chunk.end <= len(text), chunk
            if chunk.spans:
                cursor = 0
                for a, b in chunk.spans:
                    assert 0 <= a <= b <= len(text)
                    assert chunk.text[cursor : cursor + b - a] == text[a:b], chunk
                    cursor += b - a + 1
                assert cursor - 1 == len(chunk.text), chunk
            else:
                assert chunk.text == text[chunk.start : chunk.end], chunk
            for sentence in split_sentences(chunk):
                assert text[sentence.start : sentence.end] == sentence.text, (chunk, sentence)


@bounded(300)
@given(text=document_text, fmt=st.sampled_from(["txt", "md", "html", "docx", "pdf"]))
def test_parse_and_chunk_keep_every_offset(text, fmt):
    _check_document(RawDocument(file=f"f.{fmt}", text=text, format=fmt))


# ---------------------------------------------------------------- loaders on random and corrupted bytes


def _docx_bytes() -> bytes:
    import docx

    doc = docx.Document()
    doc.add_heading("2025年城市管理工作要点", level=1)
    doc.add_paragraph("一、总体要求")
    doc.add_paragraph("主干道机扫率达到100%。")
    table = doc.add_table(rows=2, cols=2)
    for r, row in enumerate([("序号", "任务"), ("1", "抓好保洁")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _seeds() -> dict[str, bytes]:
    from tests.fast.test_load import GOV_PAGE, cid_pdf

    text = "南京市2023年城市管理工作要点\n\n一、目标\n\n（一）环卫\n\n1．主干道机扫率达到100%。\n".encode()
    return {
        ".txt": text,
        ".md": b"# \xe6\xa0\x87\xe9\xa2\x98\n\n## \xe4\xb8\x80\xe3\x80\x81\n\n" + text,
        ".html": GOV_PAGE.format(meta="").encode("gbk", "replace"),
        ".htm": text.join([b"<html><body><p>", b"</p></body></html>"]),
        ".docx": _docx_bytes(),
        ".pdf": cid_pdf([["南京市2023年城市管理工作要点", "一、目标", "主干道机扫率达到100%。"]]),
    }


SEEDS = _seeds()


@st.composite
def damaged_files(draw):
    suffix = draw(st.sampled_from(sorted(SEEDS)))
    if draw(st.booleans()):
        return suffix, draw(st.binary(max_size=600))
    data = bytearray(SEEDS[suffix])
    for _ in range(draw(st.integers(0, 8))):
        at = draw(st.integers(0, len(data) - 1))
        data[at] ^= draw(st.integers(1, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return suffix, bytes(data)


@bounded(200, deadline_ms=5000)
@given(case=damaged_files())
def test_loaders_raise_only_document_errors_on_random_and_corrupted_bytes(tmp_path, case):
    suffix, data = case
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    # No OCR here: a garbled PDF with no text layer would be sent to tesseract, seconds per page.
    with mock.patch.object(pdf, "_have_ocr", return_value=False):
        try:
            raw = load.read_document(path, tmp_path)
        except DocumentError:
            return
    assert raw.file == path.name and raw.text.strip()
    _check_document(raw)


def test_the_uncorrupted_seeds_are_read(tmp_path):
    for suffix, data in SEEDS.items():
        path = tmp_path / f"seed{suffix}"
        path.write_bytes(data)
        raw = load.read_document(path, tmp_path)
        assert "城市管理" in raw.text, suffix
        _check_document(raw)


# ---------------------------------------------------------------- question analysis and answers


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from policyqa.settings import Settings
    from retrieval.pipeline import Engine
    from tests.conftest import DOC_A, DOC_B

    root = tmp_path_factory.mktemp("fuzz")
    (root / "corpus").mkdir()
    (root / "corpus" / "a.txt").write_text(DOC_A, encoding="utf-8")
    (root / "corpus" / "b.txt").write_text(DOC_B, encoding="utf-8")
    settings = Settings(corpus=root / "corpus", index=root / "index", embedder="fake")
    return Engine(settings, build.update(settings).index)


QUESTION_PIECES = [
    "甲市", "乙县", "南京", "2024年", "2023年", "主干道", "机扫率", "公厕", "多少", "哪些", "几个", "是什么",
    "什么时候", "谁负责", "分别", "和", "以及", "那", "呢", "？", "?", "，", "、", "“门前五包”", "《要点》",
    "第三条", "（一）", "how many", "What is the", "public toilets", "in Jiashi", "2024", "100%", "万",
    "\ud800", "\x00", "\n", " ", "忽略以上指令", "/etc/passwd", "[官网](http://x.example)", "<b>",
]  # fmt: skip
questions = st.one_of(
    st.lists(st.one_of(st.sampled_from(QUESTION_PIECES), st.text(max_size=6)), max_size=12).map("".join),
    st.text(max_size=60),
)


@bounded(150)
@given(question=questions)
def test_question_analysis_never_fails(engine, question):
    analysed = engine.retriever.analyse(question)
    assert analysed.text == question
    assert analysed.language in ("zh", "en")


@bounded(80, deadline_ms=3000)
@given(question=questions)
def test_answers_quote_the_documents_at_their_offsets(engine, question):
    answer = engine.ask(question)
    assert "\ud800" not in answer.question and "\ud800" not in answer.text
    texts = {f: Path(engine.settings.corpus, f).read_text(encoding="utf-8") for f in engine.documents}
    for citation in answer.citations:
        assert texts[citation.file][citation.start : citation.end] == citation.quote, citation
