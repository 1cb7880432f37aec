"""Events per second and p50/p99 latency of Parley's event path with the SQLite store, next to an anchor.

Parley's path is what an adapter runs: `Core.accept` (the event made durable), then `Core.run` (the
handlers in one transaction with the done mark and the replies' outbox row, the row delivered to a
null adapter and marked sent). A realistic mix per simulated user: /help, /cards, /card lookups by id
and by words, a language switch by button, triage of a crisis message, "Walk me through it", step
answers and button presses.

The anchor, measured in the same run with the same number of events and users: a bot step on
aiosqlite in two awaits (read the user's state, write it back in autocommit), with no logic at all.
The issue's target is Parley >= 0.5x the anchor, one user and four at a time.

Run: ``python benchmarks/core_throughput.py [--events N]``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiosqlite  # noqa: E402

from bot.app import build_core  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.events import Event, EventKind, Reply  # noqa: E402
from bot.outbox import Delivery  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.store import SQLiteStore  # noqa: E402

_ids = itertools.count()


def event(user: str, kind: EventKind, **fields: str) -> Event:
    return Event(platform="console", event_id=f"b{next(_ids)}", user_id=user, chat_id=f"chat-{user}", kind=kind,
                 **fields)  # type: ignore[arg-type]


class NullAdapter:
    """Takes every outbox row and keeps the last replies per user (the session reads the buttons)."""

    platform = "console"

    def __init__(self) -> None:
        self.last: dict[str, list[Reply]] = {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def deliver(self, delivery: Delivery) -> None:
        self.last[delivery.user_id] = delivery.replies


async def session(core: Core, user: str, latencies: list[float]) -> None:
    adapter = core.adapters["console"]
    assert isinstance(adapter, NullAdapter)

    async def send(ev: Event) -> list[Reply]:
        start = time.perf_counter()
        adapter.last.pop(ev.user_id, None)
        if await core.accept(ev):
            await core.run(ev, {})
        latencies.append(time.perf_counter() - start)
        return adapter.last.get(ev.user_id, [])

    await send(event(user, EventKind.MESSAGE, text="/help"))
    await send(event(user, EventKind.MESSAGE, text="/cards"))
    await send(event(user, EventKind.MESSAGE, text="/card listen-fully"))
    await send(event(user, EventKind.MESSAGE, text="/card paraphrase"))
    await send(event(user, EventKind.BUTTON, button="m:lang:ru"))
    await send(event(user, EventKind.MESSAGE, text="/card перефраз"))
    await send(event(user, EventKind.BUTTON, button="m:lang:en"))
    replies = await send(event(user, EventKind.MESSAGE, text="the client is furious that we missed the deadline"))
    walk = next((c.id for r in replies for c in r.choices if ":offered:walk" in c.id), None)
    if walk:
        await send(event(user, EventKind.BUTTON, button=walk))
        await send(event(user, EventKind.MESSAGE, text="he says nobody warned him about the delay"))
        case_id = walk.split(":")[1]
        await send(event(user, EventKind.BUTTON, button=f"w:{case_id}:paraphrase:ok"))
        await send(event(user, EventKind.BUTTON, button=f"w:{case_id}:cause:c:obligation"))
    await send(event(user, EventKind.MESSAGE, text="/cases"))


async def run(core: Core, total_events: int, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    users = itertools.count()
    started = time.perf_counter()
    while len(latencies) < total_events:
        await asyncio.gather(*(session(core, f"user{concurrency}-{next(users)}", latencies)
                               for _ in range(concurrency)))
    return time.perf_counter() - started, sorted(latencies)


def report(label: str, elapsed: float, latencies: list[float]) -> None:
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(f"{label}: {len(latencies)} events in {elapsed:.2f} s = {len(latencies) / elapsed:,.0f} events/s; "
          f"latency p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {latencies[-1] * 1000:.2f} ms")


async def anchor(path: str, total_events: int, concurrency: int) -> tuple[float, list[float]]:
    """A bot step on aiosqlite in two awaits: read the user's state, write it back (autocommit)."""
    latencies: list[float] = []
    async with aiosqlite.connect(path, isolation_level=None) as db:
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute("CREATE TABLE IF NOT EXISTS state (user TEXT PRIMARY KEY, step INTEGER NOT NULL)")
        counter = itertools.count()

        async def user(name: str, steps: int) -> None:
            for _ in range(steps):
                start = time.perf_counter()
                rows = await db.execute_fetchall("SELECT step FROM state WHERE user=?", (name,))
                step = rows[0][0] + 1 if rows else 0
                await db.execute("INSERT INTO state (user, step) VALUES (?, ?) ON CONFLICT (user) DO UPDATE "
                                 "SET step=excluded.step", (name, step))
                latencies.append(time.perf_counter() - start)

        started = time.perf_counter()
        while len(latencies) < total_events:
            await asyncio.gather(*(user(f"u{next(counter)}", 14) for _ in range(concurrency)))
        return time.perf_counter() - started, sorted(latencies)


def rate(elapsed: float, latencies: list[float]) -> float:
    return len(latencies) / elapsed


async def main(total_events: int) -> None:
    folder = tempfile.mkdtemp(prefix="parley-bench-")
    store = await SQLiteStore.open("sqlite:///" + os.path.join(folder, "bench.db"))
    core = build_core(store, load_settings())
    core.register(NullAdapter())
    await session(core, "warmup", [])  # content load and first triage call are start-up, not steady state
    print(f"Parley's event path (accept, run, outbox, mark) with SQLite in {folder}; "
          f"targets: >= 2,000 events/s, p99 < 5 ms, >= 0.5x the aiosqlite anchor")
    for label, users in (("one user at a time  ", 1), ("four users at a time", 4)):
        parley = await run(core, total_events, users)
        base = await anchor(os.path.join(folder, f"anchor{users}.db"), total_events, users)
        report(f"Parley {label}", *parley)
        report(f"anchor {label}", *base)
        print(f"  Parley / anchor: {rate(*parley) / rate(*base):.2f}x")
    await count_statements(core, store)
    await store.close()


async def count_statements(core: Core, store: SQLiteStore, events: int = 1_000) -> None:
    """SQLite statements and commits per event for the same mix, one user at a time (a separate pass:
    tracing slows the connection, so it is not part of the timed runs)."""
    statements: list[str] = []
    latencies: list[float] = []
    store.trace_statements(statements.append)
    users = itertools.count()
    while len(latencies) < events:
        await session(core, f"counted-{next(users)}", latencies)
    await asyncio.sleep(0)  # the last event's sent mark is written when the loop turns
    await asyncio.sleep(0)
    store.trace_statements(None)
    commits = sum(1 for s, inside in _in_transaction(statements)
                  if s == "COMMIT" or (not inside and not s.startswith(("BEGIN", "SELECT", "ROLLBACK"))))
    print(f"SQLite statements per event: {len(statements) / len(latencies):.2f} "
          f"(commits, explicit or autocommit: {commits / len(latencies):.2f})")


def _in_transaction(statements: list[str]) -> list[tuple[str, bool]]:
    """Each statement with whether it ran inside BEGIN ... COMMIT/ROLLBACK."""
    marked, inside = [], False
    for statement in statements:
        if statement.startswith("BEGIN"):
            inside = True
        marked.append((statement, inside and not statement.startswith("BEGIN")))
        if statement in ("COMMIT", "ROLLBACK"):
            inside = False
    return marked


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    asyncio.run(main(parser.parse_args().events))
