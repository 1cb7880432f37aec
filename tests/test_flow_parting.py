"""Letting a client go: the "send the parting message" reminder comes before the handover date, and an
end date that leaves no time for a handover is questioned once before it is taken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core import Core
from content import library
from tests.conftest import FixedClock, Talker
from tests.test_flow_drafts import current, speaker, start, talker_choice


async def to_end_date(core: Core, lang: str) -> Talker:
    talker = speaker(core, lang)
    await start(talker, "considering-firing-client")
    await talker.say({"en": "too many late payments", "ru": "слишком много задержек оплаты",
                      "ro": "prea multe întârzieri la plată"}[lang])
    await talker.press(await talker_choice(talker, 0))
    await talker.press(await talker_choice(talker, 0))
    return talker


async def test_the_parting_reminder_comes_before_a_near_end_date(core: Core, clock: FixedClock) -> None:
    clock.now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)  # Sunday noon; the end is Monday 18:00, 30 hours on
    talker = await to_end_date(core, "en")
    await talker.say("tomorrow 18:00")
    case = await current(talker)
    nudges = {n.kind: n for n in await core.store.nudges_for_case(case.id)}
    assert nudges["handover"].due_at == datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
    parting = nudges["send-parting"].due_at
    assert clock.now <= parting <= nudges["handover"].due_at - timedelta(days=1), parting


@pytest.mark.parametrize("lang", ["en", "ru", "ro"])
async def test_an_end_date_that_leaves_no_time_is_questioned_once(core: Core, clock: FixedClock, lang: str) -> None:
    clock.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the 30th: "today 18:00" leaves nine hours
    talker = await to_end_date(core, lang)
    said = {"en": "today 18:00", "ru": "сегодня в 18:00", "ro": "azi la 18:00"}[lang]
    await talker.say(said)
    asked = talker.text()
    soon = library().t("flow.part-end.soon", lang, when="X").split("X")[-1][:30]
    assert soon in asked, asked
    case = await current(talker)
    assert case.step == "part-end" and await core.store.nudges_for_case(case.id) == []
    await talker.say(said)
    case = await current(talker)
    nudges = {n.kind: n for n in await core.store.nudges_for_case(case.id)}
    assert nudges["handover"].due_at == datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
    assert nudges["send-parting"].due_at < nudges["handover"].due_at


@pytest.mark.parametrize(("lang", "said"), [("en", "Friday"), ("ru", "в пятницу"), ("ro", "vineri")])
async def test_an_end_day_without_an_hour_is_the_end_of_that_working_day(core: Core, lang: str, said: str) -> None:
    """"We stop on Friday" is Friday evening (a deliverable's 18:00), not Friday at 10:00 as a reminder's day."""
    talker = await to_end_date(core, lang)
    await talker.say(said)
    case = await current(talker)
    handover = {n.kind: n for n in await core.store.nudges_for_case(case.id)}["handover"]
    assert (handover.due_at.weekday(), handover.due_at.hour) == (4, 18), handover.due_at


def test_only_a_time_step_can_be_deliverable() -> None:
    from pydantic import ValidationError

    from content.models import FlowStep
    with pytest.raises(ValidationError, match="deliverable is for time steps"):
        FlowStep(kind="text", save="x", deliverable=True)
