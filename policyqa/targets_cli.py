"""`policyqa targets`: the targets ledger in the terminal (an aligned table) or as CSV, XLSX or JSON."""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from policyqa.errors import PolicyQAError
from policyqa.records import TARGET_KINDS, Target
from policyqa.settings import Settings

# (header, width in terminal columns) of the default table
_SHOWN = (
    ("指标/事项", 26),
    ("数值", 14),
    ("限定", 8),
    ("截止", 10),
    ("责任单位", 20),
    ("文件", 18),
    ("章节", 28),
)


def add_parser(sub, common) -> None:
    """Register `targets` with its options on the CLI's subparsers."""
    p = sub.add_parser(
        "targets", help="list the targets ledger: quantified targets, deadlines, fines, scores"
    )
    p.add_argument(
        "--search", default="", help="words in the subject, sentence, section or responsible units"
    )
    p.add_argument("--doc", default="", help="file name, part of the title, city/district, 文号 or year")
    p.add_argument("--due-before", default="", metavar="YYYY-MM-DD", help="deadline on or before this date")
    p.add_argument(
        "--kind", default="", choices=("", *TARGET_KINDS), help="target | task | penalty | score | standard"
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument("--csv", metavar="FILE", help="write a CSV (UTF-8 with BOM, opens in Excel/WPS)")
    out.add_argument("--xlsx", metavar="FILE", help="write an Excel workbook")
    out.add_argument("--json", action="store_true", help="print the rows as JSON")
    common(p, updating=False)
    p.add_argument("--no-update", action="store_true", help="read a stale index as it is")


def run(args, settings: Settings, progress: Callable[[int, int, str], None]) -> int:
    """Open the index (building it when missing or stale), filter the ledger, print or write it."""
    from index import build
    from policyqa import ledger_export
    from retrieval.ledger import filter_targets

    try:
        rows_filter = {
            "search": args.search,
            "doc": args.doc,
            "due_before": args.due_before,
            "kind": args.kind,
        }
        filter_targets((), **rows_filter)  # a bad --due-before fails before the index is opened
    except ValueError as exc:
        raise PolicyQAError(f"--due-before: {exc}" if args.due_before else str(exc)) from None
    index, _ = build.ensure_fresh(settings, progress=progress, allow_stale=args.no_update)
    rows = filter_targets(index.targets, **rows_filter)
    if args.csv:
        path = ledger_export.write_csv(rows, Path(args.csv))
        print(f"{len(rows)} 条 -> {path}", file=sys.stderr)
    elif args.xlsx:
        path = ledger_export.write_xlsx(rows, Path(args.xlsx))
        print(f"{len(rows)} 条 -> {path}", file=sys.stderr)
    elif args.json:
        print(json.dumps(ledger_export.rows_json(rows), ensure_ascii=False, indent=2))
    else:
        print(format_table(rows) if rows else "没有符合条件的指标。")
    return 0


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit(text: str, width: int) -> str:
    """`text` cut (with …) and padded to `width` terminal columns."""
    text = " ".join(text.split())
    if _width(text) > width:
        while _width(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - _width(text))


def _cells(row: Target) -> tuple[str, ...]:
    return (
        row.subject or "—",
        row.value,
        row.qualifier,
        row.deadline or row.deadline_text,
        "、".join(row.responsible),
        row.file,
        row.section_path[-1] if row.section_path else "",  # the deepest heading says most
    )


def format_table(rows: Sequence[Target]) -> str:
    """The rows as an aligned table for the terminal (CJK characters count two columns)."""
    lines = ["  ".join(_fit(h, w) for h, w in _SHOWN).rstrip()]
    lines.append("  ".join("-" * w for _, w in _SHOWN))
    for row in rows:
        lines.append("  ".join(_fit(c, w) for c, (_, w) in zip(_cells(row), _SHOWN, strict=True)).rstrip())
    lines.append(f"共 {len(rows)} 条")
    return "\n".join(lines)
