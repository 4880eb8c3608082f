"""Staff's path through the app in headless Chromium: ask, read the sources, open the passage,
add a document and ask about it. (README screenshots: scripts/screenshots.py.)"""

import time

import pytest

from policyqa.web.examples import clean_heading
from tests.e2e.ui import ask

pytestmark = pytest.mark.e2e

NEW_DOC = """青禾区2024年绿化工作要点

一、工作目标

全年新增口袋公园37个，新增绿道23.5公里，城区绿化覆盖率达到43.6%。

二、重点任务

（一）推进口袋公园建设。各街道要结合老旧小区改造，利用边角地建设口袋公园。
"""


def _clear(page):
    from playwright.sync_api import expect

    page.click("#pq-clear")
    expect(page.locator("#pq-chat .message-row")).to_have_count(0)


def test_staff_flow_ask_cite_view_upload(page, live_app, tmp_path):
    from playwright.sync_api import expect

    url, settings, built = live_app
    started = time.perf_counter()
    page.goto(url)
    expect(page.locator("#pq-status")).to_contain_text("已收录 5 份文件")

    # 1. ask: the answer carries the figure; a source card names the document and the section
    answer = ask(page, "主干道机扫率要达到多少？")
    assert "100%" in answer
    card = page.locator("#pq-cards .pq-card", has_text="南京市2023年城市管理工作实施意见").filter(
        has_text="2．抓好精细化环卫保洁"
    )
    expect(card.first).to_be_visible()
    expect(card.first.locator("mark")).to_contain_text("100%")
    expect(card.first).to_contain_text("宁政办发〔2023〕3号")
    page.screenshot(path=str(tmp_path / "answer.png"))

    # 2. the card opens the document viewer at the highlighted passage
    card.first.click()
    cited = page.locator("#pq-viewer mark#pq-cited")
    expect(cited).to_contain_text("100%")
    expect(page.locator("#pq-viewer .pq-viewer-title")).to_contain_text("南京市2023年城市管理工作实施意见")
    expect(page.locator("#pq-viewer .pq-outline")).to_contain_text("三、工作任务")
    expect(cited).to_be_in_viewport()

    # 3. add a new document through the documents tab
    upload = tmp_path / "青禾区2024年绿化工作要点.txt"
    upload.write_text(NEW_DOC, encoding="utf-8")
    page.get_by_role("tab", name="文件管理").click()
    page.set_input_files("#pq-upload input[type=file]", str(upload))
    expect(page.locator("#pq-upload")).to_contain_text("青禾区2024年绿化工作要点")
    page.click("#pq-add")
    expect(page.locator("#pq-manage-log")).to_contain_text(
        "已添加 青禾区2024年绿化工作要点.txt", timeout=120_000
    )
    expect(page.locator("#pq-status")).to_contain_text("已收录 6 份文件")
    assert (settings.corpus / "青禾区2024年绿化工作要点.txt").read_text(encoding="utf-8") == NEW_DOC

    # 4. a question only the new document answers
    page.get_by_role("tab", name="问答").click()
    page.click("#pq-clear")
    expect(page.locator("#pq-chat .message-row")).to_have_count(0)
    expect(page.locator("#pq-cards .pq-card")).to_have_count(0)
    answer = ask(page, "青禾区2024年要新增多少公里绿道？")
    assert "23.5公里" in answer
    expect(page.locator("#pq-cards .pq-card", has_text="青禾区2024年绿化工作要点").first).to_be_visible()
    print(f"\ne2e: index built in {built:.0f} s, browser flow {time.perf_counter() - started:.0f} s")


def test_examples_followups_filters_and_english(page, live_app):
    """What a new user tries first: every start-page example answers with content (not a bare
    heading); a standalone question after a follow-up stays standalone; an English question leads
    with the asked figure; a question naming a document the filter leaves out says so."""
    from playwright.sync_api import expect

    url, _, _ = live_app
    page.goto(url)
    expect(page.locator("#pq-status")).to_contain_text("已收录")
    expect(page.locator("#pq-examples")).to_contain_text("？", timeout=30_000)
    shown = page.locator("#pq-examples").inner_text()
    texts = [line.strip() for line in shown.splitlines() if line.strip().endswith("？")]
    assert len(texts) >= 5, shown
    for text in texts:
        _clear(page)
        answer = ask(page, text)
        assert "未找到" not in answer, (text, answer)
        # Content, not a bare heading: some card quotes more than the heading of its section.
        cards = page.locator("#pq-cards .pq-card").evaluate_all(
            "els => els.map(e => [(e.querySelector('mark') || e.querySelector('.pq-quote')).innerText,"
            " [...e.querySelectorAll('.pq-path span')].map(s => s.innerText)])"
        )
        assert any(
            clean_heading(q) and clean_heading(q) not in {clean_heading(h) for h in path} for q, path in cards
        ), (text, cards)

    _clear(page)
    ask(page, "南京2023年主干道机扫率要达到多少？")
    answer = ask(page, "哪份文件提到潮汐公厕？")
    assert "无锡" in answer and "南京2023年哪份" not in answer

    _clear(page)
    answer = ask(page, "What is Wuxi's target for new public toilets in 2025?")
    assert answer.lstrip().startswith("新改建公厕20座")

    _clear(page)
    page.click("#pq-filter input")
    page.keyboard.type("2025年城市管理工作要点")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    answer = ask(page, "南京2023年主干道机扫率要达到多少？")
    assert "所选文件不包括" in answer and "100%" not in answer
