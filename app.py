"""The web app staff use: cited answers with source cards and a document viewer, document filters,
find-every-mention, document management, export and feedback.

`python app.py` is the same as `policyqa serve`. `build_app()` only wires the plain functions of
`policyqa.web` to Gradio components; `launch()` starts the server with the settings' host, port and login.
"""

import copy
import queue
import sys
import tempfile
import threading
from datetime import datetime
from pathlib import Path

from index import library, load
from policyqa.errors import PolicyQAError
from policyqa.settings import Settings, load_settings
from policyqa.web.answer_view import answer_markdown, source_cards_html
from policyqa.web.documents import document_choices, documents_table, status_line
from policyqa.web.examples import example_questions
from policyqa.web.export import export_markdown, export_text
from policyqa.web.feedback import append_feedback, feedback_record
from policyqa.web.login import auth_pairs
from policyqa.web.mentions import find_mentions, mentions_html
from policyqa.web.modes import available_modes, mode_settings
from policyqa.web.viewer import TextCache, outline_html, viewer_html

TITLE = "政策文件问答助手"

CSS = """
.gradio-container { max-width: 1440px !important; margin: 0 auto; }
#pq-header { gap: 2px; padding: 4px 2px 0; }
#pq-header h1 { font-size: 22px; margin: 0; color: #1f3a68; letter-spacing: 1px; }
#pq-status { color: #5b6473; font-size: 13px; }
#pq-status p { margin: 0; }
.pq-empty { color: #7a8494; padding: 18px 14px; border: 1px dashed #cfd6e2; border-radius: 8px;
  background: #fafbfd; font-size: 14px; }
.pq-cards-head, .pq-mentions-head { font-weight: 600; color: #1f3a68; margin: 2px 0 8px; font-size: 15px; }
.pq-card { border: 1px solid #d9e0ea; border-left: 4px solid #2b5797; border-radius: 8px; padding: 10px 12px;
  margin-bottom: 10px; background: #fff; cursor: pointer; transition: box-shadow .15s, border-color .15s; }
.pq-card:hover, .pq-card:focus { box-shadow: 0 2px 10px rgba(31,58,104,.15); border-color: #9fb3d1; outline: none; }
.pq-card.pq-related { border-left-color: #a0a7b4; }
.pq-card-head { display: flex; align-items: center; gap: 8px; }
.pq-num { display: inline-flex; min-width: 22px; height: 22px; padding: 0 5px; border-radius: 11px;
  background: #2b5797; color: #fff; font-size: 12px; font-weight: 600; align-items: center; justify-content: center; }
.pq-related .pq-num { background: #a0a7b4; }
.pq-title { font-weight: 600; color: #1b2433; font-size: 15px; }
.pq-meta { display: flex; flex-wrap: wrap; gap: 4px 10px; font-size: 12.5px; color: #5b6473; margin: 4px 0 2px; }
.pq-meta .pq-file { color: #8a93a3; font-family: ui-monospace, monospace; font-size: 12px; }
.pq-path { font-size: 13px; color: #2b5797; margin: 3px 0 6px; }
.pq-path i { font-style: normal; color: #9aa6b8; margin: 0 4px; }
.pq-quote { font-size: 14px; line-height: 1.75; color: #333b48; }
mark { background: #ffe58a; color: inherit; padding: 0 1px; border-radius: 2px; }
.pq-viewer { border: 1px solid #d9e0ea; border-radius: 8px; background: #fff; }
.pq-viewer-head { padding: 10px 14px; border-bottom: 1px solid #e6ebf2; background: #f6f8fb; border-radius: 8px 8px 0 0; }
.pq-viewer-title { font-weight: 700; font-size: 16px; color: #1b2433; }
.pq-viewer-where { font-size: 13px; color: #2b5797; margin-top: 4px; }
.pq-warn { color: #a94400; font-size: 13px; margin-top: 4px; }
.pq-viewer-body { display: flex; flex-direction: column; }
.pq-outline { max-height: 170px; overflow: auto; padding: 8px 14px; border-bottom: 1px solid #e6ebf2; font-size: 13px; }
.pq-outline-head { font-weight: 600; color: #5b6473; margin-bottom: 2px; }
.pq-outline ul { list-style: none; margin: 0; padding-left: 14px; }
.pq-outline > ul { padding-left: 0; }
.pq-outline a { color: #3a4556; cursor: pointer; text-decoration: none; display: block; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
.pq-outline a:hover { color: #2b5797; text-decoration: underline; }
.pq-outline li.pq-here > a { color: #2b5797; font-weight: 600; }
.pq-doc { white-space: pre-wrap; line-height: 1.9; font-size: 14.5px; padding: 12px 16px; max-height: 520px;
  overflow: auto; color: #1f2633; font-family: "Noto Serif CJK SC", "Songti SC", SimSun, serif; }
.pq-h { font-weight: 700; color: #1f3a68; font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
.pq-mentions details { border: 1px solid #e1e6ee; border-radius: 8px; margin-bottom: 10px; background: #fff; }
.pq-mentions summary { padding: 8px 12px; cursor: pointer; font-weight: 600; display: flex; gap: 10px; align-items: baseline; }
.pq-count { color: #2b5797; font-weight: 600; font-size: 13px; }
.pq-mentions summary .pq-file { color: #8a93a3; font-size: 12px; font-weight: 400; margin-left: auto; }
.pq-mentions ol { margin: 0; padding: 0 14px 8px 36px; }
.pq-hit { padding: 6px 0; border-top: 1px solid #f0f2f6; cursor: pointer; }
.pq-hit:hover { background: #f7f9fc; }
.pq-outline, .pq-outline *, .pq-tree, .pq-tree *, .pq-mentions, .pq-cards { text-align: left; }
.pq-tree ul { list-style: none; padding-left: 16px; margin: 2px 0; font-size: 14px; line-height: 1.8; }
#pq-chat .message sup { color: #2b5797; font-weight: 600; }
#pq-feedback-row button { min-width: 0; }
"""

# Clicking a card (or a mention) asks the server for the viewer at that passage.
CARD_JS = """
const open = (card) => trigger('click', {file: card.dataset.file, start: +card.dataset.start, end: +card.dataset.end});
element.addEventListener('click', (e) => { const c = e.target.closest('[data-file]'); if (c) open(c); });
element.addEventListener('keydown', (e) => {
  const c = e.target.closest('[data-file]'); if (c && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); open(c); }
});
"""

# The viewer scrolls the cited span into view whenever it changes; outline entries jump to their heading.
VIEWER_JS = """
const show = () => {
  const m = element.querySelector('#pq-cited');
  if (m) { setTimeout(() => m.scrollIntoView({block: 'center', behavior: 'smooth'}), 50); }
};
watch('value', show);
show();
element.addEventListener('click', (e) => {
  const a = e.target.closest('[data-target]');
  if (!a) return;
  e.preventDefault();
  const t = element.querySelector('#' + a.dataset.target);
  if (t) t.scrollIntoView({block: 'start', behavior: 'smooth'});
});
"""


class Library:
    """The engine shared by every session; replaced whole when documents are added or removed."""

    def __init__(self, engine, settings: Settings):
        self.engine = engine
        self.settings = settings
        self.texts = TextCache(settings.corpus)
        self.update_lock = threading.Lock()
        self._llms: dict[str, object] = {}
        self._llm_lock = threading.Lock()
        self.export_dir = Path(tempfile.mkdtemp(prefix="policyqa-export-"))
        if engine.llm is not None:
            self._llms[settings.llm] = engine.llm

    def engine_for(self, mode: str):
        """The current engine answering in `mode` (a shallow copy sharing index and embedder)."""
        engine = self.engine
        llm = None
        if mode and mode != "none":
            with self._llm_lock:
                if mode not in self._llms:
                    from retrieval.llm import make_llm

                    self._llms[mode] = make_llm(mode_settings(self.settings, mode))
                llm = self._llms[mode]
        if llm is engine.llm:
            return engine
        variant = copy.copy(engine)
        variant.llm = llm
        return variant

    def swap(self, index) -> None:
        from retrieval.pipeline import Engine

        self.engine = Engine(self.settings, index, self.engine.embedder, self.engine.llm)

    # views of the current index
    def documents(self) -> dict:
        return {f: (d.meta, d.sections) for f, d in self.engine.index.documents.items()}

    def status(self) -> str:
        return status_line(self.engine.index.manifest, len(self.engine.index.chunks))

    def viewer(self, file: str, start: int | None, end: int | None) -> str:
        stored = self.engine.index.documents.get(file)
        if stored is None:  # only indexed documents are ever read, whatever the browser sends
            return '<div class="pq-empty">这份文件已不在文件库中。</div>'
        text = self.texts.get(file)
        if text is None:
            return '<div class="pq-empty">无法读取这份文件，请联系管理员重建索引。</div>'
        note = ""
        if stored.meta.sha256 and stored.meta.sha256 != self.engine.index.manifest["files"].get(file, {}).get(
            "sha256"
        ):
            note = "文件在索引后被修改，标注位置可能不准确。"
        return viewer_html(file, stored.meta, text, stored.sections, start, end, note)


def _history_pairs(history) -> list[tuple[str, str]]:
    return [(q, a) for q, a in history or []]


def build_app(engine, settings: Settings):
    """The Gradio Blocks app around an Engine (or a zero-argument function that opens one)."""
    import gradio as gr

    if callable(engine):
        engine = engine()
    lib = Library(engine, settings)
    modes = available_modes(settings)
    default_mode = settings.llm if settings.llm in {m for _, m in modes} else "none"

    def choices():
        return document_choices(lib.engine.documents)

    def examples():
        return [[q] for q in example_questions(lib.documents())]

    # ------------------------------------------------------------ chat
    def respond(question, chat, history, files, mode):
        question = (question or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        chat = [
            *chat,
            {"role": "user", "content": question},
            {"role": "assistant", "content": "正在检索文件…"},
        ]
        yield "", chat, gr.skip(), gr.skip(), gr.skip()
        try:
            engine = lib.engine_for(mode)
            selected = set(files) if files else None
            if engine.llm is None:
                answer = engine.ask(question, history=_history_pairs(history), files=selected)
            else:
                answer = None
                for text, answer in _streamed(engine, question, _history_pairs(history), selected):
                    if answer is None:
                        chat[-1] = {"role": "assistant", "content": text + " ▌"}
                        yield "", chat, gr.skip(), gr.skip(), gr.skip()
        except PolicyQAError as exc:
            chat[-1] = {"role": "assistant", "content": f"出错了：{exc}"}
            yield "", chat, gr.skip(), gr.skip(), gr.skip()
            return
        chat[-1] = {"role": "assistant", "content": answer_markdown(answer)}
        history = [*(history or []), (question, answer.text)]
        cards = source_cards_html(answer, lib.texts.get, lib.engine.documents)
        yield "", chat, history, answer, cards

    def clear():
        return [], [], None, source_cards_html(None, lib.texts.get), "", gr.update(visible=False)

    def open_viewer(evt: gr.EventData):
        try:
            file, start, end = str(evt.file), int(evt.start), int(evt.end)
        except (AttributeError, TypeError, ValueError):
            return gr.skip()
        return gr.update(value=lib.viewer(file, start, end), visible=True)

    # ------------------------------------------------------------ export and feedback
    def export(answer, fmt):
        if answer is None:
            gr.Warning("还没有可导出的回答。")
            return "", None
        markdown = fmt == "Markdown"
        text = export_markdown(answer) if markdown else export_text(answer)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = lib.export_dir / f"回答-{stamp}.{'md' if markdown else 'txt'}"
        path.write_text(text, encoding="utf-8")
        return text, str(path)

    def feedback(answer, comment, rating):
        if answer is None:
            gr.Warning("请先提问，再对回答评价。")
            return gr.skip()
        try:
            append_feedback(settings.feedback_log, feedback_record(answer, rating, comment or ""))
        except PolicyQAError as exc:
            gr.Warning(str(exc))
            return gr.skip()
        gr.Info("已记录您的反馈，谢谢！")
        return ""

    # ------------------------------------------------------------ find every mention
    def find(term):
        docs = []
        for file, (meta, sections) in lib.documents().items():
            text = lib.texts.get(file)
            if text is not None:
                docs.append((meta, text, sections))
        return mentions_html(term or "", find_mentions(term or "", docs))

    # ------------------------------------------------------------ documents tab
    def library_views():
        files = choices()
        return (
            lib.status(),
            gr.update(choices=files),
            gr.Dataset(samples=examples()),
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

    # ------------------------------------------------------------ the API for scripts and tests
    def ask(question: str, documents: list[str] | None = None) -> dict:
        """Answer one question (optionally only from documents named by file or part of the title)."""
        engine = lib.engine
        files = engine.resolve_files(documents) if documents else None
        answer = engine.ask(question, files=files)
        return {
            "answer": answer.text,
            "refused": answer.refused,
            "rewritten_question": answer.rewritten_question,
            "citations": [
                {
                    "n": c.n,
                    "file": c.file,
                    "title": c.title,
                    "doc_number": c.doc_number,
                    "section": c.section,
                    "quote": c.quote,
                    "start": c.start,
                    "end": c.end,
                }
                for c in answer.citations
            ],
        }

    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        history = gr.State([])
        last_answer = gr.State(None)
        with gr.Column(elem_id="pq-header"):
            gr.HTML(f"<h1>{TITLE}</h1>", js_on_load=None)
            status = gr.Markdown(lib.status(), elem_id="pq-status")
        with gr.Tabs():
            with gr.Tab("问答", id="chat"), gr.Row(equal_height=False):
                with gr.Column(scale=11):
                    with gr.Row():
                        doc_filter = gr.Dropdown(
                            choices=choices(),
                            multiselect=True,
                            label="限定文件（可多选；不选则检索全部文件）",
                            scale=3,
                            elem_id="pq-filter",
                        )
                        mode = gr.Dropdown(
                            choices=modes,
                            value=default_mode,
                            label="回答方式",
                            scale=1,
                            visible=len(modes) > 1,
                        )
                    chatbot = gr.Chatbot(
                        label="对话",
                        elem_id="pq-chat",
                        height=460,
                        feedback_options=None,
                        buttons=["copy"],
                        placeholder="请输入关于政策文件的问题，回答会附上原文出处。",
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            placeholder="例如：主干道机扫率要达到多少？",
                            show_label=False,
                            scale=8,
                            elem_id="pq-question",
                            submit_btn=False,
                            container=False,
                        )
                        send = gr.Button("提问", variant="primary", scale=1, min_width=90, elem_id="pq-send")
                        clear_btn = gr.Button("清空对话", scale=1, min_width=110, elem_id="pq-clear")
                    example_set = gr.Dataset(
                        components=[question],
                        samples=examples(),
                        label="新员工可以这样问",
                        elem_id="pq-examples",
                    )
                    with gr.Accordion("复制 / 导出回答", open=False):
                        with gr.Row():
                            fmt = gr.Radio(["文本", "Markdown"], value="文本", label="格式", scale=2)
                            export_btn = gr.Button("生成带出处的回答", scale=1)
                            download = gr.DownloadButton("下载文件", scale=1)
                        export_box = gr.Textbox(
                            label="可复制的回答", lines=8, buttons=["copy"], interactive=False
                        )
                    with gr.Row(elem_id="pq-feedback-row"):
                        comment = gr.Textbox(
                            placeholder="对这条回答的意见（可选）", show_label=False, scale=8, container=False
                        )
                        up = gr.Button("👍 有帮助", scale=1, min_width=90, elem_id="pq-up")
                        down = gr.Button("👎 有问题", scale=1, min_width=90, elem_id="pq-down")
                with gr.Column(scale=9):
                    cards = gr.HTML(
                        source_cards_html(None, lib.texts.get), js_on_load=CARD_JS, elem_id="pq-cards"
                    )
                    viewer = gr.HTML("", js_on_load=VIEWER_JS, elem_id="pq-viewer", visible=False)
            with gr.Tab("全文检索", id="find"):
                with gr.Row():
                    term = gr.Textbox(
                        placeholder="输入词语，如：垃圾分类", show_label=False, scale=6, elem_id="pq-term"
                    )
                    find_btn = gr.Button("列出所有出处", variant="primary", scale=1, elem_id="pq-find")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=1):
                        mentions = gr.HTML(mentions_html("", []), js_on_load=CARD_JS, elem_id="pq-mentions")
                    with gr.Column(scale=1):
                        find_viewer = gr.HTML(
                            "", js_on_load=VIEWER_JS, visible=False, elem_id="pq-find-viewer"
                        )
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
                        outline_pick = gr.Dropdown(choices=choices(), label="查看文件目录", value=None)
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
                            remove_pick = gr.Dropdown(
                                choices=choices(), label="删除文件", value=None, scale=3
                            )
                            remove_btn = gr.Button("删除所选文件", variant="stop", scale=1)
                        manage_log = gr.Markdown(elem_id="pq-manage-log")

        chat_out = [question, chatbot, history, last_answer, cards]
        for trigger in (send.click, question.submit):
            trigger(
                respond, [question, chatbot, history, doc_filter, mode], chat_out, api_visibility="private"
            )
        clear_btn.click(
            clear, None, [chatbot, history, last_answer, cards, export_box, viewer], api_visibility="private"
        )
        example_set.click(lambda sample: sample[0], example_set, question, api_visibility="private")
        cards.click(open_viewer, None, viewer, api_visibility="private")
        mentions.click(open_viewer, None, find_viewer, api_visibility="private")
        export_btn.click(export, [last_answer, fmt], [export_box, download], api_visibility="private")
        up.click(lambda a, c: feedback(a, c, "up"), [last_answer, comment], comment, api_visibility="private")
        down.click(
            lambda a, c: feedback(a, c, "down"), [last_answer, comment], comment, api_visibility="private"
        )
        term.submit(find, term, mentions, api_visibility="private")
        find_btn.click(find, term, mentions, api_visibility="private")
        outline_pick.change(show_outline, outline_pick, outline, api_visibility="private")
        views = [status, doc_filter, example_set, table, outline_pick, remove_pick]
        add_btn.click(add, uploads, [manage_log, *views, uploads], api_visibility="private")
        remove_btn.click(
            remove,
            remove_pick,
            [manage_log, *views],
            js="(f) => (f && confirm('确定从文件库删除 ' + f + ' 吗？')) ? f : null",
            api_visibility="private",
        )
        # Another user may have added or removed documents since this page was built.
        demo.load(library_views, None, views, api_visibility="private")
        gr.api(ask, api_name="ask")
    demo.library = lib  # for tests and callers that need the live engine
    return demo


def _streamed(engine, question, history, files):
    """Yield (text so far, None) while the LLM streams, then ("", answer)."""
    pieces: queue.Queue = queue.Queue()
    result: dict = {}

    def run():
        try:
            result["answer"] = engine.ask(question, history=history, files=files, on_token=pieces.put)
        except Exception as exc:  # re-raised in the request thread below
            result["error"] = exc
        finally:
            pieces.put(None)

    threading.Thread(target=run, daemon=True).start()
    text = ""
    while (piece := pieces.get()) is not None:
        text += piece
        yield text, None
    if "error" in result:
        raise result["error"]
    yield "", result["answer"]


def theme():
    import gradio as gr

    # Local fonts only: the app must not fetch web fonts on an offline network.
    sans = ["Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC", "sans-serif"]
    return gr.themes.Soft(
        primary_hue="blue", neutral_hue="slate", font=sans, font_mono=["ui-monospace", "monospace"]
    )


def launch(demo, settings: Settings, **overrides):
    """Start the server for `demo` on the settings' host and port, with login when settings.auth is set."""
    kwargs = {
        "server_name": settings.host,
        "server_port": settings.port,
        "share": False,
        "auth": auth_pairs(settings.auth),
        "auth_message": "请使用单位分配的账号登录。",
        "theme": theme(),
        "css": CSS,
        "show_error": True,
        "max_file_size": f"{settings.max_upload_mb}mb",
        "footer_links": [],
        "inbrowser": False,
        "quiet": False,
    }
    kwargs.update(overrides)
    return demo.queue(default_concurrency_limit=2).launch(**kwargs)


def _print_progress(done: int, total: int, message: str) -> None:
    print(f"[{done}/{total}] {message}", file=sys.stderr, flush=True)


def main(settings: Settings | None = None, allow_stale: bool = False):
    """Open (building if needed) the index, then serve the app until interrupted."""
    from retrieval.pipeline import Engine

    settings = settings or load_settings()
    llm = None
    if settings.llm != "none":
        from retrieval.llm import make_llm

        llm = make_llm(settings)
    print(f"opening the index at {settings.index} (corpus {settings.corpus})…", file=sys.stderr)
    engine, note = Engine.open(settings, _print_progress, allow_stale=allow_stale, llm=llm)
    if note:
        print(f"warning: {note}", file=sys.stderr)
    demo = build_app(engine, settings)
    return launch(demo, settings)


if __name__ == "__main__":
    try:
        main()
    except PolicyQAError as exc:
        print(f"policyqa: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
