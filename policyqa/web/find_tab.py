"""The 全文检索 tab: every mention of a term in every document, each opening the document viewer."""

import gradio as gr

from policyqa.web.library import Library
from policyqa.web.mentions import find_mentions, mentions_html
from policyqa.web.panels import open_viewer_on_click, sources_panel, viewer_panel


def find_tab(lib: Library) -> None:
    """Lay out the find tab inside the current `gr.Tabs` and wire its events."""

    def find(term):
        docs = []
        for file, (meta, sections) in lib.documents().items():
            text = lib.texts.get(file)
            if text is not None:
                docs.append((meta, text, sections))
        return mentions_html(term or "", find_mentions(term or "", docs))

    with gr.Tab("全文检索", id="find"):
        with gr.Row():
            term = gr.Textbox(
                placeholder="输入词语，如：垃圾分类", show_label=False, scale=6, elem_id="pq-term"
            )
            find_btn = gr.Button("列出所有出处", variant="primary", scale=1, elem_id="pq-find")
        with gr.Row(equal_height=False):
            with gr.Column(scale=1):
                mentions = sources_panel(mentions_html("", []), elem_id="pq-mentions")
            with gr.Column(scale=1):
                find_viewer = viewer_panel(elem_id="pq-find-viewer")

    open_viewer_on_click(lib, mentions, find_viewer)
    term.submit(find, term, mentions, api_visibility="private")
    find_btn.click(find, term, mentions, api_visibility="private")
