"""The web app staff use: cited answers with source cards and a document viewer, document filters,
find-every-mention, the targets ledger (指标), document management, export and feedback.

`python app.py` is the same as `policyqa serve`. `build_app()` only wires the tabs of `policyqa.web`
(each built by one function over plain, server-free functions) into one Gradio app; `main()` serves it
at "/" with the HTTP API beside it (`policyqa.web.server`) on the settings' host, port and login.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from policyqa.engine_setup import open_engine
from policyqa.errors import PolicyQAError
from policyqa.settings import Settings, load_settings
from policyqa.web.assets import read_asset
from policyqa.web.login import login_check

if TYPE_CHECKING:
    import gradio as gr

TITLE = "政策文件问答助手"
REFRESH_SECONDS = 2


def build_app(engine, settings: Settings) -> gr.Blocks:
    """The Gradio Blocks app around an Engine (or a zero-argument function that opens one)."""
    import gradio as gr

    from policyqa.web.api import ask_endpoint
    from policyqa.web.chat_tab import ANSWER_POOL, chat_tab, conversation_sidebar
    from policyqa.web.documents_tab import documents_tab
    from policyqa.web.find_tab import find_tab
    from policyqa.web.index_watch import IndexWatcher
    from policyqa.web.library import Library
    from policyqa.web.targets_tab import targets_tab

    if callable(engine):
        engine = engine()
    lib = Library(engine, settings)
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        # Redraws what lists documents when the index changed, and shows background indexing.
        timer = gr.Timer(REFRESH_SECONDS)
        with gr.Column(elem_id="pq-header"):
            gr.HTML(f"<h1>{TITLE}</h1>", js_on_load=None)
            status = gr.Markdown(lib.status(), elem_id="pq-status")
        # At the top of the page, where Gradio's sidebar moves the page aside rather than covering it.
        conversations = conversation_sidebar()
        with gr.Tabs():
            chat = chat_tab(lib, settings, conversations)
            find_tab(lib)
            targets_tab(lib)
            documents = documents_tab(lib, settings, status, chat.doc_filter, chat.examples, timer)
        # Another user may have added or removed documents since this page was built.
        demo.load(documents.on_load, None, documents.load_outputs, api_visibility="private")
        # The conversations this browser kept (gr.BrowserState) come back on every page load.
        demo.load(chat.restore, chat.restore_inputs, chat.restore_outputs, api_visibility="private")
        gr.api(
            ask_endpoint(lib),
            api_name="ask",
            concurrency_id=ANSWER_POOL,
            concurrency_limit=settings.concurrency,
        )
    demo.library = lib  # for tests and callers that need the live engine
    # Follow `policyqa index` runs of other processes (a daemon thread; `demo.index_watcher.stop()`).
    demo.index_watcher = IndexWatcher(lib, settings.index_poll_seconds).start()
    return demo


def theme():
    """The app's Gradio theme."""
    import gradio as gr

    # Local fonts only: the app must not fetch web fonts on an offline network.
    sans = ["Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC", "sans-serif"]
    soft = gr.themes.Soft(
        primary_hue="blue", neutral_hue="slate", font=sans, font_mono=["ui-monospace", "monospace"]
    )
    # Soft puts white on blue-500 (3.7:1) and blue-500 labels on blue-100 (3.0:1); one shade or two
    # darker reaches the 4.5:1 that small text needs (white on blue-700 6.7, blue-700 on blue-100 5.5).
    return soft.set(
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_600",
        button_primary_background_fill_dark="*primary_600",
        button_primary_background_fill_hover_dark="*primary_700",
        block_label_text_color="*primary_700",
        block_title_text_color="*primary_700",
        checkbox_label_background_fill_selected="*primary_700",
    )


def launch_options(settings: Settings) -> dict:
    """Gradio's launch options for the settings: host, port, login when settings.auth is set, theme, …"""
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "share": False,
        "auth": login_check(settings),
        "auth_message": "请使用单位分配的账号登录。",
        "theme": theme(),
        "css": read_asset("app.css"),
        "show_error": True,
        "max_file_size": f"{settings.max_upload_mb}mb",
        "footer_links": [],
        "inbrowser": False,
        "quiet": False,
    }


def launch(demo, settings: Settings, **overrides):
    """Start Gradio's own server for `demo` (tests; `main` serves the app with its HTTP API)."""
    kwargs = {**launch_options(settings), **overrides}
    return _bounded(demo, settings).launch(**kwargs)


def server_ui(engine, settings: Settings):
    """The app to mount beside the HTTP API, with the same options `launch` gives Gradio."""
    from policyqa.web.server import UI

    return UI(_bounded(build_app(engine, settings), settings), launch_options(settings))


def _bounded(demo, settings: Settings):
    # Bounded work: `concurrency` questions at once (one pool, see chat_tab.ANSWER_POOL), at most
    # `queue_size` waiting; more are turned away at once instead of piling up.
    return demo.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size)


def _print_progress(done: int, total: int, message: str) -> None:
    print(f"[{done}/{total}] {message}", file=sys.stderr, flush=True)


def main(settings: Settings | None = None, allow_stale: bool = False):
    """Serve the app at / and its HTTP API (policyqa/web/http_api.py) beside it until interrupted;
    the index is opened (built if needed) in the background."""
    from policyqa.web.server import serve

    settings = settings or load_settings()
    return serve(
        settings,
        lambda progress: open_engine(settings, progress, allow_stale=allow_stale, announce=True),
        build_ui=lambda engine: server_ui(engine, settings),
        progress=_print_progress,
    )


if __name__ == "__main__":
    try:
        main()
    except PolicyQAError as exc:
        print(f"policyqa: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
