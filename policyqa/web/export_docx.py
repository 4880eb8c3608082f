"""A whole conversation as a Word (.docx) file: each question, its answer and its formal citations."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from policyqa.web.conversations import Conversation
from policyqa.web.export import formal_citation


def conversation_docx(conv: Conversation, path: Path) -> Path:
    """Write `conv` to `path` (atomically) as .docx and return the path."""
    import docx  # python-docx: only this export needs it
    from docx.shared import Pt

    doc = docx.Document()
    doc.add_heading(conv.label, level=1)
    doc.add_paragraph(conv.created.replace("T", " ")[:16])
    for i, turn in enumerate(conv.turns, 1):
        a = turn.answer
        doc.add_heading(f"问题 {i}：{a.question}", level=2)
        if a.rewritten_question:
            doc.add_paragraph(f"理解为：{a.rewritten_question}").italic = True
        for line in a.text.split("\n"):
            if line.strip():
                doc.add_paragraph(line)
        if a.citations:
            doc.add_heading("出处", level=3)
            for c in a.citations:
                p = doc.add_paragraph(f"[{c.n}] {formal_citation(c)}")
                extra = "，".join(x for x in (c.issuer, c.date, f"文件 {c.file}") if x)
                note = p.add_run(f"（{extra}）")
                note.font.size = Pt(9)
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        doc.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
