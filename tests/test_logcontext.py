"""Log lines name the event they belong to, so a user's report can be matched to a trace."""

from __future__ import annotations

import logging

from bot.core import Core
from bot.events import Event, EventKind, Reply
from bot.logcontext import EventFilter
from bot.settings import load_settings
from bot.store import SQLiteStore
from handlers.context import Context


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(EventFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_a_failing_handler_is_logged_with_its_event(store: SQLiteStore) -> None:
    async def broken(event: Event, ctx: Context) -> list[Reply]:
        logging.getLogger("handlers.somewhere").warning("about to fail")
        raise RuntimeError("boom")

    core = Core(store, load_settings(), dispatch=broken)
    records = Records()
    root = logging.getLogger()
    root.addHandler(records)
    try:
        replies = await core.handle(Event("console", "e42", "u1", "c1", EventKind.MESSAGE, text="hi"))
    finally:
        root.removeHandler(records)
    assert replies and replies[0].text == core.lib.t("error.internal", "en")
    mine = [r for r in records.records if r.name in ("handlers.somewhere", "bot.core")]
    assert [getattr(r, "event", None) for r in mine] == ["console:e42", "console:e42"]
    assert "e42" in mine[-1].getMessage()  # the error line itself names the event too
    outside = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    assert EventFilter().filter(outside) and outside.event == "-"
