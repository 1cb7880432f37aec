"""`parley slack-manifest`: the Slack app manifest, so installing Parley is one paste.

With ``--url BASE`` the manifest points commands, events and interactivity at ``BASE/slack/events``
(HTTP mode); without it the app is set up for Socket Mode, which needs no public URL. The scopes are
the least Parley needs: post and update its messages, read the threads and DMs it takes part in,
open a DM from App Home, and read a user's locale for the first language guess.
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.settings import SettingsError

EVENTS_PATH = "/slack/events"

BOT_SCOPES = [
    "app_mentions:read",   # @Parley in a channel
    "channels:history",    # the owner's replies in a case thread (public channels)
    "groups:history",      # ... private channels
    "mpim:history",        # ... group DMs
    "im:history",          # direct messages to Parley
    "im:write",            # conversations.open for buttons pressed in App Home
    "chat:write",          # post the card, the steps and the nudges; update pressed messages
    "chat:write.public",   # /conflict in a public channel Parley was not invited to
    "commands",            # /conflict and /parley
    "users:read",          # users.info: the locale, for the first language guess
]

BOT_EVENTS = ["app_home_opened", "app_mention", "message.channels", "message.groups", "message.im", "message.mpim"]


def _events_url(url: str) -> str:
    base = url.strip().rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise SettingsError(f"--url must be the public base URL of `parley run`, like https://parley.example.com "
                            f"(got {url!r})")
    return base if base.endswith(EVENTS_PATH) else base + EVENTS_PATH


def manifest(url: str | None = None) -> dict[str, Any]:
    """The manifest as data; `manifest_yaml` prints it."""
    events_url = _events_url(url) if url else None
    commands: list[dict[str, Any]] = [
        {"command": "/conflict", "description": "Work through a conflict with a client, step by step",
         "usage_hint": "[what happened, in a few words]", "should_escape": False},
        {"command": "/parley", "description": "Cards, your cases, follow-ups, draft check and settings",
         "usage_hint": "help | cards | card NAME | cases | followup WHEN [note] | check DRAFT | lang | tz | quiet | forget",
         "should_escape": False},
    ]
    if events_url:
        for command in commands:
            command["url"] = events_url
    event_subscriptions: dict[str, Any] = {"bot_events": BOT_EVENTS}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if events_url:
        event_subscriptions = {"request_url": events_url, **event_subscriptions}
        interactivity["request_url"] = events_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Parley",
            "description": "Coaches you through conflicts with clients, one step at a time, and follows up.",
            "background_color": "#2f3b52",
        },
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": False},
            "bot_user": {"display_name": "Parley", "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": BOT_SCOPES}},
        "settings": {
            "event_subscriptions": event_subscriptions,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": events_url is None,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(url: str | None = None) -> str:
    """YAML to paste at api.slack.com/apps -> Create New App -> From a manifest."""
    mode = f"HTTP: Slack sends everything to {_events_url(url)}" if url else (
        "Socket Mode (no public URL): set PARLEY_SLACK_APP_TOKEN to an app-level token with connections:write")
    header = f"# Parley Slack app manifest. Mode: {mode}\n"
    return header + yaml.safe_dump(manifest(url), sort_keys=False, allow_unicode=True, width=120).rstrip("\n")
