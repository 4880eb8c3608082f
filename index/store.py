"""The index folder: plain files, written atomically, checked when loaded.

    <index>/manifest.json     settings the index was built with, per-file sha256 and chunk ranges
    <index>/chunks.jsonl      one Chunk per line; line number = FAISS id = BM25 row
    <index>/documents.jsonl   DocumentMeta and heading tree per file
    <index>/vectors/NNNN.npy  per-file chunk vectors (the manifest maps file -> npy name)
    <index>/vectors.faiss     FAISS index built from the per-file vectors
    <index>/bm25/             the keyword index as saved by bm25s
    <index>/targets.jsonl     the targets ledger: one Target per line, grouped by file (index/targets.py)

A build writes a sibling temp folder and swaps it in with renames, so a crash leaves either the
old index or the new one, never a mix. No pickle anywhere.

The manifest records the sha256 of every other file (and seals itself, `index/manifest.py`).
`load` hashes each file as it reads it and refuses a folder whose files do not match
(`IndexDamagedError`, naming them): a damaged index is never served. `salvage` reads what still
matches, so a build (`index/build.py`) re-creates only what is damaged.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import index_folder, keyword, vector_index
from index.manifest import Manifest, TargetsInfo, self_checksum
from policyqa.errors import IndexDamagedError, IndexFolderError, IndexFormatError
from policyqa.records import Chunk, DocumentMeta, Section, Target

SCHEMA = 1
# targets.jsonl's own schema: bump it when Target's fields change meaning; an index of another
# targets schema is re-extracted (re-parsed, its vectors reused), not re-embedded.
TARGETS_SCHEMA = 1
TARGET_FIELDS = tuple(f.name for f in dataclasses.fields(Target))

# What a build writes into the index folder; a folder holding anything else is not replaced.
INDEX_ENTRIES = frozenset(
    {"manifest.json", "chunks.jsonl", "documents.jsonl", "vectors", "vectors.faiss", "bm25", "targets.jsonl"}
)


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
    targets: tuple[Target, ...]  # the ledger, grouped by file in manifest order

    def file_vectors(self, file: str) -> np.ndarray:
        first, last = self.manifest.files[file].chunks
        return self.vectors[first:last]


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def write(
    folder: Path,
    manifest: Manifest,
    chunks: list[Chunk],
    documents: dict[str, StoredDocument],
    per_file_vectors: dict[str, np.ndarray],
    targets: list[Target],
) -> LoadedIndex:
    """Write a complete index to `folder` atomically and return it loaded.

    `chunks` must be grouped by file in the order of `manifest.files`; the manifest written (and
    returned) adds each file's vectors name and the FAISS description.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    index_folder.check_replaceable(folder)
    tmp = index_folder.temp_folder(folder)
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "vectors").mkdir(parents=True)
    try:
        loaded = _write_files(tmp, folder, manifest, chunks, documents, per_file_vectors, targets)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _swap_in(tmp, folder)
    return loaded


def _write_files(
    tmp: Path,
    folder: Path,
    manifest: Manifest,
    chunks: list[Chunk],
    documents: dict[str, StoredDocument],
    per_file_vectors: dict[str, np.ndarray],
    targets: list[Target],
) -> LoadedIndex:
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
        targets=TargetsInfo(TARGETS_SCHEMA, TARGET_FIELDS, len(targets)),
    )
    vector_index.save(faiss_index, tmp / "vectors.faiss")
    bm25 = keyword.build([c.embed_text for c in chunks])
    keyword.save(bm25, tmp / "bm25")
    _write_jsonl(tmp / "chunks.jsonl", (chunk_to_json(c) for c in chunks))
    _write_jsonl(tmp / "documents.jsonl", (d.to_json() for d in documents.values()))
    _write_jsonl(tmp / "targets.jsonl", (t.to_json() for t in targets))
    # The manifest is written last, with the checksum of every other file: a folder without one
    # is never mistaken for an index.
    manifest = dataclasses.replace(manifest, checksums=_seal(tmp))
    (tmp / "manifest.json").write_text(manifest_text(manifest), encoding="utf-8")
    _seal(tmp, only="manifest.json")
    return LoadedIndex(folder, manifest, tuple(chunks), documents, vectors, faiss_index, bm25, tuple(targets))


def manifest_text(manifest: Manifest) -> str:
    """manifest.json's content."""
    return json.dumps(manifest.to_json(), ensure_ascii=False, indent=2)


def _seal(folder: Path, only: str = "") -> dict[str, str]:
    """fsync every file under `folder` (or just `only`) and return {relative path: sha256}."""
    sums = {}
    paths = [folder / only] if only else sorted(p for p in folder.rglob("*") if p.is_file())
    for path in paths:
        with path.open("rb") as fh:
            sums[path.relative_to(folder).as_posix()] = hashlib.file_digest(fh, "sha256").hexdigest()
            os.fsync(fh.fileno())
    return sums


def _swap_in(tmp: Path, folder: Path) -> None:
    old = folder.parent / f".{folder.name}.old-{os.getpid()}"
    if folder.exists():
        os.replace(folder, old)
    os.replace(tmp, folder)
    shutil.rmtree(old, ignore_errors=True)


def read_manifest(folder: Path) -> Manifest | None:
    """The folder's manifest, or None when it has none.

    Raises IndexFormatError for a manifest of another index format that cannot be read as this one,
    IndexDamagedError for one that cannot be read or does not match its own checksum.
    """
    path = Path(folder) / "manifest.json"
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise _damaged(folder, ("manifest.json",), f"manifest.json cannot be read: {exc}") from None
    if isinstance(data, dict) and "checksum" in data and self_checksum(data) != data["checksum"]:
        raise _damaged(folder, ("manifest.json",), "manifest.json does not match its own checksum")
    try:
        return Manifest.from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(data, dict) and "schema" in data and data.get("schema") != SCHEMA:
            raise _other_format(folder) from None
        raise _damaged(folder, ("manifest.json",), f"manifest.json is incomplete: {exc!r}") from None


def _other_format(folder: Path) -> IndexFormatError:
    return IndexFormatError(
        f"{folder} was written by another policyqa version: run `policyqa index --rebuild`"
    )


def _damaged(folder: Path, files, detail: str = "") -> IndexDamagedError:
    files = tuple(files)
    if not detail:
        shown = ", ".join(files[:5]) + (" …" if len(files) > 5 else "")
        verb = "does" if len(files) == 1 else "do"
        detail = f"{shown} {verb} not match the checksums recorded when it was built"
    return IndexDamagedError(
        f"the index at {folder} is damaged ({detail}); it is not used: run `policyqa index` to rebuild what is damaged",
        files,
    )


class _Reader:
    """Reads index files, each checked against its recorded sha256 as it is read."""

    def __init__(self, folder: Path, checksums: Mapping[str, str]):
        self.folder = folder
        self.checksums = checksums
        self.damaged: list[str] = []

    def read(self, name: str) -> bytes | None:
        """The bytes of `name` when they match its checksum; else None, and `name` counts as damaged."""
        expected = self.checksums.get(name)
        try:
            data = (self.folder / name).read_bytes()
        except OSError:
            data = None
        if data is None or expected is None or hashlib.sha256(data).hexdigest() != expected:
            self.damaged.append(name)
            return None
        return data

    def parse(self, name: str, parser):
        """`parser(bytes)` of a file that matches its checksum; None (damaged) when either fails."""
        data = self.read(name)
        if data is None:
            return None
        try:
            return parser(data)
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, IndexFolderError):
            self.damaged.append(name)
            return None


def _jsonl(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]


def _chunks(data: bytes) -> tuple[Chunk, ...]:
    return tuple(chunk_from_json(row) for row in _jsonl(data))


def _targets(data: bytes) -> tuple[Target, ...]:
    return tuple(Target.from_json(row) for row in _jsonl(data))


def current_targets(manifest: Manifest) -> bool:
    """Whether the index holds a ledger of this version's schema and fields."""
    info = manifest.targets
    return info is not None and info.schema == TARGETS_SCHEMA and info.fields == TARGET_FIELDS


def _documents(data: bytes) -> dict[str, StoredDocument]:
    documents = {}
    for row in _jsonl(data):
        document = StoredDocument.from_json(row)
        documents[document.meta.file] = document
    return documents


def _npy(dimension: int, rows: int):
    def parse(data: bytes) -> np.ndarray:
        array = np.load(io.BytesIO(data), allow_pickle=False)
        if array.dtype != np.float32 or array.shape != (rows, dimension):
            raise ValueError(f"vectors of shape {array.shape}, expected ({rows}, {dimension})")
        return array

    return parse


def _verified_manifest(folder: Path) -> Manifest:
    manifest = read_manifest(folder)
    if manifest is None:
        raise IndexFolderError(f"no index at {folder}: run `policyqa index` first")
    if manifest.schema != SCHEMA:
        raise _other_format(folder)
    if not manifest.checksums:
        raise IndexFormatError(
            f"{folder} was written by an older policyqa version that recorded no checksums: "
            "run `policyqa index` to rebuild it"
        )
    return manifest


def _file_vectors(reader: _Reader, manifest: Manifest) -> dict[str, np.ndarray]:
    out = {}
    for file, entry in manifest.files.items():
        first, last = entry.chunks
        vectors = reader.parse(f"vectors/{entry.vectors}", _npy(manifest.embedder.dimension, last - first))
        if vectors is not None:
            out[file] = vectors
    return out


def _bm25_verified(reader: _Reader) -> bool:
    names = [name for name in reader.checksums if name.startswith("bm25/")]
    if not names:
        reader.damaged.append("bm25")
        return False
    return all([reader.read(name) is not None for name in names])


def load(folder: Path) -> LoadedIndex:
    """Load every file of the index folder, each checked against its checksum as it is read.

    A damaged folder raises IndexDamagedError naming the files; it is never served."""
    folder = Path(folder)
    manifest = _verified_manifest(folder)
    if not current_targets(manifest):  # written before the ledger, or with another form of it
        raise IndexFormatError(f"{folder} has no targets ledger of this version: run `policyqa index`")
    reader = _Reader(folder, manifest.checksums)
    chunks = reader.parse("chunks.jsonl", _chunks)
    documents = reader.parse("documents.jsonl", _documents)
    targets = reader.parse("targets.jsonl", _targets)
    per_file = _file_vectors(reader, manifest)
    faiss_index = reader.parse("vectors.faiss", lambda data: vector_index.from_bytes(data, manifest.faiss))
    bm25 = None
    if _bm25_verified(reader):
        try:
            bm25 = keyword.load(folder / "bm25")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise _damaged(folder, ("bm25",), f"bm25 cannot be read: {exc}") from None
    if reader.damaged:
        raise _damaged(folder, reader.damaged)
    blocks = [per_file[file] for file in manifest.files]
    dimension = manifest.embedder.dimension
    vectors = np.concatenate(blocks) if blocks else np.zeros((0, dimension), dtype=np.float32)
    if len(vectors) != len(chunks) or faiss_index.ntotal != len(chunks):
        raise IndexFolderError(f"the index at {folder} is inconsistent; run `policyqa index --rebuild`")
    return LoadedIndex(folder, manifest, chunks, documents, vectors, faiss_index, bm25, targets)


@dataclass(frozen=True)
class Salvage:
    """What of an index folder still matches its checksums, for a build to reuse."""

    manifest: Manifest
    chunks: tuple[Chunk, ...] | None  # None when chunks.jsonl is damaged
    documents: Mapping[str, StoredDocument] | None  # None when documents.jsonl is damaged
    vectors: Mapping[str, np.ndarray]  # per file, only those whose .npy is intact
    damaged: tuple[str, ...]  # the index files that did not match (to be rebuilt)
    targets: tuple[Target, ...] | None = None  # None when targets.jsonl is damaged, missing or outdated

    def file_chunks(self, file: str) -> tuple[list[Chunk], StoredDocument, list[Target]] | None:
        """A file's chunks, document and ledger rows as indexed, when the files holding them are intact."""
        entry = self.manifest.files.get(file)
        if entry is None or None in (self.chunks, self.documents, self.targets) or file not in self.documents:
            return None
        first, last = entry.chunks
        return (
            list(self.chunks[first:last]),
            self.documents[file],
            [t for t in self.targets if t.file == file],
        )


def salvage(folder: Path) -> Salvage | None:
    """The intact parts of the index at `folder`; None when its manifest is missing, of another
    format, without checksums or damaged (then nothing in the folder can be trusted)."""
    folder = Path(folder)
    try:
        manifest = _verified_manifest(folder)
    except IndexFolderError:
        return None
    reader = _Reader(folder, manifest.checksums)
    chunks = reader.parse("chunks.jsonl", _chunks)
    total = sum(last - first for first, last in (entry.chunks for entry in manifest.files.values()))
    if chunks is not None and len(chunks) != total:
        chunks = None
        reader.damaged.append("chunks.jsonl")
    documents = reader.parse("documents.jsonl", _documents)
    # An index written before the ledger (or with another targets schema) has no rows to reuse:
    # its files are re-parsed, their vectors reused by text.
    targets = reader.parse("targets.jsonl", _targets) if current_targets(manifest) else None
    vectors = _file_vectors(reader, manifest)
    reader.read("vectors.faiss")  # rebuilt by every build anyway: checked only to report damage
    _bm25_verified(reader)
    return Salvage(manifest, chunks, documents, vectors, tuple(dict.fromkeys(reader.damaged)), targets)
