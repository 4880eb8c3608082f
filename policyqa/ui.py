"""Plain functions behind the web app: answer and source-card HTML, the document viewer,
find-every-mention, export, example questions and answer modes (uploads: `index.library`).

Nothing here imports gradio, so every piece is tested without a server; `app.py` only wires
these functions to components. All document text that goes into HTML passes through `html.escape`.
"""

from __future__ import annotations

import contextlib
import html
import importlib.util
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from index import load
from index.library import inside_corpus
from policyqa.errors import DocumentError
from policyqa.records import Answer, Citation, DocumentMeta, Section
from policyqa.settings import Settings

# ---------------------------------------------------------------- documents, status, filters


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


def status_line(manifest: Mapping, chunks: int) -> str:
    """One line about the index: documents, passages, embedder, when it was built."""
    built = manifest.get("built_at", "")
    with contextlib.suppress(TypeError, ValueError):  # an odd value is shown as it is
        built = datetime.fromisoformat(built).astimezone().strftime("%Y-%m-%d %H:%M")
    skipped = len(manifest.get("skipped", {}))
    parts = [
        f"已索引 {len(manifest.get('files', {}))} 份文件",
        f"{chunks} 个段落",
        f"向量模型 {manifest.get('embedder', {}).get('id', '?')}",
        f"更新于 {built or '?'}",
    ]
    if skipped:
        parts.append(f"{skipped} 份文件无法读取")
    return " · ".join(parts)


def documents_table(documents: Mapping[str, DocumentMeta], manifest: Mapping) -> list[list]:
    """Rows for the documents tab: title, issuer, 文号, date, chunks, file."""
    rows = []
    for file, meta in sorted(documents.items(), key=lambda item: item[1].title):
        first, last = manifest.get("files", {}).get(file, {}).get("chunks", (0, 0))
        rows.append([meta.title, meta.issuer, meta.doc_number, issued_date(meta), last - first, file])
    return rows


# ---------------------------------------------------------------- example questions

_NUMBERING = re.compile(
    r"^[\s\u3000]*(?:第[一二三四五六七八九十百零〇两\d]+[章节条款部分篇]"
    r"|[（(]\s*[一二三四五六七八九十百零〇两\d]+\s*[)）]"
    r"|[一二三四五六七八九十百]+\s*[、.．]"
    r"|\d{1,3}\s*[、.．](?!\d)"
    r"|[①-⑳]"
    r"|[一二三四五六七八九十]{1,3}是)[\s\u3000]*"
)


def clean_heading(heading: str) -> str:
    """A heading without its ordinal (一、 （一） 1． 第一条 一是 ①) or closing punctuation."""
    text = _NUMBERING.sub("", heading.strip())
    return text.strip(" \u3000。；;：:，,")


def example_question(title: str, sections: Iterable[Section]) -> str:
    """One question about a document, made from its deepest, first leaf heading of the body."""
    best = None
    for section in _walk(sections):
        if section.children or section.kind != "body":
            continue
        heading = clean_heading(section.heading)
        if not 4 <= len(heading) <= 24 or "。" in heading:
            continue
        if best is None or len(section.path) > len(best.path):
            best = section
    if best is None:
        return f"《{title}》的主要内容有哪些？"
    return f"《{title}》中关于“{clean_heading(best.heading)}”有哪些要求？"


def example_questions(documents: Mapping[str, tuple[DocumentMeta, Iterable[Section]]]) -> list[str]:
    """One example question per document (file -> (meta, sections)), in title order."""
    items = sorted(documents.values(), key=lambda item: item[0].title)
    return [example_question(meta.title, sections) for meta, sections in items]


def _walk(sections: Iterable[Section]):
    stack = list(reversed(tuple(sections)))
    while stack:
        section = stack.pop()
        yield section
        stack.extend(reversed(section.children))


def deepest_section(sections: Iterable[Section], offset: int) -> Section | None:
    """The most deeply nested section whose span contains `offset`."""
    found = None
    for section in _walk(sections):
        if section.start <= offset < section.end:
            found = section  # depth-first order: a containing child comes after its parent
    return found


# ---------------------------------------------------------------- the answer in the chat

_MARKER = re.compile(r"\[(\d+)\]")


def _md_escape(text: str) -> str:
    # Document text must not turn into HTML or emphasis; list bullets and line breaks stay.
    text = html.escape(text, quote=False)
    return re.sub(r"([\\`*_~])", r"\\\1", text)


def answer_markdown(answer: Answer, related: int = 3) -> str:
    """The chat message: rewritten question, answer with [n] markers, notes, related passages on refusal."""
    lines = []
    if answer.rewritten_question:
        lines.append(f"*理解为：{_md_escape(answer.rewritten_question)}*")
        lines.append("")
    known = {c.n for c in answer.citations}
    body = _md_escape(answer.text)
    body = _MARKER.sub(
        lambda m: f"<sup>[{m.group(1)}]</sup>" if int(m.group(1)) in known else m.group(0), body
    )
    lines.append(body)
    if answer.dropped_claims:
        lines.append("")
        lines.append(f"*（已删去 {len(answer.dropped_claims)} 句无法在原文中找到依据的内容）*")
    for note in answer.notes:
        lines.append("")
        lines.append(f"*注意：{_md_escape(note)}*")
    if answer.refused and answer.hits:
        lines.append("")
        lines.append("**相关段落**（供参考，未必回答了问题）：")
        for hit in answer.hits[:related]:
            c = hit.chunk
            snippet = c.text.replace("\n", " ")
            snippet = snippet[:80] + ("…" if len(snippet) > 80 else "")
            lines.append(f"- 《{_md_escape(c.title)}》 {_md_escape(c.section)}：{_md_escape(snippet)}")
    return "\n".join(lines)


def _paragraph(text: str, start: int, end: int, context: int = 120) -> tuple[str, str, str]:
    """(before, quoted, after): the line(s) around [start, end), clipped to `context` chars each side."""
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    para_end = len(text) if para_end < 0 else para_end
    before, after = text[para_start:start], text[end:para_end]
    if len(before) > context:
        before = "…" + before[-context:]
    if len(after) > context:
        after = after[:context] + "…"
    return before, text[start:end], after


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def locate_quote(text: str, quote: str, start: int, end: int) -> tuple[int, int] | None:
    """The quote's span in `text`: the given offsets when they still hold, else its first occurrence."""
    if 0 <= start < end <= len(text) and _squash(text[start:end]) == _squash(quote):
        return start, end
    found = text.find(quote)
    return (found, found + len(quote)) if found >= 0 else None


def _meta_line(file: str, meta: DocumentMeta | None, citation: Citation | None = None) -> str:
    doc_number = (citation.doc_number if citation else "") or (meta.doc_number if meta else "")
    issuer = (citation.issuer if citation else "") or (meta.issuer if meta else "")
    date = (citation.date if citation else "") or (issued_date(meta) if meta else "")
    parts = [p for p in (doc_number, issuer, date) if p]
    items = "".join(f"<span>{html.escape(p)}</span>" for p in parts)
    return f'<div class="pq-meta">{items}<span class="pq-file">{html.escape(file)}</span></div>'


def _path_html(path: Iterable[str]) -> str:
    steps = [f"<span>{html.escape(p)}</span>" for p in path]
    return f'<div class="pq-path">{"<i>›</i>".join(steps) or "<span>（正文）</span>"}</div>'


def _card(
    n_label: str, file: str, title: str, path, quote_html: str, start: int, end: int, meta, citation, cls
):
    return (
        f'<div class="pq-card {cls}" role="button" tabindex="0" title="点击在右侧查看原文"'
        f' data-file="{html.escape(file)}" data-start="{start}" data-end="{end}">'
        f'<div class="pq-card-head"><span class="pq-num">{n_label}</span>'
        f'<span class="pq-title">《{html.escape(title)}》</span></div>'
        f"{_meta_line(file, meta, citation)}{_path_html(path)}"
        f'<div class="pq-quote">{quote_html}</div></div>'
    )


def source_cards_html(
    answer: Answer | None,
    text_of: Callable[[str], str | None],
    documents: Mapping[str, DocumentMeta] | None = None,
    related: int = 3,
) -> str:
    """Source cards: title, file, 文号, issuer/date, section path, the quote marked inside its paragraph.

    `text_of(file)` gives a document's full text (None when it cannot be read). A refusal shows
    its closest passages as 相关段落 cards instead.
    """
    documents = documents or {}
    if answer is None:
        return '<div class="pq-empty">提问后，答案引用的原文出处会显示在这里。点击出处卡片可查看原文。</div>'
    cards = []
    for c in answer.citations:
        text = text_of(c.file)
        span = locate_quote(text, c.quote, c.start, c.end) if text else None
        if span:
            before, quoted, after = _paragraph(text, *span)
            quote_html = f"{html.escape(before)}<mark>{html.escape(quoted)}</mark>{html.escape(after)}"
        else:
            span = (c.start, c.end)
            quote_html = f"<mark>{html.escape(c.quote)}</mark>"
        cards.append(
            _card(str(c.n), c.file, c.title, c.section_path, quote_html, *span, documents.get(c.file), c, "")
        )
    if answer.refused:
        for hit in answer.hits[:related]:
            ch = hit.chunk
            snippet = ch.text[:160] + ("…" if len(ch.text) > 160 else "")
            quote_html = html.escape(snippet)
            meta = documents.get(ch.file)
            cards.append(
                _card(
                    "参",
                    ch.file,
                    ch.title,
                    ch.section_path,
                    quote_html,
                    ch.start,
                    ch.end,
                    meta,
                    None,
                    "pq-related",
                )
            )
        head = "相关段落（文件中未找到直接答案）" if cards else "文件中未找到相关内容"
    else:
        head = f"引用来源（{len(cards)}）"
    return f'<div class="pq-cards"><div class="pq-cards-head">{head}</div>{"".join(cards)}</div>'


# ---------------------------------------------------------------- the document viewer


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


def _outline_html(sections: Iterable[Section], current: Section | None) -> str:
    def items(nodes):
        parts = []
        for s in nodes:
            cls = ' class="pq-here"' if current is not None and s.path == current.path[: len(s.path)] else ""
            child = f"<ul>{items(s.children)}</ul>" if s.children else ""
            parts.append(
                f'<li{cls}><a data-target="pq-s-{s.start}" title="{html.escape(s.heading)}">'
                f"{html.escape(s.heading)}</a>{child}</li>"
            )
        return "".join(parts)

    return f'<nav class="pq-outline"><div class="pq-outline-head">目录</div><ul>{items(sections)}</ul></nav>'


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
    for s in _walk(sections):
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
        f"{_meta_line(file, meta)}{where}{note_html}</div>"
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
        f"{_meta_line(meta.file, meta)}<ul>{items(sections)}</ul></div>"
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


# ---------------------------------------------------------------- find every mention

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
                f'{_path_html(m.section_path)}<div class="pq-quote">{sentence}</div></li>'
            )
        parts.append("</ol></details>")
    return f'<div class="pq-mentions">{"".join(parts)}</div>'


# ---------------------------------------------------------------- export


def formal_citation(c: Citation) -> str:
    """《title》（文号），section path：“quote”"""
    number = f"（{c.doc_number}）" if c.doc_number else ""
    section = f"，{c.section}" if c.section_path else ""
    return f"《{c.title}》{number}{section}：“{c.quote}”"


def export_text(answer: Answer) -> str:
    """The answer with formal citations, as plain text."""
    lines = [f"问题：{answer.question}"]
    if answer.rewritten_question:
        lines.append(f"理解为：{answer.rewritten_question}")
    lines += ["", "回答：", answer.text]
    if answer.citations:
        lines += ["", "出处："]
        for c in answer.citations:
            lines.append(f"[{c.n}] {formal_citation(c)}")
            extra = "，".join(p for p in (c.issuer, c.date, f"文件 {c.file}") if p)
            lines.append(f"    （{extra}）")
    return "\n".join(lines) + "\n"


def export_markdown(answer: Answer) -> str:
    """The answer with formal citations, as Markdown."""
    lines = [f"## 问题：{answer.question}", ""]
    if answer.rewritten_question:
        lines += [f"*理解为：{answer.rewritten_question}*", ""]
    lines += ["### 回答", "", answer.text.replace("\n", "  \n"), ""]
    if answer.citations:
        lines += ["### 出处", ""]
        for c in answer.citations:
            number = f"（{c.doc_number}）" if c.doc_number else ""
            lines.append(f"{c.n}. **《{c.title}》**{number}  ")
            if c.section_path:
                lines.append(f"   {c.section}  ")
            extra = "，".join(p for p in (c.issuer, c.date, f"`{c.file}`") if p)
            lines.append(f"   {extra}")
            lines.append("")
            lines.append(f"   > {c.quote}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------- answer modes

MODE_LABELS = {
    "none": "摘录原文",
    "local": "本地大模型",
    "openai": "服务器大模型",
    "fake": "测试模型",
}


def local_model_path(settings: Settings) -> Path | None:
    """The GGUF file the local mode would load, if llama_cpp is importable and the file exists."""
    if importlib.util.find_spec("llama_cpp") is None:
        return None
    from policyqa.llm_setup import default_model_path

    candidates = (
        [Path(settings.llm_model).expanduser()] if settings.llm_model and settings.llm != "openai" else []
    )
    candidates += [default_model_path("1.5b"), default_model_path("0.5b")]
    return next((p for p in candidates if p.is_file()), None)


def available_modes(settings: Settings) -> list[tuple[str, str]]:
    """(label, mode) for each answer mode this installation can run; extractive always."""
    modes = ["none"]
    if local_model_path(settings) is not None:
        modes.append("local")
    if settings.llm_base_url:
        modes.append("openai")
    if settings.llm == "fake":
        modes.append("fake")
    return [(MODE_LABELS[m], m) for m in modes]


def mode_settings(settings: Settings, mode: str) -> Settings:
    """Settings that make `retrieval.llm.make_llm` build the backend of `mode`."""
    if mode == "local" and not (settings.llm == "local" and settings.llm_model):
        path = local_model_path(settings)
        return settings.with_changes(llm="local", llm_model=str(path) if path else "")
    return settings.with_changes(llm=mode)


# ---------------------------------------------------------------- login


def auth_pairs(auth: str) -> list[tuple[str, str]] | None:
    """Logins from `settings.auth`: "user:pass", or the path of a users file with one user:pass per line."""
    from policyqa.errors import SettingsError

    if not auth:
        return None
    path = Path(auth).expanduser()
    if path.is_file():
        pairs = []
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            user, sep, password = line.partition(":")
            if not sep or not user.strip() or not password:
                raise SettingsError(f"{path}:{line_no}: each line of the users file must be user:password")
            pairs.append((user.strip(), password))
        if not pairs:
            raise SettingsError(f"{path}: the users file has no user:password lines; add at least one")
        return pairs
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise SettingsError(
            f"auth must be user:password or the path of an existing users file, got {auth!r} "
            "(set POLICYQA_AUTH or auth in policyqa.toml)"
        )
    return [(user, password)]
