"""The small markup subset replies use, and its rendering per platform.

Replies carry ``**bold**`` and plain lines only. Text a user typed is passed through `user_text`
first so it can never open a bold run; each renderer then escapes for its platform, so a user can
neither inject HTML into Telegram nor make Slack ping ``@channel`` or forge a link.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

# the folds live on the ground floor (content.text); re-exported for the callers that know them here
from content.text import ro_circumflex as ro_circumflex
from content.text import strip_marks as strip_marks

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
#: Marks a star that came from a user, so renderers never treat it as markup.
_USER_STAR = "\u2217"


def clean_input(text: str) -> str:
    """Drops control and bidi-override characters a user may paste; keeps newlines and tabs."""
    return _CONTROL.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


def user_text(text: str) -> str:
    """User words made safe to put inside a reply's markup."""
    return clean_input(text).replace("*", _USER_STAR)


def _restore(text: str) -> str:
    return text.replace(_USER_STAR, "*")


def to_plain(text: str) -> str:
    return _restore(_BOLD.sub(r"\1", text))


def to_telegram_html(text: str) -> str:
    escaped = html.escape(text, quote=False)
    return _restore(_BOLD.sub(r"<b>\1</b>", escaped))


def slack_escape(text: str) -> str:
    """Slack's own three escapes: with them ``<!channel>`` and ``<http://x|y>`` are shown, not acted on."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_slack_mrkdwn(text: str) -> str:
    """Slack bold is one star; user stars stay as look-alikes there so they never pair up into bold."""
    return _BOLD.sub(r"*\1*", slack_escape(text))


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts two)."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int, length: Callable[[str], int] = len) -> list[str]:
    """Splits at paragraph, then line, then word boundaries so each part's ``length`` fits ``limit``."""
    if length(text) <= limit:
        return [text]
    parts: list[str] = []
    rest = text
    while length(rest) > limit:
        size = limit
        while length(rest[:size]) > limit:  # only when a unit is longer than one character
            size -= max(1, (length(rest[:size]) - limit) // 2)
        window = rest[:size]
        cut = window.rfind("\n\n")
        if cut < size // 3:
            cut = window.rfind("\n")
        if cut < size // 3:
            cut = window.rfind(" ")
        if cut < size // 3:
            cut = size
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest:
        parts.append(rest)
    return parts
