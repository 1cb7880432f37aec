"""How cards and lists look in a reply, in the markup subset every adapter renders."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_timedelta

from content import Library
from content.models import Card

#: Quotation marks as each language prints them.
_QUOTES = {"en": ("“", "”"), "ru": ("«", "»"), "ro": ("„", "”")}


def card_text(lib: Library, card: Card, lang: str, *, full: bool = True) -> str:
    text = card.text(lang)
    lines = [f"**{text.title}**", text.summary]
    if not full:
        return "\n".join(lines)
    lines += ["", f"**{lib.t('card.when', lang)}** {text.when}", "", f"**{lib.t('card.steps', lang)}**"]
    lines += [f"{i}. {step}" for i, step in enumerate(text.steps, 1)]
    lines += ["", f"**{lib.t('card.say', lang)}**"]
    opening, closing = _QUOTES.get(lang, _QUOTES["en"])
    lines += [f"• {opening}{phrase}{closing}" for phrase in text.say]
    lines += ["", f"**{lib.t('card.avoid', lang)}**"]
    lines += [f"• {item}" for item in text.avoid]
    return "\n".join(lines)


#: How a moment reads inside a sentence, per language: "Fri 27 Nov, 18:00", "27 ноября в 18:00".
_WHEN_PATTERNS = {"en": "EEE d MMM, HH:mm", "ru": "d MMMM 'в' HH:mm", "ro": "EEEE, d MMMM, 'ora' HH:mm"}


def when_text(moment: datetime, tz: str, lang: str) -> str:
    """A moment shown in the user's zone and language, with Babel's month and day names."""
    local = moment.astimezone(ZoneInfo(tz))
    return format_datetime(local, _WHEN_PATTERNS.get(lang, _WHEN_PATTERNS["en"]), locale=lang)


def relative_text(moment: datetime, now: datetime, lang: str) -> str:
    """How far away a moment is, in words: "in 2 hours", "через 2 часа", "peste 2 ore"."""
    return format_timedelta(moment - now, locale=lang, add_direction=True, threshold=1.1)
