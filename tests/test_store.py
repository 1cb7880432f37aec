"""The store: migrations, durability, permissions, atomic claims, forgetting.

Every test taking ``store`` or ``db_url`` runs against SQLite and against a real PostgreSQL server
(`tests.pg_server`), the same test for both; the file-specific ones (modes, PRAGMA) are SQLite's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import stat
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast

import pytest

from bot.app import build_core, build_scheduler
from bot.outbox import Delivery, Outbox
from bot.settings import SettingsError, load_settings
from bot.store import HandledMessage, NewOutboxItem, SQLiteStore, Store, StoreError, User, open_store, utcnow
from bot.store.migrations import MIGRATIONS, SCHEMA_VERSION
from bot.store.models import to_db
from tests.support import CountingStore


def url(path: Path) -> str:
    return "sqlite:///" + str(path)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each backend."""
    if request.param == "sqlite":
        return url(tmp_path / "store.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    s = await open_store(db_url)
    yield s
    await s.close()


async def count_rows(db_url: str, sql: str) -> int:
    """One ``SELECT COUNT(*) ...`` (or any single value) straight from the database, past the store."""
    if db_url.startswith("sqlite:///"):
        raw = sqlite3.connect(db_url[len("sqlite:///"):])
        try:
            return int(raw.execute(sql).fetchone()[0])
        finally:
            raw.close()
    import asyncpg

    conn = await asyncpg.connect(db_url)
    try:
        return int(await conn.fetchval(sql))
    finally:
        await conn.close()


async def test_empty_database_migrates_to_current_schema(db_url: str) -> None:
    store = await open_store(db_url)
    assert await store.schema_version() == SCHEMA_VERSION
    await store.close()
    store = await open_store(db_url)  # a second open finds nothing to do
    assert await store.schema_version() == SCHEMA_VERSION
    await store.close()


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


async def test_reopening_keeps_everything(db_url: str) -> None:
    store = await open_store(db_url)
    await store.save_user(User(platform="console", user_id="u", lang="ru", tz="Europe/Moscow"))
    case = await store.create_case(platform="console", chat_id="c", thread_id=None, user_id="u", lang="ru",
                                   situation="late-payment", step="listen")
    case.answers["complaint"] = "не платит третий месяц"
    await store.save_case(case, log=("answer", {"step": "listen"}))
    due = utcnow() + timedelta(hours=2)
    await store.add_nudge(case.id, "deliver", due)
    assert await store.accept_event("console", "e1", "u", {"text": "hi"})
    await store.close()

    store = await open_store(db_url)
    again = await store.get_case(case.id)
    assert again is not None and again.answers["complaint"] == "не платит третий месяц"
    assert again.step == "listen"
    assert [e.kind for e in await store.case_log(case.id)] == ["opened", "answer", "nudge-scheduled"]
    nudge = await store.next_nudge(case.id)
    assert nudge is not None and abs((nudge.due_at - due).total_seconds()) < 0.001
    assert [e.event_id for e in await store.unfinished_events("console")] == ["e1"]
    assert not await store.accept_event("console", "e1", "u", {"text": "hi"})
    await store.close()


async def test_claims_are_atomic_under_concurrency(store: Store) -> None:
    case = await store.create_case(platform="console", chat_id="c", thread_id=None, user_id="u", lang="en")
    now = utcnow()
    for i in range(50):
        await store.add_nudge(case.id, "custom", now - timedelta(seconds=i))
    batches = await asyncio.gather(*(store.claim_due(now, limit=7) for _ in range(10)))
    ids = [n.id for batch in batches for n in batch]
    assert len(ids) == 50 and len(set(ids)) == 50


async def test_closing_a_case_cancels_its_nudges(store: Store) -> None:
    case = await store.create_case(platform="console", chat_id="c", thread_id=None, user_id="u", lang="en")
    await store.add_nudge(case.id, "deliver", utcnow() + timedelta(hours=1))
    case.status, case.outcome = "closed", "resolved"
    await store.save_case(case, log=("closed", {"outcome": "resolved"}))
    assert await store.count_nudges("pending") == 0
    assert await store.count_nudges("cancelled") == 1


async def test_forget_leaves_no_row_of_the_user(store: Store, db_url: str) -> None:
    await store.save_user(User(platform="console", user_id="gone", lang="en", tz="UTC"))
    await store.save_user(User(platform="console", user_id="stays", lang="en", tz="UTC"))
    for user in ("gone", "stays"):
        case = await store.create_case(platform="console", chat_id="c", thread_id=None, user_id=user, lang="en")
        await store.add_nudge(case.id, "deliver", utcnow())
        await store.accept_event("console", f"ev-{user}", user, {"text": "secret words"})
        await store.remember_message(HandledMessage(platform="console", chat_id="c", message_id=f"m-{user}",
                                                    user_id=user, effect="command", detail="check"))
    await store.forget_user("console", "gone")
    for table in ("users", "cases", "processed_events", "handled_messages"):
        rows = await count_rows(db_url, f"SELECT COUNT(*) FROM {table} WHERE user_id='gone'")
        assert rows == 0, table
    assert await count_rows(db_url, "SELECT COUNT(*) FROM case_log") == 2  # only the other user's
    assert await count_rows(db_url, "SELECT COUNT(*) FROM nudges") == 1


async def test_finished_events_keep_no_text(store: Store, db_url: str) -> None:
    await store.accept_event("console", "e9", "u", {"text": "the client insulted me"})
    await store.finish_event("console", "e9")
    assert await count_rows(db_url, "SELECT COUNT(*) FROM processed_events WHERE payload IS NOT NULL") == 0
    assert await count_rows(db_url, "SELECT COUNT(*) FROM processed_events") == 1


async def test_handled_messages_keep_the_first_record_unless_replaced(store: Store) -> None:
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


async def test_move_nudge_only_while_pending(store: Store) -> None:
    case = await store.create_case(platform="console", chat_id="c", thread_id=None, user_id="u", lang="en")
    now = utcnow()
    nudge = await store.add_nudge(case.id, "custom", now + timedelta(hours=2), "call back")
    assert await store.move_nudge(nudge.id, now + timedelta(hours=3), "call the client")
    moved = await store.get_nudge(nudge.id)
    assert moved is not None and moved.due_at == now + timedelta(hours=3) and moved.note == "call the client"
    await store.claim_due(now + timedelta(hours=4))
    assert not await store.move_nudge(nudge.id, now + timedelta(hours=5), None), "claimed: on its way"


async def test_every_nudge_transition(store: Store) -> None:
    """The scheduler's and handlers' nudge calls, one after another, on each backend."""
    case = await store.create_case(platform="slack", chat_id="C1", thread_id="1.2", user_id="U1", lang="ro",
                                   situation="late-payment", answers={"x": "ț"})
    now = utcnow()
    assert await store.next_due_at() is None
    first = await store.add_nudge(case.id, "deliver", now - timedelta(minutes=5), "note")
    second = await store.add_nudge(case.id, "review", now - timedelta(minutes=1))
    later = await store.add_nudge(case.id, "custom", now + timedelta(hours=1))
    assert await store.next_due_at() == first.due_at
    assert [n.id for n in await store.nudges_for_case(case.id)] == [first.id, second.id, later.id]
    claimed = await store.claim_due(now)
    assert [n.id for n in claimed] == [first.id, second.id]
    assert all(n.status == "claimed" and n.attempts == 1 and n.claimed_at == now for n in claimed)
    assert await store.count_nudges("claimed") == 2
    assert await store.mark_sent_many([first.id, later.id], now) == {first.id}
    assert not await store.mark_sent(first.id, now), "already sent"
    await store.release(second.id, error="x" * 600, retry_at=now + timedelta(seconds=30))
    retried = await store.get_nudge(second.id)
    assert retried is not None and retried.status == "pending" and retried.last_error == "x" * 500
    assert retried.due_at == now + timedelta(seconds=30)
    again = await store.claim_due(now + timedelta(seconds=31))
    assert [n.id for n in again] == [second.id] and again[0].attempts == 2
    assert await store.defer_nudge(second.id, now + timedelta(hours=8), reason="quiet hours")
    deferred = await store.get_nudge(second.id)
    assert deferred is not None and deferred.attempts == 1 and deferred.claimed_at is None
    assert await store.claim_due(now + timedelta(hours=9)) != []
    await store.release(second.id, error="gone", retry_at=None)
    failed = await store.get_nudge(second.id)
    assert failed is not None and failed.status == "failed"
    assert (await store.next_nudge(case.id)) == failed, "a failed nudge is shown first"
    assert await store.set_nudge(first.id, status="answered", only_from=("sent",))
    assert not await store.set_nudge(first.id, status="answered", only_from=("sent",)), "one press wins"
    assert await store.set_nudge(later.id, status="pending", due_at=now + timedelta(days=1))
    kinds = [e.kind for e in await store.case_log(case.id)]
    assert kinds.count("nudge-sent") == 1 and "nudge-retry" in kinds and "nudge-failed" in kinds
    assert "nudge-deferred" in kinds
    log = {e.kind: e.data for e in await store.case_log(case.id)}
    assert log["nudge-sent"] == {"nudge": first.id, "kind": "deliver"}
    assert log["nudge-failed"] == {"nudge": second.id, "error": "gone"}
    assert await store.cancel_case_nudges(case.id) == 1
    assert await store.cancel_user_nudges("slack", "U1") == 0


async def test_stale_claims_are_taken_back(store: Store) -> None:
    case = await store.create_case(platform="console", chat_id="c", thread_id=None, user_id="u", lang="en")
    now = utcnow()
    nudge = await store.add_nudge(case.id, "custom", now - timedelta(minutes=10))
    await store.claim_due(now - timedelta(minutes=5))
    assert await store.reclaim_stale(now - timedelta(minutes=6)) == 0, "not stale yet"
    assert await store.reclaim_stale(now) == 1
    back = await store.get_nudge(nudge.id)
    assert back is not None and back.status == "pending"


async def test_cases_users_and_lookups(store: Store) -> None:
    await store.save_user(User(platform="telegram", user_id="7", lang="ru", tz="Europe/Moscow",
                               quiet_start="22:00", quiet_end="07:00"))
    user = await store.get_user("telegram", "7")
    assert user is not None and (user.lang, user.quiet_start) == ("ru", "22:00")
    user.lang, user.blocked, user.paused_until = "ro", True, utcnow() + timedelta(days=1)
    await store.save_user(user)
    assert await store.get_user("telegram", "7") == user
    found = await store.get_users([("telegram", "7"), ("telegram", "8")])
    assert list(found) == [("telegram", "7")]
    in_chat = await store.create_case(platform="telegram", chat_id="7", thread_id=None, user_id="7", lang="ru")
    in_thread = await store.create_case(platform="telegram", chat_id="7", thread_id="t", user_id="7", lang="ru")
    assert (await store.find_open_case("telegram", "7", None, "7")) == in_chat
    assert (await store.find_open_case("telegram", "7", "t", "7")) == in_thread
    assert (await store.find_open_case_in_thread("telegram", "7", "t")) == in_thread
    assert [c.id for c in await store.open_cases("telegram", "7")] == [in_chat.id, in_thread.id]
    assert set(await store.get_cases([in_chat.id, in_thread.id, 999])) == {in_chat.id, in_thread.id}
    assert await store.set_case_step(in_chat.id, "cause", only_from=("start",))
    assert not await store.set_case_step(in_chat.id, "cause", only_from=("start",))
    stale = await store.get_case(in_thread.id)
    assert stale is not None
    in_thread.status = "closed"
    await store.save_case(in_thread, log=("closed", {"outcome": "«ok»"}))
    stale.step = "listen"
    await store.save_case(stale)
    closed = await store.get_case(in_thread.id)
    assert closed is not None and closed.status == "closed" and closed.step == "start", "closed stays closed"
    await store.log(in_thread.id, "note", {"n": 1})
    assert [e.kind for e in await store.case_log(in_thread.id)] == ["opened", "closed", "note"]
    assert await store.forget_user("telegram", "7") == 2
    assert await store.get_user("telegram", "7") is None


async def test_events_dedup_replay_and_prune(store: Store) -> None:
    assert await store.accept_event("slack", "Ev1", "U1", {"text": "a"})
    assert not await store.accept_event("slack", "Ev1", "U1", {"text": "a"})
    assert await store.accept_event("telegram", "Ev1", "7", {"text": "b"})
    assert [e.payload for e in await store.unfinished_events("slack")] == [{"text": "a"}]
    assert len(await store.unfinished_events()) == 2
    async with store.transaction():  # the done mark commits with the event's write
        await store.log((await store.create_case(platform="slack", chat_id="C", thread_id=None, user_id="U1",
                                                 lang="en")).id, "note")
        await store.finish_event("slack", "Ev1")
    assert [e.platform for e in await store.unfinished_events()] == ["telegram"]
    await store.finish_event("telegram", "Ev1")
    assert await store.prune_events(utcnow() + timedelta(seconds=1)) == 2
    assert await store.accept_event("slack", "Ev1", "U1", {}), "pruned ids are forgotten"


async def test_claims_across_two_instances_never_overlap(db_url: str) -> None:
    """Two stores (two processes' worth of connections) on one database claim concurrently."""
    first, second = await open_store(db_url), await open_store(db_url)
    try:
        case = await first.create_case(platform="console", chat_id="c", thread_id=None, user_id="u", lang="en")
        now = utcnow()
        for i in range(120):
            await first.add_nudge(case.id, "custom", now - timedelta(seconds=i))
        batches = await asyncio.gather(*(s.claim_due(now, limit=9) for _ in range(10) for s in (first, second)))
        ids = [n.id for batch in batches for n in batch]
        assert len(ids) == 120 and len(set(ids)) == 120
        assert await second.accept_event("slack", "E", "U", {})
        assert not await first.accept_event("slack", "E", "U", {}), "dedup is shared through the database"
    finally:
        await first.close()
        await second.close()


async def test_postgres_and_sqlite_have_the_same_migrations() -> None:
    from bot.store.pg_migrations import PG_MIGRATIONS

    assert len(PG_MIGRATIONS) == len(MIGRATIONS) == SCHEMA_VERSION


async def test_postgres_instances_starting_together_migrate_once(pg_url: str) -> None:
    stores = await asyncio.gather(*(open_store(pg_url) for _ in range(4)))
    try:
        assert [await s.schema_version() for s in stores] == [SCHEMA_VERSION] * 4
        assert await count_rows(pg_url, "SELECT COUNT(*) FROM schema_migrations") == SCHEMA_VERSION
    finally:
        for s in stores:
            await s.close()


async def test_postgres_previous_schema_upgrades_and_keeps_rows(pg_url: str) -> None:
    import asyncpg

    from bot.store.pg_migrations import PG_MIGRATIONS

    conn = await asyncpg.connect(pg_url)
    await conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ "
                       "NOT NULL DEFAULT now())")
    await conn.execute(PG_MIGRATIONS[0])
    await conn.execute("INSERT INTO schema_migrations (version) VALUES (1)")
    await conn.execute("INSERT INTO users (platform, user_id, lang, tz, created_at) "
                       "VALUES ('console','ana','ro','Europe/Chisinau', now())")
    await conn.close()
    store = await open_store(pg_url)
    try:
        assert await store.schema_version() == SCHEMA_VERSION
        user = await store.get_user("console", "ana")
        assert user is not None and user.tz == "Europe/Chisinau" and user.blocked is False
    finally:
        await store.close()


async def test_postgres_newer_schema_is_refused_clearly(pg_url: str) -> None:
    store = await open_store(pg_url)
    await store.close()
    import asyncpg

    conn = await asyncpg.connect(pg_url)
    await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", SCHEMA_VERSION + 5)
    await conn.close()
    with pytest.raises(StoreError, match="newer Parley"):
        await open_store(pg_url)


async def test_postgres_unreachable_server_gives_clear_error_without_password() -> None:
    with pytest.raises(StoreError, match="cannot connect") as caught:
        await open_store("postgresql://parley:s3cret@127.0.0.1:1/parley")
    assert "s3cret" not in str(caught.value)


async def test_a_named_lock_is_held_by_one_store_at_a_time(db_url: str) -> None:
    """`try_lock`: what only one instance may do (Telegram long polling); freed by unlock, close or death."""
    first, second = await open_store(db_url), await open_store(db_url)
    try:
        assert await first.try_lock("telegram-poll:abc")
        assert await first.try_lock("telegram-poll:abc"), "the holder asking again keeps it"
        assert not await second.try_lock("telegram-poll:abc")
        assert await second.try_lock("telegram-poll:other"), "names are independent"
        await first.unlock("telegram-poll:abc")
        assert await second.try_lock("telegram-poll:abc")
        assert not await first.try_lock("telegram-poll:abc")
        await second.close()
        assert await first.try_lock("telegram-poll:abc"), "closing (or dying) frees it"
    finally:
        await first.close()
        await second.close()


async def test_shared_holders_of_a_lock_coexist_and_keep_an_exclusive_one_out(db_url: str) -> None:
    """Webhook instances hold the Telegram lock shared; a long poller needs it alone."""
    first, second, third = await open_store(db_url), await open_store(db_url), await open_store(db_url)
    try:
        assert await first.try_lock("telegram-poll:abc", shared=True)
        assert await second.try_lock("telegram-poll:abc", shared=True)
        assert not await third.try_lock("telegram-poll:abc")
        await first.unlock("telegram-poll:abc")
        assert not await third.try_lock("telegram-poll:abc"), "one shared holder is enough to keep it out"
        await second.unlock("telegram-poll:abc")
        assert await third.try_lock("telegram-poll:abc")
        assert not await first.try_lock("telegram-poll:abc", shared=True)
    finally:
        for store in (first, second, third):
            await store.close()

# -- transaction() and the outbox: store-protocol tests (only the `store` fixture and the Store methods) --


def _row(conversation: str, n: int, user: str = "u", **extra: object) -> NewOutboxItem:
    return NewOutboxItem(platform="console", conversation=conversation, user_id=user, payload={"n": n},
                         **extra)  # type: ignore[arg-type]


async def test_transaction_commits_state_done_mark_and_outbox_together(store: Store) -> None:
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


async def test_transaction_rolls_everything_back_on_an_error(store: Store) -> None:
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


async def test_nested_transactions_join_the_outer_one(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.transaction():
            async with store.transaction():
                await store.add_outbox([_row("c1", 1)])
            assert await store.count_outbox("pending") == 1  # not committed yet, but visible inside
            raise RuntimeError("outer fails")
    assert await store.count_outbox("pending") == 0


async def test_other_tasks_wait_for_an_open_transaction(store: Store) -> None:
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


async def test_claim_outbox_takes_one_row_per_conversation_in_order(store: Store) -> None:
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


async def test_claim_outbox_is_atomic_under_concurrency(store: Store) -> None:
    await store.add_outbox([_row(f"c{i}", i) for i in range(60)])
    batches = await asyncio.gather(*(store.claim_outbox(utcnow(), owner=f"i{k}", limit=7) for k in range(12)))
    ids = [r.id for batch in batches for r in batch]
    assert len(ids) == 60 and len(set(ids)) == 60


async def test_claim_outbox_respects_not_before_and_platform(store: Store) -> None:
    now = utcnow()
    await store.add_outbox([_row("a", 1, not_before=now + timedelta(seconds=30)),
                            NewOutboxItem(platform="slack", conversation="s", user_id="U1", payload={}, not_before=now)])
    assert await store.claim_outbox(now, owner="i1", platform=["telegram"]) == []
    assert [r.platform for r in await store.claim_outbox(now, owner="i1", platform="slack")] == ["slack"]
    assert await store.claim_outbox(now, owner="i1") == []
    assert await store.next_outbox_at() == now + timedelta(seconds=30)
    assert [r.payload["n"] for r in await store.claim_outbox(now + timedelta(seconds=31), owner="i1")] == [1]


async def test_add_outbox_with_owner_claims_only_the_head_of_its_conversation(store: Store) -> None:
    before = await store.add_outbox([_row("busy", 0)])
    rows = await store.add_outbox([_row("free", 1), _row("busy", 2)], owner="me")
    assert [(r.status, r.claimed_by, r.attempts) for r in rows] == [("claimed", "me", 1), ("pending", None, 0)]
    claimed = await store.claim_outbox(utcnow(), owner="other")
    assert [r.id for r in claimed] == [before[0].id], "the older row of 'busy' goes first"


async def test_release_retries_later_or_fails_for_good(store: Store) -> None:
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


async def test_stale_outbox_claims_come_back_maybe_sent(store: Store) -> None:
    rows = await store.add_outbox([_row("a", 1)], owner="dead")
    assert await store.reclaim_stale_outbox(rows[0].claimed_at - timedelta(seconds=1)) == 0  # type: ignore[operator]
    assert await store.reclaim_stale_outbox(utcnow() + timedelta(seconds=1)) == 1
    back = await store.claim_outbox(utcnow(), owner="alive")
    assert [(r.id, r.maybe_sent, r.claimed_by) for r in back] == [(rows[0].id, True, "alive")]
    assert await store.mark_outbox_sent([rows[0].id], utcnow()) == {rows[0].id}
    assert await store.mark_outbox_sent([rows[0].id], utcnow()) == set(), "only a claimed row is marked"


async def test_outbox_row_of_a_nudge_marks_it_sent_and_keeps_it_from_reclaim(store: Store) -> None:
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


async def test_forget_deletes_the_users_outbox_rows(store: Store) -> None:
    await store.add_outbox([_row("a", 1, user="gone"), _row("b", 2, user="stays")])
    await store.forget_user("console", "gone")
    assert [r.user_id for r in await store.claim_outbox(utcnow(), owner="i")] == ["stays"]


# -- the outbox loop's sleep: a conversation blocked behind a dead instance's claim ---------------


async def test_next_outbox_at_counts_a_blocked_conversation_from_its_claims_expiry(store: Store) -> None:
    """A row waiting behind its conversation's claimed head cannot be claimed before that claim is taken
    back, so its own due time is no reason to wake; rows of other platforms are none either."""
    [head] = await store.add_outbox([_row("blocked", 1)], owner="dead")
    await store.add_outbox([_row("blocked", 2)])  # due now, but behind the head
    assert head.claimed_at is not None
    assert await store.next_outbox_at() is None, "without a claim timeout a claimed conversation never is due"
    assert await store.next_outbox_at(stale_after=120) == head.claimed_at + timedelta(seconds=120)
    later = utcnow() + timedelta(seconds=30)
    await store.add_outbox([_row("free", 3, not_before=later)])
    assert await store.next_outbox_at(stale_after=120) == later
    assert await store.next_outbox_at(stale_after=120, platform=["slack"]) is None
    await store.add_outbox([NewOutboxItem(platform="slack", conversation="s", user_id="U1", payload={},
                                          not_before=later + timedelta(seconds=5))])
    assert await store.next_outbox_at(stale_after=120, platform="slack") == later + timedelta(seconds=5)


class _Recorder:
    def __init__(self) -> None:
        self.delivered: list[int] = []
        self.second = asyncio.Event()

    async def deliver(self, delivery: Delivery) -> None:
        self.delivered.append(delivery.outbox_id)
        if len(self.delivered) >= 2:
            self.second.set()


async def _repeat_note(platform: str, user_id: str) -> str:
    return "again"


async def test_the_outbox_loop_does_not_poll_behind_a_dead_instances_claim(store: Store) -> None:
    """Before the fix every live loop asked the database every 5 ms until the claim timed out."""
    await store.add_outbox([_row("blocked", 1)], owner="dead")
    await store.add_outbox([_row("blocked", 2)])
    counting = CountingStore(store)
    outbox = Outbox(cast(Store, counting), {"console": _Recorder()}, owner="live", clock=utcnow,
                    repeat_note=_repeat_note, stale_after=120)
    await outbox.recover(takeover=False)
    counting.calls.clear()
    await outbox.start()
    await asyncio.sleep(1.0)
    await outbox.stop()
    print(f"\nstore calls of the outbox loop in 1 s behind a dead claim: {len(counting.calls)} {counting.calls}")
    assert len(counting.calls) <= 4


async def test_a_row_behind_this_instances_claim_goes_as_soon_as_the_head_is_sent(store: Store) -> None:
    recorder = _Recorder()
    outbox = Outbox(store, {"console": recorder}, owner="live", clock=utcnow, repeat_note=_repeat_note,
                    stale_after=120)
    [head] = await store.add_outbox([_row("c", 1)], owner="live")
    behind = await store.add_outbox([_row("c", 2)], owner="live")
    assert behind[0].status == "pending"
    await outbox.start()
    await outbox.deliver_claimed(behind)  # not ours to send yet: the loop is told
    await asyncio.sleep(0.1)
    started = asyncio.get_running_loop().time()
    await outbox.deliver(head)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(recorder.second.wait(), 3)
    waited = asyncio.get_running_loop().time() - started
    await outbox.stop()
    assert recorder.delivered == [head.id, behind[0].id]
    assert waited < 0.5, f"the row behind waited {waited:.2f} s for the loop's next round"


# -- retention: the sweep of old rows --------------------------------------------------------------


async def test_prune_deletes_old_sent_rows_done_events_and_handled_messages_in_batches(store: Store,
                                                                                     db_url: str) -> None:
    """Only what is finished and older than the cut goes; what is waiting, unfinished or recent stays."""
    now = utcnow()
    old, recent = now - timedelta(days=40), now - timedelta(days=1)
    cut = now - timedelta(days=30)
    rows = await store.add_outbox([_row(f"c{i}", i) for i in range(5)], owner="i")
    await store.mark_outbox_sent([r.id for r in rows[:3]], old)
    await store.mark_outbox_sent([rows[3].id], recent)  # rows[4] stays claimed: never pruned
    for i in range(4):
        assert await store.accept_event("telegram", f"e{i}", "7", {})
    for i in range(3):
        await store.finish_event("telegram", f"e{i}")  # e3 is unfinished: kept for replay, whatever its age
    for i in range(3):
        await store.remember_message(HandledMessage(platform="telegram", chat_id="7", message_id=str(i),
                                                    user_id="7", effect="answer", at=old if i < 2 else recent))
    # received_at is the store's own clock: age the events by hand, past the store
    await _age_events(db_url, old)

    assert await store.prune(cut, batch=2) == 2 + 2 + 2, "one batch of each table per call"
    assert await store.prune(cut, batch=2) == 1 + 1 + 0
    assert await store.prune(cut, batch=2) == 0
    assert await count_rows(db_url, "SELECT COUNT(*) FROM outbox") == 2
    assert (await store.get_outbox(rows[3].id), await store.get_outbox(rows[4].id)) != (None, None)
    assert [e.event_id for e in await store.unfinished_events()] == ["e3"]
    assert not await store.accept_event("telegram", "e3", "7", {}), "an unfinished event still deduplicates"
    assert await store.accept_event("telegram", "e0", "7", {}), "a pruned event id is forgotten"
    assert await store.handled_message("telegram", "7", "2") is not None
    assert await store.handled_message("telegram", "7", "0") is None


async def _age_events(db_url: str, at: datetime) -> None:
    if db_url.startswith("sqlite:///"):
        raw = sqlite3.connect(db_url[len("sqlite:///"):])
        with raw:
            raw.execute("UPDATE processed_events SET received_at=?", (to_db(at),))
        raw.close()
        return
    import asyncpg

    conn = await asyncpg.connect(db_url)
    try:
        await conn.execute("UPDATE processed_events SET received_at=$1", at)
    finally:
        await conn.close()


async def test_the_outbox_loop_sweeps_rows_past_the_retention(store: Store) -> None:
    """`parley run`'s outbox loop prunes at its first round and then every ``prune_every`` seconds,
    batch after batch until nothing is left (``PARLEY_RETENTION_DAYS``, `bot.app.build_scheduler`)."""
    rows = await store.add_outbox([_row(f"c{i}", i) for i in range(5)], owner="i")
    await store.mark_outbox_sent([r.id for r in rows], utcnow() - timedelta(days=31))
    outbox = Outbox(store, {"console": _Recorder()}, owner="live", clock=utcnow, repeat_note=_repeat_note,
                    retention=timedelta(days=30), prune_batch=2)
    await outbox.start()
    await asyncio.sleep(0.3)
    await outbox.stop()
    assert await store.count_outbox("sent") == 0


async def test_retention_days_is_a_setting_of_at_least_a_day(store: Store) -> None:
    assert load_settings().retention_days == 30
    with pytest.raises(SettingsError, match="PARLEY_RETENTION_DAYS"):
        load_settings(retention_days=0)
    core = build_core(store, load_settings(retention_days=7))
    build_scheduler(core, load_settings(retention_days=7))
    assert core.outbox.retention == timedelta(days=7)


async def test_the_event_loop_keeps_running_while_a_sqlite_write_waits_for_another_connections_lock(
    tmp_path: Path,
) -> None:
    """A second connection (another process writing the same file) holds SQLite's write lock for a
    second: the store's write and transaction wait for it (up to busy_timeout) on the store's own
    thread, so a task ticking every 10 ms keeps ticking meanwhile."""
    import threading
    import time

    s = await open_store(url(tmp_path / "store.db"))
    locked, release = threading.Event(), threading.Event()

    def hold_the_write_lock() -> None:
        other = sqlite3.connect(str(tmp_path / "store.db"), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        locked.set()
        release.wait(1.0)
        other.execute("COMMIT")
        other.close()

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    await asyncio.to_thread(locked.wait)
    gaps: list[float] = []
    stop = asyncio.Event()

    async def tick() -> None:
        last = time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    try:
        started = time.monotonic()
        await s.save_user(User(platform="console", user_id="u", lang="en", tz="UTC"))
        async with s.transaction():
            await s.save_user(User(platform="console", user_id="v", lang="ro", tz="UTC"))
        waited = time.monotonic() - started
    finally:
        stop.set()
        await ticker
        release.set()
        await asyncio.to_thread(holder.join)
        await s.close()
    assert waited > 0.5  # the write really waited for the other connection's lock
    assert len(gaps) > 40, gaps
    assert max(gaps) < 0.1, f"the event loop stalled {max(gaps) * 1000:.0f} ms"
    assert await count_rows(url(tmp_path / "store.db"), "SELECT COUNT(*) FROM users") == 2


# -- claims on events: an event accepted by one instance is not replayed by another while it lives -------


async def test_an_accepted_event_is_claimed_and_replayed_only_once_its_claim_is_stale(store: Store) -> None:
    assert await store.accept_event("slack", "Ev1", "U1", {"text": "a"}, owner="A")
    now = utcnow()
    assert await store.claim_events(owner="B", claimed_before=now - timedelta(seconds=120)) == [], \
        "A's claim is live: B must not take the event"
    taken = await store.claim_events(owner="B", claimed_before=now + timedelta(seconds=1), platform="slack")
    assert [(e.platform, e.event_id, e.payload) for e in taken] == [("slack", "Ev1", {"text": "a"})]
    assert await store.claim_events(owner="C", claimed_before=now) == [], "B's claim is fresh: made after the cut"
    assert not await store.finish_event("slack", "Ev1", owner="A"), "A lost the claim: its done mark is refused"
    assert [e.event_id for e in await store.unfinished_events()] == ["Ev1"]
    assert await store.finish_event("slack", "Ev1", owner="B")
    assert await store.unfinished_events() == []
    assert await store.claim_events(owner="C", claimed_before=utcnow() + timedelta(seconds=1)) == []


async def test_claiming_events_skips_own_claims_other_platforms_and_keeps_order(store: Store) -> None:
    for i in range(3):
        assert await store.accept_event("telegram", f"e{i}", "7", {"n": i}, owner="dead")
    assert await store.accept_event("slack", "s1", "U1", {"n": 9}, owner="dead")
    assert await store.accept_event("telegram", "mine", "7", {"n": 5}, owner="me")
    later = utcnow() + timedelta(seconds=1)
    taken = await store.claim_events(owner="me", claimed_before=later, platform=["telegram"])
    assert [e.event_id for e in taken] == ["e0", "e1", "e2"], "oldest first, not this instance's own"
    assert [e.payload["n"] for e in taken] == [0, 1, 2]
    assert [e.event_id for e in await store.claim_events(owner="me", claimed_before=later, limit=5)] == ["s1"]


async def test_finishing_without_an_owner_and_an_unclaimed_event_still_work(store: Store) -> None:
    """Tools and tests accept and finish events without claims; an event without a claim may be finished by
    anyone and is claimable at once."""
    assert await store.accept_event("console", "e1", "ana", {})
    assert await store.finish_event("console", "e1")
    assert await store.accept_event("console", "e2", "ana", {})
    assert [e.event_id for e in await store.claim_events(owner="X", claimed_before=utcnow() - timedelta(hours=1))
            ] == [], "an unclaimed event still counts from its arrival"
    assert await store.finish_event("console", "e2", owner="X"), "nobody claimed it"
    assert await store.accept_event("console", "e3", "ana", {}, owner="X")
    assert await store.forget_user("console", "ana") >= 0
    assert await store.finish_event("console", "e3", owner="X"), "forgotten by the event itself: nothing to refuse"


async def test_two_instances_taking_over_events_at_once_never_share_one(db_url: str) -> None:
    first, second = await open_store(db_url), await open_store(db_url)
    try:
        for i in range(60):
            assert await first.accept_event("slack", f"E{i}", "U", {"i": i}, owner="dead")
        cut = utcnow()  # the dead instance's claims are older; the takers' own claims are not
        batches = await asyncio.gather(*(s.claim_events(owner=name, claimed_before=cut, limit=7)
                                         for _ in range(6) for s, name in ((first, "one"), (second, "two"))))
        ids = [e.event_id for batch in batches for e in batch]
        assert len(ids) == 60 and len(set(ids)) == 60
    finally:
        await first.close()
        await second.close()


async def test_a_takeover_racing_the_owner_s_transaction_lets_exactly_one_finish(db_url: str) -> None:
    """A slow owner whose claim expired: the instance that took the event over finishes it; the owner's
    transaction (its state changes and replies) is rolled back when its done mark is refused."""
    owner, other = await open_store(db_url), await open_store(db_url)
    try:
        assert await owner.accept_event("console", "e1", "ana", {}, owner="A")
        [taken] = await other.claim_events(owner="B", claimed_before=utcnow() + timedelta(seconds=1))
        with pytest.raises(RuntimeError):
            async with owner.transaction():
                await owner.log((await owner.create_case(platform="console", chat_id="c", thread_id=None,
                                                         user_id="ana", lang="en")).id, "note")
                if not await owner.finish_event("console", "e1", owner="A"):
                    raise RuntimeError("taken over")
        assert await count_rows(db_url, "SELECT COUNT(*) FROM cases") == 0, "the owner's writes rolled back"
        assert await other.finish_event(taken.platform, taken.event_id, owner="B")
        assert await other.unfinished_events() == []
    finally:
        await owner.close()
        await other.close()


async def test_migration_6_claims_events_left_pending_by_an_older_version(tmp_path: Path) -> None:
    """An event accepted before migration 6 has no owner: it counts as claimed when it arrived."""
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path)
    for sql in MIGRATIONS[:5]:
        raw.executescript(sql)
    raw.execute("PRAGMA user_version = 5")
    old = to_db(utcnow() - timedelta(minutes=10))
    raw.execute("INSERT INTO processed_events (platform, event_id, status, received_at, payload, user_id) "
                "VALUES ('console', 'old', 'pending', ?, '{}', 'ana')", (old,))
    raw.commit()
    raw.close()
    store = await open_store(url(path))
    try:
        assert await store.claim_events(owner="X", claimed_before=utcnow() - timedelta(minutes=11)) == []
        assert [e.event_id for e in await store.claim_events(owner="X", claimed_before=utcnow())] == ["old"]
    finally:
        await store.close()
