"""The HTTP API on the real server (app + API in one process, on loopback) over the small fake-embedder
corpus, called with the official OpenAI client, LangChain's ChatOpenAI and plain HTTP."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from policyqa.answer_json import answer_to_json
from tests.conftest import DOC_A
from tests.fast.http_helpers import running_server, small_settings

QUESTION = "主干道机扫率要达到多少？"
SECTION = "二、重点任务 > （一）环卫保洁 > 1．提升道路保洁"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    settings = small_settings(tmp_path_factory.mktemp("api"))
    with running_server(settings) as running:
        yield running


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def openai_client(server):
    openai = pytest.importorskip("openai")
    return openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0)


def _assert_cites_the_figure(content: str, references: list[dict]):
    assert "100%" in content and "[1]" in content
    first = references[0]
    assert first["n"] == 1 and first["file"] == "a.txt" and first["section"] == SECTION
    assert first["title"] == "甲市2024年城市管理工作要点"
    assert first["section_path"] == SECTION.split(" > ")
    assert "主干道机扫率达到100%" in first["quote"]
    assert {"doc_number", "issuer", "date", "start", "end"} <= set(first)


# ---------------------------------------------------------------- OpenAI clients


def test_openai_client_answers_with_references(openai_client):
    assert [m.id for m in openai_client.models.list()] == ["policyqa"]
    reply = openai_client.chat.completions.create(
        model="policyqa",
        messages=[{"role": "system", "content": "ignored"}, {"role": "user", "content": QUESTION}],
        temperature=0.3,  # OpenAI parameters policyqa has no use for are accepted and ignored
        max_tokens=50,
    )
    extra = reply.model_extra
    assert reply.object == "chat.completion" and reply.model == "policyqa"
    assert reply.choices[0].finish_reason == "stop" and reply.choices[0].message.role == "assistant"
    _assert_cites_the_figure(reply.choices[0].message.content, extra["references"])
    assert extra["refused"] is False and extra["rewritten_question"] == ""


def test_openai_client_streams_chunks_with_references_last(openai_client):
    stream = openai_client.chat.completions.create(
        model="policyqa", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    content = "".join(c.choices[0].delta.content or "" for c in chunks)
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    _assert_cites_the_figure(content, last.model_extra["references"])
    assert last.model_extra["refused"] is False
    whole = openai_client.chat.completions.create(
        model="policyqa", messages=[{"role": "user", "content": QUESTION}]
    )
    assert content == whole.choices[0].message.content  # the pieces join to the same answer


def test_a_follow_up_in_the_messages_is_rewritten(openai_client):
    first = openai_client.chat.completions.create(
        model="policyqa", messages=[{"role": "user", "content": "甲市" + QUESTION}]
    )
    follow = openai_client.chat.completions.create(
        model="policyqa",
        messages=[
            {"role": "user", "content": "甲市" + QUESTION},
            {"role": "assistant", "content": first.choices[0].message.content},
            {"role": "user", "content": [{"type": "text", "text": "那背街小巷呢？"}]},
        ],
    )
    rewritten = follow.model_extra["rewritten_question"]
    assert rewritten and "背街小巷" in rewritten and rewritten != "那背街小巷呢？"
    assert "95%" in follow.choices[0].message.content


def test_a_question_the_documents_do_not_answer_is_refused(openai_client):
    reply = openai_client.chat.completions.create(
        model="policyqa", messages=[{"role": "user", "content": "甲市城市管理经费预算是多少亿元？"}]
    )
    assert reply.model_extra["refused"] is True
    assert "未找到" in reply.choices[0].message.content


def test_documents_restrict_the_search_and_a_filter_matching_nothing_is_400(openai_client):
    openai = pytest.importorskip("openai")
    reply = openai_client.chat.completions.create(
        model="policyqa", messages=[{"role": "user", "content": QUESTION}], extra_body={"documents": ["乙县"]}
    )
    assert "100%" not in reply.choices[0].message.content
    assert all(r["file"] == "b.txt" for r in reply.model_extra["references"])
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.chat.completions.create(
            model="policyqa",
            messages=[{"role": "user", "content": QUESTION}],
            extra_body={"documents": ["丙市"]},
        )
    assert caught.value.code == "no_matching_documents"
    with pytest.raises(openai.NotFoundError):
        openai_client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": QUESTION}]
        )


def test_langchain_chat_openai_pointed_at_the_server(server):
    langchain_openai = pytest.importorskip("langchain_openai")
    llm = langchain_openai.ChatOpenAI(
        model="policyqa", base_url=server.url + "/v1", api_key="unused", max_retries=0, temperature=0
    )
    reply = llm.invoke(QUESTION)
    assert "100%" in reply.content and "[1]" in reply.content
    streamed = "".join(chunk.content for chunk in llm.stream(QUESTION))
    assert streamed == reply.content


# ---------------------------------------------------------------- policyqa's own routes and Dify


def test_ask_returns_exactly_a_batch_line(server, http):
    reply = http.post("/api/ask", json={"id": "q1", "question": QUESTION})
    assert reply.status_code == 200
    line = reply.json()
    assert list(line) == ["id", "answer", "refused", "citations", "passages"]
    expected = answer_to_json(server.state.library.engine.ask(QUESTION))
    assert {k: v for k, v in line.items() if k != "id"} == json.loads(
        json.dumps(expected, ensure_ascii=False)
    )
    assert line["citations"][0] == {
        "file": "a.txt",
        "section": SECTION,
        "quote": "主干道机扫率达到100%，背街小巷保洁覆盖率达到95%以上。",
    }
    history = http.post(
        "/api/ask",
        json={"question": "那背街小巷呢？", "history": [["甲市" + QUESTION, line["answer"]]], "k": 12},
    ).json()
    assert "95%" in history["answer"] and len(history["passages"]) == 12


def test_search_returns_ranked_passages(http):
    reply = http.post("/api/search", json={"query": "新增停车泊位", "k": 3}).json()
    passages = reply["passages"]
    assert len(passages) == 3 and set(passages[0]) == {"file", "section", "text", "score"}
    assert passages[0]["file"] == "b.txt" and "新增停车泊位800个" in passages[0]["text"]
    assert [p["score"] for p in passages] == sorted((p["score"] for p in passages), reverse=True)
    only_a = http.post("/api/search", json={"query": "新增停车泊位", "documents": ["a.txt"]}).json()
    assert {p["file"] for p in only_a["passages"]} == {"a.txt"}


def test_documents_lists_the_index(http):
    reply = http.get("/api/documents").json()
    by_file = {d["file"]: d for d in reply["documents"]}
    assert set(by_file) == {"a.txt", "b.txt"}
    assert by_file["a.txt"]["title"] == "甲市2024年城市管理工作要点" and by_file["a.txt"]["years"] == [2024]
    assert sum(d["passages"] for d in reply["documents"]) == reply["passages"] > 0


def test_targets_lists_the_ledger_with_its_filters(http):
    everything = http.get("/api/targets").json()
    assert everything["total"] == len(everything["targets"]) >= 6
    assert everything["documents"] == 2 and everything["offset"] == 0 and everything["limit"] == 100
    toilets = http.get("/api/targets", params={"search": "公共厕所"}).json()  # an alias of 公厕
    assert toilets["total"] == 1 and toilets["documents"] == 1
    row = toilets["targets"][0]
    assert (row["file"], row["subject"], row["value"], row["unit"]) == ("a.txt", "新改建公厕", "20座", "座")
    assert row["number"] == 20 and row["title"] == "甲市2024年城市管理工作要点"
    assert row["sentence"] in DOC_A and DOC_A[row["start"] : row["end"]] == row["sentence"]
    assert row["section_path"] and isinstance(row["responsible"], list)
    only_b = http.get("/api/targets", params={"doc": "乙县"}).json()
    assert only_b["total"] >= 2 and {t["file"] for t in only_b["targets"]} == {"b.txt"}
    assert http.get("/api/targets", params={"kind": "penalty"}).json()["total"] == 0
    # nothing in the test documents has a deadline: a due_before filter keeps none
    assert http.get("/api/targets", params={"due_before": "2030-12-31"}).json()["total"] == 0


def test_targets_pages_with_limit_and_offset(http):
    everything = http.get("/api/targets").json()["targets"]
    page = http.get("/api/targets", params={"limit": 2, "offset": 1}).json()
    assert page["total"] == len(everything) and (page["limit"], page["offset"]) == (2, 1)
    assert page["targets"] == everything[1:3]
    past_the_end = http.get("/api/targets", params={"offset": 500}).json()
    assert past_the_end["targets"] == [] and past_the_end["total"] == len(everything)


@pytest.mark.parametrize(
    ("query", "gold"),
    [
        ("主干道机扫率要达到多少", "主干道机扫率达到100%"),
        ("全年新改建多少座公厕", "全年新改建公厕20座"),
        ("乙县新增多少停车泊位", "新增停车泊位800个"),
    ],
)
def test_dify_retrieval_returns_the_gold_passage(http, query, gold):
    body = {
        "knowledge_id": "policyqa",
        "query": query,
        "retrieval_setting": {"top_k": 3, "score_threshold": 0.2},
    }
    reply = http.post("/retrieval", json=body)
    assert reply.status_code == 200
    records = reply.json()["records"]
    assert 1 <= len(records) <= 3 and gold in records[0]["content"]
    first = records[0]
    assert 0.2 <= first["score"] <= 1 and first["title"] and isinstance(first["metadata"], dict)
    assert {"file", "section"} <= set(first["metadata"])
    assert [r["score"] for r in records] == sorted((r["score"] for r in records), reverse=True)


def test_dify_knowledge_id_names_documents_and_a_threshold_filters(http):
    def records(knowledge_id, threshold=0.0):
        body = {
            "knowledge_id": knowledge_id,
            "query": "停车泊位",
            "retrieval_setting": {"top_k": 5, "score_threshold": threshold},
        }
        return http.post("/retrieval", json=body)

    assert {r["metadata"]["file"] for r in records("甲市").json()["records"]} == {"a.txt"}
    assert records("policyqa", threshold=1.0).json() == {"records": []}
    missing = records("丙市")
    assert missing.status_code == 404 and missing.json()["error_code"] == 2001


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("POST", "/api/ask", {"question": "   "}, 400, "empty_question"),
        ("POST", "/api/ask", {"question": "问" * 501}, 400, "question_too_long"),
        (
            "POST",
            "/v1/chat/completions",
            {"messages": [{"role": "user", "content": "问" * 501}]},
            400,
            "question_too_long",
        ),
        (
            "POST",
            "/v1/chat/completions",
            {"messages": [{"role": "assistant", "content": "hi"}]},
            400,
            "no_question",
        ),
        ("POST", "/api/search", {"query": ""}, 400, "empty_question"),
        ("POST", "/api/ask", {"questoin": QUESTION}, 422, "invalid_body"),
        ("POST", "/api/ask", {"question": QUESTION, "k": 0}, 422, "invalid_body"),
        ("POST", "/v1/chat/completions", {"messages": []}, 422, "invalid_body"),
        ("POST", "/retrieval", {"query": "x"}, 422, "invalid_body"),
        ("GET", "/v1/nothing", None, 404, "not_found"),
        ("POST", "/api/nothing", {}, 404, "not_found"),
        ("GET", "/api/ask", None, 405, "method_not_allowed"),
        ("GET", "/api/targets?kind=goal", None, 400, "invalid_kind"),
        ("GET", "/api/targets?due_before=2024-13-01", None, 400, "invalid_date"),
        ("GET", "/api/targets?limit=0", None, 422, "invalid_body"),
        ("POST", "/api/targets", {}, 405, "method_not_allowed"),
    ],
)
def test_errors_are_json_with_the_right_status(http, method, path, body, status, code):
    reply = http.request(method, path, json=body)
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    error = reply.json()["error"]
    assert error["code"] == code and error["message"] and "Traceback" not in reply.text


def test_a_body_that_is_not_json_is_422(http):
    reply = http.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert reply.status_code == 422 and reply.json()["error"]["code"] == "invalid_body"


def test_docs_and_schema_are_served_without_a_cdn(http):
    schema = http.get("/openapi.json").json()
    assert {
        "/v1/chat/completions",
        "/v1/models",
        "/api/ask",
        "/api/search",
        "/api/documents",
        "/api/targets",
        "/retrieval",
    } <= set(schema["paths"])
    params = {p["name"] for p in schema["paths"]["/api/targets"]["get"]["parameters"]}
    assert params == {"search", "doc", "kind", "due_before", "limit", "offset"}
    page = http.get("/docs").text
    assert "/docs/static/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert http.get("/docs/static/swagger-ui-bundle.js").status_code == 200
    assert http.get("/").status_code == 200  # the app itself, at "/"


# ---------------------------------------------------------------- the live engine: swaps, start-up


def test_the_api_reads_the_engine_the_app_swaps(tmp_path):
    from index import library

    settings = small_settings(tmp_path)
    with running_server(settings, ui=False) as server, httpx.Client(base_url=server.url) as http:
        lib = server.state.library
        assert {d["file"] for d in http.get("/api/documents").json()["documents"]} == {"a.txt", "b.txt"}
        with lib.update_lock:  # as the 文件管理 tab removes a document
            lib.swap(library.remove_document(settings, "b.txt", lib.engine.embedder).index)
        assert {d["file"] for d in http.get("/api/documents").json()["documents"]} == {"a.txt"}
        assert {t["file"] for t in http.get("/api/targets").json()["targets"]} == {"a.txt"}
        reply = http.post("/api/ask", json={"question": QUESTION, "documents": ["乙县"]})
        assert reply.status_code == 400 and reply.json()["error"]["code"] == "no_matching_documents"


def test_503_while_the_first_index_build_runs(tmp_path):
    from policyqa.engine_setup import open_engine

    settings = small_settings(tmp_path)
    release = threading.Event()

    def slow_open(progress):
        progress(0, 2, "embedding a.txt")
        release.wait(30)
        return open_engine(settings, progress)

    with (
        running_server(settings, opener=slow_open, wait=False) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        busy = http.post("/api/ask", json={"question": QUESTION})
        assert busy.status_code == 503 and busy.headers["retry-after"]
        assert busy.json()["error"]["code"] == "index_building" and "0/2" in busy.json()["error"]["message"]
        assert http.get("/v1/models").status_code == 503
        page = http.get("/")
        assert page.status_code == 503 and "正在建立文件索引" in page.text
        release.set()
        server.wait_ready()
        assert http.post("/api/ask", json={"question": QUESTION}).status_code == 200
        assert http.get("/").status_code == 200


def test_an_index_that_cannot_be_opened_is_a_503_with_the_reason(tmp_path):
    from policyqa.errors import IndexFolderError, PolicyQAError

    def broken(progress):
        raise IndexFolderError("the index folder is damaged; run `policyqa index --rebuild`")

    settings = small_settings(tmp_path)
    with running_server(settings, ui=False, opener=broken, wait=False) as server:
        with pytest.raises(PolicyQAError, match="damaged"):
            server.wait_ready(10)
        reply = httpx.get(server.url + "/api/documents")
        assert reply.status_code == 503 and "--rebuild" in reply.json()["error"]["message"]
