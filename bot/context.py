"""What a handler gets besides the event: narrow capabilities, never the core itself.

The core builds one per event (`bot.core.Core.context_for`, the only place that does), for the
acting user, and the scheduler's renderer gets one for the owner of a nudge. A handler reads and
writes state through ``store`` (the `Store` protocol, the repository interface), reads text through
``lib``, and asks the core for the two things only it can do: store a language choice and wake the
scheduler. Passed explicitly so handlers hold no globals; a test can build one by hand.
(The model is bolt's listener arguments: a listener gets ``say``/``respond``/``context``, never the App.)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.clock import next_allowed
from bot.store import Store, User
from content import Library

__all__ = ["Context", "ContextSource", "LanguageSetter"]

#: ``(platform, user_id, lang)``: stores the user's language (creating the user if needed).
LanguageSetter = Callable[[str, str, str], Awaitable[None]]


async def _store_language(platform: str, user_id: str, lang: str) -> None:
    raise RuntimeError("this Context was built without a language setter")


def _nothing() -> None:
    return None


@dataclass
class Context:
    """One handler call's view of Parley.

    ``now`` is aware UTC, read once per event so a handler sees one time. ``user`` is the acting
    user (for a nudge: its owner) as stored when the event began; handlers may change it in place.
    """

    store: Store
    lib: Library
    user: User
    now: datetime
    #: The core's way to store a language; see `set_language`.
    language_setter: LanguageSetter = field(default=_store_language, repr=False)
    #: Tells the scheduler that nudges were added or moved, so it re-reads the next due time.
    nudges_changed: Callable[[], None] = field(default=_nothing, repr=False)

    @property
    def lang(self) -> str:
        """The user's language code (one of `content.LANGUAGES`)."""
        return self.user.lang

    @property
    def zone(self) -> ZoneInfo:
        """The user's time zone; raises `zoneinfo.ZoneInfoNotFoundError` for a name zoneinfo lacks."""
        return ZoneInfo(self.user.tz)

    def t(self, key: str, /, **values: object) -> str:
        """The string ``key`` in the user's language; raises KeyError for an unknown key."""
        return self.lib.t(key, self.user.lang, **values)

    def tn(self, key: str, n: int, /, **values: object) -> str:
        """The plural form of ``key`` for ``n`` in the user's language."""
        return self.lib.tn(key, self.user.lang, n, **values)

    async def set_language(self, lang: str) -> None:
        """Stores ``lang`` (a code of `content.LANGUAGES`) as the user's language, here and in the store."""
        await self.language_setter(self.user.platform, self.user.user_id, lang)
        self.user.lang = lang

    def deliverable(self, moment: datetime) -> datetime:
        """``moment`` (aware), or the first later one outside this user's quiet hours: when a nudge may go."""
        return next_allowed(moment, self.user.tz, self.user.quiet_start, self.user.quiet_end)


class ContextSource(Protocol):
    """What renders outside an event (the scheduler's nudges) need: the store and a Context for a user.

    `bot.core.Core` is one; handlers name this instead of the core.
    """

    @property
    def store(self) -> Store:
        """Where cases, nudges and users are read and written."""
        ...

    def context_for(self, user: User) -> Context:
        """The `Context` of ``user`` at this moment."""
        ...
