"""Example questions under the chat box: one per document, made from its own headings."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from policyqa.records import DocumentMeta, Section
from policyqa.web.documents import walk_sections

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
    for section in walk_sections(sections):
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
