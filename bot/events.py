"""Platform-neutral events and replies: the only language adapters and handlers share.

Nothing here knows Telegram or Slack. An adapter turns a platform update into an `Event`, hands it
to the core and renders the `Reply` objects it gets back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.owner import SEPARATOR, TAG_BYTES, is_tag, owner_tag, stamp

#: Telegram allows 64 bytes of callback data; Slack action values are longer, so this is the bound.
MAX_CHOICE_ID_BYTES = 64


class EventKind(StrEnum):
    COMMAND = "command"
    MESSAGE = "message"
    BUTTON = "button"


@dataclass(frozen=True, slots=True)
class Event:
    """One thing a user did, as every handler sees it.

    ``thread_id`` is the conversation inside a chat (Slack thread ts, Telegram forum topic or
    reply-chain root); ``None`` means the chat itself. ``event_id`` is the platform's own id and is
    what deduplication keys on.

    ``origin_message_id`` is the user's message (or, for a button, the pressed message): Telegram's
    message_id, Slack's ts. ``edited``: the user edited that message (Telegram ``edited_message``,
    Slack ``message_changed``); it is never a new message, see `handlers.edits`.
    """

    platform: str
    event_id: str
    user_id: str
    chat_id: str
    kind: EventKind
    thread_id: str | None = None
    text: str = ""
    command: str | None = None
    button: str | None = None
    language_hint: str | None = None
    is_direct: bool = True
    user_name: str | None = None
    origin_message_id: str | None = None
    edited: bool = False

    @property
    def conversation_key(self) -> tuple[str, str, str, str]:
        return (self.platform, self.chat_id, self.thread_id or "", self.user_id)


@dataclass(frozen=True, slots=True)
class Choice:
    """A button. ``id`` is opaque and short; never user text.

    The core appends the owner's tag (`bot.owner`) to every id it hands an adapter, so an id built by
    a handler must leave `bot.owner.TAG_BYTES` of the `MAX_CHOICE_ID_BYTES` free and must not contain
    ``~``; both are checked here, so a too-long id fails where it is built.
    """

    id: str
    label: str

    def __post_init__(self) -> None:
        _, sep, tag = self.id.partition(SEPARATOR)
        if sep and not is_tag(tag):
            raise ValueError(f"choice id may contain {SEPARATOR!r} only before an owner tag: {self.id!r}")
        limit = MAX_CHOICE_ID_BYTES - (0 if sep else TAG_BYTES)
        if len(self.id.encode()) > limit:
            raise ValueError(f"choice id longer than {limit} bytes: {self.id!r}")


@dataclass(slots=True)
class Reply:
    """What the core wants shown.

    ``text`` uses a small markup subset that every adapter renders: ``**bold**`` and plain lines.
    Text that came from a user must go through `bot.markup.user_text` before it is put in a reply.

    ``private``: only the acting user sees it (Telegram alert, Slack ephemeral).
    ``close_origin``: the button press was accepted; the adapter removes the buttons of the
    message that was pressed and may show ``text`` as the chosen answer instead of posting it.
    ``case_id`` / ``anchor``: the message belongs to that case; with ``anchor`` the adapter reports
    the thread it created (Slack ``ts``) back through `Core.anchor_case`.
    """

    text: str
    choices: list[Choice] = field(default_factory=list)
    expects_text: bool = False
    private: bool = False
    close_origin: bool = False
    case_id: int | None = None
    anchor: bool = False
    mention_user: bool = False


@dataclass(frozen=True, slots=True)
class HomeCase:
    """One open case on a user's home page: plain texts (the adapter escapes them) and its buttons."""

    case_id: int
    number: str
    title: str
    step: str
    next: str
    #: The chat the case lives in; the adapter links it where the platform can.
    chat_id: str
    choices: list[Choice] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Home:
    """A user's standing page (Slack's App Home tab), built by `handlers.home`, rendered by an adapter.

    ``intro`` uses the `Reply` markup subset; the other texts are plain. ``cases_title`` is None when
    there is no open case, and ``empty`` is then shown instead of the list.
    """

    title: str
    intro: str
    choices: list[Choice]
    cases_title: str | None
    empty: str
    where_label: str
    cases: list[HomeCase] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Target:
    """Where an unprompted message (a nudge) goes."""

    platform: str
    chat_id: str
    user_id: str
    thread_id: str | None = None


class DeliveryError(Exception):
    """An adapter could not deliver. ``permanent`` means retrying is pointless (user blocked the bot)."""

    def __init__(self, message: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


class StartupError(Exception):
    """A platform refused to start (wrong token, unreachable API); one line for a person."""


def stamp_choices(choices: Sequence[Choice], platform: str, user_id: str) -> list[Choice]:
    """New `Choice` objects whose ids carry the owner's tag (`bot.owner`)."""
    tag = owner_tag(platform, user_id)
    return [dataclasses.replace(c, id=stamp(c.id, tag)) for c in choices]


def stamp_replies(replies: Sequence[Reply], platform: str, user_id: str) -> list[Reply]:
    """Copies of ``replies`` whose buttons all belong to ``user_id`` on ``platform``.

    The handlers' own Reply objects are not changed (some are built once and reused); replies
    without buttons are returned as they are.
    """
    return [dataclasses.replace(r, choices=stamp_choices(r.choices, platform, user_id)) if r.choices else r
            for r in replies]
