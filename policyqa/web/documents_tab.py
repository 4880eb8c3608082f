"""The 文件管理 tab: the indexed documents, each one's heading tree, uploads and removal (both update
the index through `index.library`), and the refresh of every view that lists documents."""

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import gradio as gr

from index import library, load
from policyqa.errors import PolicyQAError
from policyqa.settings import Settings
from policyqa.web.documents import documents_table
from policyqa.web.library import Library
from policyqa.web.viewer import outline_html


class DocumentsTab(NamedTuple):
    """`refresh()` gives fresh values for `views`, every component that lists the documents."""

    refresh: Callable[[], tuple]
    views: list


def documents_tab(
    lib: Library, settings: Settings, status: gr.Markdown, doc_filter: gr.Dropdown, examples: gr.Dataset
) -> DocumentsTab:
    """Lay out the documents tab inside the current `gr.Tabs` and wire its events.

    `status`, `doc_filter` and `examples` (outside this tab) also change when documents do."""

    def library_views():
        files = lib.choices()
        return (
            lib.status(),
            gr.update(choices=files),
            gr.Dataset(samples=lib.examples()),
            documents_table(lib.engine.documents, lib.engine.index.manifest),
            gr.update(choices=files),
            gr.update(choices=files, value=None),
        )

    def show_outline(file):
        stored = lib.engine.index.documents.get(file or "")
        if stored is None:
            return '<div class="pq-empty">选择一份文件，查看它的标题层级。</div>'
        return outline_html(stored.meta, stored.sections)

    def add(uploads, progress=gr.Progress()):
        if not uploads:
            gr.Warning("请先选择要上传的文件。")
            return ("", *library_views(), gr.skip())
        pairs = [(Path(u), getattr(u, "orig_name", None) or Path(u).name) for u in uploads]
        with lib.update_lock:
            added, problems, report = library.add_documents(
                settings, pairs, lib.engine.embedder, lambda d, t, m: progress((d, t), desc=f"正在索引：{m}")
            )
            if report is not None:
                lib.swap(report.index)
        lines = [f"✅ 已添加 {f}" for f in added] + [f"⚠️ {p}" for p in problems]
        return ("\n\n".join(lines), *library_views(), None)

    def remove(file, progress=gr.Progress()):
        if not file:
            gr.Warning("请先选择要删除的文件。")
            return ("", *library_views())
        with lib.update_lock:
            try:
                report = library.remove_document(
                    settings,
                    file,
                    lib.engine.embedder,
                    lambda d, t, m: progress((d, t), desc=f"正在更新索引：{m}"),
                )
            except PolicyQAError as exc:
                return (f"⚠️ {exc}", *library_views())
            lib.swap(report.index)
        return (f"🗑️ 已删除 {file}", *library_views())

    with gr.Tab("文件管理", id="docs"):
        table = gr.Dataframe(
            value=documents_table(lib.engine.documents, lib.engine.index.manifest),
            headers=["标题", "发布机构", "文号", "日期", "段落数", "文件名"],
            interactive=False,
            wrap=True,
            label="已索引文件",
        )
        with gr.Row(equal_height=False):
            with gr.Column():
                outline_pick = gr.Dropdown(choices=lib.choices(), label="查看文件目录", value=None)
                outline = gr.HTML(show_outline(None))
            with gr.Column():
                uploads = gr.File(
                    label=f"添加文件（{' '.join(load.SUPPORTED_SUFFIXES)}，每个不超过 {settings.max_upload_mb} MB）",
                    file_count="multiple",
                    file_types=list(load.SUPPORTED_SUFFIXES),
                    elem_id="pq-upload",
                )
                add_btn = gr.Button("添加到文件库并更新索引", variant="primary", elem_id="pq-add")
                with gr.Row():
                    remove_pick = gr.Dropdown(choices=lib.choices(), label="删除文件", value=None, scale=3)
                    remove_btn = gr.Button("删除所选文件", variant="stop", scale=1)
                manage_log = gr.Markdown(elem_id="pq-manage-log")

    outline_pick.change(show_outline, outline_pick, outline, api_visibility="private")
    views = [status, doc_filter, examples, table, outline_pick, remove_pick]
    add_btn.click(add, uploads, [manage_log, *views, uploads], api_visibility="private")
    remove_btn.click(
        remove,
        remove_pick,
        [manage_log, *views],
        js="(f) => (f && confirm('确定从文件库删除 ' + f + ' 吗？')) ? f : null",
        api_visibility="private",
    )
    return DocumentsTab(library_views, views)
