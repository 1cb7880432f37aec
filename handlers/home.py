"""A user's home page (Slack's App Home tab): their open cases with the next nudge, and common actions.

Built from the store each time it is shown, so it never shows a stale step. The buttons carry the same
payloads as the chat messages, so a press runs through the same handlers. The adapter only renders the
neutral `bot.events.Home` this returns.
"""

from __future__ import annotations

from bot.events import Choice, Home, HomeCase
from handlers.buttons import ConflictPress, MenuPress, WalkPress
from handlers.context import Context
from handlers.flow import is_flow_step
from handlers.render import when_text
from handlers.steps import ANY
from handlers.walkthrough import RESUMABLE

__all__ = ["MAX_CASES", "home"]

#: Slack allows 100 blocks in a Home view; each case takes two.
MAX_CASES = 40


async def home(ctx: Context) -> Home:
    """The home page of ``ctx.user`` in their language; at most `MAX_CASES` cases, most recent first."""
    user = ctx.user
    cases = await ctx.store.open_cases(user.platform, user.user_id)
    items = []
    for case in sorted(cases, key=lambda c: c.updated_at, reverse=True)[:MAX_CASES]:
        situation = ctx.lib.situations.get(case.situation or "")
        name = situation.text(ctx.lang).title if situation else ctx.t("cases.untitled")
        nudge = await ctx.store.next_nudge(case.id)
        if nudge is None:
            nxt = ctx.t("cases.no_nudge")
        else:
            nxt = ctx.t("cases.next", when=when_text(nudge.due_at, user.tz, ctx.lang),
                        kind=ctx.t(f"nudge.kind.{nudge.kind}"))
        step = ctx.t(f"step.{case.step}") if f"step.{case.step}" in ctx.lib.strings else case.step
        choices = []
        if case.step in RESUMABLE or is_flow_step(ctx.lib, case.step) or "_resume" in case.answers:
            choices.append(Choice(WalkPress(case.id, case.step, "resume").pack(), ctx.t("walk.resume")))
        choices.append(Choice(WalkPress(case.id, ANY, "close").pack(), ctx.t("walk.close")))
        items.append(HomeCase(case_id=case.id, number=ctx.t("case.number", id=case.id), title=name, step=step, next=nxt,
                              chat_id=case.chat_id, choices=choices))
    return Home(title=ctx.t("slack.home.title"), intro=ctx.t("slack.home.intro"),
                choices=[Choice(ConflictPress("menu").pack(), ctx.t("slack.home.new")),
                         Choice(MenuPress("cards").pack(), ctx.t("help.browse_cards"))],
                cases_title=ctx.tn("cases.title", len(cases)) if cases else None,
                empty=ctx.t("slack.home.none"), where_label=ctx.t("slack.home.where"), cases=items)
