"""The running app follows the index folder: when another process (`policyqa index`, the README's
own workflow) has written a new index, it is loaded and swapped in whole, as uploads are.

A build replaces the whole folder with two renames (`index/store.py`), so `manifest.json` gets a
new inode with every build: its (inode, mtime, size) is a cheap change signal, polled every
`index_poll_seconds`. Only a manifest that differs from the one being served is loaded, and the
loaded index is used only if the manifest did not change again while it was read.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from index import store
from policyqa.errors import PolicyQAError


def _stamp(folder: Path) -> tuple | None:
    """What changes with every build: manifest.json's inode, mtime and size (None when absent)."""
    try:
        st = os.stat(Path(folder) / "manifest.json")
    except OSError:  # not there, or a build is swapping folders right now
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class IndexWatcher:
    """Polls the library's index folder and swaps in an index written by another process."""

    def __init__(self, lib, interval: float):
        self.lib = lib
        self.interval = interval
        self.folder = Path(lib.settings.index)
        self._seen: tuple | None = None  # the stamp whose manifest was last compared
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll(self) -> bool:
        """Look once; True when a new index was swapped in."""
        stamp = _stamp(self.folder)
        if stamp is None or stamp == self._seen:
            return False
        lib = self.lib
        # Uploads and removals change the index under this lock too: never swap between their
        # write and their own swap. If one is running, look again at the next poll.
        if not lib.update_lock.acquire(blocking=False):
            return False
        try:
            return self._load_if_new(stamp)
        finally:
            lib.update_lock.release()

    def _load_if_new(self, stamp: tuple) -> bool:
        lib = self.lib
        try:
            manifest = store.read_manifest(self.folder)
        except PolicyQAError as exc:
            return self._problem(stamp, f"索引文件夹无法读取（{exc}）")
        if manifest is None:
            return False
        served = lib.engine.index.manifest
        # Compared as written (JSON turns tuples into lists).
        if store.manifest_text(manifest) == store.manifest_text(served):  # our own upload's index
            self._seen = stamp
            return False
        if manifest.embedder.id != lib.engine.embedder.id:
            return self._problem(
                stamp,
                f"磁盘上的索引由另一个向量模型（{manifest.embedder.id}）生成，仍使用原索引；请以相同设置重建或重启应用",
            )
        try:
            index = store.load(self.folder)
        except PolicyQAError:  # damaged or half-replaced: the next poll looks again
            return False
        if _stamp(self.folder) != stamp:  # rebuilt again while it was read: take the next one
            return False
        lib.swap(index)
        self._seen = stamp
        print(
            f"policyqa: the index at {self.folder} was rebuilt ({manifest.built_at}); now serving "
            f"{len(manifest.files)} documents, {len(index.chunks)} passages",
            file=sys.stderr,
            flush=True,
        )
        return True

    def _problem(self, stamp: tuple, notice: str) -> bool:
        if self.lib.notice != notice:
            print(f"policyqa: {notice}", file=sys.stderr, flush=True)
        self.lib.notice = notice
        self._seen = stamp
        return False

    # ------------------------------------------------------------ the polling thread
    def start(self) -> IndexWatcher:
        if self.interval > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="policyqa-index-watch", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception as exc:  # keep watching; the app keeps serving what it has
                print(f"policyqa: watching the index failed: {exc!r}", file=sys.stderr, flush=True)
