"""Malformed, unsigned and wrongly typed requests at every HTTP endpoint Parley serves (issue 15).

One Parley HTTP server carries both ``POST /slack/events`` (the real bolt app, against tests.fake_slack)
and ``POST /telegram/webhook`` (the real PTB Application, against tests.fake_telegram), plus ``GET
/healthz``. The promise checked here: such a request gets a 4xx (or, for Telegram, which would retry a
non-2xx forever, a 200 with the update dropped) and at most a WARNING line without a traceback; never a
5xx and never an exception in the log. The property tests throw arbitrary bytes, JSON of the wrong
shapes and real payloads with fields of the wrong type at each endpoint.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.slack import SlackAdapter
from bot.adapters.telegram import SECRET_HEADER, TelegramAdapter
from bot.app import build_core
from bot.http import HttpServer
from bot.settings import load_settings
from bot.store import SQLiteStore, open_store
from tests.fake_slack import BOT_TOKEN, BOT_USER_ID, SIGNING_SECRET, TEAM_ID, FakeSlack
from tests.fake_telegram import TOKEN, FakeTelegram, TgUser, private_chat

pytestmark = pytest.mark.asyncio(loop_scope="module")

SECRET = "s3cret-Token_1"
ANA = TgUser(4201, "Ana", "en")
#: Loggers of the request paths under test: nothing from them may carry a traceback.
WATCHED = ("bot", "slack_bolt", "telegram", "aiohttp", "asyncio")
PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@dataclass
class Served:
    http: HttpServer
    slack: SlackAdapter
    telegram: TelegramAdapter
    store: SQLiteStore
    session: aiohttp.ClientSession

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http.port}"

    async def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None,
                      ) -> tuple[int, str]:
        async with self.session.request(method, self.base + path, data=body, headers=headers or {}) as resp:
            return resp.status, await resp.text(errors="replace")

    async def slack_post(self, body: bytes, content_type: str = "application/json", *, signed: bool = True,
                         timestamp: str | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
        all_headers = {"Content-Type": content_type}
        if signed:
            all_headers.update(slack_signature(body, timestamp))
        all_headers.update(headers or {})
        return await self.request("POST", "/slack/events", body, all_headers)

    async def telegram_post(self, body: bytes, secret: str | None = SECRET,
                            content_type: str = "application/json") -> tuple[int, str]:
        headers = {"Content-Type": content_type}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        return await self.request("POST", "/telegram/webhook", body, headers)

    async def settle(self) -> None:
        """Lets accepted work finish, so its failures (if any) reach the log before the check."""
        await asyncio.wait_for(self.slack.drain(), 10)
        for _ in range(3):
            await asyncio.sleep(0.005)
            pending = set(self.telegram._tasks)
            if pending:
                await asyncio.wait(pending, timeout=10)


def slack_signature(body: bytes, timestamp: str | None = None) -> dict[str, str]:
    """Slack's v0 signature over the raw bytes: HMAC-SHA256(secret, b"v0:{ts}:" + body)."""
    ts = timestamp if timestamp is not None else str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def served(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Served]:
    slack_fake = await FakeSlack().start()
    tg_fake = FakeTelegram()
    await tg_fake.start()
    tg_fake.chats[ANA.id] = private_chat(ANA)
    db = tmp_path_factory.mktemp("http") / "parley.db"
    settings_ = load_settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                              slack_api_url=slack_fake.api_url, telegram_token=TOKEN, telegram_api_url=tg_fake.url,
                              telegram_webhook_url="https://parley.example.org", telegram_webhook_secret=SECRET,
                              http_port=0, database_url=f"sqlite:///{db}")
    store = await open_store(settings_.database_url)
    core = build_core(store, settings_)
    http = HttpServer("127.0.0.1", 0)
    slack = SlackAdapter(core, settings_, http)
    telegram = TelegramAdapter(core, settings_, http, poll_timeout=1)
    core.register(slack)
    core.register(telegram)
    await slack.start()
    await telegram.start()
    await http.start()
    async with aiohttp.ClientSession() as session:
        yield Served(http, slack, telegram, store, session)
    await slack.stop()
    await telegram.stop()
    await http.stop()
    await store.close()
    await tg_fake.stop()
    await slack_fake.stop()


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    yield caplog


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Records of the watched loggers that carry an exception (at any level)."""
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records
            if (r.exc_info or r.exc_text) and r.name.split(".")[0] in WATCHED]


def warnings_from(caplog: pytest.LogCaptureFixture, name: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.WARNING and r.name.startswith(name)]


# -- payload templates Slack and Telegram really send -----------------------------------------------------


def _event_callback(event: dict[str, Any]) -> dict[str, Any]:
    return {"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0001", "type": "event_callback",
            "event_id": "Ev0001", "event_time": 1_800_000_000, "event": event,
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]}


SLACK_JSON: list[dict[str, Any]] = [
    _event_callback({"type": "message", "user": "U1", "text": "the client will not pay", "channel": "D1",
                     "ts": "1800000001.000001", "channel_type": "im"}),
    _event_callback({"type": "message", "user": "U1", "text": "more", "channel": "C1", "channel_type": "channel",
                     "ts": "1800000002.000002", "thread_ts": "1800000001.000001"}),
    _event_callback({"type": "app_mention", "user": "U1", "text": f"<@{BOT_USER_ID}> help", "channel": "C1",
                     "ts": "1800000003.000003"}),
    _event_callback({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}),
    {"type": "url_verification", "challenge": "abc", "token": "legacy"},
]
SLACK_ACTION: dict[str, Any] = {
    "type": "block_actions", "user": {"id": "U1", "username": "u1", "team_id": TEAM_ID}, "api_app_id": "A0001",
    "token": "legacy", "team": {"id": TEAM_ID, "domain": "fake"}, "trigger_id": "1.abc", "response_url": "",
    "actions": [{"type": "button", "action_id": "parley.0", "block_id": "pa:U1:0", "value": "w:1:walk",
                 "text": {"type": "plain_text", "text": "Walk"}, "action_ts": "1800000004.1"}],
    "channel": {"id": "C1", "name": "general"},
    "container": {"type": "message", "message_ts": "1800000001.000001", "channel_id": "C1", "is_ephemeral": False},
    "message": {"ts": "1800000001.000001", "text": "x", "blocks": [{"type": "section", "block_id": "b",
                                                                     "text": {"type": "mrkdwn", "text": "x"}}]},
}
SLACK_COMMAND: dict[str, str] = {
    "token": "legacy", "team_id": TEAM_ID, "team_domain": "fake", "channel_id": "D1", "channel_name": "directmessage",
    "user_id": "U1", "user_name": "u1", "command": "/parley", "text": "help", "api_app_id": "A0001",
    "is_enterprise_install": "false", "response_url": "", "trigger_id": "2.abc",
}


def _message(text: Any = "/start") -> dict[str, Any]:
    return {"message_id": 1, "date": 1_800_000_000, "chat": private_chat(ANA), "from": ANA.json(), "text": text}


TELEGRAM: list[dict[str, Any]] = [
    {"update_id": 1, "message": _message()},
    {"update_id": 2, "edited_message": {**_message("the client will not pay"), "edit_date": 1_800_000_001}},
    {"update_id": 3, "message": {**_message("hi @parley_test_bot"), "chat": {"id": -100123, "type": "supergroup",
                                                                              "title": "Studio", "is_forum": True},
                                 "message_thread_id": 7, "is_topic_message": True,
                                 "reply_to_message": {**_message("earlier"), "message_id": 0}}},
    {"update_id": 4, "callback_query": {"id": "cb1", "from": ANA.json(), "chat_instance": "ci", "data": "w:1:walk",
                                        "message": {**_message("card"), "message_id": 9,
                                                    "entities": [{"type": "bold", "offset": 0, "length": 4}]}}},
    {"update_id": 5, "my_chat_member": {"chat": private_chat(ANA), "from": ANA.json(), "date": 1_800_000_000,
                                        "old_chat_member": {"status": "member", "user": ANA.json()},
                                        "new_chat_member": {"status": "kicked", "user": ANA.json(),
                                                            "until_date": 0}}},
]

JSON_LEAF = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
             | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20))
JSON_ANY = st.recursive(JSON_LEAF, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key/index path into a JSON value (the root excluded)."""
    found: list[tuple[Any, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in items:
        found.append((*prefix, key))
        found.extend(_paths(child, (*prefix, key)))
    return found


@st.composite
def mutated(draw: st.DrawFn, templates: list[dict[str, Any]]) -> dict[str, Any]:
    """A real payload with one to three fields replaced by JSON of any type, or removed."""
    payload = copy.deepcopy(draw(st.sampled_from(templates)))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(payload)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = payload
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON_ANY)
    return payload


# -- the examples of the issue ------------------------------------------------------------------------------


@pytest.mark.parametrize("body,content_type", [(b"{", "application/json"),
                                               (b"payload=", "application/x-www-form-urlencoded"),
                                               (b"\xff\xfe{", "application/json")])
async def test_unsigned_junk_to_slack_is_401_without_a_traceback(served: Served, logged: pytest.LogCaptureFixture,
                                                                  body: bytes, content_type: str) -> None:
    status, text = await served.slack_post(body, content_type, signed=False)
    assert status == 401
    assert "Traceback" not in text
    assert tracebacks(logged) == []


@pytest.mark.parametrize("timestamp", ["soon", "", "1e9", "١٧٠٠٠٠٠٠٠٠", " 1700000000", "17_000_000_00"])
async def test_a_signed_request_with_a_bad_timestamp_is_401(served: Served, logged: pytest.LogCaptureFixture,
                                                            timestamp: str) -> None:
    body = json.dumps(SLACK_JSON[0]).encode()
    headers = slack_signature(body, timestamp)
    status, _ = await served.slack_post(body, signed=False, headers=headers)
    assert status == 401
    assert tracebacks(logged) == []


@pytest.mark.parametrize("signature", ["v0=é", "v1=00", "", "v0=" + "0" * 64, "ü" * 10])
async def test_a_bad_signature_header_is_401(served: Served, logged: pytest.LogCaptureFixture, signature: str) -> None:
    body = json.dumps(SLACK_JSON[0]).encode()
    headers = {**slack_signature(body), "X-Slack-Signature": signature}
    status, _ = await served.request("POST", "/slack/events", body,
                                     {"Content-Type": "application/json", **headers})
    assert status == 401
    assert tracebacks(logged) == []


@pytest.mark.parametrize("body,content_type", [
    (b"{", "application/json"),
    (b"payload=", "application/x-www-form-urlencoded"),
    (b"payload=%7B", "application/x-www-form-urlencoded"),
    (b"payload=%5B1%5D", "application/x-www-form-urlencoded"),
    (b"[1, 2]", "application/json"),
    (b'"text"', "application/json"),
    (b"\xff\xfe{", "application/json"),
    (b'{"type": "event_callback", "event": "message"}', "application/json"),
    (b'{"type": "event_callback", "event": null}', "application/json"),
    (b'{"type": "event_callback", "event": {"type": "message", "user": ["U1"], "text": 5, "channel": "D1",'
     b' "channel_type": "im", "ts": "1.1"}}', "application/json"),
    (urlencode({"payload": json.dumps({**SLACK_ACTION, "actions": "walk"})}).encode(),
     "application/x-www-form-urlencoded"),
    (urlencode({"payload": json.dumps({**SLACK_ACTION, "user": "U1"})}).encode(), "application/x-www-form-urlencoded"),
    (urlencode({"payload": json.dumps({**SLACK_ACTION, "actions": []})}).encode(), "application/x-www-form-urlencoded"),
    (urlencode({"payload": json.dumps({**SLACK_ACTION, "actions": [{"type": "button", "value": "x"}]})}).encode(),
     "application/x-www-form-urlencoded"),
    (urlencode({"payload": json.dumps({**SLACK_ACTION, "type": "interactive_message", "actions": []})}).encode(),
     "application/x-www-form-urlencoded"),
])
async def test_signed_but_malformed_slack_body_is_4xx_with_one_warning(
        served: Served, logged: pytest.LogCaptureFixture, body: bytes, content_type: str) -> None:
    status, text = await served.slack_post(body, content_type)
    await served.settle()
    assert 400 <= status < 500, text
    assert tracebacks(logged) == []
    assert len(warnings_from(logged, "bot.adapters.slack")) == 1
    assert all(SIGNING_SECRET not in r.getMessage() for r in logged.records)


async def test_a_good_signed_request_still_works(served: Served, logged: pytest.LogCaptureFixture) -> None:
    status, text = await served.slack_post(json.dumps(SLACK_JSON[-1]).encode())
    assert status == 200 and "abc" in text
    status, _ = await served.slack_post(urlencode(SLACK_COMMAND).encode(), "application/x-www-form-urlencoded")
    assert status == 200
    await served.settle()
    assert tracebacks(logged) == []


@pytest.mark.parametrize("payload", [*SLACK_JSON, SLACK_ACTION])
async def test_the_payloads_slack_really_sends_pass_the_shape_check(
        served: Served, logged: pytest.LogCaptureFixture, payload: dict[str, Any]) -> None:
    text = json.dumps(payload)
    body = urlencode({"payload": text}).encode() if "actions" in payload else text.encode()
    status, _ = await served.slack_post(body, "application/x-www-form-urlencoded" if "actions" in payload
                                        else "application/json")
    await served.settle()
    assert status == 200
    assert not [r for r in logged.records if "malformed" in r.getMessage()]
    assert tracebacks(logged) == []


@pytest.mark.parametrize("update", TELEGRAM)
async def test_the_updates_telegram_really_sends_pass_the_shape_check(
        served: Served, logged: pytest.LogCaptureFixture, update: dict[str, Any]) -> None:
    status, _ = await served.telegram_post(json.dumps(update).encode())
    await served.settle()
    assert status == 200
    assert not [r for r in logged.records if "malformed" in r.getMessage()]
    assert tracebacks(logged) == []


@pytest.mark.parametrize("body", [b"{", b"[]", b"[1]", b"null", b"7", b'"x"', b"\xff", b"{}", b'{"update_id": "1"}',
                                  b'{"update_id": true}', b'{"message": {}}'])
async def test_webhook_body_that_is_not_an_update_is_dropped_with_200(
        served: Served, logged: pytest.LogCaptureFixture, body: bytes) -> None:
    status, _ = await served.telegram_post(body)
    await served.settle()
    assert status == 200
    assert tracebacks(logged) == []
    assert len(warnings_from(logged, "bot.adapters.telegram")) == 1


@pytest.mark.parametrize("update", [
    {"update_id": 101, "message": _message(5)},
    {"update_id": 102, "message": {**_message(), "chat": "private"}},
    {"update_id": 103, "message": {**_message(), "from": {"id": "4201", "is_bot": False, "first_name": "Ana"}}},
    {"update_id": 104, "message": {**_message(), "from": {"id": 4201, "is_bot": "no", "first_name": 1}}},
    {"update_id": 105, "callback_query": {**TELEGRAM[3]["callback_query"], "data": ["w"]}},
    {"update_id": 106, "callback_query": {**TELEGRAM[3]["callback_query"], "message": "m"}},
    {"update_id": 107, "my_chat_member": {**TELEGRAM[4]["my_chat_member"], "new_chat_member": "kicked"}},
    {"update_id": 108, "edited_message": {**_message(), "chat": {"id": "x", "type": "private"}}},
])
async def test_webhook_update_with_wrong_field_types_is_dropped_with_200(
        served: Served, logged: pytest.LogCaptureFixture, update: dict[str, Any]) -> None:
    status, _ = await served.telegram_post(json.dumps(update).encode())
    await served.settle()
    assert status == 200
    assert tracebacks(logged) == []
    assert len(warnings_from(logged, "bot.adapters.telegram")) == 1
    stored = {row["event_id"] for row in await served.store._all("SELECT event_id FROM processed_events")}
    assert str(update["update_id"]) not in stored, "nothing of a dropped update is stored"


@pytest.mark.parametrize("secret", [None, "wrong", "s3cret-Token_1x", "ключ"])
async def test_webhook_without_the_secret_is_403(served: Served, logged: pytest.LogCaptureFixture,
                                                 secret: str | None) -> None:
    status, _ = await served.telegram_post(b"{", secret=secret)
    assert status == 403
    assert tracebacks(logged) == []


async def test_webhook_secret_header_of_raw_bytes_is_403(served: Served, logged: pytest.LogCaptureFixture) -> None:
    """A header aiohttp cannot decode as UTF-8 must not crash the comparison."""
    reader, writer = await asyncio.open_connection("127.0.0.1", served.http.port)
    writer.write(b"POST /telegram/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                 b"X-Telegram-Bot-Api-Secret-Token: \xff\xfe\r\nConnection: close\r\n\r\n{}")
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    assert int(status_line.split()[1]) in (400, 403)
    assert tracebacks(logged) == []


@pytest.mark.parametrize("path", ["/slack/events", "/telegram/webhook"])
async def test_a_body_over_the_size_cap_is_413(served: Served, logged: pytest.LogCaptureFixture, path: str) -> None:
    body = b"{" + b" " * (2 * 1024 * 1024)
    headers = {"Content-Type": "application/json", SECRET_HEADER: SECRET, **slack_signature(body)}
    status, _ = await served.request("POST", path, body, headers)
    assert status == 413
    assert tracebacks(logged) == []


@pytest.mark.parametrize("method,path,expected", [("POST", "/healthz", 405), ("GET", "/slack/events", 405),
                                                  ("PUT", "/telegram/webhook", 405), ("GET", "/nowhere", 404),
                                                  ("GET", "/healthz", 200)])
async def test_wrong_methods_and_paths(served: Served, logged: pytest.LogCaptureFixture, method: str, path: str,
                                       expected: int) -> None:
    status, _ = await served.request(method, path)
    assert status == expected
    assert tracebacks(logged) == []


# -- properties ---------------------------------------------------------------------------------------------

CONTENT_TYPES = st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain",
                                 "application/json; charset=latin-1", "application/json; charset=nonsense", ""])


async def _check(served: Served, caplog: pytest.LogCaptureFixture, status: int, upper: int = 500) -> None:
    await served.settle()
    assert status < upper
    assert tracebacks(caplog) == []


@PROPERTY
@given(body=st.binary(max_size=300), content_type=CONTENT_TYPES, signed=st.booleans())
async def test_property_slack_arbitrary_bytes(served: Served, logged: pytest.LogCaptureFixture, body: bytes,
                                              content_type: str, signed: bool) -> None:
    status, _ = await served.slack_post(body, content_type, signed=signed)
    await _check(served, logged, status)
    if not signed:
        assert status == 401


@PROPERTY
@given(value=JSON_ANY, form=st.booleans())
async def test_property_slack_json_of_any_shape(served: Served, logged: pytest.LogCaptureFixture, value: Any,
                                                form: bool) -> None:
    text = json.dumps(value)
    if form:
        status, _ = await served.slack_post(urlencode({"payload": text}).encode(), "application/x-www-form-urlencoded")
    else:
        status, _ = await served.slack_post(text.encode())
    await _check(served, logged, status)


@PROPERTY
@given(payload=mutated([*SLACK_JSON, SLACK_ACTION]), as_form=st.booleans())
async def test_property_slack_real_payloads_with_wrong_field_types(
        served: Served, logged: pytest.LogCaptureFixture, payload: dict[str, Any], as_form: bool) -> None:
    text = json.dumps(payload)
    if as_form or payload.get("type") == "block_actions":
        status, _ = await served.slack_post(urlencode({"payload": text}).encode(), "application/x-www-form-urlencoded")
    else:
        status, _ = await served.slack_post(text.encode())
    await _check(served, logged, status)


@PROPERTY
@given(fields=st.dictionaries(st.sampled_from(sorted(SLACK_COMMAND)), st.text(max_size=30), max_size=6),
       drop=st.lists(st.sampled_from(sorted(SLACK_COMMAND)), max_size=4))
async def test_property_slack_slash_commands_with_odd_fields(
        served: Served, logged: pytest.LogCaptureFixture, fields: dict[str, str], drop: list[str]) -> None:
    form = {**SLACK_COMMAND, **fields}
    for name in drop:
        form.pop(name, None)
    status, _ = await served.slack_post(urlencode(form).encode(), "application/x-www-form-urlencoded")
    await _check(served, logged, status)


@PROPERTY
@given(body=st.binary(max_size=300), content_type=CONTENT_TYPES)
async def test_property_telegram_arbitrary_bytes(served: Served, logged: pytest.LogCaptureFixture, body: bytes,
                                                 content_type: str) -> None:
    status, _ = await served.telegram_post(body, content_type=content_type)
    await _check(served, logged, status, upper=300)


@PROPERTY
@given(value=JSON_ANY)
async def test_property_telegram_json_of_any_shape(served: Served, logged: pytest.LogCaptureFixture,
                                                   value: Any) -> None:
    status, _ = await served.telegram_post(json.dumps(value).encode())
    await _check(served, logged, status, upper=300)


@PROPERTY
@given(update=mutated(TELEGRAM), update_id=st.integers(1000, 10**9))
async def test_property_telegram_real_updates_with_wrong_field_types(
        served: Served, logged: pytest.LogCaptureFixture, update: dict[str, Any], update_id: int) -> None:
    if "update_id" in update and isinstance(update["update_id"], int):
        update["update_id"] = update_id  # a fresh id, so the update is not dropped as a repeat
    status, _ = await served.telegram_post(json.dumps(update).encode())
    await _check(served, logged, status, upper=300)


@PROPERTY
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]),
       path=st.sampled_from(["/healthz", "/slack/events", "/telegram/webhook", "/", "/x"]),
       body=st.binary(max_size=100))
async def test_property_any_method_and_path_is_below_500(served: Served, logged: pytest.LogCaptureFixture,
                                                         method: str, path: str, body: bytes) -> None:
    status, _ = await served.request(method, path, body)
    await _check(served, logged, status)


# -- the safety net and the 5xx that must stay --------------------------------------------------------------


async def test_an_unexpected_handler_failure_is_500_without_a_traceback_to_the_client(
        logged: pytest.LogCaptureFixture) -> None:
    http = HttpServer("127.0.0.1", 0)

    async def broken(request: web.Request) -> web.StreamResponse:
        raise RuntimeError("bug in a handler")

    http.add_post("/broken", broken)
    await http.start()
    try:
        async with aiohttp.ClientSession() as session:
            async with session.post(f"http://127.0.0.1:{http.port}/broken", data=b"{}") as resp:
                status, text = resp.status, await resp.text()
    finally:
        await http.stop()
    assert status == 500
    assert "Traceback" not in text and "bug in a handler" not in text
    errors = [r for r in logged.records if r.levelno >= logging.ERROR and r.name.startswith("bot")]
    assert len(errors) == 1 and errors[0].exc_info, "a bug is logged once, with its traceback, for the developer"
    assert not [r for r in logged.records if r.name.startswith("aiohttp") and r.exc_info]


async def test_a_store_failure_on_a_good_update_still_asks_telegram_to_retry(
        tmp_path: Path, logged: pytest.LogCaptureFixture) -> None:
    """The 5xx that stays: a well-formed update Parley could not store must come again."""
    fake = FakeTelegram()
    await fake.start()
    settings_ = load_settings(telegram_token=TOKEN, telegram_api_url=fake.url,
                              telegram_webhook_url="https://parley.example.org", telegram_webhook_secret=SECRET,
                              database_url="sqlite:///" + str(tmp_path / "tg.db"))
    store = await SQLiteStore.open(settings_.database_url)
    http = HttpServer("127.0.0.1", 0)
    adapter = TelegramAdapter(build_core(store, settings_), settings_, http)
    await adapter.start()
    await http.start()
    try:
        await store.close()  # the store is gone
        async with aiohttp.ClientSession() as session:
            async with session.post(f"http://127.0.0.1:{http.port}/telegram/webhook",
                                    data=json.dumps(TELEGRAM[0]).encode(),
                                    headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"}) as resp:
                status = resp.status
    finally:
        await adapter.stop()
        await http.stop()
        await fake.stop()
    assert status == 500
