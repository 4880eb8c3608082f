"""Killed builds leave nothing behind for long and lose no embedding work (issue item 5)."""

import logging
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np

from index import build, index_folder, store
from index.embed import make_embedder
from index.manifest import EmbedderInfo
from index.vector_cache import VectorCache

REPO = Path(__file__).resolve().parents[2]

# A build in another process with the fake embedder that SIGKILLs itself: after embedding
# KILL_AFTER files, or (KILL_IN_WRITE) while writing the index folder.
KILLED_BUILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from index import build, keyword
    from index.embed import make_embedder
    from policyqa.settings import Settings

    corpus, index, kill_after, kill_in_write = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
    embedder = make_embedder("fake")
    passages, calls = embedder.passages, []

    def embed(texts):
        if len(calls) == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        calls.append(1)
        return passages(texts)

    embedder.passages = embed
    if kill_in_write:
        keyword.save = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
    build.update(Settings(corpus=Path(corpus), index=Path(index), embedder="fake"), embedder)
    """
)


def _five_documents(corpus: Path) -> None:
    for n in range(3, 6):
        (corpus / f"c{n}.txt").write_text(
            f"丙{n}区2024年工作要点\n\n一、目标\n\n新建口袋公园{n}个，改造道路{n * 3}条。\n", encoding="utf-8"
        )


def _killed_build(settings, kill_after: int = 99, kill_in_write: bool = False) -> subprocess.CompletedProcess:
    args = [str(settings.corpus), str(settings.index), str(kill_after), "1" if kill_in_write else "0"]
    return subprocess.run(
        [sys.executable, "-c", KILLED_BUILD, *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def _counting_embedder(log: list):
    embedder = make_embedder("fake")
    passages = embedder.passages
    embedder.passages = lambda texts: log.append(len(texts)) or passages(texts)
    return embedder


def test_a_build_killed_at_3_of_5_documents_resumes_and_its_temp_folder_is_cleaned(fake_settings):
    _five_documents(fake_settings.corpus)
    first = _killed_build(fake_settings, kill_after=3)
    assert first.returncode == -9, first.stderr
    cache = VectorCache(fake_settings.index, EmbedderInfo("fake:256", 256))
    assert cache.entries() == 3 and not fake_settings.index.exists()

    # Killed again, this time while writing the index: the rest is embedded, a temp folder is left.
    second = _killed_build(fake_settings, kill_in_write=True)
    assert second.returncode == -9, second.stderr
    leftovers = list(fake_settings.index.parent.glob(".index.tmp-*"))
    assert len(leftovers) == 1 and cache.entries() == 5

    calls: list[int] = []
    report = build.update(fake_settings, _counting_embedder(calls))
    assert calls == []  # nothing embedded twice
    assert len(report.resumed_files) == 5 and report.embedded_files == ()
    assert not leftovers[0].exists() and not cache.folder.exists()
    fresh = build.update(fake_settings.with_changes(index=fake_settings.index.parent / "fresh"), rebuild=True)
    assert np.array_equal(store.load(fake_settings.index).vectors, fresh.index.vectors)


def test_a_damaged_resume_entry_is_embedded_again(fake_settings):
    info = EmbedderInfo("fake:256", 256)
    cache = VectorCache(fake_settings.index, info)
    texts = ["一", "二"]
    cache.put(texts, np.ones((2, 256), dtype=np.float32))
    assert np.array_equal(cache.get(texts), np.ones((2, 256), dtype=np.float32))
    entry = next(cache.folder.glob("*.npy"))
    data = bytearray(entry.read_bytes())
    data[-1] ^= 1
    entry.write_bytes(bytes(data))
    assert cache.get(texts) is None and not entry.exists()
    assert cache.get(["三"]) is None
    # Another embedder's vectors are never found for the same texts.
    cache.put(texts, np.ones((2, 256), dtype=np.float32))
    assert VectorCache(fake_settings.index, EmbedderInfo("other:256", 256)).get(texts) is None


def test_rebuild_does_not_resume(fake_settings):
    build.update(fake_settings)
    cache = VectorCache(fake_settings.index, EmbedderInfo("fake:256", 256))
    cache.put(["stale"], np.zeros((1, 256), dtype=np.float32))
    calls: list[int] = []
    report = build.update(fake_settings, _counting_embedder(calls), rebuild=True)
    assert set(report.embedded_files) == {"a.txt", "b.txt"} and calls
    assert not cache.folder.exists()


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_stale_temp_folders_are_removed_and_a_live_builders_are_kept(fake_settings, caplog):
    build.update(fake_settings)
    parent = fake_settings.index.parent
    dead = parent / f".index.tmp-{_dead_pid()}"
    (dead / "vectors").mkdir(parents=True)
    live = parent / f".index.tmp-{os.getppid()}"  # the process that started pytest is alive
    live.mkdir()
    other = parent / f".other.tmp-{_dead_pid()}"  # another index's: not ours to remove
    other.mkdir()
    with caplog.at_level(logging.WARNING, logger="index.build"):
        build.update(fake_settings)
    assert not dead.exists() and live.exists() and other.exists()
    assert f"removed {dead}, left by an interrupted build" in caplog.text


def test_an_index_moved_aside_by_a_killed_swap_is_put_back(fake_settings):
    build.update(fake_settings)
    aside = fake_settings.index.parent / f".index.old-{_dead_pid()}"
    os.replace(fake_settings.index, aside)
    assert index_folder.clean_stale(fake_settings.index) == [
        f"restored the index {fake_settings.index} that an interrupted build had moved to {aside.name}"
    ]
    assert not aside.exists()
    assert build.check(fake_settings).fresh and store.load(fake_settings.index).chunks


def test_a_second_builder_says_it_is_waiting(fake_settings, caplog):
    import fcntl

    lock = fake_settings.index.parent / ".index.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    holder = lock.open("a+")
    fcntl.flock(holder, fcntl.LOCK_EX)
    holder.write("4242")
    holder.flush()
    done = threading.Event()
    with caplog.at_level(logging.WARNING, logger="index.build"):
        thread = threading.Thread(target=lambda: (build.update(fake_settings), done.set()))
        thread.start()
        deadline = time.monotonic() + 10
        while "waiting for another build" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not done.is_set()
        fcntl.flock(holder, fcntl.LOCK_UN)
        holder.close()
        thread.join(30)
    assert done.is_set()
    assert (
        f"waiting for another build of the index {fake_settings.index} to finish (process 4242)"
        in caplog.text
    )
    assert lock.read_text() == ""  # the finished builder leaves no pid behind
