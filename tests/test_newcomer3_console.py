"""Newcomer report 3: reminders in `parley chat`, with stdin kept open and across piped runs."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_console import chat, env_for

pytestmark = pytest.mark.e2e
CLOCK = "⏰".encode()


def read_until(proc: subprocess.Popen[bytes], want: bytes, after: bytes, seconds: float) -> bytes:
    """stdout of ``proc`` until ``want`` appears after the last ``after`` (or ``seconds`` pass)."""
    assert proc.stdout is not None
    seen = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not (after in seen and want in seen.split(after)[-1]):
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            seen += chunk
    return seen


@pytest.mark.parametrize(("lang", "conflict", "note", "none_left"), [
    ("ru", "клиент не платит", "позвонить", "Напоминаний нет"),
    ("en", "the client does not pay", "call them", "No reminder scheduled"),
    ("ro", "clientul nu plătește", "să-l sun", "Niciun memento programat"),
])
def test_the_reporters_followup_comes_while_stdin_stays_open(tmp_path: Path, lang: str, conflict: str, note: str,
                                                            none_left: str) -> None:
    """`клиент не платит`, `/followup 5s позвонить`, wait: the nudge is printed, then /cases has no next nudge."""
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "chat", "--user", "open", "--lang", lang],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env_for(tmp_path), cwd=ROOT)
    assert proc.stdin is not None
    proc.stdin.write(f"{conflict}\n/followup 3s {note}\n".encode())
    proc.stdin.flush()
    seen = read_until(proc, note.encode(), CLOCK, 25)
    # the nudge is marked sent just after it is printed (one commit shared with other marks): a person
    # reads it first; a script that answers within milliseconds could still see it as the next one
    time.sleep(1)
    proc.stdin.write(b"/cases\n")
    proc.stdin.flush()
    seen += read_until(proc, none_left.encode(), CLOCK, 10)
    proc.stdin.close()
    proc.wait(timeout=20)
    text = seen.decode()
    assert "⏰" in text and note in text.split("⏰")[-1], text[-800:]
    assert none_left in text.split("⏰")[-1], text[-800:]
    assert proc.returncode == 0


def test_a_nudge_due_between_piped_runs_comes_before_the_next_answer(tmp_path: Path) -> None:
    """A piped run ends at EOF before its nudge is due; the next run prints the nudge first, so its /cases
    no longer lists it as what comes next."""
    first = chat(tmp_path, "клиент не платит\n/followup 2s позвонить\n".encode(), "--lang", "ru")
    assert "через 2 секунды" in first.stdout.decode()
    time.sleep(3)
    second = chat(tmp_path, b"/cases\n", "--lang", "ru").stdout.decode()
    assert "⏰" in second and "позвонить" in second, second
    assert second.index("⏰") < second.index("1 открытый конфликт"), second
    assert "Напоминаний нет" in second and "Далее: ваше напоминание" not in second, second


@pytest.mark.parametrize(("lang", "lines", "paid", "answer"), [
    ("en", ["the client has not paid my invoice for 6 weeks", "1", "1200 EUR", "payment within 5 days of delivery",
            "in 3 seconds"], "It's paid", "remaining payment reminders are cancelled"),
    ("ru", ["клиент уже 6 недель не оплачивает мой счёт", "1", "50 000 рублей", "оплата в течение 5 дней после сдачи",
            "через 3 секунды"], "Оплачено", "Остальные напоминания об оплате отменены"),
])
def test_the_its_paid_button_is_reached_in_the_console(tmp_path: Path, lang: str, lines: list[str], paid: str,
                                                        answer: str) -> None:
    """The payment ladder's first reminder comes while the chat runs, and its "It's paid" is picked by number."""
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "chat", "--user", "payer", "--lang", lang],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env_for(tmp_path), cwd=ROOT)
    assert proc.stdin is not None
    for line in lines:
        proc.stdin.write(f"{line}\n".encode())
        proc.stdin.flush()
        time.sleep(0.3)
    seen = read_until(proc, f") {paid}".encode(), CLOCK, 25)
    nudge = seen.decode().split("⏰")[-1]
    number = next(row.split(")")[0].strip() for row in nudge.splitlines() if row.endswith(f") {paid}"))
    proc.stdin.write(f"{number}\n".encode())
    proc.stdin.flush()
    seen += read_until(proc, answer.encode(), f"✓ {paid}".encode(), 10)
    proc.stdin.close()
    proc.wait(timeout=20)
    text = seen.decode()
    assert f"✓ {paid}" in text, text[-1200:]
    assert answer in text.split(f"✓ {paid}")[-1], text[-1200:]
    assert proc.returncode == 0


@pytest.mark.parametrize(("lang", "conflict", "said"), [
    ("en", "the client does not pay", "Your next reminder is due"),
    ("ru", "клиент не платит", "Следующее напоминание:"),
    ("ro", "clientul nu plătește", "Următorul memento:"),
])
def test_a_piped_run_that_ends_before_its_reminder_says_when_it_comes(tmp_path: Path, lang: str, conflict: str,
                                                                     said: str) -> None:
    """The end of the input ends the chat; a reminder still ahead is named, with when it will be printed."""
    out = chat(tmp_path, f"{conflict}\n/followup 2h call\n".encode(), "--lang", lang).stdout.decode()
    assert said in out, out[-600:]
    assert out.rstrip().endswith(out.rstrip().split(said)[-1])  # the last thing printed
    again = chat(tmp_path, b"/cases\n", "--lang", lang).stdout.decode()
    assert said in again  # still ahead at the end of the next run


def test_a_piped_run_without_reminders_adds_nothing(tmp_path: Path) -> None:
    out = chat(tmp_path, b"/help\n").stdout.decode()
    assert "Your next reminder is due" not in out
