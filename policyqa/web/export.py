"""Answers and whole conversations with formal citations (title, 文号, section path, quoted passage),
as plain text or Markdown, for staff to copy or download (`export_docx` writes Word files)."""

from __future__ import annotations

from policyqa.records import Answer, Citation
from policyqa.web.conversations import Conversation


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


def copy_text(answer: Answer) -> str:
    """What the copy button copies: the answer, then its numbered references (title, 文号, section,
    quote), the way staff paste them into reports."""
    lines = [answer.text.strip()]
    if answer.citations:
        lines += ["", "参考出处："]
        lines += [f"[{c.n}] {formal_citation(c)}" for c in answer.citations]
    return "\n".join(lines) + "\n"


def _when(created: str) -> str:
    return created.replace("T", " ")[:16]


def conversation_text(conv: Conversation) -> str:
    """A whole conversation as plain text: every question and answer with its formal citations."""
    out = [f"对话：{conv.label}", f"时间：{_when(conv.created)}", ""]
    for i, turn in enumerate(conv.turns, 1):
        out += [f"—— 第 {i} 问 ——", export_text(turn.answer)]
    return "\n".join(out).rstrip() + "\n"


def conversation_markdown(conv: Conversation) -> str:
    """A whole conversation as Markdown: one section per question, each with its 出处 list."""
    out = [f"# {conv.label}", "", f"*{_when(conv.created)}*", ""]
    for turn in conv.turns:
        # Each answer's headings one level down under the conversation's title.
        out += [
            "#" + line if line.startswith("#") else line for line in export_markdown(turn.answer).splitlines()
        ]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
