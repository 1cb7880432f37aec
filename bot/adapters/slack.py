"""The Slack adapter: slack-bolt (async) is the transport, the core does the rest.

Every inbound request goes record-then-ack-then-work: the event is made durable with `Core.accept`
(a repeated event id, e.g. a retry carrying ``X-Slack-Retry-Num``, is dropped there), bolt's ``ack()``
answers Slack at once, and the core runs in a background task, so slow content or store work never
delays the 3-second acknowledgement. Events accepted but never finished are replayed at start.

Where replies go: a slash command carries no thread, so a case's first card is posted in the channel
and its ``ts`` becomes the case's thread (`Core.anchor_case`); everything after that goes into the
thread. Replies that belong to no case (help, the situation menu, settings) are shown only to the
user (ephemeral) when they answer a slash command in a channel, to keep channels quiet. The app's
direct-message channel is a flat chat, like Telegram: no anchoring, and its cases have no thread (a
reply typed in a DM thread is answered in that thread, but belongs to the same conversation).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters import slack_events, slack_payload
from bot.adapters.slack_blocks import (
    ACTION_PREFIX,
    block_owner,
    closed_blocks,
    plain_fallback,
    render,
)
from bot.adapters.slack_events import Place
from bot.adapters.slack_home import home_view
from bot.core import Core
from bot.events import DeliveryError, Event, Reply, StartupError, Target
from bot.http import HttpServer, refuse
from bot.outbox import Delivery
from bot.settings import Settings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
#: The message metadata type that names an outbox row (``event_payload``: ``outbox`` id and ``part``).
OUTBOX_EVENT = "parley_outbox"
#: Messages read back per channel or thread when looking for a row that may have been posted.
LOOKUP_LIMIT = 200
#: Users whose Slack locale (users.info) is remembered; past this the memory starts over.
LOCALE_CACHE_SIZE = 10_000
#: Seconds a new user's first event waits for users.info before it is answered in the default language.
LOCALE_WAIT = 2.0
#: auth.test errors that mean the token itself is wrong.
_BAD_TOKEN = {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "not_allowed_token_type"}
#: Web API errors where retrying the same delivery cannot help.
_PERMANENT = {"channel_not_found", "not_in_channel", "is_archived", "account_inactive", "invalid_auth",
              "token_revoked", "user_not_found", "cannot_dm_bot", "restricted_action", "msg_too_long",
              "invalid_blocks", "no_permission", "missing_scope", "user_disabled", "ekm_access_denied"}
#: Slack's signature headers: Unix seconds in ASCII digits, and v0= with a hex SHA-256 (checked before
#: slack_sdk's verifier, which would raise on a non-numeric timestamp or a non-ASCII signature).
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
#: Message subtypes that are still a person writing (others are edits, joins, bot posts...).


def _retry_handlers() -> list[AsyncRetryHandler]:
    """429s wait for Retry-After and go again; dropped connections are retried once."""
    return [AsyncConnectionErrorRetryHandler(max_retry_count=2), AsyncRateLimitErrorRetryHandler(max_retry_count=2)]


@functools.cache
def _slash_word(commands: tuple[str, ...]) -> re.Pattern[str]:
    names = "|".join(sorted((c for c in commands if c != "conflict"), key=len, reverse=True))
    return re.compile(rf"(?<![\w/.:-])/({names})\b")


def _slash_commands_for_slack(text: str, commands: tuple[str, ...]) -> str:
    """Replies name commands as ``/cards``; in Slack those are subcommands: ``/parley cards``.

    ``commands``: the public command names (`bot.core.Core.commands`).
    """
    return _slash_word(commands).sub(r"/parley \1", text)


def _delivery_error(exc: SlackApiError) -> DeliveryError:
    error = str(exc.response.get("error") or "")
    status = getattr(exc.response, "status_code", 200)
    if error == "ratelimited" or status == 429:
        header = (exc.response.headers or {}).get("Retry-After") or (exc.response.headers or {}).get("retry-after")
        try:
            wait = float(header[0] if isinstance(header, list) else header) if header else 30.0
        except ValueError:
            wait = 30.0
        return DeliveryError(f"Slack rate limit ({error or status})", retry_after=wait)
    return DeliveryError(f"Slack refused the message: {error or status}", permanent=error in _PERMANENT)


class SlackAdapter:
    platform = "slack"
    #: Seconds the store may take to record an event before Slack is acknowledged regardless.
    accept_budget = 2.0
    #: Seconds to wait for the Socket Mode WebSocket at start.
    socket_connect_within = 15.0

    def __init__(self, core: Core, settings: Settings, http: HttpServer | None = None) -> None:
        self.core = core
        self.settings = settings
        self.http = http
        self.base_url = str(settings.slack_api_url).rstrip("/") + "/"
        self.socket_mode = bool(settings.slack_app_token and settings.slack_app_token.get_secret_value())
        self.bot_user_id: str | None = None
        self.bot_id: str | None = None
        self.team_id: str | None = None
        self.client: AsyncWebClient | None = None
        self.app: AsyncApp | None = None
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
        self._verifier = SignatureVerifier(secret) if secret.strip() else None
        self._session: aiohttp.ClientSession | None = None
        self._socket: Any = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._dm: dict[str, str] = {}
        self._locale: dict[str, asyncio.Task[str | None]] = {}
        self._ready = False

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Checks the token with auth.test (bolt would only do it on the first request), then listens."""
        assert self.settings.slack_bot_token is not None
        token = self.settings.slack_bot_token.get_secret_value()
        self._session = aiohttp.ClientSession()
        self.client = AsyncWebClient(token=token, base_url=self.base_url, session=self._session,
                                     retry_handlers=_retry_handlers(), logger=log)
        try:
            auth = await self.client.auth_test()
        except SlackApiError as exc:
            await self._close_session()
            error = str(exc.response.get("error") or "unknown error")
            if error in _BAD_TOKEN:
                raise StartupError(
                    f"Slack rejected PARLEY_SLACK_BOT_TOKEN ({error}); use the Bot User OAuth Token (xoxb-...) "
                    "from your Slack app's OAuth & Permissions page") from None
            raise StartupError(f"Slack's auth.test failed ({error}) at {self.base_url}") from None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            await self._close_session()
            raise StartupError(f"cannot reach the Slack Web API at {self.base_url} ({type(exc).__name__})") from None
        self.bot_user_id, self.bot_id, self.team_id = auth.get("user_id"), auth.get("bot_id"), auth.get("team_id")
        self.app = self._build_app(token)
        if self.socket_mode:
            await self._connect_socket()
        elif self.http is not None:
            self.http.add_post(EVENTS_PATH, self.handle_http)
        if self.http is not None:
            self.http.checks["slack"] = self.healthy
        self._ready = True
        await self.core.replay_unfinished(self.platform, self._replay)

    def _build_app(self, token: str) -> AsyncApp:
        bolt_client = AsyncWebClient(base_url=self.base_url, session=self._session, retry_handlers=_retry_handlers())
        secret = self.settings.slack_signing_secret.get_secret_value() if self.settings.slack_signing_secret else ""
        auth = AuthorizeResult(enterprise_id=None, team_id=self.team_id, bot_user_id=self.bot_user_id,
                               bot_id=self.bot_id, bot_token=token)

        async def authorize() -> AuthorizeResult:
            # auth.test already ran in start(); bolt would otherwise call it again on the first requests
            return auth

        # Signatures are checked in `handle_http` before bolt sees a request (Socket Mode has none), so bolt
        # does not check them a second time. process_before_response stays False: bolt runs each listener
        # as a task and polls for its ack() every 10 ms. Running the listeners inline (True) acknowledged
        # a burst sooner (ack p50 30-45 ms against 85-170) but let the work pile up behind the acks:
        # over 8 alternating runs of benchmarks/slack_ack.py its ack p99 and reply p50 were the worst of
        # the variants measured (docs/outbox.md, "Slack under a burst").
        app = AsyncApp(signing_secret=secret, client=bolt_client, authorize=authorize, process_before_response=False,
                       request_verification_enabled=False, logger=logging.getLogger("slack_bolt.parley"))
        app.command("/conflict")(self._on_command)
        app.command("/parley")(self._on_command)
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        app.event("app_home_opened")(self._on_home_opened)
        app.action(re.compile(rf"^{re.escape(ACTION_PREFIX)}"))(self._on_action)
        return app

    async def _connect_socket(self) -> None:
        """Checks the app token with apps.connections.open first: slack_sdk's client retries forever."""
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        assert self.app is not None and self.client is not None and self.settings.slack_app_token is not None
        app_token = self.settings.slack_app_token.get_secret_value()
        try:
            opened = await self.client.apps_connections_open(app_token=app_token)
        except SlackApiError as exc:
            await self._close_session()
            error = str(exc.response.get("error") or "unknown error")
            raise StartupError(f"Slack rejected PARLEY_SLACK_APP_TOKEN ({error}); it must be an app-level token "
                               "(xapp-...) with the connections:write scope") from None
        self._socket = AsyncSocketModeHandler(self.app, app_token, logger=log, web_client=self.app.client)
        self._socket.client.wss_uri = opened["url"]
        try:
            await asyncio.wait_for(self._socket.connect_async(), self.socket_connect_within)
        except TimeoutError:
            await self._socket.close_async()
            self._socket = None
            await self._close_session()
            raise StartupError("cannot open Slack's Socket Mode connection (no answer in time)") from None

    def healthy(self) -> bool:
        """For /healthz: started, and in Socket Mode the WebSocket client not closed."""
        if not self._ready:
            return False
        return self._socket is None or not self._socket.client.closed

    async def drain(self) -> None:
        """Waits for the work already accepted (tests, and a clean stop)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def stop(self) -> None:
        self._ready = False
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=5)
            for task in pending:
                task.cancel()
        await self._close_session()

    async def _close_session(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- HTTP -------------------------------------------------------------------------------

    async def handle_http(self, request: web.Request) -> web.StreamResponse:
        """POST /slack/events: signature, then shape, then bolt routes.

        bolt parses the body before it checks the signature, and hands its listeners whatever the JSON
        holds, so junk would surface as a 500 with a traceback. Here, before bolt sees anything: a
        missing, malformed, stale or wrong signature is 401 (cheap: one HMAC, nothing parsed); a
        signed body that is not UTF-8, that bolt cannot parse, or whose fields have the wrong types
        (`slack_payload.problem`) is 400. Each gets one WARNING line (`refuse`), with no traceback and
        none of the body. Slack retries a failed event a few times only, so a 4xx is safe.
        """
        assert self.app is not None
        body = await request.read()  # over the server's client_max_size: aiohttp answers 413
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if self._verifier is None or not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            return refuse(log, 401, "slack: no valid signature headers")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return refuse(log, 400, "slack: the body is not UTF-8")
        if not self._verifier.is_valid(text, timestamp, signature):
            return refuse(log, 401, "slack: the signature does not match or is stale")
        try:
            bolt_request = AsyncBoltRequest(body=text, query=request.query_string,
                                            headers=dict(request.headers.items()))
        except Exception as exc:  # parsing alone: no server state involved, so the body is at fault
            return refuse(log, 400, "slack: bolt cannot parse the body (%s)", type(exc).__name__)
        wrong = slack_payload.problem(bolt_request.body)
        if wrong is not None:
            return refuse(log, 400, "slack: the body has the wrong shape (%s)", wrong)
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    # -- inbound ----------------------------------------------------------------------------

    async def _accept(self, event: Event, place: Place, ack: Callable[[], Awaitable[Any]]) -> None:
        """Durable first, then the acknowledgement, then the work in the background.

        Should the store be slower than `accept_budget` (a long lock), Slack is acknowledged anyway
        and the event is recorded and worked as soon as the store answers: Slack's 3 s limit wins.
        """
        accepting = asyncio.ensure_future(self.core.accept(event))
        # asyncio.wait, not wait_for(shield(...)): the same "stop waiting, never cancel" with one loop round
        # less, and each round of a busy loop is a wait behind every other ready callback
        await asyncio.wait((accepting,), timeout=self.accept_budget)
        if not accepting.done():
            log.warning("slack: recording an event took over %.1f s; acknowledged before it was stored",
                        self.accept_budget)
            await ack()
            self._spawn(self._work_when_accepted(accepting, event, place))
            return
        fresh = accepting.result()
        await ack()
        if fresh:
            self._prefetch_locale(event)
            self._spawn(self._work(event, place))
        else:
            log.debug("slack: dropping repeated event %s", event.event_id)

    async def _work_when_accepted(self, accepting: asyncio.Future[bool], event: Event, place: Place) -> None:
        try:
            fresh = await accepting
        except Exception:
            log.exception("slack: recording an event failed")
            return
        if fresh:
            await self._work(event, place)

    async def _on_command(self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any]) -> None:
        event, place = slack_events.command_event(body, self.bot_user_id, uuid.uuid4().hex)
        await self._accept(event, place, ack)

    async def _on_mention(self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any]) -> None:
        found = slack_events.mention_event(body, self.bot_user_id)
        if found is None:
            await ack()
            return
        await self._accept(*found, ack)

    async def _on_message(self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any]) -> None:
        ev = body.get("event") or {}
        changed = ev.get("subtype") == "message_changed"
        if changed:  # an edit: never a new message, the handlers answer it for what the original did
            ev = slack_events.edited_message(ev) or {}
        channel, thread = str(ev.get("channel", "")), ev.get("thread_ts")
        direct = ev.get("channel_type") == "im"
        if not slack_events.from_person(ev, self.bot_user_id):
            await ack()
            return
        user = str(ev["user"])
        raw = str(ev.get("text") or "")
        if direct:
            self._dm[user] = channel
        else:
            # In channels only the owner's replies in a case's thread are for Parley; mentions come as
            # app_mention, but their edits only as message_changed (answered in the mention's thread).
            mentioned = bool(self.bot_user_id) and f"<@{self.bot_user_id}" in raw
            in_case = False
            if thread and not mentioned:
                in_case = await self.core.is_case_thread(self.platform, channel, str(thread), user)
            if changed and mentioned:
                thread = thread or ev.get("ts")
            elif not in_case:
                await ack()
                return
        event, place = slack_events.message_event(body, ev, self.bot_user_id, thread=thread, edited=changed)
        await self._accept(event, place, ack)

    async def _on_home_opened(self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any]) -> None:
        await ack()
        ev = body.get("event") or {}
        user, channel = ev.get("user"), ev.get("channel")
        if user and channel:
            self._dm[str(user)] = str(channel)
        if user and ev.get("tab", "home") == "home":
            self._spawn(self._publish_home(str(user)))

    async def _on_action(self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any]) -> None:
        action = (body.get("actions") or [{}])[0]
        user = str((body.get("user") or {}).get("id", ""))
        if (body.get("container") or {}).get("type") == "view":
            try:
                channel = await self._dm_channel(user)
            except SlackApiError as exc:
                await ack()
                log.warning("slack: cannot open a DM for a Home press: %s", exc.response.get("error"))
                return
            place = Place(channel=channel, user=user, direct=True, from_home=True)
        else:
            place = slack_events.action_place(body)
        owner = block_owner(action.get("block_id"))
        if owner is not None and owner != user:
            await ack()
            self._spawn(self._refuse(place))
            return
        await self._accept(slack_events.action_event(body, place), place, ack)

    # -- work -------------------------------------------------------------------------------

    async def _replay(self, event: Event) -> None:
        """An unfinished event (this instance's start, or a dead instance's taken over): its work is spawned."""
        log.info("slack: replaying an unfinished %s event", event.kind)
        self._spawn(self._work(event, Place.for_replay(event)))

    def _spawn(self, work: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _work(self, event: Event, place: Place) -> None:
        """Runs one accepted event; its replies go out through the outbox (`deliver`), in order within one
        conversation."""
        try:
            event = await self._with_locale(event)
            await self.core.run(event, dataclasses.asdict(place))
            if place.from_home:
                await self._publish_home(event.user_id)
        except Exception:
            log.exception("slack: a %s event failed", event.kind)

    def _prefetch_locale(self, event: Event) -> None:
        """Starts users.info for a user Parley has not met, as soon as the event is acknowledged, so the
        answer is usually there before the work starts (`_with_locale`); one call per user (cached)."""
        if event.language_hint or event.user_id in self._locale or self.client is None:
            return
        if len(self._locale) >= LOCALE_CACHE_SIZE:
            self._locale.clear()
        self._locale[event.user_id] = asyncio.ensure_future(self._users_info(event.user_id))

    async def _users_info(self, user_id: str) -> str | None:
        try:
            assert self.client is not None
            if await self.core.knows_user(self.platform, user_id):
                return None  # a stored user has a language already: nothing to ask Slack
            info = await self.client.users_info(user=user_id, include_locale=True)
            return str((info.get("user") or {}).get("locale") or "") or None
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            log.debug("slack: users.info failed: %s", exc)
            return None

    async def _with_locale(self, event: Event) -> Event:
        """Slack's locale as the language hint, for a user Parley has not met yet (`_prefetch_locale`)."""
        if event.language_hint:
            return event
        self._prefetch_locale(event)
        task = self._locale.get(event.user_id)
        if task is None:
            return event
        if task.done():  # the usual case: asked before (a known user costs no wait and no task switch)
            hint = None if task.cancelled() or task.exception() is not None else task.result()
        else:
            try:
                hint = await asyncio.wait_for(asyncio.shield(task), LOCALE_WAIT)
            except TimeoutError:
                return event
        return dataclasses.replace(event, language_hint=hint) if hint else event

    async def deliver(self, delivery: Delivery) -> None:
        """One outbox row: the replies to an event (its `Place` is the route) or a nudge (a target).

        Every message posted carries the row's id and its part number as message metadata; a row that
        may have gone through before (``maybe_sent``) first looks for them in the channel and thread and
        sends only the parts Slack does not have. A reply Slack refuses for good is logged and dropped
        (a nudge's refusal raises, for the scheduler); a rate limit or network trouble raises
        `DeliveryError`, so the row is retried.
        """
        if self.client is None:
            raise DeliveryError("the Slack adapter is not started")
        nudge = delivery.target is not None
        if delivery.target is not None:
            target = delivery.target
            place = Place(channel=target.chat_id, user=target.user_id, thread=target.thread_id,
                          direct=target.chat_id.startswith("D"))
        else:
            try:
                place = Place(**delivery.route)
            except TypeError:
                raise DeliveryError("the outbox row has no Slack route", permanent=True) from None
        posted = await self._posted_parts(delivery, place) if delivery.maybe_sent else {}
        looked_up = posted is not None
        posted = posted or {}
        for part, reply in enumerate(delivery.replies):
            metadata = {"event_type": OUTBOX_EVENT, "event_payload": {"outbox": delivery.outbox_id, "part": part}}
            if part in posted:  # Slack has it already: only what followed its post is redone
                ts = posted[part]
                if reply.anchor and reply.case_id is not None and not place.direct and place.thread is None:
                    await self.core.anchor_case(reply.case_id, ts)
                    place.thread = ts
                continue
            if delivery.maybe_sent and delivery.repeat_note and not (looked_up and self._can_look_up(reply, place)):
                reply = dataclasses.replace(reply, text=f"{delivery.repeat_note}\n\n{reply.text}")
            try:
                await self._deliver_one(reply, place, metadata, nudge=nudge)
            except SlackApiError as exc:
                error = _delivery_error(exc)
                if nudge or error.retry_after is not None or not error.permanent:
                    raise error from None
                log.warning("slack: delivering a reply failed: %s", exc.response.get("error"))
            except (TimeoutError, aiohttp.ClientError) as exc:
                raise DeliveryError(f"Slack unreachable ({type(exc).__name__})") from None

    @staticmethod
    def _can_look_up(reply: Reply, place: Place) -> bool:
        """Only channel messages carry metadata Parley can find again; ephemerals and response_url posts
        cannot be looked up (a repeated chat.update is the same edit)."""
        if reply.close_origin:
            return True
        return not (reply.private or (place.quiet and reply.case_id is None and not reply.anchor))

    async def _posted_parts(self, delivery: Delivery, place: Place) -> dict[int, str] | None:
        """``{part: ts}`` of this row's messages Slack already has: the channel's recent history and the
        threads of the place and of the case (conversations.history / .replies with metadata).

        None when Slack will not let Parley read the channel (not a member, a missing scope): the row is
        then sent again with the "may repeat" note, as on Telegram. A rate limit or network trouble
        raises `DeliveryError`, so the row is retried later."""
        assert self.client is not None
        found: dict[int, str] = {}
        threads = {place.thread} if place.thread else set()
        for reply in delivery.replies:
            if reply.case_id is not None:
                known = await self.core.case_thread(self.platform, reply.case_id)
                if known is not None and known[0] == place.channel:
                    threads.add(known[1])
        try:
            pages = [await self.client.conversations_history(channel=place.channel, limit=LOOKUP_LIMIT,
                                                             include_all_metadata=True)]
            for thread in threads:
                pages.append(await self.client.conversations_replies(channel=place.channel, ts=thread,
                                                                     limit=LOOKUP_LIMIT, include_all_metadata=True))
        except SlackApiError as exc:
            error = _delivery_error(exc)
            if error.retry_after is not None or not error.permanent:
                raise error from None
            log.info("slack: cannot look for outbox row %s (%s); sending it again with the note",
                     delivery.outbox_id, exc.response.get("error"))
            return None
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise DeliveryError(f"Slack unreachable ({type(exc).__name__})") from None
        for page in pages:
            for message in page.get("messages") or []:
                meta = message.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") == OUTBOX_EVENT and payload.get("outbox") == delivery.outbox_id:
                    found[int(payload.get("part", 0))] = str(message.get("ts"))
        if found:
            log.info("slack: outbox row %s was partly or wholly posted before a restart; %d part(s) not repeated",
                     delivery.outbox_id, len(found))
        return found

    async def _deliver_one(self, reply: Reply, place: Place, metadata: dict[str, Any] | None = None, *,
                           nudge: bool = False) -> None:
        if nudge:  # an unprompted message: private ones ephemeral, the rest posted where the target says
            if reply.private:
                await self._ephemeral(reply, place)
            else:
                await self._post(reply, place, place.channel, place.thread, metadata)
            return
        if reply.close_origin:
            if place.origin_ts or (place.origin_ephemeral and place.response_url):
                await self._close_origin(reply, place)
            return  # no message was pressed (App Home): the chosen answer needs no echo
        if reply.private or (place.quiet and reply.case_id is None and not reply.anchor):
            await self._ephemeral(reply, place)
            return
        channel, thread = place.channel, place.thread
        if reply.case_id is not None and thread is None and not reply.anchor:
            found = await self.core.case_thread(self.platform, reply.case_id)
            if found is not None:
                channel, thread = found
        ts = await self._post(reply, place, channel, thread, metadata)
        if ts and reply.anchor and reply.case_id is not None and not place.direct and channel == place.channel:
            await self.core.anchor_case(reply.case_id, thread or ts)
            place.thread = thread or ts

    async def _post(self, reply: Reply, place: Place, channel: str, thread: str | None,
                    metadata: dict[str, Any] | None = None) -> str | None:
        assert self.client is not None
        mention = place.user if reply.mention_user and not place.direct else None
        text, blocks = render(self._for_slack(reply), place.user, mention_user=mention)
        try:
            response = await self.client.chat_postMessage(channel=channel, text=text, blocks=blocks, thread_ts=thread,
                                                          unfurl_links=False, unfurl_media=False, metadata=metadata)
        except SlackApiError as exc:
            if exc.response.get("error") in ("not_in_channel", "channel_not_found") and place.response_url:
                note = await self._t(place.user, "slack.cannot_post")
                await self._respond(place.response_url, dataclasses.replace(reply, text=f"{note}\n\n{reply.text}"),
                                    place.user, replace=False)
                return None
            raise
        return str(response.get("ts") or "") or None

    async def _ephemeral(self, reply: Reply, place: Place) -> None:
        assert self.client is not None
        if place.origin_ephemeral and place.response_url:
            await self._respond(place.response_url, reply, place.user, replace=False)
            return
        text, blocks = render(self._for_slack(reply), place.user)
        try:
            await self.client.chat_postEphemeral(channel=place.channel, user=place.user, text=text, blocks=blocks,
                                                 thread_ts=place.thread)
        except SlackApiError as exc:
            if exc.response.get("error") in ("not_in_channel", "channel_not_found") and place.response_url:
                await self._respond(place.response_url, reply, place.user, replace=False)
                return
            raise

    async def _close_origin(self, reply: Reply, place: Place) -> None:
        """Replaces the pressed message's buttons with the chosen answer, so the step cannot be replayed."""
        assert self.client is not None
        blocks = closed_blocks(place.origin_blocks, self._for_slack(reply).text)
        if place.origin_ephemeral and place.response_url:
            await self._webhook(place.response_url, {"replace_original": True, "text": plain_fallback(blocks),
                                                     "blocks": blocks})
            return
        assert place.origin_ts is not None
        await self.client.chat_update(channel=place.channel, ts=place.origin_ts, text=plain_fallback(blocks),
                                      blocks=blocks)

    async def _respond(self, url: str, reply: Reply, owner: str, *, replace: bool) -> None:
        text, blocks = render(self._for_slack(reply), owner)
        await self._webhook(url, {"response_type": "ephemeral", "replace_original": replace, "text": text,
                                  "blocks": blocks})

    async def _webhook(self, url: str, payload: dict[str, Any]) -> None:
        hook = AsyncWebhookClient(url, session=self._session, retry_handlers=_retry_handlers(), logger=log)
        response = await hook.send_dict(payload)
        if response.status_code != 200:
            log.warning("slack: response_url answered %s", response.status_code)

    async def _refuse(self, place: Place) -> None:
        """Somebody pressed a button of another person's message: tell only them, change nothing."""
        note = Reply(await self._t(place.user, "slack.not_yours"), private=True)
        try:  # through the outbox like every reply (an event-less row in the presser's conversation)
            await self.core.reply(self.platform, chat_id=place.channel, thread_id=place.thread, user_id=place.user,
                                  replies=[note], route=dataclasses.asdict(place))
        except Exception:
            log.exception("slack: could not queue the note for a refused press")

    async def _publish_home(self, user_id: str) -> None:
        assert self.client is not None
        try:
            await self.client.views_publish(user_id=user_id, view=await home_view(self.core, user_id))
        except SlackApiError as exc:
            log.warning("slack: views.publish failed: %s", exc.response.get("error"))

    async def _dm_channel(self, user_id: str) -> str:
        """The app's DM with a user (cached; conversations.open otherwise)."""
        if user_id not in self._dm:
            assert self.client is not None
            response = await self.client.conversations_open(users=user_id)
            self._dm[user_id] = str(response["channel"]["id"])
        return self._dm[user_id]

    async def _t(self, user_id: str, key: str) -> str:
        return self.core.lib.t(key, await self.core.language_for(self.platform, user_id))

    def _for_slack(self, reply: Reply) -> Reply:
        return dataclasses.replace(reply, text=_slash_commands_for_slack(reply.text, self.core.commands))

    # -- outbound (scheduler) -----------------------------------------------------------------

    async def send(self, target: Target, replies: Sequence[Reply]) -> None:
        """Posts unprompted replies to ``target`` now, outside the outbox (tests of the rendering); Parley's
        own nudges go through `deliver`. Failures become `DeliveryError`."""
        await self.deliver(Delivery(outbox_id=0, platform=self.platform, user_id=target.user_id,
                                    replies=list(replies), target=target))


__all__ = ["EVENTS_PATH", "SlackAdapter"]
