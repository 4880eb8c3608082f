"""index/vector_index.py: kind by size, build/save/load round trips, ids, recall of the ANN kinds."""

from __future__ import annotations

import numpy as np
import pytest

from index import vector_index
from policyqa.errors import IndexFolderError

DIM = 32


def clustered(n: int, seed: int, n_clusters: int = 20) -> np.ndarray:
    """Normalised vectors around fixed cluster centres (the same centres for every seed)."""
    centres = np.random.default_rng(99).standard_normal((n_clusters, DIM))
    rng = np.random.default_rng(seed)
    x = centres[rng.integers(0, n_clusters, n)] + 0.5 * rng.standard_normal((n, DIM))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    return clustered(4000, seed=1)


@pytest.fixture(scope="module")
def queries() -> np.ndarray:
    return clustered(100, seed=2)


def test_choose_kind_is_exact_up_to_the_threshold_then_approximate():
    assert vector_index.choose_kind(0) == vector_index.FLAT
    assert vector_index.choose_kind(5_000) == vector_index.FLAT
    assert vector_index.choose_kind(vector_index.FLAT_MAX_VECTORS) == vector_index.FLAT
    assert vector_index.choose_kind(vector_index.FLAT_MAX_VECTORS + 1) == vector_index.LARGE_KIND
    assert vector_index.choose_kind(10_000_000) == vector_index.LARGE_KIND
    assert vector_index.LARGE_KIND in (vector_index.HNSW, vector_index.IVF)


def test_ivf_lists_grow_with_sqrt_n_but_keep_enough_training_points():
    assert vector_index.ivf_nlist(1_000_000) == 4000
    assert vector_index.ivf_nlist(100_000) == round(4 * 100_000**0.5)
    assert vector_index.ivf_nlist(4000) == 4000 // 39  # 4·sqrt(4000)=253 lists would get ~16 points each
    assert vector_index.ivf_nlist(10) == 1


def test_default_kind_follows_choose_kind(data):
    index = vector_index.build(data)
    assert vector_index.describe(index)["kind"] == vector_index.choose_kind(len(data)) == vector_index.FLAT


@pytest.mark.parametrize("kind", vector_index.KINDS)
def test_round_trip_keeps_kind_parameters_and_results(kind, data, queries, tmp_path):
    index = vector_index.build(data, kind=kind)
    info = vector_index.describe(index)
    assert info["kind"] == kind and info["ntotal"] == len(data) and info["dimension"] == DIM
    path = tmp_path / "vectors.faiss"
    vector_index.save(index, path)
    loaded = vector_index.load(path, info)
    assert vector_index.describe(loaded) == info
    before = vector_index.search(index, queries, 10)
    after = vector_index.search(loaded, queries, 10)
    np.testing.assert_array_equal(before[1], after[1])
    np.testing.assert_allclose(before[0], after[0], rtol=1e-6)


def test_describe_records_the_parameters_of_each_kind(data):
    hnsw = vector_index.describe(vector_index.build(data, kind=vector_index.HNSW))
    assert hnsw["M"] == vector_index.HNSW_M
    assert hnsw["efConstruction"] == vector_index.HNSW_EF_CONSTRUCTION
    assert hnsw["efSearch"] in vector_index.HNSW_EF_CANDIDATES
    ivf = vector_index.describe(vector_index.build(data, kind=vector_index.IVF))
    assert ivf["nlist"] == vector_index.ivf_nlist(len(data))
    assert 1 <= ivf["nprobe"] <= ivf["nlist"]


@pytest.mark.parametrize("kind", vector_index.KINDS)
def test_ids_are_row_numbers(kind, data, queries):
    index = vector_index.build(data, kind=kind)
    scores, ids = vector_index.search(index, queries, 5)
    assert ids.shape == (len(queries), 5) and (ids >= 0).all()
    # Each returned score must be the inner product with the vector at that row of the input array.
    np.testing.assert_allclose(scores, np.einsum("qd,qkd->qk", queries, data[ids]), atol=1e-5)
    # A corpus row searched for finds itself first.
    _, own = vector_index.search(index, data[[0, 17, 1234, 3999]], 1)
    assert own[:, 0].tolist() == [0, 17, 1234, 3999]


@pytest.mark.parametrize("kind", [vector_index.HNSW, vector_index.IVF])
def test_approximate_recall_against_exact_is_high_on_fresh_queries(kind, data, queries):
    _, truth = vector_index.search(vector_index.build(data, kind=vector_index.FLAT), queries, 10)
    _, found = vector_index.search(vector_index.build(data, kind=kind), queries, 10)
    assert vector_index.recall_at_k(found, truth) >= vector_index.TARGET_RECALL


@pytest.mark.parametrize(
    ("kind", "knob", "candidates"),
    [
        (vector_index.HNSW, "efSearch", vector_index.HNSW_EF_CANDIDATES),
        (vector_index.IVF, "nprobe", vector_index.IVF_NPROBE_CANDIDATES),
    ],
)
def test_calibration_keeps_the_smallest_knob_that_reaches_the_target(kind, knob, candidates, data):
    index = vector_index.build(data, kind=kind)
    chosen = vector_index.describe(index)[knob]
    queries, truth = vector_index.calibration_queries(data)
    _, found = vector_index.search(index, queries, 10)
    assert vector_index.recall_at_k(found, truth) >= vector_index.CALIBRATION_RECALL
    smaller = [v for v in candidates if v < chosen]
    if smaller:
        vector_index._set_knob(index, knob, smaller[-1])
        _, found = vector_index.search(index, queries, 10)
        assert vector_index.recall_at_k(found, truth) < vector_index.CALIBRATION_RECALL


def test_ivf_with_one_probe_misses_neighbours_so_the_knob_matters(data, queries):
    _, truth = vector_index.search(vector_index.build(data, kind=vector_index.FLAT), queries, 10)
    index = vector_index.build(data, kind=vector_index.IVF)
    index.nprobe = 1
    _, found = vector_index.search(index, queries, 10)
    assert vector_index.recall_at_k(found, truth) < vector_index.TARGET_RECALL


def test_recall_at_k_counts_shared_ids():
    truth = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    assert vector_index.recall_at_k(truth, truth) == 1.0
    assert vector_index.recall_at_k(np.array([[4, 3, 9, -1], [8, 0, 0, 0]]), truth) == 3 / 8


def test_load_sets_search_knobs_from_the_manifest(data, tmp_path):
    path = tmp_path / "h.faiss"
    vector_index.save(vector_index.build(data, kind=vector_index.HNSW), path)
    assert vector_index.load(path, {"kind": "hnsw", "efSearch": 333}).hnsw.efSearch == 333
    path = tmp_path / "i.faiss"
    vector_index.save(vector_index.build(data, kind=vector_index.IVF), path)
    assert vector_index.load(path, {"kind": "ivf", "nprobe": 7}).nprobe == 7


def test_search_never_asks_for_more_neighbours_than_exist():
    few = clustered(3, seed=5)
    scores, ids = vector_index.search(vector_index.build(few), few[0], 10)
    assert ids.shape == (1, 3) and sorted(ids[0].tolist()) == [0, 1, 2]
    empty = vector_index.build(np.zeros((0, DIM), dtype=np.float32))
    _, ids = vector_index.search(empty, few[0], 10)
    assert ids.tolist() == [[-1]]


def test_missing_or_damaged_file_says_to_rebuild(tmp_path):
    with pytest.raises(IndexFolderError, match="missing.*rebuild"):
        vector_index.load(tmp_path / "nothing.faiss")
    bad = tmp_path / "vectors.faiss"
    bad.write_bytes(b"not a faiss index")
    with pytest.raises(IndexFolderError, match="vectors.faiss.*rebuild"):
        vector_index.load(bad)


def test_unknown_kind_is_refused(data):
    with pytest.raises(ValueError, match="unknown index kind"):
        vector_index.build(data, kind="lsh")
