"""Figures in sentences (digits and Chinese numerals, units, kinds) and the unit a question asks for."""

import pytest

from retrieval.figures import (
    DATE,
    DURATION,
    ORDINAL,
    QUANTITY,
    YEAR,
    asked_unit,
    canonical_unit,
    chinese_numeral_value,
    find_figures,
    same_quantity_kind,
    states_date,
    states_quantity,
)


@pytest.mark.parametrize(
    ("sentence", "text", "value", "unit", "kind", "upper"),
    [
        ("新建公厕20座。", "20座", 20, "座", QUANTITY, None),
        ("覆盖率达到100%。", "100%", 100, "%", QUANTITY, None),
        ("覆盖率达到１００％。", "１００％", 100, "%", QUANTITY, None),
        ("分类覆盖率95%以上。", "95%以上", 95, "%", QUANTITY, None),
        ("新增1万个停车泊位。", "1万个", 1, "万个", QUANTITY, None),
        ("总投资3.5亿元。", "3.5亿元", 3.5, "亿元", QUANTITY, None),
        ("总投资三亿元。", "三亿元", 3, "亿元", QUANTITY, None),
        ("建成绿道300公里。", "300公里", 300, "公里", QUANTITY, None),
        ("新增1,200辆。", "1,200辆", 1200, "辆", QUANTITY, None),
        ("七日内办结。", "七日", 7, "日", QUANTITY, None),
        ("七十二小时内处置到位。", "七十二小时", 72, "小时", QUANTITY, None),
        ("整改期限为六个月。", "六个月", 6, "个月", QUANTITY, None),
        ("整改期限为半年。", "半年", 0.5, "年", QUANTITY, None),
        ("两个半小时内到场。", "两个半小时", 2.5, "小时", QUANTITY, None),
        ("能耗下降百分之二十。", "百分之二十", 20, "%", QUANTITY, None),
        ("人行道宽二点五米。", "二点五米", 2.5, "米", QUANTITY, None),
        ("效率提高三至五倍。", "三至五倍", 3, "倍", QUANTITY, 5),
        ("比例为20%-30%。", "20%-30%", 20, "%", QUANTITY, 30),
        ("处五百元以上三千元以下罚款。", "五百元以上三千元以下", 500, "元", QUANTITY, 3000),
        ("处5000元以上5万元以下罚款。", "5000元以上5万元以下", 5000, "元", QUANTITY, 50000),
        ("2025年底前全面完成。", "2025年底前", 2025, "年", DATE, None),
        ("6月底前完成摸排。", "6月底前", 6, "月", DATE, None),
        ("自2024年3月1日起施行。", "2024年3月1日", 2024, "年", DATE, None),
        ("发布于2024-03-01。", "2024-03-01", 2024, "", DATE, None),
        ("2025年，全市新建公厕。", "2025年", 2025, "年", YEAR, None),
        ("2023—2025年行动计划。", "2023—2025年", 2023, "年", YEAR, 2025),
        ("依据第十五条处理。", "第十五条", 15, "条", ORDINAL, None),
        ("第3批试点名单。", "第3批", 3, "批", ORDINAL, None),
    ],
)
def test_find_figures(sentence, text, value, unit, kind, upper):
    figures = find_figures(sentence)
    assert len(figures) == 1, figures
    fig = figures[0]
    assert (fig.text, fig.value, fig.unit, fig.kind, fig.upper) == (text, value, unit, kind, upper)
    assert sentence[fig.start : fig.end] == fig.text


@pytest.mark.parametrize(
    "sentence",
    [
        "（一）加强组织领导。",
        "一、总体要求",
        "1．抓好精细化环卫保洁",
        "建立一个长效机制，推进一批项目。",  # 一 + measure word: the indefinite article
        "统一标准，进一步推进“十四五”规划。",
        "千万不能放松。",
        "上半年完成。",
        "03　道路桥梁维护",  # a box item's number
    ],
)
def test_not_figures(sentence):
    assert find_figures(sentence) == []


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("两百", 200),
        ("一百零五", 105),
        ("三千", 3000),
        ("一万二千", 12000),
        ("三点五", 3.5),
        ("二〇二五", 2025),
        ("五亿", 5e8),
        ("甲", None),
    ],
)
def test_chinese_numeral_value(numeral, value):
    assert chinese_numeral_value(numeral) == value


@pytest.mark.parametrize(
    ("unit", "canonical"),
    [
        ("日", "天"),
        ("天", "天"),
        ("个月", "月"),
        ("时", "小时"),
        ("小时", "小时"),
        ("％", "%"),
        ("平米", "平方米"),
        ("㎡", "平方米"),
        ("千米", "公里"),
        ("万元", "万元"),
        ("亿元", "亿元"),
    ],
)
def test_canonical_unit(unit, canonical):
    assert canonical_unit(unit) == canonical


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("万元", "元", True),
        ("亿元", "万元", True),
        ("公里", "米", True),
        ("天", "个月", True),
        ("小时", "日", True),
        ("%", "个百分点", True),
        ("万个", "个", True),
        ("座", "个", False),
        ("元", "米", False),
        ("", "元", False),
    ],
)
def test_same_quantity_kind(a, b, same):
    assert same_quantity_kind(a, b) is same


@pytest.mark.parametrize(
    ("sentence", "unit", "states"),
    [
        ("总投资3.5亿元。", "", True),
        ("总投资3.5亿元。", "元", True),
        ("总投资3.5亿元。", "亿元", True),
        ("处五百元以上三千元以下罚款。", "万元", True),
        ("新建公厕20座。", "座", True),
        ("新建公厕20座。", "%", False),
        ("七日内办结。", DURATION, True),
        ("七日内办结。", "天", True),
        ("能耗下降百分之二十。", "%", True),
        ("2025年底前全面完成。", "", False),
        ("依据第十五条处理。", "", False),
        ("加强组织领导。", "", False),
    ],
)
def test_states_quantity(sentence, unit, states):
    assert states_quantity(sentence, unit) is states


@pytest.mark.parametrize(
    ("sentence", "states"),
    [
        ("2025年底前全面完成。", True),
        ("6月底前完成。", True),
        ("2024年3月1日起施行。", True),
        ("2025年，新建公厕。", False),
        ("整改期限为六个月。", False),
        ("新建公厕20座。", False),
    ],
)
def test_states_date(sentence, states):
    assert states_date(sentence) is states


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("总投资多少亿元？", "亿元"),
        ("违规停车罚多少钱？", "元"),
        ("乱扔垃圾罚款多少？", "元"),
        ("需要几天办结？", "天"),
        ("多少天内完成？", "天"),
        ("几日内答复？", "天"),
        ("多长时间完成整改？", DURATION),
        ("多久完成？", DURATION),
        ("几个月完成？", "月"),
        ("达到多少比例？", "%"),
        ("百分之几的小区覆盖？", "%"),
        ("要求什么比例？", "%"),
        ("覆盖率多少？", "%"),
        ("提高多少个百分点？", "%"),
        ("新建几座公厕？", "座"),
        ("设立几个片区？", "个"),
        ("建成多少公里绿道？", "公里"),
        ("改造多少平米？", "平方米"),
        ("How many days does approval take?", "天"),
        ("How much is the fine for littering?", "元"),
        ("How much yuan is invested?", "元"),
        ("What percentage of households sort waste?", "%"),
        ("What is the coverage rate?", "%"),
        ("有哪些主要任务？", ""),
        ("落款日期是哪天？", ""),
    ],
)
def test_asked_unit(question, unit):
    assert asked_unit(question) == unit
