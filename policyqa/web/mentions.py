"""Find every mention: each occurrence of a term in every document, grouped by document, never ranked or cut."""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from policyqa.records import DocumentMeta, Section
from policyqa.web.documents import deepest_section, path_html

_QUOTES = set("「」『』“”‘’\"'＂＇")


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """`text` folded for matching (NFKC full/half width, lower case, no spaces or quote marks),
    with the source offset of every folded character."""
    out, where = [], []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch).lower():
            if c.isspace() or c in _QUOTES:
                continue
            out.append(c)
            where.append(i)
    return "".join(out), where


@dataclass(frozen=True)
class Mention:
    file: str
    title: str
    section_path: tuple[str, ...]
    start: int
    end: int
    sentence: str
    sentence_start: int


_SENTENCE_STOPS = "。！？；!?;\n"


def _sentence(text: str, start: int, end: int, limit: int = 90) -> tuple[int, int]:
    s = max(text.rfind(ch, 0, start) for ch in _SENTENCE_STOPS) + 1
    stops = [i for i in (text.find(ch, end) for ch in _SENTENCE_STOPS) if i >= 0]
    e = min(stops) + 1 if stops else len(text)
    s, e = max(s, start - limit), min(e, end + limit)
    while s < start and text[s] in " \u3000\n\t":
        s += 1
    return s, e


def find_mentions(
    term: str, documents: Iterable[tuple[DocumentMeta, str, Iterable[Section]]]
) -> list[Mention]:
    """Every occurrence of `term` in every document, in document order: exhaustive, never ranked or cut."""
    needle, _ = fold_with_map(term)
    if not needle:
        return []
    mentions = []
    for meta, text, sections in documents:
        sections = tuple(sections)
        folded, where = fold_with_map(text)
        at = folded.find(needle)
        while at >= 0:
            start, end = where[at], where[at + len(needle) - 1] + 1
            s, e = _sentence(text, start, end)
            section = deepest_section(sections, start)
            mentions.append(
                Mention(meta.file, meta.title, section.path if section else (), start, end, text[s:e], s)
            )
            at = folded.find(needle, at + len(needle))
    return mentions


def mentions_html(term: str, mentions: list[Mention]) -> str:
    """Mentions grouped by document with counts, each with its section path and marked sentence."""
    if not term.strip():
        return '<div class="pq-empty">输入词语，列出它在全部文件中的每一次出现。</div>'
    if not mentions:
        return f'<div class="pq-empty">全部文件中没有找到“{html.escape(term)}”。</div>'
    groups: dict[str, list[Mention]] = {}
    for m in mentions:
        groups.setdefault(m.file, []).append(m)
    parts = [
        f'<div class="pq-mentions-head">“{html.escape(term)}”共出现 <b>{len(mentions)}</b> 次，'
        f"涉及 <b>{len(groups)}</b> 份文件</div>"
    ]
    for file, items in groups.items():
        parts.append(
            f'<details open class="pq-group"><summary>《{html.escape(items[0].title)}》'
            f'<span class="pq-count">{len(items)} 处</span><span class="pq-file">{html.escape(file)}</span></summary><ol>'
        )
        for m in items:
            a, b = m.start - m.sentence_start, m.end - m.sentence_start
            sentence = (
                html.escape(m.sentence[:a])
                + "<mark>"
                + html.escape(m.sentence[a:b])
                + "</mark>"
                + html.escape(m.sentence[b:])
            )
            parts.append(
                f'<li class="pq-hit" data-file="{html.escape(file)}" data-start="{m.start}" data-end="{m.end}">'
                f'{path_html(m.section_path)}<div class="pq-quote">{sentence}</div></li>'
            )
        parts.append("</ol></details>")
    return f'<div class="pq-mentions">{"".join(parts)}</div>'
