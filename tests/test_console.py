"""`parley chat` as a user runs it: a subprocess fed through a pipe."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_cards import CARD_IDS

pytestmark = pytest.mark.e2e


def env_for(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update(PARLEY_DATABASE_URL="sqlite:///" + str(tmp_path / "chat.db"), PYTHONPATH=str(ROOT),
               PYTHONIOENCODING="utf-8")
    return env


def chat(tmp_path: Path, stdin: bytes, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "bot.cli", "chat", "--user", "tester", *args], input=stdin,
                          capture_output=True, env=env_for(tmp_path), cwd=ROOT, timeout=timeout)


def test_piped_session_answers_everything_and_exits_zero(tmp_path: Path) -> None:
    lines = [b"/help", b"/cards", b"/card listen-fully", b"/nosuchcommand", b"", b"x" * 100_000,
             b"/help \x01\x02\x1b[31m", b"\xff\xfe\xfa invalid utf-8 \xc3\x28", b"/card paraphrase"]
    result = chat(tmp_path, b"\n".join(lines) + b"\n")
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()
    assert out.count("Parley") >= 2  # /help twice, control characters dropped
    assert "/card listen-fully" in out  # /cards
    assert "I don't know the command /nosuchcommand" in out
    assert "I got an empty message" in out
    assert "100000 characters" in out
    assert "If I understood you correctly" in out or "Paraphrase" in out  # the paraphrase card


@pytest.mark.parametrize(("lang", "title_word"), [("en", "Steps"), ("ru", "Шаги"), ("ro", "Pași")])
def test_a_card_in_each_language(tmp_path: Path, lang: str, title_word: str) -> None:
    result = chat(tmp_path, b"/card listen-fully\n", "--lang", lang)
    assert result.returncode == 0
    assert title_word in result.stdout.decode()


def test_choices_are_numbered_and_the_number_picks(tmp_path: Path) -> None:
    result = chat(tmp_path, b"/lang\n3\n/help\n")
    out = result.stdout.decode()
    assert "1) English" in out and "3) Română" in out
    assert "de acum vorbesc în română" in out
    assert "pas cu pas" in out


@pytest.mark.parametrize(("lang", "said"), [("en", "There is no option 9"), ("ru", "Варианта 9 нет"),
                                             ("ro", "Nu există varianta 9")])
def test_a_number_that_is_no_option_is_not_triaged(tmp_path: Path, lang: str, said: str) -> None:
    """A slip at a menu ("9" of three, "-1", "0") gets a note and the same choices stay; "2." still picks."""
    result = chat(tmp_path, b"/lang\n9\n-1\n0\n2.\n", "--lang", lang)
    out = result.stdout.decode()
    assert result.returncode == 0
    assert said in out
    assert out.count(said.replace(" 9", " -1").replace("9 ", "-1 ")) == 1
    assert out.count(said.replace(" 9", " 0").replace("9 ", "0 ")) == 1
    assert "по-русски" in out  # "2." picked the second choice of the menu still shown


def test_after_forget_the_chosen_language_stays(tmp_path: Path) -> None:
    result = chat(tmp_path, b"/forget\n1\n/cases\n", "--lang", "ro")
    out = result.stdout.decode()
    assert result.returncode == 0
    assert "You have no" not in out and "Nu aveți" in out


def test_eof_right_away_exits_zero(tmp_path: Path) -> None:
    result = chat(tmp_path, b"")
    assert result.returncode == 0 and result.stderr == b""


def test_followup_is_delivered_while_chatting(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "chat", "--user", "nudged"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_for(tmp_path), cwd=ROOT)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"/conflict the client does not pay the invoice for two months\n")
    proc.stdin.write(b"/followup 2s call the accountant\n")
    proc.stdin.flush()
    seen = b""
    deadline = time.monotonic() + 20
    # the confirmation repeats the note too: wait for it after the nudge's clock
    while (b"\xe2\x8f\xb0" not in seen or b"call the accountant" not in seen.split(b"\xe2\x8f\xb0")[-1]) \
            and time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            seen += os.read(proc.stdout.fileno(), 65536)
    proc.stdin.close()
    proc.wait(timeout=20)
    text = seen.decode()
    assert "Reminder for case" in text
    assert "⏰" in text and "call the accountant" in text.split("⏰")[-1]
    assert proc.returncode == 0


def test_kill_mid_walkthrough_and_continue_at_the_same_step(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "chat", "--user", "k"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"the client is furious that we missed the launch deadline\n1\nhe says nobody warned him\n")
    proc.stdin.flush()
    seen = b""
    deadline = time.monotonic() + 20
    while b"Step 2 of 5" not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            seen += os.read(proc.stdout.fileno(), 65536)
    assert b"Step 2 of 5" in seen
    proc.kill()
    proc.wait(timeout=10)

    again = subprocess.run([sys.executable, "-m", "bot.cli", "chat", "--user", "k"], input=b"/case\n1\n",
                           capture_output=True, env=env, cwd=ROOT, timeout=60)
    out = again.stdout.decode()
    assert "paraphrasing and confirming" in out
    assert "Step 2 of 5" in out and "nobody warned you" in out


def test_bad_setting_is_one_line(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    env["PARLEY_HTTP_PORT"] = "abc"
    result = subprocess.run([sys.executable, "-m", "bot.cli", "chat"], input=b"", capture_output=True, env=env,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 2
    assert result.stderr.decode().strip().count("\n") == 0 and "PARLEY_HTTP_PORT" in result.stderr.decode()


def test_unwritable_database_is_one_line(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    (tmp_path / "f").write_text("x")
    env["PARLEY_DATABASE_URL"] = "sqlite:///" + str(tmp_path / "f" / "db.sqlite")
    result = subprocess.run([sys.executable, "-m", "bot.cli", "chat"], input=b"", capture_output=True, env=env,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 1
    assert "cannot open the database" in result.stderr.decode() and "Traceback" not in result.stderr.decode()


def test_run_without_platforms_says_what_to_set(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "bot.cli", "run"], capture_output=True, env=env_for(tmp_path),
                            cwd=ROOT, timeout=60)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert "PARLEY_TELEGRAM_TOKEN" in err and "PARLEY_SLACK_BOT_TOKEN" in err and "parley chat" in err


def test_version_and_cards_cli(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    version = subprocess.run([sys.executable, "-m", "bot.cli", "--version"], capture_output=True, env=env, cwd=ROOT)
    assert version.stdout.decode().startswith("parley ")
    cards = subprocess.run([sys.executable, "-m", "bot.cli", "cards", "--lang", "ru"], capture_output=True, env=env,
                           cwd=ROOT)
    assert cards.returncode == 0 and len(cards.stdout.decode().splitlines()) == len(CARD_IDS)  # one line a card
    missing = subprocess.run([sys.executable, "-m", "bot.cli", "card", "zebra"], capture_output=True, env=env, cwd=ROOT)
    assert missing.returncode == 1 and "no card matches" in missing.stderr.decode()


def test_run_with_half_a_slack_config_says_what_is_missing(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    env["PARLEY_SLACK_BOT_TOKEN"] = "xoxb-not-a-real-one"
    result = subprocess.run([sys.executable, "-m", "bot.cli", "run"], capture_output=True, env=env, cwd=ROOT,
                            timeout=60)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert "PARLEY_SLACK_SIGNING_SECRET" in err and "PARLEY_SLACK_APP_TOKEN" in err
    assert "xoxb-not-a-real-one" not in err


#: "2" picks the cause "we broke a promise", which answers step 4 itself: the apology, then step 5.
WALKS = {
    "en": (["the client is furious that we missed the launch deadline we promised", "1",
            "he says nobody warned him about the delay", "1", "2", "we redo the landing page by Friday 18:00",
            "/cases"],
           ["Step 1 of 5", "nobody warned you", "Step 3 of 5", "What fixes it", "on behalf of the company",
            "Step 5 of 5", "Did you deliver what you promised?", "1 open case"]),
    "ru": (["клиент в ярости, мы сорвали обещанный срок запуска", "1",
            "он говорит, что его никто не предупредил о задержке", "1", "2",
            "переделаем лендинг до пятницы 18:00", "/cases"],
           ["Шаг 1 из 5", "Если я правильно вас понимаю", "Шаг 3 из 5", "Что помогает", "от имени компании",
            "Шаг 5 из 5", "Вы сделали то, что обещали?", "1 открытый конфликт"]),
    "ro": (["clientul e furios că am ratat termenul de lansare promis", "1",
            "spune că nimeni nu l-a anunțat despre întârziere", "1", "2",
            "refacem pagina până vineri la 18:00", "/cases"],
           ["Pasul 1 din 5", "Dacă v-am înțeles corect", "Pasul 3 din 5", "Ce ajută", "în numele companiei",
            "Pasul 5 din 5", "Ați livrat ce ați promis?", "1 caz deschis"]),
}


@pytest.mark.parametrize("lang", ["en", "ru", "ro"])
def test_whole_walkthrough_piped_in_each_language(tmp_path: Path, lang: str) -> None:
    lines, expected = WALKS[lang]
    result = chat(tmp_path, ("\n".join(lines) + "\n").encode(), "--lang", lang)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    position = 0
    for fragment in expected:  # in this order
        found = out.find(fragment, position)
        assert found >= 0, f"{fragment!r} missing after position {position}:\n{out[position:position + 800]}"
        position = found
