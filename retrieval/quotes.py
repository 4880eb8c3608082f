"""Verbatim sentences of a chunk, with offsets into the source text.

Citations quote whole sentences (or clauses of a long sentence) exactly as they stand in the
file, so a reader can find them with Ctrl-F and the scorer can check them.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from policyqa.records import Chunk

# A sentence ends at 。！？； (full or half width) or at a line break. Not index.chunk's cut pattern
# (which keeps closing quotes with the sentence and cuts at \r): these are the units citations quote.
_SENTENCE_END = re.compile(r"[。！？；!?;]+|\n+")
MIN_QUOTE_CHARS = 8


class Sentence(NamedTuple):
    text: str
    start: int  # offset in the source file
    end: int


def _pieces(chunk: Chunk) -> list[tuple[str, int]]:
    """(text, source offset) of each verbatim piece of the chunk."""
    if not chunk.spans:
        return [(chunk.text, chunk.start)]
    pieces, cursor = [], 0
    for start, end in chunk.spans:
        length = end - start
        # Pieces are joined with one separator character (line break or tab) in chunk.text.
        pieces.append((chunk.text[cursor : cursor + length], start))
        cursor += length + 1
    return pieces


def split_sentences(chunk: Chunk) -> list[Sentence]:
    """The chunk's sentences in order; punctuation kept, surrounding whitespace trimmed."""
    out = []
    for text, base in _pieces(chunk):
        begin = 0
        for match in _SENTENCE_END.finditer(text + "\n"):
            stop = match.end() if not match.group().startswith("\n") else match.start()
            stop = min(stop, len(text))
            raw = text[begin:stop]
            stripped = raw.strip()
            if stripped:
                lead = len(raw) - len(raw.lstrip())
                out.append(Sentence(stripped, base + begin + lead, base + begin + lead + len(stripped)))
            begin = match.end()
    return out
