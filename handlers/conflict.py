"""`/conflict` and free text with no walkthrough running: recognise the situation, show the card."""

from __future__ import annotations

from bot.events import Choice, Event, Reply
from bot.store import Case
from handlers import walkthrough
from handlers.context import Context
from handlers.registry import button, command
from handlers.render import card_text, quoted
from handlers.triage import EVIDENCE, triage


@command("conflict")
async def conflict(event: Event, ctx: Context, args: str) -> list[Reply]:
    if not args:
        return [menu(ctx)]
    return await triage_reply(event, ctx, args, await walkthrough.active_case(event, ctx))


def menu(ctx: Context, intro_key: str = "conflict.menu", likely: list[str] | None = None) -> Reply:
    """All situations; ``likely`` ones (the message gave some evidence for them) come first, best first."""
    first = [sid for sid in likely or [] if sid in ctx.lib.situations]
    order = first + [sid for sid in ctx.lib.situations if sid not in first]
    choices = [Choice(f"cf:s:{sid}", ctx.lib.situations[sid].text(ctx.lang).title) for sid in order]
    return Reply(ctx.t(intro_key), choices=choices)


async def triage_reply(event: Event, ctx: Context, text: str, here: Case | None) -> list[Reply]:
    """``here``: the open case of this place, as the caller already looked it up."""
    result = triage(text, ctx.lang)
    if not result.confident:
        return [menu(ctx, "conflict.unsure", likely=[m.id for m in result.matches if m.score >= EVIDENCE])]
    best, *others = result.matches
    # always the next two: a wrong first card (about 1 in 16 on held-out text) is then one press away,
    # and the right one is among the first three for 97 in 100
    alternatives = [m.id for m in others][:2]
    case = await _offer_case(event, ctx, here, best.id, alternatives, first_message=text)
    switch = result.language if result.language != ctx.lang else None
    return [offer(ctx, case, alternatives=alternatives, switch_to=switch)]


async def _offer_case(event: Event, ctx: Context, case: Case | None, situation: str, alternatives: list[str],
                      first_message: str | None = None) -> Case:
    """Reuses ``case`` (this place's open case) when it was only offered, so triage doesn't pile up cases.

    A walkthrough running here steps aside (it stays open in /cases and can be resumed), so a place
    never has two walkthroughs answering the same messages.
    """
    answers: dict[str, object] = {"alternatives": alternatives}
    if first_message:  # step 1 can reuse it instead of asking the user to type it all again
        answers["first_message"] = first_message[:1000]
    if case is not None and case.step not in walkthrough.IDLE_STEPS:
        await walkthrough.park(ctx, case)
    elif case is not None and case.step == "offered":
        case.situation = situation
        case.answers.update(answers)
        await ctx.store.save_case(case, log=("situation", {"situation": situation}))
        return case
    return await ctx.store.create_case(platform=event.platform, chat_id=event.chat_id, thread_id=event.thread_id,
                                       user_id=event.user_id, lang=ctx.lang, situation=situation, step="offered",
                                       answers=answers)


def offer(ctx: Context, case: Case, alternatives: list[str], switch_to: str | None = None) -> Reply:
    """The situation's best card with "Walk me through it" and the next likely situations.

    ``switch_to``: the message was written in another language than the user's; offer to answer in it.
    """
    assert case.situation is not None
    situation = ctx.lib.situations[case.situation]
    card = ctx.lib.cards[situation.cards[0]]
    # the title is quoted: it starts with a capital letter in the middle of the sentence
    text = "\n".join([ctx.t("conflict.recognised", situation=quoted(situation.text(ctx.lang).title, ctx.lang)), "",
                      card_text(ctx.lib, card, ctx.lang)])
    choices = [Choice(f"w:{case.id}:offered:walk", ctx.t("conflict.walk"))]
    for other in alternatives:
        title = ctx.lib.situations[other].text(ctx.lang).title
        choices.append(Choice(f"w:{case.id}:offered:alt:{other}",
                              ctx.t("conflict.rather", situation=quoted(title, ctx.lang))))
    if switch_to is not None:
        choices.append(Choice(f"w:{case.id}:offered:lang:{switch_to}", ctx.lib.t("conflict.in_language", switch_to)))
    return Reply(text, choices=choices, case_id=case.id, anchor=True)


@button("cf")
async def conflict_button(event: Event, ctx: Context) -> list[Reply]:
    parts = (event.button or "").split(":")
    if parts[1:2] == ["menu"]:
        return [menu(ctx)]
    if parts[1:2] == ["s"] and len(parts) == 3 and parts[2] in ctx.lib.situations:
        case = await _offer_case(event, ctx, await walkthrough.active_case(event, ctx), parts[2], [])
        title = ctx.lib.situations[parts[2]].text(ctx.lang).title
        return [Reply(f"✓ {title}", close_origin=True), offer(ctx, case, alternatives=[])]
    return [Reply(ctx.t("button.stale"), private=True)]
