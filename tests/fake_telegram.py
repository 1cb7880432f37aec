"""A small fake Telegram Bot API server (aiohttp) for tests and the benchmark.

It speaks enough of the Bot API for python-telegram-bot v22 to run unmodified against it: getMe,
getUpdates (offset confirmation and long-poll timeout), sendMessage, editMessageText,
editMessageReplyMarkup, answerCallbackQuery, setMyCommands, setWebhook/deleteWebhook. Requests are
validated the way Telegram does (HTML parse mode, 4096 characters, 64-byte callback data, 200-character
alerts, "message is not modified"), every call is recorded so tests can assert what Parley sent, and
errors can be injected: 400, 403 (blocked), 429 with retry_after, 5xx.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

TOKEN = "123456:TEST-fake-token-not-a-real-one"
BOT_ID = 777000
BOT_USERNAME = "ParleyTestBot"
JSON_FIELDS = {"reply_markup", "commands", "allowed_updates", "reply_parameters", "link_preview_options",
               "entities", "scope"}
INT_FIELDS = {"chat_id", "message_id", "offset", "timeout", "limit", "message_thread_id", "cache_time"}
BOOL_FIELDS = {"show_alert", "drop_pending_updates", "disable_notification"}
_ALLOWED_TAGS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
                 "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
                 "code": "code", "pre": "pre", "a": "text_link", "blockquote": "blockquote",
                 "tg-spoiler": "spoiler"}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class HtmlError(ValueError):
    pass


class _TelegramHtml(HTMLParser):
    """Parses Telegram's HTML subset to text + entities; anything else is the 400 Telegram gives."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.entities: list[dict[str, Any]] = []
        self.stack: list[tuple[str, int, dict[str, Any]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            raise HtmlError(f"Unsupported start tag \"{tag}\"")
        extra: dict[str, Any] = {}
        if tag == "a":
            href = dict(attrs).get("href")
            if not href:
                raise HtmlError("Can't find end of the href")
            if href.startswith("tg://user?id="):
                extra = {"type": "text_mention", "user": {"id": int(href.split("=", 1)[1]), "is_bot": False,
                                                          "first_name": "?"}}
            else:
                extra = {"url": href}
        self.stack.append((tag, utf16_len(self.text), extra))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            raise HtmlError(f"Unexpected end tag \"{tag}\"")
        name, start, extra = self.stack.pop()
        length = utf16_len(self.text) - start
        if length:
            entity = {"type": _ALLOWED_TAGS[name], "offset": start, "length": length}
            entity.update(extra)
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.text += data


def parse_html(html: str) -> tuple[str, list[dict[str, Any]]]:
    if re.search(r"<(?![a-zA-Z/])", html) or re.search(r"&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)", html):
        raise HtmlError("Unsupported character or unescaped & / <")
    parser = _TelegramHtml()
    parser.feed(html)
    parser.close()
    if parser.stack:
        raise HtmlError(f"Can't find end tag corresponding to start tag \"{parser.stack[-1][0]}\"")
    return parser.text, sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))


@dataclass
class TgUser:
    id: int
    first_name: str = "Ana"
    language_code: str | None = "en"
    last_name: str | None = None

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            data["language_code"] = self.language_code
        if self.last_name:
            data["last_name"] = self.last_name
        return data


def private_chat(user: TgUser) -> dict[str, Any]:
    return {"id": user.id, "type": "private", "first_name": user.first_name}


def group_chat(chat_id: int = -1001234567890, title: str = "Studio", forum: bool = False) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id, "type": "supergroup", "title": title}
    if forum:
        chat["is_forum"] = True
    return chat


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int = 200
    at: float = field(default_factory=time.monotonic)

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)


@dataclass
class Stored:
    """A message in the fake's memory: sent by the bot (``html`` set) or by a user."""

    chat: dict[str, Any]
    message_id: int
    sender: dict[str, Any]
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    html: str | None = None
    keyboard: list[list[dict[str, Any]]] | None = None
    thread_id: int | None = None
    reply_to: int | None = None
    force_reply: bool = False
    date: int = field(default_factory=lambda: int(time.time()))

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) in order."""
        return [(b["text"], b.get("callback_data", "")) for row in self.keyboard or [] for b in row]

    def json(self, fake: FakeTelegram, nested: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {"message_id": self.message_id, "from": self.sender, "chat": self.chat,
                                "date": self.date, "text": self.text}
        if self.entities:
            data["entities"] = self.entities
        if self.keyboard:
            data["reply_markup"] = {"inline_keyboard": self.keyboard}
        if self.thread_id is not None:
            data["message_thread_id"] = self.thread_id
            if self.chat.get("is_forum"):
                data["is_topic_message"] = True
        if nested and self.reply_to is not None:
            replied = fake.messages.get((self.chat_id, self.reply_to))
            if replied is not None:
                data["reply_to_message"] = replied.json(fake, nested=False)
        return data


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: float | None = None,
                 migrate_to: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after
        self.migrate_to = migrate_to


@dataclass
class _Rule:
    method: str
    status: int
    description: str
    retry_after: float | None
    migrate_to: int | None
    times: int
    when: Callable[[dict[str, Any]], bool] | None


class FakeTelegram:
    """Run with ``await fake.start()``; ``fake.url`` is the Bot API root for PARLEY_TELEGRAM_API_URL."""

    def __init__(self, token: str = TOKEN, *, username: str = BOT_USERNAME, bot_id: int = BOT_ID,
                 record: bool = True, latency: float = 0.0) -> None:
        self.token = token
        self.latency = latency  # seconds added to every call but getUpdates, like a real network
        self.bot = {"id": bot_id, "is_bot": True, "first_name": "Parley", "username": username}
        self.record = record
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], Stored] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.blocked: set[int] = set()
        self.webhook: dict[str, Any] | None = None
        self.webhook_results: list[int] = []
        self.offset = 0
        self.updates: dict[int, dict[str, Any]] = {}
        self._handed: set[int] = set()
        self._rules: list[_Rule] = []
        self._queue: list[tuple[dict[str, Any], bool]] = []
        self._update_ids = itertools.count(1000)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._queries: dict[str, int] = {}  # callback query id -> update id
        self._answered: set[str] = set()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self.url = ""
        self._closing = False
        #: Seconds the fake waits before answering a method (crash tests kill Parley meanwhile), and the
        #: methods in the order their requests arrived (before any wait).
        self.delays: dict[str, float] = {}
        self.arrived: list[str] = []

    # -- server -------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.url = f"http://{host}:{self._runner.addresses[0][1]}"
        return self.url

    async def stop(self) -> None:
        self._closing = True  # long polls in flight return at once, so cleanup does not wait for them
        async with self._changed:
            self._changed.notify_all()
        if self._webhook_task:
            self._webhook_task.cancel()
        if self._runner:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        if self.latency and method.lower() != "getupdates":
            await asyncio.sleep(self.latency)
        self.arrived.append(method)
        if self.delays.get(method):
            await asyncio.sleep(self.delays[method])
        call = Call(method, params)
        early = method.lower() == "getupdates"  # a long poll is recorded when it arrives, not when it ends
        if early:
            await self._note(call)
        try:
            self._injected(method, params)
            result = await handler(params)
        except ApiError as exc:
            call.status = exc.status
            if not early:
                await self._note(call)
            body: dict[str, Any] = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            if exc.migrate_to is not None:
                body["parameters"] = {"migrate_to_chat_id": exc.migrate_to}
            return web.json_response(body, status=exc.status)
        if not early:
            await self._note(call)
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            raw.update(await request.json())
        elif request.can_read_body:
            raw.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        for key, value in list(raw.items()):
            if not isinstance(value, str):
                continue
            if key in JSON_FIELDS:
                raw[key] = json.loads(value)
            elif key in INT_FIELDS and re.fullmatch(r"-?\d+", value):
                raw[key] = int(value)
            elif key in BOOL_FIELDS:
                raw[key] = value.lower() == "true"
        return raw

    async def _note(self, call: Call) -> None:
        if self.record or call.method != "getUpdates":
            self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()

    def _injected(self, method: str, params: dict[str, Any]) -> None:
        for rule in self._rules:
            if rule.method.lower() == method.lower() and rule.times and (rule.when is None or rule.when(params)):
                rule.times -= 1
                raise ApiError(rule.status, rule.description, rule.retry_after, rule.migrate_to)
        chat = params.get("chat_id")
        if method.lower() in ("sendmessage", "editmessagetext", "editmessagereplymarkup") and chat in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    # -- error injection ----------------------------------------------------------------------

    def fail(self, method: str, status: int, description: str = "", *, retry_after: float | None = None,
             migrate_to: int | None = None, times: int = 1,
             when: Callable[[dict[str, Any]], bool] | None = None) -> None:
        """The next ``times`` calls of ``method`` (matching ``when``) fail like Telegram's errors do."""
        default = {400: "Bad Request: injected", 403: "Forbidden: bot was blocked by the user",
                   429: f"Too Many Requests: retry after {retry_after}", 500: "Internal Server Error",
                   502: "Bad Gateway"}.get(status, "Error")
        self._rules.append(_Rule(method, status, description or default, retry_after, migrate_to, times, when))

    def block(self, chat_id: int) -> None:
        self.blocked.add(chat_id)

    # -- what the bot did ---------------------------------------------------------------------

    def calls_of(self, method: str, since: int = 0) -> list[Call]:
        return [c for c in self.calls[since:] if c.method.lower() == method.lower()]

    def mark(self) -> int:
        return len(self.calls)

    async def wait_for(self, method: str, pred: Callable[[Call], bool] | None = None, *, count: int = 1,
                       since: int = 0, timeout: float = 10.0) -> list[Call]:  # noqa: ASYNC109
        """Waits until ``count`` successful calls of ``method`` matching ``pred`` were made after ``since``."""

        def found() -> list[Call]:
            return [c for c in self.calls_of(method, since) if c.status == 200 and (pred is None or pred(c))]

        async def until() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(found()) >= count)

        try:
            await asyncio.wait_for(until(), timeout)
        except TimeoutError:
            seen = [(c.method, c.status, str(c.params.get("text", ""))[:80]) for c in self.calls[since:]]
            raise AssertionError(f"no {count}x {method} within {timeout}s; calls since mark: {seen}") from None
        return found()

    def bot_messages(self, chat_id: int) -> list[Stored]:
        return [m for (cid, _), m in sorted(self.messages.items()) if cid == chat_id and m.html is not None]

    def last(self, chat_id: int) -> Stored:
        return self.bot_messages(chat_id)[-1]

    def answer_for(self, update_id: int) -> Call | None:
        for call in self.calls_of("answerCallbackQuery"):
            if self._queries.get(str(call.get("callback_query_id"))) == update_id and call.status == 200:
                return call
        return None

    # -- what users do ------------------------------------------------------------------------

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def message(self, user: TgUser, text: str | None, *, chat: dict[str, Any] | None = None,
                thread_id: int | None = None, reply_to: int | None = None, edited: bool = False,
                caption: str | None = None) -> int:
        """A user writes; returns the update_id. ``text=None`` with no caption is a sticker."""
        chat = chat or private_chat(user)
        self.chats[chat["id"]] = chat
        stored = Stored(chat=chat, message_id=self._next_message_id(chat["id"]), sender=user.json(),
                        text=text or "", thread_id=thread_id, reply_to=reply_to)
        if text and text.startswith("/"):
            stored.entities = [{"type": "bot_command", "offset": 0, "length": utf16_len(text.split()[0])}]
        self.messages[(chat["id"], stored.message_id)] = stored
        data = stored.json(self)
        if text is None:
            del data["text"]
            if caption is not None:
                data["caption"] = caption
                data["photo"] = [{"file_id": "p1", "file_unique_id": "u1", "width": 10, "height": 10}]
            else:
                data["sticker"] = {"file_id": "s1", "file_unique_id": "u2", "type": "regular", "width": 512,
                                   "height": 512, "is_animated": False, "is_video": False}
        if edited:
            data["edit_date"] = int(time.time())
        return self.push({"edited_message" if edited else "message": data})

    def edit(self, update_id: int, text: str) -> int:
        """The author edits the message that update ``update_id`` carried: ``edited_message``, same message_id."""
        body = self.updates[update_id]
        original = body.get("message") or body.get("edited_message")
        assert original is not None, f"update {update_id} carried no message"
        stored = self.messages[(int(original["chat"]["id"]), int(original["message_id"]))]
        stored.text = text
        stored.entities = ([{"type": "bot_command", "offset": 0, "length": utf16_len(text.split()[0])}]
                           if text.startswith("/") else [])
        data = stored.json(self)
        data["edit_date"] = int(time.time())
        return self.push({"edited_message": data})

    def press(self, user: TgUser, message: Stored, label: str | None = None, *, data: str | None = None) -> int:
        """A user presses a button of a bot message (by label substring or callback data)."""
        if data is None:
            matches = [d for lbl, d in message.buttons if label is not None and label.lower() in lbl.lower()]
            if not matches:
                raise AssertionError(f"no button like {label!r} in {message.buttons}")
            data = matches[0]
        query_id = f"q{next(self._update_ids)}"
        update_id = self.push({"callback_query": {"id": query_id, "from": user.json(), "chat_instance": "ci1",
                                                  "message": message.json(self), "data": data}})
        self._queries[query_id] = update_id
        return update_id

    def press_inline(self, user: TgUser, data: str | None = "zz") -> int:
        """A press of an inline message's button: the callback query carries no message."""
        query_id = f"q{next(self._update_ids)}"
        update_id = self.push({"callback_query": {"id": query_id, "from": user.json(), "chat_instance": "ci1",
                                                  "inline_message_id": "im1", "data": data}})
        self._queries[query_id] = update_id
        return update_id

    def block_update(self, user: TgUser) -> int:
        """The user blocks the bot: Telegram sends my_chat_member in the private chat."""
        member = {"user": self.bot, "status": "kicked", "until_date": 0}
        return self.push({"my_chat_member": {"chat": private_chat(user), "from": user.json(), "date": int(time.time()),
                                             "old_chat_member": {"user": self.bot, "status": "member"},
                                             "new_chat_member": member}})

    def push(self, body: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self.updates[update_id] = {"update_id": update_id, **body}
        self._queue.append((self.updates[update_id], False))
        self._kick()
        return update_id

    def redeliver(self, update_id: int) -> None:
        """Hands out an update again, as Telegram does when the offset was never confirmed."""
        self._queue.append((dict(self.updates[update_id]), True))
        self._kick()

    def _kick(self) -> None:
        async def notify() -> None:
            async with self._changed:
                self._changed.notify_all()

        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop().create_task(notify())
        if self.webhook is not None and (self._webhook_task is None or self._webhook_task.done()):
            with contextlib.suppress(RuntimeError):
                self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_webhooks())

    # -- webhook side -------------------------------------------------------------------------

    async def post_webhook(self, update: dict[str, Any], secret: str | None) -> int:
        """Posts one update to the registered webhook as Telegram would; returns the HTTP status."""
        assert self.webhook is not None, "no webhook registered"
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        async with ClientSession(timeout=ClientTimeout(total=10)) as session:
            async with session.post(self.webhook["url"], data=json.dumps(update), headers=headers) as resp:
                return resp.status

    async def _deliver_webhooks(self) -> None:
        """Telegram delivers webhook updates one by one and retries until it gets a 2xx."""
        while self._queue and self.webhook is not None:
            update, _ = self._queue[0]
            try:
                status = await self.post_webhook(update, self.webhook.get("secret_token"))
            except OSError:
                status = 0
            self.webhook_results.append(status)
            async with self._changed:
                self._changed.notify_all()
            if 200 <= status < 300:
                self._queue.pop(0)
            else:
                await asyncio.sleep(0.2)

    # -- Bot API methods ----------------------------------------------------------------------

    async def _m_getme(self, p: dict[str, Any]) -> Any:
        return {**self.bot, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    async def _m_getupdates(self, p: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = int(p.get("offset") or 0)
        if offset:
            self.offset = max(self.offset, offset)
        # confirmed updates are forgotten; a forced re-delivery stays until a poll confirms it (an offset
        # past it after it was handed out), so a poll of a killed client cannot swallow it
        self._queue = [(u, forced) for u, forced in self._queue
                       if (u["update_id"] >= self.offset if not forced else
                           not (id(u) in self._handed and offset > u["update_id"]))]
        deadline = time.monotonic() + float(p.get("timeout") or 0)
        while not self._queue and time.monotonic() < deadline and not self._closing:
            async with self._changed:
                try:
                    await asyncio.wait_for(self._changed.wait(), max(0.0, deadline - time.monotonic()))
                except TimeoutError:
                    break
        batch = self._queue[: int(p.get("limit") or 100)]
        self._handed.update(id(u) for u, forced in batch if forced)
        return [u for u, _ in batch]

    async def _m_deletewebhook(self, p: dict[str, Any]) -> Any:
        self.webhook = None
        if p.get("drop_pending_updates"):
            self._queue.clear()
        return True

    async def _m_setwebhook(self, p: dict[str, Any]) -> Any:
        url = str(p.get("url") or "")
        if not url.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = {"url": url, "secret_token": secret, "allowed_updates": p.get("allowed_updates")}
        if p.get("drop_pending_updates"):
            self._queue.clear()
        self._kick()
        return True

    async def _m_getwebhookinfo(self, p: dict[str, Any]) -> Any:
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._queue)}

    async def _m_setmycommands(self, p: dict[str, Any]) -> Any:
        commands = p.get("commands") or []
        for cmd in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", cmd.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(cmd.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[p.get("language_code") or ""] = commands
        return True

    def _chat(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self.chats.get(p.get("chat_id"))  # type: ignore[arg-type]
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _text(self, p: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        raw = str(p.get("text") or "")
        if p.get("parse_mode") == "HTML":
            try:
                text, entities = parse_html(raw)
            except HtmlError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        else:
            text, entities = raw, []
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return text, entities

    @staticmethod
    def _keyboard(p: dict[str, Any]) -> tuple[list[list[dict[str, Any]]] | None, bool]:
        markup = p.get("reply_markup")
        if not markup:
            return None, False
        if "inline_keyboard" in markup:
            for row in markup["inline_keyboard"]:
                for button in row:
                    if len(button.get("callback_data", "").encode()) > 64 or not button.get("text"):
                        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            return markup["inline_keyboard"] or None, False
        return None, bool(markup.get("force_reply"))

    async def _m_sendmessage(self, p: dict[str, Any]) -> Any:
        chat = self._chat(p)
        text, entities = self._text(p)
        keyboard, force = self._keyboard(p)
        thread = p.get("message_thread_id")
        if thread is not None and chat.get("is_forum") and thread not in self._topics(chat["id"]):
            raise ApiError(400, "Bad Request: message thread not found")
        reply_to = (p.get("reply_parameters") or {}).get("message_id")
        stored = Stored(chat=chat, message_id=self._next_message_id(chat["id"]), sender=self.bot, text=text,
                        entities=entities, html=str(p["text"]), keyboard=keyboard, thread_id=thread,
                        reply_to=reply_to, force_reply=force)
        self.messages[(chat["id"], stored.message_id)] = stored
        return stored.json(self)

    def _topics(self, chat_id: int) -> set[int]:
        return {m.thread_id for (cid, _), m in self.messages.items() if cid == chat_id and m.thread_id is not None}

    def _edited(self, p: dict[str, Any]) -> Stored:
        self._chat(p)
        stored = self.messages.get((p.get("chat_id"), p.get("message_id")))  # type: ignore[arg-type]
        if stored is None or stored.html is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return stored

    async def _m_editmessagetext(self, p: dict[str, Any]) -> Any:
        stored = self._edited(p)
        text, entities = self._text(p)
        keyboard, _ = self._keyboard(p)
        if text == stored.text and entities == stored.entities and keyboard == stored.keyboard:
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply "
                                "markup are exactly the same as a current content and reply markup of the message")
        stored.text, stored.entities, stored.html, stored.keyboard = text, entities, str(p["text"]), keyboard
        return stored.json(self)

    async def _m_editmessagereplymarkup(self, p: dict[str, Any]) -> Any:
        stored = self._edited(p)
        keyboard, _ = self._keyboard(p)
        if keyboard == stored.keyboard:
            raise ApiError(400, "Bad Request: message is not modified")
        stored.keyboard = keyboard
        return stored.json(self)

    async def _m_answercallbackquery(self, p: dict[str, Any]) -> Any:
        query_id = str(p.get("callback_query_id"))
        if query_id not in self._queries or query_id in self._answered:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if len(str(p.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._answered.add(query_id)
        return True

    async def _m_getmycommands(self, p: dict[str, Any]) -> Any:
        return self.commands.get(p.get("language_code") or "", [])
