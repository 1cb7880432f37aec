"""Contract tests for `bot.compat`: one per use of another library beyond its documented API.

When an upgrade of aiosqlite or python-telegram-bot breaks one of these, the fix belongs in
bot/compat.py (and the version bound in pyproject.toml), nowhere else.
"""

from __future__ import annotations

import re
import warnings

import pytest
from telegram import Bot
from telegram.error import RetryAfter
from telegram.request import BaseRequest

from bot import compat
from tests.fake_telegram import TOKEN, FakeTelegram, TgUser, private_chat


@pytest.mark.parametrize("seconds", [3, 0, 86400])
def test_retry_after_reads_seconds_without_a_warning(seconds: int) -> None:
    exc = RetryAfter(seconds)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert compat.retry_after_seconds(exc) == float(seconds)


def test_retry_after_reads_a_timedelta_when_ptb_is_told_to(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    assert compat.retry_after_seconds(RetryAfter(7)) == 7.0


def test_the_timeout_type_ptb_uses_is_where_compat_says() -> None:
    from telegram._utils import types  # the one private import, mirrored in bot/compat.py for mypy

    assert hasattr(types, "ODVInput")
    # what AiohttpRequest's "not given" test relies on: the marker is neither a number nor None
    assert not isinstance(BaseRequest.DEFAULT_NONE, int | float) and BaseRequest.DEFAULT_NONE is not None


async def test_post_unparsed_sends_the_params_and_returns_the_raw_result() -> None:
    fake = FakeTelegram()
    await fake.start()
    chat = private_chat(TgUser(5, "Ana", "en"))
    fake.chats[chat["id"]] = chat
    try:
        async with Bot(TOKEN, base_url=f"{fake.url}/bot") as bot:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = await compat.post_unparsed(bot, "sendMessage",
                                                    {"chat_id": chat["id"], "text": "hi", "message_thread_id": None})
        assert isinstance(result, dict) and result["text"] == "hi"
        sent = fake.calls_of("sendMessage")[-1].params
        assert sent["chat_id"] == chat["id"] and "message_thread_id" not in sent  # None dropped, as send_message does
        # the only warning PTB gives is the one compat silences in production
        assert all(re.search(compat.PREFER_TYPED, str(w.message)) for w in caught), [str(w.message) for w in caught]
    finally:
        await fake.stop()
