"""The walkthrough and its case: steps, ownership, restarts, follow-ups, the paper trail."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

import pytest

from bot.app import build_core
from bot.core import Core
from bot.settings import load_settings
from bot.store import SQLiteStore
from handlers.followup import render_nudge
from tests.conftest import FixedClock, Talker


async def walk_to_cause(talker: Talker, complaint: str = "he is angry that the launch slipped two weeks") -> int:
    await talker.say("the client is furious, we missed the launch deadline we promised")
    case_id = next(r.case_id for r in talker.last if r.case_id)
    assert case_id is not None
    await talker.pick("walk me through")
    assert "Step 1 of 5" in talker.text()
    await talker.say(complaint)
    assert "Step 2 of 5" in talker.text()
    assert "If I understood you correctly, you are angry that the launch slipped two weeks" in talker.text() or \
        "the launch slipped two weeks" in talker.text()
    await talker.pick("use this wording")
    assert "Step 3 of 5" in talker.text()
    return case_id


async def test_full_walkthrough_schedules_the_deadline_nudge(core: Core, clock: FixedClock) -> None:
    talker = Talker(core)
    case_id = await walk_to_cause(talker)
    await talker.pick("broke a promise")  # the cause answers step 4: the apology, then step 5
    assert "What fixes it" in talker.text() and "Step 4 of 5" not in talker.text()
    assert "on behalf of the company" in talker.text() and "Step 5 of 5" in talker.text()
    await talker.say("we redo the landing page by Friday 18:00")
    assert "Did you deliver what you promised?" in talker.text()

    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "tracking" and case.answers["cause"] == "obligation"
    nudge = await core.store.next_nudge(case_id)
    assert nudge is not None and nudge.kind == "deliver" and nudge.due_at > clock.now
    kinds = [e.kind for e in await core.store.case_log(case_id)]
    assert kinds[:2] == ["opened", "walk"] and "agreed" in kinds and "nudge-scheduled" in kinds

    # The nudge as the scheduler will send it, then Done -> satisfied -> review chain.
    target, replies = await render_nudge(core, nudge, False)  # type: ignore[misc]
    assert target.chat_id == "c1" and "we redo the landing page" in replies[0].text
    await talker.press(f"n:{nudge.id}:done")
    satisfied = await core.store.next_nudge(case_id)
    assert satisfied is not None and satisfied.kind == "satisfied"
    assert (await core.store.get_nudge(nudge.id)).status == "answered"  # type: ignore[union-attr]
    await talker.press(f"n:{satisfied.id}:done")
    review = await core.store.next_nudge(case_id)
    assert review is not None and review.kind == "review"
    _, replies = await render_nudge(core, review, False)  # type: ignore[misc]
    assert "broke a promise" in replies[0].text.lower()
    await talker.say("a weekly status mail every Monday")
    await talker.pick("resolved")
    case = await core.store.get_case(case_id)
    assert case is not None and case.status == "closed" and case.outcome == "resolved"
    assert case.answers["review"] == "a weekly status mail every Monday"


async def test_walkthrough_in_russian_and_romanian(core: Core) -> None:
    ru = Talker(core, user="ru")
    await ru.say("/lang ru")
    await ru.say("клиент в ярости: мы сорвали обещанный срок запуска")
    await ru.pick("по шагам")
    assert "Шаг 1 из 5" in ru.text()
    await ru.say("он злится, что запуск сдвинулся на две недели")
    assert "Если я правильно вас понимаю" in ru.text()
    ro = Talker(core, user="ro")
    await ro.say("/lang ro")
    await ro.say("clientul țipă că am ratat termenul de lansare promis")
    await ro.pick("pas cu pas")
    assert "Pasul 1 din 5" in ro.text()
    await ro.say("clientul e supărat că lansarea a întârziat două săptămâni")
    assert "Dacă v-am înțeles corect" in ro.text()


async def test_survives_a_restart_at_the_same_step(tmp_path, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    db = "sqlite:///" + str(tmp_path / "restart.db")
    store = await SQLiteStore.open(db)
    talker = Talker(build_core(store, load_settings(), clock=clock))
    case_id = await walk_to_cause(talker)
    await store.close()

    store = await SQLiteStore.open(db)
    talker = Talker(build_core(store, load_settings(), clock=clock))
    case = await store.get_case(case_id)
    assert case is not None and case.step == "cause"
    replies = await talker.press(f"w:{case_id}:cause:c:expectations")
    assert any("Step 4 of 5" in r.text for r in replies)
    await store.close()


async def test_old_buttons_cannot_replay_a_step(talker: Talker) -> None:
    case_id = await walk_to_cause(talker)
    replies = await talker.press(f"w:{case_id}:paraphrase:ok")
    assert replies[0].private and "already" in replies[0].text


async def test_only_the_owner_can_advance(core: Core) -> None:
    owner = Talker(core, user="owner", chat="team", platform="slack")
    other = Talker(core, user="other", chat="team", platform="slack")
    await owner.say("/conflict the client keeps asking for more revisions than we agreed")
    case_id = next(r.case_id for r in owner.last if r.case_id)
    walk = next(c.id for r in owner.last for c in r.choices if "walk" in c.id)
    refused = await other.press(walk)
    assert refused[0].private and "someone else" in refused[0].text
    case = await core.store.get_case(case_id)  # type: ignore[arg-type]
    assert case is not None and case.step == "offered"


async def test_skip_later_and_close(talker: Talker, core: Core) -> None:
    case_id = await walk_to_cause(talker)
    await talker.pick("skip")
    assert "Step 4 of 5" in talker.text()
    await talker.pick("answer later")
    assert "keep your place" in talker.text()
    await talker.press(f"w:{case_id}:apologize:close")
    assert f"How did case #{case_id} “We let the client down” end?" in talker.text()
    await talker.pick("let the client go")
    case = await core.store.get_case(case_id)
    assert case is not None and case.outcome == "let-go"


async def test_impossible_promise_is_flagged(talker: Talker, core: Core) -> None:
    case_id = await walk_to_cause(talker)
    await talker.press(f"w:{case_id}:cause:c:obligation")
    await talker.press(f"w:{case_id}:apologize:nofault")
    await talker.say("I guarantee it will never happen again, fixed by tomorrow 10:00")
    assert "hard to keep" in talker.text() and "guarantee" in talker.text()
    assert await core.store.next_nudge(case_id) is None
    await talker.pick("keep it as it is")
    assert (await core.store.next_nudge(case_id)) is not None


async def test_missing_deadline_is_asked_for(talker: Talker, core: Core) -> None:
    case_id = await walk_to_cause(talker)
    await talker.press(f"w:{case_id}:cause:c:attention")
    await talker.press(f"w:{case_id}:apologize:nofault")
    await talker.say("we will send a weekly report")
    assert "By when" in talker.text()
    await talker.say("whenever")
    assert "couldn't read a date" in talker.text()
    await talker.say("in 3 days")
    assert "Did you deliver" in talker.text()


async def test_coming_back_after_silence(talker: Talker, clock: FixedClock, core: Core) -> None:
    case_id = await walk_to_cause(talker)
    clock.now += timedelta(days=2)
    # the store stamps updated_at with the real clock; push it back so the case looks silent
    case = await core.store.get_case(case_id)
    assert case is not None
    await talker.press(f"w:{case_id}:cause:c:goals")  # answer normally first
    raw = sqlite3.connect(core.store.path)
    raw.execute("UPDATE cases SET updated_at='2020-01-01T00:00:00.000000Z' WHERE id=?", (case_id,))
    raw.commit()
    raw.close()
    await talker.say("they want a discount now")
    assert "Welcome back" in talker.text()
    await talker.pick("continue")
    case = await core.store.get_case(case_id)
    assert case is not None and case.answers.get("apologize_note") == "they want a discount now"


async def test_followup_cases_export_and_forget(talker: Talker, core: Core, clock: FixedClock) -> None:
    assert "no open case" in (await talker.say("/followup 2h"))[0].text
    case_id = await walk_to_cause(talker)
    assert "couldn't read a time" in (await talker.say("/followup someday maybe"))[0].text
    assert f"#{case_id}" in (await talker.say("/followup 2h call the client back"))[0].text
    text = (await talker.say("/cases"))[0].text
    assert "1 open case" in text and f"#{case_id}" in text and "your reminder" in text
    export = (await talker.say("/case export"))[0].text
    assert export.startswith(f"# Case #{case_id}") and "Reminder scheduled (your reminder" in export
    await talker.say("/forget")
    await talker.pick("yes, delete")
    assert "no longer keep anything" in talker.text()
    raw = sqlite3.connect(core.store.path)
    for table in ("users", "cases", "processed_events"):
        assert raw.execute(f"SELECT COUNT(*) FROM {table} WHERE user_id='u1'").fetchone()[0] == 0, table
    assert raw.execute("SELECT COUNT(*) FROM nudges").fetchone()[0] == 0
    raw.close()


async def test_abusive_client_routes_to_calming_down_first(talker: Talker) -> None:
    await talker.say("the client is swearing at me and calling me an idiot on the phone")
    assert "This sounds like" in talker.text()
    from content import library

    assert library().cards["stay-calm-take-break"].en.title in talker.text()


async def test_a_message_in_another_language_offers_to_switch(talker: Talker, core: Core) -> None:
    await talker.say("clientul nu plateste factura de doua luni si nu raspunde la telefon")
    assert "This sounds like" in talker.text()
    await talker.pick("Răspunde-mi în română")
    assert "Pare a fi situația" in talker.text()
    assert (await core.store.get_user("console", "u1")).lang == "ro"  # type: ignore[union-attr]
    await talker.pick("pas cu pas")
    assert "Pasul 1 din 4" in talker.text()  # late payment walks the payment ladder


async def test_a_new_conflict_from_the_menu_sets_the_running_one_aside(talker: Talker, core: Core) -> None:
    first = await walk_to_cause(talker)
    await talker.say("/conflict")
    await talker.press("cf:s:quality-complaint")
    await talker.pick("walk me through")
    await talker.say("he says the new logo looks cheap")
    second = (await core.store.find_open_case("console", "c1", None, "u1"))
    assert second is not None and second.id != first and second.step == "paraphrase"
    parked = await core.store.get_case(first)
    assert parked is not None and parked.is_open and parked.step == "tracking"
    assert parked.answers["_resume"] == "cause"
    text = (await talker.say("/cases"))[0].text
    assert f"#{first}" in text and f"#{second.id}" in text
    await talker.say(f"/case {first}")
    await talker.pick("continue")
    assert "Step 3 of 5" in talker.text()


@pytest.mark.parametrize(("lang", "complaint", "expected", "not_expected"), [
    ("en", "he says the app crashes on login, he feels we rushed it and he doesn't trust us",
     "the app crashes on login, you feel we rushed it and you don't trust us", "you feels"),
    ("ro", "zice că l-am mințit cu termenul și că îl costă bani",
     "Dacă v-am înțeles corect, v-am mințit cu termenul și vă costă bani.", "zice"),
    ("ro", "a spus ca i-am promis site-ul pana luni",
     "Dacă v-am înțeles corect, v-am promis site-ul până luni.", "i-am"),
    ("ru", "он говорит, что его никто не предупредил", "Если я правильно вас понимаю, вас никто не предупредил.",
     "понял,"),
    ("ru", "клиент в ярости, что мы сорвали срок запуска",  # the feeling stays, as the client's
     "Если я правильно вас понимаю, вы в ярости, что мы сорвали срок запуска.", "клиент"),
])
async def test_paraphrase_draft_speaks_to_the_client(core: Core, lang: str, complaint: str, expected: str,
                                                      not_expected: str) -> None:
    talker = Talker(core, user=f"para-{lang}-{len(complaint)}")
    await talker.say(f"/lang {lang}")
    await talker.say("/conflict")
    await talker.press("cf:s:we-missed-a-commitment")
    await talker.press(next(c.id for c in talker.last[-1].choices if ":offered:walk" in c.id))
    await talker.say(complaint)
    assert expected in talker.text() and not_expected not in talker.text()


async def test_followup_says_how_far_away_in_each_language(core: Core) -> None:
    for lang, expected in (("en", "in 2 hours"), ("ru", "через 2 часа"), ("ro", "peste 2 ore")):
        talker = Talker(core, user=f"rel-{lang}")
        await talker.say(f"/lang {lang}")
        await talker.say("/conflict the client keeps asking for more revisions than we agreed")
        assert expected in (await talker.say("/followup 2h"))[0].text


def test_follow_ups_a_day_later_keep_the_clock_time_across_dst() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from handlers.timeparse import later

    before = datetime(2026, 10, 24, 7, 0, tzinfo=UTC)  # 10:00 in Chisinau, summer time
    after = later(before, timedelta(days=1), "Europe/Chisinau")
    assert after.astimezone(ZoneInfo("Europe/Chisinau")).hour == 10  # still 10:00, now winter time
    assert after - before == timedelta(hours=25)
    assert later(before, timedelta(hours=4), "Europe/Chisinau") - before == timedelta(hours=4)


async def test_done_pressed_twice_schedules_the_next_nudge_once(talker: Talker, core: Core) -> None:
    case_id = await walk_to_cause(talker)
    nudge = await core.store.add_nudge(case_id, "deliver", core.clock())
    first, second = await asyncio.gather(
        Talker(core, user="u1", chat="c1").press(f"n:{nudge.id}:done"),
        Talker(core, user="u1", chat="other-chat").press(f"n:{nudge.id}:done"))
    kinds = [n.kind for n in await core.store.nudges_for_case(case_id)]
    assert kinds.count("satisfied") == 1
    assert any(r.private and "already" in r.text for r in (*first, *second))


async def test_step_one_can_reuse_the_first_message(talker: Talker, core: Core) -> None:
    first = "the client is furious that we missed the launch deadline and nobody warned him"
    await talker.say(first)
    await talker.pick("walk me through")
    await talker.pick("use what I already wrote")
    assert "Step 2 of 5" in talker.text()
    assert "nobody warned you" in talker.text()
    case = await core.store.find_open_case("console", "c1", None, "u1")
    assert case is not None and case.answers["complaint"] == first


async def test_no_reuse_choice_without_a_first_message(talker: Talker) -> None:
    await talker.say("/conflict")
    await talker.press("cf:s:late-payment")
    await talker.pick("walk me through")
    assert not any("already wrote" in c.label for r in talker.last for c in r.choices)


# -- the deadline of step 5 (issue 15) ----------------------------------------------------------------


async def skip_to_cause(talker: Talker, lang: str = "en") -> int:
    """A case at step 3 (the cause), in ``lang``: steps 1 and 2 skipped."""
    if lang != "en":
        await talker.say(f"/lang {lang}")
    await talker.say("/conflict the client is furious, we missed the launch deadline we promised")
    case_id = next(r.case_id for r in talker.last if r.case_id)
    assert case_id is not None
    await talker.press(f"w:{case_id}:offered:walk")
    await talker.press(f"w:{case_id}:listen:skip")
    await talker.press(f"w:{case_id}:paraphrase:skip")
    return case_id


async def walk_to_solution(talker: Talker, lang: str = "en") -> int:
    """A case at step 5, in ``lang`` (the walk's text answers are in English; only the UI changes)."""
    case_id = await skip_to_cause(talker, lang)
    await talker.press(f"w:{case_id}:cause:c:obligation")
    await talker.press(f"w:{case_id}:apologize:nofault")
    return case_id


def local_due(due: object, tz: str = "UTC") -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    assert isinstance(due, datetime)
    return due.astimezone(ZoneInfo(tz)).strftime("%a %d %H:%M")


@pytest.mark.parametrize(("lang", "text", "due", "used", "unused"), [
    ("ru", "Чиним корзину сегодня и даём неделю поддержки бесплатно, завтра к 18:00", "Tue 24 18:00",
     "завтра к 18:00", "сегодня"),
    ("ro", "refacem pagina până sîmbătă la 18", "Sat 28 18:00", "până sîmbătă la 18", None),
    ("ro", "azi vorbim cu el și refacem pagina până mîine la 12", "Tue 24 12:00", "până mîine la 12", "azi"),
    ("en", "we call him today and fix the cart by Wednesday 15:00", "Wed 25 15:00", "by Wednesday 15:00", "today"),
])
async def test_solution_takes_the_marked_deadline_and_shows_what_it_read(
        core: Core, lang: str, text: str, due: str, used: str, unused: str | None) -> None:
    talker = Talker(core, user=f"u-{lang}")
    case_id = await walk_to_solution(talker, lang)
    await talker.say(text)
    nudge = await core.store.next_nudge(case_id)
    assert nudge is not None and nudge.kind == "deliver"
    assert local_due(nudge.due_at) == due  # the test user's zone is UTC
    reply = talker.text()
    assert f"“{used}”" in reply or f"«{used}»" in reply or f"„{used}”" in reply
    if unused:
        assert unused in reply.replace(used, "")


@pytest.mark.parametrize(("lang", "text", "asked"), [
    ("en", "we fix it today", "already passed"),
    ("ru", "чиним сегодня", "уже прошёл"),
    ("ro", "reparăm azi", "a trecut deja"),
    ("en", "we fix it today at 9:00", "already passed"),
    ("ru", "исправим сегодня к 19:00", "уже прошёл"),
])
async def test_a_deadline_in_the_past_is_questioned_not_scheduled(
        core: Core, clock: FixedClock, lang: str, text: str, asked: str) -> None:
    clock.now = clock.now.replace(hour=20)  # 20:00 UTC: today's end of day is gone
    talker = Talker(core, user=f"late-{lang}")
    case_id = await walk_to_solution(talker, lang)
    await talker.say(text)
    assert asked in talker.text()
    assert await core.store.next_nudge(case_id) is None
    assert not any("keep" in c.id or "soon" in c.id for r in talker.last for c in r.choices)
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "deadline"
    await talker.say("tomorrow 18:00" if lang == "en" else "завтра 18:00" if lang == "ru" else "mâine la 18")
    nudge = await core.store.next_nudge(case_id)
    assert nudge is not None and local_due(nudge.due_at) == "Tue 24 18:00"


@pytest.mark.parametrize(("lang", "text", "asked"), [
    ("en", "we fix it in 5 minutes", "only 5 min"),
    ("ru", "исправим через 3 минуты", "всего через 3 мин"),
    ("ro", "reparăm peste 5 minute", "doar 5 min"),
])
async def test_a_deadline_minutes_away_is_questioned_and_can_be_kept(
        core: Core, lang: str, text: str, asked: str) -> None:
    talker = Talker(core, user=f"near-{lang}")
    case_id = await walk_to_solution(talker, lang)
    await talker.say(text)
    assert asked in talker.text()
    assert await core.store.next_nudge(case_id) is None
    await talker.press(f"w:{case_id}:deadline:soon")
    nudge = await core.store.next_nudge(case_id)
    assert nudge is not None and nudge.kind == "deliver"


async def test_a_deadline_minutes_away_can_be_retyped(talker: Talker, core: Core) -> None:
    case_id = await walk_to_solution(talker)
    await talker.say("we fix it in 2 minutes")
    assert "only 2 min" in talker.text()
    await talker.say("tomorrow by noon")
    nudge = await core.store.next_nudge(case_id)
    assert nudge is not None and local_due(nudge.due_at) == "Tue 24 12:00"
    assert "“tomorrow by noon”" in talker.text()


@pytest.mark.parametrize(("lang", "args", "when", "note", "unread"), [
    ("ru", "завтра к обеду", "13:00", None, False),
    ("ru", "завтра к обеду позвонить клиенту", "13:00", "позвонить клиенту", False),
    ("ru", "завтра ближе к ночи", "10:00", "ближе к ночи", True),
    ("en", "tomorrow call the client", "10:00", "call the client", False),
    ("en", "tomorrow around 5ish", "10:00", "around 5ish", True),
    ("ro", "sîmbătă la prînz sun clientul", "13:00", "sun clientul", False),
    ("ro", "mîine pe înserat", "10:00", "pe înserat", True),
])
async def test_followup_shows_the_time_and_the_words_not_used(
        core: Core, lang: str, args: str, when: str, note: str | None, unread: bool) -> None:
    talker = Talker(core, user=f"f-{lang}")
    await walk_to_solution(talker, lang)
    await talker.say(f"/followup {args}")
    reply = talker.text()
    assert when in reply
    if note is None:
        assert "“" not in reply and "«" not in reply and "„" not in reply
    else:
        assert f"“{note}”" in reply or f"«{note}»" in reply or f"„{note}”" in reply
    flags = {"en": "didn't read", "ru": "не удалось прочитать как время", "ro": "nu am înțeles"}
    assert (flags[lang] in reply.lower()) is unread


@pytest.mark.parametrize(("lang", "text", "word"), [
    ("en", "we redo the cart by Friday 18:00, 100% guaranteed", "100%"),
    ("ru", "гарантирую на 100%, переделаем корзину к пятнице 18:00", "100%"),
    ("ro", "garantat 100%, refacem coșul până vineri la 18", "100%"),
    ("ru", "обещаю, что такого больше никогда не будет, переделаем к пятнице 18:00", "никогда"),
])
async def test_a_promise_that_promises_too_much_is_questioned_in_every_language(
        core: Core, lang: str, text: str, word: str) -> None:
    """Step 5 is the user's own plan: "100%", "guarantee", "never again" are risky wherever they stand."""
    talker = Talker(core, user=f"risky-{lang}")
    case_id = await walk_to_solution(talker, lang)
    await talker.say(text)
    warning = {"en": "promises more than anyone", "ru": "не может поручиться никто", "ro": "promite mai mult"}[lang]
    assert warning in talker.text() and word in talker.text()
    assert (await core.store.get_case(case_id)).step == "risky"  # type: ignore[union-attr]


@pytest.mark.parametrize(("lang", "when", "said"), [
    ("en", "yesterday", "already passed"), ("ru", "вчера в 10", "уже прошло"), ("ro", "ieri", "a trecut"),
    ("en", "99999 days", "more than a year"), ("ru", "через 500 дней", "больше чем через год"),
    ("ro", "peste 400 de zile", "mai mult de un an"),
])
async def test_followup_refuses_a_past_or_far_away_time_and_sets_nothing(
        core: Core, lang: str, when: str, said: str) -> None:
    talker = Talker(core, user=f"bounds-{lang}-{len(when)}")
    await talker.say(f"/lang {lang}")
    await talker.say("/conflict the client keeps asking for more revisions than we agreed")
    case_id = next(r.case_id for r in talker.last if r.case_id)
    reply = (await talker.say(f"/followup {when}"))[0].text
    assert said in reply, reply
    assert await core.store.next_nudge(case_id) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(("lang", "said"), [("en", "Noted in the case's history"), ("ru", "Записано в историю"),
                                             ("ro", "Notat în istoricul")])
async def test_text_typed_at_a_button_step_is_acknowledged(core: Core, lang: str, said: str) -> None:
    """At the cause step (buttons), typed words are kept as a note; the user is told so, then step 4 comes."""
    talker = Talker(core, user=f"noted-{lang}")
    if lang != "en":
        await talker.say(f"/lang {lang}")
    await talker.say("/conflict the client is furious, we missed the launch deadline we promised")
    case_id = next(r.case_id for r in talker.last if r.case_id)
    await talker.press(f"w:{case_id}:offered:walk")
    await talker.press(f"w:{case_id}:listen:skip")
    await talker.press(f"w:{case_id}:paraphrase:skip")
    await talker.say("we never agreed what done means")
    assert said in talker.text() and "we never agreed what done means" in talker.text()
    assert (await core.store.get_case(case_id)).step == "apologize"  # type: ignore[union-attr]
