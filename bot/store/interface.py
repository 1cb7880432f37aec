"""The store as the rest of Parley sees it: an async repository, whatever database is behind it.

`bot.store.sqlite.SQLiteStore` and `bot.store.postgres.PostgresStore` implement it, and both pass
tests/test_store.py. Conventions for every method:

- Every time in and out is an aware `datetime` in UTC.
- Objects come back as fresh copies (`bot.store.models`); changing one changes nothing until it is
  passed to a ``save_*`` method.
- Nudge statuses: ``pending`` (waiting for its ``due_at``) -> ``claimed`` (a scheduler is sending it)
  -> ``sent``; then ``answered`` by the user, or ``cancelled`` (case closed, user forgotten/blocked),
  or ``failed`` after the scheduler's last attempt. Case statuses: ``open``, ``closed``.
- Writes are atomic: a method either happened completely or not at all. Inside `Store.transaction`
  every call of the task joins one transaction (see there); docs/outbox.md says what commits together.
- Errors: a database that cannot be reached or written raises the driver's error (``sqlite3.Error``
  for SQLite); `bot.store.sqlite.StoreError` is raised at open for an unusable database. No method
  raises for "not found": it returns None, False or 0. PostgreSQL raises asyncpg's errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol

from bot.store.models import (
    Case,
    HandledMessage,
    LogEntry,
    NewOutboxItem,
    Nudge,
    OutboxItem,
    PendingEvent,
    User,
)


class Store(Protocol):
    """Users, cases with their log, nudges, handled messages and inbound events."""

    async def close(self) -> None:
        """Releases the connection; the store is unusable afterwards."""
        ...

    async def schema_version(self) -> int:
        """The schema migration the database is at (`bot.store.migrations.SCHEMA_VERSION` after open)."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """One database transaction for every store call the current task makes inside it.

        ``async with store.transaction(): ...``: reads and writes made inside (by this task, found through
        a context variable) join one transaction that commits when the block ends and rolls back when it
        raises, so an event's state changes, its done mark (`finish_event`) and its outbox rows
        (`add_outbox`) commit together or not at all. A nested ``transaction()`` joins the outer one. Other
        tasks' calls wait until it commits: keep the block to store calls and CPU work, never a network call.
        """
        ...

    # -- users --------------------------------------------------------------------------------

    async def get_user(self, platform: str, user_id: str) -> User | None:
        """The user with the platform's own id (Telegram's numeric id as text, Slack's ``U...``), or None."""
        ...

    async def get_users(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], User]:
        """Many users by ``(platform, user_id)`` in one round trip; unknown keys are missing from the result."""
        ...

    async def save_user(self, user: User) -> None:
        """Inserts or updates the user (language, zone, quiet hours, pause, blocked); ``created_at`` is kept."""
        ...

    async def forget_user(self, platform: str, user_id: str) -> int:
        """Deletes every row about the user: cases (with their log and nudges), handled messages, stored
        events, outbox rows and the user. Returns how many cases were deleted (0 for an unknown user)."""
        ...

    # -- cases and their paper trail ----------------------------------------------------------

    async def create_case(self, *, platform: str, chat_id: str, thread_id: str | None, user_id: str,
                          lang: str, situation: str | None = None, step: str = "start",
                          answers: dict[str, Any] | None = None) -> Case:
        """A new open case (with an ``opened`` log line) and its new id. ``thread_id`` None means the chat
        itself; ``situation`` is an id of `content.Library.situations`; ``answers`` must be JSON-able."""
        ...

    async def get_case(self, case_id: int) -> Case | None:
        """The case with that id, open or closed; None when there is none (or it was forgotten)."""
        ...

    async def get_cases(self, case_ids: Iterable[int]) -> dict[int, Case]:
        """Many cases by id in one round trip; unknown ids are missing from the result."""
        ...

    async def find_open_case(self, platform: str, chat_id: str, thread_id: str | None,
                             user_id: str) -> Case | None:
        """The user's most recently updated open case in exactly that chat and thread (None = no thread)."""
        ...

    async def find_open_case_in_thread(self, platform: str, chat_id: str, thread_id: str) -> Case | None:
        """The most recently updated open case of a thread, whoever owns it."""
        ...

    async def open_cases(self, platform: str, user_id: str) -> list[Case]:
        """All open cases of a user, oldest first."""
        ...

    async def save_case(self, case: Case, *, log: tuple[str, dict[str, Any]] | None = None) -> None:
        """Writes thread, situation, step, answers, status, outcome and language with the optional log
        line ``(kind, data)`` atomically, and sets ``case.updated_at`` to now.

        A closed case stays closed: saving a copy read while it was open changes nothing. Closing (status
        other than ``open``) cancels the case's pending and claimed nudges in the same transaction.
        """
        ...

    async def log(self, case_id: int, kind: str, data: dict[str, Any] | None = None) -> None:
        """Appends a line (``kind`` and JSON-able ``data``) to the case's paper trail, stamped now."""
        ...

    async def case_log(self, case_id: int) -> list[LogEntry]:
        """The case's paper trail, oldest first."""
        ...

    # -- nudges: the table is the truth --------------------------------------------------------

    async def add_nudge(self, case_id: int, kind: str, due_at: datetime, note: str | None = None) -> Nudge:
        """A pending nudge of ``kind`` (deliver, satisfied, review, custom) for ``due_at``, logged on the case."""
        ...

    async def get_nudge(self, nudge_id: int) -> Nudge | None:
        """The nudge with that id in any status, or None."""
        ...

    async def nudges_for_case(self, case_id: int) -> list[Nudge]:
        """Every nudge of the case in any status, by due time."""
        ...

    async def next_nudge(self, case_id: int) -> Nudge | None:
        """What the case waits for: a failed nudge first (the user should see it), else the earliest
        pending or claimed one; None when nothing is scheduled."""
        ...

    async def next_due_at(self) -> datetime | None:
        """The earliest ``due_at`` of any pending nudge (the scheduler sleeps until then), or None."""
        ...

    async def count_nudges(self, status: str = "pending") -> int:
        """How many nudges are in ``status``."""
        ...

    async def claim_due(self, now: datetime, limit: int = 100, *, owner: str | None = None) -> list[Nudge]:
        """Atomically moves up to ``limit`` pending nudges due at ``now`` or earlier to ``claimed`` (counting
        an attempt, ``owner`` the claiming instance's id) and returns them by due time: no two callers ever
        get the same nudge."""
        ...

    async def reclaim_stale(self, claimed_before: datetime) -> int:
        """Claims older than ``claimed_before`` (left by a process that died) are pending again; returns
        how many. A claimed nudge that already has an outbox row (pending, claimed or sent) is left alone:
        the outbox delivers it, and making it pending would render and send it a second time."""
        ...

    async def mark_sent(self, nudge_id: int, at: datetime) -> bool:
        """A claimed nudge becomes sent (logged); False when it was not claimed (cancelled meanwhile)."""
        ...

    async def mark_sent_many(self, nudge_ids: Sequence[int], at: datetime) -> set[int]:
        """`mark_sent` for many nudges in one transaction; returns the ids that were marked."""
        ...

    async def release(self, nudge_id: int, *, error: str, retry_at: datetime | None) -> None:
        """A failed send of a claimed nudge: pending again at ``retry_at``, or ``failed`` for good when it is
        None; ``error`` (first 500 characters) is kept and logged. A nudge no longer claimed is left alone."""
        ...

    async def defer_nudge(self, nudge_id: int, due_at: datetime, *, reason: str) -> bool:
        """A claimed nudge that may not go out yet (quiet hours, pause) is pending again at ``due_at``, its
        attempt given back, ``reason`` logged. False when it was no longer claimed."""
        ...

    async def set_nudge(self, nudge_id: int, *, status: str, due_at: datetime | None = None,
                        only_from: Sequence[str] | None = None) -> bool:
        """Sets a nudge's status (answered, snoozed back to pending with a new ``due_at``, cancelled).
        ``only_from``: only while its status is one of these, so two presses of "Done" cannot both go
        through. False when nothing changed."""
        ...

    async def move_nudge(self, nudge_id: int, due_at: datetime, note: str | None) -> bool:
        """Gives a pending nudge a new time and note (an edited /followup); False once it is claimed,
        sent, answered or cancelled, so a reminder already on its way is never moved."""
        ...

    async def set_case_step(self, case_id: int, step: str, *, only_from: Sequence[str]) -> bool:
        """Moves an open case to ``step`` while it is at one of ``only_from``, without rewriting the rest of
        the row (no lost update of a copy read earlier). False when it was not there or not open."""
        ...

    async def cancel_case_nudges(self, case_id: int) -> int:
        """Cancels the case's pending and claimed nudges; returns how many."""
        ...

    async def cancel_user_nudges(self, platform: str, user_id: str) -> int:
        """Cancels the pending and claimed nudges of all the user's cases (blocked, forgotten); returns how many."""
        ...

    # -- the outbox: replies and nudges waiting for delivery ---------------------------------------

    async def add_outbox(self, items: Sequence[NewOutboxItem], *, owner: str | None = None) -> list[OutboxItem]:
        """Stores ``items`` (joining the current transaction) and returns the rows, in the given order.

        Rows are ``pending``. With ``owner`` (an instance id), a row whose conversation has no other unsent
        row is stored already ``claimed`` by ``owner`` (one attempt counted), so the caller delivers it
        right after the commit without another round trip; the others stay pending for `claim_outbox`,
        which keeps the conversation's order.
        """
        ...

    async def claim_outbox(self, now: datetime, *, owner: str, limit: int = 100,
                           platform: str | Sequence[str] | None = None) -> list[OutboxItem]:
        """Atomically claims up to ``limit`` pending rows due at ``now`` (``not_before``), at most one per
        conversation and only a conversation's oldest unsent row, so each conversation is delivered in
        order; ``platform`` limits it to the platforms this instance runs. No two callers get one row.
        Oldest first; each claim counts an attempt."""
        ...

    async def mark_outbox_sent(self, ids: Sequence[int], at: datetime) -> set[int]:
        """Claimed rows become ``sent`` (their payload is emptied: it may hold the user's words), and the
        nudges they carry become sent (logged) if still claimed. Returns the ids marked; a row no longer
        claimed (reclaimed meanwhile) is not."""
        ...

    async def release_outbox(self, outbox_id: int, *, error: str, retry_at: datetime | None) -> None:
        """A failed delivery of a claimed row: pending again from ``retry_at``, or ``failed`` for good when
        it is None; ``error`` (first 500 characters) is kept. A row no longer claimed is left alone."""
        ...

    async def reclaim_stale_outbox(self, claimed_before: datetime) -> int:
        """Claims made before ``claimed_before`` (their instance died) become pending again with
        ``maybe_sent`` set: the send may have reached the platform. Returns how many."""
        ...

    async def count_outbox(self, status: str = "pending") -> int:
        """How many outbox rows are in ``status``."""
        ...

    async def get_outbox(self, outbox_id: int) -> OutboxItem | None:
        """The row with that id in any status, or None."""
        ...

    async def next_outbox_at(self, *, stale_after: float | None = None,
                             platform: str | Sequence[str] | None = None) -> datetime | None:
        """The earliest moment `claim_outbox` can hand out a row (the delivery loop sleeps until then), or None.

        Only each conversation's oldest unsent row counts: pending, its ``not_before``; claimed, the moment
        its claim can be taken back (``claimed_at`` + ``stale_after`` seconds; with None such a
        conversation is left out), because the rows behind it wait for it. ``platform`` (one name or
        several) keeps the rows of those platforms only, as in `claim_outbox`."""
        ...

    # -- what each handled user message did, for edits of it -----------------------------------

    async def remember_message(self, record: HandledMessage, *, replace: bool = False) -> None:
        """Records what a user message did, keyed by (platform, chat_id, message_id).

        ``replace=False`` keeps a record already there, so the handler that knows most (a /followup
        with its nudge) wins over the generic record written after it; an edit passes True.
        """
        ...

    async def handled_message(self, platform: str, chat_id: str, message_id: str) -> HandledMessage | None:
        """What that message did, or None when Parley never handled it (or the user was forgotten)."""
        ...

    # -- inbound events: dedup and replay ------------------------------------------------------

    async def accept_event(self, platform: str, event_id: str, user_id: str, payload: dict[str, Any], *,
                           owner: str | None = None) -> bool:
        """Records an event (``payload``: the `bot.events.Event` fields) before the platform is acknowledged;
        False when that (platform, event_id) was seen before and must be dropped. The same INSERT claims it
        for ``owner`` (the accepting instance's id) at this moment, so no other instance replays it while
        the claim is younger than the claim timeout (`claim_events`); None stores it unclaimed."""
        ...

    async def finish_event(self, platform: str, event_id: str, *, owner: str | None = None) -> bool:
        """Marks the event done; its payload (which may hold the user's words) is dropped, the id stays for dedup.
        Called inside the event's `transaction`, so the mark commits with the event's effects and replies.

        With ``owner``, only while the event is claimed by ``owner`` or by nobody: False when another
        instance took it over (``owner``'s claim had expired) and marks nothing, so the caller rolls its
        transaction back and the event's effects happen once, by the taker. True when marked, or when the
        event is no longer stored (its user was forgotten by this very event: nothing left to guard)."""
        ...

    async def unfinished_events(self, platform: str | None = None) -> list[PendingEvent]:
        """Events accepted and never finished, oldest first (read only: replays go through `claim_events`)."""
        ...

    async def claim_events(self, *, owner: str, claimed_before: datetime, platform: str | Sequence[str] | None = None,
                           limit: int | None = None) -> list[PendingEvent]:
        """Atomically claims for ``owner`` the unfinished events whose claim was made before ``claimed_before``
        (their instance died: PostgreSQL passes now minus the claim timeout; SQLite, one process per
        database, passes a moment past now at start, to replay them all) and returns them oldest first.
        Events claimed by ``owner`` itself are never returned; ``platform`` (one name or several) limits
        them, ``limit`` (None: all) caps how many. No two callers get one event. One indexed statement."""
        ...

    async def prune(self, before: datetime, *, batch: int = 1000) -> int:
        """Deletes at most ``batch`` rows of each kind that is finished and older than ``before``: outbox
        rows sent before it (their payload is already empty), done events received before it (their ids
        no longer deduplicate: ``before`` must lie well past the platforms' retry windows) and handled
        messages recorded before it (an edit of such a message is then taken as unknown). Pending,
        claimed and failed outbox rows and unfinished events are kept. One short transaction; returns how
        many rows went, so a sweep calls again until it is 0."""
        ...

    async def prune_events(self, before: datetime) -> int:
        """Deletes finished events received before ``before``; returns how many."""
        ...

    # -- named locks: what only one instance may do at a time ----------------------------------

    async def try_lock(self, name: str, *, shared: bool = False) -> bool:
        """Takes the lock ``name`` for this store until `unlock`, `close` or the process's death (so a
        crashed instance never keeps it). Exclusive by default: True when this store holds it (asking
        again is True), False when another store, in this process or another, holds it in any mode.
        ``shared=True``: any number of shared holders coexist, and keep an exclusive one out. Telegram's
        long poller takes the token's lock exclusive, webhook instances take it shared."""
        ...

    async def unlock(self, name: str) -> None:
        """Gives back a lock taken with `try_lock`; nothing happens when this store does not hold it."""
        ...
