"""The step kinds read from content: their branches, drafts and nudges, skip / later / close, restarts,
old five-step cases, switching the situation mid-way, the payment ladder's stop and the case log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.app import build_core
from bot.core import Core
from bot.events import EventKind
from bot.settings import load_settings
from bot.store import Case, SQLiteStore
from content import library
from handlers.followup import render_nudge
from tests.conftest import FixedClock, Talker


async def start(talker: Talker, situation: str) -> Case:
    await talker.say("/conflict")
    await talker.press(f"cf:s:{situation}")
    await talker.pick("walk me through")
    return await current(talker)


async def current(talker: Talker) -> Case:
    case = await talker.core.store.find_open_case("console", "c1", None, "u1")
    assert case is not None
    return case


async def kinds(talker: Talker, status: str = "pending") -> list[str]:
    case = await current(talker)
    return sorted(n.kind for n in await talker.core.store.nudges_for_case(case.id) if n.status == status)


async def test_pause_then_boundaries_drafts_the_return_time_and_points_to_the_clause(talker: Talker,
                                                                                 clock: FixedClock) -> None:
    case = await start(talker, "abusive-client")
    assert case.step == "pause-time" and "Step 1 of 2" in talker.text()
    await talker.say("tomorrow 15:00")
    assert "get back to you on Tuesday, 24 November at 15:00" in talker.text()  # the draft names the user's time
    assert await kinds(talker) == ["come-back"]
    await talker.pick("boundaries in writing")
    assert (await current(talker)).step == "bound-rule" and "Step 3 of 5" in talker.text()
    await talker.pick("agreement doesn't cover")
    await talker.say("The price covers the website design only; hosting is billed separately.")
    await talker.say("setting up the hosting for free")
    draft = talker.text()
    assert "“The price covers the website design only; hosting is billed separately”" in draft
    assert "(setting up the hosting for free)" in draft
    assert (await current(talker)).step == "tracking"
    assert await kinds(talker) == ["come-back", "terms-reply"]


async def test_pause_then_the_five_steps(talker: Talker) -> None:
    await start(talker, "abusive-client")
    await talker.say("in 2 hours")
    await talker.pick("five steps")
    assert (await current(talker)).step == "listen" and "Step 3 of 7" in talker.text()


async def test_a_time_step_asks_again_for_no_time_or_a_past_one(talker: Talker) -> None:
    await start(talker, "abusive-client")
    await talker.say("when I feel better")
    assert "couldn't read a time" in talker.text() and (await current(talker)).step == "pause-time"
    await talker.say("today 8:00")
    assert "already passed" in talker.text() and (await current(talker)).step == "pause-time"
    assert await kinds(talker) == []


async def test_deciding_to_part_directly_drafts_the_end_date_and_sets_both_nudges(talker: Talker,
                                                                               clock: FixedClock) -> None:
    await start(talker, "considering-firing-client")
    await talker.say("He pays late and shouts at my designer; it isn't worth it")
    await talker.pick("end the work")
    await talker.pick("plain truth")
    await talker.say("by Friday 18:00")
    assert "the way our work together has been going no longer works for us" in talker.text() and "by Friday, 27 November at 18:00" in talker.text()
    case = await current(talker)
    nudges = {n.kind: n for n in await talker.core.store.nudges_for_case(case.id)}
    assert set(nudges) == {"send-parting", "handover"}
    assert nudges["handover"].due_at.isoformat().startswith("2026-11-27T18:00")
    assert nudges["send-parting"].note and "by Friday, 27 November at 18:00" in nudges["send-parting"].note
    assert case.answers["weighing"].startswith("He pays late")


async def test_keeping_the_client_goes_on_to_boundaries(talker: Talker) -> None:
    await start(talker, "considering-firing-client")
    await talker.say("mixed feelings")
    await talker.pick("keep them")
    case = await current(talker)
    assert case.step == "bound-rule" and case.answers["_flow"] == "boundaries"


async def test_skipping_a_choice_takes_its_first_way(talker: Talker) -> None:
    await start(talker, "abusive-client")
    await talker.say("tomorrow 10:00")
    await talker.pick("skip")
    assert (await current(talker)).step == "listen"


async def test_the_payment_ladder_stops_when_it_is_paid(core: Core, talker: Talker, clock: FixedClock) -> None:
    await start(talker, "late-payment")
    await talker.say("€1,200 for the October invoice")
    await talker.say("Payment within 10 days of the invoice")
    await talker.say("tomorrow 10:00")
    assert "€1,200 for the October invoice" in talker.text()
    assert await kinds(talker) == ["pay-final", "pay-firm", "pay-polite"]
    case = await current(talker)
    ladder = {n.kind: n for n in await core.store.nudges_for_case(case.id)}
    assert ladder["pay-firm"].due_at - ladder["pay-polite"].due_at == timedelta(days=7)
    assert ladder["pay-final"].due_at - ladder["pay-polite"].due_at == timedelta(days=14)
    assert "“Payment within 10 days of the invoice”" in (ladder["pay-firm"].note or "")
    await talker.pick("not now")
    # the polite reminder comes with its draft and an "It's paid" button
    rendered = await render_nudge(core, ladder["pay-polite"], False)
    assert rendered is not None
    reply = rendered[1][0]
    assert "€1,200 for the October invoice" in reply.text and "Time to send the polite" in reply.text
    talker.last = rendered[1]
    await talker.pick("It's paid")
    assert "remaining payment reminders are cancelled" in talker.text()
    assert await kinds(talker) == [] and sorted(await kinds(talker, "cancelled")) == ["pay-final", "pay-firm",
                                                                                      "pay-polite"]
    await talker.pick("Resolved")
    export = (await talker.say(f"/case export {case.id}"))[0].text
    assert "The client paid" in export and "a payment rule for the future" in export.lower()


async def test_shared_responsibility_drafts_the_record_and_offers_to_become_their_client(talker: Talker) -> None:
    await start(talker, "you-are-the-professionals")
    await talker.say("on 12 May we advised against the red palette, and on 14 May you confirmed it by email")
    await talker.say("the new texts from you by Monday, then we finish the pages by Thursday")
    text = talker.text()
    assert "on 12 May we advised against the red palette" in text and "the new texts from you by Monday" in text
    await talker.pick("become their client")
    assert await kinds(talker) == ["record-confirmed", "their-client"]


async def test_goals_on_the_table_drafts_the_chosen_way(talker: Talker) -> None:
    await start(talker, "client-seeking-exit")
    await talker.say("you need lower costs after the budget cut, and I can't go below my rate")
    await talker.pick("door open")
    await talker.say("Thursday 16:00")
    text = talker.text()
    assert "you need lower costs after the budget cut" in text and "welcome back" in text
    assert "on Thursday, 26 November at 16:00" in text and await kinds(talker) == ["talk"]


async def test_attention_back_plans_the_contacts(talker: Talker) -> None:
    await start(talker, "feels-neglected")
    await talker.say("a 15-minute call every Monday and a short report every Friday")
    await talker.say("Monday 10:00")
    assert "a 15-minute call every Monday" in talker.text() and "on Monday, 30 November at 10:00" in talker.text()
    assert await kinds(talker) == ["contact", "contact-check"]


async def test_closing_a_flow_case_cancels_its_nudges(talker: Talker) -> None:
    await start(talker, "late-payment")
    await talker.say("€300")
    await talker.pick("skip")
    await talker.say("tomorrow 9:00")
    assert len(await kinds(talker)) == 3
    case = await current(talker)
    await talker.say("/case close")
    await talker.pick("resolved")
    assert await talker.core.store.open_cases("console", "u1") == []
    statuses = [n.status for n in await talker.core.store.nudges_for_case(case.id)]
    assert statuses == ["cancelled"] * 3


async def test_answer_later_and_resume_after_a_restart(store: SQLiteStore, clock: FixedClock) -> None:
    first = Talker(build_core(store, load_settings(), clock=clock))
    await start(first, "misaligned-goals")
    await first.say("you want speed, I want quality")
    await first.pick("later")
    assert "keep your place" in first.text()
    # a new core on the same store: nothing lived in memory
    again = Talker(build_core(store, load_settings(), clock=clock))
    await again.say("/case")
    await again.pick("continue")
    assert "Step 2 of 3" in again.text()
    assert "Renegotiate the terms" in [c.label for r in again.last for c in r.choices]
    await again.pick("renegotiate")
    await again.say("tomorrow 11:00")
    assert "you want speed, I want quality" in again.text()


async def test_an_old_five_step_case_resumes_where_it_stopped(talker: Talker, store: SQLiteStore) -> None:
    """Stored before flows: an abusive-client case at step 3 of the five steps, no flow in its answers."""
    await talker.say("/lang en")
    old = await store.create_case(platform="console", chat_id="c1", thread_id=None, user_id="u1", lang="en",
                                  situation="abusive-client", step="cause",
                                  answers={"started": True, "complaint": "he yelled", "paraphrase": "you are angry"})
    replies = await talker.say("/case")
    assert "finding the real cause" in replies[0].text
    await talker.pick("continue")
    assert "Step 3 of 5" in talker.text()
    await talker.press(f"w:{old.id}:cause:c:neglect")
    assert "Step 4 of 5" in talker.text()
    await talker.pick("no, but")
    await talker.say("we send the revised plan by Friday 18:00")
    case = await store.get_case(old.id)
    assert case is not None and case.step == "tracking"
    assert [n.kind for n in await store.nudges_for_case(old.id)] == ["deliver"]


async def test_rather_mid_way_switches_the_flow_and_keeps_what_applies(talker: Talker) -> None:
    await talker.say("/conflict the client is unhappy with the quality of the logo we delivered")
    await talker.pick("walk me through")
    await talker.say("he says the logo looks cheap")
    await talker.pick("use this wording")
    await talker.pick("less attention")
    case = await current(talker)
    assert case.step == "apologize"
    # the other likely situations stay one press away on every step
    assert any("Rather" in c.label for r in talker.last for c in r.choices)
    await talker.press(f"w:{case.id}:any:alt:loyal-client-turned-rude")
    case = await current(talker)
    assert case.situation == "loyal-client-turned-rude" and case.step == "apologize"
    assert "Step 4 of 7" in talker.text()
    assert case.answers["complaint"] == "he says the logo looks cheap" and case.answers["cause"] == "attention"
    await talker.pick("yes, we slipped")
    assert (await current(talker)).step == "attn-plan"


async def test_rather_mid_way_skips_steps_answered_in_the_other_flow(talker: Talker) -> None:
    case = await start(talker, "feels-neglected")
    await talker.say("a call every Monday")
    assert (await current(talker)).step == "attn-first"
    await talker.press(f"w:{case.id}:any:alt:loyal-client-turned-rude")
    case = await current(talker)
    assert case.step == "listen" and case.answers["plan"] == "a call every Monday"
    await talker.say("he shouted that we forgot him")
    await talker.pick("skip")  # paraphrase
    await talker.pick("less attention")
    await talker.pick("no, but")
    # the contact plan was already given: straight to its first call
    assert (await current(talker)).step == "attn-first" and "Step 6 of 7" in talker.text()


async def test_every_flow_step_names_its_state_in_cases(talker: Talker) -> None:
    lib = library()
    await start(talker, "late-payment")
    await talker.say("€500")
    text = (await talker.say("/cases"))[0].text
    assert lib.t("step.pay-terms", "en") in text


async def test_editing_a_time_answer_moves_its_reminder_instead_of_adding_one(core: Core) -> None:
    from tests.test_edits import Writer

    writer = Writer(core)
    await writer.send("/conflict")
    await writer.press("cf:s:abusive-client")
    await writer.pick("walk me through")
    answer = await writer.send("tomorrow 15:00")
    await writer.edit(answer, "tomorrow 17:00")
    case = await current(writer)
    pending = [n for n in await core.store.nudges_for_case(case.id) if n.status == "pending"]
    assert [(n.kind, n.due_at.hour) for n in pending] == [("come-back", 17)]
    assert case.step == "pause-next" and "on Tuesday, 24 November at 17:00" in writer.text()


async def test_every_step_read_from_content_offers_skip_later_and_close(talker: Talker) -> None:
    from handlers import walkthrough

    case = await start(talker, "late-payment")
    ctx = talker.core.context_for(await talker.core.user_for(talker._event(EventKind.MESSAGE)))
    for step, spec in library().flows.steps.items():
        if spec.kind == "defuse":
            continue
        case.step = step
        labels = [c.label for c in walkthrough.prompt(ctx, case).choices]
        assert {"Skip this step", "Answer later", "Close the case"} <= set(labels), step
        assert len(labels) == 3 + len(spec.choices), step


async def test_the_come_back_reminder_offers_to_continue_the_walk(core: Core, talker: Talker) -> None:
    await start(talker, "abusive-client")
    await talker.say("in 2 hours")
    await talker.pick("five steps")
    case = await current(talker)
    nudge = (await core.store.nudges_for_case(case.id))[0]
    rendered = await render_nudge(core, nudge, False)
    assert rendered is not None
    talker.last = rendered[1]
    assert "get back to the client" in talker.text()
    await talker.pick("continue")
    assert "Step 3 of 7" in talker.text() and "Let the client say everything first" in talker.text()


async def test_a_whole_day_reminder_set_at_night_comes_in_the_daytime(talker: Talker, clock: FixedClock) -> None:
    """"Send the parting message" a day after an answer typed at night comes at 10:00, never at night
    (the rule of `bot.clock.later`, as for snoozes and "in 3 days")."""
    await start(talker, "considering-firing-client")
    user = await talker.core.store.get_user("console", "u1")
    assert user is not None
    zone = ZoneInfo(user.tz)
    clock.now = datetime(2026, 11, 23, 23, 47, tzinfo=zone).astimezone(UTC)
    await talker.say("He pays late and shouts at my designer; it isn't worth it")
    await talker.pick("end the work")
    await talker.pick("neutral")
    await talker.say("31 January")
    case = await current(talker)
    nudges = {n.kind: n for n in await talker.core.store.nudges_for_case(case.id)}
    assert nudges["send-parting"].due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") == "2026-11-24 10:00"


async def test_a_time_step_that_reads_no_time_still_offers_skip_later_and_close(talker: Talker) -> None:
    """Someone who typed a new crisis at a "by when?" step is not stuck repeating "couldn't read a time"."""
    await start(talker, "abusive-client")
    await talker.say("the client now also says we stole his logo and he will sue us")
    assert "couldn't read a time" in talker.text()
    await talker.pick("answer later")
    assert (await current(talker)).step == "pause-time"
    await talker.say("/conflict")
    await talker.press("cf:s:considering-firing-client")
    await talker.pick("walk me through")
    assert "Step 1 of 4" in talker.text()


async def test_the_five_steps_deadline_that_reads_no_time_offers_skip_later_and_close(talker: Talker) -> None:
    await start(talker, "quality-complaint")
    case = await current(talker)
    case.step = "deadline"
    await talker.core.store.save_case(case)
    await talker.say("as soon as humanly possible")
    assert "couldn't read a date" in talker.text()
    labels = [c.label.lower() for r in talker.last for c in r.choices]
    assert any("skip" in label for label in labels) and any("close" in label for label in labels)
