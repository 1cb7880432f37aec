"""Which store a ``PARLEY_DATABASE_URL`` names, and what schema its database is at.

``sqlite:///PATH`` is the embedded default (`bot.store.sqlite`); ``postgresql://`` (or
``postgres://``) is the shared database of several instances (`bot.store.postgres`, imported only
then, so ``parley chat`` never loads asyncpg).
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.store.interface import Store
from bot.store.migrations import SCHEMA_VERSION
from bot.store.sqlite import SQLiteStore, StoreError, path_from_url

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def backend_of(url: str) -> str:
    """``"sqlite"`` or ``"postgres"``; raises `StoreError` for any other URL."""
    if url.startswith("sqlite:///"):
        return "sqlite"
    if url.startswith(POSTGRES_SCHEMES):
        return "postgres"
    raise StoreError("unsupported database URL: use sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DATABASE")


async def open_store(url: str, *, pool_size: int = 10) -> Store:
    """The store the URL names, migrated to the current schema. ``pool_size``: PostgreSQL connections
    at most (SQLite has one). Raises `StoreError` with a one-line reason a person can act on."""
    if backend_of(url) == "postgres":
        from bot.store.postgres import PostgresStore

        return await PostgresStore.open(url, pool_size=pool_size)
    return await SQLiteStore.open(url)


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    """``backend`` (sqlite/postgres), ``where`` (file or host:port/db, no password), ``current`` (applied
    migration, 0 for an empty or missing database) and ``latest`` (what this Parley knows)."""

    backend: str
    where: str
    current: int
    latest: int = SCHEMA_VERSION

    @property
    def pending(self) -> int:
        return max(self.latest - self.current, 0)


async def schema_status(url: str) -> SchemaStatus:
    """Reads the schema version without migrating or creating anything (``parley db status``)."""
    if backend_of(url) == "postgres":
        from bot.store.postgres import PostgresStore

        store = await PostgresStore.open(url, pool_size=2, migrate_schema=False)
        try:
            return SchemaStatus("postgres", store.where, await store.schema_version())
        finally:
            await store.close()
    path = path_from_url(url)
    return SchemaStatus("sqlite", path, await asyncio.to_thread(_sqlite_version, path))


def _sqlite_version(path: str) -> int:
    """``PRAGMA user_version`` of the file, read only; 0 when there is no file yet."""
    target = Path(path).expanduser()
    if path == ":memory:" or not target.exists():
        return 0
    try:
        raw = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            return int(raw.execute("PRAGMA user_version").fetchone()[0])
        finally:
            raw.close()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read the database at {path}: {exc}") from None
