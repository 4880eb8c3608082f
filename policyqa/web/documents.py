"""How the app names and describes documents: labels and filter choices, the status line, the
documents table, the metadata line and section path shown on cards, and walks of the heading tree."""

from __future__ import annotations

import contextlib
import html
from collections.abc import Iterable, Mapping
from datetime import datetime

from index.manifest import Manifest
from policyqa.records import Citation, DocumentMeta, Section


def document_label(meta: DocumentMeta) -> str:
    """《title》 with the city and years a reader tells documents apart by."""
    extra = []
    place = meta.district or meta.city
    # A parsed "city" that the title already names adds nothing.
    if place and place not in meta.title:
        extra.append(place)
    if meta.years:
        years = f"{meta.years[0]}" if len(meta.years) == 1 else f"{meta.years[0]}–{meta.years[-1]}"
        if years not in meta.title:
            extra.append(years)
    return f"《{meta.title}》" + (f"（{' · '.join(extra)}）" if extra else "")


def document_choices(documents: Mapping[str, DocumentMeta]) -> list[tuple[str, str]]:
    """(label, file) pairs for the document filter, sorted by title."""
    return sorted(((document_label(m), f) for f, m in documents.items()), key=lambda c: c[0])


def issued_date(meta: DocumentMeta) -> str:
    return meta.date("成文") or meta.date("印发") or meta.date("发布")


def _built_at(manifest: Manifest) -> str:
    built = manifest.built_at
    with contextlib.suppress(TypeError, ValueError):  # an odd value is shown as it is
        built = datetime.fromisoformat(built).astimezone().strftime("%Y-%m-%d %H:%M")
    return built or "未知"


def status_line(manifest: Manifest, chunks: int) -> str:
    """One line in words every user knows: how many documents, when the library last changed."""
    parts = [f"已收录 {len(manifest.files)} 份文件", f"更新于 {_built_at(manifest)}"]
    if manifest.skipped:
        parts.append(f"{len(manifest.skipped)} 份文件无法读取，请管理员查看“文件管理”")
    return " · ".join(parts)


def about_html(manifest: Manifest, chunks: int, answer_modes: Iterable[str] = ()) -> str:
    """The technical details staff rarely need, folded away: passages, embedding model, answer modes."""
    rows = [
        ("已收录文件", f"{len(manifest.files)} 份（{chunks} 个段落）"),
        ("向量模型", manifest.embedder.id),
        ("回答方式", "、".join(answer_modes) or "检索原文（不使用大模型）"),
        ("索引更新时间", _built_at(manifest)),
    ]
    if manifest.skipped:
        rows.append(("无法读取的文件", "、".join(sorted(manifest.skipped))))
    items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows)
    return f'<details class="pq-about"><summary>关于本系统</summary><dl>{items}</dl></details>'


def documents_table(documents: Mapping[str, DocumentMeta], manifest: Manifest) -> list[list]:
    """Rows for the documents tab: title, issuer, 文号, date, chunks, file."""
    rows = []
    for file, meta in sorted(documents.items(), key=lambda item: item[1].title):
        first, last = manifest.files[file].chunks if file in manifest.files else (0, 0)
        rows.append([meta.title, meta.issuer, meta.doc_number, issued_date(meta), last - first, file])
    return rows


def meta_line(file: str, meta: DocumentMeta | None, citation: Citation | None = None) -> str:
    """文号, issuer, date and file name as one HTML line (a citation's own values first)."""
    doc_number = (citation.doc_number if citation else "") or (meta.doc_number if meta else "")
    issuer = (citation.issuer if citation else "") or (meta.issuer if meta else "")
    date = (citation.date if citation else "") or (issued_date(meta) if meta else "")
    parts = [p for p in (doc_number, issuer, date) if p]
    items = "".join(f"<span>{html.escape(p)}</span>" for p in parts)
    return f'<div class="pq-meta">{items}<span class="pq-file">{html.escape(file)}</span></div>'


def path_html(path: Iterable[str]) -> str:
    """A section path as HTML, headings joined by ›."""
    steps = [f"<span>{html.escape(p)}</span>" for p in path]
    return f'<div class="pq-path">{"<i>›</i>".join(steps) or "<span>（正文）</span>"}</div>'


def walk_sections(sections: Iterable[Section]):
    """Every section of a heading tree, depth first, in document order."""
    stack = list(reversed(tuple(sections)))
    while stack:
        section = stack.pop()
        yield section
        stack.extend(reversed(section.children))


def deepest_section(sections: Iterable[Section], offset: int) -> Section | None:
    """The most deeply nested section whose span contains `offset`."""
    found = None
    for section in walk_sections(sections):
        if section.start <= offset < section.end:
            found = section  # depth-first order: a containing child comes after its parent
    return found
