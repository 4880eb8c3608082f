"""The FAISS index over chunk vectors: built from the per-file vectors, saved as one file.

Vectors are L2-normalised, so inner product is cosine similarity. Small corpora get exact search
(`flat`); past `FLAT_MAX_VECTORS` an HNSW graph keeps single-query latency low. The threshold and
the parameters were measured with `benchmarks/scale.py` (numbers in docs/scale.md).

The search-time knob of an approximate index (HNSW efSearch, IVF nprobe) is not guessed: `build`
tries increasing values on a sample of the corpus's own vectors and keeps the smallest one whose
recall@10 against exact search reaches `TARGET_RECALL`. `describe` records it for the manifest and
`load(path, params)` sets it again, so an index read back searches exactly as it was measured.
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
FLAT_MAX_VECTORS = 200_000
# Which approximate index past the threshold: HNSW answers a query in well under a millisecond
# and needs no training; IVF builds faster but is slower to query (both measured in docs/scale.md).
LARGE_KIND = HNSW

HNSW_M = 32  # graph neighbours per node
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_CANDIDATES = (16, 32, 48, 64, 96, 128, 192, 256, 384, 512)
IVF_NPROBE_CANDIDATES = (1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)
# faiss warns below 39 training points per list; fewer lists than that would train on noise.
IVF_MIN_POINTS_PER_LIST = 39

TARGET_RECALL = 0.95
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
    if kind == FLAT or n == 0:
        index = faiss.IndexFlatIP(dim)
    elif kind == HNSW:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    elif kind == IVF:
        quantizer = faiss.IndexFlatIP(dim)
        # The faiss wrapper keeps the quantizer alive as long as the index.
        index = faiss.IndexIVFFlat(quantizer, dim, ivf_nlist(n), faiss.METRIC_INNER_PRODUCT)
        index.train(vectors)
    else:
        raise ValueError(f"unknown index kind {kind!r}; use one of {', '.join(KINDS)}")
    if n:
        # add() numbers vectors 0..n-1 in order, so FAISS ids are the row numbers.
        index.add(vectors)
    if kind in (HNSW, IVF) and n:
        _calibrate(index, vectors)
    return index


def _calibrate(index, vectors: np.ndarray) -> float:
    """Set the smallest efSearch/nprobe whose recall@10 on sampled corpus vectors reaches the target."""
    import faiss

    n = len(vectors)
    rng = np.random.default_rng(0)
    queries = vectors[rng.choice(n, size=min(CALIBRATION_QUERIES, n), replace=False)]
    k = min(CALIBRATION_K, n)
    # Brute force straight on the array: no second copy of the vectors.
    _, truth = faiss.knn(queries, vectors, k, metric=faiss.METRIC_INNER_PRODUCT)
    if isinstance(index, faiss.IndexHNSW):
        candidates, knob = HNSW_EF_CANDIDATES, "efSearch"
    else:
        candidates, knob = [p for p in IVF_NPROBE_CANDIDATES if p < index.nlist] + [index.nlist], "nprobe"
    recall = 0.0
    for value in candidates:
        _set_knob(index, knob, value)
        _, found = index.search(queries, k)
        recall = recall_at_k(found, truth)
        if recall >= TARGET_RECALL:
            break
    return recall


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

    index = faiss.downcast_index(index)
    out = {"kind": FLAT, "ntotal": int(index.ntotal), "dimension": int(index.d)}
    if isinstance(index, faiss.IndexHNSW):
        out.update(
            kind=HNSW,
            M=int(index.hnsw.nb_neighbors(1)),
            efConstruction=int(index.hnsw.efConstruction),
            efSearch=int(index.hnsw.efSearch),
        )
    elif isinstance(index, faiss.IndexIVF):
        out.update(kind=IVF, nlist=int(index.nlist), nprobe=int(index.nprobe))
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
    params = params or {}
    if isinstance(index, faiss.IndexHNSW) and params.get("efSearch"):
        _set_knob(index, "efSearch", params["efSearch"])
    elif isinstance(index, faiss.IndexIVF) and params.get("nprobe"):
        _set_knob(index, "nprobe", params["nprobe"])
    return index


def search(index, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(scores, ids) of shape (n_queries, k); ids are -1 where fewer than k vectors exist."""
    queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
    return index.search(queries, min(k, max(index.ntotal, 1)))
