"""The targets ledger at index time: each named rule on an invented document, the record's JSON,
and the rows stored with the index (reused for unchanged files, updated for changed ones)."""

from __future__ import annotations

import json
import re

import pytest

from index import build, store, structure
from index.embed import make_embedder
from index.manifest import Manifest
from index.target_rules import find_deadlines
from index.targets import extract_targets, split_units
from policyqa.errors import IndexFormatError
from policyqa.records import RawDocument, Target


def _rows(text: str, file: str = "t.txt") -> tuple[Target, ...]:
    document = structure.parse(RawDocument(file, text, "txt"))
    rows = extract_targets(document)
    for row in rows:  # every row cites its sentence verbatim
        assert document.text[row.start : row.end] == row.sentence
    return rows


def _by_value(rows, value: str) -> Target:
    matches = [r for r in rows if r.value == value]
    assert len(matches) == 1, (value, [(r.subject, r.value) for r in rows])
    return matches[0]


PLAN = """丙市2026年市容环境工作要点

一、工作目标

全年城区道路冲洗率达到85%以上，郊区达到70%以上。

二、重点任务

（一）公厕建设

1．推进公厕提升。年度完成新改建公共厕所12座，新增共享泊位2万个，建成步道45公里以上。（市容局牵头，各区政府负责）

2．开展违建治理。守住新增违建“零增长”底线，拆除违建不少于30万平方米，实现背街小巷保洁全覆盖。

（二）数字平台

1．建设指挥平台。8月底前上线城市运行指挥平台，第三季度完成数据接入，年底前实现各区全面联网。
〔责任单位：市数据局、市容局，各区（园区）〕

三、保障措施

（一）加强领导。2025年已建成公厕40座，按照“一天一巡查”要求，压实3个环节的责任。联系电话：12345。
"""


def test_percentages_with_scope_and_a_shared_subject():
    rows = _rows(PLAN)
    first, second = _by_value(rows, "85%以上"), _by_value(rows, "70%以上")
    assert (first.subject, first.scope, first.qualifier, first.unit) == ("道路冲洗率", "城区", "以上", "%")
    assert first.number == 85.0 and first.kind == "target" and first.source == "text"
    assert (second.subject, second.scope) == ("道路冲洗率", "郊区")  # 郊区达到70%以上 names no thing
    assert first.section_path == ("一、工作目标",) and first.year == 2026


def test_counts_with_measure_words_and_wan_amounts():
    rows = _rows(PLAN)
    toilets = _by_value(rows, "12座")
    assert (toilets.subject, toilets.number, toilets.unit) == ("新改建公共厕所", 12.0, "座")
    parking = _by_value(rows, "2万个")
    assert (parking.subject, parking.number, parking.unit) == ("新增共享泊位", 20000.0, "个")
    trail = _by_value(rows, "45公里以上")
    assert (trail.subject, trail.qualifier, trail.unit) == ("步道", "以上", "公里")
    area = _by_value(rows, "30万平方米")
    assert (area.subject, area.qualifier, area.number) == ("拆除违建", "不少于", 300000.0)


def test_inline_responsible_units_belong_to_their_sentence():
    rows = _rows(PLAN)
    assert _by_value(rows, "12座").responsible == ("市容局", "各区政府")
    assert _by_value(rows, "30万平方米").responsible == ()


def test_goals_without_a_figure():
    rows = _rows(PLAN)
    zero = _by_value(rows, "零增长")
    assert (zero.subject, zero.qualifier, zero.kind) == ("新增违建", "零增长", "target")
    coverage = _by_value(rows, "全覆盖")
    assert coverage.subject == "背街小巷保洁" and coverage.qualifier == "全覆盖"


def test_deadline_only_sentences_are_tasks_with_iso_dates_in_the_document_year():
    rows = [r for r in _rows(PLAN) if r.kind == "task"]
    by_text = {r.deadline_text: r for r in rows}
    assert by_text["8月底前"].deadline == "2026-08-31"
    assert by_text["8月底前"].subject == "上线城市运行指挥平台"
    assert by_text["第三季度"].deadline == "2026-09-30"
    assert by_text["年底前"].deadline == "2026-12-31"
    # the section's one 责任单位 note covers the sentences above it
    assert by_text["8月底前"].responsible == ("市数据局", "市容局", "各区（园区）")
    assert all(r.value == "" and r.number is None for r in rows)


def test_noise_is_not_a_target():
    values = {r.value for r in _rows(PLAN)}
    # a figure already reached, a slogan's 一天, a count of 环节, a phone number, the title's year
    assert not values & {"40座", "一天", "3个", "12345", "2026年"}
    assert not any(r.section_path[-1].startswith("（一）加强领导") for r in _rows(PLAN))


@pytest.mark.parametrize(
    ("text", "year", "iso"),
    [
        ("6月底前完成", 2024, "2024-06-30"),
        ("2月底前完成", 2024, "2024-02-29"),
        ("到2027年底，建成", 2025, "2027-12-31"),
        ("上半年完成", 2024, "2024-06-30"),
        ("下半年完成", 2024, "2024-12-31"),
        ("第四季度完成", 2023, "2023-12-31"),
        ("3月15日前报送", 2024, "2024-03-15"),
        ("2025年4月1日之前报送", 2024, "2025-04-01"),
        ("9月建成平台", 2025, "2025-09-30"),
        ("年内完成", 2022, "2022-12-31"),
    ],
)
def test_deadlines_are_normalised_relative_to_the_document_year(text, year, iso):
    found = find_deadlines(text, year)
    assert [d.iso for d in found] == [iso]


def test_dates_that_are_not_deadlines():
    assert find_deadlines("2023年1月21日", 2023) == []  # a signing date
    assert find_deadlines("（2021年12月—2023年9月）", 2023) == []  # a period
    assert find_deadlines("一天一目标，一月一点评", 2023) == []  # a slogan
    assert find_deadlines("6月底前完成", None)[0].iso == ""  # no year known: no ISO date


def test_split_units_keeps_brackets_whole():
    assert split_units("市城管局、市建委，江北新区、各区（园区）") == (
        "市城管局",
        "市建委",
        "江北新区",
        "各区（园区）",
    )
    assert split_units("市城管局牵头，各区政府负责") == ("市城管局", "各区政府")


def test_target_json_round_trip():
    row = _by_value(_rows(PLAN), "12座")
    data = json.loads(json.dumps(row.to_json(), ensure_ascii=False))
    assert isinstance(data["section_path"], list) and isinstance(data["responsible"], list)
    assert Target.from_json(data) == row


# ---------------------------------------------------------------------------------------------
# stored with the index


def test_the_index_stores_and_loads_the_ledger(fake_settings):
    report = build.update(fake_settings)
    assert report.index.targets and {t.file for t in report.index.targets} == {"a.txt", "b.txt"}
    loaded = store.load(fake_settings.index)
    assert loaded.targets == report.index.targets
    assert loaded.manifest.targets.rows == len(loaded.targets)
    assert "targets.jsonl" in loaded.manifest.checksums
    assert [t.id for t in loaded.targets if t.file == "a.txt"][:2] == ["a.txt#t0", "a.txt#t1"]


def test_unchanged_files_keep_their_rows_and_changed_files_update_them(fake_settings, small_corpus):
    first = build.update(fake_settings).index
    (small_corpus / "b.txt").write_text(
        "乙县2023年市容整治方案\n\n一、工作目标\n\n新增停车泊位900个。\n", encoding="utf-8"
    )
    (small_corpus / "c.txt").write_text(
        "丁县2024年工作要点\n\n一、目标\n\n新建口袋公园6个。\n", encoding="utf-8"
    )
    report = build.update(fake_settings)
    rows = report.index.targets
    assert report.reused_files == ("a.txt",)
    assert [t for t in rows if t.file == "a.txt"] == [t for t in first.targets if t.file == "a.txt"]
    assert [t.value for t in rows if t.file == "b.txt"] == ["900个"]
    assert [t.value for t in rows if t.file == "c.txt"] == ["6个"]
    (small_corpus / "c.txt").unlink()
    assert not [t for t in build.update(fake_settings).index.targets if t.file == "c.txt"]


def test_an_index_without_a_ledger_is_re_extracted_without_re_embedding(fake_settings, monkeypatch):
    build.update(fake_settings)
    folder = fake_settings.index
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    del data["targets"]  # as an index written before the ledger existed
    data["checksums"].pop("targets.jsonl")
    (folder / "targets.jsonl").unlink()
    (folder / "manifest.json").write_text(store.manifest_text(Manifest.from_json(data)), encoding="utf-8")
    assert "targets ledger" in build.check(fake_settings).settings_changed
    with pytest.raises(IndexFormatError, match="targets ledger"):
        store.load(folder)
    embedded: list[str] = []
    embedder = make_embedder("fake")
    passages = embedder.passages
    monkeypatch.setattr(embedder, "passages", lambda texts: embedded.extend(texts) or passages(texts))
    report = build.update(fake_settings, embedder)
    assert report.index.targets and embedded == []
    assert store.load(folder).targets == report.index.targets


# ---------------------------------------------------------------------------------------------
# tables, fines and scores

NOTICE = """戊市人民政府办公室关于开展夏季市容整治的通知
戊政办发〔2024〕8号

各区人民政府，市各有关部门：

现就开展夏季市容整治通知如下。

一、整治目标

到2024年底，主要道路保洁达标率达到98%。

附件

夏季市容整治任务分工表

序号\t工作任务\t牵头单位\t责任单位\t完成时限
1\t清理占道经营点位200处\t市城管局\t各区政府\t2024年7月底前
2\t制定夜市管理办法\t市商务局\t市城管局、市市场监管局\t第三季度
3\t建立长效巡查机制\t市城管局\t各街道\t长期坚持

戊市人民政府办公室
2024年5月6日
"""


def test_task_table_rows_carry_deadline_and_responsible_columns():
    rows = [r for r in _rows(NOTICE) if r.source == "table"]
    by_subject = {r.subject: r for r in rows}
    points = next(r for r in rows if r.value == "200处")
    assert (
        points.kind == "target"
        and points.deadline == "2024-07-31"
        and points.deadline_text == "2024年7月底前"
    )
    assert points.responsible == ("市城管局", "各区政府") and "占道经营点位" in points.subject
    rules = by_subject["制定夜市管理办法"]
    assert (rules.kind, rules.value, rules.deadline) == ("task", "", "2024-09-30")
    assert rules.responsible == ("市商务局", "市城管局", "市市场监管局")
    ongoing = by_subject["建立长效巡查机制"]
    assert (ongoing.deadline, ongoing.deadline_text) == ("", "长期坚持")
    assert points.section_path[-1] == "夏季市容整治任务分工表"
    assert "\t" in points.sentence and points.sentence.startswith("1\t清理占道经营点位200处")


def test_a_deadline_in_the_text_body():
    target = next(r for r in _rows(NOTICE) if r.value == "98%")
    assert (target.deadline, target.deadline_text, target.subject) == (
        "2024-12-31",
        "2024年底",
        "主要道路保洁达标率",
    )
    assert target.doc_number == "戊政办发〔2024〕8号" and target.year == 2024


SCORING = """己区城市管理考核办法

一、考核方式

考核实行百分制，每月考核一次。

附件

己区城市管理考核评分表

考核项目\t考核内容\t分值\t评分标准
道路保洁\t主次干道保洁质量\t30\t发现一处不达标扣2分
公厕管理\t公厕日常保洁\t20\t发现一处不洁扣1分
"""


def test_scoring_table_values_are_scores():
    rows = [r for r in _rows(SCORING) if r.source == "table"]
    weights = [r for r in rows if r.value in ("30分", "20分")]
    assert [(r.subject, r.number, r.unit, r.kind) for r in weights] == [
        ("主次干道保洁质量", 30.0, "分", "score"),
        ("公厕日常保洁", 20.0, "分", "score"),
    ]
    # 扣2分 is how the item's 30 points are lost, not its score: it stays in the cited row only
    assert not [r for r in rows if r.value in ("2分", "1分")]
    assert "发现一处不达标扣2分" in weights[0].sentence


REGULATION = """庚市市容管理条例

第一章　总则

第一条　为了加强市容管理，制定本条例。

第二章　法律责任

第十条　违反本条例第六条规定，擅自设置户外广告的，由城市管理部门责令限期改正；逾期不改正的，处五百元以上三千元以下罚款。

第十一条　违反本条例规定，占道堆放物料的，由城市管理部门责令改正，处5000元以上5万元以下罚款。

第十二条　城市管理部门应当自受理申请之日起七个工作日内作出决定。
"""


def test_fines_in_a_regulation_are_penalties_with_their_range():
    rows = _rows(REGULATION)
    small = _by_value(rows, "五百元以上三千元以下")
    assert (small.kind, small.number, small.unit) == ("penalty", 500.0, "元")
    assert small.section_path[-1].startswith("第十条") and small.subject == "擅自设置户外广告的"
    big = _by_value(rows, "5000元以上5万元以下")
    assert (big.kind, big.number) == ("penalty", 5000.0) and big.subject == "占道堆放物料的"
    limit = _by_value(rows, "七个工作日内")
    assert (limit.kind, limit.number, limit.unit) == ("standard", 7.0, "个工作日")


REVIEW = """癸市城市管理“十五五”规划（2026—2030年）

第一章　发展基础

第一节　“十四五”主要成就

累计建成口袋公园90个，2025年底道路机扫率达到85%。

第二章　发展目标

2025年底全市公厕达到900座（规划编制时）。

到2030年底，全面消除52处易涝积水点，“首违不罚”事项由12项扩大至30项，全区厨余垃圾日均分出量达到60吨，较上年增长10%。

本规划所称大型设施，是指占地面积在五百平方米以上的设施。年度得分＝月度平均分×60%。
"""


def test_looking_back_definitions_and_old_figures_are_no_targets_a_formula_weight_is_a_score():
    rows = _rows(REVIEW)
    assert not [r for r in rows if r.section_path[0].startswith("第一章")]  # achievements of the last plan
    values = [r.value for r in rows]
    assert "900座" not in values  # reached before the plan's years
    assert "12项" not in values and "30项" in values  # 由12项扩大至30项: the old figure is no target
    assert "五百平方米以上" not in values  # a definition
    weight = _by_value(rows, "60%")  # a formula's weight is a score
    assert (weight.subject, weight.kind) == ("月度平均分", "score")


def test_subject_keeps_the_verb_of_removal_and_compared_growth_its_thing():
    rows = _rows(REVIEW)
    points = _by_value(rows, "52处")
    assert (points.subject, points.deadline, points.period) == ("消除易涝积水点", "2030-12-31", "2026—2030年")
    assert _by_value(rows, "10%").subject == "厨余垃圾日均分出量较上年增长"


RULES = """子市户外广告管理办法

第五条　电子显示屏播放公益广告的时间不得少于播放总时长的百分之二十。

第六条　设施应当每15日至少进行一次安全检查。

附件

审批时限表

情形\t法定时限\t承诺时限
面积200平方米以下的设置申请\t20个工作日\t3个工作日
"""


def test_a_qualifier_inside_the_words_and_figures_naming_a_table_row():
    rows = _rows(RULES)
    share = _by_value(rows, "百分之二十")
    assert (share.subject, share.qualifier, share.unit) == ("电子显示屏播放公益广告的时间", "不得少于", "%")
    assert _by_value(rows, "15日").subject == "进行一次安全检查"
    table = [r for r in rows if r.source == "table"]
    assert sorted(r.value for r in table) == [
        "20个工作日",
        "3个工作日",
    ]  # not 200平方米以下: it names the row
    assert all(r.subject == "面积200平方米以下的设置申请" and r.kind == "standard" for r in table)


CASES = """丑市市容工作要点

一、目标

新改建公厕30座，其中新建10座、改建20座。完成8条道路招牌整治，9月底前完成。
完成3条道路沿线500块招牌更换。2026年完成12处，2027年完成20处，剩余6处于2028年前完成。

二、考核

（一）工作经验被省级部门推广的，每项加3分。

（二）得分85分以上（含85分）的，为优秀。

第九条　违反本办法第三条规定堆放物料的，由城市管理部门责令改正，并处一千元以上五千元以下罚款。

第十条　在学校周边三十米范围内，不得设置户外广告。

三、办理要求

- 到现场次数：0次
"""


def test_subjects_taken_from_around_the_figure():
    rows = _rows(CASES)
    assert _by_value(rows, "20座").subject == "改建公厕"  # 其中…改建20座: the thing of the first figure
    roads = _by_value(rows, "8条")  # …，9月底前完成: the deadline clause says nothing of its own
    assert (roads.subject, roads.deadline_text) == ("道路招牌整治", "9月底前")
    assert not [r for r in rows if r.kind == "task"]
    assert "3条" not in {r.value for r in rows}  # 3条道路沿线500块: the roads place the signs
    assert [(r.value, r.period) for r in rows if r.value in ("12处", "20处")] == [
        ("12处", "2026年"),
        ("20处", "2027年"),
    ]
    assert _by_value(rows, "3分").subject == "工作经验被省级部门推广的"  # 每项加3分: the case before it
    assert [r.value for r in rows if r.value.startswith("85")] == ["85分以上"]  # （含85分） restates it
    fine = _by_value(rows, "一千元以上五千元以下")
    assert (fine.subject, fine.kind) == ("堆放物料的", "penalty")
    assert _by_value(rows, "0次").subject == "到现场次数"  # the label before the colon
    distance = _by_value(rows, "三十米")
    assert (distance.subject, distance.kind) == ("学校周边", "standard")


WHO_AND_WHEN = """寅市2026年城市建设工作要点

一、重点任务

1．完善运维制度。市住房和城乡建设局牵头编制排水设施养护技术规程，2026年10月底前印发实施。由市城管局牵头建立共享车位台账，9月底前上线。
市交通局、市公安局负责编制停车设施专项规划，2026年6月底前完成。

2．整治积水点。对全市52处易涝积水点实行“一点一策”整治，2026年底前消除30处，2027年底前全部消除。

3．优化公厕布局。按照城区步行15分钟可达的标准布局公厕，年内新改建公厕40座。（市城管局牵头）

4．提升投放点。新建、改造分类投放点200个，其中“精品投放点”不少于60个，6月底前完成100个。

附件

考核评分表

考核项目\t考核内容\t分值\t评分标准
市容秩序（20分）\t占道经营治理\t8\t发现占道经营的，每处扣0.3分
\t户外招牌管理\t6\t招牌破损未在5日内修复的，每处扣0.2分
创新工作\t特色亮点\t\t每项创新经验被推广的，加1分
"""


def test_units_named_at_the_start_of_a_sentence_are_responsible_and_not_the_subject():
    tasks = {r.deadline: r for r in _rows(WHO_AND_WHEN) if r.kind == "task"}
    rules_task = tasks["2026-10-31"]
    assert rules_task.responsible == ("市住房和城乡建设局",)
    assert rules_task.subject == "编制排水设施养护技术规程，印发实施"
    ledger = tasks["2026-09-30"]  # 由…牵头
    assert (ledger.responsible, ledger.subject) == (("市城管局",), "建立共享车位台账，上线")
    plan = tasks["2026-06-30"]  # …负责, two units
    assert (plan.responsible, plan.subject) == (("市交通局", "市公安局"), "编制停车设施专项规划，完成")


def test_each_deadline_clause_of_a_counted_task_is_its_own_row_naming_the_thing():
    rows = [r for r in _rows(WHO_AND_WHEN) if "积水点" in r.sentence]
    first = _by_value(rows, "30处")
    assert (first.subject, first.deadline) == ("消除易涝积水点", "2026-12-31")
    rest = [r for r in rows if r.kind == "task"]
    assert [(r.subject, r.deadline) for r in rest] == [("全部消除易涝积水点", "2027-12-31")]
    # past a 其中 part the figure is of the whole again
    assert _by_value(_rows(WHO_AND_WHEN), "100个").subject == "新建、改造分类投放点"
    for r in rows:  # no subject holds a deadline or another row's figure
        assert not re.search(r"\d|底前", r.subject), r.subject


def test_a_scoring_rows_value_is_its_score_column_not_its_deduction():
    rows = [r for r in _rows(WHO_AND_WHEN) if r.source == "table"]
    signs = [r for r in rows if r.subject == "户外招牌管理" and r.kind == "score"]
    assert [r.value for r in signs] == ["6分"]
    assert "每处扣0.2分" in signs[0].sentence
    assert not [r for r in rows if r.value in ("0.3分", "0.2分")]
    # a row with no score of its own keeps the points its rule gives
    assert _by_value(rows, "1分").kind == "score"


def test_a_standard_figure_names_what_it_is_the_standard_for():
    rows = _rows(WHO_AND_WHEN)
    walk = _by_value(rows, "15分钟")
    assert (walk.subject, walk.kind, walk.scope) == ("布局公厕（步行可达）", "standard", "城区")
    assert _by_value(rows, "40座").responsible == ("市城管局",)
    # no subject starts with a dangling particle or modifier (的, 可达的)
    assert not [r.subject for r in rows if re.match(r"^(?:[的等之]|[\u4e00-\u9fff]{1,2}的)", r.subject)]


SECOND_LOOK = """卯市2026年工作要点

一、目标

到2026年，建成区绿化覆盖率达到43%。各区于2026年8月底前报送本区停车设施建设计划。

二、考核

（二）得分75分以上不满85分的，为良好。

沿街门店外摆时间不超过2小时且不影响通行的，可以不办理审批。
"""


def test_subjects_found_wrong_in_a_later_sample():
    rows = _rows(SECOND_LOOK)
    assert _by_value(rows, "43%").subject == "建成区绿化覆盖率"  # 建成区 is a noun, not 建成 + 区
    report = next(r for r in rows if r.kind == "task")  # 各区于…前报送: the places do it
    assert (report.responsible, report.subject) == (("各区",), "报送本区停车设施建设计划")
    assert [_by_value(rows, v).subject for v in ("75分以上", "85分")] == ["得分", "得分"]  # not 不满
    assert _by_value(rows, "2小时").subject == "沿街门店外摆时间"  # not 且不影响通行的
