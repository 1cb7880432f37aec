"""The SQLite store: migrations, durability, permissions, atomic claims, forgetting."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from bot.store import SQLiteStore, StoreError, User, utcnow
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
    await store.forget_user("console", "gone")
    raw = sqlite3.connect(store.path)
    for table in ("users", "cases", "processed_events"):
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
