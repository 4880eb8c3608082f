"""Tables in a document's text, found by their shape and rebuilt row by row.

Two layouts reach the parser: rows of tab-separated (or Markdown `| a | b |`) cells, as a table
pasted from Word or an HTML/Word table rendered by the loader; and a table flattened one cell per
line under its title (`…任务清单`, `表1　…`) or an attachment's title. The parser files either as a
`table` section; `table_rows` rebuilds that section's rows for the chunker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.dates import is_date_line
from index.lines import CN_NUMERALS, CUT_HEADING, PUNCTUATION, WHITESPACE, Line, halfwidth, split_lines
from policyqa.records import Document, Section

_TABLE_CAPTION = re.compile(rf"附?表\s*[\d{CN_NUMERALS}]+(?:[-—.．]\d+)?[ \u3000:：]")


@dataclass(frozen=True)
class TableRow:
    """One rebuilt table row: the header cells and the row's cells (number, group cells, row cells)."""

    header: tuple[tuple[int, int, str], ...]  # (start, end, text) of each header cell
    cells: tuple[tuple[int, int, str], ...]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(c[2] for c in self.cells)


def table_rows(doc: Document, section: Section) -> list[TableRow]:
    """The rebuilt rows of a `table` section: its tab-separated rows, or else its cells, one
    non-empty line each, after its title."""
    if section.kind != "table":
        return []
    cells = [
        Line(line.start + section.body_start, line.end + section.body_start, line.text, line.gap_before)
        for line in split_lines(doc.text[section.body_start : section.end])
    ]
    return _tab_rows(cells) or _parse_table(cells)


# ---------------------------------------------------------------------------------------------
# tables pasted as tab-separated rows (Word, or a web/Word table as the loader renders it)


_MD_RULE = re.compile(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?")  # `| --- | ---: |`


def _row_cells(line: Line) -> list[tuple[int, int, str]]:
    """(start, end, text) of each cell of a tab-separated row or a Markdown row (`| a | b |`);
    an empty cell has empty text."""
    t = line.text
    if t.startswith("|"):
        a, b, sep = 1, len(t) - 1 if len(t) > 1 and t.endswith("|") else len(t), "|"
    else:
        a, b, sep = 0, len(t), "\t"
    out, pos = [], line.start + a
    for part in t[a:b].split(sep):
        lead = len(part) - len(part.lstrip(WHITESPACE))
        text = part.strip(WHITESPACE)
        out.append((pos + lead, pos + lead + len(text), text))
        pos += len(part) + 1
    return out


def pasted_table_end(lines: list[Line], i: int) -> int:
    """End (exclusive) of the table whose header row is line i, or i if none.

    A Markdown table is its header row, the `|---|` rule and the `|` rows after it. Tab-separated:
    the header has n ≥ 2 cells; each following row has at most n (a row with fewer is missing its
    leading, merged cells), at least one has exactly n, and there are ≥ 2 rows in all."""
    if i >= len(lines):
        return i
    if lines[i].text.startswith("|"):
        if i + 1 >= len(lines) or not _MD_RULE.fullmatch(lines[i + 1].text) or len(_row_cells(lines[i])) < 2:
            return i
        j = i + 2
        while j < len(lines) and lines[j].text.startswith("|") and not _MD_RULE.fullmatch(lines[j].text):
            j += 1
        return j if j > i + 2 else i
    if "\t" not in lines[i].text:
        return i
    n = len(_row_cells(lines[i]))
    if sum(1 for c in _row_cells(lines[i]) if c[2]) < 2:
        return i
    j, full = i + 1, 0
    while j < len(lines) and "\t" in lines[j].text and 2 <= len(_row_cells(lines[j])) <= n:
        full += len(_row_cells(lines[j])) == n
        j += 1
    return j if full else i


def header_row_name(line: Line) -> str:
    """The name of a table without a title line: its header row's cells, cut like a heading."""
    heading = " ".join(c[2] for c in _row_cells(line) if c[2])
    return heading[:CUT_HEADING].rstrip(WHITESPACE)


def _tab_rows(lines: list[Line]) -> list[TableRow]:
    """Rows of a tab-separated table (header first). Leading cells a row lacks or leaves empty
    were merged with the row above in the source table: they repeat that row's cells."""
    end = pasted_table_end(lines, 0)
    if end == 0:
        return []
    first = _row_cells(lines[0])
    header = tuple(c for c in first if c[2])
    above: list[tuple[int, int, str] | None] = [None] * len(first)
    rows = []
    for line in lines[1:end]:
        if _MD_RULE.fullmatch(line.text):
            continue
        cells: list[tuple[int, int, str] | None] = _row_cells(line)
        cells = [None] * max(0, len(first) - len(cells)) + cells
        above.extend([None] * (len(cells) - len(above)))
        row, leading = [], True
        for k, c in enumerate(cells):
            if c is not None and c[2]:
                leading = False
                above[k] = c
                row.append(c)
            elif leading and above[k] is not None:
                row.append(above[k])
        rows.append(TableRow(header, tuple(row)))
    return rows


# ---------------------------------------------------------------------------------------------
# tables flattened one cell per line


def is_table_title(s: str) -> bool:
    """A line that names the table under it: `…任务清单` / `…一览表`, or a numbered caption
    (`表1　…主要指标`, `附表2 …`) whatever its last word."""
    if len(s) > 60 or PUNCTUATION.search(s):
        return False
    return s.endswith(("表", "清单", "名单", "一览")) or bool(_TABLE_CAPTION.match(s))


def flattened_table_end(lines: list[Line], i: int, stop: int) -> int | None:
    """Offset where the table flattened one cell per line from line i ends (its last cell's end),
    or None when the lines from i (up to `stop`, a date line or a paragraph) are no table."""
    rows = _parse_table(lines[i : _table_extent(lines, i, stop)])
    return max(c[1] for row in rows for c in row.cells) if rows else None


def _int_cell(s: str) -> int | None:
    s = halfwidth(s).strip(".、")
    return int(s) if s.isdigit() and len(s) <= 3 else None


def _parse_table(cells: list[Line]) -> list[TableRow]:
    """Rows of a table given its cells in reading order (header first), [] if it is no table.

    Shape, not words: the header is a run of short label cells, ended by the first number cell
    `1` (a numbered table) or else by the first blank line. In a numbered table a cell holding the
    next number opens the next group; a group holds g group-level cells (written once, on its
    first row, empty cells below them) and then rows of r cells, where r is the number of header
    labels after the number column and g the smallest count that fits every group. An unnumbered
    table is rows of as many cells as the header has.
    """
    labels = 0
    while labels < len(cells) and _is_label_cell(cells[labels].text):
        labels += 1
    numbered = labels < len(cells) and _int_cell(cells[labels].text) == 1
    if numbered:
        h = labels
    else:
        h = next((k for k in range(2, labels + 1) if k < len(cells) and cells[k].gap_before), 0)
    data = cells[h:]
    if h < 2 or not data:
        return []
    head = tuple((c.start, c.end, c.text) for c in cells[:h])
    rows: list[tuple[Line, ...]] = []
    if numbered:
        groups: list[list[Line]] = []
        expected = 1
        for c in data:
            if _int_cell(c.text) == expected:
                groups.append([c])
                expected += 1
            else:
                groups[-1].append(c)
        sizes = [len(group) - 1 for group in groups]
        r = h - 1
        g = next((g for g in range(max(sizes) + 1) if all(k > g and (k - g) % r == 0 for k in sizes)), None)
        for group in groups:
            number, rest = group[0], group[1:]
            if g is None:  # no regular shape: keep the whole group as one row
                rows.append((number, *rest))
                continue
            for k in range(g, len(rest), r):
                rows.append((number, *rest[:g], *rest[k : k + r]))
    else:
        if len(data) < h:
            return []
        rows = [tuple(data[k : k + h]) for k in range(0, len(data) - len(data) % h, h)]
    return [TableRow(head, tuple((c.start, c.end, c.text) for c in row)) for row in rows]


def _is_label_cell(s: str) -> bool:
    return len(s) <= 10 and _int_cell(s) is None and not PUNCTUATION.search(s)


def _table_extent(lines: list[Line], i: int, stop: int) -> int:
    """End (exclusive) of the cell lines from i: up to a date line, a paragraph, or `stop`."""
    k = i
    while (
        k < stop
        and not is_date_line(lines[k].text)
        and not (len(lines[k].text) > 80 and "。" in lines[k].text)
    ):
        k += 1
    return k
