"""What a handler gets besides the event: the store, the content, the user and the time.

Passed explicitly so handlers hold no globals and tests can build one by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.clock import next_allowed
from bot.store import Store, User
from content import Library

if TYPE_CHECKING:
    from bot.core import Core


@dataclass
class Context:
    core: Core
    store: Store
    lib: Library
    user: User
    now: datetime

    @property
    def lang(self) -> str:
        return self.user.lang

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.user.tz)

    def t(self, key: str, /, **values: object) -> str:
        return self.lib.t(key, self.user.lang, **values)

    def tn(self, key: str, n: int, /, **values: object) -> str:
        return self.lib.tn(key, self.user.lang, n, **values)

    def deliverable(self, moment: datetime) -> datetime:
        """``moment`` (aware), or the first later one outside this user's quiet hours: when a nudge may go."""
        return next_allowed(moment, self.user.tz, self.user.quiet_start, self.user.quiet_end)
