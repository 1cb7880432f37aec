"""Newcomer report 3, times, in en, ru and ro, in /followup and in walkthrough answers: which day a weekday
names (never today after "next"; a bare weekday is the next such day after today, with or without an
hour; "this" may mean today), a deliverable's day without an hour (the end of the working day), and
times joined by "then" (the first is the deadline)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core import Core
from handlers.timeparse import END_OF_DAY_HOUR, deadline_in, parse_when
from tests.conftest import FixedClock, Talker
from tests.test_flow_drafts import current, speaker, start
from tests.test_walkthrough import local_due, walk_to_solution

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
    # "this" names today, and a reminder later today says so
    ("en", "this monday 10am", "set for today, Mon 30 Nov, 10:00"),
    ("ru", "в этот понедельник в 10", "сегодня, пн, 30 ноября, 10:00"),
    ("ro", "luni asta la 10", "astăzi, luni, 30 noiembrie, la ora 10:00"),
    ("en", "10s", "set for today, Mon 30 Nov, 05:10"),
])
async def test_followup_confirms_the_day_it_read(core: Core, clock: FixedClock, lang: str, text: str,
                                                 said: str) -> None:
    """On a Monday a bare "monday" is next week's; "this monday" is today, and the confirmation says so."""
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


# -- 3. a deadline day without an hour is the end of that working day; "then" keeps the first time --------



@pytest.mark.parametrize(("text", "expected"), [
    ("переделаем баннер к пятнице", "Fri 04 Dec 18:00"),
    ("refacem site-ul si va dam o luna gratis pana vineri", "Fri 04 Dec 18:00"),
    ("redo banner till friday", "Fri 04 Dec 18:00"),
    ("we redo it on Friday", "Fri 04 Dec 18:00"),
    ("сделаем завтра", "Tue 01 Dec 18:00"),
    ("refacem mâine", "Tue 01 Dec 18:00"),
    ("до 10 декабря", "Thu 10 Dec 18:00"),
    ("by next week", "Mon 07 Dec 18:00"),
    # an hour said is kept, and so is a part of the day
    ("redo banner by friday 12:00", "Fri 04 Dec 12:00"),
    ("переделаем к пятнице утром", "Fri 04 Dec 09:00"),
    # a span from now keeps its own clock
    ("через 2 дня", "Wed 02 Dec 10:00"),
])
def test_a_deliverable_day_without_an_hour_is_the_end_of_the_working_day(text: str, expected: str) -> None:
    found = deadline_in(text, MONDAY, "UTC", deliverable=True)
    assert found is not None, text
    assert found.used.when.strftime("%a %d %b %H:%M") == expected
    assert END_OF_DAY_HOUR == 18


@pytest.mark.parametrize("text", ["к пятнице", "pana vineri", "till friday", "on friday"])
def test_a_reminder_day_without_an_hour_stays_in_the_morning(text: str) -> None:
    found = deadline_in(text, MONDAY, "UTC")
    assert found is not None
    assert found.used.when.strftime("%a %d %b %H:%M") == "Fri 04 Dec 10:00"


@pytest.mark.parametrize(("text", "used", "expected"), [
    ("we will fix it tomorrow, then call on thursday", "tomorrow", "Tue 01 Dec 18:00"),
    ("we fix it by tomorrow and then call them on thursday", "by tomorrow", "Tue 01 Dec 18:00"),
    ("исправим завтра, потом позвоним в четверг", "завтра", "Tue 01 Dec 18:00"),
    ("сделаем к среде, а затем созвонимся в пятницу", "к среде", "Wed 02 Dec 18:00"),
    ("reparăm mâine, apoi îl sunăm joi", "mâine", "Tue 01 Dec 18:00"),
    ("refacem până miercuri, după aceea vorbim vineri", "până miercuri", "Wed 02 Dec 18:00"),
    # no "then": the usual rule (the latest, or the one marked as a limit)
    ("we call today and fix it by thursday", "by thursday", "Thu 03 Dec 18:00"),
    # "if … then" is a condition, not a sequence: the usual rule
    ("if they send the texts tomorrow, then we deliver on thursday", "on thursday", "Thu 03 Dec 18:00"),
    ("если пришлют тексты завтра, то потом сдадим в четверг", "в четверг", "Thu 03 Dec 18:00"),
    ("dacă primim textele mâine, apoi livrăm joi", "joi", "Thu 03 Dec 18:00"),
])
def test_times_joined_by_then_take_the_first(text: str, used: str, expected: str) -> None:
    found = deadline_in(text, MONDAY, "UTC", deliverable=True)
    assert found is not None
    assert found.used.words == used
    assert found.used.when.strftime("%a %d %b %H:%M") == expected
    assert found.others, "the later time is shown as not used"


@pytest.mark.parametrize(("lang", "text", "due", "said"), [
    ("ru", "переделаем баннер к пятнице", "Fri 04 18:00", "пт, 4 декабря, 18:00"),
    ("ro", "refacem site-ul si va dam o luna gratis pana vineri", "Fri 04 18:00", "vineri, 4 decembrie, la ora 18:00"),
    ("en", "redo banner till friday", "Fri 04 18:00", "Fri 4 Dec, 18:00"),
    ("en", "we will fix it tomorrow, then call on thursday", "Tue 01 18:00", "Tue 1 Dec, 18:00"),
])
async def test_the_solution_step_reads_the_deliverables_deadline(core: Core, clock: FixedClock, lang: str, text: str,
                                                                due: str, said: str) -> None:
    clock.now = MONDAY
    talker = Talker(core, user=f"dl-{lang}")
    case_id = await walk_to_solution(talker, lang)
    await talker.say(text)
    nudge = await core.store.next_nudge(case_id)
    assert nudge is not None and nudge.kind == "deliver", talker.text()
    assert local_due(nudge.due_at) == due
    assert said in talker.text(), talker.text()


@pytest.mark.parametrize(("lang", "text", "today"), [
    ("en", "monday 10:00", "today"), ("ru", "в понедельник в 10", "сегодня"), ("ro", "luni la 10", "astăzi"),
    ("en", "tomorrow 9:00", "today"),
])
async def test_a_reminder_on_another_day_does_not_say_today(core: Core, clock: FixedClock, lang: str, text: str,
                                                            today: str) -> None:
    clock.now = MONDAY
    talker = speaker(core, lang)
    await talker.say({"en": "the client does not pay", "ru": "клиент не платит", "ro": "clientul nu plătește"}[lang])
    await talker.say(f"/followup {text}")
    assert today not in talker.text().split("\n")[0].lower(), talker.text()


@pytest.mark.parametrize(("text", "expected", "note"), [
    # a weekday and "next week" together name that weekday of next week, said in either order
    ("monday next week at 15", "Mon 07 Dec 15:00", ""),
    ("next week monday", "Mon 07 Dec 10:00", ""),
    ("next week on wednesday at 9am call", "Wed 09 Dec 09:00", "call"),
    ("на следующей неделе в понедельник в 15", "Mon 07 Dec 15:00", ""),
    ("в среду на следующей неделе", "Wed 09 Dec 10:00", ""),
    ("luni săptămâna viitoare la 15", "Mon 07 Dec 15:00", ""),
    ("săptămâna viitoare, miercuri", "Wed 09 Dec 10:00", ""),
])
def test_a_weekday_of_next_week(text: str, expected: str, note: str) -> None:
    result = parse_when(text, MONDAY, "UTC")
    assert result is not None
    assert (result[0].strftime("%a %d %b %H:%M"), result[1]) == (expected, note)


@pytest.mark.parametrize(("text", "expected"), [
    ("we redo it monday next week at 15", "Mon 07 Dec 15:00"),
    ("переделаем на следующей неделе в среду к 12", "Wed 09 Dec 12:00"),
    ("refacem până miercuri săptămâna viitoare", "Wed 09 Dec 18:00"),
])
def test_a_deadline_on_a_weekday_of_next_week(text: str, expected: str) -> None:
    found = deadline_in(text, MONDAY, "UTC", deliverable=True)
    assert found is not None
    assert found.used.when.strftime("%a %d %b %H:%M") == expected
    assert not found.others, found.others


@pytest.mark.parametrize(("lang", "text", "said"), [
    ("en", "we send the fixed banner today by 6pm", "Deadline: today, Mon 30 Nov, 18:00"),
    ("ru", "пришлём исправленный баннер сегодня к 18:00", "Срок: сегодня, пн, 30 ноября, 18:00"),
    ("ro", "trimitem bannerul corectat azi până la 18", "Termen: astăzi, luni, 30 noiembrie, la ora 18:00"),
])
async def test_the_solution_steps_deadline_today_says_today(core: Core, clock: FixedClock, lang: str, text: str,
                                                          said: str) -> None:
    """Step 5's confirmation says "today" as /followup's does: a bare weekday would read as next week's."""
    clock.now = MONDAY
    talker = Talker(core, user=f"today-{lang}")
    await walk_to_solution(talker, lang)
    await talker.say(text)
    assert said in talker.text(), talker.text()
