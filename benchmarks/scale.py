"""Scale benchmark: FAISS index kinds and the BM25 keyword index on synthetic corpora.

    python benchmarks/scale.py [--sizes 10000,100000,1000000] [--dim 384] [--bm25-sizes 10000,100000]

Vector part: clustered synthetic vectors (a Gaussian mixture: each cluster has its own centre and
its own low-dimensional spread, plus a little isotropic noise, then L2-normalised), because on
uniform random vectors every ANN index looks bad and on one blob every index looks good. Queries
are fresh draws from the same mixture, not corpus rows. For each size and each index kind that
makes sense there it prints build time (calibration of efSearch/nprobe included), memory (index
bytes and the process RSS delta of the build), p50/p95 single-query latency (warm, one query per
call, as the app searches) and recall@10 against exact search.

Keyword part: Chinese chunks made by sampling and recombining sentences of corpus/*.txt,
tokenised with the project's jieba tokenizer (`index.keyword.tokenize`) and indexed once with
bm25s; prints tokenise and index time, memory, and p50/p95 query latency. 1M is extrapolated
linearly from the largest measured size, and the output says so.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index import vector_index  # noqa: E402

CLUSTER_SIZE = 1000  # mean vectors per mixture component
SUBSPACE = 32  # intrinsic dimension of one cluster's spread
SPREAD, NOISE = 0.8, 0.3  # norms of the in-cluster and the isotropic parts (the centre has norm 1)
K = 10
WIDE_K = 200  # candidates the retriever takes from FAISS (retrieval/search.py Weights.dense_candidates)


# ---------------------------------------------------------------- measuring helpers


def rss_bytes() -> int:
    """Resident set size of this process, from /proc (no psutil needed)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def mb(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:,.0f}"


def percentiles_ms(seconds: list[float]) -> tuple[float, float]:
    ms = np.asarray(seconds) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def print_table(header: list[str], rows: list[list[str]]) -> None:
    """A Markdown table, so the output can be pasted into docs/scale.md as is."""
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    sys.stdout.flush()


# ---------------------------------------------------------------- synthetic vectors


def mixture(n: int, dim: int, n_clusters: int, seed: int) -> np.ndarray:
    """n L2-normalised float32 vectors from a fixed Gaussian mixture (cluster parameters depend on the cluster only)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_clusters, size=n)
    out = np.empty((n, dim), dtype=np.float32)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n_clusters + 1))
    for c in range(n_clusters):
        rows = order[bounds[c] : bounds[c + 1]]
        if not len(rows):
            continue
        # The same cluster always gets the same centre and subspace, so queries share the corpus's clusters.
        crng = np.random.default_rng((12345, dim, c))
        centre = crng.standard_normal(dim).astype(np.float32)
        centre /= np.linalg.norm(centre)
        basis = np.linalg.qr(crng.standard_normal((dim, SUBSPACE)))[0].astype(np.float32)
        z = rng.standard_normal((len(rows), SUBSPACE), dtype=np.float32) * (SPREAD / math.sqrt(SUBSPACE))
        iso = rng.standard_normal((len(rows), dim), dtype=np.float32) * (NOISE / math.sqrt(dim))
        out[rows] = centre + z @ basis.T + iso
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


# ---------------------------------------------------------------- vector part


def bench_kind(
    kind: str, vectors: np.ndarray, queries: np.ndarray, n_queries: int, label: str = ""
) -> list[str]:
    """One table row: build, memory, single-query latency and recall of one index kind."""
    import faiss

    _, truth = faiss.knn(queries, vectors, WIDE_K, metric=faiss.METRIC_INNER_PRODUCT)
    gc.collect()
    rss0 = rss_bytes()
    t0 = time.perf_counter()
    index = vector_index.build(vectors, kind=kind)
    build_s = time.perf_counter() - t0
    rss_delta = rss_bytes() - rss0
    index_bytes = faiss.serialize_index(index).nbytes
    for q in queries[:5]:  # warm caches and the OpenMP pool
        vector_index.search(index, q, K)
    times, found = [], []
    for q in queries[:n_queries]:
        t = time.perf_counter()
        _, ids = vector_index.search(index, q, K)
        times.append(time.perf_counter() - t)
        found.append(ids[0])
    p50, p95 = percentiles_ms(times)
    recall = vector_index.recall_at_k(np.array(found), truth[:n_queries, :K])
    # The retriever asks FAISS for its 200 best candidates, so recall that deep matters too.
    _, wide = vector_index.search(index, queries[:n_queries], WIDE_K)
    recall_wide = vector_index.recall_at_k(wide, truth[:n_queries])
    info = vector_index.describe(index)
    params = (
        ", ".join(f"{k}={v}" for k, v in info.items() if k not in ("kind", "ntotal", "dimension")) or "exact"
    )
    del index
    gc.collect()
    return [
        f"{len(vectors):,}",
        kind + label,
        params,
        f"{build_s:.1f}",
        mb(index_bytes),
        mb(rss_delta),
        f"{p50:.2f}",
        f"{p95:.2f}",
        f"{recall:.3f}",
        f"{recall_wide:.3f}",
        str(n_queries),
    ]


def vector_part(
    sizes: list[int], dim: int, kinds: list[str], n_queries: int, flat_queries_1m: int, hnsw_max: int
):
    import faiss

    print(
        f"\n## Vectors (dim {dim}, faiss {faiss.__version__}, {faiss.omp_get_max_threads()} OpenMP threads)\n"
    )
    header = ["n", "kind", "params", "build s", "index MB", "RSS Δ MB", "p50 ms", "p95 ms"]
    header += ["recall@10", f"recall@{WIDE_K}", "queries"]
    rows, notes = [], []
    for n in sizes:
        t0 = time.perf_counter()
        n_clusters = max(1, n // CLUSTER_SIZE)
        vectors = mixture(n, dim, n_clusters, seed=1)
        queries = mixture(n_queries, dim, n_clusters, seed=2)
        log(f"{n:,}: data in {time.perf_counter() - t0:.1f}s")
        for kind in kinds:
            t0 = time.perf_counter()
            if kind == vector_index.HNSW and n > hnsw_max:
                # HNSW insertion at 1M takes longer than the whole run may: measure on a random
                # subset (its own exact truth) and scale the build cost linearly.
                sub = vectors[np.sort(np.random.default_rng(4).choice(n, hnsw_max, replace=False))]
                row = bench_kind(kind, sub, queries, n_queries, label=f" (on a {hnsw_max:,} subset)")
                f = n / hnsw_max
                notes.append(
                    f"hnsw at {n:,}: built on a random {hnsw_max:,}-vector subset; linear extrapolation to "
                    f"{n:,}: build ≈ {float(row[3]) * f:.0f} s (more: insertion cost grows ~log n), "
                    f"index ≈ {float(row[4].replace(',', '')) * f:,.0f} MB"
                )
                del sub
            else:
                # Exact search at 1M costs ~0.1-0.3 s a query: fewer queries keep the run short.
                nq = flat_queries_1m if (kind == vector_index.FLAT and n >= 1_000_000) else n_queries
                row = bench_kind(kind, vectors, queries, nq)
            rows.append(row)
            log(f"{n:,} {kind}: {time.perf_counter() - t0:.1f}s {row}")
        del vectors
        gc.collect()
    print_table(header, rows)
    for note in notes:
        print(f"\n- {note}")


def log(message: str) -> None:
    """Progress on stderr, with the load average, since other processes skew latency on 2 cores."""
    load = Path("/proc/loadavg").read_text().split()[0]
    print(f"[{time.strftime('%H:%M:%S')} load {load}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- keyword part

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n+")


def corpus_sentences(folder: Path) -> list[str]:
    """Sentences (and heading lines) of every corpus file, whitespace-trimmed, empty ones dropped."""
    sentences = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        sentences.extend(s.strip() for s in _SENTENCE_END.split(text) if s.strip())
    return sentences


def synth_chunks(sentences: list[str], n: int, seed: int) -> list[str]:
    """n chunks of 3-8 randomly chosen sentences each (about the length of one real chunk)."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(3, 9, size=n)
    picks = rng.integers(0, len(sentences), size=int(lengths.sum()))
    chunks, at = [], 0
    for length in lengths:
        chunks.append("".join(sentences[i] for i in picks[at : at + length]))
        at += length
    return chunks


def keyword_part(sizes: list[int], n_queries: int) -> None:
    from index import keyword

    sentences = corpus_sentences(ROOT / "corpus")
    # Queries: sentence fragments of the corpus, like a user quoting a phrase of a plan.
    rng = np.random.default_rng(3)
    queries = []
    for i in rng.integers(0, len(sentences), size=n_queries):
        s = sentences[i]
        start = int(rng.integers(0, max(1, len(s) - 12)))
        queries.append(s[start : start + 12])
    keyword.tokenize("预热")  # load jieba's dictionary outside the timings
    print(f"\n## Keyword index (jieba + bm25s, {len(sentences):,} corpus sentences recombined)\n")
    header = [
        "chunks",
        "chars",
        "tokenise s",
        "index s",
        "RSS Δ MB",
        "p50 ms",
        "p95 ms",
        "top-10 p50 ms",
        "top-10 p95 ms",
    ]
    rows, measured = [], []
    for n in sizes:
        chunks = synth_chunks(sentences, n, seed=n)
        chars = sum(map(len, chunks))
        gc.collect()
        rss0 = rss_bytes()
        t0 = time.perf_counter()
        tokens = [keyword.tokenize(c) or [""] for c in chunks]
        tok_s = time.perf_counter() - t0
        import bm25s

        t0 = time.perf_counter()
        model = bm25s.BM25()
        model.index(tokens, show_progress=False)
        index_s = time.perf_counter() - t0
        del tokens
        gc.collect()
        rss_delta = rss_bytes() - rss0
        # What the app does per query: tokenise, score every chunk (keyword.scores), then the top 10.
        for q in queries[:5]:
            keyword.scores(model, q)
        full, top = [], []
        for q in queries:
            t = time.perf_counter()
            s = keyword.scores(model, q)
            full.append(time.perf_counter() - t)
            np.argpartition(-s, min(K, len(s) - 1))[:K]
            top.append(time.perf_counter() - t)
        p50, p95 = percentiles_ms(full)
        t50, t95 = percentiles_ms(top)
        rows.append(
            [f"{n:,}", f"{chars / 1e6:.1f}M", f"{tok_s:.1f}", f"{index_s:.1f}", mb(rss_delta)]
            + [f"{p50:.2f}", f"{p95:.2f}", f"{t50:.2f}", f"{t95:.2f}"]
        )
        measured.append((n, tok_s, index_s, rss_delta, p50, p95))
        log(f"bm25 {n:,}: {rows[-1]}")
        del model, chunks
        gc.collect()
    # Linear extrapolation to 1M from the largest measured size (query cost grows with the postings scanned).
    n, tok_s, index_s, rss_delta, p50, p95 = measured[-1]
    f = 1_000_000 / n
    if f > 1:
        rows.append(
            [
                f"1,000,000 (extrapolated ×{f:g} from {n:,}, linear)",
                "",
                f"{tok_s * f:.0f}",
                f"{index_s * f:.0f}",
            ]
            + [mb(rss_delta * f), f"{p50 * f:.0f}", f"{p95 * f:.0f}", "", ""]
        )
    print_table(header, rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="vector counts, comma separated")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=200, help="single queries timed per index")
    parser.add_argument("--flat-queries-1m", type=int, default=50, help="queries for exact search at >= 1M")
    parser.add_argument(
        "--bm25-sizes", default="10000,100000", help="chunk counts ('' skips the keyword part)"
    )
    parser.add_argument("--kinds", default="flat,hnsw,ivf", help="index kinds to measure")
    parser.add_argument("--hnsw-max", type=int, default=250_000, help="largest HNSW built; above, a subset")
    parser.add_argument("--threads", type=int, default=0, help="FAISS OpenMP threads (0: FAISS default)")
    args = parser.parse_args(argv)
    import faiss

    if args.threads:
        faiss.omp_set_num_threads(args.threads)
    start = time.perf_counter()
    print(f"Load average at start: {Path('/proc/loadavg').read_text().split()[0]} on {os.cpu_count()} cores")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if sizes:
        kinds = [k for k in args.kinds.split(",") if k]
        vector_part(sizes, args.dim, kinds, args.queries, args.flat_queries_1m, args.hnsw_max)
    bm25_sizes = [int(s) for s in args.bm25_sizes.split(",") if s]
    if bm25_sizes:
        keyword_part(bm25_sizes, args.queries)
    load = Path("/proc/loadavg").read_text().split()[0]
    print(f"\nTotal run time {time.perf_counter() - start:.0f} s; load average at end: {load}")


if __name__ == "__main__":
    main()
