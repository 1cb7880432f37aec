"""Which event a log line belongs to: a context variable the core sets, a filter that stamps records.

`Core` binds ``platform:event_id`` while it processes an event (`bound_event`); every record logged in
that task (core, handlers, store, adapters' delivery) then carries it as ``record.event`` once
`EventFilter` is on the handler (``parley run`` and ``parley chat`` put it there, and their format shows
``[%(event)s]``). Outside an event it is ``-``. Only ids, never a user's words. (structlog's
``bind_contextvars`` pattern, with the standard library.)
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["EventFilter", "bound_event", "current_event"]

_EVENT: ContextVar[str] = ContextVar("parley_event", default="-")


def current_event() -> str:
    """``platform:event_id`` of the event being processed in this task, or ``-``."""
    return _EVENT.get()


@contextmanager
def bound_event(platform: str, event_id: str) -> Iterator[None]:
    """Names the event for every log line of the current task until the block ends."""
    token = _EVENT.set(f"{platform}:{event_id}")
    try:
        yield
    finally:
        _EVENT.reset(token)


class EventFilter(logging.Filter):
    """Adds ``record.event`` (see the module docstring); never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.event = _EVENT.get()
        return True
