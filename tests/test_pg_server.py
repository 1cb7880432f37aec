"""The throwaway PostgreSQL of the tests: a clear reason when it cannot start, and a loud failure under CI."""

from __future__ import annotations

import pytest

from tests import pg_server
from tests.conftest import no_postgres


def test_missing_binaries_say_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARLEY_TEST_DATABASE_URL", raising=False)
    monkeypatch.setattr(pg_server, "find_binary", lambda name: None)
    with pytest.raises(pg_server.ServerUnavailable, match="postgresql package"):
        pg_server.start()


def test_no_server_fails_under_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required under CI"):
        no_postgres("initdb not found")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        no_postgres("initdb not found")


def test_a_given_server_is_used_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_TEST_DATABASE_URL", "postgresql://someone@127.0.0.1:5999/postgres")
    server = pg_server.start()
    assert server.admin_url == "postgresql://someone@127.0.0.1:5999/postgres"
    server.stop()  # started by nobody here: nothing to stop
