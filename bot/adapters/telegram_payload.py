"""The shape of a Telegram update posted to Parley's webhook, checked before PTB reads it.

PTB's ``Update.de_json`` builds objects from whatever the JSON holds and checks no types: a message
whose ``text`` is a number or whose ``chat`` is a string becomes an `Update` that crashes Parley later,
while the update is being stored (an HTTP 500, which Telegram would retry for ever) or in PTB's
handler task (a logged traceback). `problem` names such a field first, so the webhook drops the update
with one log line instead.

Only the parts Parley reads are checked (messages, edited messages, button presses, membership
changes), and only their types: optional fields may be missing and unknown fields pass, so a field
Telegram adds later never breaks Parley. Types follow the Bot API documentation.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bot.adapters.payload_shape import shape_problem

#: Telegram's ids fit in 52 bits; the bound keeps absurd numbers out of the store's integer columns.
Id = Annotated[int, Field(ge=-(2**63), lt=2**63)]


class _Shape(BaseModel):
    """Strict types (no coercion: "1" is not 1, true is not 1), unknown fields allowed."""

    model_config = ConfigDict(strict=True, extra="allow")


class _User(_Shape):
    id: Id
    is_bot: bool
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


class _Chat(_Shape):
    id: Id
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool | None = None


class _Entity(_Shape):
    type: str
    offset: Annotated[int, Field(ge=0, lt=2**31)]
    length: Annotated[int, Field(ge=0, lt=2**31)]
    url: str | None = None
    user: _User | None = None
    language: str | None = None
    custom_emoji_id: str | None = None


class _Message(_Shape):
    message_id: Id
    date: Id
    chat: _Chat
    from_user: _User | None = Field(default=None, alias="from")
    text: str | None = None
    caption: str | None = None
    entities: list[_Entity] | None = None
    caption_entities: list[_Entity] | None = None
    message_thread_id: Id | None = None
    is_topic_message: bool | None = None
    edit_date: Id | None = None
    reply_to_message: _Message | None = None


class _CallbackQuery(_Shape):
    id: str
    from_user: _User = Field(alias="from")
    chat_instance: str
    data: str | None = None
    message: _Message | None = None
    inline_message_id: str | None = None


class _ChatMember(_Shape):
    status: str
    user: _User


class _ChatMemberUpdated(_Shape):
    chat: _Chat
    from_user: _User = Field(alias="from")
    date: Id
    old_chat_member: _ChatMember
    new_chat_member: _ChatMember


class _Update(_Shape):
    update_id: Id
    message: _Message | None = None
    edited_message: _Message | None = None
    callback_query: _CallbackQuery | None = None
    my_chat_member: _ChatMemberUpdated | None = None


def problem(data: object) -> str | None:
    """None when ``data`` (a decoded JSON body) has the shape of a Bot API update, else a short reason.

    The reason names field paths and error kinds only (``message.text: string_type``), never a value
    from the update, so it is safe to log: a value may be a user's message.
    """
    return shape_problem(_Update, data)


__all__ = ["problem"]
