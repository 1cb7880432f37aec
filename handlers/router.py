"""`Router`: the commands and buttons one handler module answers, and how they are put together.

Each handler module owns a ``router = Router("name")`` and decorates its functions with
``@router.command("lang", "language")`` or ``@router.button(MenuPress)``. `handlers/__init__.py` includes
them all in one root router, the only place that says which modules make up Parley; a test can build a
router with just the handlers it needs. (The model is aiogram's ``Router.include_router``; unlike the
import-time global tables this replaces, nothing is registered by importing a module.)
"""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Self, TypeVar

from bot.buttons import ButtonData
from bot.events import Event, Reply
from handlers.context import Context

__all__ = ["ButtonHandler", "CommandHandler", "Router"]

P = TypeVar("P", bound=ButtonData)
#: ``(event, ctx, args)``: args is the text after the command name, stripped.
CommandHandler = Callable[[Event, Context, str], Awaitable[list[Reply]]]
#: ``(event, ctx, press)``: press is the button's payload, already unpacked.
ButtonHandler = Callable[[Event, Context, Any], Awaitable[list[Reply]]]


class Router:
    """Commands by name and button handlers by payload kind.

    ``public_commands`` is what users see in menus and help, in that order (`publish`); the core hands
    it to the adapters.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: dict[str, CommandHandler] = {}
        self.buttons: dict[str, tuple[type[ButtonData], ButtonHandler]] = {}
        self.public_commands: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Router({self.name!r}, commands={sorted(self.commands)}, buttons={sorted(self.buttons)})"

    def command(self, *names: str) -> Callable[[CommandHandler], CommandHandler]:
        """Registers the decorated function for ``/name`` (lower-case names, aliases allowed).

        Raises:
            ValueError: a name is already taken in this router.
        """

        def register(func: CommandHandler) -> CommandHandler:
            for name in names:
                self._add_command(name, func)
            return func

        return register

    def button(self, kind: type[P]) -> Callable[[Callable[[Event, Context, P], Awaitable[list[Reply]]]],
                                                Callable[[Event, Context, P], Awaitable[list[Reply]]]]:
        """Registers the decorated function for the buttons packed by ``kind``; it gets ``kind.unpack(id)``.

        Raises:
            ValueError: ``kind.prefix`` is already taken in this router.
        """

        def register(func: Callable[[Event, Context, P], Awaitable[list[Reply]]]
                     ) -> Callable[[Event, Context, P], Awaitable[list[Reply]]]:
            self._add_button(kind, func)
            return func

        return register

    def include(self, *routers: Router) -> Self:
        """Adds every command and button of ``routers`` to this one; returns self for chaining.

        Raises:
            ValueError: two routers answer the same command name or button prefix.
        """
        for router in routers:
            for name, func in router.commands.items():
                self._add_command(name, func)
            for kind, handler in router.buttons.values():
                self._add_button(kind, handler)
        return self

    def publish(self, names: Iterable[str]) -> Self:
        """Sets `public_commands`, in the given order.

        Raises:
            ValueError: a name no command of this router answers.
        """
        wanted = tuple(names)
        unknown = [name for name in wanted if name not in self.commands]
        if unknown:
            raise ValueError(f"{self.name}: no handler for published commands {unknown}")
        self.public_commands = wanted
        return self

    def closest_command(self, name: str) -> str | None:
        """The known command most like a mistyped ``name`` (difflib ratio >= 0.6), or None."""
        found = difflib.get_close_matches(name.lower(), list(self.commands), n=1, cutoff=0.6)
        return found[0] if found else None

    def button_for(self, choice_id: str) -> tuple[type[ButtonData], ButtonHandler] | None:
        """The payload kind and handler of a pressed id (without owner tag), by its prefix; None if unknown."""
        return self.buttons.get(choice_id.split(":", 1)[0])

    def _add_command(self, name: str, func: CommandHandler) -> None:
        if name in self.commands and self.commands[name] is not func:
            raise ValueError(f"{self.name}: two handlers for /{name}")
        self.commands[name] = func

    def _add_button(self, kind: type[ButtonData], func: ButtonHandler) -> None:
        known = self.buttons.get(kind.prefix)
        if known is not None and known != (kind, func):
            raise ValueError(f"{self.name}: two handlers for buttons {kind.prefix!r}")
        self.buttons[kind.prefix] = (kind, func)
