"""The App Home tab in Block Kit: renders the neutral `bot.events.Home` that `handlers.home` builds.

Built each time the tab is opened (``app_home_opened``) or a Home button was pressed (`home_view`).
"""

from __future__ import annotations

from typing import Any

from bot.adapters.slack_blocks import SECTION_LIMIT, actions_blocks
from bot.core import Core
from bot.events import Home
from bot.markup import slack_escape, to_slack_mrkdwn


async def home_view(core: Core, user_id: str) -> dict[str, Any]:
    """The Home view for one Slack user, in their language; its buttons belong to them."""
    return render_home(await core.home("slack", user_id), user_id)


def render_home(home: Home, user_id: str) -> dict[str, Any]:
    """``home`` as a Slack ``home`` view: header, intro, actions, then one section and actions per case."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": home.title}},
        {"type": "section", "text": {"type": "mrkdwn", "text": to_slack_mrkdwn(home.intro)}},
        *actions_blocks(home.choices, user_id, tag="h"),
        {"type": "divider"},
    ]
    if home.cases_title is None:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": to_slack_mrkdwn(home.empty)}})
    else:
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": home.cases_title[:150]}})
    for case in home.cases:
        text = (f"*{slack_escape(case.number)} {slack_escape(case.title)}*\n"
                f"{slack_escape(case.step)}. {slack_escape(case.next)}")
        where = f"<#{case.chat_id}>" if case.chat_id.startswith(("C", "G")) else ""
        if where:
            text += f"\n{home.where_label} {where}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}})
        blocks += actions_blocks(case.choices, user_id, tag=f"c{case.case_id}-")
    return {"type": "home", "blocks": blocks}
