"""The chat staff keep open all day, in headless Chromium: the conversation survives a reload,
[n] opens the passage beside the answer, copy carries the sources, 👍/👎 shows one choice,
conversations are listed, renamed, exported and deleted, and managers read the feedback."""

import json
import re
import time

import pytest

from policyqa.web.chat_tab import STORAGE_KEY
from tests.e2e.ui import ask

pytestmark = pytest.mark.e2e

QUESTION = "无锡2025年要新改建多少座公厕？"
# Text of the real corpus document (2025年城市管理工作要点) the answer cites as [2].
SECOND_QUOTE = "社会公厕不少于300座"


@pytest.fixture
def chat_page(browser):
    context = browser.new_context(
        viewport={"width": 1440, "height": 1000},
        locale="zh-CN",
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        yield page
    finally:
        context.close()


def _logged(settings, done, seconds: float = 15) -> list[dict]:
    """The feedback log's lines once `done(lines)` holds (the server writes them after the click)."""
    lines: list[dict] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if settings.feedback_log.exists():
            text = settings.feedback_log.read_text(encoding="utf-8")
            lines = [json.loads(line) for line in text.splitlines()]
            if done(lines):
                break
        time.sleep(0.2)
    return lines


def test_reload_refs_viewer_copy_and_feedback(chat_page, live_app):
    from playwright.sync_api import expect

    page = chat_page
    url, settings, _ = live_app
    page.goto(url)
    expect(page.locator("#pq-status")).to_contain_text("已收录")
    expect(page.get_by_role("tab")).to_have_count(
        4
    )  # 问答, 全文检索, 指标, 文件管理: the sidebar and browser state add no tab
    expect(page.locator("#pq-feedback-row")).to_be_hidden()  # nothing to rate yet
    ask(page, QUESTION)
    expect(page.locator("#pq-feedback-row")).to_be_visible()

    # 1. a reload keeps the conversation, its cards and its place in the list
    page.reload()
    bot = page.locator("#pq-chat .message-row.bot-row")
    expect(bot).to_have_count(1)
    expect(bot.first).to_contain_text("20座")
    expect(page.locator("#pq-cards .pq-turn.pq-shown .pq-card").first).to_be_visible()
    expect(page.locator("#pq-convs")).to_contain_text(QUESTION)

    # 2. [2] shows its card and opens the viewer beside the answer at that passage; ✕ closes it
    page.locator("#pq-chat a.pq-ref-n2").first.click()
    panel = page.locator("#pq-viewer-panel")
    expect(panel).to_be_visible()
    cited = page.locator("#pq-viewer mark#pq-cited")
    expect(cited).to_contain_text(SECOND_QUOTE)
    expect(cited).to_be_in_viewport()
    active = page.locator("#pq-cards .pq-card.pq-active")
    expect(active).to_have_count(1)
    assert re.search(r"(^| )2:\d+-\d+", active.get_attribute("data-ns"))
    expect(page.locator("#pq-viewer .pq-outline .pq-quote-here")).to_contain_text("引文所在")
    box = panel.bounding_box()
    assert box["x"] >= 1440 / 2 and box["height"] >= 900  # a side panel, not under the cards
    # … beside the answer: the question box and the answer stay uncovered
    for selector in ("#pq-send", "#pq-clear", "#pq-chat"):
        seen = page.locator(selector).bounding_box()
        assert seen["x"] + seen["width"] <= box["x"] + 1, selector
    page.click("#pq-viewer-close")
    expect(panel).to_be_hidden()

    # 3. copy: the answer with its numbered references
    page.locator("#pq-cards .pq-turn.pq-shown .pq-copy").click()
    expect(page.locator("#pq-cards .pq-turn.pq-shown .pq-copy")).to_contain_text("已复制")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "20座" in copied and "参考出处：" in copied
    assert re.search(rf"\[2\] 《2025年城市管理工作要点》.*{SECOND_QUOTE}", copied), copied

    # 4. 👍 then 👎: one choice, visibly selected, kept over a reload, each change logged
    page.locator("#pq-chat button[aria-label='赞']").last.click()
    expect(page.locator("#pq-chat button[aria-label='Liked']")).to_have_count(1)
    page.locator("#pq-chat button[aria-label='踩']").last.click()
    expect(page.locator("#pq-chat button[aria-label='Disliked']")).to_have_count(1)
    expect(page.locator("#pq-chat button[aria-label='Liked']")).to_have_count(0)
    page.fill("#pq-comment textarea", "希望列出全部指标")
    saved = page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')")
    page.click("#pq-comment-send")
    # the browser has stored the conversation with the comment before the reload below
    page.wait_for_function(f"old => localStorage.getItem('{STORAGE_KEY}') !== old", arg=saved)
    lines = _logged(settings, lambda lines: lines and lines[-1]["comment"] == "希望列出全部指标")
    assert [r["rating"] for r in lines][-3:] == ["up", "down", "down"], lines
    assert lines[-1]["comment"] == "希望列出全部指标" and lines[-1]["answer_id"] == lines[0]["answer_id"]
    page.reload()
    expect(page.locator("#pq-chat .message-row.bot-row")).to_have_count(1)
    expect(page.locator("#pq-chat button[aria-label='Disliked']")).to_have_count(1)
    expect(page.locator("#pq-comment textarea")).to_have_value("希望列出全部指标")

    # 5. managers (everyone, without roles) read the feedback in the documents tab
    page.get_by_role("tab", name="文件管理").click()
    page.get_by_text("用户反馈（赞/踩 与意见）").click()
    page.click("#pq-feedback-refresh")
    expect(page.locator("#pq-feedback-table")).to_contain_text("希望列出全部指标")
    expect(page.locator("#pq-feedback-summary")).to_contain_text("踩 1 条")


def test_conversation_list_new_switch_rename_export_delete(chat_page, live_app):
    from playwright.sync_api import expect

    page = chat_page
    url, _, _ = live_app
    page.goto(url)
    expect(page.locator("#pq-status")).to_contain_text("已收录")
    ask(page, "主干道机扫率要达到多少？")
    ask(page, "那公厕呢？")  # a follow-up in the same conversation
    expect(page.locator("#pq-chat .message-row.bot-row")).to_have_count(2)
    page.click("#pq-new")
    expect(page.locator("#pq-chat .message-row")).to_have_count(0)
    ask(page, QUESTION)
    convs = page.locator("#pq-convs label")
    expect(convs).to_have_count(2)
    expect(convs.first).to_contain_text(QUESTION)  # the newest first

    # back to the first conversation: both answers and their cards
    convs.filter(has_text="主干道机扫率要达到多少？").click()
    expect(page.locator("#pq-chat .message-row.bot-row")).to_have_count(2)
    expect(page.locator("#pq-chat")).to_contain_text("100%")
    expect(page.locator("#pq-cards .pq-turn")).to_have_count(2)

    page.get_by_text("重命名 / 删除 / 导出当前对话").click()
    page.fill("#pq-title textarea", "环卫指标")
    page.click("#pq-rename")
    expect(page.locator("#pq-convs")).to_contain_text("环卫指标")

    page.click("#pq-export")
    expect(page.locator("#pq-export-file")).to_contain_text(".docx")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#pq-delete")
    expect(convs).to_have_count(1)
    expect(page.locator("#pq-convs")).not_to_contain_text("环卫指标")
    expect(page.locator("#pq-chat")).to_contain_text("20座")  # the other one comes on screen
    page.reload()
    expect(page.locator("#pq-convs label")).to_have_count(1)
