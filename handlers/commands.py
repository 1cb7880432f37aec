"""The simple commands: start, help, cards, card, check, lang, tz, quiet, forget."""

from __future__ import annotations

import dataclasses
import difflib
import re
from datetime import timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.events import Choice, Event, Reply
from bot.markup import strip_marks, user_text
from bot.store import Case, HandledMessage
from content.text import LANGUAGE_NAMES, LANGUAGES
from handlers import typed, walkthrough
from handlers.buttons import ConflictPress, ForgetPress, MenuPress
from handlers.context import Context
from handlers.render import card_text
from handlers.router import Router

router = Router("commands")


@router.command("start", "help")
async def help_(event: Event, ctx: Context, args: str) -> list[Reply]:
    return [Reply(ctx.t("help.text"), choices=[Choice(ConflictPress("menu").pack(), ctx.t("help.pick_situation")),
                                               Choice(MenuPress("cards").pack(), ctx.t("help.browse_cards"))])]


@router.command("cards")
async def cards(event: Event, ctx: Context, args: str) -> list[Reply]:
    lines = [f"**{ctx.t('cards.title')}**"]
    shown: set[str] = set()
    for situation in ctx.lib.situations.values():
        lines.append("")
        lines.append(f"**{situation.text(ctx.lang).title}**")
        for card_id in situation.cards[:3]:
            card = ctx.lib.cards[card_id]
            lines.append(f"• {card.text(ctx.lang).title} — /card {card.id}")
            shown.add(card_id)
    rest = [c for c in ctx.lib.cards.values() if c.id not in shown]
    if rest:
        lines += ["", f"**{ctx.t('cards.more')}**"]
        lines += [f"• {c.text(ctx.lang).title} — /card {c.id}" for c in rest]
    lines += ["", ctx.t("cards.hint")]
    return [Reply("\n".join(lines))]


@router.command("card")
async def card(event: Event, ctx: Context, args: str) -> list[Reply]:
    if not args:
        return [Reply(ctx.t("card.usage"))]
    found = ctx.lib.card_for_words(args, ctx.lang)
    if found is None:
        return [Reply(ctx.t("card.not_found", query=user_text(args[:80])))]
    return [Reply(card_text(ctx.lib, found, ctx.lang))]


@router.button(MenuPress)
async def menu_button(event: Event, ctx: Context, press: MenuPress) -> list[Reply]:
    if press.what == "cards":
        return [Reply(ctx.t("cards.opened"), close_origin=True), *(await cards(event, ctx, ""))]
    if press.what == "card" and press.arg in ctx.lib.cards:
        return [Reply(card_text(ctx.lib, ctx.lib.cards[press.arg], ctx.lang))]
    if press.what == "lang" and press.arg in LANGUAGES:
        await ctx.set_language(press.arg)
        return [Reply(ctx.t("lang.set", name=LANGUAGE_NAMES[press.arg]), close_origin=True),
                *(await walkthrough.waiting_prompt(event, ctx))]
    return [Reply(ctx.t("button.stale"), private=True)]


@router.command("check")
async def check(event: Event, ctx: Context, args: str) -> list[Reply]:
    if not args:
        return [Reply(ctx.t("check.usage"))]
    from handlers.check import check_draft, render_check

    return [Reply(render_check(check_draft(args), ctx.lang))]


@router.command("lang", "language")
async def lang(event: Event, ctx: Context, args: str) -> list[Reply]:
    wanted = args.strip().lower()[:2]
    if wanted in LANGUAGES:
        await ctx.set_language(wanted)
        return [Reply(ctx.t("lang.set", name=LANGUAGE_NAMES[wanted])), *(await walkthrough.waiting_prompt(event, ctx))]
    intro = ctx.t("lang.unknown", code=user_text(args.strip()[:20])) if args.strip() else ctx.t("lang.pick")
    return [Reply(intro, choices=[Choice(MenuPress("lang", code).pack(), LANGUAGE_NAMES[code]) for code in LANGUAGES])]


@cache
def _zones() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?00)?$")


def find_zone(text: str) -> str | None:
    """An IANA zone from what a user typed: exact, case-insensitive, a city ("chisinau"), or a whole-hour
    offset ("UTC+3", "+03:00"), which becomes IANA's fixed ``Etc/GMT-3`` (POSIX signs are inverted;
    a fixed offset has no summer time, so a city is better where it exists)."""
    key = text.strip().replace(" ", "_").lower()
    if not key:
        return None
    offset = _OFFSET.match(key.replace("_", ""))
    if offset:
        sign, hours = offset.group(1), int(offset.group(2))
        if hours == 0:
            return "UTC"
        if (sign == "+" and hours <= 14) or (sign == "-" and hours <= 12):
            return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
        return None
    zones = _zones()
    if key in zones:
        return zones[key]
    key = strip_marks(key)
    key = _CITY_ALIASES.get(key, key)
    for lower, name in zones.items():
        if lower.rsplit("/", 1)[-1] == key:
            return name
    return None


#: City names as our users write them in Russian and Romanian (keys without diacritics: input is folded
#: first), for the zones IANA names in English.
_CITY_ALIASES = {
    "москва": "moscow", "кишинев": "chisinau", "кишинэу": "chisinau", "киев": "kyiv", "киів": "kyiv",
    "минск": "minsk", "бухарест": "bucharest", "санкт-петербург": "moscow", "петербург": "moscow",
    "одесса": "kyiv", "тирасполь": "chisinau", "калининград": "kaliningrad", "самара": "samara",
    "екатеринбург": "yekaterinburg", "новосибирск": "novosibirsk", "лондон": "london", "берлин": "berlin",
    "париж": "paris", "рига": "riga", "вильнюс": "vilnius", "таллин": "tallinn", "варшава": "warsaw",
    "нью-йорк": "new_york", "стамбул": "istanbul", "тбилиси": "tbilisi", "ереван": "yerevan",
    "алматы": "almaty", "ташкент": "tashkent", "дубай": "dubai",
    "bucuresti": "bucharest", "londra": "london", "moscova": "moscow", "roma": "rome", "viena": "vienna",
    "varsovia": "warsaw",
}


_FIXED_OFFSET = re.compile(r"Etc/GMT([+-])(\d{1,2})")


def zone_label(zone: str) -> str:
    """A zone as people write it: IANA's fixed ``Etc/GMT-3`` (POSIX signs, inverted) is "UTC+3";
    any other name is shown as it is."""
    fixed = _FIXED_OFFSET.fullmatch(zone)
    if fixed is None:
        return zone
    return f"UTC{'+' if fixed.group(1) == '-' else '-'}{int(fixed.group(2))}"


@router.command("tz", "timezone")
async def tz(event: Event, ctx: Context, args: str) -> list[Reply]:
    if not args:
        return [Reply(ctx.t("tz.current", tz=zone_label(ctx.user.tz)))]
    zone = find_zone(args)
    if zone is None:
        guesses = difflib.get_close_matches(args.strip().replace(" ", "_").lower(), list(_zones()), n=3)
        names = ", ".join(_zones()[g] for g in guesses) or "Europe/Chisinau, Europe/Moscow, America/New_York"
        return [Reply(ctx.t("tz.unknown", tz=user_text(args[:60]), examples=names))]
    try:
        ZoneInfo(zone)
    except ZoneInfoNotFoundError:
        return [Reply(ctx.t("tz.unknown", tz=user_text(args[:60]), examples="Europe/Chisinau"))]
    ctx.user.tz = zone
    await ctx.store.save_user(ctx.user)
    return [Reply(ctx.t("tz.set", tz=zone_label(zone)))]


_QUIET = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*[-–—]\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*$",
                    re.IGNORECASE)
_PAUSE = {"pause", "пауза", "pauză", "pauza"}
_RESUME = {"resume", "продолжить", "reia", "reluare"}
_OFF = {"off", "none", "нет", "выкл", "откл", "nu", "oprit", "dezactivat"}


def _clock_hour(hour: int, half: str | None) -> int | None:
    """A 24-hour hour from "10" or "10pm"; None for what no clock shows ("13pm", "0am")."""
    if half is None:
        return hour if hour <= 23 else None
    if not 1 <= hour <= 12:
        return None
    return hour % 12 + (12 if half.lower() == "pm" else 0)


def parse_quiet(text: str) -> tuple[str, str] | None:
    """Quiet hours from "22:00-08:00", "22-8" or "10pm-7am": ("HH:MM", "HH:MM"); None if unreadable or empty."""
    match = _QUIET.match(text)
    if not match:
        return None
    h1, m1, half1, h2, m2, half2 = match.groups()
    start, end = _clock_hour(int(h1), half1), _clock_hour(int(h2), half2)
    minute1, minute2 = int(m1 or 0), int(m2 or 0)
    if start is None or end is None or minute1 > 59 or minute2 > 59 or (start, minute1) == (end, minute2):
        return None
    return f"{start:02d}:{minute1:02d}", f"{end:02d}:{minute2:02d}"


@router.command("quiet")
async def quiet(event: Event, ctx: Context, args: str) -> list[Reply]:
    if not args:
        if ctx.user.paused_until and ctx.user.paused_until > ctx.now:
            from handlers.render import when_text

            return [Reply(ctx.t("quiet.paused", when=when_text(ctx.user.paused_until, ctx.user.tz, ctx.lang)))]
        if ctx.user.quiet_start:
            return [Reply(ctx.t("quiet.current", start=ctx.user.quiet_start, end=ctx.user.quiet_end))]
        return [Reply(ctx.t("quiet.none"))]
    head, _, rest = args.strip().partition(" ")
    if head.lower() in _PAUSE:
        from handlers.render import when_text
        from handlers.timeparse import parse_when

        parsed_until = parse_when(rest or "1d", ctx.now, ctx.user.tz, ctx.lang)
        if parsed_until is None or parsed_until[0] <= ctx.now:
            return [Reply(ctx.t("quiet.usage"))]
        ctx.user.paused_until = parsed_until[0]
        await ctx.store.save_user(ctx.user)
        return [Reply(ctx.t("quiet.paused", when=when_text(parsed_until[0], ctx.user.tz, ctx.lang)))]
    if head.lower() in _RESUME:
        ctx.user.paused_until = None
        await ctx.store.save_user(ctx.user)
        return [Reply(ctx.t("quiet.resumed"))]
    if args.strip().lower() in _OFF:
        ctx.user.quiet_start = ctx.user.quiet_end = None
        await ctx.store.save_user(ctx.user)
        return [Reply(ctx.t("quiet.off"))]
    parsed = parse_quiet(args)
    if parsed is None:
        return [Reply(ctx.t("quiet.usage"))]
    ctx.user.quiet_start, ctx.user.quiet_end = parsed
    await ctx.store.save_user(ctx.user)
    return [Reply(ctx.t("quiet.set", start=parsed[0], end=parsed[1], tz=zone_label(ctx.user.tz)))]


#: How long /forget's question waits for a typed yes or no; a "yes" typed later deletes nothing.
FORGET_WAITS = timedelta(minutes=10)
#: The `HandledMessage` that notes /forget's question waiting (``effect`` "forget-asked" until answered).
_FORGET_MARK = "forget-question:{user}"


@router.command("forget")
async def forget(event: Event, ctx: Context, args: str) -> list[Reply]:
    here = await walkthrough.active_case(event, ctx)  # a typed yes is /forget's only while this case stays as it is
    await ctx.store.remember_message(HandledMessage(
        platform=event.platform, chat_id=event.chat_id, message_id=_FORGET_MARK.format(user=event.user_id),
        user_id=event.user_id, effect="forget-asked", case_id=here.id if here else None,
        case_seen=here.updated_at if here else None, at=ctx.now), replace=True)
    return [Reply(ctx.t("forget.confirm"), choices=[Choice(ForgetPress("yes").pack(), ctx.t("forget.yes")),
                                                    Choice(ForgetPress("no").pack(), ctx.t("forget.no"))])]


async def forget_typed(event: Event, ctx: Context, text: str, here: Case | None) -> list[Reply] | None:
    """A typed answer to /forget's question: yes/no words («да», "nu", "sure") or a button's label typed
    ("Yes, delete everything"), in any of the three languages, acts as the press; None when ``text`` is
    no such answer or no question waits: none asked in this chat, asked more than `FORGET_WAITS` ago,
    already answered, or a case here moved on since (the yes then belongs to it)."""
    labels = [(ctx.lib.t(f"forget.{answer}", lang), answer) for answer in ("yes", "no") for lang in LANGUAGES]
    index = typed.close_label(text, [label for label, _ in labels])
    answer = labels[index][1] if index is not None else typed.yes_no(text)
    if answer is None:
        return None
    mark = await ctx.store.handled_message(event.platform, event.chat_id, _FORGET_MARK.format(user=event.user_id))
    if (mark is None or mark.effect != "forget-asked" or ctx.now - mark.at > FORGET_WAITS
            or (here is not None and (here.id, here.updated_at) != (mark.case_id, mark.case_seen))):
        return None
    replies = await forget_button(event, ctx, ForgetPress(answer))
    return [dataclasses.replace(r, close_origin=False) for r in replies]


async def _forget_answered(event: Event, ctx: Context) -> None:
    await ctx.store.remember_message(HandledMessage(
        platform=event.platform, chat_id=event.chat_id, message_id=_FORGET_MARK.format(user=event.user_id),
        user_id=event.user_id, effect="forget-answered", at=ctx.now), replace=True)


@router.button(ForgetPress)
async def forget_button(event: Event, ctx: Context, press: ForgetPress) -> list[Reply]:
    await _forget_answered(event, ctx)
    if press.answer == "yes":
        lang_now = ctx.lang
        await ctx.store.cancel_user_nudges(event.platform, event.user_id)
        await ctx.store.forget_user(event.platform, event.user_id)
        return [Reply(ctx.lib.t("forget.done", lang_now), close_origin=True)]
    return [Reply(ctx.t("forget.kept"), close_origin=True)]
