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
