"""Time expressions in en/ru/ro and quiet hours, against a fixed `now` and real IANA zones (DST included)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.timeparse import (
    DEFAULT_HOUR,
    END_OF_DAY_HOUR,
    deadline_in,
    find_deadline,
    next_allowed,
    parse_when,
    unread_time_words,
)

CHISINAU = "Europe/Chisinau"
NEW_YORK = "America/New_York"
#: Monday 23 November 2026, 12:00 in Chisinau (UTC+2).
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def local(text: str, *, now: datetime = NOW, tz: str = CHISINAU) -> tuple[str, str] | None:
    """The parsed moment as 'Www YYYY-MM-DD HH:MM' on the user's wall clock, and the note."""
    result = parse_when(text, now, tz)
    if result is None:
        return None
    moment, note = result
    assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
    return moment.astimezone(ZoneInfo(tz)).strftime("%a %Y-%m-%d %H:%M"), note


# (text, expected local time) — now is Mon 2026-11-23 12:00 in Chisinau.
FORMS = [
    # durations, en
    ("10s", "Mon 2026-11-23 12:00"),
    ("2h", "Mon 2026-11-23 14:00"),
    ("30m", "Mon 2026-11-23 12:30"),
    ("3d", "Thu 2026-11-26 12:00"),
    ("1w", "Mon 2026-11-30 12:00"),
    ("2 hours", "Mon 2026-11-23 14:00"),
    ("in 2 hours", "Mon 2026-11-23 14:00"),
    ("in an hour", "Mon 2026-11-23 13:00"),
    ("in half an hour", "Mon 2026-11-23 12:30"),
    ("1h30m", "Mon 2026-11-23 13:30"),
    ("2h30", "Mon 2026-11-23 14:30"),
    ("1ч15", "Mon 2026-11-23 13:15"),
    ("2 hours and 30 minutes", "Mon 2026-11-23 14:30"),
    ("in 2 days at 9", "Wed 2026-11-25 09:00"),
    ("in a week", "Mon 2026-11-30 12:00"),
    ("in 1 month", "Wed 2026-12-23 12:00"),
    # durations, ru
    ("через 2 часа", "Mon 2026-11-23 14:00"),
    ("через час", "Mon 2026-11-23 13:00"),
    ("через полчаса", "Mon 2026-11-23 12:30"),
    ("через 15 минут", "Mon 2026-11-23 12:15"),
    ("через 2 дня в 10", "Wed 2026-11-25 10:00"),
    ("через неделю утром", "Mon 2026-11-30 09:00"),
    ("через пару дней", "Wed 2026-11-25 12:00"),
    ("2ч", "Mon 2026-11-23 14:00"),
    ("cherez 2 chasa", "Mon 2026-11-23 14:00"),
    # durations, ro
    ("peste 2 ore", "Mon 2026-11-23 14:00"),
    ("peste o oră", "Mon 2026-11-23 13:00"),
    ("peste o ora", "Mon 2026-11-23 13:00"),
    ("într-o oră", "Mon 2026-11-23 13:00"),
    ("peste 20 de minute", "Mon 2026-11-23 12:20"),
    ("în 2 zile la 9", "Wed 2026-11-25 09:00"),
    ("peste 3 zile", "Thu 2026-11-26 12:00"),
    ("peste o săptămână", "Mon 2026-11-30 12:00"),
    # named days, en
    ("tomorrow", f"Tue 2026-11-24 {DEFAULT_HOUR:02}:00"),
    ("tomorrow 9:00", "Tue 2026-11-24 09:00"),
    ("tomorrow at 9am", "Tue 2026-11-24 09:00"),
    ("tomorrow 7pm", "Tue 2026-11-24 19:00"),
    ("9:00 tomorrow", "Tue 2026-11-24 09:00"),
    ("tomorrow morning", "Tue 2026-11-24 09:00"),
    ("day after tomorrow", "Wed 2026-11-25 10:00"),
    ("tonight", "Mon 2026-11-23 19:00"),
    ("today 18:00", "Mon 2026-11-23 18:00"),
    ("today", f"Mon 2026-11-23 {END_OF_DAY_HOUR}:00"),
    ("end of day", "Mon 2026-11-23 18:00"),
    ("by end of day", "Mon 2026-11-23 18:00"),
    ("next week", "Mon 2026-11-30 10:00"),
    ("end of the week", "Fri 2026-11-27 18:00"),
    # named days, ru
    ("завтра", "Tue 2026-11-24 10:00"),
    ("Завтра в 9", "Tue 2026-11-24 09:00"),
    ("завтра в 9:30", "Tue 2026-11-24 09:30"),
    ("завтра 18.00", "Tue 2026-11-24 18:00"),
    ("завтра до обеда", "Tue 2026-11-24 13:00"),
    ("завтра вечером", "Tue 2026-11-24 19:00"),
    ("завтра в 7 вечера", "Tue 2026-11-24 19:00"),
    ("послезавтра", "Wed 2026-11-25 10:00"),
    ("сегодня вечером", "Mon 2026-11-23 19:00"),
    ("конец дня", "Mon 2026-11-23 18:00"),
    ("к концу дня", "Mon 2026-11-23 18:00"),
    ("в 3 дня", "Mon 2026-11-23 15:00"),
    ("на следующей неделе", "Mon 2026-11-30 10:00"),
    ("к концу недели", "Fri 2026-11-27 18:00"),
    ("zavtra v 9", "Tue 2026-11-24 09:00"),
    ("poslezavtra", "Wed 2026-11-25 10:00"),
    # named days, ro (with and without diacritics)
    ("mâine la 10", "Tue 2026-11-24 10:00"),
    ("maine la 10", "Tue 2026-11-24 10:00"),
    ("Mâine dimineață", "Tue 2026-11-24 09:00"),
    ("mâine seară", "Tue 2026-11-24 19:00"),
    ("poimâine", "Wed 2026-11-25 10:00"),
    ("poimaine", "Wed 2026-11-25 10:00"),
    ("diseară", "Mon 2026-11-23 19:00"),
    ("azi la 17", "Mon 2026-11-23 17:00"),
    ("sfârșitul zilei", "Mon 2026-11-23 18:00"),
    ("până la sfârșitul zilei", "Mon 2026-11-23 18:00"),
    ("la 7 seara", "Mon 2026-11-23 19:00"),
    ("săptămâna viitoare", "Mon 2026-11-30 10:00"),
    # clock times
    ("18:00", "Mon 2026-11-23 18:00"),
    ("11:00", "Tue 2026-11-24 11:00"),  # passed today -> tomorrow
    ("at 3pm", "Mon 2026-11-23 15:00"),
    ("в 9.30", "Tue 2026-11-24 09:30"),
    ("до 18:00", "Mon 2026-11-23 18:00"),
    ("la ora 16", "Mon 2026-11-23 16:00"),
    ("at 5", "Mon 2026-11-23 17:00"),  # a bare 1-6 is afternoon
    # weekdays
    ("friday", "Fri 2026-11-27 10:00"),
    ("Friday 18:00", "Fri 2026-11-27 18:00"),
    ("by Friday 18:00", "Fri 2026-11-27 18:00"),
    ("on fri at 4pm", "Fri 2026-11-27 16:00"),
    ("monday", "Mon 2026-11-30 10:00"),  # today is Monday: the next one
    ("monday 15:00", "Mon 2026-11-30 15:00"),  # ... with an hour too (newcomer 3: one rule for both)
    ("this monday 15:00", "Mon 2026-11-23 15:00"),  # "this" names today while the time is still ahead
    ("vineri", "Fri 2026-11-27 10:00"),
    ("în vineri", "Fri 2026-11-27 10:00"),
    ("in vineri", "Fri 2026-11-27 10:00"),
    ("vinerea viitoare", "Fri 2026-11-27 10:00"),
    ("până vineri la 12", "Fri 2026-11-27 12:00"),
    ("marți", "Tue 2026-11-24 10:00"),
    ("sâmbătă", "Sat 2026-11-28 10:00"),
    ("в пятницу", "Fri 2026-11-27 10:00"),
    ("в пятницу в 18:00", "Fri 2026-11-27 18:00"),
    ("пятница", "Fri 2026-11-27 10:00"),
    ("до пятницы", "Fri 2026-11-27 10:00"),
    ("к пятнице", "Fri 2026-11-27 10:00"),
    ("во вторник", "Tue 2026-11-24 10:00"),
    ("в следующую среду", "Wed 2026-11-25 10:00"),
    ("v pyatnitsu", "Fri 2026-11-27 10:00"),
    ("do pyatnitsy", "Fri 2026-11-27 10:00"),
    # dates
    ("27.11", "Fri 2026-11-27 10:00"),
    ("27.11 15:00", "Fri 2026-11-27 15:00"),
    ("27.11.2026", "Fri 2026-11-27 10:00"),
    ("2026-11-27", "Fri 2026-11-27 10:00"),
    ("27 ноября", "Fri 2026-11-27 10:00"),
    ("27 ноября в 15:00", "Fri 2026-11-27 15:00"),
    ("27 noiembrie", "Fri 2026-11-27 10:00"),
    ("27 noiembrie la 15", "Fri 2026-11-27 15:00"),
    ("Nov 27", "Fri 2026-11-27 10:00"),
    ("November 27th at 3pm", "Fri 2026-11-27 15:00"),
    ("27 Nov", "Fri 2026-11-27 10:00"),
    ("11/27", "Fri 2026-11-27 10:00"),
    ("22.01", "Fri 2027-01-22 10:00"),  # passed this year -> next year
    ("5 декабря 2027", "Sun 2027-12-05 10:00"),
    ("27 noyabrya", "Fri 2026-11-27 10:00"),
]


@pytest.mark.parametrize(("text", "expected"), FORMS)
def test_forms(text: str, expected: str) -> None:
    assert local(text) == (expected, "")


@pytest.mark.parametrize(("text", "expected", "note"), [
    ("2h call the client back", "Mon 2026-11-23 14:00", "call the client back"),
    ("tomorrow 9:00 — send the invoice", "Tue 2026-11-24 09:00", "send the invoice"),
    ("завтра в 9 позвонить клиенту", "Tue 2026-11-24 09:00", "позвонить клиенту"),
    ("завтра 3 макета", "Tue 2026-11-24 10:00", "3 макета"),  # "3" is not an hour here
    ("mâine la 10, trimite factura", "Tue 2026-11-24 10:00", "trimite factura"),
    ("через 2 часа: проверить почту", "Mon 2026-11-23 14:00", "проверить почту"),
    ("Friday ask about the logo", "Fri 2026-11-27 10:00", "ask about the logo"),
])
def test_note_is_the_rest(text: str, expected: str, note: str) -> None:
    assert local(text) == (expected, note)


@pytest.mark.parametrize("text", [
    "", "hello", "call the client", "2 apples", "по пятницам", "tomorrowish", "9.30", "31.02", "25:00",
    "in the", "через", "soon", "99999999999999999999h", "in 9999999 days",
])
def test_unparseable(text: str) -> None:
    assert parse_when(text, NOW, CHISINAU) is None


def test_today_in_the_past_is_returned_for_the_caller_to_refuse() -> None:
    moment, _ = parse_when("today 9:00", NOW, CHISINAU)  # type: ignore[misc]
    assert moment < NOW


def test_other_zone_same_words() -> None:
    # 10:00 UTC is 05:00 in New York: "18:00" is still today there, "tomorrow" is the 24th.
    assert local("18:00", tz=NEW_YORK) == ("Mon 2026-11-23 18:00", "")
    assert local("tomorrow", tz="Asia/Tokyo") == ("Tue 2026-11-24 10:00", "")
    # 23:30 in Tokyo on the 23rd is already the 24th local: "tomorrow" is the 25th.
    late = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
    assert local("tomorrow", now=late, tz="Asia/Tokyo") == ("Wed 2026-11-25 10:00", "")


def test_unknown_zone_falls_back_to_utc() -> None:
    assert parse_when("tomorrow 9:00", NOW, "Mars/Olympus") == (datetime(2026, 11, 24, 9, 0, tzinfo=UTC), "")


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_when("2h", datetime(2026, 11, 23, 10), CHISINAU)


# -- DST ------------------------------------------------------------------------------------------

# Chisinau: 2026-03-29 02:00 -> 03:00 (00:00 UTC), 2026-10-25 03:00 -> 02:00 (00:00 UTC).
# New York: 2026-03-08 02:00 -> 03:00 (07:00 UTC), 2026-11-01 02:00 -> 01:00 (06:00 UTC).
SAT_BEFORE_SPRING_CHISINAU = datetime(2026, 3, 28, 10, 0, tzinfo=UTC)  # 12:00 EET
SAT_BEFORE_AUTUMN_CHISINAU = datetime(2026, 10, 24, 9, 0, tzinfo=UTC)  # 12:00 EEST
SAT_BEFORE_SPRING_NY = datetime(2026, 3, 7, 17, 0, tzinfo=UTC)  # 12:00 EST
SAT_BEFORE_AUTUMN_NY = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 12:00 EDT


@pytest.mark.parametrize(("now", "tz", "text", "expected_utc"), [
    # calendar steps keep the wall clock: the day is 23 h long in spring, 25 h in autumn
    (SAT_BEFORE_SPRING_CHISINAU, CHISINAU, "1d", datetime(2026, 3, 29, 9, 0, tzinfo=UTC)),
    (SAT_BEFORE_SPRING_CHISINAU, CHISINAU, "tomorrow 9:00", datetime(2026, 3, 29, 6, 0, tzinfo=UTC)),
    (SAT_BEFORE_SPRING_CHISINAU, CHISINAU, "завтра в 9", datetime(2026, 3, 29, 6, 0, tzinfo=UTC)),
    (SAT_BEFORE_AUTUMN_CHISINAU, CHISINAU, "1d", datetime(2026, 10, 25, 10, 0, tzinfo=UTC)),
    (SAT_BEFORE_AUTUMN_CHISINAU, CHISINAU, "mâine la 10", datetime(2026, 10, 25, 8, 0, tzinfo=UTC)),
    (SAT_BEFORE_SPRING_NY, NEW_YORK, "tomorrow 9:00", datetime(2026, 3, 8, 13, 0, tzinfo=UTC)),
    (SAT_BEFORE_SPRING_NY, NEW_YORK, "1d", datetime(2026, 3, 8, 16, 0, tzinfo=UTC)),
    (SAT_BEFORE_AUTUMN_NY, NEW_YORK, "tomorrow 9:00", datetime(2026, 11, 1, 14, 0, tzinfo=UTC)),
    (SAT_BEFORE_AUTUMN_NY, NEW_YORK, "1w", datetime(2026, 11, 7, 17, 0, tzinfo=UTC)),
    # hours are real hours, whatever the wall clock does
    (SAT_BEFORE_SPRING_CHISINAU, CHISINAU, "24h", datetime(2026, 3, 29, 10, 0, tzinfo=UTC)),
    (SAT_BEFORE_AUTUMN_NY, NEW_YORK, "24 hours", datetime(2026, 11, 1, 16, 0, tzinfo=UTC)),
    # a wall time the clocks skip means the moment they jump
    (SAT_BEFORE_SPRING_NY, NEW_YORK, "tomorrow 2:30", datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
    (SAT_BEFORE_SPRING_CHISINAU, CHISINAU, "tomorrow 2:30", datetime(2026, 3, 29, 0, 0, tzinfo=UTC)),
    # a repeated wall time means its first occurrence
    (SAT_BEFORE_AUTUMN_NY, NEW_YORK, "tomorrow 1:30", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
    (SAT_BEFORE_AUTUMN_CHISINAU, CHISINAU, "tomorrow 2:30", datetime(2026, 10, 24, 23, 30, tzinfo=UTC)),
])
def test_dst(now: datetime, tz: str, text: str, expected_utc: datetime) -> None:
    result = parse_when(text, now, tz)
    assert result is not None
    assert result[0] == expected_utc


# -- deadlines inside sentences -------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("redo the banner by Friday 18:00", "Fri 2026-11-27 18:00"),
    ("переделать баннер до пятницы 18:00", "Fri 2026-11-27 18:00"),
    ("refac bannerul până vineri la 18", "Fri 2026-11-27 18:00"),
    ("I'll send it tomorrow morning", "Tue 2026-11-24 09:00"),
    ("пришлю завтра до обеда", "Tue 2026-11-24 13:00"),
    ("I'll fix it in 3 days", "Thu 2026-11-26 12:00"),
    ("исправлю через 2 дня", "Wed 2026-11-25 12:00"),
    ("deadline 27 ноября", "Fri 2026-11-27 10:00"),
    ("by 27.11 please", "Fri 2026-11-27 10:00"),
    ("fix by end of day", "Mon 2026-11-23 18:00"),
    ("сделаю к 18:00", "Mon 2026-11-23 18:00"),
    ("отправлю в пн", "Mon 2026-11-30 10:00"),
    ("trimit peste 2 zile", "Wed 2026-11-25 12:00"),
    ("send it on Nov 27", "Fri 2026-11-27 10:00"),
    ("call him at 5.", "Mon 2026-11-23 17:00"),
])
def test_find_deadline(text: str, expected: str) -> None:
    moment = find_deadline(text, NOW, CHISINAU)
    assert moment is not None
    assert moment.astimezone(ZoneInfo(CHISINAU)).strftime("%a %Y-%m-%d %H:%M") == expected


@pytest.mark.parametrize("text", [
    "it takes 2 hours of work", "version 2.10 is out", "meet at 5 places", "we talked this morning",
    "sat on it", "I may 5 times", "the client is angry", "работа на 3 дня",
])
def test_find_deadline_ignores_non_deadlines(text: str) -> None:
    assert find_deadline(text, NOW, CHISINAU) is None


# -- quiet hours ----------------------------------------------------------------------------------


def at(tz: str, *args: int) -> datetime:
    """A wall-clock moment in ``tz`` as aware UTC."""
    return datetime(*args, tzinfo=ZoneInfo(tz)).astimezone(UTC)  # type: ignore[misc,arg-type]


@pytest.mark.parametrize(("moment", "start", "end", "expected"), [
    # wrapping midnight: 22:00-08:00
    (at(CHISINAU, 2026, 11, 23, 23, 30), "22:00", "08:00", at(CHISINAU, 2026, 11, 24, 8, 0)),
    (at(CHISINAU, 2026, 11, 23, 22, 0), "22:00", "08:00", at(CHISINAU, 2026, 11, 24, 8, 0)),
    (at(CHISINAU, 2026, 11, 24, 3, 0), "22:00", "08:00", at(CHISINAU, 2026, 11, 24, 8, 0)),
    (at(CHISINAU, 2026, 11, 24, 7, 59), "22:00", "08:00", at(CHISINAU, 2026, 11, 24, 8, 0)),
    (at(CHISINAU, 2026, 11, 24, 8, 0), "22:00", "08:00", at(CHISINAU, 2026, 11, 24, 8, 0)),
    (at(CHISINAU, 2026, 11, 24, 12, 0), "22:00", "08:00", at(CHISINAU, 2026, 11, 24, 12, 0)),
    (at(CHISINAU, 2026, 11, 24, 21, 59), "22:00", "08:00", at(CHISINAU, 2026, 11, 24, 21, 59)),
    # inside one day: 13:00-14:30
    (at(CHISINAU, 2026, 11, 24, 13, 15), "13:00", "14:30", at(CHISINAU, 2026, 11, 24, 14, 30)),
    (at(CHISINAU, 2026, 11, 24, 14, 30), "13:00", "14:30", at(CHISINAU, 2026, 11, 24, 14, 30)),
    (at(CHISINAU, 2026, 11, 24, 9, 0), "13:00", "14:30", at(CHISINAU, 2026, 11, 24, 9, 0)),
    # no quiet hours, half set, equal ends, unreadable values: no change
    (at(CHISINAU, 2026, 11, 24, 3, 0), None, None, at(CHISINAU, 2026, 11, 24, 3, 0)),
    (at(CHISINAU, 2026, 11, 24, 3, 0), "22:00", None, at(CHISINAU, 2026, 11, 24, 3, 0)),
    (at(CHISINAU, 2026, 11, 24, 3, 0), "08:00", "08:00", at(CHISINAU, 2026, 11, 24, 3, 0)),
    (at(CHISINAU, 2026, 11, 24, 3, 0), "late", "early", at(CHISINAU, 2026, 11, 24, 3, 0)),
    # DST nights: the quiet end is a wall time on the new offset
    (datetime(2026, 3, 28, 21, 0, tzinfo=UTC), "22:00", "08:00", datetime(2026, 3, 29, 5, 0, tzinfo=UTC)),
    (datetime(2026, 10, 24, 20, 0, tzinfo=UTC), "22:00", "08:00", datetime(2026, 10, 25, 6, 0, tzinfo=UTC)),
])
def test_quiet_hours_chisinau(moment: datetime, start: str | None, end: str | None, expected: datetime) -> None:
    assert next_allowed(moment, CHISINAU, start, end) == expected


def test_quiet_hours_new_york_dst() -> None:
    # 23:00 EST on Sat 7 March; quiet until 08:00 — which is already EDT (12:00 UTC, not 13:00).
    assert next_allowed(datetime(2026, 3, 8, 4, 0, tzinfo=UTC), NEW_YORK, "22:00", "08:00") == \
        datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    # 23:00 EDT on Sat 31 Oct; 08:00 on Sunday is EST (13:00 UTC).
    assert next_allowed(datetime(2026, 11, 1, 3, 0, tzinfo=UTC), NEW_YORK, "22:00", "08:00") == \
        datetime(2026, 11, 1, 13, 0, tzinfo=UTC)
    # A quiet end the clocks skip (02:30 on 8 March): allowed from the jump, 03:00 EDT.
    assert next_allowed(datetime(2026, 3, 8, 5, 0, tzinfo=UTC), NEW_YORK, "00:00", "02:30") == \
        datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    # In the repeated hour (second 01:15), quiet until 01:30 of the second pass.
    second_pass = datetime(2026, 11, 1, 6, 15, tzinfo=UTC)
    assert next_allowed(second_pass, NEW_YORK, "01:00", "01:30") == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


def test_pause_then_quiet_hours() -> None:
    moment = at(CHISINAU, 2026, 11, 23, 12, 0)
    paused = at(CHISINAU, 2026, 11, 25, 23, 0)
    assert next_allowed(moment, CHISINAU, None, None, paused) == paused
    assert next_allowed(moment, CHISINAU, "22:00", "08:00", paused) == at(CHISINAU, 2026, 11, 26, 8, 0)
    assert next_allowed(moment, CHISINAU, "22:00", "08:00", at(CHISINAU, 2026, 11, 1, 0, 0)) == moment


def test_quiet_hours_result_is_never_earlier() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for tz in (CHISINAU, NEW_YORK, "Asia/Kolkata", "Australia/Lord_Howe"):
        for step in range(0, 365 * 24 * 4, 7):
            moment = start + timedelta(minutes=15 * step)
            allowed = next_allowed(moment, tz, "22:30", "07:15")
            assert allowed >= moment
            wall = allowed.astimezone(ZoneInfo(tz)).time()
            assert not (wall.hour * 60 + wall.minute >= 22 * 60 + 30 or wall.hour * 60 + wall.minute < 7 * 60 + 15)


# -- several times in one sentence, parts of the day, typos, the old Romanian spelling (issue 15) ----


def deadline(text: str, *, now: datetime = NOW) -> str | None:
    moment = find_deadline(text, now, CHISINAU)
    return None if moment is None else moment.astimezone(ZoneInfo(CHISINAU)).strftime("%a %Y-%m-%d %H:%M")


@pytest.mark.parametrize(("text", "expected"), [
    # the reported ones
    ("Чиним корзину сегодня и даём неделю поддержки бесплатно, завтра к 18:00", "Tue 2026-11-24 18:00"),
    ("refacem pagina până sîmbătă la 18", "Sat 2026-11-28 18:00"),
    # a limit marker wins over an earlier or a later plain mention
    ("we fix the cart today and send the report tomorrow by 18:00", "Tue 2026-11-24 18:00"),
    ("by Wednesday the fix, we talk about it on Friday", "Wed 2026-11-25 10:00"),
    ("до среды исправим, а в пятницу созвонимся", "Wed 2026-11-25 10:00"),
    ("reparăm azi și trimitem raportul până joi la 12", "Thu 2026-11-26 12:00"),
    ("azi vorbim, refacem pagina pe vineri", "Fri 2026-11-27 10:00"),
    # no marker at all: the latest one
    ("today we call, tomorrow 15:00 the new version", "Tue 2026-11-24 15:00"),
    ("сегодня созвон, в пятницу 18:00 новая версия", "Fri 2026-11-27 18:00"),
    ("mâine vorbim, joi la 15 trimitem", "Thu 2026-11-26 15:00"),
    # several limits: the latest of them
    ("до среды макет, а к пятнице 18:00 всё", "Fri 2026-11-27 18:00"),
    # the old spelling, with and without marks
    ("refacem pagina până simbata la 18", "Sat 2026-11-28 18:00"),
    ("trimitem totul pînă mîine la 10", "Tue 2026-11-24 10:00"),
    ("gata în săptămîna viitoare", "Mon 2026-11-30 10:00"),
    ("gata până la sfîrșitul săptămînii", "Fri 2026-11-27 18:00"),
    # parts of the day
    ("сделаем завтра к обеду", "Tue 2026-11-24 13:00"),
    ("сделаем к вечеру", "Mon 2026-11-23 18:00"),
    ("пришлём ближе к вечеру", "Mon 2026-11-23 18:00"),
    ("пришлём завтра утром", "Tue 2026-11-24 09:00"),
    ("пришлём завтра днём", "Tue 2026-11-24 14:00"),
    ("пришлём завтра вечером", "Tue 2026-11-24 19:00"),
    ("trimitem mâine dimineața", "Tue 2026-11-24 09:00"),
    ("trimitem mâine la prânz", "Tue 2026-11-24 13:00"),
    ("trimitem mâine seara", "Tue 2026-11-24 19:00"),
    ("trimitem spre seară", "Mon 2026-11-23 18:00"),
    ("we send it first thing tomorrow", "Tue 2026-11-24 09:00"),
    ("we send it tomorrow by noon", "Tue 2026-11-24 12:00"),
    ("we send it by end of day tomorrow", "Tue 2026-11-24 18:00"),
    # typos and loose forms
    ("сделаем завтро к 18:00", "Tue 2026-11-24 18:00"),
    ("сделаем чрез 2 дня", "Wed 2026-11-25 12:00"),
    ("fixed by tomorow 9am", "Tue 2026-11-24 09:00"),
    ("gata până la sfarsitul saptamanii", "Fri 2026-11-27 18:00"),
    ("gata sapt viitoare", "Mon 2026-11-30 10:00"),
    ("we deliver on the 10th", "Thu 2026-12-10 10:00"),
    ("we deliver by the 25th 18:00", "Wed 2026-11-25 18:00"),
    ("сдадим до 10 числа", "Thu 2026-12-10 10:00"),
    ("сдадим к 10 числу", "Thu 2026-12-10 10:00"),
    ("переделаем к 10-му числу", "Thu 2026-12-10 10:00"),
    ("trimit peste vreo două ore", "Mon 2026-11-23 14:00"),
    ("пришлю примерно через 3 часа", "Mon 2026-11-23 15:00"),
    ("done by fridya", "Fri 2026-11-27 10:00"),
])
def test_deadline_among_several_times(text: str, expected: str) -> None:
    assert deadline(text) == expected


@pytest.mark.parametrize("text", [
    "после завтрака позвоню", "we watched the match", "the sundae was melted", "их было четверо",
    "we talked this morning", "вечерок был тяжёлый", "scara blocului", "money is tight",
])
def test_typo_tolerance_does_not_invent_times(text: str) -> None:
    assert deadline(text) is None


def test_today_without_an_hour_is_the_end_of_the_day_never_now() -> None:
    late = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)  # 19:30 in Chisinau, after the end of the day
    moment = find_deadline("сделаем сегодня", late, CHISINAU)
    assert moment is not None and moment != late
    assert moment.astimezone(ZoneInfo(CHISINAU)).strftime("%H:%M") == "18:00"  # in the past: the caller asks
    assert deadline("сделаем сегодня") == "Mon 2026-11-23 18:00"


def test_deadline_in_reports_the_words_used_and_the_rest() -> None:
    found = deadline_in("Чиним корзину сегодня и даём неделю поддержки бесплатно, завтра к 18:00", NOW, CHISINAU)
    assert found is not None
    assert found.used.words == "завтра к 18:00" and found.used.limit
    assert [t.words for t in found.others] == ["сегодня"]


@pytest.mark.parametrize(("text", "expected", "note"), [
    ("завтра к обеду", "Tue 2026-11-24 13:00", ""),
    ("завтра к обеду позвонить", "Tue 2026-11-24 13:00", "позвонить"),
    ("завтро в 10", "Tue 2026-11-24 10:00", ""),
    ("чрез 2 часа", "Mon 2026-11-23 14:00", ""),
    ("tomorow 9am call", "Tue 2026-11-24 09:00", "call"),
    ("sîmbătă", "Sat 2026-11-28 10:00", ""),
    ("simbata la 18", "Sat 2026-11-28 18:00", ""),
    ("săptămîna viitoare", "Mon 2026-11-30 10:00", ""),
    ("mîine la prînz", "Tue 2026-11-24 13:00", ""),
    ("peste vreo două ore", "Mon 2026-11-23 14:00", ""),
    ("on the 10th", "Thu 2026-12-10 10:00", ""),
    ("tomorrow first thing", "Tue 2026-11-24 09:00", ""),
    ("вечером", "Mon 2026-11-23 19:00", ""),
    ("к вечеру", "Mon 2026-11-23 18:00", ""),
])
def test_parse_when_parts_typos_and_old_spelling(text: str, expected: str, note: str) -> None:
    assert local(text) == (expected, note)


@pytest.mark.parametrize(("note", "flagged"), [
    ("позвонить клиенту", None), ("call the client", None),
    ("ближе к ночи", "ближе к ночи"), ("la ora prânzului", "la ora prânzului"), ("around 5ish call", "around 5ish call"),
])
def test_unread_time_words(note: str, flagged: str | None) -> None:
    assert unread_time_words(note) == flagged


@pytest.mark.parametrize(("now_local", "delta_days", "expected"), [
    ("00:51", 1, "10:00"), ("23:30", 3, "10:00"), ("07:59", 1, "10:00"), ("21:00", 1, "10:00"),
    ("08:00", 1, "08:00"), ("14:30", 1, "14:30"), ("20:59", 7, "20:59"),
])
def test_whole_days_later_never_land_at_night(now_local: str, delta_days: int, expected: str) -> None:
    """Snoozes, "satisfied?" checks and "in N days" keep the clock time, but not a night-time one."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from handlers.timeparse import later

    zone = ZoneInfo("Europe/Chisinau")
    hour, minute = map(int, now_local.split(":"))
    now = datetime(2026, 11, 30, hour, minute, tzinfo=zone)
    due = later(now, timedelta(days=delta_days), "Europe/Chisinau").astimezone(zone)
    assert due.date() == (now + timedelta(days=delta_days)).date()
    assert due.strftime("%H:%M") == expected


@pytest.mark.parametrize(("text", "lang"), [("in 3 days", "en"), ("через 3 дня", "ru"), ("через неделю", "ru"),
                                            ("in a week", "en"), ("peste 3 zile", "ro")])
def test_in_n_days_typed_at_night_means_daytime(text: str, lang: str) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Chisinau")
    now = datetime(2026, 11, 30, 0, 51, tzinfo=zone)
    parsed = parse_when(text, now.astimezone(UTC), "Europe/Chisinau", lang)
    assert parsed is not None
    assert parsed[0].astimezone(zone).strftime("%H:%M") == "10:00"


@pytest.mark.parametrize(("text", "lang"), [("yesterday", "en"), ("вчера в 10", "ru"), ("ieri la 9", "ro")])
def test_yesterday_is_read_as_a_past_day(text: str, lang: str) -> None:
    """So /followup can say it is in the past instead of "couldn't read a time"."""
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    parsed = parse_when(text, now, "UTC", lang)
    assert parsed is not None and parsed[0] < now and parsed[0].date().day == 29


@pytest.mark.parametrize(("text", "expected"), [
    # NOW is Mon 2026-11-23 in Chisinau: "the end of the month" is the last day of November at 18:00
    ("end of the month", "Mon 2026-11-30 18:00"),
    ("by the end of the month", "Mon 2026-11-30 18:00"),
    ("end of January", "Sun 2027-01-31 18:00"),
    ("end of jan 12:00", "Sun 2027-01-31 12:00"),
    ("by the end of February", "Sun 2027-02-28 18:00"),
    ("end of November", "Mon 2026-11-30 18:00"),
    ("к концу месяца", "Mon 2026-11-30 18:00"),
    ("до конца января", "Sun 2027-01-31 18:00"),
    ("в конце декабря", "Thu 2026-12-31 18:00"),
    ("конец февраля", "Sun 2027-02-28 18:00"),
    ("până la sfârșitul lunii", "Mon 2026-11-30 18:00"),
    ("la sfarsitul lunii ianuarie", "Sun 2027-01-31 18:00"),
    ("sfârșitul lui decembrie", "Thu 2026-12-31 18:00"),
    ("finalul lunii", "Mon 2026-11-30 18:00"),
])
def test_end_of_a_month(text: str, expected: str) -> None:
    assert local(text) == (expected, "")


def test_end_of_the_month_on_its_last_evening_is_next_month() -> None:
    last_evening = datetime(2026, 11, 30, 19, 0, tzinfo=UTC)  # 21:00 in Chisinau, past 18:00
    moment, _ = parse_when("end of the month", last_evening, CHISINAU)  # type: ignore[misc]
    assert moment.astimezone(ZoneInfo(CHISINAU)).strftime("%Y-%m-%d %H:%M") == "2026-12-31 18:00"


# -- "now" is a time: a reminder due now is sent at once ---------------------------------------------


@pytest.mark.parametrize("text", ["now", "Now!", "right now", "сейчас", "Прямо сейчас", "acum", "chiar acum",
                                  "immediately", "немедленно", "imediat"])
def test_now_words_are_now(text: str) -> None:
    parsed = parse_when(text, NOW, CHISINAU)
    assert parsed is not None and NOW < parsed[0] <= NOW + timedelta(seconds=5) and parsed[1] == ""
    found = deadline_in(text, NOW, CHISINAU)
    assert found is not None and NOW < found.used.when <= NOW + timedelta(seconds=5)
    assert found.used.words == text


def test_now_then_a_note_is_now_with_that_note() -> None:
    assert parse_when("now: call them", NOW, CHISINAU) == (NOW + timedelta(seconds=1), "call them")
    assert parse_when("сейчас, позвонить", NOW, CHISINAU) == (NOW + timedelta(seconds=1), "позвонить")


@pytest.mark.parametrize("text", ["now he says he will not pay", "сейчас он молчит", "acum nu mai răspunde",
                                  "nowhere", "acumulat"])
def test_now_inside_a_sentence_is_no_time(text: str) -> None:
    """In a sentence "now" is the present of a story, not a deadline: a time step would take it as the answer."""
    assert deadline_in(text, NOW, CHISINAU) is None
