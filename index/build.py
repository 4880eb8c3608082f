"""Build or incrementally update the index folder from the corpus folder.

Only files whose sha256 changed (or that are new) are read, parsed, chunked and embedded again;
the chunks and vectors of unchanged files are reused from the current index. A change of
embedder, chunk settings or parsing code rebuilds everything.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index import chunk as chunking
from index import load, store, structure
from index.code_hash import pipeline_version
from index.embed import Embedder, embedder_id, make_embedder
from index.manifest import ChunkingSettings, EmbedderInfo, FileEntry, Manifest, SkippedFile
from policyqa import __version__
from policyqa.errors import DocumentError, IndexFolderError, IndexFormatError
from policyqa.records import Chunk
from policyqa.settings import Settings

Progress = Callable[[int, int, str], None]  # (done, total, message)


def _chunking_settings(settings: Settings) -> ChunkingSettings:
    return ChunkingSettings(settings.chunk_tokens, settings.tokenizer, pipeline_version())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def corpus_state(corpus: Path) -> dict[str, str]:
    """file (relative, forward slashes) -> sha256, for every supported file in the corpus folder."""
    if not corpus.is_dir():
        raise IndexFolderError(f"corpus folder {corpus} does not exist: create it and put documents in it")
    return {_relative(path, corpus): sha256_of(path) for path in load.list_corpus(corpus)}


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


@dataclass(frozen=True)
class Staleness:
    missing: bool = False
    settings_changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def fresh(self) -> bool:
        return not (self.missing or self.settings_changed or self.added or self.changed or self.removed)

    def describe(self) -> str:
        if self.missing:
            return "no index yet"
        parts = []
        if self.settings_changed:
            parts.append("settings changed: " + ", ".join(self.settings_changed))
        for label, files in (("new", self.added), ("changed", self.changed), ("removed", self.removed)):
            if files:
                parts.append(f"{len(files)} {label} ({', '.join(files[:3])}{'…' if len(files) > 3 else ''})")
        return "; ".join(parts) or "up to date"


def check(settings: Settings, state: dict[str, str] | None = None) -> Staleness:
    """Compare the index's manifest with the current settings and corpus, without loading anything big."""
    try:
        manifest = store.read_manifest(settings.index)
    except IndexFormatError:  # written by another version in a form this one cannot read
        return Staleness(settings_changed=("index format",))
    if manifest is None:
        return Staleness(missing=True)
    state = corpus_state(settings.corpus) if state is None else state
    differ = []
    if manifest.schema != store.SCHEMA:
        differ.append("index format")
    wanted = embedder_id(settings.embedder, settings.embedder_model)
    if manifest.embedder.id != wanted:
        differ.append(f"embedder ({manifest.embedder.id} -> {wanted})")
    chunking = _chunking_settings(settings)
    for key in (f.name for f in fields(ChunkingSettings)):
        if getattr(manifest.chunking, key) != getattr(chunking, key):
            differ.append("parsing code" if key == "pipeline" else key)
    indexed = {f: entry.sha256 for f, entry in manifest.files.items()}
    indexed.update({f: entry.sha256 for f, entry in manifest.skipped.items()})
    return Staleness(
        settings_changed=tuple(differ),
        added=tuple(sorted(set(state) - set(indexed))),
        changed=tuple(sorted(f for f in state if f in indexed and indexed[f] != state[f])),
        removed=tuple(sorted(set(indexed) - set(state))),
    )


@dataclass(frozen=True)
class BuildReport:
    documents: int
    chunks: int
    seconds: float
    embedded_files: tuple[str, ...] = ()
    reused_files: tuple[str, ...] = ()
    removed_files: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()  # (file, reason) for files that could not be read
    index: store.LoadedIndex | None = field(default=None, repr=False, compare=False)


def _vectors_by_text(folder: Path, embedder: Embedder) -> dict[str, np.ndarray]:
    """Vectors of the index on disk by the text embedded, if the same embedder made them."""
    try:
        index = store.load(folder)
    except Exception:  # no index, another schema, damaged: nothing to reuse
        return {}
    if index.manifest.embedder != EmbedderInfo(embedder.id, int(embedder.dimension)):
        return {}
    return {chunk.embed_text: index.vectors[i] for i, chunk in enumerate(index.chunks)}


def _embed(embedder: Embedder, texts: list[str], known: dict[str, np.ndarray]) -> np.ndarray:
    """Embed the texts, reusing known vectors of identical texts."""
    if not texts:
        return embedder.passages([])
    todo = [t for t in dict.fromkeys(texts) if t not in known]
    fresh = dict(zip(todo, embedder.passages(todo), strict=True)) if todo else {}
    return np.stack([known[t] if t in known else fresh[t] for t in texts]).astype(np.float32)


@contextlib.contextmanager
def _build_lock(folder: Path):
    """One builder at a time per index folder (a second one waits)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with (folder.parent / f".{folder.name}.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def update(
    settings: Settings,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
    known_vectors: dict[str, np.ndarray] | None = None,
) -> BuildReport:
    """Bring the index folder up to date with the corpus; re-embed only what changed.

    `known_vectors` (embedded text -> vector, made by this embedder) are used instead of embedding
    those texts again: the app embeds an upload before it takes the lock (`library.prepare_upload`)."""
    started = time.perf_counter()
    progress = progress or (lambda done, total, message: None)
    with _build_lock(settings.index):
        state = corpus_state(settings.corpus)
        staleness = check(settings, state)
        previous = None
        if not rebuild and not staleness.missing and not staleness.settings_changed:
            previous = store.load(settings.index)
        embedder = embedder or make_embedder(settings.embedder, settings.embedder_model)
        # When parsing changed, texts that come out the same keep their vectors: a parser fix then
        # costs a re-parse, not hours of embedding.
        known = {} if previous is not None or rebuild else _vectors_by_text(settings.index, embedder)
        known = {**known, **(known_vectors or {})}

        files: dict[str, FileEntry] = {}
        skipped: dict[str, SkippedFile] = {}
        chunks: list[Chunk] = []
        documents: dict[str, store.StoredDocument] = {}
        vectors: dict[str, np.ndarray] = {}
        embedded, reused = [], []
        todo = sorted(state)
        for done, file in enumerate(todo):
            sha = state[file]
            old = previous.manifest.files.get(file) if previous else None
            if old and old.sha256 == sha:
                first, last = old.chunks
                file_chunks = previous.chunks[first:last]
                documents[file] = previous.documents[file]
                vectors[file] = previous.file_vectors(file)
                reused.append(file)
            else:
                progress(done, len(todo), f"embedding {file}")
                try:
                    file_chunks, documents[file] = _read_and_chunk(settings, file, sha)
                except DocumentError as exc:
                    skipped[file] = SkippedFile(sha256=sha, reason=str(exc))
                    continue
                vectors[file] = _embed(embedder, [c.embed_text for c in file_chunks], known)
                embedded.append(file)
            files[file] = FileEntry(
                sha256=sha,
                format=documents[file].meta.format,
                chunks=(len(chunks), len(chunks) + len(file_chunks)),
            )
            chunks.extend(file_chunks)
        progress(len(todo), len(todo), "writing index")

        manifest = Manifest(
            schema=store.SCHEMA,
            policyqa_version=__version__,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            corpus=str(Path(settings.corpus).resolve()),
            embedder=EmbedderInfo(embedder.id, int(embedder.dimension)),
            chunking=_chunking_settings(settings),
            files=files,
            skipped=skipped,
        )
        loaded = store.write(settings.index, manifest, chunks, documents, vectors)
    return BuildReport(
        documents=len(files),
        chunks=len(chunks),
        seconds=time.perf_counter() - started,
        embedded_files=tuple(embedded),
        reused_files=tuple(reused),
        removed_files=staleness.removed if previous else (),
        skipped=tuple((f, entry.reason) for f, entry in skipped.items()),
        index=loaded,
    )


def _read_and_chunk(settings: Settings, file: str, sha: str) -> tuple[list[Chunk], store.StoredDocument]:
    raw = load.read_document(Path(settings.corpus) / file, Path(settings.corpus))
    document = structure.parse(raw, sha256=sha)
    file_chunks = chunking.chunk_document(document, settings.chunk_tokens, settings.tokenizer)
    return file_chunks, store.StoredDocument(document.meta, document.sections)


def ensure_fresh(
    settings: Settings,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    allow_stale: bool = False,
) -> tuple[store.LoadedIndex, Staleness]:
    """The loaded index, updated first when the corpus or settings changed (unless allow_stale).

    Returns the index and the staleness found *before* any update.
    """
    staleness = check(settings)
    if staleness.fresh or (allow_stale and not staleness.missing and not staleness.settings_changed):
        return store.load(settings.index), staleness
    report = update(settings, embedder, progress)
    return report.index, staleness
