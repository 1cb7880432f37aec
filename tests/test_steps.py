"""The walkthrough as a step table: `handlers.steps.Step` and `handlers.walkthrough.TABLE`."""

from __future__ import annotations

import pytest

from bot.events import EventKind
from bot.store import SQLiteStore
from content import library
from handlers import flow, walkthrough
from handlers.steps import Answers, Step
from tests.conftest import Talker


def test_steps_are_the_strings_the_store_keeps() -> None:
    assert Step.LISTEN == "listen" and Step("tracking") is Step.TRACKING
    assert f"step.{Step.PARAPHRASE}" == "step.paraphrase"


def test_the_table_says_the_order_the_numbering_and_what_waits_for_the_user() -> None:
    assert walkthrough.STEPS == ("listen", "paraphrase", "cause", "apologize", "solution")
    lib = library()
    order, step = [], flow.first_step(lib, "quality-complaint", {})
    while step in walkthrough.STEPS:
        order.append(step)
        step = flow.next_step(lib, "quality-complaint", step, {})
    assert tuple(order) == walkthrough.STEPS and step is Step.TRACKING
    assert lib.flows.flows[flow.DEFUSE] == list(walkthrough.STEPS)
    assert set(walkthrough.RESUMABLE) == set(walkthrough.TABLE)
    assert not set(walkthrough.IDLE_STEPS) & set(walkthrough.TABLE)
    # buttons-only steps keep typed text as a note; text steps have a handler
    assert all(row.on_text is not None for row in walkthrough.TABLE.values())


def test_every_button_action_a_prompt_offers_has_a_handler() -> None:
    assert {"skip", "later", "close", "first", "ok", "c", "fault", "nofault", "keep", "soon", "out", "walk", "alt",
            "lang", "resume", "restart", "pick", "mine", "note"} == set(walkthrough.ACTIONS)


def test_answers_document_every_key_the_walkthrough_writes() -> None:
    keys = set(Answers.__annotations__)
    assert {"complaint", "paraphrase_draft", "paraphrase_sure", "promise", "deadline", "_resume",
            "_pending_text", "_crisis_text"} <= keys


@pytest.mark.parametrize("step", ["offered", "tracking", "closed", "no-such-step"])
async def test_a_step_outside_the_table_shows_the_tracking_note(step: str, talker: Talker,
                                                                store: SQLiteStore) -> None:
    await talker.say("/conflict the client refuses to pay the last invoice and threatens a lawsuit")
    case = await store.find_open_case("console", "c1", None, "u1")
    assert case is not None
    case.step = step
    ctx = talker.core.context_for(await talker.core.user_for(talker._event(EventKind.MESSAGE)))
    assert walkthrough.prompt(ctx, case).text == ctx.t("walk.tracking")
