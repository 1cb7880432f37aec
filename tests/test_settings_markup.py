"""Settings fail in one line naming the variable; markup never lets user text act as markup."""

from __future__ import annotations

import pytest

from bot.markup import split_message, strip_marks, to_plain, to_slack_mrkdwn, to_telegram_html, user_text
from bot.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("name", "value"),
    [("PARLEY_HTTP_PORT", "abc"), ("PARLEY_HTTP_PORT", "70000"), ("PARLEY_DEFAULT_LANGUAGE", "de"),
     ("PARLEY_DEFAULT_TIMEZONE", "Mars/Olympus"), ("PARLEY_LOG_LEVEL", "loud"),
     ("PARLEY_DATABASE_URL", "mysql://x"), ("PARLEY_LOG_FORMAT", "xml"), ("PARLEY_CLAIM_TIMEOUT", "0"),
     ("PARLEY_DATABASE_POOL_SIZE", "1"), ("PARLEY_DATABASE_URL", "postgresql://parley:pw@127.0.0.1:notaport/parley")],
)
def test_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(name + ":")
    assert "\n" not in message


def test_secrets_never_show_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_TELEGRAM_TOKEN", "123:very-secret")
    monkeypatch.setenv("PARLEY_SLACK_SIGNING_SECRET", "shh-signing")
    settings = load_settings()
    assert settings.telegram_enabled
    assert "very-secret" not in repr(settings) and "shh-signing" not in repr(settings)


def test_postgres_url_is_accepted_and_its_password_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_DATABASE_URL", "postgresql://parley:pg-secret@db:5432/parley")
    monkeypatch.setenv("PARLEY_CLAIM_TIMEOUT", "2.5")
    monkeypatch.setenv("PARLEY_LOG_FORMAT", "JSON")
    settings = load_settings()
    assert settings.database_url == "postgresql://parley:pg-secret@db:5432/parley"
    assert (settings.claim_timeout, settings.log_format, settings.database_pool_size) == (2.5, "json", 10)
    assert "pg-secret" not in repr(settings)


def test_an_empty_variable_is_an_unset_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """docker-compose passes unset optional variables as "" (``${PARLEY_TELEGRAM_WEBHOOK_URL:-}``)."""
    for name in ("PARLEY_TELEGRAM_TOKEN", "PARLEY_TELEGRAM_WEBHOOK_URL", "PARLEY_TELEGRAM_WEBHOOK_SECRET",
                 "PARLEY_SLACK_BOT_TOKEN", "PARLEY_HTTP_PORT", "PARLEY_LOG_FORMAT"):
        monkeypatch.setenv(name, "")
    settings = load_settings()
    assert settings.telegram_webhook_url is None and not settings.telegram_enabled and not settings.slack_enabled
    assert (settings.http_port, settings.log_format) == (8080, "text")


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARLEY_DATABASE_URL")
    settings = load_settings()
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("parley.db")
    assert (settings.http_host, settings.http_port, settings.default_language) == ("127.0.0.1", 8080, "en")
    assert not settings.telegram_enabled and not settings.slack_enabled


def test_user_text_cannot_inject_markup() -> None:
    hostile = user_text("<b>x</b> **bold** <!channel> <http://evil|click> & \x07\u202e")
    assert to_telegram_html(f"**Card** {hostile}") == (
        "<b>Card</b> &lt;b&gt;x&lt;/b&gt; **bold** &lt;!channel&gt; &lt;http://evil|click&gt; &amp; "
    )
    slack = to_slack_mrkdwn(f"**Card** {hostile}")
    assert slack.startswith("*Card* ")
    assert "<!channel>" not in slack and "<http" not in slack and "&lt;!channel&gt;" in slack
    assert "*bold*" not in slack
    assert to_plain(f"**Card** {hostile}").startswith("Card <b>x</b> **bold**")


def test_split_message_respects_limit_and_paragraphs() -> None:
    text = "\n\n".join(f"Paragraph {i} " + "word " * 300 for i in range(10))
    parts = split_message(text, 4096)
    assert all(len(p) <= 4096 for p in parts)
    assert all(p.startswith("Paragraph") for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


def test_split_message_counts_what_telegram_counts() -> None:
    from bot.markup import utf16_len

    text = "\n\n".join("🙂" * 1500 for _ in range(3))  # 1,500 characters, 3,000 UTF-16 units each
    parts = split_message(text, 4000, utf16_len)
    assert all(utf16_len(p) <= 4000 for p in parts)
    assert "".join(parts) == text.replace("\n", "")
    assert split_message("🙂" * 5000, 4000, utf16_len)[0] == "🙂" * 2000


@pytest.mark.parametrize(("old", "new"), [
    ("sîmbătă", "sâmbătă"), ("Sîmbătă", "Sâmbătă"), ("mîine", "mâine"), ("săptămînă", "săptămână"),
    ("întîrziere", "întârziere"), ("ÎNTÎRZIERE", "ÎNTÂRZIERE"), ("plîngere", "plângere"),
    ("s\u0069\u0302mba\u0306ta\u0306", "sâmbătă"),  # decomposed î, ă
])
def test_strip_marks_folds_old_romanian_i_like_a(old: str, new: str) -> None:
    assert strip_marks(old) == strip_marks(new)


def test_strip_marks_keeps_i_at_the_edges_of_a_word() -> None:
    assert strip_marks("în") == "in" and strip_marks("a coborî") == "a cobori" and strip_marks("înainte") == "inainte"


def test_the_serving_line_follows_the_log_format(monkeypatch: pytest.MonkeyPatch) -> None:
    """With JSON logs, `parley run`'s one start line is JSON too: a line-by-line JSON reader never breaks."""
    import json

    from bot.app import serving_line

    assert serving_line(load_settings(), ["slack"], "127.0.0.1:8080") == "parley: serving slack; HTTP on 127.0.0.1:8080"
    monkeypatch.setenv("PARLEY_LOG_FORMAT", "json")
    line = serving_line(load_settings(), ["slack", "telegram"], "127.0.0.1:8080")
    assert json.loads(line) == {"message": "serving", "platforms": ["slack", "telegram"], "http": "127.0.0.1:8080"}
