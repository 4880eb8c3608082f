"""What counts as a place in a question: administrative names and place positions, never common nouns."""

import pytest

from retrieval.places import divisions, english_places, is_common_word, question_places, strip_admin_suffix


@pytest.mark.parametrize(
    ("question", "places"),
    [
        # common nouns jieba tags as places
        ("这些东西由谁负责？", []),
        ("有哪些方面的要求？", []),
        ("中央有什么部署？", []),
        ("全国推广了哪些做法？", []),
        ("城市管理的目标是什么？", []),
        ("老城区改造有哪些任务？", []),
        ("中心城区建设目标是什么？", []),
        ("新城区建设有哪些举措？", []),
        ("示范区建设要求是什么？", []),
        ("白银价格上涨了吗？", []),  # silver, though 白银 is also a city
        ("全市共有多少座公厕？", []),
        ("各区县要做什么？", []),
        ("推动企业上市有哪些措施？", []),
        ("长治久安靠什么？", []),  # a place short name inside an idiom
        ("哪个城市提到了潮汐车道？", []),
        ("一个没有地名的问题是什么样的？", []),
        # real administrative names
        ("上海的垃圾分类怎么做？", ["上海"]),
        ("南京市鼓楼区新增多少公厕？", ["南京市", "鼓楼区"]),
        ("鼓楼区有哪些项目？", ["鼓楼区"]),
        ("那无锡呢？", ["无锡"]),
        ("苏州2023年计划建设多少公园？", ["苏州"]),
        ("白银市的规划是什么？", ["白银市"]),
        ("宁夏回族自治区的要求", ["宁夏回族自治区"]),
        ("浦东新区有什么安排？", ["浦东新区"]),
        # invented names, detected by where they stand
        ("澜江市2024年新增多少公厕？", ["澜江市"]),
        ("在桐溪区有什么安排？", ["桐溪区"]),
        ("澜江的城市管理有什么目标？", ["澜江"]),
        # foreign places CC-CEDICT knows only as proper nouns
        ("东京的垃圾分类怎么做？", ["东京"]),
    ],
)
def test_question_places(question, places):
    assert question_places(question) == places


@pytest.mark.parametrize(
    ("question", "places"),
    [
        ("How many public toilets are there in Suzhou?", ["苏州"]),
        ("What does Wuxi plan for 2024?", ["无锡"]),
        ("What is the target?", []),
        ("In Nanjing's plan", ["南京"]),
        ("Xi'an and Beijing", ["西安", "北京"]),
        ("Guide to the plan", []),  # 贵德 (Guide) is county-level: needs a qualifier
        ("Projects in Gulou District", ["鼓楼"]),
    ],
)
def test_english_places(question, places):
    assert english_places(question) == places


def test_english_places_prefers_the_callers_places_for_shared_readings():
    assert english_places("Suzhou", prefer={"宿州"}) == ["宿州"]


@pytest.mark.parametrize(
    ("place", "stem"),
    [
        ("南京市", "南京"),
        ("桐溪区", "桐溪"),
        ("宁夏回族自治区", "宁夏"),
        ("延边朝鲜族自治州", "延边"),
        ("城区", "城区"),
        ("上海", "上海"),
    ],
)
def test_strip_admin_suffix(place, stem):
    assert strip_admin_suffix(place) == stem


def test_gazetteer_and_dictionary_load_offline():
    names = {d.name: d for d in divisions()}
    assert len(names) > 3000
    assert names["江苏省"].level == "province" and names["无锡市"].level == "prefecture"
    assert names["江阴市"].level == "county"
    assert is_common_word("东西") and not is_common_word("无锡")
