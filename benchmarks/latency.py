"""Query latency on the built index: retrieval only and full answers, warm. Not a test.

    .venv/bin/python benchmarks/latency.py [--gold ../shared/eval/dev.jsonl] [--repeat 3]

Loads the index and the embedder once, answers every gold question once to warm up, then times
`Retriever.search` (query embedding + FAISS + BM25 + fusion + shaping) and `Engine.ask`
(everything, extractive mode) over `--repeat` passes, and prints p50/p95/max in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index import store  # noqa: E402
from index.embed import make_embedder  # noqa: E402
from policyqa.settings import load_settings  # noqa: E402
from retrieval.pipeline import Engine  # noqa: E402


def _percentiles(seconds: list[float]) -> str:
    ms = sorted(1000 * s for s in seconds)
    p95 = ms[max(0, int(round(0.95 * len(ms))) - 1)]
    return f"p50 {statistics.median(ms):7.1f}   p95 {p95:7.1f}   max {ms[-1]:7.1f}   (n={len(ms)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gold", default="../shared/eval/dev.jsonl")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    questions = [
        json.loads(line)["question"]
        for line in Path(args.gold).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    settings = load_settings()
    started = time.perf_counter()
    engine = Engine(
        settings, store.load(settings.index), make_embedder(settings.embedder, settings.embedder_model)
    )
    print(f"index + embedder load: {time.perf_counter() - started:.2f} s ({len(engine.index.chunks)} chunks)")
    for q in questions:  # warm-up: jieba, the dictionary for English questions, caches
        engine.ask(q)
    search, ask = [], []
    for _ in range(args.repeat):
        for q in questions:
            t = time.perf_counter()
            engine.retriever.search(q, k=10)
            search.append(time.perf_counter() - t)
            t = time.perf_counter()
            engine.ask(q)
            ask.append(time.perf_counter() - t)
    print(f"retrieval only (ms): {_percentiles(search)}")
    print(f"full answer    (ms): {_percentiles(ask)}")


if __name__ == "__main__":
    main()
