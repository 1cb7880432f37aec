"""A long poller that Telegram refuses (a webhook set on the same token, say by a staging instance on
another database) receives nothing: /healthz must say so, and the log gets one line, not a traceback
per retry."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.test_telegram import Tg, fake, tg, tg_store  # noqa: F401  (fixtures)


async def _until(condition: object, seconds: float = 15.0) -> bool:
    for _ in range(int(seconds / 0.1)):
        if condition():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.1)
    return False


async def test_a_refused_poller_is_reported_down_with_one_line(tg: Tg, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    assert tg.adapter.healthy()
    caplog.set_level(logging.WARNING)
    tg.fake.webhook = "https://staging.example.com/telegram"  # what another deploy's setWebhook does
    assert await _until(lambda: not tg.adapter.healthy()), "a refused poller still reports healthy"
    await asyncio.sleep(2)  # PTB retries the refused poll meanwhile
    refused = [r for r in caplog.records if "refuses this poller" in r.getMessage()]
    assert len(refused) == 1, [r.getMessage() for r in caplog.records]
    assert not any(r.exc_info for r in caplog.records if r.name.startswith(("bot", "telegram")))
    assert tg.adapter._token not in caplog.text  # noqa: SLF001 (the secret itself)
