"""Edited messages: an edit is never a new message.

Telegram sends ``edited_message`` and Slack ``message_changed`` when a user fixes a typo; the adapters
turn both into an `Event` with ``edited=True`` and the original message's id. What a message did is
recorded when it is handled (`remember`, a `HandledMessage` row without its text), and an edit is
answered for that:

- an answer to a walkthrough step: while nothing has happened to the case since (the step still
  waits on the next answer), the step is answered again with the new text, so the stored answer
  and the step-2 draft built from it are updated; otherwise a short note says the original stays;
- a /followup that set a reminder: the same reminder moves (or a note says it already went out);
- a message that showed a situation's card: no second card, a note;
- any other command or message: not run again, a note;
- a message Parley never handled (sent before it joined, chatter in a group): silence.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.events import Event, EventKind, Reply
from bot.store import Case, HandledMessage
from bot.store.models import to_db
from handlers import walkthrough
from handlers.context import Context

#: ``(event, ctx, record, args)``: moves the reminder an edited /followup set (`handlers.followup.move_followup`).
MoveFollowup = Callable[[Event, Context, HandledMessage, str], Awaitable[list[Reply]]]

#: The names /followup answers to (its edits move the reminder instead of adding one).
FOLLOWUP_COMMANDS = ("followup", "remind")


async def remember(event: Event, ctx: Context, effect: str, *, case: Case | None = None, case_id: int | None = None,
                   nudge_id: int | None = None, detail: str | None = None, replace: bool = False) -> None:
    """Records what the user's message ``event`` did (see `HandledMessage` for ``effect``).

    Does nothing for presses, for edits (they never replace what the message did) and for events with
    no message id (the console, Slack slash commands: they cannot be edited). ``case``: the case the
    message acted on, as it is now (its ``updated_at`` tells later whether anything happened since);
    ``case_id`` alone when that does not matter.
    """
    if event.kind is EventKind.BUTTON or event.edited or not event.origin_message_id:
        return
    await ctx.store.remember_message(HandledMessage(
        platform=event.platform, chat_id=event.chat_id, message_id=event.origin_message_id, user_id=event.user_id,
        effect=effect, case_id=case.id if case else case_id, nudge_id=nudge_id, detail=detail,
        case_seen=case.updated_at if case else None, at=ctx.now), replace=replace)


def effect_of(replies: list[Reply]) -> tuple[str, int | None]:
    """("card", case id) when the replies offer a case's card (they anchor it), else ("message", None)."""
    offered = next((r.case_id for r in replies if r.anchor and r.case_id is not None), None)
    return ("card", offered) if offered is not None else ("message", None)


async def edited(event: Event, ctx: Context, *, text: str, command: str | None, args: str,
                 limit: int, move_followup: MoveFollowup) -> list[Reply]:
    """The answer to an edit of the message ``event.origin_message_id``.

    ``text`` is the cleaned new text, ``command``/``args`` the command it now names (None when it is
    plain text), ``limit`` the longest text a step accepts. Only the message's author is answered.
    ``move_followup`` is passed in (by `handlers.dispatch`) because follow-ups record their messages here.
    """
    record = None
    if event.origin_message_id:
        record = await ctx.store.handled_message(event.platform, event.chat_id, event.origin_message_id)
    if record is None or record.user_id != event.user_id:
        return []
    if record.effect == "answer":
        return await _answer(event, ctx, record, text if command is None else "", limit)
    if record.effect in ("followup", "command") and record.detail in FOLLOWUP_COMMANDS and command in FOLLOWUP_COMMANDS:
        return await move_followup(event, ctx, record, args)
    if record.effect == "card":
        return [Reply(ctx.t("edit.card"), case_id=record.case_id)]
    if record.effect in ("followup", "command") and record.detail:
        return [Reply(ctx.t("edit.command", command=record.detail))]
    return [Reply(ctx.t("edit.not_reread"))]


async def _answer(event: Event, ctx: Context, record: HandledMessage, text: str, limit: int) -> list[Reply]:
    """Answers the step again while the case is exactly as this message left it; a note otherwise."""
    case = await ctx.store.get_case(record.case_id) if record.case_id is not None else None
    untouched = (case is not None and case.is_open and case.step not in walkthrough.IDLE_STEPS
                 and record.case_seen is not None and to_db(case.updated_at) == to_db(record.case_seen))
    if case is None or not untouched or not text or not record.detail:
        return [Reply(ctx.t("edit.kept"), case_id=case.id if case else None)]
    if len(text) > limit:
        return [Reply(ctx.t("input.too_long", limit=limit, size=len(text)))]
    if "_pending_text" in case.answers:  # waiting on "continue or start over?": the answer is not in yet
        case.answers["_pending_text"] = text
        await ctx.store.save_case(case)
        replies: list[Reply] = []
    else:
        replies = await walkthrough.answer_again(ctx, case, record.detail, text)
    await ctx.store.remember_message(HandledMessage(
        platform=record.platform, chat_id=record.chat_id, message_id=record.message_id, user_id=record.user_id,
        effect="answer", case_id=case.id, detail=record.detail, case_seen=case.updated_at, at=ctx.now),
        replace=True)
    return [Reply(ctx.t("edit.updated"), case_id=case.id), *replies]
