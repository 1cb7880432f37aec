"""Events per second and p50/p99 latency of `Core.handle` with the SQLite store.

A realistic mix per simulated user: /help, /cards, /card lookups by id and by words, a language
switch by button, triage of a crisis message, "Walk me through it", step answers and button
presses. Run: ``python benchmarks/core_throughput.py [--events N]``. Prints figures; asserts nothing.
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

from bot.app import build_core
from bot.core import Core  # noqa: E402
from bot.events import Event, EventKind  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.store import SQLiteStore  # noqa: E402

_ids = itertools.count()


def event(user: str, kind: EventKind, **fields: str) -> Event:
    return Event(platform="console", event_id=f"b{next(_ids)}", user_id=user, chat_id=f"chat-{user}", kind=kind,
                 **fields)  # type: ignore[arg-type]


async def session(core: Core, user: str, latencies: list[float]) -> None:
    async def send(ev: Event) -> list:  # type: ignore[type-arg]
        start = time.perf_counter()
        replies = await core.handle(ev)
        latencies.append(time.perf_counter() - start)
        return replies

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


async def main(total_events: int) -> None:
    folder = tempfile.mkdtemp(prefix="parley-bench-")
    store = await SQLiteStore.open("sqlite:///" + os.path.join(folder, "bench.db"))
    core = build_core(store, load_settings())
    await session(core, "warmup", [])  # content load and first triage call are start-up, not steady state
    print(f"Core.handle with SQLite in {folder}; targets: >= 2,000 events/s, p99 < 5 ms")
    report("one user at a time ", *(await run(core, total_events, 1)))
    report("four users at a time", *(await run(core, total_events, 4)))
    await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    asyncio.run(main(parser.parse_args().events))
