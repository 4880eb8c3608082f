"""Build or incrementally update the index folder from the corpus folder.

Only files whose sha256 changed (or that are new) are read, parsed, chunked and embedded again;
the chunks and vectors of unchanged files are reused from the current index. A change of
embedder, chunk settings or parsing code rebuilds everything.

Only what matches the index's checksums is reused (`store.salvage`): a damaged index file is
rebuilt, whatever state the folder is in. Each file's vectors go to a resume cache
(`index/vector_cache.py`) as soon as they are embedded, so a killed build resumes where it stopped;
what killed builds left beside the index is cleaned up by the next one (`index_folder.clean_stale`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index import chunk as chunking
from index import index_folder, load, store, structure, targets
from index.code_hash import pipeline_version
from index.embed import Embedder, embedder_id, make_embedder
from index.manifest import ChunkingSettings, EmbedderInfo, FileEntry, Manifest, SkippedFile
from index.vector_cache import VectorCache
from policyqa import __version__
from policyqa.errors import DocumentError, IndexDamagedError, IndexFolderError, IndexFormatError
from policyqa.records import Chunk, Target
from policyqa.settings import Settings

log = logging.getLogger(__name__)

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
    state = {}
    for path in load.list_corpus(corpus):
        try:
            state[_relative(path, corpus)] = sha256_of(path)
        except OSError as exc:  # removed or made unreadable while the folder was listed
            log.warning("skipped %s: cannot read it (%s)", _relative(path, corpus), exc.strerror or exc)
    return state


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


@dataclass(frozen=True)
class Staleness:
    missing: bool = False
    settings_changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    damaged: tuple[str, ...] = ()  # index files that do not match their checksums

    @property
    def fresh(self) -> bool:
        return not (
            self.missing
            or self.settings_changed
            or self.added
            or self.changed
            or self.removed
            or self.damaged
        )

    def describe(self) -> str:
        if self.missing:
            return "no index yet"
        parts = []
        if self.damaged:
            parts.append("index damaged: " + ", ".join(self.damaged))
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
    except IndexFolderError as exc:  # unreadable, or not matching its own checksum
        return Staleness(damaged=getattr(exc, "files", ()) or ("manifest.json",))
    if manifest is None:
        return Staleness(missing=True)
    state = corpus_state(settings.corpus) if state is None else state
    differ = []
    if manifest.schema != store.SCHEMA:
        differ.append("index format")
    elif not manifest.checksums:  # written before checksums were recorded: rebuilt to add them
        differ.append("index format (no checksums)")
    elif not store.current_targets(manifest):  # before the ledger: re-parsed, vectors reused
        differ.append("targets ledger")
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
    resumed_files: tuple[str, ...] = ()  # vectors taken from an interrupted build's resume cache
    repaired: tuple[str, ...] = ()  # index files found damaged (not matching their checksums), rebuilt


def _vectors_by_text(salvaged: store.Salvage | None, embedder: EmbedderInfo) -> dict[str, np.ndarray]:
    """Intact vectors of the index on disk by the text embedded, if the same embedder made them."""
    if salvaged is None or salvaged.chunks is None or salvaged.manifest.embedder != embedder:
        return {}
    known = {}
    for file, entry in salvaged.manifest.files.items():
        if file in salvaged.vectors:
            first, last = entry.chunks
            for chunk, vector in zip(salvaged.chunks[first:last], salvaged.vectors[file], strict=True):
                known[chunk.embed_text] = vector
    return known


def _embed(embedder: Embedder, texts: list[str], known: dict[str, np.ndarray]) -> np.ndarray:
    """Embed the texts, reusing known vectors of identical texts."""
    if not texts:
        return embedder.passages([])
    todo = [t for t in dict.fromkeys(texts) if t not in known]
    fresh = dict(zip(todo, embedder.passages(todo), strict=True)) if todo else {}
    return np.stack([known[t] if t in known else fresh[t] for t in texts]).astype(np.float32)


@contextlib.contextmanager
def _build_lock(folder: Path):
    """One builder at a time per index folder; a second one says it is waiting, then waits.

    The lock file holds the pid of the builder that has it, so the waiting one can name it."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with (folder.parent / f".{folder.name}.lock").open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip()
            log.warning(
                "waiting for another build of the index %s to finish (%s)…",
                folder,
                f"process {holder}" if holder.isdigit() else "another process",
            )
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fh.flush()
            fcntl.flock(fh, fcntl.LOCK_UN)


def update(
    settings: Settings,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
    known_vectors: dict[str, np.ndarray] | None = None,
) -> BuildReport:
    """Bring the index folder up to date with the corpus; re-embed only what changed or is damaged.

    Works whatever state the index folder is in (missing, damaged, half-written, another format).
    `known_vectors` (embedded text -> vector, made by this embedder) are used instead of embedding
    those texts again: the app embeds an upload before it takes the lock (`library.prepare_upload`)."""
    started = time.perf_counter()
    progress = progress or (lambda done, total, message: None)
    with _build_lock(settings.index):
        index_folder.check_replaceable(settings.index)
        for line in index_folder.clean_stale(settings.index):
            log.warning("%s", line)
        state = corpus_state(settings.corpus)
        staleness = check(settings, state)
        embedder = embedder or make_embedder(settings.embedder, settings.embedder_model)
        info = EmbedderInfo(embedder.id, int(embedder.dimension))
        cache = VectorCache(settings.index, info)
        if rebuild:  # --rebuild embeds every file again, resume cache included
            cache.clear()
        cache.drop_partial()
        salvaged = None if rebuild or staleness.missing else store.salvage(settings.index)
        repaired = tuple(dict.fromkeys((*staleness.damaged, *(salvaged.damaged if salvaged else ()))))
        if repaired:
            log.warning("index files damaged (%s): rebuilding what they held", ", ".join(repaired))
        previous = salvaged if salvaged is not None and not staleness.settings_changed else None
        # When parsing changed, texts that come out the same keep their vectors: a parser fix then
        # costs a re-parse, not hours of embedding.
        known = {} if previous is not None or rebuild else _vectors_by_text(salvaged, info)
        known = {**known, **(known_vectors or {})}

        files: dict[str, FileEntry] = {}
        skipped: dict[str, SkippedFile] = {}
        chunks: list[Chunk] = []
        ledger: list[Target] = []
        documents: dict[str, store.StoredDocument] = {}
        vectors: dict[str, np.ndarray] = {}
        embedded, reused, resumed = [], [], []
        todo = sorted(state)
        for done, file in enumerate(todo):
            sha = state[file]
            old = previous.manifest.files.get(file) if previous else None
            unchanged = old is not None and old.sha256 == sha
            indexed = previous.file_chunks(file) if unchanged else None
            intact = previous.vectors.get(file) if unchanged else None
            if indexed is None or intact is None:
                progress(done, len(todo), f"embedding {file}")
            if indexed is None:
                try:
                    indexed = _read_and_chunk(settings, file, sha)
                except DocumentError as exc:
                    skipped[file] = SkippedFile(sha256=sha, reason=str(exc))
                    continue
            file_chunks, documents[file], file_targets = indexed
            texts = [c.embed_text for c in file_chunks]
            if intact is not None and len(intact) == len(file_chunks):
                vectors[file] = intact
                reused.append(file)
            elif (cached := cache.get(texts)) is not None:
                vectors[file] = cached
                resumed.append(file)
            else:
                vectors[file] = _embed(embedder, texts, known)
                cache.put(texts, vectors[file])
                embedded.append(file)
            files[file] = FileEntry(
                sha256=sha,
                format=documents[file].meta.format,
                chunks=(len(chunks), len(chunks) + len(file_chunks)),
            )
            chunks.extend(file_chunks)
            ledger.extend(file_targets)
        progress(len(todo), len(todo), "writing index")

        manifest = Manifest(
            schema=store.SCHEMA,
            policyqa_version=__version__,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            corpus=str(Path(settings.corpus).resolve()),
            embedder=info,
            chunking=_chunking_settings(settings),
            files=files,
            skipped=skipped,
        )
        loaded = store.write(settings.index, manifest, chunks, documents, vectors, ledger)
        cache.clear()
    return BuildReport(
        documents=len(files),
        chunks=len(chunks),
        seconds=time.perf_counter() - started,
        embedded_files=tuple(embedded),
        reused_files=tuple(reused),
        removed_files=staleness.removed if previous else (),
        skipped=tuple((f, entry.reason) for f, entry in skipped.items()),
        index=loaded,
        resumed_files=tuple(resumed),
        repaired=repaired,
    )


def _read_and_chunk(
    settings: Settings, file: str, sha: str
) -> tuple[list[Chunk], store.StoredDocument, list[Target]]:
    """A file's chunks, stored document and ledger rows (the targets need the parsed text)."""
    raw = load.read_document(Path(settings.corpus) / file, Path(settings.corpus))
    document = structure.parse(raw, sha256=sha)
    file_chunks = chunking.chunk_document(document, settings.chunk_tokens, settings.tokenizer)
    rows = list(targets.extract_targets(document))
    return file_chunks, store.StoredDocument(document.meta, document.sections), rows


def ensure_fresh(
    settings: Settings,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    allow_stale: bool = False,
) -> tuple[store.LoadedIndex, Staleness]:
    """The loaded index, updated first when the corpus or settings changed (unless allow_stale).

    A damaged index is never served: it is repaired first, even when allow_stale.
    Returns the index and the staleness found *before* any update.
    """
    staleness = check(settings)
    servable = not (staleness.missing or staleness.settings_changed or staleness.damaged)
    if staleness.fresh or (allow_stale and servable):
        try:
            return store.load(settings.index), staleness
        except IndexDamagedError as exc:
            log.warning("%s", exc)
            staleness = replace(staleness, damaged=exc.files)
    report = update(settings, embedder, progress)
    return report.index, staleness
