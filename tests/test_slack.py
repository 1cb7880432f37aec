"""The Slack adapter in-process: the real bolt app behind Parley's HTTP server, against `tests.fake_slack`.

Requests are signed exactly as Slack signs them; nothing in bolt or slack_sdk is mocked.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml

from bot.adapters.slack import SlackAdapter
from bot.adapters.slack_blocks import block_owner, inbound_text, render
from bot.adapters.slack_manifest import manifest, manifest_yaml
from bot.app import build_core
from bot.core import Core
from bot.events import Choice, DeliveryError, Event, EventKind, Reply, StartupError, Target
from bot.http import HttpServer
from bot.settings import Settings, SettingsError, load_settings
from bot.store import SQLiteStore, open_store
from tests.fake_slack import (
    APP_TOKEN,
    BOT_TOKEN,
    BOT_USER_ID,
    SIGNING_SECRET,
    FakeSlack,
    SlackSender,
    all_text,
    buttons,
    command_body,
    event_body,
)

#: Text the triage engine recognises with confidence (late payment); the card then goes public.
CLEAR = "the client is unhappy with the quality of the logo we delivered"  # a quality complaint: the five steps


def t(key: str, **values: object) -> str:
    from content import library

    return library().t(key, "en", **values)


def slack_settings(fake: FakeSlack, tmp_path: Path, **extra: Any) -> Settings:
    return load_settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                         slack_api_url=fake.api_url, http_port=0,
                         database_url="sqlite:///" + str(tmp_path / "slack.db"), **extra)


@dataclass
class Running:
    core: Core
    store: SQLiteStore
    adapter: SlackAdapter
    http: HttpServer
    slack: SlackSender
    fake: FakeSlack

    async def processed(self) -> list[Any]:
        """Rows of processed_events: what was made durable."""
        return list(await self.store._all("SELECT * FROM processed_events"))

    async def idle(self) -> None:
        """Waits until every accepted event has been worked off and delivered.

        bolt acknowledges Events API requests before its listener runs, so an event may not be accepted
        yet when the request returns: wait (up to 10 s) until no event is unfinished and no outbox row
        is waiting, as well as for the adapter's tasks.
        """
        deadline = asyncio.get_running_loop().time() + 10
        while True:
            await asyncio.wait_for(self.adapter.drain(), 10)
            await asyncio.sleep(0.02)
            settled = not await self.store.unfinished_events() and not await self.store.count_outbox("pending") \
                and not await self.store.count_outbox("claimed")
            if (settled and not self.adapter._tasks) or asyncio.get_running_loop().time() > deadline:
                return


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    yield server
    await server.stop()


async def _run(fake: FakeSlack, tmp_path: Path, **extra: Any) -> tuple[Core, SQLiteStore, SlackAdapter, HttpServer]:
    settings = slack_settings(fake, tmp_path, **extra)
    store = await open_store(settings.database_url)
    core = build_core(store, settings)
    http = HttpServer("127.0.0.1", 0)
    adapter = SlackAdapter(core, settings, http)
    core.register(adapter)
    await adapter.start()
    await http.start()
    return core, store, adapter, http


@pytest.fixture
async def parley(fake: FakeSlack, tmp_path: Path) -> AsyncIterator[Running]:
    core, store, adapter, http = await _run(fake, tmp_path)
    async with SlackSender(f"http://127.0.0.1:{http.port}/slack/events", fake=fake) as sender:
        yield Running(core, store, adapter, http, sender, fake)
    await adapter.stop()
    await http.stop()
    await store.close()


def _case_rows(run: Running) -> Any:
    return run.store._all("SELECT * FROM cases ORDER BY id")


# -- start, signatures, url_verification ---------------------------------------------------------


async def test_start_checks_the_token_and_bolt_does_not_ask_again(parley: Running) -> None:
    assert [c.method for c in parley.fake.calls] == ["auth.test"]
    assert parley.adapter.bot_user_id == BOT_USER_ID
    status, body, _ = await parley.slack.post(json.dumps({"type": "url_verification", "challenge": "abc123"}),
                                              "application/json")
    assert status == 200 and "abc123" in body
    await parley.slack.command("/parley", "help")
    await parley.fake.wait_for("chat.postEphemeral")
    assert len(parley.fake.of("auth.test")) == 1


async def test_wrong_token_is_one_line_and_never_shows_the_token(fake: FakeSlack, tmp_path: Path) -> None:
    fake.token = "xoxb-the-right-one"
    settings = slack_settings(fake, tmp_path)
    store = await open_store(settings.database_url)
    try:
        with pytest.raises(StartupError) as info:
            await SlackAdapter(build_core(store, settings), settings, HttpServer("127.0.0.1", 0)).start()
    finally:
        await store.close()
    message = str(info.value)
    assert "PARLEY_SLACK_BOT_TOKEN" in message and "invalid_auth" in message
    assert "\n" not in message and BOT_TOKEN not in message and SIGNING_SECRET not in message


async def test_unreachable_api_is_a_startup_error(tmp_path: Path) -> None:
    settings = load_settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                             slack_api_url="http://127.0.0.1:9/api/", database_url="sqlite:///" + str(tmp_path / "x.db"))
    store = await open_store(settings.database_url)
    try:
        with pytest.raises(StartupError, match="cannot reach the Slack Web API"):
            await SlackAdapter(build_core(store, settings), settings, None).start()
    finally:
        await store.close()


@pytest.mark.parametrize("how", ["bad", "missing", "stale", "other-secret"])
async def test_bad_missing_or_stale_signatures_get_401_and_nothing_runs(parley: Running, how: str) -> None:
    body = command_body("/conflict", "the client is yelling", user="U1", channel="C1")
    ctype = "application/x-www-form-urlencoded"
    if how == "bad":
        result = await parley.slack.post(body, ctype, headers={"X-Slack-Signature": "v0=" + "0" * 64})
    elif how == "missing":
        result = await parley.slack.post(body, ctype, signed=False)
    elif how == "stale":
        result = await parley.slack.post(body, ctype, timestamp=int(time.time()) - 6 * 60)
    else:
        parley.slack.secret = "not-the-secret"
        result = await parley.slack.post(body, ctype)
    assert result[0] == 401
    await asyncio.sleep(0.2)
    assert await parley.processed() == []
    assert [c.method for c in parley.fake.calls] == ["auth.test"]


async def test_a_body_changed_after_signing_is_refused(parley: Running) -> None:
    body = event_body({"type": "message", "user": "U1", "text": "hi", "channel": "D1", "ts": "1.1",
                       "channel_type": "im"})
    from tests.fake_slack import sign

    headers = sign(SIGNING_SECRET, body)
    status, _, _ = await parley.slack.post(body.replace("hi", "yo"), "application/json", headers=headers,
                                           signed=False)
    assert status == 401


# -- /conflict ------------------------------------------------------------------------------------


async def test_conflict_with_text_posts_the_card_in_the_channel_and_anchors_the_case(parley: Running) -> None:
    status, body, elapsed = await parley.slack.command("/conflict", CLEAR)
    assert status == 200 and body == ""
    post = await parley.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "C1" and "thread_ts" not in post.params
    assert t("conflict.walk") in all_text(post.params)
    assert post.params["blocks"][-1]["type"] == "actions"
    assert block_owner(post.params["blocks"][-1]["block_id"]) == "U1"
    await parley.idle()
    cases = await _case_rows(parley)
    assert len(cases) == 1 and cases[0]["thread_id"] == post.response["ts"] and cases[0]["chat_id"] == "C1"


async def test_conflict_without_text_shows_the_menu_privately_then_posts_the_card(parley: Running) -> None:
    await parley.slack.command("/conflict", "", user="U1", channel="C1")
    menu = await parley.fake.wait_for("chat.postEphemeral")
    assert menu.params["user"] == "U1" and len(buttons(menu.params)) >= 10
    assert parley.fake.of("chat.postMessage") == []
    first = buttons(menu.params)[0]["text"]["text"]
    eph = {**parley.fake.ephemerals[-1], "channel": "C1"}
    status, _, _ = await parley.slack.press(eph, first, user="U1", ephemeral=True)
    assert status == 200
    hook = await parley.fake.wait_hook(lambda h: h.get("replace_original"))
    assert "actions" not in json.dumps(hook["blocks"]) and first in all_text(hook)
    card = await parley.fake.wait_for("chat.postMessage")
    assert card.params["channel"] == "C1" and "thread_ts" not in card.params
    await parley.idle()
    cases = await _case_rows(parley)
    assert cases[0]["thread_id"] == card.response["ts"]


async def test_ack_comes_before_slow_work(parley: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    real = parley.core.run

    async def slow(event: Event, deliver: Callable[[list[Reply]], Awaitable[None]]) -> None:
        await asyncio.sleep(1.5)
        await real(event, deliver)

    monkeypatch.setattr(parley.core, "run", slow)
    status, _, elapsed = await parley.slack.command("/conflict", CLEAR)
    assert status == 200 and elapsed < 0.5
    rows = await parley.processed()
    assert len(rows) == 1 and rows[0]["status"] == "pending"  # durable before the ack
    await parley.fake.wait_for("chat.postMessage", within=5)


async def test_a_stuck_store_does_not_hold_the_ack(parley: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    real = parley.core.accept

    async def stuck(event: Event) -> bool:
        await asyncio.sleep(1.0)
        return await real(event)

    monkeypatch.setattr(parley.core, "accept", stuck)
    parley.adapter.accept_budget = 0.2
    status, _, elapsed = await parley.slack.command("/conflict", CLEAR)
    assert status == 200 and elapsed < 0.8
    await parley.fake.wait_for("chat.postMessage", within=5)
    await parley.idle()
    assert len(await parley.processed()) == 1


# -- the walkthrough in a thread ------------------------------------------------------------------


async def _start_walk(run: Running, text: str = CLEAR,
                      channel: str = "C1") -> dict[str, Any]:
    await run.slack.command("/conflict", text, channel=channel)
    post = await run.fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == channel)
    await run.idle()
    return run.fake.messages[(channel, post.response["ts"])]


async def test_walkthrough_in_the_thread_with_presses_and_replies(parley: Running) -> None:
    fake = parley.fake
    card = await _start_walk(parley)
    root = card["ts"]
    n = len(fake.calls)
    await parley.slack.press(card, t("conflict.walk"))
    update = await fake.wait_for("chat.update", after=n)
    assert update.params["ts"] == root
    assert all(b["type"] != "actions" for b in update.params["blocks"])  # old buttons gone: no replay
    listen = await fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == root, after=n)
    assert t("walk.skip") in all_text(listen.params)
    await parley.idle()

    # the owner answers in the thread (message.channels), the next step comes in the same thread
    n = len(fake.calls)
    await parley.slack.message("They say the landing page is broken & late <!channel>", channel="C1",
                               thread_ts=root, channel_type="channel")
    para = await fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == root, after=n)
    text = all_text(para.params)
    assert t("walk.paraphrase_ok") in text
    assert "<!channel>" not in json.dumps(para.params) and "&amp;" in text
    await parley.idle()

    # press "that's right" on the paraphrase step: a reply in the thread (its thread_ts is the root)
    para_msg = copy.deepcopy(fake.messages[("C1", para.response["ts"])])
    n = len(fake.calls)
    await parley.slack.press(para_msg, t("walk.paraphrase_ok"))
    cause = await fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == root, after=n)
    assert t("cause.expectations") in all_text(cause.params)
    await parley.idle()

    assert buttons(fake.messages[("C1", para.response["ts"])]) == []  # replaced by the chosen answer
    # an old button of a finished step (a stale client still showing it) changes nothing
    n = len(fake.calls)
    cases_before = await _case_rows(parley)
    await parley.slack.press(para_msg, t("walk.paraphrase_ok"))
    await parley.idle()
    assert [c.method for c in fake.calls[n:]] == ["chat.postEphemeral"]
    assert (await _case_rows(parley))[0]["step"] == cases_before[0]["step"] == "cause"

    cause_msg = fake.messages[("C1", cause.response["ts"])]
    n = len(fake.calls)
    await parley.slack.press(cause_msg, t("cause.expectations"))
    await fake.wait_for("chat.update", lambda c: c.params["ts"] == cause.response["ts"], after=n)
    apol = await fake.wait_for("chat.postMessage", lambda c: t("walk.fault_yes") in all_text(c.params), after=n)
    assert apol.params["thread_ts"] == root
    await parley.idle()
    n = len(fake.calls)
    await parley.slack.press(fake.messages[("C1", apol.response["ts"])], t("walk.fault_yes"))
    await fake.wait_for("chat.postMessage", lambda c: "solution" in json.dumps(c.params).lower()
                        or c.params.get("thread_ts") == root, after=n)
    await parley.idle()
    case = (await _case_rows(parley))[0]
    assert case["step"] == "solution" and case["thread_id"] == root


async def test_another_users_press_gets_a_private_note_and_changes_nothing(parley: Running) -> None:
    card = await _start_walk(parley)
    n = len(parley.fake.calls)
    status, _, _ = await parley.slack.press(card, t("conflict.walk"), user="U2")
    assert status == 200
    note = await parley.fake.wait_for("chat.postEphemeral", after=n)
    assert note.params["user"] == "U2" and t("slack.not_yours") in all_text(note.params)
    await parley.idle()
    assert [c.method for c in parley.fake.calls[n:]] == ["chat.postEphemeral"]
    assert (await _case_rows(parley))[0]["step"] == "offered"
    assert len(await parley.processed()) == 1  # the refused press never reached the core
    # the note left through the outbox: a row tied to no event, in the presser's conversation, sent
    rows = [dict(r) for r in await parley.store._all("SELECT * FROM outbox WHERE event_id IS NULL")]
    assert [(r["user_id"], r["status"]) for r in rows] == [("U2", "sent")]


async def test_a_foreign_press_on_an_unowned_message_is_refused_by_the_handlers(parley: Running) -> None:
    """Defence in depth: without the block_id owner the core still refuses by the button's owner tag."""
    card = await _start_walk(parley)
    for block in card["blocks"]:
        if block["type"] == "actions":
            block["block_id"] = "legacy"
    n = len(parley.fake.calls)
    await parley.slack.press(card, t("conflict.walk"), user="U2")
    note = await parley.fake.wait_for("chat.postEphemeral", after=n)
    assert t("button.not_yours") in all_text(note.params)
    assert (await _case_rows(parley))[0]["step"] == "offered"


# -- DMs, mentions, other messages ---------------------------------------------------------------


async def test_a_direct_message_is_triaged_and_the_dm_stays_flat(parley: Running) -> None:
    fake = parley.fake
    parley.fake.locales["U7"] = "ru-RU"
    await parley.slack.message("клиент не платит уже два месяца", user="U7", channel="D7")
    card = await fake.wait_for("chat.postMessage")
    assert card.params["channel"] == "D7" and "thread_ts" not in card.params
    assert fake.of("users.info")[0].http_method == "GET"
    await parley.idle()
    case = (await _case_rows(parley))[0]
    assert case["thread_id"] is None and case["lang"] == "ru"
    n = len(fake.calls)
    await parley.slack.press(fake.messages[("D7", card.response["ts"])], "", user="U7")
    step = await fake.wait_for("chat.postMessage", after=n)
    assert step.params["channel"] == "D7" and "thread_ts" not in step.params


async def test_a_reply_in_a_dm_thread_continues_the_same_case_in_that_thread(parley: Running) -> None:
    fake = parley.fake
    await parley.slack.message(CLEAR, user="U1", channel="D1")
    card = await fake.wait_for("chat.postMessage")
    await parley.idle()
    n = len(fake.calls)
    await parley.slack.press(fake.messages[("D1", card.response["ts"])], t("conflict.walk"))
    listen = await fake.wait_for("chat.postMessage", after=n)
    assert "thread_ts" not in listen.params
    await parley.idle()
    n = len(fake.calls)
    await parley.slack.message("He says the invoice was wrong", user="U1", channel="D1",
                               thread_ts=listen.response["ts"])
    para = await fake.wait_for("chat.postMessage", after=n)
    assert para.params["thread_ts"] == listen.response["ts"]  # shown where the user typed
    assert t("walk.paraphrase_ok") in all_text(para.params)  # ... and it answered the step of the DM's case
    await parley.idle()
    cases = await _case_rows(parley)
    assert len(cases) == 1 and cases[0]["thread_id"] is None and cases[0]["step"] == "paraphrase"


async def test_a_mention_is_answered_in_its_thread(parley: Running) -> None:
    await parley.slack.mention(CLEAR, channel="C5")
    post = await parley.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "C5"
    assert post.params.get("thread_ts", "").startswith("18")  # the mention's own ts (SlackSender's clock)
    await parley.idle()
    case = (await _case_rows(parley))[0]
    assert case["thread_id"] == post.params["thread_ts"]


@pytest.mark.parametrize("extra", [{"bot_id": "B999"}, {"subtype": "message_changed"}, {"user": BOT_USER_ID},
                                   {"subtype": "channel_join"}])
async def test_bots_own_messages_and_non_messages_are_ignored(parley: Running, extra: dict[str, Any]) -> None:
    status, _, _ = await parley.slack.message("the client is yelling at us", channel="D1", **extra)
    assert status == 200
    await asyncio.sleep(0.2)
    await parley.idle()
    assert await parley.processed() == []
    assert [c.method for c in parley.fake.calls] == ["auth.test"]


async def test_an_edited_crisis_dm_posts_no_second_card(parley: Running) -> None:
    fake = parley.fake
    await parley.slack.message(CLEAR, user="U1", channel="D1")
    crisis = parley.slack.last_sent
    await fake.wait_for("chat.postMessage")
    await parley.idle()
    n = len(fake.calls)
    await parley.slack.edit(crisis, CLEAR + " and now he threatens to sue")
    note = await fake.wait_for("chat.postMessage", after=n)
    await parley.idle()
    assert note.params["channel"] == "D1" and note.params["text"] == t("edit.card")
    assert len(await _case_rows(parley)) == 1


async def test_editing_the_step_one_answer_in_a_case_thread_updates_the_draft(parley: Running) -> None:
    fake = parley.fake
    card = await _start_walk(parley)
    root = card["ts"]
    n = len(fake.calls)
    await parley.slack.press(card, t("conflict.walk"))
    await fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == root, after=n)
    await parley.idle()
    n = len(fake.calls)
    await parley.slack.message("He says the invoice was bogus", channel="C1", thread_ts=root, channel_type="channel")
    answer = parley.slack.last_sent
    await fake.wait_for("chat.postMessage", lambda c: "bogus" in all_text(c.params), after=n)
    await parley.idle()
    n = len(fake.calls)
    await parley.slack.edit(answer, "He says the invoice was wrong")
    await fake.wait_for("chat.postMessage", lambda c: "invoice was wrong" in all_text(c.params), after=n)
    await parley.idle()
    posts = [c for c in fake.calls[n:] if c.method == "chat.postMessage"]
    assert [p.params.get("thread_ts") for p in posts] == [root, root]
    assert posts[0].params["text"] == t("edit.updated")
    case = (await _case_rows(parley))[0]
    assert case["step"] == "paraphrase" and "bogus" not in case["answers"]


async def test_an_edited_mention_posts_no_second_card(parley: Running) -> None:
    await parley.slack.mention(CLEAR, channel="C5")
    mention = parley.slack.last_sent
    card = await parley.fake.wait_for("chat.postMessage")
    await parley.idle()
    n = len(parley.fake.calls)
    await parley.slack.edit(mention, f"<@{BOT_USER_ID}> {CLEAR}, and he is angry")
    note = await parley.fake.wait_for("chat.postMessage", after=n)
    await parley.idle()
    assert note.params["text"] == t("edit.card") and note.params["thread_ts"] == card.params["thread_ts"]
    assert len(await _case_rows(parley)) == 1


async def test_message_changed_without_a_text_change_or_by_a_bot_is_ignored(parley: Running) -> None:
    await parley.slack.message(CLEAR, user="U1", channel="D1")
    crisis = parley.slack.last_sent
    await parley.fake.wait_for("chat.postMessage")
    await parley.idle()
    n, processed = len(parley.fake.calls), len(await parley.processed())
    await parley.slack.edit(crisis, CLEAR)  # e.g. Slack unfurled a link: same text
    await parley.slack.edit(crisis | {"user": BOT_USER_ID, "bot_id": "B1"}, "changed by a bot")
    await parley.slack.edit({**crisis, "ts": "1700000000.999999"}, "an edit of a message Parley never saw")
    await asyncio.sleep(0.2)
    await parley.idle()
    assert [c.method for c in parley.fake.calls[n:]] == []
    assert len(await parley.processed()) == processed + 1, "only the edit of an unknown message is stored (and ignored)"


async def test_channel_chatter_outside_a_case_thread_is_not_read_or_stored(parley: Running) -> None:
    card = await _start_walk(parley)
    before = len(await parley.processed())
    await parley.slack.message("lunch anyone?", channel="C1", channel_type="channel")
    await parley.slack.message("someone else talks in the thread", user="U2", channel="C1", thread_ts=card["ts"],
                               channel_type="channel")
    await asyncio.sleep(0.2)
    await parley.idle()
    assert len(await parley.processed()) == before


async def test_two_people_in_one_thread_each_keep_their_own_case(parley: Running) -> None:
    fake = parley.fake
    card = await _start_walk(parley)
    await parley.slack.press(card, t("conflict.walk"))
    await fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == card["ts"])
    await parley.idle()
    await parley.slack.mention(CLEAR, user="U2", channel="C1", thread_ts=card["ts"])  # a colleague asks too
    await parley.idle()
    n = len(fake.calls)
    await parley.slack.message("He says the invoice was wrong", user="U1", channel="C1", thread_ts=card["ts"],
                               channel_type="channel")
    para = await fake.wait_for("chat.postMessage", after=n)
    assert t("walk.paraphrase_ok") in all_text(para.params)
    owners = {(r["user_id"], r["step"]) for r in await _case_rows(parley)}
    assert owners == {("U1", "paraphrase"), ("U2", "offered")}


async def test_a_retried_event_is_processed_once(parley: Running) -> None:
    ev = {"type": "message", "user": "U1", "text": CLEAR,
          "channel": "D1", "ts": "1800000000.000100", "channel_type": "im"}
    first = await parley.slack.event(ev, event_id="Ev0RETRY")
    again = await parley.slack.event(ev, event_id="Ev0RETRY", retry_num=1)
    third = await parley.slack.event(ev, event_id="Ev0RETRY", retry_num=2)
    assert first[0] == again[0] == third[0] == 200
    await parley.fake.wait_for("chat.postMessage")
    await asyncio.sleep(0.3)
    await parley.idle()
    assert len(parley.fake.of("chat.postMessage")) == 1
    assert len(await parley.processed()) == 1


async def test_user_text_cannot_ping_channel_or_forge_links(parley: Running) -> None:
    await parley.slack.command("/parley", "card <!channel> <https://evil.example/|your invoice> <@U9|boss>")
    post = await parley.fake.wait_for("chat.postEphemeral")
    raw = json.dumps(post.params)
    assert "<!channel>" not in raw and "<https://" not in raw and "<@U9" not in raw
    assert "@channel" in all_text(post.params)


# -- App Home, /parley, nudges ------------------------------------------------------------------


async def test_app_home_lists_open_cases_and_its_buttons_work(parley: Running) -> None:
    await _start_walk(parley)
    await parley.slack.home_opened("U1", "D1")
    view = (await parley.fake.wait_for("views.publish")).params["view"]
    text = all_text(view)
    assert view["type"] == "home" and "#1" in text and t("walk.close") in text
    n = len(parley.fake.calls)
    await parley.slack.press(view, t("slack.home.new"), home=True)
    menu = await parley.fake.wait_for("chat.postMessage", after=n)
    assert menu.params["channel"] == "D1" and len(buttons(menu.params)) >= 10
    await parley.fake.wait_for("views.publish", after=n)  # refreshed after the press


async def test_continue_from_app_home_posts_the_step_in_the_case_thread(parley: Running) -> None:
    card = await _start_walk(parley)
    await parley.slack.press(card, t("conflict.walk"))
    await parley.fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == card["ts"])
    await parley.idle()
    await parley.slack.home_opened("U1", "D1")
    view = (await parley.fake.wait_for("views.publish")).params["view"]
    n = len(parley.fake.calls)
    await parley.slack.press(view, t("walk.resume"), home=True)
    step = await parley.fake.wait_for("chat.postMessage", after=n)
    assert step.params["channel"] == "C1" and step.params["thread_ts"] == card["ts"]
    assert t("walk.skip") in all_text(step.params)


async def test_app_home_press_without_a_known_dm_opens_one(parley: Running) -> None:
    await parley.slack.home_opened("U3", "")
    view = (await parley.fake.wait_for("views.publish")).params["view"]
    assert "*" + t("slack.home.new") + "*" in all_text(view)  # the "no open cases" line, bold in mrkdwn
    await parley.slack.press(view, t("help.browse_cards"), home=True, user="U3")
    await parley.fake.wait_for("conversations.open")
    cards = await parley.fake.wait_for("chat.postMessage")
    assert cards.params["channel"] == "D3"


async def test_parley_subcommands_answer_privately_in_channels(parley: Running) -> None:
    await parley.slack.command("/parley", "help", channel="C1")
    post = await parley.fake.wait_for("chat.postEphemeral")
    text = all_text(post.params)
    assert "/parley cards" in text and "/conflict" in text and "/parley conflict" not in text
    await parley.slack.command("/parley", "", channel="D1")
    dm = await parley.fake.wait_for("chat.postMessage")
    assert dm.params["channel"] == "D1"


async def test_nudge_goes_in_the_case_thread_and_mentions_the_owner(parley: Running) -> None:
    card = await _start_walk(parley)
    await parley.adapter.send(Target("slack", "C1", "U1", card["ts"]),
                              [Reply("**Did you deliver?** <!here>", choices=[Choice("n:1:done", "Done")],
                                     mention_user=True, case_id=1)])
    nudge = await parley.fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == card["ts"])
    text = nudge.params["blocks"][0]["text"]["text"]
    assert text.startswith("<@U1> *Did you deliver?*") and "&lt;!here&gt;" in text


async def test_followup_command_schedules_a_nudge_that_arrives_in_the_thread(parley: Running) -> None:
    from bot.scheduler import Scheduler
    from handlers.followup import render_nudge

    card = await _start_walk(parley)
    scheduler = Scheduler(parley.core, render_nudge)
    parley.core.on_nudges_changed = scheduler.wake
    await scheduler.start()
    try:
        await parley.slack.command("/parley", "followup 2s check the invoice", channel="C1")
        await parley.fake.wait_for("chat.postEphemeral")
        nudge = await parley.fake.wait_for("chat.postMessage", lambda c: "<@U1>" in json.dumps(c.params), within=15)
    finally:
        await scheduler.stop()
    assert nudge.params["thread_ts"] == card["ts"] and nudge.params["channel"] == "C1"
    assert "check the invoice" in all_text(nudge.params)


async def test_send_maps_slack_errors_to_delivery_errors(parley: Running) -> None:
    target = Target("slack", "C1", "U1", None)
    parley.fake.fail("chat.postMessage", "channel_not_found")
    with pytest.raises(DeliveryError) as info:
        await parley.adapter.send(target, [Reply("hi")])
    assert info.value.permanent
    parley.fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=0, times=3)
    with pytest.raises(DeliveryError) as info:
        await parley.adapter.send(target, [Reply("hi")])
    assert not info.value.permanent and info.value.retry_after is not None
    parley.fake.fail("chat.postMessage", "internal_error")
    with pytest.raises(DeliveryError) as info:
        await parley.adapter.send(target, [Reply("hi")])
    assert not info.value.permanent


async def test_a_429_waits_for_retry_after_then_succeeds(parley: Running) -> None:
    parley.fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=1)
    started = time.monotonic()
    await parley.slack.command("/conflict", CLEAR)
    post = await parley.fake.wait_for("chat.postMessage", within=10)
    tries = parley.fake.of("chat.postMessage")
    assert [c.status for c in tries] == [429, 200]
    assert post.at - tries[0].at >= 1.0 and time.monotonic() - started < 5
    await parley.idle()
    assert (await _case_rows(parley))[0]["thread_id"] == post.response["ts"]


async def test_not_in_channel_falls_back_to_the_response_url(parley: Running) -> None:
    parley.fake.fail("chat.postMessage", "not_in_channel")
    await parley.slack.command("/conflict", CLEAR, channel="G9")
    hook = await parley.fake.wait_hook()
    assert hook["response_type"] == "ephemeral" and "/invite" in all_text(hook)


async def test_unfinished_events_are_replayed_at_start(fake: FakeSlack, tmp_path: Path) -> None:
    settings = slack_settings(fake, tmp_path)
    store = await open_store(settings.database_url)
    event = Event(platform="slack", event_id="EvLOST", user_id="U1", chat_id="D1", kind=EventKind.MESSAGE,
                  text=CLEAR, is_direct=True)
    assert await build_core(store, settings).accept(event)
    await store.close()
    core, store, adapter, http = await _run(fake, tmp_path)
    try:
        post = await fake.wait_for("chat.postMessage")
        assert post.params["channel"] == "D1"
        await asyncio.wait_for(adapter.drain(), 10)
        assert await store.unfinished_events("slack") == []
    finally:
        await adapter.stop()
        await http.stop()
        await store.close()


async def test_socket_mode_gets_commands_over_the_websocket(fake: FakeSlack, tmp_path: Path) -> None:
    core, store, adapter, http = await _run(fake, tmp_path, slack_app_token=APP_TOKEN)
    try:
        assert fake.of("apps.connections.open")[0].token == APP_TOKEN
        body = dict(x.split("=", 1) for x in command_body("/conflict", "x", user="U1", channel="C1").split("&"))
        from urllib.parse import unquote_plus

        payload = {k: unquote_plus(v) for k, v in body.items()}
        payload["text"] = CLEAR
        envelope = await fake.push("slash_commands", payload)
        post = await fake.wait_for("chat.postMessage")
        assert post.params["channel"] == "C1"
        for _ in range(300):
            if any(a.get("envelope_id") == envelope for a in fake.socket_acks):
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError(f"the envelope was not acknowledged: {fake.socket_acks}")
        assert all(route.resource is None or "/slack/events" not in str(route.resource.canonical)
                   for route in http.app.router.routes())
    finally:
        await adapter.stop()
        await http.stop()
        await store.close()


async def test_socket_mode_with_a_wrong_app_token_is_a_startup_error(fake: FakeSlack, tmp_path: Path) -> None:
    settings = slack_settings(fake, tmp_path, slack_app_token="xapp-wrong")
    store = await open_store(settings.database_url)
    try:
        with pytest.raises(StartupError, match="PARLEY_SLACK_APP_TOKEN") as info:
            await SlackAdapter(build_core(store, settings), settings, None).start()
    finally:
        await store.close()
    assert "xapp-wrong" not in str(info.value)


# -- pieces ---------------------------------------------------------------------------------------


def test_inbound_text_resolves_slack_markup() -> None:
    raw = "<@UBOT> hi <!channel> &lt;b&gt; &amp; <https://x.example|site> <#C1|general> <@U2|ann> <mailto:a@b.c>"
    assert inbound_text(raw, "UBOT") == "hi @channel <b> & site #general @ann mailto:a@b.c"


def test_render_escapes_user_text_and_limits_buttons() -> None:
    reply = Reply("**Bold** <!everyone> & <http://x|y>", choices=[Choice(f"x:{i}", "L" * 100) for i in range(30)])
    text, blocks = render(reply, "U1")
    assert blocks[0]["text"]["text"] == "*Bold* &lt;!everyone&gt; &amp; &lt;http://x|y&gt;"
    actions = [b for b in blocks if b["type"] == "actions"]
    assert [len(b["elements"]) for b in actions] == [25, 5]
    assert len({e["action_id"] for b in actions for e in b["elements"]}) == 30
    assert all(len(e["text"]["text"]) <= 75 for b in actions for e in b["elements"])
    long_text, long_blocks = render(Reply("word " * 2000), None)
    assert all(len(b["text"]["text"]) <= 3000 for b in long_blocks) and len(long_blocks) >= 4


def test_manifest_has_commands_scopes_events_interactivity_and_home() -> None:
    http = yaml.safe_load(manifest_yaml("https://parley.example.com/"))
    assert http == manifest("https://parley.example.com")
    url = "https://parley.example.com/slack/events"
    assert {c["command"] for c in http["features"]["slash_commands"]} == {"/conflict", "/parley"}
    assert all(c["url"] == url for c in http["features"]["slash_commands"])
    assert http["settings"]["event_subscriptions"]["request_url"] == url
    assert http["settings"]["interactivity"] == {"is_enabled": True, "request_url": url}
    assert {"app_mention", "message.im", "app_home_opened"} <= set(http["settings"]["event_subscriptions"]["bot_events"])
    assert {"chat:write", "commands", "im:history", "app_mentions:read"} <= set(http["oauth_config"]["scopes"]["bot"])
    assert http["features"]["app_home"]["home_tab_enabled"] is True
    assert http["settings"]["socket_mode_enabled"] is False
    socket = yaml.safe_load(manifest_yaml(None))
    assert socket["settings"]["socket_mode_enabled"] is True and "request_url" not in socket["settings"]["interactivity"]
    with pytest.raises(SettingsError):
        manifest_yaml("parley.example.com")


def test_form_bodies_match_what_slack_sends() -> None:
    body = command_body("/conflict", "a & b", user="U1", channel="C1")
    assert "text=a+%26+b" in body and urlencode({"command": "/conflict"}) in body


async def test_a_row_that_may_have_been_sent_is_looked_up_and_only_missing_parts_are_posted(parley: Running) -> None:
    """Every post carries the outbox row and part as metadata; a maybe-sent row posts only what Slack lacks."""
    from bot.adapters.slack import OUTBOX_EVENT
    from bot.outbox import Delivery

    fake, adapter = parley.fake, parley.adapter
    assert adapter.client is not None
    await adapter.client.chat_postMessage(channel="C7", text="first part", metadata={
        "event_type": OUTBOX_EVENT, "event_payload": {"outbox": 41, "part": 0}})
    n = len(fake.calls)
    note = parley.core.lib.t("outbox.may_repeat", "en")
    await adapter.deliver(Delivery(outbox_id=41, platform="slack", user_id="U1", target=Target("slack", "C7", "U1"),
                                   replies=[Reply("first part"), Reply("second part")], maybe_sent=True,
                                   repeat_note=note))
    posted = [c.params for c in fake.calls[n:] if c.method == "chat.postMessage"]
    assert [p["text"] for p in posted] == ["second part"], "no note: Slack was asked, not guessed"
    assert posted[0]["metadata"] == {"event_type": OUTBOX_EVENT, "event_payload": {"outbox": 41, "part": 1}}
    assert [c.method for c in fake.calls[n:]][0] == "conversations.history"

    n = len(fake.calls)
    await adapter.deliver(Delivery(outbox_id=42, platform="slack", user_id="U1", target=Target("slack", "C7", "U1"),
                                   replies=[Reply("fresh")]))
    assert [c.method for c in fake.calls[n:]] == ["chat.postMessage"], "a first attempt looks nothing up"


async def test_users_info_is_asked_once_per_new_user_and_never_for_a_known_one(parley: Running) -> None:
    """The locale lookup starts when the event is acknowledged and is cached: a burst from one new user
    costs one users.info, and a user Parley has stored costs none."""
    fake = parley.fake
    fake.locales["U8"] = "ro-RO"
    for i in range(5):
        await parley.slack.command("/parley", "cards", user="U8", channel=f"CL{i}")
    await parley.idle()
    assert [c.params.get("user") for c in fake.of("users.info")] == ["U8"]
    user = await parley.store.get_user("slack", "U8")
    assert user is not None and user.lang == "ro"

    parley.adapter._locale.clear()  # a restart forgets the cache; the stored user needs no lookup
    n = len(fake.calls)
    await parley.slack.command("/parley", "cards", user="U8", channel="CL9")
    await parley.idle()
    assert [c.method for c in fake.calls[n:] if c.method == "users.info"] == []


async def test_a_row_slack_will_not_let_parley_look_up_is_sent_again_with_the_note(parley: Running) -> None:
    """A channel Parley cannot read (not a member, a missing scope): at-least-once, like Telegram, never lost."""
    from bot.outbox import Delivery

    fake, adapter = parley.fake, parley.adapter
    fake.fail("conversations.history", "not_in_channel")
    note = parley.core.lib.t("outbox.may_repeat", "en")
    n = len(fake.calls)
    await adapter.deliver(Delivery(outbox_id=43, platform="slack", user_id="U1", target=Target("slack", "C8", "U1"),
                                   replies=[Reply("the reminder")], maybe_sent=True, repeat_note=note))
    posted = [c.params for c in fake.calls[n:] if c.method == "chat.postMessage"]
    assert [p["text"] for p in posted] == [f"{note}\n\nthe reminder"]
