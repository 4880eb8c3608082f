from index import keyword


def test_tokenize_folds_width_and_drops_noise():
    assert keyword.tokenize("机扫率达到１００％") == keyword.tokenize("机扫率达到100%")
    assert "的" not in keyword.tokenize("城市的管理")
    assert keyword.tokenize("（一）加强， 组织领导。") == ["一", "加强", "组织", "领导"]


def test_scores_rank_matching_text_first(tmp_path):
    model = keyword.build(["主干道机扫率主城区达到100%", "垃圾分类小区", "城管开放日活动"])
    scores = keyword.scores(model, "城管开放日在哪里提到")
    assert scores.argmax() == 2
    keyword.save(model, tmp_path / "bm25")
    loaded = keyword.load(tmp_path / "bm25")
    assert (keyword.scores(loaded, "机扫率") == keyword.scores(model, "机扫率")).all()


def test_unknown_words_score_zero():
    model = keyword.build(["垃圾分类"])
    assert keyword.scores(model, "火星探测").sum() == 0
