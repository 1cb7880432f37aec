"""What ``GET /metrics`` exports (Prometheus text format, through prometheus-client) and the per-event log line.

The metrics live in prometheus-client's default registry (so the process and GC collectors come
along) and count from process start; each instance exports its own, and Prometheus sums them. Labels
hold only platform names, event kinds, store method names and outcomes: never an id or a user's words.

- ``parley_events_total{platform,kind,outcome}``: events processed (outcome ``ok`` or ``error``), and
  ``parley_events_duplicate_total{platform}``: repeats dropped by the dedup (a Slack retry);
- ``parley_handler_seconds{platform,kind}``: handler latency, accept excluded;
- ``parley_replies_total{platform}``: replies the handlers produced;
- ``parley_nudges_total{outcome}``: scheduler outcomes (sent, sent_late, retried, deferred,
  failed, cancelled); ``parley_nudges{status}``: rows per status now (pending + claimed = the backlog),
  read from the store when /metrics is scraped;
- ``parley_outbox_deliveries_total{platform,outcome}``: outbox rows (an event's replies, or a nudge)
  ``sent``, put back for a ``retried`` delivery, or ``failed`` for good; ``parley_outbox_rows{status}``:
  outbox rows per status now (pending + claimed = the delivery backlog), read at scrape time;
- ``parley_store_seconds{method}``: latency of each store call (`MeasuredStore`).
"""

from __future__ import annotations

import inspect
import logging
import time
from typing import Any, cast

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest

from bot.store import Store

__all__ = ["CONTENT_TYPE_LATEST", "MeasuredStore", "count_delivery", "count_nudge", "exposition", "measured",
           "observe_duplicate", "observe_event", "refresh_backlog"]

#: The logger of the one line per processed event (platform, kind, latency, outcome; never text).
event_log = logging.getLogger("parley.events")

EVENTS = Counter("parley_events", "Events processed, by platform, kind and outcome (ok, error).",
                 ["platform", "kind", "outcome"])
DUPLICATES = Counter("parley_events_duplicate", "Repeated events dropped by the dedup (platform retries).",
                     ["platform"])
HANDLER_SECONDS = Histogram("parley_handler_seconds", "Seconds from dispatch to replies, per event.",
                            ["platform", "kind"],
                            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
REPLIES = Counter("parley_replies", "Replies produced for events, by platform.", ["platform"])
NUDGES = Counter("parley_nudges", "Scheduler outcomes: sent, sent_late, retried, deferred, failed, cancelled.",
                 ["outcome"])
NUDGE_ROWS = Gauge("parley_nudges_rows", "Nudge rows per status at scrape time (pending + claimed: backlog).",
                   ["status"])
OUTBOX_DELIVERIES = Counter("parley_outbox_deliveries",
                            "Outbox rows (replies to an event, or a nudge): sent, retried, failed.",
                            ["platform", "outcome"])
OUTBOX_ROWS = Gauge("parley_outbox_rows", "Outbox rows per status at scrape time (pending + claimed: backlog).",
                    ["status"])
STORE_SECONDS = Histogram("parley_store_seconds", "Seconds per store call, by method.", ["method"],
                          buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0))
#: Nudge statuses exported as ``parley_nudges_rows``.
ROW_STATUSES = ("pending", "claimed", "failed")


def observe_event(platform: str, kind: str, seconds: float, outcome: str, replies: int) -> None:
    """Counts one processed event and writes its log line (INFO on ``parley.events``)."""
    EVENTS.labels(platform, kind, outcome).inc()
    HANDLER_SECONDS.labels(platform, kind).observe(seconds)
    REPLIES.labels(platform).inc(replies)
    event_log.info("event %s", outcome, extra={"platform": platform, "kind": kind,
                                               "latency_ms": round(seconds * 1000, 3), "outcome": outcome,
                                               "replies": replies})


def observe_duplicate(platform: str) -> None:
    """Counts a repeat the store refused (another instance, or this one, took the event already)."""
    DUPLICATES.labels(platform).inc()
    event_log.info("event duplicate", extra={"platform": platform, "outcome": "duplicate"})


def count_nudge(outcome: str) -> None:
    """One scheduler outcome for one nudge (see the module docstring for the names)."""
    NUDGES.labels(outcome).inc()


def count_delivery(platform: str, outcome: str) -> None:
    """One outbox row's delivery outcome: ``sent``, ``retried`` (back to pending with backoff) or ``failed``."""
    OUTBOX_DELIVERIES.labels(platform, outcome).inc()


async def refresh_backlog(store: Store) -> None:
    """Reads the nudge and outbox counts per status from the store into ``parley_nudges_rows`` and
    ``parley_outbox_rows`` (before a scrape)."""
    for status in ROW_STATUSES:
        NUDGE_ROWS.labels(status).set(await store.count_nudges(status))
        OUTBOX_ROWS.labels(status).set(await store.count_outbox(status))


def exposition() -> bytes:
    """The default registry in Prometheus' text format (``CONTENT_TYPE_LATEST``)."""
    return generate_latest(REGISTRY)


class MeasuredStore:
    """A store whose coroutine methods are timed into ``parley_store_seconds{method}``.

    Everything else (sync methods, context managers such as ``transaction()``) passes through
    untouched, so methods added to the `Store` protocol later are forwarded without a change here.
    """

    def __init__(self, inner: Store) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not inspect.iscoroutinefunction(attr):
            return attr
        histogram = STORE_SECONDS.labels(name)

        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await attr(*args, **kwargs)
            finally:
                histogram.observe(time.perf_counter() - started)

        setattr(self, name, timed)  # found directly from now on, without __getattr__
        return timed


def measured(store: Store) -> Store:
    """``store`` behind `MeasuredStore`, typed as the protocol it forwards."""
    return cast(Store, MeasuredStore(store))
