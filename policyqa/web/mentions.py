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


def _matches(needle: str, text: str) -> list[tuple[int, int]]:
    """Source spans of every occurrence of the folded `needle` in `text`."""
    folded, where = fold_with_map(text)
    spans = []
    at = folded.find(needle)
    while at >= 0:
        spans.append((where[at], where[at + len(needle) - 1] + 1))
        at = folded.find(needle, at + len(needle))
    return spans


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
        for start, end in _matches(needle, text):
            s, e = _sentence(text, start, end)
            section = deepest_section(sections, start)
            mentions.append(
                Mention(meta.file, meta.title, section.path if section else (), start, end, text[s:e], s)
            )
    return mentions


@dataclass(frozen=True)
class SentenceHits:
    """One sentence of one document with every occurrence of the term in it (the 全文检索 rows)."""

    file: str
    title: str
    section_path: tuple[str, ...]
    sentence: str
    sentence_start: int
    spans: tuple[tuple[int, int], ...]  # occurrences, offsets in the document's text


def find_sentences(
    term: str, documents: Iterable[tuple[DocumentMeta, str, Iterable[Section]]], limit: int = 90
) -> list[SentenceHits]:
    """Every sentence that contains `term`, in document order, once each with all its occurrences."""
    needle, _ = fold_with_map(term)
    if not needle:
        return []
    rows = []
    for meta, text, sections in documents:
        sections = tuple(sections)
        groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for start, end in _matches(needle, text):
            # The whole sentence is the group; only what is shown is clipped around the matches.
            groups.setdefault(_sentence(text, start, end, limit=len(text)), []).append((start, end))
        for (s0, e0), spans in groups.items():
            s = max(s0, spans[0][0] - limit)
            e = min(e0, spans[-1][1] + limit)
            while s < spans[0][0] and text[s] in " \u3000\n\t":
                s += 1
            section = deepest_section(sections, spans[0][0])
            path = section.path if section else ()
            rows.append(SentenceHits(meta.file, meta.title, path, text[s:e], s, tuple(spans)))
    return rows


def _marked_sentence(row: SentenceHits) -> str:
    out, at = [], 0
    for start, end in row.spans:
        a, b = start - row.sentence_start, end - row.sentence_start
        out.append(html.escape(row.sentence[at:a]) + "<mark>" + html.escape(row.sentence[a:b]) + "</mark>")
        at = b
    return "".join(out) + html.escape(row.sentence[at:])


def mentions_html(term: str, rows: list[SentenceHits]) -> str:
    """Sentences grouped by document, with counts of occurrences and sentences, every occurrence marked."""
    if not term.strip():
        return '<div class="pq-empty">输入词语，列出它在全部文件中的每一次出现。</div>'
    if not rows:
        return f'<div class="pq-empty">全部文件中没有找到“{html.escape(term)}”。</div>'
    groups: dict[str, list[SentenceHits]] = {}
    for row in rows:
        groups.setdefault(row.file, []).append(row)
    total = sum(len(r.spans) for r in rows)
    parts = [
        f'<div class="pq-mentions-head">“{html.escape(term)}”共出现 <b>{total}</b> 次，'
        f"在 <b>{len(rows)}</b> 句中，涉及 <b>{len(groups)}</b> 份文件</div>"
    ]
    for file, items in groups.items():
        count = sum(len(r.spans) for r in items)
        parts.append(
            f'<details open class="pq-group"><summary>《{html.escape(items[0].title)}》'
            f'<span class="pq-count">{count} 处 · {len(items)} 句</span>'
            f'<span class="pq-file">{html.escape(file)}</span></summary><ol>'
        )
        for r in items:
            times = f'<span class="pq-times">本句 {len(r.spans)} 处</span>' if len(r.spans) > 1 else ""
            parts.append(
                f'<li class="pq-hit" data-file="{html.escape(file)}" data-start="{r.spans[0][0]}"'
                f' data-end="{r.spans[-1][1]}">{path_html(r.section_path)}'
                f'<div class="pq-quote">{_marked_sentence(r)}{times}</div></li>'
            )
        parts.append("</ol></details>")
    return f'<div class="pq-mentions">{"".join(parts)}</div>'


EXPORT_HEADER = ("序号", "文件标题", "文件名", "章节", "出现次数", "句子")


def mention_table(rows: list[SentenceHits]) -> list[tuple]:
    """The result list as table rows under `EXPORT_HEADER`, one per sentence, for CSV/XLSX export."""
    return [
        (i, r.title, r.file, " > ".join(r.section_path), len(r.spans), r.sentence.strip())
        for i, r in enumerate(rows, 1)
    ]
