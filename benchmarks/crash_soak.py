"""Crash soak: SIGKILL `parley run` at random moments under mixed traffic with nudges falling due, then count.

Not a test. Starts `parley run` against a fake platform (Telegram by default, ``--platform slack`` for
Slack), a dozen users talking to it at once, and kills it with SIGKILL at random moments (``--kills``,
at least 50 for the issue), restarting it each time. The traffic: every user opens a case, then keeps
sending ``/followup <1-4>s <token>`` (its confirmation and, seconds later, its nudge both carry the
token, so each can be counted), with /cards, /help and /cases in between. After the last kill it lets
Parley finish, stops it cleanly and prints:

- updates answered / never answered / answered twice (the /followup commands, by their token);
- nudges lost (a nudge the database scheduled whose message never came) and doubled (came twice), and
  how many of the doubles carry the "this may repeat" note (Telegram's marked at-least-once window);
- `PRAGMA integrity_check` of the database.

Run from the repository root: ``python benchmarks/crash_soak.py [--kills 50] [--platform telegram|slack]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from content import library  # noqa: E402
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackSender, all_text  # noqa: E402
from tests.fake_telegram import TOKEN, FakeTelegram, TgUser  # noqa: E402

CRISIS = "the client has not paid the invoice for two months and stopped answering"
NOTE = library().t("outbox.may_repeat", "en")
CONFIRMATION = re.compile(r"Reminder for case #\d+ set")


class Parley:
    """One `parley run` process; its stderr is drained (and kept) so a full pipe never stalls it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.proc: asyncio.subprocess.Process | None = None
        self.port = 0
        self.lines: list[str] = []
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", cwd=str(ROOT), env=self.env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        assert self.proc.stderr is not None
        deadline = time.monotonic() + 30
        while True:
            raw = await asyncio.wait_for(self.proc.stderr.readline(), max(0.1, deadline - time.monotonic()))
            if not raw:
                raise SystemExit("parley run exited before serving:\n" + "".join(self.lines[-20:]))
            self.lines.append(raw.decode(errors="replace"))
            found = re.search(r"HTTP on [^\s:]+:(\d+)", self.lines[-1])
            if found:
                self.port = int(found.group(1))
                break
        self._reader = asyncio.ensure_future(self._drain())

    async def _drain(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        async for raw in self.proc.stderr:
            self.lines.append(raw.decode(errors="replace"))

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        await self.proc.wait()
        if self._reader is not None:
            await asyncio.wait_for(self._reader, 5)

    async def stop(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.proc.wait(), 30)
        if self._reader is not None:
            await asyncio.wait_for(self._reader, 5)
        return code


class Platform:
    """What the soak needs from a fake platform: send a user's text, read what reached each chat."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def env(self, db: Path) -> dict[str, str]:
        raise NotImplementedError

    async def connected(self, parley: Parley) -> None: ...

    async def say(self, user: int, text: str, request_id: str) -> None:
        """``request_id`` is the same for every retry of one request (the platform's own dedup key)."""
        raise NotImplementedError

    def texts(self) -> list[tuple[int, str]]:
        """(user, text) of every message the bot got through to a user, in arrival order."""
        raise NotImplementedError


class Telegram(Platform):
    def __init__(self) -> None:
        self.fake = FakeTelegram()

    async def start(self) -> None:
        await self.fake.start()

    async def stop(self) -> None:
        await self.fake.stop()

    def env(self, db: Path) -> dict[str, str]:
        return {"PARLEY_TELEGRAM_TOKEN": TOKEN, "PARLEY_TELEGRAM_API_URL": self.fake.url,
                "PARLEY_DATABASE_URL": f"sqlite:///{db}"}

    async def say(self, user: int, text: str, request_id: str) -> None:
        self.fake.message(TgUser(7000 + user, f"User{user}", "en"), text)

    def texts(self) -> list[tuple[int, str]]:
        return [(int(c["chat_id"]) - 7000, str(c.get("text") or "")) for c in self.fake.calls
                if c.method == "sendMessage" and c.status == 200]


class Slack(Platform):
    def __init__(self) -> None:
        self.fake = FakeSlack()
        self.sender: SlackSender | None = None

    async def start(self) -> None:
        await self.fake.start()

    async def stop(self) -> None:
        if self.sender is not None:
            await self.sender.__aexit__(None, None, None)
        await self.fake.stop()

    def env(self, db: Path) -> dict[str, str]:
        return {"PARLEY_SLACK_BOT_TOKEN": BOT_TOKEN, "PARLEY_SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "PARLEY_SLACK_API_URL": self.fake.api_url, "PARLEY_DATABASE_URL": f"sqlite:///{db}"}

    async def connected(self, parley: Parley) -> None:
        if self.sender is not None:
            await self.sender.__aexit__(None, None, None)
        self.sender = SlackSender(f"http://127.0.0.1:{parley.port}/slack/events", fake=self.fake)
        await self.sender.__aenter__()

    async def say(self, user: int, text: str, request_id: str) -> None:
        """A slash command in the user's DM with the app; a retry carries the same trigger id."""
        assert self.sender is not None
        command, _, rest = text.partition(" ")
        if command != "/conflict":
            command, rest = "/parley", text.lstrip("/")
        status, _, _ = await self.sender.command(command, rest, user=f"U{user}", channel=f"D{user}",
                                                 trigger_id=request_id)
        if status != 200:
            raise RuntimeError(f"HTTP {status}")

    def texts(self) -> list[tuple[int, str]]:
        found = []
        for message in [*self.fake.posts(), *self.fake.ephemerals]:
            channel = str(message["channel"])
            if channel.startswith("D") and channel[1:].isdigit():
                found.append((int(channel[1:]), all_text(message)))
        return found


async def user_traffic(platform: Platform, user: int, stop: asyncio.Event, sent: list[str], rng: random.Random,
                       ready: asyncio.Event) -> None:
    """One user: a case, then /followup with a token (waiting for its confirmation), other commands between."""
    await ready.wait()
    await _say(platform, user, f"/conflict {CRISIS}", ready)
    await asyncio.sleep(2.0)
    k = 0
    while not stop.is_set():
        k += 1
        token = f"tok{user}x{k}"
        sent.append(token)
        await _say(platform, user, f"/followup {rng.randint(1, 4)}s {token}", ready)
        deadline = time.monotonic() + 20
        while not stop.is_set() and time.monotonic() < deadline:
            if any(token in text and CONFIRMATION.search(text) for u, text in platform.texts() if u == user):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(rng.uniform(0.05, 0.6))
        if rng.random() < 0.5:
            await _say(platform, user, rng.choice(["/cards", "/help", "/cases"]), ready)


async def _say(platform: Platform, user: int, text: str, ready: asyncio.Event) -> None:
    """Sends once Parley is up; a request killed half-way is sent again (the platform's retry)."""
    request_id = f"{user}.{random.getrandbits(48):012x}"
    while True:
        await ready.wait()
        try:
            await platform.say(user, text, request_id)
            return
        except Exception:
            await asyncio.sleep(0.2)


def counts(platform: Platform, sent: list[str], db: Path) -> dict[str, Any]:
    confirmations: Counter[str] = Counter()
    confirmations_noted: Counter[str] = Counter()
    nudges: Counter[str] = Counter()
    noted: Counter[str] = Counter()
    for _, text in platform.texts():
        for token in set(re.findall(r"tok\d+x\d+", text)):  # a Slack message holds its text twice
            if CONFIRMATION.search(text):
                confirmations[token] += 1
                confirmations_noted[token] += NOTE in text
            else:
                nudges[token] += 1
                noted[token] += NOTE in text
    with sqlite3.connect(db) as conn:
        scheduled = {row[0]: row[1] for row in conn.execute("SELECT note, status FROM nudges WHERE note LIKE 'tok%'")}
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        unsent_rows = conn.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('pending','claimed')").fetchone()[0]
        failed_rows = conn.execute("SELECT COUNT(*) FROM outbox WHERE status='failed'").fetchone()[0]
        unfinished = conn.execute("SELECT COUNT(*) FROM processed_events WHERE status='pending'").fetchone()[0]
    doubled = [t for t in scheduled if nudges[t] > 1]
    return {
        "updates": len(sent),
        "answered": sum(1 for t in sent if confirmations[t] >= 1),
        "never answered": [t for t in sent if confirmations[t] == 0],
        "answered twice": [t for t in sent if confirmations[t] > 1],
        "twice marked 'may repeat'": sum(1 for t in sent if confirmations[t] > 1
                                         and confirmations_noted[t] >= confirmations[t] - 1),
        "nudges scheduled": len(scheduled),
        "nudges lost": [t for t in scheduled if nudges[t] == 0],
        "nudges doubled": doubled,
        "doubles marked 'may repeat'": sum(1 for t in doubled if noted[t] >= nudges[t] - 1),
        "nudge statuses": dict(Counter(scheduled.values())),
        "outbox rows unsent": unsent_rows,
        "outbox rows failed": failed_rows,
        "events unfinished": unfinished,
        "integrity_check": integrity,
    }


async def main(kills: int, users: int, platform_name: str, seed: int) -> int:
    rng = random.Random(seed)
    platform: Platform = Telegram() if platform_name == "telegram" else Slack()
    await platform.start()
    with tempfile.TemporaryDirectory(prefix="parley-soak-") as tmp:
        db = Path(tmp) / "soak.db"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
        env.update({"PYTHONPATH": str(ROOT), "PARLEY_HTTP_HOST": "127.0.0.1", "PARLEY_HTTP_PORT": "0",
                    "PARLEY_LOG_LEVEL": "WARNING", **platform.env(db)})
        parley = Parley(env)
        await parley.start()
        await platform.connected(parley)
        ready, stop = asyncio.Event(), asyncio.Event()
        ready.set()
        sent: list[str] = []
        traffic = [asyncio.ensure_future(user_traffic(platform, u, stop, sent, random.Random(seed * 100 + u), ready))
                   for u in range(1, users + 1)]
        started = time.monotonic()
        await asyncio.sleep(4.0)
        for kill in range(kills):
            await asyncio.sleep(rng.uniform(0.3, 2.5))
            ready.clear()
            await parley.kill()
            await asyncio.sleep(rng.uniform(0.0, 0.5))
            await parley.start()
            await platform.connected(parley)
            ready.set()
            print(f"\rkill {kill + 1}/{kills} ({len(sent)} /followup commands so far)", end="", flush=True)
        print()
        stop.set()
        await asyncio.gather(*traffic, return_exceptions=True)
        # let everything still owed arrive: replies, retries, nudges up to 4 s ahead plus quiet-free delivery
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            figures = counts(platform, sent, db)
            if not figures["never answered"] and not figures["nudges lost"] and not figures["outbox rows unsent"] \
                    and figures["nudges scheduled"] == sum(figures["nudge statuses"].get(s, 0)
                                                           for s in ("sent", "answered", "cancelled", "failed")):
                break
            await asyncio.sleep(1.0)
        await asyncio.sleep(2.0)
        code = await parley.stop()
        figures = counts(platform, sent, db)
        tracebacks = sum("Traceback" in line for line in parley.lines)
    await platform.stop()

    print(f"{platform_name}: {kills} SIGKILLs over {time.monotonic() - started:.0f} s, {users} users; "
          f"clean stop exit code {code}; {tracebacks} traceback(s) in the last run's log")
    print(f"updates (/followup) sent:    {figures['updates']}")
    print(f"  answered:                  {figures['answered']}")
    print(f"  never answered:            {len(figures['never answered'])} {figures['never answered'][:10]}")
    twice_marked = figures["twice marked 'may repeat'"]
    print(f"  answered twice:            {len(figures['answered twice'])} {figures['answered twice'][:10]}"
          f" ({twice_marked} with the 'may repeat' note on the copy)")
    print(f"nudges scheduled:            {figures['nudges scheduled']}  statuses {figures['nudge statuses']}")
    print(f"  lost:                      {len(figures['nudges lost'])} {figures['nudges lost'][:10]}")
    marked = figures["doubles marked 'may repeat'"]
    print(f"  doubled:                   {len(figures['nudges doubled'])} {figures['nudges doubled'][:10]}"
          f" ({marked} with the 'may repeat' note on the copy)")
    print(f"outbox rows unsent / failed: {figures['outbox rows unsent']} / {figures['outbox rows failed']}; "
          f"events unfinished: {figures['events unfinished']}")
    print(f"PRAGMA integrity_check:      {figures['integrity_check']}")
    lost = len(figures["never answered"]) + len(figures["nudges lost"])
    return 0 if lost == 0 and figures["integrity_check"] == "ok" else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--platform", choices=("telegram", "slack"), default="telegram")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.kills, args.users, args.platform, args.seed)))
