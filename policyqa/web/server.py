"""One server process for the app and its HTTP API: a FastAPI app with the API's routes, the Gradio
UI mounted at "/" beside them (or the API alone), served by uvicorn on the settings' host and port.

The server listens at once; the index is opened (built the first time) in the background. Until it
is ready the API answers 503 and "/" shows a page that says the index is being built. Then the UI
is built over the engine and both read it through the same `Library`, which swaps it on re-index.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import anyio

from policyqa.errors import PolicyQAError
from policyqa.settings import Settings
from policyqa.web.http_api import ApiState, create_api

log = logging.getLogger("policyqa.server")

BUILDING_PAGE = """<!doctype html><html lang="zh"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="5"><title>政策文件问答助手</title></head>
<body style="font-family: sans-serif; margin: 4em auto; max-width: 36em; line-height: 1.6">
<h1>政策文件问答助手</h1><p>正在建立文件索引，请稍候……本页每 5 秒自动刷新。</p>
<p style="color: #666">The document index is being built; this page reloads every 5 seconds.</p>
</body></html>"""


class UI(NamedTuple):
    """A Gradio app ready to mount, with `gr.mount_gradio_app`'s options (theme, css, auth, …)."""

    blocks: Any  # gr.Blocks, queued, with `.library` set
    options: dict


class _LateUI:
    """The ASGI app at "/": a "building the index" page until the Gradio app is ready, then it."""

    def __init__(self):
        self.app = None

    async def __call__(self, scope, receive, send):
        if self.app is not None:
            await self.app(scope, receive, send)
        elif scope["type"] == "http":
            from starlette.responses import HTMLResponse

            page = HTMLResponse(BUILDING_PAGE, status_code=503, headers={"Retry-After": "5"})
            await page(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1013})


def _gradio_app(ui: UI, settings: Settings):
    """The Gradio UI mounted (with `gr.mount_gradio_app`) on a FastAPI app of its own."""
    import gradio as gr
    from fastapi import FastAPI

    accepted = inspect.signature(gr.mount_gradio_app).parameters
    options = {k: v for k, v in ui.options.items() if k in accepted}
    options.update(server_name=settings.host, server_port=settings.port)
    inner = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    return gr.mount_gradio_app(inner, ui.blocks, path="/", **options)


def create_server(
    settings: Settings,
    open_engine: Callable[[Callable], Any],
    build_ui: Callable[[Any], UI] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    on_failure: Callable[[], None] | None = None,
):
    """(ASGI app, ApiState): the API, and the UI at "/" when `build_ui` is given.

    On start-up `open_engine(progress)` runs in a worker thread; then `build_ui(engine)` makes the
    UI. Without a UI the API answers from a `Library` of its own. If opening fails, the API answers
    503 with the reason and `on_failure()` is called (the server stops)."""
    from policyqa.web.library import Library

    state = ApiState()
    late_ui = _LateUI() if build_ui else None

    def record(done: int, total: int, message: str) -> None:
        state.progress = f"{done}/{total} {message}"
        if progress is not None:
            progress(done, total, message)

    async def open_index(stack: contextlib.AsyncExitStack) -> None:
        try:
            engine = await anyio.to_thread.run_sync(open_engine, record, abandon_on_cancel=True)
            if build_ui is None:
                library = Library(engine, settings)
            else:
                ui = await anyio.to_thread.run_sync(build_ui, engine, abandon_on_cancel=True)
                inner = await anyio.to_thread.run_sync(_gradio_app, ui, settings, abandon_on_cancel=True)
                await stack.enter_async_context(inner.router.lifespan_context(inner))
                late_ui.app = inner
                library = ui.blocks.library
            state.library = library
            state.progress = ""
            print(f"policyqa: ready ({len(engine.documents)} documents)", file=sys.stderr, flush=True)
        except Exception as exc:
            if not isinstance(exc, PolicyQAError):
                log.error("could not open the index", exc_info=exc)
            state.error = str(exc) or type(exc).__name__
            if on_failure is not None:
                on_failure()

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        async with contextlib.AsyncExitStack() as stack:
            task = asyncio.create_task(open_index(stack))
            try:
                yield
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = create_api(settings, state, lifespan=lifespan)
    if late_ui is not None:
        app.mount("/", late_ui)
    return app, state


def _uvicorn(app, settings: Settings):
    import uvicorn

    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_level="warning", access_log=False, lifespan="on"
    )
    return uvicorn.Server(config)


def serve(settings: Settings, open_engine, build_ui=None, progress=None) -> None:
    """Serve until interrupted. Raises PolicyQAError when the index could not be opened."""
    server = None

    def stop() -> None:
        server.should_exit = True

    app, state = create_server(settings, open_engine, build_ui, progress, on_failure=stop)
    server = _uvicorn(app, settings)
    url = f"http://{settings.host}:{settings.port}"
    where = f"the app at {url}/ and its API at {url}/v1" if build_ui else f"the API at {url}/v1"
    print(f"policyqa: serving {where} (docs at {url}/docs)", file=sys.stderr, flush=True)
    server.run()
    if state.error:
        raise PolicyQAError(state.error)


class RunningServer(NamedTuple):
    """A server started by `start_in_thread` (for tests and benchmarks)."""

    url: str
    state: ApiState
    server: Any
    thread: threading.Thread

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Block until the index is open; raise if it failed or took longer than `timeout`."""
        deadline = time.monotonic() + timeout
        while self.state.library is None:
            if self.state.error:
                raise PolicyQAError(self.state.error)
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise TimeoutError(f"the server at {self.url} did not get ready in {timeout:.0f} s")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def start_in_thread(settings: Settings, open_engine, build_ui=None, progress=None) -> RunningServer:
    """Start the server in a daemon thread and return once it listens (the index may still be opening)."""
    app, state = create_server(settings, open_engine, build_ui, progress)
    server = _uvicorn(app, settings)
    thread = threading.Thread(target=server.run, name="policyqa-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start on {settings.host}:{settings.port}")
        time.sleep(0.01)
    return RunningServer(f"http://{settings.host}:{settings.port}", state, server, thread)
