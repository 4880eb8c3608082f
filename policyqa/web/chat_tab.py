"""The 问答 tab: questions with streamed answers whose [n] markers open their source cards, the
conversations the browser keeps (sidebar: new, switch, rename, delete, export), the document viewer
beside the answer, copy with sources, and 👍/👎 feedback per answer."""

import hashlib
import queue
import threading
from datetime import datetime
from typing import NamedTuple

import gradio as gr

from policyqa.errors import PolicyQAError
from policyqa.settings import Settings
from policyqa.web import conversations as convs
from policyqa.web.answer_view import answer_markdown, conversation_cards_html
from policyqa.web.assets import read_asset
from policyqa.web.export import conversation_markdown, conversation_text, copy_text
from policyqa.web.export_docx import conversation_docx
from policyqa.web.feedback import append_feedback, feedback_record
from policyqa.web.library import Library
from policyqa.web.limits import client_key
from policyqa.web.modes import available_modes
from retrieval.guard import clean_question

ANSWER_POOL = "answer"  # the Gradio concurrency group of everything that answers a question
STORAGE_KEY = "policyqa-conversations"
RATING_OF_LIKE = {True: "up", False: "down"}
LIKE_OF_RATING = {"up": "Like", "down": "Dislike"}
EXPORTS = {"Word（.docx）": "docx", "Markdown": "md", "文本": "txt"}


class ChatTab(NamedTuple):
    """The chat tab's components that change when documents are added or removed, and what the
    page's load event runs to restore the browser's conversations (`restore`)."""

    doc_filter: gr.Dropdown
    examples: gr.Dataset
    restore: object
    restore_inputs: list
    restore_outputs: list


def _user(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) if request is not None else None


def _browser_secret(settings: Settings) -> str:
    # The browser gets this key with the page, so it hides nothing from the browser's user; a key
    # that stays the same across restarts keeps the saved conversations readable after one.
    return hashlib.sha256(f"policyqa:{settings.corpus}".encode()).hexdigest()[:32]


def chat_tab(lib: Library, settings: Settings, side: "ConversationSidebar | None" = None) -> ChatTab:
    """Lay out the chat tab inside the current `gr.Tabs` and wire its events and those of `side`,
    the conversation list (made by `conversation_sidebar` at the top of the page, outside the tabs)."""
    modes = available_modes(settings)
    default_mode = settings.llm if settings.llm in {m for _, m in modes} else "none"

    def sections_of(file):
        stored = lib.engine.index.documents.get(file)
        return stored.sections if stored else ()

    def messages(conv):
        out = []
        for t in conv.turns if conv else ():
            out.append({"role": "user", "content": t.question})
            out.append({"role": "assistant", "content": answer_markdown(t.answer, turn_id=t.id)})
        return out

    def render(store: convs.Store):
        """(chat, cards, conversation list, feedback row, comment) for the conversation on screen."""
        conv = store.active
        turns = conv.turns if conv else ()
        chat = gr.update(value=messages(conv), feedback_value=[LIKE_OF_RATING.get(t.rating) for t in turns])
        cards = conversation_cards_html(
            [(t.id, t.answer, copy_text(t.answer)) for t in turns],
            lib.texts.get,
            lib.engine.documents,
            sections_of,
        )
        listed = gr.update(
            choices=[(c.label, c.id) for c in store.conversations], value=conv.id if conv else None
        )
        last = turns[-1] if turns else None
        row = gr.update(visible=last is not None)
        comment = gr.update(value=last.comment if last else "")
        return chat, cards, listed, row, comment

    def restore(saved, request: gr.Request):
        return render(convs.user_store(saved, _user(request)))

    # ------------------------------------------------------------ asking
    def respond(question, saved, files, mode, request: gr.Request):
        skip = (gr.skip(),) * 6
        question = clean_question(question or "").strip()  # a lone surrogate would kill the stream
        if not question:
            yield (gr.skip(), *skip)
            return
        refused = lib.admit(question, client_key(request))
        if refused:  # too long, or too many questions: say why and leave the question to edit
            gr.Warning(refused)
            yield (gr.skip(), *skip)
            return
        user = _user(request)
        store = convs.user_store(saved, user)
        conv = store.active
        history = [(t.question, t.answer.text) for t in conv.turns] if conv else []
        chat = [
            *messages(conv),
            {"role": "user", "content": question},
            {"role": "assistant", "content": "正在检索文件…"},
        ]
        yield ("", chat, *skip[1:])
        try:
            engine = lib.engine_for(mode)
            selected = set(files) if files else None
            if engine.llm is None:
                answer = engine.ask(question, history=history, files=selected)
            else:
                answer = None
                for text, answer in _streamed(engine, question, history, selected):
                    if answer is None:
                        chat[-1] = {"role": "assistant", "content": text + " ▌"}
                        yield ("", chat, *skip[1:])
        except PolicyQAError as exc:
            chat[-1] = {"role": "assistant", "content": exc.in_chinese()}
            yield ("", chat, *skip[1:])
            return
        store, _ = convs.add_turn(store, answer)
        yield ("", *render(store), convs.with_user_store(saved, user, store))

    # ------------------------------------------------------------ the conversation list
    def change(step):
        """An event that changes the store by `step(store, value)` and shows the result."""

        def run(saved, value, request: gr.Request):
            user = _user(request)
            store = step(convs.user_store(saved, user), value)
            return (*render(store), convs.with_user_store(saved, user, store), gr.update(visible=False))

        return run

    def export(saved, fmt, request: gr.Request):
        conv = convs.user_store(saved, _user(request)).active
        if conv is None or not conv.turns:
            gr.Warning("这个对话还没有回答，先提问再导出。")
            return None
        suffix = EXPORTS.get(fmt, "docx")
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = lib.export_dir / f"对话-{stamp}.{suffix}"
        if suffix == "docx":
            return str(conversation_docx(conv, path))
        text = conversation_markdown(conv) if suffix == "md" else conversation_text(conv)
        _write_atomic(path, text)
        return str(path)

    # ------------------------------------------------------------ feedback
    def log(turn, rating, request):
        record = feedback_record(
            turn.answer, rating, turn.comment, answer_id=turn.id, user=_user(request) or ""
        )
        try:
            append_feedback(settings.feedback_log, record)
        except PolicyQAError as exc:
            gr.Warning(exc.in_chinese())
            return False
        return True

    def like(saved, data: gr.LikeData, request: gr.Request):
        user = _user(request)
        store = convs.user_store(saved, user)
        conv = store.active
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        if conv is None or not isinstance(index, int) or not 0 <= index // 2 < len(conv.turns):
            return gr.skip()
        turn = conv.turns[index // 2]
        rating = RATING_OF_LIKE.get(data.liked, "none") if isinstance(data.liked, bool) else "none"
        store = convs.rate(store, turn.id, rating)
        if log(convs.Turn(turn.id, turn.answer, rating, turn.comment), rating, request) and rating != "none":
            gr.Info("已记录您的评价，可在下方补充意见。")
        return convs.with_user_store(saved, user, store)

    def comment(text, saved, request: gr.Request):
        user = _user(request)
        store = convs.user_store(saved, user)
        conv = store.active
        if conv is None or not conv.turns or not (text or "").strip():
            gr.Warning("请先写下意见再发送。")
            return gr.skip(), gr.skip()
        turn = conv.turns[-1]
        store = convs.rate(store, turn.id, turn.rating, text)
        if log(convs.Turn(turn.id, turn.answer, turn.rating, text.strip()), turn.rating or "none", request):
            gr.Info("已记录您的意见，谢谢！")
        return convs.with_user_store(saved, user, store), text.strip()

    # ------------------------------------------------------------ layout
    with gr.Tab("问答", id="chat", elem_id="pq-chat-tab"):
        # Inside the tab: any other child of gr.Tabs would be wrapped in a tab of its own.
        saved = gr.BrowserState({}, storage_key=STORAGE_KEY, secret=_browser_secret(settings))
        side = side or conversation_sidebar()
        new_btn, listed, title, rename_btn, delete_btn, fmt, export_btn, export_file = side
        # elem_ids pq-chat-layout/-main/-side/-ask-row: on a phone app.css puts the sources right
        # after the answer, before the examples.
        with gr.Row(equal_height=False, elem_id="pq-chat-layout"):
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
                        choices=modes, value=default_mode, label="回答方式", scale=1, visible=len(modes) > 1
                    )
                chatbot = gr.Chatbot(
                    label="对话",
                    elem_id="pq-chat",
                    height=460,
                    feedback_options=("Like", "Dislike"),
                    buttons=[],  # copying goes through 复制回答及出处, which carries the sources
                    placeholder="请输入关于政策文件的问题，回答会附上原文出处。",
                )
                with gr.Row(visible=False, elem_id="pq-feedback-row") as feedback_row:
                    remark = gr.Textbox(
                        placeholder="对最近一条回答的意见（可选）；点回答下方的 赞/踩 图标评价回答",
                        show_label=False,
                        scale=8,
                        container=False,
                        elem_id="pq-comment",
                    )
                    remark_btn = gr.Button("发送意见", scale=1, min_width=120, elem_id="pq-comment-send")
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
                    clear_btn = gr.Button("新对话", scale=1, min_width=110, elem_id="pq-clear")
                example_set = gr.Dataset(
                    components=[question],
                    samples=lib.examples(),
                    label="新员工可以这样问",
                    elem_id="pq-examples",
                )
            with gr.Column(scale=9, elem_id="pq-chat-side"):
                cards = gr.HTML(
                    conversation_cards_html([], lib.texts.get),
                    js_on_load=read_asset("cards.js") + read_asset("chat.js"),
                    elem_id="pq-cards",
                )
        with gr.Column(visible=False, elem_id="pq-viewer-panel") as viewer_panel:
            close_btn = gr.Button("✕ 关闭原文", size="sm", elem_id="pq-viewer-close")
            viewer = gr.HTML("", js_on_load=read_asset("viewer.js"), elem_id="pq-viewer")

    private = dict(api_visibility="private")
    shown = [chatbot, cards, listed, feedback_row, remark]
    for trigger in (send.click, question.submit):
        # One pool of `concurrency` workers for every question, the /ask API's included.
        trigger(
            respond,
            [question, saved, doc_filter, mode],
            [question, *shown, saved],
            concurrency_id=ANSWER_POOL,
            concurrency_limit=settings.concurrency,
            **private,
        )
    changed = [*shown, saved, viewer_panel]
    for btn in (clear_btn, new_btn):
        btn.click(change(lambda s, _: convs.new_conversation(s)), [saved, listed], changed, **private)
    # The chatbot's own trash button empties the screen: the conversation stays in the list.
    chatbot.clear(change(lambda s, _: convs.new_conversation(s)), [saved, listed], changed, **private)
    listed.input(change(convs.select), [saved, listed], changed, **private)
    rename_btn.click(
        change(lambda s, t: convs.rename(s, s.current, t or "")), [saved, title], changed, **private
    ).then(lambda: "", None, title, **private)
    delete_btn.click(
        change(lambda s, chosen: convs.delete(s, s.current) if chosen else s),
        [saved, listed],
        changed,
        js="(s, c) => [s, confirm('确定删除当前对话吗？删除后无法恢复。') ? c : null]",
        **private,
    )
    export_btn.click(export, [saved, fmt], export_file, **private)
    chatbot.like(like, saved, saved, **private)
    remark_btn.click(comment, [remark, saved], [saved, remark], **private)
    example_set.click(lambda sample: sample[0], example_set, question, **private)

    def open_viewer(evt: gr.EventData):
        try:
            file, start, end = str(evt.file), int(evt.start), int(evt.end)
        except (AttributeError, TypeError, ValueError):
            return gr.skip(), gr.skip()
        return lib.viewer(file, start, end), gr.update(visible=True)

    cards.click(open_viewer, None, [viewer, viewer_panel], **private)
    close_btn.click(lambda: gr.update(visible=False), None, viewer_panel, queue=False, **private)
    return ChatTab(doc_filter, example_set, restore, [saved], shown)


class ConversationSidebar(NamedTuple):
    """The conversation list and what acts on the conversation on screen."""

    new_btn: gr.Button
    listed: gr.Radio
    title: gr.Textbox
    rename_btn: gr.Button
    delete_btn: gr.Button
    fmt: gr.Radio
    export_btn: gr.Button
    export_file: gr.File


def conversation_sidebar() -> ConversationSidebar:
    """Lay out the sidebar of conversations (a drawer on a phone); `chat_tab` wires it."""
    with gr.Sidebar(label="对话记录", open=True, width=270, elem_id="pq-sidebar"):
        new_btn = gr.Button("＋ 新对话", variant="primary", elem_id="pq-new")
        listed = gr.Radio(choices=[], label="历史对话", elem_id="pq-convs")
        with gr.Accordion("重命名 / 删除 / 导出当前对话", open=False, elem_id="pq-conv-tools"):
            title = gr.Textbox(label="新名称", placeholder="例如：环卫保洁指标", elem_id="pq-title")
            rename_btn = gr.Button("重命名", size="sm", elem_id="pq-rename")
            delete_btn = gr.Button("删除当前对话", variant="stop", size="sm", elem_id="pq-delete")
            fmt = gr.Radio(list(EXPORTS), value="Word（.docx）", label="导出格式")
            export_btn = gr.Button("导出整个对话（含出处）", size="sm", elem_id="pq-export")
            export_file = gr.File(label="导出的文件", interactive=False, elem_id="pq-export-file")
    return ConversationSidebar(new_btn, listed, title, rename_btn, delete_btn, fmt, export_btn, export_file)


def _write_atomic(path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


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
