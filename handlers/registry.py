"""Command and button tables, filled by decorators in the handler modules."""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable

from bot.events import Event, Reply
from handlers.context import Context

CommandHandler = Callable[[Event, Context, str], Awaitable[list[Reply]]]
ButtonHandler = Callable[[Event, Context], Awaitable[list[Reply]]]

COMMANDS: dict[str, CommandHandler] = {}
BUTTONS: dict[str, ButtonHandler] = {}

#: The commands users see in menus and help, in this order.
PUBLIC_COMMANDS = ("conflict", "cards", "card", "cases", "case", "followup", "check", "lang", "tz", "quiet",
                   "forget", "help", "start")


def command(*names: str) -> Callable[[CommandHandler], CommandHandler]:
    def register(func: CommandHandler) -> CommandHandler:
        for name in names:
            COMMANDS[name] = func
        return func

    return register


def button(prefix: str) -> Callable[[ButtonHandler], ButtonHandler]:
    """Choice ids look like ``prefix:rest``; the prefix picks the handler."""

    def register(func: ButtonHandler) -> ButtonHandler:
        BUTTONS[prefix] = func
        return func

    return register


def closest_command(name: str) -> str | None:
    found = difflib.get_close_matches(name.lower(), list(COMMANDS), n=1, cutoff=0.6)
    return found[0] if found else None


def row_id(text: str) -> int | None:
    """A database id from a button or a command argument; None for anything else (even huge numbers)."""
    text = text.lstrip("#")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 15 else None
