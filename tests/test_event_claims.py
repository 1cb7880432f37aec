"""Claims on events: with several instances on one database, an event one instance accepted is replayed by
another only once its claim has expired (the instance died), and then processed once.

Every test runs on SQLite and on a real PostgreSQL (`tests.pg_server`); the e2e with two `parley run`
processes is in tests/test_scale_out.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import cast

import pytest

from bot.app import build_core
from bot.core import Core
from bot.events import Event, EventKind
from bot.settings import load_settings
from bot.store import Store, open_store, utcnow
from tests.support import CountingStore, RecordingAdapter


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path / "store.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
async def instances(db_url: str) -> AsyncIterator[tuple[Core, Core, RecordingAdapter, RecordingAdapter]]:
    """Two instances (each its own store connections and instance id) on one database, as on PostgreSQL
    several `parley run` processes: neither takes every claim at start."""
    first, second = await open_store(db_url), await open_store(db_url)
    cores = []
    recorders = []
    for store in (first, second):
        core = build_core(store, load_settings())
        core.takeover_at_start = False
        recorder = RecordingAdapter()
        core.register(recorder)
        cores.append(core)
        recorders.append(recorder)
    yield cores[0], cores[1], recorders[0], recorders[1]
    for core in cores:
        await core.outbox.stop()
        await core.store.close()


def _help(event_id: str, user: str = "ana") -> Event:
    return Event(platform="console", event_id=event_id, user_id=user, chat_id=user, thread_id=None,
                 kind=EventKind.COMMAND, command="help")


async def test_an_event_a_live_instance_accepted_is_not_replayed_by_another(
        instances: tuple[Core, Core, RecordingAdapter, RecordingAdapter]) -> None:
    a, b, delivered_by_a, delivered_by_b = instances
    event = _help("e1")
    assert await a.accept(event)
    assert await b.unfinished("console") == [], "A's claim is live: B's start must not replay the event"
    await a.run(event, {})
    assert len(delivered_by_a.delivered) == 1 and delivered_by_b.delivered == []
    assert await a.store.unfinished_events() == []


async def test_an_event_taken_over_from_a_slow_instance_is_processed_once(
        instances: tuple[Core, Core, RecordingAdapter, RecordingAdapter]) -> None:
    """A's claim expired while A still worked (a very slow handler): B took the event over. A's transaction
    is rolled back when its done mark is refused, so the event's state changes and replies happen once."""
    a, b, delivered_by_a, delivered_by_b = instances
    event = _help("e1")
    assert await a.accept(event)
    b.outbox.stale_after = 0.0
    b.takeover_at_start = False
    b.replays["console"] = lambda replayed: b.run(replayed, {})
    await asyncio.sleep(0.01)
    assert await b.take_over_events() == 1
    await a.run(event, {})  # finishes its work, but the event is no longer A's
    assert delivered_by_a.delivered == [], "A's replies were rolled back with its done mark"
    assert len(delivered_by_b.delivered) == 1
    assert await a.store.unfinished_events() == []
    await b.outbox.stop()  # writes the sent marks still waiting
    assert await a.store.count_outbox("sent") == 1
    assert await a.store.count_outbox("pending") == await a.store.count_outbox("claimed") == 0


async def test_the_outbox_loop_takes_over_a_dead_instances_event_once_its_claim_expires(db_url: str) -> None:
    """A running instance replays, through its adapter's replay hook, an event a dead instance accepted,
    after the claim timeout and not before; asking costs one indexed statement per round of
    ``stale_after / 4`` seconds, none while no replay hook is registered."""
    store = await open_store(db_url)
    counting = CountingStore(store)
    core = build_core(cast(Store, counting), load_settings())
    core.takeover_at_start = False
    core.outbox.stale_after = 2.0
    recorder = RecordingAdapter()
    core.register(recorder)
    dead = build_core(store, load_settings())
    replayed: list[tuple[str, float]] = []
    try:
        assert await dead.accept(_help("left-behind"))
        accepted = time.monotonic()

        async def replay(event: Event) -> None:
            replayed.append((event.event_id, time.monotonic() - accepted))
            await core.run(event, {})

        await core.replay_unfinished("console", replay)
        assert replayed == [], "the dead instance's claim is still live at start"
        counting.calls.clear()
        await core.outbox.start()
        deadline = time.monotonic() + 10
        while not recorder.delivered:
            assert time.monotonic() < deadline, f"never taken over: {counting.calls}"
            await asyncio.sleep(0.05)
        [(event_id, after)] = replayed
        assert event_id == "left-behind" and after >= 1.95, f"taken over {after:.2f} s after its accept"
        print(f"\ntaken over {after:.2f} s after accept (claim timeout 2 s, rounds every 0.5 s)")
        assert await store.unfinished_events() == []
        counting.calls.clear()
        await asyncio.sleep(2.0)
        claims = counting.calls.count("claim_events")
        print(f"store calls of an idle instance in 2 s: {len(counting.calls)}, of which claim_events {claims}: "
              f"{counting.calls}")
        assert claims <= 5, "one claim statement per round of stale_after / 4, not more"
        assert len(recorder.delivered) == 1, "replayed once"
    finally:
        await core.outbox.stop()
        await store.close()


async def test_with_one_process_per_database_every_unfinished_event_is_replayed_at_start(tmp_path: Path) -> None:
    """SQLite: claims found at start are a dead process's, however fresh (as for outbox rows)."""
    store = await open_store("sqlite:///" + str(tmp_path / "one.db"))
    try:
        dead = build_core(store, load_settings())
        assert await dead.accept(_help("e1"))
        fresh = build_core(store, load_settings())
        assert [e.event_id for e in await fresh.unfinished("console")] == ["e1"]
        assert await fresh.unfinished("console") == [], "claimed: not replayed twice"
        await fresh.run(_help("e1"), {})
        assert await store.unfinished_events() == []
        assert await store.claim_events(owner="x", claimed_before=utcnow() + timedelta(seconds=1)) == []
    finally:
        await store.close()


async def test_an_idle_instance_asks_the_store_about_twice_a_second_at_most(db_url: str) -> None:
    """With the default claim timeout (120 s) the event takeover asks once per 30 s: an idle instance's
    store calls stay those of the outbox loop (one round per 5 s)."""
    store = await open_store(db_url)
    counting = CountingStore(store)
    core = build_core(cast(Store, counting), load_settings())
    core.takeover_at_start = False
    core.register(RecordingAdapter())

    async def replay(event: Event) -> None:
        await core.run(event, {})

    try:
        await core.replay_unfinished("console", replay)
        await core.outbox.start()
        await asyncio.sleep(0.2)  # the loop's first round
        counting.calls.clear()
        await asyncio.sleep(3.0)
        print(f"\nstore calls of an idle instance in 3 s (claim timeout 120 s): {len(counting.calls)} "
              f"{counting.calls}")
        assert len(counting.calls) <= 6, "about 2 per second at most"
    finally:
        await core.outbox.stop()
        await store.close()
