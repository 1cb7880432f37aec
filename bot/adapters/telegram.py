"""Telegram adapter: python-telegram-bot v22 as transport only, the core does the talking.

PTB's `Application` fetches updates (long polling, or Parley's own ``POST /telegram/webhook``) and
sends requests through `AIORateLimiter`. No PTB persistence, JobQueue or ConversationHandler: state
and nudges live in the store. Every update is made durable with `Core.accept` *inside the update
queue's put*, so PTB's Updater confirms an offset to Telegram only after the update is in the store,
and a webhook request is answered 200 only after that too. Unfinished events are replayed at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from aiohttp import web
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import AIORateLimiter, Application, BaseRateLimiter, ContextTypes, TypeHandler

from bot.adapters import telegram_events, telegram_payload
from bot.adapters.telegram_request import AiohttpRequest
from bot.compat import post_unparsed, retry_after_seconds
from bot.core import Core
from bot.events import DeliveryError, Event, EventKind, Reply, StartupError, Target
from bot.http import HttpServer, refuse
from bot.markup import split_message, to_plain, to_telegram_html, utf16_len
from bot.outbox import Delivery
from bot.settings import Settings
from content import LANGUAGES

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Telegram's limit on a message's text; parts are cut a little shorter to leave room for a mention.
TEXT_LIMIT = 4096
SPLIT_AT = 4000
#: Telegram shows at most 200 characters in a callback-query alert.
ALERT_LIMIT = 200
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
_SECRET_OK = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_NO_PREVIEW = {"is_disabled": True}
_FORCE_REPLY = {"force_reply": True, "selective": True}


@dataclass(frozen=True, slots=True)
class _Accepted:
    """An update already recorded by the core, with the Event it became."""

    update: Update
    event: Event


@dataclass(slots=True)
class _Origin:
    """Where replies to one event go: what the Event does not carry about Telegram."""

    chat_id: int
    thread_id: int | None
    is_direct: bool
    user_id: int
    user_name: str | None = None
    reply_to: int | None = None  # the user's message (groups keep a reply chain)
    callback_id: str | None = None  # the press to answer
    pressed_id: int | None = None  # the message whose button was pressed
    pressed_html: str | None = None  # its text, to append the chosen answer


def _with_repeat_note(delivery: Delivery) -> list[Reply]:
    """The replies with ``delivery.repeat_note`` above the first one posted as a new message (not an alert,
    not the edit of the pressed message, which is the same edit when repeated)."""
    replies = list(delivery.replies)
    for i, reply in enumerate(replies):
        if not reply.private and not reply.close_origin:
            replies[i] = dataclasses.replace(reply, text=f"{delivery.repeat_note}\n\n{reply.text}")
            break
    return replies


class _AcceptingQueue(asyncio.Queue[object]):
    """PTB's update queue: an update enters it only after `Core.accept` stored it.

    The Updater awaits ``put`` for each fetched update before it asks Telegram for the next offset,
    so an update is confirmed only once it is durable; a repeat (same update_id) never enters.
    """

    def __init__(self, accept: Callable[[Update], Awaitable[object | None]]) -> None:
        super().__init__()
        self._accept = accept

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            accepted = await self._accept(item)
            if accepted is None:
                return
            item = accepted
        await super().put(item)


#: Seconds after a long poll's last `Conflict` that /healthz still reports the Telegram adapter down
#: (PTB retries a refused poll every few seconds at most, so a lasting conflict keeps it down).
CONFLICT_HEALTH_WINDOW = 60.0


class _RedactToken(logging.Filter):
    """Belt and braces: PTB and httpx put the token in URLs and some messages; never let it reach a log."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if self.token in text:
            record.msg, record.args = text.replace(self.token, "<token>"), None
        if record.exc_info and not record.exc_text:  # the traceback too: exception messages may hold a URL
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, "<token>")
        return True


class TelegramAdapter:
    platform = "telegram"

    def __init__(self, core: Core, settings: Settings, http: HttpServer | None, *,
                 rate_limiter: BaseRateLimiter[Any] | None = None, poll_timeout: float = 10.0,
                 max_in_flight: int = 16) -> None:
        self.core = core
        self.settings = settings
        self.http = http
        self._token = settings.telegram_token.get_secret_value().strip() if settings.telegram_token else ""
        self.api_root = str(settings.telegram_api_url).rstrip("/")
        self.webhook_url = self._webhook_url(settings)
        self._secret = ""  # checked in start(), where a StartupError becomes one line for a person
        self.poll_timeout = poll_timeout
        self._rate_limiter = rate_limiter
        self._queue = _AcceptingQueue(self._accept)
        # Updates processed at once: enough to hide Telegram's round trip (16 x ~100 ms is far above the
        # 30 messages/s Telegram allows), few enough that the HTTP pool and the store stay uncontended.
        self._slots = asyncio.Semaphore(max_in_flight)
        self._pool = max_in_flight + 4  # + answers to presses and edits
        self._tasks: set[asyncio.Task[None]] = set()
        self._requests: list[AiohttpRequest] = []
        self._names: OrderedDict[int, str] = OrderedDict()
        self._redactor = _RedactToken(self._token)
        self._running = False
        self.app: Application[Any, Any, Any, Any, Any, Any] | None = None
        #: When the long poll last met `telegram.error.Conflict` (a webhook or another poller on this token,
        #: perhaps from another database): /healthz reports the adapter down until polls work again.
        self._conflict_at: float | None = None
        if http is not None:
            http.checks["telegram"] = self.healthy
            if self.webhook_url:
                http.add_post(WEBHOOK_PATH, self._webhook)

    # -- configuration ------------------------------------------------------------------------

    @staticmethod
    def _webhook_url(settings: Settings) -> str | None:
        """The public URL Telegram should call; a bare origin gets ``/telegram/webhook`` appended."""
        if settings.telegram_webhook_url is None:
            return None
        url = str(settings.telegram_webhook_url)
        if settings.telegram_webhook_url.path in (None, "", "/"):
            url = url.rstrip("/") + WEBHOOK_PATH
        return url

    @staticmethod
    def _webhook_secret(settings: Settings) -> str:
        """The configured secret, or a random one for this run (Telegram gets it from setWebhook)."""
        if settings.telegram_webhook_secret is None or not settings.telegram_webhook_secret.get_secret_value():
            return secrets.token_urlsafe(32)
        secret = settings.telegram_webhook_secret.get_secret_value()
        if not _SECRET_OK.match(secret):
            raise StartupError("PARLEY_TELEGRAM_WEBHOOK_SECRET may only hold A-Z, a-z, 0-9, _ and -, "
                               "1 to 256 characters (Telegram's rule)")
        return secret

    def _build(self) -> Application[Any, Any, Any, Any, Any, Any]:
        limiter = self._rate_limiter if self._rate_limiter is not None else AIORateLimiter(max_retries=3)
        builder = (
            Application.builder()
            .token(self._token)
            .base_url(f"{self.api_root}/bot")
            .base_file_url(f"{self.api_root}/file/bot")
            .rate_limiter(limiter)
            .update_queue(self._queue)
            .concurrent_updates(False)  # we fan out ourselves, in order; see _on_accepted
            .job_queue(None)
        )
        # PTB's requests on aiohttp instead of httpx: see telegram_request.py (the long poll has its own)
        self._requests = [AiohttpRequest(self._pool, pool_timeout=10.0, connect_timeout=10.0, read_timeout=20.0,
                                         write_timeout=20.0), AiohttpRequest(1)]
        builder = builder.request(self._requests[0]).get_updates_request(self._requests[1])
        if self.webhook_url:
            builder = builder.updater(None)
        app = builder.build()
        app.add_handler(TypeHandler(_Accepted, self._on_accepted))
        app.add_handler(TypeHandler(Update, self._on_other))
        return app

    # -- life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Checks the token (getMe), registers commands, replays unfinished events, starts fetching."""
        if not self._token:
            raise StartupError("PARLEY_TELEGRAM_TOKEN is not set")
        if self.webhook_url:
            self._secret = self._webhook_secret(self.settings)
            if not await self.core.try_lock(self._poll_lock, shared=True):
                raise StartupError("another Parley instance on this database is long polling Telegram with this "
                                   "bot token, and a webhook would take its updates away; stop it first")
        elif not await self.core.try_lock(self._poll_lock):
            raise StartupError("another Parley instance is already long polling Telegram with this bot token "
                               "(Telegram allows one getUpdates consumer per bot), or webhook instances serve it; "
                               "stop it, or set PARLEY_TELEGRAM_WEBHOOK_URL on every instance to run several")
        for handler in logging.getLogger().handlers:
            handler.addFilter(self._redactor)
        self.app = app = self._build()
        await self._startup_call(app.initialize, "getMe")
        await self._set_commands()
        await app.start()
        await self.core.replay_unfinished(self.platform, self._replay)
        if self.webhook_url:
            await self._startup_call(lambda: app.bot.set_webhook(
                self.webhook_url or "", secret_token=self._secret, allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False), "setWebhook")
            log.info("Telegram: webhook mode, Telegram posts to %s", self.webhook_url)
        else:
            assert app.updater is not None
            await self._startup_call(lambda: app.updater.start_polling(  # type: ignore[union-attr]
                timeout=timedelta(seconds=self.poll_timeout), allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False,
                bootstrap_retries=3, error_callback=self._poll_error), "deleteWebhook")
            log.info("Telegram: long polling as @%s", app.bot.username)
        self._running = True

    def healthy(self) -> bool:
        """Started, and (polling) no `Conflict` in the last `CONFLICT_HEALTH_WINDOW` seconds: a poller that
        Telegram refuses because a webhook was set elsewhere on the token receives nothing at all."""
        if not self._running:
            return False
        return self._conflict_at is None or time.monotonic() - self._conflict_at > CONFLICT_HEALTH_WINDOW

    def _poll_error(self, exc: TelegramError) -> None:
        """PTB's ``error_callback`` of the long poll (it retries by itself): one WARNING line per kind of
        trouble, no traceback, never the token; a `Conflict` also marks the adapter down for /healthz."""
        now = time.monotonic()
        if isinstance(exc, Conflict):
            if self._conflict_at is None or now - self._conflict_at > CONFLICT_HEALTH_WINDOW:
                log.warning("Telegram refuses this poller: %s (a webhook or another poller uses the token)",
                            str(exc).replace(self._token, "<token>"))
            self._conflict_at = now
            return
        log.warning("Telegram long poll failed: %s: %s; retrying", type(exc).__name__,
                    str(exc).replace(self._token, "<token>"))

    async def _startup_call(self, call: Callable[[], Awaitable[Any]], what: str) -> None:
        """Retries network trouble a few times; a person gets one line, never the token."""
        for attempt in range(4):
            try:
                await call()
                return
            except InvalidToken:
                await self._teardown()
                raise StartupError("Telegram rejected PARLEY_TELEGRAM_TOKEN; copy the token again from "
                                   "@BotFather (/mybots -> API Token)") from None
            except (NetworkError, RetryAfter) as exc:
                if attempt == 3 or isinstance(exc, BadRequest):
                    await self._teardown()
                    raise StartupError(f"Telegram {what} failed at {self.api_root}: {self._redact(str(exc))}") from None
                await asyncio.sleep(retry_after_seconds(exc) if isinstance(exc, RetryAfter) else 0.5 * 2 ** attempt)
            except TelegramError as exc:
                await self._teardown()
                raise StartupError(f"Telegram {what} failed: {self._redact(str(exc))}") from None

    async def _set_commands(self) -> None:
        """The "/" menu in every language; Telegram picks it by the user's app language."""
        assert self.app is not None
        default = self.settings.default_language
        for lang in (None, *(x for x in LANGUAGES if x != default)):
            commands = []
            for name in self.core.commands:
                try:
                    text = self.core.lib.t(f"telegram.cmd.{name}", lang or default)
                    commands.append(BotCommand(name, text[:256]))
                except KeyError:
                    log.warning("no telegram.cmd.%s string; /%s is left out of the menu", name, name)
            try:
                await self._call(self.app.bot.set_my_commands, commands, language_code=lang)
            except TelegramError as exc:
                log.warning("Telegram setMyCommands (%s) failed: %s", lang, self._redact(str(exc)))

    async def stop(self) -> None:
        """Stops fetching, lets accepted events finish (bounded), then closes PTB."""
        self._running = False
        app = self.app
        if app is None:
            return
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=15)
            for task in pending:
                task.cancel()  # stays unfinished in the store and is replayed at the next start
        await self._teardown()

    @property
    def _poll_lock(self) -> str:
        """The token's lock in the shared database, exclusive for a long poller and shared for webhook
        instances: named by a hash of the token, never the token itself."""
        return "telegram-poll:" + hashlib.sha256(self._token.encode()).hexdigest()[:16]

    async def _teardown(self) -> None:
        app, self.app = self.app, None
        if app is not None:
            with contextlib.suppress(Exception):
                if app.running:
                    await app.stop()
                await app.shutdown()
        for request in self._requests:  # PTB leaves them open when initialize() failed half-way
            with contextlib.suppress(Exception):
                await request.shutdown()
        with contextlib.suppress(Exception):  # the store may be closing too; its close frees the lock
            await self.core.unlock(self._poll_lock)
        for handler in logging.getLogger().handlers:
            handler.removeFilter(self._redactor)

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "<token>") if self._token else text

    # -- inbound ------------------------------------------------------------------------------

    async def _webhook(self, request: web.Request) -> web.StreamResponse:
        """``POST /telegram/webhook``: secret checked, update stored, then 200 (Telegram retries otherwise).

        A wrong or missing secret is 403. With the right secret, a body that is no update Parley can
        read (not JSON, not an object, no ``update_id``, fields of the wrong type: see
        `telegram_payload.problem`, or anything PTB's ``de_json`` refuses) is answered 200 and dropped
        with one WARNING line: Telegram resends a non-2xx again and again, and holds the updates behind
        it. A good update Parley cannot store (the store is down) is a 500, so Telegram does resend it.
        """
        got = request.headers.get(SECRET_HEADER, "")
        # aiohttp keeps undecodable header bytes as surrogates; surrogateescape gives them back as bytes
        if not hmac.compare_digest(got.encode("utf-8", "surrogateescape"), self._secret.encode()):
            return refuse(log, 403, "telegram: wrong or missing webhook secret")
        if not self._running or self.app is None:
            return web.Response(status=503, text="starting")
        body = await request.read()  # over the server's client_max_size: aiohttp answers 413
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested beyond reason
            return refuse(log, 200, "telegram: update dropped, the body is not JSON")
        wrong = telegram_payload.problem(data)
        if wrong is not None:
            return refuse(log, 200, "telegram: update dropped, it has the wrong shape (%s)", wrong)
        try:
            update = Update.de_json(data, self.app.bot)
        except Exception as exc:  # parsing alone: no server state involved, so the update is at fault
            return refuse(log, 200, "telegram: update dropped, PTB cannot read it (%s)", type(exc).__name__)
        try:
            await self._queue.put(update)
        except Exception:
            log.exception("could not store Telegram update %s", update.update_id)
            return web.Response(status=500, text="try again")
        return web.Response(status=200)

    async def _accept(self, update: Update) -> _Accepted | Update | None:
        """Called by the queue: the update's Event is recorded before anything else happens."""
        event = self._event(update)
        if event is None:
            return update if (update.my_chat_member or update.callback_query or update.message) else None
        if not await self.core.accept(event):
            log.debug("Telegram update %s seen before; dropped", update.update_id)
            return None
        return _Accepted(update, event)

    def _event(self, update: Update) -> Event | None:
        """A platform-neutral Event (`telegram_events.event_from_update`), or None for what Parley does not act on."""
        assert self.app is not None
        who = telegram_events.sender(update)
        if who is not None:
            self._remember(*who)
        return telegram_events.event_from_update(update, self.app.bot.username, self.app.bot.id)

    def _remember(self, user_id: int, name: str) -> None:
        """First names for mentions in group nudges (Target carries only the id)."""
        self._names[user_id] = name
        self._names.move_to_end(user_id)
        while len(self._names) > 10_000:
            self._names.popitem(last=False)

    async def _on_accepted(self, item: _Accepted, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Runs in update order (PTB sequential); processing fans out so other chats don't wait."""
        await self._spawn(item.event, self._origin_from_update(item.update, item.event))

    async def _replay(self, event: Event) -> None:
        """An unfinished event (this instance's start, or a dead instance's taken over): run like a new one."""
        await self._spawn(event, self._origin_from_event(event))

    async def _spawn(self, event: Event, origin: _Origin) -> None:
        # Tasks start in creation order and take the conversation lock first thing, so one
        # conversation's events are processed and answered in the order Telegram sent them.
        await self._slots.acquire()
        task = asyncio.create_task(self._run(event, origin), name=f"telegram-{event.event_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, event: Event, origin: _Origin) -> None:
        try:
            await self.core.run(event, dataclasses.asdict(origin))
        except Exception:
            log.exception("Telegram update %s failed", event.event_id)
            if origin.callback_id:  # stop the spinner; the event itself is replayed at the next start
                await self._reply_outside_event(origin, [])
        finally:
            self._slots.release()

    async def _on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Updates that are not events: presses we cannot use, blocks/unblocks, non-text DMs."""
        query, message = update.callback_query, update.message
        if query is not None:
            # answered, or the user's button spins; the chat is the pressed message's, else the user's own
            chat = query.message.chat.id if query.message is not None else query.from_user.id
            await self._reply_outside_event(_Origin(chat_id=chat, thread_id=None, is_direct=chat > 0,
                                                    user_id=query.from_user.id, callback_id=query.id), [])
        elif update.my_chat_member is not None:
            await self._membership(update)
        elif message is not None and message.chat.type == ChatType.PRIVATE:
            user = message.from_user
            if user is not None and not user.is_bot:
                lang = await self._lang(str(user.id), user.language_code)
                note = Reply(self.core.lib.t("telegram.text_only", lang))
                await self._reply_outside_event(_Origin(chat_id=message.chat.id, thread_id=None, is_direct=True,
                                                        user_id=user.id, reply_to=message.message_id), [note])

    async def _reply_outside_event(self, origin: _Origin, replies: list[Reply]) -> None:
        """Replies to an update that is no stored event go through the outbox too (`Core.reply`), so they
        are delivered by `deliver`, in order with the chat's other replies, and survive a kill."""
        try:
            await self.core.reply(self.platform, chat_id=str(origin.chat_id),
                                  thread_id=str(origin.thread_id) if origin.thread_id else None,
                                  user_id=str(origin.user_id), replies=replies, route=dataclasses.asdict(origin))
        except Exception:
            log.exception("Telegram: could not queue a reply to an update that is no event")

    async def _membership(self, update: Update) -> None:
        """A user who blocks the bot in a private chat is recorded, so no nudge is tried again."""
        change = update.my_chat_member
        if change is None or change.chat.type != ChatType.PRIVATE:
            return
        blocked = change.new_chat_member.status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
        await self.core.set_blocked(self.platform, str(change.from_user.id), blocked)

    async def _lang(self, user_id: str, hint: str | None) -> str:
        return await self.core.language_for(self.platform, user_id, hint)

    def _origin_from_update(self, update: Update, event: Event) -> _Origin:
        origin = self._origin_from_event(event)
        query = update.callback_query
        if query is not None:
            origin.callback_id = query.id
            if isinstance(query.message, Message):
                origin.pressed_html = query.message.text_html if query.message.text else None
        return origin

    @staticmethod
    def _origin_from_event(event: Event) -> _Origin:
        """Enough to answer a replayed event too (the callback query has expired by then)."""
        origin = _Origin(chat_id=int(event.chat_id), thread_id=int(event.thread_id) if event.thread_id else None,
                         is_direct=event.is_direct, user_id=int(event.user_id), user_name=event.user_name)
        message_id = int(event.origin_message_id) if event.origin_message_id else None
        if event.kind is EventKind.BUTTON:
            origin.pressed_id = message_id
        origin.reply_to = message_id
        return origin

    # -- outbound -----------------------------------------------------------------------------

    async def deliver(self, delivery: Delivery) -> None:
        """One outbox row: the replies to an update (its `_Origin` is the route) or a nudge (a target).

        Telegram offers no way to ask which messages a chat already has, so a row that may have gone
        through (``maybe_sent``) is sent again with the "this may repeat" line on its first new message.
        Raises `DeliveryError` for what is worth retrying (network, flood control) or permanent.
        """
        if self.app is None:
            raise DeliveryError("the Telegram adapter is not running")
        replies = _with_repeat_note(delivery) if delivery.maybe_sent else list(delivery.replies)
        if delivery.target is not None:
            await self.send(delivery.target, replies)
            return
        try:
            origin = _Origin(**delivery.route)
        except TypeError:
            raise DeliveryError("the outbox row has no Telegram route", permanent=True) from None
        await self._render(origin, replies)

    async def _render(self, origin: _Origin, replies: Sequence[Reply]) -> None:
        """Private replies to a press become its alert; the first close_origin edits the pressed message.

        A reply Telegram refuses for good (a bad request, a user who blocked the bot) is logged and
        dropped; a network failure or flood control raises `DeliveryError`, so the outbox row is retried.
        """
        pressed = origin.pressed_id is not None
        alerts = [to_plain(r.text) for r in replies if r.private and pressed]
        if origin.callback_id:
            await self._answer(origin.callback_id, alerts)
        closed = False
        for reply in replies:
            if reply.private and pressed:
                continue
            try:
                if reply.close_origin and pressed and not closed:
                    closed = True
                    await self._close_origin(origin, reply)
                else:
                    await self._post(origin.chat_id, origin.thread_id, reply, is_direct=origin.is_direct,
                                     reply_to=None if origin.is_direct else origin.reply_to,
                                     user_id=origin.user_id, user_name=origin.user_name)
            except Forbidden:
                log.info("Telegram: user %s blocked the bot; reply dropped", origin.user_id)
                return
            except RetryAfter as exc:
                raise DeliveryError("Telegram flood control", retry_after=retry_after_seconds(exc)) from None
            except BadRequest as exc:
                log.warning("Telegram: reply to chat %s failed: %s", origin.chat_id, self._redact(str(exc)))
            except TelegramError as exc:  # network trouble or a server error, after _call's retries
                raise DeliveryError(f"Telegram: {self._redact(str(exc))}") from None

    async def _answer(self, callback_id: str, alerts: list[str]) -> None:
        """Every press is answered, or the user's button spins; an alert only for private replies."""
        assert self.app is not None
        text = "\n\n".join(alerts)
        if len(text) > ALERT_LIMIT:
            text = text[:ALERT_LIMIT - 1] + "…"
        try:
            await self._call(self.app.bot.answer_callback_query, callback_id, text=text or None,
                             show_alert=bool(text))
        except TelegramError as exc:  # "query is too old" after a restart, and the like
            log.info("Telegram answerCallbackQuery: %s", self._redact(str(exc)))

    async def _close_origin(self, origin: _Origin, reply: Reply) -> None:
        """The pressed message loses its buttons and shows the answer, so an old button can't replay a step."""
        assert self.app is not None and origin.pressed_id is not None
        bot = self.app.bot
        markup = self._keyboard(reply)
        if origin.pressed_html is not None:
            text = f"{origin.pressed_html}\n\n{to_telegram_html(reply.text)}"
            if utf16_len(text) <= TEXT_LIMIT:  # HTML counts more than Telegram will: safe
                try:
                    await self._call(bot.edit_message_text, text, chat_id=origin.chat_id,
                                     message_id=origin.pressed_id, parse_mode=ParseMode.HTML, reply_markup=markup,
                                     link_preview_options=LinkPreviewOptions(is_disabled=True))
                    return
                except BadRequest as exc:
                    if "not modified" in str(exc).lower():  # done before (a re-sent outbox row): nothing to add
                        return
                    log.info("Telegram editMessageText: %s; posting instead", self._redact(str(exc)))
        with contextlib.suppress(BadRequest):  # not modified, or too old to edit
            await self._call(bot.edit_message_reply_markup, chat_id=origin.chat_id, message_id=origin.pressed_id,
                             reply_markup=None)
        await self._post(origin.chat_id, origin.thread_id, reply, is_direct=origin.is_direct,
                         reply_to=None if origin.is_direct else origin.pressed_id, user_id=origin.user_id)

    @staticmethod
    def _keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
        """One button a row: labels stay readable on a phone; callback data is the opaque choice id."""
        if not reply.choices:
            return None
        return InlineKeyboardMarkup([[InlineKeyboardButton(c.label, callback_data=c.id)] for c in reply.choices])

    def _mention(self, user_id: int, name: str | None) -> str:
        from html import escape

        label = escape(name or self._names.get(user_id) or "👤", quote=False)
        return f'<a href="tg://user?id={user_id}">{label}</a>'

    async def _post(self, chat_id: int, thread_id: int | None, reply: Reply, *, is_direct: bool,
                    reply_to: int | None, user_id: int, user_name: str | None = None) -> None:
        """Sends one Reply, split at paragraph boundaries; buttons go on the last part."""
        assert self.app is not None
        parts = [p for p in split_message(reply.text, SPLIT_AT, utf16_len) if p.strip()] or ["…"]
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            text = to_telegram_html(part)
            if i == 0 and reply.mention_user and not is_direct:
                text = f"{self._mention(user_id, user_name)}\n{text}"
            # Bot API JSON as plain dicts: building PTB objects only to serialise them again cost CPU per reply
            markup: dict[str, Any] | None = None
            if last and reply.choices:  # one button a row, as in _keyboard
                markup = {"inline_keyboard": [[{"text": c.label, "callback_data": c.id}] for c in reply.choices]}
            elif last and reply.expects_text and not is_direct and reply_to is not None:
                # With privacy mode on, Parley only sees replies to its messages: ask the client to reply.
                markup = _FORCE_REPLY
            await self._call(self._send_message, {
                "chat_id": chat_id, "text": text, "parse_mode": ParseMode.HTML, "reply_markup": markup,
                "message_thread_id": thread_id,
                "reply_parameters": {"message_id": reply_to, "allow_sending_without_reply": True} if reply_to else None,
                "link_preview_options": _NO_PREVIEW})

    async def _send_message(self, params: dict[str, Any]) -> None:
        """``sendMessage`` without turning Telegram's answer into a PTB `Message`: Parley never reads it,
        and parsing a long reply's entities and buttons back cost more CPU than building the request.

        `bot.compat.post_unparsed` goes through PTB's public `Bot.do_api_request`: it drops None values,
        serialises the PTB objects, runs the rate limiter and raises PTB's errors, like `Bot.send_message`.
        """
        assert self.app is not None
        await post_unparsed(self.app.bot, "sendMessage", params)

    async def _call(self, method: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Retries network errors and 5xx (PTB raises NetworkError for both); 429 is the rate limiter's."""
        for attempt in range(3):
            try:
                return await method(*args, **kwargs)
            except NetworkError as exc:
                if isinstance(exc, BadRequest) or attempt == 2:
                    raise
                log.info("Telegram: %s; retrying", self._redact(str(exc)))
                await asyncio.sleep(0.3 * 2 ** attempt)
        raise AssertionError("unreachable")

    async def send(self, target: Target, replies: Sequence[Reply]) -> None:
        """A nudge to the case's chat and topic. Blocked: permanent DeliveryError; 429: retry_after."""
        if self.app is None:
            raise DeliveryError("the Telegram adapter is not running")
        chat_id = int(target.chat_id)
        thread = int(target.thread_id) if target.thread_id and target.thread_id.lstrip("-").isdigit() else None
        for reply in replies:
            try:
                for _ in range(3):
                    try:
                        await self._post(chat_id, thread, reply, is_direct=chat_id > 0, reply_to=None,
                                         user_id=int(target.user_id))
                        break
                    except ChatMigrated as exc:  # the group became a supergroup: same people, new id
                        log.info("Telegram chat %s moved to %s", chat_id, exc.new_chat_id)
                        chat_id = int(exc.new_chat_id)
                    except BadRequest as exc:
                        if thread is None or "thread not found" not in str(exc).lower():
                            raise
                        thread = None  # the topic was deleted: the chat itself will do
            except Forbidden as exc:
                raise DeliveryError(f"Telegram refused: {exc}", permanent=True) from None
            except RetryAfter as exc:
                raise DeliveryError("Telegram flood control", retry_after=retry_after_seconds(exc)) from None
            except BadRequest as exc:
                gone = "chat not found" in str(exc).lower()
                raise DeliveryError(f"Telegram: {self._redact(str(exc))}", permanent=gone) from None
            except TelegramError as exc:
                raise DeliveryError(f"Telegram: {self._redact(str(exc))}") from None
