"""The HTTP API (version 1) other tools call: OpenAI chat completions, policyqa's own ask/search/
documents routes and Dify's External Knowledge API, with JSON errors and bearer-key access.

Every request reads the engine from the live `Library` the app shares (`ApiState.library`), so an
upload, a removal or a re-index swaps it for the API exactly as for the app. The routes themselves
are thin: request bodies and response shapes are in `api_schema`, the access rule in `api_auth`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator

import anyio
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from policyqa.errors import LLMError, PolicyQAError
from policyqa.settings import Settings
from policyqa.web.api_auth import Access
from policyqa.web.api_schema import (
    MAX_TARGETS,
    MODEL_ID,
    ApiError,
    AskRequest,
    ChatRequest,
    RetrievalRequest,
    SearchRequest,
    answer_payload,
    batch_line,
    checked_question,
    checked_target_filters,
    completion,
    completion_chunk,
    conversation,
    dify_record,
    document_json,
    error_body,
    search_result,
    stream_pieces,
    targets_page,
)
from retrieval.ledger import filter_targets

API_VERSION = "1"
KEEPALIVE_SECONDS = 5.0  # an SSE comment this often while a (slow, LLM) answer is being made
ENGINE_THREADS = min(8, max(2, os.cpu_count() or 2))  # answers computed at once; the rest queue
DIFY_ALL = ("", "policyqa", "all", "*")
log = logging.getLogger("policyqa.api")

DESCRIPTION = f"""Ask questions of the indexed policy documents and get extractive answers whose
sentences cite the file, section path and verbatim quote.

- `POST /v1/chat/completions` — OpenAI chat format (`model: "{MODEL_ID}"`), streaming or not;
  the response also carries `references`, `refused` and `rewritten_question`.
- `POST /api/ask`, `POST /api/search`, `GET /api/documents`, `GET /api/targets` (the targets
  ledger: quantified targets and deadlines) — policyqa's own JSON.
- `POST /retrieval` — Dify's External Knowledge API.

When keys are configured (`POLICYQA_API_KEYS`) every route needs `Authorization: Bearer <key>`
(use **Authorize** above). Errors are `{{"error": {{"message", "type", "code", "param"}}}}`.
"""


class ApiState:
    """What the API answers from: the app's live `Library` (None until the index is open)."""

    def __init__(self, library=None):
        self.library = library
        self.progress = ""  # the index build's latest progress line, while it runs
        self.error = ""  # why the index could not be opened

    def engine(self):
        """The current engine; a 503 ApiError while the first index build runs."""
        library = self.library
        if library is not None:
            return library.engine
        if self.error:
            raise ApiError(503, f"The index could not be opened: {self.error}", "index_unavailable")
        progress = f" ({self.progress})" if self.progress else ""
        raise ApiError(503, f"The index is being built{progress}; try again in a minute.", "index_building")


def create_api(settings: Settings, state: ApiState, lifespan=None) -> FastAPI:
    """The API as a FastAPI app (docs at /docs, served from local files), answering from `state`."""
    from fastapi_offline import FastAPIOffline

    access = Access(settings)  # reads the keys once: a bad keys setting stops the start-up here
    app = FastAPIOffline(
        title="policyqa API",
        version=API_VERSION,
        description=DESCRIPTION,
        redoc_url=None,
        static_url="/docs/static",
        lifespan=lifespan,
    )
    app.state.api = state
    app.state.access = access
    _add_error_handlers(app)
    router = _routes(settings, state, access)
    app.include_router(router)

    # Unknown routes under the API's prefixes are JSON 404s (and wrong methods 405s), even when the
    # app's UI is mounted at "/" and would otherwise answer them.
    known = {route.path for route in router.routes}

    async def not_found(request: Request):
        if request.url.path in known:
            raise ApiError(
                405, f"{request.method} is not allowed on {request.url.path}", "method_not_allowed"
            )
        raise ApiError(404, f"No API route {request.url.path}; see /docs", "not_found")

    for prefix in ("/v1", "/api"):
        app.add_api_route(
            prefix + "/{rest:path}",
            not_found,
            methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"],
            include_in_schema=False,
        )
    return app


def _routes(settings: Settings, state: ApiState, access: Access) -> APIRouter:
    limiter: list[anyio.CapacityLimiter] = []

    async def run(fn, *args, **kwargs):
        """`fn` in a worker thread, at most ENGINE_THREADS at once (answers are CPU-bound)."""
        if not limiter:
            limiter.append(anyio.CapacityLimiter(ENGINE_THREADS))
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=limiter[0])

    bearer = HTTPBearer(auto_error=False, description="an API key from POLICYQA_API_KEYS")

    def authorize(request: Request, _=Depends(bearer)) -> None:
        refusal = access.refusal(request.headers.get("authorization"))
        if refusal is not None:
            dify_code = 1001 if refusal.code == "invalid_authorization_header" else 1002
            raise ApiError(refusal.status, refusal.message, refusal.code, dify_code=dify_code)

    def ready() -> None:
        state.engine()

    router = APIRouter(dependencies=[Depends(authorize), Depends(ready)])

    def files_of(engine, names: list[str] | None) -> set[str] | None:
        """The files `names` select (None: all); a 400 ApiError when they select none."""
        if not names:
            return None
        files = engine.resolve_files([n.strip() for n in names if n.strip()])
        if not files:
            raise ApiError(
                400,
                f"documents {names!r} match no indexed document; GET /api/documents lists them.",
                "no_matching_documents",
                "documents",
            )
        return files

    @router.get("/v1/models", tags=["OpenAI"], summary="The one model: policyqa")
    def list_models() -> dict:
        return {"object": "list", "data": [_model()]}

    @router.get("/v1/models/{model_id}", tags=["OpenAI"], summary="One model")
    def get_model(model_id: str) -> dict:
        _check_model(model_id)
        return _model()

    @router.post("/v1/chat/completions", tags=["OpenAI"], summary="Answer the last user message")
    async def chat_completions(body: ChatRequest):
        """The last user message is the question, earlier turns the history (a follow-up is rewritten:
        `rewritten_question`). `choices[0].message.content` is the answer with its `[n]` markers;
        `references` lists each [n]'s file, title, 文号, issuer, date, section and quote with its
        offsets. With `stream: true` the answer comes as `chat.completion.chunk` events (sent once
        the answer is complete and verified) and the references in the last chunk."""
        _check_model(body.model)
        question, history = conversation(body.messages, settings.max_question_chars)
        engine = state.engine()
        files = files_of(engine, body.documents)
        ask = functools.partial(run, engine.ask, question, history=history, files=files)
        completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if not body.stream:
            return completion(await ask(), completion_id, created)
        return StreamingResponse(
            _events(ask, completion_id, created),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @router.post("/api/ask", tags=["policyqa"], summary="Answer one question (a batch line)")
    async def ask(body: AskRequest) -> dict:
        """Exactly the object `policyqa batch` writes per question: answer, refused, citations
        (file, section, quote) and passages (file, section, text, score); `id` first if given."""
        question = checked_question(body.question, "question", settings.max_question_chars)
        engine = state.engine()
        files = files_of(engine, body.documents)
        history = [tuple(pair) for pair in body.history]
        answer = await run(engine.ask, question, history=history, files=files, k=body.k)
        return batch_line(answer, body.id)

    @router.post("/api/search", tags=["policyqa"], summary="Ranked passages (retrieval only)")
    async def search(body: SearchRequest) -> dict:
        query = checked_question(body.query, "query", settings.max_question_chars)
        engine = state.engine()
        files = files_of(engine, body.documents)
        k = body.k or settings.k
        hits, _ = await run(engine.retriever.search, query, k=k, files=files)
        return search_result(query, hits[:k])

    @router.get("/api/documents", tags=["policyqa"], summary="The indexed documents")
    def documents() -> dict:
        engine = state.engine()
        manifest = engine.index.manifest
        rows = []
        for file, meta in sorted(engine.documents.items(), key=lambda item: item[1].title):
            first, last = manifest.files[file].chunks if file in manifest.files else (0, 0)
            rows.append(document_json(meta, last - first))
        return {
            "documents": rows,
            "passages": len(engine.index.chunks),
            "embedder": manifest.embedder.id,
            "built_at": manifest.built_at,
        }

    @router.get("/api/targets", tags=["policyqa"], summary="The targets ledger (targets, deadlines)")
    def targets(
        search: str = Query(
            "",
            description="words in the subject, sentence, section or responsible "
            "units; 公厕 also finds 公共厕所 (aliases)",
            examples=["公厕"],
        ),
        doc: str = Query("", description="file name, part of the title, city/district, 文号 or year"),
        kind: str = Query("", description="target, task, penalty, score or standard (any when empty)"),
        due_before: str = Query("", description="only rows with a deadline on or before YYYY-MM-DD"),
        limit: int = Query(100, ge=1, le=MAX_TARGETS, description="rows per page"),
        offset: int = Query(0, ge=0, description="rows to skip"),
    ) -> dict:
        """Quantified commitments and deadlines of the indexed documents, in ledger order (document,
        then position): each row's subject, value (with `number` and `unit`), qualifier, scope, period,
        ISO `deadline` and its words, responsible units, kind, and the document and verbatim
        `sentence` with its offsets. The same filters and rows as `policyqa targets --json`."""
        kind, due_before = checked_target_filters(kind, due_before)
        rows = filter_targets(
            state.engine().index.targets, search=search, doc=doc, due_before=due_before, kind=kind
        )
        return targets_page(rows, offset, limit)

    @router.post("/retrieval", tags=["Dify"], summary="Dify External Knowledge API")
    async def retrieval(body: RetrievalRequest) -> dict:
        """`knowledge_id` "policyqa" searches every document; any other value names documents as
        `documents` does (comma-separated). `score` is the fused search score scaled to 0–1 (the
        best a passage can get is 1); records under `score_threshold` are left out."""
        query = checked_question(body.query, "query", settings.max_question_chars)
        engine = state.engine()
        files = None
        if body.knowledge_id.strip() not in DIFY_ALL:
            files = engine.resolve_files([n.strip() for n in body.knowledge_id.split(",") if n.strip()])
            if not files:
                raise ApiError(
                    404,
                    f"knowledge {body.knowledge_id!r} does not exist: use 'policyqa' for every document, "
                    "or document names as GET /api/documents lists them",
                    "knowledge_not_found",
                    "knowledge_id",
                    dify_code=2001,
                )
        setting = body.retrieval_setting
        hits, _ = await run(engine.retriever.search, query, k=setting.top_k, files=files)
        weights = engine.retriever.weights
        best = weights.dense + weights.keyword + weights.doc_prior
        records = [dify_record(hit, best, engine.documents) for hit in hits[: setting.top_k]]
        return {"records": [r for r in records if r["score"] >= setting.score_threshold]}

    return router


def _model() -> dict:
    return {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "policyqa"}


def _check_model(model: str) -> None:
    if model != MODEL_ID:
        raise ApiError(
            404,
            f"The model {model!r} does not exist: this server answers as {MODEL_ID!r} (GET /v1/models).",
            "model_not_found",
            "model",
        )


def _sse(data: dict) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _events(ask, completion_id: str, created: int) -> AsyncIterator[str]:
    """A streamed answer: the role, keep-alive comments while it is made, its text in pieces, then a
    last chunk with `finish_reason`, references, refused and rewritten_question, then [DONE].

    Only the final, verified answer is streamed: an LLM's raw tokens may still lose sentences that
    fail the citation check."""
    yield _sse(completion_chunk(completion_id, created, {"role": "assistant", "content": ""}))
    task = asyncio.ensure_future(ask())
    try:
        while not task.done():
            done, _ = await asyncio.wait({task}, timeout=KEEPALIVE_SECONDS)
            if not done:
                yield ": keep-alive\n\n"
        answer = task.result()
    except Exception as exc:  # the status line is sent already: the error goes in the stream
        error = _api_error(exc)
        yield _sse(error_body(error))
        yield "data: [DONE]\n\n"
        return
    finally:
        task.cancel()
    payload = answer_payload(answer)
    for piece in stream_pieces(payload.pop("content")):
        yield _sse(completion_chunk(completion_id, created, {"content": piece}))
    yield _sse(completion_chunk(completion_id, created, {}, "stop", **payload))
    yield "data: [DONE]\n\n"


def _api_error(exc: Exception) -> ApiError:
    """Any exception as the ApiError the caller sees (the traceback goes to the server log only)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, LLMError):
        return ApiError(502, f"The language model failed: {exc}", "llm_error")
    if isinstance(exc, PolicyQAError):
        return ApiError(500, str(exc), "policyqa_error")
    log.error("unexpected error in the HTTP API", exc_info=exc)
    return ApiError(
        500, f"Internal error ({type(exc).__name__}); the server log has the details.", "internal_error"
    )


def _add_error_handlers(app: FastAPI) -> None:
    """Every error is JSON with its status; /retrieval's also carry Dify's error_code and error_msg."""

    def respond(request: Request, error: ApiError) -> JSONResponse:
        headers = {}
        if error.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        if error.status == 503:
            headers["Retry-After"] = "10"
        dify = request.url.path == "/retrieval"
        return JSONResponse(error_body(error, dify), status_code=error.status, headers=headers)

    async def on_api_error(request: Request, exc: Exception) -> JSONResponse:
        return respond(request, _api_error(exc))

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        status = getattr(exc, "status_code", 500)
        code = {404: "not_found", 405: "method_not_allowed"}.get(status, "http_error")
        return respond(request, ApiError(status, str(getattr(exc, "detail", "")) or code, code))

    async def on_invalid_body(request: Request, exc: Exception) -> JSONResponse:
        details = jsonable_encoder(getattr(exc, "errors", list)())
        first = details[0] if details else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
        message = f"invalid request body at {where}: {first.get('msg', 'not valid')}"
        body = error_body(ApiError(422, message, "invalid_body", where), request.url.path == "/retrieval")
        body["error"]["details"] = details
        return JSONResponse(body, status_code=422)

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(PolicyQAError, on_api_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_invalid_body)
    app.add_exception_handler(Exception, on_api_error)
