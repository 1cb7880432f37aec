"""Slack's wire text in and Block Kit out, kept apart from the transport in `bot.adapters.slack`.

Inbound: Slack sends ``<@U1>``, ``<!channel>``, ``<url|label>`` and ``&lt;`` escapes; handlers get the
plain words. Outbound: replies become mrkdwn sections (escaped by `bot.markup`, so user words can never
ping ``@channel`` or forge a link) and buttons whose ``block_id`` names the owner of the message, so the
adapter can refuse somebody else's press before it reaches the core.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from bot.events import Choice, Reply
from bot.markup import split_message, to_slack_mrkdwn

#: Slack's limit for the text of one section block.
SECTION_LIMIT = 3000
#: Slack's limit for a button label (plain_text).
LABEL_LIMIT = 75
#: Slack's limit of elements in one actions block.
ACTIONS_PER_BLOCK = 25
#: Every Parley button's action_id starts with this; the value is the `Choice` id.
ACTION_PREFIX = "parley."
#: block_id of an actions block: ``pa:<owner user id>:<n>``.
BLOCK_PREFIX = "pa"

_TOKEN = re.compile(r"<([^<>]*)>")
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")


def inbound_text(raw: str, bot_user_id: str | None = None) -> str:
    """The words a person typed, from Slack's wire format (mentions, links and ``&amp;`` escapes resolved).

    A leading mention of the bot itself is dropped; any other special token becomes inert text such as
    ``@channel`` or ``#general``, so it is shown and never acted on when Parley quotes it back.
    """
    text = raw.strip()
    if bot_user_id:
        text = re.sub(rf"^\s*<@{re.escape(bot_user_id)}(\|[^>]*)?>[\s:,]*", "", text)

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (label.lstrip("@") or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            name = target[1:].split("^", 1)[0]
            if label:
                return label if name == "date" else "@" + label.lstrip("@")
            return "@" + name
        return label or target

    text = _TOKEN.sub(replace, text)
    return html.unescape(text).strip()


def mention(user_id: str) -> str:
    """A real Slack mention, only for ids Slack gave us (never for user-typed text)."""
    return f"<@{user_id}>" if _USER_ID.match(user_id) else ""


def _label(text: str) -> str:
    text = " ".join(text.split()) or "…"
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1] + "…"


def button(index: int, choice: Choice) -> dict[str, Any]:
    return {"type": "button", "action_id": f"{ACTION_PREFIX}{index}", "value": choice.id,
            "text": {"type": "plain_text", "text": _label(choice.label), "emoji": True}}


def actions_blocks(choices: Sequence[Choice], owner: str | None, *, tag: str = "") -> list[dict[str, Any]]:
    """Buttons in actions blocks of at most 25; the block_id carries the owner for the press check."""
    blocks = []
    for n in range(0, len(choices), ACTIONS_PER_BLOCK):
        chunk = choices[n:n + ACTIONS_PER_BLOCK]
        blocks.append({"type": "actions", "block_id": f"{BLOCK_PREFIX}:{owner or '-'}:{tag}{n // ACTIONS_PER_BLOCK}",
                       "elements": [button(n + i, c) for i, c in enumerate(chunk)]})
    return blocks


def block_owner(block_id: str | None) -> str | None:
    """The user a pressed message belongs to, from its actions block id; None when not ours or unowned."""
    parts = (block_id or "").split(":")
    if len(parts) >= 3 and parts[0] == BLOCK_PREFIX and parts[1] != "-":
        return parts[1]
    return None


def render(reply: Reply, owner: str | None, *, mention_user: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """A reply as (fallback text, blocks): mrkdwn sections, then its buttons."""
    body = to_slack_mrkdwn(reply.text).strip()
    if mention_user and mention(mention_user):
        body = f"{mention(mention_user)} {body}".strip()
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": part}}
        for part in split_message(body, SECTION_LIMIT) if part.strip()
    ]
    blocks += actions_blocks(reply.choices, owner)
    fallback = body[:SECTION_LIMIT] or " ".join(c.label for c in reply.choices)[:SECTION_LIMIT] or "…"
    return fallback, blocks


def closed_blocks(original: Sequence[dict[str, Any]] | None, note: str) -> list[dict[str, Any]]:
    """The pressed message without its buttons, plus the chosen answer, so a finished step can't replay."""
    kept = [b for b in (original or []) if b.get("type") != "actions"]
    text = to_slack_mrkdwn(note).strip()[:SECTION_LIMIT] or "✓"
    if not kept:
        return [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    return [*kept, {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}]


def plain_fallback(blocks: Sequence[dict[str, Any]]) -> str:
    """Notification text for an updated message: its section texts."""
    texts = [str(b.get("text", {}).get("text", "")) for b in blocks if b.get("type") == "section"]
    return "\n".join(t for t in texts if t)[:SECTION_LIMIT] or "…"
