"""How fast `parley run` acknowledges Slack, and how long until the answer reaches Slack.

Starts `parley run` as a subprocess against the fake Slack Web API in tests/fake_slack.py, then sends
N signed slash commands (`/conflict <text>`, texts from the triage dev set, each in its own channel so
its answer can be matched), C at a time. Prints p50/p90/p99/max of

- ack: from sending the request to the HTTP 200 (Slack needs it within 3 s; target p99 < 300 ms)
- reply: from sending the request to the answer's chat.postMessage / chat.postEphemeral at the fake

The anchor, measured in the same run against the same fake: a bare slack-bolt app in its own process
(aiohttp, signature checks on, ack then one chat.postMessage per command, no store and no logic). The
issue's targets: Parley's reply p50 <= 1.5x and ack p99 <= 1.5x the bare app's.

Also printed (Linux): the CPU time each server process and this process (client and fake) used during
the burst, per command. The burst is a closed loop (a new command as soon as one is acknowledged), so
once a server's CPU is saturated its mean ack time is about concurrency x its CPU per command (Little's
law): the ratio of the two servers' CPU per command bounds what any reordering inside Parley can win.

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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackSender  # noqa: E402

TARGET_ACK_P99 = 0.300


def cpu_seconds(pid: int | None = None) -> float | None:
    """User + system CPU seconds of process ``pid`` (this one when None); None where /proc is missing."""
    if pid is None:
        times = os.times()
        return times.user + times.system
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def texts(n: int) -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "content/triage/corpus.jsonl").read_text("utf-8").splitlines()
            if line.strip()]
    return [rows[i % len(rows)]["text"] for i in range(n)]


def serve_bare(api_url: str) -> None:
    """The anchor: a bare bolt app on aiohttp that acks /conflict and posts one message. Prints its port."""
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.app.async_app import AsyncApp
    from slack_bolt.authorization import AuthorizeResult
    from slack_sdk.web.async_client import AsyncWebClient

    async def authorize() -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=None, team_id="T0001", bot_user_id="UBOT", bot_id="BBOT",
                               bot_token=BOT_TOKEN)

    async def main() -> None:
        app = AsyncApp(signing_secret=SIGNING_SECRET, client=AsyncWebClient(base_url=api_url), authorize=authorize)

        @app.command("/conflict")
        async def conflict(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
            await ack()
            await client.chat_postMessage(channel=body["channel_id"], text="ok")

        async def handle(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

        web_app = web.Application()
        web_app.router.add_post("/slack/events", handle)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        print(f"bare bolt app: HTTP on 127.0.0.1:{runner.addresses[0][1]}", file=sys.stderr, flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


async def start_bare(fake: FakeSlack) -> tuple[asyncio.subprocess.Process, int]:
    proc = await asyncio.create_subprocess_exec(sys.executable, __file__, "--serve-bare", fake.api_url, cwd=str(ROOT),
                                                stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    return proc, await _port(proc)


async def start_parley(fake: FakeSlack, db: Path) -> tuple[asyncio.subprocess.Process, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update({"PYTHONPATH": str(ROOT), "PARLEY_SLACK_BOT_TOKEN": BOT_TOKEN,
                "PARLEY_SLACK_SIGNING_SECRET": SIGNING_SECRET, "PARLEY_SLACK_API_URL": fake.api_url,
                "PARLEY_HTTP_HOST": "127.0.0.1", "PARLEY_HTTP_PORT": "0", "PARLEY_DATABASE_URL": f"sqlite:///{db}"})
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", cwd=str(ROOT), env=env,
                                                stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    return proc, await _port(proc)


async def _port(proc: asyncio.subprocess.Process) -> int:
    assert proc.stderr is not None
    while True:
        line = (await asyncio.wait_for(proc.stderr.readline(), 30)).decode(errors="replace")
        if not line:
            raise SystemExit(f"parley run exited ({await proc.wait()}) before serving")
        found = re.search(r"HTTP on [^\s:]+:(\d+)", line)
        if found:
            _DRAINS.add(asyncio.ensure_future(_drain(proc)))  # a full stderr pipe would stall the process
            return int(found.group(1))


_DRAINS: set[asyncio.Future[None]] = set()


async def _drain(proc: asyncio.subprocess.Process) -> None:
    assert proc.stderr is not None
    while await proc.stderr.readline():
        pass


async def measure(fake: FakeSlack, port: int, n: int, concurrency: int, tag: str, pid: int) -> dict[str, Any]:
    """Sends ``n`` signed /conflict commands, ``concurrency`` at a time; ack and reply times per command, and
    the CPU seconds the server ``pid`` and this process used from the first command to the last answer."""
    sent: dict[str, float] = {}
    acks: list[float] = []
    errors = 0
    gate = asyncio.Semaphore(concurrency)
    async with SlackSender(f"http://127.0.0.1:{port}/slack/events", fake=fake) as slack:
        for i in range(5):  # warm-up, not counted
            await slack.command("/conflict", "the client has not paid the invoice", channel=f"CWARM{tag}{i}")
        await asyncio.sleep(0.5)

        async def one(i: int, text: str) -> None:
            nonlocal errors
            channel = f"C{tag}{i:04d}"
            async with gate:
                sent[channel] = time.monotonic()
                status, _, elapsed = await slack.command("/conflict", text, user=f"U{tag}{i % 40}", channel=channel)
            if status == 200:
                acks.append(elapsed)
            else:
                errors += 1

        wall = time.monotonic()
        cpu_start = cpu_seconds(pid), cpu_seconds()
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
        server_cpu, own_cpu = cpu_seconds(pid), cpu_seconds()
    return {"acks": acks, "replies": list(replies.values()), "errors": errors, "ack_wall": ack_wall,
            "reply_wall": reply_wall,
            "server_cpu": None if server_cpu is None or cpu_start[0] is None else server_cpu - cpu_start[0],
            "own_cpu": None if own_cpu is None or cpu_start[1] is None else own_cpu - cpu_start[1]}


def show(label: str, n: int, result: dict[str, Any]) -> None:
    acks, reply_times = result["acks"], result["replies"]
    print(f"{label}: {n} signed /conflict commands; {result['errors']} non-200; "
          f"{len(reply_times)}/{n} answers reached the fake Web API")
    print(f"  ack   (HTTP 200): p50 {pct(acks, 50) * 1000:7.1f} ms   p90 {pct(acks, 90) * 1000:7.1f} ms   "
          f"p99 {pct(acks, 99) * 1000:7.1f} ms   max {max(acks) * 1000:7.1f} ms   mean "
          f"{statistics.mean(acks) * 1000:.1f} ms   ({n / result['ack_wall']:.0f} acks/s)")
    if reply_times:
        print(f"  reply (Web API):  p50 {pct(reply_times, 50) * 1000:7.1f} ms   p90 "
              f"{pct(reply_times, 90) * 1000:7.1f} ms   p99 {pct(reply_times, 99) * 1000:7.1f} ms   max "
              f"{max(reply_times) * 1000:7.1f} ms   (all answered after {result['reply_wall']:.2f} s)")
    if result["server_cpu"] is not None:
        print(f"  CPU per command:  {result['server_cpu'] / n * 1000:5.2f} ms in the server, "
              f"{result['own_cpu'] / n * 1000:5.2f} ms in the benchmark (client and fake Web API)")


async def main(n: int, concurrency: int) -> int:
    fake = await FakeSlack().start()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        proc, port = await start_parley(fake, Path(tmp) / "bench.db")
        print(f"parley run serving after {time.monotonic() - started:.2f} s (port {port}); "
              f"{concurrency} commands at a time")
        parley = await measure(fake, port, n, concurrency, "P", proc.pid)
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
        bare_proc, bare_port = await start_bare(fake)
        bare = await measure(fake, bare_port, n, concurrency, "B", bare_proc.pid)
        bare_proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bare_proc.wait(), 30)
    await fake.stop()

    show("Parley", n, parley)
    show("bare bolt app", n, bare)
    ok = parley["errors"] == 0 and len(parley["replies"]) == n and bool(bare["replies"])
    if ok:
        reply_ratio = pct(parley["replies"], 50) / pct(bare["replies"], 50)
        ack_ratio = pct(parley["acks"], 99) / pct(bare["acks"], 99)
        print(f"Parley / bare: reply p50 {reply_ratio:.2f}x (target <= 1.5x: {'met' if reply_ratio <= 1.5 else 'MISSED'}),"
              f" ack p99 {ack_ratio:.2f}x (target <= 1.5x: {'met' if ack_ratio <= 1.5 else 'MISSED'})")
        ok = reply_ratio <= 1.5 and ack_ratio <= 1.5
        if parley["server_cpu"] and bare["server_cpu"]:
            print(f"Parley / bare: CPU per command {parley['server_cpu'] / bare['server_cpu']:.2f}x")
    print(f"ack p99 < {TARGET_ACK_P99 * 1000:.0f} ms: {'met' if pct(parley['acks'], 99) < TARGET_ACK_P99 else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--serve-bare", metavar="API_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare)
        raise SystemExit(0)
    raise SystemExit(asyncio.run(main(args.n, args.concurrency)))
