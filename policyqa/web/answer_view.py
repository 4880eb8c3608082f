"""The answer as the chat shows it (Markdown with [n] markers) and its source cards (HTML).

All document text that goes into HTML passes through `html.escape`; document text that goes into
the chat's Markdown is escaped as Markdown too (`_md_escape`), so a `[官网](http://…)` or a bare URL
quoted from a document never becomes a live link.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping

from policyqa.records import Answer, DocumentMeta
from policyqa.web.documents import meta_line, path_html

_MARKER = re.compile(r"\[(\d+)\]")


# Markdown syntax in document text: emphasis, code, links and images, LaTeX, and what GFM turns
# into links by itself (a URL's scheme, www., an e-mail's @). `<` and `&` are HTML-escaped first.
_MD_SPECIAL = re.compile(r"[\\`*_~\[\]()!$@]|:(?=//)|(?<=[Ww]{3})\.")


def _md_escape(text: str) -> str:
    """Document text as literal Markdown: no HTML, emphasis, links or autolinks; line breaks stay."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), html.escape(text, quote=False))


def _answer_body(text: str, known: set[int]) -> str:
    """The answer text escaped, with its known [n] markers as superscripts and its own "- " bullets."""
    lines = []
    for line in text.split("\n"):
        bullet = "- " if line.startswith("- ") else ""
        pieces = _MARKER.split(line[len(bullet) :])
        out = []
        for i, piece in enumerate(pieces):
            if i % 2 == 0:
                out.append(_md_escape(piece))
            else:
                out.append(f"<sup>[{piece}]</sup>" if int(piece) in known else _md_escape(f"[{piece}]"))
        lines.append(bullet + "".join(out))
    return "\n".join(lines)


def answer_markdown(answer: Answer, related: int = 3) -> str:
    """The chat message: rewritten question, answer with [n] markers, notes, related passages on refusal."""
    lines = []
    if answer.rewritten_question:
        lines.append(f"*理解为：{_md_escape(answer.rewritten_question)}*")
        lines.append("")
    lines.append(_answer_body(answer.text, {c.n for c in answer.citations}))
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


def _card(
    n_label: str, file: str, title: str, path, quote_html: str, start: int, end: int, meta, citation, cls
):
    return (
        f'<div class="pq-card {cls}" role="button" tabindex="0" title="点击在右侧查看原文"'
        f' data-file="{html.escape(file)}" data-start="{start}" data-end="{end}">'
        f'<div class="pq-card-head"><span class="pq-num">{n_label}</span>'
        f'<span class="pq-title">《{html.escape(title)}》</span></div>'
        f"{meta_line(file, meta, citation)}{path_html(path)}"
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
