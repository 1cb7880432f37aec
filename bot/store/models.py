"""Rows of the store as plain dataclasses. Times are always aware UTC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_db(moment: datetime | None) -> str | None:
    """Fixed-width UTC text, so string order in SQL is time order."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime reached the store; times must be aware")
    # isoformat writes strftime's "%Y-%m-%dT%H:%M:%S.%fZ" several times faster (it runs ~5 times an event)
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def earliest_claimable(due: datetime | None, oldest_claim: datetime | None,
                       stale_after: float | None) -> datetime | None:
    """The earliest moment an outbox row can be claimed (`Store.next_outbox_at`): ``due``, the earliest
    ``not_before`` of a pending conversation head, or the moment the oldest claimed head's claim
    (``oldest_claim``) goes stale after ``stale_after`` seconds (None: never counted), whichever is first."""
    expiry = oldest_claim + timedelta(seconds=stale_after) if oldest_claim and stale_after is not None else None
    return min((m for m in (due, expiry) if m is not None), default=None)


def from_db(text: str | None) -> datetime | None:
    if text is None:
        return None
    # fromisoformat reads to_db's format (Z included, Python 3.11+) some 20x faster than strptime
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(slots=True)
class User:
    platform: str
    user_id: str
    lang: str
    tz: str
    quiet_start: str | None = None
    quiet_end: str | None = None
    paused_until: datetime | None = None
    blocked: bool = False
    created_at: datetime = field(default_factory=utcnow)


@dataclass(slots=True)
class Case:
    id: int
    platform: str
    chat_id: str
    thread_id: str | None
    user_id: str
    situation: str | None
    step: str
    answers: dict[str, Any]
    status: str  # open | closed
    outcome: str | None
    lang: str
    created_at: datetime
    updated_at: datetime

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(slots=True)
class LogEntry:
    id: int
    case_id: int
    at: datetime
    kind: str
    data: dict[str, Any]


@dataclass(slots=True)
class Nudge:
    id: int
    case_id: int
    kind: str  # deliver | satisfied | review | custom
    due_at: datetime
    status: str  # pending | claimed | sent | answered | failed | cancelled
    attempts: int
    note: str | None
    last_error: str | None
    claimed_at: datetime | None
    sent_at: datetime | None
    created_at: datetime


@dataclass(slots=True)
class PendingEvent:
    platform: str
    event_id: str
    payload: dict[str, Any]
    received_at: datetime


@dataclass(slots=True)
class HandledMessage:
    """What Parley did with one user message, so an edit of that message can be answered for what it was.

    ``effect``: ``answer`` (it answered walkthrough step ``detail``), ``followup`` (it set nudge
    ``nudge_id``; ``detail`` is the command), ``card`` (it offered case ``case_id``'s card), ``command``
    (it ran command ``detail``) or ``message`` (anything else). ``case_seen``: the case's
    ``updated_at`` right after, so an edit can tell whether anything has happened to the case since.
    Holds no user text.
    """

    platform: str
    chat_id: str
    message_id: str
    user_id: str
    effect: str
    case_id: int | None = None
    nudge_id: int | None = None
    detail: str | None = None
    case_seen: datetime | None = None
    at: datetime = field(default_factory=utcnow)


@dataclass(slots=True)
class NewOutboxItem:
    """A message to deliver, before it is stored (`Store.add_outbox`).

    ``conversation`` is the ordering key: rows of one conversation are delivered one at a time, oldest
    first. ``payload`` is whatever the adapter needs to deliver (JSON-able; see `bot.outbox`).
    ``event_id`` is the inbound event that produced it, ``nudge_id`` the nudge it carries.
    ``not_before`` None means now.
    """

    platform: str
    conversation: str
    user_id: str
    payload: dict[str, Any]
    case_id: int | None = None
    nudge_id: int | None = None
    event_id: str | None = None
    not_before: datetime | None = None


@dataclass(slots=True)
class OutboxItem:
    """A stored outbox row. ``status``: pending -> claimed (an instance is delivering it) -> sent, or
    failed for good. ``maybe_sent``: an earlier claim expired, so its send may have reached the platform."""

    id: int
    platform: str
    conversation: str
    user_id: str
    case_id: int | None
    nudge_id: int | None
    event_id: str | None
    payload: dict[str, Any]
    status: str
    attempts: int
    not_before: datetime
    claimed_by: str | None
    claimed_at: datetime | None
    maybe_sent: bool
    sent_at: datetime | None
    last_error: str | None
    created_at: datetime
