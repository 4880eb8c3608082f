"""Batch answering, shared by `policyqa batch` and `policyqa eval`: read a JSONL file of questions,
answer each, write one prediction line per question in the batch contract."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from policyqa.answer_json import answer_to_json
from policyqa.errors import PolicyQAError, QuestionError


def read_questions(path: Path) -> list[dict]:
    """The rows of a questions file: one JSON object with "id" and a string "question" per line."""
    questions = []
    with path.open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise PolicyQAError(
                    f"{path}:{line_no}: not valid JSON ({exc.msg}); each line must be one object"
                ) from None
            if not isinstance(row, dict) or not isinstance(row.get("question"), str) or "id" not in row:
                raise PolicyQAError(f'{path}:{line_no}: each line needs "id" and a string "question"')
            questions.append(row)
    return questions


def run_batch(
    engine, questions: list[dict], out: Path, k: int, first_tokens: list | None = None
) -> list[float]:
    """Answer every question, write one JSON line each (same order), return per-question seconds.

    In LLM mode the seconds to the first streamed token are appended to `first_tokens`."""
    timings = []
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for row in questions:
            started = time.perf_counter()
            first: list[float] = []

            def on_token(_token, first=first, started=started):
                if not first:
                    first.append(time.perf_counter() - started)

            try:
                answer = answer_to_json(engine.ask(row["question"], k=max(k, 10), on_token=on_token))
            except QuestionError as exc:  # one question too long: say so on its line, answer the rest
                message = str(exc)
                answer = {
                    "answer": message,
                    "refused": True,
                    "citations": [],
                    "passages": [],
                    "error": message,
                }
            timings.append(time.perf_counter() - started)
            if first_tokens is not None and first:
                first_tokens.append(first[0])
            fh.write(json.dumps({"id": row["id"], **answer}, ensure_ascii=False) + "\n")
    os.replace(tmp, out)
    return timings
