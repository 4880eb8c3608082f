"""The targets ledger as files: CSV (UTF-8 with BOM, so Excel and WPS open it as UTF-8), XLSX and
JSON, with Chinese column headers. Files are written atomically (temp file + os.replace)."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from policyqa.records import Target

KIND_NAMES = {"target": "目标", "task": "任务", "penalty": "罚则", "score": "分值", "standard": "标准"}


def _cells(row: Target) -> list[str]:
    return [
        row.subject,
        row.value,
        row.qualifier,
        row.scope,
        row.period,
        row.deadline or row.deadline_text,
        "、".join(row.responsible),
        KIND_NAMES.get(row.kind, row.kind),
        row.file,
        row.title,
        row.doc_number,
        row.section,
        row.sentence,
    ]


# The column headers, in `_cells` order; 截止日期 shows the words when no date could be read (长期坚持).
COLUMNS = (
    "指标/事项",
    "数值",
    "限定",
    "范围",
    "期限",
    "截止日期",
    "责任单位",
    "类型",
    "文件",
    "标题",
    "文号",
    "章节",
    "原文",
)


def table(rows: Iterable[Target]) -> list[list[str]]:
    """The header row, then one row of cells per target."""
    return [list(COLUMNS), *(_cells(r) for r in rows)]


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write through `write(temp_path)` beside `path`, then move the temp file over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def csv_text(rows: Iterable[Target]) -> str:
    """The ledger as CSV text (no BOM; `write_csv` adds it)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(table(rows))
    return buffer.getvalue()


def write_csv(rows: Iterable[Target], path: Path) -> Path:
    """CSV in UTF-8 with a BOM: Excel and WPS read a BOM-less UTF-8 CSV as the local code page."""
    text = csv_text(rows)
    _atomic_write(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8-sig", newline=""))
    return Path(path)


def write_xlsx(rows: Iterable[Target], path: Path) -> Path:
    """One sheet 指标台账 with the header row frozen and readable column widths."""
    from openpyxl import Workbook  # heavy: only when an XLSX is asked for
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "指标台账"
    for values in table(rows):
        sheet.append(values)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = {"指标/事项": 28, "原文": 60, "章节": 30, "标题": 30, "责任单位": 30}
    for k, name in enumerate(COLUMNS):
        letter = sheet.cell(row=1, column=k + 1).column_letter
        sheet.column_dimensions[letter].width = widths.get(name, 14)
    for cell in sheet[sheet.cell(row=1, column=len(COLUMNS)).column_letter][1:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    _atomic_write(Path(path), lambda tmp: book.save(tmp))
    return Path(path)


def rows_json(rows: Iterable[Target]) -> list[dict]:
    """The rows as JSON-ready dicts (every Target field, tuples as lists)."""
    return [r.to_json() for r in rows]
