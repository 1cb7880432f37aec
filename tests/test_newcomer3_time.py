"""Newcomer report 3, times: which day a weekday names (never today after "next"; a bare weekday is the
next such day after today, with or without an hour; "this" may mean today), in en, ru and ro, in
/followup and in walkthrough answers."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core import Core
from handlers.timeparse import parse_when
from tests.conftest import FixedClock
from tests.test_flow_drafts import current, speaker, start

#: Monday 30 November 2026, 05:10 UTC: the newcomer's clock.
MONDAY = datetime(2026, 11, 30, 5, 10, tzinfo=UTC)


def day_of(text: str, tz: str = "UTC") -> str:
    result = parse_when(text, MONDAY, tz)
    assert result is not None, text
    return result[0].astimezone(ZoneInfo(tz)).strftime("%a %d %b %H:%M")


NEXT_WEEK_MONDAY = [
    # "next <weekday>": never today
    ("next monday 10am", "Mon 07 Dec 10:00"),
    ("next monday", "Mon 07 Dec 10:00"),
    ("next Monday at 15:00", "Mon 07 Dec 15:00"),
    ("coming monday 9:00", "Mon 07 Dec 09:00"),
    ("в следующий понедельник утром", "Mon 07 Dec 09:00"),
    ("в следующий понедельник", "Mon 07 Dec 10:00"),
    ("в следующий понедельник в 10", "Mon 07 Dec 10:00"),
    ("до следующего понедельника", "Mon 07 Dec 10:00"),
    ("lunea viitoare", "Mon 07 Dec 10:00"),
    ("luni viitoare la 10", "Mon 07 Dec 10:00"),
    ("lunea viitoare dimineața", "Mon 07 Dec 09:00"),
    # a bare weekday equal to today: the next one, with or without an hour
    ("monday", "Mon 07 Dec 10:00"),
    ("monday 10:00", "Mon 07 Dec 10:00"),
    ("on Monday at 3pm", "Mon 07 Dec 15:00"),
    ("luni", "Mon 07 Dec 10:00"),
    ("luni la 10", "Mon 07 Dec 10:00"),
    ("până luni la 12", "Mon 07 Dec 12:00"),
    ("в понедельник в 10", "Mon 07 Dec 10:00"),
    ("в понедельник", "Mon 07 Dec 10:00"),
    ("к понедельнику 18:00", "Mon 07 Dec 18:00"),
    ("пн 11:00", "Mon 07 Dec 11:00"),
]


@pytest.mark.parametrize(("text", "expected"), NEXT_WEEK_MONDAY)
def test_a_weekday_said_on_that_day_is_next_week(text: str, expected: str) -> None:
    assert day_of(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("this monday 10am", "Mon 30 Nov 10:00"),
    ("this Monday at 15:00", "Mon 30 Nov 15:00"),
    ("в этот понедельник в 10", "Mon 30 Nov 10:00"),
    ("luni asta la 10", "Mon 30 Nov 10:00"),
    ("lunea aceasta la 15", "Mon 30 Nov 15:00"),
    # "this" with the hour already gone: the next one, never a moment behind us
    ("this monday 4am", "Mon 07 Dec 04:00"),
    # other weekdays are unchanged: the next such day
    ("tuesday 10:00", "Tue 01 Dec 10:00"),
    ("next tuesday", "Tue 01 Dec 10:00"),
    ("во вторник в 10", "Tue 01 Dec 10:00"),
    ("vinerea viitoare", "Fri 04 Dec 10:00"),
])
def test_this_weekday_may_be_today_and_other_days_stay(text: str, expected: str) -> None:
    assert day_of(text) == expected


@pytest.mark.parametrize(("lang", "text", "said"), [
    ("en", "next monday 10am", "Mon 7 Dec, 10:00"),
    ("en", "monday 10:00", "Mon 7 Dec, 10:00"),
    ("ru", "в следующий понедельник утром", "пн, 7 декабря, 09:00"),
    ("ru", "в понедельник в 10", "пн, 7 декабря, 10:00"),
    ("ro", "luni la 10", "7 decembrie, la ora 10:00"),
])
async def test_followup_confirms_next_weeks_monday(core: Core, clock: FixedClock, lang: str, text: str,
                                                   said: str) -> None:
    clock.now = MONDAY
    talker = speaker(core, lang)
    await talker.say({"en": "the client does not pay", "ru": "клиент не платит", "ro": "clientul nu plătește"}[lang])
    await talker.say(f"/followup {text}")
    assert said in talker.text(), talker.text()


async def test_a_step_answer_luni_la_10_drafts_next_mondays_date(core: Core, clock: FixedClock) -> None:
    """The Romanian "feels neglected" flow: „luni la 10” on a Monday is a week on, in the draft too."""
    clock.now = MONDAY
    talker = speaker(core, "ro")
    await start(talker, "feels-neglected")
    await talker.say("vă trimit un raport scurt în fiecare vineri")
    await talker.say("luni la 10")
    text = talker.text()
    assert "7 decembrie" in text and "30 noiembrie" not in text, text
    case = await current(talker)
    assert case.answers.get("first_contact"), case.answers
