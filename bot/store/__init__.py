"""The store: every piece of state Parley keeps, behind one async interface.

Handlers and the scheduler depend on `Store` only; SQLite (the standard library's sqlite3) is the
embedded default and PostgreSQL (asyncpg, `bot.store.postgres`) serves several instances; `open_store` picks one by URL.
"""

from __future__ import annotations

from bot.store.backends import open_store
from bot.store.interface import Store
from bot.store.models import (
    Case,
    HandledMessage,
    LogEntry,
    NewOutboxItem,
    Nudge,
    OutboxItem,
    PendingEvent,
    User,
    utcnow,
)
from bot.store.sqlite import SQLiteStore, StoreError

__all__ = [
    "Case",
    "HandledMessage",
    "LogEntry",
    "NewOutboxItem",
    "Nudge",
    "OutboxItem",
    "PendingEvent",
    "SQLiteStore",
    "Store",
    "StoreError",
    "User",
    "open_store",
    "utcnow",
]
