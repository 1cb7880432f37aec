"""How a background loop (the outbox, the scheduler) logs passes that fail: once per streak.

With the database down, each loop fails every second; logging each failure with its traceback buried
the one line an operator needs under hundreds. A streak now logs its first failure (an outage — the
database or the network unreachable — as one line, anything else with its traceback, since that is a
bug), a one-line reminder every `REMIND_EVERY` seconds while it lasts, and one line when a pass works
again.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable

__all__ = ["REMIND_EVERY", "StreakLog", "is_outage"]

#: Seconds between the "still failing" lines of one streak.
REMIND_EVERY = 60.0


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` says the database or the network cannot be reached (not a bug in Parley): OS and
    timeout errors, SQLite's operational errors (locked, disk I/O), asyncpg's connection and interface
    errors, and the store's own `StoreError`."""
    from bot.store import StoreError

    if isinstance(exc, (OSError, TimeoutError, sqlite3.OperationalError, StoreError)):
        return True
    kind = type(exc)
    return kind.__module__.startswith("asyncpg") and ("Connection" in kind.__name__ or "Interface" in kind.__name__
                                                      or "CannotConnect" in kind.__name__)


class StreakLog:
    """Logs the failures of one loop's passes once per streak (see the module's docstring).

    ``what`` names the loop in each line ("an outbox pass"); ``clock`` gives monotonic seconds (tests
    pass their own).
    """

    def __init__(self, logger: logging.Logger, what: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.logger, self.what, self.clock = logger, what, clock
        self.failures = 0
        self._reminded_at = 0.0

    def failed(self, exc: BaseException) -> None:
        """A pass raised ``exc`` (call inside the ``except`` block, so a bug's traceback is the right one)."""
        self.failures += 1
        now = self.clock()
        if self.failures == 1:
            self._reminded_at = now
            if is_outage(exc):
                self.logger.error("%s failed: %s: %s; trying again every second, logged again when it works",
                                  self.what, type(exc).__name__, exc)
            else:
                self.logger.exception("%s failed; trying again shortly", self.what)
        elif now - self._reminded_at >= REMIND_EVERY:
            self._reminded_at = now
            self.logger.error("%s still failing: %d passes so far (%s)", self.what, self.failures,
                              type(exc).__name__)

    def succeeded(self) -> None:
        """A pass worked: ends the streak with one line if there was one."""
        if self.failures:
            self.logger.warning("%s works again after %d failed pass(es)", self.what, self.failures)
            self.failures = 0
