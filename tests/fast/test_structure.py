"""index.structure: heading trees, front/back matter, tables and metadata of official documents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.lines import halfwidth
from index.structure import format_outline, parse
from index.tables import table_rows
from policyqa.errors import DocumentError
from policyqa.records import RawDocument

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
FILES = {
    "000": "000_ed09b5e7b1c27f21.txt",
    "001": "001_efbb80b5b0164357.txt",
    "002": "002_983e4c4aba65749a.txt",
    "003": "003_deb2ec29f324010a.txt",
    "004": "004_d947e63a6949b241.txt",
}


def _raw(prefix: str, render=None) -> RawDocument:
    path = CORPUS / FILES[prefix]
    if not path.is_file():
        pytest.skip(f"{path} is missing: copy the corpus from shared/corpus")
    text = path.read_text("utf-8")
    return RawDocument(file=path.name, text=render(text) if render else text, format="txt")


def _doc(prefix: str, render=None):
    return parse(_raw(prefix, render))


def _section(doc, *path):
    for s in doc.walk():
        if s.path == path:
            return s
    raise AssertionError(f"no section {' > '.join(path)}; have {[s.path for s in doc.walk()]}")


def _top(doc, kind="body"):
    return [s for s in doc.sections if s.kind == kind]


# ----------------------------------------------------------------------- the five documents


def test_000_nanjing_front_matter_body_attachment_and_footer():
    doc = _doc("000")
    assert [s.kind for s in doc.sections] == [
        "header",
        "notice",
        "preamble",
        "body",
        "body",
        "body",
        "body",
        "attachment",
        "footer",
    ]
    header, notice, preamble = doc.sections[:3]
    assert header.path == ("南京市人民政府办公厅文件",)
    assert "宁政办发〔2023〕3号" in doc.text[header.start : header.end]
    # a title over two lines is joined without the line break
    assert notice.path == ("市政府办公厅转发市城市管理局关于南京市2023年城市管理工作实施意见的通知",)
    assert "2023年1月21日" in doc.text[notice.start : notice.end]
    assert "（此件公开发布）" in doc.text[notice.start : notice.end]
    assert preamble.path == ("南京市2023年城市管理工作实施意见",)
    assert "（市城市管理局  2023年1月）" in doc.text[preamble.start : preamble.end]

    body = _top(doc)
    assert [s.heading for s in body] == ["一、指导思想", "二、总体目标", "三、工作任务", "四、保障措施"]
    assert [len(s.children) for s in body] == [0, 0, 7, 4]
    assert [len(c.children) for c in body[2].children] == [5, 3, 6, 4, 3, 4, 2]
    leaf = _section(
        doc, "三、工作任务", "（一）全面实施精细化管理，推动城市品质再升级", "3．强化市容市貌管理"
    )
    assert doc.text[leaf.start : leaf.end].startswith("3．强化市容市貌管理。加强城市重要通道")
    assert doc.text[leaf.end - 1] == "。"
    # run-in heading: text up to the first 。, the rest is body
    org = _section(doc, "四、保障措施", "（一）加强组织领导")
    assert doc.text[org.body_start :].startswith("市城管局要强化综合统筹")

    footer = doc.sections[-1]
    assert footer.path == ("版记",)
    assert footer.kind == "footer"
    assert doc.text[footer.start : footer.end].rstrip().endswith("2023年1月28日印发")


def test_000_attachment_table_rows_are_rebuilt():
    doc = _doc("000")
    table = _section(doc, "附件", "南京市2023年城市管理工作任务分解落实表")
    assert table.kind == "table"
    rows = table_rows(doc, table)
    assert len(rows) == 27
    assert [c[2] for c in rows[0].header] == ["序号", "工作任务", "责任单位"]
    by_task = {row.values[2]: row.values for row in rows}
    # the group cells (序号, 工作任务 group) stand only on a group's first row: they are repeated
    assert by_task["抓好违建治理"] == (
        "3",
        "聚力办好民生实事，积极破解突出民生难题",
        "抓好违建治理",
        "市城管局、市规划资源局、市建委、市房产局、市消防救援支队，江北新区、各区（园区）",
    )
    assert by_task["抓实应急机制"][:2] == ("7", "聚焦风险隐患防控，筑牢城市管理安全防线")
    assert [row.values[0] for row in rows].count("1") == 5
    for row in rows:  # every cell is verbatim source text
        for start, end, text in (*row.header, *row.cells):
            assert doc.text[start:end] == text


def test_001_gulou_run_in_ordinals_are_children():
    doc = _doc("001")
    assert [s.kind for s in doc.sections if s.kind != "body"] == ["header", "notice", "preamble", "footer"]
    body = _top(doc)
    assert len(body) == 6
    assert [len(s.children) for s in body] == [0, 2, 3, 4, 5, 6]
    assert body[1].children[0].path == ("二、抓住“两个关键”", "一是抓住队伍建设这个关键")
    assert body[4].children[0].heading == "一是突出改革创新，确保治理更到位"
    assert _section(doc, "2021年鼓楼区城市管理工作意见").kind == "preamble"
    notice = _section(doc, "区政府办公室转发区城市管理局关于2021年鼓楼区城市管理工作意见的通知")
    assert notice.kind == "notice"
    footer = doc.sections[-1]
    assert doc.text[footer.start :].lstrip().startswith("主送：区政府各部门")


def test_002_haian_without_city_in_title_and_half_width_numbering():
    doc = _doc("002")
    assert [s.kind for s in doc.sections if s.kind != "body"] == ["preamble", "footer"]
    preamble = doc.sections[0]
    assert preamble.path == ("2020年城市管理工作意见",)
    assert "（2019年12月13日）" in doc.text[preamble.start : preamble.end]
    body = _top(doc)
    assert [s.heading for s in body] == ["一、指导思想", "二、主要任务", "三、保障措施"]
    assert [len(c.children) for c in body[1].children] == [5, 5, 5, 5]
    assert body[1].children[1].children[2].path == (
        "二、主要任务",
        "（二）以实施“五大为民工程”为重点，实现基础功能大优化",
        "3.实施“公厕革命”",
    )
    footer = doc.sections[-1]
    assert doc.text[footer.start :].startswith("发：各区党工委")


def test_003_run_in_ordinals_inside_a_paragraph():
    doc = _doc("003")
    body = _top(doc)
    assert [s.heading for s in body] == [
        "一、总体要求",
        "二、工作目标",
        "三、重点任务",
        "四、工作步骤",
        "五、保障措施",
    ]
    tasks = body[2].children
    assert len(tasks) == 10
    assert [len(t.children) for t in tasks] == [3, 3, 2, 3, 2, 3, 3, 3, 4, 3]
    old = _section(doc, "三、重点任务", "（四）老旧小区改造")
    assert (
        doc.text[old.body_start : old.children[0].start].strip()
        == "贯彻落实国家、省、市新要求，全面推进城镇老旧小区改造。"
    )
    assert old.children[0].heading == "一是强化功能改造"
    assert _section(doc, "四、工作步骤", "（二）全面推进阶段（2021年12月—2023年9月）").kind == "body"
    assert _section(doc, "南京市人民政府办公厅文件").kind == "header"
    assert doc.sections[2].path == ("南京市建设管理精细化  城市品质再提升三年行动计划（2021—2023年）",)


def test_004_web_page_header_notice_and_continuous_numbering():
    doc = _doc("004")
    assert [s.kind for s in doc.sections if s.kind != "body"] == ["header", "notice", "preamble"]
    header, notice, preamble = doc.sections[:3]
    assert header.path == notice.path == ("关于印发2025年城市管理工作要点的通知",)
    assert "- 信息索引号" in doc.text[header.start : header.end]
    assert doc.text[notice.start : notice.end].endswith("无锡市城市管理局\n2025年2月25日")
    assert preamble.path == ("2025年城市管理工作要点",)
    body = _top(doc)
    assert [s.heading for s in body] == [
        "一、聚焦创新发展,打造“四位一体”城市管理新格局",
        "二、持续攻坚提升,实施城市管理六大行动",
        "三、强化责任担当,推进五项建设激发城管新质战斗力",
    ]
    assert [len(s.children) for s in body] == [0, 6, 5]
    items = [s.heading for s in doc.walk() if re.match(r"\d+\.", s.heading)]
    assert len(items) == 30
    assert items[27] == "28.做精“安康提升工程”"
    assert _section(
        doc,
        "三、强化责任担当,推进五项建设激发城管新质战斗力",
        "(四)扎实推进关爱工程建设",
        "28.做精“安康提升工程”",
    )


# ----------------------------------------------------------------------- metadata

META = {
    "000": dict(
        title="南京市2023年城市管理工作实施意见",
        issuer="南京市人民政府办公厅",  # the issuing notice's 落款, not the plan's author line
        doc_number="宁政办发〔2023〕3号",
        dates=(("成文", "2023-01-21"), ("印发", "2023-01-28")),
        city="南京",
        district="",
        years=(2023,),
        kind="意见",
    ),
    "001": dict(
        title="2021年鼓楼区城市管理工作意见",
        issuer="鼓楼区人民政府办公室",
        doc_number="鼓政办〔2021〕17号",
        dates=(("成文", "2021-04-21"), ("印发", "2021-04-21")),
        city="南京",
        district="鼓楼区",
        years=(2021,),
        kind="意见",
    ),
    "002": dict(
        title="2020年城市管理工作意见",
        issuer="",
        doc_number="",
        dates=(("成文", "2019-12-13"),),
        city="海安",
        district="",
        years=(2020,),
        kind="意见",
    ),
    "003": dict(
        title="南京市建设管理精细化 城市品质再提升三年行动计划（2021—2023年）",
        issuer="南京市人民政府办公厅",
        doc_number="宁政办发〔2021〕76号",
        dates=(("成文", "2021-12-31"),),
        city="南京",
        district="",
        years=(2021, 2022, 2023),
        kind="计划",
    ),
    "004": dict(
        title="2025年城市管理工作要点",
        issuer="无锡市城市管理局",
        doc_number="",
        dates=(("成文", "2025-02-25"), ("发布", "2025-02-25")),
        city="无锡",
        district="",
        years=(2025,),
        kind="要点",
    ),
}


@pytest.mark.parametrize("prefix", sorted(META))
def test_metadata(prefix):
    meta = parse(_raw(prefix), sha256="abc").meta
    got = {key: getattr(meta, key) for key in META[prefix]}
    assert got == META[prefix]
    assert meta.sha256 == "abc"
    assert meta.format == "txt"
    assert meta.file == FILES[prefix]


def test_html_fields_take_precedence():
    raw = _raw("002")
    raw = RawDocument(
        file=raw.file,
        text=raw.text,
        format="html",
        fields=(
            ("发布机构", "海安市城市管理局"),
            ("文件编号", "海政办发〔2019〕99号"),
            ("发布日期", "2019-12-20"),
        ),
    )
    meta = parse(raw).meta
    assert meta.issuer == "海安市城市管理局"
    assert meta.doc_number == "海政办发〔2019〕99号"
    assert meta.date("发布") == "2019-12-20"
    assert meta.date("成文") == "2019-12-13"
    assert meta.format == "html"


# ----------------------------------------------------------------------- renderings


def _shape(doc):
    return [(tuple(halfwidth(h) for h in s.path), s.kind) for s in doc.walk()]


RENDERINGS = {
    "half-width punctuation": lambda t: halfwidth(t).replace("\u3000", " "),
    "CRLF line ends": lambda t: t.replace("\n", "\r\n"),
    "extra blank lines and leading spaces": lambda t: "\n\n".join(
        "  \u3000" + line for line in t.split("\n")
    ),
    "no blank lines": lambda t: re.sub(r"\n\s*\n+", "\n", t),
    "full-width digits": lambda t: t.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}),
    "markdown headings": lambda t: re.sub(
        r"(?m)^([一二三四五六七八九十]+[、,，][^。\n]{1,38})$", r"## \1", t
    ),
}


@pytest.mark.parametrize("prefix", ["000", "003", "004"])
@pytest.mark.parametrize("name", sorted(RENDERINGS))
def test_renderings_give_the_same_tree_and_metadata(prefix, name):
    base = _doc(prefix)
    other = _doc(prefix, RENDERINGS[name])
    assert _shape(other) == _shape(base)
    keep = ("dates", "city", "district", "years", "kind")
    assert {k: getattr(other.meta, k) for k in keep} == {k: getattr(base.meta, k) for k in keep}
    assert halfwidth(other.meta.title) == halfwidth(base.meta.title)
    for s in other.walk():  # offsets point into the rendered text
        if s.kind == "body":
            assert other.text[s.start :].startswith(s.heading)
    tables = [s for s in other.walk() if s.kind == "table"]
    assert [len(table_rows(other, t)) for t in tables] == [
        len(table_rows(base, t)) for t in base.walk() if t.kind == "table"
    ]


# ----------------------------------------------------------------------- general rules


REGULATION = """关于印发无锡市城市管理办法的通知
各区人民政府：
现将《无锡市城市管理办法》印发给你们，请遵照执行。
附件：无锡市城市管理办法
无锡市人民政府
2023年3月1日
附件
无锡市城市管理办法
第一章 总则
第一条 为了加强城市管理，制定本办法。
第二条 本办法适用于本市。城市管理坚持统一是前提、协调是关键的原则。
第二章 管理职责
第三条 市城市管理部门负责下列工作：
（一）市容管理；
（二）环境卫生。
第四条 区人民政府负责辖区工作。
"""


def test_chapters_articles_and_an_issuing_notice_with_attachment_label():
    doc = parse(RawDocument(file="reg.txt", text=REGULATION, format="txt"))
    assert [(s.kind, s.heading) for s in doc.sections] == [
        ("notice", "关于印发无锡市城市管理办法的通知"),
        ("preamble", "无锡市城市管理办法"),
        ("body", "第一章 总则"),
        ("body", "第二章 管理职责"),
    ]
    # an article's heading is its number; its numbered items are its own text, not sections
    article = _section(doc, "第二章 管理职责", "第三条")
    assert not article.children
    assert (
        doc.text[article.body_start : article.end]
        == "市城市管理部门负责下列工作：\n（一）市容管理；\n（二）环境卫生。"
    )
    # `统一是` inside a sentence is no run-in ordinal
    assert not _section(doc, "第一章 总则", "第二条").children
    assert doc.meta.kind == "办法"
    assert doc.meta.issuer == "无锡市人民政府"
    assert doc.meta.dates == (("成文", "2023-03-01"),)


PLAN = """苏州市2024年城市管理工作方案

为做好工作，制定本方案。

一、主要任务

1、加强管理。一是抓好保洁。要求如下。二是抓好绿化。要求如下。

二、工作安排

重点项目清单表

项目
牵头单位
完成时间

道路整治
市城管局
6月底

公厕改造
市住建局
9月底

苏州市城市管理局
2024年2月1日
"""


def test_unnumbered_table_under_a_table_title_and_closing_date():
    doc = parse(RawDocument(file="plan.txt", text=PLAN, format="txt"))
    table = _section(doc, "二、工作安排", "重点项目清单表")
    assert table.kind == "table"
    assert [r.values for r in table_rows(doc, table)] == [
        ("道路整治", "市城管局", "6月底"),
        ("公厕改造", "市住建局", "9月底"),
    ]
    item = _section(doc, "一、主要任务", "1、加强管理")
    assert [c.heading for c in item.children] == ["一是抓好保洁", "二是抓好绿化"]
    assert doc.meta.city == "苏州"
    assert doc.meta.kind == "方案"
    assert doc.meta.date("成文") == "2024-02-01"


def test_sections_nest_and_cover_their_children():
    for prefix in FILES:
        doc = _doc(prefix)
        for s in doc.walk():
            assert s.start <= s.body_start <= s.end
            assert s.path[-1] == s.heading
            assert len(s.path) == s.level
            for c in s.children:
                assert s.start <= c.start <= c.end <= s.end
                assert c.path[:-1] == s.path
            for a, b in zip(s.children, s.children[1:], strict=False):
                assert a.end <= b.start


def test_empty_document_is_an_error():
    with pytest.raises(DocumentError, match="empty.txt"):
        parse(RawDocument(file="empty.txt", text=" \n\u3000\n", format="txt"))


def test_format_outline_lists_metadata_and_tree():
    out = format_outline(_doc("000"))
    assert "title:      南京市2023年城市管理工作实施意见" in out
    assert "doc_number: 宁政办发〔2023〕3号" in out
    assert "成文 2023-01-21" in out
    assert re.search(r"\n      \[\d+-\d+\] body +3．强化市容市貌管理\n", out)
    assert re.search(r"\n    \[\d+-\d+\] table +南京市2023年城市管理工作任务分解落实表\n", out)


# ----------------------------------------------------------------------- other genres

STATUTE = """《清河市城市道路管理条例》
（2019年6月20日清河市第十五届人民代表大会常务委员会第二十次会议通过　2023年4月12日清河市第十六届人民代表大会常务委员会第十次会议修正）

第一章　总则
第一条　为了加强城市道路管理，保障城市道路完好，制定本条例。
第二条　本条例适用于本市行政区域内的城市道路。
第二章  规划建设
第一节　规划
第三条　市人民政府应当组织编制城市道路发展规划。
第二节　建设
第四条　城市道路的建设应当符合技术规范。
第三章监督管理
第五条　路政管理部门应当加强日常巡查。
第四章　法律责任
第六条　违反本条例规定，有下列行为之一的，由城市管理部门责令限期改正，可以处二千元以上二万元以下罚款：
（一）擅自占用城市道路的；
（二）擅自挖掘城市道路的；
（三）在城市道路上设置障碍物的；
（四）机动车在桥梁上试刹车的；
（五）擅自在桥梁上架设管线的；
（六）其他损害城市道路的行为。
第七条　本条例自2024年3月1日起施行。
"""


def test_regulation_chapters_sections_and_articles():
    doc = parse(RawDocument(file="statute.txt", text=STATUTE, format="txt"))
    # chapter headings whatever their spacing; 第X节 inside a chapter
    assert [s.heading for s in _top(doc)] == [
        "第一章　总则",
        "第二章  规划建设",
        "第三章监督管理",
        "第四章　法律责任",
    ]
    assert _section(doc, "第二章  规划建设", "第二节　建设", "第四条").kind == "body"
    assert _section(doc, "第三章监督管理", "第五条")
    # the article's heading is its number; its items (一)…(六) stay inside it
    article = _section(doc, "第四章　法律责任", "第六条")
    assert not article.children
    text = doc.text[article.start : article.end]
    assert text.startswith("第六条　违反本条例规定") and text.endswith("（六）其他损害城市道路的行为。")
    assert doc.text[article.body_start :].startswith("违反本条例规定")
    assert [s.heading for s in _section(doc, "第四章　法律责任").children] == ["第六条", "第七条"]
    assert max(len(s.heading) for s in doc.walk() if s.kind == "body") <= 40


def test_regulation_history_and_commencement_are_dates():
    doc = parse(RawDocument(file="statute.txt", text=STATUTE, format="txt"))
    assert doc.meta.title == "清河市城市道路管理条例"
    assert doc.meta.kind == "条例"
    assert doc.meta.dates == (("通过", "2019-06-20"), ("修正", "2023-04-12"), ("施行", "2024-03-01"))
    assert doc.meta.date("修正") == "2023-04-12"


def test_articles_without_chapters_and_a_revision():
    text = (
        "清河市养犬管理办法\n（2020年5月8日清河市人民政府第三十次常务会议通过　"
        "2022年9月1日清河市人民政府第十二次常务会议修订）\n"
        "第一条　为了规范养犬行为，制定本办法。\n"
        "第二条　养犬人应当遵守下列规定：\n（一）携带犬只出户的，应当束犬链；\n（二）及时清除犬只粪便。\n"
        "第三条　本办法自2023年1月1日起施行。\n"
    )
    doc = parse(RawDocument(file="dogs.txt", text=text, format="txt"))
    assert [s.path for s in _top(doc)] == [("第一条",), ("第二条",), ("第三条",)]
    assert "（二）及时清除犬只粪便。" in doc.text[doc.sections[2].start : doc.sections[2].end]
    assert doc.meta.dates == (("通过", "2020-05-08"), ("修订", "2022-09-01"), ("施行", "2023-01-01"))


FAQ_MD = """# 青溪区新能源汽车购置补贴问答

## 一、补贴对象

### 问：哪些人可以申请补贴？

答：在青溪区登记注册的个人消费者均可申请。

### 问：企业可以申请吗？

答：企业不在本次补贴范围内。

## 二、补贴标准

| 车型 | 补贴金额 | 名额 |
| --- | ---: | --- |
| 纯电动汽车 | 5000元 | 2000个 |
| 插电混动汽车 | 3000元 | 1000个 |

#### 资金来源

补贴资金由区财政承担。

**（一）受理时间**

2024年全年受理。
"""


def test_markdown_heading_levels_qa_headings_and_tables():
    doc = parse(RawDocument(file="faq.md", text=FAQ_MD, format="md"))
    assert doc.meta.title == "青溪区新能源汽车购置补贴问答"
    assert [s.heading for s in _top(doc)] == ["一、补贴对象", "二、补贴标准"]
    question = _section(doc, "一、补贴对象", "问：哪些人可以申请补贴？")
    assert (
        doc.text[question.body_start : question.end].strip() == "答：在青溪区登记注册的个人消费者均可申请。"
    )
    # `####` nests by level; a bold numbered line nests below it
    assert _section(doc, "二、补贴标准", "资金来源", "（一）受理时间")
    table = next(s for s in doc.walk() if s.kind == "table")
    assert table.path[0] == "二、补贴标准"
    rows = table_rows(doc, table)
    assert [c[2] for c in rows[0].header] == ["车型", "补贴金额", "名额"]
    assert [r.values for r in rows] == [
        ("纯电动汽车", "5000元", "2000个"),
        ("插电混动汽车", "3000元", "1000个"),
    ]
    for row in rows:
        for start, end, cell in (*row.header, *row.cells):
            assert doc.text[start:end] == cell
    for s in doc.walk():
        if s.kind == "body":
            assert doc.text[s.start :].startswith(s.heading)


QA_TXT = """青溪区养老服务补贴政策解读

一、政策背景
为完善养老服务体系，制定本政策。
二、常见问题
问：补贴对象是谁？
答：年满80周岁的本区户籍老人。
经济困难的老人可以提高标准。
问:如何申请?
答:向所在街道提出申请。
"""


def test_plain_text_question_and_answer_pairs():
    doc = parse(RawDocument(file="qa.txt", text=QA_TXT, format="txt"))
    questions = _section(doc, "二、常见问题").children
    assert [q.heading for q in questions] == ["问：补贴对象是谁？", "问:如何申请?"]
    first = doc.text[questions[0].body_start : questions[0].end].strip()
    assert first == "答：年满80周岁的本区户籍老人。\n经济困难的老人可以提高标准。"
    # a 问 line with no 答 after it is ordinary text
    other = parse(RawDocument(file="x.txt", text="一、说明\n问：这是引语。\n其他内容。\n", format="txt"))
    assert not other.sections[-1].children


TAB_TXT = (
    "青溪区2024年道路整治工作方案\n"
    "一、整治任务\n"
    "全年完成以下整治项目。\n"
    "序号\t类别\t项目\t责任单位\n"
    "1\t道路\t主干道修补\t区城管局\n"
    "\t\t人行道改造\t区住建局\n"
    "2\t照明\t路灯更换\t区城管局\n"
    "以上项目年底前完成。\n"
    "二、保障措施\n"
    "各单位要加强协作。\n"
)


def test_tab_separated_rows_are_a_table_in_their_section():
    doc = parse(RawDocument(file="tab.txt", text=TAB_TXT, format="txt"))
    section = _section(doc, "一、整治任务")
    assert [c.kind for c in section.children] == ["table"]
    rows = table_rows(doc, section.children[0])
    assert [c[2] for c in rows[0].header] == ["序号", "类别", "项目", "责任单位"]
    # a row whose leading cells were merged with the row above repeats them
    assert [r.values for r in rows] == [
        ("1", "道路", "主干道修补", "区城管局"),
        ("1", "道路", "人行道改造", "区住建局"),
        ("2", "照明", "路灯更换", "区城管局"),
    ]
    for row in rows:
        for start, end, cell in (*row.header, *row.cells):
            assert doc.text[start:end] == cell
    # a titled table takes its title; a line with one tab-separated pair is no table
    titled = parse(
        RawDocument(file="t.txt", text="一、附表\n项目清单表\n项目\t单位\n修路\t城管局\n", format="txt")
    )
    assert _section(titled, "一、附表", "项目清单表").kind == "table"
    single = parse(RawDocument(file="s.txt", text="一、说明\n联系人\t张三\n其他内容。\n", format="txt"))
    assert not single.sections[-1].children


def test_run_in_ordinals_in_one_paragraph_stay_children():
    text = (
        "一、工作要求\n"
        "各单位要抓好落实。一是加强组织领导。成立专班推进。二是强化督查考核。每月通报进度。"
        "三是营造良好氛围。加强宣传引导。\n"
    )
    doc = parse(RawDocument(file="r.txt", text=text, format="txt"))
    assert [c.heading for c in doc.sections[-1].children] == [
        "一是加强组织领导",
        "二是强化督查考核",
        "三是营造良好氛围",
    ]


def test_a_run_in_heading_without_a_sentence_end_soon_is_cut():
    long_item = (
        "（一）持续深化城市环境综合整治，统筹推进背街小巷改造提升和老旧小区环境治理以及农贸市场周边秩序规范化管理，"
        "确保城市面貌明显改善。具体由区城管局负责。"
    )
    doc = parse(
        RawDocument(file="l.txt", text="一、重点任务\n" + long_item + "\n（二）加强宣传。\n", format="txt")
    )
    first = doc.sections[-1].children[0]
    # cut at the last clause mark before character 40
    assert first.heading == "（一）持续深化城市环境综合整治"
    assert len(first.heading) <= 40 and long_item.startswith(first.heading)
    assert doc.text[first.start : first.end] == long_item  # nothing of the item is lost
    assert doc.sections[-1].children[1].heading == "（二）加强宣传"


def _meta_of(text: str, fmt: str = "txt", fields=()):
    return parse(RawDocument(file="x." + fmt, text=text, format=fmt, fields=tuple(fields))).meta


def test_a_red_header_organisation_line_is_the_issuer_and_the_forwarded_document_the_title():
    meta = _meta_of(
        "甲川市乙山区城市管理委员会办公室\n\n乙城管委办发〔2026〕3号\n\n"
        "关于印发《乙山区2026年城市管理工作要点》的通知\n\n各街道：\n\n现印发给你们，请认真落实。\n\n"
        "一、总体目标\n\n道路保洁覆盖率达到100%。\n"
    )
    assert meta.title == "乙山区2026年城市管理工作要点"
    assert meta.issuer == "甲川市乙山区城市管理委员会办公室"
    assert meta.years == (2026,)


def test_a_government_decree_number_is_the_doc_number_and_the_rules_title_the_title():
    meta = _meta_of(
        "甲川市人民政府令　第12号\n\n《甲川市餐厨垃圾管理办法》已经市人民政府常务会议审议通过，现予公布。\n\n"
        "甲川市餐厨垃圾管理办法\n\n第一章　总则\n\n第一条　为了加强餐厨垃圾管理，制定本办法。\n"
    )
    assert meta.title == "甲川市餐厨垃圾管理办法"
    assert meta.doc_number == "甲川市人民政府令第12号" and meta.issuer == "甲川市人民政府"


def test_a_web_pages_banner_is_not_the_title_when_the_body_repeats_the_page_title():
    text = (
        "甲川市人民政府门户网站 无障碍 English\n首页\n政务公开\n"
        "甲川市人民政府办公室关于印发甲川市海绵城市建设实施方案（2024—2026年）的通知\n"
        "各区人民政府：\n现印发给你们。\n一、总体要求\n到2026年，建成区40%以上面积达到要求。\n"
    )
    page = (
        "甲川市人民政府办公室关于印发甲川市海绵城市建设实施方案（2024—2026年）的通知_政策文件_甲川市人民政府"
    )
    meta = _meta_of(text, "html", [("title", page)])
    assert meta.title == "甲川市海绵城市建设实施方案（2024—2026年）"
    assert meta.years == (2024, 2025, 2026)


def test_a_date_before_a_city_name_is_not_part_of_it():
    meta = _meta_of(
        "丁岭市户外招牌设置管理规定\n\n（2023年6月1日丁岭市第十届人民代表大会常务委员会第九次会议通过）\n\n"
        "第一条　为了规范户外招牌设置，制定本规定。丁岭市城市管理部门负责实施。\n"
    )
    assert meta.city == "丁岭"


BOXED_PLAN = """壬江市城市管理发展规划（2026—2030年）

第三章　主要任务

第一节　完善环卫设施

加快建设餐厨垃圾处理设施，实现原生生活垃圾零填埋。

专栏2　环卫设施建设工程

01　餐厨垃圾处理厂：建设壬江市餐厨垃圾处理厂，一期日处理能力200吨。

02　转运站提升：新建、改造生活垃圾转运站12座。

第二节　主要指标

表1　壬江市城市管理主要指标

序号\t指标\t2025年基期值\t2030年目标值\t属性
1\t城市道路机械化清扫率（%）\t80\t92\t预期性
"""


def test_a_box_holds_its_numbered_items_and_a_numbered_caption_names_its_table():
    doc = parse(RawDocument(file="plan.txt", text=BOXED_PLAN, format="txt"))
    box = _section(doc, "第三章　主要任务", "第一节　完善环卫设施", "专栏2　环卫设施建设工程")
    assert [c.heading for c in box.children] == ["01　餐厨垃圾处理厂", "02　转运站提升"]
    table = _section(doc, "第三章　主要任务", "第二节　主要指标", "表1　壬江市城市管理主要指标")
    assert table.kind == "table"
    assert [r.values for r in table_rows(doc, table)] == [
        ("1", "城市道路机械化清扫率（%）", "80", "92", "预期性")
    ]
