"""Updates per second through Parley's Telegram path, next to a bare PTB echo bot, on one local fake.

Both bots run the real python-telegram-bot stack against tests/fake_telegram.py in this process: the
same fake, the same update mix, the same long polling. Parley's path is the whole thing: update ->
Event -> durable accept in SQLite -> core -> handlers (commands, triage) -> store -> HTML reply. The
echo bot only copies the text back, so the ratio shows what Parley adds on top of PTB itself.

Telegram's own flood limits (30 messages/s overall, 20/min per group) are not what is measured here:
Parley's `AIORateLimiter` runs with its limits off for the comparison (``--with-limits`` adds a run
with the production settings, which is capped at about 30 replies/s by design).

    PYTHONPATH=. python benchmarks/telegram_path.py [--updates 1500] [--users 50] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Update  # noqa: E402
from telegram.ext import AIORateLimiter, Application, ContextTypes, MessageHandler, filters  # noqa: E402

from bot.adapters.telegram import TelegramAdapter  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.store import open_store  # noqa: E402
from tests.fake_telegram import TOKEN, FakeTelegram, TgUser  # noqa: E402

#: What people send: commands, a card lookup, and messages in the middle of a crisis (triaged).
MIX = [
    "/help",
    "/card paraphrase",
    "the client is yelling that we ruined the launch and wants his money back",
    "клиент требует переделать логотип в пятый раз бесплатно",
    "clientul nu vrea să plătească factura și nu mai răspunde",
    "/cards",
]


def push_updates(fake: FakeTelegram, count: int, users: int) -> None:
    people = [TgUser(10_000 + i, f"User{i}", ("en", "ru", "ro")[i % 3]) for i in range(users)]
    for i in range(count):
        fake.message(people[i % users], MIX[i % len(MIX)])


def _fake_process(conn: Connection, ready: Any) -> None:
    """The fake in its own process, like Telegram on another machine: the bots' loop only runs the bot."""

    async def serve() -> None:
        fake = FakeTelegram(record=False)
        conn.send(await fake.start())
        loop = asyncio.get_running_loop()
        while True:
            command, count, users = await loop.run_in_executor(None, conn.recv)
            if command == "stop":
                break
            mark = fake.mark()
            started = time.perf_counter()
            push_updates(fake, count, users)
            try:
                await fake.wait_for("sendMessage", count=count, since=mark, timeout=600)
                conn.send(time.perf_counter() - started)
            except AssertionError as exc:
                conn.send(str(exc)[:500])
            fake.calls.clear()
        await fake.stop()

    asyncio.run(serve())


class RemoteFake:
    """Drives the fake process: push ``count`` updates, get the seconds until each had its reply."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_fake_process, args=(child, None), daemon=True)
        self.proc.start()
        self.url: str = self.conn.recv()

    async def measure(self, count: int, users: int) -> float:
        self.conn.send(("run", count, users))
        result = await asyncio.get_running_loop().run_in_executor(None, self.conn.recv)
        if isinstance(result, str):
            raise RuntimeError(result)
        return float(result)

    def close(self) -> None:
        self.conn.send(("stop", 0, 0))
        self.proc.join(10)


async def echo_bot(fake: RemoteFake, concurrent: bool) -> Callable[[], Awaitable[None]]:
    """The bare PTB echo bot of the docs; ``concurrent`` gives it Parley's fan-out and connection pool."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    builder = Application.builder().token(TOKEN).base_url(f"{fake.url}/bot").job_queue(None)
    if concurrent:
        builder = builder.concurrent_updates(64).connection_pool_size(32)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=1)

    async def stop() -> None:
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

    return stop


async def parley_bot(fake: RemoteFake, workdir: Path, limits: bool) -> Callable[[], Awaitable[None]]:
    db = workdir / f"bench-{time.monotonic_ns()}.db"
    settings = load_settings(telegram_token=TOKEN, telegram_api_url=fake.url, database_url=f"sqlite:///{db}")
    store = await open_store(settings.database_url)
    core = Core(store, settings)
    limiter = AIORateLimiter(max_retries=3) if limits else AIORateLimiter(overall_max_rate=0, group_max_rate=0,
                                                                          max_retries=3)
    adapter = TelegramAdapter(core, settings, None, rate_limiter=limiter, poll_timeout=1)
    core.register(adapter)
    await adapter.start()

    async def stop() -> None:
        await adapter.stop()
        await store.close()

    return stop


async def run(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.ERROR)
    fake = RemoteFake()
    results: dict[str, list[float]] = {"echo": [], "echo-concurrent": [], "parley": []}
    limited: float | None = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            # warm-up: imports, content loading, triage vocabulary
            stop = await parley_bot(fake, workdir, limits=False)
            await fake.measure(60, 10)
            await stop()
            for _ in range(args.rounds):
                for name in results:
                    if name == "parley":
                        stop = await parley_bot(fake, workdir, limits=False)
                    else:
                        stop = await echo_bot(fake, concurrent=name == "echo-concurrent")
                    seconds = await fake.measure(args.updates, args.users)
                    await stop()
                    results[name].append(args.updates / seconds)
            if args.with_limits:
                stop = await parley_bot(fake, workdir, limits=True)
                n = min(args.updates, 300)
                limited = n / await fake.measure(n, args.users)
                await stop()
    finally:
        fake.close()

    best = {name: max(values) for name, values in results.items()}
    print(f"updates: {args.updates} from {args.users} users, best of {args.rounds} rounds, same local fake")
    print(f"bare PTB echo bot (defaults, sequential):       {best['echo']:8.1f} updates/s")
    print(f"bare PTB echo bot (concurrent, pool 32):        {best['echo-concurrent']:8.1f} updates/s")
    print(f"Parley Telegram path (store, core, handlers):   {best['parley']:8.1f} updates/s")
    print(f"ratio Parley / echo (defaults):                 {best['parley'] / best['echo']:8.2f}")
    print(f"ratio Parley / echo (concurrent):               {best['parley'] / best['echo-concurrent']:8.2f}"
          "   (target >= 0.7)")
    if limited is not None:
        print(f"Parley with production rate limits (30 msg/s): {limited:8.1f} updates/s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=1500)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--with-limits", action="store_true")
    args: Any = parser.parse_args(argv)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
