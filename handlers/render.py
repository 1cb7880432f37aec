"""How cards and lists look in a reply, in the markup subset every adapter renders."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import TIMEDELTA_UNITS, format_datetime, format_timedelta, get_day_names, get_month_names

from bot.clock import zone_or_utc
from bot.context import Context
from bot.events import Choice, Reply
from bot.store import Case
from content import Library, library
from content.models import Card
from handlers.buttons import WalkPress
from handlers.flow import flow_steps
from handlers.steps import Step

#: Quotation marks as each language prints them.
_QUOTES = {"en": ("“", "”"), "ru": ("«", "»"), "ro": ("„", "”")}


def quoted(phrase: str, lang: str) -> str:
    """A phrase in the language's quotation marks. Russian puts a sentence's full stop after the
    closing guillemet («…исправлю».), so a phrase ending in one full stop has it moved outside;
    "?", "!" and "…" stay inside, as they belong to the quote. A phrase already in the language's
    quotation marks is returned as it is."""
    opening, closing = _QUOTES.get(lang, _QUOTES["en"])
    if phrase.startswith(opening) and phrase.endswith(closing) and len(phrase) > 1:
        return phrase  # a title that is itself a quote («Вы же профессионалы») is not quoted twice
    if lang == "ru" and phrase.endswith(".") and not phrase.endswith(".."):
        return f"{opening}{phrase[:-1]}{closing}."
    return f"{opening}{phrase}{closing}"


def case_title(lib: Library, situation: str | None, lang: str) -> str:
    """A case's title: its situation's title, or the generic one when the situation is unknown."""
    if situation and situation in lib.situations:
        return lib.situations[situation].text(lang).title
    return lib.t("cases.untitled", lang)


def case_name(lib: Library, case_id: int, situation: str | None, lang: str) -> str:
    """A case as a sentence names it: number and quoted title ("#3 “The client is abusive”",
    "№ 3 «Клиент оскорбляет»", "nr. 3 „Clientul vă jignește”"). The title is quoted, so it keeps its
    capital letter wherever it stands in a sentence, and a reply that acts on a case says which one."""
    return f"{lib.t('case.number', lang, id=case_id)} {quoted(case_title(lib, situation, lang), lang)}"


def card_text(lib: Library, card: Card, lang: str, *, full: bool = True) -> str:
    """A card as a reply: title and summary, and with ``full`` the when, steps, phrases and don'ts."""
    text = card.text(lang)
    lines = [f"**{text.title}**", text.summary]
    if not full:
        return "\n".join(lines)
    # every label stands on its own line, so the text under it starts with its own capital letter
    lines += ["", f"**{lib.t('card.when', lang)}**", text.when, "", f"**{lib.t('card.steps', lang)}**"]
    lines += [f"{i}. {step}" for i, step in enumerate(text.steps, 1)]
    lines += ["", f"**{lib.t('card.say', lang)}**"]
    lines += [f"• {quoted(phrase, lang)}" for phrase in text.say]
    lines += ["", f"**{lib.t('card.avoid', lang)}**"]
    lines += [f"• {item}" for item in text.avoid]
    return "\n".join(lines)


#: How a moment reads inside a sentence, per language: "Fri 27 Nov, 18:00", "пт, 27 ноября, 18:00",
#: "vineri, 27 noiembrie, la ora 18:00". Every form names the weekday. The Russian and Romanian forms
#: start with a lower-case weekday (and the Romanian one takes no "pe" before it), so strings put
#: them mid-sentence or after a colon ("Vă întreb {when}: …", «Срок: {when}»), never first.
_WHEN_PATTERNS = {"en": "EEE d MMM, HH:mm", "ru": "EEE, d MMMM, HH:mm", "ro": "EEEE, d MMMM, 'la ora' HH:mm"}


def when_text(moment: datetime, tz: str, lang: str) -> str:
    """A moment shown in the user's zone and language, with Babel's month and day names."""
    local = moment.astimezone(ZoneInfo(tz))
    return format_datetime(local, _WHEN_PATTERNS.get(lang, _WHEN_PATTERNS["en"]), locale=lang)


def when_confirmed(ctx: Context, moment: datetime) -> str:
    """`when_text` for a confirmation of a time the user typed, with "today, " in front when it falls on
    the user's today: "this Monday" said on a Monday must not pass for next week's Monday."""
    shown = when_text(moment, ctx.user.tz, ctx.lang)
    zone = zone_or_utc(ctx.user.tz)
    if moment.astimezone(zone).date() == ctx.now.astimezone(zone).date():
        shown = ctx.t("followup.today", when=shown)
    return shown


#: How a moment reads in a message to the client, written out as a person writes it (no abbreviations):
#: "Tuesday, 1 December at 10:00" (strings put "on"/"by" before it), "во вторник, 1 декабря, в 10:00"
#: (the Russian form carries its own preposition, the weekday in the accusative), "marți, 1 decembrie,
#: la ora 10:00" (Romanian takes no "pe" before a weekday with its date).
_CLIENT_WHEN_PATTERNS = {"en": "EEEE, d MMMM 'at' H:mm", "ru": "d MMMM, 'в' H:mm",
                         "ro": "EEEE, d MMMM, 'la ora' H:mm"}


#: A time promised to the client is rounded up to this: "in an hour" typed at 5:19 is "6:30", not "6:19".
CLIENT_ROUNDING = timedelta(minutes=15)
#: A time later today, in a draft to the client: "today at 6:30 am", «сегодня в 6:30», "astăzi la ora 6:30".
_TODAY_PATTERNS = {"en": "'today at' h:mm a", "ru": "'сегодня в' H:mm", "ro": "'astăzi la ora' H:mm"}


def client_when(moment: datetime, tz: str, lang: str, now: datetime | None = None) -> str:
    """A moment (aware) for a draft the user sends to the client: in the user's zone, with the full
    weekday and month names from Babel (CLDR), in the form a person writes in a letter; see
    `_CLIENT_WHEN_PATTERNS`. Unlike `when_text` (a status line for the user) nothing is abbreviated.
    Russian puts the weekday in the accusative after «в»/«во» («в среду», «во вторник»).

    ``now`` (aware; a draft passes it): the moment is rounded up to the next `CLIENT_ROUNDING` (a
    promise to the client names no odd minute), and a moment on the same local day as ``now`` reads
    "today at 6:30 am" (`_TODAY_PATTERNS`; English strings that put "on" before the date drop it,
    see `handlers.flow_steps.filled`)."""
    local = moment.astimezone(ZoneInfo(tz))
    lang = lang if lang in _CLIENT_WHEN_PATTERNS else "en"
    if now is not None:
        local = _rounded_up(local, CLIENT_ROUNDING)
        if local.date() == now.astimezone(ZoneInfo(tz)).date():
            text = format_datetime(local, _TODAY_PATTERNS[lang], locale=lang)
            return text.replace("AM", "am").replace("PM", "pm")
    text = format_datetime(local, _CLIENT_WHEN_PATTERNS[lang], locale=lang)
    if lang != "ru":
        return text
    weekday = format_datetime(local, "EEEE", locale="ru")  # nominative: «среда», «вторник»
    accusative = weekday[:-1] + "у" if weekday.endswith("а") else weekday
    preposition = "во" if accusative.startswith("вт") else "в"
    return f"{preposition} {accusative}, {text}"


def _rounded_up(moment: datetime, step: timedelta) -> datetime:
    """``moment`` (aware) rounded up to a whole ``step`` of its hour: 6:19 is 6:30, 6:30 stays."""
    start = moment.replace(minute=0, second=0, microsecond=0)
    steps = -(-(moment - start) // step)  # ceiling division of timedeltas
    return start + steps * step


_MINUTE, _HOUR, _DAY = 60, 3600, 86400
#: The units a relative time is said in (Babel's names).
Unit = Literal["year", "month", "week", "day", "hour", "minute", "second"]
#: Babel's own lengths of its units, so that `format_timedelta` gives back exactly the count.
_UNIT_SECONDS: dict[str, int] = dict(TIMEDELTA_UNITS)


def spoken_span(seconds: float) -> tuple[Unit, int]:
    """Rounds a span (seconds, sign ignored) to the unit and count people would say.

    Seconds under a minute (at least 1: "in 10 seconds", never "in a minute" for a /followup 10s),
    minutes up to the hour, whole hours below two days (32 hours away is "in 32 hours", not "in 1 day"), days below two weeks except a whole week,
    weeks below two months, then months and years. Returns (Babel unit name, count >= 1).
    """
    span = abs(seconds)
    if round(span) < _MINUTE:
        return "second", max(1, round(span))
    minutes = round(span / _MINUTE)
    if minutes < 60:
        return "minute", minutes
    hours = round(span / _HOUR)
    if hours < 48:
        return "hour", hours
    days = round(span / _DAY)
    if days < 14 and days % 7:
        return "day", days
    if days < 60:
        return "week", round(days / 7)
    if days < 365:
        return "month", round(days / 30.44)
    return "year", max(1, round(days / 365.25))


def relative_text(moment: datetime, now: datetime, lang: str) -> str:
    """How far away a moment is, in words: "in 2 hours", "через 2 часа", "peste 2 ore".

    The count is rounded by `spoken_span`; Babel (CLDR) supplies the plural forms. A count of one
    reads as people say it ("in an hour", "через час", "peste o oră"), from the ``relative.*`` strings.
    """
    seconds = (moment - now).total_seconds()
    unit, count = spoken_span(seconds)
    direction = "future" if seconds >= 0 else "past"
    if count == 1:
        return library().t(f"relative.{direction}.{unit}", lang)
    sign = 1 if seconds >= 0 else -1
    span = timedelta(seconds=sign * count * _UNIT_SECONDS[unit])
    return format_timedelta(span, granularity=unit, threshold=float("inf"), add_direction=True, locale=lang)


def offer(ctx: Context, case: Case, alternatives: list[str], switch_to: str | None = None) -> Reply:
    """The situation's best card, the steps of its flow, "Walk me through it" and the next likely situations.

    ``switch_to``: the message was written in another language than the user's; offer to answer in it,
    at the top of the card in that language and as the second button.
    """
    assert case.situation is not None
    situation = ctx.lib.situations[case.situation]
    card = ctx.lib.cards[situation.cards[0]]
    # the title is quoted: it starts with a capital letter in the middle of the sentence
    steps = flow_steps(ctx.lib, case.situation, case.step, case.answers)
    walk = ctx.tn("conflict.flow", len(steps), steps="; ".join(ctx.t(f"step.{step}") for step in steps))
    deciding = next((s for s in steps if any(c.goto for c in getattr(ctx.lib.flows.steps.get(s), "choices", ()))), None)
    if deciding is not None:  # the total can change there: the counter later says so (walk.total_changed)
        walk += " " + ctx.t("conflict.flow_then", step=ctx.t(f"step.{deciding}"))
    text = "\n".join([ctx.t("conflict.recognised", situation=quoted(situation.text(ctx.lang).title, ctx.lang)), "",
                      card_text(ctx.lib, card, ctx.lang), "", walk])
    choices = [Choice(WalkPress(case.id, Step.OFFERED, "walk").pack(), ctx.t("conflict.walk"))]
    if switch_to is not None:  # first thing read and second button: in the language the user wrote in
        text = f"{ctx.lib.t('conflict.switch_hint', switch_to)}\n\n{text}"
        choices.append(Choice(WalkPress(case.id, Step.OFFERED, "lang", switch_to).pack(),
                              ctx.lib.t("conflict.in_language", switch_to)))
    for other in alternatives:
        title = ctx.lib.situations[other].text(ctx.lang).title
        choices.append(Choice(WalkPress(case.id, Step.OFFERED, "alt", other).pack(),
                              ctx.t("conflict.rather", situation=quoted(title, ctx.lang))))
    return Reply(text, choices=choices, case_id=case.id, anchor=True)


_WORD_RE = re.compile(r"[^\W\d_]+")
#: English month names that are also ordinary words ("you may", "march on", "august company"): capitalised
#: only beside a number ("may 12", "3 march").
_AMBIGUOUS_MONTHS = frozenset({"may", "march", "august"})


@cache
def _date_names(lang: str) -> dict[str, str]:
    """Folded month and weekday names of ``lang`` to their canonical form (Babel, CLDR), wide forms."""
    names = [*get_month_names("wide", locale=lang).values(), *get_day_names("wide", locale=lang).values()]
    return {name.casefold(): name for name in names}


def capitalise_dates(text: str, lang: str) -> str:
    """``text`` with month and weekday names written as ``lang`` writes them: in English, "may 12" and
    "friday" typed in lower case become "May 12" and "Friday" in a draft to the client (Babel's canonical
    names). Russian and Romanian write them in lower case, so their text is returned as it is. A month
    name that is also a common word is changed only next to a number."""
    if lang != "en":
        return text
    names = _date_names(lang)

    def canonical(found: re.Match[str]) -> str:
        word = found.group(0)
        name = names.get(word.casefold())
        if name is None or word == name:
            return word
        if word.casefold() in _AMBIGUOUS_MONTHS:
            before, after = text[:found.start()].rstrip(), text[found.end():].lstrip()
            if not (before[-1:].isdigit() or after[:1].isdigit()):
                return word
        return name

    return _WORD_RE.sub(canonical, text)
