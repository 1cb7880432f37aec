"""The Telegram adapter in process: the real PTB Application against the fake Bot API in tests/.

Nothing of PTB is mocked; the fake records every call, so the tests assert what Parley sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram import TelegramAdapter
from bot.app import build_core
from bot.core import Core
from bot.events import DeliveryError, Event, EventKind, Reply, StartupError, Target
from bot.http import HttpServer
from bot.owner import owner_tag, unstamp
from bot.settings import Settings, load_settings
from bot.store import SQLiteStore
from tests.fake_telegram import TOKEN, FakeTelegram, Stored, TgUser, group_chat, private_chat

ANA = TgUser(4201, "Ana", "en")
BOB = TgUser(4202, "Bob", "en")
OLGA = TgUser(4203, "Ольга", "ru")
CRISIS = "the client is furious, we missed the launch deadline we promised"  # the five steps


@dataclass
class Tg:
    fake: FakeTelegram
    adapter: TelegramAdapter
    core: Core
    http: HttpServer

    def t(self, key: str, lang: str = "en", **values: object) -> str:
        return self.core.lib.t(key, lang, **values)

    async def say(self, user: TgUser, text: str | None, *, count: int = 1, **kw: Any) -> Stored:
        """The user writes; waits for ``count`` messages from Parley in that chat, returns the last."""
        chat = kw.get("chat") or private_chat(user)
        mark = self.fake.mark()
        self.fake.message(user, text, **kw)
        await self.fake.wait_for("sendMessage", lambda c: c["chat_id"] == chat["id"], count=count, since=mark)
        return self.fake.last(chat["id"])

    async def press(self, user: TgUser, message: Stored, label: str | None = None, *, data: str | None = None,
                    sends: int = 0) -> int:
        """Presses a button; waits for the answer to the press and ``sends`` new messages."""
        mark = self.fake.mark()
        update_id = self.fake.press(user, message, label, data=data)
        await self.fake.wait_for("answerCallbackQuery", since=mark)
        if sends:
            await self.fake.wait_for("sendMessage", count=sends, since=mark)
        return update_id


def tg_settings(fake: FakeTelegram, tmp_path: Path, **extra: Any) -> Settings:
    return load_settings(telegram_token=TOKEN, telegram_api_url=fake.url,
                         database_url="sqlite:///" + str(tmp_path / "tg.db"), **extra)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def tg_store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    store = await SQLiteStore.open("sqlite:///" + str(tmp_path / "tg.db"))
    yield store
    await store.close()


async def _running(fake: FakeTelegram, store: SQLiteStore, tmp_path: Path, **extra: Any) -> Tg:
    settings = tg_settings(fake, tmp_path, **extra)
    core = build_core(store, settings)
    http = HttpServer("127.0.0.1", 0)
    adapter = TelegramAdapter(core, settings, http, poll_timeout=1)
    core.register(adapter)
    await adapter.start()
    await http.start()
    return Tg(fake, adapter, core, http)


@pytest.fixture
async def tg(fake: FakeTelegram, tg_store: SQLiteStore, tmp_path: Path) -> AsyncIterator[Tg]:
    running = await _running(fake, tg_store, tmp_path)
    yield running
    await running.adapter.stop()
    await running.http.stop()


def data_like(message: Stored, part: str) -> str:
    for _, data in message.buttons:
        if part in data:
            return data
    raise AssertionError(f"no button with {part!r} in {message.buttons}")


# -- start-up ---------------------------------------------------------------------------------


async def test_start_checks_token_registers_commands_and_long_polls(tg: Tg) -> None:
    fake = tg.fake
    assert fake.calls[0].method == "getMe"
    assert set(fake.commands) == {"", "ru", "ro"}, "en is the default menu, ru and ro per language_code"
    en = {c["command"]: c["description"] for c in fake.commands[""]}
    ru = {c["command"]: c["description"] for c in fake.commands["ru"]}
    assert "conflict" in en and "followup" in en and en["conflict"] == tg.t("telegram.cmd.conflict")
    assert ru["conflict"] == tg.t("telegram.cmd.conflict", "ru") != en["conflict"]
    delete = fake.calls_of("deleteWebhook")
    assert delete and not delete[0].get("drop_pending_updates"), "pending updates are never dropped"
    polls = await fake.wait_for("getUpdates")
    assert polls[0]["timeout"] == 1
    assert set(polls[0]["allowed_updates"]) >= {"message", "edited_message", "callback_query"}
    assert tg.http.checks["telegram"]() is True


async def test_wrong_token_is_one_line_without_the_token(fake: FakeTelegram, tg_store: SQLiteStore,
                                                         tmp_path: Path) -> None:
    bad = "999999:this-is-the-wrong-token"
    settings = load_settings(telegram_token=bad, telegram_api_url=fake.url)
    adapter = TelegramAdapter(build_core(tg_store, settings), settings, None)
    with pytest.raises(StartupError) as caught:
        await adapter.start()
    message = str(caught.value)
    assert "PARLEY_TELEGRAM_TOKEN" in message and "\n" not in message
    assert bad not in message and "wrong-token" not in message
    assert not fake.calls_of("getUpdates")


async def test_unreachable_api_is_a_startup_error(tg_store: SQLiteStore, tmp_path: Path) -> None:
    settings = load_settings(telegram_token=TOKEN, telegram_api_url="http://127.0.0.1:9")
    adapter = TelegramAdapter(build_core(tg_store, settings), settings, None)
    with pytest.raises(StartupError) as caught:
        await adapter.start()
    assert "127.0.0.1:9" in str(caught.value) and TOKEN not in str(caught.value)


# -- talking ----------------------------------------------------------------------------------


async def test_start_command_answers_in_html_with_one_button_per_row(tg: Tg) -> None:
    reply = await tg.say(ANA, "/start")
    assert reply.chat_id == ANA.id
    assert "<b>Parley</b>" in str(reply.html), "the **bold** markup is rendered as Telegram HTML"
    assert reply.keyboard and all(len(row) == 1 for row in reply.keyboard)
    mine = owner_tag("telegram", str(ANA.id))
    assert [unstamp(d) for _, d in reply.buttons] == [("cf:menu", mine), ("m:cards", mine)]
    call = tg.fake.calls_of("sendMessage")[-1]
    assert call["parse_mode"] == "HTML"
    assert "reply_parameters" not in call.params, "no reply chain needed in a private chat"


async def test_language_code_picks_the_language_of_a_new_user(tg: Tg) -> None:
    reply = await tg.say(OLGA, "/help")
    assert reply.text.startswith(tg.t("help.text", "ru").replace("**", "")[:30])


async def test_conflict_with_text_shows_the_card_and_walk_button(tg: Tg) -> None:
    reply = await tg.say(ANA, f"/conflict {CRISIS}")
    assert "<b>" in str(reply.html)
    labels = [label for label, _ in reply.buttons]
    assert labels[0] == tg.t("conflict.walk")
    assert data_like(reply, ":offered:walk").startswith("w:")
    assert all(len(d.encode()) <= 64 for _, d in reply.buttons)


async def test_command_addressed_with_the_bot_name(tg: Tg) -> None:
    reply = await tg.say(ANA, "/cards@ParleyTestBot")
    assert tg.t("cards.title") in reply.text


async def test_direct_message_mid_crisis_is_triaged(tg: Tg) -> None:
    reply = await tg.say(ANA, CRISIS)
    assert reply.buttons and reply.buttons[0][0] == tg.t("conflict.walk")


async def test_an_edit_of_a_message_parley_never_saw_is_ignored(tg: Tg) -> None:
    mark = tg.fake.mark()
    tg.fake.message(ANA, "/cards", edited=True)  # e.g. sent before Parley joined
    tg.fake.message(ANA, CRISIS, edited=True)
    await asyncio.sleep(0.3)
    assert not tg.fake.calls_of("sendMessage", mark)
    assert await tg.core.store.open_cases("telegram", str(ANA.id)) == []


async def _edit(tg: Tg, update_id: int, text: str, chat_id: int = ANA.id) -> Stored:
    """The user edits the message of ``update_id``; waits for Parley's one answer to the edit."""
    mark = tg.fake.mark()
    tg.fake.edit(update_id, text)
    await tg.fake.wait_for("sendMessage", lambda c: c["chat_id"] == chat_id, since=mark)
    return tg.fake.last(chat_id)


async def test_editing_the_step_one_answer_updates_it_instead_of_answering_step_two(tg: Tg) -> None:
    card = await tg.say(ANA, CRISIS)
    await tg.press(ANA, card, tg.t("conflict.walk"), sends=1)
    mark = tg.fake.mark()
    answer = tg.fake.message(ANA, "he says the banner was late and the colurs are wrong")
    await tg.fake.wait_for("sendMessage", since=mark)
    mark = tg.fake.mark()
    tg.fake.edit(answer, "he says the banner was late and the colours are wrong")
    await tg.fake.wait_for("sendMessage", count=2, since=mark)
    note, step = [c["text"] for c in tg.fake.calls_of("sendMessage", mark)]
    assert note == tg.t("edit.updated")
    assert "Step 2 of 5" in step and "colours are wrong" in step and "Step 3" not in step
    [case] = await tg.core.store.open_cases("telegram", str(ANA.id))
    assert case.step == "paraphrase" and "colours" in case.answers["paraphrase_draft"]


async def test_an_edited_followup_moves_its_reminder_instead_of_adding_one(tg: Tg) -> None:
    await tg.say(ANA, CRISIS)
    mark = tg.fake.mark()
    command = tg.fake.message(ANA, "/followup 2h call back")
    await tg.fake.wait_for("sendMessage", since=mark)
    [case] = await tg.core.store.open_cases("telegram", str(ANA.id))
    [first] = await tg.core.store.nudges_for_case(case.id)
    reply = await _edit(tg, command, "/followup 3h call back")
    assert "3 hours" in reply.text
    [moved] = await tg.core.store.nudges_for_case(case.id)
    assert moved.id == first.id and moved.status == "pending" and moved.due_at > first.due_at


async def test_an_edited_crisis_message_posts_no_second_card(tg: Tg) -> None:
    mark = tg.fake.mark()
    crisis = tg.fake.message(ANA, CRISIS)
    await tg.fake.wait_for("sendMessage", since=mark)
    reply = await _edit(tg, crisis, CRISIS + " and he wants a refund")
    assert reply.text == tg.t("edit.card") and not reply.buttons
    assert len(await tg.core.store.open_cases("telegram", str(ANA.id))) == 1


async def test_an_edited_check_is_not_run_again(tg: Tg) -> None:
    mark = tg.fake.mark()
    command = tg.fake.message(ANA, "/check you are wrong, as usual")
    await tg.fake.wait_for("sendMessage", since=mark)
    reply = await _edit(tg, command, "/check you never read the brief")
    assert reply.text == tg.t("edit.command", command="check")


async def test_user_text_is_escaped(tg: Tg) -> None:
    reply = await tg.say(ANA, "/card <script>alert(1)</script> & <b>")
    assert "&lt;script&gt;" in str(reply.html) and "<script>" not in str(reply.html)
    assert "<script>alert(1)</script>" in reply.text, "the user sees exactly what they typed"


async def _eventless_rows(tg: Tg) -> list[dict[str, Any]]:
    """Outbox rows tied to no stored event, once none is waiting (the sent mark follows the send)."""
    for _ in range(100):
        if not await tg.core.store.count_outbox("pending") and not await tg.core.store.count_outbox("claimed"):
            break
        await asyncio.sleep(0.02)
    store = tg.core.store
    assert isinstance(store, SQLiteStore)
    return [dict(r) for r in await store._all("SELECT * FROM outbox WHERE event_id IS NULL")]


async def test_a_sticker_gets_a_text_only_note(tg: Tg) -> None:
    reply = await tg.say(ANA, None)
    assert reply.text == tg.t("telegram.text_only")
    rows = await _eventless_rows(tg)  # the note left through the outbox, like every reply
    assert [(r["user_id"], r["status"], r["conversation"]) for r in rows] == [
        (str(ANA.id), "sent", f"telegram|{ANA.id}||{ANA.id}")]


async def test_an_unusable_press_is_answered_through_the_outbox(tg: Tg) -> None:
    """A press Parley cannot act on (no message: an inline message's button) still gets its spinner
    stopped, and that answer is an outbox row too."""
    update_id = tg.fake.press_inline(ANA)
    for _ in range(200):
        if tg.fake.answer_for(update_id) is not None:
            break
        await asyncio.sleep(0.02)
    assert tg.fake.answer_for(update_id) is not None
    rows = await _eventless_rows(tg)
    assert [(r["user_id"], r["status"]) for r in rows] == [(str(ANA.id), "sent")]


async def test_full_walkthrough_with_button_presses(tg: Tg) -> None:
    fake = tg.fake
    card = await tg.say(ANA, f"/conflict {CRISIS}")
    card_text = card.text
    await tg.press(ANA, card, tg.t("conflict.walk"), sends=1)
    answer = fake.calls_of("answerCallbackQuery")[-1]
    assert not answer.get("show_alert") and not answer.get("text")
    # the pressed card keeps its text, shows the choice, and has no buttons left to replay
    assert card.keyboard is None
    assert card.text.startswith(card_text[:50]) and card.text.endswith(f"✓ {tg.t('conflict.walk')}")
    listen = fake.last(ANA.id)
    assert listen is not card and listen.buttons

    paraphrase = await tg.say(ANA, "He says the banner was late, the colours are wrong and he wants a refund")
    assert "banner" in paraphrase.text
    await tg.press(ANA, paraphrase, data=data_like(paraphrase, ":paraphrase:ok"), sends=1)
    cause = fake.last(ANA.id)
    # (a broken promise would answer step 4 itself: a cause that keeps the question walks the apologize button)
    await tg.press(ANA, cause, data=data_like(cause, ":cause:c:expectations"), sends=2)
    assert cause.keyboard is None
    apologize = fake.last(ANA.id)
    await tg.press(ANA, apologize, data=data_like(apologize, ":apologize:fault"), sends=2)
    solution_prompt = fake.last(ANA.id)
    assert solution_prompt.buttons
    done = await tg.say(ANA, "We redo the banner by tomorrow 18:00")
    assert done is not solution_prompt
    case = (await tg.core.store.open_cases("telegram", str(ANA.id)))[0]
    assert case.step == "tracking" and case.answers["cause"] == "expectations"
    assert [n.kind for n in await tg.core.store.nudges_for_case(case.id)] == ["deliver"]


async def test_old_button_cannot_replay_a_step(tg: Tg) -> None:
    card = await tg.say(ANA, f"/conflict {CRISIS}")
    walk = data_like(card, ":offered:walk")
    snapshot = Stored(**{**card.__dict__})
    await tg.press(ANA, card, data=walk, sends=1)
    sent = len(tg.fake.calls_of("sendMessage"))
    update_id = await tg.press(ANA, snapshot, data=walk)  # e.g. from a second device, stale screen
    await asyncio.sleep(0.3)
    answer = tg.fake.answer_for(update_id)
    assert answer is not None and answer.get("show_alert") is True
    assert len(tg.fake.calls_of("sendMessage")) == sent


async def test_unknown_button_is_answered_with_an_alert(tg: Tg) -> None:
    card = await tg.say(ANA, "/start")
    update_id = await tg.press(ANA, card, data="zz:nothing")
    answer = tg.fake.answer_for(update_id)
    assert answer is not None and answer["text"] == tg.t("button.stale") and answer["show_alert"] is True


async def test_close_origin_falls_back_when_the_message_cannot_be_edited(tg: Tg) -> None:
    card = await tg.say(ANA, f"/conflict {CRISIS}")
    tg.fake.fail("editMessageText", 400, "Bad Request: message can't be edited")
    await tg.press(ANA, card, tg.t("conflict.walk"), sends=2)
    assert card.keyboard is None, "the buttons are removed with editMessageReplyMarkup instead"
    texts = [c["text"] for c in tg.fake.calls_of("sendMessage")[-2:]]
    assert texts[0].endswith(tg.t("conflict.walk"))


# -- groups -----------------------------------------------------------------------------------


GROUP = group_chat(-100500)
FORUM = group_chat(-100600, "Agency", forum=True)


async def test_group_keeps_a_reply_chain_and_ignores_chatter(tg: Tg) -> None:
    fake = tg.fake
    mark = fake.mark()
    fake.message(BOB, "lunch anyone?", chat=GROUP)
    fake.message(BOB, "/help@SomeOtherBot", chat=GROUP)
    card = await tg.say(ANA, f"/conflict {CRISIS}", chat=GROUP)
    assert len(fake.calls_of("sendMessage", mark)) == 1, "only the /conflict is answered"
    user_message = max(mid for (cid, mid), m in fake.messages.items() if cid == GROUP["id"] and m.html is None)
    assert card.reply_to == user_message
    await tg.press(ANA, card, tg.t("conflict.walk"), sends=1)
    listen = fake.last(GROUP["id"])
    assert listen.reply_to == card.message_id, "the walkthrough continues in the reply chain"
    # with privacy mode on, a group answer must be a reply to Parley's message
    paraphrase = await tg.say(ANA, "He says the banner was late and the colours are wrong", chat=GROUP,
                              reply_to=listen.message_id)
    assert "banner" in paraphrase.text
    mention = await tg.say(ANA, "@ParleyTestBot what now?", chat=GROUP)
    assert mention.reply_to is not None


async def test_in_a_group_edits_of_chatter_are_ignored_and_of_answers_update_them(tg: Tg) -> None:
    fake = tg.fake
    mark = fake.mark()
    chatter = fake.message(BOB, "lunch anyone?", chat=GROUP)
    card = await tg.say(ANA, f"/conflict {CRISIS}", chat=GROUP)
    await tg.press(ANA, card, tg.t("conflict.walk"), sends=1)
    listen = fake.last(GROUP["id"])
    answer = fake.message(ANA, "He says the banner was late", chat=GROUP, reply_to=listen.message_id)
    await fake.wait_for("sendMessage", count=3, since=mark)
    mark = fake.mark()
    fake.edit(chatter, "lunch anyone? @ParleyTestBot")  # chatter Parley never handled, now addressed
    fake.edit(answer, "He says the banner was two days late")
    await fake.wait_for("sendMessage", count=2, since=mark)
    await asyncio.sleep(0.2)
    sent = fake.calls_of("sendMessage", mark)
    assert [c["text"] for c in sent][0] == tg.t("edit.updated") and len(sent) == 2
    assert "two days late" in sent[1]["text"]
    [case] = await tg.core.store.open_cases("telegram", str(ANA.id))
    assert case.step == "paraphrase" and case.answers["complaint"] == "He says the banner was two days late"


async def test_someone_elses_press_gets_an_alert_and_changes_nothing(tg: Tg) -> None:
    card = await tg.say(ANA, f"/conflict {CRISIS}", chat=GROUP)
    before = (card.text, card.keyboard)
    mark = tg.fake.mark()
    update_id = await tg.press(BOB, card, tg.t("conflict.walk"))
    await asyncio.sleep(0.3)
    answer = tg.fake.answer_for(update_id)
    assert answer is not None
    assert answer["show_alert"] is True and answer["text"] == tg.t("button.not_yours")
    assert (card.text, card.keyboard) == before
    assert not tg.fake.calls_of("sendMessage", mark) and not tg.fake.calls_of("editMessageText", mark)
    case = (await tg.core.store.open_cases("telegram", str(ANA.id)))[0]
    assert case.step == "offered"


async def test_forum_topic_is_the_thread(tg: Tg) -> None:
    card = await tg.say(ANA, f"/conflict {CRISIS}", chat=FORUM, thread_id=77)
    assert card.thread_id == 77
    case = (await tg.core.store.open_cases("telegram", str(ANA.id)))[0]
    assert case.thread_id == "77" and case.chat_id == str(FORUM["id"])
    await tg.press(ANA, card, tg.t("conflict.walk"), sends=1)
    assert tg.fake.last(FORUM["id"]).thread_id == 77


# -- nudges (adapter.send) --------------------------------------------------------------------


async def _known_chat(tg: Tg, user: TgUser, chat: dict[str, Any] | None = None) -> None:
    await tg.say(user, "/cards", chat=chat)


async def test_nudge_goes_to_the_private_chat_with_buttons(tg: Tg) -> None:
    await _known_chat(tg, ANA)
    mark = tg.fake.mark()
    await tg.adapter.send(Target("telegram", str(ANA.id), str(ANA.id)),
                          [Reply("**Did you deliver?**", choices=[], mention_user=True)])
    call = tg.fake.calls_of("sendMessage", mark)[0]
    assert call["text"] == "<b>Did you deliver?</b>", "no mention in a private chat"


async def test_nudge_in_a_forum_topic_mentions_the_owner(tg: Tg) -> None:
    await _known_chat(tg, ANA, FORUM | {})  # registers the chat
    tg.fake.message(ANA, "/cards", chat=FORUM, thread_id=91)
    await tg.fake.wait_for("sendMessage", lambda c: c.get("message_thread_id") == 91)
    mark = tg.fake.mark()
    from bot.events import Choice

    await tg.adapter.send(Target("telegram", str(FORUM["id"]), str(ANA.id), "91"),
                          [Reply("Did you confirm?", choices=[Choice("n:1:done", "Done")], mention_user=True)])
    call = tg.fake.calls_of("sendMessage", mark)[0]
    assert call["message_thread_id"] == 91
    assert call["text"].startswith(f'<a href="tg://user?id={ANA.id}">Ana</a>')
    assert tg.fake.last(FORUM["id"]).buttons == [("Done", "n:1:done")]


async def test_long_reply_is_split_at_paragraphs(tg: Tg) -> None:
    await _known_chat(tg, ANA)
    paragraphs = [f"Paragraph {i}. " + "word " * 180 for i in range(10)]
    from bot.events import Choice

    mark = tg.fake.mark()
    await tg.adapter.send(Target("telegram", str(ANA.id), str(ANA.id)),
                          [Reply("\n\n".join(paragraphs), choices=[Choice("n:1:done", "Done")])])
    parts = tg.fake.calls_of("sendMessage", mark)
    assert len(parts) >= 3 and all(p.status == 200 for p in parts)
    assert all(len(p["text"]) <= 4096 for p in parts)
    assert all(p["text"].startswith("Paragraph") for p in parts), "cut at paragraph boundaries"
    assert [bool(p.get("reply_markup")) for p in parts] == [False] * (len(parts) - 1) + [True]


async def test_blocked_user_is_a_permanent_delivery_error(tg: Tg) -> None:
    await _known_chat(tg, ANA)
    tg.fake.block(ANA.id)
    with pytest.raises(DeliveryError) as caught:
        await tg.adapter.send(Target("telegram", str(ANA.id), str(ANA.id)), [Reply("Did you deliver?")])
    assert caught.value.permanent


async def test_rate_limit_on_a_nudge_is_waited_out(tg: Tg) -> None:
    await _known_chat(tg, ANA)
    tg.fake.fail("sendMessage", 429, retry_after=1)
    mark = tg.fake.mark()
    await tg.adapter.send(Target("telegram", str(ANA.id), str(ANA.id)), [Reply("Did you deliver?")])
    statuses = [c.status for c in tg.fake.calls_of("sendMessage", mark)]
    assert statuses == [429, 200]


async def test_persistent_rate_limit_gives_retry_after(tg: Tg) -> None:
    await _known_chat(tg, ANA)
    tg.fake.fail("sendMessage", 429, retry_after=0.2, times=10)
    with pytest.raises(DeliveryError) as caught:
        await tg.adapter.send(Target("telegram", str(ANA.id), str(ANA.id)), [Reply("Did you deliver?")])
    assert not caught.value.permanent and caught.value.retry_after is not None


async def test_server_errors_are_retried_and_bad_requests_are_not_permanent(tg: Tg) -> None:
    await _known_chat(tg, ANA)
    tg.fake.fail("sendMessage", 502)
    tg.fake.fail("sendMessage", 500)
    mark = tg.fake.mark()
    await tg.adapter.send(Target("telegram", str(ANA.id), str(ANA.id)), [Reply("Did you deliver?")])
    assert [c.status for c in tg.fake.calls_of("sendMessage", mark)] == [502, 500, 200]
    tg.fake.fail("sendMessage", 400, "Bad Request: something odd")
    with pytest.raises(DeliveryError) as caught:
        await tg.adapter.send(Target("telegram", str(ANA.id), str(ANA.id)), [Reply("Did you deliver?")])
    assert not caught.value.permanent
    with pytest.raises(DeliveryError) as gone:
        await tg.adapter.send(Target("telegram", "-100999", str(ANA.id)), [Reply("Did you deliver?")])
    assert gone.value.permanent, "chat not found: the chat is gone"


async def test_nudge_follows_a_group_that_became_a_supergroup(tg: Tg) -> None:
    await _known_chat(tg, ANA, GROUP)
    old_id = -4455
    tg.fake.fail("sendMessage", 400, "Bad Request: group chat was upgraded to a supergroup chat",
                 migrate_to=GROUP["id"], when=lambda p: p["chat_id"] == old_id)
    mark = tg.fake.mark()
    await tg.adapter.send(Target("telegram", str(old_id), str(ANA.id)), [Reply("Did you deliver?")])
    assert [(c["chat_id"], c.status) for c in tg.fake.calls_of("sendMessage", mark)] == [
        (old_id, 400), (GROUP["id"], 200)]


async def test_deleted_topic_falls_back_to_the_chat(tg: Tg) -> None:
    await _known_chat(tg, ANA, FORUM)
    mark = tg.fake.mark()
    await tg.adapter.send(Target("telegram", str(FORUM["id"]), str(ANA.id), "4040"), [Reply("Did you deliver?")])
    assert [c.status for c in tg.fake.calls_of("sendMessage", mark)] == [400, 200]
    assert "message_thread_id" not in tg.fake.calls_of("sendMessage", mark)[1].params


# -- errors on interactive replies ------------------------------------------------------------


async def test_rate_limit_then_success_on_a_reply(tg: Tg) -> None:
    tg.fake.fail("sendMessage", 429, retry_after=1)
    mark = tg.fake.mark()
    reply = await tg.say(ANA, "/start")
    assert "Parley" in reply.text
    assert [c.status for c in tg.fake.calls_of("sendMessage", mark)] == [429, 200]


async def test_blocked_user_reply_is_dropped_and_the_bot_keeps_going(tg: Tg) -> None:
    tg.fake.chats[ANA.id] = private_chat(ANA)
    tg.fake.block(ANA.id)
    mark = tg.fake.mark()
    tg.fake.message(ANA, "/start")
    await tg.fake.wait_for("getUpdates", since=mark)
    await asyncio.sleep(0.2)
    assert [c.status for c in tg.fake.calls_of("sendMessage", mark)] == [403]
    assert "Parley" in (await tg.say(BOB, "/start")).text


async def test_blocking_the_bot_is_recorded(tg: Tg) -> None:
    await tg.say(ANA, "/start")
    mark = tg.fake.mark()
    tg.fake.block_update(ANA)
    await tg.fake.wait_for("getUpdates", since=mark)
    for _ in range(20):
        user = await tg.core.store.get_user("telegram", str(ANA.id))
        if user is not None and user.blocked:
            break
        await asyncio.sleep(0.05)
    assert user is not None and user.blocked


# -- once and only once -----------------------------------------------------------------------


async def test_redelivered_update_is_processed_once(tg: Tg) -> None:
    fake = tg.fake
    mark = fake.mark()
    update_id = fake.message(ANA, "/start")
    await fake.wait_for("sendMessage", since=mark)
    fake.redeliver(update_id)
    again = fake.mark()
    await fake.wait_for("getUpdates", since=again)
    await asyncio.sleep(0.2)
    assert len(fake.calls_of("sendMessage", mark)) == 1


async def test_unfinished_events_are_replayed_at_start(fake: FakeTelegram, tg_store: SQLiteStore,
                                                       tmp_path: Path) -> None:
    fake.chats[ANA.id] = private_chat(ANA)
    settings = tg_settings(fake, tmp_path)
    event = Event(platform="telegram", event_id="555", user_id=str(ANA.id), chat_id=str(ANA.id),
                  kind=EventKind.COMMAND, command="cards", origin_message_id="3")
    assert await build_core(tg_store, settings).accept(event)  # the process died right after this
    running = await _running(fake, tg_store, tmp_path)
    try:
        calls = await fake.wait_for("sendMessage")
        assert running.t("cards.title") in calls[0]["text"]
        assert not await tg_store.unfinished_events("telegram")
    finally:
        await running.adapter.stop()
        await running.http.stop()


async def test_one_conversation_is_answered_in_order(tg: Tg) -> None:
    mark = tg.fake.mark()
    for command in ("/cards", "/help", "/lang", "/quiet"):
        tg.fake.message(ANA, command)
    calls = await tg.fake.wait_for("sendMessage", since=mark, count=4)
    assert tg.t("cards.title") in calls[0]["text"] and "Parley" in calls[1]["text"]
    assert calls[2].get("reply_markup") and not calls[3].get("reply_markup")


# -- webhook ----------------------------------------------------------------------------------


@pytest.fixture
async def hooked(fake: FakeTelegram, tg_store: SQLiteStore, tmp_path: Path) -> AsyncIterator[Tg]:
    running = await _running(fake, tg_store, tmp_path, telegram_webhook_url="https://parley.example.org",
                             telegram_webhook_secret="s3cret-Token_1")
    # Parley's HTTP server listens on a free port; point the fake's webhook at it like a reverse proxy would
    assert fake.webhook is not None and fake.webhook["url"] == "https://parley.example.org/telegram/webhook"
    fake.webhook["url"] = f"http://127.0.0.1:{running.http.port}/telegram/webhook"
    yield running
    await running.adapter.stop()
    await running.http.stop()


async def test_webhook_mode_sets_the_webhook_and_never_polls(hooked: Tg) -> None:
    fake = hooked.fake
    assert fake.webhook is not None and fake.webhook["secret_token"] == "s3cret-Token_1"
    assert not fake.calls_of("getUpdates") and not fake.calls_of("deleteWebhook")
    reply = await hooked.say(ANA, "/start")
    assert "Parley" in reply.text
    assert fake.webhook_results and fake.webhook_results[-1] == 200


async def test_webhook_refuses_a_wrong_or_missing_secret(hooked: Tg) -> None:
    fake = hooked.fake
    fake.chats[ANA.id] = private_chat(ANA)
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": private_chat(ANA),
                                          "from": ANA.json(), "text": "/start"}}
    assert await fake.post_webhook(update, "wrong") == 403
    assert await fake.post_webhook(update, None) == 403
    await asyncio.sleep(0.2)
    assert not fake.calls_of("sendMessage")
    assert not await hooked.core.store.get_user("telegram", str(ANA.id))
    # the same update posted twice (Telegram retried) is processed once
    assert await fake.post_webhook(update, "s3cret-Token_1") == 200
    assert await fake.post_webhook(update, "s3cret-Token_1") == 200
    await fake.wait_for("sendMessage")
    await asyncio.sleep(0.2)
    assert len(fake.calls_of("sendMessage")) == 1


async def test_bad_webhook_secret_setting_is_a_startup_error(fake: FakeTelegram, tg_store: SQLiteStore,
                                                             tmp_path: Path) -> None:
    settings = tg_settings(fake, tmp_path, telegram_webhook_url="https://x.example.org",
                           telegram_webhook_secret="has spaces!")
    adapter = TelegramAdapter(build_core(tg_store, settings), settings, HttpServer("127.0.0.1", 0))
    with pytest.raises(StartupError) as caught:
        await adapter.start()
    assert "PARLEY_TELEGRAM_WEBHOOK_SECRET" in str(caught.value) and "has spaces" not in str(caught.value)
    assert not fake.calls, "refused before anything was sent to Telegram"


async def test_a_group_question_without_buttons_asks_for_a_reply(tg: Tg) -> None:
    tg.fake.chats[GROUP["id"]] = GROUP
    mark = tg.fake.mark()
    await tg.adapter._post(GROUP["id"], None, Reply("Tell me more", expects_text=True), is_direct=False, reply_to=7,
                           user_id=ANA.id)
    call = tg.fake.calls_of("sendMessage", mark)[0]
    assert call["reply_markup"] == {"force_reply": True, "selective": True}
    assert call["reply_parameters"] == {"message_id": 7, "allow_sending_without_reply": True}
    assert call["link_preview_options"] == {"is_disabled": True}
    assert tg.fake.last(GROUP["id"]).force_reply


async def test_a_row_that_may_have_been_sent_is_sent_again_saying_so(tg: Tg) -> None:
    """Telegram cannot be asked what a chat already has: the re-sent copy carries the repeat note."""
    from bot.outbox import Delivery

    await _known_chat(tg, ANA)
    mark = tg.fake.mark()
    note = tg.core.lib.t("outbox.may_repeat", "en")
    target = Target("telegram", str(ANA.id), str(ANA.id))
    await tg.adapter.deliver(Delivery(outbox_id=5, platform="telegram", user_id=str(ANA.id),
                                      replies=[Reply("Did you deliver?"), Reply("Second part")], target=target,
                                      maybe_sent=True, repeat_note=note))
    await tg.adapter.deliver(Delivery(outbox_id=6, platform="telegram", user_id=str(ANA.id),
                                      replies=[Reply("A fresh one")], target=target, repeat_note=note))
    texts = [c["text"] for c in tg.fake.calls_of("sendMessage", mark)]
    assert texts == [f"{note}\n\nDid you deliver?", "Second part", "A fresh one"]
