"""Replies tied to no stored event (the console's "no option" line here; Telegram's "text only" note
and unusable presses in test_telegram.py, Slack's "not yours" in test_slack.py) leave through the
outbox too: an event-less row in the conversation, delivered and marked sent like the others."""

from __future__ import annotations

import io

from bot.adapters.console import ConsoleAdapter
from bot.core import Core
from bot.store import SQLiteStore


async def test_the_console_no_option_line_is_an_outbox_row_and_keeps_the_menu(core: Core,
                                                                               store: SQLiteStore) -> None:
    out = io.StringIO()
    adapter = ConsoleAdapter(core, user_id="picker", stdin=io.BytesIO(b"/lang\n9\n2\n"), stdout=out,
                             interactive=False, language="en")
    core.register(adapter)
    await adapter.start()
    await adapter.run()
    text = out.getvalue()
    assert "There is no option 9" in text
    assert "по-русски" in text, "the menu shown before the slip still picks"
    rows = [dict(r) for r in await store._all("SELECT * FROM outbox ORDER BY id")]
    assert [(r["event_id"] is None, r["status"]) for r in rows] == [(False, "sent"), (True, "sent"), (False, "sent")]
    assert len({r["conversation"] for r in rows}) == 1, "the note is ordered with the replies around it"
