"""Conversation logic, platform-agnostic: plain functions of ``(event, context)`` returning replies.

`dispatch` is the one entry point the core calls. Commands, button presses and free text are routed
by tables filled in by the handler modules, so adding a command touches one module.
"""

from __future__ import annotations

from bot.events import Event, EventKind, Reply
from bot.markup import clean_input
from handlers import commands, conflict, followup, walkthrough  # noqa: F401 (importing registers them)
from handlers.context import Context
from handlers.registry import BUTTONS, COMMANDS, closest_command

#: Longer messages are refused with a friendly note rather than processed half-way.
MAX_TEXT = 4000

__all__ = ["dispatch", "MAX_TEXT"]


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
        prefix = (event.button or "").split(":", 1)[0]
        handler = BUTTONS.get(prefix)
        if handler is None:
            return [Reply(ctx.t("button.stale"), private=True)]
        return await handler(event, ctx)

    if len(text) > MAX_TEXT:
        return [Reply(ctx.t("input.too_long", limit=MAX_TEXT, size=len(text)))]

    name: str | None = event.command.lower() if event.command else None
    args = text
    if name is None:
        parsed = split_command(text)
        if parsed is not None:
            name, args = parsed
    if name is not None:
        command = COMMANDS.get(name)
        if command is None:
            guess = closest_command(name)
            if guess:
                return [Reply(ctx.t("command.unknown_guess", command=name[:40], guess=guess))]
            return [Reply(ctx.t("command.unknown", command=name[:40]))]
        return await command(event, ctx, args)

    if not text:
        return [Reply(ctx.t("input.empty"))]
    # one lookup serves both: the step it may answer, or the offered case triage may reuse
    here = await walkthrough.active_case(event, ctx)
    answered = await walkthrough.answer_text(ctx, here, text)
    if answered is not None:
        return answered
    return await conflict.triage_reply(event, ctx, text, here)
