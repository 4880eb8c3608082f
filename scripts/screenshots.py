"""Screenshots of the app for the README: starts the app on a copy of the corpus (a fresh index, as
the e2e tests do) and saves, in OUTDIR, screenshot-light.png (desktop, after asking the first
example), screenshot-dark.png (the same in the dark scheme) and screenshot-phone.png (390 px wide).

    python scripts/screenshots.py docs

Needs Playwright and the system Chromium (/usr/bin/chromium), like `pytest -m e2e`.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]
SHOTS = {
    "screenshot-light.png": {"viewport": {"width": 1440, "height": 1000}, "color_scheme": "light"},
    "screenshot-dark.png": {"viewport": {"width": 1440, "height": 1000}, "color_scheme": "dark"},
    "screenshot-phone.png": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "color_scheme": "light",
    },
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ask_first_example(page) -> str:
    page.wait_for_function("document.querySelector('#pq-examples')?.innerText.includes('？')")
    lines = page.locator("#pq-examples").inner_text().splitlines()
    question = next(line.strip() for line in lines if line.strip().endswith("？"))
    page.fill("#pq-question textarea", question)
    page.click("#pq-send")
    page.wait_for_selector("#pq-cards .pq-card")
    page.wait_for_timeout(500)  # let the chat finish scrolling
    return question


def take(outdir: Path, corpus: Path = REPO / "corpus") -> list[Path]:
    """Start the app on a copy of `corpus`, save the three screenshots in `outdir`; their paths."""
    sys.path.insert(0, str(REPO))
    from playwright.sync_api import sync_playwright

    import app
    from policyqa.settings import Settings
    from retrieval.pipeline import Engine

    outdir.mkdir(parents=True, exist_ok=True)
    saved = []
    with tempfile.TemporaryDirectory(prefix="policyqa-shots-") as tmp:
        root = Path(tmp)
        shutil.copytree(corpus, root / "corpus")
        settings = Settings(
            corpus=root / "corpus",
            index=root / "index",
            feedback_log=root / "feedback.jsonl",
            port=_free_port(),
        )
        engine, _ = Engine.open(settings)
        demo = app.build_app(engine, settings)
        _, url, _ = app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    for name, options in SHOTS.items():
                        context = browser.new_context(locale="zh-CN", **options)
                        page = context.new_page()
                        page.set_default_timeout(120_000)
                        page.goto(url)
                        _ask_first_example(page)
                        # The page does not scroll on load, but after clicking 提问 it was sometimes left
                        # ~80 px down (a cut-off title in one shot of three): shoot from the top.
                        page.evaluate("window.scrollTo(0, 0)")
                        page.wait_for_function("window.scrollY === 0")
                        path = outdir / name
                        tmp_shot = outdir / f".{name}.tmp.png"
                        page.screenshot(path=str(tmp_shot), full_page=name.endswith("phone.png"))
                        tmp_shot.replace(path)  # atomic: a half-written PNG never replaces the old one
                        saved.append(path)
                        context.close()
                finally:
                    browser.close()
        finally:
            demo.close()
    return saved


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="folder for the PNG files, e.g. docs")
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print("screenshots: needs /usr/bin/chromium (apt-get install -y chromium)", file=sys.stderr)
        return 2
    for path in take(args.outdir, args.corpus):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
