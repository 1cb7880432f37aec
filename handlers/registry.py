"""Command and button tables, filled by decorators in the handler modules."""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.buttons import ButtonData, row_id
from bot.events import Event, Reply
from handlers.context import Context

P = TypeVar("P", bound=ButtonData)
CommandHandler = Callable[[Event, Context, str], Awaitable[list[Reply]]]
#: A button handler gets the parsed payload (a `ButtonData` subclass) as its third argument.
ButtonHandler = Callable[[Event, Context, Any], Awaitable[list[Reply]]]

COMMANDS: dict[str, CommandHandler] = {}
BUTTONS: dict[str, tuple[type[ButtonData], ButtonHandler]] = {}

__all__ = ["BUTTONS", "COMMANDS", "PUBLIC_COMMANDS", "button", "closest_command", "command", "row_id"]

#: The commands users see in menus and help, in this order.
PUBLIC_COMMANDS = ("conflict", "cards", "card", "cases", "case", "followup", "check", "lang", "tz", "quiet",
                   "forget", "help", "start")


def command(*names: str) -> Callable[[CommandHandler], CommandHandler]:
    def register(func: CommandHandler) -> CommandHandler:
        for name in names:
            COMMANDS[name] = func
        return func

    return register


def button(kind: type[P]) -> Callable[[Callable[[Event, Context, P], Awaitable[list[Reply]]]],
                                       Callable[[Event, Context, P], Awaitable[list[Reply]]]]:
    """Registers the handler of the buttons packed by ``kind``; it receives ``kind.unpack(id)``."""

    def register(func: Callable[[Event, Context, P], Awaitable[list[Reply]]]) -> Callable[[Event, Context, P],
                                                                                      Awaitable[list[Reply]]]:
        BUTTONS[kind.prefix] = (kind, func)
        return func

    return register


def closest_command(name: str) -> str | None:
    found = difflib.get_close_matches(name.lower(), list(COMMANDS), n=1, cutoff=0.6)
    return found[0] if found else None

