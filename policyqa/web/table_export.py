"""Result lists as files staff open in Excel or WPS: CSV (UTF-8 with a BOM, which Excel needs to
read Chinese) and XLSX (openpyxl, imported only when an XLSX is asked for). Written atomically."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path


def _atomic_write(path: Path, data: bytes) -> Path:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """The table as CSV in UTF-8 with a byte-order mark, CRLF line ends (as Excel writes them)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_csv_cell(v) for v in row] for row in rows])
    return out.getvalue().encode("utf-8-sig")


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence]) -> Path:
    """Write the table to `path` as CSV (see `csv_bytes`)."""
    return _atomic_write(path, csv_bytes(header, rows))


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence], sheet: str = "结果") -> Path:
    """Write the table to `path` as an XLSX workbook with a bold, frozen header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a sentence starting with "=" stays text, never a formula
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    # Wide enough to read: Chinese characters count double; long text wraps.
    for i, name in enumerate(header, 1):
        values = [str(name)] + [str(r[i - 1]) for r in rows[:200]]
        width = min(60, max(6, max(sum(2 if ord(c) > 0x2E80 else 1 for c in v) for v in values) + 2))
        ws.column_dimensions[ws.cell(1, i).column_letter].width = width
        if width == 60:
            for cell in ws[ws.cell(1, i).column_letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return _atomic_write(path, out.getvalue())


def _csv_cell(value):
    # Excel runs a CSV cell starting with "=", "+" or "@" as a formula: quoted text stays text.
    if isinstance(value, str) and value[:1] in ("=", "+", "@"):
        return "'" + value
    return value
