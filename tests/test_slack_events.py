"""Slack payload -> Event and Place, as pure functions: no fake server, no store (`bot.adapters.slack_events`)."""

from __future__ import annotations

from bot.adapters.slack_events import (
    action_event,
    action_place,
    command_event,
    edited_message,
    from_person,
    mention_event,
    message_event,
)
from bot.events import EventKind

BOT = "UPARLEY"


def test_parley_subcommands_and_the_conflict_command() -> None:
    event, place = command_event({"command": "/parley", "text": "lang ro", "channel_id": "C1", "user_id": "U1",
                                  "trigger_id": "t1", "response_url": "https://hooks/x"}, BOT, "unused")
    assert (event.kind, event.command, event.text, event.event_id) == (EventKind.COMMAND, "lang", "ro", "cmd:t1")
    assert place.quiet and not place.direct and place.response_url == "https://hooks/x"
    event, place = command_event({"command": "/parley", "channel_id": "D1", "user_id": "U1"}, BOT, "f1")
    assert (event.command, event.event_id, place.quiet) == ("help", "cmd:f1", False)
    event, _ = command_event({"command": "/conflict", "text": "they won't pay", "channel_id": "C1", "user_id": "U1"},
                             BOT, "f2")
    assert (event.command, event.text) == ("conflict", "they won't pay")


def test_a_mention_answers_in_its_thread_and_bots_are_ignored() -> None:
    body = {"event_id": "Ev1", "event": {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "10.1",
                                         "text": f"<@{BOT}> the client yells"}}
    found = mention_event(body, BOT)
    assert found is not None
    event, place = found
    assert event.text == "the client yells" and event.thread_id == "10.1" == place.thread
    assert event.event_id == "Ev1" and not event.is_direct
    assert mention_event({"event": {"user": BOT, "channel": "C1", "ts": "1"}}, BOT) is None
    assert not from_person({"user": "U2", "bot_id": "B1"}, BOT)


def test_a_dm_and_an_edit() -> None:
    ev = {"user": "U1", "channel": "D1", "channel_type": "im", "ts": "5.5", "text": "hello"}
    event, place = message_event({}, ev, BOT, thread=None, edited=False)
    assert event.is_direct and event.thread_id is None and event.event_id == "ev:D1:5.5" and place.direct
    changed = {"channel": "D1", "channel_type": "im", "message": {**ev, "text": "hello!"},
               "previous_message": ev}
    edited = edited_message(changed)
    assert edited is not None and edited["text"] == "hello!"
    assert edited_message({**changed, "message": ev}) is None  # an unfurl: same text


def test_a_press_in_a_channel_thread_root_answers_in_that_thread() -> None:
    body = {"user": {"id": "U1"}, "trigger_id": "tr9", "container": {"channel_id": "C1", "message_ts": "7.7"},
            "message": {"ts": "7.7", "blocks": [{"type": "section"}]},
            "actions": [{"value": "m:cards~abcd", "text": {"text": "Cards"}, "action_ts": "8"}]}
    place = action_place(body)
    assert (place.channel, place.thread, place.origin_ts, place.direct) == ("C1", "7.7", "7.7", False)
    event = action_event(body, place)
    assert (event.kind, event.button, event.text, event.event_id) == (EventKind.BUTTON, "m:cards~abcd", "Cards",
                                                                      "act:tr9")
