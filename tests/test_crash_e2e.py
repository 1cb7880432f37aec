"""Deterministic crash tests: SIGKILL ``parley run`` while the platform holds a reply or a nudge, restart, and
the reply arrives (docs/outbox.md).

The fakes delay one method (Telegram's answerCallbackQuery or sendMessage, Slack's chat.update or
chat.postMessage) by seconds; the test kills Parley once that request has arrived, so the kill lands
after the event's transaction committed and before the outbox row was marked sent. The fake still
completes the delayed call, as a platform that accepted a request before the client vanished would.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.fake_slack import FakeSlack, all_text
from tests.fake_telegram import FakeTelegram
from tests.test_slack_e2e import CLEAR, running
from tests.test_slack_e2e import fake as fake  # noqa: F401 - the Slack fixture, re-used by name below
from tests.test_telegram_e2e import ANA, CRISIS, launch, parley_env, say

pytestmark = pytest.mark.e2e

DELAY = 3.0


def t(key: str) -> str:
    from content import library

    return library().t(key, "en")


def _scalar(db: Path, sql: str, *args: Any) -> Any:
    with sqlite3.connect(db) as conn:
        row = conn.execute(sql, args).fetchone()
    return row[0] if row else None


async def _until(condition: Any, within: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@pytest.fixture
async def tg() -> Any:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


async def _all_sent(db: Path) -> None:
    """Waits until no outbox row is waiting: what came before the kill is out and marked."""
    await _until(lambda: _scalar(db, "SELECT COUNT(*) FROM outbox WHERE status IN ('pending','claimed')") == 0)


async def test_telegram_kill_during_a_delayed_answer_callback_query_loses_no_reply(tg: FakeTelegram,
                                                                                   tmp_path: Path) -> None:
    env = parley_env(tg, tmp_path)
    first = await launch(env, tmp_path)
    await first.ready()
    card = await say(tg, ANA, f"/conflict {CRISIS}")
    await _all_sent(first.db)
    tg.delays["answerCallbackQuery"] = DELAY
    arrived = len(tg.arrived)
    mark = tg.mark()
    tg.press(ANA, card, t("conflict.walk"))
    await _until(lambda: "answerCallbackQuery" in tg.arrived[arrived:])
    first.proc.kill()  # the step moved and the reply is an outbox row: both committed, nothing sent yet
    await first.stop()
    assert _scalar(first.db, "SELECT step FROM cases") == "listen"
    assert _scalar(first.db, "SELECT COUNT(*) FROM outbox WHERE status='claimed'") == 1

    tg.delays.clear()
    second = await launch(env, tmp_path)
    try:
        await second.ready()
        step = t("walk.listen").split("\n")[0][:30]
        prompts = await tg.wait_for("sendMessage", lambda c: step in str(c.get("text")), since=mark, timeout=20)
        assert len(prompts) == 1
        assert t("outbox.may_repeat") in prompts[0]["text"], "a re-sent copy says it may repeat"
        await _all_sent(second.db)
        assert _scalar(second.db, "SELECT COUNT(*) FROM outbox WHERE status='sent'") == 2
    finally:
        assert await second.stop() == 0, second.output()


async def test_telegram_kill_during_a_delayed_nudge_send_delivers_the_nudge(tg: FakeTelegram, tmp_path: Path) -> None:
    env = parley_env(tg, tmp_path)
    first = await launch(env, tmp_path)
    await first.ready()
    await say(tg, ANA, f"/conflict {CRISIS}")
    await say(tg, ANA, "/followup 3s call the client back")
    await _all_sent(first.db)
    tg.delays["sendMessage"] = DELAY
    arrived = len(tg.arrived)
    mark = tg.mark()
    await _until(lambda: "sendMessage" in tg.arrived[arrived:], within=30)
    first.proc.kill()
    await first.stop()
    assert _scalar(first.db, "SELECT status FROM nudges") == "claimed"

    tg.delays.clear()
    second = await launch(env, tmp_path)
    try:
        await second.ready()
        sends = await tg.wait_for("sendMessage", lambda c: "call the client back" in str(c.get("text")), count=2,
                                  since=mark, timeout=20)
        # the killed send reached Telegram (the fake completed it); the copy after the restart says so
        assert sum(t("outbox.may_repeat") in s["text"] for s in sends) == 1
        await _all_sent(second.db)
        assert _scalar(second.db, "SELECT status FROM nudges") == "sent"
        await asyncio.sleep(0.5)
        assert len([c for c in tg.calls_of("sendMessage", mark) if "call the client back" in str(c.get("text"))]) == 2
    finally:
        assert await second.stop() == 0, second.output()


async def test_slack_kill_during_a_delayed_chat_update_loses_no_reply(fake: FakeSlack, tmp_path: Path) -> None:  # noqa: F811
    db = tmp_path / "p.db"
    async with running(fake, db) as (parley, slack):
        await slack.command("/conflict", CLEAR, user="U1", channel="C1")
        card_call = await fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == "C1")
        root = card_call.response["ts"]
        await _all_sent(db)
        fake.delays["chat.update"] = DELAY
        n = len(fake.calls)
        await slack.press(dict(fake.messages[("C1", root)]), t("conflict.walk"), user="U1")
        await _until(lambda: any(c.method == "chat.update" for c in fake.calls[n:]))
        parley.proc.kill()
        await parley.proc.wait()
    assert _scalar(db, "SELECT step FROM cases") == "listen"

    fake.delays.clear()
    async with running(fake, db) as (parley, slack):
        step = t("walk.listen").split("\n")[0][:30]
        prompt = await fake.wait_for("chat.postMessage", lambda c: step in all_text(c.params), after=n, within=20)
        assert prompt.params.get("thread_ts") == root
        await _all_sent(db)
        await asyncio.sleep(0.5)
        posts = [c for c in fake.of("chat.postMessage") if step in all_text(c.params)]
        assert len(posts) == 1, "the step prompt was never posted before the kill, so it is posted once"
        assert t("outbox.may_repeat") not in all_text(prompt.params), "Slack looked it up: no note needed"


async def test_slack_kill_during_a_delayed_nudge_post_sends_it_once(fake: FakeSlack, tmp_path: Path) -> None:  # noqa: F811
    db = tmp_path / "p.db"
    async with running(fake, db) as (parley, slack):
        await slack.command("/conflict", CLEAR, user="U1", channel="C1")
        await fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == "C1")
        await slack.command("/parley", "followup 3s call the client back", user="U1", channel="C1")
        await fake.wait_for("chat.postEphemeral")
        await _all_sent(db)
        fake.delays["chat.postMessage"] = DELAY
        n = len(fake.calls)
        await _until(lambda: any(c.method == "chat.postMessage" for c in fake.calls[n:]), within=30)
        parley.proc.kill()
        await parley.proc.wait()
    assert _scalar(db, "SELECT status FROM nudges") == "claimed"
    await asyncio.sleep(DELAY)  # the fake completes the post the killed process made

    fake.delays.clear()
    async with running(fake, db) as (parley, slack):
        await _until(lambda: _scalar(db, "SELECT status FROM nudges") == "sent")
        await _all_sent(db)
        nudges = [m for m in fake.posts("C1") if "call the client back" in all_text(m)]
        assert len(nudges) == 1, "the restarted process found the post by its metadata and did not repeat it"
        assert any(c.method == "conversations.history" for c in fake.calls[n:])
