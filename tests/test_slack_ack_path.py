"""How much of the event loop one Slack acknowledgement takes (issue 13's Slack speed target).

Under a burst every step of a request that goes back to the event loop waits behind every other
ready callback, and a timer waits for its whole period, so the acknowledgement's path is counted here
in loop rounds: a ticker task counts the rounds that pass while one signed request is answered.
The real bolt app behind Parley's HTTP server, against `tests.fake_slack`; nothing is mocked.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fake_slack import FakeSlack, SlackSender
from tests.test_slack import CLEAR, Running, _run

#: Rounds one acknowledgement may take: the client's send and read, aiohttp's parse and write, and
#: Parley's own steps. A 10 ms timer alone is hundreds of rounds of a ticker (about 20 µs each).
ACK_ROUNDS = 60
#: Rounds from sending a command to its reply reaching the fake Web API, for a known user: the above, the
#: accept and work tasks, the handlers' one step, slack_sdk's HTTP request and the fake's own answer (13 measured; 17 with the
#: locale of a known user awaited through wait_for(shield(...)) and the row sent through wait_for).
REPLY_ROUNDS = 14


@pytest.fixture
async def parley(fake: FakeSlack, tmp_path: Path) -> AsyncIterator[Running]:
    core, store, adapter, http = await _run(fake, tmp_path)
    async with SlackSender(f"http://127.0.0.1:{http.port}/slack/events", fake=fake) as sender:
        yield Running(core, store, adapter, http, sender, fake)
    await adapter.stop()
    await http.stop()
    await store.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    yield server
    await server.stop()


@contextlib.asynccontextmanager
async def counting_rounds() -> AsyncIterator[list[int]]:
    """Counts event-loop rounds while the block runs: ``[n]`` once it ends."""
    rounds = [0]

    async def tick() -> None:
        while True:
            rounds[0] += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    start = rounds[0]
    try:
        yield rounds
    finally:
        rounds[0] -= start
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker


async def test_a_slash_command_is_acknowledged_in_a_few_loop_rounds_without_a_timer(parley: Running) -> None:
    """bolt runs a listener as a task and polls for its ``ack()`` every 10 ms unless the app processes
    before responding; Parley's listener only records the event and acknowledges, so it runs inline."""
    await parley.slack.command("/conflict", CLEAR, channel="CWARM")  # connections and caches warm
    await parley.idle()
    for i in range(3):
        async with counting_rounds() as rounds:
            status, _, _ = await parley.slack.command("/conflict", CLEAR, user=f"UA{i}", channel=f"CA{i}")
        assert status == 200
        assert rounds[0] <= ACK_ROUNDS, f"the acknowledgement took {rounds[0]} loop rounds"
        await parley.idle()
    assert len(await parley.processed()) == 4  # each recorded before its acknowledgement


async def rounds_until_posted(run: Running, channel: str, user: str) -> tuple[int, int]:
    """Loop rounds from sending ``/conflict`` in ``channel`` until its acknowledgement, and until the fake
    Web API has its reply (a ticker task checks the fake's calls once per round)."""
    fake = run.fake
    seen = len(fake.calls)
    rounds, posted = 0, -1

    async def tick() -> None:
        nonlocal rounds, posted
        while posted < 0:
            rounds += 1
            if any(c.method.startswith("chat.post") and c.params.get("channel") == channel
                   for c in fake.calls[seen:]):
                posted = rounds
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    status, _, _ = await run.slack.command("/conflict", CLEAR, user=user, channel=channel)
    acked = rounds
    await asyncio.wait_for(ticker, 10)
    assert status == 200
    return acked, posted


async def test_the_reply_to_a_known_user_is_posted_without_waiting_on_timers_or_extra_tasks(parley: Running) -> None:
    """After the acknowledgement the work goes straight on: the locale of a user Parley already knows is
    not awaited again, and the outbox row is handed to the adapter without a task of its own."""
    await parley.slack.command("/conflict", CLEAR, user="UK", channel="CWARM")  # UK is now a known user
    await parley.idle()
    counts = []
    for i in range(3):
        acked, posted = await rounds_until_posted(parley, f"CK{i}", "UK")
        counts.append(posted)
        await parley.idle()
    assert min(counts) <= REPLY_ROUNDS, f"rounds from the command to chat.postMessage: {counts}"
