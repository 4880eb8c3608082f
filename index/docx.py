"""Read a .docx file: its paragraphs and tables as plain lines, plus its title/author/created fields.

python-docx gives the paragraph text but not Word's automatic list numbers, and Chinese official
documents written with multi-level lists carry their heading markers (一、 （一） 1．) only there;
`_Numbering` recomputes them from numbering.xml as Word would, so the structure parser sees the
headings. Tables become one tab-separated row per line, merged cells listed once.
"""

from __future__ import annotations

import re
from pathlib import Path

from index.cjk import chinese_number
from policyqa.errors import DocumentError


def read_docx(path: Path, data: bytes, rel: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(text, core-property fields) of a .docx; raises DocumentError for .doc, encrypted or damaged files."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DocumentError(
            f"{rel}: this is a password-protected Word file or an old Word 97-2003 (.doc) file; "
            "remove the password or save it as .docx in Word, and index again",
            zh=f"{rel}：这是设了密码的 Word 文件，或旧版 Word 97-2003（.doc）文件；请去掉密码或在 Word 中另存为 .docx 后重新上传。",
        )
    if not data.startswith(b"PK"):
        raise DocumentError(
            f"{rel}: not a valid .docx file (it is not a zip package); open and save it again in Word",
            zh=f"{rel}：不是有效的 .docx 文件，请在 Word 中打开并重新保存后再上传。",
        )
    import docx
    from docx.table import Table

    try:
        doc = docx.Document(str(path))
        numbers = _Numbering(doc)
        lines: list[str] = []
        for block in doc.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_docx_table_rows(block))
            else:
                text = numbers.label(block) + block.text
                lines.extend(part for part in text.split("\n") if part.strip())
        props = doc.core_properties
        fields = []
        for name, value in (("title", props.title), ("author", props.author), ("created", props.created)):
            if value:
                fields.append(
                    (name, value.isoformat() if hasattr(value, "isoformat") else str(value).strip())
                )
    except DocumentError:
        raise
    except Exception as exc:  # python-docx raises many types for damaged packages
        raise DocumentError(
            f"{rel}: cannot read this .docx ({type(exc).__name__}: {exc}); open and save it again in Word",
            zh=f"{rel}：无法读取这个 .docx 文件，请在 Word 中打开并重新保存后再上传。",
        ) from None
    return "\n".join(lines), tuple(fields)


def _docx_table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        texts, last = [], None
        for cell in row.cells:
            if cell._tc is last:  # a horizontally merged cell is listed once per grid column
                continue
            last = cell._tc
            texts.append(
                " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()).replace("\t", " ")
            )
        if any(texts):
            rows.append("\t".join(texts))
    return rows


class _Numbering:
    """Word's automatic list numbers ("一、", "（一）", "1．"), which the paragraph text does not contain.

    Chinese official documents written with multi-level lists carry their heading markers only here,
    so the structure parser would not see the headings without them.
    """

    def __init__(self, doc) -> None:
        from docx.oxml.ns import qn

        self.qn = qn
        self.levels: dict[
            str, dict[int, tuple[int, str, str, str]]
        ] = {}  # numId -> ilvl -> (start, fmt, text, suff)
        self.abstract_of: dict[str, str] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = doc.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {}
        for node in root.findall(qn("w:abstractNum")):
            abstract[node.get(qn("w:abstractNumId"))] = self._read_levels(node)
        for num in root.findall(qn("w:num")):
            num_id = num.get(qn("w:numId"))
            ref = num.find(qn("w:abstractNumId"))
            abs_id = ref.get(qn("w:val")) if ref is not None else None
            if abs_id not in abstract:
                continue
            levels = dict(abstract[abs_id])
            for override in num.findall(qn("w:lvlOverride")):
                ilvl = int(override.get(qn("w:ilvl"), "0"))
                lvl = override.find(qn("w:lvl"))
                if lvl is not None:
                    levels.update(self._read_levels(override))
                start = override.find(qn("w:startOverride"))
                if start is not None and ilvl in levels:
                    levels[ilvl] = (int(start.get(qn("w:val"), "1")),) + levels[ilvl][1:]
            self.levels[num_id] = levels
            self.abstract_of[num_id] = abs_id

    def _read_levels(self, node) -> dict[int, tuple[int, str, str, str]]:
        qn = self.qn
        out = {}
        for lvl in node.findall(qn("w:lvl")):

            def val(tag: str, default: str, lvl=lvl) -> str:
                el = lvl.find(qn(tag))
                return el.get(qn("w:val"), default) if el is not None else default

            fmt = "decimal" if lvl.find(qn("w:isLgl")) is not None else val("w:numFmt", "decimal")
            out[int(lvl.get(qn("w:ilvl"), "0"))] = (
                int(val("w:start", "1")),
                fmt,
                val("w:lvlText", ""),
                val("w:suff", "tab"),
            )
        return out

    def _num_pr(self, paragraph):
        qn = self.qn
        ppr = paragraph._p.pPr
        if ppr is not None and ppr.numPr is not None:
            return ppr.numPr
        style = paragraph.style
        while style is not None:  # a heading style can carry the list numbering
            sppr = style.element.find(qn("w:pPr"))
            if sppr is not None and sppr.find(qn("w:numPr")) is not None:
                return sppr.find(qn("w:numPr"))
            style = style.base_style
        return None

    def label(self, paragraph) -> str:
        qn = self.qn
        try:
            num_pr = self._num_pr(paragraph)
        except (AttributeError, ValueError, KeyError):
            return ""
        if num_pr is None or not paragraph.text.strip():
            return ""
        num_el = num_pr.find(qn("w:numId"))
        ilvl_el = num_pr.find(qn("w:ilvl"))
        num_id = num_el.get(qn("w:val")) if num_el is not None else None
        ilvl = int(ilvl_el.get(qn("w:val"), "0")) if ilvl_el is not None else 0
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        # Lists that share an abstract definition continue one another's numbering, as in Word.
        counters = self.counters.setdefault(self.abstract_of[num_id], {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl][0] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        start, fmt, text, suff = levels[ilvl]
        if fmt in ("bullet", "none") or not text:
            return ""

        def number(match: re.Match) -> str:
            k = int(match.group(1)) - 1
            if k not in levels:
                return ""
            value = counters.get(k, levels[k][0])
            return _format_number(value, levels[k][1])

        label = re.sub(r"%(\d)", number, text)
        if not label or suff == "nothing" or label[-1] in "、．.，）)」】":
            return label
        return label + " " if label[-1].isascii() else label


def _roman(n: int) -> str:
    out = ""
    for value, sym in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out += sym
            n -= value
    return out


def _format_number(n: int, fmt: str) -> str:
    if fmt.startswith("chineseCounting") or fmt in (
        "ideographDigital",
        "japaneseCounting",
        "taiwaneseCounting",
    ):
        return chinese_number(n)
    if fmt in ("ideographTraditional",) and 1 <= n <= 10:
        return "甲乙丙丁戊己庚辛壬癸"[n - 1]
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return str(n).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "lowerLetter" else letter.upper()
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n).lower() if fmt == "lowerRoman" else _roman(n)
    return str(n)
