"""Scale-out: nudges delivered per second and events handled per second by 1, 2 and 4 `parley run`
instances on one PostgreSQL database, against one instance on SQLite, in the same run.

Each configuration gets a fresh database and the same work, against the fake Slack of
tests/fake_slack.py (HTTP mode, each instance on its own port; every Web API call answers after
``--latency`` seconds, like a network round trip):

- nudges: ``--nudges`` rows due at one moment a few seconds after the instances are up; the rate is
  rows / (last chat.postMessage - due moment), and every row must end ``sent`` with no nudge posted
  twice;
- events: ``--events`` signed Slack DMs (distinct users and channels, texts from the triage corpus),
  ``--concurrency`` at a time, spread round-robin over the instances; the rate is events / (last
  answer at the fake - first send).

PostgreSQL is started from the server binaries (initdb/pg_ctl, as the tests do) unless
``PARLEY_TEST_DATABASE_URL`` names one. Everything runs on this machine, fakes included, so the
figures say how the instances share this machine's cores, not what a cluster would do.

    python benchmarks/scale_out.py [--nudges 5000] [--events 600] [--latency 0.05] [--concurrency 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from bot.store import open_store  # noqa: E402
from tests import pg_server  # noqa: E402
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackSender  # noqa: E402

NOTE = re.compile(r"ticket-(\d+)-end")


@dataclass
class Result:
    backend: str
    instances: int
    nudges_per_s: float
    events_per_s: float
    doubled: int
    startup_s: float


def texts(n: int) -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "content/triage/corpus.jsonl").read_text("utf-8").splitlines()
            if line.strip()]
    return [rows[i % len(rows)]["text"] for i in range(n)]


async def start_parley(fake: FakeSlack, url: str) -> tuple[asyncio.subprocess.Process, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update({"PYTHONPATH": str(ROOT), "PARLEY_SLACK_BOT_TOKEN": BOT_TOKEN,
                "PARLEY_SLACK_SIGNING_SECRET": SIGNING_SECRET, "PARLEY_SLACK_API_URL": fake.api_url,
                "PARLEY_HTTP_HOST": "127.0.0.1", "PARLEY_HTTP_PORT": "0", "PARLEY_DATABASE_URL": url})
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", cwd=str(ROOT), env=env,
                                                stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    assert proc.stderr is not None
    while True:
        line = (await asyncio.wait_for(proc.stderr.readline(), 60)).decode(errors="replace")
        if not line:
            raise SystemExit(f"parley run exited ({await proc.wait()}) before serving")
        found = re.search(r"HTTP on [^\s:]+:(\d+)", line)
        if found:
            asyncio.ensure_future(_drain(proc))
            return proc, int(found.group(1))


async def _drain(proc: asyncio.subprocess.Process) -> None:
    assert proc.stderr is not None
    async for _ in proc.stderr:
        pass


SEED_USERS = "INSERT INTO users (platform, user_id, lang, tz, created_at) VALUES ('slack', ?, 'en', 'UTC', ?)"


async def seed(url: str, count: int, due_at: float) -> None:
    """``count`` users with an open case and one nudge each, all due at ``due_at`` (Unix time)."""
    store = await open_store(url)  # migrates
    await store.close()
    if url.startswith("sqlite:///"):
        due = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(due_at)) + f".{int(due_at % 1 * 1e6):06d}Z"
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
        raw = sqlite3.connect(url[len("sqlite:///"):])
        with raw:
            raw.executemany(SEED_USERS, [(f"U{i}", now) for i in range(1, count + 1)])
            raw.executemany("INSERT INTO cases (platform, chat_id, user_id, step, lang, created_at, updated_at) "
                            "VALUES ('slack', ?, ?, 'tracking', 'en', ?, ?)",
                            [(f"D{i}", f"U{i}", now, now) for i in range(1, count + 1)])
            raw.execute("INSERT INTO nudges (case_id, kind, due_at, note, created_at) "
                        "SELECT id, 'custom', ?, 'ticket-' || id || '-end', ? FROM cases", (due, now))
        raw.close()
        return
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("""INSERT INTO users (platform, user_id, lang, tz, created_at)
                              SELECT 'slack', 'U' || i, 'en', 'UTC', now() FROM generate_series(1, $1) AS i""", count)
        await conn.execute("""INSERT INTO cases (platform, chat_id, user_id, step, lang, created_at, updated_at)
                              SELECT 'slack', 'D' || i, 'U' || i, 'tracking', 'en', now(), now()
                              FROM generate_series(1, $1) AS i""", count)
        await conn.execute("""INSERT INTO nudges (case_id, kind, due_at, note, created_at)
                              SELECT id, 'custom', to_timestamp($1), 'ticket-' || id || '-end', now() FROM cases""",
                           due_at)
    finally:
        await conn.close()


def posted_nudges(fake: FakeSlack) -> tuple[Counter[int], float]:
    """How often each nudge reached the fake, and when the last one did (monotonic)."""
    seen: Counter[int] = Counter()
    last = 0.0
    for call in fake.of("chat.postMessage"):
        found = NOTE.search(json.dumps(call.params))
        if found and call.response.get("ok"):
            seen[int(found.group(1))] += 1
            last = max(last, call.at)
    return seen, last


async def run_config(backend: str, instances: int, url: str, args: argparse.Namespace) -> Result:
    fake = await FakeSlack().start()
    fake.latency = args.latency
    # the nudges fall due once every instance is up: seed them for later than the slowest start
    started = time.monotonic()
    due_wall = time.time() + args.startup_allowance
    await seed(url, args.nudges, due_wall)
    procs = await asyncio.gather(*(start_parley(fake, url) for _ in range(instances)))
    ready = time.monotonic()
    startup = ready - started
    due_mono = time.monotonic() + (due_wall - time.time())
    if time.monotonic() > due_mono:
        print(f"  note: the instances took {startup:.1f} s to start, after the nudges fell due")
    try:
        deadline = time.monotonic() + 600
        while True:
            seen, last = posted_nudges(fake)
            if len(seen) >= args.nudges:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"{backend} x{instances}: only {len(seen)}/{args.nudges} nudges in 600 s")
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)
        seen, last = posted_nudges(fake)
        nudge_rate = args.nudges / max(last - max(due_mono, ready), 1e-9)
        doubled = sum(1 for k in seen.values() if k > 1)

        # events: signed DMs, round-robin over the instances
        gate = asyncio.Semaphore(args.concurrency)
        senders = [SlackSender(f"http://127.0.0.1:{port}/slack/events", fake=fake) for _, port in procs]
        for sender in senders:
            await sender.__aenter__()
        sent_at: dict[str, float] = {}

        async def one(i: int, text: str) -> None:
            channel = f"DE{i:05d}"
            async with gate:
                sent_at[channel] = time.monotonic()
                await senders[i % len(senders)].message(text, user=f"UE{i}", channel=channel)

        first = time.monotonic()
        await asyncio.gather(*(one(i, text) for i, text in enumerate(texts(args.events))))
        answered: dict[str, float] = {}
        deadline = time.monotonic() + 300
        while len(answered) < args.events and time.monotonic() < deadline:
            for call in fake.calls:
                channel = str(call.params.get("channel", ""))
                if call.method == "chat.postMessage" and channel in sent_at and channel not in answered \
                        and call.response.get("ok"):
                    answered[channel] = call.at
            await asyncio.sleep(0.1)
        for sender in senders:
            await sender.__aexit__(None, None, None)
        if len(answered) < args.events:
            raise SystemExit(f"{backend} x{instances}: only {len(answered)}/{args.events} events answered")
        event_rate = args.events / (max(answered.values()) - first)
    finally:
        for proc, _ in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc, _ in procs:
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
        await fake.stop()
    return Result(backend, instances, nudge_rate, event_rate, doubled, startup)


async def main(args: argparse.Namespace) -> int:
    server = pg_server.start()
    results: list[Result] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            plan = [("sqlite", 1)] + [("postgres", n) for n in args.instances]
            for backend, count in plan:
                url = (f"sqlite:///{tmp}/bench-{count}.db" if backend == "sqlite" else server.new_database_url())
                print(f"{backend} x{count} ...", flush=True)
                results.append(await run_config(backend, count, url, args))
    finally:
        server.stop()
    print()
    print(f"{args.nudges} nudges due at once, {args.events} Slack DMs ({args.concurrency} in flight), "
          f"fake Slack latency {args.latency * 1000:.0f} ms, {os.cpu_count()} CPU cores shared by everything")
    print(f"| {'backend':10} | {'instances':>9} | {'nudges/s':>9} | {'events/s':>9} | {'sent twice':>10} |")
    print(f"|{'-' * 12}|{'-' * 11}|{'-' * 11}|{'-' * 11}|{'-' * 12}|")
    for r in results:
        print(f"| {r.backend:10} | {r.instances:>9} | {r.nudges_per_s:>9.0f} | {r.events_per_s:>9.1f} | "
              f"{r.doubled:>10} |")
    return 0 if all(r.doubled == 0 for r in results) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nudges", type=int, default=5000)
    parser.add_argument("--events", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=60)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds each fake Web API call takes")
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2, 4],
                        help="PostgreSQL instance counts to run")
    parser.add_argument("--startup-allowance", type=float, default=8.0,
                        help="seconds from seeding to the nudges' due time (the instances start meanwhile)")
    raise SystemExit(asyncio.run(main(parser.parse_args())))
