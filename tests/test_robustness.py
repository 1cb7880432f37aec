"""Odd input, stale copies and races found in review: each test pins one defect that was fixed."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from bot.core import Core
from bot.events import DeliveryError, Reply, Target
from bot.outbox import Delivery
from bot.scheduler import Scheduler
from bot.store import SQLiteStore, User
from handlers.followup import render_nudge
from tests.conftest import FixedClock, Talker


async def _rows(store: SQLiteStore, table: str) -> list[dict[str, object]]:
    return [dict(r) for r in await store._all(f"SELECT * FROM {table}")]  # noqa: SLF001


async def test_lone_surrogate_in_a_message_gets_a_reply_and_is_stored(core: Core, store: SQLiteStore) -> None:
    """JSON from a platform may carry a lone surrogate ("\\ud83d"); SQLite cannot encode it as UTF-8."""
    talker = Talker(core)
    replies = await talker.say("\ud83d the client is furious, we missed the launch deadline we promised")
    assert replies
    assert await store.unfinished_events() == []
    await talker.pick("Walk")
    replies = await talker.say("he says \udc00 the launch slipped two weeks")
    assert "\udc00" not in talker.text()
    cases = await store.open_cases("console", "u1")
    assert cases and cases[0].step == "paraphrase"


async def test_lone_surrogate_in_a_button_press_does_not_crash(core: Core) -> None:
    replies = await Talker(core).press("w:1:\ud800:walk")
    assert replies and "\ud800" not in "".join(r.text for r in replies)


async def test_a_stale_copy_of_a_case_cannot_reopen_it(store: SQLiteStore) -> None:
    """The scheduler renders a review nudge from a copy read before the user closed the case."""
    case = await store.create_case(platform="console", chat_id="c1", thread_id=None, user_id="u1", lang="en")
    stale = await store.get_case(case.id)
    assert stale is not None
    case.status, case.outcome, case.step = "closed", "resolved", "closed"
    await store.save_case(case, log=("closed", {"outcome": "resolved"}))
    stale.step = "review"
    await store.save_case(stale)
    again = await store.get_case(case.id)
    assert again is not None and again.status == "closed" and again.step == "closed"
    assert await store.find_open_case("console", "c1", None, "u1") is None


async def test_blocked_delivery_after_forget_leaves_no_user_row(core: Core, store: SQLiteStore,
                                                               clock: FixedClock) -> None:
    """/forget lands while a nudge is being sent and the platform says the user blocked the bot."""
    await store.save_user(User(platform="fake", user_id="u1", lang="en", tz="UTC"))
    case = await store.create_case(platform="fake", chat_id="c1", thread_id=None, user_id="u1", lang="en")
    await store.add_nudge(case.id, "deliver", clock() - timedelta(seconds=1))

    class ForgetThenBlocked:
        platform = "fake"

        async def start(self) -> None: ...

        async def stop(self) -> None: ...

        async def send(self, target: Target, replies: Sequence[Reply]) -> None:
            await store.forget_user("fake", "u1")
            raise DeliveryError("Forbidden: bot was blocked by the user", permanent=True)

        async def deliver(self, delivery: Delivery) -> None:
            assert delivery.target is not None
            await self.send(delivery.target, delivery.replies)

    core.register(ForgetThenBlocked())
    await Scheduler(core, render_nudge, clock=clock).run_once()
    for table in ("users", "cases", "case_log", "nudges", "processed_events", "outbox"):
        assert await _rows(store, table) == [], table


async def test_forget_leaves_no_row_of_the_user(core: Core, store: SQLiteStore) -> None:
    talker = Talker(core, platform="slack", user="U1", chat="C1", thread="111.1")
    await talker.say("the client is shouting at me and calling me an idiot")
    await talker.pick("Walk")
    await talker.say("he says the launch slipped two weeks")
    await talker.say("/followup 2h call him back")
    await talker.say("/forget")
    await talker.press("fg:yes")
    for table in ("users", "cases", "case_log", "nudges", "processed_events"):
        assert await _rows(store, table) == [], table


async def test_the_token_is_redacted_from_logged_tracebacks(caplog: object) -> None:
    from bot.adapters.telegram import _RedactToken

    token = "123456:SECRET-token"
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "Telegram update %s failed", ("7",), None)
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{token}/sendMessage failed")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    _RedactToken(token).filter(record)
    text = logging.Formatter().format(record)
    assert token not in text and "<token>" in text

