"""Starting the real server (app + HTTP API, or the API alone) on loopback for the HTTP API tests."""

from __future__ import annotations

import contextlib
import socket
from pathlib import Path

from policyqa.settings import Settings
from tests.conftest import DOC_A, DOC_B


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def small_settings(root: Path, **changes) -> Settings:
    """Fake-embedder settings over the two-document test corpus in `root`, on a free loopback port."""
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "a.txt").write_text(DOC_A, encoding="utf-8")
    (corpus / "b.txt").write_text(DOC_B, encoding="utf-8")
    settings = Settings(
        corpus=corpus, index=root / "index", embedder="fake", feedback_log=root / "feedback.jsonl"
    )
    return settings.with_changes(port=free_port(), **changes)


@contextlib.contextmanager
def running_server(settings: Settings, ui: bool = True, opener=None, wait: bool = True):
    """The server as `policyqa serve` (ui) or `policyqa api` runs it, in a thread; stopped afterwards."""
    import app
    from policyqa.engine_setup import open_engine
    from policyqa.web.server import start_in_thread

    opener = opener or (lambda progress: open_engine(settings, progress))
    build_ui = (lambda engine: app.server_ui(engine, settings)) if ui else None
    server = start_in_thread(settings, opener, build_ui)
    try:
        if wait:
            server.wait_ready()
        yield server
    finally:
        server.stop()
