"""Several ``parley run`` instances on one PostgreSQL database (Slack HTTP mode, each on its own port,
against `tests.fake_slack`): due nudges go out once, a killed instance's claims are taken over, and
the same Slack event sent to two instances is processed once."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.store import open_store
from tests.fake_slack import FakeSlack, SlackSender
from tests.test_slack_e2e import CLEAR, Parley, running

pytestmark = pytest.mark.e2e

NOTE = re.compile(r"ticket-(\d+)-end")
#: What an instance logs when it takes over claims: of nudges not yet queued (the scheduler), of outbox rows
#: (the outbox loop, after PARLEY_CLAIM_TIMEOUT; at start on PostgreSQL only as old ones).
TAKEOVER_LINES = ("were claimed by a process that stopped", "outbox claim(s) expired",
                  "were being delivered when a process stopped")
#: How long all nudges may take to go out, for every test here (two shared cores, several processes).
DELIVER_WITHIN = 240.0


async def seed(url: str, count: int) -> None:
    """``count`` Slack users, each with an open case and one nudge due a second ago (note ``ticket-ID-end``)."""
    store = await open_store(url)  # migrates
    await store.close()
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            """INSERT INTO users (platform, user_id, lang, tz, created_at)
               SELECT 'slack', 'U' || i, 'en', 'UTC', now() FROM generate_series(1, $1) AS i""", count)
        await conn.execute(
            """INSERT INTO cases (platform, chat_id, thread_id, user_id, step, lang, created_at, updated_at)
               SELECT 'slack', 'D' || i, NULL, 'U' || i, 'tracking', 'en', now(), now()
               FROM generate_series(1, $1) AS i""", count)
        await conn.execute(
            """INSERT INTO nudges (case_id, kind, due_at, note, created_at)
               SELECT id, 'custom', now() - interval '1 second', 'ticket-' || id || '-end', now() FROM cases""")
    finally:
        await conn.close()


async def statuses(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        return {r["status"]: r["n"] for r in await conn.fetch("SELECT status, COUNT(*) AS n FROM nudges GROUP BY 1")}
    finally:
        await conn.close()


def delivered(fake: FakeSlack) -> Counter[int]:
    """How many times each nudge (by its note) reached Slack."""
    seen: Counter[int] = Counter()
    for call in fake.of("chat.postMessage"):
        found = NOTE.search(json.dumps(call.params))
        if found and call.response.get("ok"):
            seen[int(found.group(1))] += 1
    return seen


async def wait_until_sent(url: str, count: int, within: float = DELIVER_WITHIN) -> None:
    deadline = time.monotonic() + within
    while (state := await statuses(url)).get("sent", 0) < count:
        assert time.monotonic() < deadline, f"not all nudges were sent within {within:g} s: {state}"
        await asyncio.sleep(0.5)


async def nudges_sent_by(parley: Parley) -> int:
    """The instance's own count of nudges sent (on time or late), from its ``GET /metrics``."""
    async with aiohttp.ClientSession() as session, \
            session.get(f"http://127.0.0.1:{parley.port}/metrics") as response:
        text = await response.text()
    return int(sum(s.value for family in text_string_to_metric_families(text) for s in family.samples
                   if s.name == "parley_nudges_total" and s.labels.get("outcome") in ("sent", "sent_late")))


def instance_env(url: str, **extra: str) -> dict[str, str]:
    return {"PARLEY_DATABASE_URL": url, **extra}


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    yield server
    await server.stop()


@pytest.mark.parametrize("instances", [2, 3])
async def test_ten_thousand_due_nudges_are_each_delivered_once(fake: FakeSlack, pg_url: str, tmp_path: Path,
                                                               instances: int) -> None:
    count = 10_000
    await seed(pg_url, count)
    async with AsyncExitStack() as stack:
        parleys: list[Parley] = []
        for _ in range(instances):
            parley, _sender = await stack.enter_async_context(running(fake, tmp_path / "unused.db",
                                                                      **instance_env(pg_url)))
            parleys.append(parley)
        await wait_until_sent(pg_url, count)
        await asyncio.sleep(0.5)  # nothing more may arrive after the marks
        shares = [await nudges_sent_by(p) for p in parleys]
    assert sum(shares) == count and all(share > 0 for share in shares), f"every instance took a share: {shares}"
    seen = delivered(fake)
    assert len(seen) == count, f"{count - len(seen)} nudges never reached Slack"
    assert set(seen.values()) == {1}, f"sent twice: {[n for n, k in seen.items() if k > 1][:20]}"
    assert await statuses(pg_url) == {"sent": count}
    stderr = "".join(line for p in parleys for line in p.stderr)
    for takeover in TAKEOVER_LINES:
        assert takeover not in stderr, "no live instance's claim (nudge or outbox row) was taken over"


async def test_a_killed_instance_s_claims_are_delivered_by_another(fake: FakeSlack, pg_url: str,
                                                                   tmp_path: Path) -> None:
    count = 10_000
    await seed(pg_url, count)
    fake.latency = 0.2  # each instance then holds a batch of claims for about a second at a time
    # short, so the takeover comes soon; not shorter, because a send may take half of it (5 s here) and
    # a send that times out on a loaded machine is retried although the fake already posted it
    env = instance_env(pg_url, PARLEY_CLAIM_TIMEOUT="10")
    async with running(fake, tmp_path / "unused.db", **env) as (survivor, _):
        async with running(fake, tmp_path / "unused.db", **env) as (victim, _):
            deadline = time.monotonic() + DELIVER_WITHIN
            while await nudges_sent_by(victim) == 0:  # mid-batch: its first sends are back, the rest in flight
                assert time.monotonic() < deadline
                await asyncio.sleep(0.02)
            victim.proc.send_signal(signal.SIGKILL)
            await victim.proc.wait()
            at_kill = await statuses(pg_url)
        await wait_until_sent(pg_url, count)
        await asyncio.sleep(0.5)
        taken_over = "".join(survivor.stderr)
    assert at_kill.get("sent", 0) < count, "the kill came after the work was done: the test proved nothing"
    assert at_kill.get("claimed", 0) > 0
    assert any(line in taken_over for line in TAKEOVER_LINES), f"no takeover: {at_kill} {taken_over}"
    seen = delivered(fake)
    assert len(seen) == count, f"{count - len(seen)} nudges never reached Slack"
    # exactly once on Slack: a nudge whose request had reached Slack when the victim died (the fake posts
    # it before its 0.2 s answer) has an outbox row the survivor takes over as maybe sent; it first looks
    # for the row's message metadata in the channel and finds it, so nothing goes out twice. A nudge
    # claimed but not yet queued (no outbox row) had not been sent, and is rendered again.
    doubled = [n for n, k in seen.items() if k > 1]
    print(f"claims at the kill: {at_kill}; nudges that went out twice: {len(doubled)}")
    assert doubled == [], f"{len(doubled)} nudges went out twice"
    assert await statuses(pg_url) == {"sent": count}


async def test_the_same_slack_event_sent_to_two_instances_is_processed_once(fake: FakeSlack, pg_url: str,
                                                                            tmp_path: Path) -> None:
    async with running(fake, tmp_path / "unused.db", **instance_env(pg_url)) as (first, _), \
            running(fake, tmp_path / "unused.db", **instance_env(pg_url)) as (second, _):
        event = {"type": "message", "user": "U9", "text": CLEAR, "channel": "D9", "ts": "1800000001.000001",
                 "channel_type": "im"}
        async with SlackSender(first.url, fake=fake) as to_first, SlackSender(second.url, fake=fake) as to_second:
            answers = await asyncio.gather(to_first.event(event, event_id="EvTWICE"),
                                           to_second.event(event, event_id="EvTWICE", retry_num=1))
        assert [status for status, _, _ in answers] == [200, 200], "both acknowledge: Slack stops retrying"
        await fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == "D9")
        await asyncio.sleep(1.0)
        assert len([c for c in fake.of("chat.postMessage") if c.params["channel"] == "D9"]) == 1
