"""Parley on PostgreSQL beyond the store's own tests: whole conversations and scheduler passes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from bot.app import build_core, build_scheduler
from bot.events import Reply, Target
from bot.settings import load_settings
from bot.store import open_store, utcnow
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

            async def send(self, target: Target, replies: Sequence[Reply]) -> None:
                sent.extend(r.text for r in replies)

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
    nested blocks join the outer one, and the done mark of `finish_with_next_write` rides along."""
    from bot.store.postgres import PostgresStore

    store = await PostgresStore.open(pg_url)
    try:
        assert await store.accept_event("slack", "Ev1", "U1", {"text": "x"})
        case = await store.create_case(platform="slack", chat_id="D1", thread_id=None, user_id="U1", lang="en")

        class Boom(Exception):
            pass

        with pytest.raises(Boom):
            async with store.transaction():
                store.finish_with_next_write("slack", "Ev1")
                await store.log(case.id, "note", {"n": 1})
                async with store.transaction():  # nested: the same transaction
                    await store.add_nudge(case.id, "custom", utcnow())
                raise Boom
        assert [e.kind for e in await store.case_log(case.id)] == ["opened"], "all rolled back"
        assert await store.count_nudges("pending") == 0
        assert [e.event_id for e in await store.unfinished_events()] == ["Ev1"], "the done mark too"

        async with store.transaction():
            store.finish_with_next_write("slack", "Ev1")
            await store.log(case.id, "note", {"n": 2})
            await store.add_nudge(case.id, "custom", utcnow())
        assert [e.kind for e in await store.case_log(case.id)] == ["opened", "note", "nudge-scheduled"]
        assert await store.unfinished_events() == []
    finally:
        await store.close()
