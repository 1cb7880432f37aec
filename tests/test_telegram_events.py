"""Telegram update -> Event, as a pure function: no fake server, no store (`bot.adapters.telegram_events`)."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Update

from bot.adapters.telegram_events import event_from_update, sender
from bot.events import EventKind

BOT = {"id": 777000, "is_bot": True, "first_name": "Parley", "username": "ParleyTestBot"}
ANA = {"id": 4201, "is_bot": False, "first_name": "Ana", "last_name": "M", "language_code": "ro"}
DM = {"id": 4201, "type": "private"}
GROUP = {"id": -100555, "type": "supergroup", "title": "Team"}


def update(**fields: Any) -> Update:
    return Update.de_json({"update_id": 91, **fields}, None)


def message(text: str, chat: dict[str, Any] = DM, **extra: Any) -> dict[str, Any]:
    return {"message_id": 5, "date": 1_764_000_000, "chat": chat, "from": ANA, "text": text, **extra}


def translate(u: Update) -> Any:
    return event_from_update(u, "ParleyTestBot", 777000)


def test_a_direct_message_is_a_message_event_with_the_senders_hints() -> None:
    event = translate(update(message=message("the client will not pay")))
    assert event.kind is EventKind.MESSAGE and event.text == "the client will not pay"
    assert (event.platform, event.event_id, event.user_id, event.chat_id) == ("telegram", "91", "4201", "4201")
    assert event.language_hint == "ro" and event.is_direct and event.user_name == "Ana M"
    assert event.origin_message_id == "5" and not event.edited
    assert sender(update(message=message("x"))) == (4201, "Ana")


@pytest.mark.parametrize("text,command,args", [("/lang ro", "lang", "ro"), ("/Card@ParleyTestBot  listen ", "card", "listen")])
def test_commands_for_us_are_command_events(text: str, command: str, args: str) -> None:
    event = translate(update(message=message(text, chat=GROUP)))
    assert event.kind is EventKind.COMMAND and event.command == command and event.text == args
    assert not event.is_direct


def test_group_chatter_and_other_bots_commands_are_not_events() -> None:
    assert translate(update(message=message("lunch?", chat=GROUP))) is None
    assert translate(update(message=message("/help@OtherBot", chat=GROUP))) is None
    assert translate(update(message=message("   "))) is None
    mentioned = translate(update(message=message("@ParleyTestBot the client yells", chat=GROUP)))
    assert mentioned.text == "the client yells"
    reply = translate(update(message=message("he says no", chat=GROUP,
                                             reply_to_message={**message("?", chat=GROUP), "from": BOT})))
    assert reply.text == "he says no"


def test_an_edit_is_marked_and_a_press_is_a_button_event() -> None:
    assert translate(update(edited_message=message("fixed typo"))).edited
    press = translate(update(callback_query={"id": "q1", "from": ANA, "chat_instance": "ci", "data": "m:cards~abcd",
                                             "message": {**message("menu"), "from": BOT}}))
    assert press.kind is EventKind.BUTTON and press.button == "m:cards~abcd" and press.origin_message_id == "5"
    assert translate(update(callback_query={"id": "q2", "from": ANA, "chat_instance": "ci"})) is None


def test_a_forum_topic_is_a_thread() -> None:
    event = translate(update(message=message("@ParleyTestBot hi", chat={**GROUP, "is_forum": True},
                                             is_topic_message=True, message_thread_id=12)))
    assert event.thread_id == "12"
