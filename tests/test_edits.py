"""Edited messages: an edit is never a new message (handlers, then the Telegram adapter on its fake).

The rule (README, "Edited messages"): an edit of the latest step answer updates it while the
walkthrough waits on the next step; an edit of an older answer gets a note; an edited /followup moves
the reminder it made; other edited commands do not run again; an edited crisis message does not post a
second card; an edit of a message Parley never handled is ignored.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from bot.core import Core
from bot.events import Event, EventKind, Reply
from bot.store import Case, utcnow
from tests.conftest import FixedClock, Talker

CRISIS = "the client is furious, we missed the launch deadline we promised"


class Writer(Talker):
    """A Talker whose messages carry a message id, as on Telegram and Slack, and can be edited."""

    _message_ids = itertools.count(500)

    async def send(self, text: str) -> str:
        """Sends ``text`` as a new message; returns its message id (the replies are in ``last``)."""
        message_id = str(next(self._message_ids))
        self.last = await self.core.handle(self._event(EventKind.MESSAGE, text=text, origin_message_id=message_id))
        return message_id

    async def edit(self, message_id: str, text: str) -> list[Reply]:
        self.last = await self.core.handle(self._event(EventKind.MESSAGE, text=text, origin_message_id=message_id,
                                                       edited=True))
        return self.last


def t(core: Core, key: str, **values: object) -> str:
    return core.lib.t(key, "en", **values)


async def only_case(core: Core) -> Case:
    cases = await core.store.open_cases("console", "u1")
    assert len(cases) == 1, cases
    return cases[0]


async def at_step_two(writer: Writer, complaint: str = "he says the banner was late and the colurs are wrong") -> str:
    await writer.send(CRISIS)
    await writer.pick("walk me through")
    answer = await writer.send(complaint)
    assert "Step 2 of 5" in writer.text()
    return answer


# -- the walkthrough ------------------------------------------------------------------------------


async def test_editing_the_step_one_answer_updates_it_and_the_draft(core: Core) -> None:
    writer = Writer(core)
    answer = await at_step_two(writer)
    replies = await writer.edit(answer, "he says the banner was late and the colours are wrong")
    case = await only_case(core)
    assert case.step == "paraphrase", "the edit did not answer step 2"
    assert case.answers["complaint"] == "he says the banner was late and the colours are wrong"
    assert "colours" in case.answers["paraphrase_draft"] and "colurs" not in case.answers["paraphrase_draft"]
    assert replies[0].text == t(core, "edit.updated")
    assert "Step 2 of 5" in writer.text() and "colours are wrong" in writer.text(), "the new draft is shown"
    assert "Step 3 of 5" not in writer.text()


async def test_editing_twice_keeps_updating(core: Core) -> None:
    writer = Writer(core)
    answer = await at_step_two(writer)
    await writer.edit(answer, "he says the banner was late")
    await writer.edit(answer, "he says the banner was two days late")
    case = await only_case(core)
    assert case.step == "paraphrase" and case.answers["complaint"] == "he says the banner was two days late"
    assert "two days late" in writer.text()
    await writer.pick("use this wording")
    assert (await only_case(core)).answers["paraphrase"] == case.answers["paraphrase_draft"]


async def test_editing_an_answer_after_the_step_moved_on_keeps_it(core: Core) -> None:
    writer = Writer(core)
    answer = await at_step_two(writer)
    await writer.send("So the banner was late and the colours are off, right?")
    before = await only_case(core)
    assert before.step == "cause"
    replies = await writer.edit(answer, "he says the banner was late")
    after = await only_case(core)
    assert after.step == "cause" and after.answers == before.answers
    assert [r.text for r in replies] == [t(core, "edit.kept")]


async def test_editing_an_answer_after_a_button_moved_the_step_keeps_it(core: Core) -> None:
    writer = Writer(core)
    answer = await at_step_two(writer)
    await writer.pick("use this wording")
    replies = await writer.edit(answer, "he says the banner was late")
    case = await only_case(core)
    assert case.step == "cause" and "colurs" in case.answers["complaint"]
    assert [r.text for r in replies] == [t(core, "edit.kept")]


async def test_editing_the_latest_step_two_answer_updates_it(core: Core) -> None:
    writer = Writer(core)
    await at_step_two(writer)
    answer = await writer.send("So the banner was late?")
    await writer.edit(answer, "So the banner was late and the colours are off?")
    case = await only_case(core)
    assert case.step == "cause" and case.answers["paraphrase"] == "So the banner was late and the colours are off?"


async def test_editing_the_promise_after_the_reminder_was_scheduled_adds_no_second_one(core: Core) -> None:
    writer = Writer(core)
    await at_step_two(writer)
    await writer.pick("use this wording")
    await writer.pick("broke a promise")  # answers step 4 too: straight to the promise
    promise = await writer.send("we redo the banner by Friday 18:00")
    case = await only_case(core)
    assert case.step == "tracking"
    replies = await writer.edit(promise, "we redo the banner by Thursday 18:00")
    assert [r.text for r in replies] == [t(core, "edit.kept")]
    nudges = await core.store.nudges_for_case(case.id)
    assert [n.kind for n in nudges] == ["deliver"]


async def test_editing_a_promise_that_had_no_deadline_uses_the_new_text(core: Core) -> None:
    writer = Writer(core)
    await at_step_two(writer)
    await writer.pick("use this wording")
    await writer.pick("broke a promise")  # answers step 4 too: straight to the promise
    promise = await writer.send("we redo the banner")
    assert (await only_case(core)).step == "deadline"
    await writer.edit(promise, "we redo the banner by Friday 18:00")
    case = await only_case(core)
    assert case.step == "tracking" and case.answers["promise"] == "we redo the banner by Friday 18:00"
    assert [n.kind for n in await core.store.nudges_for_case(case.id)] == ["deliver"]


# -- the card --------------------------------------------------------------------------------------


async def test_editing_the_crisis_message_posts_no_second_card(core: Core) -> None:
    writer = Writer(core)
    first = await writer.send(CRISIS)
    assert any(r.anchor for r in writer.last)
    replies = await writer.edit(first, CRISIS + " and wants a refund")
    assert [r.text for r in replies] == [t(core, "edit.card")]
    assert not any(r.anchor or r.choices for r in replies)
    await only_case(core)


async def test_editing_the_crisis_message_mid_walkthrough_does_not_park_it(core: Core) -> None:
    writer = Writer(core)
    first = await writer.send(CRISIS)
    await writer.pick("walk me through")
    await writer.edit(first, "the client is yelling at us")
    case = await only_case(core)
    assert case.step == "listen"


async def test_editing_a_conflict_command_posts_no_second_card(core: Core) -> None:
    writer = Writer(core)
    first = await writer.send(f"/conflict {CRISIS}")
    assert any(r.anchor for r in writer.last)
    replies = await writer.edit(first, "/conflict the client is yelling at us")
    assert [r.text for r in replies] == [t(core, "edit.card")]
    await only_case(core)


# -- commands ----------------------------------------------------------------------------------------


async def test_an_edited_followup_moves_its_reminder(core: Core, clock: FixedClock) -> None:
    writer = Writer(core)
    await writer.send(CRISIS)
    command = await writer.send("/followup 2h call back")
    case = await only_case(core)
    [first] = await core.store.nudges_for_case(case.id)
    replies = await writer.edit(command, "/followup 3h call the client back")
    [moved] = await core.store.nudges_for_case(case.id)
    assert moved.id == first.id and moved.status == "pending"
    assert moved.due_at == clock.now + timedelta(hours=3) and moved.note == "call the client back"
    assert "#" + str(case.id) in replies[0].text and "3 hours" in replies[0].text


async def test_an_edited_followup_that_already_fired_is_not_moved(core: Core, clock: FixedClock) -> None:
    writer = Writer(core)
    await writer.send(CRISIS)
    command = await writer.send("/followup 2h call back")
    case = await only_case(core)
    [nudge] = await core.store.nudges_for_case(case.id)
    clock.now += timedelta(hours=2)
    assert [n.id for n in await core.store.claim_due(clock.now)] == [nudge.id]
    await core.store.mark_sent(nudge.id, clock.now)
    replies = await writer.edit(command, "/followup 3h call back")
    assert [r.text for r in replies] == [t(core, "edit.followup_gone")]
    [still] = await core.store.nudges_for_case(case.id)
    assert still.status == "sent" and still.due_at == nudge.due_at


async def test_an_edited_followup_with_no_time_keeps_the_reminder(core: Core) -> None:
    writer = Writer(core)
    await writer.send(CRISIS)
    command = await writer.send("/followup 2h call back")
    case = await only_case(core)
    [nudge] = await core.store.nudges_for_case(case.id)
    replies = await writer.edit(command, "/followup sometime")
    assert "sometime" in replies[0].text
    assert [(n.id, n.due_at, n.status) for n in await core.store.nudges_for_case(case.id)] == \
        [(nudge.id, nudge.due_at, "pending")]


async def test_an_edit_that_fixes_a_failed_followup_sets_one_reminder(core: Core, clock: FixedClock) -> None:
    writer = Writer(core)
    await writer.send(CRISIS)
    command = await writer.send("/followup 2x call back")
    case = await only_case(core)
    assert await core.store.nudges_for_case(case.id) == []
    await writer.edit(command, "/followup 2h call back")
    await writer.edit(command, "/followup 4h call back")
    [nudge] = await core.store.nudges_for_case(case.id)
    assert nudge.due_at == clock.now + timedelta(hours=4)


async def test_an_edited_check_is_not_run_again(core: Core) -> None:
    writer = Writer(core)
    command = await writer.send("/check you are wrong, as usual")
    assert writer.last
    replies = await writer.edit(command, "/check you never read the brief")
    assert [r.text for r in replies] == [t(core, "edit.command", command="check")]


async def test_an_edit_of_a_message_parley_never_handled_is_ignored(core: Core) -> None:
    writer = Writer(core)
    assert await writer.edit("999999", CRISIS) == []
    assert await core.store.open_cases("console", "u1") == []


async def test_an_edit_by_someone_else_of_a_recorded_message_is_ignored(core: Core) -> None:
    writer = Writer(core)
    answer = await at_step_two(writer)
    other = Writer(core, user="u2")
    assert await other.edit(answer, "hijack") == []
    assert "colurs" in (await only_case(core)).answers["complaint"]


async def test_the_edit_notes_exist_in_every_language(core: Core) -> None:
    for key in ("edit.updated", "edit.kept", "edit.card", "edit.command", "edit.followup_gone",
                "edit.followup_moved", "edit.not_reread"):
        texts: dict[str, Any] = core.lib.strings[key]
        assert set(texts) >= {"en", "ru", "ro"}, key


def test_event_carries_the_edit_marker() -> None:
    event = Event(platform="telegram", event_id="1", user_id="u", chat_id="c", kind=EventKind.MESSAGE,
                  origin_message_id="7", edited=True)
    assert event.edited and event.origin_message_id == "7"


async def test_an_edit_while_welcome_back_waits_replaces_the_pending_answer(core: Core, clock: FixedClock) -> None:
    writer = Writer(core)
    await writer.send(CRISIS)
    await writer.pick("walk me through")
    clock.now = utcnow() + timedelta(days=1)  # the user comes back after a long silence (the store stamps real time)
    answer = await writer.send("he says the banner was late")
    assert "_pending_text" in (await only_case(core)).answers
    await writer.edit(answer, "he says the banner was two days late")
    assert (await only_case(core)).answers["_pending_text"] == "he says the banner was two days late"
    case = await only_case(core)
    await writer.press(f"w:{case.id}:listen:resume")
    case = await only_case(core)
    assert case.step == "paraphrase" and case.answers["complaint"] == "he says the banner was two days late"


async def test_a_moved_reminder_shows_in_the_case_history(core: Core) -> None:
    writer = Writer(core)
    await writer.send(CRISIS)
    command = await writer.send("/followup 2h call back")
    await writer.edit(command, "/followup 3h call back")
    await writer.send("/case export")
    assert "Reminder moved (your reminder, " in writer.text()
