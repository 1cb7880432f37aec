"""Issue 15, item 5 on the Telegram fake: in a group, Parley's buttons belong to the person it answered.

Bogdan's press of Ana's buttons is answered with an alert only he sees (answerCallbackQuery), and
Ana's message keeps its text and buttons.
"""

from __future__ import annotations

import asyncio

from bot.events import Target
from bot.owner import owner_tag, unstamp
from tests.fake_telegram import TgUser, group_chat
from tests.test_telegram import Tg, fake, tg, tg_store  # noqa: F401 (fixtures)

ANA = TgUser(4301, "Ana", "en")
BOGDAN = TgUser(4302, "Bogdan", "ro")
GROUP = group_chat(-100700, "Studio")
UNSURE = "I have a problem with a client"


async def _refused(running: Tg, update_id: int, lang: str) -> None:
    await asyncio.sleep(0.3)
    answer = running.fake.answer_for(update_id)
    assert answer is not None, "the press is answered, so Bogdan's button stops spinning"
    assert answer["show_alert"] is True and answer["text"] == running.t("button.not_yours", lang)


async def test_someone_else_cannot_press_the_situation_menu(tg: Tg) -> None:  # noqa: F811
    menu = await tg.say(ANA, f"/conflict {UNSURE}", chat=GROUP)
    assert len(menu.buttons) >= 10
    assert all(unstamp(data)[1] == owner_tag("telegram", str(ANA.id)) for _, data in menu.buttons)
    before = (menu.text, menu.keyboard)
    label = menu.buttons[0][0]
    mark = tg.fake.mark()
    update_id = await tg.press(BOGDAN, menu, label)
    await _refused(tg, update_id, "ro")
    assert (menu.text, menu.keyboard) == before, "Ana's message keeps its buttons"
    assert not tg.fake.calls_of("sendMessage", mark) and not tg.fake.calls_of("editMessageText", mark)
    assert not tg.fake.calls_of("editMessageReplyMarkup", mark)
    assert await tg.core.store.open_cases("telegram", str(BOGDAN.id)) == []

    # Ana can still press: her menu closes on her choice and the card follows
    await tg.press(ANA, menu, label, sends=1)
    assert menu.keyboard is None and menu.text.endswith(label)
    cases = await tg.core.store.open_cases("telegram", str(ANA.id))
    assert len(cases) == 1 and cases[0].step == "offered"


async def test_someone_else_cannot_press_a_group_nudge(tg: Tg) -> None:  # noqa: F811
    from handlers.followup import render_nudge

    card = await tg.say(ANA, "/conflict the client has not paid the invoice for two months", chat=GROUP)
    case = (await tg.core.store.open_cases("telegram", str(ANA.id)))[0]
    nudge = await tg.core.store.add_nudge(case.id, "deliver", tg.core.clock())
    rendered = await render_nudge(tg.core, nudge, False)
    assert rendered is not None
    target, replies = rendered
    assert target == Target("telegram", str(GROUP["id"]), str(ANA.id), None)
    mark = tg.fake.mark()
    await tg.core.send(target, replies)
    await tg.fake.wait_for("sendMessage", since=mark)
    sent = tg.fake.last(GROUP["id"])
    assert sent is not card and sent.buttons
    before = (sent.text, sent.keyboard)
    mark = tg.fake.mark()
    update_id = await tg.press(BOGDAN, sent, tg.t("nudge.done"))
    await _refused(tg, update_id, "ro")
    assert (sent.text, sent.keyboard) == before
    assert not tg.fake.calls_of("sendMessage", mark)
    assert (await tg.core.store.get_nudge(nudge.id)).status == nudge.status  # type: ignore[union-attr]
