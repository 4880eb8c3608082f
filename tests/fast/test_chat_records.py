"""The chat's plain logic without a server: conversation records and their JSON, card merging,
[n] links, copy text, whole-conversation exports (text, Markdown, Word), the feedback view and the
viewer's outline."""

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index import load, structure
from policyqa.records import Answer, Chunk, Citation, Hit, Section
from policyqa.web import conversations as convs
from policyqa.web.answer_view import answer_markdown, conversation_cards_html, source_cards_html
from policyqa.web.cards import bare_kind, merge_cards
from policyqa.web.export import conversation_markdown, conversation_text, copy_text
from policyqa.web.export_docx import conversation_docx
from policyqa.web.feedback import append_feedback, feedback_record
from policyqa.web.feedback_view import feedback_csv, feedback_rows, latest_per_answer, read_feedback
from policyqa.web.viewer import viewer_html

TITLE = "甲市2024年城市管理工作要点"


def _doc(corpus: Path, name: str = "a.txt"):
    return structure.parse(load.read_document(corpus / name, corpus))


def _cite(text: str, quote: str, n: int = 1, path=("二、重点任务", "（一）环卫保洁", "1．提升道路保洁")):
    start = text.index(quote)
    return Citation(
        n, "a.txt", TITLE, path, quote, start, start + len(quote), "甲政发〔2024〕1号", "甲市人民政府"
    )


def _answer(question: str, text: str, citations=(), refused=False, hits=()) -> Answer:
    return Answer(question, text, tuple(citations), refused, hits=tuple(hits))


# ---------------------------------------------------------------- conversation records


def test_a_first_question_opens_a_conversation_labelled_by_it():
    store, turn = convs.add_turn(convs.Store(), _answer("主干道机扫率要达到多少？", "达到100%。 [1]"))
    conv = store.active
    assert conv is not None and conv.turns == (turn,) and conv.label == "主干道机扫率要达到多少？"
    store, _ = convs.add_turn(store, _answer("那公厕呢？", "20座。"))
    assert len(store.conversations) == 1 and [t.question for t in store.active.turns] == [
        "主干道机扫率要达到多少？",
        "那公厕呢？",
    ]
    long = convs.add_turn(convs.Store(), _answer("问" * 40, "x"))[0].active.label
    assert len(long) == convs.TITLE_CHARS and long.endswith("…")


def test_new_rename_select_delete():
    store, _ = convs.add_turn(convs.Store(), _answer("第一问？", "a"))
    first = store.current
    store = convs.new_conversation(store)
    second = store.current
    assert second != first and store.active.label == "新对话"
    assert convs.new_conversation(store) == store  # an empty conversation on screen is reused
    store, _ = convs.add_turn(store, _answer("第二问？", "b"))
    assert [c.id for c in store.conversations] == [second, first]  # newest first
    store = convs.rename(store, first, "  环卫   指标 ")
    assert store.get(first).label == "环卫 指标"
    assert convs.rename(store, first, "").get(first).label == "第一问？"
    store = convs.select(store, first)
    assert store.current == first and convs.select(store, "nope").current == first
    store = convs.delete(store, first)
    assert store.current == second and store.get(first) is None
    assert convs.delete(store, second) == convs.Store((), "")


def test_rating_changes_one_turn_and_keeps_or_replaces_its_comment():
    store, t1 = convs.add_turn(convs.Store(), _answer("甲？", "a"))
    store, t2 = convs.add_turn(store, _answer("乙？", "b"))
    store = convs.rate(store, t1.id, "up")
    store = convs.rate(store, t1.id, "down", " 数字不对 ")
    store = convs.rate(store, t1.id, "down")  # no comment given: the earlier one stays
    turns = store.active.turns
    assert (turns[0].rating, turns[0].comment) == ("down", "数字不对")
    assert (turns[1].rating, turns[1].comment) == ("", "")


def test_the_store_goes_through_json_unchanged(small_corpus):
    text = (small_corpus / "a.txt").read_text(encoding="utf-8")
    cited = _answer("机扫率？", "达到100%。 [1]", [_cite(text, "主干道机扫率达到100%")])
    chunk = Chunk("a.txt#3", "a.txt", TITLE, ("三、保障措施",), 5, 20, "加强组织领导。", "embedding text")
    refused = _answer("地铁票价？", "文件中未找到。", refused=True, hits=[Hit(chunk, 0.5)] * 5)
    store, _ = convs.add_turn(convs.Store(), cited)
    store, turn = convs.add_turn(store, refused)
    store = convs.rename(convs.rate(store, turn.id, "down", "没答上"), store.current, "两问")
    data = json.loads(json.dumps(convs.store_json(store), ensure_ascii=False))
    assert convs.store_from_json(data) == store
    kept = store.active.turns[1].answer
    # Only what a refusal shows is kept, without the embedder's text.
    assert len(kept.hits) == convs.RELATED_KEPT and kept.hits[0].chunk.embed_text == ""
    assert store.active.turns[0].answer.hits == ()


def test_each_user_has_a_store_and_damaged_values_are_dropped():
    alice, _ = convs.add_turn(convs.Store(), _answer("甲？", "a"))
    saved = convs.with_user_store({}, "alice", alice)
    saved = convs.with_user_store(saved, "bob", convs.Store())
    assert convs.user_store(saved, "alice") == alice
    assert convs.user_store(saved, "bob") == convs.Store() and convs.user_store(saved, None) == convs.Store()
    assert convs.user_store("garbage", "alice") == convs.Store()
    damaged = convs.store_json(alice)
    damaged["conversations"].append({"id": "x", "turns": [{"answer": {}}]})
    damaged["current"] = "missing"
    assert convs.store_from_json(damaged) == convs.Store(alice.conversations, "")


def test_the_oldest_conversations_beyond_the_cap_are_dropped():
    store = convs.Store()
    for i in range(convs.MAX_CONVERSATIONS + 3):
        store = convs.new_conversation(store)
        store, _ = convs.add_turn(store, _answer(f"第{i}问？", "a"))
    assert len(store.conversations) == convs.MAX_CONVERSATIONS
    assert store.conversations[0].label == f"第{convs.MAX_CONVERSATIONS + 2}问？"


# ---------------------------------------------------------------- cards


def test_citations_of_one_paragraph_share_a_card_with_both_numbers(small_corpus):
    doc = _doc(small_corpus)
    text = doc.text
    c1 = _cite(text, "主干道机扫率达到100%", 1)
    c2 = _cite(text, "背街小巷保洁覆盖率达到95%以上", 2)
    c3 = _cite(text, "全年新改建公厕20座", 3, ("二、重点任务", "（一）环卫保洁", "2．推进公厕建设"))
    cards = merge_cards([c1, c2, c3], {"a.txt": text}.get, lambda f: doc.sections)
    assert [c.numbers for c in cards] == [(1, 2), (3,)]
    assert cards[0].spans == ((1, c1.start, c1.end), (2, c2.start, c2.end))
    html = source_cards_html(_answer("q", "x [1][2][3]", [c1, c2, c3]), {"a.txt": text}.get, {})
    assert html.count('class="pq-card ') == 2 and "引用来源（2）" in html
    assert '<span class="pq-num">1</span><span class="pq-num">2</span>' in html
    assert "<mark>主干道机扫率达到100%</mark>，<mark>背街小巷保洁覆盖率达到95%以上</mark>" in html
    assert f'data-ns="1:{c1.start}-{c1.end} 2:{c2.start}-{c2.end}"' in html


def test_a_bare_heading_is_never_a_card_of_its_own(small_corpus):
    doc = _doc(small_corpus)
    text = doc.text
    heading = _cite(text, "（一）环卫保洁", 1, ("二、重点任务", "（一）环卫保洁"))
    body = _cite(text, "全年新改建公厕20座", 2, ("二、重点任务", "（一）环卫保洁", "2．推进公厕建设"))
    assert bare_kind(doc.sections, heading.start, heading.end) == "heading"
    assert bare_kind(doc.sections, body.start, body.end) == ""
    cards = merge_cards([heading, body], {"a.txt": text}.get, lambda f: doc.sections)
    assert [c.numbers for c in cards] == [(1, 2)] and cards[0].start == body.start
    # With no card of its document to join, the heading's card shows the paragraph under it too.
    alone = merge_cards([heading], {"a.txt": text}.get, lambda f: doc.sections)
    shown = text[alone[0].para[0] : alone[0].para[1]]
    assert shown.startswith("（一）环卫保洁") and "1．提升道路保洁" in shown


def test_the_letterhead_joins_a_card_of_its_document():
    text = "甲市人民政府文件\n\n甲政发〔2024〕1号\n\n一、目标\n\n全年新增绿道12公里。\n"
    sections = (
        Section("甲市人民政府文件", 1, ("甲市人民政府文件",), 0, 20, 8, kind="header"),
        Section("一、目标", 1, ("一、目标",), 22, len(text), 27),
    )
    head = Citation(1, "a.txt", TITLE, (), "甲市人民政府文件", 0, 8)
    body = Citation(2, "a.txt", TITLE, ("一、目标",), "全年新增绿道12公里。", 28, 39)
    assert bare_kind(sections, 0, 8) == "letterhead"
    cards = merge_cards([head, body], {"a.txt": text}.get, lambda f: sections)
    assert [c.numbers for c in cards] == [(1, 2)]


def test_answer_links_and_cards_of_every_turn(small_corpus):
    text = (small_corpus / "a.txt").read_text(encoding="utf-8")
    answer = _answer("机扫率？", "达到100%。 [1]\n未知 [7]", [_cite(text, "主干道机扫率达到100%")])
    md = answer_markdown(answer, turn_id="t1")
    assert '<a class="pq-ref pq-ref-tt1 pq-ref-n1"' in md and "\\[7\\]" in md
    assert "<sup>[1]</sup>" in answer_markdown(answer)  # without a turn: no link
    html = conversation_cards_html(
        [("t0", answer, "copy 0"), ("t1", answer, "copy <1>")], {"a.txt": text}.get
    )
    assert html.count('<section class="pq-turn') == 2
    assert '<section class="pq-turn pq-shown" data-turn="t1">' in html  # the latest answer's cards
    assert 'data-copy="copy &lt;1&gt;"' in html


# ---------------------------------------------------------------- copy and exports


def _conversation(small_corpus):
    text = (small_corpus / "a.txt").read_text(encoding="utf-8")
    store, _ = convs.add_turn(
        convs.Store(), _answer("机扫率要达到多少？", "达到100%。 [1]", [_cite(text, "主干道机扫率达到100%")])
    )
    path = ("二、重点任务", "（一）环卫保洁", "2．推进公厕建设")
    store, _ = convs.add_turn(
        store, _answer("公厕呢？", "新改建20座。 [1]", [_cite(text, "全年新改建公厕20座", 1, path)])
    )
    return store.active


FORMAL_1 = f"[1] 《{TITLE}》（甲政发〔2024〕1号），二、重点任务 > （一）环卫保洁 > 1．提升道路保洁：“主干道机扫率达到100%”"


def test_copy_text_carries_numbered_references(small_corpus):
    answer = _conversation(small_corpus).turns[0].answer
    assert copy_text(answer) == f"达到100%。 [1]\n\n参考出处：\n{FORMAL_1}\n"
    assert copy_text(_answer("q", "文件中未找到。")) == "文件中未找到。\n"


def test_whole_conversation_exports_as_text_markdown_and_docx(small_corpus, tmp_path):
    conv = _conversation(small_corpus)
    text = conversation_text(conv)
    assert "对话：机扫率要达到多少？" in text and "第 2 问" in text
    assert FORMAL_1 in text and "2．推进公厕建设：“全年新改建公厕20座”" in text
    md = conversation_markdown(conv)
    assert md.startswith("# 机扫率要达到多少？") and md.count("### 问题：") == 2
    assert "#### 出处" in md and "> 全年新改建公厕20座" in md
    import docx

    path = conversation_docx(conv, tmp_path / "对话.docx")
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    assert "问题 2：公厕呢？" in paragraphs and any(p.startswith(FORMAL_1) for p in paragraphs)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


# ---------------------------------------------------------------- feedback view


def test_admins_see_each_answers_latest_feedback_and_export_csv(tmp_path):
    log = tmp_path / "feedback.jsonl"
    a = _answer("甲？", "a")
    when = [datetime(2024, 5, 1, h, tzinfo=UTC) for h in range(1, 6)]
    append_feedback(log, feedback_record(a, "up", "", when[0], answer_id="t1", user="alice"))
    append_feedback(log, feedback_record(a, "down", "数字不对", when[1], answer_id="t1", user="alice"))
    append_feedback(log, feedback_record(_answer("乙？", "b"), "up", "", when[2], answer_id="t2"))
    append_feedback(log, feedback_record(_answer("丙？", "c"), "up", "", when[3], answer_id="t3"))
    append_feedback(log, feedback_record(_answer("丙？", "c"), "none", "", when[4], answer_id="t3"))
    with log.open("a", encoding="utf-8") as f:
        f.write("{torn line\n")
    latest = latest_per_answer(read_feedback(log))
    assert [(r["answer_id"], r["rating"]) for r in latest] == [("t2", "up"), ("t1", "down")]
    rows = feedback_rows(latest)
    assert rows[1][:5] == ["2024-05-01 02:00:00", "alice", "踩（有问题）", "数字不对", "甲？"]
    out = feedback_csv(latest, tmp_path / "fb.csv")
    with out.open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    assert table[0][:3] == ["时间", "用户", "评价"] and table[2][3] == "数字不对"
    assert read_feedback(tmp_path / "missing.jsonl") == []
    with pytest.raises(Exception, match="rating"):
        feedback_record(a, "meh")


# ---------------------------------------------------------------- viewer outline


def test_outline_opens_the_quotes_heading_and_lists_each_heading_once(small_corpus):
    doc = _doc(small_corpus)
    quote = "全年新改建公厕20座。"
    start = doc.text.index(quote)
    html = viewer_html("a.txt", doc.meta, doc.text, doc.sections, start, start + len(quote))
    outline = html.split('<nav class="pq-outline">', 1)[1].split("</nav>", 1)[0]
    assert outline.count("<details open>") == 2  # 二、重点任务 and （一）环卫保洁
    assert outline.count("<details>") == 2  # （二）垃圾分类 and 三、保障措施 stay folded
    here = outline.split('pq-quote-here">', 1)[1]
    assert here.startswith("<a data-target=") and "2．推进公厕建设" in here.split("</li>", 1)[0]
    assert outline.count("引文所在") == 1
    twice = (*doc.sections[:1], *doc.sections)  # a letterhead repeating the title, say
    again = viewer_html("a.txt", doc.meta, doc.text, twice, start, start + len(quote))
    nav = again.split("</nav>", 1)[0]
    assert nav.count(f">{doc.sections[0].heading}<") == 1


# ---------------------------------------------------------------- the app's handlers, per user


def test_with_logins_each_user_keeps_their_own_conversations(fake_settings):
    from types import SimpleNamespace

    import app
    from index import build
    from retrieval.pipeline import Engine

    demo = app.build_app(Engine(fake_settings, build.update(fake_settings).index), fake_settings)
    fns = {getattr(f.fn, "__name__", ""): f.fn for f in demo.fns.values()}
    respond, restore = fns["respond"], fns["restore"]

    def user(name):
        return SimpleNamespace(username=name, client=SimpleNamespace(host="127.0.0.1"))

    saved = list(respond("甲市主干道机扫率要达到多少？", {}, None, "none", user("alice")))[-1][-1]
    saved = list(respond("乙县新增停车泊位多少个？", saved, None, "none", user("bob")))[-1][-1]
    assert set(saved) == {"alice", "bob"}
    alice_chat, alice_cards, alice_list, *_ = restore(saved, user("alice"))
    bob_chat, *_ = restore(saved, user("bob"))
    assert [m["content"] for m in alice_chat["value"]][0] == "甲市主干道机扫率要达到多少？"
    assert "100%" in alice_chat["value"][1]["content"] and "pq-ref-n1" in alice_chat["value"][1]["content"]
    assert [m["content"] for m in bob_chat["value"]][0] == "乙县新增停车泊位多少个？"
    assert [label for label, _ in alice_list["choices"]] == ["甲市主干道机扫率要达到多少？"]
    assert 'class="pq-turn pq-shown"' in alice_cards and "主干道机扫率达到100%" in alice_cards
    nobody, *_ = restore(saved, user(None))
    assert nobody["value"] == []
