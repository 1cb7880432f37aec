"""The scheduler against a real SQLite store, a fake adapter and a clock the tests move by hand."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_core
from bot.core import Core
from bot.events import DeliveryError, Reply, Target
from bot.outbox import Delivery
from bot.scheduler import Render, Scheduler
from bot.settings import load_settings
from bot.store import Case, Nudge, SQLiteStore, User
from bot.store.models import utcnow

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 12:00 in Chisinau, 19:00 in Tokyo


class Clock:
    """A clock tests move by hand; ``real=True`` follows the wall clock instead."""

    def __init__(self, start: datetime = T0, real: bool = False) -> None:
        self.now = start
        self.real = real

    def __call__(self) -> datetime:
        return utcnow() if self.real else self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Sent:
    target: Target
    replies: list[Reply]
    at: float


@dataclass
class FakeAdapter:
    """Records what it is asked to send; raises the queued errors first."""

    platform: str = "fake"
    sent: list[Sent] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    fail_always: BaseException | None = None
    calls: int = 0
    concurrent: int = 0
    max_concurrent: int = 0
    delay: float = 0.0

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, target: Target, replies: Sequence[Reply]) -> None:
        self.calls += 1
        self.concurrent += 1
        self.max_concurrent = max(self.max_concurrent, self.concurrent)
        try:
            await asyncio.sleep(self.delay)
            if self.fail_always is not None:
                raise self.fail_always
            if self.errors:
                raise self.errors.pop(0)
            self.sent.append(Sent(target, list(replies), time.monotonic()))
        finally:
            self.concurrent -= 1

    async def deliver(self, delivery: Delivery) -> None:
        """The outbox's call: a nudge's row carries its target."""
        assert delivery.target is not None
        await self.send(delivery.target, delivery.replies)


#: (nudge id, late) for every render call, in order.
Rendered = list[tuple[int, bool]]


def make_render(log: Rendered) -> Render:
    """A render like the walkthrough's: None for a closed case, and it says when it is late."""
    async def render(core: Core, nudge: Nudge, late: bool) -> tuple[Target, list[Reply]] | None:
        log.append((nudge.id, late))
        case = await core.store.get_case(nudge.case_id)
        if case is None or not case.is_open:
            return None
        target = Target(platform=case.platform, chat_id=case.chat_id, user_id=case.user_id,
                        thread_id=case.thread_id)
        text = f"nudge {nudge.id} ({nudge.kind})" + (" — late" if late else "")
        return target, [Reply(text, case_id=case.id)]

    return render


@dataclass
class World:
    store: SQLiteStore
    core: Core
    clock: Clock
    adapter: FakeAdapter
    rendered: Rendered
    path: Path

    def scheduler(self, **options: float) -> Scheduler:
        options.setdefault("base_backoff", 5.0)
        return Scheduler(self.core, make_render(self.rendered), clock=self.clock, **options)  # type: ignore[arg-type]

    async def user(self, user_id: str = "u1", tz: str = "Europe/Chisinau", quiet: tuple[str, str] | None = None,
                   paused_until: datetime | None = None, blocked: bool = False) -> User:
        user = User(platform="fake", user_id=user_id, lang="en", tz=tz,
                    quiet_start=quiet[0] if quiet else None, quiet_end=quiet[1] if quiet else None,
                    paused_until=paused_until, blocked=blocked)
        await self.store.save_user(user)
        return user

    async def case(self, user_id: str = "u1") -> Case:
        return await self.store.create_case(platform="fake", chat_id=f"chat-{user_id}", thread_id="t1",
                                            user_id=user_id, lang="en")

    async def nudge(self, case: Case, due_in: float, kind: str = "deliver") -> Nudge:
        return await self.store.add_nudge(case.id, kind, self.clock() + timedelta(seconds=due_in))

    async def status(self, nudge: Nudge) -> Nudge:
        found = await self.store.get_nudge(nudge.id)
        assert found is not None
        return found


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    path = tmp_path / "t.db"
    store = await SQLiteStore.open("sqlite:///" + str(path))
    clock = Clock()
    core = build_core(store, load_settings(), clock=clock)
    adapter = FakeAdapter()
    core.register(adapter)
    yield World(store, core, clock, adapter, [], path)
    await store.close()


async def wait_for(condition: Callable[[], bool], within: float = 3.0) -> None:
    """Polls ``condition`` (real time) while the scheduler's loop runs."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


# -- the basics -----------------------------------------------------------------------------------


async def test_due_nudge_is_sent_once(world: World) -> None:
    await world.user()
    case = await world.case()
    nudge = await world.nudge(case, -1)
    scheduler = world.scheduler()

    assert await scheduler.run_once() == 1
    assert await scheduler.run_once() == 0
    world.clock.advance(3600)
    assert await scheduler.run_once() == 0

    assert len(world.adapter.sent) == 1
    sent = world.adapter.sent[0]
    assert sent.target == Target(platform="fake", chat_id="chat-u1", user_id="u1", thread_id="t1")
    assert sent.replies[0].text == f"nudge {nudge.id} (deliver)"
    row = await world.status(nudge)
    assert row.status == "sent" and row.sent_at == T0 and row.attempts == 1
    assert [e.kind for e in await world.store.case_log(case.id)][-1] == "nudge-sent"


async def test_not_sent_before_due(world: World) -> None:
    await world.user()
    nudge = await world.nudge(await world.case(), 10)
    scheduler = world.scheduler()

    assert await scheduler.run_once() == 0
    world.clock.advance(9.9)
    assert await scheduler.run_once() == 0
    assert (await world.status(nudge)).status == "pending"
    assert world.adapter.calls == 0
    world.clock.advance(0.1)
    assert await scheduler.run_once() == 1
    assert world.rendered == [(nudge.id, False)]


async def test_user_without_a_stored_row_still_gets_the_nudge(world: World) -> None:
    nudge = await world.nudge(await world.case(), 0)
    assert await world.scheduler().run_once() == 1
    assert (await world.status(nudge)).status == "sent"


# -- quiet hours, pause, time zones ---------------------------------------------------------------


async def test_quiet_hours_delay_then_delivery_at_quiet_end(world: World) -> None:
    zone = ZoneInfo("Europe/Chisinau")
    world.clock.now = datetime(2026, 11, 23, 23, 0, tzinfo=zone).astimezone(UTC)
    await world.user(quiet=("22:00", "08:00"))
    nudge = await world.nudge(await world.case(), 0)
    scheduler = world.scheduler()

    assert await scheduler.run_once() == 0
    row = await world.status(nudge)
    quiet_end = datetime(2026, 11, 24, 8, 0, tzinfo=zone).astimezone(UTC)
    assert row.status == "pending" and row.due_at == quiet_end
    assert row.attempts == 0  # waiting for the morning is not a failed attempt
    assert world.adapter.calls == 0 and world.rendered == []

    world.clock.now = quiet_end - timedelta(seconds=1)
    assert await scheduler.run_once() == 0
    world.clock.now = quiet_end
    assert await scheduler.run_once() == 1
    assert world.rendered == [(nudge.id, False)]  # on time: due at the quiet end
    assert "nudge-deferred" in [e.kind for e in await world.store.case_log(row.case_id)]


async def test_time_zone_decides_quiet_hours(world: World) -> None:
    # 14:00 UTC is 23:00 in Tokyo (quiet) and 16:00 in Chisinau (not quiet).
    world.clock.now = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    await world.user("tokyo", tz="Asia/Tokyo", quiet=("22:00", "08:00"))
    await world.user("chisinau", tz="Europe/Chisinau", quiet=("22:00", "08:00"))
    tokyo = await world.nudge(await world.case("tokyo"), 0)
    chisinau = await world.nudge(await world.case("chisinau"), 0)
    scheduler = world.scheduler()

    assert await scheduler.run_once() == 1
    assert [s.target.user_id for s in world.adapter.sent] == ["chisinau"]
    row = await world.status(tokyo)
    assert row.status == "pending"
    assert row.due_at == datetime(2026, 11, 23, 23, 0, tzinfo=UTC)  # 08:00 in Tokyo
    assert (await world.status(chisinau)).status == "sent"


async def test_quiet_end_across_dst(world: World) -> None:
    # New York, Saturday 7 March 2026 23:00 EST; 08:00 on Sunday is already EDT (12:00 UTC).
    world.clock.now = datetime(2026, 3, 8, 4, 0, tzinfo=UTC)
    await world.user(tz="America/New_York", quiet=("22:00", "08:00"))
    nudge = await world.nudge(await world.case(), 0)
    assert await world.scheduler().run_once() == 0
    assert (await world.status(nudge)).due_at == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)


async def test_paused_user_is_nudged_when_the_pause_ends(world: World) -> None:
    until = T0 + timedelta(days=2)
    await world.user(paused_until=until)
    nudge = await world.nudge(await world.case(), 0)
    scheduler = world.scheduler()
    assert await scheduler.run_once() == 0
    assert (await world.status(nudge)).due_at == until
    world.clock.now = until
    assert await scheduler.run_once() == 1


# -- failures -------------------------------------------------------------------------------------


async def test_send_failure_then_retry_with_backoff_then_success(world: World) -> None:
    await world.user()
    case = await world.case()
    nudge = await world.nudge(case, 0)
    world.adapter.errors = [DeliveryError("timeout"), DeliveryError("502 from the API")]
    scheduler = world.scheduler(base_backoff=5.0)

    assert await scheduler.run_once() == 0
    row = await world.status(nudge)
    assert row.status == "pending" and row.attempts == 1 and row.last_error == "timeout"
    assert row.due_at == T0 + timedelta(seconds=5)

    world.clock.advance(4.9)
    assert await scheduler.run_once() == 0
    assert world.adapter.calls == 1
    world.clock.advance(0.1)
    assert await scheduler.run_once() == 0
    row = await world.status(nudge)
    assert row.attempts == 2 and row.due_at == world.clock() + timedelta(seconds=10)  # doubled

    world.clock.advance(10)
    assert await scheduler.run_once() == 1
    row = await world.status(nudge)
    assert row.status == "sent" and row.attempts == 3
    assert len(world.adapter.sent) == 1
    kinds = [e.kind for e in await world.store.case_log(case.id)]
    assert kinds.count("nudge-retry") == 2 and kinds[-1] == "nudge-sent"


async def test_retry_after_is_honoured(world: World) -> None:
    await world.user()
    nudge = await world.nudge(await world.case(), 0)
    world.adapter.errors = [DeliveryError("429 Too Many Requests", retry_after=42)]
    scheduler = world.scheduler()
    assert await scheduler.run_once() == 0
    assert (await world.status(nudge)).due_at == T0 + timedelta(seconds=42)
    world.clock.advance(42)
    assert await scheduler.run_once() == 1


async def test_rate_limits_do_not_use_up_the_ordinary_attempts(world: World) -> None:
    await world.user()
    nudge = await world.nudge(await world.case(), 0)
    world.adapter.errors = [DeliveryError("429", retry_after=1) for _ in range(6)]
    scheduler = world.scheduler(max_attempts=3, base_backoff=0.5, max_backoff=2)
    for _ in range(20):
        if await scheduler.run_once():
            break
        world.clock.advance(2)
    assert (await world.status(nudge)).status == "sent"


async def test_repeated_failure_ends_failed_and_visible(world: World) -> None:
    await world.user()
    case = await world.case()
    nudge = await world.nudge(case, 0)
    world.adapter.fail_always = DeliveryError("chat not reachable")
    scheduler = world.scheduler(max_attempts=3, base_backoff=1.0)

    for _ in range(10):
        await scheduler.run_once()
        world.clock.advance(60)
    row = await world.status(nudge)
    assert row.status == "failed"
    assert row.attempts == 3 and world.adapter.calls == 3
    assert row.last_error == "chat not reachable"
    assert (await world.store.next_nudge(case.id)) == row  # /cases shows it
    assert [e.kind for e in await world.store.case_log(case.id)][-1] == "nudge-failed"


async def test_an_exception_that_is_not_a_delivery_error_is_retried(world: World) -> None:
    await world.user()
    nudge = await world.nudge(await world.case(), 0)
    world.adapter.errors = [ConnectionResetError("peer reset")]
    scheduler = world.scheduler()
    assert await scheduler.run_once() == 0
    row = await world.status(nudge)
    assert row.status == "pending" and "peer reset" in (row.last_error or "")
    world.clock.advance(5)
    assert await scheduler.run_once() == 1


async def test_a_render_bug_does_not_lose_the_nudge(world: World) -> None:
    await world.user()
    nudge = await world.nudge(await world.case(), 0)
    calls = 0

    async def broken_render(core: Core, n: Nudge, late: bool) -> tuple[Target, list[Reply]] | None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise KeyError("nudge.ask.unknown")
        return await make_render(world.rendered)(core, n, late)

    scheduler = Scheduler(world.core, broken_render, clock=world.clock)
    assert await scheduler.run_once() == 0
    assert (await world.status(nudge)).status == "pending"
    world.clock.advance(5)
    assert await scheduler.run_once() == 1


async def test_missing_adapter_is_a_transient_failure(world: World) -> None:
    await world.user()
    nudge = await world.nudge(await world.case(), 0)
    del world.core.adapters["fake"]
    scheduler = world.scheduler()
    assert await scheduler.run_once() == 0
    row = await world.status(nudge)
    assert row.status == "pending" and "no fake adapter" in (row.last_error or "")
    world.core.register(world.adapter)
    world.clock.advance(5)
    assert await scheduler.run_once() == 1


async def test_permanent_failure_blocks_the_user_and_stops_their_nudges(world: World) -> None:
    await world.user("u1")
    await world.user("u2")
    first_case, second_case = await world.case("u1"), await world.case("u1")
    blocked_now = await world.nudge(first_case, 0)
    later = await world.nudge(second_case, 3600)
    other_user = await world.nudge(await world.case("u2"), 3600)
    world.adapter.errors = [DeliveryError("Forbidden: bot was blocked by the user", permanent=True)]
    scheduler = world.scheduler()

    assert await scheduler.run_once() == 0
    row = await world.status(blocked_now)
    assert row.status == "failed" and "blocked" in (row.last_error or "")
    user = await world.store.get_user("fake", "u1")
    assert user is not None and user.blocked
    assert (await world.status(later)).status == "cancelled"
    assert (await world.status(other_user)).status == "pending"

    world.clock.advance(7200)
    assert await scheduler.run_once() == 1  # only u2's
    assert world.adapter.calls == 2
    assert [s.target.user_id for s in world.adapter.sent] == ["u2"]
    assert "user-blocked" in [e.kind for e in await world.store.case_log(first_case.id)]


async def test_blocked_user_is_not_sent_to(world: World) -> None:
    await world.user(blocked=True)
    nudge = await world.nudge(await world.case(), 0)
    assert await world.scheduler().run_once() == 0
    assert world.adapter.calls == 0
    assert (await world.status(nudge)).status == "failed"


# -- cancelled cases ------------------------------------------------------------------------------


async def test_closed_case_is_not_nudged(world: World) -> None:
    await world.user()
    case = await world.case()
    nudge = await world.nudge(case, 0)
    case.status, case.outcome = "closed", "resolved"
    await world.store.save_case(case)
    assert await world.scheduler().run_once() == 0
    assert world.adapter.calls == 0
    assert (await world.status(nudge)).status == "cancelled"


async def test_case_closed_after_the_claim_is_cancelled_not_sent(world: World) -> None:
    await world.user()
    case = await world.case()
    nudge = await world.nudge(case, 0)

    async def render_closing_first(core: Core, n: Nudge, late: bool) -> tuple[Target, list[Reply]] | None:
        # the user closes the case while the scheduler is between its check and the render
        await core.store.cancel_case_nudges(case.id)
        closed = await core.store.get_case(case.id)
        assert closed is not None
        closed.status = "closed"
        await core.store.save_case(closed)
        return await make_render(world.rendered)(core, n, late)

    assert await Scheduler(world.core, render_closing_first, clock=world.clock).run_once() == 0
    assert world.adapter.calls == 0
    assert (await world.status(nudge)).status == "cancelled"


async def test_nudge_cancelled_while_sending_stays_cancelled(world: World) -> None:
    await world.user()
    case = await world.case()
    nudge = await world.nudge(case, 0)

    class CancellingAdapter(FakeAdapter):
        async def send(self, target: Target, replies: Sequence[Reply]) -> None:
            await world.store.cancel_case_nudges(case.id)
            await super().send(target, replies)

    world.core.register(CancellingAdapter())
    await world.scheduler().run_once()
    assert (await world.status(nudge)).status == "cancelled"


# -- restarts -------------------------------------------------------------------------------------


async def test_kill_between_claim_and_mark_is_delivered_once_marked_late(world: World) -> None:
    """A process claimed the row and died (maybe after sending): the next one sends it, marked late."""
    await world.user()
    nudge = await world.nudge(await world.case(), 0)
    # the dead process: claimed, then gone
    claimed = await world.store.claim_due(world.clock(), 10)
    assert [n.id for n in claimed] == [nudge.id]
    dead = world.scheduler()
    del dead

    # restarted within stale_after: the claim might still be alive, so it is left alone for now
    world.clock.advance(30)
    fresh = world.scheduler(stale_after=120)
    await fresh.start()
    try:
        await asyncio.sleep(0.05)
        assert world.adapter.calls == 0
        assert (await world.status(nudge)).status == "claimed"
        # once the claim is older than stale_after, the loop gives it back and sends it
        world.clock.advance(91)
        fresh.wake()
        await wait_for(lambda: len(world.adapter.sent) == 1)
    finally:
        await fresh.stop()
    assert world.rendered == [(nudge.id, True)]
    row = await world.status(nudge)
    assert row.status == "sent" and row.attempts == 2

    again = world.scheduler()
    await again.start()
    await asyncio.sleep(0.05)
    await again.stop()
    assert len(world.adapter.sent) == 1


async def test_stale_claim_is_reclaimed_at_start(world: World) -> None:
    await world.user()
    nudge = await world.nudge(await world.case(), 0)
    await world.store.claim_due(world.clock(), 10)
    world.clock.advance(600)  # the process was down for ten minutes
    scheduler = world.scheduler(stale_after=120)
    await scheduler.start()
    try:
        await wait_for(lambda: len(world.adapter.sent) == 1)
    finally:
        await scheduler.stop()
    assert world.rendered == [(nudge.id, True)]
    assert "late" in world.adapter.sent[0].replies[0].text


async def test_overdue_at_start_is_sent_once_late(world: World) -> None:
    await world.user()
    overdue = await world.nudge(await world.case(), -3600)
    just_due = await world.nudge(await world.case(), -5)
    scheduler = world.scheduler()
    await scheduler.start()
    try:
        await wait_for(lambda: len(world.adapter.sent) == 2)
        await asyncio.sleep(0.05)
    finally:
        await scheduler.stop()
    assert sorted(world.rendered) == [(overdue.id, True), (just_due.id, False)]
    assert await scheduler.run_once() == 0
    assert len(world.adapter.sent) == 2


# -- the loop's timing ----------------------------------------------------------------------------


async def test_loop_sleeps_until_due_and_sends_on_time(world: World) -> None:
    world.clock.real = True
    await world.user()
    nudge = await world.nudge(await world.case(), 0.4)
    due = time.monotonic() + 0.4
    scheduler = world.scheduler()
    await scheduler.start()
    try:
        await wait_for(lambda: len(world.adapter.sent) == 1)
    finally:
        await scheduler.stop()
    lateness = world.adapter.sent[0].at - due
    assert -0.02 < lateness < 0.3
    assert (await world.status(nudge)).status == "sent"


async def test_wake_recomputes_the_sleep(world: World) -> None:
    world.clock.real = True
    await world.user()
    case = await world.case()
    scheduler = world.scheduler(max_sleep=30)
    await scheduler.start()
    try:
        await asyncio.sleep(0.05)  # now sleeping for 30 s: nothing is due
        await world.nudge(case, 0.1)
        world.core.on_nudges_changed()  # what handlers call after add_nudge
        started = time.monotonic()
        await wait_for(lambda: len(world.adapter.sent) == 1, within=2)
        assert time.monotonic() - started < 0.5
    finally:
        await scheduler.stop()
    assert not scheduler.running


async def test_stop_without_start(world: World) -> None:
    await world.scheduler().stop()


async def test_thousand_due_in_the_same_second(world: World) -> None:
    await world.user()
    case = await world.case()
    rows = [(case.id, "custom", (T0 + timedelta(microseconds=i * 997)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
             T0.strftime("%Y-%m-%dT%H:%M:%S.%fZ")) for i in range(1000)]
    await world.store._write(  # noqa: SLF001 — fast insert of many rows for the test
        lambda db: db.executemany("INSERT INTO nudges (case_id, kind, due_at, created_at) VALUES (?,?,?,?)", rows))
    world.clock.advance(1)
    world.adapter.delay = 0.001
    scheduler = world.scheduler(batch=300, concurrency=50)
    started = time.monotonic()
    assert await scheduler.run_once() == 1000
    elapsed = time.monotonic() - started
    assert len(world.adapter.sent) == 1000
    assert len({s.replies[0].text for s in world.adapter.sent}) == 1000  # each one once
    assert world.adapter.max_concurrent <= 50
    assert await world.store.count_nudges("sent") == 1000
    assert elapsed < 5  # the benchmark measures the real figure (p99 < 1 s)


async def test_with_the_walkthrough_render(world: World) -> None:
    """The real render from handlers.followup, late and on time, through the scheduler."""
    from handlers.followup import render_nudge

    await world.user()
    case = await world.case()
    overdue = await world.nudge(case, -7200, kind="deliver")
    on_time = await world.nudge(case, 0, kind="custom")
    scheduler = Scheduler(world.core, render_nudge, clock=world.clock)
    assert await scheduler.run_once() == 2
    texts = {s.replies[0].text for s in world.adapter.sent}
    late_line = world.core.lib.t("nudge.late", "en", when="").split("{")[0].strip()[:12]
    assert any(late_line in t for t in texts)
    assert all(s.replies[0].choices for s in world.adapter.sent)  # Done / Not yet / Close
    assert {(await world.status(n)).status for n in (overdue, on_time)} == {"sent"}


async def test_sent_but_not_marked_stays_claimed_and_is_not_retried_at_once(world: World) -> None:
    await world.user()
    nudge = await world.nudge(await world.case(), 0)
    scheduler = world.scheduler()

    async def broken(ids: object, at: datetime) -> set[int]:
        raise OSError("disk full")

    world.store.mark_outbox_sent = broken  # type: ignore[method-assign,assignment]
    assert await scheduler.run_once() == 1
    del world.store.mark_outbox_sent  # back to the class's method
    row = await world.status(nudge)
    assert row.status == "claimed"  # not back to pending: that would send it again right away
    world.clock.advance(60)
    assert await scheduler.run_once() == 0
    assert world.adapter.calls == 1


async def test_takeover_at_start_sends_a_dead_processs_claim_at_once(world: World) -> None:
    """One process per SQLite database (parley run): a claim found at start is a dead process's, taken back now."""
    await world.user()
    nudge = await world.nudge(await world.case(), 0)
    await world.store.claim_due(world.clock(), 10, owner="dead")
    world.clock.advance(5)  # well within stale_after
    scheduler = world.scheduler(stale_after=120)
    scheduler.takeover_at_start = True
    await scheduler.start()
    try:
        await wait_for(lambda: len(world.adapter.sent) == 1)
    finally:
        await scheduler.stop()
    assert (await world.status(nudge)).status == "sent"
