"""Parley on PostgreSQL beyond the store's own tests: whole conversations and scheduler passes."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import build_core, build_scheduler, one_process_per_database
from bot.outbox import Delivery
from bot.settings import load_settings
from bot.store import NewOutboxItem, OutboxItem, Store, open_store, utcnow
from handlers.followup import render_nudge
from tests import test_walkthrough as walkthrough
from tests.conftest import FixedClock, Talker


async def test_whole_conversations_run_on_postgres(pg_url: str, clock: FixedClock) -> None:
    store = await open_store(pg_url)
    try:
        core = build_core(store, load_settings(), clock=clock)
        await walkthrough.test_full_walkthrough_schedules_the_deadline_nudge(core, clock)
        await walkthrough.test_walkthrough_in_russian_and_romanian(core)
    finally:
        await store.close()


async def test_a_due_nudge_is_delivered_from_postgres(pg_url: str, clock: FixedClock) -> None:
    store = await open_store(pg_url)
    try:
        core = build_core(store, load_settings(), clock=clock)
        talker = Talker(core)
        await talker.say("the client is furious, we missed the launch deadline we promised")
        await talker.say("/followup 2h call the client back")
        assert await store.count_nudges("pending") == 1, talker.text()
        sent: list[str] = []

        class Console:
            platform = "console"

            async def start(self) -> None: ...

            async def stop(self) -> None: ...

            async def deliver(self, delivery: Delivery) -> None:
                sent.extend(r.text for r in delivery.replies)

        core.register(Console())
        scheduler = build_scheduler(core, load_settings())
        assert scheduler.render is render_nudge
        clock.now += timedelta(hours=3)
        assert await scheduler.run_once() == 1
        assert any("call the client back" in text for text in sent)
        assert await store.count_nudges("sent") == 1
    finally:
        await store.close()


async def test_transaction_joins_every_call_of_the_task_and_rolls_back_together(pg_url: str) -> None:
    """The unit of work the outbox builds on: calls inside `transaction()` commit or roll back as one,
    nested blocks join the outer one, and the done mark (`finish_event`) rides along."""
    from bot.store.postgres import PostgresStore

    store = await PostgresStore.open(pg_url)
    try:
        assert await store.accept_event("slack", "Ev1", "U1", {"text": "x"})
        case = await store.create_case(platform="slack", chat_id="D1", thread_id=None, user_id="U1", lang="en")

        class Boom(Exception):
            pass

        with pytest.raises(Boom):
            async with store.transaction():
                await store.finish_event("slack", "Ev1")
                await store.log(case.id, "note", {"n": 1})
                async with store.transaction():  # nested: the same transaction
                    await store.add_nudge(case.id, "custom", utcnow())
                raise Boom
        assert [e.kind for e in await store.case_log(case.id)] == ["opened"], "all rolled back"
        assert await store.count_nudges("pending") == 0
        assert [e.event_id for e in await store.unfinished_events()] == ["Ev1"], "the done mark too"

        async with store.transaction():
            await store.finish_event("slack", "Ev1")
            await store.log(case.id, "note", {"n": 2})
            await store.add_nudge(case.id, "custom", utcnow())
        assert [e.kind for e in await store.case_log(case.id)] == ["opened", "note", "nudge-scheduled"]
        assert await store.unfinished_events() == []
    finally:
        await store.close()


def _row(conversation: str, n: int) -> NewOutboxItem:
    return NewOutboxItem(platform="slack", conversation=conversation, user_id="U1", payload={"n": n})


async def test_two_instances_writing_one_conversation_claim_one_head(pg_url: str) -> None:
    """Events of one conversation processed on two instances at once: only the first row committed is
    stored claimed (delivered at once by its writer); the other waits behind it, so the order holds."""
    first, second = await open_store(pg_url), await open_store(pg_url)
    try:
        async def write(store: Store, owner: str, n: int) -> list[OutboxItem]:
            async with store.transaction():
                rows = await store.add_outbox([_row("slack|C1||U1", n)], owner=owner)
                await asyncio.sleep(0.05)  # the event's transaction is still open
                return rows

        results = await asyncio.gather(write(first, "i1", 1), write(second, "i2", 2))
        statuses = sorted(r.status for rows in results for r in rows)
        assert statuses == ["claimed", "pending"]
        [head] = [r for rows in results for r in rows if r.status == "claimed"]
        [waiting] = [r for rows in results for r in rows if r.status == "pending"]
        assert head.id < waiting.id, "the claimed head is the older row"
    finally:
        await first.close()
        await second.close()


async def test_two_instances_claim_outbox_rows_once_and_one_per_conversation(pg_url: str) -> None:
    first, second = await open_store(pg_url), await open_store(pg_url)
    try:
        await first.add_outbox([_row(f"c{i % 20}", i) for i in range(60)])
        now = utcnow()
        batches = await asyncio.gather(*(s.claim_outbox(now, owner=f"i{k}", limit=3)
                                         for k in range(8) for s in (first, second)))
        claimed = [r for batch in batches for r in batch]
        assert len(claimed) == 20 and len({r.id for r in claimed}) == 20
        assert len({r.conversation for r in claimed}) == 20, "one row in flight per conversation"
        heads = {r.conversation: r.id for r in claimed}
        assert all(heads[f"c{i}"] == min(r.id for r in claimed if r.conversation == f"c{i}") for i in range(20))
        assert await second.claim_outbox(now, owner="i9") == [], "the next rows wait for their heads"
        await first.mark_outbox_sent([r.id for r in claimed], now)
        assert len(await second.claim_outbox(now, owner="i9")) == 20
    finally:
        await first.close()
        await second.close()


async def test_on_postgres_start_takes_over_only_stale_claims(pg_url: str, tmp_path: Path) -> None:
    """Several instances share the database: one starting up leaves a live instance's fresh claims (nudges
    and outbox rows) alone and takes over only those older than PARLEY_CLAIM_TIMEOUT. SQLite (one
    process per database) takes back every claim at start."""
    settings = load_settings(database_url=pg_url, claim_timeout=30.0)
    assert not one_process_per_database(settings)
    assert one_process_per_database(load_settings(database_url=f"sqlite:///{tmp_path}/p.db"))
    live, starting = await open_store(pg_url), await open_store(pg_url)
    try:
        case = await live.create_case(platform="slack", chat_id="C", thread_id=None, user_id="U1", lang="en")
        await live.add_nudge(case.id, "custom", utcnow())
        [nudge] = await live.claim_due(utcnow(), owner="live")
        [row] = await live.add_outbox([_row("busy", 1)], owner="live")
        core = build_core(starting, settings)
        scheduler = build_scheduler(core, settings)
        assert not scheduler.takeover_at_start
        assert (core.outbox.stale_after, scheduler.stale_after) == (30.0, 30.0)
        assert core.outbox.send_timeout < core.outbox.stale_after
        assert await core.outbox.recover(takeover=scheduler.takeover_at_start) == 0
        await scheduler.start()
        await scheduler.stop()
        kept_row, kept_nudge = await live.get_outbox(row.id), await live.get_nudge(nudge.id)
        assert kept_row is not None and (kept_row.status, kept_row.claimed_by) == ("claimed", "live")
        assert kept_nudge is not None and kept_nudge.status == "claimed"
        core.clock = scheduler.clock = core.outbox.clock = lambda: utcnow() + timedelta(seconds=31)
        assert await core.outbox.recover(takeover=False) == 1, "older than the claim timeout: a dead instance's"
        taken = await live.get_outbox(row.id)
        assert taken is not None and taken.status == "pending" and taken.maybe_sent
    finally:
        await live.close()
        await starting.close()
