"""Adding and removing corpus files from the app, each followed by an incremental index update.

Safety: an upload is checked (name, type, size) before anything is written; it is copied under a
hidden temp name and parsed there before it gets its real name, atomically and never over an
existing file; a file that fails to parse, here or in the index builder, leaves the corpus unchanged.

Large uploads: the app stages an upload (`stage_upload`), parses and embeds it with no lock held
(`prepare_upload`, the slow part), and only then places it and updates the index (`commit_uploads`),
which then reuses those vectors: the build lock is held for a re-parse, not for the embedding.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from index import build, load
from policyqa.errors import DocumentError
from policyqa.settings import Settings

_BAD_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


def safe_filename(name: str) -> str:
    """A file name safe to create in the corpus folder: no folders, no `..`, not hidden, Chinese kept."""
    shown = name or "(empty)"
    # Browsers send a bare name, but a crafted request may send a path: keep its last part only.
    raw = re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1].strip(" \u3000\t")
    base = _BAD_NAME_CHARS.sub("", raw).strip(" \u3000\t")
    if not base or base.startswith((".", "~$")) or ".." in base:
        raise DocumentError(
            f"{shown}: not an acceptable file name (empty, hidden or containing '..'); rename the file and upload again",
            zh=f"{shown}：文件名不可用（为空、以点开头或含有“..”），请重命名后重新上传。",
        )
    suffix = Path(base).suffix.lower()
    if suffix not in load.SUPPORTED_SUFFIXES:
        raise DocumentError(
            f"{base}: unsupported file type {suffix or '(none)'}; supported: {', '.join(load.SUPPORTED_SUFFIXES)}",
            zh=load.unsupported_type_zh(base, suffix),
        )
    stem = Path(base).stem[:100].strip() or "document"
    return stem + suffix


def check_upload(path: Path, name: str, max_mb: float) -> str:
    """Validate one uploaded file (type, size, name); returns the safe name to store it under."""
    safe = safe_filename(name)
    try:
        size = Path(path).stat().st_size
    except OSError:
        raise DocumentError(
            f"{safe}: the upload did not arrive completely; upload it again",
            zh=f"{safe}：文件没有完整上传，请重新上传。",
        ) from None
    if size == 0:
        raise DocumentError(
            f"{safe}: the file is empty; check it and upload again",
            zh=f"{safe}：文件是空的，请检查后重新上传。",
        )
    if size > max_mb * 1024 * 1024:
        raise DocumentError(
            f"{safe}: file is {size / 1024 / 1024:.1f} MB, over the {max_mb:g} MB upload limit; "
            "split it or ask the administrator to raise max_upload_mb",
            zh=f"{safe}：文件有 {size / 1024 / 1024:.1f} MB，超过 {max_mb:g} MB 的上传上限；请拆分文件，或请管理员调高上限。",
        )
    return safe


def _numbered(name: str, n: int) -> str:
    p = Path(name)
    return f"{p.stem}（{n}）{p.suffix}" if n > 1 else name


@dataclass(frozen=True)
class StagedUpload:
    """An upload copied into the corpus folder under a hidden name (hidden files are never indexed)."""

    path: Path  # corpus/.upload-<random><suffix>
    name: str  # the safe name it is to get
    sha256: str
    original: str = ""  # the name the user gave, when it differs from `name`

    def saved_as(self, placed: str) -> bool:
        """Whether `placed` is the name this upload got in the corpus (`name`, or `name` numbered)."""
        return placed == self.name or any(placed == _numbered(self.name, n) for n in range(2, 1000))


STAGED_PREFIX = ".upload-"


def stage_upload(src: Path, name: str, corpus: Path) -> StagedUpload:
    """Copy an upload into the corpus under a hidden temp name; identical content already present is refused."""
    corpus = Path(corpus).resolve()
    safe = safe_filename(name)
    digest = build.sha256_of(Path(src))
    _refuse_duplicate(corpus, safe, digest)
    tmp = corpus / f"{STAGED_PREFIX}{uuid.uuid4().hex[:12]}{Path(safe).suffix}"
    try:
        shutil.copyfile(src, tmp)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    return StagedUpload(tmp, safe, digest, name if name != safe else "")


def _refuse_duplicate(corpus: Path, safe: str, digest: str) -> None:
    for existing, sha in build.corpus_state(corpus).items():
        if sha == digest:
            raise DocumentError(
                f"{safe}: the same file is already in the corpus as {existing}; nothing to add",
                zh=f"{safe}：文件库中已有内容相同的文件 {existing}，无需重复添加。",
            )


def place_upload(staged: StagedUpload, corpus: Path) -> str:
    """Give a staged upload its name (numbered when taken, never overwriting) and return it."""
    corpus = Path(corpus).resolve()
    try:
        for n in range(1, 1000):
            target = corpus / _numbered(staged.name, n)
            if inside_corpus(corpus, target.name) != target:
                raise DocumentError(
                    f"{staged.name}: refusing to write outside the corpus folder",
                    zh=f"{staged.name}：不能写到文件库以外的位置。",
                )
            try:
                # link() never replaces an existing file, unlike rename(): no silent overwrite, even in a race.
                os.link(staged.path, target)
            except FileExistsError:
                continue
            return target.name
        raise DocumentError(
            f"{staged.name}: too many files with this name in the corpus; rename it and upload again",
            zh=f"{staged.name}：文件库中同名文件过多，请重命名后重新上传。",
        )
    finally:
        staged.path.unlink(missing_ok=True)


def store_upload(src: Path, name: str, corpus: Path) -> str:
    """Copy an upload into the corpus atomically and return its corpus-relative name.

    The copy is parsed under a hidden temp name first (hidden files are never indexed); a
    parse failure removes it and raises DocumentError. An existing name is never overwritten:
    the new file gets a numbered name instead. Identical content already present is refused.
    """
    corpus = Path(corpus).resolve()
    staged = stage_upload(src, name, corpus)
    try:
        _parse_check(staged.path, corpus, staged.name)
        return place_upload(staged, corpus)
    finally:
        staged.path.unlink(missing_ok=True)


def prepare_upload(
    settings: Settings,
    staged: StagedUpload,
    embedder,
    progress: Callable[[int, int, str], None] | None = None,
    batch: int = 8,
) -> dict[str, np.ndarray]:
    """Parse a staged upload as the file it will become and embed its chunks, holding no lock.

    Returns embedded text -> vector for `build.update(known_vectors=...)`; raises DocumentError
    (naming the upload) when it cannot be read."""
    from index import chunk as chunking
    from index import structure

    corpus = Path(settings.corpus).resolve()
    try:
        raw = replace(load.read_document(staged.path, corpus), file=staged.name)
        document = structure.parse(raw, sha256=staged.sha256)
    except DocumentError as exc:
        raise exc.renamed(staged.path.name, staged.name) from None
    chunks = chunking.chunk_document(document, settings.chunk_tokens, settings.tokenizer)
    texts = list(dict.fromkeys(c.embed_text for c in chunks))
    vectors: dict[str, np.ndarray] = {}
    for start in range(0, len(texts), batch):
        if progress:
            progress(start, len(texts), staged.name)
        part = texts[start : start + batch]
        vectors.update(zip(part, embedder.passages(part), strict=True))
    if progress:
        progress(len(texts), len(texts), staged.name)
    return vectors


def commit_uploads(
    settings: Settings,
    staged: Iterable[StagedUpload],
    known_vectors: dict[str, np.ndarray],
    embedder=None,
    progress: Callable[[int, int, str], None] | None = None,
) -> tuple[list[str], list[str], build.BuildReport | None]:
    """Place prepared uploads in the corpus and update the index with their vectors.

    Returns (added files, messages for refused files (in Chinese: only the app commits staged
    uploads), build report or None when nothing was added)."""
    placed, problems = [], []
    for upload in staged:
        try:
            _refuse_duplicate(Path(settings.corpus).resolve(), upload.name, upload.sha256)
            placed.append(place_upload(upload, settings.corpus))
        except DocumentError as exc:
            upload.path.unlink(missing_ok=True)
            problems.append(exc.in_chinese())
    if not placed:
        return [], problems, None
    return _update_keeping_readable(settings, placed, problems, embedder, progress, known_vectors)


def _parse_check(path: Path, corpus: Path, name: str) -> None:
    from index import structure

    try:
        structure.parse(load.read_document(path, corpus))
    except DocumentError as exc:
        raise exc.renamed(path.name, name) from None


def add_documents(
    settings: Settings,
    uploads: Iterable[tuple[Path, str]],
    embedder=None,
    progress: Callable[[int, int, str], None] | None = None,
) -> tuple[list[str], list[str], build.BuildReport | None]:
    """Store uploads in the corpus and update the index incrementally.

    Returns (added files, messages for rejected files, build report or None when nothing was added).
    A file the index builder still cannot read is removed again, so corpus and index stay as they were.
    """
    added, problems = [], []
    for path, name in uploads:
        try:
            check_upload(Path(path), name, settings.max_upload_mb)
            added.append(store_upload(Path(path), name, settings.corpus))
        except DocumentError as exc:
            problems.append(str(exc))
    if not added:
        return [], problems, None
    return _update_keeping_readable(settings, added, problems, embedder, progress)


def _update_keeping_readable(settings, added, problems, embedder, progress, known_vectors=None):
    """Update the index; an added file the builder still cannot read is removed again."""
    report = build.update(settings, embedder, progress, known_vectors=known_vectors)
    failed = {f: reason for f, reason in report.skipped if f in added}
    if failed:
        for file in failed:
            (Path(settings.corpus) / file).unlink(missing_ok=True)
        problems += list(failed.values())
        added = [f for f in added if f not in failed]
        report = build.update(settings, embedder, progress, known_vectors=known_vectors)
    return added, problems, report


def remove_document(
    settings: Settings, file: str, embedder=None, progress: Callable[[int, int, str], None] | None = None
) -> build.BuildReport:
    """Delete one corpus file (only a file the corpus listing knows) and update the index.

    A link in the corpus is removed itself; the file it points to is never touched."""
    known = build.corpus_state(settings.corpus)
    path = corpus_entry(Path(settings.corpus), file)
    if file not in known or path is None:
        raise DocumentError(
            f"{file}: not a document in the corpus folder {settings.corpus}; refresh the page",
            zh=f"{file}：文件库中没有这份文件，请刷新页面。",
        )
    path.unlink()
    return build.update(settings, embedder, progress)


def corpus_entry(corpus: Path, file: str) -> Path | None:
    """The corpus entry named `file` itself (a link stays a link, not its target), when its folder
    lies inside the corpus folder; else None."""
    root = Path(corpus).resolve()
    name = Path(file).name
    if not name or name in (".", ".."):
        return None
    folder = (root / file).parent.resolve()
    return folder / name if folder.is_relative_to(root) else None


def inside_corpus(corpus: Path, file: str) -> Path | None:
    """corpus/file when it stays inside the corpus folder, else None."""
    root = Path(corpus).resolve()
    path = (root / file).resolve()
    return path if path.is_relative_to(root) and path != root else None
