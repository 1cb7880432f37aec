"""The SQLite store: migrations, durability, permissions, atomic claims, forgetting."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from bot.store import HandledMessage, SQLiteStore, StoreError, User, utcnow
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
