"""The feedback log: one JSON line per 👍/👎, appended atomically so concurrent users never interleave."""

from __future__ import annotations

import fcntl
import json
import os
from datetime import datetime
from pathlib import Path

from policyqa.answer_json import answer_to_json
from policyqa.errors import PolicyQAError
from policyqa.records import Answer

RATINGS = ("up", "down", "none")  # "none": a 👍/👎 taken back
# After time, rating and comment: what the people who maintain the corpus need to judge the answer.
FEEDBACK_FIELDS = ("question", "rewritten_question", "answer", "refused", "mode", "citations")
FEEDBACK_CITATION_FIELDS = ("n", "file", "title", "section", "quote")


def feedback_record(
    answer: Answer,
    rating: str,
    comment: str = "",
    when: datetime | None = None,
    answer_id: str = "",
    user: str = "",
) -> dict:
    """What one feedback line holds: question, answer, citations, rating, comment and a timestamp;
    `answer_id` names the answer, so a changed rating supersedes the earlier line for it."""
    if rating not in RATINGS:
        raise PolicyQAError(f"feedback rating must be one of {', '.join(RATINGS)}, got {rating!r}")
    when = when or datetime.now().astimezone()
    return {
        "time": when.isoformat(timespec="seconds"),
        "rating": rating,
        "comment": comment.strip(),
        **answer_to_json(answer, FEEDBACK_FIELDS, FEEDBACK_CITATION_FIELDS),
        "answer_id": answer_id,
        "user": user,
    }


def append_feedback(path: Path, record: dict) -> None:
    """Append one JSON line; a single O_APPEND write under a lock keeps lines whole."""
    path = Path(path)
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise PolicyQAError(
            f"cannot write the feedback log {path} ({exc.strerror or exc}); set feedback_log to a writable file",
            zh="反馈暂时无法保存（反馈日志不可写），请联系管理员。",
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line)
        os.fsync(fd)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
