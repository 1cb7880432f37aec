"""``parley db status`` and ``parley db upgrade`` on both backends."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
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
    assert main(["db", "status"]) == 1  # pending migrations: a deploy script can gate on the exit code
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
    assert main(["db", "status"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("sqlite" if db_url.startswith("sqlite") else "postgres")


def test_unreachable_postgres_is_one_line_without_the_password(monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PARLEY_DATABASE_URL", "postgresql://parley:hunter2@127.0.0.1:1/parley")
    for command, code in (("status", 3), ("upgrade", 1)):  # status: 3 "unreachable", never 1 "pending"
        assert main(["db", command]) == code
        err = capsys.readouterr().err
        assert err.startswith("parley: cannot connect to PostgreSQL at 127.0.0.1:1/parley")
        assert "hunter2" not in err and err.count("\n") == 1


def test_concurrent_upgrades_each_report_what_they_applied(pg_url: str, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Three `parley db upgrade` at once on a fresh PostgreSQL: one applies every migration, the others
    none, and each says so (not a count read before the lock was taken)."""
    monkeypatch.setenv("PARLEY_DATABASE_URL", pg_url)
    with ThreadPoolExecutor(3) as pool:
        codes = list(pool.map(lambda _: main(["db", "upgrade"]), range(3)))
    assert codes == [0, 0, 0]
    lines = capsys.readouterr().out.splitlines()
    applied = sorted(int(m.group(1)) for line in lines if (m := re.search(r"applied (\d+) migration", line)))
    already = [line for line in lines if f"already at schema {SCHEMA_VERSION}" in line]
    assert applied == [SCHEMA_VERSION] and len(already) == 2, lines


def test_run_help_names_the_modes_and_the_variables(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = capsys.readouterr().out
    for word in ("Telegram", "Slack", "PARLEY_TELEGRAM_TOKEN", "PARLEY_SLACK_BOT_TOKEN", "PARLEY_DATABASE_URL",
                 "README"):
        assert word in out, word


def test_a_database_not_created_yet_is_one_line(pg_url: str, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """The README says to create the database first and shows this line."""
    monkeypatch.setenv("PARLEY_DATABASE_URL", pg_url.rsplit("/", 1)[0] + "/never_created")
    assert main(["db", "upgrade"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("parley: cannot connect to PostgreSQL at ") and "\n" not in err
    assert 'database "never_created" does not exist' in err


def test_status_of_a_database_it_cannot_reach_exits_3_not_1(pg_url: str, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """1 means "migrations pending": a deploy script gating on it must not mistake an outage for that."""
    monkeypatch.setenv("PARLEY_DATABASE_URL", pg_url.rsplit("/", 1)[0] + "/never_created")
    assert main(["db", "status"]) == 3
    err = capsys.readouterr().err.strip()
    assert err.startswith("parley: cannot connect to PostgreSQL at ") and "\n" not in err
