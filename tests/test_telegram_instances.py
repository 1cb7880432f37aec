"""Telegram on several instances: one long poller per bot token (Telegram allows one getUpdates
consumer), any number of webhook instances."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram import TelegramAdapter
from bot.app import build_core
from bot.events import StartupError
from bot.settings import load_settings
from bot.store import Store, open_store
from tests.fake_telegram import TOKEN, FakeTelegram


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path / "shared.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


async def instance(fake: FakeTelegram, db_url: str, **extra: Any) -> tuple[TelegramAdapter, Store]:
    """One ``parley run``'s worth of Telegram: its own store (pool) on the shared database."""
    settings = load_settings(telegram_token=TOKEN, telegram_api_url=fake.url, database_url=db_url, **extra)
    store = await open_store(db_url)
    core = build_core(store, settings)
    adapter = TelegramAdapter(core, settings, None, poll_timeout=1)
    core.register(adapter)
    return adapter, store


async def test_a_second_long_poller_on_the_same_token_is_refused(fake: FakeTelegram, db_url: str) -> None:
    first, first_store = await instance(fake, db_url)
    second, second_store = await instance(fake, db_url)
    try:
        await first.start()
        calls = len(fake.calls)
        with pytest.raises(StartupError) as caught:
            await second.start()
        message = str(caught.value)
        assert "another Parley instance" in message and "PARLEY_TELEGRAM_WEBHOOK_URL" in message
        assert "\n" not in message and TOKEN not in message
        # the first instance keeps long polling meanwhile; the second never said a word to Telegram
        assert [c.method for c in fake.calls[calls:] if c.method != "getUpdates"] == []
        await first.stop()
        third, third_store = await instance(fake, db_url)
        try:
            await third.start()  # the first one stopped: polling is free again
            await third.stop()
        finally:
            await third_store.close()
    finally:
        await first.stop()
        await first_store.close()
        await second_store.close()


async def test_a_poller_and_webhook_instances_on_one_token_exclude_each_other(fake: FakeTelegram,
                                                                              db_url: str) -> None:
    """A poller's deleteWebhook would take the updates away from webhook instances, and a webhook
    instance's setWebhook would stop the poller: on one database, whichever came first keeps the bot."""
    webhook = {"telegram_webhook_url": "https://parley.example.org", "telegram_webhook_secret": "same-secret"}
    hook, hook_store = await instance(fake, db_url, **webhook)
    poller, poller_store = await instance(fake, db_url)
    try:
        await hook.start()
        with pytest.raises(StartupError, match="webhook instances"):
            await poller.start()
        await hook.stop()
        await poller.start()
        late_hook, late_store = await instance(fake, db_url, **webhook)
        try:
            with pytest.raises(StartupError, match="long polling") as caught:
                await late_hook.start()
            assert "\n" not in str(caught.value) and TOKEN not in str(caught.value)
        finally:
            await late_store.close()
    finally:
        await poller.stop()
        await hook.stop()
        await hook_store.close()
        await poller_store.close()


async def test_webhook_instances_start_side_by_side(fake: FakeTelegram, db_url: str) -> None:
    hooks = [await instance(fake, db_url, telegram_webhook_url="https://parley.example.org",
                            telegram_webhook_secret="same-secret") for _ in range(3)]
    try:
        for adapter, _ in hooks:
            await adapter.start()
        assert len(fake.calls_of("setWebhook")) == 3
    finally:
        for adapter, store in hooks:
            await adapter.stop()
            await store.close()
