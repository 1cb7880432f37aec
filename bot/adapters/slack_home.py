"""The App Home tab: the user's open cases with their next nudge, and buttons for the common actions.

Built from the store each time the tab is opened (``app_home_opened``) or a Home button was pressed,
so it never shows a stale step. Buttons carry the same choice ids as the chat messages, so a press
runs through the same handlers.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.slack_blocks import SECTION_LIMIT, actions_blocks
from bot.core import Core
from bot.events import Choice
from bot.markup import slack_escape, to_slack_mrkdwn
from bot.owner import stamp_choices
from handlers.buttons import ConflictPress, MenuPress, WalkPress

#: Slack allows 100 blocks in a Home view; each case takes two.
MAX_CASES = 40
#: Steps where the walkthrough waits for the user, so "Continue" makes sense.
_RESUMABLE = ("listen", "paraphrase", "cause", "apologize", "solution", "deadline", "risky", "review")


async def home_view(core: Core, user_id: str) -> dict[str, Any]:
    """The Home view for one user, in their language."""
    from handlers.render import when_text

    user = await core.store.get_user("slack", user_id)
    lang = user.lang if user else core.settings.default_language
    tz = user.tz if user else core.settings.default_timezone

    def t(key: str, **values: object) -> str:
        return core.lib.t(key, lang, **values)

    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": t("slack.home.title")}},
        {"type": "section", "text": {"type": "mrkdwn", "text": to_slack_mrkdwn(t("slack.home.intro"))}},
        *actions_blocks(stamp_choices([Choice(ConflictPress("menu").pack(), t("slack.home.new")),
                                       Choice(MenuPress("cards").pack(), t("help.browse_cards"))], "slack", user_id),
                        user_id, tag="h"),
        {"type": "divider"},
    ]
    cases = await core.store.open_cases("slack", user_id)
    if not cases:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": to_slack_mrkdwn(t("slack.home.none"))}})
    else:
        title = core.lib.tn("cases.title", lang, len(cases))
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": title[:150]}})
    for case in sorted(cases, key=lambda c: c.updated_at, reverse=True)[:MAX_CASES]:
        situation = core.lib.situations.get(case.situation or "")
        name = situation.text(lang).title if situation else t("cases.untitled")
        nudge = await core.store.next_nudge(case.id)
        if nudge is None:
            nxt = t("cases.no_nudge")
        else:
            nxt = t("cases.next", when=when_text(nudge.due_at, tz, lang), kind=t(f"nudge.kind.{nudge.kind}"))
        step = t(f"step.{case.step}") if f"step.{case.step}" in core.lib.strings else case.step
        text = f"*{slack_escape(t('case.number', id=case.id))} {slack_escape(name)}*\n{slack_escape(step)}. {slack_escape(nxt)}"
        where = f"<#{case.chat_id}>" if case.chat_id.startswith(("C", "G")) else ""
        if where:
            text += f"\n{t('slack.home.where')} {where}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}})
        choices = []
        if case.step in _RESUMABLE or "_resume" in case.answers:
            choices.append(Choice(WalkPress(case.id, case.step, "resume").pack(), t("walk.resume")))
        choices.append(Choice(WalkPress(case.id, "any", "close").pack(), t("walk.close")))
        blocks += actions_blocks(stamp_choices(choices, "slack", user_id), user_id, tag=f"c{case.id}-")
    return {"type": "home", "blocks": blocks}
