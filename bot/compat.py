"""The one place Parley leans on other libraries beyond their documented API.

Everything else in `bot/`, `handlers/` and `content/` uses public names only (tests/test_architecture.py
checks that). Each item below says why no public way serves, and has a contract test in
tests/test_compat.py, so an upgrade that breaks one fails there, by name, and not somewhere deep in a
store write or a reply. The libraries concerned carry an upper version bound in pyproject.toml.

- `ODVInput`: PTB's type of the "default or value" timeout parameters of `BaseRequest.do_request`; only a
  type, imported for the type checker.
- `retry_after_seconds`: PTB 22 is moving `RetryAfter.retry_after` from int to `timedelta` and warns on
  every read in between.
- `post_unparsed`: PTB's public `Bot.do_api_request` warns when used for a method PTB has a typed call
  for; Parley uses it on purpose (see its docstring).
"""

from __future__ import annotations

import warnings
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # PTB only for types: the store imports this module and must not load PTB
    from telegram import Bot
    from telegram._utils.types import ODVInput as ODVInput
    from telegram.error import RetryAfter

# ODVInput exists for type checkers only (imported under TYPE_CHECKING), so it is not exported at run time
__all__ = ["post_unparsed", "retry_after_seconds"]

T = TypeVar("T")

#: `Bot.do_api_request` names the typed method it would prefer; Parley skips it on purpose (`post_unparsed`).
#: (PTB's `PTBUserWarning` is a `UserWarning`; naming the base keeps PTB out of the store's imports.)
PREFER_TYPED = r"Please use 'Bot\.\w+' instead of 'Bot\.do_api_request"
warnings.filterwarnings("ignore", message=PREFER_TYPED, category=UserWarning)


def retry_after_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait, in seconds, from a `RetryAfter`, without PTB's warning.

    PTB 22 returns an int (or a `timedelta` when ``PTB_TIMEDELTA`` is set) from the public
    `RetryAfter.retry_after` and warns about the coming change on every read; both shapes are handled.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*retry_after", category=DeprecationWarning)
        value: int | float | timedelta = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def post_unparsed(bot: Bot, method: str, params: dict[str, Any]) -> Any:
    """Calls Bot API ``method`` with ``params`` and returns Telegram's raw ``result`` (a dict or bool).

    Goes through PTB's public `Bot.do_api_request`, so None values are dropped, PTB objects serialised,
    the rate limiter of an `ExtBot` applies and errors come as PTB's exceptions (`telegram.error`).
    The typed call (`Bot.send_message`) would parse the answer back into a `Message`, which Parley never
    reads and which costs more CPU than building the request for a long reply; PTB's warning about
    preferring it is silenced for exactly that message.
    """
    return await bot.do_api_request(method, api_kwargs=params)
