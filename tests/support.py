"""Helpers several test modules share: a store that counts its calls, an adapter that keeps deliveries."""

from __future__ import annotations

import asyncio

from bot.outbox import Delivery
from bot.store import Store


class CountingStore:
    """``store`` with every coroutine call's name appended to ``calls`` (how often a loop asks the
    database); everything else passes through."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> object:
        attr = getattr(self.store, name)
        if not asyncio.iscoroutinefunction(attr):
            return attr

        async def counted(*args: object, **kwargs: object) -> object:
            self.calls.append(name)
            return await attr(*args, **kwargs)
        return counted


class RecordingAdapter:
    """A console-platform adapter that keeps every delivery it is handed, in order."""

    platform = "console"

    def __init__(self) -> None:
        self.delivered: list[Delivery] = []

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def deliver(self, delivery: Delivery) -> None:
        self.delivered.append(delivery)
