"""Slack payloads as platform-neutral `Event` objects, with the `Place` their replies go to.

Pure functions of the JSON bolt hands the adapter: no network, no store, testable with a dict. What
needs I/O (is this channel thread a case's? which DM does a Home press answer in?) stays in
`bot.adapters.slack`, which asks the core and then calls these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.adapters.slack_blocks import inbound_text
from bot.events import Event, EventKind

__all__ = ["PLATFORM", "Place", "action_event", "action_place", "command_event", "edited_message", "event_id",
           "from_person", "mention_event", "message_event"]

PLATFORM = "slack"
#: Message subtypes a person sends; everything else (joins, bot posts, edits) is not a new message.
HUMAN_SUBTYPES = {None, "thread_broadcast", "file_share"}


@dataclass(slots=True)
class Place:
    """Where the replies to one inbound event go, and the message that was pressed (if any)."""

    channel: str
    user: str
    thread: str | None = None
    direct: bool = False
    #: replies that belong to no case go ephemeral (slash command or ephemeral menu in a channel)
    quiet: bool = False
    origin_ts: str | None = None
    origin_blocks: list[dict[str, Any]] | None = None
    origin_ephemeral: bool = False
    response_url: str | None = None
    from_home: bool = False

    @classmethod
    def for_replay(cls, event: Event) -> Place:
        """A replayed event has no raw payload left; its fields say enough to answer in the right place."""
        pressed = event.origin_message_id if event.kind is EventKind.BUTTON else None  # a message's own ts is no press
        return cls(channel=event.chat_id, user=event.user_id, thread=event.thread_id, direct=event.is_direct,
                   quiet=event.kind is EventKind.COMMAND and not event.is_direct, origin_ts=pressed)


def from_person(ev: dict[str, Any], bot_user_id: str | None) -> bool:
    """Parley never answers itself or another bot, nor edits, joins and other non-messages."""
    user = ev.get("user")
    return bool(user) and user != bot_user_id and not ev.get("bot_id") and ev.get("subtype") in HUMAN_SUBTYPES


def event_id(body: dict[str, Any], ev: dict[str, Any]) -> str:
    """Slack's event id, or channel and ts when a payload has none (dedup keys on it)."""
    return str(body.get("event_id") or f"ev:{ev.get('channel')}:{ev.get('ts')}")


def edited_message(ev: dict[str, Any]) -> dict[str, Any] | None:
    """A ``message_changed`` event as the edited message (its original ts), or None when the text did
    not change: Slack sends it for link unfurls and thread replies too."""
    new, old = ev.get("message"), ev.get("previous_message") or {}
    if not isinstance(new, dict) or not isinstance(old, dict) or new.get("text") == old.get("text"):
        return None
    return {**new, "channel": ev.get("channel"), "channel_type": ev.get("channel_type")}


def command_event(body: dict[str, Any], bot_user_id: str | None, fallback_id: str) -> tuple[Event, Place]:
    """A slash command: ``/parley cards`` is the command "cards"; ``/conflict text`` (and any other
    slash command of the app) is "conflict" with the text. ``fallback_id`` names the event when Slack
    sent no ``trigger_id``. Outside a DM, replies that belong to no case are ephemeral."""
    name = str(body.get("command", "")).lstrip("/").lower()
    text = inbound_text(str(body.get("text") or ""), bot_user_id)
    if name == "parley":
        words = text.split(None, 1)
        command = words[0].lstrip("/").lower() if words else "help"
        args = words[1].strip() if len(words) > 1 else ""
    else:
        command, args = "conflict", text
    channel, user = str(body.get("channel_id", "")), str(body.get("user_id", ""))
    direct = channel.startswith("D")
    event = Event(platform=PLATFORM, event_id=f"cmd:{body.get('trigger_id') or fallback_id}",
                  user_id=user, chat_id=channel, kind=EventKind.COMMAND, text=args, command=command,
                  is_direct=direct, user_name=body.get("user_name"))
    return event, Place(channel=channel, user=user, direct=direct, quiet=not direct,
                        response_url=body.get("response_url"))


def mention_event(body: dict[str, Any], bot_user_id: str | None) -> tuple[Event, Place] | None:
    """An ``app_mention``: a message to Parley, answered in the mention's thread; None when not from a person."""
    ev = body.get("event") or {}
    if not from_person(ev, bot_user_id):
        return None
    channel, user = str(ev.get("channel", "")), str(ev["user"])
    direct = channel.startswith("D")
    thread = ev.get("thread_ts") or (None if direct else ev.get("ts"))
    event = Event(platform=PLATFORM, event_id=event_id(body, ev), user_id=user, chat_id=channel,
                  kind=EventKind.MESSAGE, thread_id=None if direct else thread, is_direct=direct,
                  text=inbound_text(str(ev.get("text") or ""), bot_user_id), origin_message_id=ev.get("ts"))
    return event, Place(channel=channel, user=user, thread=thread, direct=direct)


def message_event(body: dict[str, Any], ev: dict[str, Any], bot_user_id: str | None, *, thread: str | None,
                  edited: bool) -> tuple[Event, Place]:
    """A message the adapter decided is for Parley (a DM, a case thread, an edited mention), answered
    in ``thread``. ``ev`` is the message (for an edit: `edited_message` of the event)."""
    channel, user = str(ev.get("channel", "")), str(ev["user"])
    direct = ev.get("channel_type") == "im"
    event = Event(platform=PLATFORM, event_id=event_id(body, ev), user_id=user, chat_id=channel,
                  kind=EventKind.MESSAGE, thread_id=None if direct else thread, is_direct=direct,
                  text=inbound_text(str(ev.get("text") or ""), bot_user_id), origin_message_id=ev.get("ts"),
                  edited=edited)
    return event, Place(channel=channel, user=user, thread=thread, direct=direct)


def action_place(body: dict[str, Any]) -> Place:
    """Where a press on a message answers: its channel and thread (a thread root's own ts is its thread,
    which is how an anchored case is found), and the pressed message to update. Not for Home presses."""
    user = str((body.get("user") or {}).get("id", ""))
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id", ""))
    ephemeral = bool(container.get("is_ephemeral"))
    direct = channel.startswith("D")
    origin_ts = container.get("message_ts") or message.get("ts")
    if ephemeral:
        thread = container.get("thread_ts")
    elif direct:
        thread = message.get("thread_ts") or container.get("thread_ts")
    else:
        thread = message.get("thread_ts") or container.get("thread_ts") or origin_ts
    return Place(channel=channel, user=user, thread=thread, direct=direct, quiet=ephemeral and not direct,
                 origin_ts=origin_ts, origin_blocks=message.get("blocks"), origin_ephemeral=ephemeral,
                 response_url=body.get("response_url"))


def action_event(body: dict[str, Any], place: Place) -> Event:
    """A button press as a BUTTON event whose ``button`` is the pressed value and ``text`` its label."""
    action = (body.get("actions") or [{}])[0]
    label = str((action.get("text") or {}).get("text", ""))
    pressed = body.get("trigger_id") or f"{place.origin_ts}:{action.get('action_ts')}"
    return Event(platform=PLATFORM, event_id=f"act:{pressed}", user_id=place.user, chat_id=place.channel,
                 kind=EventKind.BUTTON, thread_id=None if place.direct else place.thread,
                 button=str(action.get("value") or ""), text=label, is_direct=place.direct,
                 origin_message_id=place.origin_ts)
