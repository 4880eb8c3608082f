"""The answer with formal citations, as plain text or Markdown, for staff to copy or download."""

from __future__ import annotations

from policyqa.records import Answer, Citation


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
