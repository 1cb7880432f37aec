"""SQLite implementation of the store: one standard-library `sqlite3` connection, WAL, versioned migrations.

Small statements run on the event loop's thread (microseconds each: no thread hop, which aiosqlite pays
per statement and which was most of an event's cost). The connection has no busy wait (busy_timeout=0):
a statement that finds another connection's write lock (another process on the same file) fails at once
with "database is locked" and is then run again on the store's own thread (a one-worker
`ThreadPoolExecutor`) with busy_timeout=5 s, so the wait never stops the event loop and the hop is paid
only under contention. Statements that may touch many rows always run on that thread. One asyncio lock
serialises the connection: a `transaction` block holds it from BEGIN to COMMIT, a thread statement
holds it while it runs. docs/outbox.md ("Store speed") has the figures of this and the other designs;
COMMIT stays on the loop (in WAL it waits on no lock; a WAL checkpoint's fsync at COMMIT still does).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import json
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from bot.store.migrations import MIGRATIONS, SCHEMA_VERSION
from bot.store.models import (
    Case,
    HandledMessage,
    LogEntry,
    NewOutboxItem,
    Nudge,
    OutboxItem,
    PendingEvent,
    User,
    earliest_claimable,
    from_db,
    to_db,
    utcnow,
)

T = TypeVar("T")
_FINISH_SQL = "UPDATE processed_events SET status='done', payload=NULL WHERE platform=? AND event_id=?"
#: The done mark under a claim: refused (no row) once another instance took the event over.
_FINISH_CLAIMED_SQL = _FINISH_SQL + " AND (claimed_by IS NULL OR claimed_by=?)"
#: The store whose transaction the current task is inside (`SQLiteStore.transaction`), if any.
_in_transaction: ContextVar[SQLiteStore | None] = ContextVar("parley_sqlite_transaction", default=None)
_UNSENT = "('pending','claimed')"
#: Users kept in memory; past this the copy is dropped and refilled from the database as needed.
USER_CACHE_SIZE = 10_000


def _pending_event(row: sqlite3.Row) -> PendingEvent:
    return PendingEvent(platform=row["platform"], event_id=row["event_id"], payload=json.loads(row["payload"] or "{}"),
                        received_at=from_db(row["received_at"]) or utcnow())


class StoreError(Exception):
    """The database cannot be opened or used; the message is meant for a person."""


def path_from_url(url: str) -> str:
    """``sqlite:///relative.db``, ``sqlite:////abs/path.db`` or ``sqlite:///:memory:``."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise StoreError(f"unsupported database URL {url!r}: use sqlite:///PATH")
    path = url[len(prefix) :]
    if not path:
        raise StoreError("the database URL names no file: use sqlite:///PATH")
    return path


def _safe(name: str) -> str:
    """A lock name as a file-name part: letters, digits, ``-`` and ``_`` only."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def _flock(path: str, name: str, shared: bool) -> int | None:
    """The descriptor of ``PATH.NAME.lock`` under a flock (shared or exclusive), or None when another
    holder keeps it out."""
    fd = os.open(f"{os.path.expanduser(path)}.{_safe(name)}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _prepare_file(path: str) -> str:
    """Creates the folder and an owner-only file before SQLite touches it (WAL files inherit the mode)."""
    if path == ":memory:":
        return path
    target = Path(path).expanduser()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
    except OSError as exc:
        raise StoreError(f"cannot open the database at {target}: {exc.strerror or exc}") from None
    return str(target)


def _case(row: sqlite3.Row) -> Case:
    return Case(
        id=row["id"],
        platform=row["platform"],
        chat_id=row["chat_id"],
        thread_id=row["thread_id"],
        user_id=row["user_id"],
        situation=row["situation"],
        step=row["step"],
        answers=json.loads(row["answers"]),
        status=row["status"],
        outcome=row["outcome"],
        lang=row["lang"],
        created_at=from_db(row["created_at"]),  # type: ignore[arg-type]
        updated_at=from_db(row["updated_at"]),  # type: ignore[arg-type]
    )


def _nudge(row: sqlite3.Row) -> Nudge:
    return Nudge(
        id=row["id"],
        case_id=row["case_id"],
        kind=row["kind"],
        due_at=from_db(row["due_at"]),  # type: ignore[arg-type]
        status=row["status"],
        attempts=row["attempts"],
        note=row["note"],
        last_error=row["last_error"],
        claimed_at=from_db(row["claimed_at"]),
        sent_at=from_db(row["sent_at"]),
        created_at=from_db(row["created_at"]),  # type: ignore[arg-type]
    )


def _outbox(row: sqlite3.Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        platform=row["platform"],
        conversation=row["conversation"],
        user_id=row["user_id"],
        case_id=row["case_id"],
        nudge_id=row["nudge_id"],
        event_id=row["event_id"],
        payload=json.loads(row["payload"]),
        status=row["status"],
        attempts=row["attempts"],
        not_before=from_db(row["not_before"]),  # type: ignore[arg-type]
        claimed_by=row["claimed_by"],
        claimed_at=from_db(row["claimed_at"]),
        maybe_sent=bool(row["maybe_sent"]),
        sent_at=from_db(row["sent_at"]),
        last_error=row["last_error"],
        created_at=from_db(row["created_at"]),  # type: ignore[arg-type]
    )


def _user(row: sqlite3.Row) -> User:
    return User(
        platform=row["platform"],
        user_id=row["user_id"],
        lang=row["lang"],
        tz=row["tz"],
        quiet_start=row["quiet_start"],
        quiet_end=row["quiet_end"],
        paused_until=from_db(row["paused_until"]),
        blocked=bool(row["blocked"]),
        created_at=from_db(row["created_at"]),  # type: ignore[arg-type]
    )


class SQLiteStore:
    """The `Store` on one standard-library `sqlite3` connection; see the module docstring for the design."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self._users: dict[tuple[str, str], User] = {}
        self._held: dict[str, int] = {}  # named locks held (try_lock): name -> file descriptor
        # The store's own thread: statements that can wait on another connection's lock or a checkpoint.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parley-sqlite")
        self.path = path

    # -- life cycle -------------------------------------------------------------------------

    @classmethod
    async def open(cls, url: str) -> SQLiteStore:
        path = path_from_url(url)
        target = _prepare_file(path)
        try:
            conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the database at {path}: {exc}") from None
        conn.row_factory = sqlite3.Row
        store = cls(conn, path)
        try:
            await asyncio.to_thread(store._migrate)
        except sqlite3.Error as exc:
            conn.close()
            raise StoreError(f"cannot use the database at {path}: {exc}") from None
        except BaseException:
            conn.close()
            raise
        return store

    async def close(self) -> None:
        for name in list(self._held):
            await self.unlock(name)
        async with self._lock:
            self._conn.close()
        self._thread.shutdown(wait=False)

    def _migrate(self) -> None:
        """Runs at open, in a worker thread (a migration may rewrite a big table)."""
        db = self._conn
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=5000")
        row = db.execute("PRAGMA user_version").fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the database at {self.path} was written by a newer Parley (schema {version}, "
                f"this one knows {SCHEMA_VERSION})"
            )
        for number in range(version, SCHEMA_VERSION):
            db.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version={number + 1}")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        db.execute("PRAGMA busy_timeout=0")

    def trace_statements(self, callback: Callable[[str], None] | None) -> None:
        """Calls ``callback`` with the text of every statement this store's connection runs (None: stop).

        For tests and benchmarks that count round trips (`benchmarks/core_throughput.py`); the text
        carries the bound values, so never log it (it holds users' words).
        """
        self._conn.set_trace_callback(callback)

    async def schema_version(self) -> int:
        row = await self._one("PRAGMA user_version")
        return int(row[0]) if row else 0

    # -- plumbing ---------------------------------------------------------------------------

    def _joined(self) -> bool:
        """True inside this store's `transaction` (of the current task)."""
        return _in_transaction.get() is self

    @asynccontextmanager
    async def _transaction_block(self) -> AsyncIterator[None]:
        if self._joined():
            yield  # nested: the outer block commits
            return
        async with self._lock:
            try:
                await self._waiting(lambda: self._conn.execute("BEGIN IMMEDIATE"))
            except BaseException:
                if self._conn.in_transaction:  # cancelled after BEGIN went through
                    self._conn.execute("ROLLBACK")
                raise
            token = _in_transaction.set(self)
            try:
                yield
            except BaseException:
                _in_transaction.reset(token)
                self._users.clear()  # copies saved inside may not have been committed
                self._conn.execute("ROLLBACK")
                raise
            _in_transaction.reset(token)
            try:
                self._conn.execute("COMMIT")
            except BaseException:
                self._users.clear()
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """One transaction for every call of the current task inside the block (see `Store.transaction`).

        SQLite has one writer at a time and this store one connection, so the block holds the store's
        lock from BEGIN IMMEDIATE to COMMIT: other tasks' calls wait for it (they would otherwise run
        inside it, on the same connection). Store calls inside run without yielding to the event loop,
        so a block that awaits only the store never makes anyone wait.
        """
        return self._transaction_block()

    async def _off_loop(self, call: Callable[[], T]) -> T:
        """``call()`` on the store's own thread, the caller holding the lock. A cancelled caller still
        waits for the statement to end (shielded), so the connection is never used by two threads."""
        future = asyncio.get_running_loop().run_in_executor(self._thread, call)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            with contextlib.suppress(BaseException):
                await future
            raise

    def _patient(self, call: Callable[[], T]) -> T:
        """``call()`` with SQLite's busy wait (5 s) for another connection's lock; on the store's thread."""
        self._conn.execute("PRAGMA busy_timeout=5000")
        try:
            return call()
        finally:
            self._conn.execute("PRAGMA busy_timeout=0")

    async def _waiting(self, call: Callable[[], T]) -> T:
        """``call()`` on the loop; if another connection holds the lock (SQLITE_BUSY, nothing done), again
        on the store's thread, waiting up to 5 s there. Raises what the statement raises (a busy database
        past 5 s: `sqlite3.OperationalError`). The caller holds the lock."""
        try:
            return call()
        except sqlite3.OperationalError as exc:
            # the primary result code (the low byte; extended codes such as SQLITE_BUSY_SNAPSHOT carry it)
            if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise
        return await self._off_loop(lambda: self._patient(call))

    def _transact(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` as one transaction of its own; the caller holds the lock and is in no transaction (a
        ContextVar is not seen on the store's thread, so the caller decides that on the loop)."""
        raw = self._conn
        raw.execute("BEGIN IMMEDIATE")
        try:
            result = work(raw)
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        raw.execute("COMMIT")
        return result

    # Where a statement runs: on the event loop's own thread (microseconds; a hop to another thread and
    # back costs more, docs/outbox.md has the figures) unless it must wait for another connection's write
    # lock (`_waiting`) or may touch many rows (`_write_bulk`, `_all_bulk`: batches, counts, sweeps), which
    # run on the store's thread holding the lock. Inside an open transaction the write lock is held, so no
    # statement can wait on another writer.

    async def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Runs ``work`` as one transaction (joining the open `transaction` of this task, if any)."""
        if self._joined():
            return work(self._conn)
        async with self._lock:
            return await self._waiting(lambda: self._transact(work))

    async def _write_bulk(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`_write` for work that may touch many rows: on the store's thread, unless inside a transaction."""
        if self._joined():
            return work(self._conn)
        async with self._lock:
            return await self._off_loop(lambda: self._patient(lambda: self._transact(work)))

    async def _one(self, sql: str, args: Iterable[Any] = ()) -> sqlite3.Row | None:
        rows = await self._all(sql, args)
        return rows[0] if rows else None

    async def _all(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """One statement (a read, or a single-statement write with RETURNING) in autocommit mode."""
        values = tuple(args)
        if self._joined():
            return self._conn.execute(sql, values).fetchall()
        async with self._lock:
            return await self._waiting(lambda: self._conn.execute(sql, values).fetchall())

    async def _all_bulk(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """`_all` for a statement that may touch many rows: on the store's thread, unless inside a transaction."""
        values = tuple(args)
        if self._joined():
            return self._conn.execute(sql, values).fetchall()
        async with self._lock:
            return await self._off_loop(lambda: self._patient(lambda: self._conn.execute(sql, values).fetchall()))

    async def _run(self, sql: str, args: Iterable[Any] = ()) -> int:
        """One write statement; returns the rows it changed. Alone, it is its own (autocommit) transaction:
        one call instead of BEGIN, the statement and COMMIT."""
        values = tuple(args)
        if self._joined():
            return self._conn.execute(sql, values).rowcount
        async with self._lock:
            return await self._waiting(lambda: self._conn.execute(sql, values).rowcount)

    async def _run_bulk(self, sql: str, args: Iterable[Any] = ()) -> int:
        values = tuple(args)
        return await self._write_bulk(lambda db: db.execute(sql, values).rowcount)

    # -- users ------------------------------------------------------------------------------

    async def get_user(self, platform: str, user_id: str) -> User | None:
        """Users are read on every event; this store is their only writer, so a copy is kept in memory."""
        key = (platform, user_id)
        if key in self._users:
            return dataclasses.replace(self._users[key])
        row = await self._one("SELECT * FROM users WHERE platform=? AND user_id=?", key)
        user = _user(row) if row else None
        if user is not None:
            self._users[key] = dataclasses.replace(user)
        return user

    async def save_user(self, user: User) -> None:
        await self._run(
            """INSERT INTO users (platform, user_id, lang, tz, quiet_start, quiet_end, paused_until, blocked,
                                  created_at)
               VALUES (?,?,?,?,?,?,?,?,?)
               ON CONFLICT (platform, user_id) DO UPDATE SET lang=excluded.lang, tz=excluded.tz,
                 quiet_start=excluded.quiet_start, quiet_end=excluded.quiet_end,
                 paused_until=excluded.paused_until, blocked=excluded.blocked""",
            (user.platform, user.user_id, user.lang, user.tz, user.quiet_start, user.quiet_end,
             to_db(user.paused_until), int(user.blocked), to_db(user.created_at)),
        )
        if len(self._users) >= USER_CACHE_SIZE:
            self._users.clear()
        self._users[(user.platform, user.user_id)] = dataclasses.replace(user)

    async def forget_user(self, platform: str, user_id: str) -> int:
        """Deletes every row about the user: cases (with their log and nudges), events, the user."""
        def work(db: sqlite3.Connection) -> int:
            removed = db.execute("DELETE FROM cases WHERE platform=? AND user_id=?", (platform, user_id)).rowcount
            db.execute("DELETE FROM processed_events WHERE platform=? AND user_id=?", (platform, user_id))
            db.execute("DELETE FROM handled_messages WHERE platform=? AND user_id=?", (platform, user_id))
            db.execute("DELETE FROM outbox WHERE platform=? AND user_id=?", (platform, user_id))
            db.execute("DELETE FROM users WHERE platform=? AND user_id=?", (platform, user_id))
            return removed

        self._users.pop((platform, user_id), None)
        return await self._write_bulk(work)

    # -- cases ------------------------------------------------------------------------------

    async def create_case(self, *, platform: str, chat_id: str, thread_id: str | None, user_id: str,
                          lang: str, situation: str | None = None, step: str = "start",
                          answers: dict[str, Any] | None = None) -> Case:
        now = to_db(utcnow())
        def work(db: sqlite3.Connection) -> sqlite3.Row:
            row = db.execute(
                """INSERT INTO cases (platform, chat_id, thread_id, user_id, situation, step, answers, lang,
                                      created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING *""",
                (platform, chat_id, thread_id, user_id, situation, step, json.dumps(answers or {}), lang, now,
                 now),
            ).fetchone()
            db.execute("INSERT INTO case_log (case_id, at, kind, data) VALUES (?,?,?,?)",
                       (row["id"], now, "opened", json.dumps({"situation": situation})))
            return row  # type: ignore[no-any-return]

        return _case(await self._write(work))

    async def get_case(self, case_id: int) -> Case | None:
        row = await self._one("SELECT * FROM cases WHERE id=?", (case_id,))
        return _case(row) if row else None

    async def find_open_case(self, platform: str, chat_id: str, thread_id: str | None, user_id: str) -> Case | None:
        row = await self._one(
            """SELECT * FROM cases WHERE platform=? AND chat_id=? AND thread_id IS ? AND user_id=? AND status='open'
               ORDER BY updated_at DESC LIMIT 1""",
            (platform, chat_id, thread_id, user_id),
        )
        return _case(row) if row else None

    async def find_open_case_in_thread(self, platform: str, chat_id: str, thread_id: str) -> Case | None:
        """The one active walkthrough of a thread, whoever owns it."""
        row = await self._one(
            """SELECT * FROM cases WHERE platform=? AND chat_id=? AND thread_id=? AND status='open'
               ORDER BY updated_at DESC LIMIT 1""",
            (platform, chat_id, thread_id),
        )
        return _case(row) if row else None

    async def open_cases(self, platform: str, user_id: str) -> list[Case]:
        rows = await self._all(
            "SELECT * FROM cases WHERE platform=? AND user_id=? AND status='open' ORDER BY created_at",
            (platform, user_id),
        )
        return [_case(r) for r in rows]

    async def save_case(self, case: Case, *, log: tuple[str, dict[str, Any]] | None = None) -> None:
        """Writes the case's step, answers and status, and its log line in the same transaction.

        A closed case stays closed: a copy read while it was open (the scheduler rendering a review
        nudge, an adapter anchoring a thread) must not bring it back when the user closed it meanwhile.
        """
        case.updated_at = utcnow()
        def work(db: sqlite3.Connection) -> None:
            changed = db.execute(
                """UPDATE cases SET thread_id=?, situation=?, step=?, answers=?, status=?, outcome=?, lang=?,
                   updated_at=? WHERE id=? AND (status='open' OR ?<>'open')""",
                (case.thread_id, case.situation, case.step, json.dumps(case.answers, ensure_ascii=False),
                 case.status, case.outcome, case.lang, to_db(case.updated_at), case.id, case.status),
            ).rowcount
            if not changed:
                return
            if log is not None:
                db.execute("INSERT INTO case_log (case_id, at, kind, data) VALUES (?,?,?,?)",
                           (case.id, to_db(case.updated_at), log[0], json.dumps(log[1], ensure_ascii=False)))
            if case.status != "open":
                db.execute("UPDATE nudges SET status='cancelled' WHERE case_id=? AND status IN ('pending','claimed')",
                           (case.id,))

        await self._write(work)

    # -- the paper trail --------------------------------------------------------------------

    async def log(self, case_id: int, kind: str, data: dict[str, Any] | None = None) -> None:
        await self._run("INSERT INTO case_log (case_id, at, kind, data) VALUES (?,?,?,?)",
                        (case_id, to_db(utcnow()), kind, json.dumps(data or {}, ensure_ascii=False)))

    async def case_log(self, case_id: int) -> list[LogEntry]:
        rows = await self._all("SELECT * FROM case_log WHERE case_id=? ORDER BY id", (case_id,))
        return [LogEntry(id=r["id"], case_id=r["case_id"], at=from_db(r["at"]), kind=r["kind"],  # type: ignore[arg-type]
                         data=json.loads(r["data"])) for r in rows]

    # -- nudges -----------------------------------------------------------------------------

    async def add_nudge(self, case_id: int, kind: str, due_at: datetime, note: str | None = None) -> Nudge:
        now = to_db(utcnow())
        def work(db: sqlite3.Connection) -> sqlite3.Row:
            row = db.execute(
                "INSERT INTO nudges (case_id, kind, due_at, note, created_at) VALUES (?,?,?,?,?) RETURNING *",
                (case_id, kind, to_db(due_at), note, now),
            ).fetchone()
            db.execute("INSERT INTO case_log (case_id, at, kind, data) VALUES (?,?,?,?)",
                       (case_id, now, "nudge-scheduled",
                        json.dumps({"nudge": row["id"], "kind": kind, "due": to_db(due_at)})))
            return row  # type: ignore[no-any-return]

        return _nudge(await self._write(work))

    async def get_nudge(self, nudge_id: int) -> Nudge | None:
        row = await self._one("SELECT * FROM nudges WHERE id=?", (nudge_id,))
        return _nudge(row) if row else None

    async def nudges_for_case(self, case_id: int) -> list[Nudge]:
        rows = await self._all("SELECT * FROM nudges WHERE case_id=? ORDER BY due_at, id", (case_id,))
        return [_nudge(r) for r in rows]

    async def next_nudge(self, case_id: int) -> Nudge | None:
        row = await self._one(
            """SELECT * FROM nudges WHERE case_id=? AND status IN ('pending','claimed','failed')
               ORDER BY status='failed' DESC, due_at LIMIT 1""",
            (case_id,),
        )
        return _nudge(row) if row else None

    async def claim_due(self, now: datetime, limit: int = 100, *, owner: str | None = None) -> list[Nudge]:
        """Atomically moves due pending nudges to 'claimed' and returns them; nobody else gets them."""
        rows = await self._all_bulk(
            """UPDATE nudges SET status='claimed', claimed_at=?, claimed_by=?, attempts=attempts+1
               WHERE id IN (SELECT id FROM nudges WHERE status='pending' AND due_at<=? ORDER BY due_at LIMIT ?)
               RETURNING *""",
            (to_db(now), owner, to_db(now), limit),
        )
        return sorted((_nudge(r) for r in rows), key=lambda n: n.due_at)

    async def reclaim_stale(self, claimed_before: datetime) -> int:
        """Claims left by a process that died are pending again (the send may or may not have happened)."""
        return await self._run_bulk(
            """UPDATE nudges SET status='pending', claimed_by=NULL WHERE status='claimed' AND claimed_at<?
                AND id NOT IN (SELECT nudge_id FROM outbox WHERE nudge_id IS NOT NULL
                               AND status IN ('pending','claimed','sent'))""",
            (to_db(claimed_before),)
        )

    async def mark_sent(self, nudge_id: int, at: datetime) -> bool:
        """Only a claimed nudge becomes sent: a nudge cancelled meanwhile stays cancelled."""
        def work(db: sqlite3.Connection) -> bool:
            changed = db.execute("UPDATE nudges SET status='sent', sent_at=? WHERE id=? AND status='claimed'",
                                 (to_db(at), nudge_id)).rowcount
            if changed:
                db.execute(
                    "INSERT INTO case_log (case_id, at, kind, data) SELECT case_id, ?, 'nudge-sent', "
                    "json_object('nudge', id, 'kind', kind) FROM nudges WHERE id=?", (to_db(at), nudge_id))
            return bool(changed)

        return await self._write(work)

    async def release(self, nudge_id: int, *, error: str, retry_at: datetime | None) -> None:
        """A failed send: back to pending at ``retry_at``, or 'failed' for good when it is None."""
        def work(db: sqlite3.Connection) -> None:
            if retry_at is None:
                changed = db.execute("UPDATE nudges SET status='failed', last_error=? WHERE id=? AND status='claimed'",
                                     (error[:500], nudge_id)).rowcount
                kind = "nudge-failed"
            else:
                changed = db.execute(
                    "UPDATE nudges SET status='pending', last_error=?, due_at=? WHERE id=? AND status='claimed'",
                    (error[:500], to_db(retry_at), nudge_id)).rowcount
                kind = "nudge-retry"
            if not changed:
                return  # cancelled or answered meanwhile: nothing happened to log
            db.execute(
                "INSERT INTO case_log (case_id, at, kind, data) SELECT case_id, ?, ?, json_object('nudge', id, "
                "'error', ?) FROM nudges WHERE id=?", (to_db(utcnow()), kind, error[:500], nudge_id))

        await self._write(work)

    async def defer_nudge(self, nudge_id: int, due_at: datetime, *, reason: str) -> bool:
        """A claimed nudge that may not go out yet (quiet hours, pause) is pending again at ``due_at``.

        Only a claimed row moves (a case closed meanwhile stays cancelled), and the claim's attempt is
        given back: waiting for the morning is not a failed delivery.
        """
        def work(db: sqlite3.Connection) -> bool:
            changed = db.execute(
                """UPDATE nudges SET status='pending', due_at=?, claimed_at=NULL, attempts=MAX(attempts-1, 0)
                   WHERE id=? AND status='claimed'""", (to_db(due_at), nudge_id)).rowcount
            if changed:
                db.execute(
                    "INSERT INTO case_log (case_id, at, kind, data) SELECT case_id, ?, 'nudge-deferred', "
                    "json_object('nudge', id, 'due', ?, 'reason', ?) FROM nudges WHERE id=?",
                    (to_db(utcnow()), to_db(due_at), reason, nudge_id))
            return bool(changed)

        return await self._write(work)

    async def mark_sent_many(self, nudge_ids: Sequence[int], at: datetime) -> set[int]:
        """`mark_sent` for many nudges in one transaction (the scheduler's group commit); returns those marked.

        A thousand separate commits take far longer than the sends themselves.
        """
        when = to_db(at)

        def work(db: sqlite3.Connection) -> set[int]:
            marked: set[int] = set()
            for start in range(0, len(nudge_ids), 500):
                chunk = list(nudge_ids[start:start + 500])
                rows = db.execute(
                    f"""UPDATE nudges SET status='sent', sent_at=? WHERE status='claimed'
                        AND id IN ({','.join('?' * len(chunk))}) RETURNING id, case_id, kind""",
                    (when, *chunk)).fetchall()
                db.executemany(
                    "INSERT INTO case_log (case_id, at, kind, data) VALUES (?, ?, 'nudge-sent', "
                    "json_object('nudge', ?, 'kind', ?))",
                    [(r["case_id"], when, r["id"], r["kind"]) for r in rows])
                marked.update(r["id"] for r in rows)
            return marked

        return await self._write_bulk(work)

    async def get_cases(self, case_ids: Iterable[int]) -> dict[int, Case]:
        """Many cases by id in one query: the scheduler reads a whole claimed batch's cases at once."""
        ids = list(dict.fromkeys(case_ids))
        found: dict[int, Case] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = await (self._all_bulk if len(chunk) > 20 else self._all)(f"SELECT * FROM cases WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            found.update((r["id"], _case(r)) for r in rows)
        return found

    async def get_users(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], User]:
        """Many users by (platform, user_id) in one query, for the same reason as `get_cases`."""
        wanted = list(dict.fromkeys(keys))
        found: dict[tuple[str, str], User] = {}
        for start in range(0, len(wanted), 400):
            chunk = wanted[start:start + 400]
            rows = await (self._all_bulk if len(chunk) > 20 else self._all)(
                f"SELECT * FROM users WHERE (platform, user_id) IN (VALUES {','.join(['(?,?)'] * len(chunk))})",
                [value for key in chunk for value in key])
            found.update(((r["platform"], r["user_id"]), _user(r)) for r in rows)
        return found

    async def set_nudge(self, nudge_id: int, *, status: str, due_at: datetime | None = None,
                        only_from: Sequence[str] | None = None) -> bool:
        """Answers, snoozes (same row, new time) and cancels a nudge; False when nothing changed.

        ``only_from``: change it only while its status is one of these, so two presses of "Done"
        cannot both go through.
        """
        sql = "UPDATE nudges SET status=?" + (", due_at=?, claimed_at=NULL" if due_at is not None else "")
        args: list[Any] = [status] + ([to_db(due_at)] if due_at is not None else [])
        sql += " WHERE id=?"
        args.append(nudge_id)
        if only_from is not None:
            sql += f" AND status IN ({','.join('?' * len(only_from))})"
            args += list(only_from)
        return bool(await self._run(sql, args))

    async def move_nudge(self, nudge_id: int, due_at: datetime, note: str | None) -> bool:
        """Only while pending: a claimed nudge is being sent right now and keeps its time."""
        return bool(await self._run("UPDATE nudges SET due_at=?, note=? WHERE id=? AND status='pending'",
                                    (to_db(due_at), note, nudge_id)))

    async def set_case_step(self, case_id: int, step: str, *, only_from: Sequence[str]) -> bool:
        """Moves an open case to ``step`` without rewriting the rest of the row (no lost update)."""
        return bool(await self._run(
            f"UPDATE cases SET step=?, updated_at=? WHERE id=? AND status='open' AND step IN "
            f"({','.join('?' * len(only_from))})", (step, to_db(utcnow()), case_id, *only_from)))

    async def cancel_case_nudges(self, case_id: int) -> int:
        return await self._run(
            "UPDATE nudges SET status='cancelled' WHERE case_id=? AND status IN ('pending','claimed')", (case_id,)
        )

    async def cancel_user_nudges(self, platform: str, user_id: str) -> int:
        return await self._run(
            """UPDATE nudges SET status='cancelled' WHERE status IN ('pending','claimed')
               AND case_id IN (SELECT id FROM cases WHERE platform=? AND user_id=?)""",
            (platform, user_id),
        )

    async def next_due_at(self) -> datetime | None:
        row = await self._one("SELECT MIN(due_at) AS due FROM nudges WHERE status='pending'")
        return from_db(row["due"]) if row and row["due"] else None

    async def count_nudges(self, status: str = "pending") -> int:
        rows = await self._all_bulk("SELECT COUNT(*) AS n FROM nudges WHERE status=?", (status,))
        return int(rows[0]["n"]) if rows else 0

    # -- the outbox -------------------------------------------------------------------------

    async def add_outbox(self, items: Sequence[NewOutboxItem], *, owner: str | None = None) -> list[OutboxItem]:
        """One round trip for all rows; see `Store.add_outbox` for ``owner``.

        The returned rows carry the payload objects of ``items`` (JSON data, as a read gives back): only
        what the database decided (id, status, claim) is read back, not the payload it was just given.
        """
        now = utcnow()
        created = to_db(now)

        def work(db: sqlite3.Connection) -> list[OutboxItem]:
            stored = []
            for item in items:
                not_before = (item.not_before or now).astimezone(UTC)
                # one statement: claimed by ``owner`` only when the conversation has nothing older unsent
                row = db.execute(
                    f"""INSERT INTO outbox (platform, conversation, user_id, case_id, nudge_id, event_id, payload,
                                            status, attempts, not_before, claimed_by, claimed_at, created_at)
                        SELECT ?1,?2,?3,?4,?5,?6,?7, IIF(free, 'claimed', 'pending'), IIF(free, 1, 0), ?8,
                               IIF(free, ?9, NULL), IIF(free, ?10, NULL), ?10
                        FROM (SELECT ?9 IS NOT NULL AND NOT EXISTS (
                                SELECT 1 FROM outbox WHERE conversation=?2 AND status IN {_UNSENT}) AS free)
                        RETURNING id, status, attempts, claimed_by""",
                    (item.platform, item.conversation, item.user_id, item.case_id, item.nudge_id, item.event_id,
                     json.dumps(item.payload, ensure_ascii=False), to_db(not_before), owner, created)).fetchone()
                claimed = row["claimed_by"] is not None
                stored.append(OutboxItem(
                    id=row["id"], platform=item.platform, conversation=item.conversation, user_id=item.user_id,
                    case_id=item.case_id, nudge_id=item.nudge_id, event_id=item.event_id, payload=item.payload,
                    status=row["status"], attempts=row["attempts"], not_before=not_before,
                    claimed_by=row["claimed_by"], claimed_at=now if claimed else None, maybe_sent=False,
                    sent_at=None, last_error=None, created_at=now))
            return stored

        return await self._write(work)

    async def claim_outbox(self, now: datetime, *, owner: str, limit: int = 100,
                           platform: str | Sequence[str] | None = None) -> list[OutboxItem]:
        """Each conversation's oldest unsent row, if it is pending and due, becomes claimed by ``owner``."""
        platforms = [platform] if isinstance(platform, str) else list(platform or [])
        only = f" AND platform IN ({','.join('?' * len(platforms))})" if platforms else ""
        rows = await self._all_bulk(
            f"""UPDATE outbox SET status='claimed', claimed_by=?, claimed_at=?, attempts=attempts+1
                WHERE id IN (
                  SELECT heads.id FROM (SELECT MIN(id) AS id FROM outbox WHERE status IN {_UNSENT}{only}
                                        GROUP BY conversation) AS heads
                  JOIN outbox ON outbox.id = heads.id
                  WHERE outbox.status='pending' AND outbox.not_before<=? ORDER BY heads.id LIMIT ?)
                RETURNING *""",
            (owner, to_db(now), *platforms, to_db(now), limit),
        )
        return sorted((_outbox(r) for r in rows), key=lambda item: item.id)

    async def mark_outbox_sent(self, ids: Sequence[int], at: datetime) -> set[int]:
        """Rows and the nudges they carry; payloads are emptied.

        Rows that carry no nudge (every reply to an event) are marked by one autocommit statement, not
        BEGIN, UPDATE and COMMIT: nothing else has to commit with them. What is left (rows of nudges,
        whose nudge is marked sent in the same transaction, and ids not claimed) goes through the
        transaction below.
        """
        when = to_db(at)
        marked: set[int] = set()
        if not self._joined():
            for start in range(0, len(ids), 500):
                chunk = list(ids[start:start + 500])
                rows = await self._all(
                    f"""UPDATE outbox SET status='sent', sent_at=?, payload='{{}}' WHERE status='claimed'
                        AND nudge_id IS NULL AND id IN ({','.join('?' * len(chunk))}) RETURNING id""",
                    (when, *chunk))
                marked.update(r["id"] for r in rows)
            ids = [outbox_id for outbox_id in ids if outbox_id not in marked]
            if not ids:
                return marked

        def work(db: sqlite3.Connection) -> set[int]:
            marked: set[int] = set()
            for start in range(0, len(ids), 500):
                chunk = list(ids[start:start + 500])
                rows = db.execute(
                    f"""UPDATE outbox SET status='sent', sent_at=?, payload='{{}}' WHERE status='claimed'
                        AND id IN ({','.join('?' * len(chunk))}) RETURNING id, nudge_id""", (when, *chunk)).fetchall()
                marked.update(r["id"] for r in rows)
                nudge_ids = [r["nudge_id"] for r in rows if r["nudge_id"] is not None]
                if nudge_ids:
                    sent = db.execute(
                        f"""UPDATE nudges SET status='sent', sent_at=? WHERE status='claimed'
                            AND id IN ({','.join('?' * len(nudge_ids))}) RETURNING id, case_id, kind""",
                        (when, *nudge_ids)).fetchall()
                    db.executemany(
                        "INSERT INTO case_log (case_id, at, kind, data) VALUES (?, ?, 'nudge-sent', "
                        "json_object('nudge', ?, 'kind', ?))", [(r["case_id"], when, r["id"], r["kind"]) for r in sent])
            return marked

        return marked | await self._write(work)

    async def release_outbox(self, outbox_id: int, *, error: str, retry_at: datetime | None) -> None:
        if retry_at is None:
            await self._run("UPDATE outbox SET status='failed', last_error=? WHERE id=? AND status='claimed'",
                            (error[:500], outbox_id))
        else:
            await self._run(
                """UPDATE outbox SET status='pending', last_error=?, not_before=?, claimed_by=NULL
                   WHERE id=? AND status='claimed'""", (error[:500], to_db(retry_at), outbox_id))

    async def reclaim_stale_outbox(self, claimed_before: datetime) -> int:
        return await self._run_bulk(
            """UPDATE outbox SET status='pending', maybe_sent=1, claimed_by=NULL
               WHERE status='claimed' AND claimed_at<?""", (to_db(claimed_before),))

    async def count_outbox(self, status: str = "pending") -> int:
        rows = await self._all_bulk("SELECT COUNT(*) AS n FROM outbox WHERE status=?", (status,))
        return int(rows[0]["n"]) if rows else 0

    async def get_outbox(self, outbox_id: int) -> OutboxItem | None:
        row = await self._one("SELECT * FROM outbox WHERE id=?", (outbox_id,))
        return _outbox(row) if row else None

    async def next_outbox_at(self, *, stale_after: float | None = None,
                             platform: str | Sequence[str] | None = None) -> datetime | None:
        platforms = [platform] if isinstance(platform, str) else list(platform or [])
        only = f" AND platform IN ({','.join('?' * len(platforms))})" if platforms else ""
        rows = await self._all_bulk(
            f"""SELECT MIN(CASE WHEN o.status='pending' THEN o.not_before END) AS due,
                       MIN(CASE WHEN o.status='claimed' THEN o.claimed_at END) AS claimed
                FROM (SELECT MIN(id) AS id FROM outbox WHERE status IN {_UNSENT}{only} GROUP BY conversation) AS heads
                JOIN outbox o ON o.id = heads.id""", platforms)
        row = rows[0] if rows else None
        return earliest_claimable(from_db(row["due"]) if row else None, from_db(row["claimed"]) if row else None,
                                  stale_after)

    # -- handled messages (edits) -----------------------------------------------------------

    async def remember_message(self, record: HandledMessage, *, replace: bool = False) -> None:
        """One row per message; ``replace=False`` leaves an existing row as it is."""
        conflict = ("DO UPDATE SET effect=excluded.effect, case_id=excluded.case_id, nudge_id=excluded.nudge_id, "
                    "detail=excluded.detail, case_seen=excluded.case_seen, at=excluded.at") if replace else "DO NOTHING"
        await self._run(
            f"""INSERT INTO handled_messages (platform, chat_id, message_id, user_id, effect, case_id, nudge_id,
                                              detail, case_seen, at)
                VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (platform, chat_id, message_id) {conflict}""",
            (record.platform, record.chat_id, record.message_id, record.user_id, record.effect, record.case_id,
             record.nudge_id, record.detail, to_db(record.case_seen), to_db(record.at)),
        )

    async def handled_message(self, platform: str, chat_id: str, message_id: str) -> HandledMessage | None:
        row = await self._one("SELECT * FROM handled_messages WHERE platform=? AND chat_id=? AND message_id=?",
                              (platform, chat_id, message_id))
        if row is None:
            return None
        return HandledMessage(platform=row["platform"], chat_id=row["chat_id"], message_id=row["message_id"],
                              user_id=row["user_id"], effect=row["effect"], case_id=row["case_id"],
                              nudge_id=row["nudge_id"], detail=row["detail"], case_seen=from_db(row["case_seen"]),
                              at=from_db(row["at"]) or utcnow())

    # -- processed events (dedup and replay) ------------------------------------------------

    async def accept_event(self, platform: str, event_id: str, user_id: str, payload: dict[str, Any], *,
                           owner: str | None = None) -> bool:
        """Records an inbound event before it is acknowledged, claimed by ``owner``. False: seen before, drop it."""
        now = to_db(utcnow())
        cur_rows = await self._run(
            """INSERT INTO processed_events (platform, event_id, user_id, status, payload, received_at,
                                             claimed_by, claimed_at)
               VALUES (?,?,?,'pending',?,?,?,?) ON CONFLICT DO NOTHING""",
            (platform, event_id, user_id, json.dumps(payload, ensure_ascii=False), now, owner, now),
        )
        return cur_rows == 1

    async def finish_event(self, platform: str, event_id: str, *, owner: str | None = None) -> bool:
        """Done: the payload (which may hold the user's words) is dropped, only the id stays for dedup."""
        if owner is None:
            return await self._run(_FINISH_SQL, (platform, event_id)) > 0
        if await self._run(_FINISH_CLAIMED_SQL, (platform, event_id, owner)):
            return True
        # rare: taken over, or no longer stored (the user was forgotten within this very event)
        return await self._one("SELECT 1 FROM processed_events WHERE platform=? AND event_id=?",
                               (platform, event_id)) is None

    async def unfinished_events(self, platform: str | None = None) -> list[PendingEvent]:
        rows = await self._all_bulk(
            """SELECT * FROM processed_events WHERE status='pending' AND (? IS NULL OR platform=?)
               ORDER BY received_at""",
            (platform, platform),
        )
        return [_pending_event(r) for r in rows]

    async def claim_events(self, *, owner: str, claimed_before: datetime, platform: str | Sequence[str] | None = None,
                           limit: int | None = None) -> list[PendingEvent]:
        platforms = [platform] if isinstance(platform, str) else list(platform or [])
        only = f" AND platform IN ({','.join('?' * len(platforms))})" if platforms else ""
        rows = await self._all_bulk(
            f"""UPDATE processed_events SET claimed_by=?, claimed_at=?
                WHERE rowid IN (SELECT rowid FROM processed_events
                                WHERE status='pending' AND claimed_at<? AND claimed_by IS NOT ?{only}
                                ORDER BY received_at LIMIT ?)
                RETURNING platform, event_id, payload, received_at""",
            (owner, to_db(utcnow()), to_db(claimed_before), owner, *platforms, -1 if limit is None else limit))
        return sorted((_pending_event(r) for r in rows), key=lambda e: e.received_at)

    async def prune(self, before: datetime, *, batch: int = 1000) -> int:
        cut = to_db(before)

        def work(db: sqlite3.Connection) -> int:
            deleted = db.execute(
                """DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status='sent' AND sent_at<?
                                                   ORDER BY sent_at LIMIT ?)""", (cut, batch)).rowcount
            deleted += db.execute(
                """DELETE FROM processed_events WHERE rowid IN (
                     SELECT rowid FROM processed_events WHERE status='done' AND received_at<? LIMIT ?)""",
                (cut, batch)).rowcount
            deleted += db.execute(
                """DELETE FROM handled_messages WHERE rowid IN (
                     SELECT rowid FROM handled_messages WHERE at<? ORDER BY at LIMIT ?)""", (cut, batch)).rowcount
            return deleted

        return await self._write_bulk(work)

    async def prune_events(self, before: datetime) -> int:
        return await self._run_bulk("DELETE FROM processed_events WHERE status='done' AND received_at<?", (to_db(before),))

    # -- named locks --------------------------------------------------------------------------

    async def try_lock(self, name: str, *, shared: bool = False) -> bool:
        """An ``flock`` on a file beside the database (``PATH.NAME.lock``): every process that shares an
        SQLite file is on this machine, and the kernel frees the lock when the holder dies."""
        if name in self._held:
            return True
        if self.path == ":memory:":
            self._held[name] = -1
            return True
        fd = _flock(self.path, name, shared)
        if fd is None:
            return False
        self._held[name] = fd
        return True

    async def unlock(self, name: str) -> None:
        fd = self._held.pop(name, None)
        if fd is not None and fd >= 0:
            os.close(fd)  # closing the descriptor drops its flock

