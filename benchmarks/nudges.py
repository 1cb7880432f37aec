"""Scheduler benchmark: pending nudges in a temp SQLite store (100,000 by default; the issue runs 1,000,000),
1,000 of them due in the same second.

Prints: start time (open the store + scheduler.start), resident memory with the rows in the table,
and how late the 1,000 simultaneous nudges go out (p50/p99/max) through a fake adapter that awaits a
little per send, like a network call. Targets: start < 1 s, RSS < 150 MB, p99 lateness < 1 s.

    PYTHONPATH=. python benchmarks/nudges.py [--total 100000] [--burst 1000] [--render real|simple]

The rows are generated lazily (the fill never holds them in memory) and the burst's due time is set
after the fill, a few seconds ahead, so neither the fill's memory nor its duration is counted against
the scheduler. Each nudge goes through the outbox like in production (`Core.send`, marked sent).

Not a timed test: it prints figures and exits non-zero only when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

# run from anywhere: the project root first on the path, so `tests` (the fakes) imports too
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import build_core
from bot.core import Core
from bot.events import Reply, Target
from bot.outbox import Delivery
from bot.scheduler import Render, Scheduler
from bot.settings import load_settings
from bot.store import Nudge, SQLiteStore
from bot.store.models import to_db

USERS = 2_000
CASES_PER_USER = 5


class FakeAdapter:
    """Stands in for Telegram/Slack: a small await per send, and the wall time each nudge arrived."""

    platform = "fake"

    def __init__(self, latency: float, expected: int) -> None:
        self.latency = latency
        self.expected = expected
        self.arrived: dict[int, float] = {}
        self.sends = 0
        self.all_arrived = asyncio.Event()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, target: Target, replies: Sequence[Reply]) -> None:
        await asyncio.sleep(self.latency)
        self.sends += 1
        self.arrived.setdefault(int(target.thread_id or 0), time.time())
        if len(self.arrived) >= self.expected:
            self.all_arrived.set()

    async def deliver(self, delivery: Delivery) -> None:
        assert delivery.target is not None
        await self.send(delivery.target, delivery.replies)


def simple_render() -> Render:
    """A render with one case lookup, for when the walkthrough's is not importable."""

    async def render(core: Core, nudge: Nudge, late: bool) -> tuple[Target, list[Reply]] | None:
        case = await core.store.get_case(nudge.case_id)
        if case is None or not case.is_open:
            return None
        return Target(case.platform, case.chat_id, case.user_id, str(nudge.id)), [Reply(f"nudge {nudge.id}")]

    return render


def real_render() -> Render | None:
    """The walkthrough's own render (strings, user lookup), wrapped so the fake adapter sees the nudge id."""
    try:
        from handlers.followup import render_nudge
    except ImportError:
        return None

    async def render(core: Core, nudge: Nudge, late: bool) -> tuple[Target, list[Reply]] | None:
        rendered = await render_nudge(core, nudge, late)
        if rendered is None:
            return None
        target, replies = rendered
        return Target(target.platform, target.chat_id, target.user_id, str(nudge.id)), replies

    return render


def rss_mb() -> tuple[float, float]:
    """(current VmRSS, peak ru_maxrss) in MB: current from /proc where there is one."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if sys.platform == "darwin":
        peak /= 1024
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024, peak
    except OSError:
        pass
    return peak, peak


def fill(path: Path, total: int, burst: int, now: datetime) -> None:
    """Users, cases and nudges straight through sqlite3 (the store already made the schema), row by row
    from generators; the burst's rows get their due time later (`set_burst`)."""
    rng = random.Random(7)
    created = to_db(now)
    parked = to_db(now + timedelta(days=400))
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO users (platform, user_id, lang, tz, quiet_start, quiet_end, created_at) VALUES (?,?,?,?,?,?,?)",
            [("fake", f"u{i}", ("en", "ru", "ro")[i % 3], "UTC", None, None, created) for i in range(USERS)],
        )
        db.executemany(
            """INSERT INTO cases (platform, chat_id, thread_id, user_id, step, answers, status, lang, created_at,
               updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)""",
            [("fake", f"chat{i % USERS}", None, f"u{i % USERS}", "idle", "{}", "open", "en", created, created)
             for i in range(USERS * CASES_PER_USER)],
        )
        cases = USERS * CASES_PER_USER

        def rows() -> Iterator[tuple[int, str, str | None, str, str | None]]:
            for i in range(total):
                due = parked if i < burst else to_db(now + timedelta(days=1, seconds=rng.randrange(30 * 86400)))
                yield i % cases + 1, "custom", due, f"note {i}", created

        db.executemany("INSERT INTO nudges (case_id, kind, due_at, note, created_at) VALUES (?,?,?,?,?)", rows())


def set_burst(path: Path, burst: int, burst_at: datetime, spread: float) -> None:
    """The first ``burst`` nudges fall due at ``burst_at`` (within ``spread`` seconds)."""
    rng = random.Random(11)
    with sqlite3.connect(path) as db:
        db.executemany("UPDATE nudges SET due_at=? WHERE id=?",
                       ((to_db(burst_at + timedelta(seconds=rng.random() * spread)), i) for i in range(1, burst + 1)))


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=100_000)
    parser.add_argument("--burst", type=int, default=1_000)
    parser.add_argument("--latency", type=float, default=0.002, help="seconds the fake adapter awaits per send")
    parser.add_argument("--render", choices=("real", "simple"), default="real",
                        help="real: handlers.followup.render_nudge; simple: one case lookup")
    parser.add_argument("--spread", type=float, default=0.0,
                        help="seconds the burst's due times spread over (0: all at the same instant, the worst case)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        url = "sqlite:///" + str(path)
        store = await SQLiteStore.open(url)  # makes the schema
        await store.close()

        now = datetime.now(UTC)
        started = time.perf_counter()
        fill(path, args.total, args.burst, now)
        print(f"insert {args.total:,} nudges:     {time.perf_counter() - started:6.2f} s   "
              f"(peak RSS so far {rss_mb()[1]:.1f} MB)")
        base_rss, _ = rss_mb()
        # after the fill: a whole second, 4-5 s away, so the scheduler is started and asleep by then
        burst_at = datetime.fromtimestamp(math.ceil(time.time()) + 4, UTC)
        set_burst(path, args.burst, burst_at, args.spread)

        render = (real_render() if args.render == "real" else None) or simple_render()
        started = time.perf_counter()
        store = await SQLiteStore.open(url)
        core = build_core(store, load_settings(database_url=url))
        adapter = FakeAdapter(args.latency, args.burst)
        core.register(adapter)
        scheduler = Scheduler(core, render)
        await scheduler.start()
        start_s = time.perf_counter() - started
        pending = await store.count_nudges("pending")
        current, peak = rss_mb()
        print(f"start (open + scheduler.start): {start_s * 1000:6.1f} ms   ({pending:,} pending)")
        print(f"RSS with them in the store:     {current:6.1f} MB   (peak {peak:.1f} MB, "
              f"{base_rss:.1f} MB before opening)")

        try:
            await asyncio.wait_for(adapter.all_arrived.wait(), timeout=burst_at.timestamp() + 30 - time.time())
        except TimeoutError:
            pass
        await asyncio.sleep(0.2)  # anything sent twice would show up now
        await scheduler.stop()

        due = {}
        with sqlite3.connect(path) as db:
            for nudge_id, due_at in db.execute("SELECT id, due_at FROM nudges WHERE id <= ?", (args.burst,)):
                due[nudge_id] = datetime.strptime(due_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()
            sent = db.execute("SELECT COUNT(*) FROM nudges WHERE status='sent'").fetchone()[0]
        lateness = sorted(adapter.arrived[i] - due[i] for i in adapter.arrived if i in due)
        await store.close()

    if len(lateness) < args.burst:
        print(f"only {len(lateness)} of {args.burst} burst nudges arrived")
        return 1
    p50 = statistics.median(lateness)
    p99 = lateness[max(0, math.ceil(len(lateness) * 0.99) - 1)]
    print(f"burst of {args.burst:,} due within {args.spread:g} s: lateness p50 {p50 * 1000:6.1f} ms, p99 {p99 * 1000:6.1f} ms, "
          f"max {lateness[-1] * 1000:6.1f} ms; {sent:,} marked sent, "
          f"{adapter.sends - len(adapter.arrived)} sent twice")
    _, peak = rss_mb()
    ok = start_s < 1.0 and peak < 150 and p99 < 1.0 and adapter.sends == len(adapter.arrived) == args.burst == sent
    print(f"peak RSS {peak:.1f} MB; targets (start < 1 s, RSS < 150 MB, p99 < 1 s, each sent once): "
          f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
