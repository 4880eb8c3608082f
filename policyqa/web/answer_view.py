"""The answer as the chat shows it (Markdown with [n] markers) and its source cards (HTML).

All document text that goes into HTML passes through `html.escape`; document text that goes into
the chat's Markdown is escaped as Markdown too (`_md_escape`), so a `[官网](http://…)` or a bare URL
quoted from a document never becomes a live link.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from policyqa.records import Answer, DocumentMeta, Section
from policyqa.web.cards import Card, merge_cards
from policyqa.web.documents import meta_line, path_html

_MARKER = re.compile(r"\[(\d+)\]")


# Markdown syntax in document text: emphasis, code, links and images, LaTeX, and what GFM turns
# into links by itself (a URL's scheme, www., an e-mail's @). `<` and `&` are HTML-escaped first.
_MD_SPECIAL = re.compile(r"[\\`*_~\[\]()!$@]|:(?=//)|(?<=[Ww]{3})\.")


def _md_escape(text: str) -> str:
    """Document text as literal Markdown: no HTML, emphasis, links or autolinks; line breaks stay."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), html.escape(text, quote=False))


def _ref(n: str, turn_id: str) -> str:
    """A known [n] marker: a superscript link that shows and opens its source card (static/chat.js)."""
    if not turn_id:
        return f"<sup>[{n}]</sup>"
    # The chat's HTML sanitizer drops data- attributes: the turn and number ride in class names.
    return (
        f'<sup><a class="pq-ref pq-ref-t{html.escape(turn_id)} pq-ref-n{n}" role="button"'
        f' tabindex="0" title="查看出处 [{n}]">[{n}]</a></sup>'
    )


def _answer_body(text: str, known: set[int], turn_id: str = "") -> str:
    """The answer text escaped, with its known [n] markers as links and its own "- " bullets."""
    lines = []
    for line in text.split("\n"):
        bullet = "- " if line.startswith("- ") else ""
        pieces = _MARKER.split(line[len(bullet) :])
        out = []
        for i, piece in enumerate(pieces):
            if i % 2 == 0:
                out.append(_md_escape(piece))
            else:
                out.append(_ref(piece, turn_id) if int(piece) in known else _md_escape(f"[{piece}]"))
        lines.append(bullet + "".join(out))
    return "\n".join(lines)


def answer_markdown(answer: Answer, related: int = 3, turn_id: str = "") -> str:
    """The chat message: rewritten question, answer with [n] markers, notes, related passages on refusal.

    With `turn_id` the [n] markers are links to that turn's source cards."""
    lines = []
    if answer.rewritten_question:
        lines.append(f"*理解为：{_md_escape(answer.rewritten_question)}*")
        lines.append("")
    lines.append(_answer_body(answer.text, {c.n for c in answer.citations}, turn_id))
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


def _clip(before: str, after: str, context: int = 120) -> tuple[str, str]:
    """The text before and after the quotes, clipped to `context` chars each side."""
    if len(before) > context:
        before = "…" + before[-context:]
    if len(after) > context:
        after = after[:context] + "…"
    return before, after


def _quote_html(text: str, card: Card) -> str:
    """The card's paragraph, escaped, with each quoted span marked."""
    if card.para is None or not card.marks:
        return f"<mark>{html.escape(card.citation.quote)}</mark>"
    para_start, para_end = card.para
    first, last = card.marks[0][0], max(e for _, e in card.marks)
    before, after = _clip(text[para_start:first], text[last:para_end])
    out, at = [html.escape(before)], first
    for start, end in card.marks:
        start = max(start, at)
        out.append(html.escape(text[at:start]))
        if end > start:
            out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        at = max(at, end)
    out.append(html.escape(after))
    return "".join(out)


def _card(
    numbers, file: str, title: str, path, quote_html: str, start: int, end: int, meta, citation, cls, spans=()
):
    nums = "".join(f'<span class="pq-num">{html.escape(str(n))}</span>' for n in numbers)
    # Which span each number quotes: an [n] link opens the viewer at its own quote.
    ns = " ".join(f"{n}:{s}-{e}" for n, s, e in spans) or " ".join(str(n) for n in numbers)
    return (
        f'<div class="pq-card {cls}" role="button" tabindex="0" title="点击在右侧查看原文"'
        f' data-file="{html.escape(file)}" data-start="{start}" data-end="{end}" data-ns="{ns}">'
        f'<div class="pq-card-head">{nums}'
        f'<span class="pq-title">《{html.escape(title)}》</span></div>'
        f"{meta_line(file, meta, citation)}{path_html(path)}"
        f'<div class="pq-quote">{quote_html}</div></div>'
    )


def _cards(answer: Answer, text_of, documents, sections_of, related: int) -> tuple[str, list[str]]:
    cards = []
    for card in merge_cards(answer.citations, text_of, sections_of):
        c = card.citation
        quote_html = _quote_html(text_of(c.file) or "", card)
        meta = documents.get(c.file)
        card_args = (card.numbers, c.file, c.title, c.section_path)
        cards.append(_card(*card_args, quote_html, card.start, card.end, meta, c, "", card.spans))
    if answer.refused:
        for hit in answer.hits[:related]:
            ch = hit.chunk
            snippet = ch.text[:160] + ("…" if len(ch.text) > 160 else "")
            meta = documents.get(ch.file)
            args = (ch.file, ch.title, ch.section_path, html.escape(snippet), ch.start, ch.end, meta, None)
            cards.append(_card(("参",), *args, "pq-related"))
        head = "相关段落（文件中未找到直接答案）" if cards else "文件中未找到相关内容"
    else:
        head = f"引用来源（{len(cards)}）"
    return head, cards


def source_cards_html(
    answer: Answer | None,
    text_of: Callable[[str], str | None],
    documents: Mapping[str, DocumentMeta] | None = None,
    related: int = 3,
    sections_of: Callable[[str], Iterable[Section]] = lambda f: (),
) -> str:
    """Source cards: title, file, 文号, issuer/date, section path, the quote marked inside its paragraph.

    `text_of(file)` gives a document's full text (None when it cannot be read), `sections_of(file)`
    its heading tree (for merging bare-heading citations, `cards.merge_cards`). A refusal shows
    its closest passages as 相关段落 cards instead.
    """
    if answer is None:
        return EMPTY_CARDS
    head, cards = _cards(answer, text_of, documents or {}, sections_of, related)
    return f'<div class="pq-cards"><div class="pq-cards-head">{head}</div>{"".join(cards)}</div>'


EMPTY_CARDS = '<div class="pq-empty">提问后，答案引用的原文出处会显示在这里。点击出处卡片或回答中的 [n] 可查看原文。</div>'


def conversation_cards_html(
    turns: Sequence[tuple[str, Answer, str]],
    text_of: Callable[[str], str | None],
    documents: Mapping[str, DocumentMeta] | None = None,
    sections_of: Callable[[str], Iterable[Section]] = lambda f: (),
) -> str:
    """The cards of every (turn id, answer, text to copy) in a conversation, one section per turn;
    the last one is shown (`pq-shown`), and a click on an earlier answer's [n] shows its own."""
    if not turns:
        return EMPTY_CARDS
    sections = []
    for i, (turn_id, answer, copy) in enumerate(turns):
        head, cards = _cards(answer, text_of, documents or {}, sections_of, 3)
        shown = " pq-shown" if i == len(turns) - 1 else ""
        question = answer.question if len(answer.question) <= 40 else answer.question[:39] + "…"
        sections.append(
            f'<section class="pq-turn{shown}" data-turn="{html.escape(turn_id)}">'
            f'<div class="pq-cards-head"><span>{head}</span>'
            f'<button class="pq-copy" type="button" title="复制回答和编号出处，可直接粘贴到报告中"'
            f' data-copy="{html.escape(copy)}">复制回答及出处</button></div>'
            f'<div class="pq-turn-q">问：{html.escape(question)}</div>{"".join(cards)}</section>'
        )
    return f'<div class="pq-cards">{"".join(sections)}</div>'
