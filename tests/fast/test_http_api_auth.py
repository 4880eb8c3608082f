"""Who may call the HTTP API: bearer keys when configured, off when the app has logins but no keys,
open otherwise; the app's own login is untouched by either."""

from __future__ import annotations

import httpx
import pytest

from policyqa.errors import SettingsError
from policyqa.settings import Settings, load_settings
from policyqa.web.api_auth import Access, api_keys
from tests.fast.http_helpers import running_server, small_settings

KEY = "pq-test-key-0123456789abcdef"
OTHER_KEY = "pq-other-key-0123456789abcdef"
LOGIN = "staff:s3cret-pass"
ROUTES = [
    ("GET", "/v1/models", None),
    ("GET", "/v1/models/policyqa", None),
    (
        "POST",
        "/v1/chat/completions",
        {"model": "policyqa", "messages": [{"role": "user", "content": "主干道机扫率要达到多少？"}]},
    ),
    ("POST", "/api/ask", {"question": "主干道机扫率要达到多少？"}),
    ("POST", "/api/search", {"query": "主干道机扫率"}),
    ("GET", "/api/documents", None),
    ("GET", "/api/targets?search=公厕", None),
    (
        "POST",
        "/retrieval",
        {
            "knowledge_id": "policyqa",
            "query": "公厕",
            "retrieval_setting": {"top_k": 2, "score_threshold": 0},
        },
    ),
]


def test_keys_from_a_list_or_a_file(tmp_path):
    assert api_keys("") == ()
    assert api_keys(f" {KEY} , {OTHER_KEY} ") == (KEY, OTHER_KEY)
    keys = tmp_path / "keys.txt"
    keys.write_text(f"# portal\n{KEY}\n\n{OTHER_KEY}\n", encoding="utf-8")
    assert api_keys(str(keys)) == (KEY, OTHER_KEY)
    with pytest.raises(SettingsError, match="does not exist"):
        api_keys(str(tmp_path / "missing.txt"))
    with pytest.raises(SettingsError, match="at least 16"):
        api_keys("short")
    with pytest.raises(SettingsError, match="#2"):
        api_keys(f"{KEY},has space in it 0123456789")
    (tmp_path / "empty.txt").write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="no keys"):
        api_keys(str(tmp_path / "empty.txt"))


def test_api_keys_setting_has_an_env_override(tmp_path):
    env = {"POLICYQA_CONFIG": str(tmp_path / "none.toml"), "POLICYQA_API_KEYS": KEY}
    assert load_settings(env=env).api_keys == KEY


def test_the_access_rule():
    assert Access(Settings()).mode == "open" and Access(Settings()).refusal(None) is None
    off = Access(Settings(auth=LOGIN))
    assert off.mode == "off" and off.refusal(f"Bearer {KEY}").status == 403
    keyed = Access(Settings(api_keys=KEY))  # keys are required once configured, logins or not
    assert keyed.refusal(None).code == "missing_api_key"
    assert keyed.refusal(f"Basic {KEY}").code == "invalid_authorization_header"
    assert keyed.refusal(f"Bearer {OTHER_KEY}").code == "invalid_api_key"
    assert keyed.refusal(f"bearer {KEY}") is None


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory):
    settings = small_settings(tmp_path_factory.mktemp("auth"), auth=LOGIN, api_keys=f"{KEY},{OTHER_KEY}")
    with running_server(settings) as running:
        yield running


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_every_route_needs_a_valid_key(keyed_server, method, path, body):
    with httpx.Client(base_url=keyed_server.url, timeout=30) as http:
        missing = http.request(method, path, json=body)
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        assert missing.json()["error"]["code"] == "missing_api_key"
        wrong = http.request(
            method, path, json=body, headers={"Authorization": "Bearer not-a-key-0123456789"}
        )
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_api_key"
        right = http.request(method, path, json=body, headers={"Authorization": f"Bearer {KEY}"})
        assert right.status_code == 200, right.text


def test_dify_errors_carry_difys_error_code(keyed_server):
    body = {
        "knowledge_id": "policyqa",
        "query": "公厕",
        "retrieval_setting": {"top_k": 1, "score_threshold": 0},
    }
    malformed = httpx.post(keyed_server.url + "/retrieval", json=body, headers={"Authorization": KEY})
    assert malformed.status_code == 401 and malformed.json()["error_code"] == 1001
    wrong = httpx.post(
        keyed_server.url + "/retrieval", json=body, headers={"Authorization": "Bearer " + "x" * 20}
    )
    assert wrong.status_code == 401 and wrong.json()["error_code"] == 1002


def test_the_openai_client_with_a_key(keyed_server):
    openai = pytest.importorskip("openai")
    good = openai.OpenAI(base_url=keyed_server.url + "/v1", api_key=OTHER_KEY, max_retries=0)
    reply = good.chat.completions.create(
        model="policyqa", messages=[{"role": "user", "content": "主干道机扫率要达到多少？"}]
    )
    assert "100%" in reply.choices[0].message.content
    bad = openai.OpenAI(base_url=keyed_server.url + "/v1", api_key="wrong-key-0123456789", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.models.list()


def test_the_app_login_is_unaffected(keyed_server):
    with httpx.Client(base_url=keyed_server.url, timeout=30) as http:
        assert http.get("/").status_code == 200  # the page, which asks for a login
        assert http.get("/config").status_code == 401
        assert (
            http.get("/config", headers={"Authorization": f"Bearer {KEY}"}).status_code == 401
        )  # a key is no login
        assert http.post("/login", data={"username": "staff", "password": "wrong"}).status_code == 400
        assert http.post("/login", data={"username": "staff", "password": "s3cret-pass"}).json() == {
            "success": True
        }
        assert http.get("/config").status_code == 200
        assert http.get("/api/documents").status_code == 401  # and a login is no key


def test_with_logins_but_no_keys_the_api_is_off_and_says_why(tmp_path):
    settings = small_settings(tmp_path, auth=LOGIN)
    with running_server(settings, ui=False) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        for method, path, body in ROUTES:
            reply = http.request(method, path, json=body, headers={"Authorization": f"Bearer {KEY}"})
            assert reply.status_code == 403, path
            error = reply.json()["error"]
            assert error["code"] == "api_disabled" and "POLICYQA_API_KEYS" in error["message"]


def test_a_bad_keys_setting_stops_the_start(tmp_path):
    from policyqa.web.server import create_server

    with pytest.raises(SettingsError, match="at least 16"):
        create_server(small_settings(tmp_path, api_keys="tooshort"), lambda progress: None)
