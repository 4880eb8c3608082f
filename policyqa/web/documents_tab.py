"""The 文件管理 tab: the indexed documents, each one's heading tree, uploads (indexed in the
background, with progress) and removal (both through `index.library`; only for users who may
manage documents), and the refresh of every view that lists documents."""

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import gradio as gr

from index import library, load
from policyqa.errors import DocumentError, PolicyQAError
from policyqa.settings import Settings
from policyqa.web.documents import documents_table
from policyqa.web.feedback_panel import feedback_panel
from policyqa.web.library import Library
from policyqa.web.viewer import outline_html


class DocumentsTab(NamedTuple):
    """`refresh()` gives fresh values for `views`, every component that lists the documents;
    `on_load(request)` gives them and the management controls' visibility (`load_outputs`)."""

    refresh: Callable[[], tuple]
    views: list
    on_load: Callable
    load_outputs: list


NOT_ALLOWED = "只有管理员可以添加或删除文件。"
NO_FILE = "还没有选择文件：请先在上方“添加文件”框中点击选择或拖入文件，再点击“添加到文件库并更新索引”。"


def documents_tab(
    lib: Library,
    settings: Settings,
    status: gr.Markdown,
    doc_filter: gr.Dropdown,
    examples: gr.Dataset,
    timer: gr.Timer | None = None,
) -> DocumentsTab:
    """Lay out the documents tab inside the current `gr.Tabs` and wire its events.

    `status`, `doc_filter` and `examples` (outside this tab) also change when documents do; each
    tick of `timer` redraws them when the index changed (an upload, or another process's build) and
    shows the background indexing's progress."""

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

    def add(uploads, request: gr.Request):
        if not lib.may_manage(getattr(request, "username", None)):
            gr.Warning(NOT_ALLOWED)
            return ("", *library_views(), gr.skip())
        if not uploads:
            gr.Warning(NO_FILE)
            return (f"ℹ️ {NO_FILE}", *library_views(), gr.skip())
        staged, problems = [], []
        for upload in uploads:
            name = getattr(upload, "orig_name", None) or Path(upload).name
            try:
                library.check_upload(Path(upload), name, settings.max_upload_mb)
                staged.append(library.stage_upload(Path(upload), name, settings.corpus))
            except DocumentError as exc:
                problems.append(exc.in_chinese())
            except OSError:
                problems.append(f"{name}：上传的文件无法保存到文件库，请稍后重试或联系管理员。")
        if not staged:
            return ("\n\n".join(f"⚠️ {p}" for p in problems), *library_views(), None)
        # Parsing and embedding run in the background (a large file takes minutes); the log below
        # follows them on every tick, and the new documents appear when they are in the index.
        lib.jobs.submit(staged, problems)
        return (lib.jobs.log_markdown(), *library_views(), None)

    def remove(file, request: gr.Request, progress=gr.Progress()):
        if not lib.may_manage(getattr(request, "username", None)):
            gr.Warning(NOT_ALLOWED)
            return ("", *library_views())
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
                return (f"⚠️ {exc.in_chinese()}", *library_views())
            lib.swap(report.index)
        return (f"🗑️ 已删除 {file}", *library_views())

    def poll(seen):
        """On each tick: the views again when the index changed, the log when indexing moved on."""
        now = (lib.generation, lib.jobs.version)
        if seen == now:
            return (gr.skip(),) * (len(views) + 2)
        fresh = library_views() if seen is None or seen[0] != now[0] else (gr.skip(),) * len(views)
        log = lib.jobs.log_markdown() if seen is None or seen[1] != now[1] else gr.skip()
        return (log, *fresh, now)

    def on_load(request: gr.Request):
        allowed = lib.may_manage(getattr(request, "username", None))
        return (*library_views(), gr.update(visible=allowed), gr.update(visible=allowed))

    with gr.Tab("文件管理", id="docs"):
        table = gr.Dataframe(
            value=documents_table(lib.engine.documents, lib.engine.index.manifest),
            headers=["标题", "发布机构", "文号", "日期", "段落数", "文件名"],
            interactive=False,
            wrap=True,
            label="已收录文件",
            elem_id="pq-docs-table",
        )
        with gr.Row(equal_height=False):
            with gr.Column():
                outline_pick = gr.Dropdown(choices=lib.choices(), label="查看文件目录", value=None)
                outline = gr.HTML(show_outline(None))
            with gr.Column() as manage:
                uploads = gr.File(
                    label=f"添加文件（{' '.join(load.SUPPORTED_SUFFIXES)}，每个不超过 {settings.max_upload_mb} MB）",
                    file_count="multiple",
                    # No file_types: Gradio would refuse other types with its own English message;
                    # `add` checks the type itself and says why in Chinese.
                    elem_id="pq-upload",
                )
                add_btn = gr.Button("添加到文件库并更新索引", variant="primary", elem_id="pq-add")
                with gr.Row(elem_id="pq-remove-row"):
                    remove_pick = gr.Dropdown(choices=lib.choices(), label="删除文件", value=None, scale=3)
                    remove_btn = gr.Button("删除所选文件", variant="stop", scale=1)
                manage_log = gr.Markdown(elem_id="pq-manage-log")
        feedback_box = feedback_panel(lib, settings)

    outline_pick.change(show_outline, outline_pick, outline, api_visibility="private")
    views = [status, doc_filter, examples, table, outline_pick, remove_pick]
    # Changes to the library take turns, apart from the questions' pool.
    manage_events = dict(api_visibility="private", concurrency_id="library", concurrency_limit=1)
    add_btn.click(add, uploads, [manage_log, *views, uploads], **manage_events)
    remove_btn.click(
        remove,
        remove_pick,
        [manage_log, *views],
        js="(f) => (f && confirm('确定从文件库删除 ' + f + ' 吗？')) ? f : null",
        **manage_events,
    )
    if timer is not None:
        seen = gr.State(None)
        # Off the queue: a tick only compares two counters, and must not wait behind questions.
        timer.tick(
            poll,
            seen,
            [manage_log, *views, seen],
            queue=False,
            show_progress="hidden",
            api_visibility="private",
        )
    return DocumentsTab(library_views, views, on_load, [*views, manage, feedback_box])
