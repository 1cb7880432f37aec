"""Issue 15, item 5 on the Slack fake: a channel card's buttons belong to the person it answered.

The adapter refuses a foreign press by the actions block's owner; the core refuses it again by the
owner tag in the button value, so a message whose block_id carries no owner is protected too.
"""

from __future__ import annotations

from bot.owner import owner_tag, unstamp
from tests.fake_slack import all_text, buttons
from tests.test_slack import Running, _case_rows, _start_walk, fake, parley, t  # noqa: F401 (fixtures)


async def test_a_channel_card_is_refused_to_someone_else_by_the_core_too(parley: Running) -> None:  # noqa: F811
    card = await _start_walk(parley)
    assert all(unstamp(b["value"])[1] == owner_tag("slack", "U1") for b in buttons(card))
    for block in card["blocks"]:
        if block["type"] == "actions":
            block["block_id"] = "legacy"  # no owner for the adapter to check: the core's tag decides
    n = len(parley.fake.calls)
    await parley.slack.press(card, t("conflict.walk"), user="U2")
    note = await parley.fake.wait_for("chat.postEphemeral", after=n)
    assert note.params["user"] == "U2" and t("button.not_yours") in all_text(note.params)
    await parley.idle()
    writes = [c.method for c in parley.fake.calls[n:] if c.method != "users.info"]  # users.info: its locale
    assert writes == ["chat.postEphemeral"], "nothing is edited or posted"
    rows = await _case_rows(parley)
    assert len(rows) == 1 and rows[0]["user_id"] == "U1" and rows[0]["step"] == "offered"

    n = len(parley.fake.calls)
    await parley.slack.press(card, t("conflict.walk"), user="U1")
    update = await parley.fake.wait_for("chat.update", after=n)
    assert update.params["ts"] == card["ts"]
    await parley.idle()
    assert (await _case_rows(parley))[0]["step"] == "listen"


async def test_a_nudge_in_a_channel_belongs_to_the_case_owner(parley: Running) -> None:  # noqa: F811
    from handlers.followup import render_nudge

    card = await _start_walk(parley)
    nudge = await parley.core.store.add_nudge(1, "deliver", parley.core.clock())
    rendered = await render_nudge(parley.core, nudge, False)
    assert rendered is not None
    n = len(parley.fake.calls)
    await parley.core.send(*rendered)
    post = await parley.fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == card["ts"], after=n)
    assert buttons(post.params)
    assert all(unstamp(b["value"])[1] == owner_tag("slack", "U1") for b in buttons(post.params))
