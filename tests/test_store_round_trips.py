"""How many SQLite statements one event costs on Parley's path (accept, run, outbox row, sent mark).

`benchmarks/core_throughput.py` prints the same count for its mix; these tests pin the floor for the
simplest event and keep the outbox guarantees of docs/outbox.md while statements are taken out.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.app import build_core
from bot.core import Core
from bot.events import Choice, Event, EventKind, Reply
from bot.outbox import Delivery, Outbox, new_item
from bot.settings import load_settings
from bot.store import SQLiteStore, utcnow
from bot.store.models import to_db
from tests.support import RecordingAdapter


def kinds(statements: list[str]) -> list[str]:
    """Each statement's first two words ("INSERT INTO", "BEGIN IMMEDIATE", "UPDATE outbox")."""
    return [" ".join(s.split()[:2]) for s in statements]


async def settle() -> None:
    """Lets the event loop turn a few times (a deferred sent mark is written on the next turn)."""
    for _ in range(3):
        await asyncio.sleep(0)


async def test_a_help_event_costs_two_commits_its_sent_mark_riding_on_the_next_events_transaction(
        store: SQLiteStore) -> None:
    core: Core = build_core(store, load_settings())
    keeper = RecordingAdapter()
    core.register(keeper)
    statements: list[str] = []
    store.trace_statements(statements.append)
    for n in range(2):  # back to back, as events of a burst run without the loop turning in between
        event = Event(platform="console", event_id=f"e{n}", user_id="u1", chat_id="c1", kind=EventKind.MESSAGE,
                      text="/help")
        assert await core.accept(event)
        await core.run(event, {})
    first_rows = [(await store.get_outbox(d.outbox_id)) for d in keeper.delivered]
    assert [r.status for r in first_rows if r is not None] == ["sent", "claimed"], "the second mark still waits"
    await settle()
    store.trace_statements(None)
    second = kinds(statements[statements.index("COMMIT") + 1:])
    assert second == ["INSERT INTO", "BEGIN IMMEDIATE", "UPDATE outbox", "UPDATE processed_events", "INSERT INTO",
                      "COMMIT", "SELECT *", "SELECT *", "UPDATE outbox"], statements
    assert statements.count("COMMIT") == 2  # plus three autocommit statements: two accepts and the last mark
    assert len(keeper.delivered) == 2
    for delivery in keeper.delivered:
        row = await store.get_outbox(delivery.outbox_id)
        assert row is not None and row.status == "sent" and row.payload == {}
    assert await store.unfinished_events("console") == []


async def test_a_mark_taken_by_a_failing_event_is_written_with_its_apology(store: SQLiteStore) -> None:
    core: Core = build_core(store, load_settings())
    keeper = RecordingAdapter()
    core.register(keeper)
    first = Event(platform="console", event_id="ok", user_id="u1", chat_id="c1", kind=EventKind.MESSAGE, text="/help")
    assert await core.accept(first)
    await core.run(first, {})
    dispatch = core.dispatch

    async def broken(event: Event, ctx: object) -> list[Reply]:
        await ctx.store.save_user(dataclasses.replace(ctx.user, lang="ro"))  # type: ignore[attr-defined]
        raise RuntimeError("a handler bug")

    core.dispatch = broken  # type: ignore[assignment]
    failing = Event(platform="console", event_id="bad", user_id="u1", chat_id="c1", kind=EventKind.MESSAGE,
                    text="/help")
    assert await core.accept(failing)
    await core.run(failing, {})
    core.dispatch = dispatch
    rows = [await store.get_outbox(d.outbox_id) for d in keeper.delivered]
    assert [r.status for r in rows if r is not None] == ["sent", "claimed"]  # the first marked by the apology's commit
    assert [r.text for r in keeper.delivered[1].replies] == [core.lib.t("error.internal", "en")]
    assert (await store.get_user("console", "u1")).lang == "en"  # type: ignore[union-attr]
    await settle()
    assert (await store.get_outbox(keeper.delivered[1].outbox_id)).status == "sent"  # type: ignore[union-attr]


async def test_a_stopped_outbox_marks_at_once_and_stop_writes_what_waits(store: SQLiteStore) -> None:
    core: Core = build_core(store, load_settings())
    keeper = RecordingAdapter()
    core.register(keeper)
    event = Event(platform="console", event_id="one", user_id="u1", chat_id="c1", kind=EventKind.MESSAGE, text="/help")
    assert await core.accept(event)
    await core.run(event, {})
    await core.outbox.stop()  # writes the waiting mark before anything else
    assert (await store.get_outbox(keeper.delivered[0].outbox_id)).status == "sent"  # type: ignore[union-attr]
    later = Event(platform="console", event_id="two", user_id="u1", chat_id="c1", kind=EventKind.MESSAGE, text="/help")
    assert await core.accept(later)
    await core.run(later, {})  # an adapter finishing its work after the outbox stopped: marked at once
    assert (await store.get_outbox(keeper.delivered[1].outbox_id)).status == "sent"  # type: ignore[union-attr]


async def test_marking_rows_with_and_without_nudges_marks_both_and_only_claimed_ones(store: SQLiteStore) -> None:
    case = await store.create_case(platform="console", chat_id="c1", thread_id=None, user_id="u1", lang="en")
    nudge = await store.add_nudge(case.id, "followup", utcnow() - timedelta(minutes=1))
    [claimed] = await store.claim_due(utcnow(), owner="me")
    assert claimed.id == nudge.id
    plain = new_item("console", "console|c1||u1", "u1", [Reply("hi")], route={})
    nudged = new_item("console", "console|c1||u1|nudge", "u1", [Reply("nudge")], route={}, nudge_id=nudge.id)
    stray = new_item("console", "console|c1||u1", "u1", [Reply("later")], route={})
    rows = await store.add_outbox([plain, nudged, stray], owner="me")
    assert [r.status for r in rows] == ["claimed", "claimed", "pending"]
    statements: list[str] = []
    store.trace_statements(statements.append)
    marked = await store.mark_outbox_sent([r.id for r in rows], utcnow())
    store.trace_statements(None)
    assert marked == {rows[0].id, rows[1].id}
    stored = await store.nudges_for_case(case.id)
    assert [n.status for n in stored] == ["sent"]
    assert [e.kind for e in await store.case_log(case.id)][-1] == "nudge-sent"
    assert (await store.get_outbox(rows[2].id)).status == "pending"  # type: ignore[union-attr]
    assert kinds(statements)[0] == "UPDATE outbox"


class GatedStore(SQLiteStore):
    """A real SQLite store whose sent marks wait for the test's gate and record each batch and its task."""

    gate: asyncio.Event
    batches: list[tuple[list[int], asyncio.Task[object] | None]]

    async def mark_outbox_sent(self, ids: Sequence[int], at: datetime) -> set[int]:
        self.batches.append((list(ids), asyncio.current_task()))
        await self.gate.wait()
        return await super().mark_outbox_sent(ids, at)


async def test_a_lone_sent_mark_is_written_by_its_caller_and_later_ones_share_one_commit(tmp_path: Path) -> None:
    store = await GatedStore.open("sqlite:///" + str(tmp_path / "gated.db"))
    store.gate, store.batches = asyncio.Event(), []
    try:
        items = [new_item("console", f"console|c{n}||u{n}", f"u{n}", [Reply("hi")], route={}) for n in range(3)]
        rows = await store.add_outbox(items, owner="me")
        outbox = Outbox(store, {}, owner="me", clock=utcnow, repeat_note=lambda platform, user_id: asyncio.sleep(0, ""))
        first = asyncio.create_task(outbox.mark_sent(rows[0].id))
        await asyncio.sleep(0)
        later = [asyncio.create_task(outbox.mark_sent(r.id)) for r in rows[1:]]
        await asyncio.sleep(0)
        store.gate.set()
        assert await first and all(await asyncio.gather(*later))
        assert [ids for ids, _ in store.batches] == [[rows[0].id], [rows[1].id, rows[2].id]]
        assert store.batches[0][1] is first, "nothing in flight: the caller writes its own mark (no extra task)"
        assert {(await store.get_outbox(r.id)).status for r in rows} == {"sent"}  # type: ignore[union-attr]
    finally:
        await store.close()


async def test_the_rows_add_outbox_returns_are_what_a_read_gives_back(store: SQLiteStore) -> None:
    later = datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=timezone(timedelta(hours=3)))
    items = [new_item("console", "console|c1||u1", "u1", [Reply("hi", choices=[Choice("a:1", "One")])],
                      route={"chat": "c1", "ids": [1, 2]}, case_id=None, event_id="e1"),
             new_item("console", "console|c1||u1", "u1", [Reply("second")], route={}),
             new_item("console", "console|c2||u2", "u2", [Reply("later")], route={})]
    items[2] = dataclasses.replace(items[2], not_before=later)
    for owner in ("me", None):
        rows = await store.add_outbox(items, owner=owner)
        # round two: the first round's pending row still waits in c1, so nothing there is claimed
        assert [r.status for r in rows] == (["claimed", "pending", "claimed"] if owner else ["pending"] * 3)
        assert rows == [await store.get_outbox(r.id) for r in rows]
        for row in rows:  # failed for good: the next round's conversations have nothing unsent
            if row.status == "claimed":
                await store.release_outbox(row.id, error="test", retry_at=None)


def test_to_db_writes_the_fixed_width_utc_text_it_always_wrote() -> None:
    moments = [datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
               datetime(2027, 6, 1, 2, 30, 0, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))),
               datetime(1999, 3, 4, 5, 6, 7, 80000, tzinfo=timezone(timedelta(hours=-8)))]
    for moment in moments:
        assert to_db(moment) == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert to_db(None) is None
    with pytest.raises(ValueError):
        to_db(datetime(2026, 1, 1))  # noqa: DTZ001 - a naive time must be refused


class Recorder:
    """A console adapter that records the task each delivery runs in, and hangs when told to."""

    platform = "console"

    def __init__(self) -> None:
        self.tasks: list[asyncio.Task[object] | None] = []
        self.hang = False

    async def deliver(self, delivery: Delivery) -> None:
        self.tasks.append(asyncio.current_task())
        if self.hang:
            await asyncio.sleep(30)


async def test_a_delivery_runs_in_its_callers_task_and_still_times_out(store: SQLiteStore) -> None:
    adapter = Recorder()
    outbox = Outbox(store, {"console": adapter}, owner="me", clock=utcnow,
                    repeat_note=lambda platform, user_id: asyncio.sleep(0, ""), send_timeout=0.05)
    first, second = await store.add_outbox(
        [new_item("console", f"console|c{n}||u1", "u1", [Reply("hi")], route={}) for n in range(2)], owner="me")
    caller = asyncio.create_task(outbox.deliver(first))
    assert await caller
    assert adapter.tasks == [caller], "no task of its own per delivery (asyncio.wait_for made one in 3.11)"
    adapter.hang = True
    assert not await outbox.deliver(second)  # released for a retry
    row = await store.get_outbox(second.id)
    assert row is not None and row.status == "pending" and row.last_error == "no answer from console in 0.05 s"


async def test_an_eventless_reply_right_after_an_events_reply_goes_at_once(store: SQLiteStore) -> None:
    core: Core = build_core(store, load_settings())
    keeper = RecordingAdapter()
    core.register(keeper)
    event = Event(platform="console", event_id="one", user_id="u1", chat_id="c1", kind=EventKind.MESSAGE, text="/help")
    assert await core.accept(event)
    await core.run(event, {})
    await core.reply("console", chat_id="c1", thread_id=None, user_id="u1", replies=[Reply("a note")], route={})
    assert [d.replies[0].text for d in keeper.delivered][1:] == ["a note"], "stored claimed, delivered at once"
    await settle()
    assert {(await store.get_outbox(d.outbox_id)).status for d in keeper.delivered} == {"sent"}  # type: ignore[union-attr]
