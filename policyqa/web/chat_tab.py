"""The 问答 tab: questions with streamed answers and source cards, the document viewer they open,
export with formal citations, and 👍/👎 feedback."""

import queue
import threading
from datetime import datetime
from typing import NamedTuple

import gradio as gr

from policyqa.errors import PolicyQAError
from policyqa.settings import Settings
from policyqa.web.answer_view import answer_markdown, source_cards_html
from policyqa.web.export import export_markdown, export_text
from policyqa.web.feedback import append_feedback, feedback_record
from policyqa.web.library import Library
from policyqa.web.limits import client_key
from policyqa.web.modes import available_modes
from policyqa.web.panels import open_viewer_on_click, sources_panel, viewer_panel
from retrieval.guard import clean_question

ANSWER_POOL = "answer"  # the Gradio concurrency group of everything that answers a question


class ChatTab(NamedTuple):
    """The chat tab's components that change when documents are added or removed."""

    doc_filter: gr.Dropdown
    examples: gr.Dataset


def _history_pairs(history) -> list[tuple[str, str]]:
    return [(q, a) for q, a in history or []]


def chat_tab(lib: Library, settings: Settings, history: gr.State, last_answer: gr.State) -> ChatTab:
    """Lay out the chat tab inside the current `gr.Tabs` and wire its events.

    `history` holds the session's (question, answer text) pairs, `last_answer` its latest `Answer`."""
    modes = available_modes(settings)
    default_mode = settings.llm if settings.llm in {m for _, m in modes} else "none"

    # ------------------------------------------------------------ chat
    def respond(question, chat, history, files, mode, request: gr.Request):
        question = clean_question(question or "").strip()  # a lone surrogate would kill the stream
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        refused = lib.admit(question, client_key(request))
        if refused:  # too long, or too many questions: say why and leave the question to edit
            gr.Warning(refused)
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
            chat[-1] = {"role": "assistant", "content": exc.in_chinese()}
            yield "", chat, gr.skip(), gr.skip(), gr.skip()
            return
        chat[-1] = {"role": "assistant", "content": answer_markdown(answer)}
        history = [*(history or []), (question, answer.text)]
        cards = source_cards_html(answer, lib.texts.get, lib.engine.documents)
        yield "", chat, history, answer, cards

    def clear():
        return [], [], None, source_cards_html(None, lib.texts.get), "", gr.update(visible=False)

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
            gr.Warning(exc.in_chinese())
            return gr.skip()
        gr.Info("已记录您的反馈，谢谢！")
        return ""

    # elem_ids pq-chat-layout/-main/-side/-ask-row/-export: on a phone app.css puts the sources
    # right after the answer, before the examples and export/feedback.
    with gr.Tab("问答", id="chat"), gr.Row(equal_height=False, elem_id="pq-chat-layout"):
        with gr.Column(scale=11, elem_id="pq-chat-main"):
            with gr.Row(elem_id="pq-filter-row"):
                doc_filter = gr.Dropdown(
                    choices=lib.choices(),
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
            with gr.Row(elem_id="pq-ask-row"):
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
                samples=lib.examples(),
                label="新员工可以这样问",
                elem_id="pq-examples",
            )
            with gr.Accordion("复制 / 导出回答", open=False, elem_id="pq-export"):
                with gr.Row(elem_id="pq-export-row"):
                    fmt = gr.Radio(["文本", "Markdown"], value="文本", label="格式", scale=2)
                    export_btn = gr.Button("生成带出处的回答", scale=1, elem_id="pq-export-btn")
                    download = gr.DownloadButton("下载文件", scale=1, elem_id="pq-download")
                export_box = gr.Textbox(label="可复制的回答", lines=8, buttons=["copy"], interactive=False)
            with gr.Row(elem_id="pq-feedback-row"):
                comment = gr.Textbox(
                    placeholder="对这条回答的意见（可选）", show_label=False, scale=8, container=False
                )
                up = gr.Button("👍 有帮助", scale=1, min_width=90, elem_id="pq-up")
                down = gr.Button("👎 有问题", scale=1, min_width=90, elem_id="pq-down")
        with gr.Column(scale=9, elem_id="pq-chat-side"):
            cards = sources_panel(source_cards_html(None, lib.texts.get), elem_id="pq-cards")
            viewer = viewer_panel(elem_id="pq-viewer")

    chat_out = [question, chatbot, history, last_answer, cards]
    for trigger in (send.click, question.submit):
        # One pool of `concurrency` workers for every question, the /ask API's included.
        trigger(
            respond,
            [question, chatbot, history, doc_filter, mode],
            chat_out,
            api_visibility="private",
            concurrency_id=ANSWER_POOL,
            concurrency_limit=settings.concurrency,
        )
    clear_btn.click(
        clear, None, [chatbot, history, last_answer, cards, export_box, viewer], api_visibility="private"
    )
    example_set.click(lambda sample: sample[0], example_set, question, api_visibility="private")
    open_viewer_on_click(lib, cards, viewer)
    export_btn.click(export, [last_answer, fmt], [export_box, download], api_visibility="private")
    up.click(lambda a, c: feedback(a, c, "up"), [last_answer, comment], comment, api_visibility="private")
    down.click(lambda a, c: feedback(a, c, "down"), [last_answer, comment], comment, api_visibility="private")
    return ChatTab(doc_filter, example_set)


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
