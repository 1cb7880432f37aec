"""PostgreSQL implementation of the store on asyncpg: a connection pool, shared by several instances.

Why it exists: several ``parley run`` instances (behind a load balancer, or during a rolling deploy)
share one database. What makes that safe:

- migrations (`bot.store.pg_migrations`) run once, under ``pg_advisory_lock``, however many instances
  start together;
- `claim_due` takes rows with ``FOR UPDATE SKIP LOCKED``: two instances claiming at the same moment
  get disjoint rows without waiting for each other;
- `accept_event` is an ``INSERT ... ON CONFLICT DO NOTHING`` on (platform, event_id): a Slack retry
  landing on another instance is dropped there;
- nothing is cached in memory (unlike SQLite's user cache), because other instances write too.

Transactions: each call takes a pool connection for itself, unless the current task has one open
(``self._tx``, a `ContextVar`); `transaction()` opens that, so every call inside it joins one
database transaction (the unit of work the outbox builds on). Errors: asyncpg's
(``asyncpg.PostgresError``, ``OSError`` for a lost server); `StoreError` at open, without the password.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar
from urllib.parse import urlsplit

import asyncpg

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
    to_db,
    utcnow,
)
from bot.store.pg_migrations import MIGRATION_LOCK, PG_MIGRATIONS, SCHEMA_TABLE, SCHEMA_VERSION
from bot.store.sqlite import StoreError

T = TypeVar("T")
if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    Pooled: TypeAlias = PoolConnectionProxy[asyncpg.Record]
    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | Pooled
_FINISH_SQL = "UPDATE processed_events SET status='done', payload=NULL WHERE platform=$1 AND event_id=$2"
#: The done mark under a claim: refused (no row) once another instance took the event over.
_FINISH_CLAIMED_SQL = _FINISH_SQL + " AND (claimed_by IS NULL OR claimed_by=$3)"
#: Outbox statuses of a row not yet delivered: the head of its conversation is the oldest of these.
_UNSENT = "('pending','claimed')"
URL_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(url: str) -> bool:
    """True for ``postgresql://`` and ``postgres://`` URLs (libpq's two spellings)."""
    return url.startswith(URL_SCHEMES)


def describe_url(url: str) -> str:
    """``host:port/database`` of a URL, for messages: never the user's password."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path or '/'}"


def _count(status: str) -> int:
    """Rows a command touched, from asyncpg's status string (``UPDATE 3``, ``INSERT 0 1``)."""
    tail = status.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _pending_event(row: asyncpg.Record) -> PendingEvent:
    return PendingEvent(platform=row["platform"], event_id=row["event_id"], payload=json.loads(row["payload"] or "{}"),
                        received_at=row["received_at"])


def _case(row: asyncpg.Record) -> Case:
    return Case(id=row["id"], platform=row["platform"], chat_id=row["chat_id"], thread_id=row["thread_id"],
                user_id=row["user_id"], situation=row["situation"], step=row["step"],
                answers=json.loads(row["answers"]), status=row["status"], outcome=row["outcome"],
                lang=row["lang"], created_at=row["created_at"], updated_at=row["updated_at"])


def _nudge(row: asyncpg.Record) -> Nudge:
    return Nudge(id=row["id"], case_id=row["case_id"], kind=row["kind"], due_at=row["due_at"],
                 status=row["status"], attempts=row["attempts"], note=row["note"], last_error=row["last_error"],
                 claimed_at=row["claimed_at"], sent_at=row["sent_at"], created_at=row["created_at"])


def _user(row: asyncpg.Record) -> User:
    return User(platform=row["platform"], user_id=row["user_id"], lang=row["lang"], tz=row["tz"],
                quiet_start=row["quiet_start"], quiet_end=row["quiet_end"], paused_until=row["paused_until"],
                blocked=row["blocked"], created_at=row["created_at"])


def _outbox(row: asyncpg.Record) -> OutboxItem:
    return OutboxItem(id=row["id"], platform=row["platform"], conversation=row["conversation"],
                      user_id=row["user_id"], case_id=row["case_id"], nudge_id=row["nudge_id"],
                      event_id=row["event_id"], payload=json.loads(row["payload"]), status=row["status"],
                      attempts=row["attempts"], not_before=row["not_before"], claimed_by=row["claimed_by"],
                      claimed_at=row["claimed_at"], maybe_sent=row["maybe_sent"], sent_at=row["sent_at"],
                      last_error=row["last_error"], created_at=row["created_at"])


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def applied_version(conn: Connection) -> int:
    """The highest applied migration (0 for an empty database), without changing anything."""
    if await conn.fetchval("SELECT to_regclass('schema_migrations')") is None:
        return 0
    return int(await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))


async def migrate(conn: Connection, where: str) -> int:
    """Applies the missing migrations, each in its own transaction, under the advisory lock; returns how
    many ran. Raises `StoreError` when the database is newer than this code."""
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        await conn.execute(SCHEMA_TABLE)
        version = await applied_version(conn)
        if version > SCHEMA_VERSION:
            raise StoreError(f"the database at {where} was written by a newer Parley (schema {version}, "
                             f"this one knows {SCHEMA_VERSION})")
        for number in range(version, SCHEMA_VERSION):
            async with conn.transaction():
                await conn.execute(PG_MIGRATIONS[number])
                await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", number + 1)
        return SCHEMA_VERSION - version
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)


class PostgresStore:
    """The `bot.store.Store` protocol on a pool of asyncpg connections; see the module docstring."""

    def __init__(self, pool: asyncpg.Pool[asyncpg.Record], where: str) -> None:
        self._pool = pool
        self.where = where
        #: The connection of the transaction the current task is in (`transaction`), if any.
        self._tx: ContextVar[Connection | None] = ContextVar(f"parley_pg_tx_{id(self)}", default=None)
        #: Named locks held (`try_lock`), each on its own connection taken out of the pool.
        self._held: dict[str, Pooled] = {}
        self._shared: dict[str, bool] = {}

    # -- life cycle -------------------------------------------------------------------------

    @classmethod
    async def open(cls, url: str, *, pool_size: int = 10, migrate_schema: bool = True) -> PostgresStore:
        """Connects a pool of up to ``pool_size`` connections and (by default) migrates.

        Raises `StoreError` when the server cannot be reached or refuses the login, with
        host:port/database in the message and never the password.
        """
        if not is_postgres_url(url):
            raise StoreError(f"unsupported database URL: use {URL_SCHEMES[0]}USER:PASSWORD@HOST/DATABASE")
        where = describe_url(url)
        try:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=max(pool_size, 2), timeout=10)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            raise StoreError(f"cannot connect to PostgreSQL at {where}: {type(exc).__name__}: "
                             f"{str(exc).replace(url, where)}") from None
        store = cls(pool, where)
        if migrate_schema:
            try:
                async with pool.acquire() as conn:
                    await migrate(conn, where)
            except asyncpg.PostgresError as exc:
                await pool.close()
                raise StoreError(f"cannot use the database at {where}: {exc}") from None
            except BaseException:
                await pool.close()
                raise
        return store

    async def close(self) -> None:
        for name in list(self._held):
            try:
                await self.unlock(name)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                pass  # the connection is gone, and the server dropped its locks with it
        await self._pool.close()

    async def schema_version(self) -> int:
        async with self._connection() as conn:
            return await applied_version(conn)

    # -- plumbing ---------------------------------------------------------------------------

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Connection]:
        """The current transaction's connection, else one from the pool for this call."""
        current = self._tx.get()
        if current is not None:
            yield current
            return
        async with self._pool.acquire() as conn:
            yield conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Every store call of the current task inside the block joins one transaction; it commits at
        exit and rolls back on an exception. Nested use joins the outer transaction."""
        if self._tx.get() is not None:
            yield
            return
        async with self._pool.acquire() as conn, conn.transaction():
            token = self._tx.set(conn)
            try:
                yield
            finally:
                self._tx.reset(token)

    async def _write(self, work: Callable[[Connection], Awaitable[T]]) -> T:
        """Runs ``work`` in one transaction (the current one, if the task is in `transaction`)."""
        async with self.transaction(), self._connection() as conn:
            return await work(conn)

    async def _one(self, sql: str, *args: Any) -> asyncpg.Record | None:
        async with self._connection() as conn:
            return await conn.fetchrow(sql, *args)

    async def _all(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        async with self._connection() as conn:
            return await conn.fetch(sql, *args)

    async def _run(self, sql: str, *args: Any) -> int:
        """One write statement; returns the rows it changed."""
        async def work(conn: Connection) -> int:
            return _count(await conn.execute(sql, *args))

        return await self._write(work)

    # -- users ------------------------------------------------------------------------------

    async def get_user(self, platform: str, user_id: str) -> User | None:
        row = await self._one("SELECT * FROM users WHERE platform=$1 AND user_id=$2", platform, user_id)
        return _user(row) if row else None

    async def get_users(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], User]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        rows = await self._all(
            """SELECT u.* FROM users u JOIN unnest($1::text[], $2::text[]) AS k(platform, user_id)
               ON u.platform=k.platform AND u.user_id=k.user_id""",
            [k[0] for k in wanted], [k[1] for k in wanted])
        return {(r["platform"], r["user_id"]): _user(r) for r in rows}

    async def save_user(self, user: User) -> None:
        await self._run(
            """INSERT INTO users (platform, user_id, lang, tz, quiet_start, quiet_end, paused_until, blocked,
                                  created_at)
               VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
               ON CONFLICT (platform, user_id) DO UPDATE SET lang=excluded.lang, tz=excluded.tz,
                 quiet_start=excluded.quiet_start, quiet_end=excluded.quiet_end,
                 paused_until=excluded.paused_until, blocked=excluded.blocked""",
            user.platform, user.user_id, user.lang, user.tz, user.quiet_start, user.quiet_end, user.paused_until,
            user.blocked, user.created_at)

    async def forget_user(self, platform: str, user_id: str) -> int:
        async def work(db: Connection) -> int:
            removed = _count(await db.execute("DELETE FROM cases WHERE platform=$1 AND user_id=$2", platform, user_id))
            for table in ("processed_events", "handled_messages", "outbox", "users"):
                await db.execute(f"DELETE FROM {table} WHERE platform=$1 AND user_id=$2", platform, user_id)
            return removed

        return await self._write(work)

    # -- cases ------------------------------------------------------------------------------

    async def create_case(self, *, platform: str, chat_id: str, thread_id: str | None, user_id: str,
                          lang: str, situation: str | None = None, step: str = "start",
                          answers: dict[str, Any] | None = None) -> Case:
        now = utcnow()

        async def work(db: Connection) -> asyncpg.Record:
            row = await db.fetchrow(
                """INSERT INTO cases (platform, chat_id, thread_id, user_id, situation, step, answers, lang,
                                      created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9) RETURNING *""",
                platform, chat_id, thread_id, user_id, situation, step, _dumps(answers or {}), lang, now)
            assert row is not None
            await db.execute("INSERT INTO case_log (case_id, at, kind, data) VALUES ($1,$2,'opened',$3)",
                             row["id"], now, json.dumps({"situation": situation}))
            return row

        return _case(await self._write(work))

    async def get_case(self, case_id: int) -> Case | None:
        row = await self._one("SELECT * FROM cases WHERE id=$1", case_id)
        return _case(row) if row else None

    async def get_cases(self, case_ids: Iterable[int]) -> dict[int, Case]:
        ids = list(dict.fromkeys(case_ids))
        rows = await self._all("SELECT * FROM cases WHERE id = ANY($1::bigint[])", ids) if ids else []
        return {r["id"]: _case(r) for r in rows}

    async def find_open_case(self, platform: str, chat_id: str, thread_id: str | None, user_id: str) -> Case | None:
        row = await self._one(
            """SELECT * FROM cases WHERE platform=$1 AND chat_id=$2 AND thread_id IS NOT DISTINCT FROM $3
               AND user_id=$4 AND status='open' ORDER BY updated_at DESC, id DESC LIMIT 1""",
            platform, chat_id, thread_id, user_id)
        return _case(row) if row else None

    async def find_open_case_in_thread(self, platform: str, chat_id: str, thread_id: str) -> Case | None:
        row = await self._one(
            """SELECT * FROM cases WHERE platform=$1 AND chat_id=$2 AND thread_id=$3 AND status='open'
               ORDER BY updated_at DESC, id DESC LIMIT 1""", platform, chat_id, thread_id)
        return _case(row) if row else None

    async def open_cases(self, platform: str, user_id: str) -> list[Case]:
        rows = await self._all(
            "SELECT * FROM cases WHERE platform=$1 AND user_id=$2 AND status='open' ORDER BY created_at, id",
            platform, user_id)
        return [_case(r) for r in rows]

    async def save_case(self, case: Case, *, log: tuple[str, dict[str, Any]] | None = None) -> None:
        """Same rules as SQLite's: a closed case stays closed; closing cancels its nudges in the same
        transaction."""
        case.updated_at = utcnow()

        async def work(db: Connection) -> None:
            changed = _count(await db.execute(
                """UPDATE cases SET thread_id=$1, situation=$2, step=$3, answers=$4, status=$5, outcome=$6, lang=$7,
                   updated_at=$8 WHERE id=$9 AND (status='open' OR $5<>'open')""",
                case.thread_id, case.situation, case.step, _dumps(case.answers), case.status, case.outcome,
                case.lang, case.updated_at, case.id))
            if not changed:
                return
            if log is not None:
                await db.execute("INSERT INTO case_log (case_id, at, kind, data) VALUES ($1,$2,$3,$4)",
                                 case.id, case.updated_at, log[0], _dumps(log[1]))
            if case.status != "open":
                await db.execute("UPDATE nudges SET status='cancelled' WHERE case_id=$1 "
                                 "AND status IN ('pending','claimed')", case.id)

        await self._write(work)

    async def set_case_step(self, case_id: int, step: str, *, only_from: Sequence[str]) -> bool:
        return bool(await self._run(
            "UPDATE cases SET step=$1, updated_at=$2 WHERE id=$3 AND status='open' AND step = ANY($4::text[])",
            step, utcnow(), case_id, list(only_from)))

    # -- the paper trail --------------------------------------------------------------------

    async def log(self, case_id: int, kind: str, data: dict[str, Any] | None = None) -> None:
        await self._run("INSERT INTO case_log (case_id, at, kind, data) VALUES ($1,$2,$3,$4)",
                        case_id, utcnow(), kind, _dumps(data or {}))

    async def case_log(self, case_id: int) -> list[LogEntry]:
        rows = await self._all("SELECT * FROM case_log WHERE case_id=$1 ORDER BY id", case_id)
        return [LogEntry(id=r["id"], case_id=r["case_id"], at=r["at"], kind=r["kind"], data=json.loads(r["data"]))
                for r in rows]

    # -- nudges -----------------------------------------------------------------------------

    async def add_nudge(self, case_id: int, kind: str, due_at: datetime, note: str | None = None) -> Nudge:
        now = utcnow()

        async def work(db: Connection) -> asyncpg.Record:
            row = await db.fetchrow(
                "INSERT INTO nudges (case_id, kind, due_at, note, created_at) VALUES ($1,$2,$3,$4,$5) RETURNING *",
                case_id, kind, due_at, note, now)
            assert row is not None
            await db.execute("INSERT INTO case_log (case_id, at, kind, data) VALUES ($1,$2,'nudge-scheduled',$3)",
                             case_id, now, json.dumps({"nudge": row["id"], "kind": kind,
                                                       "due": to_db(due_at)}))
            return row

        return _nudge(await self._write(work))

    async def get_nudge(self, nudge_id: int) -> Nudge | None:
        row = await self._one("SELECT * FROM nudges WHERE id=$1", nudge_id)
        return _nudge(row) if row else None

    async def nudges_for_case(self, case_id: int) -> list[Nudge]:
        return [_nudge(r) for r in await self._all("SELECT * FROM nudges WHERE case_id=$1 ORDER BY due_at, id",
                                                   case_id)]

    async def next_nudge(self, case_id: int) -> Nudge | None:
        row = await self._one(
            """SELECT * FROM nudges WHERE case_id=$1 AND status IN ('pending','claimed','failed')
               ORDER BY status='failed' DESC, due_at LIMIT 1""", case_id)
        return _nudge(row) if row else None

    async def next_due_at(self) -> datetime | None:
        row = await self._one("SELECT MIN(due_at) AS due FROM nudges WHERE status='pending'")
        return row["due"] if row else None

    async def count_nudges(self, status: str = "pending") -> int:
        row = await self._one("SELECT COUNT(*) AS n FROM nudges WHERE status=$1", status)
        return int(row["n"]) if row else 0

    async def claim_due(self, now: datetime, limit: int = 100, *, owner: str | None = None) -> list[Nudge]:
        """``FOR UPDATE SKIP LOCKED``: concurrent claimers (other instances) skip the rows one is taking."""
        rows = await self._write(lambda db: db.fetch(
            """UPDATE nudges SET status='claimed', claimed_at=$1, claimed_by=$3, attempts=attempts+1
               WHERE id IN (SELECT id FROM nudges WHERE status='pending' AND due_at<=$1
                            ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
               RETURNING *""", now, limit, owner))
        return sorted((_nudge(r) for r in rows), key=lambda n: n.due_at)

    async def reclaim_stale(self, claimed_before: datetime) -> int:
        """A nudge with a live outbox row stays claimed: the outbox delivers it (no second rendering)."""
        return await self._run(
            """UPDATE nudges n SET status='pending', claimed_by=NULL WHERE status='claimed' AND claimed_at<$1
               AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.nudge_id=n.id
                               AND o.status IN ('pending','claimed','sent'))""", claimed_before)

    async def mark_sent(self, nudge_id: int, at: datetime) -> bool:
        return nudge_id in await self.mark_sent_many([nudge_id], at)

    async def mark_sent_many(self, nudge_ids: Sequence[int], at: datetime) -> set[int]:
        async def work(db: Connection) -> set[int]:
            rows = await db.fetch(
                """WITH sent AS (UPDATE nudges SET status='sent', sent_at=$1 WHERE status='claimed'
                                 AND id = ANY($2::bigint[]) RETURNING id, case_id, kind)
                   INSERT INTO case_log (case_id, at, kind, data)
                   SELECT case_id, $1, 'nudge-sent', json_build_object('nudge', id, 'kind', kind)::text FROM sent
                   RETURNING (data::json->>'nudge')::bigint AS id""", at, list(nudge_ids))
            return {r["id"] for r in rows}

        return await self._write(work)

    async def release(self, nudge_id: int, *, error: str, retry_at: datetime | None) -> None:
        kind = "nudge-failed" if retry_at is None else "nudge-retry"
        await self._run(
            """WITH changed AS (UPDATE nudges SET status=CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
                                  last_error=$2, due_at=COALESCE($3, due_at) WHERE id=$1 AND status='claimed'
                                RETURNING id, case_id)
               INSERT INTO case_log (case_id, at, kind, data)
               SELECT case_id, $4, $5, json_build_object('nudge', id, 'error', $2::text)::text FROM changed""",
            nudge_id, error[:500], retry_at, utcnow(), kind)

    async def defer_nudge(self, nudge_id: int, due_at: datetime, *, reason: str) -> bool:
        return bool(await self._run(
            """WITH changed AS (UPDATE nudges SET status='pending', due_at=$2, claimed_at=NULL,
                                  attempts=GREATEST(attempts-1, 0) WHERE id=$1 AND status='claimed'
                                RETURNING id, case_id)
               INSERT INTO case_log (case_id, at, kind, data)
               SELECT case_id, $3, 'nudge-deferred', json_build_object('nudge', id, 'due', $4::text,
                                                                      'reason', $5::text)::text FROM changed""",
            nudge_id, due_at, utcnow(), to_db(due_at), reason))

    async def set_nudge(self, nudge_id: int, *, status: str, due_at: datetime | None = None,
                        only_from: Sequence[str] | None = None) -> bool:
        return bool(await self._run(
            """UPDATE nudges SET status=$1, due_at=COALESCE($2, due_at),
                 claimed_at=CASE WHEN $2::timestamptz IS NULL THEN claimed_at END
               WHERE id=$3 AND ($4::text[] IS NULL OR status = ANY($4::text[]))""",
            status, due_at, nudge_id, list(only_from) if only_from is not None else None))

    async def move_nudge(self, nudge_id: int, due_at: datetime, note: str | None) -> bool:
        return bool(await self._run("UPDATE nudges SET due_at=$1, note=$2 WHERE id=$3 AND status='pending'",
                                    due_at, note, nudge_id))

    async def cancel_case_nudges(self, case_id: int) -> int:
        return await self._run(
            "UPDATE nudges SET status='cancelled' WHERE case_id=$1 AND status IN ('pending','claimed')", case_id)

    async def cancel_user_nudges(self, platform: str, user_id: str) -> int:
        return await self._run(
            """UPDATE nudges SET status='cancelled' WHERE status IN ('pending','claimed')
               AND case_id IN (SELECT id FROM cases WHERE platform=$1 AND user_id=$2)""", platform, user_id)

    # -- the outbox -------------------------------------------------------------------------

    async def add_outbox(self, items: Sequence[NewOutboxItem], *, owner: str | None = None) -> list[OutboxItem]:
        """See `Store.add_outbox`. A transaction-level advisory lock on each conversation makes concurrent
        writers of one conversation (on several instances) take turns until commit, so the second sees
        the first's row unsent and leaves its own pending: one claimed head per conversation."""
        now = utcnow()

        async def work(db: Connection) -> list[asyncpg.Record]:
            stored = []
            for item in items:
                await db.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 1))", item.conversation)
                row = await db.fetchrow(
                    f"""INSERT INTO outbox (platform, conversation, user_id, case_id, nudge_id, event_id, payload,
                                            status, attempts, not_before, claimed_by, claimed_at, created_at)
                        SELECT $1,$2,$3,$4,$5,$6,$7, CASE WHEN free THEN 'claimed' ELSE 'pending' END,
                               CASE WHEN free THEN 1 ELSE 0 END, $8,
                               CASE WHEN free THEN $9 END, CASE WHEN free THEN $10::timestamptz END, $10
                        FROM (SELECT $9::text IS NOT NULL AND NOT EXISTS (
                                SELECT 1 FROM outbox WHERE conversation=$2 AND status IN {_UNSENT}) AS free) AS f
                        RETURNING *""",
                    item.platform, item.conversation, item.user_id, item.case_id, item.nudge_id, item.event_id,
                    _dumps(item.payload), item.not_before or now, owner, now)
                assert row is not None
                stored.append(row)
            return stored

        return [_outbox(row) for row in await self._write(work)]

    async def claim_outbox(self, now: datetime, *, owner: str, limit: int = 100,
                           platform: str | Sequence[str] | None = None) -> list[OutboxItem]:
        """Each conversation's oldest unsent row (``DISTINCT ON``), kept when it is pending and due, locked
        with ``FOR UPDATE OF o SKIP LOCKED`` (another instance claiming it at the same moment is skipped, and
        a row it claimed meanwhile fails the re-checked ``status='pending'``), then claimed by ``owner``."""
        platforms = [platform] if isinstance(platform, str) else list(platform or [])
        rows = await self._write(lambda db: db.fetch(
            f"""UPDATE outbox SET status='claimed', claimed_by=$1, claimed_at=$2, attempts=attempts+1
                WHERE id IN (
                  SELECT o.id FROM outbox o
                  WHERE o.id IN (SELECT DISTINCT ON (conversation) id FROM outbox
                                 WHERE status IN {_UNSENT} AND (cardinality($4::text[]) = 0 OR platform = ANY($4))
                                 ORDER BY conversation, id)
                    AND o.status='pending' AND o.not_before<=$2
                  ORDER BY o.id LIMIT $3 FOR UPDATE OF o SKIP LOCKED)
                AND status='pending'
                RETURNING *""", owner, now, limit, platforms))
        return sorted((_outbox(r) for r in rows), key=lambda item: item.id)

    async def mark_outbox_sent(self, ids: Sequence[int], at: datetime) -> set[int]:
        """Rows and the nudges they carry, in one transaction; payloads are emptied."""
        async def work(db: Connection) -> set[int]:
            rows = await db.fetch(
                """UPDATE outbox SET status='sent', sent_at=$1, payload='{}' WHERE status='claimed'
                   AND id = ANY($2::bigint[]) RETURNING id, nudge_id""", at, list(ids))
            nudge_ids = [r["nudge_id"] for r in rows if r["nudge_id"] is not None]
            if nudge_ids:
                await db.execute(
                    """WITH sent AS (UPDATE nudges SET status='sent', sent_at=$1 WHERE status='claimed'
                                     AND id = ANY($2::bigint[]) RETURNING id, case_id, kind)
                       INSERT INTO case_log (case_id, at, kind, data)
                       SELECT case_id, $1, 'nudge-sent', json_build_object('nudge', id, 'kind', kind)::text
                       FROM sent""", at, nudge_ids)
            return {r["id"] for r in rows}

        return await self._write(work)

    async def release_outbox(self, outbox_id: int, *, error: str, retry_at: datetime | None) -> None:
        if retry_at is None:
            await self._run("UPDATE outbox SET status='failed', last_error=$1 WHERE id=$2 AND status='claimed'",
                            error[:500], outbox_id)
        else:
            await self._run(
                """UPDATE outbox SET status='pending', last_error=$1, not_before=$2, claimed_by=NULL
                   WHERE id=$3 AND status='claimed'""", error[:500], retry_at, outbox_id)

    async def reclaim_stale_outbox(self, claimed_before: datetime) -> int:
        return await self._run(
            """UPDATE outbox SET status='pending', maybe_sent=TRUE, claimed_by=NULL
               WHERE status='claimed' AND claimed_at<$1""", claimed_before)

    async def count_outbox(self, status: str = "pending") -> int:
        row = await self._one("SELECT COUNT(*) AS n FROM outbox WHERE status=$1", status)
        return int(row["n"]) if row else 0

    async def get_outbox(self, outbox_id: int) -> OutboxItem | None:
        row = await self._one("SELECT * FROM outbox WHERE id=$1", outbox_id)
        return _outbox(row) if row else None

    async def next_outbox_at(self, *, stale_after: float | None = None,
                             platform: str | Sequence[str] | None = None) -> datetime | None:
        platforms = [platform] if isinstance(platform, str) else list(platform or [])
        row = await self._one(
            f"""SELECT MIN(not_before) FILTER (WHERE status='pending') AS due,
                       MIN(claimed_at) FILTER (WHERE status='claimed') AS claimed
                FROM outbox WHERE id IN (SELECT DISTINCT ON (conversation) id FROM outbox
                                         WHERE status IN {_UNSENT}
                                           AND (cardinality($1::text[]) = 0 OR platform = ANY($1))
                                         ORDER BY conversation, id)""", platforms)
        return earliest_claimable(row["due"] if row else None, row["claimed"] if row else None, stale_after)

    # -- handled messages (edits) -----------------------------------------------------------

    async def remember_message(self, record: HandledMessage, *, replace: bool = False) -> None:
        conflict = ("DO UPDATE SET effect=excluded.effect, case_id=excluded.case_id, nudge_id=excluded.nudge_id, "
                    "detail=excluded.detail, case_seen=excluded.case_seen, at=excluded.at") if replace else "DO NOTHING"
        await self._run(
            f"""INSERT INTO handled_messages (platform, chat_id, message_id, user_id, effect, case_id, nudge_id,
                                              detail, case_seen, at)
                VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (platform, chat_id, message_id) {conflict}""",
            record.platform, record.chat_id, record.message_id, record.user_id, record.effect, record.case_id,
            record.nudge_id, record.detail, record.case_seen, record.at)

    async def handled_message(self, platform: str, chat_id: str, message_id: str) -> HandledMessage | None:
        row = await self._one("SELECT * FROM handled_messages WHERE platform=$1 AND chat_id=$2 AND message_id=$3",
                              platform, chat_id, message_id)
        if row is None:
            return None
        return HandledMessage(platform=row["platform"], chat_id=row["chat_id"], message_id=row["message_id"],
                              user_id=row["user_id"], effect=row["effect"], case_id=row["case_id"],
                              nudge_id=row["nudge_id"], detail=row["detail"], case_seen=row["case_seen"],
                              at=row["at"])

    # -- processed events (dedup and replay) ------------------------------------------------

    async def accept_event(self, platform: str, event_id: str, user_id: str, payload: dict[str, Any], *,
                           owner: str | None = None) -> bool:
        """The primary key decides between instances: the first INSERT wins, a retry elsewhere gets False.
        The winner's claim rides on the same INSERT."""
        now = utcnow()
        return await self._run(
            """INSERT INTO processed_events (platform, event_id, user_id, status, payload, received_at,
                                             claimed_by, claimed_at)
               VALUES ($1,$2,$3,'pending',$4,$5,$6,$5) ON CONFLICT DO NOTHING""",
            platform, event_id, user_id, _dumps(payload), now, owner) == 1

    async def finish_event(self, platform: str, event_id: str, *, owner: str | None = None) -> bool:
        """Under READ COMMITTED the UPDATE waits for a takeover in flight (`claim_events` locks the row) and
        then sees its claim, so the owner and the taker never both finish one event."""
        if owner is None:
            return await self._run(_FINISH_SQL, platform, event_id) > 0
        if await self._run(_FINISH_CLAIMED_SQL, platform, event_id, owner):
            return True
        # rare: taken over, or no longer stored (the user was forgotten within this very event)
        return await self._one("SELECT 1 FROM processed_events WHERE platform=$1 AND event_id=$2",
                               platform, event_id) is None

    async def unfinished_events(self, platform: str | None = None) -> list[PendingEvent]:
        rows = await self._all(
            """SELECT * FROM processed_events WHERE status='pending' AND ($1::text IS NULL OR platform=$1)
               ORDER BY received_at""", platform)
        return [_pending_event(r) for r in rows]

    async def claim_events(self, *, owner: str, claimed_before: datetime, platform: str | Sequence[str] | None = None,
                           limit: int | None = None) -> list[PendingEvent]:
        """The candidates are locked ``FOR UPDATE SKIP LOCKED``: an event another instance is claiming, or
        whose owner is writing its done mark right now, is skipped, not waited for."""
        platforms = [platform] if isinstance(platform, str) else list(platform or [])
        rows = await self._all(
            """UPDATE processed_events e SET claimed_by=$1, claimed_at=$2
               FROM (SELECT platform, event_id FROM processed_events
                     WHERE status='pending' AND claimed_at<$3 AND claimed_by IS DISTINCT FROM $1
                       AND (cardinality($4::text[]) = 0 OR platform = ANY($4))
                     ORDER BY received_at LIMIT $5 FOR UPDATE SKIP LOCKED) AS c
               WHERE e.platform=c.platform AND e.event_id=c.event_id
               RETURNING e.platform, e.event_id, e.payload, e.received_at""",
            owner, utcnow(), claimed_before, platforms, limit)
        return sorted((_pending_event(r) for r in rows), key=lambda e: e.received_at)

    async def prune(self, before: datetime, *, batch: int = 1000) -> int:
        async def work(db: Connection) -> int:
            deleted = _count(await db.execute(
                """DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status='sent' AND sent_at<$1
                                                   ORDER BY sent_at LIMIT $2)""", before, batch))
            deleted += _count(await db.execute(
                """DELETE FROM processed_events WHERE (platform, event_id) IN (
                     SELECT platform, event_id FROM processed_events WHERE status='done' AND received_at<$1
                     LIMIT $2)""", before, batch))
            deleted += _count(await db.execute(
                """DELETE FROM handled_messages WHERE (platform, chat_id, message_id) IN (
                     SELECT platform, chat_id, message_id FROM handled_messages WHERE at<$1 ORDER BY at LIMIT $2)""",
                before, batch))
            return deleted

        return await self._write(work)

    async def prune_events(self, before: datetime) -> int:
        return await self._run("DELETE FROM processed_events WHERE status='done' AND received_at<$1", before)

    # -- named locks --------------------------------------------------------------------------

    async def try_lock(self, name: str, *, shared: bool = False) -> bool:
        """A session ``pg_try_advisory_lock`` (``_shared``) on a connection kept out of the pool while held:
        the server frees it when that connection ends, so an instance that died (or lost the network)
        lets go."""
        if name in self._held:
            return True
        conn = await self._pool.acquire()
        try:
            function = "pg_try_advisory_lock_shared" if shared else "pg_try_advisory_lock"
            taken = bool(await conn.fetchval(f"SELECT {function}(hashtextextended($1, 0))", name))
        except BaseException:
            await self._pool.release(conn)
            raise
        if not taken:
            await self._pool.release(conn)
            return False
        self._held[name] = conn
        self._shared[name] = shared
        return True

    async def unlock(self, name: str) -> None:
        conn = self._held.pop(name, None)
        if conn is None:
            return
        function = "pg_advisory_unlock_shared" if self._shared.pop(name, False) else "pg_advisory_unlock"
        try:
            await conn.execute(f"SELECT {function}(hashtextextended($1, 0))", name)
        finally:
            await self._pool.release(conn)
