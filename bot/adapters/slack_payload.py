"""The shape of a Slack request body, checked before bolt and Parley's listeners read it.

bolt parses a body into a plain dict and hands it on unchecked; its middleware and Parley's listeners
then call ``.get`` on what should be objects and compare what should be strings. A correctly signed
body with an object where a string belongs (or a list where an object belongs) would crash there, as
an HTTP 500 with a traceback, or later in background work. `problem` names such a field first, so the
request is refused with a 400 and one log line instead.

Only the fields bolt or Parley read are checked, and only their types: every field may be missing, and
unknown fields pass, so a new field from Slack never breaks Parley. Types follow Slack's documented
payloads: Events API callbacks (``event_callback``, ``url_verification``), slash commands (a form of
strings), and interactivity (``block_actions``).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.adapters.payload_shape import shape_problem

#: Event types Parley listens to: their ``user`` and ``channel`` are ids (strings), per Slack's docs.
PERSON_EVENTS = {"message", "app_mention", "app_home_opened"}


class _Shape(BaseModel):
    """Strict types (no coercion), unknown fields allowed, every field optional.

    Fields in ``not_null`` may be missing but not ``null``: bolt reads them as ``body["event"].get(...)``
    once the key is there.
    """

    model_config = ConfigDict(strict=True, extra="allow")
    not_null: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def present_means_not_null(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = sorted(name for name in cls.not_null if name in data and data[name] is None)
            if nulls:
                raise ValueError(f"{', '.join(nulls)} must not be null")
        return data


class _Ref(_Shape):
    """``{"id": ...}`` objects: user, channel, team, enterprise."""

    id: str | None = None


class _Text(_Shape):
    type: str | None = None
    text: str | None = None


class _Block(_Shape):
    not_null = frozenset({"text"})  # Parley reads block.get("text", {}).get(...)
    type: str | None = None
    block_id: str | None = None
    text: dict[str, Any] | None = None


class _Action(_Shape):
    type: str | None = None
    action_id: str | None = None
    block_id: str | None = None
    value: str | None = None
    action_ts: str | None = None
    text: _Text | None = None


class _Container(_Shape):
    type: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None
    thread_ts: str | None = None
    is_ephemeral: bool | None = None


class _Message(_Shape):
    ts: str | None = None
    thread_ts: str | None = None
    text: str | None = None
    blocks: list[_Block] | None = None


class _Event(_Shape):
    type: str | None = None
    subtype: str | None = None
    user: str | dict[str, Any] | None = None
    bot_id: str | None = None
    channel: str | dict[str, Any] | None = None
    channel_type: str | None = None
    ts: str | None = None
    thread_ts: str | None = None
    event_ts: str | None = None
    text: str | None = None
    tab: str | None = None
    team: str | None = None

    @model_validator(mode="after")
    def ids_for_person_events(self) -> _Event:
        if self.type in PERSON_EVENTS and (isinstance(self.user, dict) or isinstance(self.channel, dict)):
            raise ValueError(f"a {self.type} event's user and channel are ids")
        return self


class _Authorization(_Shape):
    enterprise_id: str | None = None
    team_id: str | None = None
    user_id: str | None = None
    is_bot: bool | None = None
    is_enterprise_install: bool | None = None


class _Body(_Shape):
    not_null = frozenset({"event", "authorizations", "actions", "container", "message", "view"})
    type: str | None = None
    token: str | None = None
    challenge: str | None = None
    ssl_check: str | None = None
    api_app_id: str | None = None
    team_id: str | None = None
    enterprise_id: str | None = None
    is_enterprise_install: bool | str | None = None
    is_ext_shared_channel: bool | None = None
    context_team_id: str | None = None
    context_enterprise_id: str | None = None
    event_id: str | None = None
    event: _Event | None = None
    authorizations: list[_Authorization] | None = None
    # slash commands (a form: strings only, but a JSON body can carry "command" too)
    command: str | None = None
    text: str | None = None
    channel_id: str | None = None
    user_id: str | None = None
    user_name: str | None = None
    trigger_id: str | None = None
    response_url: str | None = None
    # interactivity
    user: str | _Ref | None = None
    channel: str | _Ref | None = None
    team: str | _Ref | None = None
    enterprise: str | _Ref | None = None
    actions: Annotated[list[_Action], Field(min_length=1)] | None = None  # bolt reads actions[0]
    container: _Container | None = None
    message: _Message | None = None
    view: dict[str, Any] | None = None

    @model_validator(mode="after")
    def objects_for_interactivity(self) -> _Body:
        # block_actions name the presser and the channel with objects; Parley reads their "id"
        if self.actions is not None and (isinstance(self.user, str) or isinstance(self.channel, str)):
            raise ValueError("an interactive payload's user and channel are objects")
        # bolt matches the first action's action_id against Parley's pattern: it must be a string
        if self.type == "block_actions" and (not self.actions or self.actions[0].action_id is None):
            raise ValueError("a block_actions payload needs actions with an action_id")
        return self


def problem(body: object) -> str | None:
    """None when ``body`` (bolt's parsed request body) has the shape Slack sends, else a short reason.

    The reason names field paths and error kinds only (``event.user: string_type``), never a value
    from the request, so it is safe to log: a value may be a user's message.
    """
    return shape_problem(_Body, body)


__all__ = ["PERSON_EVENTS", "problem"]
