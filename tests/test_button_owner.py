"""Every button belongs to the person it answered (issue 15, item 5), checked in the core for every kind.

Ana and Bogdan share one group chat. Whatever Parley showed Ana — a menu, a card, a language offer,
/lang, /forget, /help, /case, a nudge — Bogdan's press of it gets one private note and changes nothing.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from bot.core import Core
from bot.events import MAX_CHOICE_ID_BYTES, Choice, Event, EventKind, Reply, Target, stamp_replies
from bot.outbox import Delivery
from bot.owner import owner_tag, stamp, unstamp
from bot.store import Case, Nudge
from content import LANGUAGES
from tests.conftest import Talker

UNSURE = "I have a problem with a client"
CLEAR = "the client has not paid the invoice for two months"
CLEAR_RU = "клиент уже два месяца не оплачивает счёт"


def pair(core: Core, platform: str = "telegram") -> tuple[Talker, Talker]:
    ana = Talker(core, user="ana", chat="group", platform=platform)
    bogdan = Talker(core, user="bogdan", chat="group", platform=platform)
    return ana, bogdan


def choice_ids(replies: Sequence[Reply]) -> list[str]:
    return [c.id for r in replies for c in r.choices]


def find(replies: Sequence[Reply], part: str) -> str:
    """The (stamped) id of the first choice whose bare id contains ``part``."""
    for cid in choice_ids(replies):
        if part in unstamp(cid)[0]:
            return cid
    raise AssertionError(f"no choice like {part!r} in {choice_ids(replies)}")


def assert_refused(core: Core, replies: list[Reply], lang: str = "en") -> None:
    assert len(replies) == 1, replies
    note = replies[0]
    assert note.private and not note.close_origin and not note.choices
    assert note.text == core.lib.t("button.not_yours", lang)


# -- the tag itself ---------------------------------------------------------------------------


def test_stamp_round_trips_and_is_idempotent() -> None:
    tag = owner_tag("telegram", "4201")
    stamped = stamp("cf:s:late-payment", tag)
    assert stamped != "cf:s:late-payment" and unstamp(stamped) == ("cf:s:late-payment", tag)
    assert stamp(stamped, tag) == stamped and stamp(stamped, owner_tag("telegram", "4202")) == stamped
    assert unstamp("cf:s:late-payment") == ("cf:s:late-payment", None)
    assert owner_tag("telegram", "4201") != owner_tag("slack", "4201") != owner_tag("telegram", "4202")


def test_a_tilde_is_only_allowed_as_the_owner_separator() -> None:
    with pytest.raises(ValueError):
        Choice("cf:s:a~b:c", "x")
    with pytest.raises(ValueError):
        Choice("x" * (MAX_CHOICE_ID_BYTES - 2), "x")  # leaves no room for the owner tag


def test_stamp_replies_leaves_the_handlers_replies_alone() -> None:
    original = Reply("menu", choices=[Choice("cf:menu", "Menu")])
    stamped = stamp_replies([original], "telegram", "1")
    assert original.choices[0].id == "cf:menu"
    assert unstamp(stamped[0].choices[0].id) == ("cf:menu", owner_tag("telegram", "1"))


# -- every kind of button fits Telegram's 64 bytes with its tag -------------------------------


@dataclass
class _Recorder:
    """An adapter that keeps what the core asks it to send (nudges)."""

    platform: str = "telegram"
    sent: list[tuple[Target, list[Reply]]] = field(default_factory=list)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, target: Target, replies: Sequence[Reply]) -> None:
        self.sent.append((target, list(replies)))

    async def deliver(self, delivery: Delivery) -> None:
        assert delivery.target is not None
        await self.send(delivery.target, delivery.replies)


async def test_every_kind_of_button_fits_the_callback_data_limit_with_its_tag(core: Core) -> None:
    from bot.adapters.slack_home import home_view
    from handlers import commands, conflict, followup, walkthrough

    biggest = 2**63 - 1  # SQLite's largest row id
    now = datetime(2026, 11, 23, tzinfo=UTC)
    user = await core.user_for(Event("telegram", "e", "4201", "c", EventKind.COMMAND))
    ctx = dataclasses.replace(core.context_for(user), now=now)
    longest = sorted(core.lib.situations, key=len)[-2:]
    case = Case(id=biggest, platform="telegram", chat_id="-1001234567890", thread_id=None, user_id="4201",
                situation=longest[0], step="offered", answers={"first_message": "x", "_resume": "listen"},
                status="open", outcome=None, lang="en", created_at=now, updated_at=now)
    nudge = Nudge(id=biggest, case_id=biggest, kind="deliver", due_at=now, status="sent", attempts=0, note=None,
                  last_error=None, claimed_at=None, sent_at=None, created_at=now)
    replies: list[Reply] = [conflict.menu(ctx), conflict.menu(ctx, "conflict.unsure", likely=longest),
                            conflict.offer(ctx, case, alternatives=longest, switch_to="ro")]
    for step in ("listen", "paraphrase", "cause", "apologize", "solution", "deadline", "risky", "review",
                 *ctx.lib.flows.steps):  # every step of every flow, with its choices
        case.step = step
        replies.append(walkthrough.prompt(ctx, case))
    replies.append(Reply("", choices=walkthrough.outcome_choices(ctx, case)))
    replies.append(Reply("", choices=followup.nudge_choices(ctx, nudge)))
    replies.append(Reply("", choices=followup.nudge_choices(ctx, dataclasses.replace(nudge, kind="pay-final"))))
    replies.append(Reply("", choices=[Choice(f"n:{biggest}:s:{k}", k) for k in followup.SNOOZES]))
    event = Event("telegram", "e2", "4201", "c", EventKind.COMMAND)
    for command in (commands.help_, commands.lang, commands.forget):
        replies += await command(event, ctx, "")
    ids = choice_ids(replies)
    assert len(ids) > 40
    # the longest ids a handler can build: a 19-digit case id and the longest situation ids
    assert f"w:{biggest}:offered:alt:{longest[1]}" in ids and f"cf:s:{longest[1]}" in ids
    assert f"w:{biggest}:share-way:pick:their-client" in ids and any(i.startswith("n:") and ":paid" in i for i in ids)
    for user_id in ("4201", "U" + "Z" * 20, "-" * 40):
        for stamped in choice_ids(stamp_replies(replies, "telegram", user_id)):
            assert len(stamped.encode()) <= MAX_CHOICE_ID_BYTES, stamped
    view = await home_view(core, "U1")
    values = [e["value"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert values and all(unstamp(v)[1] == owner_tag("slack", "U1") for v in values)


# -- each kind of button, pressed by the wrong person ------------------------------------------


async def test_situation_menu_from_conflict(core: Core) -> None:
    """The issue's example: Ana's unsure /conflict shows the menu; Bogdan presses one of its buttons."""
    ana, bogdan = pair(core)
    menu = await ana.say(f"/conflict {UNSURE}")
    assert not any(r.case_id for r in menu) and len(choice_ids(menu)) >= 10
    refused = await bogdan.press(find(menu, "cf:s:quality-complaint"))
    assert_refused(core, refused)
    assert await core.store.open_cases("telegram", "bogdan") == []
    assert await core.store.get_user("telegram", "bogdan") is None, "a refused press stores nothing"
    ana.last = menu
    chosen = await ana.press(find(menu, "cf:s:quality-complaint"))
    assert chosen[0].close_origin and (await core.store.open_cases("telegram", "ana"))[0].step == "offered"


async def test_situation_menu_without_text(core: Core) -> None:
    ana, bogdan = pair(core)
    menu = await ana.say("/conflict")
    assert_refused(core, await bogdan.press(find(menu, "cf:s:late-payment")))
    assert await core.store.open_cases("telegram", "bogdan") == []


async def test_card_offer_buttons(core: Core) -> None:
    ana, bogdan = pair(core)
    card = await ana.say(f"/conflict {CLEAR}")
    case_id = next(r.case_id for r in card if r.case_id)
    assert_refused(core, await bogdan.press(find(card, ":offered:walk")))
    case = await core.store.get_case(case_id)  # type: ignore[arg-type]
    assert case is not None and case.step == "offered" and case.user_id == "ana"


async def test_card_alternative_situation_button(core: Core) -> None:
    ana, bogdan = pair(core)
    card = await ana.say("/conflict the client screamed at me on the phone, called me an idiot and says we ruined the launch")
    case_id = next(r.case_id for r in card if r.case_id)
    before = await core.store.get_case(case_id)  # type: ignore[arg-type]
    assert_refused(core, await bogdan.press(find(card, ":offered:alt:")))
    after = await core.store.get_case(case_id)  # type: ignore[arg-type]
    assert after is not None and before is not None and after.situation == before.situation


async def test_language_offer_on_a_card(core: Core) -> None:
    ana, bogdan = pair(core)
    card = await ana.say(CLEAR_RU)
    refused = await bogdan.press(find(card, ":offered:lang:ru"))
    assert_refused(core, refused)
    assert (await core.store.get_user("telegram", "ana")).lang == "en"  # type: ignore[union-attr]
    assert await core.store.get_user("telegram", "bogdan") is None


async def test_lang_menu(core: Core) -> None:
    ana, bogdan = pair(core)
    await bogdan.say("/cards")  # Bogdan is known, in English
    menu = await ana.say("/lang")
    assert_refused(core, await bogdan.press(find(menu, "m:lang:ro")))
    assert (await core.store.get_user("telegram", "bogdan")).lang == "en"  # type: ignore[union-attr]
    ana.last = menu
    assert (await ana.press(find(menu, "m:lang:ro")))[0].close_origin
    assert (await core.store.get_user("telegram", "ana")).lang == "ro"  # type: ignore[union-attr]


async def test_the_note_is_in_the_pressers_language(core: Core) -> None:
    ana, bogdan = pair(core)
    await bogdan.say("/lang ru")
    menu = await ana.say("/help")
    assert_refused(core, await bogdan.press(find(menu, "cf:menu")), "ru")
    stranger = Talker(core, user="olga", chat="group", platform="telegram", lang_hint="ro-RO")
    assert_refused(core, await stranger.press(find(menu, "cf:menu")), "ro")


async def test_forget_confirmation(core: Core) -> None:
    ana, bogdan = pair(core)
    await bogdan.say(f"/conflict {CLEAR}")  # Bogdan has a case that a foreign "Yes" must not delete
    confirm = await ana.say("/forget")
    assert_refused(core, await bogdan.press(find(confirm, "fg:yes")))
    assert len(await core.store.open_cases("telegram", "bogdan")) == 1
    assert_refused(core, await bogdan.press(find(confirm, "fg:no")))


async def test_help_menu(core: Core) -> None:
    ana, bogdan = pair(core)
    menu = await ana.say("/help")
    assert_refused(core, await bogdan.press(find(menu, "cf:menu")))
    assert_refused(core, await bogdan.press(find(menu, "m:cards")))
    ana.last = menu
    assert len(choice_ids(await ana.press(find(menu, "cf:menu")))) >= 10


async def test_case_resume_buttons(core: Core) -> None:
    ana, bogdan = pair(core)
    await ana.say(f"/conflict {CLEAR}")
    await ana.pick("walk me through")
    summary = await ana.say("/case")
    resume = find(summary, ":resume")
    assert_refused(core, await bogdan.press(resume))
    # the store stamps updated_at with the real clock; push it back so Ana's case looks silent
    raw = sqlite3.connect(core.store.path)  # type: ignore[attr-defined]
    raw.execute("UPDATE cases SET updated_at='2020-01-01T00:00:00.000000Z'")
    raw.commit()
    raw.close()
    back = await ana.say("he says the invoice was never sent")
    for part in (":resume", ":restart", ":any:close"):
        assert_refused(core, await bogdan.press(find(back, part)))
    case = (await core.store.open_cases("telegram", "ana"))[0]
    assert case.step == "pay-amount" and "_pending_text" in case.answers  # late payment's first step


async def test_nudge_buttons_belong_to_the_case_owner(core: Core) -> None:
    from handlers.followup import render_nudge

    recorder = _Recorder()
    core.register(recorder)
    ana, bogdan = pair(core)
    card = await ana.say(f"/conflict {CLEAR}")
    case_id = next(r.case_id for r in card if r.case_id)
    assert case_id is not None
    nudge = await core.store.add_nudge(case_id, "deliver", core.clock())
    rendered = await render_nudge(core, nudge, False)
    assert rendered is not None
    await core.send(*rendered)
    sent = recorder.sent[-1][1]
    assert all(unstamp(cid)[1] == owner_tag("telegram", "ana") for cid in choice_ids(sent))
    for part in (":done", ":snooze", ":close"):
        assert_refused(core, await bogdan.press(find(sent, part)))
    assert (await core.store.get_nudge(nudge.id)).status == nudge.status  # type: ignore[union-attr]
    ana.last = sent
    snooze = await ana.press(find(sent, ":snooze"))
    assert_refused(core, await bogdan.press(find(snooze, ":s:1h")))
    assert (await ana.press(find(sent, ":done")))[0].close_origin


async def test_replies_to_a_press_belong_to_the_presser(core: Core) -> None:
    """The card that follows Ana's menu press is Ana's too, so the rule holds all the way down."""
    ana, bogdan = pair(core)
    menu = await ana.say("/conflict")
    card = await ana.press(find(menu, "cf:s:late-payment"))
    assert all(unstamp(cid)[1] == owner_tag("telegram", "ana") for cid in choice_ids(card))
    assert_refused(core, await bogdan.press(find(card, ":offered:walk")))


async def test_unstamped_ids_keep_todays_behaviour(core: Core) -> None:
    """Buttons sent before this change carry no tag: the handlers' own checks still apply."""
    ana, bogdan = pair(core)
    card = await ana.say(f"/conflict {CLEAR}")
    case_id = next(r.case_id for r in card if r.case_id)
    refused = await bogdan.press(f"w:{case_id}:offered:walk")
    assert refused[0].private and refused[0].text == core.lib.t("walk.not_yours", "en")
    assert (await bogdan.press("m:cards"))[0].close_origin
    ana.last = card
    assert (await ana.press(f"w:{case_id}:offered:walk"))[0].close_origin


async def test_a_forged_or_garbled_tag_is_refused(core: Core) -> None:
    ana, bogdan = pair(core)
    menu = await ana.say("/help")
    bare = unstamp(find(menu, "cf:menu"))[0]
    assert_refused(core, await bogdan.press(bare + "~????"))
    assert_refused(core, await bogdan.press(bare + "~"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_note_fits_a_telegram_alert(core: Core, lang: str) -> None:
    from bot.adapters.telegram import ALERT_LIMIT

    assert len(core.lib.t("button.not_yours", lang)) <= ALERT_LIMIT
