"""End to end: ``parley run`` as a subprocess, as a user would start it, against the fake Bot API.

Every wait is bounded; the fake runs in the test's event loop while Parley runs in its own process.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.fake_telegram import TOKEN, FakeTelegram, Stored, TgUser, group_chat, private_chat

pytestmark = pytest.mark.e2e

ANA = TgUser(5101, "Ana", "en")
BOB = TgUser(5102, "Bob", "en")
CRISIS = "the client is furious, we missed the launch deadline we promised"  # the five steps
GROUP = group_chat(-100777)


class Parley:
    """A running ``parley run`` with its stderr collected."""

    def __init__(self, proc: asyncio.subprocess.Process, db: Path) -> None:
        self.proc = proc
        self.db = db
        self.lines: list[str] = []
        self.port: int | None = None
        self._ready = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        async for raw in self.proc.stderr:
            line = raw.decode(errors="replace").rstrip()
            self.lines.append(line)
            found = re.search(r"parley: serving .* HTTP on [\d.]+:(\d+)", line)
            if found:
                self.port = int(found.group(1))
                self._ready.set()

    async def ready(self, timeout: float = 30) -> None:  # noqa: ASYNC109
        waiter = asyncio.create_task(self._ready.wait())
        done, _ = await asyncio.wait({waiter, asyncio.create_task(self.proc.wait())}, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if waiter not in done:
            waiter.cancel()
            raise AssertionError("parley run did not start:\n" + "\n".join(self.lines))

    async def stop(self) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        await asyncio.wait_for(self._reader, 5)
        assert self.proc.returncode is not None
        return self.proc.returncode

    def output(self) -> str:
        return "\n".join(self.lines)


def parley_env(fake: FakeTelegram, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update({"PYTHONPATH": str(ROOT), "PARLEY_TELEGRAM_TOKEN": TOKEN, "PARLEY_TELEGRAM_API_URL": fake.url,
                "PARLEY_HTTP_PORT": "0", "PARLEY_DATABASE_URL": "sqlite:///" + str(tmp_path / "parley.db"),
                "PARLEY_LOG_LEVEL": "INFO"})
    env.update(extra)
    return env


async def launch(env: dict[str, str], tmp_path: Path) -> Parley:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", cwd=str(ROOT), env=env,
                                                stdin=asyncio.subprocess.DEVNULL,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    return Parley(proc, tmp_path / "parley.db")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def parley(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[Parley]:
    running = await launch(parley_env(fake, tmp_path), tmp_path)
    await running.ready()
    yield running
    code = await running.stop()
    out = running.output()
    assert code == 0, out
    assert TOKEN not in out and TOKEN.split(":")[1] not in out, "the token never reaches a log line"


async def say(fake: FakeTelegram, user: TgUser, text: str, *, count: int = 1, **kw: Any) -> Stored:
    chat = kw.get("chat") or private_chat(user)
    mark = fake.mark()
    fake.message(user, text, **kw)
    await fake.wait_for("sendMessage", lambda c: c["chat_id"] == chat["id"], count=count, since=mark, timeout=15)
    return fake.last(chat["id"])


async def press(fake: FakeTelegram, user: TgUser, message: Stored, label: str | None = None, *,
                data: str | None = None, sends: int = 0) -> Any:
    mark = fake.mark()
    update_id = fake.press(user, message, label, data=data)
    await fake.wait_for("answerCallbackQuery", since=mark, timeout=15)
    if sends:
        await fake.wait_for("sendMessage", count=sends, since=mark, timeout=15)
    return fake.answer_for(update_id)


def button(message: Stored, part: str) -> str:
    return next(d for _, d in message.buttons if part in d)


async def test_conversation_through_parley_run(fake: FakeTelegram, parley: Parley) -> None:
    assert fake.calls[0].method == "getMe" and set(fake.commands) == {"", "ru", "ro"}

    start = await say(fake, ANA, "/start")
    assert "<b>Parley</b>" in str(start.html) and start.buttons

    card = await say(fake, ANA, f"/conflict {CRISIS}")
    assert ":offered:walk~" in card.buttons[0][1], "the walk button, stamped with its owner"

    dm = await say(fake, BOB, "my client just called me an idiot and says he won't pay the invoice")
    assert dm.buttons, "a direct message with no command is triaged"

    # the walkthrough, with presses
    answer = await press(fake, ANA, card, data=button(card, ":offered:walk"), sends=1)
    assert answer is not None and not answer.get("show_alert")
    assert card.keyboard is None and card.text.endswith("Walk me through it")
    listen = fake.last(ANA.id)
    paraphrase = await say(fake, ANA, "He says the banner was late and the colours are wrong")
    assert paraphrase is not listen and "banner" in paraphrase.text
    await press(fake, ANA, paraphrase, data=button(paraphrase, ":paraphrase:ok"), sends=1)
    cause = fake.last(ANA.id)
    assert any(":cause:c:" in d for _, d in cause.buttons)

    # in a group, Bob pressing Ana's button gets an alert and nothing changes
    group_card = await say(fake, ANA, f"/conflict {CRISIS}", chat=GROUP)
    mark = fake.mark()
    refused = await press(fake, BOB, group_card, data=button(group_card, ":offered:walk"))
    assert refused is not None and refused["show_alert"] is True and "someone else" in refused["text"]
    await asyncio.sleep(0.3)
    assert not fake.calls_of("sendMessage", mark) and not fake.calls_of("editMessageText", mark)
    assert group_card.keyboard

    # flood control: a 429 is waited out and the reply still arrives
    fake.fail("sendMessage", 429, retry_after=1)
    mark = fake.mark()
    await say(fake, BOB, "/help")
    assert [c.status for c in fake.calls_of("sendMessage", mark)] == [429, 200]

    # a redelivered update (offset never confirmed) is not processed twice
    mark = fake.mark()
    update_id = fake.message(BOB, "/cards")
    await fake.wait_for("sendMessage", since=mark, timeout=15)
    fake.redeliver(update_id)
    again = fake.mark()
    await fake.wait_for("getUpdates", since=again, timeout=15)
    await asyncio.sleep(0.5)
    assert len(fake.calls_of("sendMessage", mark)) == 1


async def test_nudges_through_parley_run(fake: FakeTelegram, parley: Parley) -> None:
    await say(fake, ANA, f"/conflict {CRISIS}")
    confirm = await say(fake, ANA, "/followup 2s call the client back")
    assert "#" in confirm.text
    nudge_calls = await fake.wait_for("sendMessage", lambda c: "n:" in str(c.get("reply_markup")),
                                      since=fake.mark(), timeout=20)
    nudge = fake.last(ANA.id)
    assert "call the client back" in nudge_calls[0]["text"] and nudge.buttons
    await press(fake, ANA, nudge, data=button(nudge, ":done"))
    await fake.wait_for("editMessageText", since=0, timeout=10)
    assert nudge.keyboard is None, "an answered nudge cannot be answered again"

    # Bob blocks the bot before his nudge is due: one attempt, a permanent failure, no retries
    await say(fake, BOB, f"/conflict {CRISIS}")
    await say(fake, BOB, "/followup 1s")
    fake.block(BOB.id)
    mark = fake.mark()
    await asyncio.sleep(4)
    attempts = [c for c in fake.calls_of("sendMessage", mark) if c["chat_id"] == BOB.id]
    assert [c.status for c in attempts] == [403]
    with sqlite3.connect(parley.db) as db:
        blocked, = db.execute("SELECT blocked FROM users WHERE platform='telegram' AND user_id=?",
                              (str(BOB.id),)).fetchone()
        statuses = [r[0] for r in db.execute("SELECT status FROM nudges")]
    assert blocked == 1 and "failed" in statuses


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


async def _until(condition: Any, within: float = 15.0) -> None:
    """Polls ``condition()`` until it holds; fails after ``within`` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_update_redelivered_after_a_kill_is_not_repeated(fake: FakeTelegram, tmp_path: Path) -> None:
    env = parley_env(fake, tmp_path)
    first = await launch(env, tmp_path)
    await first.ready()
    mark = fake.mark()
    update_id = fake.message(ANA, f"/conflict {CRISIS}")
    await fake.wait_for("sendMessage", since=mark, timeout=15)
    # the reply's outbox row is marked sent: a kill before that is the at-least-once window, tested below
    await _until(lambda: _count(first.db, "SELECT COUNT(*) FROM outbox WHERE status='sent'") == 1)
    first.proc.kill()  # SIGKILL: no clean shutdown, nothing confirmed on the way out
    await first.stop()
    fake.redeliver(update_id)  # Telegram never saw the offset move past it
    second = await launch(env, tmp_path)
    try:
        await second.ready()
        again = fake.mark()
        await fake.wait_for("getUpdates", lambda c: int(c.get("offset") or 0) > update_id, since=again, timeout=15)
        await asyncio.sleep(0.5)
        assert len(fake.calls_of("sendMessage", mark)) == 1, "the card was not sent a second time"
        with sqlite3.connect(second.db) as db:
            assert db.execute("SELECT COUNT(*) FROM cases").fetchone() == (1,)
    finally:
        assert await second.stop() == 0, second.output()


async def test_webhook_mode_through_parley_run(fake: FakeTelegram, tmp_path: Path) -> None:
    env = parley_env(fake, tmp_path, PARLEY_TELEGRAM_WEBHOOK_URL="https://parley.example.org/telegram/webhook",
                     PARLEY_TELEGRAM_WEBHOOK_SECRET="e2e-secret")
    running = await launch(env, tmp_path)
    try:
        await running.ready()
        assert fake.webhook is not None and fake.webhook["secret_token"] == "e2e-secret"
        fake.webhook["url"] = f"http://127.0.0.1:{running.port}/telegram/webhook"
        fake.chats[ANA.id] = private_chat(ANA)
        update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": private_chat(ANA),
                                              "from": ANA.json(), "text": "/start"}}
        assert await fake.post_webhook(update, "not-the-secret") == 403
        assert await fake.post_webhook(update, None) == 403
        await asyncio.sleep(0.3)
        assert not fake.calls_of("sendMessage")
        assert await fake.post_webhook(update, "e2e-secret") == 200
        await fake.wait_for("sendMessage", timeout=15)
        reply = await say(fake, ANA, "/cards")  # delivered by the fake like Telegram does
        assert "/card" in reply.text
        assert not fake.calls_of("getUpdates")
    finally:
        assert await running.stop() == 0, running.output()


async def test_wrong_token_is_a_one_line_error(fake: FakeTelegram, tmp_path: Path) -> None:
    env = parley_env(fake, tmp_path, PARLEY_TELEGRAM_TOKEN="42:definitely-wrong", PARLEY_LOG_LEVEL="WARNING")
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", cwd=str(ROOT), env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode not in (0, None)
    lines = [line for line in err.decode().splitlines() if line.strip()]
    assert len(lines) == 1 and "PARLEY_TELEGRAM_TOKEN" in lines[0], err.decode()
    assert "definitely-wrong" not in (out + err).decode()
    assert "Traceback" not in err.decode()


async def test_port_in_use_is_a_one_line_error(fake: FakeTelegram, tmp_path: Path) -> None:
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        env = parley_env(fake, tmp_path, PARLEY_HTTP_PORT=str(taken.getsockname()[1]), PARLEY_LOG_LEVEL="WARNING")
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", cwd=str(ROOT), env=env,
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        taken.close()
    assert proc.returncode == 1
    lines = [line for line in err.decode().splitlines() if line.strip()]
    assert len(lines) == 1 and "PARLEY_HTTP_PORT" in lines[0] and "Traceback" not in err.decode(), err.decode()
