"""Two ``parley run`` instances on one PostgreSQL database (Slack HTTP mode, against `tests.fake_slack`):
an event instance A accepted is not replayed by instance B while A's claim on it is live, and is
processed by B once A died and the claim timed out; its reply reaches Slack exactly once."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from tests.fake_slack import FakeSlack
from tests.test_scale_out import instance_env
from tests.test_slack_e2e import CLEAR, running

pytestmark = pytest.mark.e2e

#: Short, so the test is quick; long enough for B to start well inside it on two loaded cores.
CLAIM_TIMEOUT = 10.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    yield server
    await server.stop()


async def event_rows(url: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return list(await conn.fetch("SELECT status, claimed_by FROM processed_events WHERE platform='slack'"))
    finally:
        await conn.close()


def to_channel(slack: FakeSlack, channel: str) -> list[str]:
    """Every message Parley sent to ``channel`` (posts, ephemerals), by method."""
    return [c.method for c in slack.calls if c.params.get("channel") == channel
            and c.method in ("chat.postMessage", "chat.postEphemeral") and c.response.get("ok")]


async def test_an_event_of_a_killed_instance_is_taken_over_after_its_claim_and_answered_once(
        fake: FakeSlack, pg_url: str, tmp_path: Path) -> None:
    # users.info answers late: A, meeting user U5 for the first time, waits for it (up to 2 s) after
    # acknowledging the command and before running it, which is where it is killed
    fake.delays["users.info"] = 30.0
    env = instance_env(pg_url, PARLEY_CLAIM_TIMEOUT=str(CLAIM_TIMEOUT))
    async with running(fake, tmp_path / "unused.db", **env) as (a, to_a):
        status, _, _ = await to_a.command("/conflict", CLEAR, user="U5", channel="C5")
        assert status == 200, "acknowledged: the event is stored, and claimed by A"
        accepted = time.monotonic()
        await asyncio.sleep(0.3)  # well inside A's 2 s wait for users.info (the database says so below)
        a.proc.send_signal(signal.SIGKILL)
        await a.proc.wait()
    [row] = await event_rows(pg_url)
    assert row["status"] == "pending" and row["claimed_by"], f"A died before finishing the event: {row}"
    assert to_channel(fake, "C5") == [], "A sent nothing before it died"
    fake.delays.clear()

    async with running(fake, tmp_path / "unused.db", **env) as (b, _):
        started = time.monotonic() - accepted
        assert started < CLAIM_TIMEOUT - 2, f"B started {started:.1f} s after the accept: the claim was not live"
        # while A's claim is live B must leave the event alone (before this work, B replayed it at start)
        while time.monotonic() - accepted < CLAIM_TIMEOUT - 1:
            assert to_channel(fake, "C5") == [], "B processed an event whose claim was live"
            await asyncio.sleep(0.2)
        [row] = await event_rows(pg_url)
        assert row["status"] == "pending", "B did not finish it while A's claim was live"
        # after the claim timed out, B's outbox loop takes the event over (within a quarter of the timeout)
        await fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C5",
                            within=CLAIM_TIMEOUT + 20)
        answered = time.monotonic() - accepted
        await asyncio.sleep(1.5)  # nothing more may arrive
        stderr = "".join(b.stderr)
    print(f"\nB started {started:.1f} s after A accepted the event; answered {answered:.1f} s after it "
          f"(claim timeout {CLAIM_TIMEOUT:g} s); messages to the channel: {to_channel(fake, 'C5')}")
    assert answered >= CLAIM_TIMEOUT, "not before the claim timed out"
    assert to_channel(fake, "C5") == ["chat.postMessage"], "the reply arrived exactly once"
    assert "accepted by an instance that stopped" in stderr
    [row] = await event_rows(pg_url)
    assert row["status"] == "done" and row["claimed_by"] != ""
