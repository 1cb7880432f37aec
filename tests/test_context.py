"""Handlers run on a `Context` built by hand: no Core, no adapter, just the store and the content."""

from __future__ import annotations

from datetime import UTC, datetime

import handlers
from bot.events import Event, EventKind
from bot.store import SQLiteStore, User
from content import library
from handlers.context import Context


async def test_a_handler_needs_no_core_only_its_capabilities(store: SQLiteStore) -> None:
    user = User(platform="console", user_id="u1", lang="en", tz="Europe/Chisinau")
    await store.save_user(user)
    calls: list[tuple[str, str, str]] = []

    async def set_language(platform: str, user_id: str, lang: str) -> None:
        calls.append((platform, user_id, lang))

    ctx = Context(store=store, lib=library(), user=user, now=datetime(2026, 11, 23, 10, tzinfo=UTC),
                  language_setter=set_language)
    replies = await handlers.dispatch(Event("console", "e1", "u1", "c1", EventKind.MESSAGE, text="/lang ro"), ctx)
    assert calls == [("console", "u1", "ro")]
    assert ctx.user.lang == "ro" and replies[0].text == ctx.t("lang.set", name="Română")


async def test_the_core_builds_the_context_with_its_own_capabilities(talker: object) -> None:
    from tests.conftest import Talker

    assert isinstance(talker, Talker)
    core = talker.core
    woken: list[int] = []
    core.on_nudges_changed = lambda: woken.append(1)
    user = User(platform="console", user_id="u9", lang="en", tz="UTC")
    ctx = core.context_for(user)
    assert ctx.now == core.clock() and ctx.store is core.store and ctx.lib is core.lib
    ctx.nudges_changed()
    await ctx.set_language("ru")
    assert woken == [1] and ctx.user.lang == "ru"
    stored = await core.store.get_user("console", "u9")
    assert stored is not None and stored.lang == "ru"


async def test_the_home_page_is_built_by_handlers_and_stamped_by_the_core(talker: object) -> None:
    from bot.owner import owner_tag, unstamp
    from handlers.home import home
    from tests.conftest import Talker

    assert isinstance(talker, Talker)
    core = talker.core
    page = await core.home("slack", "U7")
    assert page.cases_title is None and page.cases == []
    assert all(unstamp(c.id)[1] == owner_tag("slack", "U7") for c in page.choices)
    assert await core.store.get_user("slack", "U7") is None  # looking is not meeting
    # handlers build it from a Context alone: no Slack, no Core
    ctx = core.context_for(await core.user_for(talker._event(EventKind.MESSAGE)))
    assert [c.id for c in (await home(ctx)).choices] == ["cf:menu", "m:cards"]
