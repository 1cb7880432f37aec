"""`parley chat | head`: the reader leaving early ends the chat quietly, exit code 0, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_console import env_for

pytestmark = pytest.mark.e2e


def test_a_reader_that_leaves_ends_the_chat_quietly(tmp_path: Path) -> None:
    lines = b"".join(b"/help\n/cards\n" for _ in range(30))
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "chat", "--user", "tester"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_for(tmp_path), cwd=ROOT)
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(lines)
    proc.stdin.close()
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does after its line
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=60)
    assert first
    assert "Traceback" not in err and "BrokenPipe" not in err and "WARNING" not in err, err
    assert code == 0
