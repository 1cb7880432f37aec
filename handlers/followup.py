"""Cases and follow-ups: /cases, /case, /followup, the nudges' own buttons, and how a nudge reads.

The chain after an agreed solution: deliver (at the deadline) -> satisfied -> review. Each one is
scheduled only when the one before it was answered, so nothing nags after the matter is settled.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from bot.buttons import row_id
from bot.events import Choice, Event, Reply, Target
from bot.markup import user_text
from bot.store import Case, HandledMessage, Nudge
from bot.store.models import from_db, to_db
from handlers.buttons import CasePress, NudgePress, WalkPress
from handlers.context import Context, ContextSource
from handlers.edits import remember
from handlers.flow import is_flow_step, position
from handlers.render import case_title, offer, quoted, relative_text, when_confirmed, when_text
from handlers.router import Router
from handlers.steps import Step
from handlers.timeparse import later, parse_when, unread_time_words
from handlers.walkthrough import IDLE_STEPS, close_case, close_question, outcome_choices, owned_case

router = Router("followup")

#: The furthest a /followup reminder may be set.
MAX_AHEAD = timedelta(days=366)
SATISFIED_AFTER = timedelta(days=1)
REVIEW_AFTER = timedelta(days=2)
SNOOZES = {"1h": timedelta(hours=1), "4h": timedelta(hours=4), "1d": timedelta(days=1), "3d": timedelta(days=3)}
#: A nudge in one of these states can still be answered or snoozed.
_OPEN_NUDGE = ("sent", "pending", "failed", "claimed")
NEXT_IN_CHAIN = {"deliver": ("satisfied", SATISFIED_AFTER), "satisfied": ("review", REVIEW_AFTER)}


async def current_case(event: Event, ctx: Context) -> Case | None:
    """The case of this place, else the user's most recently touched open case."""
    here = await ctx.store.find_open_case(event.platform, event.chat_id, event.thread_id, event.user_id)
    if here is not None:
        return here
    cases = await ctx.store.open_cases(event.platform, event.user_id)
    return max(cases, key=lambda c: c.updated_at) if cases else None


def _title(ctx: Context, case: Case) -> str:
    return case_title(ctx.lib, case.situation, ctx.lang)


def _state(ctx: Context, case: Case) -> str:
    """Where a case stands, as a state ("card shown", "paused at step 3 of 5, finding the real cause").

    A case set aside for a new conflict (`handlers.walkthrough.park`) sits on "tracking" with the step
    it left in ``answers["_resume"]``: it is shown as paused at that step, not as waiting for a reminder.
    Deadline and risky-promise questions belong to step 5 (the solution).
    """
    resume = case.answers.get("_resume")
    if not isinstance(resume, str):
        return ctx.t(f"step.{case.step}")
    numbered = "solution" if resume in ("deadline", "risky") else resume
    at = position(ctx.lib, case.situation, numbered, case.answers)
    if at is not None:
        return ctx.t("case.paused", n=at[0], total=at[1], step=ctx.t(f"step.{resume}"))
    return ctx.t("case.paused_other", step=ctx.t(f"step.{resume}"))


@router.command("cases")
async def cases(event: Event, ctx: Context, args: str) -> list[Reply]:
    found = await ctx.store.open_cases(event.platform, event.user_id)
    if not found:
        return [Reply(ctx.t("cases.none"))]
    lines = [f"**{ctx.tn('cases.title', len(found))}**"]
    for case in found:
        nudge = await ctx.store.next_nudge(case.id)
        if nudge is None and "_resume" in case.answers:
            nxt = ctx.t("cases.resume_hint", id=case.id)
        elif nudge is None:
            nxt = ctx.t("cases.no_nudge")
        elif nudge.status == "failed":
            nxt = ctx.t("cases.nudge_failed", kind=ctx.t(f"nudge.kind.{nudge.kind}"))
        else:
            nxt = ctx.t("cases.next", when=when_text(nudge.due_at, ctx.user.tz, ctx.lang),
                        kind=ctx.t(f"nudge.kind.{nudge.kind}"))
        lines.append(f"• {ctx.t('case.number', id=case.id)} {_title(ctx, case)} — {_state(ctx, case)}. {nxt}")
    lines += ["", ctx.t("cases.hint")]
    return [Reply("\n".join(lines))]


@router.command("case")
async def case_command(event: Event, ctx: Context, args: str) -> list[Reply]:
    words = args.split()
    sub = words[0].lower() if words else ""
    number = next((w.lstrip("#") for w in words if row_id(w) is not None), None)
    if number is not None:
        # a closed case's history stays readable: closing one promises "/case export" until /forget
        wanted = await ctx.store.get_case(row_id(number) or 0)
        if wanted is None or wanted.platform != event.platform or wanted.user_id != event.user_id:
            return [Reply(ctx.t("case.not_found", id=number))]
        if not wanted.is_open:
            if sub == "export":
                return [Reply(await export_markdown(ctx, wanted))]
            outcome = quoted(ctx.t(f"outcome.{wanted.outcome}"), ctx.lang) if wanted.outcome else "—"
            return [Reply(ctx.t("case.closed", id=wanted.id, title=quoted(_title(ctx, wanted), ctx.lang),
                                outcome=outcome))]
        found = await owned_case(event, ctx, number)
        if isinstance(found, list):
            return [Reply(r.text) for r in found]
        case: Case | None = found
    else:
        open_cases = await ctx.store.open_cases(event.platform, event.user_id)
        if len(open_cases) > 1:
            return [_which_case(ctx, open_cases, sub if sub in ("close", "export") else "show")]
        case = open_cases[0] if open_cases else None
    if case is None:
        return [Reply(ctx.t("cases.none"))]
    return await _case_action(event, ctx, case, sub)


def _which_case(ctx: Context, found: list[Case], action: str) -> Reply:
    """The question a number-less /case asks when several cases are open: one button a case, newest
    first, each naming its number and title, so Parley never closes or shows a case it guessed."""
    newest = sorted(found, key=lambda c: c.updated_at, reverse=True)
    return Reply(ctx.t("case.which"), choices=[
        Choice(CasePress(c.id, action).pack(), f"{ctx.t('case.number', id=c.id)} {_title(ctx, c)}") for c in newest])


@router.button(CasePress)
async def case_button(event: Event, ctx: Context, press: CasePress) -> list[Reply]:
    """A case picked from `_which_case`: close it, export it or show it."""
    if press.action not in ("close", "export", "show"):
        return [Reply(ctx.t("button.stale"), private=True)]
    found = await owned_case(event, ctx, str(press.case))
    if isinstance(found, list):
        return found
    return [Reply(f"✓ {ctx.t('case.number', id=found.id)} {_title(ctx, found)}", close_origin=True),
            *(await _case_action(event, ctx, found, press.action))]


async def _case_action(event: Event, ctx: Context, case: Case, sub: str) -> list[Reply]:
    """/case on one open case: ``export`` its history, ``close`` it (asking how it ended), else its summary."""
    if sub == "export":
        return [Reply(await export_markdown(ctx, case))]
    if sub == "close":
        return [close_question(ctx, case)]
    summary = ctx.t("case.summary", id=case.id, title=quoted(_title(ctx, case), ctx.lang), step=_state(ctx, case))
    if case.step not in IDLE_STEPS or "_resume" in case.answers:
        resume = Choice(WalkPress(case.id, case.step, "resume").pack(), ctx.t("walk.resume"))
        return [Reply(summary, choices=[resume], case_id=case.id)]
    if case.step == Step.OFFERED:
        return [offer(ctx, case, alternatives=[])]
    return [Reply(summary, case_id=case.id)]


def _log_line(ctx: Context, kind: str, data: dict[str, Any]) -> str:
    """One history entry in the user's words; unknown kinds fall back to their name."""
    def label(prefix: str, value: object) -> str:
        key = f"{prefix}.{value}"
        return ctx.t(key) if key in ctx.lib.strings else str(value)

    if kind in ("opened", "situation"):
        situation = data.get("situation")
        detail = ctx.lib.situations[situation].text(ctx.lang).title if situation in ctx.lib.situations else "—"
        return ctx.t(f"log.{kind}", detail=quoted(detail, ctx.lang))
    # titles, causes, outcomes and the user's words are quoted: each starts with a capital letter,
    # which after the entry's colon would read as a new sentence in Russian and Romanian
    if kind == "answer":
        return ctx.t("log.answer", step=label("step", data.get("step")).capitalize(),
                     detail=quoted(user_text(str(data.get("text", ""))), ctx.lang))
    if kind == "choice":
        step, value = data.get("step"), data.get("value")
        return ctx.t("log.choice", step=label("step", step).capitalize(),
                     detail=quoted(label(f"flow.{step}", value), ctx.lang))
    if kind == "cause":
        return ctx.t("log.cause", detail=quoted(label("cause", data.get("cause")), ctx.lang))
    if kind == "fault":
        return ctx.t("log.fault.yes" if data.get("ours") else "log.fault.no")
    if kind == "agreed":
        detail = quoted(user_text(str(data.get("promise") or "—")), ctx.lang)
        return ctx.t("log.agreed", detail=detail)
    if kind in ("nudge-scheduled", "nudge-sent", "nudge-done", "nudge-moved"):
        detail = label("nudge.kind", data.get("kind"))
        if kind in ("nudge-scheduled", "nudge-moved") and data.get("due"):
            detail += ", " + when_text(from_db(str(data["due"])) or ctx.now, ctx.user.tz, ctx.lang)
        return ctx.t(f"log.{kind}", detail=detail)
    if kind == "skip":
        return ctx.t("log.skip", detail=label("step", data.get("step")))
    if kind == "closed":
        return ctx.t("log.closed", detail=quoted(label("outcome", data.get("outcome")), ctx.lang))
    if f"log.{kind}" in ctx.lib.strings:
        return ctx.t(f"log.{kind}")
    return kind


async def export_markdown(ctx: Context, case: Case) -> str:
    """The paper trail as Markdown, to keep with the client's file."""
    status = ctx.t("outcome." + case.outcome) if case.outcome else ctx.t("export.open")
    lines = [f"# {ctx.t('export.title', id=case.id)} {quoted(_title(ctx, case), ctx.lang)}", "",
             f"- {ctx.t('export.opened')}: {when_text(case.created_at, ctx.user.tz, ctx.lang)}",
             f"- {ctx.t('export.status')}: {status}", "", f"## {ctx.t('export.log')}", ""]
    for entry in await ctx.store.case_log(case.id):
        lines.append(f"- {when_text(entry.at, ctx.user.tz, ctx.lang)} — {_log_line(ctx, entry.kind, entry.data)}")
    return "\n".join(lines)


def _reminder_time(ctx: Context, args: str) -> tuple[datetime, str | None] | Reply:
    """When and what a /followup asks for (moved out of quiet hours), or the reply that says what is wrong."""
    if not args:
        return Reply(ctx.t("followup.usage"))
    parsed = parse_when(args, ctx.now, ctx.user.tz, ctx.lang)
    if parsed is None:
        return Reply(ctx.t("followup.unclear", text=user_text(args[:60])))
    due, note = parsed
    if due <= ctx.now:
        return Reply(ctx.t("followup.past"))
    if due - ctx.now > MAX_AHEAD:  # "99999 days" is a slip, and a reminder years away helps no conflict
        return Reply(ctx.t("followup.too_far"))
    return ctx.deliverable(due), note.strip()[:500] or None


@router.command("followup", "remind")
async def followup(event: Event, ctx: Context, args: str) -> list[Reply]:
    case = await current_case(event, ctx)
    if case is None:
        return [Reply(ctx.t("followup.no_case"))]
    asked = _reminder_time(ctx, args)
    if isinstance(asked, Reply):
        return [asked]
    when, note = asked
    nudge = await ctx.store.add_nudge(case.id, "custom", when, note)
    # an edit of this message moves this nudge instead of adding another (handlers/edits.py)
    await remember(event, ctx, "followup", case_id=case.id, nudge_id=nudge.id, detail="followup", replace=True)
    ctx.nudges_changed()
    return [_confirmation(ctx, "followup.set", case.id, when, note)]


def _confirmation(ctx: Context, key: str, case_id: int, when: datetime, note: str | None) -> Reply:
    """The reminder's time as understood, then the words it was not read from.

    The leftover words are shown (and flagged when they look like a time Parley did not read), so a
    misread such as "к обеду" kept as the note is visible to the user at once.
    """
    shown = when_confirmed(ctx, when)
    lines = [ctx.t(key, id=case_id, when=shown, relative=relative_text(when, ctx.now, ctx.lang))]
    if note:
        lines.append(ctx.t("followup.note", note=user_text(note[:200])))
        if unread_time_words(note) is not None:
            lines.append(ctx.t("followup.note_unread"))
    return Reply("\n".join(lines))


async def move_followup(event: Event, ctx: Context, record: HandledMessage, args: str) -> list[Reply]:
    """An edited /followup: the reminder it set moves to the new time and note, if it has not gone out.

    When the first version set none (no time in it), the edit sets it, once: the edit is recorded as
    the message's /followup. A new text without a time leaves the reminder as it is.
    """
    nudge = await ctx.store.get_nudge(record.nudge_id) if record.nudge_id is not None else None
    if nudge is None:
        return await followup(dataclasses.replace(event, edited=False), ctx, args)
    if nudge.status != "pending":
        return [Reply(ctx.t("edit.followup_gone"))]
    asked = _reminder_time(ctx, args)
    if isinstance(asked, Reply):
        return [asked]
    when, note = asked
    if not await ctx.store.move_nudge(nudge.id, when, note):
        return [Reply(ctx.t("edit.followup_gone"))]
    await ctx.store.log(nudge.case_id, "nudge-moved", {"nudge": nudge.id, "kind": nudge.kind, "due": to_db(when)})
    ctx.nudges_changed()
    return [_confirmation(ctx, "edit.followup_moved", nudge.case_id, when, note)]


# -- a nudge as the user sees it ----------------------------------------------------------------


#: Nudge kinds of the payment ladder (`content/flows.yaml`): "It's paid" under any of them stops the rest.
PAYMENT_KINDS = ("pay-polite", "pay-firm", "pay-final")


def nudge_choices(ctx_t: Context, nudge: Nudge) -> list[Choice]:
    paid = [Choice(NudgePress(nudge.id, "paid").pack(), ctx_t.t("nudge.paid"))] if nudge.kind in PAYMENT_KINDS else []
    return [*paid, Choice(NudgePress(nudge.id, "done").pack(), ctx_t.t("nudge.done")),
            Choice(NudgePress(nudge.id, "snooze").pack(), ctx_t.t("nudge.snooze")),
            Choice(NudgePress(nudge.id, "close").pack(), ctx_t.t("walk.close"))]


async def render_nudge(core: ContextSource, nudge: Nudge, late: bool) -> tuple[Target, list[Reply]] | None:
    """What the scheduler sends for a nudge; None when its case is gone or closed.

    ``core`` gives the store and the owner's `Context` (`bot.core.Core` in the running bot).
    """
    case = await core.store.get_case(nudge.case_id)
    if case is None or not case.is_open:
        return None
    user = await core.store.get_user(case.platform, case.user_id)
    if user is None:
        return None
    ctx = core.context_for(user)
    target = Target(platform=case.platform, chat_id=case.chat_id, user_id=case.user_id, thread_id=case.thread_id)
    promise = case.answers.get("promise")
    lines = []
    if late:
        lines.append(ctx.t("nudge.late", when=when_text(nudge.due_at, user.tz, user.lang)))
    lines.append(f"**{ctx.t(f'nudge.ask.{nudge.kind}')}**")
    if nudge.kind == "deliver" and promise:
        lines.append(ctx.t("nudge.promise", promise=user_text(promise)))
    if nudge.kind == "review":
        cause = case.answers.get("cause")
        if cause:
            lines.append(ctx.t("nudge.review_cause", cause=quoted(ctx.t(f"cause.{cause}"), ctx.lang),
                               fix=ctx.t(f"fix.{cause}")))
        # only the step moves: the rest of this copy may be stale by the time the send happens
        await core.store.set_case_step(case.id, Step.REVIEW, only_from=(Step.TRACKING,))
    if nudge.note:
        lines.append(user_text(nudge.note))
    lines.append(ctx.t("nudge.case", id=case.id, title=quoted(_title(ctx, case), ctx.lang)))
    choices = nudge_choices(ctx, nudge)
    if is_flow_step(ctx.lib, case.step):  # a walk waits at a step (after a pause, say): one press goes on
        choices.append(Choice(WalkPress(case.id, case.step, "resume").pack(), ctx.t("walk.resume")))
    return target, [Reply("\n".join(lines), choices=choices, case_id=case.id, mention_user=True,
                          expects_text=nudge.kind == "review")]


async def waiting_reminder(core: ContextSource, platform: str, user_id: str) -> Reply | None:
    """The note a session that ends says when reminders are still ahead: the earliest pending one of the
    user's open cases (its time in the user's zone and language), and that it is printed only while a
    session runs. None when nothing is pending or the user is unknown.

    `parley chat` ends with its input, often before a reminder it just set is due; without this note
    the reminder seems lost (it comes at the start of the next session).
    """
    user = await core.store.get_user(platform, user_id)
    if user is None:
        return None
    pending = []
    for case in await core.store.open_cases(platform, user_id):
        pending += [n.due_at for n in await core.store.nudges_for_case(case.id) if n.status == "pending"]
    if not pending:
        return None
    ctx = core.context_for(user)
    due = max(min(pending), ctx.now)
    return Reply(ctx.t("chat.reminders_wait", when=when_text(due, user.tz, ctx.lang),
                       relative=relative_text(due, ctx.now, ctx.lang)))


@router.button(NudgePress)
async def nudge_button(event: Event, ctx: Context, press: NudgePress) -> list[Reply]:
    nudge = await ctx.store.get_nudge(press.nudge)
    if nudge is None:
        return [Reply(ctx.t("button.stale"), private=True)]
    found = await owned_case(event, ctx, str(nudge.case_id))
    if isinstance(found, list):
        return found
    case = found
    action = press.action
    if action == "close":
        return [close_question(ctx, case)]
    if action == "paid" and nudge.kind in PAYMENT_KINDS:
        return await _paid(ctx, case)
    if nudge.status not in _OPEN_NUDGE:
        return [Reply(ctx.t("nudge.already"), private=True)]
    if action == "snooze":
        return [Reply(ctx.t("nudge.snooze_how"), case_id=case.id,
                      choices=[Choice(NudgePress(nudge.id, "s", k).pack(), ctx.t(f"snooze.{k}")) for k in SNOOZES])]
    if action == "s" and press.snooze in SNOOZES:
        due = ctx.deliverable(later(ctx.now, SNOOZES[press.snooze], ctx.user.tz))
        await ctx.store.set_nudge(nudge.id, status="pending", due_at=due)
        await ctx.store.log(case.id, "snoozed", {"nudge": nudge.id, "for": press.snooze})
        ctx.nudges_changed()
        return [Reply(ctx.t("nudge.snoozed", when=when_text(due, ctx.user.tz, ctx.lang)), close_origin=True)]
    if action == "done":
        if not await ctx.store.set_nudge(nudge.id, status="answered", only_from=_OPEN_NUDGE):
            return [Reply(ctx.t("nudge.already"), private=True)]
        await ctx.store.log(case.id, "nudge-done", {"nudge": nudge.id, "kind": nudge.kind})
        follow = NEXT_IN_CHAIN.get(nudge.kind)
        if follow is not None:
            due = ctx.deliverable(later(ctx.now, follow[1], ctx.user.tz))
            await ctx.store.add_nudge(case.id, follow[0], due)
            ctx.nudges_changed()
            return [Reply(f"✓ {ctx.t('nudge.done')}", close_origin=True),
                    Reply(ctx.t(f"nudge.after.{nudge.kind}", when=when_text(due, ctx.user.tz, ctx.lang)),
                          case_id=case.id)]
        if nudge.kind == "review":
            return [Reply(f"✓ {ctx.t('nudge.done')}", close_origin=True),
                    Reply(ctx.t("walk.review_thanks"), case_id=case.id,
                          choices=outcome_choices(ctx, case))]
        return [Reply(f"✓ {ctx.t('nudge.done')}", close_origin=True)]
    return [Reply(ctx.t("button.stale"), private=True)]


async def _paid(ctx: Context, case: Case) -> list[Reply]:
    """The client paid: every payment reminder not yet answered is cancelled (other nudges of the case
    stay), and Parley asks how the case ended."""
    for other in await ctx.store.nudges_for_case(case.id):
        if other.kind in PAYMENT_KINDS:
            await ctx.store.set_nudge(other.id, status="cancelled", only_from=_OPEN_NUDGE)
    await ctx.store.log(case.id, "paid", {})
    ctx.nudges_changed()
    return [Reply(f"✓ {ctx.t('nudge.paid')}", close_origin=True),
            Reply(ctx.t("nudge.paid_done"), choices=outcome_choices(ctx, case), case_id=case.id)]


__all__ = ["close_case", "render_nudge"]
