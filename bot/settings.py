"""All configuration: one pydantic-settings class, every variable prefixed ``PARLEY_``.

Secrets are `SecretStr` so they never show up in a repr or a log line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from platformdirs import user_data_dir
from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from content.text import LANGUAGES


def default_database_url() -> str:
    return "sqlite:///" + str(Path(user_data_dir("parley", appauthor=False)) / "parley.db")


class SettingsError(Exception):
    """A bad environment value; the message is one line naming the variable."""


class Settings(BaseSettings):
    # an empty variable is an unset one: docker-compose passes `${PARLEY_TELEGRAM_WEBHOOK_URL:-}` as ""
    model_config = SettingsConfigDict(env_prefix="PARLEY_", extra="ignore", case_sensitive=False,
                                      env_ignore_empty=True)

    #: repr=False: a postgresql:// URL carries the password.
    database_url: str = Field(default_factory=default_database_url, repr=False)
    #: PostgreSQL connections one instance may hold (SQLite has one).
    database_pool_size: int = Field(default=10, ge=2, le=200)
    #: Seconds after which a claim on a nudge is taken to belong to a dead instance and is taken over.
    claim_timeout: float = Field(default=120.0, gt=0)
    #: Days that sent outbox rows, finished events (dedup ids) and handled messages (edits) are kept; at
    #: least one, far beyond Telegram's and Slack's retry windows (minutes), so dedup stays correct.
    retention_days: int = Field(default=30, ge=1)
    default_language: str = "en"
    default_timezone: str = "UTC"
    log_level: str = "WARNING"
    #: ``text`` (one readable line per record) or ``json`` (one JSON object per line).
    log_format: Literal["text", "json"] = "text"

    telegram_token: SecretStr | None = None
    telegram_api_url: AnyHttpUrl = AnyHttpUrl("https://api.telegram.org")
    telegram_webhook_url: AnyHttpUrl | None = None
    telegram_webhook_secret: SecretStr | None = None

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: AnyHttpUrl = AnyHttpUrl("https://slack.com/api/")

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone name such as Europe/Chisinau") from None
        return value.strip()

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        value = value.strip().upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_format(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if value.startswith(("postgresql://", "postgres://")) and len(value.split("://", 1)[1]) > 0:
            try:
                urlsplit(value).port  # noqa: B018 (read for its check: "host:notaport" raises ValueError)
            except ValueError:
                raise ValueError("the port after the host must be a number, as in postgresql://USER:PASSWORD@HOST:5432/DATABASE") from None
            return value
        if not value.startswith("sqlite:///") or value == "sqlite:///":
            raise ValueError("must look like sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DATABASE")
        return value

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_token is not None and bool(self.telegram_token.get_secret_value())

    @property
    def slack_enabled(self) -> bool:
        """HTTP mode needs the signing secret to verify Slack; Socket Mode (app token) does not."""
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def slack_half_configured(self) -> bool:
        return bool(self.slack_bot_token) and not self.slack_enabled


def load_settings(**overrides: object) -> Settings:
    """Reads the environment; a bad value becomes one line naming the variable, not a traceback."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = "PARLEY_" + str(err["loc"][0]).upper() if err["loc"] else "PARLEY_*"
        raise SettingsError(f"{name}: {err['msg']}") from None
