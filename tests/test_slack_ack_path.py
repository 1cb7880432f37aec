"""How many event-loop rounds a Slack reply takes (issue 13's Slack speed target).

Under a burst every step that goes back to the event loop waits behind every other ready callback, so
the path from a slash command to its reply is counted here in loop rounds: a ticker task counts the
rounds until the fake Web API has the reply. The real bolt app behind Parley's HTTP server, against
`tests.fake_slack`; nothing is mocked.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fake_slack import FakeSlack, SlackSender
from tests.test_slack import CLEAR, Running, _run

#: Rounds from sending a command to its reply reaching the fake Web API, for a known user: the client's
#: send, aiohttp's parse, bolt's listener task, the accept and work tasks, the handlers' one step,
#: slack_sdk's request and the fake's answer. Measured: 14; 18 while a known user's locale was awaited
#: through wait_for(shield(...)), the accept through wait_for(shield(...)) and each row sent in a
#: wait_for task.
REPLY_ROUNDS = 15


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
