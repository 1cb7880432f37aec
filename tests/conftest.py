"""Shared fixtures: a network guard, a temp-file store, a core, and a way to talk to it with Events."""

from __future__ import annotations

import ipaddress
import itertools
import os
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import pytest

from bot.app import build_core
from bot.core import Core
from bot.events import Event, EventKind, Reply
from bot.settings import load_settings
from bot.store import SQLiteStore
from tests import pg_server

ROOT = Path(__file__).resolve().parents[1]
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if not _is_local(address):
        raise OSError(f"tests may only connect to localhost, not {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if not _is_local(address):
        raise OSError(f"tests may only connect to localhost, not {address!r}")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fails any connection that is not to this machine."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    yield


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's real PARLEY_ variables or database."""
    for name in list(os.environ):
        if name.startswith("PARLEY_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PARLEY_DATABASE_URL", "sqlite:///" + str(tmp_path / "parley-test.db"))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    s = await SQLiteStore.open("sqlite:///" + str(tmp_path / "store.db"))
    yield s
    await s.close()


@pytest.fixture(scope="session")
def pg() -> Iterator[pg_server.PgServer]:
    """A PostgreSQL server for the whole run (`tests.pg_server`), stopped at the end.

    Outside CI a machine without PostgreSQL skips the tests that need it; under ``CI=true`` that is a
    failure, so a CI run can never pass without having tested the PostgreSQL store.
    """
    try:
        server = pg_server.start()
    except pg_server.ServerUnavailable as exc:
        no_postgres(str(exc))
    yield server
    server.stop()


def no_postgres(reason: str) -> NoReturn:
    """Fails under ``CI=true`` (a CI run must test the PostgreSQL store), skips elsewhere."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL is required under CI and could not start: {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL server: {reason}")


@pytest.fixture
def pg_url(pg: pg_server.PgServer) -> str:
    """A fresh empty database on the session's PostgreSQL server, as a postgresql:// URL."""
    return pg.new_database_url()


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def core(store: SQLiteStore, clock: FixedClock) -> Core:
    return build_core(store, load_settings(), clock=clock)


class Talker:
    """Drives the core like one user in one chat would."""

    _ids = itertools.count(1)

    def __init__(self, core: Core, user: str = "u1", chat: str = "c1", platform: str = "console",
                 thread: str | None = None, lang_hint: str | None = None) -> None:
        self.core, self.user, self.chat, self.platform, self.thread = core, user, chat, platform, thread
        self.lang_hint = lang_hint
        self.last: list[Reply] = []

    def _event(self, kind: EventKind, **fields: Any) -> Event:
        return Event(platform=self.platform, event_id=f"e{next(self._ids)}", user_id=self.user, chat_id=self.chat,
                     thread_id=self.thread, kind=kind, language_hint=self.lang_hint, **fields)

    async def say(self, text: str) -> list[Reply]:
        self.last = await self.core.handle(self._event(EventKind.MESSAGE, text=text))
        return self.last

    async def press(self, choice_id: str) -> list[Reply]:
        self.last = await self.core.handle(self._event(EventKind.BUTTON, button=choice_id))
        return self.last

    async def pick(self, label_part: str) -> list[Reply]:
        """Presses the choice of the last replies whose label contains ``label_part``."""
        for reply in self.last:
            for choice in reply.choices:
                if label_part.lower() in choice.label.lower():
                    return await self.press(choice.id)
        raise AssertionError(f"no choice like {label_part!r} in {[c.label for r in self.last for c in r.choices]}")

    def text(self) -> str:
        return "\n".join(r.text for r in self.last)


@pytest.fixture
def talker(core: Core) -> Talker:
    return Talker(core)


PYTHON = sys.executable
