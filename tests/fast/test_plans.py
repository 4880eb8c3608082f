"""Answer plans and answerability checks, one kind of question at a time, on synthetic documents.

The documents are invented (丙川市, 丁岭市, 戊安县) and written for these tests; each test names the kind
of question or document structure its rule serves."""

from __future__ import annotations

import pytest

from index import build
from policyqa.settings import Settings
from retrieval.pipeline import Engine
from retrieval.question import slot_of

NOTICE = """丙川市人民政府办公室关于开展2024年市容环境集中整治行动的通知

丙川政办发〔2024〕7号

各区人民政府，市各有关部门：

为改善市容环境，决定开展集中整治行动。现将有关事项通知如下。

一、整治内容

（一）非机动车停放整治。在地铁站点周边施划非机动车停放泊位不少于6000个。

（二）公厕建设。新改建公厕28座，其中新建12座。

二、工作要求

（一）加强组织领导。各区成立工作专班，明确分管负责同志。

（二）强化督查考核。市领导小组每月通报进展，对工作滞后的区进行约谈。

（三）落实经费保障。各区将整治经费纳入年度预算。

丙川市人民政府办公室
2024年3月5日

附件

丙川市集中整治行动任务分工表

序号\t工作任务\t牵头单位\t完成时限
1\t施划非机动车停放泊位6000个\t市交通运输局\t2024年9月30日前
2\t新改建公厕28座\t市城市管理局\t2024年11月30日前
"""

REGULATION = """丁岭市户外招牌设置管理规定

（2023年6月1日丁岭市第十届人民代表大会常务委员会第九次会议通过）

第一章　总则

第一条　为了规范户外招牌设置，制定本规定。

第二章　设置管理

第五条　户外招牌的设置期限一般不超过五年。期限届满需要继续设置的，设置人应当在期限届满二十日前重新提出申请。

第六条　有下列情形之一的，不得设置户外招牌：
（一）利用交通安全设施的；
（二）影响消防通道的；
（三）利用危险建筑物的。

第三章　法律责任

第九条　违反本规定第五条，期满未拆除招牌的，由城市管理部门责令限期拆除；逾期不拆除的，处二千元以上一万元以下罚款。

第十条　本规定自2023年9月1日起施行。
"""

PLAN = """戊安县城市品质提升三年行动计划（2025—2027年）

一、总体目标

到2025年底，累计建成口袋公园40个。到2027年底，累计建成口袋公园100个，城市生活垃圾回收利用率达到40%。

二、重点任务

（一）公厕提档升级。三年累计新改建公厕90座，新增公厕全部配置第三卫生间。

（二）智慧停车建设。建成全县统一的智慧停车平台，实现泊位信息实时共享。

（三）运行管理平台。2025年底前建成县级城市运行管理服务平台。
"""


def _engine(root, files: dict[str, str]) -> Engine:
    """An engine (fake embedder) over a corpus of the given invented documents, under `root`."""
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = Settings(corpus=corpus, index=root / "index", embedder="fake")
    return Engine(settings, build.update(settings).index)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return _engine(
        tmp_path_factory.mktemp("plans"),
        {"notice.txt": NOTICE, "regulation.txt": REGULATION, "plan.txt": PLAN},
    )


def _first_line(answer) -> str:
    return answer.text.split("\n", 1)[0]


# --- slot_value: the value first, cut from the sentence that states it -------------------------


def test_figure_question_leads_with_the_clause_that_states_it(engine):
    answer = engine.ask("丙川市集中整治要新改建多少座公厕？")
    assert not answer.refused
    assert _first_line(answer).startswith("新改建公厕28座")


def test_length_of_a_period_is_a_figure_not_a_deadline():
    # 期限 names a period; "最长几年" asks how long it is, not the day it ends.
    assert slot_of("招牌设置期限最长几年") == "quantity"
    assert slot_of("特许经营期限最长多少年") == "quantity"
    assert slot_of("这项任务的完成时限是什么时候") == "deadline"


def test_multi_part_question_answers_each_part_from_its_own_sentence(engine):
    answer = engine.ask("丁岭市户外招牌的设置期限最长几年？到期想继续设置要提前多久申请？")
    assert not answer.refused
    assert "五年" in answer.text and "二十日前" in answer.text


# --- near misses: the nearest sentence is not an answer ----------------------------------------


def test_complement_term_does_not_answer_for_the_term(engine):
    # 非机动车 is the complement of 机动车: a figure for one is not a figure for the other.
    answer = engine.ask("丙川市集中整治要新增多少个机动车公共停车泊位？")
    assert answer.refused


def test_a_fine_is_not_a_fee(engine):
    # The regulation fines an offence; it states no charge for applying.
    assert engine.ask("在丁岭市申请设置户外招牌，审批要交多少费用？").refused
    fine = engine.ask("丁岭市户外招牌期满逾期不拆除的罚多少钱？")
    assert not fine.refused and "二千元以上一万元以下" in fine.text


def test_an_undated_figure_of_a_multi_year_plan_is_for_the_whole_period(engine):
    # 三年累计 reaches 2027; "by the end of 2026" is not stated.
    assert engine.ask("戊安县到2026年底累计要新改建多少座公厕？").refused
    assert not engine.ask("戊安县到2025年底要建成多少个口袋公园？").refused


def test_a_document_of_another_place_does_not_answer_for_the_named_place(engine):
    # 丙川市 has a document (the notice), but the fine is in 丁岭市's regulation.
    answer = engine.ask("丙川市户外招牌管理规定中，期满逾期不拆除的罚多少钱？")
    assert answer.refused


def test_a_date_for_a_neighbouring_subject_does_not_answer(engine):
    # The plan dates the operations platform, not the parking platform.
    assert engine.ask("戊安县全县统一的智慧停车平台要求何时建成？").refused


# --- table_cell, document_fact, list_items, section_content ------------------------------------


def test_task_table_column_answers_who_leads_and_by_when(engine):
    answer = engine.ask("丙川市施划非机动车停放泊位6000个这项任务由谁牵头？何时完成？")
    assert "市交通运输局" in _first_line(answer) or "牵头单位：市交通运输局" in answer.text
    assert "2024年9月30日前" in answer.text


def test_doc_number_and_effective_date_come_from_the_document_itself(engine):
    assert "丙川政办发〔2024〕7号" in engine.ask("丙川市集中整治通知的文号是什么？").text
    assert "2023年9月1日" in engine.ask("丁岭市户外招牌设置管理规定从什么时候开始施行？").text


def test_items_inside_an_article_are_listed_with_their_introducer(engine):
    answer = engine.ask("丁岭市哪些情形不得设置户外招牌？")
    for item in ("利用交通安全设施", "影响消防通道", "利用危险建筑物"):
        assert item in answer.text


def test_requirements_are_the_sections_content_not_its_heading(engine):
    answer = engine.ask("丙川市集中整治通知提出了哪些工作要求？")
    assert not answer.refused
    for item in ("加强组织领导", "强化督查考核", "落实经费保障"):
        assert item in answer.text


INDICATORS = """己州市城市管理发展规划（2021—2025年）

一、发展目标

到2025年，城市环境更加整洁。

表1　己州市城市管理主要指标

序号\t指标\t2020年基期值\t2025年目标值\t属性
1\t城市道路机械化清扫率（%）\t78\t90\t预期性
2\t城市生活污水集中收集率（%）\t62\t70\t约束性
"""


def test_a_figure_in_an_indicator_table_row_is_read_with_its_column_names(tmp_path):
    engine = _engine(tmp_path, {"indicators.txt": INDICATORS})
    answer = engine.ask("己州市城市生活污水集中收集率2025年目标值是多少？是约束性指标吗？")
    assert not answer.refused
    assert "2025年目标值：70" in answer.text and "约束性" in answer.text
    assert engine.ask("己州市城市生活污水集中收集率2023年要达到多少？").refused


def test_how_a_whole_is_divided_asks_for_items_but_a_count_of_things_for_a_figure():
    for question in ("这项行动分为几个阶段", "规划包括几大板块", "审批要走几个步骤", "补贴分几档"):
        assert slot_of(question) == "items", question
    assert slot_of("今年要建几个口袋公园") == "quantity"


LONG_MEASURES = """庚平市背街小巷提升行动方案

一、工作目标

到2025年底，完成背街小巷整治80条。

二、保障措施

（一）健全工作机制。成立由分管副市长牵头的工作专班，专班办公室设在市城市管理局，负责统筹调度、协调推进和日常督导，各区相应成立工作机构，明确专人负责，确保各项任务按期落地见效。

（二）加大资金投入。市财政每年安排背街小巷提升专项资金，各区按照不低于市级补助的标准落实配套资金，并统筹用好老旧小区改造、城市更新等各类资金渠道，提高资金使用效益。

（三）严格考核问效。一是建立整治台账，实行周调度、月通报；二是将整治成效纳入各区年度综合考核；三是对进度滞后的区下发督办单，必要时约谈主要负责同志。

（四）强化技术支撑。组织编制背街小巷设计导则，明确路面、立面、管线、绿化和照明等整治标准，推广使用透水铺装、节能灯具等新材料新工艺，提升整治工程质量。

（五）广泛宣传发动。通过报纸、电视、网络等渠道宣传整治成效，开设曝光专栏，畅通群众反映问题渠道，引导沿街单位和居民共同参与维护整治成果。
"""


@pytest.fixture(scope="module")
def long_measures(tmp_path_factory):
    return _engine(tmp_path_factory.mktemp("measures"), {"measures.txt": LONG_MEASURES})


def test_a_long_section_split_into_several_passages_is_listed_whole(long_measures):
    # Five long items do not fit one outline passage; the list is whole only with all of them,
    # including an item whose own items (一是…二是…) make it a section without a body of its own.
    answer = long_measures.ask("庚平市背街小巷提升行动有哪些保障措施？")
    assert not answer.refused
    for item in ("健全工作机制", "加大资金投入", "严格考核问效", "强化技术支撑", "广泛宣传发动"):
        assert item in answer.text, item


def test_requirements_of_a_section_made_of_run_in_items_are_those_items(long_measures):
    answer = long_measures.ask("庚平市背街小巷提升行动在考核问效方面有哪些要求？")
    assert not answer.refused
    for item in ("周调度、月通报", "年度综合考核", "督办单"):
        assert item in answer.text, item


SUBSIDY_FAQ = """# 辛河市既有住宅增设电梯补贴政策解读

## 二、补贴标准

### 问：补贴标准是多少？

答：按项目类别分档补贴，具体如下：

| 类别 | 补贴标准 | 单台上限 | 资金承担 |
| --- | --- | --- | --- |
| 一般增设电梯项目 | 工程总造价的30% | 15万元 | 市、区财政各承担50% |
| 纳入片区更新计划的项目 | 工程总造价的45% | 22万元 | 市级财政 |
| 低收入家庭分摊费用 | 个人应分摊费用全额补助 | 每户2万元 | 区级财政 |

## 三、申请流程

### 问：补贴怎么申请？

答：按照“街道受理、区级审核”的方式办理，主要步骤如下：

1. 提出申请：电梯取得使用登记证后6个月内，由业主代表向所在街道提交申请；
2. 街道初审：街道办事处在10个工作日内完成材料初审；
3. 区级审核：区住房和城乡建设局在15个工作日内完成审核并公示；
4. 资金拨付：公示无异议的，区财政局在30个工作日内拨付补贴资金。

### 问：申请补贴需要准备哪些材料？

答：需提交以下材料：

- 《辛河市既有住宅增设电梯补贴申请表》，由业主代表签字并加盖实施主体公章；
- 本单元业主同意增设电梯的书面协议，以及费用分摊方案；
- 施工合同、监理合同和电梯设备采购合同；
- 经区住房和城乡建设部门审核的工程结算书及相关票据；
- 特种设备使用登记证和电梯安装监督检验报告；
- 竣工验收报告和质量保修承诺书；
- 补贴资金收款账户信息及开户证明。
"""


@pytest.fixture(scope="module")
def subsidy_faq(tmp_path_factory):
    return _engine(tmp_path_factory.mktemp("subsidy"), {"faq.md": SUBSIDY_FAQ})


def test_a_table_row_is_read_under_the_columns_the_question_names(subsidy_faq):
    # The asker's verb (加装) differs from the document's (增设); the column is named by the
    # question's own words (单台…上限, 由哪级财政承担), not by a fixed list of column names.
    answer = subsidy_faq.ask("辛河市纳入片区更新计划的加装电梯项目，补贴比例多少？单台最多补多少？")
    assert not answer.refused
    assert "工程总造价的45%" in answer.text and "22万元" in answer.text
    who = subsidy_faq.ask("辛河市一般加装电梯项目的补贴由哪级财政承担？")
    assert not who.refused and "市、区财政各承担50%" in who.text


def test_a_row_for_a_thing_the_document_never_mentions_does_not_answer(subsidy_faq):
    # No row (and no sentence) is about 残疾人家庭; the 低收入家庭 row is a near miss.
    assert subsidy_faq.ask("辛河市残疾人家庭加装电梯的个人分摊费用补贴多少？").refused


def test_a_list_question_gets_every_item_an_introducer_announces(subsidy_faq):
    # 答：需提交以下材料： and the bullet lines under it are one list.
    answer = subsidy_faq.ask("在辛河申请加装电梯补贴要交哪些材料？")
    assert not answer.refused
    for item in (
        "补贴申请表",
        "书面协议",
        "施工合同",
        "工程结算书",
        "使用登记证",
        "竣工验收报告",
        "收款账户",
    ):
        assert item in answer.text, item


def test_an_english_question_asking_two_things_is_two_parts():
    from retrieval.question import split_parts

    parts = split_parts("What was the city's road sweeping rate in 2020, and what is the 2025 target?")
    assert [slot_of(p) for p in parts] == ["quantity", "quantity"]
    # "points" of a place are things to count, not a score; "points deducted" are a score.
    assert slot_of("How many flood-prone points must the city eliminate by 2026") == "quantity"
    assert slot_of("How many points are deducted for a late report") == "score"


def test_kinds_listed_as_table_rows_are_the_rows_names(subsidy_faq):
    answer = subsidy_faq.ask("辛河市加装电梯补贴分哪几类？")
    assert not answer.refused
    for kind in ("一般增设电梯项目", "纳入片区更新计划的项目", "低收入家庭分摊费用"):
        assert kind in answer.text, kind


def test_rows_are_kept_to_those_with_the_cell_the_question_names(tmp_path):
    engine = _engine(tmp_path, {"indicators.txt": INDICATORS})
    answer = engine.ask("己州市城市管理主要指标中，哪些是约束性指标？")
    assert not answer.refused
    assert "城市生活污水集中收集率" in answer.text
    assert "城市道路机械化清扫率" not in answer.text.split("\n\n")[0]


def test_a_task_rows_deadline_answers_when_by(engine):
    # The row is named by its first cell (the task, figures and all), not its longest plain cell.
    answer = engine.ask("丙川市施划非机动车停放泊位6000个这项任务最晚哪天完成？")
    assert not answer.refused and "2024年9月30日前" in answer.text


ACTIONS_PLAN = """癸阳市城市更新三年行动计划（2025—2027年）

一、总体目标

到2027年，城市功能品质明显提升。

二、重点任务

（一）公园绿地提质行动。新建口袋公园60个。

（二）市容环境提升行动

1．推进公厕提档升级行动。新改建公厕80座。

2．背街小巷整治行动。整治背街小巷150条。

3．户外招牌规范行动。规范户外招牌3000块。

（三）排水防涝行动。消除易涝积水点20处。

（四）智慧城管建设行动。建成城市运行管理服务平台。
"""


def test_a_parent_the_question_names_outright_lists_its_own_items(tmp_path):
    # 重点任务 is named outright; (二)'s items also end in 行动 but are not what is asked.
    engine = _engine(tmp_path, {"plan.txt": ACTIONS_PLAN})
    answer = engine.ask("癸阳市城市更新三年行动计划的重点任务包括哪几大行动？")
    for action in ("公园绿地提质行动", "市容环境提升行动", "排水防涝行动", "智慧城管建设行动"):
        assert action in answer.text, action


def test_the_section_that_announces_the_asked_kind_of_items_lists_them(subsidy_faq):
    # 主要步骤如下： introduces the numbered steps under the Q&A heading 补贴怎么申请.
    answer = subsidy_faq.ask("辛河加装电梯补贴申请要走哪几个步骤？")
    for step in ("提出申请", "街道初审", "区级审核", "资金拨付"):
        assert step in answer.text, step


OTHER_QUESTIONS = """# 辛河市既有住宅增设电梯补贴常见问题

## 一、资金监管

### 问：对骗取补贴的行为怎么处理？

答：对骗取加装电梯补贴的行为，由区财政局责令退回全部补贴，并将失信信息纳入公共信用信息平台；涉嫌犯罪的，移送司法机关依法处理。

### 问：补贴资金怎么拨付？

答：公示无异议的，区财政局在30个工作日内将补贴资金拨付至申请人账户。
"""


def test_a_list_without_markers_is_the_best_sections_sentences(tmp_path):
    # The question spells out half of the Q&A heading; its answer's every clause is a measure.
    engine = _engine(tmp_path, {"other.md": OTHER_QUESTIONS})
    answer = engine.ask("辛河市对骗取加装电梯补贴的行为有哪些处理措施？")
    assert not answer.refused
    assert "责令退回全部补贴" in answer.text and "移送司法机关" in answer.text


def test_a_place_and_year_name_that_places_plan_for_that_year():
    from policyqa.records import DocumentMeta
    from retrieval.query import DocumentProfile, document_prior, profiles

    def meta(file, city, years, title):
        return DocumentMeta(file=file, title=title, city=city, years=years)

    docs = profiles(
        [
            meta("annual.txt", "丙川", (2023,), "丙川市2023年城市管理工作实施意见"),
            meta("plan.txt", "丙川", (2021, 2022, 2023), "丙川市城市品质提升三年行动计划"),
            meta("other.txt", "丁岭", (2020,), "2020年城市管理工作意见"),
            meta("sister.txt", "戊安", (2023,), "戊安市2023年城市管理工作实施意见"),
        ]
    )
    assert len(docs) == 4 and all(isinstance(p, DocumentProfile) for p in docs)
    prior, named, _ = document_prior("丙川2023年和丁岭2020年的公厕目标各是多少？", docs)
    # The 2021—2023 plan also covers 2023, but the question points at the 2023 plan.
    assert set(named) == {"annual.txt", "other.txt"}
    # A document known to be about another place ranks below every document of the named place.
    assert prior["sister.txt"] < min(prior["annual.txt"], prior["plan.txt"])
