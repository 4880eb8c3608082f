"""The app's plain UI functions (policyqa.web), without a server: HTML, viewer, mentions, export,
feedback, answer modes, login."""

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from index import load, structure
from index.manifest import ChunkingSettings, EmbedderInfo, FileEntry, Manifest, SkippedFile
from policyqa.errors import SettingsError
from policyqa.records import Answer, Chunk, Citation, DocumentMeta, Hit, Section
from policyqa.web import modes
from policyqa.web.answer_view import answer_markdown, source_cards_html
from policyqa.web.documents import about_html, document_label, documents_table, status_line
from policyqa.web.examples import clean_heading, example_question, example_questions
from policyqa.web.export import export_markdown, export_text
from policyqa.web.feedback import append_feedback, feedback_record
from policyqa.web.login import auth_pairs
from policyqa.web.mentions import find_mentions, find_sentences, mentions_html
from policyqa.web.modes import available_modes, mode_settings
from policyqa.web.viewer import TextCache, _marked, outline_html, viewer_html


def _parsed(corpus: Path, name: str):
    return structure.parse(load.read_document(corpus / name, corpus))


def _citation(text: str, quote: str, **kw) -> Citation:
    start = text.index(quote)
    fields = dict(
        n=1,
        file="a.txt",
        title="甲市2024年城市管理工作要点",
        section_path=("二、重点任务", "（一）环卫保洁", "1．提升道路保洁"),
        quote=quote,
        start=start,
        end=start + len(quote),
        doc_number="甲政发〔2024〕1号",
        issuer="甲市人民政府",
        date="2024-01-05",
    )
    fields.update(kw)
    return Citation(**fields)


# ---------------------------------------------------------------- headings and examples


@pytest.mark.parametrize(
    ("heading", "clean"),
    [
        ("1．提升道路保洁", "提升道路保洁"),
        ("（一）加强组织领导。", "加强组织领导"),
        ("(二)实施环境卫生质态提升行动", "实施环境卫生质态提升行动"),
        ("三、工作任务", "工作任务"),
        ("第十二条 市容管理", "市容管理"),
        ("二是抓住城市长效治理这个关键", "抓住城市长效治理这个关键"),
        ("12.开展建筑垃圾监管“蓝盾行动”", "开展建筑垃圾监管“蓝盾行动”"),
    ],
)
def test_clean_heading_strips_ordinals(heading, clean):
    assert clean_heading(heading) == clean


def test_example_questions_come_from_each_documents_own_leaf_headings(small_corpus):
    docs = {name: _parsed(small_corpus, name) for name in ("a.txt", "b.txt")}
    questions = example_questions({f: (d.meta, d.sections) for f, d in docs.items()})
    assert len(questions) == 2
    for doc in docs.values():
        question = next(q for q in questions if f"《{doc.meta.title}》" in q)
        heading = re.search(r"“(.+)”", question).group(1)
        leaves = [s for s in doc.walk() if not s.children]
        assert any(clean_heading(s.heading) == heading for s in leaves)
        assert heading in doc.text


def test_example_question_falls_back_without_usable_headings():
    assert example_question("某文件", ()) == "《某文件》的主要内容有哪些？"


# ---------------------------------------------------------------- answer, cards, viewer


def test_answer_markdown_marks_citations_escapes_and_shows_rewrite():
    text = "主干道机扫率达到100%，<b>x</b> [1]\n未知标记 [9]"
    answer = Answer("那公厕呢？", text, (_citation("ab", "b"),), False, rewritten_question="甲市公厕建设要求")
    md = answer_markdown(answer)
    assert md.startswith("*理解为：甲市公厕建设要求*")
    assert "<sup>[1]</sup>" in md and "\\[9\\]" in md and "<sup>[9]</sup>" not in md
    assert "<b>" not in md and "&lt;b&gt;" in md


def test_refusal_lists_related_passages():
    chunk = Chunk("a.txt#3", "a.txt", "甲市要点", ("三、保障措施",), 0, 10, "加强组织领导，确保落实。", "x")
    answer = Answer("地铁票价？", "文件中未找到能回答这个问题的内容。", (), True, hits=(Hit(chunk, 0.5),))
    md = answer_markdown(answer)
    assert "文件中未找到" in md and "相关段落" in md and "三、保障措施" in md
    cards = source_cards_html(answer, lambda f: None, {})
    assert "相关段落" in cards and 'class="pq-card pq-related"' in cards


def test_source_card_shows_metadata_and_marks_quote_inside_its_paragraph(small_corpus):
    text = (small_corpus / "a.txt").read_text(encoding="utf-8")
    quote = "主干道机扫率达到100%，背街小巷保洁覆盖率达到95%以上。"
    answer = Answer("q", f"{quote} [1]", (_citation(text, quote),), False)
    html = source_cards_html(answer, {"a.txt": text}.get, {})
    assert "《甲市2024年城市管理工作要点》" in html and "a.txt" in html
    assert "甲政发〔2024〕1号" in html and "甲市人民政府" in html and "2024-01-05" in html
    assert "1．提升道路保洁</span>" in html
    # the paragraph around the quote, with the quote marked
    assert f"1．提升道路保洁。<mark>{quote}</mark>" in html
    start = text.index(quote)
    assert f'data-start="{start}" data-end="{start + len(quote)}"' in html


def test_source_card_escapes_document_text_and_survives_stale_offsets():
    text = "第一段。\n<script>alert(1)</script>要求达到100%。\n"
    quote = "<script>alert(1)</script>要求达到100%。"
    c = _citation(text, quote, start=0, end=3)  # offsets from an older version of the file
    html = source_cards_html(Answer("q", "x [1]", (c,), False), {"a.txt": text}.get, {})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>&lt;script&gt;alert(1)&lt;/script&gt;要求达到100%。</mark>" in html


def test_viewer_marks_cited_span_headings_and_outline(small_corpus):
    doc = _parsed(small_corpus, "a.txt")
    quote = "全年新改建公厕20座。"
    start = doc.text.index(quote)
    html = viewer_html("a.txt", doc.meta, doc.text, doc.sections, start, start + len(quote))
    assert f'<mark id="pq-cited">{quote}</mark>' in html
    assert html.count('id="pq-cited"') == 1
    assert "引用位置：二、重点任务 &gt; （一）环卫保洁 &gt; 2．推进公厕建设" in html
    for section in doc.walk():
        assert f'id="pq-s-{section.start}"' in html and f'data-target="pq-s-{section.start}"' in html
    # every character of the document is there, escaped, in order
    plain = re.sub(r"<[^>]+>", "", html.split('<div class="pq-doc">', 1)[1])
    assert plain.startswith(doc.text.rstrip()[:20])
    assert "保障措施" in plain


def test_marked_splits_overlapping_spans_and_escapes():
    out = _marked("a<b>cdef", [(0, 4, '<span id="h">', "</span>"), (2, 6, '<mark id="m">', "</mark>")])
    assert out == '<span id="h">a&lt;</span><span><mark id="m">b&gt;</mark></span><mark>cd</mark>ef'


def test_outline_html_lists_headings(small_corpus):
    doc = _parsed(small_corpus, "a.txt")
    html = outline_html(doc.meta, doc.sections)
    assert all(html.count(s.heading) >= 1 for s in doc.walk())


# ---------------------------------------------------------------- find every mention


def _mention_docs(texts: dict[str, str]):
    out = []
    for name, text in texts.items():
        sections = (Section("一、目标", 1, ("一、目标",), 0, len(text), 5),)
        out.append((DocumentMeta(file=name, title=name + "标题"), text, sections))
    return out


def test_find_mentions_is_exhaustive_and_folds_width_spaces_and_quotes():
    text = "推进垃圾分类。垃圾 分类要到位；「垃圾分类」示范；ＡＢＣ垃圾分类。\n垃\n圾分类小区"
    docs = _mention_docs({"x.txt": text, "y.txt": "没有这个词。", "z.txt": "垃圾分类。"})
    mentions = find_mentions("垃圾分类", docs)
    assert [m.file for m in mentions] == ["x.txt"] * 5 + ["z.txt"]
    assert [text[m.start : m.end] for m in mentions[:3]] == ["垃圾分类", "垃圾 分类", "垃圾分类"]
    assert mentions[0].section_path == ("一、目标",)
    assert mentions[1].sentence == "垃圾 分类要到位；"
    # half-width query finds full-width text
    assert len(find_mentions("abc", docs)) == 1
    assert find_mentions("  ", docs) == []


def test_find_mentions_counts_match_a_plain_scan_on_real_text(small_corpus):
    doc = _parsed(small_corpus, "a.txt")
    for term in ("城市", "100%", "保洁"):
        found = find_mentions(term, [(doc.meta, doc.text, doc.sections)])
        assert len(found) == doc.text.count(term)


def test_mentions_html_groups_by_document_with_counts():
    docs = _mention_docs({"x.txt": "垃圾分类。垃圾分类。", "z.txt": "垃圾分类<i>。"})
    html = mentions_html("垃圾分类", find_sentences("垃圾分类", docs))
    assert "共出现 <b>3</b> 次，在 <b>3</b> 句中，涉及 <b>2</b> 份文件" in html
    assert "2 处 · 2 句" in html and "1 处 · 1 句" in html and "&lt;i&gt;" in html
    assert "没有找到" in mentions_html("地铁", [])


def test_text_cache_reads_only_inside_the_corpus(small_corpus, tmp_path):
    (tmp_path / "secret.txt").write_text("秘密", encoding="utf-8")
    cache = TextCache(small_corpus)
    assert cache.get("a.txt").startswith("甲市2024年")
    assert cache.get("../secret.txt") is None
    assert cache.get("missing.txt") is None


# ---------------------------------------------------------------- export, feedback, modes, login


def _answer_with_citation():
    text = "提升道路保洁。主干道机扫率达到100%。"
    c = _citation(text, "主干道机扫率达到100%。")
    return Answer("主干道机扫率要达到多少？", "主干道机扫率达到100%。 [1]", (c,), False)


def test_exports_carry_formal_citations():
    answer = _answer_with_citation()
    text = export_text(answer)
    formal = "《甲市2024年城市管理工作要点》（甲政发〔2024〕1号），二、重点任务 > （一）环卫保洁 > 1．提升道路保洁：“主干道机扫率达到100%。”"
    assert "问题：主干道机扫率要达到多少？" in text and f"[1] {formal}" in text
    md = export_markdown(answer)
    assert (
        "## 问题：主干道机扫率要达到多少？" in md
        and "**《甲市2024年城市管理工作要点》**（甲政发〔2024〕1号）" in md
    )
    assert "> 主干道机扫率达到100%。" in md and "二、重点任务 > （一）环卫保洁 > 1．提升道路保洁" in md


def test_feedback_lines_are_appended_as_json(tmp_path):
    log = tmp_path / "logs" / "feedback.jsonl"
    answer = _answer_with_citation()
    append_feedback(log, feedback_record(answer, "up", " 很好 "))
    append_feedback(log, feedback_record(answer, "down"))
    rows = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [r["rating"] for r in rows] == ["up", "down"] and rows[0]["comment"] == "很好"
    assert (
        rows[0]["question"] == answer.question
        and rows[0]["citations"][0]["quote"] == "主干道机扫率达到100%。"
    )
    assert rows[0]["citations"][0]["section"].endswith("1．提升道路保洁") and rows[0]["time"]
    with pytest.raises(Exception, match="rating"):
        feedback_record(answer, "meh")


def test_available_modes_offer_only_what_is_configured(fake_settings, monkeypatch):
    monkeypatch.setattr(modes, "local_model_path", lambda s: None)
    assert [m for _, m in available_modes(fake_settings)] == ["none"]
    server = fake_settings.with_changes(llm_base_url="http://127.0.0.1:11434/v1")
    assert [m for _, m in available_modes(server)] == ["none", "openai"]
    monkeypatch.setattr(modes, "local_model_path", lambda s: Path("/models/q.gguf"))
    assert [m for _, m in available_modes(server)] == ["none", "local", "openai"]
    assert mode_settings(server, "local").llm_model == "/models/q.gguf"


def test_auth_pairs_from_value_or_users_file(tmp_path):
    assert auth_pairs("") is None
    assert auth_pairs("staff:s3cret:x") == [("staff", "s3cret:x")]
    users = tmp_path / "users.txt"
    users.write_text("# staff\nalice:pw1\n\nbob:pw2\n", encoding="utf-8")
    assert auth_pairs(str(users)) == [("alice", "pw1"), ("bob", "pw2")]
    users.write_text("alice:pw1\nbroken\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=":2:"):
        auth_pairs(str(users))
    with pytest.raises(SettingsError):
        auth_pairs("nocolon")


def test_status_line_and_documents_table():
    manifest = Manifest(
        schema=1,
        policyqa_version="0.1.0",
        built_at="2024-05-01T08:00:00+00:00",
        corpus="/corpus",
        embedder=EmbedderInfo("fake:256", 256),
        chunking=ChunkingSettings(320, "cl100k_base", "0123456789abcdef"),
        files={"a.txt": FileEntry(sha256="0" * 64, format="txt", chunks=(0, 7))},
    )
    line = status_line(manifest, 7)
    # Words a user knows: documents and the date; the model and passages only under 关于本系统.
    assert (
        line.startswith("已收录 1 份文件 · 更新于 2024-05-01") and "fake" not in line and "段落" not in line
    )
    about = about_html(manifest, 7, ["检索原文"])
    assert "关于本系统" in about and "fake:256" in about and "7 个段落" in about and "检索原文" in about
    assert "无法读取" in status_line(replace(manifest, skipped={"b.pdf": SkippedFile("0" * 64, "x")}), 7)
    meta = DocumentMeta(
        file="a.txt", title="甲", issuer="甲市", doc_number="甲发〔2024〕1号", dates=(("成文", "2024-01-02"),)
    )
    assert documents_table({"a.txt": meta}, manifest) == [
        ["甲", "甲市", "甲发〔2024〕1号", "2024-01-02", 7, "a.txt"]
    ]
    assert document_label(
        DocumentMeta(file="x", title="2021年鼓楼区意见", city="南京", district="鼓楼区", years=(2021,))
    ) == ("《2021年鼓楼区意见》")
    assert document_label(DocumentMeta(file="x", title="城市管理工作要点", city="无锡", years=(2025,))) == (
        "《城市管理工作要点》（无锡 · 2025）"
    )
