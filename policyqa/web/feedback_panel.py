"""The feedback log in the 文件管理 tab, for the users who may manage documents: each answer's latest
👍/👎 with its comment, refreshed on demand and downloadable as CSV."""

from datetime import datetime

import gradio as gr

from policyqa.settings import Settings
from policyqa.web.feedback_view import COLUMNS, feedback_csv, feedback_rows, latest_per_answer, read_feedback
from policyqa.web.library import Library

NOT_ALLOWED = "只有管理员可以查看用户反馈。"


def feedback_panel(lib: Library, settings: Settings) -> gr.Column:
    """Lay out the feedback panel (hidden; the page's load shows it to managers) and wire it."""

    def allowed(request: gr.Request | None) -> bool:
        return lib.may_manage(getattr(request, "username", None))

    def show(request: gr.Request):
        if not allowed(request):
            gr.Warning(NOT_ALLOWED)
            return gr.skip(), gr.skip()
        records = latest_per_answer(read_feedback(settings.feedback_log))
        up = sum(r.get("rating") == "up" for r in records)
        down = sum(r.get("rating") == "down" for r in records)
        summary = (
            f"共 {len(records)} 条回答收到反馈：赞 {up} 条，踩 {down} 条（同一回答改过评价的只算最后一次）。"
        )
        return feedback_rows(records), summary

    def export(request: gr.Request):
        if not allowed(request):
            gr.Warning(NOT_ALLOWED)
            return None
        records = latest_per_answer(read_feedback(settings.feedback_log))
        if not records:
            gr.Warning("还没有用户反馈可导出。")
            return None
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        return str(feedback_csv(records, lib.export_dir / f"用户反馈-{stamp}.csv"))

    with (
        gr.Column(visible=False, elem_id="pq-feedback-admin") as box,
        gr.Accordion("用户反馈（赞/踩 与意见）", open=False),
    ):
        summary = gr.Markdown("点“刷新”查看最新反馈。", elem_id="pq-feedback-summary")
        with gr.Row():
            refresh = gr.Button("刷新", size="sm", elem_id="pq-feedback-refresh")
            export_btn = gr.Button("导出 CSV", size="sm", elem_id="pq-feedback-export")
        table = gr.Dataframe(headers=COLUMNS, interactive=False, wrap=True, elem_id="pq-feedback-table")
        csv_file = gr.File(label="导出的 CSV", interactive=False)
    refresh.click(show, None, [table, summary], api_visibility="private")
    export_btn.click(export, None, csv_file, api_visibility="private")
    return box
