import json

from policyqa import cli


def test_index_then_ask_prints_answer_and_citations(env, capsys):
    assert cli.main(["index"]) == 0
    out = capsys.readouterr().out
    assert "indexed 2 documents" in out
    assert cli.main(["ask", "甲市主干道机扫率要达到多少？"]) == 0
    out = capsys.readouterr().out
    assert "100%" in out and "a.txt" in out and "1．提升道路保洁" in out


def test_ask_json_and_doc_filter(env, capsys):
    assert cli.main(["ask", "停车泊位新增多少个？", "--json", "--doc", "乙县"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {p["file"] for p in data["passages"]} == {"b.txt"}
    assert "800" in data["answer"]


def test_unknown_doc_filter_is_a_clear_error(env, capsys):
    assert cli.main(["ask", "问题", "--doc", "不存在的文件"]) == 2
    assert "matches no document" in capsys.readouterr().err


def test_batch_follows_the_contract(env, tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    rows = [
        {"id": "x1", "question": "甲市公厕新改建多少座？", "extra": 1},
        {"id": "x2", "question": "北京市2023年垃圾分类目标是多少？"},
        {"id": "x3", "question": "乙县用什么办法落实门前五包？"},
    ]
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "p.jsonl"
    assert cli.main(["batch", "--in", str(questions), "--out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["x1", "x2", "x3"]
    corpus_text = {p.name: p.read_text(encoding="utf-8") for p in env.corpus.iterdir()}
    assert [bool(line["citations"]) for line in lines] == [True, False, True]
    for line in lines:
        assert set(line) == {"id", "answer", "refused", "citations", "passages"}
        assert isinstance(line["answer"], str) and isinstance(line["refused"], bool)
        assert len(line["passages"]) == 10  # k's default; the two documents have more chunks than that
        scores = [p["score"] for p in line["passages"]]
        for p in line["passages"]:
            assert set(p) == {"file", "section", "text", "score"}
            assert p["text"] in corpus_text[p["file"]] or p["text"].splitlines()[0] in corpus_text[p["file"]]
        assert all(isinstance(s, float) for s in scores)
        for c in line["citations"]:
            assert set(c) == {"file", "section", "quote"}
            assert len(c["quote"]) >= 8 and c["quote"] in corpus_text[c["file"]]
            # the section path's last heading is a heading of the cited file
            assert c["section"] and c["section"].split(" > ")[-1] in corpus_text[c["file"]]
    assert lines[1]["refused"] is True and lines[1]["citations"] == []
    assert lines[0]["refused"] is False and "20座" in lines[0]["answer"]


def test_batch_reports_bad_input_line(env, tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "a", "question": "好"}\n{not json\n', encoding="utf-8")
    assert cli.main(["batch", "--in", str(questions), "--out", str(tmp_path / "o.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "q.jsonl:2" in err
    assert not (tmp_path / "o.jsonl").exists()


def test_no_update_serves_stale_index_with_warning(env, capsys):
    assert cli.main(["index"]) == 0
    (env.corpus / "a.txt").write_text("甲市新文件\n\n一、目标\n\n新增绿地10公顷。\n", encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["ask", "机扫率多少", "--no-update"]) == 0
    assert "stale" in capsys.readouterr().err
    assert cli.main(["ask", "新增绿地多少公顷"]) == 0
    captured = capsys.readouterr()
    assert "updating" in captured.err and "10公顷" in captured.out
