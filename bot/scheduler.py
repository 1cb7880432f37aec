"""Delivers due nudges. The nudges table is the truth; this is only the clock that reads it.

Reminder bots lose or double reminders on restart when the schedule lives in memory (PTB's JobQueue),
so nothing here is remembered between passes except "when is the next row due". One pass:

1. claim due rows atomically (``pending -> claimed``, in batches of ``batch``), and read the batch's
   cases and owners in one query each;
2. per nudge, concurrently under a semaphore: skip a closed case (``cancelled``), a user who blocked
   the bot (``failed``), and move a nudge that falls in the owner's quiet hours or pause back to
   ``pending`` at the first allowed moment (same row, attempt given back);
3. render it and hand it to `Core.send`: one outbox row carrying the nudge, delivered at once by the
   case's platform adapter and marked sent, which marks the nudge sent in the same commit (group
   commit: deliveries that finish while one mark commits share the next);
4. a transient `DeliveryError` (or any other exception) goes back to ``pending`` with exponential
   backoff, at least the platform's ``retry_after``; after ``max_attempts`` the row is ``failed``
   with its last error, visible in /cases and the case log, never deleted. A permanent error (the
   user blocked the bot) fails the row, marks the user blocked and cancels the user's other nudges.
   The failed attempt's outbox row is failed too; a retry makes a new row.

Crash before the outbox row committed (while rendering): the nudge stays ``claimed`` and, once the
claim is older than ``stale_after``, is made ``pending`` again and delivered with ``late=True``.
Crash after it: the row is the outbox's (docs/outbox.md): taken back with ``maybe_sent`` and delivered
again, where Slack first looks for it by its metadata and Telegram says the copy may repeat; the nudge
is not rendered again (`Store.reclaim_stale` skips a nudge with a live row). Between passes this
process holds no claims, so only a dead process's claims can be that old. With SQLite (one process per
database) the claims found at start are taken back at once (``takeover_at_start``). Several instances
may share a PostgreSQL database: claims skip each other's rows (``SKIP LOCKED``), and a dead
instance's claims, of nudges and of outbox rows, are taken over after ``stale_after``
(``PARLEY_CLAIM_TIMEOUT``, which must stay above ``send_timeout``), never at start, when they may be
a live instance's.

A retry moves the row's ``due_at`` (the store's `release`), so ``late`` describes the last scheduled
time, not the original one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.clock import next_allowed
from bot.events import DeliveryError, Reply, Target
from bot.failure_log import StreakLog
from bot.metrics import count_nudge
from bot.store import Case, Nudge, User

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)

Render = Callable[["Core", Nudge, bool], Awaitable[tuple[Target, list[Reply]] | None]]

#: A nudge delivered this long after its due time is "late" and its text says so.
LATE_AFTER = 60.0
#: A rate limit (an error with ``retry_after``) is the platform asking us to wait, not a failure: it
#: may be retried up to this many attempts before the nudge fails.
RATE_LIMITED_ATTEMPTS = 20
#: Claim rounds in one pass, so a pass always ends even if rows keep falling due.
MAX_ROUNDS = 50


class Scheduler:
    """Sends due nudges through ``core.send``; see the module docstring for the rules."""

    def __init__(self, core: Core, render: Render, *,
                 clock: Callable[[], datetime] | None = None, batch: int = 500, max_attempts: int = 5,
                 base_backoff: float = 5.0, stale_after: float = 120.0, concurrency: int = 100,
                 max_sleep: float = 30.0, max_backoff: float = 3600.0, send_timeout: float = 60.0,
                 late_after: float = LATE_AFTER, takeover_at_start: bool = False) -> None:
        self.core = core
        self.render = render
        self.clock: Callable[[], datetime] = clock or core.clock
        self.batch = batch
        self.max_attempts = max_attempts
        self.base_backoff = base_backoff
        self.stale_after = stale_after
        self.max_sleep = max_sleep
        self.max_backoff = max_backoff
        self.send_timeout = send_timeout
        self.late_after = late_after
        #: One process per database (SQLite): claims found at start belong to a dead process and are taken
        #: back at once, not after ``stale_after``.
        self.takeover_at_start = takeover_at_start
        self._semaphore = asyncio.Semaphore(concurrency)
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._last_reclaim: datetime | None = None
        #: When the loop last showed it is alive (a pass started or claimed a batch): the clock's time,
        #: and `time.monotonic` for `healthy`.
        self.last_tick: datetime | None = None
        self._last_tick_monotonic: float | None = None
        self._failures = StreakLog(log, "a scheduler pass")

    # -- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Gives back the claims of a process that died, then runs the loop as a task."""
        if self._task is not None:
            return
        await self._reclaim(takeover=self.takeover_at_start)
        self.core.on_nudges_changed = self.wake
        self._stopping = False
        self._task = asyncio.create_task(self._loop(), name="parley-scheduler")

    async def stop(self) -> None:
        """Lets the current pass finish (so no claim is left behind), then ends the loop."""
        self._stopping = True
        self._wakeup.set()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=self.send_timeout + 5)
        except TimeoutError:
            log.warning("the scheduler pass did not finish in time; its claims are reclaimed at next start")
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def wake(self) -> None:
        """Nudges were added or moved: recompute the sleep now instead of at the next timeout."""
        self._wakeup.set()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def healthy(self) -> bool:
        """Running, and it ticked recently: within two sleeps plus one send (a stuck pass is not healthy)."""
        if not self.running or self._last_tick_monotonic is None:
            return False
        return time.monotonic() - self._last_tick_monotonic < 2 * self.max_sleep + self.send_timeout + 5

    def _tick(self) -> None:
        self.last_tick = self.clock()
        self._last_tick_monotonic = time.monotonic()

    async def _loop(self) -> None:
        while not self._stopping:
            self._wakeup.clear()
            self._tick()
            try:
                await self._reclaim(periodic=True)
                await self.run_once()
                delay = await self._delay()
                self._failures.succeeded()
            except Exception as exc:
                self._failures.failed(exc)
                delay = 1.0
            if self._stopping:
                break
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout=delay)
            except TimeoutError:
                pass

    async def _delay(self) -> float:
        """Seconds until the next due row, capped so a changed clock or a missed wake is noticed."""
        due = await self.core.store.next_due_at()
        if due is None:
            return self.max_sleep
        seconds = (due - self.clock()).total_seconds()
        # asyncio may fire a timer a hair early; the extra 5 ms saves an empty pass.
        return min(max(seconds + 0.005, 0.005), self.max_sleep)

    async def _reclaim(self, periodic: bool = False, takeover: bool = False) -> None:
        now = self.clock()
        if periodic and self._last_reclaim is not None and \
                (now - self._last_reclaim).total_seconds() < self.stale_after / 2:
            return
        self._last_reclaim = now
        before = now + timedelta(microseconds=1) if takeover else now - timedelta(seconds=self.stale_after)
        count = await self.core.store.reclaim_stale(before)
        if count:
            log.warning("%d nudge(s) were claimed by a process that stopped; sending them now, marked late", count)

    # -- one pass ---------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Claims every due nudge and delivers it; returns how many were sent."""
        store = self.core.store
        sent = 0
        users: dict[tuple[str, str], User | None] = {}
        for _ in range(MAX_ROUNDS):
            claimed = await store.claim_due(self.clock(), self.batch, owner=self.core.instance)
            self._tick()
            if not claimed:
                break
            # One query for the batch's cases and one for their owners, not one each per nudge.
            cases = await store.get_cases(n.case_id for n in claimed)
            wanted = {(c.platform, c.user_id) for c in cases.values()} - users.keys()
            found = await store.get_users(wanted)
            users.update((key, found.get(key)) for key in wanted)
            results = await asyncio.gather(*(self._guarded(n, cases.get(n.case_id), users) for n in claimed))
            sent += sum(results)
            if len(claimed) < self.batch:
                break
        return sent

    async def _guarded(self, nudge: Nudge, case: Case | None, users: dict[tuple[str, str], User | None]) -> bool:
        """One delivery; whatever goes wrong before the send, the row does not stay claimed."""
        async with self._semaphore:
            try:
                return await self._deliver(nudge, case, users)
            except Exception as exc:
                log.exception("delivering nudge %s failed", nudge.id)
                try:
                    await self._retry(nudge, f"internal error: {exc!r}", None)
                except Exception:
                    log.exception("nudge %s stays claimed; it is reclaimed later", nudge.id)
                return False

    async def _deliver(self, nudge: Nudge, case: Case | None, users: dict[tuple[str, str], User | None]) -> bool:
        store = self.core.store
        now = self.clock()
        if case is None or not case.is_open:
            await store.set_nudge(nudge.id, status="cancelled")
            count_nudge("cancelled")
            return False
        user = users.get((case.platform, case.user_id))
        if user is not None:
            if user.blocked:
                await store.release(nudge.id, error="the user has blocked the bot", retry_at=None)
                count_nudge("failed")
                return False
            allowed = next_allowed(now, user.tz, user.quiet_start, user.quiet_end, user.paused_until)
            if allowed > now:
                paused = user.paused_until is not None and now < user.paused_until
                await store.defer_nudge(nudge.id, allowed, reason="paused" if paused else "quiet hours")
                count_nudge("deferred")
                return False

        late = (now - nudge.due_at).total_seconds() > self.late_after
        rendered = await self.render(self.core, nudge, late)
        if rendered is None:
            await store.set_nudge(nudge.id, status="cancelled")
            count_nudge("cancelled")
            return False
        target, replies = rendered
        try:
            await asyncio.wait_for(self.core.send(target, replies, case_id=case.id, nudge_id=nudge.id),
                                   timeout=self.send_timeout)
        except DeliveryError as exc:
            if exc.permanent:
                await self._blocked(nudge, case, str(exc), users)
            else:
                await self._retry(nudge, str(exc) or "delivery failed", exc.retry_after)
            return False
        except TimeoutError:
            await self._retry(nudge, f"no answer from {target.platform} in {self.send_timeout:g} s", None)
            return False
        except Exception as exc:  # an adapter bug or a network error it did not wrap: still retried
            log.warning("sending nudge %s raised", nudge.id, exc_info=True)
            await self._retry(nudge, f"{type(exc).__name__}: {exc}", None)
            return False
        # Sent (or queued behind an older row of its conversation): its outbox row marks it sent.
        count_nudge("sent_late" if late else "sent")
        return True

    async def _retry(self, nudge: Nudge, error: str, retry_after: float | None) -> None:
        """Back to pending later (exponential backoff, at least ``retry_after``), or failed for good."""
        limit = max(RATE_LIMITED_ATTEMPTS, self.max_attempts) if retry_after is not None else self.max_attempts
        if nudge.attempts >= limit:
            log.warning("nudge %s failed after %d attempts: %s", nudge.id, nudge.attempts, error)
            await self.core.store.release(nudge.id, error=error, retry_at=None)
            count_nudge("failed")
            return
        delay = min(self.base_backoff * 2 ** max(nudge.attempts - 1, 0), self.max_backoff)
        delay = max(delay, retry_after or 0.0)
        log.info("nudge %s: %s; retrying in %.0f s", nudge.id, error, delay)
        count_nudge("retried")
        await self.core.store.release(nudge.id, error=error, retry_at=self.clock() + timedelta(seconds=delay))

    async def _blocked(self, nudge: Nudge, case: Case, error: str,
                       users: dict[tuple[str, str], User | None]) -> None:
        """The user blocked the bot: this nudge fails, the user is marked, their other nudges stop."""
        store = self.core.store
        await store.release(nudge.id, error=f"permanent: {error}", retry_at=None)
        count_nudge("failed")
        user = await store.get_user(case.platform, case.user_id)
        if user is None:  # forgotten (/forget) while the nudge was being sent: nothing to mark, no row to make
            log.warning("%s: a nudge could not be delivered (%s); its user is gone", case.platform, error)
            return
        user.blocked = True
        await store.save_user(user)
        users[(case.platform, case.user_id)] = user
        cancelled = await store.cancel_user_nudges(case.platform, case.user_id)
        await store.log(case.id, "user-blocked", {"nudge": nudge.id, "cancelled": cancelled, "error": error[:200]})
        log.warning("%s user %s blocked the bot; %d other nudge(s) cancelled", case.platform, case.user_id, cancelled)
