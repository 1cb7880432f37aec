"""Assembles store, core, handlers, scheduler and adapters for ``parley chat`` and ``parley run``.

The composition root: the one module that imports every layer and ties them together.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.core import Adapter, Clock, Core
from bot.events import StartupError
from bot.metrics import measured, refresh_backlog
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.store import Store, StoreError, open_store, utcnow
from bot.store.backends import backend_of
from content import Library
from handlers import PUBLIC_COMMANDS, dispatch
from handlers.conflict import waiting_step
from handlers.followup import render_nudge, waiting_reminder
from handlers.home import home

if TYPE_CHECKING:
    from bot.http import HttpServer

log = logging.getLogger(__name__)


def build_core(store: Store, settings: Settings, *, clock: Clock = utcnow, lib: Library | None = None) -> Core:
    """A `Core` running Parley's handlers (`handlers.dispatch`, `handlers.PUBLIC_COMMANDS`, `handlers.home`)."""
    return Core(store, settings, dispatch=dispatch, commands=PUBLIC_COMMANDS, home=home, clock=clock, lib=lib)

#: Nudges one instance sends at once, and so claims at once (`build_scheduler`).
SEND_CONCURRENCY = 100


def build_scheduler(core: Core, settings: Settings) -> Scheduler:
    """The scheduler with `Settings.claim_timeout`: claims older than that belong to a dead instance and are
    taken over. A live instance's claim must never look that old, so a send may take at most half of
    it, and a pass claims no more rows than it sends at once (``batch`` = ``concurrency``): no claimed
    row waits behind others for a send slot. The loop also looks for dead claims at least that often
    even when nothing falls due. The outbox loop (``core.outbox``) takes over outbox claims after the same
    timeout; with SQLite both take back every claim found at start (`one_process_per_database`)."""
    timeout = settings.claim_timeout
    send_timeout = min(60.0, timeout / 2)
    core.outbox.stale_after = timeout
    core.outbox.retention = timedelta(days=settings.retention_days)
    core.outbox.send_timeout = send_timeout
    core.takeover_at_start = one_process_per_database(settings)  # unfinished events, as claims
    return Scheduler(core, render_nudge, stale_after=timeout, send_timeout=send_timeout,
                     max_sleep=min(30.0, timeout), batch=SEND_CONCURRENCY, concurrency=SEND_CONCURRENCY,
                     takeover_at_start=one_process_per_database(settings))


def one_process_per_database(settings: Settings) -> bool:
    """True for SQLite: one process serves the file, so claims found in it at start are a dead process's
    and are taken back at once. False for PostgreSQL, where other live instances hold claims: only those
    older than `Settings.claim_timeout` are taken over."""
    return backend_of(settings.database_url) == "sqlite"


#: The `Store.try_lock` name `parley run` and `parley chat` hold on an SQLite database while they run.
PROCESS_LOCK = "process"


async def hold_the_database(store: Store, settings: Settings) -> None:
    """One `parley run` or `parley chat` per SQLite file (`one_process_per_database`): the store's own
    `Store.try_lock`, held until the process ends (the kernel frees it even after SIGKILL). A second
    process would take the first one's in-flight sends for a dead process's and send them again.

    Raises `StoreError` (one line, the store closed) when another process holds it; nothing for PostgreSQL,
    where instances share the database by design.
    """
    if one_process_per_database(settings) and not await store.try_lock(PROCESS_LOCK):
        await store.close()
        raise StoreError("another Parley process is using this SQLite database: it serves one process at a "
                         "time (stop that one, or use PostgreSQL to run several)")


def add_operations(http: HttpServer, store: Store, scheduler: Scheduler) -> None:
    """``GET /healthz`` checks the store (a query within `bot.http.PROBE_TIMEOUT`) and the scheduler (running
    and ticking) and shows its last tick; ``GET /metrics`` reads the nudge backlog from the store first."""
    async def store_answers() -> bool:
        await store.schema_version()
        return True

    http.checks["store"] = store_answers
    http.checks["scheduler"] = scheduler.healthy
    http.info["scheduler_last_tick"] = lambda: scheduler.last_tick.isoformat() if scheduler.last_tick else None
    http.before_scrape.append(lambda: refresh_backlog(store))


NOTHING_CONFIGURED = (
    "parley run: no platform is configured. Set PARLEY_TELEGRAM_TOKEN for Telegram, and/or "
    "PARLEY_SLACK_BOT_TOKEN with PARLEY_SLACK_SIGNING_SECRET for Slack (PARLEY_SLACK_APP_TOKEN for Socket Mode). "
    "To try Parley without any of them, run `parley chat`."
)


async def chat(settings: Settings, *, lang: str | None, user: str) -> int:
    """``parley chat``: the console adapter and the scheduler until stdin ends; the exit code."""
    from bot.adapters.console import CHAT_ID as CONSOLE_CHAT
    from bot.adapters.console import ConsoleAdapter

    store = await open_store(settings.database_url, pool_size=settings.database_pool_size)
    await hold_the_database(store, settings)
    core = build_core(store, settings)
    if lang:
        await core.set_language("console", user, lang)
    console = ConsoleAdapter(core, user_id=user, language=lang)
    core.register(console)
    scheduler = build_scheduler(core, settings)
    try:
        await core.outbox.recover(takeover=scheduler.takeover_at_start)
        await console.start()
        await core.outbox.start()
        await console.greet()
        # a case waiting at a step is shown again, so the numbers typed next pick its buttons
        await console.show(await waiting_step(core, console.platform, CONSOLE_CHAT, user))
        await scheduler.start()
        # nudges that fell due while no chat ran come before the answer to the first line (a piped run
        # ends at EOF, so the next run is where they are delivered, ahead of a /cases that would list them)
        await scheduler.run_once()
        await console.run()
        # the input ended: a reminder still ahead is named, or it would seem lost (handlers.followup)
        note = await waiting_reminder(core, console.platform, user)
        if note is not None:
            await console.say(note)
    finally:
        await scheduler.stop()
        await core.outbox.stop()
        await store.close()
    return 0


def serving_line(settings: Settings, platforms: list[str], address: str) -> str:
    """The one line `parley run` prints once it serves: readable text, or with ``PARLEY_LOG_FORMAT=json`` a
    JSON object like the log lines, so a line-by-line JSON reader of stderr never meets plain text."""
    if settings.log_format == "json":
        return json.dumps({"message": "serving", "platforms": platforms, "http": address})
    return f"parley: serving {', '.join(platforms)}; HTTP on {address}"


async def serve(settings: Settings) -> int:
    """``parley run``: every configured platform, the scheduler and the HTTP server until a signal; the
    exit code (2 when no platform, or only half of Slack, is configured)."""
    if settings.slack_half_configured:
        print("parley run: PARLEY_SLACK_BOT_TOKEN is set, but Slack also needs PARLEY_SLACK_SIGNING_SECRET "
              "(HTTP mode) or PARLEY_SLACK_APP_TOKEN (Socket Mode).", file=sys.stderr)
        return 2
    if not (settings.telegram_enabled or settings.slack_enabled):
        print(NOTHING_CONFIGURED, file=sys.stderr)
        return 2
    from bot.http import HttpServer

    store = measured(await open_store(settings.database_url, pool_size=settings.database_pool_size))
    await hold_the_database(store, settings)
    core = build_core(store, settings)
    http = HttpServer(settings.http_host, settings.http_port)
    scheduler = build_scheduler(core, settings)
    add_operations(http, store, scheduler)
    started: list[Adapter] = []
    try:
        try:
            # SQLite: claims left in it belong to a process that died; PostgreSQL: only those older than
            # the claim timeout (the others may be a live instance's)
            await core.outbox.recover(takeover=scheduler.takeover_at_start)
            for adapter in _build_adapters(core, settings, http):
                core.register(adapter)
                await adapter.start()
                started.append(adapter)
            await http.start()
        except StartupError as exc:
            print(f"parley run: {exc}", file=sys.stderr)
            return 1
        except OSError as exc:
            print(f"parley run: cannot listen on {settings.http_host}:{settings.http_port} "
                  f"(PARLEY_HTTP_HOST / PARLEY_HTTP_PORT): {exc.strerror or exc}", file=sys.stderr)
            return 1
        await core.outbox.start()
        await scheduler.start()
        print(serving_line(settings, [a.platform for a in started], f"{settings.http_host}:{http.port}"),
              file=sys.stderr, flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await scheduler.stop()
        await core.outbox.stop()
        for adapter in reversed(started):
            try:
                await adapter.stop()
            except Exception:
                log.exception("stopping the %s adapter failed", adapter.platform)
        await http.stop()
        await store.close()
    return 0


def _build_adapters(core: Core, settings: Settings, http: HttpServer) -> list[Adapter]:
    adapters: list[Adapter] = []
    if settings.telegram_enabled:
        from bot.adapters.telegram import TelegramAdapter

        adapters.append(TelegramAdapter(core, settings, http))
    if settings.slack_enabled:
        from bot.adapters.slack import SlackAdapter

        adapters.append(SlackAdapter(core, settings, http))
    return adapters
