"""One `parley run` or `parley chat` per SQLite file: a second process is refused in one line.

An operator started a second `parley run` on the same file while the first was sending: it took the
first one's in-flight outbox rows for a dead process's and posted them again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_console import env_for

pytestmark = pytest.mark.e2e


def _chat(tmp_path: Path, user: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "chat", "--user", user], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_for(tmp_path), cwd=ROOT)


def test_a_second_process_on_the_same_sqlite_file_is_refused_in_one_line(tmp_path: Path) -> None:
    first = _chat(tmp_path, "one")
    assert first.stdout is not None and first.stdin is not None
    try:
        first.stdin.write(b"/help\n")
        first.stdin.flush()
        assert first.stdout.readline(), "the first chat never answered"  # it runs, holding the file
        second = _chat(tmp_path, "two")
        out, err = second.communicate(b"/help\n", timeout=60)
        assert second.returncode == 1, (out, err)
        message = err.decode().strip()
        assert message.startswith("parley: another Parley process is using") and "\n" not in message, message
        assert "Traceback" not in message
    finally:
        first.stdin.close()
        first.wait(timeout=60)
    third = _chat(tmp_path, "three")  # the first has ended: its lock went with it
    out, err = third.communicate(b"/help\n", timeout=60)
    assert third.returncode == 0, err.decode()
