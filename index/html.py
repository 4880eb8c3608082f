"""Read an .html/.htm page: its article text as plain lines, plus its metadata fields.

Saved government pages carry far more than the document: menus, breadcrumbs, share widgets, link
lists and footers. So the page is decoded (its declared charset among the encodings tried), its
metadata list (索引号, 发布机构, 成文日期 …) and <meta> tags become fields, chrome is removed by markup
(class/id tokens, ARIA roles, link-dense blocks) and then by wording (`index.chrome`), and what
remains is rendered block by block (tables as one tab-separated row per line), so later stages see
the lines a reader sees.
"""

from __future__ import annotations

import re

from index.chrome import is_page_chrome
from index.cjk import CJK_CHARS
from index.decode import decode_text


def _words(text: str) -> list[str]:
    return text.split()


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


def read_html(data: bytes, rel: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """(article text, encoding, metadata fields) of a page; raises DocumentError if it cannot be decoded."""
    from bs4 import BeautifulSoup

    html, encoding = decode_text(data, rel, declared=_declared_charset(data))
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
    text = re.sub(rf"(?<=[{CJK_CHARS}])[ \t]*[\r\n][ \t\r\n]*(?=[{CJK_CHARS}])", "", text)
    return re.sub(r"[ \t\r\n\f]+", " ", text)


def _finish_line(line: str) -> str:
    return re.sub(r" {2,}", " ", line.replace("\xa0", " ")).strip()
