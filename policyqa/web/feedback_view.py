"""The feedback log as administrators read it: the latest rating of each answer, as table rows and CSV."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

# In words: an emoji is an empty box on a machine without an emoji font.
RATING_LABELS = {"up": "赞（有帮助）", "down": "踩（有问题）", "none": "已撤回"}
COLUMNS = ["时间", "用户", "评价", "意见", "问题", "回答", "出处"]


def read_feedback(path: Path) -> list[dict]:
    """Every readable line of the log, oldest first (a missing log is empty; a torn line is skipped)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def latest_per_answer(records: list[dict]) -> list[dict]:
    """One record per answer, the last given (a changed 👍/👎 or a comment added later), newest
    first; a rating taken back removes the answer. Lines without an answer id all stay."""
    latest: dict[str, dict] = {}
    for i, r in enumerate(records):
        latest[r.get("answer_id") or f"#{i}"] = r
    kept = [r for r in latest.values() if r.get("rating") != "none"]
    return sorted(kept, key=lambda r: str(r.get("time", "")), reverse=True)


def _sources(record: dict) -> str:
    return "；".join(
        f"[{c.get('n', '')}]《{c.get('title', '')}》{c.get('section', '')}"
        for c in record.get("citations") or ()
    )


def feedback_rows(records: list[dict]) -> list[list[str]]:
    """Table rows (COLUMNS) for `records`."""
    return [
        [
            str(r.get("time", "")).replace("T", " ")[:19],
            str(r.get("user", "")),
            RATING_LABELS.get(r.get("rating", ""), str(r.get("rating", ""))),
            str(r.get("comment", "")),
            str(r.get("question", "")),
            str(r.get("answer", "")),
            _sources(r),
        ]
        for r in records
    ]


def feedback_csv(records: list[dict], path: Path) -> Path:
    """Write the rows as CSV (UTF-8 with BOM, so Excel shows the Chinese) atomically; return the path."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(feedback_rows(records))
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as f:
            f.write(out.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
