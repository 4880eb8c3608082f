"""What every browser test does with the chat: ask a question and wait for its answer."""


def ask(page, question: str) -> str:
    """Ask in the 问答 tab; return the answer's text once it (and its cards) has arrived."""
    bots = page.locator("#pq-chat .message-row.bot-row")
    before = bots.count()
    page.fill("#pq-question textarea", question)
    page.click("#pq-send")
    # the placeholder message is replaced when the answer (and its cards) arrive
    page.wait_for_function(
        "n => { const rows = document.querySelectorAll('#pq-chat .message-row.bot-row');"
        " return rows.length > n && !rows[rows.length - 1].innerText.includes('正在检索'); }",
        arg=before,
    )
    return bots.last.inner_text()
