"""index/load.py and the modules it reads each format with (decode, html, docx, pdf, chrome): every
supported format into a RawDocument; fixtures are generated in tmp_path."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from index import pdf
from index.load import SUPPORTED_SUFFIXES, list_corpus, read_document, scan_corpus, skip_message
from policyqa.errors import DocumentError

CORPUS = Path(__file__).resolve().parents[2] / "corpus"

# Lines in the style of the corpus' municipal work plans (from 004_*.txt's opening).
NOTICE = [
    "关于印发2025年城市管理工作要点的通知",
    "各市(县)区城管局,市局机关各处室、各直属单位:",
    "现将《2025年城市管理工作要点》印发给你们,请各单位、各部门认真贯彻落实,狠抓实施推进,确保各项年度目标任务全面完成。",
    "无锡市城市管理局",
    "2025年2月25日",
    "一、总体要求",
    "（一）全面实施精细化管理，推动城市品质再升级",
    "2．抓好精细化环卫保洁。",
]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- text files


def test_gbk_text_is_detected_and_kept_verbatim(tmp_path):
    text = "\n".join(NOTICE) + "\n"
    path = write(tmp_path, "gbk.txt", text.encode("gbk"))
    doc = read_document(path, tmp_path)
    assert doc.text == text
    assert doc.encoding == "gb18030"
    assert (doc.file, doc.format, doc.fields) == ("gbk.txt", "txt", ())


def test_utf8_bom_and_crlf(tmp_path):
    text = "\r\n".join(NOTICE) + "\r\n"
    path = write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + text.encode("utf-8"))
    doc = read_document(path, tmp_path)
    assert doc.text == "\n".join(NOTICE) + "\n"
    assert not doc.text.startswith("\ufeff") and "\r" not in doc.text
    assert doc.encoding == "utf-8-sig"


def test_lone_cr_and_widths_untouched(tmp_path):
    # Full-width and half-width punctuation, ideographic spaces and tabs all stay as they are.
    text = "三、工作任务\r（一）全面实施精细化管理，推动城市品质再升级\r\u3000\u30002．抓好精细化环卫保洁:\t1.5亿元"
    doc = read_document(write(tmp_path, "cr.txt", text.encode("utf-8")), tmp_path)
    assert doc.text == text.replace("\r", "\n")
    assert doc.encoding == "utf-8"


def test_utf16_with_bom(tmp_path):
    text = "\n".join(NOTICE)
    doc = read_document(write(tmp_path, "u16.txt", text.encode("utf-16")), tmp_path)
    assert doc.text == text


def test_other_encodings_never_become_mojibake(tmp_path):
    # Big5 and Shift-JIS bytes also decode as GB18030, into nonsense; detection must see that.
    big5 = (
        "關於印發城市管理工作要點的通知，各區人民政府，市府各委辦局：現將工作要點印發給你們，請認真遵照執行。"
    )
    doc = read_document(write(tmp_path, "big5.txt", big5.encode("big5")), tmp_path)
    assert doc.text == big5 and doc.encoding == "big5"
    # Valid UTF-8 with rare characters (emoji, CJK extension B) is trusted as is.
    rare = "城市管理🚀𠀀要点\n"
    assert read_document(write(tmp_path, "rare.txt", rare.encode("utf-8")), tmp_path).text == rare


def test_markdown_is_kept_as_is(tmp_path):
    text = "# 2025年城市管理工作要点\n\n## 一、总体要求\n\n- 坚持**人民城市**理念\n"
    doc = read_document(write(tmp_path, "plan.md", text.encode("utf-8")), tmp_path)
    assert (doc.text, doc.format) == (text, "md")


def test_undecodable_text_raises_with_advice(tmp_path):
    # Bytes that are neither UTF-8 nor GB18030 and make no sense in any encoding.
    data = bytes([0x81, 0x20, 0xFF, 0x00, 0x9F, 0xFE, 0x01, 0x80]) * 40
    with pytest.raises(DocumentError) as err:
        read_document(write(tmp_path, "bad.txt", data), tmp_path)
    assert "bad.txt" in str(err.value) and "UTF-8" in str(err.value)


def test_real_corpus_files_read_unchanged():
    for path in list_corpus(CORPUS):
        doc = read_document(path, CORPUS)
        assert doc.text == path.read_text(encoding="utf-8").replace("\r\n", "\n")
        assert doc.file == path.name


# ---------------------------------------------------------------- HTML

GOV_PAGE = """<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>关于印发2025年城市管理工作要点的通知_无锡市城市管理局</title>
<meta name="ArticleTitle" content="关于印发2025年城市管理工作要点的通知">
<meta name="PubDate" content="2025-02-25 11:21">
<style>.nav {{ color: red }}</style>
<script>var 浏览 = "统计代码"; document.write("城市管理");</script>
</head><body>
<div class="header"><img src="logo.png"><span>无锡市城市管理局</span></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li>
<li><a href="/bsfw">办事服务</a></li><li><a href="/hdjl">互动交流</a></li></ul></div>
<div class="dqwz">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a></div>
{meta}
<div class="article">
<h1>关于印发2025年城市管理工作要点的通知</h1>
<div class="info">发布时间:2025-02-25 11:21 浏览次数:<span id="hits">128</span>【字号:<a>默认</a> <a>大</a> <a>特大</a>】</div>
<div id="zoom">
<p>各市(县)区城管局,市局机关各处室、各直属单位:</p>
<p>&nbsp;&nbsp;现将《2025年城市管理工作要点》印发给你们,请各单位、各部门认真贯彻落实,狠抓实施推进,确保各项
年度目标任务全面完成。</p>
<p style="text-align:right">无锡市城市管理局<br>2025年2月25日</p>
<p><strong>一、总体要求</strong></p>
<table border="1"><tr><th>序号</th><th>工作任务</th><th>责任单位</th></tr>
<tr><td>1</td><td><p>抓好精细化</p><p>环卫保洁</p></td><td>市环卫处</td></tr>
<tr><td>2</td><td>推进垃圾分类</td><td></td></tr></table>
<p>（一）全面实施精细化管理，推动城市品质再升级</p>
</div>
<div class="bdsharebuttonbox">分享到：<a class="bds_weixin">微信</a><a class="bds_tsina">微博</a><a class="bds_qzone">QQ空间</a></div>
<div class="tools">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
</div>
<div class="related"><h3>相关文章</h3><ul><li><a href="/a">2024年城市管理工作要点</a></li>
<li><a href="/b">2023年城市管理工作要点</a></li><li><a href="/c">2022年城市管理工作要点</a></li></ul></div>
<div class="footer"><p>版权所有：无锡市城市管理局 苏ICP备12345678号</p><p>网站标识码：3202000030</p></div>
</body></html>
"""

META_TABLE = """<table class="xxgk">
<tr><td>信息索引号</td><td>014006905/2025-00157</td><td>发文日期</td><td>2025-02-25</td></tr>
<tr><td>文件编号</td><td></td><td>发布机构</td><td>无锡市城市管理局</td></tr>
<tr><td>主题</td><td>城乡建设、环境保护--城乡建设(含住房)</td><td>体裁</td><td>通知</td></tr>
</table>"""

# The same list as the corpus renders it: label and value as alternating <li>.
META_LIST = """<ul class="xxgk">
<li>信息索引号</li><li>014006905/2025-00157</li><li>发文日期</li><li>2025-02-25</li>
<li>文件编号</li><li>发布机构</li><li>无锡市城市管理局</li>
<li>主题</li><li>城乡建设、环境保护--城乡建设(含住房)</li><li>体裁</li><li>通知</li></ul>"""

# Padded labels with the value in the same element.
META_INLINE = """<div class="xxgk">
<p><span>索 引 号：014006905/2025-00157</span><span>发文日期：2025-02-25</span></p>
<p><span>信息索引号：</span><span>014006905/2025-00157</span></p>
<p>发布机构：无锡市城市管理局</p><p>主　　题：城乡建设、环境保护--城乡建设(含住房)</p><p>体裁：通知</p>
</div>"""

ARTICLE_LINES = [
    "关于印发2025年城市管理工作要点的通知",
    "各市(县)区城管局,市局机关各处室、各直属单位:",
    "现将《2025年城市管理工作要点》印发给你们,请各单位、各部门认真贯彻落实,狠抓实施推进,确保各项年度目标任务全面完成。",
    "无锡市城市管理局",
    "2025年2月25日",
    "一、总体要求",
    "序号\t工作任务\t责任单位",
    "1\t抓好精细化 环卫保洁\t市环卫处",
    "2\t推进垃圾分类\t",
    "（一）全面实施精细化管理，推动城市品质再升级",
]


@pytest.mark.parametrize("meta", [META_TABLE, META_LIST, META_INLINE], ids=["table", "list", "inline"])
def test_gov_html_page(tmp_path, meta):
    page = GOV_PAGE.format(meta=meta)
    doc = read_document(write(tmp_path, "site/notice.htm", page.encode("gbk")), tmp_path)
    assert (doc.file, doc.format, doc.encoding) == ("site/notice.htm", "html", "gb18030")
    fields = dict(doc.fields)
    assert fields["发布机构"] == "无锡市城市管理局"
    assert fields["发文日期"] == "2025-02-25"
    assert fields["主题"] == "城乡建设、环境保护--城乡建设(含住房)"
    assert fields["体裁"] == "通知"
    assert fields.get("信息索引号", fields.get("索引号")) == "014006905/2025-00157"
    assert fields["发布时间"] == "2025-02-25 11:21"  # the value stops before 浏览次数
    assert "文件编号" not in fields  # empty on the page
    assert fields["title"] == "关于印发2025年城市管理工作要点的通知_无锡市城市管理局"
    assert fields["ArticleTitle"] == "关于印发2025年城市管理工作要点的通知"

    lines = doc.text.split("\n")
    start = lines.index(ARTICLE_LINES[0])
    assert lines[start : start + len(ARTICLE_LINES)] == ARTICLE_LINES
    assert start + len(ARTICLE_LINES) == len(lines)  # nothing after the article
    for junk in (
        "统计代码",
        "color",
        "首页",
        "办事服务",
        "当前位置",
        "浏览次数",
        "字号",
        "打印",
        "关闭窗口",
        "分享到",
        "微博",
        "相关文章",
        "2024年城市管理工作要点",
        "版权所有",
        "ICP",
        "网站标识码",
    ):
        assert junk not in doc.text, junk


def test_html_utf8_declared_and_layout_table(tmp_path):
    # Old sites lay the page out with nested tables; those must not become tab-joined rows.
    page = """<html><head><meta charset="utf-8"></head><body>
<table width="100%"><tr><td><table><tr><td><a href="/">首页</a></td></tr></table></td></tr>
<tr><td><p>一、工作目标</p><p>到2025年底，城市管理水平明显提升。</p></td></tr></table>
<pre>附件  1
  工作清单</pre></body></html>"""
    doc = read_document(write(tmp_path, "a.html", page.encode("utf-8")), tmp_path)
    assert doc.encoding == "utf-8"
    assert doc.text.split("\n") == [
        "首页",
        "一、工作目标",
        "到2025年底，城市管理水平明显提升。",
        "附件  1",
        "  工作清单",
    ]


def test_html_undeclared_gbk_is_detected(tmp_path):
    page = "<html><body><p>" + "</p><p>".join(NOTICE) + "</p></body></html>"
    doc = read_document(write(tmp_path, "b.html", page.encode("gbk")), tmp_path)
    assert doc.text == "\n".join(NOTICE)
    assert doc.encoding == "gb18030"


# ---------------------------------------------------------------- DOCX


def _numbering(doc):
    """Add a Chinese two-level auto-numbered list (一、 / （一）) to a python-docx document; return its numId."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    root = doc.part.numbering_part.element
    root.insert(
        0,
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/>'
            '<w:suff w:val="nothing"/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/>'
            '<w:suff w:val="nothing"/></w:lvl></w:abstractNum>'
        ),
    )
    root.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return 90


def _numbered(doc, text, num_id, ilvl):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    paragraph = doc.add_paragraph(text)
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')
    )


def test_docx_blocks_in_order_with_table_and_numbering(tmp_path):
    import datetime

    import docx

    doc = docx.Document()
    doc.core_properties.title = "2025年城市管理工作要点"
    doc.core_properties.author = "无锡市城市管理局"
    doc.core_properties.created = datetime.datetime(2025, 2, 25, 9, 0, 0)
    doc.add_heading("2025年城市管理工作要点", level=1)
    doc.add_paragraph("2025年是实现“十四五”规划目标任务的决胜之年。")
    doc.add_paragraph("")  # empty paragraphs leave no blank lines
    table = doc.add_table(rows=3, cols=3)
    for r, row in enumerate(
        [("序号", "工作任务", "责任单位"), ("1", "抓好精细化环卫保洁", "市环卫处"), ("2", "", "")]
    ):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(2, 1).merge(table.cell(2, 2)).text = "推进垃圾分类"
    num_id = _numbering(doc)
    _numbered(doc, "总体要求", num_id, 0)
    _numbered(doc, "全面实施精细化管理，推动城市品质再升级", num_id, 1)
    _numbered(doc, "加强组织领导。", num_id, 1)
    _numbered(doc, "工作任务", num_id, 0)
    _numbered(doc, "深化城市治理", num_id, 1)
    doc.add_paragraph("1．抓好精细化环卫保洁。全年完成道路保洁\t12项。")
    path = tmp_path / "plan.docx"
    doc.save(path)

    raw = read_document(path, tmp_path)
    assert (raw.format, raw.encoding) == ("docx", "binary")
    assert raw.text.split("\n") == [
        "2025年城市管理工作要点",
        "2025年是实现“十四五”规划目标任务的决胜之年。",
        "序号\t工作任务\t责任单位",
        "1\t抓好精细化环卫保洁\t市环卫处",
        "2\t推进垃圾分类",
        "一、总体要求",
        "（一）全面实施精细化管理，推动城市品质再升级",
        "（二）加强组织领导。",
        "二、工作任务",
        "（一）深化城市治理",
        "1．抓好精细化环卫保洁。全年完成道路保洁\t12项。",
    ]
    fields = dict(raw.fields)
    assert fields["title"] == "2025年城市管理工作要点"
    assert fields["author"] == "无锡市城市管理局"
    assert fields["created"].startswith("2025-02-25T09:00")


def test_docx_style_numbering_decimal(tmp_path):
    import docx

    doc = docx.Document()
    for text in ("第一项", "第二项"):
        doc.add_paragraph(text, style="List Number")
    path = tmp_path / "list.docx"
    doc.save(path)
    lines = read_document(path, tmp_path).text.split("\n")
    assert lines == ["1. 第一项", "2. 第二项"] or lines == ["1.第一项", "2.第二项"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04 this is not really a zip", "cannot read this .docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "password-protected"),
        (b"plain text saved as docx", "not a valid .docx"),
    ],
)
def test_broken_docx(tmp_path, data, reason):
    with pytest.raises(DocumentError) as err:
        read_document(write(tmp_path, "broken.docx", data), tmp_path)
    assert "broken.docx" in str(err.value) and reason in str(err.value)


# ---------------------------------------------------------------- PDF


def _stream(data: bytes) -> bytes:
    return f"<< /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"


def cid_pdf(pages: list[list[str]]) -> bytes:
    """A PDF with a Chinese text layer, written by hand: STSong-Light (one of the standard
    Adobe-GB1 fonts a viewer supplies) through the UniGB-UCS2-H CMap, plus an identity
    ToUnicode map so text extraction knows the characters. ASCII-only lines use Helvetica."""
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{' '.join(f'{7 + 2 * i} 0 R' for i in range(len(pages)))}] "
        f"/Count {len(pages)} >>".encode(),
        3: b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>",
        4: b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 >>",
        6: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    ranges = "\n".join(f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>" for h in range(256))
    objs[5] = _stream(
        (
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
            f"256 beginbfrange\n{ranges}\nendbfrange\n"
            "endcmap CMapName currentdict /CMap defineresource pop end end"
        ).encode()
    )
    for i, lines in enumerate(pages):
        ops = ["BT", "14 TL", "56 780 Td"]
        for line in lines:
            if line.isascii():
                ops.append("/F2 12 Tf (" + line.replace("(", r"\(").replace(")", r"\)") + ") Tj T*")
            else:
                ops.append("/F1 12 Tf <" + line.encode("utf-16-be").hex().upper() + "> Tj T*")
        ops.append("ET")
        objs[7 + 2 * i] = (
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R /F2 6 0 R >> >> /Contents {8 + 2 * i} 0 R >>"
        ).encode()
        objs[8 + 2 * i] = _stream("\n".join(ops).encode("latin-1"))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objs):
        offsets[num] = len(out)
        out += f"{num} 0 obj\n".encode() + objs[num] + b"\nendobj\n"
    xref, size = len(out), max(objs) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offsets[n]:010d} 00000 n \n".encode() for n in range(1, size))
    out += f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_pdf_chinese_text_layer_and_wrap_joining(tmp_path):
    page1 = [
        "关于印发2025年城市管理工作要点的通知",
        "各市(县)区城管局,市局机关各处室、各直属单位:",
        "现将《2025年城市管理工作要点》印发给你们,请各单位、各部门认真贯彻",  # wrapped at the margin
        "落实,确保各项年度目标任务全面完成。",
        "一、总体要求",
        "（一）全面实施精细化管理，推动城市品质再升级，全力打造整洁有序的",  # wraps
        "城市环境",
        "（二）加强组织领导。市城管局要加强统筹协调，各地各部门要细化分解任",  # wraps
        "务，确保落实到位；",
        "2．抓好精细化环卫保洁。全市道路机扫率稳定保持在以上，推进城市环卫",  # ends at margin but
        "3．推进生活垃圾分类",  # the next line is a heading
        "— 1 —",  # page number
    ]
    page2 = ["无锡市城市管理局", "2025年2月25日", "- 2 -"]
    path = write(tmp_path, "plan.pdf", cid_pdf([page1, page2]))
    doc = read_document(path, tmp_path)
    assert (doc.format, doc.encoding) == ("pdf", "binary")
    assert doc.text.split("\n") == [
        "关于印发2025年城市管理工作要点的通知",
        "各市(县)区城管局,市局机关各处室、各直属单位:",
        "现将《2025年城市管理工作要点》印发给你们,请各单位、各部门认真贯彻落实,确保各项年度目标任务全面完成。",
        "一、总体要求",
        "（一）全面实施精细化管理，推动城市品质再升级，全力打造整洁有序的城市环境",
        "（二）加强组织领导。市城管局要加强统筹协调，各地各部门要细化分解任务，确保落实到位；",
        "2．抓好精细化环卫保洁。全市道路机扫率稳定保持在以上，推进城市环卫",
        "3．推进生活垃圾分类",
        "无锡市城市管理局",
        "2025年2月25日",
    ]


def test_pdf_latin_text_layer(tmp_path):
    lines = [
        "Annual work plan of the city management bureau for the year 2025, part",
        "one of two.",
        "Short line",
        "The bureau will keep the streets clean and the public spaces in order",
        "through the year, and it will report on its progress every quarter to",
        "the city government.",
    ]
    doc = read_document(write(tmp_path, "en.pdf", cid_pdf([lines])), tmp_path)
    assert doc.text.split("\n") == [
        "Annual work plan of the city management bureau for the year 2025, part one of two.",
        "Short line",
        "The bureau will keep the streets clean and the public spaces in order through the year, and it will "
        "report on its progress every quarter to the city government.",
    ]


def test_pdf_page_without_a_clear_margin_is_not_joined(tmp_path):
    # Title and salutation are the widest lines here; they are not a wrapped paragraph.
    lines = ["关于印发城市管理工作要点的通知", "各区人民政府，市府各委办局，", "一、总体要求"]
    doc = read_document(write(tmp_path, "short.pdf", cid_pdf([lines])), tmp_path)
    assert doc.text.split("\n") == lines


def _image_pdf(path: Path, lines: tuple[str, ...] = ()) -> Path:
    """A 'scanned' PDF: one A4 page at 150 dpi that is only an image (no text layer)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    if lines:
        font = ImageFont.truetype(_cjk_font(), 32)
        for i, line in enumerate(lines):
            draw.text((150, 200 + 60 * i), line, fill=0, font=font)
    else:
        draw.rectangle((150, 200, 1000, 260), fill=0)
    image.save(path, "PDF", resolution=150)
    return path


def _cjk_font() -> str:
    """A Chinese font file on this machine, or ""."""
    if shutil.which("fc-list"):
        found = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True).stdout.split()
        fonts = [f.rstrip(":") for f in found if f.rstrip(":").endswith((".ttf", ".ttc", ".otf"))]
        if fonts:
            return fonts[0]
    fonts = [
        p
        for p in Path("/usr/share/fonts").rglob("*")
        if re.search(r"wqy|cjk|droidsansfallback", p.name, re.I)
    ]
    return str(sorted(fonts)[0]) if fonts else ""


def test_scanned_pdf_without_ocr_explains_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "_have_ocr", lambda: False)
    path = _image_pdf(tmp_path / "scan.pdf")
    with pytest.raises(DocumentError) as err:
        read_document(path, tmp_path)
    message = str(err.value)
    assert message.startswith("scan.pdf: this PDF has no text layer (scanned).")
    assert "apt-get install tesseract-ocr tesseract-ocr-chi-sim poppler-utils" in message


@pytest.mark.skipif(
    not pdf._have_ocr() or not _cjk_font(),
    reason="OCR not installed: apt-get install tesseract-ocr tesseract-ocr-chi-sim poppler-utils "
    "(and a Chinese font such as fonts-wqy-zenhei to draw the test page)",
)
def test_scanned_pdf_is_ocred(tmp_path):
    # (Not "一、": a lone horizontal stroke is the one character OCR confuses with a dash.)
    lines = ("关于印发城市管理工作要点的通知", "各区人民政府，市府各委办局：", "二、工作任务")
    doc = read_document(_image_pdf(tmp_path / "scan.pdf", lines), tmp_path)
    assert (doc.format, doc.encoding) == ("pdf", "binary")
    text = doc.text.split("\n")
    assert "城市管理工作要点" in text[0] and "二、工作任务" in text
    assert "市 府" not in doc.text  # tesseract's spaces between Chinese characters are removed


def test_ocr_tidy_restores_heading_commas_and_removes_spaces():
    text = "二:<工作任务\n各区人民政府， 市 府各委办局 ：\n三 . 保障措施\n2023年 工作要点"
    assert pdf.tidy_ocr(text).split("\n") == [
        "二、工作任务",
        "各区人民政府，市府各委办局：",
        "三、保障措施",
        "2023年工作要点",
    ]


def test_encrypted_pdf(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(DocumentError, match=r"locked\.pdf: .*password"):
        read_document(path, tmp_path)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "damaged"),
        (b"<html>not a pdf</html>", "not a PDF"),
    ],
)
def test_corrupt_pdf(tmp_path, data, reason):
    with pytest.raises(DocumentError) as err:
        read_document(write(tmp_path, "broken.pdf", data), tmp_path)
    assert "broken.pdf" in str(err.value) and reason in str(err.value)


# ---------------------------------------------------------------- guards and listing


def test_size_limit(tmp_path):
    path = write(tmp_path, "big.txt", "城市管理".encode() * 200)
    with pytest.raises(DocumentError, match=r"big\.txt: file is .* over the 0\.001 MB limit"):
        read_document(path, tmp_path, max_mb=0.001)
    assert read_document(path, tmp_path, max_mb=1).text.startswith("城市管理")


def test_missing_empty_and_unsupported(tmp_path):
    with pytest.raises(DocumentError, match=r"gone\.txt: cannot read"):
        read_document(tmp_path / "gone.txt", tmp_path)
    with pytest.raises(DocumentError, match=r"empty\.txt: no text"):
        read_document(write(tmp_path, "empty.txt", b" \n"), tmp_path)
    with pytest.raises(DocumentError, match=r"x\.xlsx: unsupported file type \.xlsx; supported: \.txt"):
        read_document(write(tmp_path, "x.xlsx", b"PK"), tmp_path)


def test_list_corpus_skips_hidden_and_unsupported(tmp_path, caplog):
    for name in (
        "b.txt", "a.md", "sub/c.HTML", "sub/d.docx", "sub/e.pdf", "f.htm",
        ".hidden.txt", ".git/config.txt", "sub/.cache/g.txt", "~$d.docx",
        "table.xlsx", "notes.doc", "sub/image.png",
    ):  # fmt: skip
        write(tmp_path, name, b"x")
    with caplog.at_level(logging.WARNING, logger="index.load"):
        files = list_corpus(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in files] == [
        "a.md", "b.txt", "f.htm", "sub/c.HTML", "sub/d.docx", "sub/e.pdf",
    ]  # fmt: skip
    supported, skipped = scan_corpus(tmp_path)
    assert supported == files
    assert [p.relative_to(tmp_path).as_posix() for p in skipped] == [
        "notes.doc",
        "sub/image.png",
        "table.xlsx",
    ]
    assert f"skipped table.xlsx: unsupported type, supported: {', '.join(SUPPORTED_SUFFIXES)}" in caplog.text
    assert skip_message(tmp_path / "sub/image.png", tmp_path).startswith(
        "skipped sub/image.png: unsupported type"
    )
    with pytest.raises(DocumentError, match="does not exist"):
        list_corpus(tmp_path / "nowhere")


def test_html_keeps_body_lines_that_mention_chrome_words(tmp_path):
    body = [
        "（三）提升政务网站服务，网站访问量同比增长20%。",
        "加强技术支持，推广扫码办事。",
        "主题教育成果转化为工作成效。",
    ]
    page = "<html><body><div id='zoom'><p>" + "</p><p>".join(body) + "</p></div></body></html>"
    doc = read_document(write(tmp_path, "c.html", page.encode("utf-8")), tmp_path)
    assert doc.text.split("\n") == body
    assert doc.fields == ()
