"""The 指标 tab in headless Chromium over the real corpus: search the ledger, open a row's passage,
compare one subject across documents, see a month's deadlines, export the view as XLSX."""

import re

import pytest

from tests.e2e.contrast import contrast

pytestmark = pytest.mark.e2e


def _table_column(page, table: str, col: int) -> list[str]:
    # Gradio's Dataframe draws rows as div[role=row] with cells data-testid="cell-<row>-<col>".
    cells = page.locator(f"{table} [data-testid^='cell-'][data-testid$='-{col}']")
    return [c.inner_text().strip() for c in cells.all()]


def test_search_open_compare_deadlines_and_export(page, live_app, tmp_path):
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    from policyqa.ledger_export import COLUMNS

    url, _, _ = live_app
    page.goto(url)
    page.get_by_role("tab", name="指标").click()
    expect(page.locator("#pq-targets-count")).to_contain_text("来自 5 份文件")

    # 1. search: rows about 公厕 from at least two documents
    page.fill("#pq-targets-search textarea", "公厕")
    page.click("#pq-targets-go")
    count = page.locator("#pq-targets-count")
    expect(count).to_contain_text("“公厕”：共")
    docs = int(re.search(r"来自 (\d+) 份文件", count.inner_text()).group(1))
    assert docs >= 2
    subjects = _table_column(page, "#pq-targets-table", 1)
    files = _table_column(page, "#pq-targets-table", 6)
    assert subjects and all(f.startswith("《") for f in files)
    assert len(set(files)) >= 2 and any("厕" in s for s in subjects)

    # 2. a row opens its passage in the viewer, the sentence marked
    row = next(i for i, s in enumerate(subjects) if "厕" in s)
    page.locator(f"#pq-targets-table [data-testid='cell-{row}-1']").click()
    cited = page.locator("#pq-targets-viewer mark#pq-cited")
    expect(cited).to_contain_text("厕")
    expect(page.locator("#pq-targets-viewer .pq-viewer-title")).to_contain_text(files[row].strip("《》"))
    expect(cited).to_be_in_viewport()

    # 3. export the search as XLSX and read it back
    page.click("#pq-targets-export-btn")
    download = page.locator("#pq-targets-download")
    expect(download).to_be_visible()
    with page.expect_download() as info:
        download.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    lines = list(load_workbook(saved).active.iter_rows(values_only=True))
    assert list(lines[0]) == list(COLUMNS)
    assert len(lines) - 1 == len(subjects) and any("厕" in (line[0] or "") for line in lines[1:])

    # 4. compare: 公厕 side by side, a column per document
    page.get_by_role("tab", name="对比").click()
    page.locator("#pq-targets-subject input").fill("公厕")
    page.click("#pq-targets-compare")
    matrix = page.locator("#pq-targets-matrix .pq-cmp")
    expect(matrix).to_be_visible()
    assert matrix.locator("thead th").count() >= 3  # 比较项 + at least two documents
    expect(matrix.locator("tbody tr").first).to_contain_text("座")
    expect(download).to_be_hidden()  # the exported file was the search's, not this view's
    # a value in the matrix opens its sentence, as a source card does
    value = matrix.locator(".pq-cmp-value").first
    value.click()
    sentence = value.get_attribute("title")  # the cell's tooltip is its sentence
    expect(page.locator("#pq-targets-viewer mark#pq-cited")).to_have_text(sentence)

    # 5. deadlines: the first month in the data, grouped by responsible unit
    page.get_by_role("tab", name="到期").click()
    page.click("#pq-targets-due")
    expect(page.locator("#pq-targets-due-count")).to_contain_text("到期：共")
    assert _table_column(page, "#pq-targets-due-table", 1)


@pytest.mark.parametrize(
    "options",
    [
        {"viewport": {"width": 1440, "height": 1000}, "color_scheme": "dark"},
        {
            "viewport": {"width": 390, "height": 844},
            "is_mobile": True,
            "has_touch": True,
            "color_scheme": "dark",
        },
        {
            "viewport": {"width": 390, "height": 844},
            "is_mobile": True,
            "has_touch": True,
            "color_scheme": "light",
        },
    ],
    ids=["dark", "phone-dark", "phone-light"],
)
def test_tables_and_matrix_readable_in_dark_and_on_a_phone(browser, live_app, options):
    from playwright.sync_api import expect

    url, _, _ = live_app
    context = browser.new_context(locale="zh-CN", **options)
    page = context.new_page()
    page.set_default_timeout(60_000)
    width = options["viewport"]["width"]

    def readable(*selectors):
        for selector in selectors:
            found = contrast(page, selector)
            assert found["ratio"] >= 4.5, (selector, found)
        # The page never scrolls sideways: wide tables scroll inside their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1

    try:
        page.goto(url)
        page.get_by_role("tab", name="指标").click()
        expect(page.locator("#pq-targets-table [data-testid='cell-0-1']")).to_be_visible()
        readable(
            "#pq-targets-count p",
            "#pq-targets-table [data-testid='cell-0-1'] span",
            "#pq-targets-table thead th span",
        )
        page.get_by_role("tab", name="对比").click()
        page.locator("#pq-targets-subject input").fill("公厕")
        page.keyboard.press("Escape")  # close the suggestions over the button
        page.click("#pq-targets-compare")
        matrix = page.locator("#pq-targets-matrix .pq-cmp")
        expect(matrix).to_be_visible()
        readable(
            "#pq-targets-matrix thead th",
            "#pq-targets-matrix tbody th",
            "#pq-targets-matrix .pq-cmp-value",
            "#pq-targets-matrix .pq-cmp-none",
            "#pq-targets-compare-table [data-testid='cell-0-1'] span",
        )
        if width < 720:  # on a phone a matrix column keeps a readable width; the matrix scrolls instead
            assert matrix.locator("tbody td").first.bounding_box()["width"] >= 100
        page.get_by_role("tab", name="到期").click()
        page.click("#pq-targets-due")
        expect(page.locator("#pq-targets-due-table [data-testid='cell-0-1']")).to_be_visible()
        readable("#pq-targets-due-count p", "#pq-targets-due-table [data-testid='cell-0-1'] span")
    finally:
        context.close()
