"""Versioned schema. ``PRAGMA user_version`` says which of these already ran; never edit a released one."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE users (
        platform TEXT NOT NULL,
        user_id TEXT NOT NULL,
        lang TEXT NOT NULL,
        tz TEXT NOT NULL,
        quiet_start TEXT,
        quiet_end TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (platform, user_id)
    );
    CREATE TABLE cases (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        platform TEXT NOT NULL,
        chat_id TEXT NOT NULL,
        thread_id TEXT,
        user_id TEXT NOT NULL,
        situation TEXT,
        step TEXT NOT NULL,
        answers TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL DEFAULT 'open',
        outcome TEXT,
        lang TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX cases_by_place ON cases (platform, chat_id, thread_id, user_id, status);
    CREATE INDEX cases_by_owner ON cases (platform, user_id, status);
    CREATE TABLE case_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX case_log_by_case ON case_log (case_id, id);
    CREATE TABLE nudges (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        due_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        note TEXT,
        last_error TEXT,
        claimed_at TEXT,
        sent_at TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX nudges_due ON nudges (status, due_at);
    CREATE INDEX nudges_by_case ON nudges (case_id, status);
    CREATE TABLE processed_events (
        platform TEXT NOT NULL,
        event_id TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        received_at TEXT NOT NULL,
        PRIMARY KEY (platform, event_id)
    );
    """,
    # 2: pausing nudges, users who blocked the bot, and replay of unfinished events
    """
    ALTER TABLE users ADD COLUMN paused_until TEXT;
    ALTER TABLE users ADD COLUMN blocked INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE processed_events ADD COLUMN payload TEXT;
    ALTER TABLE processed_events ADD COLUMN user_id TEXT;
    CREATE INDEX processed_events_pending ON processed_events (status, received_at);
    """,
    # 3: what each handled message did, so an edit of it is not taken for a new message (no user text here)
    """
    CREATE TABLE handled_messages (
        platform TEXT NOT NULL,
        chat_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        effect TEXT NOT NULL,
        case_id INTEGER REFERENCES cases(id) ON DELETE CASCADE,
        nudge_id INTEGER,
        detail TEXT,
        case_seen TEXT,
        at TEXT NOT NULL,
        PRIMARY KEY (platform, chat_id, message_id)
    );
    CREATE INDEX handled_messages_by_user ON handled_messages (platform, user_id);
    """,
    # 4: the outbox (replies and nudges waiting for delivery, committed with what produced them), and the
    # instance that claimed a nudge
    """
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        platform TEXT NOT NULL,
        conversation TEXT NOT NULL,
        user_id TEXT NOT NULL,
        case_id INTEGER,
        nudge_id INTEGER,
        event_id TEXT,
        payload TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before TEXT NOT NULL,
        claimed_by TEXT,
        claimed_at TEXT,
        maybe_sent INTEGER NOT NULL DEFAULT 0,
        sent_at TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX outbox_unsent ON outbox (conversation, id) WHERE status IN ('pending', 'claimed');
    CREATE INDEX outbox_by_status ON outbox (status, id);
    CREATE INDEX outbox_by_user ON outbox (platform, user_id);
    CREATE INDEX outbox_by_nudge ON outbox (nudge_id) WHERE nudge_id IS NOT NULL;
    ALTER TABLE nudges ADD COLUMN claimed_by TEXT;
    """,
    # 5: retention: the sweep finds old sent outbox rows and handled messages by time (`Store.prune`)
    """
    CREATE INDEX outbox_sent ON outbox (sent_at) WHERE status = 'sent';
    CREATE INDEX handled_messages_by_time ON handled_messages (at);
    """,
    # 6: claims on events, so that with several instances only a dead one's unfinished events are replayed
    # (`Store.claim_events`); an event left pending by an older version counts as claimed when it arrived
    """
    ALTER TABLE processed_events ADD COLUMN claimed_by TEXT;
    ALTER TABLE processed_events ADD COLUMN claimed_at TEXT;
    UPDATE processed_events SET claimed_at = received_at WHERE status = 'pending';
    CREATE INDEX processed_events_claims ON processed_events (claimed_at) WHERE status = 'pending';
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
