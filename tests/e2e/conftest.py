"""The app with the real default embedder on a copy of the real corpus, and a headless Chromium."""

import shutil
import socket
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """(url, settings, seconds to build the index): the app serving a fresh index of the real corpus."""
    if not CHROMIUM.exists():
        pytest.skip("e2e needs /usr/bin/chromium: apt-get install -y chromium")
    import app
    from policyqa.settings import Settings
    from retrieval.pipeline import Engine

    root = tmp_path_factory.mktemp("e2e")
    corpus = root / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    settings = Settings(
        corpus=corpus, index=root / "index", feedback_log=root / "feedback.jsonl", port=_free_port()
    )
    started = time.perf_counter()
    engine, _ = Engine.open(settings)
    built = time.perf_counter() - started
    demo = app.build_app(engine, settings)
    _, url, _ = app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    try:
        yield url, settings, built
    finally:
        demo.close()


@pytest.fixture(scope="module")
def browser(live_app):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # Never download a browser: use the system Chromium.
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        yield page
    finally:
        context.close()
