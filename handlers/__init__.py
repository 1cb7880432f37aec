"""Conversation logic, platform-agnostic: plain functions of ``(event, context)`` returning replies.

`dispatch` is the one entry point the core calls. Commands and button presses are routed by `ROOT`,
which includes the router of every handler module (`handlers.router.Router`): this is the one place
that says what Parley answers, so adding a command touches its module and, if it is new, this list.
Free text goes to the walkthrough step it answers, else to triage.
"""

from __future__ import annotations

from bot.events import Event, EventKind, Reply
from bot.markup import clean_input
from handlers import commands, conflict, edits, followup, walkthrough
from handlers.context import Context
from handlers.router import Router

#: Longer messages are refused with a friendly note rather than processed half-way.
MAX_TEXT = 4000

#: Every command and button Parley answers; the commands users see in menus and help, in this order.
ROOT = Router("parley").include(
    commands.router, conflict.router, followup.router, walkthrough.router,
).publish(("conflict", "cards", "card", "cases", "case", "followup", "check", "lang", "tz", "quiet", "forget",
           "help", "start"))
PUBLIC_COMMANDS = ROOT.public_commands

__all__ = ["MAX_TEXT", "PUBLIC_COMMANDS", "ROOT", "dispatch"]


def split_command(text: str) -> tuple[str, str] | None:
    """``/card@ParleyBot listen`` -> ("card", "listen"); None when the text is not a command."""
    if not text.startswith("/") or len(text) < 2 or text[1].isspace():
        return None
    head, _, rest = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    return name, rest.strip()


async def dispatch(event: Event, ctx: Context) -> list[Reply]:
    text = clean_input(event.text).strip()
    if event.kind is EventKind.BUTTON:
        found = ROOT.button_for(event.button or "")
        if found is None:
            return [Reply(ctx.t("button.stale"), private=True)]
        kind, handler = found
        try:
            press = kind.unpack(event.button or "")
        except ValueError:  # an id no handler could use: from an older version, or made up
            return [Reply(ctx.t("button.stale"), private=True)]
        return await handler(event, ctx, press)

    name: str | None = event.command.lower() if event.command else None
    args = text
    if name is None:
        parsed = split_command(text)
        if parsed is not None:
            name, args = parsed
    if event.edited:  # never a new message: answered for what the original did (handlers/edits.py)
        return await edits.edited(event, ctx, text=text, command=name, args=args, limit=MAX_TEXT,
                                  move_followup=followup.move_followup)

    if len(text) > MAX_TEXT:
        return [Reply(ctx.t("input.too_long", limit=MAX_TEXT, size=len(text)))]
    if name is not None:
        command = ROOT.commands.get(name)
        if command is None:
            guess = ROOT.closest_command(name)
            if guess:
                return [Reply(ctx.t("command.unknown_guess", command=name[:40], guess=guess))]
            return [Reply(ctx.t("command.unknown", command=name[:40]))]
        replies = await command(event, ctx, args)
        effect, case_id = edits.effect_of(replies)
        await edits.remember(event, ctx, "command" if effect == "message" else effect, case_id=case_id, detail=name)
        return replies

    if not text:
        return [Reply(ctx.t("input.empty"))]
    # one lookup serves both: the step it may answer, or the offered case triage may reuse
    here = await walkthrough.active_case(event, ctx)
    step = here.step if here is not None else None
    forgot = await commands.forget_typed(event, ctx, text, here)  # «да» to /forget's question
    if forgot is not None:
        return forgot
    switched = await conflict.language_switch(event, ctx, text)  # "русский" typed at a step too
    if switched is not None:
        await edits.remember(event, ctx, "message")
        return switched
    answered = await walkthrough.answer_text(ctx, here, text, event)
    if answered is not None:
        await edits.remember(event, ctx, "answer", case=here, detail=step)  # answer_text saved ``here`` in place
        return answered
    replies = await conflict.triage_reply(event, ctx, text, here)
    effect, case_id = edits.effect_of(replies)
    await edits.remember(event, ctx, effect, case_id=case_id)
    return replies
