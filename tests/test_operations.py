"""Operations: ``GET /metrics`` (parsed with prometheus-client's own parser), ``GET /healthz`` and JSON logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import add_operations, build_core, build_scheduler
from bot.cli import log_handler
from bot.core import Core
from bot.events import DeliveryError, EventKind
from bot.http import HttpServer
from bot.metrics import measured
from bot.outbox import Delivery
from bot.scheduler import Scheduler
from bot.settings import load_settings
from bot.store import Store, open_store
from tests.conftest import FixedClock, Talker


@dataclass
class Ops:
    core: Core
    store: Store
    http: HttpServer
    scheduler: Scheduler

    async def get(self, path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as session, \
                session.get(f"http://127.0.0.1:{self.http.port}{path}") as response:
            return response.status, await response.text()

    async def metrics(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        """Every sample of /metrics by (name, sorted labels)."""
        status, text = await self.get("/metrics")
        assert status == 200
        return {(s.name, tuple(sorted(s.labels.items()))): s.value
                for family in text_string_to_metric_families(text) for s in family.samples}


@pytest.fixture(params=["sqlite", "postgres"])
async def ops(request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock) -> AsyncIterator[Ops]:
    url = ("sqlite:///" + str(tmp_path / "ops.db") if request.param == "sqlite"
           else str(request.getfixturevalue("pg_url")))
    settings = load_settings(database_url=url)
    http = HttpServer("127.0.0.1", 0)
    store = measured(await open_store(url))
    core = build_core(store, settings, clock=clock)
    scheduler = build_scheduler(core, settings)
    add_operations(http, store, scheduler)
    await http.start()
    await scheduler.start()
    try:
        yield Ops(core, store, http, scheduler)
    finally:
        await scheduler.stop()
        await http.stop()
        await store.close()


def sample(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_parse_and_move_with_traffic(ops: Ops) -> None:
    before = await ops.metrics()
    talker = Talker(ops.core, user="metrics-user")
    await talker.say("the client is furious, we missed the launch deadline we promised")
    await talker.say("/followup 2h call the client back")
    after = await ops.metrics()
    ok = ("parley_events_total", {"platform": "console", "kind": "message", "outcome": "ok"})
    assert sample(after, ok[0], **ok[1]) - sample(before, ok[0], **ok[1]) == 2
    assert sample(after, "parley_handler_seconds_count", platform="console", kind="message") - \
        sample(before, "parley_handler_seconds_count", platform="console", kind="message") == 2
    assert sample(after, "parley_replies_total", platform="console") > sample(before, "parley_replies_total",
                                                                               platform="console")
    assert sample(after, "parley_store_seconds_count", method="accept_event") - \
        sample(before, "parley_store_seconds_count", method="accept_event") == 2
    assert sample(after, "parley_nudges_rows", status="pending") == 1, "the backlog is read at scrape time"
    assert ("process_cpu_seconds_total", ()) in after or ("python_gc_objects_collected_total",
                                                          (("generation", "0"),)) in after


async def test_a_duplicate_event_is_counted_not_processed(ops: Ops) -> None:
    talker = Talker(ops.core, user="dup-user")
    event = talker._event(EventKind.COMMAND, text="/help", command="help")
    before = await ops.metrics()
    assert await ops.core.handle(event)
    assert await ops.core.handle(event) == []
    after = await ops.metrics()
    assert sample(after, "parley_events_duplicate_total", platform="console") - \
        sample(before, "parley_events_duplicate_total", platform="console") == 1


async def test_nudge_outcomes_are_counted(ops: Ops, clock: FixedClock) -> None:
    sent: list[str] = []

    class Console:
        platform = "console"

        async def start(self) -> None: ...

        async def stop(self) -> None: ...

        async def deliver(self, delivery: Delivery) -> None:
            sent.extend(r.text for r in delivery.replies)

    ops.core.register(Console())
    talker = Talker(ops.core, user="nudged")
    await talker.say("the client is furious, we missed the launch deadline we promised")
    await talker.say("/followup 2h call the client back")
    before = await ops.metrics()
    clock.now += timedelta(hours=3)
    assert await ops.scheduler.run_once() == 1
    after = await ops.metrics()
    assert sample(after, "parley_nudges_total", outcome="sent_late") - \
        sample(before, "parley_nudges_total", outcome="sent_late") == 1, "an hour past due: late"
    assert sent


async def test_outbox_deliveries_and_backlog_are_counted(ops: Ops) -> None:
    """Replies leave through the outbox: each row delivered (sent), put back for a retry, or failed for
    good is counted by platform, and the rows per status are read at scrape time (the backlog)."""
    outcomes = iter([None, DeliveryError("flaky network"), DeliveryError("gone", permanent=True)])

    class Console:
        platform = "console"

        async def start(self) -> None: ...

        async def stop(self) -> None: ...

        async def deliver(self, delivery: Delivery) -> None:
            error = next(outcomes)
            if error is not None:
                raise error

    ops.core.register(Console())
    before = await ops.metrics()
    for n in range(3):  # three conversations, so no row waits behind another
        talker = Talker(ops.core, user=f"outbox-metrics-{n}")
        await ops.core.submit(talker._event(EventKind.COMMAND, text="/help", command="help"), {})
    after = await ops.metrics()

    def moved(outcome: str) -> float:
        return sample(after, "parley_outbox_deliveries_total", platform="console", outcome=outcome) - \
            sample(before, "parley_outbox_deliveries_total", platform="console", outcome=outcome)

    assert (moved("sent"), moved("retried"), moved("failed")) == (1, 1, 1)
    assert sample(after, "parley_outbox_rows", status="pending") == 1, "the retried row waits for its backoff"
    assert sample(after, "parley_outbox_rows", status="failed") == 1


async def test_healthz_reports_store_and_scheduler_and_503_when_the_store_is_down(ops: Ops) -> None:
    status, text = await ops.get("/healthz")
    body = json.loads(text)
    assert status == 200 and body["checks"] == {"store": True, "scheduler": True}
    assert body["scheduler_last_tick"] is not None
    await ops.store.close()
    status, text = await ops.get("/healthz")
    body = json.loads(text)
    assert status == 503 and body["status"] == "degraded"
    assert body["checks"]["store"] is False and body["checks"]["scheduler"] is True


async def test_healthz_is_503_when_the_scheduler_stopped(ops: Ops) -> None:
    await ops.scheduler.stop()
    status, text = await ops.get("/healthz")
    assert status == 503 and json.loads(text)["checks"]["scheduler"] is False


async def test_json_logs_one_line_per_event_without_the_users_words(core: Core) -> None:
    stream = io.StringIO()
    handler = log_handler(load_settings(log_format="json", log_level="INFO"), stream)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    try:
        talker = Talker(core, user="quiet", platform="slack")
        await talker.say("my client Mrs Secretname refuses to pay the invoice")
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    events = [line for line in lines if line.get("name") == "parley.events"]
    assert len(events) == 1, lines
    line = events[0]
    assert (line["platform"], line["kind"], line["outcome"]) == ("slack", "message", "ok")
    assert isinstance(line["latency_ms"], float) and line["event"].startswith("slack:")
    assert line["levelname"] == "INFO"
    assert "Secretname" not in stream.getvalue()
