"""End to end: `parley run` as a subprocess, Slack played by `tests.fake_slack` (signed requests, fake Web API).

Each test starts its own `parley run` with PARLEY_HTTP_PORT=0 and reads the real port from the
"HTTP on host:port" line Parley prints at start. Waits are bounded.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_core
from bot.events import Event, EventKind
from bot.store import open_store
from tests.fake_slack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    SlackSender,
    all_text,
    buttons,
    command_body,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
CLEAR = "the client is unhappy with the quality of the logo we delivered"  # a quality complaint: the five steps
START_WITHIN = 30.0


def t(key: str) -> str:
    from content import library

    return library().t(key, "en")


class Parley:
    """A running `parley run`: its port, its stderr so far, and a signed sender pointed at it."""

    def __init__(self, proc: asyncio.subprocess.Process, port: int, stderr: list[str]) -> None:
        self.proc, self.port, self.stderr = proc, port, stderr

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"


def _env(fake: FakeSlack, db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update({"PYTHONPATH": str(ROOT), "PARLEY_SLACK_BOT_TOKEN": BOT_TOKEN,
                "PARLEY_SLACK_SIGNING_SECRET": SIGNING_SECRET, "PARLEY_SLACK_API_URL": fake.api_url,
                "PARLEY_HTTP_HOST": "127.0.0.1", "PARLEY_HTTP_PORT": "0",
                "PARLEY_DATABASE_URL": "sqlite:///" + str(db), "PARLEY_LOG_LEVEL": "WARNING"})
    env.update(extra)
    return env


async def _spawn(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", cwd=str(ROOT), env=env,
                                                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)


@asynccontextmanager
async def running(fake: FakeSlack, db: Path, **extra: str) -> AsyncIterator[tuple[Parley, SlackSender]]:
    proc = await _spawn(_env(fake, db, **extra))
    assert proc.stderr is not None
    lines: list[str] = []
    port: int | None = None
    deadline = time.monotonic() + START_WITHIN
    while port is None:
        left = deadline - time.monotonic()
        raw = await asyncio.wait_for(proc.stderr.readline(), max(left, 0.1)) if left > 0 else b""
        if not raw:
            proc.kill()
            await proc.wait()
            raise AssertionError(f"parley run did not start (rc={proc.returncode}): {''.join(lines)}")
        lines.append(raw.decode(errors="replace"))
        found = re.search(r"HTTP on [^\s:]+:(\d+)", lines[-1])
        port = int(found.group(1)) if found else None

    async def drain() -> None:
        assert proc.stderr is not None
        async for raw in proc.stderr:
            lines.append(raw.decode(errors="replace"))

    reader = asyncio.ensure_future(drain())
    parley = Parley(proc, port, lines)
    try:
        async with SlackSender(parley.url, fake=fake) as sender:
            yield parley, sender
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        await asyncio.wait_for(reader, 5)
    if os.environ.get("SHOW_PARLEY_STDERR"):
        print("".join(lines))
    assert "Traceback" not in "".join(lines), "".join(lines)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    yield server
    await server.stop()


async def test_signatures_retries_and_escaping(fake: FakeSlack, tmp_path: Path) -> None:
    async with running(fake, tmp_path / "p.db") as (parley, slack):
        status, body, _ = await slack.post(json.dumps({"type": "url_verification", "challenge": "c-42"}),
                                           "application/json")
        assert status == 200 and "c-42" in body
        form = "application/x-www-form-urlencoded"
        cmd = command_body("/conflict", CLEAR, user="U1", channel="C1")
        assert (await slack.post(cmd, form, signed=False))[0] == 401
        assert (await slack.post(cmd, form, headers={"X-Slack-Signature": "v0=" + "ab" * 32}))[0] == 401
        assert (await slack.post(cmd, form, timestamp=int(time.time()) - 600))[0] == 401
        await asyncio.sleep(0.3)
        assert [c.method for c in fake.calls] == ["auth.test"]

        # the same event three times (Slack's retries carry X-Slack-Retry-Num): one answer
        ev = {"type": "message", "user": "U1", "text": CLEAR, "channel": "D1", "ts": "1800000000.000500",
              "channel_type": "im"}
        for retry in (None, 1, 2):
            assert (await slack.event(ev, event_id="Ev0E2E", retry_num=retry))[0] == 200
        await fake.wait_for("chat.postMessage")
        await asyncio.sleep(0.5)
        assert len(fake.of("chat.postMessage")) == 1

        # <!channel>, forged links and user mentions typed by a user come back inert
        await slack.command("/parley", "card <!channel> <https://evil.example|pay here> <!here>", channel="C1")
        post = await fake.wait_for("chat.postEphemeral")
        raw = json.dumps(post.params)
        assert "<!channel>" not in raw and "<!here>" not in raw and "<https://evil" not in raw
        assert "@channel" in all_text(post.params)


async def test_conflict_walkthrough_foreign_press_and_nudge_in_the_thread(fake: FakeSlack, tmp_path: Path) -> None:
    async with running(fake, tmp_path / "p.db") as (parley, slack):
        # /conflict without text: a private menu; picking a situation posts the card in the channel
        await slack.command("/conflict", "", user="U1", channel="C1")
        menu = await fake.wait_for("chat.postEphemeral")
        first = buttons(menu.params)[0]["text"]["text"]
        await slack.press({**fake.ephemerals[-1], "channel": "C1"}, first, ephemeral=True)
        await fake.wait_hook(lambda h: h.get("replace_original"))
        await fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == "C1")

        # /conflict TEXT in another channel: the card, then the walkthrough in its thread
        status, _, elapsed = await slack.command("/conflict", CLEAR, user="U1", channel="C2")
        assert status == 200
        card_call = await fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == "C2")
        assert "thread_ts" not in card_call.params
        root = card_call.response["ts"]
        card = dict(fake.messages[("C2", root)])

        n = len(fake.calls)
        await slack.press(card, t("conflict.walk"), user="U2")  # not the owner
        note = await fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == "U2", after=n)
        assert t("slack.not_yours") in all_text(note.params)
        await asyncio.sleep(0.3)
        assert [c.method for c in fake.calls[n:]] == ["chat.postEphemeral"]

        n = len(fake.calls)
        await slack.press(card, t("conflict.walk"), user="U1")
        await fake.wait_for("chat.update", lambda c: c.params["ts"] == root, after=n)
        assert buttons(fake.messages[("C2", root)]) == []
        await fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == root, after=n)

        n = len(fake.calls)
        await slack.message("He says the invoice was wrong and we charged twice", user="U1", channel="C2",
                            thread_ts=root, channel_type="channel")
        para = await fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == root, after=n)
        assert t("walk.paraphrase_ok") in all_text(para.params)
        n = len(fake.calls)
        await slack.press(fake.messages[("C2", para.response["ts"])], t("walk.paraphrase_ok"), user="U1")
        cause = await fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == root, after=n)
        assert t("cause.expectations") in all_text(cause.params)

        # a follow-up in 2 s: the nudge arrives in the case's thread and mentions the owner
        n = len(fake.calls)
        await slack.command("/parley", "followup 2s call the client back", user="U1", channel="C2")
        await fake.wait_for("chat.postEphemeral", after=n)
        nudge = await fake.wait_for("chat.postMessage", lambda c: "<@U1>" in json.dumps(c.params), after=n,
                                    within=20)
        assert nudge.params["channel"] == "C2" and nudge.params["thread_ts"] == root
        assert "call the client back" in all_text(nudge.params)
        assert {b["text"]["text"] for b in buttons(nudge.params)} >= {t("nudge.done"), t("nudge.snooze")}


async def test_dm_mention_app_home_and_a_429(fake: FakeSlack, tmp_path: Path) -> None:
    async with running(fake, tmp_path / "p.db") as (parley, slack):
        fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=1)
        await slack.message(CLEAR, user="U1", channel="D1")
        dm = await fake.wait_for("chat.postMessage", within=15)
        tries = fake.of("chat.postMessage")
        assert [c.status for c in tries] == [429, 200] and dm.at - tries[0].at >= 1.0
        assert dm.params["channel"] == "D1" and "thread_ts" not in dm.params

        n = len(fake.calls)
        await slack.mention(CLEAR, user="U4", channel="C7")
        answer = await fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == "C7", after=n)
        assert answer.params.get("thread_ts")

        n = len(fake.calls)
        await slack.home_opened("U1", "D1")
        view = (await fake.wait_for("views.publish", after=n)).params["view"]
        assert view["type"] == "home" and "#1" in all_text(view)
        n = len(fake.calls)
        await slack.press(view, t("help.browse_cards"), home=True, user="U1")
        cards = await fake.wait_for("chat.postMessage", after=n)
        assert cards.params["channel"] == "D1"

        health = await _get(parley.port, "/healthz")
        assert health["checks"]["slack"] is True


async def _get(port: int, path: str) -> Any:
    import aiohttp

    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}{path}") as response:
        return await response.json()


async def test_wrong_token_is_a_one_line_error(fake: FakeSlack, tmp_path: Path) -> None:
    fake.token = "xoxb-the-real-one"
    proc = await _spawn(_env(fake, tmp_path / "p.db"))
    out, err = await asyncio.wait_for(proc.communicate(), START_WITHIN)
    text = err.decode()
    assert proc.returncode == 1
    assert text.strip().count("\n") == 0 and "Slack rejected PARLEY_SLACK_BOT_TOKEN" in text
    assert BOT_TOKEN not in text + out.decode() and SIGNING_SECRET not in text + out.decode()


async def test_an_event_accepted_before_a_crash_is_answered_after_the_restart(fake: FakeSlack, tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    store = await open_store("sqlite:///" + str(db))
    from bot.settings import load_settings

    core = build_core(store, load_settings(database_url="sqlite:///" + str(db)))
    await core.accept(Event(platform="slack", event_id="EvCRASH", user_id="U1", chat_id="D1",
                            kind=EventKind.MESSAGE, text=CLEAR, is_direct=True))
    await store.close()
    async with running(fake, db) as (parley, slack):
        post = await fake.wait_for("chat.postMessage")
        assert post.params["channel"] == "D1"
        # and the same event id arriving late from Slack is not answered twice
        ev = {"type": "message", "user": "U1", "text": CLEAR, "channel": "D1", "ts": "1.2", "channel_type": "im"}
        await slack.event(ev, event_id="EvCRASH", retry_num=3)
        await asyncio.sleep(0.5)
        assert len(fake.of("chat.postMessage")) == 1
