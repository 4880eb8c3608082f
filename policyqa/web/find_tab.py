"""The 全文检索 tab: every sentence that mentions a term in every document, each opening the
document viewer, and the result list exported as CSV or Excel."""

from datetime import datetime

import gradio as gr

from policyqa.web.library import Library
from policyqa.web.mentions import EXPORT_HEADER, find_sentences, mention_table, mentions_html
from policyqa.web.panels import open_viewer_on_click, sources_panel, viewer_panel
from policyqa.web.table_export import write_csv, write_xlsx


def find_tab(lib: Library) -> None:
    """Lay out the find tab inside the current `gr.Tabs` and wire its events."""

    def rows_for(term):
        docs = []
        for file, (meta, sections) in lib.documents().items():
            text = lib.texts.get(file)
            if text is not None:
                docs.append((meta, text, sections))
        return find_sentences(term or "", docs)

    def find(term):
        return mentions_html(term or "", rows_for(term)), gr.update(visible=False, value=None)

    def export(term, fmt):
        rows = rows_for(term)
        if not rows:
            gr.Warning("没有可导出的结果：请先输入词语并点击“列出所有出处”。")
            return gr.update(visible=False, value=None)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        name = "".join(ch for ch in term.strip() if ch not in '\\/:*?"<>|')[:20] or "结果"
        path = lib.export_dir / f"全文检索-{name}-{stamp}.{fmt}"
        write = write_csv if fmt == "csv" else write_xlsx
        write(path, EXPORT_HEADER, mention_table(rows))
        return gr.update(visible=True, value=str(path))

    with gr.Tab("全文检索", id="find"):
        with gr.Row(elem_id="pq-find-row"):
            term = gr.Textbox(
                placeholder="输入词语，如：垃圾分类", show_label=False, scale=6, elem_id="pq-term"
            )
            find_btn = gr.Button("列出所有出处", variant="primary", scale=1, min_width=120, elem_id="pq-find")
        with gr.Row(elem_id="pq-find-export"):
            csv_btn = gr.Button("导出 CSV", size="sm", scale=0, min_width=100, elem_id="pq-export-csv")
            xlsx_btn = gr.Button("导出 Excel", size="sm", scale=0, min_width=100, elem_id="pq-export-xlsx")
            exported = gr.File(label="导出的文件", visible=False, interactive=False, elem_id="pq-export-file")
        with gr.Row(equal_height=False):
            with gr.Column(scale=1):
                mentions = sources_panel(mentions_html("", []), elem_id="pq-mentions")
            with gr.Column(scale=1):
                find_viewer = viewer_panel(elem_id="pq-find-viewer")

    open_viewer_on_click(lib, mentions, find_viewer)
    term.submit(find, term, [mentions, exported], api_visibility="private")
    find_btn.click(find, term, [mentions, exported], api_visibility="private")
    csv_btn.click(lambda t: export(t, "csv"), term, exported, api_visibility="private")
    xlsx_btn.click(lambda t: export(t, "xlsx"), term, exported, api_visibility="private")
