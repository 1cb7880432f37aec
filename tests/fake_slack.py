"""A small fake of Slack for tests and the benchmark: the Web API Parley calls, plus Slack's side of the
conversation (requests signed exactly as Slack signs them).

`FakeSlack` is an aiohttp server on 127.0.0.1 (port 0) speaking the Web API methods Parley uses, as
slack_sdk sends them (JSON to chat.* / views.*, forms to auth.test / conversations.open, GET to
users.info), a ``response_url`` endpoint, and Socket Mode (apps.connections.open + a WebSocket). It
records every call, keeps the messages it was sent (threads included, like Slack), and can be told to
answer ``invalid_auth`` or a 429 ``ratelimited`` with Retry-After.

`SlackSender` plays Slack towards Parley: slash commands, Events API callbacks and block_actions,
signed with the signing secret (v0 HMAC-SHA256 of ``v0:{timestamp}:{body}``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
from aiohttp import web

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
SIGNING_SECRET = "test-signing-secret"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"


@dataclass
class Call:
    """One Web API call as the fake received it."""

    method: str
    params: dict[str, Any]
    token: str | None
    http_method: str
    content_type: str
    at: float = field(default_factory=time.monotonic)
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)


def all_text(message: dict[str, Any]) -> str:
    """Everything a person would read in a message: fallback text, sections, contexts, button labels."""
    parts = [str(message.get("text") or "")]
    for block in message.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(str(block["text"].get("text", "")))
        for element in block.get("elements") or []:
            if isinstance(element.get("text"), dict):
                parts.append(str(element["text"].get("text", "")))
            elif isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons of a message (or a Home view), each with the block_id of its actions block."""
    found = []
    for block in message.get("blocks") or []:
        if block.get("type") == "actions":
            for element in block.get("elements") or []:
                found.append({**element, "block_id": block.get("block_id")})
    return found


class FakeSlack:
    def __init__(self, *, token: str = BOT_TOKEN, app_token: str = APP_TOKEN) -> None:
        self.token = token
        self.app_token = app_token
        self.calls: list[Call] = []
        self.hooks: list[dict[str, Any]] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.locales: dict[str, str] = {}
        self._failures: dict[str, list[tuple[int, str, float | None]]] = {}
        #: Seconds the fake waits before answering a method (a slow Slack; crash tests kill Parley meanwhile).
        self.delays: dict[str, float] = {}
        self._ts = itertools.count(1)
        self.app = web.Application()
        self.app.router.add_route("*", "/api/{method}", self._api)
        self.app.router.add_post("/hooks/{hook}", self._hook)
        self.app.router.add_get("/socket", self._socket)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.sockets: list[web.WebSocketResponse] = []
        self.socket_acks: list[dict[str, Any]] = []
        self._connected = asyncio.Event()
        #: Seconds every Web API call waits before it answers, like a network round trip.
        self.latency = 0.0

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def hook_url(self, name: str | None = None) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/{name or uuid.uuid4().hex[:8]}"

    # -- what tests set up ---------------------------------------------------------------------

    def fail(self, method: str, error: str, *, status: int = 200, retry_after: float | None = None,
             times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer ``{"ok": false, "error": error}``."""
        self._failures.setdefault(method, []).extend([(status, error, retry_after)] * times)

    # -- what tests read -----------------------------------------------------------------------

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages posted with chat.postMessage, oldest first (as updated since by chat.update)."""
        return [m for m in self.messages.values() if channel is None or m["channel"] == channel]

    async def wait_for(self, method: str, where: Any = None, *, within: float = 10.0, after: int = 0) -> Call:
        """The first successful call of ``method`` (from index ``after``) for which ``where(call)`` holds."""
        deadline = time.monotonic() + within
        while True:
            for call in self.calls[after:]:
                if call.method == method and call.status == 200 and call.response.get("ok") and (
                        where is None or where(call)):
                    return call
            if time.monotonic() > deadline:
                seen = [(c.method, c.response.get("error"), str(c.params.get("text", ""))[:60]) for c in self.calls]
                raise AssertionError(f"no {method} call matched within {within}s; calls: {seen}")
            await asyncio.sleep(0.01)

    async def wait_hook(self, where: Any = None, *, within: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + within
        while True:
            for hook in self.hooks:
                if where is None or where(hook):
                    return hook
            if time.monotonic() > deadline:
                raise AssertionError(f"no response_url post matched within {within}s; got {self.hooks}")
            await asyncio.sleep(0.01)

    # -- the Web API ----------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], str | None]:
        params: dict[str, Any] = dict(request.query)
        ctype = request.content_type
        if request.method == "POST":
            raw = await request.text()
            if ctype == "application/json" and raw:
                params.update(json.loads(raw))
            elif raw:
                params.update(dict(parse_qsl(raw, keep_blank_values=True)))
        for key in ("blocks", "view", "attachments"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        auth = request.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else params.pop("token", None)
        return params, token

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, token = await self._params(request)
        call = Call(method=method, params=params, token=token, http_method=request.method,
                    content_type=request.content_type)
        self.calls.append(call)
        if self.latency:
            await asyncio.sleep(self.latency)
        headers: dict[str, str] = {}
        if self.delays.get(method):
            await asyncio.sleep(self.delays[method])
        queued = self._failures.get(method)
        if queued:
            status, error, retry_after = queued.pop(0)
            if retry_after is not None:
                headers["Retry-After"] = str(int(retry_after))
            body: dict[str, Any] = {"ok": False, "error": error}
        elif token != (self.app_token if method == "apps.connections.open" else self.token):
            status, body = 200, {"ok": False, "error": "invalid_auth" if token else "not_authed"}
        else:
            status, body = 200, self._answer(method, params)
        call.status, call.response = status, body
        return web.json_response(body, status=status, headers=headers)

    def _next_ts(self) -> str:
        n = next(self._ts)
        return f"{1_700_000_000 + n}.{n:06d}"

    def _answer(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://fake.slack.test/", "team": "Fake", "user": "parley",
                    "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID}
        if method == "chat.postMessage":
            channel = str(p.get("channel", ""))
            if not channel:
                return {"ok": False, "error": "channel_not_found"}
            ts = self._next_ts()
            message = {"type": "message", "channel": channel, "ts": ts, "text": p.get("text", ""),
                       "blocks": p.get("blocks") or [], "user": BOT_USER_ID, "bot_id": BOT_ID}
            metadata = p.get("metadata")
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            if isinstance(metadata, dict):
                message["metadata"] = metadata
            thread = p.get("thread_ts")
            if thread:
                message["thread_ts"] = thread
                root = self.messages.get((channel, str(thread)))
                if root is not None:  # like Slack: a parent with replies carries its own ts as thread_ts
                    root["thread_ts"] = root["ts"]
                    root["reply_count"] = root.get("reply_count", 0) + 1
            self.messages[(channel, ts)] = message
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.update":
            key = (str(p.get("channel")), str(p.get("ts")))
            if key not in self.messages:
                return {"ok": False, "error": "message_not_found"}
            self.messages[key].update({"text": p.get("text", ""), "blocks": p.get("blocks") or []})
            return {"ok": True, "channel": key[0], "ts": key[1], "text": p.get("text", "")}
        if method in ("conversations.history", "conversations.replies"):
            return self._history(method, p)
        if method == "chat.postEphemeral":
            ts = self._next_ts()
            self.ephemerals.append({"channel": p.get("channel"), "user": p.get("user"), "ts": ts,
                                    "thread_ts": p.get("thread_ts"), "text": p.get("text", ""),
                                    "blocks": p.get("blocks") or []})
            return {"ok": True, "message_ts": ts}
        if method == "conversations.open":
            users = str(p.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users.split(",")[0].lstrip("UW")}}
        if method == "views.publish":
            self.views[str(p.get("user_id"))] = p.get("view") or {}
            return {"ok": True, "view": {"id": "V1", **(p.get("view") or {})}}
        if method == "users.info":
            user = str(p.get("user", ""))
            return {"ok": True, "user": {"id": user, "name": user.lower(), "locale": self.locales.get(user, "en-US")}}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return {"ok": False, "error": "unknown_method"}

    def _history(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        """Like Slack: history is a channel's top-level messages newest first; replies are a thread, root
        first; message metadata only with ``include_all_metadata``."""
        channel = str(p.get("channel", ""))
        mine = [m for (c, _), m in self.messages.items() if c == channel]
        if method == "conversations.replies":
            root = str(p.get("ts", ""))
            found = sorted((m for m in mine if m["ts"] == root or m.get("thread_ts") == root), key=lambda m: float(m["ts"]))
        else:
            oldest = float(p.get("oldest") or 0)
            found = sorted((m for m in mine if m.get("thread_ts") in (None, m["ts"]) and float(m["ts"]) > oldest),
                           key=lambda m: float(m["ts"]), reverse=True)
        found = found[:int(p.get("limit") or 100)]
        with_meta = str(p.get("include_all_metadata", "")).lower() in ("1", "true")
        return {"ok": True, "messages": [m if with_meta else {k: v for k, v in m.items() if k != "metadata"}
                                         for m in found], "has_more": False}

    async def _hook(self, request: web.Request) -> web.Response:
        self.hooks.append({"hook": request.match_info["hook"], **(await request.json())})
        return web.Response(text="ok")

    # -- Socket Mode -----------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        self._connected.set()
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {}, "connection_info": {}})
        try:
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    self.socket_acks.append(json.loads(msg.data))
        finally:
            if ws in self.sockets:
                self.sockets.remove(ws)
        return ws

    async def push(self, kind: str, payload: dict[str, Any]) -> str:
        """Sends one Socket Mode envelope (``slash_commands``, ``events_api``, ``interactive``)."""
        envelope_id = uuid.uuid4().hex
        await asyncio.wait_for(self._connected.wait(), 5)
        await self.sockets[0].send_json({"envelope_id": envelope_id, "type": kind, "payload": payload,
                                         "accepts_response_payload": kind != "events_api", "retry_attempt": 0,
                                         "retry_reason": ""})
        return envelope_id


# -- Slack's side of the conversation ------------------------------------------------------------


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's request signature: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def command_body(command: str, text: str, *, user: str, channel: str, trigger_id: str | None = None,
                 response_url: str = "") -> str:
    return urlencode({
        "token": "legacy", "team_id": TEAM_ID, "team_domain": "fake", "channel_id": channel,
        "channel_name": "directmessage" if channel.startswith("D") else "general", "user_id": user,
        "user_name": user.lower(), "command": command, "text": text, "api_app_id": "A0001",
        "is_enterprise_install": "false", "response_url": response_url,
        "trigger_id": trigger_id or f"{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:12]}",
    })


def event_body(event: dict[str, Any], event_id: str | None = None) -> str:
    return json.dumps({
        "token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0001", "event": event, "type": "event_callback",
        "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(), "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    })


class SlackSender:
    """Sends Parley what Slack would, signed; answers are (status, body text, seconds to the answer)."""

    def __init__(self, url: str, secret: str = SIGNING_SECRET, fake: FakeSlack | None = None) -> None:
        self.url = url
        self.secret = secret
        self.fake = fake
        self._session: aiohttp.ClientSession | None = None
        self._n = itertools.count(1)
        #: the last event sent, e.g. a message to edit later with `edit`
        self.last_sent: dict[str, Any] = {}

    async def __aenter__(self) -> SlackSender:
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def post(self, body: str, content_type: str, *, headers: dict[str, str] | None = None,
                   signed: bool = True, timestamp: int | None = None) -> tuple[int, str, float]:
        assert self._session is not None
        all_headers = {"Content-Type": content_type, **(sign(self.secret, body, timestamp) if signed else {}),
                       **(headers or {})}
        started = time.monotonic()
        async with self._session.post(self.url, data=body.encode(), headers=all_headers) as response:
            text = await response.text()
            return response.status, text, time.monotonic() - started

    async def command(self, command: str, text: str = "", *, user: str = "U1", channel: str = "C1",
                      trigger_id: str | None = None) -> tuple[int, str, float]:
        hook = self.fake.hook_url() if self.fake else ""
        body = command_body(command, text, user=user, channel=channel, trigger_id=trigger_id, response_url=hook)
        return await self.post(body, "application/x-www-form-urlencoded")

    async def event(self, event: dict[str, Any], *, event_id: str | None = None,
                    retry_num: int | None = None) -> tuple[int, str, float]:
        self.last_sent = event
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        return await self.post(event_body(event, event_id), "application/json", headers=headers)

    def _ts(self) -> str:
        n = next(self._n)
        return f"{1_800_000_000 + n}.{n:06d}"

    async def message(self, text: str, *, user: str = "U1", channel: str = "D1", thread_ts: str | None = None,
                      channel_type: str | None = None, event_id: str | None = None, **extra: Any) -> tuple[int, str, float]:
        ev = {"type": "message", "user": user, "text": text, "channel": channel, "ts": self._ts(),
              "channel_type": channel_type or ("im" if channel.startswith("D") else "channel"), **extra}
        if thread_ts:
            ev["thread_ts"] = thread_ts
        return await self.event(ev, event_id=event_id)

    async def edit(self, original: dict[str, Any], text: str, *, channel_type: str | None = None,
                   event_id: str | None = None) -> tuple[int, str, float]:
        """The author edits a message sent before: Slack's ``message_changed`` with the original ts.

        ``original`` is the event dict a message was sent as (see `last_sent`).
        """
        channel = str(original["channel"])
        new = {k: v for k, v in original.items() if k not in ("channel", "channel_type", "event_ts")}
        new.update({"type": "message", "text": text, "edited": {"user": original.get("user"), "ts": self._ts()}})
        if original.get("type") == "app_mention":
            new["type"] = "message"
        previous = {k: v for k, v in new.items() if k != "edited"} | {"text": original.get("text", "")}
        ev = {"type": "message", "subtype": "message_changed", "hidden": True, "channel": channel,
              "channel_type": channel_type or ("im" if channel.startswith("D") else "channel"),
              "message": new, "previous_message": previous, "ts": self._ts(), "event_ts": self._ts()}
        return await self.event(ev, event_id=event_id)

    async def mention(self, text: str, *, user: str = "U1", channel: str = "C1",
                      thread_ts: str | None = None) -> tuple[int, str, float]:
        ev = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER_ID}> {text}", "channel": channel,
              "ts": self._ts()}
        if thread_ts:
            ev["thread_ts"] = thread_ts
        return await self.event(ev)

    async def home_opened(self, user: str = "U1", channel: str = "D1") -> tuple[int, str, float]:
        return await self.event({"type": "app_home_opened", "user": user, "channel": channel, "tab": "home",
                                 "event_ts": self._ts()})

    async def press(self, message: dict[str, Any], label: str, *, user: str = "U1",
                    ephemeral: bool = False, home: bool = False, trigger_id: str | None = None) -> tuple[int, str, float]:
        """Presses the button whose label contains ``label`` in a message the fake recorded (or a Home view)."""
        found = [b for b in buttons(message) if label.lower() in b["text"]["text"].lower()]
        if not found:
            raise AssertionError(f"no button like {label!r} in {[b['text']['text'] for b in buttons(message)]}")
        button = found[0]
        action = {"type": "button", "action_id": button["action_id"], "block_id": button["block_id"],
                  "value": button.get("value"), "text": button["text"], "action_ts": str(time.time())}
        payload: dict[str, Any] = {
            "type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
            "api_app_id": "A0001", "token": "legacy", "team": {"id": TEAM_ID, "domain": "fake"},
            "trigger_id": trigger_id or f"{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:12]}",
            "response_url": self.fake.hook_url() if self.fake else "", "actions": [action],
        }
        if home:
            payload["container"] = {"type": "view", "view_id": "V1"}
            payload["view"] = {"id": "V1", "type": "home", "blocks": message.get("blocks")}
        else:
            channel = str(message["channel"])
            payload["channel"] = {"id": channel, "name": "general"}
            payload["container"] = {"type": "message", "message_ts": message["ts"], "channel_id": channel,
                                    "is_ephemeral": ephemeral}
            if message.get("thread_ts"):
                payload["container"]["thread_ts"] = message["thread_ts"]
            if not ephemeral:
                payload["message"] = {k: v for k, v in message.items() if k != "channel"}
        return await self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
