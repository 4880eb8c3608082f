"""Section-aligned chunks of a parsed document.

* A leaf section is one BODY chunk (its heading and text, `raw.text[start:end]`), split at
  sentence ends (。！？；) when it is over the token budget; a piece repeats the previous piece's
  last sentence when that sentence is short, so a quote spanning the cut is still whole somewhere.
* A parent section's own text before its first child (an intro) is a BODY chunk with its path.
* A parent section also gets an OUTLINE chunk: its heading and, for each child, the child's
  heading line, or for a run-in child (`1.开展…治理。深入推进…。`) the child's text through the first
  sentence after its heading. It answers "what are the N tasks" questions.
* A table section gives one TABLE chunk per rebuilt row: header cells, then the row's cells.

Chunks never mix sibling sections; `text` is verbatim source (pieces joined by line breaks for
OUTLINE/TABLE chunks, listed in `spans`); `embed_text` adds the title and section path.
"""

from __future__ import annotations

import re

from index.cjk import fold_width
from index.lines import NEWLINE, SENTENCE_END
from index.tables import table_rows
from index.tokens import count_tokens
from policyqa.errors import SettingsError
from policyqa.records import BODY, OUTLINE, TABLE, Chunk, Document, Section

# Trimmed off a chunk's spans. Narrower than index.lines.WHITESPACE (no en/em/thin space, \v, \f):
# the chunk bounds were set with this set, and merging the two would move them.
_SPAN_WHITESPACE = " \t\r\n\u3000\xa0\ufeff\u200b"
# Where a chunk's text may be cut: after 。！？； (closing quotes and brackets stay with the sentence)
# or at a line break. Wider than index.lines.SENTENCE_END, which ends a heading, not a chunk.
_SENTENCE_CUT = re.compile(r"[。！？；!?;]+[”’」』）)]*|[\r\n]")
# Where an over-long sentence may be cut: ， 、 ： (； already ends a sentence above; a heading is
# cut at ；，： instead, see index.lines).
_CLAUSE_CUT = re.compile(r"[，,、：:]")
_MARKUP = "#*>"  # Markdown markup that may stand before a heading on its line (`### `, `**`)


def _before_markup(text: str, a: int, b: int) -> int:
    """b moved back over the Markdown markup (`### `, `**`) that opens b's line, not before a."""
    while b > a and text[b - 1] in _MARKUP + " \t\u3000":
        b -= 1
    return b


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in _SPAN_WHITESPACE:
        a += 1
    while b > a and text[b - 1] in _SPAN_WHITESPACE:
        b -= 1
    return a, b


def _pieces(text: str, a: int, b: int, pattern: re.Pattern) -> list[tuple[int, int]]:
    """Spans of [a, b) cut after each match of `pattern` (whitespace-only spans dropped)."""
    out, start = [], a
    for m in pattern.finditer(text, a, b):
        out.append((start, m.end()))
        start = m.end()
    out.append((start, b))
    return [s for s in (_strip(text, x, y) for x, y in out) if s[0] < s[1]]


class _Counter:
    def __init__(self, text: str, tokenizer: str):
        self.text = text
        self.tokenizer = tokenizer

    def __call__(self, a: int, b: int) -> int:
        return count_tokens(self.text[a:b], self.tokenizer)


def _units(text: str, a: int, b: int, budget: int, tokens: _Counter) -> list[tuple[int, int]]:
    """Sentences of [a, b); a sentence over the budget is cut at clauses, then by length."""
    out = []
    for s in _pieces(text, a, b, _SENTENCE_CUT):
        if tokens(*s) <= budget:
            out.append(s)
            continue
        for c in _pieces(text, s[0], s[1], _CLAUSE_CUT):
            x = c[0]
            while tokens(x, c[1]) > budget:  # one endless clause: cut by characters
                y = x + max(1, (c[1] - x) * budget // max(1, tokens(x, c[1])))
                out.append((x, y))
                x = y
            out.append((x, c[1]))
    return out


def split_span(
    text: str, a: int, b: int, budget: int, tokenizer: str = "cl100k_base"
) -> list[tuple[int, int]]:
    """Cut [a, b) of `text` into spans under `budget` tokens at sentence ends (stripped spans).

    Clauses of one sentence are packed together again when they fit, so a cut inside a sentence
    only happens when the sentence alone is over the budget."""
    a, b = _strip(text, a, b)
    if a >= b:
        return []
    tokens = _Counter(text, tokenizer)
    if tokens(a, b) <= budget:
        return [(a, b)]
    units = _units(text, a, b, budget, tokens)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        j = i + 1
        while j < len(units) and tokens(units[i][0], units[j][1]) <= budget:
            j += 1
        spans.append((units[i][0], units[j - 1][1]))
        if j >= len(units):
            break
        # Overlap by the last sentence when it is short: a quote across the cut stays whole.
        last = units[j - 1]
        i = j - 1 if j - 1 > i and tokens(*last) <= budget // 4 else j
    return spans


def _heading_span(text: str, section: Section) -> tuple[int, int]:
    """Where the section's heading stands verbatim (its first line when it was joined)."""
    k = text.find(
        section.heading, section.start, max(section.body_start, section.start + len(section.heading))
    )
    if k >= 0:
        return k, k + len(section.heading)
    line_end = NEWLINE.search(text, section.start, section.end)
    return _strip(text, section.start, line_end.start() if line_end else section.end)


def _outline_piece(text: str, child: Section, budget: int, tokens: _Counter) -> tuple[int, int]:
    """A child's entry in its parent's outline: heading line, or run-in heading + first sentence."""
    a, b = _heading_span(text, child)
    newline = NEWLINE.search(text, b, child.end)
    line_end = newline.start() if newline else child.end
    stop = b
    while stop < line_end and text[stop] in _SPAN_WHITESPACE:
        stop += 1
    if stop < line_end and text[stop] in "。！？!?.":  # run-in: body text follows on the line
        m = SENTENCE_END.search(text, stop + 1, line_end)
        b = m.end() if m else line_end
    elif b <= child.body_start < line_end and text[child.body_start : line_end].strip(
        _SPAN_WHITESPACE + _MARKUP
    ):
        # the heading is only the start of the line (`第十五条　违反…`, a cut long heading)
        m = SENTENCE_END.search(text, max(stop, child.body_start), line_end)
        b = m.end() if m else line_end
    b = _strip(text, a, min(b, child.end))[1]
    if tokens(a, b) > budget:  # keep whole clauses of an overlong first sentence
        cut = a
        for _, y in _pieces(text, a, b, _CLAUSE_CUT):
            if tokens(a, y) > budget:
                break
            cut = y
        b = cut if cut > a else a + len(child.heading)
    return a, b


def _joined_tokens(text: str, spans: list[tuple[int, int]], tokenizer: str) -> int:
    return count_tokens("\n".join(text[x:y] for x, y in spans), tokenizer)


def chunk_document(doc: Document, chunk_tokens: int = 320, tokenizer: str = "cl100k_base") -> list[Chunk]:
    """Section-aligned BODY, OUTLINE and TABLE chunks of `doc`, in document order."""
    if chunk_tokens < 16:
        raise SettingsError(f"chunk_tokens is {chunk_tokens}; use at least 16 (320 is the default).")
    text, meta = doc.text, doc.meta
    tokens = _Counter(text, tokenizer)
    made: list[tuple[str, tuple[str, ...], tuple[tuple[int, int], ...], str]] = []

    def body(path: tuple[str, ...], a: int, b: int) -> None:
        for x, y in split_span(text, a, b, chunk_tokens, tokenizer):
            made.append((BODY, path, ((x, y),), text[x:y]))

    def joined(kind: str, path: tuple[str, ...], spans: list[tuple[int, int]]) -> None:
        made.append((kind, path, tuple(spans), "\n".join(text[x:y] for x, y in spans)))

    for section in doc.walk():
        if section.kind == "table":
            rows = table_rows(doc, section)
            if rows:
                # An untitled table is named by its header row; that row is not a heading to cite,
                # so its rows are filed under the section around the table.
                untitled = section.body_start == section.start and len(section.path) > 1
                path = section.path[:-1] if untitled else section.path
                for row in rows:
                    spans = [(c[0], c[1]) for c in row.header] + [(c[0], c[1]) for c in row.cells]
                    made.append(
                        (
                            TABLE,
                            path,
                            tuple(spans),
                            "\t".join(c[2] for c in row.header) + "\n" + "\t".join(row.values),
                        )
                    )
                continue
        if not section.children:
            body(section.path, section.start, section.end)
            continue
        # Intro text between the heading and the first child (more than the bare heading).
        first = section.children[0].start
        a, b = _strip(text, section.start, _before_markup(text, section.start, first))
        if text[a:b].rstrip("。：:；;，,.") != section.heading and (a, b) != _heading_span(text, section):
            body(section.path, a, b)
        # The section's own text after a child (after a table, say) is its own BODY chunk too.
        for child, after in zip(section.children, [*section.children[1:], None], strict=True):
            stop = _before_markup(text, child.end, after.start) if after else section.end
            body(section.path, child.end, stop)
        head = _heading_span(text, section)
        budget = max(chunk_tokens - tokens(*head), chunk_tokens // 2)
        items = [_outline_piece(text, child, budget, tokens) for child in section.children]
        group: list[tuple[int, int]] = []
        for item in items:
            if group and _joined_tokens(text, [head, *group, item], tokenizer) > chunk_tokens:
                joined(OUTLINE, section.path, [head, *group])
                group = []
            group.append(item)
        joined(OUTLINE, section.path, [head, *group])

    chunks = []
    for n, (kind, path, spans, body_text) in enumerate(made):
        chunks.append(
            Chunk(
                id=f"{meta.file}#{n}",
                file=meta.file,
                title=meta.title,
                section_path=path,
                start=min(x for x, _ in spans),
                end=max(y for _, y in spans),
                text=body_text,
                # Width-folded: the embedder and BM25 should not care whether a file writes １００％ or 100%.
                embed_text=fold_width(f"{meta.title}\n{' > '.join(path)}\n{body_text}"),
                kind=kind,
                spans=spans,
            )
        )
    return chunks
