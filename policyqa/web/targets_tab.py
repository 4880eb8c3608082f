"""The 指标 tab: the targets ledger of every indexed document as a searchable table, one subject
compared across documents, what falls due in a month by responsible unit, a click opening the
passage in the document viewer, and the current view exported as XLSX or CSV.

Rows are read from the live engine (`Library.engine.index.targets`) at every event: an upload or a
re-index swaps the engine, and the next search, click or export sees the new ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import gradio as gr

from policyqa.records import Target
from policyqa.web import targets_view as tv
from policyqa.web.library import Library
from policyqa.web.panels import open_viewer_on_click, sources_panel, viewer_panel

VIEWS = ("ledger", "compare", "due")


class TargetsTab(NamedTuple):
    """The tab's event handlers, for tests to call as the browser would."""

    show_ledger: Callable
    show_compare: Callable
    show_due: Callable
    refresh: Callable
    open_row: Callable
    export: Callable


def _targets(lib: Library) -> tuple[Target, ...]:
    return tuple(getattr(lib.engine.index, "targets", None) or ())


def _metas(lib: Library) -> dict:
    return dict(lib.engine.documents)


class _Examples:
    """The compare examples of the current ledger, worked out again only when the engine changed
    (each example is a comparison over every row; the tab is chosen far more often than swapped)."""

    def __init__(self):
        self._engine = None
        self._examples: list[str] = []

    def get(self, lib: Library) -> list[str]:
        engine = lib.engine
        if engine is not self._engine:
            self._examples, self._engine = tv.subject_examples(_targets(lib)), engine
        return self._examples


def _stale():
    # A new search makes the last export's file another view's: hide its button until the next export.
    return gr.update(visible=False)


def targets_tab(lib: Library) -> TargetsTab:
    """Lay out the 指标 tab inside the current `gr.Tabs` and wire its events."""
    examples = _Examples()

    # ------------------------------------------------------------ the three views
    def show_ledger(search, file, kind, sort):
        rows = tv.ledger_view(_targets(lib), search or "", file or tv.ALL, kind or tv.ALL, sort or "")
        what = f"“{search.strip()}”" if (search or "").strip() else ""
        return tv.count_line(rows, what), tv.ledger_table(rows), [r.id for r in rows], "ledger", _stale()

    def show_compare(subject):
        subject = (subject or "").strip()
        groups, rows = tv.compare_view(_targets(lib), subject)
        line = tv.count_line(rows, f"“{subject}”") if subject else ""
        return (
            tv.compare_html(subject, groups),
            line,
            tv.compare_table(groups),
            [r.id for r in rows],
            "compare",
            _stale(),
        )

    def show_due(month):
        try:
            pairs, rows = tv.due_view(_targets(lib), month or "")
        except ValueError as exc:
            gr.Warning(str(exc))
            return (gr.skip(),) * 5
        if not (month or "").strip():
            line = "请选择月份（YYYY-MM）。"
        elif not rows:
            line = f"{month.strip()} 没有到期的事项。"
        else:
            units = len({unit for unit, _ in pairs})
            line = f"{month.strip()} 到期：{tv.count_line(rows)}，涉及 {units} 个责任单位"
        return line, tv.due_table(pairs), [r.id for _, r in pairs], "due", _stale()

    def refresh(search, file, kind, sort, month):
        """Redraw the choices and the ledger from the current index (documents may have changed)."""
        rows = _targets(lib)
        files = tv.doc_choices(rows, _metas(lib))
        file = file if file in {f for _, f in files} else tv.ALL
        months = tv.month_choices(rows)
        month_value = month if month in months else tv.default_month(months)
        return (
            gr.update(choices=files, value=file),
            gr.update(choices=months, value=month_value),
            gr.update(choices=examples.get(lib)),
            *show_ledger(search, file, kind, sort),
        )

    # ------------------------------------------------------------ a click opens the passage
    def open_row(ids, evt: gr.SelectData):
        # The 序号 names the id first: rows gone from a re-index must not shift the others' places.
        chosen = tv.by_ids(_targets(lib), [tv.picked(ids, evt.row_value)])
        row = chosen[0] if chosen else None
        if row is None:
            gr.Warning("这一条已不在当前索引中，请重新查询。")
            return gr.skip()
        return gr.update(value=lib.viewer(row.file, row.start, row.end), visible=True)

    # ------------------------------------------------------------ export of the current view
    def export(active, ledger_ids, compare_ids, due_ids, fmt):
        ids = {"ledger": ledger_ids, "compare": compare_ids, "due": due_ids}.get(active) or []
        rows = tv.by_ids(_targets(lib), list(dict.fromkeys(ids)))  # the due view lists a row per unit
        if not rows:
            gr.Warning("当前视图没有可导出的指标，请先查询。")
            return gr.skip()
        name = {"ledger": "指标台账", "compare": "指标对比", "due": "到期事项"}.get(active, "指标台账")
        path = tv.export_view(rows, fmt, lib.export_dir, name)
        return gr.update(value=str(path), visible=True)

    # ------------------------------------------------------------ layout
    rows = _targets(lib)
    ledger_rows = tv.ledger_view(rows)
    months = tv.month_choices(rows)
    with gr.Tab("指标", id="targets") as tab:
        active = gr.State("ledger")
        ledger_ids = gr.State([r.id for r in ledger_rows])
        compare_ids = gr.State([])
        due_ids = gr.State([])
        with gr.Tabs():
            with gr.Tab("台账", id="targets-ledger") as ledger_tab:
                with gr.Row():
                    search = gr.Textbox(
                        placeholder="搜索指标、原文或责任单位，如：公厕",
                        show_label=False,
                        scale=4,
                        elem_id="pq-targets-search",
                    )
                    search_btn = gr.Button("查询", variant="primary", scale=1, elem_id="pq-targets-go")
                with gr.Row():
                    file = gr.Dropdown(tv.doc_choices(rows, _metas(lib)), value=tv.ALL, label="文件", scale=3)
                    kind = gr.Dropdown(tv.kind_choices(), value=tv.ALL, label="类型", scale=1)
                    sort = gr.Dropdown(list(tv.SORTS), value=next(iter(tv.SORTS)), label="排序", scale=1)
                ledger_count = gr.Markdown(tv.count_line(ledger_rows), elem_id="pq-targets-count")
                ledger_table = gr.Dataframe(
                    tv.ledger_table(ledger_rows),
                    headers=list(tv.LEDGER_COLUMNS),
                    interactive=False,
                    wrap=True,
                    max_height=560,
                    column_widths=["56px", "18%", "9%", "9%", "11%", "14%", "16%", "20%"],
                    elem_id="pq-targets-table",
                )
            with gr.Tab("对比", id="targets-compare") as compare_tab:
                with gr.Row():
                    subject = gr.Dropdown(
                        examples.get(lib),
                        value=None,
                        allow_custom_value=True,
                        label="比较项（可输入，如 公厕、垃圾分类、违法建设、共享泊位）",
                        scale=4,
                        elem_id="pq-targets-subject",
                    )
                    compare_btn = gr.Button("对比", variant="primary", scale=1, elem_id="pq-targets-compare")
                matrix = sources_panel(tv.compare_html("", []), elem_id="pq-targets-matrix")
                compare_count = gr.Markdown("")
                compare_table = gr.Dataframe(
                    [],
                    headers=list(tv.COMPARE_COLUMNS),
                    interactive=False,
                    wrap=True,
                    max_height=420,
                    elem_id="pq-targets-compare-table",
                )
            with gr.Tab("到期", id="targets-due") as due_tab:
                with gr.Row():
                    month = gr.Dropdown(
                        months,
                        value=tv.default_month(months),
                        allow_custom_value=True,
                        label="月份（YYYY-MM）",
                        scale=4,
                        elem_id="pq-targets-month",
                    )
                    due_btn = gr.Button("查看到期事项", variant="primary", scale=1, elem_id="pq-targets-due")
                due_count = gr.Markdown("请选择月份，查看当月到期的事项。", elem_id="pq-targets-due-count")
                due_table = gr.Dataframe(
                    [],
                    headers=list(tv.DUE_COLUMNS),
                    interactive=False,
                    wrap=True,
                    max_height=560,
                    elem_id="pq-targets-due-table",
                )
        with gr.Row(elem_id="pq-targets-export"):
            fmt = gr.Radio(list(tv.EXPORT_FORMATS), value=tv.EXPORT_FORMATS[0], label="导出格式", scale=2)
            export_btn = gr.Button("导出当前视图", scale=1, elem_id="pq-targets-export-btn")
            download = gr.DownloadButton("下载文件", visible=False, scale=1, elem_id="pq-targets-download")
        viewer = viewer_panel(elem_id="pq-targets-viewer")

    private = {"api_visibility": "private"}
    ledger_in = [search, file, kind, sort]
    ledger_out = [ledger_count, ledger_table, ledger_ids, active, download]
    search.submit(show_ledger, ledger_in, ledger_out, **private)
    search_btn.click(show_ledger, ledger_in, ledger_out, **private)
    for control in (file, kind, sort):
        control.input(show_ledger, ledger_in, ledger_out, **private)
    compare_out = [matrix, compare_count, compare_table, compare_ids, active, download]
    compare_btn.click(show_compare, subject, compare_out, **private)
    subject.select(show_compare, subject, compare_out, **private)
    due_out = [due_count, due_table, due_ids, active, download]
    due_btn.click(show_due, month, due_out, **private)
    month.select(show_due, month, due_out, **private)
    tab.select(
        refresh,
        [*ledger_in, month],
        [file, month, subject, *ledger_out],
        **private,
    )
    # Exports follow the sub-tab in view, whichever of the three was last searched.
    for view, sub in zip(VIEWS, (ledger_tab, compare_tab, due_tab), strict=True):
        sub.select(lambda v=view: (v, _stale()), None, [active, download], **private)
    open_viewer_on_click(lib, matrix, viewer)
    for table, ids in ((ledger_table, ledger_ids), (compare_table, compare_ids), (due_table, due_ids)):
        table.select(open_row, ids, viewer, **private)
    export_btn.click(export, [active, ledger_ids, compare_ids, due_ids, fmt], download, **private)
    return TargetsTab(show_ledger, show_compare, show_due, refresh, open_row, export)
