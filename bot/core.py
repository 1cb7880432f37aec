"""The platform-neutral core: dedup, per-conversation ordering, and routing to the handlers.

Adapters call `Core.handle` (or `accept` then `process`, when they must acknowledge in between) and
render the replies. The core never imports a platform library, nor the handlers: it receives their
entry point (``dispatch``) and the public command list, as the scheduler receives its renderer;
`bot.app.build_core` wires them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.context import Context
from bot.events import DeliveryError, Event, EventKind, Home, Reply, Target, stamp_choices, stamp_replies
from bot.logcontext import bound_event
from bot.metrics import count_delivery, observe_duplicate, observe_event
from bot.outbox import Delivery, Outbox, conversation_of, event_conversation, new_instance_id, new_item
from bot.owner import owner_tag, unstamp
from bot.settings import Settings
from bot.store import OutboxItem, PendingEvent, Store, User, utcnow
from content import LANGUAGES, Library, library

log = logging.getLogger(__name__)


class Adapter(Protocol):
    """What the core needs from a platform connector."""

    platform: str

    async def start(self) -> None:
        """Connects to the platform; raises `bot.events.StartupError` with one line for a person."""
        ...

    async def stop(self) -> None:
        """Stops taking events and finishes the work in flight."""
        ...

    async def deliver(self, delivery: Delivery) -> None:
        """Delivers one outbox row (`bot.outbox.Delivery`): the replies to an event (``delivery.route``, what
        this adapter stored when it ran the event) or an unprompted message (``delivery.target``).

        Returns when the platform has it (or when it is dropped on purpose). Raises
        `bot.events.DeliveryError` when it cannot: ``permanent`` fails the row, otherwise it is retried.
        With ``delivery.maybe_sent`` an earlier attempt may have gone through: look it up where the
        platform allows, otherwise show ``delivery.repeat_note``.
        """
        ...


Clock = Callable[[], datetime]
#: The conversation logic: the replies to one event, for the Context of its user (`handlers.dispatch`).
Dispatch = Callable[[Event, Context], Awaitable[list[Reply]]]
#: Builds a user's home page (`handlers.home.home`).
HomeBuilder = Callable[[Context], Awaitable[Home]]
_EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(Event))
#: Inside `Core._process`: wakes the handlers asked for, held until the event's transaction commits.
_wake_after_commit: ContextVar[list[bool] | None] = ContextVar("parley_wake_after_commit", default=None)
#: Runs one replayed event through its adapter (which knows how to answer it): `Core.replay_unfinished`.
Replay = Callable[[Event], Awaitable[None]]
#: Unfinished events one periodic takeover claims at most (`Core.take_over_events`).
TAKEOVER_BATCH = 100
#: Lone UTF-16 surrogates: JSON allows "\\ud83d" alone, but they cannot be encoded to UTF-8 (SQLite, the APIs).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(event: Event) -> Event:
    """The event with lone surrogates replaced by U+FFFD, so no store write or reply chokes on them."""
    changes: dict[str, Any] = {name: _SURROGATE.sub("\ufffd", value) for name in _EVENT_FIELDS
               if isinstance(value := getattr(event, name), str) and _SURROGATE.search(value)}
    return dataclasses.replace(event, **changes) if changes else event


class EventTakenOver(Exception):
    """This instance's claim on an event expired and another instance took the event over: the done mark
    was refused, so the event's transaction is rolled back and its replies are the other instance's."""


class Core:
    """Runs events through ``dispatch``; ``commands`` are the public command names, in menu order.

    ``clock`` returns aware UTC; ``lib`` defaults to the shipped content.
    """

    def __init__(self, store: Store, settings: Settings, *, dispatch: Dispatch, commands: Sequence[str] = (),
                 home: HomeBuilder | None = None, clock: Clock = utcnow, lib: Library | None = None) -> None:
        self.store = store
        self.settings = settings
        self.dispatch = dispatch
        #: What users see in menus and help, in this order; adapters publish it (Telegram's "/" menu).
        self.commands: tuple[str, ...] = tuple(commands)
        self._home = home
        self.clock = clock
        self.lib = lib or library()
        self.adapters: dict[str, Adapter] = {}
        #: This process's id in the claims it makes (outbox rows, nudges).
        self.instance = new_instance_id()
        #: Delivers outbox rows through ``adapters``; `bot.app` starts its loop once the adapters run.
        self.outbox = Outbox(store, self.adapters, owner=self.instance, clock=clock, repeat_note=self._repeat_note)
        self._locks: weakref.WeakValueDictionary[tuple[str, ...], asyncio.Lock] = weakref.WeakValueDictionary()
        #: Called after a case was scheduled new nudges, so the scheduler can wake up early.
        self.on_nudges_changed: Callable[[], None] = lambda: None
        #: True with one process per database (SQLite): every unfinished event found at start is a dead
        #: process's and is replayed; False (PostgreSQL): only those whose claim is older than the claim
        #: timeout (``outbox.stale_after``). `bot.app.build_scheduler` sets it.
        self.takeover_at_start = True
        #: Platform -> how its adapter replays an event (`replay_unfinished`); the outbox loop uses them
        #: to take over a dead instance's events (`take_over_events`).
        self.replays: dict[str, Replay] = {}
        self.outbox.event_takeover = self.take_over_events

    def register(self, adapter: Adapter) -> None:
        """Makes ``adapter`` the one that delivers the outbox rows of its platform."""
        self.adapters[adapter.platform] = adapter

    def context_for(self, user: User) -> Context:
        """The handlers' view for ``user`` at this moment: the only place a `Context` is built."""
        return Context(store=self.store, lib=self.lib, user=user, now=self.clock(),
                       language_setter=self.set_language, nudges_changed=self._nudges_changed)

    def _nudges_changed(self) -> None:
        """A handler scheduled or moved nudges. Inside an event's transaction the scheduler is woken only
        once it commits: on PostgreSQL the scheduler reads through another connection, and woken earlier
        it would find nothing new and sleep until its next timeout."""
        pending = _wake_after_commit.get()
        if pending is None:
            self.on_nudges_changed()
        else:
            pending.append(True)

    # -- inbound ----------------------------------------------------------------------------

    async def accept(self, event: Event) -> bool:
        """Makes the event durable before the platform is acknowledged; False for a repeat."""
        event = _encodable(event)
        payload = {name: getattr(event, name) for name in _EVENT_FIELDS}  # asdict() deep-copies; this is flat
        accepted = await self.store.accept_event(event.platform, event.event_id, event.user_id, payload,
                                                 owner=self.instance)
        if not accepted:
            observe_duplicate(event.platform)
        return accepted

    def _lock_for(self, event: Event) -> asyncio.Lock:
        return self._lock_for_key(event.conversation_key)

    def _lock_for_key(self, key: tuple[str, ...]) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    async def process(self, event: Event) -> list[Reply]:
        """Runs an accepted event and returns its replies without queueing them: for tests and tools.

        Its state changes and done mark commit together, as in `run`; nothing is delivered. Adapters
        use `run`, so that the replies are outbox rows committed with the rest.
        """
        async with self._lock_for(event):
            replies, _ = await self._process(event, None)
            return replies

    async def run(self, event: Event, route: dict[str, Any]) -> None:
        """Runs an accepted event and delivers its replies through the outbox, under the conversation's lock.

        The event's state changes, its done mark and its replies (one outbox row with ``route``, the
        adapter's JSON-able note of where they go, given back in `bot.outbox.Delivery.route`) commit in
        one transaction; the row is then delivered at once if the conversation has nothing older
        waiting, else by the outbox loop. A kill at any point loses no reply (docs/outbox.md).
        """
        async with self._lock_for(event):
            _, rows = await self._process(event, route)
            # the sent mark rides on the next event's commit (or the loop's next turn): one commit less
            await self.outbox.deliver_claimed(rows, defer_marks=True)

    async def _process(self, event: Event, route: dict[str, Any] | None) -> tuple[list[Reply], list[OutboxItem]]:
        with bound_event(event.platform, event.event_id):
            event = _encodable(event)
            started = time.perf_counter()
            marks = self.outbox.take_deferred_marks()
            wake: list[bool] = []
            token = _wake_after_commit.set(wake)
            try:
                async with self.store.transaction():
                    await self._write_marks(marks)
                    replies = await self._dispatch(event)
                    rows = await self._commit(event, replies, route)
                if wake:
                    self.on_nudges_changed()
                observe_event(event.platform, event.kind.value, time.perf_counter() - started, "ok", len(replies))
                return replies, rows
            except EventTakenOver:
                return self._taken_over(event, marks)
            except Exception:  # the handlers' writes were rolled back; the event ends with an apology
                log.exception("handler failed for %s %s event %s", event.platform, event.kind, event.event_id)
            except BaseException:  # cancelled: the marks taken were rolled back too, so they wait again
                self.outbox.restore_deferred_marks(marks)
                raise
            finally:
                _wake_after_commit.reset(token)
            try:
                async with self.store.transaction():
                    await self._write_marks(marks)  # rolled back with the handlers' writes: written here
                    user = await self.store.get_user(event.platform, event.user_id)
                    lang = user.lang if user else self.settings.default_language
                    replies = [Reply(self.lib.t("error.internal", lang))]
                    rows = await self._commit(event, replies, route)
            except EventTakenOver:
                return self._taken_over(event, marks)
            except BaseException:
                self.outbox.restore_deferred_marks(marks)
                raise
            observe_event(event.platform, event.kind.value, time.perf_counter() - started, "error", len(replies))
            return replies, rows

    def _taken_over(self, event: Event, marks: list[int]) -> tuple[list[Reply], list[OutboxItem]]:
        """The event went to another instance while this one worked on it: nothing of it was written here."""
        self.outbox.restore_deferred_marks(marks)  # they were rolled back with the event's writes
        log.warning("%s event %s was taken over by another instance (this one held it past the claim "
                    "timeout); its work here was rolled back", event.platform, event.event_id)
        return [], []

    async def _write_marks(self, ids: list[int]) -> None:
        """Inside an event's transaction: the sent marks of rows delivered before it (`Outbox.deliver` with
        ``defer_mark``), so they cost no commit of their own."""
        if ids:
            await self.store.mark_outbox_sent(ids, self.clock())

    async def _commit(self, event: Event, replies: list[Reply], route: dict[str, Any] | None) -> list[OutboxItem]:
        """Inside the event's transaction: its done mark, and its replies as one outbox row (with a route).
        Raises `EventTakenOver` when the event is no longer this instance's (the caller rolls back)."""
        if not await self.store.finish_event(event.platform, event.event_id, owner=self.instance):
            raise EventTakenOver(event.event_id)
        if route is None or not replies:
            return []
        case_id = next((r.case_id for r in replies if r.case_id is not None), None)
        item = new_item(event.platform, event_conversation(event), event.user_id, replies, route=route,
                        case_id=case_id, event_id=event.event_id)
        return await self.store.add_outbox([item], owner=self.instance)

    async def reply(self, platform: str, *, chat_id: str, thread_id: str | None, user_id: str,
                    replies: Sequence[Reply], route: dict[str, Any]) -> None:
        """Replies tied to no stored event (a note about a sticker, a press Parley cannot use) through the
        outbox, like every reply: one event-less row in the conversation of ``chat_id``/``thread_id`` and
        ``user_id``, so it is ordered with that conversation's other replies and a kill cannot lose it.

        ``route`` is the adapter's JSON-able note of where it goes (given back in
        `bot.outbox.Delivery.route`); ``replies`` may be empty when the route alone says what to do
        (answering a pressed button). Delivered at once if the conversation has nothing older waiting,
        else by the outbox loop. Store errors propagate.
        """
        async with self._lock_for_key((platform, chat_id, thread_id or "", user_id)):
            # a sent mark still waiting may be this conversation's last reply: written first, so this row
            # is not stored behind a head that is in fact sent
            await self.outbox.flush_deferred_marks()
            item = new_item(platform, conversation_of(platform, chat_id, thread_id, user_id), user_id,
                            stamp_replies(replies, platform, user_id), route=route)
            rows = await self.store.add_outbox([item], owner=self.instance)
            await self.outbox.deliver_claimed(rows)

    async def submit(self, event: Event, route: dict[str, Any]) -> bool:
        """`accept` then `run`, for adapters with nothing to acknowledge in between; False for a repeat."""
        if not await self.accept(event):
            log.debug("dropping repeated %s event %s", event.platform, event.event_id)
            return False
        await self.run(event, route)
        return True

    async def handle(self, event: Event) -> list[Reply]:
        """`accept` then `process`: the replies to ``event``, or [] for one seen before."""
        if not await self.accept(event):
            log.debug("dropping repeated %s event %s", event.platform, event.event_id)
            return []
        return await self.process(event)

    async def unfinished(self, platform: str) -> list[Event]:
        """Events accepted but never finished by a process that died, now claimed by this one: the adapter
        replays them at start. With `takeover_at_start` (one process per database) every unfinished event
        of ``platform`` not claimed by this instance; else only those whose claim is older than the claim
        timeout, since a live instance may be processing the others (they are taken over later, by
        `take_over_events`, if that instance dies)."""
        now = utcnow()  # the store's clock for claims, not the handlers' (tests move that one by hand)
        cut = now + timedelta(microseconds=1) if self.takeover_at_start \
            else now - timedelta(seconds=self.outbox.stale_after)
        return await self._events_of(await self.store.claim_events(owner=self.instance, claimed_before=cut,
                                                                   platform=platform))

    async def replay_unfinished(self, platform: str, replay: Replay) -> None:
        """At an adapter's start: registers ``replay`` (how the adapter runs a replayed event, e.g. spawning
        its work) for `take_over_events`, then replays what `unfinished` claims now, oldest first."""
        self.replays[platform] = replay
        for event in await self.unfinished(platform):
            await replay(event)

    async def take_over_events(self) -> int:
        """Called by the outbox loop every ``stale_after / 4`` seconds: claims events whose claim is older
        than the claim timeout (their instance died after accepting them) on the platforms with a replay
        hook, and replays them; returns how many. One indexed statement; none while no hook is registered."""
        if not self.replays:
            return 0
        cut = utcnow() - timedelta(seconds=self.outbox.stale_after)
        claimed = await self.store.claim_events(owner=self.instance, claimed_before=cut, platform=list(self.replays),
                                                limit=TAKEOVER_BATCH)
        if claimed:
            log.warning("%d event(s) accepted by an instance that stopped; processing them here", len(claimed))
        events = await self._events_of(claimed)
        for event in events:
            replay = self.replays.get(event.platform)
            if replay is not None:
                await replay(event)
        return len(events)

    async def _events_of(self, claimed: Sequence[PendingEvent]) -> list[Event]:
        """The stored events as `Event`s; an unreadable one is finished (dropped) with a warning."""
        events = []
        for pending in claimed:
            data: dict[str, Any] = dict(pending.payload)
            try:
                data["kind"] = EventKind(data["kind"])
                events.append(Event(**data))
            except (KeyError, TypeError, ValueError):
                log.warning("dropping an unreadable stored %s event", pending.platform)
                await self.store.finish_event(pending.platform, pending.event_id, owner=self.instance)
        return events

    async def _dispatch(self, event: Event) -> list[Reply]:
        """Runs the handlers; every button of the replies then belongs to the acting user.

        A press of a button stamped for somebody else gets one private note and reaches no handler, so
        nothing is stored, changed or closed (see `bot.owner`). Ids without a tag (sent before tags
        existed) go on to the handlers, whose own checks still apply.
        """
        if event.kind is EventKind.BUTTON and event.button:
            bare, tag = unstamp(event.button)
            if tag is not None:
                if tag != owner_tag(event.platform, event.user_id):
                    return [Reply(self.lib.t("button.not_yours", await self._lang_of(event)), private=True)]
                event = dataclasses.replace(event, button=bare)
        user = await self.user_for(event)
        return stamp_replies(await self.dispatch(event, self.context_for(user)), event.platform, event.user_id)

    async def _lang_of(self, event: Event) -> str:
        """The acting user's language without storing a user they do not have yet."""
        return await self.language_for(event.platform, event.user_id, event.language_hint)

    async def user_for(self, event: Event) -> User:
        """The stored user, created on first contact with the platform's language hint if it is ours."""
        user = await self.store.get_user(event.platform, event.user_id)
        if user is None:
            hint = (event.language_hint or "").split("-")[0].lower()
            user = User(platform=event.platform, user_id=event.user_id,
                        lang=hint if hint in LANGUAGES else self.settings.default_language,
                        tz=self.settings.default_timezone)
            await self.store.save_user(user)
        elif user.blocked:
            user.blocked = False  # they wrote to us, so they unblocked the bot: nudges may flow again
            await self.store.save_user(user)
        return user

    async def set_language(self, platform: str, user_id: str, lang: str) -> None:
        """Stores ``lang`` as the user's language, creating the user (default time zone) if needed."""
        user = await self.store.get_user(platform, user_id)
        if user is None:
            user = User(platform=platform, user_id=user_id, lang=lang, tz=self.settings.default_timezone)
        user.lang = lang
        await self.store.save_user(user)

    # -- what adapters may ask (they never touch the store themselves) --------------------------

    async def language_for(self, platform: str, user_id: str, hint: str | None = None) -> str:
        """The user's language: stored, else the platform's ``hint`` ("ru-RU") if it is ours, else the default.

        Stores nothing, so asking about somebody Parley has not met creates no user.
        """
        user = await self.store.get_user(platform, user_id)
        if user is not None:
            return user.lang
        code = (hint or "").split("-")[0].lower()
        return code if code in LANGUAGES else self.settings.default_language

    async def knows_user(self, platform: str, user_id: str) -> bool:
        """True when the user is stored (they wrote to Parley before)."""
        return await self.store.get_user(platform, user_id) is not None

    async def set_blocked(self, platform: str, user_id: str, blocked: bool) -> None:
        """Records that a known user blocked (or unblocked) the bot, so nudges stop (or may flow); an
        unknown user is not created."""
        user = await self.store.get_user(platform, user_id)
        if user is not None:
            user.blocked = blocked
            await self.store.save_user(user)

    async def is_case_thread(self, platform: str, chat_id: str, thread_id: str, user_id: str) -> bool:
        """True when ``thread_id`` in ``chat_id`` is the thread of an open case of ``user_id``."""
        return await self.store.find_open_case(platform, chat_id, thread_id, user_id) is not None

    async def case_thread(self, platform: str, case_id: int) -> tuple[str, str] | None:
        """``(chat_id, thread_id)`` of a case's thread on ``platform``; None when it has none (yet)."""
        case = await self.store.get_case(case_id)
        if case is not None and case.thread_id and case.platform == platform:
            return case.chat_id, case.thread_id
        return None

    async def home(self, platform: str, user_id: str) -> Home:
        """The user's home page, its buttons stamped for them; a user Parley has not met is not stored.

        Raises:
            RuntimeError: the core was built without a home builder.
        """
        if self._home is None:
            raise RuntimeError("this Core has no home page builder")
        user = await self.store.get_user(platform, user_id) or User(
            platform=platform, user_id=user_id, lang=self.settings.default_language, tz=self.settings.default_timezone)
        home = await self._home(self.context_for(user))
        return dataclasses.replace(
            home, choices=stamp_choices(home.choices, platform, user_id),
            cases=[dataclasses.replace(c, choices=stamp_choices(c.choices, platform, user_id)) for c in home.cases])

    async def try_lock(self, name: str, *, shared: bool = False) -> bool:
        """Takes a named lock in the shared database (`Store.try_lock`): exclusive for something only one
        instance may do, ``shared`` for what many may do while no exclusive holder runs; False when
        another instance keeps it."""
        return await self.store.try_lock(name, shared=shared)

    async def unlock(self, name: str) -> None:
        """Gives back a lock taken with `try_lock`."""
        await self.store.unlock(name)

    # -- outbound ---------------------------------------------------------------------------

    async def anchor_case(self, case_id: int, thread_id: str) -> None:
        """The adapter posted a case's first message and that message is now the case's thread."""
        case = await self.store.get_case(case_id)
        if case is not None and case.thread_id != thread_id:
            case.thread_id = thread_id
            await self.store.save_case(case, log=("thread", {"thread": thread_id}))

    async def send(self, target: Target, replies: Sequence[Reply], *, case_id: int | None = None,
                   nudge_id: int | None = None) -> None:
        """Unprompted replies (a nudge) through the outbox, their buttons stamped for ``target.user_id``.

        The row (carrying ``nudge_id``) is committed, then delivered at once and marked sent, which marks
        the nudge sent in the same commit; if the conversation has an older row waiting, the outbox loop
        delivers it after that one and this returns at once. Raises `bot.events.DeliveryError` when no
        adapter runs for the platform or the immediate delivery failed; the row is then failed for good
        and the caller (the scheduler, with its own retry rules) decides what happens to the nudge.
        """
        if target.platform not in self.adapters:
            raise DeliveryError(f"no {target.platform} adapter is running")
        # unprompted messages (nudges) belong to the person they are for, like every reply
        stamped = stamp_replies(replies, target.platform, target.user_id)
        # each unprompted message is its own conversation: it waits neither for replies nor for other
        # nudges (a thousand due at once go out in parallel); a retry of a nudge is a new row of its own
        conversation = conversation_of(target.platform, target.chat_id, target.thread_id, target.user_id)
        conversation += f"|nudge {nudge_id}" if nudge_id is not None else f"|unprompted {uuid.uuid4().hex}"
        item = new_item(target.platform, conversation, target.user_id, stamped, target=target, case_id=case_id,
                        nudge_id=nudge_id)
        [row] = await self.store.add_outbox([item], owner=self.instance)
        if row.status != "claimed":
            self.outbox.wake()
            return
        try:
            await self.outbox.send(row)
        except BaseException as exc:
            count_delivery(row.platform, "failed")  # the scheduler retries the nudge with a new row
            await asyncio.shield(self.store.release_outbox(row.id, error=str(exc) or type(exc).__name__,
                                                           retry_at=None))
            raise
        count_delivery(row.platform, "sent")
        try:
            await self.outbox.mark_sent(row.id)
        except Exception:  # sent: nothing may put it back to pending now, or it would go out twice
            log.exception("outbox row %s was sent but could not be marked; it stays claimed and is delivered "
                          "again (maybe sent) once the claim is stale", row.id)

    async def _repeat_note(self, platform: str, user_id: str) -> str:
        """The "this may repeat" line for a re-sent copy, in the user's language."""
        return self.lib.t("outbox.may_repeat", await self.language_for(platform, user_id))
