"""The HTTP API's request bodies and the JSON it answers with (no server here: plain functions).

Answers go through the one serialiser, `policyqa.answer_json.answer_to_json`: `/api/ask` returns
exactly a line of `policyqa batch`; the OpenAI-shaped answer adds each citation's metadata.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from policyqa.answer_json import BATCH_FIELDS, answer_to_json, passage_to_json
from policyqa.records import TARGET_KINDS, Answer, DocumentMeta, Hit, Target
from policyqa.web.documents import issued_date
from retrieval.ledger import check_date

MODEL_ID = "policyqa"
MAX_HISTORY_TURNS = 10  # earlier (question, answer) turns kept for rewriting a follow-up
MAX_K = 50
MAX_TARGETS = 1000  # ledger rows per /api/targets page

REFERENCE_FIELDS = (
    "n",
    "file",
    "title",
    "doc_number",
    "issuer",
    "date",
    "section",
    "section_path",
    "quote",
    "start",
    "end",
)
ANSWER_FIELDS = ("answer", "refused", "rewritten_question", "citations", "notes")

_DOCUMENTS = Field(
    default=None,
    description="Search only these documents: names as `policyqa ask --doc` takes them (file name, part "
    "of a title, city or district, 文号, issuer, or a year the document covers). A list that matches "
    "no document is a 400 error.",
    examples=[["三年行动计划"]],
)


class ApiError(Exception):
    """An error the API answers with: HTTP status, OpenAI-style type and code, a message for the caller."""

    def __init__(self, status: int, message: str, code: str, param: str | None = None, dify_code: int = 0):
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param
        self.dify_code = dify_code  # Dify's error_code convention, for /retrieval

    @property
    def type(self) -> str:
        if self.status in (401, 403):
            return "authentication_error" if self.status == 401 else "permission_error"
        return "invalid_request_error" if self.status < 500 else "server_error"


def error_body(error: ApiError, dify: bool = False) -> dict:
    """`{"error": {message, type, code, param}}` as OpenAI clients read it (plus Dify's fields)."""
    body: dict[str, Any] = {
        "error": {"message": error.message, "type": error.type, "code": error.code, "param": error.param}
    }
    if dify:
        body["error_code"] = error.dify_code or error.status
        body["error_msg"] = error.message
    return body


# ---------------------------------------------------------------- request bodies


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: str = Field(description="system, user or assistant (others are ignored)")
    content: str | list[dict[str, Any]] | None = Field(
        default=None, description="text, or OpenAI content parts of which the text parts are read"
    )

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """OpenAI chat completions. Other OpenAI parameters (temperature, max_tokens, …) are accepted and ignored."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {"model": MODEL_ID, "messages": [{"role": "user", "content": "主干道机扫率要达到多少？"}]}
            ]
        },
    )

    model: str = Field(default=MODEL_ID, description='always "policyqa"')
    messages: list[ChatMessage] = Field(
        min_length=1,
        max_length=100,
        description="the last user message is the question; earlier user/assistant turns are the history",
    )
    stream: bool | None = Field(default=False, description="stream Server-Sent Events chunks")
    documents: list[str] | None = _DOCUMENTS


class AskRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"question": "主干道机扫率要达到多少？"}]}
    )

    id: str | int | None = Field(default=None, description="echoed first, as in a batch line")
    question: str = Field(description="at most `max_question_chars` characters (500 unless configured)")
    history: list[tuple[str, str]] = Field(
        default=[], max_length=100, description="earlier [question, answer] pairs, oldest first"
    )
    documents: list[str] | None = _DOCUMENTS
    k: int | None = Field(
        default=None, ge=1, le=MAX_K, description="passages to retrieve (at least 10 are read, as in batch)"
    )


class SearchRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"query": "主干道机扫率", "k": 5}]}
    )

    query: str = Field(description="at most `max_question_chars` characters (500 unless configured)")
    k: int | None = Field(default=None, ge=1, le=MAX_K, description="passages to return")
    documents: list[str] | None = _DOCUMENTS


class RetrievalSetting(BaseModel):
    model_config = ConfigDict(extra="ignore")

    top_k: int = Field(default=5, ge=1, le=MAX_K)
    score_threshold: float = Field(default=0.0, ge=0.0, le=1.0)


class RetrievalRequest(BaseModel):
    """Dify's External Knowledge API request."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "knowledge_id": "policyqa",
                    "query": "主干道机扫率",
                    "retrieval_setting": {"top_k": 3, "score_threshold": 0.5},
                }
            ]
        },
    )

    knowledge_id: str = Field(
        description='"policyqa" (or "all", or empty) for every document; otherwise document names as '
        "`documents` takes them, comma-separated"
    )
    query: str
    retrieval_setting: RetrievalSetting = RetrievalSetting()
    metadata_condition: dict[str, Any] | None = Field(default=None, description="accepted, not applied")


# ---------------------------------------------------------------- questions and conversations


def checked_question(text: str, param: str, limit: int) -> str:
    """The question stripped, or a 400 ApiError when it is empty or longer than `limit` (the same
    `max_question_chars` that `Engine.ask` enforces, so the API refuses before any work)."""
    text = (text or "").strip()
    if not text:
        raise ApiError(400, f"{param} is empty: ask a question.", "empty_question", param)
    if len(text) > limit:
        raise ApiError(
            400,
            f"{param} has {len(text)} characters; at most {limit} are accepted. Ask one thing at a time.",
            "question_too_long",
            param,
        )
    return text


def conversation(messages: Sequence[ChatMessage], limit: int) -> tuple[str, list[tuple[str, str]]]:
    """(question, history): the last user message, and the (user, assistant) turns before it."""
    turns = [(m.role, m.text()) for m in messages if m.role in ("user", "assistant")]
    last = max((i for i, (role, _) in enumerate(turns) if role == "user"), default=None)
    if last is None:
        raise ApiError(
            400, "messages has no user message: the last one is the question.", "no_question", "messages"
        )
    history: list[tuple[str, str]] = []
    for role, text in turns[:last]:
        if role == "user":
            history.append((text, ""))
        elif history and not history[-1][1]:
            history[-1] = (history[-1][0], text)
    return checked_question(turns[last][1], "messages", limit), history[-MAX_HISTORY_TURNS:]


# ---------------------------------------------------------------- answers


def answer_payload(answer: Answer) -> dict:
    """content (the answer with its [n] markers), references, refused, rewritten_question, notes."""
    data = answer_to_json(answer, ANSWER_FIELDS, REFERENCE_FIELDS)
    return {
        "content": data["answer"],
        "references": data["citations"],
        "refused": data["refused"],
        "rewritten_question": data["rewritten_question"],
        "notes": list(data["notes"]),
    }


def batch_line(answer: Answer, line_id: str | int | None = None) -> dict:
    """Exactly one line of `policyqa batch` ("id" first when the request gave one)."""
    head = {} if line_id is None else {"id": line_id}
    return {**head, **answer_to_json(answer, BATCH_FIELDS)}


def completion(answer: Answer, completion_id: str, created: int) -> dict:
    """A `chat.completion` object, with references, refused and rewritten_question beside `choices`."""
    payload = answer_payload(answer)
    message = {"role": "assistant", "content": payload.pop("content")}
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": MODEL_ID,
        "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
        **payload,
    }


def completion_chunk(
    completion_id: str, created: int, delta: dict, finish_reason: str | None = None, **extra
) -> dict:
    """One `chat.completion.chunk` of a streamed answer."""
    choice = {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL_ID,
        "choices": [choice],
        **extra,
    }


def stream_pieces(text: str) -> list[str]:
    """The answer in sentence- and line-sized pieces, which joined give the text back exactly."""
    return [p for p in re.split(r"(?<=[。！？；!?\n])", text) if p]


# ---------------------------------------------------------------- search, Dify, documents


def search_result(query: str, hits: Sequence[Hit]) -> dict:
    return {"query": query, "passages": [passage_to_json(hit) for hit in hits]}


def dify_record(hit: Hit, best_possible: float, documents: Mapping[str, DocumentMeta]) -> dict:
    """A Dify record; `score` is the fused search score over the best a passage can get, in 0–1."""
    chunk = hit.chunk
    meta = documents.get(chunk.file)
    score = min(1.0, max(0.0, hit.score / best_possible)) if best_possible > 0 else 0.0
    return {
        "content": chunk.text,
        "score": round(score, 4),
        "title": meta.title if meta else chunk.file,
        "metadata": {
            "file": chunk.file,
            "section": chunk.section,
            "doc_number": meta.doc_number if meta else "",
            "issuer": meta.issuer if meta else "",
            "date": issued_date(meta) if meta else "",
            "passage_id": chunk.id,
            "start": chunk.start,
            "end": chunk.end,
        },
    }


def document_json(meta: DocumentMeta, passages: int) -> dict:
    return {
        "file": meta.file,
        "title": meta.title,
        "doc_number": meta.doc_number,
        "issuer": meta.issuer,
        "date": issued_date(meta),
        "dates": dict(meta.dates),
        "city": meta.city,
        "district": meta.district,
        "years": list(meta.years),
        "kind": meta.kind,
        "format": meta.format,
        "passages": passages,
    }


# ---------------------------------------------------------------- the targets ledger


def checked_target_filters(kind: str, due_before: str) -> tuple[str, str]:
    """(kind, due_before) stripped; a 400 ApiError naming the parameter when one is not valid."""
    kind, due_before = kind.strip(), due_before.strip()
    if kind and kind not in TARGET_KINDS:
        raise ApiError(400, f"kind {kind!r} is not one of {', '.join(TARGET_KINDS)}", "invalid_kind", "kind")
    if due_before:
        try:
            check_date(due_before)
        except ValueError:
            raise ApiError(
                400,
                f"due_before {due_before!r} is not a date: write YYYY-MM-DD",
                "invalid_date",
                "due_before",
            ) from None
    return kind, due_before


def targets_page(rows: Sequence[Target], offset: int, limit: int) -> dict:
    """One page of matching ledger rows: `total` and `documents` count every match, `targets` holds
    rows [offset, offset+limit) exactly as `policyqa targets --json` prints them."""
    return {
        "total": len(rows),
        "documents": len({r.file for r in rows}),
        "offset": offset,
        "limit": limit,
        "targets": [r.to_json() for r in rows[offset : offset + limit]],
    }
