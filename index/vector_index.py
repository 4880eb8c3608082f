"""The FAISS index over chunk vectors: built from the per-file vectors, saved as one file.

Vectors are L2-normalised, so inner product is cosine similarity. Small corpora get exact search
(`flat`); past `FLAT_MAX_VECTORS` an IVF index keeps single-query latency low. The threshold and
the parameters were measured with `benchmarks/scale.py` (numbers in docs/scale.md).

The search-time knob of an approximate index (HNSW efSearch, IVF nprobe) is not guessed: `build`
tries increasing values on queries made from sampled corpus vectors and keeps the smallest one
whose recall@10 against exact search reaches `CALIBRATION_RECALL`. `describe` records it for the
manifest and `load(path, params)` sets it again, so an index read back searches as it was measured.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from policyqa.errors import IndexFolderError

FLAT = "flat"
HNSW = "hnsw"
IVF = "ivf"
KINDS = (FLAT, HNSW, IVF)

# Above this many vectors exact search at dim 384 has a p95 single-query latency over ~20 ms on
# 2 cores (measured: docs/scale.md), so an approximate index takes over.
FLAT_MAX_VECTORS = 150_000
# Past the threshold both approximate kinds answer one query in under 0.5 ms at recall@10 >= 0.95
# once calibrated; IVF builds ~3x faster at 1M (the index is rebuilt whole on every `policyqa index`)
# and needs no graph links in memory, so it is the default (docs/scale.md).
LARGE_KIND = IVF

HNSW_M = 32  # graph neighbours per node
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_CANDIDATES = (16, 32, 48, 64, 96, 128, 192, 256, 384, 512)
IVF_NPROBE_CANDIDATES = (1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)
# faiss warns below 39 training points per list; fewer lists than that would train on noise.
IVF_MIN_POINTS_PER_LIST = 39
IVF_TRAIN_POINTS_PER_LIST = 64
IVF_KMEANS_ITERATIONS = 10

TARGET_RECALL = 0.95
SINGLE_THREAD_MAX_QUERIES = 8  # up to this many queries per call, search runs single-threaded
# Calibration aims a little higher than the target, so that fresh queries (which benchmarks/scale.py
# draws from the same distribution, not from the corpus) still reach the target.
CALIBRATION_RECALL = 0.97
CALIBRATION_QUERIES = 200
CALIBRATION_K = 10


def choose_kind(n_vectors: int) -> str:
    """`flat` (exact) while it is fast enough, the approximate `LARGE_KIND` beyond that."""
    return FLAT if n_vectors <= FLAT_MAX_VECTORS else LARGE_KIND


def ivf_nlist(n_vectors: int) -> int:
    """About 4·sqrt(n) inverted lists, but never fewer than 39 training points per list."""
    return max(1, min(round(4 * math.sqrt(n_vectors)), n_vectors // IVF_MIN_POINTS_PER_LIST))


def build(vectors: np.ndarray, kind: str | None = None):
    """A FAISS index whose ids are the row numbers of `vectors` (L2-normalised float32 rows).

    `kind` forces `flat`, `hnsw` or `ivf`; by default `choose_kind(len(vectors))` decides.
    """
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise ValueError(f"vectors must be a 2-d array (n, dim), got shape {vectors.shape}")
    n, dim = vectors.shape
    kind = kind or choose_kind(n)
    if kind not in KINDS:
        raise ValueError(f"unknown index kind {kind!r}; use one of {', '.join(KINDS)}")
    if kind == FLAT or n == 0:
        index = faiss.IndexFlatIP(dim)
    elif kind == HNSW:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    elif kind == IVF:
        quantizer = faiss.IndexFlatIP(dim)
        # The faiss wrapper keeps the quantizer alive as long as the index.
        index = faiss.IndexIVFFlat(quantizer, dim, ivf_nlist(n), faiss.METRIC_INNER_PRODUCT)
        # k-means on every vector costs minutes at 1M; a sample and fewer rounds place the
        # centroids well enough, and calibration then picks nprobe for the lists as they are.
        index.cp.niter = IVF_KMEANS_ITERATIONS
        index.cp.max_points_per_centroid = IVF_TRAIN_POINTS_PER_LIST
        index.train(vectors)
    if n:
        # add() numbers vectors 0..n-1 in order, so FAISS ids are the row numbers.
        index.add(vectors)
    if kind in (HNSW, IVF) and n:
        _calibrate(index, vectors)
    return index


def _calibrate(index, vectors: np.ndarray) -> float:
    """Set the smallest efSearch/nprobe whose recall@10 on corpus-like queries reaches the target.

    Returns the recall reached on the calibration queries.
    """
    import faiss

    queries, truth = calibration_queries(vectors)
    if isinstance(index, faiss.IndexHNSW):
        candidates, knob = HNSW_EF_CANDIDATES, "efSearch"
    else:
        candidates, knob = [p for p in IVF_NPROBE_CANDIDATES if p < index.nlist] + [index.nlist], "nprobe"
    recall = 0.0
    for value in candidates:
        _set_knob(index, knob, value)
        _, found = index.search(queries, truth.shape[1])
        recall = recall_at_k(found, truth)
        if recall >= CALIBRATION_RECALL:
            break
    return recall


def calibration_queries(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(queries, exact top-10 ids) made from the corpus itself.

    A corpus vector is too easy a query (HNSW walks straight to it), so each query is a sampled
    vector turned in a random direction by as much as its own 10th neighbour is away: a new point
    at the corpus's local spacing, like a question near but not on a chunk.
    """
    import faiss

    n = len(vectors)
    rng = np.random.default_rng(0)
    base = vectors[rng.choice(n, size=min(CALIBRATION_QUERIES, n), replace=False)]
    k = min(CALIBRATION_K, n)
    # Brute force straight on the array: no second copy of the vectors.
    sims, _ = faiss.knn(base, vectors, min(k + 1, n), metric=faiss.METRIC_INNER_PRODUCT)
    cos = np.clip(sims[:, -1:], -1.0, 1.0)
    noise = rng.standard_normal(base.shape).astype(np.float32)
    noise -= (noise * base).sum(axis=1, keepdims=True) * base  # orthogonal to the vector
    noise /= np.maximum(np.linalg.norm(noise, axis=1, keepdims=True), 1e-12)
    queries = np.ascontiguousarray(cos * base + np.sqrt(1.0 - cos**2) * noise, dtype=np.float32)
    _, truth = faiss.knn(queries, vectors, k, metric=faiss.METRIC_INNER_PRODUCT)
    return queries, truth


def _set_knob(index, knob: str, value: int) -> None:
    if knob == "efSearch":
        index.hnsw.efSearch = int(value)
    else:
        index.nprobe = int(value)


def recall_at_k(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean share of each query's true top-k ids that the approximate search returned."""
    if truth.size == 0:
        return 1.0
    hits = sum(
        len(set(f[f >= 0].tolist()) & set(t[t >= 0].tolist())) for f, t in zip(found, truth, strict=True)
    )
    return hits / max(int((truth >= 0).sum()), 1)


def describe(index) -> dict:
    """The index kind and its parameters, as written into manifest.json and accepted by `load`."""
    import faiss

    # downcast gives a view that does not own the index: `index` must stay referenced meanwhile.
    typed = faiss.downcast_index(index)
    out = {"kind": FLAT, "ntotal": int(typed.ntotal), "dimension": int(typed.d)}
    if isinstance(typed, faiss.IndexHNSW):
        out.update(
            kind=HNSW,
            M=int(typed.hnsw.nb_neighbors(1)),
            efConstruction=int(typed.hnsw.efConstruction),
            efSearch=int(typed.hnsw.efSearch),
        )
    elif isinstance(typed, faiss.IndexIVF):
        out.update(kind=IVF, nlist=int(typed.nlist), nprobe=int(typed.nprobe))
    return out


def save(index, path: Path) -> None:
    """Write the index to one file."""
    import faiss

    faiss.write_index(index, str(path))


def load(path: Path, params: dict | None = None):
    """Read an index written by `save`; `params` (the `describe` dict from the manifest) sets efSearch/nprobe.

    Not every FAISS version stores the search-time knobs in the file, so the manifest's values win.
    """
    import faiss

    path = Path(path)
    if not path.is_file():
        raise IndexFolderError(f"the vector index {path} is missing; run `policyqa index --rebuild`")
    try:
        index = faiss.read_index(str(path))
    except RuntimeError as exc:
        raise IndexFolderError(
            f"the vector index {path} cannot be read ({str(exc).strip().splitlines()[-1]}); "
            "run `policyqa index --rebuild`"
        ) from None
    return _with_params(index, params)


def from_bytes(data: bytes, params: dict | None = None):
    """An index from the bytes of a file written by `save` (read and checked by the caller)."""
    import faiss

    try:
        index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
    except RuntimeError as exc:
        raise IndexFolderError(
            f"the vector index cannot be read ({str(exc).strip().splitlines()[-1]}); "
            "run `policyqa index --rebuild`"
        ) from None
    return _with_params(index, params)


def _with_params(index, params: dict | None):
    import faiss

    params = params or {}
    if isinstance(index, faiss.IndexHNSW) and params.get("efSearch"):
        _set_knob(index, "efSearch", params["efSearch"])
    elif isinstance(index, faiss.IndexIVF) and params.get("nprobe"):
        _set_knob(index, "nprobe", params["nprobe"])
    return index


def search(index, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(scores, ids) of shape (n_queries, k); ids are -1 where fewer than k vectors exist."""
    import faiss

    queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
    k = min(k, max(index.ntotal, 1))
    if len(queries) > SINGLE_THREAD_MAX_QUERIES:
        return index.search(queries, k)
    # A few queries run on this thread alone: on 2 shared cores OpenMP's fan-out for one query
    # costs more than it saves (flat, 10k vectors, machine busy: p50 16 ms on 2 threads, 0.3 ms on
    # 1; docs/scale.md). The setting is per calling thread in OpenMP, so other threads keep theirs.
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        return index.search(queries, k)
    finally:
        faiss.omp_set_num_threads(before)
