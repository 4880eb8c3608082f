"""The index folder: plain files, written atomically, checked when loaded.

    <index>/manifest.json     settings the index was built with, per-file sha256 and chunk ranges
    <index>/chunks.jsonl      one Chunk per line; line number = FAISS id = BM25 row
    <index>/documents.jsonl   DocumentMeta and heading tree per file
    <index>/vectors/NNNN.npy  per-file chunk vectors (the manifest maps file -> npy name)
    <index>/vectors.faiss     FAISS index built from the per-file vectors
    <index>/bm25/             the keyword index as saved by bm25s

A build writes a sibling temp folder and swaps it in with renames, so a crash leaves either the
old index or the new one, never a mix. No pickle anywhere.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import keyword, vector_index
from index.manifest import Manifest
from policyqa.errors import IndexFolderError, IndexFormatError
from policyqa.records import Chunk, DocumentMeta, Section

SCHEMA = 1


# ---------------------------------------------------------------- record <-> JSON


def chunk_to_json(chunk: Chunk) -> dict:
    return dataclasses.asdict(chunk)


def chunk_from_json(data: dict) -> Chunk:
    return Chunk(
        **{
            **data,
            "section_path": tuple(data["section_path"]),
            "spans": tuple(tuple(s) for s in data.get("spans", ())),
        }
    )


def section_to_json(section: Section) -> dict:
    return dataclasses.asdict(section)


def section_from_json(data: dict) -> Section:
    return Section(
        **{
            **data,
            "path": tuple(data["path"]),
            "children": tuple(section_from_json(c) for c in data.get("children", ())),
        }
    )


def meta_to_json(meta: DocumentMeta) -> dict:
    return dataclasses.asdict(meta)


def meta_from_json(data: dict) -> DocumentMeta:
    return DocumentMeta(
        **{
            **data,
            "dates": tuple(tuple(d) for d in data.get("dates", ())),
            "years": tuple(data.get("years", ())),
        }
    )


# ---------------------------------------------------------------- the loaded index


@dataclass(frozen=True)
class StoredDocument:
    """One line of documents.jsonl: a document's metadata and heading tree."""

    meta: DocumentMeta
    sections: tuple[Section, ...]

    @classmethod
    def from_json(cls, data: Mapping) -> StoredDocument:
        return cls(meta_from_json(data["meta"]), tuple(section_from_json(s) for s in data["sections"]))

    def to_json(self) -> dict:
        return {"meta": meta_to_json(self.meta), "sections": [section_to_json(s) for s in self.sections]}


@dataclass(frozen=True)
class LoadedIndex:
    """Everything in an index folder, in memory."""

    folder: Path
    manifest: Manifest
    chunks: tuple[Chunk, ...]
    documents: Mapping[str, StoredDocument]  # by file
    vectors: np.ndarray  # row i = chunks[i]
    faiss: object
    bm25: object

    def file_vectors(self, file: str) -> np.ndarray:
        first, last = self.manifest.files[file].chunks
        return self.vectors[first:last]


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write(
    folder: Path,
    manifest: Manifest,
    chunks: list[Chunk],
    documents: dict[str, StoredDocument],
    per_file_vectors: dict[str, np.ndarray],
) -> LoadedIndex:
    """Write a complete index to `folder` atomically and return it loaded.

    `chunks` must be grouped by file in the order of `manifest.files`; the manifest written (and
    returned) adds each file's vectors name and the FAISS description.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "vectors").mkdir(parents=True)

    dimension = manifest.embedder.dimension
    blocks = []
    files = {}
    for i, (file, entry) in enumerate(manifest.files.items()):
        vectors = np.asarray(per_file_vectors[file], dtype=np.float32).reshape(-1, dimension)
        files[file] = dataclasses.replace(entry, vectors=f"{i:05d}.npy")
        np.save(tmp / "vectors" / files[file].vectors, vectors, allow_pickle=False)
        blocks.append(vectors)
    vectors = np.concatenate(blocks) if blocks else np.zeros((0, dimension), dtype=np.float32)
    if len(vectors) != len(chunks):
        raise IndexFolderError(f"internal error: {len(vectors)} vectors for {len(chunks)} chunks")

    faiss_index = vector_index.build(vectors)
    manifest = dataclasses.replace(
        manifest,
        files=files,
        faiss=vector_index.describe(faiss_index) if hasattr(vector_index, "describe") else {"kind": "flat"},
    )
    vector_index.save(faiss_index, tmp / "vectors.faiss")
    bm25 = keyword.build([c.embed_text for c in chunks])
    keyword.save(bm25, tmp / "bm25")
    _write_jsonl(tmp / "chunks.jsonl", (chunk_to_json(c) for c in chunks))
    _write_jsonl(tmp / "documents.jsonl", (d.to_json() for d in documents.values()))
    # The manifest is written last: a folder without one is never mistaken for an index.
    (tmp / "manifest.json").write_text(manifest_text(manifest), encoding="utf-8")
    _fsync_tree(tmp)
    _swap_in(tmp, folder)
    return LoadedIndex(folder, manifest, tuple(chunks), documents, vectors, faiss_index, bm25)


def manifest_text(manifest: Manifest) -> str:
    """manifest.json's content."""
    return json.dumps(manifest.to_json(), ensure_ascii=False, indent=2)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as fh:
                os.fsync(fh.fileno())


def _swap_in(tmp: Path, folder: Path) -> None:
    old = folder.parent / f".{folder.name}.old-{os.getpid()}"
    if folder.exists():
        os.replace(folder, old)
    os.replace(tmp, folder)
    shutil.rmtree(old, ignore_errors=True)


def read_manifest(folder: Path) -> Manifest | None:
    """The folder's manifest, or None when it has none.

    Raises IndexFormatError for a manifest of another index format that cannot be read as this one.
    """
    path = Path(folder) / "manifest.json"
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexFolderError(
            f"{path} is damaged ({exc}); delete the folder {folder} and run `policyqa index` to rebuild it"
        ) from None
    try:
        return Manifest.from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(data, dict) and data.get("schema") != SCHEMA:
            raise _other_format(folder) from None
        raise IndexFolderError(
            f"the index at {folder} is incomplete or damaged ({exc}); run `policyqa index --rebuild`"
        ) from None


def _other_format(folder: Path) -> IndexFormatError:
    return IndexFormatError(
        f"{folder} was written by another policyqa version: run `policyqa index --rebuild`"
    )


def load(folder: Path) -> LoadedIndex:
    """Load every file of the index folder; a damaged folder gets a message saying how to rebuild."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest is None:
        raise IndexFolderError(f"no index at {folder}: run `policyqa index` first")
    if manifest.schema != SCHEMA:
        raise _other_format(folder)
    try:
        chunks = tuple(chunk_from_json(row) for row in _read_jsonl(folder / "chunks.jsonl"))
        documents = {}
        for row in _read_jsonl(folder / "documents.jsonl"):
            document = StoredDocument.from_json(row)
            documents[document.meta.file] = document
        blocks = [
            np.load(folder / "vectors" / entry.vectors, allow_pickle=False)
            for entry in manifest.files.values()
        ]
        dimension = manifest.embedder.dimension
        vectors = np.concatenate(blocks) if blocks else np.zeros((0, dimension), dtype=np.float32)
        faiss_index = vector_index.load(folder / "vectors.faiss", manifest.faiss)
        bm25 = keyword.load(folder / "bm25")
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise IndexFolderError(
            f"the index at {folder} is incomplete or damaged ({exc}); run `policyqa index --rebuild`"
        ) from None
    if len(vectors) != len(chunks) or faiss_index.ntotal != len(chunks):
        raise IndexFolderError(f"the index at {folder} is inconsistent; run `policyqa index --rebuild`")
    return LoadedIndex(folder, manifest, chunks, documents, vectors, faiss_index, bm25)
