"""Newcomer report 4, where the console itself is the point: a restarted `parley chat` shows the step a
case waits at again, so the numbers typed next pick its buttons instead of being saved as answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_console import chat

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("lang", "conflict", "step_two", "resumed"), [
    ("en", "the client says our video edit is sloppy and the music is wrong", "Step 2 of 5", "Where we left off"),
    ("ru", "клиент говорит, что монтаж видео небрежный и музыка не та", "Шаг 2 из 5", "Где мы остановились"),
    ("ro", "clientul zice că montajul video e făcut de mântuială și muzica e proastă", "Pasul 2 din 5", "Unde am rămas"),
])
def test_a_restart_shows_the_waiting_step_so_a_number_is_a_press(tmp_path: Path, lang: str, conflict: str,
                                                                step_two: str, resumed: str) -> None:
    """Run 1: the conflict, `1` (walk me through it), EOF. Run 2: the step is shown again with its
    buttons, and `1` presses its first button instead of being saved as the answer «1»."""
    first = chat(tmp_path, f"{conflict}\n1\n".encode(), "--lang", lang).stdout.decode()
    assert {"en": "Step 1 of 5", "ru": "Шаг 1 из 5", "ro": "Pasul 1 din 5"}[lang] in first, first
    second = chat(tmp_path, b"1\n", "--lang", lang)
    out = second.stdout.decode()
    assert second.returncode == 0, second.stderr.decode()
    assert resumed in out, out
    assert "“1”" not in out and "«1»" not in out and "„1”" not in out, out
    assert step_two in out.split(resumed)[-1], out


@pytest.mark.parametrize(("lang", "conflict", "title"), [
    ("en", "the client says our video edit is sloppy and the music is wrong", "Walk me through it"),
    ("ru", "клиент говорит, что монтаж видео небрежный и музыка не та", "Пройти по шагам"),
])
def test_a_restart_under_a_card_shows_the_card_again(tmp_path: Path, lang: str, conflict: str, title: str) -> None:
    """A card was offered and the run ended: the next run shows the card again, and `1` walks."""
    chat(tmp_path, f"{conflict}\n".encode(), "--lang", lang)
    out = chat(tmp_path, b"1\n", "--lang", lang).stdout.decode()
    assert f"1) {title}" in out, out
    assert ("Step 1 of" in out) or ("Шаг 1 из" in out), out


def test_a_restart_at_a_button_step_makes_a_number_the_button(tmp_path: Path) -> None:
    """ro "decide and part", step 2 (a button step) after a restart: `2` presses "keep, with firm terms"
    and goes on, instead of being noted in the case's history."""
    first = chat(tmp_path, "vreau să renunț la acest client, cere prea mult și plătește prost\n1\n"
                           "ne costă mai mult decât câștigăm\n".encode(), "--lang", "ro").stdout.decode()
    assert "Pasul 2 din 4" in first, first
    out = chat(tmp_path, b"2\n", "--lang", "ro").stdout.decode()
    resumed = out.split("Unde am rămas")[-1]
    assert "Pasul 2 din 4" in resumed and "2) Îl păstrez, cu condiții ferme" in resumed, out
    assert "✓ Îl păstrez" in resumed and "Pasul 3 din 5" in resumed, out
    assert "Notat" not in out and "istoric" not in out, out
