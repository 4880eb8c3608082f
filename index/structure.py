"""The heading tree of a Chinese official document, with offsets, and the entry point `parse`.

`parse(raw)` reads the layout that 党政机关公文 share, not any one file's words:

* front matter, before the first body heading: the 文件头 line (`…文件`) with the 文号, or a web
  page's title with its 信息索引号/发布机构 list (header); a forwarding/issuing notice (its title,
  主送 line, body, 落款 issuer and date, `（此件公开发布）`); the document's own title with what
  stands under it (date or author line, preamble);
* the body: headings `第一章`/`第一节`/`第一条`, `一、`, `（一）`, `1．`, `（1）`, `①`, each nested
  below the kinds ranked above it, and run-in ordinals `一是…。二是…。` found inside a section's
  own text; a heading on a line with body text (`（一）加强组织领导。市城管局要…`) ends at the first
  sentence end, and never runs past ~40 characters;
* articles of a regulation (`第十五条　违反…`): the heading is the article number, the text its body,
  and the numbered items inside an article (`（一）…`) stay in it (an article is a leaf);
* Markdown headings (`#`…`######`), ranked by level above every numbered kind; `问：…` lines
  answered by `答：…` lines (a Q&A heading); tab-separated rows (a table pasted from Word, or an
  HTML/Word table as the loader renders it) as a `table` section of the section it stands in;
* 附件 (attachments), whose title may head a table flattened one cell per line;
* the 版记 footer (抄送/主送/印发 lines, `…印发` date line).

Every heading is kept verbatim (a title split over lines is joined without the line breaks).
Offsets are character offsets into `raw.text`; line ends may be `\\n` or `\\r\\n`, blank lines
and leading spaces do not matter, and full-width or half-width punctuation give the same tree.
The lines and their markers are read in `index.lines`, tables in `index.tables`, the metadata
(title, 文号, issuer, dates, places, kind) in `index.metadata`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.dates import date_of, is_date_line
from index.lines import (
    ARTICLE_RANK,
    ATTACH_LABEL,
    ATTACH_NOTE,
    BOX,
    BOX_ITEM,
    FOOTER,
    PRINTED,
    PUNCTUATION,
    SENTENCE_END,
    WHITESPACE,
    Line,
    box_item_heading,
    heading_match,
    heading_text,
    is_parenthetical,
    is_question,
    line_heading,
    runin_heading,
    runin_ordinals,
    split_lines,
    starts_back_matter,
    strip_parens,
)
from index.metadata import (
    document_meta,
    is_file_head,
    is_meta_line,
    markdown_title,
    signature_issuer,
    title_group,
    web_fields,
)
from index.tables import flattened_table_end, header_row_name, is_table_title, pasted_table_end
from policyqa.errors import DocumentError
from policyqa.records import Document, RawDocument, Section

_RUNIN_RANK = 18  # 一是/二是: below whatever section they stand in
_QA_RANK = 19  # a `问：` line answered by `答：` lines: below whatever section it stands in
_TABLE_RANK = 50  # a table under a title line sits in whatever section it stands in
# A box (`专栏2　环卫设施补短板工程`) inside a section of a plan, with its numbered items
# (`01　…：`, `1．…`): below whatever section it stands in, and it holds its items.
_BOX_RANK = 45


# ---------------------------------------------------------------------------------------------
# tree nodes while parsing (frozen into Section at the end)


@dataclass
class _Node:
    heading: str
    kind: str
    rank: int
    start: int
    body_start: int
    end: int
    children: list[_Node] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)  # front matter lines, kept for metadata
    leaf: bool = False  # an article: the numbered items in it are its text, not sections


# ---------------------------------------------------------------------------------------------
# the parser


class _Parser:
    def __init__(self, raw: RawDocument):
        self.raw = raw
        self.text = raw.text
        self.lines = split_lines(raw.text)
        self.roots: list[_Node] = []
        self.stack: list[_Node] = []
        self.header: _Node | None = None
        self.notice: _Node | None = None
        self.preamble: _Node | None = None
        self.footer: _Node | None = None
        self.notice_issuer = ""
        self.notice_date = ""
        self.body_dates: list[str] = []
        self.md_title = markdown_title(self.lines)

    def _starts_body(self, i: int) -> bool:
        """Line i is a body heading: a numbered one, a Markdown one (not the title), a question."""
        line = self.lines[i]
        return bool(
            heading_match(line.text) or (line.md and i != self.md_title) or is_question(self.lines, i)
        )

    # -- building helpers
    def _open_root(self, node: _Node) -> _Node:
        self.roots.append(node)
        self.stack = [node]
        return node

    def _push(self, node: _Node) -> None:
        while self.stack and self.stack[-1].rank >= node.rank:
            self.stack.pop()
        (self.stack[-1].children if self.stack else self.roots).append(node)
        self.stack.append(node)

    def _absorb(self, line: Line) -> None:
        if not self.stack:  # text before any title: it still needs a section
            head, _ = heading_text(line.text[:40], 0)
            self._open_root(_Node(head, "preamble", 0, line.start, line.start, line.end))
            self.preamble = self.preamble or self.stack[-1]
        node = self.stack[-1]
        node.end = max(node.end, line.end)
        node.lines.append(line)

    # -- front matter
    def front(self) -> int:
        """Parse the lines before the first body heading; returns the index of that heading."""
        lines, i = self.lines, 0
        notice_open = False  # inside a notice, until its 落款 date
        while i < len(lines):
            line = lines[i]
            s = line.text
            # The front matter ends at the first body heading or 版记 line; a 附件 label or 附件说明
            # here belongs to the issuing notice (its attachment is the document that follows).
            in_preamble = self.stack and self.stack[0] is self.preamble
            if in_preamble and pasted_table_end(lines, i) > i:  # a table under the title, before any heading
                i = self._tab_table(None, i)
                continue
            if self._starts_body(i) or PRINTED.search(s) or (FOOTER.match(s) and not s.startswith("主")):
                return i
            if notice_open:
                self._absorb(line)
                if is_date_line(s):
                    notice_open = False
                    self.notice_date = self.notice_date or date_of(s)
                    self.notice_issuer = signature_issuer(self.lines, i)
                    # `（此件公开发布）` and the like close the notice.
                    if (
                        i + 1 < len(lines)
                        and is_parenthetical(lines[i + 1].text)
                        and "此件" in lines[i + 1].text
                    ):
                        i += 1
                        self._absorb(lines[i])
                i += 1
                continue
            if is_file_head(s) and self.header is None:
                self.header = self._open_root(_Node(s, "header", 0, line.start, line.end, line.end))
                i += 1
                continue
            # Under the document's own title everything up to the first heading is its preamble.
            group = None if in_preamble else title_group(lines, i)
            if i == self.md_title:  # `# 标题`: that line, whatever its words
                group = (i, i + 1)
            if group is not None:
                a, b = group
                for k in range(i, a):  # page furniture before the title
                    self._absorb(lines[k])
                first, last = lines[a], lines[b - 1]
                title = "".join(x.text for x in lines[a:b])
                node = _Node(title, "preamble", 0, first.start, last.end, last.end)
                node.lines.extend(lines[a:b])
                nxt = lines[b].text if b < len(lines) else ""
                if is_meta_line(nxt) and self.header is None:
                    node.kind = "header"  # a web page's title over its information list
                    self.header = node
                elif re.search(r"(?:通知|通告|通报|函|批复)$", strip_parens(title)) and self.notice is None:
                    node.kind = "notice"
                    self.notice = node
                    notice_open = True
                else:
                    self.preamble = self.preamble or node
                self._open_root(node)
                i = b
                continue
            self._absorb(line)
            i += 1
        return i

    # -- body, attachments, footer
    def body(self, i: int) -> None:
        lines = self.lines
        self.stack = []
        mode = "body"
        while i < len(lines):
            line = lines[i]
            s = line.text
            if mode != "footer" and (FOOTER.match(s) or PRINTED.search(s)):
                self.footer = self._open_root(_Node("版记", "footer", 0, line.start, line.start, line.end))
                self._absorb(line)
                mode = "footer"
                i += 1
                continue
            label = ATTACH_LABEL.match(s)
            if label:
                current = self.stack[0] if self.stack else None
                heading = "附" + label.group(1) + label.group(2)
                if not (
                    current
                    and current.kind == "attachment"
                    and not current.children
                    and current.heading == heading
                ):
                    self._open_root(_Node(heading, "attachment", 0, line.start, line.end, line.end))
                else:
                    current.end = line.end
                    self.stack = [current]
                i = self._attachment(i + 1)
                mode = "body"
                continue
            if mode == "body" and ATTACH_NOTE.match(s):
                # 附件说明 (`附件：…表`): opens the 附件 section; numbered names under it are not headings.
                note = ATTACH_NOTE.match(s)
                heading = "附" + note.group(1) + note.group(2)
                self._open_root(_Node(heading, "attachment", 0, line.start, line.start, line.end))
                self._absorb(line)
                mode = "note"
                i += 1
                continue
            if mode == "note" and (not heading_match(s) or (len(s) <= 60 and not PUNCTUATION.search(s))):
                # `2．…清单` names more attachments; a 落款 may follow the 附件说明
                if is_date_line(s):
                    self.body_dates.append(date_of(s))
                self._absorb(line)
                i += 1
                continue
            if mode == "footer":
                self._absorb(line)
                i += 1
                continue
            mode = "body"
            if pasted_table_end(lines, i) > i:
                i = self._tab_table(None, i)
                continue
            if is_table_title(s) and not heading_match(s):
                after = self._table(i)
                if after > i:
                    i = after
                    continue
            if self._box_line(line):
                i += 1
                continue
            self._line(i)
            i += 1

    def _box_line(self, line: Line) -> bool:
        """A box's title line, or an item line inside an open box: pushed as its section."""
        s = line.text
        if BOX.match(s) and len(s) <= 40 and not SENTENCE_END.search(s) and not line.md:
            self._push(_Node(s.rstrip(WHITESPACE), "body", _BOX_RANK, line.start, line.end, line.end))
            return True
        in_box = any(node.rank == _BOX_RANK for node in self.stack)
        if in_box and BOX_ITEM.match(s) and not line.md:
            heading, body = box_item_heading(s)
            self._push(_Node(heading, "body", _BOX_RANK + 1, line.start, line.start + body, line.end))
            return True
        return False

    def _tab_table(self, title: Line | None, i: int) -> int:
        """The tab-separated table from line i (under its title line, if any) as a `table`
        section of the open section; returns the line after it."""
        end = pasted_table_end(self.lines, i)
        first, last = self.lines[i], self.lines[end - 1]
        if title is None:  # no title line: the header row names the table
            node = _Node(header_row_name(first), "table", _TABLE_RANK, first.start, first.start, last.end)
        else:
            node = _Node(title.text, "table", _TABLE_RANK, title.start, title.end, last.end)
        self._push(node)
        self.stack.pop()  # what follows the table belongs to the section around it
        return end

    def _table(self, i: int) -> int:
        """A table under the title line i, as a `table` section of the open section; next line."""
        lines = self.lines
        if pasted_table_end(lines, i + 1) > i + 1:
            return self._tab_table(lines[i], i + 1)
        stop = i + 1
        while stop < len(lines) and not (
            starts_back_matter(lines[stop].text) or heading_match(lines[stop].text)
        ):
            stop += 1
        last = flattened_table_end(lines, i + 1, stop)
        if last is None:
            return i
        title = lines[i]
        self._push(_Node(title.text, "table", _TABLE_RANK, title.start, title.end, last))
        self.stack.pop()  # what follows the table belongs to the section around it
        k = i + 1
        while k < len(lines) and lines[k].end <= last:
            k += 1
        return k

    def _line(self, i: int) -> None:
        line = self.lines[i]
        s = line.text
        match = heading_match(s)
        question = is_question(self.lines, i)
        rank, marker_end = match or (_QA_RANK if question else 0, 0)
        if line.md:
            rank = line.md  # Markdown levels rank above every numbered kind
        top = self.stack[-1] if self.stack else None
        # inside an article, its numbered items (`（一）…`) are its text
        inside_article = top is not None and top.leaf and rank > top.rank and not line.md
        if not rank or inside_article:
            if is_date_line(s):
                self.body_dates.append(date_of(s))
            self._absorb(line)
            return
        if self.stack and self.stack[0].kind in ("header", "notice", "preamble", "footer"):
            self.stack = []  # front matter ends at the first body heading
        article = bool(match) and match[0] == ARTICLE_RANK
        heading, body = line_heading(line, match, question)
        node = _Node(heading, "body", rank, line.start, line.start + body, line.end, leaf=article)
        self._push(node)

    def _attachment(self, i: int) -> int:
        """After an attachment label: its title, then a table or structured text. Returns next line."""
        lines = self.lines
        if i >= len(lines) or starts_back_matter(lines[i].text) or heading_match(lines[i].text):
            return i
        line = lines[i]
        attach = self.stack[0]
        title = _Node(line.text, "attachment", 1, line.start, line.end, line.end)
        attach.children.append(title)
        self.stack = [attach, title]
        i += 1
        end = i
        while end < len(lines) and not starts_back_matter(lines[end].text):
            end += 1
        last = flattened_table_end(lines, i, end)
        if last is not None:
            title.kind = "table"
            while i < end and lines[i].end <= last:
                title.end = max(title.end, lines[i].end)
                i += 1
        return i

    # -- run-in ordinals (一是…。二是…。) inside each section's own text
    def runins(self, node: _Node) -> None:
        for child in node.children:
            self.runins(child)
        if node.kind in ("header", "notice", "preamble", "footer", "table") or node.leaf:
            return
        region_end = node.children[0].start if node.children else node.end
        found = runin_ordinals(self.text, node.body_start, region_end)
        if len(found) < 2:
            return
        kids = []
        for k, p in enumerate(found):
            stop = found[k + 1] if k + 1 < len(found) else region_end
            heading, body, seg_end = runin_heading(self.text, p, stop)
            kids.append(_Node(heading, "body", _RUNIN_RANK, p, body, seg_end))
        node.children[:0] = kids
        node.end = max(node.end, kids[-1].end)


def _freeze(node: _Node, parent_path: tuple[str, ...], level: int) -> Section:
    path = (*parent_path, node.heading)
    children = tuple(_freeze(c, path, level + 1) for c in node.children)
    end = max([node.end, *(c.end for c in children)])
    return Section(
        heading=node.heading,
        level=level,
        path=path,
        start=node.start,
        end=end,
        body_start=min(node.body_start, end),
        kind=node.kind,
        children=children,
    )


# ---------------------------------------------------------------------------------------------
# entry points


def parse(raw: RawDocument, sha256: str = "") -> Document:
    """Heading tree (with offsets into `raw.text`) and metadata of one official document."""
    if not raw.text.strip(WHITESPACE):
        raise DocumentError(
            f"{raw.file}: the file has no text; check that it is not empty or a scanned image.",
            zh=f"{raw.file}：文件中没有文字，请确认它不是空文件或扫描图片。",
        )
    p = _Parser(raw)
    first_heading = p.front()
    p.body(first_heading)
    for node in p.roots:
        p.runins(node)
    sections = tuple(_freeze(node, (), 1) for node in p.roots)
    fields = dict(raw.fields)
    if p.header is not None:
        for key, value in web_fields(p.header.lines).items():
            fields.setdefault(key, value)
    return Document(meta=document_meta(p, fields, sha256), text=raw.text, sections=sections)


def format_outline(doc: Document) -> str:
    """Metadata lines, then the indented heading tree with `[start-end]` offsets and kinds."""
    m = doc.meta
    out = [
        f"file:       {m.file}",
        f"title:      {m.title}",
        f"issuer:     {m.issuer}",
        f"doc_number: {m.doc_number}",
        f"dates:      {', '.join(f'{k} {v}' for k, v in m.dates)}",
        f"city:       {m.city}" + (f"  district: {m.district}" if m.district else ""),
        f"years:      {', '.join(str(y) for y in m.years)}",
        f"kind:       {m.kind}",
        f"format:     {m.format}" + (f"  sha256: {m.sha256[:12]}" if m.sha256 else ""),
        "sections:",
    ]
    for s in doc.walk():
        out.append(f"{'  ' * s.level}[{s.start}-{s.end}] {s.kind:<10} {s.heading}")
    return "\n".join(out)
