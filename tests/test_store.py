"""The SQLite store: migrations, durability, permissions, atomic claims, forgetting."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from bot.store import HandledMessage, NewOutboxItem, SQLiteStore, StoreError, User, utcnow
from bot.store.migrations import MIGRATIONS, SCHEMA_VERSION


def url(path: Path) -> str:
    return "sqlite:///" + str(path)


async def test_empty_file_migrates_to_current_schema(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    store = await SQLiteStore.open(url(db))
    assert await store.schema_version() == SCHEMA_VERSION
    await store.close()
    mode = stat.S_IMODE(os.stat(db).st_mode)
    assert mode == 0o600, oct(mode)


async def test_previous_schema_upgrades_and_keeps_rows(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    raw = sqlite3.connect(db)
    raw.executescript(MIGRATIONS[0])
    raw.execute("PRAGMA user_version=1")
    raw.execute("INSERT INTO users (platform, user_id, lang, tz, created_at) "
                "VALUES ('console','ana','ro','Europe/Chisinau','2026-01-01T00:00:00.000000Z')")
    raw.commit()
    raw.close()

    store = await SQLiteStore.open(url(db))
    assert await store.schema_version() == SCHEMA_VERSION
    user = await store.get_user("console", "ana")
    assert user is not None and user.lang == "ro" and user.tz == "Europe/Chisinau"
    assert user.blocked is False and user.paused_until is None
    await store.close()


async def test_newer_schema_is_refused_clearly(tmp_path: Path) -> None:
    db = tmp_path / "future.db"
    raw = sqlite3.connect(db)
    raw.execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    raw.close()
    with pytest.raises(StoreError, match="newer Parley"):
        await SQLiteStore.open(url(db))


async def test_unwritable_path_gives_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot open the database"):
        await SQLiteStore.open(url(blocker / "sub" / "parley.db"))


async def test_bad_url_is_refused() -> None:
    with pytest.raises(StoreError, match="sqlite:///PATH"):
        await SQLiteStore.open("postgres://x")


async def test_reopening_keeps_everything(tmp_path: Path) -> None:
    db = tmp_path / "keep.db"
    store = await SQLiteStore.open(url(db))
    await store.save_user(User(platform="console", user_id="u", lang="ru", tz="Europe/Moscow"))
    case = await store.create_case(platform="console", chat_id="c", thread_id=None, user_id="u", lang="ru",
                                   situation="late-payment", step="listen")
    case.answers["complaint"] = "не платит третий месяц"
    await store.save_case(case, log=("answer", {"step": "listen"}))
    due = utcnow() + timedelta(hours=2)
    await store.add_nudge(case.id, "deliver", due)
    assert await store.accept_event("console", "e1", "u", {"text": "hi"})
    await store.close()

    store = await SQLiteStore.open(url(db))
    again = await store.get_case(case.id)
    assert again is not None and again.answers["complaint"] == "не платит третий месяц"
    assert again.step == "listen"
    assert [e.kind for e in await store.case_log(case.id)] == ["opened", "answer", "nudge-scheduled"]
    nudge = await store.next_nudge(case.id)
    assert nudge is not None and abs((nudge.due_at - due).total_seconds()) < 0.001
    assert [e.event_id for e in await store.unfinished_events("console")] == ["e1"]
    assert not await store.accept_event("console", "e1", "u", {"text": "hi"})
    await store.close()


async def test_claims_are_atomic_under_concurrency(store: SQLiteStore) -> None:
    case = await store.create_case(platform="console", chat_id="c", thread_id=None, user_id="u", lang="en")
    now = utcnow()
    for i in range(50):
        await store.add_nudge(case.id, "custom", now - timedelta(seconds=i))
    batches = await asyncio.gather(*(store.claim_due(now, limit=7) for _ in range(10)))
    ids = [n.id for batch in batches for n in batch]
    assert len(ids) == 50 and len(set(ids)) == 50


async def test_closing_a_case_cancels_its_nudges(store: SQLiteStore) -> None:
    case = await store.create_case(platform="console", chat_id="c", thread_id=None, user_id="u", lang="en")
    await store.add_nudge(case.id, "deliver", utcnow() + timedelta(hours=1))
    case.status, case.outcome = "closed", "resolved"
    await store.save_case(case, log=("closed", {"outcome": "resolved"}))
    assert await store.count_nudges("pending") == 0
    assert await store.count_nudges("cancelled") == 1


async def test_forget_leaves_no_row_of_the_user(store: SQLiteStore, tmp_path: Path) -> None:
    await store.save_user(User(platform="console", user_id="gone", lang="en", tz="UTC"))
    await store.save_user(User(platform="console", user_id="stays", lang="en", tz="UTC"))
    for user in ("gone", "stays"):
        case = await store.create_case(platform="console", chat_id="c", thread_id=None, user_id=user, lang="en")
        await store.add_nudge(case.id, "deliver", utcnow())
        await store.accept_event("console", f"ev-{user}", user, {"text": "secret words"})
        await store.remember_message(HandledMessage(platform="console", chat_id="c", message_id=f"m-{user}",
                                                    user_id=user, effect="command", detail="check"))
    await store.forget_user("console", "gone")
    raw = sqlite3.connect(store.path)
    for table in ("users", "cases", "processed_events", "handled_messages"):
        rows = raw.execute(f"SELECT COUNT(*) FROM {table} WHERE user_id='gone'").fetchone()[0]
        assert rows == 0, table
    assert raw.execute("SELECT COUNT(*) FROM case_log").fetchone()[0] == 2  # only the other user's
    assert raw.execute("SELECT COUNT(*) FROM nudges").fetchone()[0] == 1
    raw.close()


async def test_finished_events_keep_no_text(store: SQLiteStore) -> None:
    await store.accept_event("console", "e9", "u", {"text": "the client insulted me"})
    await store.finish_event("console", "e9")
    raw = sqlite3.connect(store.path)
    assert raw.execute("SELECT payload FROM processed_events").fetchone()[0] is None
    raw.close()


async def test_handled_messages_keep_the_first_record_unless_replaced(store: SQLiteStore) -> None:
    case = await store.create_case(platform="telegram", chat_id="7", thread_id=None, user_id="u", lang="en")
    first = HandledMessage(platform="telegram", chat_id="7", message_id="42", user_id="u", effect="followup",
                           case_id=case.id, nudge_id=3, detail="followup")
    await store.remember_message(first)
    await store.remember_message(HandledMessage(platform="telegram", chat_id="7", message_id="42", user_id="u",
                                                effect="command", detail="followup"))
    kept = await store.handled_message("telegram", "7", "42")
    assert kept is not None and (kept.effect, kept.nudge_id, kept.case_id) == ("followup", 3, case.id)
    await store.remember_message(HandledMessage(platform="telegram", chat_id="7", message_id="42", user_id="u",
                                                effect="answer", case_id=case.id, detail="listen",
                                                case_seen=case.updated_at), replace=True)
    replaced = await store.handled_message("telegram", "7", "42")
    assert replaced is not None and (replaced.effect, replaced.detail) == ("answer", "listen")
    assert replaced.case_seen == case.updated_at
    assert await store.handled_message("telegram", "8", "42") is None, "message ids are per chat"


async def test_move_nudge_only_while_pending(store: SQLiteStore) -> None:
    case = await store.create_case(platform="console", chat_id="c", thread_id=None, user_id="u", lang="en")
    now = utcnow()
    nudge = await store.add_nudge(case.id, "custom", now + timedelta(hours=2), "call back")
    assert await store.move_nudge(nudge.id, now + timedelta(hours=3), "call the client")
    moved = await store.get_nudge(nudge.id)
    assert moved is not None and moved.due_at == now + timedelta(hours=3) and moved.note == "call the client"
    await store.claim_due(now + timedelta(hours=4))
    assert not await store.move_nudge(nudge.id, now + timedelta(hours=5), None), "claimed: on its way"


# -- transaction() and the outbox: store-protocol tests (only the `store` fixture and the Store methods) --


def _row(conversation: str, n: int, user: str = "u", **extra: object) -> NewOutboxItem:
    return NewOutboxItem(platform="console", conversation=conversation, user_id=user, payload={"n": n},
                         **extra)  # type: ignore[arg-type]


async def test_transaction_commits_state_done_mark_and_outbox_together(store: SQLiteStore) -> None:
    await store.accept_event("console", "e1", "u", {"text": "hi"})
    async with store.transaction():
        case = await store.create_case(platform="console", chat_id="c", thread_id=None, user_id="u", lang="en")
        case.step = "listen"
        await store.save_case(case)
        await store.finish_event("console", "e1")
        rows = await store.add_outbox([_row("c1", 1, case_id=case.id, event_id="e1")])
        inside = await store.get_case(case.id)  # reads inside see the transaction's own writes
        assert inside is not None and inside.step == "listen"
    assert [r.status for r in rows] == ["pending"]
    assert await store.unfinished_events("console") == []
    assert await store.count_outbox("pending") == 1
    stored = await store.get_outbox(rows[0].id)
    assert stored is not None and stored.payload == {"n": 1} and stored.event_id == "e1"


async def test_transaction_rolls_everything_back_on_an_error(store: SQLiteStore) -> None:
    await store.accept_event("console", "e1", "u", {"text": "hi"})
    await store.save_user(User(platform="console", user_id="u", lang="en", tz="UTC"))
    with pytest.raises(RuntimeError):
        async with store.transaction():
            await store.save_user(User(platform="console", user_id="u", lang="ru", tz="UTC"))
            await store.create_case(platform="console", chat_id="c", thread_id=None, user_id="u", lang="en")
            await store.finish_event("console", "e1")
            await store.add_outbox([_row("c1", 1)])
            raise RuntimeError("handler bug")
    assert await store.open_cases("console", "u") == []
    assert [e.event_id for e in await store.unfinished_events("console")] == ["e1"]
    assert await store.count_outbox("pending") == 0
    user = await store.get_user("console", "u")
    assert user is not None and user.lang == "en", "a cached copy saved inside a rolled-back block is dropped"


async def test_nested_transactions_join_the_outer_one(store: SQLiteStore) -> None:
    with pytest.raises(RuntimeError):
        async with store.transaction():
            async with store.transaction():
                await store.add_outbox([_row("c1", 1)])
            assert await store.count_outbox("pending") == 1  # not committed yet, but visible inside
            raise RuntimeError("outer fails")
    assert await store.count_outbox("pending") == 0


async def test_other_tasks_wait_for_an_open_transaction(store: SQLiteStore) -> None:
    """A concurrent task's write neither joins the open transaction nor is lost when it rolls back."""
    started = asyncio.Event()

    async def failing() -> None:
        async with store.transaction():
            await store.add_outbox([_row("c1", 1)])
            started.set()
            await asyncio.sleep(0.05)
            raise RuntimeError("rolled back")

    async def other() -> None:
        await started.wait()
        await store.add_outbox([_row("c2", 2)])

    results = await asyncio.gather(failing(), other(), return_exceptions=True)
    assert isinstance(results[0], RuntimeError) and results[1] is None
    assert await store.count_outbox("pending") == 1
    claimed = await store.claim_outbox(utcnow(), owner="i1")
    assert [r.conversation for r in claimed] == ["c2"]


async def test_claim_outbox_takes_one_row_per_conversation_in_order(store: SQLiteStore) -> None:
    await store.add_outbox([_row("a", 1), _row("a", 2), _row("b", 3)])
    now = utcnow()
    first = await store.claim_outbox(now, owner="i1")
    assert [(r.conversation, r.payload["n"], r.status, r.claimed_by) for r in first] == [
        ("a", 1, "claimed", "i1"), ("b", 3, "claimed", "i1")]
    assert await store.claim_outbox(now, owner="i1") == [], "a's second row waits for its first"
    assert await store.mark_outbox_sent([first[0].id], now) == {first[0].id}
    second = await store.claim_outbox(now, owner="i1")
    assert [r.payload["n"] for r in second] == [2]
    sent = await store.get_outbox(first[0].id)
    assert sent is not None and sent.status == "sent" and sent.payload == {}, "a sent row keeps no words"


async def test_claim_outbox_is_atomic_under_concurrency(store: SQLiteStore) -> None:
    await store.add_outbox([_row(f"c{i}", i) for i in range(60)])
    batches = await asyncio.gather(*(store.claim_outbox(utcnow(), owner=f"i{k}", limit=7) for k in range(12)))
    ids = [r.id for batch in batches for r in batch]
    assert len(ids) == 60 and len(set(ids)) == 60


async def test_claim_outbox_respects_not_before_and_platform(store: SQLiteStore) -> None:
    now = utcnow()
    await store.add_outbox([_row("a", 1, not_before=now + timedelta(seconds=30)),
                            NewOutboxItem(platform="slack", conversation="s", user_id="U1", payload={}, not_before=now)])
    assert await store.claim_outbox(now, owner="i1", platform=["telegram"]) == []
    assert [r.platform for r in await store.claim_outbox(now, owner="i1", platform="slack")] == ["slack"]
    assert await store.claim_outbox(now, owner="i1") == []
    assert await store.next_outbox_at() == now + timedelta(seconds=30)
    assert [r.payload["n"] for r in await store.claim_outbox(now + timedelta(seconds=31), owner="i1")] == [1]


async def test_add_outbox_with_owner_claims_only_the_head_of_its_conversation(store: SQLiteStore) -> None:
    before = await store.add_outbox([_row("busy", 0)])
    rows = await store.add_outbox([_row("free", 1), _row("busy", 2)], owner="me")
    assert [(r.status, r.claimed_by, r.attempts) for r in rows] == [("claimed", "me", 1), ("pending", None, 0)]
    claimed = await store.claim_outbox(utcnow(), owner="other")
    assert [r.id for r in claimed] == [before[0].id], "the older row of 'busy' goes first"


async def test_release_retries_later_or_fails_for_good(store: SQLiteStore) -> None:
    now = utcnow()
    rows = await store.add_outbox([_row("a", 1), _row("b", 2)], owner="me")
    await store.release_outbox(rows[0].id, error="timeout", retry_at=now + timedelta(seconds=10))
    await store.release_outbox(rows[1].id, error="x" * 900, retry_at=None)
    first, second = await store.get_outbox(rows[0].id), await store.get_outbox(rows[1].id)
    assert first is not None and (first.status, first.last_error, first.claimed_by) == ("pending", "timeout", None)
    assert second is not None and second.status == "failed" and second.last_error == "x" * 500
    assert await store.claim_outbox(now, owner="me") == []
    again = await store.claim_outbox(now + timedelta(seconds=10), owner="me")
    assert [(r.id, r.attempts) for r in again] == [(rows[0].id, 2)]
    assert await store.count_outbox("failed") == 1


async def test_stale_outbox_claims_come_back_maybe_sent(store: SQLiteStore) -> None:
    rows = await store.add_outbox([_row("a", 1)], owner="dead")
    assert await store.reclaim_stale_outbox(rows[0].claimed_at - timedelta(seconds=1)) == 0  # type: ignore[operator]
    assert await store.reclaim_stale_outbox(utcnow() + timedelta(seconds=1)) == 1
    back = await store.claim_outbox(utcnow(), owner="alive")
    assert [(r.id, r.maybe_sent, r.claimed_by) for r in back] == [(rows[0].id, True, "alive")]
    assert await store.mark_outbox_sent([rows[0].id], utcnow()) == {rows[0].id}
    assert await store.mark_outbox_sent([rows[0].id], utcnow()) == set(), "only a claimed row is marked"


async def test_outbox_row_of_a_nudge_marks_it_sent_and_keeps_it_from_reclaim(store: SQLiteStore) -> None:
    case = await store.create_case(platform="console", chat_id="c", thread_id=None, user_id="u", lang="en")
    now = utcnow()
    nudge = await store.add_nudge(case.id, "deliver", now)
    [claimed] = await store.claim_due(now, owner="i1")
    assert claimed.id == nudge.id
    rows = await store.add_outbox([_row("c", 1, case_id=case.id, nudge_id=nudge.id)], owner="i1")
    # the process dies here: the nudge's claim is stale, but its row will deliver it, so it stays claimed
    assert await store.reclaim_stale(now + timedelta(hours=1)) == 0
    await store.reclaim_stale_outbox(now + timedelta(hours=1))
    [again] = await store.claim_outbox(now + timedelta(hours=1), owner="i2")
    await store.mark_outbox_sent([again.id], now)
    sent = await store.get_nudge(nudge.id)
    assert sent is not None and sent.status == "sent"
    assert [e.kind for e in await store.case_log(case.id)][-1] == "nudge-sent"
    assert rows[0].id == again.id


async def test_forget_deletes_the_users_outbox_rows(store: SQLiteStore) -> None:
    await store.add_outbox([_row("a", 1, user="gone"), _row("b", 2, user="stays")])
    await store.forget_user("console", "gone")
    assert [r.user_id for r in await store.claim_outbox(utcnow(), owner="i")] == ["stays"]
