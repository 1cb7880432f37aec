"""``parley db status`` and ``parley db upgrade`` on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.store.migrations import SCHEMA_VERSION


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty database of each backend, named by PARLEY_DATABASE_URL."""
    url = ("sqlite:///" + str(tmp_path / "ops.db") if request.param == "sqlite"
           else str(request.getfixturevalue("pg_url")))
    monkeypatch.setenv("PARLEY_DATABASE_URL", url)
    return url


def test_status_then_upgrade_then_status(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "status"]) == 0
    out = capsys.readouterr().out
    assert f"schema 0 of {SCHEMA_VERSION}" in out and f"{SCHEMA_VERSION} migration(s) pending" in out
    if db_url.startswith("sqlite:///"):
        assert not Path(db_url[len("sqlite:///"):]).exists(), "status creates nothing"

    assert main(["db", "upgrade"]) == 0
    assert f"applied {SCHEMA_VERSION} migration(s); schema {SCHEMA_VERSION}" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert f"already at schema {SCHEMA_VERSION}" in capsys.readouterr().out
    assert main(["db", "status"]) == 0
    out = capsys.readouterr().out
    assert f"schema {SCHEMA_VERSION} of {SCHEMA_VERSION}" in out and "up to date" in out


def test_status_names_the_backend_without_the_password(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "status"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("sqlite" if db_url.startswith("sqlite") else "postgres")


def test_unreachable_postgres_is_one_line_without_the_password(monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PARLEY_DATABASE_URL", "postgresql://parley:hunter2@127.0.0.1:1/parley")
    for command in ("status", "upgrade"):
        assert main(["db", command]) == 1
        err = capsys.readouterr().err
        assert err.startswith("parley: cannot connect to PostgreSQL at 127.0.0.1:1/parley")
        assert "hunter2" not in err and err.count("\n") == 1
