"""`handlers.router.Router`: handler modules own routers; one root includes them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import handlers
from bot.buttons import ButtonData
from bot.events import Event, Reply
from handlers.context import Context
from handlers.router import Router


@dataclass(frozen=True)
class Ping(ButtonData, prefix="pg"):
    n: int


def _router(name: str = "test") -> Router:
    router = Router(name)

    @router.command("hello", "hi")
    async def hello(event: Event, ctx: Context, args: str) -> list[Reply]:
        return [Reply(f"hello {args}")]

    @router.button(Ping)
    async def ping(event: Event, ctx: Context, press: Ping) -> list[Reply]:
        return [Reply(f"pong {press.n}")]

    return router


def test_a_router_holds_only_what_was_registered_on_it() -> None:
    router = _router()
    assert set(router.commands) == {"hello", "hi"}
    kind, _ = router.button_for("pg:3") or (None, None)
    assert kind is Ping
    assert router.button_for("w:1:listen:skip") is None
    assert router.closest_command("helo") == "hello"


def test_include_merges_and_refuses_two_handlers_for_one_name() -> None:
    root = Router("root").include(_router("a"))
    assert set(root.commands) == {"hello", "hi"}
    with pytest.raises(ValueError, match="/hello"):
        root.include(_router("b"))  # a different function for the same command


def test_publish_refuses_a_command_nobody_answers() -> None:
    with pytest.raises(ValueError, match="nope"):
        _router().publish(["hello", "nope"])
    assert _router().publish(["hi", "hello"]).public_commands == ("hi", "hello")


def test_the_root_includes_every_handler_module_and_publishes_the_menu() -> None:
    root = handlers.ROOT
    for module in (handlers.commands, handlers.conflict, handlers.followup, handlers.walkthrough):
        assert module.router.commands.items() <= root.commands.items()
        assert module.router.buttons.items() <= root.buttons.items()
    assert root.public_commands[:2] == ("conflict", "cards") and "help" in root.public_commands
    assert set(root.buttons) == {"w", "n", "m", "cf", "fg", "cs"}
