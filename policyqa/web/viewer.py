"""The document viewer: a whole document with its heading outline and the cited span marked, the
documents tab's heading tree, and the cache of documents' full text both read from.

All document text that goes into HTML passes through `html.escape`.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterable
from pathlib import Path

from index import load
from index.library import inside_corpus
from policyqa.errors import DocumentError
from policyqa.records import DocumentMeta, Section
from policyqa.web.documents import deepest_section, meta_line, walk_sections


def _marked(text: str, spans: list[tuple[int, int, str, str]]) -> str:
    """Escaped `text` with (start, end, open_tag, close_tag) spans applied; overlaps split cleanly."""
    cuts = {0, len(text)}
    for start, end, _, _ in spans:
        cuts.update((max(0, min(start, len(text))), max(0, min(end, len(text)))))
    cuts = sorted(cuts)
    opened: set[int] = set()
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a == b:
            continue
        active = [i for i, (s, e, _, _) in enumerate(spans) if s <= a and b <= e]
        active.sort(key=lambda i: (spans[i][0], -spans[i][1]))
        for i in active:
            tag = spans[i][2]
            # An id belongs to the first piece of its span only.
            out.append(tag if i not in opened else re.sub(r' id="[^"]*"', "", tag))
            opened.add(i)
        out.append(html.escape(text[a:b]))
        out.extend(spans[i][3] for i in reversed(active))
    return "".join(out)


def _once(sections: Iterable[Section]) -> list[Section]:
    """Top-level sections without repeats: a letterhead that only repeats the notice's title
    (or any heading said twice) is listed once, so each document appears once in the outline."""
    seen, kept = set(), []
    for s in sections:
        key = re.sub(r"\s+", "", s.heading)
        if key in seen and not s.children:
            continue
        seen.add(key)
        kept.append(s)
    return kept


def _outline_html(sections: Iterable[Section], current: Section | None) -> str:
    """The heading tree: the path to the quote's heading open and marked, the rest folded."""

    def items(nodes):
        parts = []
        for s in nodes:
            on_path = current is not None and s.path == current.path[: len(s.path)]
            here = current is not None and s.path == current.path
            cls = " pq-here" if on_path else ""
            cls += " pq-quote-here" if here else ""
            badge = '<span class="pq-here-badge">引文所在</span>' if here else ""
            link = (
                f'<a data-target="pq-s-{s.start}" title="{html.escape(s.heading)}">'
                f"{html.escape(s.heading)}{badge}</a>"
            )
            if s.children:
                opened = " open" if on_path else ""
                parts.append(
                    f'<li class="pq-branch{cls}"><details{opened}><summary>{link}</summary>'
                    f"<ul>{items(s.children)}</ul></details></li>"
                )
            else:
                parts.append(f'<li class="pq-leaf{cls}">{link}</li>')
        return "".join(parts)

    return (
        f'<nav class="pq-outline"><div class="pq-outline-head">目录</div>'
        f"<ul>{items(_once(sections))}</ul></nav>"
    )


def viewer_html(
    file: str,
    meta: DocumentMeta | None,
    text: str,
    sections: Iterable[Section],
    start: int | None = None,
    end: int | None = None,
    note: str = "",
) -> str:
    """The whole document with its heading outline; the span [start, end) marked (id "pq-cited")."""
    sections = tuple(sections)
    spans = []
    for s in walk_sections(sections):
        head_end = s.body_start if s.body_start > s.start else s.end
        spans.append(
            (s.start, head_end, f'<span class="pq-h pq-h{min(s.level, 4)}" id="pq-s-{s.start}">', "</span>")
        )
    current = None
    if start is not None and end is not None and 0 <= start < end <= len(text):
        spans.append((start, end, '<mark id="pq-cited">', "</mark>"))
        current = deepest_section(sections, start)
    title = meta.title if meta else file
    where = ""
    if current is not None:
        where = f'<div class="pq-viewer-where">引用位置：{html.escape(" > ".join(current.path))}</div>'
    note_html = f'<div class="pq-warn">{html.escape(note)}</div>' if note else ""
    return (
        f'<div class="pq-viewer"><div class="pq-viewer-head"><div class="pq-viewer-title">《{html.escape(title)}》</div>'
        f"{meta_line(file, meta)}{where}{note_html}</div>"
        f'<div class="pq-viewer-body">{_outline_html(sections, current)}'
        f'<div class="pq-doc">{_marked(text, spans)}</div></div></div>'
    )


def outline_html(meta: DocumentMeta, sections: Iterable[Section]) -> str:
    """The heading tree of one document, for the documents tab."""

    def items(nodes):
        return "".join(
            f"<li><span>{html.escape(s.heading)}</span>"
            + (f"<ul>{items(s.children)}</ul>" if s.children else "")
            + "</li>"
            for s in nodes
        )

    return (
        f'<div class="pq-tree"><div class="pq-viewer-title">《{html.escape(meta.title)}》</div>'
        f"{meta_line(meta.file, meta)}<ul>{items(sections)}</ul></div>"
    )


class TextCache:
    """Documents' full text, read once per file version via `index.load.read_document`."""

    def __init__(self, corpus: Path):
        self.corpus = Path(corpus)
        self._texts: dict[tuple[str, float, int], str] = {}
        self._lock = threading.Lock()

    def get(self, file: str) -> str | None:
        """The text of `file` (relative to the corpus); None when it is missing or unreadable."""
        path = inside_corpus(self.corpus, file)
        if path is None or not path.is_file():
            return None
        stat = path.stat()
        key = (file, stat.st_mtime, stat.st_size)
        with self._lock:
            if key not in self._texts:
                try:
                    self._texts[key] = load.read_document(path, self.corpus).text
                except DocumentError:
                    return None
            return self._texts[key]
