"""How fast `parley run` acknowledges Slack, and how long until the answer reaches Slack.

Starts `parley run` as a subprocess against the fake Slack Web API in tests/fake_slack.py, then sends
N signed slash commands (`/conflict <text>`, texts from the triage dev set, each in its own channel so
its answer can be matched), C at a time. Prints p50/p90/p99/max of

- ack: from sending the request to the HTTP 200 (Slack needs it within 3 s; target p99 < 300 ms)
- reply: from sending the request to the answer's chat.postMessage / chat.postEphemeral at the fake

Run from the repository root: ``python benchmarks/slack_ack.py [--n 200] [--concurrency 50]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackSender  # noqa: E402

TARGET_ACK_P99 = 0.300


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def texts(n: int) -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "content/triage/corpus.jsonl").read_text("utf-8").splitlines()
            if line.strip()]
    return [rows[i % len(rows)]["text"] for i in range(n)]


async def start_parley(fake: FakeSlack, db: Path) -> tuple[asyncio.subprocess.Process, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update({"PYTHONPATH": str(ROOT), "PARLEY_SLACK_BOT_TOKEN": BOT_TOKEN,
                "PARLEY_SLACK_SIGNING_SECRET": SIGNING_SECRET, "PARLEY_SLACK_API_URL": fake.api_url,
                "PARLEY_HTTP_HOST": "127.0.0.1", "PARLEY_HTTP_PORT": "0", "PARLEY_DATABASE_URL": f"sqlite:///{db}"})
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", cwd=str(ROOT), env=env,
                                                stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    assert proc.stderr is not None
    while True:
        line = (await asyncio.wait_for(proc.stderr.readline(), 30)).decode(errors="replace")
        if not line:
            raise SystemExit(f"parley run exited ({await proc.wait()}) before serving")
        found = re.search(r"HTTP on [^\s:]+:(\d+)", line)
        if found:
            return proc, int(found.group(1))


async def main(n: int, concurrency: int) -> int:
    fake = await FakeSlack().start()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        proc, port = await start_parley(fake, Path(tmp) / "bench.db")
        print(f"parley run serving after {time.monotonic() - started:.2f} s (port {port})")
        sent: dict[str, float] = {}
        acks: list[float] = []
        errors = 0
        gate = asyncio.Semaphore(concurrency)
        async with SlackSender(f"http://127.0.0.1:{port}/slack/events", fake=fake) as slack:
            for i in range(5):  # warm-up, not counted
                await slack.command("/conflict", "the client has not paid the invoice", channel=f"CWARM{i}")

            async def one(i: int, text: str) -> None:
                nonlocal errors
                channel = f"CB{i:04d}"
                async with gate:
                    sent[channel] = time.monotonic()
                    status, _, elapsed = await slack.command("/conflict", text, user=f"U{i % 40}", channel=channel)
                if status == 200:
                    acks.append(elapsed)
                else:
                    errors += 1

            wall = time.monotonic()
            await asyncio.gather(*(one(i, text) for i, text in enumerate(texts(n))))
            ack_wall = time.monotonic() - wall
            replies: dict[str, float] = {}
            deadline = time.monotonic() + 120
            while len(replies) < len(sent) and time.monotonic() < deadline:
                for call in fake.calls:
                    channel = str(call.params.get("channel", ""))
                    if (call.method in ("chat.postMessage", "chat.postEphemeral") and channel in sent
                            and channel not in replies and call.response.get("ok")):
                        replies[channel] = call.at - sent[channel]
                await asyncio.sleep(0.05)
            reply_wall = time.monotonic() - wall
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
    await fake.stop()

    reply_times = list(replies.values())
    print(f"{n} signed /conflict commands, {concurrency} at a time; {errors} non-200; "
          f"{len(reply_times)}/{n} answers reached the fake Web API")
    print(f"ack   (HTTP 200): p50 {pct(acks, 50) * 1000:7.1f} ms   p90 {pct(acks, 90) * 1000:7.1f} ms   "
          f"p99 {pct(acks, 99) * 1000:7.1f} ms   max {max(acks) * 1000:7.1f} ms   mean "
          f"{statistics.mean(acks) * 1000:.1f} ms   ({n / ack_wall:.0f} acks/s)")
    if reply_times:
        print(f"reply (Web API):  p50 {pct(reply_times, 50) * 1000:7.1f} ms   p90 {pct(reply_times, 90) * 1000:7.1f} ms   "
              f"p99 {pct(reply_times, 99) * 1000:7.1f} ms   max {max(reply_times) * 1000:7.1f} ms   "
              f"(all answered after {reply_wall:.2f} s)")
    ok = errors == 0 and len(reply_times) == n and pct(acks, 99) < TARGET_ACK_P99
    print(f"target ack p99 < {TARGET_ACK_P99 * 1000:.0f} ms: {'met' if pct(acks, 99) < TARGET_ACK_P99 else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.n, args.concurrency)))
