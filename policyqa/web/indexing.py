"""Uploads indexed in the background: one batch at a time on one low-priority thread, embedded
before any lock is taken (`index.library.prepare_upload`), then placed and committed to the index
in a short locked step and swapped in. The documents tab shows `log_markdown()` as it goes."""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
import time
from pathlib import Path

from index import library
from policyqa.errors import PolicyQAError

_STALE_STAGED_SECONDS = 3600
_LOG_LINES = 30


class IndexJobs:
    """The background indexing of uploads for one `Library`."""

    def __init__(self, lib):
        self.lib = lib
        self.version = 0  # bumped whenever the log changes, so the page knows when to redraw it
        self._lines: list[tuple[int, str]] = []  # (batch, line), oldest first
        self._batches = 0
        self._progress = ""
        self._pending = 0
        self._lock = threading.Lock()
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        _remove_stale_staged(Path(lib.settings.corpus))

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._pending > 0

    def submit(self, staged: list[library.StagedUpload], problems: list[str]) -> None:
        """Index `staged` uploads in the background; `problems` (uploads refused already) go in the log."""
        with self._lock:
            self._batches += 1
            batch = self._batches
            lines = [f"⏳ 已收到 {s.name}，等待后台索引…" for s in staged] + [f"⚠️ {p}" for p in problems]
            self._lines = [*self._lines, *((batch, line) for line in lines)][-_LOG_LINES:]
            self._pending += 1
            self.version += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="policyqa-indexing", daemon=True)
                self._thread.start()
        self._queue.put((batch, staged))

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until every submitted batch is done (for tests and scripts); False on timeout."""
        deadline = time.monotonic() + timeout
        while self.busy:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def log_markdown(self) -> str:
        """What the documents tab shows: the latest batch's files, and progress while it runs."""
        with self._lock:
            lines = [line for _, line in self._lines]
            if self._progress:
                lines.append(self._progress)
        return "\n\n".join(lines)

    # ------------------------------------------------------------ the worker thread
    def _set(self, batch: int, lines: list[str] | None = None, progress: str | None = None) -> None:
        """Replace `batch`'s lines (kept in their place in the log) and/or the progress line."""
        with self._lock:
            if lines is not None:
                old = [i for i, (b, _) in enumerate(self._lines) if b == batch]
                at = old[0] if old else len(self._lines)
                rest = [entry for entry in self._lines if entry[0] != batch]
                self._lines = (rest[:at] + [(batch, line) for line in lines] + rest[at:])[-_LOG_LINES:]
            if progress is not None:
                self._progress = progress
            self.version += 1

    def _run(self) -> None:
        _lower_priority()
        while True:
            batch, staged = self._queue.get()
            try:
                self._index(batch, staged)
            except Exception as exc:  # never let the worker die: report and go on with the next batch
                for upload in staged:
                    upload.path.unlink(missing_ok=True)
                self._set(batch, [f"⚠️ 索引失败：{exc}"], "")
                print(f"policyqa: indexing uploads failed: {exc!r}", file=sys.stderr)
            finally:
                with self._lock:
                    self._pending -= 1

    def _index(self, batch: int, staged: list[library.StagedUpload]) -> None:
        lib, settings = self.lib, self.lib.settings
        embedder = lib.engine.embedder
        ready, known, problems = [], {}, []
        last_shown = [0.0]

        def show(done: int, total: int, name: str) -> None:
            now = time.monotonic()
            if done in (0, total) or now - last_shown[0] > 0.5:
                last_shown[0] = now
                self._set(batch, progress=f"正在索引 {name}：{done}/{total} 个段落已计算向量")

        for upload in staged:
            try:
                known.update(library.prepare_upload(settings, upload, embedder, show))
                ready.append(upload)
            except PolicyQAError as exc:
                upload.path.unlink(missing_ok=True)
                problems.append(exc.in_chinese())
        added: list[str] = []
        if ready:
            self._set(batch, progress="正在写入索引…")
            with lib.update_lock:
                added, refused, report = library.commit_uploads(settings, ready, known, embedder)
                if report is not None:
                    lib.swap(report.index)
            problems += refused
        with self._lock:  # uploads refused before indexing started stay in the log
            old_problems = [line for b, line in self._lines if b == batch and line.startswith("⚠️")]
        results = [added_line(f, ready) for f in added] + [f"⚠️ {p}" for p in problems]
        self._set(batch, results + old_problems, "")


def added_line(placed: str, uploads: list[library.StagedUpload]) -> str:
    """The log line for an added file; says so when it was saved under another name than the user's."""
    given = next((u.original or u.name for u in uploads if u.saved_as(placed)), placed)
    if given == placed:
        return f"✅ 已添加 {placed}"
    return f"✅ 已添加 {given}，已保存为 {placed}"


def _lower_priority() -> None:
    """Let questions go first: this thread (and the OpenMP threads it starts) run at nice 10."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not allowed: normal priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def _remove_stale_staged(corpus: Path) -> None:
    """Staged uploads left by an app that stopped while indexing them."""
    try:
        for path in corpus.glob(f"{library.STAGED_PREFIX}*"):
            if time.time() - path.stat().st_mtime > _STALE_STAGED_SECONDS:
                path.unlink(missing_ok=True)
    except OSError:
        pass
