"""The scheduler is woken after the transaction that scheduled a nudge commits, not inside it.

On PostgreSQL the scheduler reads through another pool connection: woken inside the handler's
transaction, it saw no new nudge and slept until its next timeout (up to 30 s), so "/followup 10s"
came about half a minute late. A newcomer's report found it; SQLite hid it (one connection)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import pytest

from bot.app import build_core
from bot.settings import load_settings
from bot.store import SQLiteStore, Store
from tests.conftest import FixedClock, Talker


class JournalledStore:
    """The store, with its outermost transactions' ends written into ``journal`` beside the wakes."""

    def __init__(self, inner: Store, journal: list[str]) -> None:
        self._inner, self.journal, self._depth = inner, journal, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        self._depth += 1
        try:
            async with self._inner.transaction():
                yield
        finally:
            self._depth -= 1
        if self._depth == 0:
            self.journal.append("commit")


@pytest.mark.parametrize("command", ["/followup in 2 hours call the client", "/followup tomorrow 10:00 send the invoice"])
async def test_the_scheduler_is_woken_after_the_commit(store: SQLiteStore, command: str) -> None:
    journal: list[str] = []
    core = build_core(cast(Store, JournalledStore(store, journal)), load_settings(), clock=FixedClock())
    core.on_nudges_changed = lambda: journal.append("wake")
    talker = Talker(core)
    await talker.say("the client has not paid the invoice for two months")  # a case to follow up
    journal.clear()
    await talker.say(command)
    assert "wake" in journal, "the scheduler was never woken"
    assert journal.index("wake") > journal.index("commit"), journal


async def test_an_event_that_schedules_nothing_does_not_wake_the_scheduler(store: SQLiteStore) -> None:
    woken: list[bool] = []
    core = build_core(store, load_settings(), clock=FixedClock())
    core.on_nudges_changed = lambda: woken.append(True)
    await Talker(core).say("/help")
    assert woken == []
