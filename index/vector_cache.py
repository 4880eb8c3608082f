"""Vectors a build has embedded but not yet written into the index, so a killed build resumes.

A build stores each file's vectors here as soon as they are embedded, under
`<parent>/.<index name>.resume/`; a build that is killed (or fails) leaves them, and the next build
takes them instead of embedding the file again. A successful build empties the folder.

An entry is one `.npy` file named `<key>.<sha256 of its bytes>.npy`: the key is the sha256 of the
embedder (id, dimension) and the exact texts embedded, so an entry is found only for the same
texts and model, and it is used only when its bytes still match the checksum in its name. Entries
are written under a temp name and renamed, so a kill mid-write leaves no half entry under a real name.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from pathlib import Path

import numpy as np

from index.manifest import EmbedderInfo


class VectorCache:
    def __init__(self, index_folder: Path, embedder: EmbedderInfo):
        index_folder = Path(index_folder)
        self.folder = index_folder.parent / f".{index_folder.name}.resume"
        self.embedder = embedder

    def _key(self, texts: list[str]) -> str:
        payload = json.dumps([self.embedder.id, self.embedder.dimension, texts], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, texts: list[str]) -> np.ndarray | None:
        """The vectors stored for exactly these texts, if present and intact; a damaged entry is removed."""
        if not texts or not self.folder.is_dir():
            return None
        for path in self.folder.glob(f"{self._key(texts)}.*.npy"):
            try:
                data = path.read_bytes()
                if hashlib.sha256(data).hexdigest() != path.name.split(".")[1]:
                    raise ValueError("checksum mismatch")
                vectors = np.load(io.BytesIO(data), allow_pickle=False)
                if vectors.dtype != np.float32 or vectors.shape != (len(texts), self.embedder.dimension):
                    raise ValueError(f"shape {vectors.shape}")
                return vectors
            except (OSError, ValueError):
                path.unlink(missing_ok=True)
        return None

    def put(self, texts: list[str], vectors: np.ndarray) -> None:
        """Store the vectors of these texts (written to a temp name, synced, then renamed)."""
        if not texts:
            return
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(vectors, dtype=np.float32), allow_pickle=False)
        data = buffer.getvalue()
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{self._key(texts)}.{hashlib.sha256(data).hexdigest()}.npy"
        tmp = self.folder / f".{name}.tmp-{os.getpid()}"
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.folder / name)

    def entries(self) -> int:
        """How many entries are stored."""
        return len(list(self.folder.glob("*.npy"))) if self.folder.is_dir() else 0

    def drop_partial(self) -> None:
        """Remove entries a killed build was still writing (call holding the build lock)."""
        if self.folder.is_dir():
            for path in self.folder.glob(".*.tmp-*"):
                path.unlink(missing_ok=True)

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
