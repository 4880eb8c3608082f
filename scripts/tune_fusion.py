"""Measure fusion methods and weights on a gold set (retrieval metrics only). Not a test.

    .venv/bin/python scripts/tune_fusion.py [--gold ../shared/eval/dev.jsonl]

Uses the built index (`policyqa index` first) and the gold set's own scorer module for the
metrics. Prints one line per setting; pick a setting on a plateau, not a lone peak.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import itertools
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index import store  # noqa: E402
from index.embed import make_embedder  # noqa: E402
from policyqa.settings import load_settings  # noqa: E402
from retrieval.search import Retriever, Weights  # noqa: E402


def _scorer(gold: Path):
    spec = importlib.util.spec_from_file_location("score", gold.with_name("score.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gold", default="../shared/eval/dev.jsonl")
    args = parser.parse_args()
    gold_path = Path(args.gold)
    score = _scorer(gold_path)
    gold = score.load_gold(str(gold_path))
    rows = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    settings = load_settings()
    index = store.load(settings.index)
    embedder = make_embedder(settings.embedder, settings.embedder_model)
    embedder.query = functools.lru_cache(maxsize=None)(embedder.query)  # the grid re-asks the same questions

    grid = [
        Weights(method="weighted", dense=d, keyword=kw, doc_prior=p)
        for d, kw, p in itertools.product((0.5, 1.0, 2.0), (0.35, 0.7, 1.4), (0.0, 0.35, 0.7))
    ]
    grid += [
        Weights(method="rrf", dense=d, keyword=kw, doc_prior=p)
        for d, kw, p in itertools.product((1.0,), (0.5, 1.0, 2.0), (0.0, 0.35))
    ]
    keys = ("hit@1", "hit@5", "any_hit@5", "mrr", "section@5")
    print("method    dense keyword prior  " + "  ".join(f"{k:>9}" for k in keys))
    for weights in grid:
        retriever = Retriever(index, embedder, weights)
        out = Path(tempfile.mkstemp(suffix=".jsonl")[1])
        with out.open("w", encoding="utf-8") as fh:
            for row in rows:
                hits, _ = retriever.search(row["question"], k=10)
                passages = [
                    {"file": h.chunk.file, "section": h.chunk.section, "text": h.chunk.text, "score": h.score}
                    for h in hits
                ]
                fh.write(
                    json.dumps(
                        {
                            "id": row["id"],
                            "answer": "",
                            "refused": False,
                            "citations": [],
                            "passages": passages,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        preds, _, _ = score.load_preds(str(out), set(gold))
        metrics, _, _ = score.score(gold, preds, None)
        print(
            f"{weights.method:<9} {weights.dense:>5} {weights.keyword:>7} {weights.doc_prior:>5}  "
            + "  ".join(f"{metrics[k]:>9.3f}" for k in keys)
        )
        out.unlink()


if __name__ == "__main__":
    main()
