"""The app under abuse (issue "Reliability and security", items 1 and 7): the question cap and the
per-client rate limit on the chat and /ask, failed logins slowed down and locked out, and roles."""

import socket
from types import SimpleNamespace

import pytest

from policyqa.errors import SettingsError
from policyqa.settings import Settings, load_settings
from policyqa.web.library import Library
from policyqa.web.limits import LoginGuard, RateLimiter, client_key
from policyqa.web.login import login_check


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def handler(demo, name):
    """A Gradio event handler of the app, by its function name (to call it without a browser)."""
    return next(f.fn for f in demo.fns.values() if getattr(f.fn, "__name__", "") == name)


# ---------------------------------------------------------------- rate limit


def test_rate_limiter_allows_per_minute_then_says_how_long_to_wait():
    clock = Clock()
    limiter = RateLimiter(3, clock=clock)
    assert [limiter.wait("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.wait("a") == 60
    assert limiter.wait("b") == 0  # per client
    clock.now += 45
    assert limiter.wait("a") == 15
    clock.now += 15
    assert limiter.wait("a") == 0
    assert all(RateLimiter(0).wait("a") == 0 for _ in range(1000))  # 0: no limit


def test_clients_are_users_when_logged_in_else_addresses():
    assert (
        client_key(SimpleNamespace(username="alice", client=SimpleNamespace(host="10.0.0.1"))) == "user:alice"
    )
    assert (
        client_key(SimpleNamespace(username=None, client=SimpleNamespace(host="10.0.0.1"))) == "ip:10.0.0.1"
    )
    assert client_key(None) == "local"


@pytest.fixture
def lib(fake_settings):
    from retrieval.pipeline import Engine

    settings = fake_settings.with_changes(rate_limit=2)
    return Library(Engine.open(settings)[0], settings)


def test_admit_refuses_long_questions_and_fast_askers_in_their_language(lib):
    assert "问题太长" in lib.admit("问" * 501, "ip:1")
    assert lib.admit("主干道机扫率要达到多少？", "ip:1") == ""
    assert lib.admit("What is the sweeping rate?", "ip:1") == ""
    assert "提问过于频繁" in lib.admit("主干道机扫率要达到多少？", "ip:1")
    assert "Too many questions" in lib.admit("What is the sweeping rate?", "ip:1")
    assert lib.admit("主干道机扫率要达到多少？", "ip:2") == ""


@pytest.fixture
def running_app(fake_settings, tmp_path):
    import app
    from retrieval.pipeline import Engine

    settings = fake_settings.with_changes(
        port=_free_port(), feedback_log=tmp_path / "feedback.jsonl", rate_limit=3, index_poll_seconds=0
    )
    demo = app.build_app(Engine.open(settings)[0], settings)
    _, url, _ = app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    try:
        yield url, demo
    finally:
        demo.close()


def test_ask_api_and_chat_share_the_cap_and_the_limit(running_app):
    from gradio_client import Client

    url, demo = running_app
    client = Client(url, verbose=False)
    with pytest.raises(Exception, match="问题太长"):
        client.predict("主干道机扫率要达到多少？" * 100, None, api_name="/ask")
    assert "100%" in client.predict("主干道机扫率要达到多少？", None, api_name="/ask")["answer"]
    # the chat box: refused with a warning, the question left in the box, nothing answered
    respond = handler(demo, "respond")
    me = SimpleNamespace(username=None, client=SimpleNamespace(host="127.0.0.1"))
    with pytest.warns(UserWarning, match="问题太长"):
        steps = list(respond("问" * 501, {}, None, "none", me))
    assert len(steps) == 1 and steps[0][0] != ""  # the box is not cleared: the question can be edited
    for _ in range(2):  # the client's second and third question this minute (rate_limit=3)
        answered = list(respond("主干道机扫率要达到多少？", {}, None, "none", me))
        assert "100%" in answered[-1][1]["value"][-1]["content"]
    with pytest.warns(UserWarning, match="提问过于频繁"):
        list(respond("主干道机扫率要达到多少？", {}, None, "none", me))
    with pytest.raises(Exception, match="提问过于频繁"):  # the same client over the API
        client.predict("主干道机扫率要达到多少？", None, api_name="/ask")


def test_questions_run_in_one_bounded_pool_with_a_bounded_queue(running_app):
    url, demo = running_app
    settings = demo.library.settings
    answering = [f for f in demo.fns.values() if getattr(f.fn, "__name__", "") in ("respond", "ask")]
    assert len(answering) == 3  # send, enter, /ask
    assert {f.concurrency_id for f in answering} == {"answer"}
    assert {f.concurrency_limit for f in answering} == {settings.concurrency}
    assert demo._queue.max_size == settings.queue_size


# ---------------------------------------------------------------- logins


def test_failed_logins_lock_the_name_even_for_the_right_password():
    clock = Clock()
    guard = LoginGuard([("alice", "s3cret"), ("bob", "pw")], max_failures=3, window=300, delay=0, clock=clock)
    assert guard.verify("alice", "s3cret")
    assert not any(guard.verify("alice", wrong) for wrong in ("a", "b", "c"))
    assert guard.locked_for("alice") == 300
    assert not guard.verify("alice", "s3cret")  # locked: the right password fails too
    assert guard.verify("bob", "pw")  # other names are not affected
    clock.now += 301
    assert guard.verify("alice", "s3cret")
    assert not guard.verify("nobody", "s3cret") and not guard.verify("alice", "s3cret密")


def test_a_success_clears_earlier_failures():
    guard = LoginGuard([("alice", "s3cret")], max_failures=3, delay=0)
    assert not guard.verify("alice", "x") and not guard.verify("alice", "y")
    assert guard.verify("alice", "s3cret")
    assert not guard.verify("alice", "x") and not guard.verify("alice", "y")
    assert guard.locked_for("alice") == 0 and guard.verify("alice", "s3cret")


def test_login_check_is_awaited_by_gradio_and_delays_failures():
    import asyncio
    import inspect
    import time

    check = login_check(Settings(auth="alice:s3cret"))
    # Gradio awaits the check only if it is a coroutine function; a truthy coroutine would let anyone in.
    assert inspect.iscoroutinefunction(check)
    started = time.perf_counter()
    assert asyncio.run(check("alice", "wrong")) is False
    assert time.perf_counter() - started >= 0.9
    assert asyncio.run(check("alice", "s3cret")) is True
    assert login_check(Settings()) is None


def test_login_over_http_is_locked_after_five_failures(fake_settings, tmp_path, monkeypatch):
    import httpx

    import app
    from policyqa.web import limits
    from retrieval.pipeline import Engine

    monkeypatch.setattr(limits, "LOGIN_DELAY", 0.0)
    settings = fake_settings.with_changes(port=_free_port(), auth="alice:s3cret", index_poll_seconds=0)
    demo = app.build_app(Engine.open(settings)[0], settings)
    _, url, _ = app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    try:
        login = lambda pw: httpx.post(url + "login", data={"username": "alice", "password": pw}).status_code  # noqa: E731
        assert login("s3cret") == 200
        assert [login(f"guess{i}") for i in range(5)] == [400] * 5
        assert login("s3cret") == 400  # locked
    finally:
        demo.close()


# ---------------------------------------------------------------- roles


def test_roles_setting_from_the_environment(tmp_path):
    env = {"POLICYQA_CONFIG": str(tmp_path / "none.toml"), "POLICYQA_ADMINS": " alice, carol ,"}
    assert load_settings(env=env).admin_users == {"alice", "carol"}
    assert Settings().admin_users == frozenset()


def test_roles_must_name_users_who_can_log_in():
    with pytest.raises(SettingsError, match="POLICYQA_AUTH"):
        login_check(Settings(admins="alice"))
    with pytest.raises(SettingsError, match="carol"):
        login_check(Settings(auth="alice:pw", admins="alice,carol"))
    assert login_check(Settings(auth="alice:pw", admins="alice")) is not None


def test_only_admins_manage_documents_when_roles_are_set(lib):
    assert lib.may_manage(None) and lib.may_manage("bob")  # no roles: whoever got in
    lib.settings = lib.settings.with_changes(admins="alice")
    assert lib.may_manage("alice")
    assert not lib.may_manage("bob") and not lib.may_manage(None)
