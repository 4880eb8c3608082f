"""Readable in the dark scheme and on a phone, and the 全文检索 list: headless Chromium against the
live app. Screenshots go to the test's tmp dir."""

import pytest

from tests.e2e.contrast import contrast
from tests.e2e.ui import ask

pytestmark = pytest.mark.e2e


READABLE = [
    "#pq-cards .pq-card .pq-quote",
    "#pq-cards .pq-card .pq-title",
    "#pq-cards .pq-cards-head",
    "#pq-send",  # a primary button: the theme's white on blue
]
# The side viewer's own text: title, place, outline, the cited sentence, the document, its close button.
VIEWER_READABLE = [
    "#pq-viewer-panel .pq-viewer-title",
    "#pq-viewer-panel .pq-viewer-where",
    "#pq-viewer-panel .pq-meta .pq-file",
    "#pq-viewer-panel .pq-outline a",
    "#pq-viewer-panel .pq-here-badge",
    "#pq-viewer-panel mark#pq-cited",
    "#pq-viewer-panel .pq-doc",
    "#pq-viewer-close",
]


def _new_page(browser, **options):
    context = browser.new_context(locale="zh-CN", **options)
    page = context.new_page()
    page.set_default_timeout(60_000)
    return context, page


def _first_example(page) -> str:
    from playwright.sync_api import expect

    expect(page.locator("#pq-examples")).to_contain_text("？", timeout=30_000)
    lines = page.locator("#pq-examples").inner_text().splitlines()
    return next(line.strip() for line in lines if line.strip().endswith("？"))


def test_a_forced_light_theme_keeps_the_apps_own_colours_light(browser, live_app):
    """A dark system with ?__theme=light: Gradio draws light, and so must the app's own parts."""
    url, _, _ = live_app
    context, page = _new_page(browser, viewport={"width": 1440, "height": 1000}, color_scheme="dark")
    try:
        page.goto(url.rstrip("/") + "/?__theme=light")
        page.wait_for_function("() => !document.body.classList.contains('dark')")
        ask(page, _first_example(page))
        found = contrast(page, "#pq-cards .pq-card .pq-quote")
        assert found["bg"] == "255,255,255" and found["ratio"] >= 4.5, found
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_cards_and_viewer_are_readable_in_both_schemes(browser, live_app, tmp_path, scheme):
    from playwright.sync_api import expect

    url, _, _ = live_app
    context, page = _new_page(browser, viewport={"width": 1440, "height": 1000}, color_scheme=scheme)
    try:
        page.goto(url)
        # Gradio follows the system's scheme with body.dark; the app's colours follow both.
        page.wait_for_function("d => document.body.classList.contains('dark') === d", arg=scheme == "dark")
        _first_example(page)
        assert page.evaluate("window.scrollY") == 0  # nothing scrolls the page by itself on load
        # The status line in plain words; the embedding model only under 关于本系统.
        status = page.locator("#pq-status")
        expect(status).to_contain_text("已收录 5 份文件 · 更新于")
        expect(status.get_by_text("向量模型")).to_be_hidden()
        status.get_by_text("关于本系统").click()
        expect(status.get_by_text("向量模型")).to_be_visible()
        ask(page, _first_example(page))
        expect(page.locator("#pq-cards .pq-card").first).to_be_visible()
        for selector in READABLE:
            found = contrast(page, selector)
            assert found["ratio"] >= 4.5, (scheme, selector, found)
        page.screenshot(path=str(tmp_path / f"screen-{scheme}.png"))
        page.locator("#pq-cards .pq-card").first.click()
        expect(page.locator("#pq-viewer-panel mark#pq-cited")).to_be_visible()
        for selector in VIEWER_READABLE:
            found = contrast(page, selector)
            assert found["ratio"] >= 4.5, (scheme, selector, found)
        # The answer's source line under the cards head stays readable too.
        found = contrast(page, "#pq-cards .pq-turn-q")
        assert found["ratio"] >= 4.5, (scheme, "#pq-cards .pq-turn-q", found)
        assert (tmp_path / f"screen-{scheme}.png").stat().st_size > 10_000
    finally:
        context.close()


def test_phone_shows_sources_right_after_the_answer(browser, live_app, tmp_path):
    from playwright.sync_api import expect

    url, _, _ = live_app
    context, page = _new_page(
        browser, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    try:
        page.goto(url)
        ask(page, _first_example(page))
        expect(page.locator("#pq-cards .pq-card").first).to_be_visible()
        # Gradio floats the "对话" label over the chat: the scrolling messages start below it.
        label = page.locator("#pq-chat [data-testid='block-label']").bounding_box()
        messages = page.locator("#pq-chat .bubble-wrap").bounding_box()
        assert messages["y"] >= label["y"] + label["height"], (label, messages)
        # The comment hint names the rating icons in words: no emoji to render as empty boxes.
        hint = page.locator("#pq-comment textarea").get_attribute("placeholder")
        assert "赞/踩" in hint and all(ord(ch) <= 0xFFFF for ch in hint), hint  # emoji lie beyond U+FFFF
        top = {
            sel: page.locator(sel).first.bounding_box()["y"]
            for sel in (
                "#pq-chat",
                "#pq-ask-row",
                "#pq-cards",
                "#pq-examples",
                "#pq-feedback-row",
            )
        }
        assert top["#pq-chat"] < top["#pq-ask-row"] < top["#pq-cards"] < top["#pq-examples"], top
        assert top["#pq-cards"] < top["#pq-feedback-row"], top
        # The question box and its buttons stay on one line; the two feedback buttons share theirs.
        row = [page.locator(s).bounding_box() for s in ("#pq-question", "#pq-send", "#pq-clear")]
        assert max(b["y"] for b in row) - min(b["y"] for b in row) < 12, row
        # The comment box fills its line and its send button takes the whole next one: no orphan.
        comment, send = (page.locator(s).bounding_box() for s in ("#pq-comment", "#pq-comment-send"))
        assert send["width"] > 300 or abs(comment["y"] - send["y"]) < 12, (comment, send)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # no sideways scrolling
        for selector in READABLE:
            assert contrast(page, selector)["ratio"] >= 4.5, selector
        page.screenshot(path=str(tmp_path / "screen-phone.png"), full_page=True)
        assert (tmp_path / "screen-phone.png").stat().st_size > 10_000
        # The documents table scrolls inside its box; the page itself never scrolls sideways.
        page.get_by_role("tab", name="文件管理").click()
        expect(page.locator("#pq-docs-table")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    finally:
        context.close()


def test_find_lists_each_sentence_once_with_every_match_marked(page, live_app):
    from playwright.sync_api import expect

    from index import load, structure
    from policyqa.web.mentions import find_sentences

    url, settings, _ = live_app
    docs = []
    for path in sorted(settings.corpus.iterdir()):
        document = structure.parse(load.read_document(path, settings.corpus))
        docs.append((document.meta, document.text, document.sections))
    rows = find_sentences("公厕", docs)
    matches = sum(len(r.spans) for r in rows)
    assert matches > len(rows)  # some sentence holds the term more than once: the case to check

    page.goto(url)
    page.get_by_role("tab", name="全文检索").click()
    page.fill("#pq-term textarea, #pq-term input", "公厕")
    page.click("#pq-find")
    hits = page.locator("#pq-mentions .pq-hit")
    expect(hits).to_have_count(len(rows))
    expect(page.locator("#pq-mentions .pq-hit mark")).to_have_count(matches)
    keys = hits.evaluate_all("els => els.map(e => e.dataset.file + ':' + e.dataset.start)")
    assert len(set(keys)) == len(keys)
    expect(page.locator("#pq-mentions .pq-mentions-head")).to_contain_text(f"共出现 {matches} 次")
    page.click("#pq-export-csv")
    expect(page.locator("#pq-export-file")).to_contain_text(".csv")


def test_upload_messages_are_in_chinese(page, live_app, tmp_path):
    from playwright.sync_api import expect

    url, settings, _ = live_app
    page.goto(url)
    page.get_by_role("tab", name="文件管理").click()
    page.click("#pq-add")  # nothing chosen yet: say what to do
    expect(page.locator("#pq-manage-log")).to_contain_text("请先在上方“添加文件”框中点击选择或拖入文件")
    bad = tmp_path / "说明.exe"
    bad.write_bytes(b"MZ not a document")
    page.set_input_files("#pq-upload input[type=file]", str(bad))
    expect(page.locator("#pq-upload")).to_contain_text("说明.exe")
    page.click("#pq-add")
    log = page.locator("#pq-manage-log")
    expect(log).to_contain_text("说明.exe：不支持“.exe”类型的文件")
    assert "Invalid file type" not in page.content() and "unsupported" not in log.inner_text()
    assert not (settings.corpus / "说明.exe").exists()
