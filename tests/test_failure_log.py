"""A background loop's failing passes are logged once per streak, not three times a second.

An operator stopped PostgreSQL under two instances: each logged 2-3 tracebacks a second."""

from __future__ import annotations

import logging

import pytest

from bot.failure_log import REMIND_EVERY, StreakLog, is_outage
from bot.store import StoreError


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _fail(streak: StreakLog, exc: Exception) -> None:
    try:
        raise exc
    except Exception as caught:
        streak.failed(caught)


def test_an_outage_is_one_line_then_a_reminder_a_minute_then_one_line_when_it_works(
        caplog: pytest.LogCaptureFixture) -> None:
    clock, logger = Clock(), logging.getLogger("test.streak")
    streak = StreakLog(logger, "an outbox pass", clock)
    caplog.set_level(logging.WARNING, logger="test.streak")
    for _ in range(150):  # 150 passes a second apart
        _fail(streak, ConnectionRefusedError(111, "Connection refused"))
        clock.now += 1.0
    streak.succeeded()
    streak.succeeded()
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith("an outbox pass failed: ConnectionRefusedError")
    assert sum("still failing" in line for line in lines) == int(150 // REMIND_EVERY)
    assert lines[-1] == "an outbox pass works again after 150 failed pass(es)"
    assert len(lines) == 1 + int(150 // REMIND_EVERY) + 1
    assert not any(r.exc_info for r in caplog.records), "an outage needs no traceback"


def test_a_bug_keeps_its_traceback_once(caplog: pytest.LogCaptureFixture) -> None:
    streak = StreakLog(logging.getLogger("test.streak"), "a scheduler pass", Clock())
    caplog.set_level(logging.WARNING, logger="test.streak")
    for _ in range(5):
        _fail(streak, KeyError("case_id"))
    assert len(caplog.records) == 1 and caplog.records[0].exc_info is not None


@pytest.mark.parametrize(("exc", "outage"), [
    (ConnectionRefusedError(), True), (TimeoutError(), True), (StoreError("cannot connect"), True),
    (KeyError("x"), False), (ValueError("bad"), False)])
def test_what_counts_as_an_outage(exc: Exception, outage: bool) -> None:
    assert is_outage(exc) is outage


def test_asyncpg_connection_errors_are_outages() -> None:
    import asyncpg

    assert is_outage(asyncpg.exceptions.ConnectionDoesNotExistError("gone"))
    assert is_outage(asyncpg.exceptions.CannotConnectNowError("starting up"))
    assert is_outage(asyncpg.InterfaceError("pool is closing"))
    assert not is_outage(asyncpg.exceptions.UniqueViolationError("dup"))
