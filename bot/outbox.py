"""Delivery through the outbox: the only way replies and nudges leave Parley.

An event's replies (and a nudge's message) are stored as one outbox row in the same transaction as
what produced them (`bot.core.Core.run`, `bot.core.Core.send`). The row is then delivered by the
adapter of its platform (`Delivery`) and marked sent. docs/outbox.md has the whole design; in short:

- The process that wrote a row delivers it right after the commit (the row was stored already claimed
  by this instance when its conversation had nothing older waiting), so a reply costs no extra wait.
- `Outbox` runs a loop for everything else: rows whose conversation was busy, retries after a
  transient failure (backoff), and rows a dead process had claimed (`reclaim_stale_outbox`: they come
  back with ``maybe_sent``, because the platform may have accepted them before the kill).
- ``maybe_sent`` is where a duplicate can come from. An adapter that can look up what it already sent
  (Slack: message metadata) checks before sending again; one that cannot (Telegram) sends it again
  with ``Delivery.repeat_note`` on top, so a rare double is recognisable.

Sent marks are group-committed: deliveries that finish while one mark commits share the next one.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.events import Choice, DeliveryError, Event, Reply, Target
from bot.failure_log import StreakLog
from bot.metrics import count_delivery
from bot.store import NewOutboxItem, OutboxItem, Store

log = logging.getLogger(__name__)

#: A transient failure is retried this many times (with backoff) before the row fails for good.
MAX_ATTEMPTS = 8
#: Platform rate limits are the platform asking us to wait, not a failure: more attempts for them.
RATE_LIMITED_ATTEMPTS = 20


def new_instance_id() -> str:
    """An id for this process's claims (outbox rows, nudges): random, so a restart is a new instance."""
    return uuid.uuid4().hex[:16]


def conversation_of(platform: str, chat_id: str, thread_id: str | None, user_id: str) -> str:
    """The outbox ordering key: one per chat, thread and user, like `bot.events.Event.conversation_key`."""
    return "|".join((platform, chat_id, thread_id or "", user_id))


def event_conversation(event: Event) -> str:
    """The ordering key of the replies to ``event``."""
    return conversation_of(event.platform, event.chat_id, event.thread_id, event.user_id)


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """A `Reply` as JSON-able data (`reply_from_json` reads it back)."""
    # by hand: dataclasses.asdict deep-copies recursively and cost more than the rest of the row
    return {"text": reply.text, "choices": [{"id": c.id, "label": c.label} for c in reply.choices],
            "expects_text": reply.expects_text, "private": reply.private, "close_origin": reply.close_origin,
            "case_id": reply.case_id, "anchor": reply.anchor, "mention_user": reply.mention_user}


def reply_from_json(data: Mapping[str, Any]) -> Reply:
    """The `Reply` that `reply_to_json` wrote. Raises KeyError/TypeError/ValueError for damaged data."""
    fields = dict(data)
    fields["choices"] = [Choice(id=str(c["id"]), label=str(c["label"])) for c in fields.get("choices", [])]
    return Reply(**fields)


def payload_for(replies: Sequence[Reply], *, route: Mapping[str, Any] | None = None,
                target: Target | None = None) -> dict[str, Any]:
    """The outbox payload: the replies, and either the adapter's ``route`` (where the replies to an event
    go, adapter-defined and JSON-able) or the ``target`` of an unprompted message."""
    payload: dict[str, Any] = {"replies": [reply_to_json(r) for r in replies]}
    if route is not None:
        payload["route"] = dict(route)
    if target is not None:
        payload["target"] = dataclasses.asdict(target)
    return payload


@dataclass(frozen=True, slots=True)
class Delivery:
    """One outbox row as an adapter delivers it.

    ``route``: what the adapter stored about where an event's replies go (empty for a nudge);
    ``target``: where an unprompted message (a nudge) goes, None for replies to an event.
    ``maybe_sent``: an earlier claim of this row expired, so the platform may already have it: look it up
    where the platform allows, otherwise put ``repeat_note`` (the user's language) on the first message.
    """

    outbox_id: int
    platform: str
    user_id: str
    replies: list[Reply]
    route: dict[str, Any] = field(default_factory=dict)
    target: Target | None = None
    maybe_sent: bool = False
    repeat_note: str = ""
    created_at: datetime | None = None


def delivery_from(item: OutboxItem, repeat_note: str = "") -> Delivery:
    """The `Delivery` of a stored row. Raises KeyError/TypeError/ValueError for a damaged payload."""
    payload = item.payload
    target = payload.get("target")
    return Delivery(outbox_id=item.id, platform=item.platform, user_id=item.user_id,
                    replies=[reply_from_json(r) for r in payload.get("replies", [])],
                    route=dict(payload.get("route") or {}), target=Target(**target) if target else None,
                    maybe_sent=item.maybe_sent, repeat_note=repeat_note, created_at=item.created_at)


class Deliverer(Protocol):
    """What the outbox needs of an adapter (`bot.core.Adapter` has it)."""

    async def deliver(self, delivery: Delivery) -> None: ...


class RepeatNote(Protocol):
    """The "this may repeat" line in a user's language: ``(platform, user_id) -> text``."""

    async def __call__(self, platform: str, user_id: str) -> str: ...


class Outbox:
    """Delivers outbox rows through the registered adapters; see the module docstring.

    ``adapters`` is the core's registry (platform -> adapter), read at each delivery. ``owner`` is this
    instance's id. ``takeover_at_start``: claims left in the database when this instance starts belong to
    a dead process (one process per SQLite database), so they are taken back at once instead of after
    ``stale_after`` seconds.
    """

    def __init__(self, store: Store, adapters: Mapping[str, Deliverer], *, owner: str,
                 clock: Callable[[], datetime], repeat_note: RepeatNote, stale_after: float = 120.0,
                 base_backoff: float = 2.0, max_backoff: float = 600.0, max_sleep: float = 5.0,
                 send_timeout: float = 60.0, retention: timedelta | None = None, prune_every: float = 3600.0,
                 prune_batch: int = 1000) -> None:
        self.store = store
        self.adapters = adapters
        self.owner = owner
        self.clock = clock
        self.repeat_note = repeat_note
        self.stale_after = stale_after
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.max_sleep = max_sleep
        self.send_timeout = send_timeout
        #: Finished rows older than this are swept (`Store.prune`) every ``prune_every`` seconds; None: never.
        self.retention = retention
        self.prune_every = prune_every
        self.prune_batch = prune_batch
        self._last_prune: datetime | None = None
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._marks: list[tuple[int, asyncio.Future[bool]]] = []
        self._failures = StreakLog(log, "an outbox pass")
        self._marker: asyncio.Task[None] | None = None
        self._marking_inline = False
        #: Delivered rows whose sent marks ride on the next commit (`deliver` with ``defer_mark``).
        self._deferred: list[int] = []
        self._flush_handle: asyncio.Handle | None = None
        self._flushes: set[asyncio.Task[None]] = set()
        self._last_reclaim: datetime | None = None
        #: Takes over events a dead instance accepted and never finished (`bot.core.Core.take_over_events`),
        #: called every ``stale_after / 4`` seconds; returns how many. None: not asked.
        self.event_takeover: Callable[[], Awaitable[int]] | None = None
        self._last_event_takeover: float | None = None
        #: Conversations with a row waiting behind one this instance delivers (see `_unblock`).
        self._blocked: set[str] = set()

    # -- life cycle -------------------------------------------------------------------------

    async def recover(self, *, takeover: bool = True) -> int:
        """Before the adapters start: takes back a dead process's claims, all of them with ``takeover`` (one
        process per database), else those older than ``stale_after``. They come back ``maybe_sent``."""
        now = self.clock()
        before = now + timedelta(microseconds=1) if takeover else now - timedelta(seconds=self.stale_after)
        count = await self.store.reclaim_stale_outbox(before)
        self._last_reclaim = now
        if count:
            log.warning("%d outbox row(s) were being delivered when a process stopped; delivering them again", count)
        return count

    async def start(self) -> None:
        """Runs the delivery loop (after `recover` and the adapters' start)."""
        if self._task is not None:
            return
        self._stopping = False
        self._task = asyncio.create_task(self._loop(), name="parley-outbox")

    async def stop(self) -> None:
        """Ends the loop after the current round (whose claims are marked or released)."""
        self._stopping = True
        self._wakeup.set()
        await self.flush_deferred_marks()
        if self._flushes:
            await asyncio.gather(*self._flushes, return_exceptions=True)
        task, self._task = self._task, None
        if task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=self.send_timeout + 5)
            except TimeoutError:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    def wake(self) -> None:
        """Rows were added that the loop should deliver (a busy conversation, a replay)."""
        self._wakeup.set()

    async def _loop(self) -> None:
        while not self._stopping:
            self._wakeup.clear()
            try:
                await self._reclaim_periodically()
                await self._take_over_events_periodically()
                await self._prune_periodically()
                delivered = await self.run_once()
                delay = 0.0 if delivered else min(await self._delay(), self._until_event_takeover())
                self._failures.succeeded()
            except Exception as exc:
                self._failures.failed(exc)
                delay = 1.0
            if self._stopping:
                break
            if delay > 0:
                try:
                    await asyncio.wait_for(self._wakeup.wait(), timeout=delay)
                except TimeoutError:
                    pass

    async def _delay(self) -> float:
        """Seconds until something can be claimed: a row behind its conversation's claimed head waits for
        that claim, so its chance is the claim's expiry (``stale_after``), not its own due time. A head this
        instance delivers wakes the loop when it is sent (`deliver`); another live instance's head is
        noticed at the next round, at most ``max_sleep`` later."""
        due = await self.store.next_outbox_at(stale_after=self.stale_after, platform=self._platforms())
        if due is None:
            return self.max_sleep
        return min(max((due - self.clock()).total_seconds() + 0.005, 0.005), self.max_sleep)

    async def _reclaim_periodically(self) -> None:
        now = self.clock()
        if self._last_reclaim is not None and (now - self._last_reclaim).total_seconds() < self.stale_after / 2:
            return
        self._last_reclaim = now
        count = await self.store.reclaim_stale_outbox(now - timedelta(seconds=self.stale_after))
        if count:
            log.warning("%d outbox claim(s) expired; delivering them again", count)

    async def _take_over_events_periodically(self) -> None:
        """One question to the store per ``stale_after / 4`` seconds at most, the first that long after the
        start (the adapters' start replayed what could be taken then): a dead instance's events wait at
        most a quarter of the claim timeout past it. Monotonic time: the takeover cut is the store's."""
        now = time.monotonic()
        if self.event_takeover is None:
            return
        if self._last_event_takeover is None:
            self._last_event_takeover = now
        if now - self._last_event_takeover < self.stale_after / 4:
            return
        self._last_event_takeover = now
        await self.event_takeover()

    def _until_event_takeover(self) -> float:
        """Seconds until `_take_over_events_periodically` asks again (the loop wakes for it)."""
        if self.event_takeover is None or self._last_event_takeover is None:
            return self.max_sleep
        return max(self._last_event_takeover + self.stale_after / 4 - time.monotonic(), 0.005)

    async def _prune_periodically(self) -> None:
        """The retention sweep: at the first round, then every ``prune_every`` seconds, one short batch
        (`Store.prune`) after another until nothing older than ``retention`` is left, yielding in between
        so deliveries are not held up."""
        now = self.clock()
        if self.retention is None or (self._last_prune is not None
                                      and (now - self._last_prune).total_seconds() < self.prune_every):
            return
        self._last_prune = now
        total = 0
        while not self._stopping:
            deleted = await self.store.prune(now - self.retention, batch=self.prune_batch)
            total += deleted
            if not deleted:
                break
            await asyncio.sleep(0)
        if total:
            log.info("retention sweep: %d row(s) older than %g day(s) deleted", total,
                     self.retention.total_seconds() / 86400)

    async def run_once(self, limit: int = 200) -> int:
        """Claims what is due (one row per conversation) and delivers it; returns how many were claimed."""
        claimed = await self.store.claim_outbox(self.clock(), owner=self.owner, limit=limit,
                                                platform=self._platforms())
        if claimed:
            await asyncio.gather(*(self.deliver(item) for item in claimed))
        return len(claimed)

    def _platforms(self) -> list[str]:
        """The platforms this instance delivers (a name no row has when none runs yet)."""
        return list(self.adapters) or ["-"]

    # -- delivering one row -------------------------------------------------------------------

    async def deliver_claimed(self, items: Sequence[OutboxItem], *, defer_marks: bool = False) -> None:
        """Delivers the rows of ``items`` this instance claimed, in order; wakes the loop for the others.

        ``defer_marks``: the sent marks may ride on the next commit (see `deliver`).
        """
        waiting = False
        for item in items:
            if item.status == "claimed" and item.claimed_by == self.owner:
                await self.deliver(item, defer_mark=defer_marks)
            else:
                waiting = True
                self._blocked.add(item.conversation)  # wake the loop once the row ahead of it is done
        if waiting:
            self.wake()

    async def deliver(self, item: OutboxItem, *, defer_mark: bool = False) -> bool:
        """Delivers a claimed row and marks it sent; a failure releases it (retry later, or failed).

        Returns True when it was delivered. Never raises for a delivery problem: the row's status says it.
        With ``defer_mark`` (and no row known to wait behind it) the sent mark is not a commit of its own:
        it rides on the next event's transaction (`take_deferred_marks`), or is written as soon as the
        event loop turns, whichever comes first (docs/outbox.md: the repeat window is that much longer).
        """
        try:
            await self.send(item)
        except DeliveryError as exc:
            await self._release(item, exc)
            return False
        except Exception as exc:  # an adapter bug or a network error it did not wrap: still retried
            log.warning("delivering outbox row %s raised", item.id, exc_info=True)
            await self._release(item, DeliveryError(f"{type(exc).__name__}: {exc}"))
            return False
        count_delivery(item.platform, "sent")
        if defer_mark and not self._stopping and item.conversation not in self._blocked:
            self._defer_mark(item.id)
            return True
        await self.mark_sent(item.id)
        self._unblock(item.conversation)
        return True

    def _defer_mark(self, outbox_id: int) -> None:
        """Queues a delivered row's sent mark for the next commit; the loop's next turn writes what is left."""
        self._deferred.append(outbox_id)
        if self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_soon(self._flush_deferred_soon)

    def take_deferred_marks(self) -> list[int]:
        """The delivered rows whose sent marks wait (see `deliver`), handed to a caller that writes them in
        its transaction (`bot.core.Core`); it gives them back (`restore_deferred_marks`) if that rolls back."""
        taken, self._deferred = self._deferred, []
        return taken

    def restore_deferred_marks(self, ids: Sequence[int]) -> None:
        """Marks taken with `take_deferred_marks` whose transaction rolled back: they wait again."""
        if ids:
            self._deferred[:0] = ids
            if self._flush_handle is None:
                self._flush_handle = asyncio.get_running_loop().call_soon(self._flush_deferred_soon)

    def _flush_deferred_soon(self) -> None:
        self._flush_handle = None
        if self._deferred:
            task = asyncio.create_task(self.flush_deferred_marks())
            self._flushes.add(task)
            task.add_done_callback(self._flushes.discard)

    async def flush_deferred_marks(self) -> None:
        """Writes the sent marks still waiting (one group commit). A failure is logged: the rows stay
        claimed and are delivered again (maybe sent) once their claim is stale, as for any lost mark."""
        ids = self.take_deferred_marks()
        if not ids:
            return
        try:
            await self.store.mark_outbox_sent(ids, self.clock())
        except Exception:
            log.exception("%d delivered outbox row(s) could not be marked sent; they stay claimed", len(ids))
            return
        if self._blocked:  # a row queued behind one of these meanwhile (`bot.core.Core.reply`) can go now
            self.wake()

    def _unblock(self, conversation: str) -> None:
        """The head of ``conversation`` is done: a row known to wait behind it can go now."""
        if conversation in self._blocked:
            self._blocked.discard(conversation)
            self.wake()

    async def send(self, item: OutboxItem) -> None:
        """Hands the row to its platform's adapter; raises `DeliveryError` (or the adapter's exception).

        Does not mark it: the caller does (`mark_sent`), so a caller with its own retry rules (the
        scheduler) can release the row instead.
        """
        adapter = self.adapters.get(item.platform)
        if adapter is None:
            raise DeliveryError(f"no {item.platform} adapter is running")
        note = await self.repeat_note(item.platform, item.user_id) if item.maybe_sent else ""
        try:
            delivery = delivery_from(item, note)
        except (KeyError, TypeError, ValueError) as exc:
            raise DeliveryError(f"unreadable outbox row: {type(exc).__name__}", permanent=True) from None
        try:
            # asyncio.timeout, not wait_for: in Python 3.11 wait_for runs the coroutine as a task of its own
            async with asyncio.timeout(self.send_timeout):
                await adapter.deliver(delivery)
        except TimeoutError:
            raise DeliveryError(f"no answer from {item.platform} in {self.send_timeout:g} s") from None

    async def _release(self, item: OutboxItem, exc: DeliveryError) -> None:
        error = str(exc) or "delivery failed"
        limit = RATE_LIMITED_ATTEMPTS if exc.retry_after is not None else MAX_ATTEMPTS
        if exc.permanent or item.attempts >= limit:
            log.warning("outbox row %s failed for good after %d attempt(s): %s", item.id, item.attempts, error)
            count_delivery(item.platform, "failed")
            await self.store.release_outbox(item.id, error=error, retry_at=None)
            self._unblock(item.conversation)  # a failed row no longer holds its conversation
            return
        delay = min(self.base_backoff * 2 ** max(item.attempts - 1, 0), self.max_backoff)
        delay = max(delay, exc.retry_after or 0.0)
        log.info("outbox row %s: %s; retrying in %.0f s", item.id, error, delay)
        count_delivery(item.platform, "retried")
        await self.store.release_outbox(item.id, error=error, retry_at=self.clock() + timedelta(seconds=delay))
        self.wake()

    async def mark_sent(self, outbox_id: int) -> bool:
        """Marks a delivered row sent, sharing one commit with the others that finish meanwhile.

        Returns False when the row was no longer claimed (its claim expired and it was taken back).
        """
        if not self._writing_marks():
            # nothing in flight: the caller writes its own mark (no task, no future, no loop round);
            # marks that arrive meanwhile queue up and go together once this one has committed
            self._marking_inline = True
            try:
                return outbox_id in await self.store.mark_outbox_sent([outbox_id], self.clock())
            finally:
                self._marking_inline = False
                if self._marks:
                    self._marker = asyncio.create_task(self._write_marks())
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._marks.append((outbox_id, future))
        if not self._writing_marks():
            self._marker = asyncio.create_task(self._write_marks())
        return await future

    def _writing_marks(self) -> bool:
        """True while a sent mark is being written (inline by a caller, or by the marker task)."""
        return self._marking_inline or (self._marker is not None and not self._marker.done())

    async def _write_marks(self) -> None:
        while self._marks:
            group, self._marks = self._marks, []
            try:
                marked = await self.store.mark_outbox_sent([outbox_id for outbox_id, _ in group], self.clock())
            except Exception as exc:
                for _, future in group:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for outbox_id, future in group:
                if not future.done():
                    future.set_result(outbox_id in marked)


def new_item(platform: str, conversation: str, user_id: str, replies: Sequence[Reply], *,
             route: Mapping[str, Any] | None = None, target: Target | None = None, case_id: int | None = None,
             nudge_id: int | None = None, event_id: str | None = None) -> NewOutboxItem:
    """The row for ``replies`` (see `payload_for`)."""
    return NewOutboxItem(platform=platform, conversation=conversation, user_id=user_id,
                         payload=payload_for(replies, route=route, target=target), case_id=case_id,
                         nudge_id=nudge_id, event_id=event_id)
