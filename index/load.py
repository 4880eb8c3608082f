"""Read one corpus file of any supported format into a `RawDocument`.

Every later offset refers to `RawDocument.text`, so this is the one place where bytes become
text: .txt/.md keep their decoded text verbatim (only line endings become `\\n`); .html, .docx
and .pdf are rendered to plain lines (tables as one tab-separated row per line).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

from index.cjk import chinese_number
from policyqa.errors import DocumentError
from policyqa.records import RawDocument

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
DEFAULT_MAX_MB = 50

_FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}
_OCR_HINT = (
    "Install OCR with `apt-get install tesseract-ocr tesseract-ocr-chi-sim poppler-utils` "
    "and index again, or provide a text version."
)


# ---------------------------------------------------------------- corpus listing


def scan_corpus(corpus_root: Path) -> tuple[list[Path], list[Path]]:
    """(supported files, unsupported files) under `corpus_root`, each sorted; hidden files and folders skipped."""
    root = Path(corpus_root)
    if not root.is_dir():
        raise DocumentError(
            f"corpus folder {root} does not exist or is not a folder; create it and put the documents in it"
        )
    supported, skipped = [], []
    for folder, dirs, files in os.walk(root):
        # Hidden folders (.git, .policyqa, ...) are tool state, never documents.
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            # "~$x.docx" is Word's lock file for an open document, not a document.
            if name.startswith((".", "~$")):
                continue
            path = Path(folder) / name
            (supported if path.suffix.lower() in SUPPORTED_SUFFIXES else skipped).append(path)
    key = lambda p: p.relative_to(root).as_posix()  # noqa: E731
    return sorted(supported, key=key), sorted(skipped, key=key)


def list_corpus(corpus_root: Path) -> list[Path]:
    """Supported files under `corpus_root`, sorted by relative path; logs each unsupported file it skips."""
    supported, skipped = scan_corpus(corpus_root)
    for path in skipped:
        log.warning("%s", skip_message(path, corpus_root))
    return supported


def skip_message(path: Path, corpus_root: Path) -> str:
    """The line the CLI prints for an unsupported file."""
    return f"skipped {_relative(Path(path), Path(corpus_root))}: unsupported type, supported: {', '.join(SUPPORTED_SUFFIXES)}"


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        # A file from outside the corpus (e.g. an upload in a temp folder) is known by its name.
        return path.name


# ---------------------------------------------------------------- entry point


def read_document(path: Path, corpus_root: Path, max_mb: float = DEFAULT_MAX_MB) -> RawDocument:
    """Read a .txt/.md/.html/.htm/.docx/.pdf file into a RawDocument; raises DocumentError if it cannot."""
    path = Path(path)
    rel = _relative(path, Path(corpus_root))
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        raise DocumentError(
            f"{rel}: unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED_SUFFIXES)}"
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentError(
            f"{rel}: cannot read the file ({exc.strerror or exc}); check that it exists and is readable"
        ) from None
    if size > max_mb * 1024 * 1024:
        raise DocumentError(
            f"{rel}: file is {size / 1024 / 1024:.1f} MB, over the {max_mb:g} MB limit; "
            "split it into smaller files or raise the limit"
        )
    fmt = _FORMATS[suffix]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(
            f"{rel}: cannot read the file ({exc.strerror or exc}); check that it is readable"
        ) from None

    fields: tuple[tuple[str, str], ...] = ()
    if fmt in ("txt", "md"):
        text, encoding = _decode_text(data, rel)
        text = _normalise_newlines(text)
    elif fmt == "html":
        text, encoding, fields = _read_html(data, rel)
    elif fmt == "docx":
        text, fields = _read_docx(path, data, rel)
        encoding = "binary"
    else:
        text = _read_pdf(path, data, rel)
        encoding = "binary"
    if not text.strip():
        raise DocumentError(
            f"{rel}: no text found in the file; check that it is not empty, or remove it from the corpus"
        )
    return RawDocument(file=rel, text=text, format=fmt, encoding=encoding, fields=fields)


# ---------------------------------------------------------------- plain text


def _normalise_newlines(text: str) -> str:
    # Only line endings change: \r\n, lone \r and the Unicode line/paragraph separators.
    return re.sub(r"\r\n?|[\u2028\u2029\x85]", "\n", text)


# Characters that real text in the encodings we accept is made of; mojibake lands elsewhere.
_PLAUSIBLE = re.compile(
    r"[\t\n\r\x0c\x20-\x7e\u00a0-\u024f\u0370-\u03ff\u0400-\u04ff\u2000-\u2bff"
    r"\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3200-\u33ff\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)


def _looks_clean(text: str) -> bool:
    """True when decoded text has no controls, no private-use characters and little mess."""
    from charset_normalizer.md import mess_ratio

    if not text:
        return True
    odd = len(text) - len(_PLAUSIBLE.findall(text))
    if odd > max(2, len(text) // 200):
        return False
    # mess_ratio catches one encoding read as another (e.g. UTF-8 bytes read as GBK).
    return mess_ratio(text[:50_000], maximum_threshold=0.2) < 0.2


def _decode_text(data: bytes, rel: str, declared: str = "") -> tuple[str, str]:
    """Decode bytes strictly: BOM, then UTF-8, a declared charset, GB18030, charset-normalizer."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", rel), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", rel).lstrip("\ufeff"), "utf-16"
    tried = []
    for encoding in ("utf-8", declared, "gb18030"):
        if not encoding or encoding in tried:
            continue
        tried.append(encoding)
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        # Valid UTF-8 is trusted (other encodings almost never decode as UTF-8); a legacy codec
        # decodes most byte soups, so its result must also read as clean text.
        clean = encoding.replace("_", "-") in ("utf-8", "utf8") or _looks_clean(text)
        if "\x00" not in text and clean:
            return text.lstrip("\ufeff"), encoding

    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        text = str(best)
        if "\x00" not in text and _looks_clean(text):
            return text.lstrip("\ufeff"), best.encoding
    raise DocumentError(
        f"{rel}: cannot tell the text encoding (tried {', '.join(tried)} and automatic detection); "
        "save the file as UTF-8 and index again"
    )


def _strict(data: bytes, encoding: str, rel: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"{rel}: starts with a {encoding} byte-order mark but byte {exc.start} is not valid {encoding}; "
            "save the file again as UTF-8"
        ) from None


# ---------------------------------------------------------------- HTML


def _words(text: str) -> list[str]:
    return text.split()


_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_BLOCK_TAGS = frozenset(
    _words(
        "address article aside blockquote body caption center dd details dialog div dl dt fieldset figcaption "
        "figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p section summary tbody thead tfoot "
        "tr td th ul"
    )
)
_DROP_TAGS = _words(
    "script style noscript template iframe object embed svg canvas button select input textarea "
    "nav aside map area audio video head"
)
# Exact class/id tokens of site chrome on government pages (dqwz = 当前位置).
_CHROME_TOKENS = frozenset(
    _words(
        "nav navbar navigation menu mainmenu topmenu submenu header topbar footer foot breadcrumb "
        "breadcrumbs crumb crumbs position location dqwz share bdsharebuttonbox bdshare sidebar toolbar tools "
        "copyright searchbox search friendlink links"
    )
)
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "complementary"})

# Labels of the metadata list (信息公开目录) that government article pages carry.
_META_LABELS = _words(
    "信息索引号 索引号 发布机构 发布单位 发文机关 发文单位 发文机构 成文日期 发文日期 印发日期 发布日期 "
    "公开日期 发布时间 生效日期 实施日期 失效日期 废止日期 有效性 有效期 文件编号 发文字号 文号 主题分类 "
    "主题词 主题 体裁 组配分类 服务对象 公开时限 公开形式 公开方式 公开范围 公开程序 关键词 内容概述 "
    "信息来源 来源 标题"
)
# Labels that end a metadata value on a shared line but are not kept.
_STOP_LABELS = ["浏览次数", "访问次数", "阅读次数", "点击次数", "点击数", "字号"]
_META_HTML = {
    "articletitle": "ArticleTitle",
    "pubdate": "PubDate",
    "contentsource": "ContentSource",
    "author": "Author",
}


def _label_pattern(labels: list[str]) -> str:
    # Sites pad labels to equal width: "索 引 号", "主　　题".
    spaced = [
        r"[ \u3000\xa0]*".join(map(re.escape, label)) for label in sorted(labels, key=len, reverse=True)
    ]
    return "(" + "|".join(spaced) + ")"


_LABEL = _label_pattern(_META_LABELS + _STOP_LABELS)
_LABEL_ALONE = re.compile(rf"^{_LABEL}\s*[:：]?$")
_LABEL_INLINE = re.compile(rf"{_LABEL}\s*[:：]\s*")

_BOILER_LINE = [
    # A page counter ("浏览次数：128") or font-size switch, not body text that mentions visits.
    re.compile(r"(浏览|访问|阅读|点击)(次数|量|数)\s*[:：]|字号\s*[:：]?\s*[【\[(（]?\s*(默认|大|中|小)"),
    re.compile(r"^(当前位置|您现在的位置|您当前的位置|当前所在位置|所在位置|首页\s*[>＞»])"),
    re.compile(r"^(上一篇|下一篇|上一条|下一条)"),
    re.compile(r"^(显示|隐藏|展开|收起)(全部)?(表格)?(信息|内容)?$"),
    re.compile(
        r"^[\s【】\[\]|｜/·•>»:：-]*((打印(本页|此页|文章|页面|正文)?|关闭(窗口|本页|页面)?|返回(顶部|首页|上一页|列表)?"
        r"|(加入)?收藏(本页)?|分享(到)?|保存(本页)?|我要纠错|纠错|设为首页|TOP|top)[\s【】\[\]|｜/·•:：-]*)+$"
    ),
]
_BOILER_SHORT = re.compile(
    r"分享到|扫一扫|版权所有|ICP备|网站标识码|公网安备|(主办|承办|协办)单位\s*[:：]|技术支持\s*[:：]|网站地图"
    r"|建议使用.{0,12}浏览器|分辨率\s*[:：]?\s*\d"
)


def _read_html(data: bytes, rel: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    from bs4 import BeautifulSoup

    html, encoding = _decode_text(data, rel, declared=_declared_charset(data))
    soup = BeautifulSoup(html, "html.parser")
    fields = _html_meta_fields(soup)
    for tag in soup.find_all(["script", "style", "noscript", "template"]):
        tag.decompose()
    fields += _metadata_list(soup)
    body = soup.body or soup
    _strip_chrome(body)
    lines = [line for line in _HtmlLines().render(body) if not is_page_chrome(line)]
    return "\n".join(lines), encoding, _dedupe(fields)


def _declared_charset(data: bytes) -> str:
    """The charset a page declares in its first bytes, mapped to the codec we decode it with."""
    head = data[:4096].decode("ascii", errors="ignore")
    match = re.search(r"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", head, re.I)
    if not match:
        return ""
    name = match.group(1).lower()
    # GB2312 and GBK pages routinely use characters only GB18030 (their superset) names.
    if name in ("gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"):
        return "gb18030"
    return name


def _html_meta_fields(soup) -> list[tuple[str, str]]:
    fields = []
    if soup.title and soup.title.get_text(strip=True):
        fields.append(("title", _squash(soup.title.get_text())))
    for meta in soup.find_all("meta"):
        name = _META_HTML.get(str(meta.get("name", "")).lower())
        content = _squash(str(meta.get("content", "")))
        if name and content:
            fields.append((name, content))
    return fields


def _metadata_list(soup) -> list[tuple[str, str]]:
    """(label, value) pairs of the page's metadata list, in whichever markup it uses.

    Works on the page's text nodes: a node that is just a known label takes the next node as its
    value (unless that is a label too: an empty value); a node like "发布机构：无锡市城市管理局" or
    "发布时间:2025-02-25 浏览次数:" is split at each known label.
    """
    atoms = [_squash(s) for s in soup.stripped_strings]
    atoms = [a for a in atoms if a]
    fields = []
    i = 0
    while i < len(atoms):
        atom = atoms[i]
        alone = _LABEL_ALONE.match(atom)
        if alone:
            label = _canonical_label(alone.group(1))
            nxt = atoms[i + 1] if i + 1 < len(atoms) else ""
            if nxt and not _LABEL_ALONE.match(nxt) and not _LABEL_INLINE.match(nxt) and len(nxt) <= 200:
                fields.append((label, nxt))
                i += 1
            i += 1
            continue
        if _LABEL_INLINE.match(atom):
            found = list(_LABEL_INLINE.finditer(atom))
            for k, m in enumerate(found):
                end = found[k + 1].start() if k + 1 < len(found) else len(atom)
                value = atom[m.end() : end].strip()
                if value and len(value) <= 200:
                    fields.append((_canonical_label(m.group(1)), value))
        i += 1
    return [(name, value) for name, value in fields if name not in _STOP_LABELS]


def _canonical_label(label: str) -> str:
    return re.sub(r"[ \u3000\xa0]", "", label)


def _dedupe(fields: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    seen, out = set(), []
    for name, value in fields:
        if name not in seen:  # the metadata box comes first; later repeats are body text
            seen.add(name)
            out.append((name, value))
    return tuple(out)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def _strip_chrome(body) -> None:
    """Remove navigation, menus, header/footer bands, share widgets and link lists."""
    from bs4 import Tag

    total = max(1, _text_len(body))

    def inside_article(tag) -> bool:
        return tag.find_parent(["article", "main"]) is not None

    for tag in body.find_all(_DROP_TAGS):
        if not tag.decomposed:
            tag.decompose()
    for tag in list(body.find_all(True)):
        if tag.decomposed or not isinstance(tag, Tag) or tag.attrs is None:
            continue
        tokens = {str(c).lower() for c in tag.get("class") or ()}
        tokens.add(str(tag.get("id") or "").lower())
        chrome = (
            (tag.name in ("header", "footer") and not inside_article(tag))
            or (str(tag.get("role", "")).lower() in _CHROME_ROLES and not inside_article(tag))
            or bool(tokens & _CHROME_TOKENS)
        )
        # Never drop what holds most of the page: some sites wrap everything in <div id="top">.
        if chrome and _text_len(tag) < 0.5 * total:
            tag.decompose()
    for tag in list(body.find_all(["ul", "ol", "dl", "div", "table", "p", "section", "span", "td"])):
        if tag.decomposed or tag.attrs is None:
            continue
        links = tag.find_all("a")
        if len(links) < 3:
            continue
        size = _text_len(tag)
        linked = sum(_text_len(a) for a in links)
        if linked >= 0.7 * size and size < 0.5 * total:
            tag.decompose()


def _text_len(tag) -> int:
    return len(re.sub(r"\s+", "", tag.get_text()))


def is_page_chrome(line: str) -> bool:
    """A web page's navigation or widget line (浏览次数, 字号, 打印, 分享到 …), not document text."""
    if len(line) > 80:
        return False
    if any(p.search(line) for p in _BOILER_LINE):
        return True
    return len(line) <= 60 and bool(_BOILER_SHORT.search(line))


class _HtmlLines:
    """Render an element to lines: blocks break lines, <br> breaks, tables give one tab-separated row per line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.buf: list[str] = []

    def render(self, root) -> list[str]:
        self._walk(root)
        self._flush()
        return self.lines

    def _flush(self) -> None:
        line = _finish_line("".join(self.buf))
        if line:
            self.lines.append(line)
        self.buf = []

    def _walk(self, node) -> None:
        from bs4 import NavigableString, Tag
        from bs4.element import PreformattedString

        for child in node.children:
            if isinstance(child, PreformattedString):  # comments, doctype, CDATA
                continue
            if isinstance(child, NavigableString):
                self.buf.append(_collapse_source_whitespace(str(child)))
            elif isinstance(child, Tag):
                name = child.name.lower()
                if name == "br":
                    self._flush()
                elif name == "pre":
                    self._flush()
                    self.lines.extend(line.rstrip() for line in child.get_text().splitlines() if line.strip())
                elif name == "table":
                    self._flush()
                    self._table(child)
                elif name in _BLOCK_TAGS:
                    self._flush()
                    self._walk(child)
                    self._flush()
                else:
                    self._walk(child)

    def _table(self, table) -> None:
        rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
        cells_per_row = [tr.find_all(["td", "th"], recursive=False) for tr in rows]
        layout = (
            table.find("table") is not None
            or str(table.get("role", "")).lower() == "presentation"
            or all(len(cells) <= 1 for cells in cells_per_row)
            or any(_text_len(cell) > 1000 for cells in cells_per_row for cell in cells)
        )
        if layout:
            # A table used for page layout: its cells are ordinary blocks.
            for cells in cells_per_row:
                for cell in cells:
                    self._walk(cell)
                    self._flush()
            for part in table.find_all(["caption"], recursive=False):
                self._walk(part)
                self._flush()
            return
        caption = table.find("caption")
        if caption is not None:
            self._walk(caption)
            self._flush()
        for cells in cells_per_row:
            texts = [" ".join(_HtmlLines().render(cell)) for cell in cells]
            if any(texts):
                self.lines.append("\t".join(t.replace("\t", " ") for t in texts))


def _collapse_source_whitespace(text: str) -> str:
    # A line break in the HTML source between two Chinese characters is a wrap, not a space
    # (Word's HTML export wraps mid-phrase); other whitespace runs render as one space.
    text = re.sub(rf"(?<=[{_CJK}])[ \t]*[\r\n][ \t\r\n]*(?=[{_CJK}])", "", text)
    return re.sub(r"[ \t\r\n\f]+", " ", text)


def _finish_line(line: str) -> str:
    return re.sub(r" {2,}", " ", line.replace("\xa0", " ")).strip()


# ---------------------------------------------------------------- DOCX


def _read_docx(path: Path, data: bytes, rel: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DocumentError(
            f"{rel}: this is a password-protected Word file or an old Word 97-2003 (.doc) file; "
            "remove the password or save it as .docx in Word, and index again"
        )
    if not data.startswith(b"PK"):
        raise DocumentError(
            f"{rel}: not a valid .docx file (it is not a zip package); open and save it again in Word"
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
            f"{rel}: cannot read this .docx ({type(exc).__name__}: {exc}); open and save it again in Word"
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


# ---------------------------------------------------------------- PDF

_SENTENCE_END = "。！？；：!?;:.…"
_CLOSERS = "”’」』）)】〕》"
_HEADING_START = re.compile(
    r"^[ \u3000]*("
    r"[一二三四五六七八九十百]+[、．.]"
    r"|[（(][一二三四五六七八九十百]+[）)]"
    r"|\d{1,3}[、．.](?!\d)"
    r"|[（(]\d{1,3}[）)]"
    r"|[①-⑳]"
    r"|第[一二三四五六七八九十百零〇\d]+[章节条款部分篇]"
    r"|附件|附表"
    r")"
)
_PAGE_NUMBER = re.compile(
    r"^[ \u3000]*([-—－–─]+[ \u3000]*\d{1,4}[ \u3000]*[-—－–─]+|第[ \u3000]*\d+[ \u3000]*页([ \u3000]*[,，/]?[ \u3000]*共[ \u3000]*\d+[ \u3000]*页)?|\d{1,4}[ \u3000]*/[ \u3000]*\d{1,4})[ \u3000]*$"
)


def _read_pdf(path: Path, data: bytes, rel: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    if b"%PDF" not in data[:1024]:
        raise DocumentError(
            f"{rel}: not a PDF file (no %PDF header); check the file or export it to PDF again"
        )
    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            # Many PDFs are encrypted only against editing and open with an empty password.
            try:
                ok = reader.decrypt("")
            except DependencyError:
                raise DocumentError(
                    f"{rel}: this PDF is AES-encrypted and decrypting it needs the `cryptography` package; "
                    "install it (pip install cryptography) or provide an unencrypted copy"
                ) from None
            if not ok:
                raise DocumentError(
                    f"{rel}: this PDF is protected with a password; provide an unprotected copy"
                )
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except FileNotDecryptedError:
        raise DocumentError(
            f"{rel}: this PDF is protected with a password; provide an unprotected copy"
        ) from None
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
        OSError,
    ) as exc:
        raise DocumentError(
            f"{rel}: cannot read this PDF, it seems damaged ({type(exc).__name__}: {exc}); export it to PDF again"
        ) from None

    pages = [_clean_pdf_page(text) for text in pages]
    # A scanned page has no text layer; at most a stray mark or two gets extracted.
    empty = [i for i, text in enumerate(pages) if len(re.sub(r"\s", "", text)) < 5]
    if empty:
        if _have_ocr():
            for i in empty:
                pages[i] = _clean_pdf_page(_ocr_page(path, i + 1, rel))
        elif len(empty) == len(pages):
            raise DocumentError(f"{rel}: this PDF has no text layer (scanned). {_OCR_HINT}")
        else:
            log.warning(
                "%s: pages %s have no text layer and were skipped. %s",
                rel,
                ", ".join(str(i + 1) for i in empty),
                _OCR_HINT,
            )
    return "\n".join(text for text in pages if text)


def _clean_pdf_page(text: str) -> str:
    lines = [line.rstrip() for line in _normalise_newlines(text).split("\n")]
    lines = [line for line in lines if line.strip() and not _PAGE_NUMBER.match(line)]
    return "\n".join(_join_wrapped(lines))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _join_wrapped(lines: list[str]) -> list[str]:
    """Undo the hard wraps inside paragraphs, conservatively.

    A line is joined to the next only when it runs (nearly) to the right margin, which is measured
    as the widest line on the page (at least three lines must reach it), does not end a sentence, and the next line does not start
    with a heading marker (一、 （一） 1． 第一条 ...). Short lines (titles, 落款, table cells) stay.
    """
    if len(lines) < 2:
        return lines
    widths = [_width(line.strip()) for line in lines]
    full = max(widths)
    # Only a page where several lines reach the same right edge shows where the margin is;
    # otherwise the widest line may be a title, and nothing is joined.
    if full < 20 or sum(w >= 0.9 * full for w in widths) < 3:
        return lines
    out = [lines[0]]
    for prev, line in zip(lines, lines[1:], strict=False):
        # `prev` is the previous physical line, so a joined paragraph keeps being tested line by line.
        core = prev.rstrip().rstrip(_CLOSERS)
        wrapped = (
            _width(prev.strip()) >= 0.9 * full
            and core
            and core[-1] not in _SENTENCE_END
            and not _HEADING_START.match(line)
            and "\t" not in prev
        )
        if wrapped:
            joiner = " " if core[-1].isascii() and core[-1].isalnum() and line.lstrip()[:1].isascii() else ""
            out[-1] = out[-1].rstrip() + joiner + line.lstrip()
        else:
            out.append(line)
    return out


def _have_ocr() -> bool:
    if not shutil.which("tesseract") or not shutil.which("pdftoppm"):
        return False
    try:
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return "chi_sim" in (langs.stdout + langs.stderr).split()


def _ocr_page(path: Path, page: int, rel: str) -> str:
    """OCR one page: pdftoppm renders it at 300 dpi, tesseract reads it as Simplified Chinese."""
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "page"
        try:
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    "300",
                    "-gray",
                    "-png",
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    "-singlefile",
                    str(path),
                    str(prefix),
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
            result = subprocess.run(
                [
                    "tesseract",
                    str(prefix) + ".png",
                    "stdout",
                    "-l",
                    "chi_sim",
                ],
                check=True,
                capture_output=True,
                text=True,
                timeout=600,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise DocumentError(
                f"{rel}: OCR of page {page} failed ({exc}); check the tesseract install or provide a text version"
            ) from None
    return tidy_ocr(result.stdout)


# OCR reads the enumeration comma of a heading ("二、") as a colon, a point or stray marks
# ("二:<", "二 ."), which would hide the heading from the structure parser.
_OCR_HEADING_MARK = re.compile(
    rf"^([一二三四五六七八九十]{{1,3}})[ :：<>.,，·;；_\-]{{1,3}}(?=[{_CJK}])", re.M
)


def tidy_ocr(text: str) -> str:
    """Undo tesseract's habits on Chinese text: spaces between characters, misread heading commas."""
    text = re.sub(rf"(?<=[{_CJK}]) +(?=[{_CJK}：；，。、）])", "", text)
    return _OCR_HEADING_MARK.sub(r"\1、", text)
