"""Telegram updates as platform-neutral `Event` objects: pure functions, no network, no store.

`event_from_update` is everything the adapter decides about an update before the core sees it: which
updates Parley acts on, what is a command (and for which bot), what in a group is addressed to Parley,
and what a thread is. Testable with a hand-made `telegram.Update` and no server.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatType

from bot.events import Event, EventKind

__all__ = ["PLATFORM", "COMMAND", "event_from_update", "sender", "thread_of"]

PLATFORM = "telegram"
#: ``/name@bot args``: the command, the bot it is addressed to (optional), the rest.
COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]+))?(?:\s+(.*))?$", re.S)


def thread_of(msg: Any) -> str | None:
    """Forum topics are threads; reply chains in plain groups are not (cases are per user there)."""
    if isinstance(msg, Message) and msg.is_topic_message and msg.message_thread_id:
        return str(msg.message_thread_id)
    return None


def sender(update: Update) -> tuple[int, str] | None:
    """``(user id, first name)`` of the person behind a button press or a text message, for mentions."""
    query = update.callback_query
    if query is not None:
        return (query.from_user.id, query.from_user.first_name) if query.data is not None and query.message else None
    if update.message is None and update.edited_message is None:
        return None
    msg = update.effective_message
    user = msg.from_user if msg else None
    if msg is None or user is None or user.is_bot or not (msg.text or msg.caption or "").strip():
        return None
    return user.id, user.first_name


def addressed_text(msg: Message, text: str, bot_username: str | None, bot_id: int | None) -> str | None:
    """In a group Parley answers only replies to its own messages and @mentions, never the chatter.

    Returns the text without the mention, or None when the message is not for Parley.
    """
    mention = f"@{bot_username}" if bot_username else None
    replied = msg.reply_to_message
    to_us = replied is not None and replied.from_user is not None and replied.from_user.id == bot_id
    mentioned = mention is not None and mention.lower() in text.lower()
    if not (to_us or mentioned):
        return None
    if mention:
        text = re.sub(re.escape(mention), "", text, flags=re.I).strip()
    return text or None


def event_from_update(update: Update, bot_username: str | None, bot_id: int | None) -> Event | None:
    """The `Event` for ``update``, or None for what Parley does not act on.

    Buttons need data and a message; messages (and edits, ``edited=True``) need a human sender and
    text or a caption; a command addressed to another bot, and group text neither replying to Parley
    nor mentioning it, are None. ``bot_username``/``bot_id`` are Parley's own (from ``getMe``).
    """
    base: dict[str, Any] = {"platform": PLATFORM, "event_id": str(update.update_id)}
    query = update.callback_query
    if query is not None:
        msg = query.message
        if query.data is None or msg is None:
            return None
        return Event(**base, kind=EventKind.BUTTON, user_id=str(query.from_user.id), chat_id=str(msg.chat.id),
                     thread_id=thread_of(msg), button=query.data, language_hint=query.from_user.language_code,
                     is_direct=msg.chat.type == ChatType.PRIVATE, user_name=query.from_user.full_name,
                     origin_message_id=str(msg.message_id))
    if update.message is None and update.edited_message is None:
        return None
    msg = update.effective_message
    user = msg.from_user if msg else None
    if msg is None or user is None or user.is_bot:
        return None
    text = msg.text or msg.caption or ""
    if not text.strip():
        return None
    direct = msg.chat.type == ChatType.PRIVATE
    fields: dict[str, Any] = {"user_id": str(user.id), "chat_id": str(msg.chat.id), "thread_id": thread_of(msg),
                              "language_hint": user.language_code, "is_direct": direct,
                              "user_name": user.full_name, "origin_message_id": str(msg.message_id),
                              "edited": update.message is None}  # an edited_message keeps its message_id
    found = COMMAND.match(text.strip())
    if found:
        name, target, args = found.group(1).lower(), found.group(2), found.group(3) or ""
        if target and target.lower() != (bot_username or "").lower():
            return None  # addressed to another bot in this group
        return Event(**base, **fields, kind=EventKind.COMMAND, command=name, text=args.strip())
    said: str | None = text if direct else addressed_text(msg, text, bot_username, bot_id)
    if said is None:
        return None
    return Event(**base, **fields, kind=EventKind.MESSAGE, text=said)
