"""Updates per second through Parley's Telegram path, next to a bare PTB echo bot, on one local fake.

Every bot here runs the real python-telegram-bot stack (long polling, sendMessage) against
tests/fake_telegram.py, which runs in its own process like Telegram on another machine: the same
fake, the same update mix. Figures:

- bare PTB echo bot, as in PTB's examples (sequential), and the same with Parley's concurrency;
- Parley's whole path: update -> Event -> durable accept in SQLite -> core -> handlers (commands,
  triage, cases) -> store -> Telegram HTML reply with buttons;
- Parley's adapter alone: the same adapter with a core that answers with the user's text, i.e. the
  echo bot built from Parley's Telegram code, to show what the adapter itself costs.

``--latency`` adds a delay to every Bot API call but getUpdates (Telegram is ~50-150 ms away in
production; the default 0 measures pure CPU). Telegram's flood limits are off for the comparison
(``--with-limits`` adds a run with the production `AIORateLimiter`, capped at ~30 replies/s by design).

    PYTHONPATH=. python benchmarks/telegram_path.py [--updates 1000] [--users 50] [--rounds 2] [--latency 0.02]
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Update  # noqa: E402
from telegram.ext import AIORateLimiter, Application, ContextTypes, MessageHandler, filters  # noqa: E402

from bot.adapters.telegram import TelegramAdapter  # noqa: E402
from bot.app import build_core  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.events import Event, Reply  # noqa: E402
from bot.markup import user_text  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.store import open_store  # noqa: E402
from handlers import dispatch  # noqa: E402
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

Stop = Callable[[], Awaitable[None]]


def push_updates(fake: FakeTelegram, count: int, users: int) -> None:
    people = [TgUser(10_000 + i, f"User{i}", ("en", "ru", "ro")[i % 3]) for i in range(users)]
    for i in range(count):
        fake.message(people[i % users], MIX[i % len(MIX)])


def _fake_process(conn: Connection, latency: float) -> None:
    """The fake in its own process: the bot's event loop runs only the bot."""

    async def serve() -> None:
        fake = FakeTelegram(record=False, latency=latency)
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
                conn.send((time.perf_counter() - started, _size(fake, mark)))
            except AssertionError as exc:
                conn.send(str(exc)[:500])
            fake.calls.clear()
            fake.messages.clear()
        await fake.stop()

    asyncio.run(serve())


def _size(fake: FakeTelegram, mark: int) -> float:
    """Mean characters per reply, so the figures say how much text each bot sent."""
    sent = [len(str(c.params.get("text", ""))) for c in fake.calls_of("sendMessage", mark)]
    return sum(sent) / max(1, len(sent))


class RemoteFake:
    """Drives the fake process: push ``count`` updates, get the seconds until each had its reply."""

    def __init__(self, latency: float) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_fake_process, args=(child, latency), daemon=True)
        self.proc.start()
        self.url: str = self.conn.recv()

    async def measure(self, count: int, users: int) -> tuple[float, float]:
        self.conn.send(("run", count, users))
        result = await asyncio.get_running_loop().run_in_executor(None, self.conn.recv)
        if isinstance(result, str):
            raise RuntimeError(result)
        return result  # type: ignore[no-any-return]

    def close(self) -> None:
        self.conn.send(("stop", 0, 0))
        self.proc.join(10)


async def echo_bot(fake: RemoteFake, concurrent: bool) -> Stop:
    """The bare PTB echo bot; ``concurrent`` gives it Parley's fan-out (16) and connection pool."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    builder = Application.builder().token(TOKEN).base_url(f"{fake.url}/bot").job_queue(None)
    if concurrent:
        builder = builder.concurrent_updates(16).connection_pool_size(20)
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


class EchoCore(Core):
    """A core that answers with the user's text: Parley's adapter measured on its own."""

    async def accept(self, event: Event) -> bool:
        return True

    async def _process(self, event: Event) -> list[Reply]:  # what Core.process and Core.run both call
        text = event.text if event.command is None else f"/{event.command} {event.text}"
        return [Reply(user_text(text))]


async def parley_bot(fake: RemoteFake, workdir: Path, *, limits: bool = False, echo: bool = False) -> Stop:
    db = workdir / f"bench-{time.monotonic_ns()}.db"
    settings = load_settings(telegram_token=TOKEN, telegram_api_url=fake.url, database_url=f"sqlite:///{db}")
    store = await open_store(settings.database_url)
    core = EchoCore(store, settings, dispatch=dispatch) if echo else build_core(store, settings)
    limiter = AIORateLimiter(max_retries=3) if limits else AIORateLimiter(overall_max_rate=0, group_max_rate=0,
                                                                          max_retries=3)
    adapter = TelegramAdapter(core, settings, None, rate_limiter=limiter, poll_timeout=1)
    core.register(adapter)
    await adapter.start()

    async def stop() -> None:
        await adapter.stop()
        await store.close()

    return stop


BOTS = {
    "echo": "bare PTB echo bot (PTB defaults, sequential)",
    "echo16": "bare PTB echo bot (16 concurrent, pool 20)",
    "adapter": "Parley's adapter, core answering the text",
    "parley": "Parley's whole Telegram path",
}


async def run(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.ERROR)
    fake = RemoteFake(args.latency)
    rates: dict[str, list[float]] = {name: [] for name in BOTS}
    sizes: dict[str, float] = {}
    limited: float | None = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            stop = await parley_bot(fake, workdir)  # warm-up: imports, content, triage vocabulary
            await fake.measure(60, 10)
            await stop()
            for _ in range(args.rounds):
                for name in BOTS:
                    if name in ("echo", "echo16"):
                        stop = await echo_bot(fake, concurrent=name == "echo16")
                    else:
                        stop = await parley_bot(fake, workdir, echo=name == "adapter")
                    seconds, sizes[name] = await fake.measure(args.updates, args.users)
                    await stop()
                    rates[name].append(args.updates / seconds)
            if args.with_limits:
                stop = await parley_bot(fake, workdir, limits=True)
                n = min(args.updates, 300)
                limited = n / (await fake.measure(n, args.users))[0]
                await stop()
    finally:
        fake.close()

    best = {name: max(values) for name, values in rates.items()}
    print(f"{args.updates} updates from {args.users} users, best of {args.rounds} rounds, "
          f"fake Bot API in its own process, {args.latency * 1000:.0f} ms added per call")
    for name, label in BOTS.items():
        print(f"  {label:46} {best[name]:8.1f} updates/s   (replies of {sizes[name]:5.0f} chars)")
    print(f"  ratio Parley / bare echo bot (PTB defaults)    {best['parley'] / best['echo']:8.2f}   (target >= 0.7)")
    print(f"  ratio Parley / bare echo bot (16 concurrent)   {best['parley'] / best['echo16']:8.2f}")
    print(f"  ratio Parley's adapter alone / echo (16 conc.) {best['adapter'] / best['echo16']:8.2f}")
    if limited is not None:
        print(f"  Parley with production rate limits (30 msg/s)  {limited:8.1f} updates/s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each Bot API call")
    parser.add_argument("--with-limits", action="store_true")
    asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
