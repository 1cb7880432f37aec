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
