"""The walkthrough: one conflict, one step per message, state in the store at every step.

Steps: offered -> listen -> paraphrase -> cause -> apologize -> solution (-> deadline / risky)
-> tracking. Button ids carry the step they belong to (``w:<case>:<step>:<action>``), so a button
of a finished step can never replay it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.events import Choice, Event, Reply
from bot.markup import user_text
from bot.store import Case
from content.loader import LANGUAGE_NAMES, LANGUAGES
from handlers.check import check_draft
from handlers.context import Context
from handlers.paraphrase import draft_paraphrase
from handlers.registry import button, row_id
from handlers.render import case_title, quoted, when_text
from handlers.timeparse import Deadline, deadline_in, next_allowed

#: Steps where the case is open but no step is waiting for the user in this place.
IDLE_STEPS = ("offered", "tracking")
#: The steps a user walks through, in order (for "step n of 5").
STEPS = ("listen", "paraphrase", "cause", "apologize", "solution")
CAUSES = ("attention", "obligation", "expectations", "neglect", "burden", "dislike", "goals")
#: Causes where our side is at fault: Parley suggests an apology rather than empathy.
OUR_FAULT = {"obligation", "expectations"}
OUTCOMES = ("resolved", "let-go", "other")
#: A user who comes back after this long is asked whether to continue, start over or close.
SILENCE = timedelta(hours=12)
#: Promises closer than this to now are flagged as hard to keep.
TOO_CLOSE = timedelta(hours=2)
#: A deadline this close (or past) is more likely a misreading than a plan: it is questioned, not scheduled.
NEAR = timedelta(minutes=10)


def _id(case: Case, step: str, action: str) -> str:
    return f"w:{case.id}:{step}:{action}"


async def active_case(event: Event, ctx: Context) -> Case | None:
    return await ctx.store.find_open_case(event.platform, event.chat_id, event.thread_id, event.user_id)


async def park(ctx: Context, case: Case) -> None:
    """Steps aside for a new conflict in the same place; the case stays open and can be resumed."""
    case.answers["_resume"] = case.step
    case.step = "tracking"
    await ctx.store.save_case(case, log=("parked", {}))


def _common(ctx: Context, case: Case) -> list[Choice]:
    return [Choice(_id(case, case.step, "skip"), ctx.t("walk.skip")),
            Choice(_id(case, case.step, "later"), ctx.t("walk.later")),
            Choice(_id(case, case.step, "close"), ctx.t("walk.close"))]


def _header(ctx: Context, case: Case) -> str:
    return ctx.t("walk.header", n=STEPS.index(case.step) + 1, total=len(STEPS)) if case.step in STEPS else ""


def prompt(ctx: Context, case: Case) -> Reply:
    """The message for the step the case is on."""
    step = case.step
    head = _header(ctx, case)
    if step == "listen":
        reuse = [Choice(_id(case, step, "first"), ctx.t("walk.use_first"))] if case.answers.get("first_message") else []
        return Reply(f"{head}\n{ctx.t('walk.listen')}", choices=[*reuse, *_common(ctx, case)], expects_text=True,
                     case_id=case.id)
    if step == "paraphrase":
        if not case.answers.get("paraphrase_draft"):
            _draft_for(ctx, case)
        draft = str(case.answers["paraphrase_draft"])
        if not case.answers.get("paraphrase_sure", True):
            # the rewrite was unsure: the frame with a blank, the user's own words beside it, no "use this"
            words = user_text(str(case.answers.get("complaint", "")))
            return Reply(f"{head}\n{ctx.t('walk.paraphrase_unsure', draft=user_text(draft), words=words)}",
                         choices=_common(ctx, case), expects_text=True, case_id=case.id)
        return Reply(f"{head}\n{ctx.t('walk.paraphrase', draft=user_text(draft))}",
                     choices=[Choice(_id(case, step, "ok"), ctx.t("walk.paraphrase_ok")), *_common(ctx, case)],
                     expects_text=True, case_id=case.id)
    if step == "cause":
        choices = [Choice(_id(case, step, f"c:{c}"), ctx.t(f"cause.{c}")) for c in CAUSES]
        return Reply(f"{head}\n{ctx.t('walk.cause')}", choices=[*choices, *_common(ctx, case)], case_id=case.id)
    if step == "apologize":
        return Reply(f"{head}\n{ctx.t('walk.apologize')}",
                     choices=[Choice(_id(case, step, "fault"), ctx.t("walk.fault_yes")),
                              Choice(_id(case, step, "nofault"), ctx.t("walk.fault_no")), *_common(ctx, case)],
                     case_id=case.id)
    if step == "solution":
        return Reply(f"{head}\n{ctx.t('walk.solution')}", choices=_common(ctx, case), expects_text=True,
                     case_id=case.id)
    if step == "deadline":
        return Reply(ctx.t("walk.deadline"), choices=_common(ctx, case), expects_text=True, case_id=case.id)
    if step == "risky":
        return Reply(ctx.t("walk.risky_again"),
                     choices=[Choice(_id(case, step, "keep"), ctx.t("walk.keep")), *_common(ctx, case)],
                     expects_text=True, case_id=case.id)
    if step == "review":
        return Reply(ctx.t("walk.review_prompt"), choices=outcome_choices(ctx, case), expects_text=True,
                     case_id=case.id)
    return Reply(ctx.t("walk.tracking"), case_id=case.id)


def _draft_for(ctx: Context, case: Case) -> None:
    """Drafts the step-2 paraphrase from the step-1 answer into the case (``paraphrase_draft``, and
    ``paraphrase_sure``: False when the draft is only the frame with a blank for the user to fill)."""
    drafted = draft_paraphrase(str(case.answers.get("complaint", "")), ctx.lang)
    case.answers["paraphrase_draft"] = drafted.draft
    case.answers["paraphrase_sure"] = drafted.sure


def outcome_choices(ctx: Context, case: Case) -> list[Choice]:
    return [Choice(_id(case, "any", f"out:{o}"), ctx.t(f"outcome.{o}")) for o in OUTCOMES]


def close_question(ctx: Context, case: Case) -> Reply:
    """"How did case #3 “…” end?" with the outcomes: every way of closing names the case it closes."""
    return Reply(ctx.t("walk.close_how", id=case.id, title=quoted(case_title(ctx.lib, case.situation, ctx.lang),
                                                                  ctx.lang)),
                 choices=outcome_choices(ctx, case), case_id=case.id)


async def _advance(ctx: Context, case: Case, step: str, log: tuple[str, dict[str, Any]]) -> list[Reply]:
    case.step = step
    await ctx.store.save_case(case, log=log)
    return [prompt(ctx, case)]


def _next(step: str) -> str:
    if step in ("deadline", "risky"):
        return "tracking"
    return STEPS[STEPS.index(step) + 1] if step in STEPS[:-1] else "tracking"


# -- free text ----------------------------------------------------------------------------------


async def answer_text(ctx: Context, case: Case | None, text: str) -> list[Reply] | None:
    """Free text mid-walkthrough answers the current step; None when no step is waiting here."""
    if case is None or case.step in IDLE_STEPS:
        return None
    if ctx.now - case.updated_at > SILENCE and "_pending_text" not in case.answers:
        case.answers["_pending_text"] = text
        await ctx.store.save_case(case)
        return [Reply(ctx.t("walk.welcome_back", step=ctx.t(f"step.{case.step}")), case_id=case.id,
                      choices=[Choice(_id(case, case.step, "resume"), ctx.t("walk.resume")),
                               Choice(_id(case, case.step, "restart"), ctx.t("walk.restart")),
                               Choice(_id(case, "any", "close"), ctx.t("walk.close"))])]
    return await _apply_text(ctx, case, text)


async def answer_again(ctx: Context, case: Case, step: str, text: str) -> list[Reply]:
    """The user edited their answer to ``step`` and nothing has happened to the case since: the step
    is answered again with the new text, so everything built from the answer (the step-2 draft, the
    promise's deadline) is rebuilt too. Returns the replies of the step that follows, as the first time.
    """
    case.step = step
    return await _apply_text(ctx, case, text)


async def _apply_text(ctx: Context, case: Case, text: str) -> list[Reply]:
    case.answers.pop("_pending_text", None)
    step = case.step
    if step == "listen":
        case.answers["complaint"] = text
        _draft_for(ctx, case)
        return await _advance(ctx, case, "paraphrase", ("answer", {"step": step, "text": text}))
    if step == "paraphrase":
        case.answers["paraphrase"] = text
        return await _advance(ctx, case, "cause", ("answer", {"step": step, "text": text}))
    if step in ("cause", "apologize"):
        case.answers[f"{step}_note"] = text
        return await _advance(ctx, case, _next(step), ("answer", {"step": step, "text": text}))
    if step in ("solution", "risky"):
        return await _solution(ctx, case, text)
    if step == "deadline":
        found = deadline_in(text, ctx.now, ctx.user.tz)
        if found is None:
            return [Reply(ctx.t("walk.deadline_unclear"), expects_text=True, case_id=case.id)]
        _remember_reading(case, found)
        return await _check_and_schedule(ctx, case, case.answers.get("promise", ""), found.used.when)
    if step == "review":
        case.answers["review"] = text
        await ctx.store.save_case(case, log=("answer", {"step": step, "text": text}))
        return [Reply(ctx.t("walk.review_thanks"), choices=outcome_choices(ctx, case), case_id=case.id)]
    return [prompt(ctx, case)]


async def _solution(ctx: Context, case: Case, text: str) -> list[Reply]:
    case.answers["promise"] = text
    found = deadline_in(text, ctx.now, ctx.user.tz)
    if found is None:
        return await _advance(ctx, case, "deadline", ("answer", {"step": "solution", "text": text}))
    _remember_reading(case, found)
    return await _check_and_schedule(ctx, case, text, found.used.when)


def _remember_reading(case: Case, found: Deadline) -> None:
    """Keeps the words the deadline was read from, and the time words left out, for the confirmation."""
    case.answers["deadline_words"] = found.used.words
    case.answers["deadline_unused"] = [t.words for t in found.others]


def _reading(ctx: Context, case: Case, due: datetime) -> str:
    """'Deadline: Tue 24 Nov 18:00 (read from “завтра к 18:00”; not used: “сегодня”)' in the user's language."""
    when = when_text(due, ctx.user.tz, ctx.lang)
    words = case.answers.get("deadline_words")
    if not words:
        return ctx.t("walk.deadline_read_plain", when=when)
    text = ctx.t("walk.deadline_read", when=when, words=user_text(str(words)))
    unused = [str(w) for w in case.answers.get("deadline_unused") or []]
    if unused:
        text += "\n" + ctx.t("walk.deadline_unused", words=", ".join(quoted(user_text(w), ctx.lang) for w in unused))
    return text


def _question_deadline(ctx: Context, case: Case, due: datetime) -> Reply | None:
    """The question for a deadline that is past or only minutes away (likely a misreading), else None.

    A past one can only be retyped or skipped; a near one may also be kept (button ``deadline:soon``).
    """
    if due - ctx.now > NEAR:
        return None
    words = user_text(str(case.answers.get("deadline_words") or when_text(due, ctx.user.tz, ctx.lang)))
    when = when_text(due, ctx.user.tz, ctx.lang)
    if due <= ctx.now:
        return Reply(ctx.t("walk.deadline_past", words=words, when=when), choices=_common(ctx, case),
                     expects_text=True, case_id=case.id)
    minutes = max(1, round((due - ctx.now).total_seconds() / 60))
    return Reply(ctx.t("walk.deadline_near", words=words, when=when, minutes=minutes),
                 choices=[Choice(_id(case, "deadline", "soon"), ctx.t("walk.deadline_keep_soon")),
                          *_common(ctx, case)], expects_text=True, case_id=case.id)


def _risks(ctx: Context, promise: str, due: datetime, near_ok: bool = False) -> list[str]:
    problems = [ctx.t("walk.risk_word", word=user_text(f.quote)) for f in check_draft(promise)
                if f.rule == "impossible-promise"]
    if due <= ctx.now:
        problems.append(ctx.t("walk.risk_past"))
    elif due - ctx.now < TOO_CLOSE and not near_ok:
        problems.append(ctx.t("walk.risk_close"))
    return problems


async def _check_and_schedule(ctx: Context, case: Case, promise: str, due: datetime, *, force: bool = False,
                              near_ok: bool = False) -> list[Reply]:
    """Schedules the deadline nudge, unless the deadline must be questioned first.

    A past deadline is always questioned (never scheduled for "now"); one within `NEAR` unless the user
    confirmed it (``near_ok``); a risky promise unless the user chose to keep it (``force``).
    """
    case.answers["promise"] = promise
    case.answers["deadline"] = due.isoformat()
    question = None if near_ok and due > ctx.now else _question_deadline(ctx, case, due)
    if question is not None:
        case.step = "deadline"
        await ctx.store.save_case(case, log=("deadline-questioned", {"deadline": case.answers["deadline"]}))
        return [question]
    problems = [] if force else _risks(ctx, promise, due, near_ok)
    if problems:
        case.step = "risky"
        await ctx.store.save_case(case, log=("risky-promise", {"text": promise, "problems": len(problems)}))
        return [Reply("\n".join([ctx.t("walk.risky"), *[f"• {p}" for p in problems]]), case_id=case.id,
                      choices=[Choice(_id(case, "risky", "keep"), ctx.t("walk.keep")), *_common(ctx, case)],
                      expects_text=True)]
    return await schedule_followups(ctx, case, due)


async def schedule_followups(ctx: Context, case: Case, due: Any) -> list[Reply]:
    """Step 6: the deadline nudge goes in the store; the later ones follow when it is answered."""
    when = next_allowed(max(due, ctx.now), ctx.user.tz, ctx.user.quiet_start, ctx.user.quiet_end)
    case.step = "tracking"
    case.answers.pop("_resume", None)
    await ctx.store.save_case(case, log=("agreed", {"promise": case.answers.get("promise", ""),
                                                    "deadline": case.answers.get("deadline")}))
    await ctx.store.add_nudge(case.id, "deliver", when)
    ctx.core.on_nudges_changed()
    return [Reply(_reading(ctx, case, due) + "\n" + ctx.t("walk.scheduled", when=when_text(when, ctx.user.tz, ctx.lang)),
                  case_id=case.id)]


# -- buttons ------------------------------------------------------------------------------------


async def owned_case(event: Event, ctx: Context, case_id: str) -> Case | list[Reply]:
    """The case a button belongs to, or the reply that refuses the press (gone, or someone else's)."""
    number = row_id(case_id)
    case = await ctx.store.get_case(number) if number is not None else None
    if case is None or case.platform != event.platform:
        return [Reply(ctx.t("button.stale"), private=True)]
    if case.user_id != event.user_id:
        return [Reply(ctx.t("walk.not_yours"), private=True)]
    if not case.is_open:
        return [Reply(ctx.t("walk.already_closed"), private=True)]
    return case


@button("w")
async def walk_button(event: Event, ctx: Context) -> list[Reply]:
    parts = (event.button or "").split(":", 4)
    if len(parts) < 4:
        return [Reply(ctx.t("button.stale"), private=True)]
    _, case_id, step, action, *rest = parts
    found = await owned_case(event, ctx, case_id)
    if isinstance(found, list):
        return found
    case = found
    if step != "any" and step != case.step and action not in ("close", "resume"):
        return [Reply(ctx.t("walk.step_done"), private=True)]
    return await _walk_action(event, ctx, case, step, action, rest[0] if rest else "")


async def _walk_action(event: Event, ctx: Context, case: Case, step: str, action: str, arg: str) -> list[Reply]:
    if action == "close":
        return [close_question(ctx, case)]
    if action == "out" and arg in OUTCOMES:
        return await close_case(ctx, case, arg)
    if action == "walk" and case.step == "offered":
        case.answers["started"] = True
        return [Reply(f"✓ {ctx.t('conflict.walk')}", close_origin=True),
                *(await _advance(ctx, case, "listen", ("walk", {"situation": case.situation})))]
    if action == "alt" and case.step == "offered" and arg in ctx.lib.situations:
        from handlers.conflict import offer

        case.situation = arg
        await ctx.store.save_case(case, log=("situation", {"situation": arg}))
        return [Reply(f"✓ {ctx.lib.situations[arg].text(ctx.lang).title}", close_origin=True),
                offer(ctx, case, alternatives=[])]
    if action == "lang" and case.step == "offered" and arg in LANGUAGES:
        from handlers.conflict import offer

        await ctx.core.set_language(event.platform, event.user_id, arg)
        ctx.user.lang = case.lang = arg
        await ctx.store.save_case(case, log=("language", {"lang": arg}))
        return [Reply(f"✓ {LANGUAGE_NAMES[arg]}", close_origin=True),
                offer(ctx, case, alternatives=list(case.answers.get("alternatives", [])))]
    if action == "skip":
        case.answers[f"{case.step}_skipped"] = True
        if case.step in ("solution", "deadline", "risky"):
            case.step = "tracking"
            await ctx.store.save_case(case, log=("skip", {"step": step}))
            return [Reply(ctx.t("walk.skipped"), close_origin=True), Reply(ctx.t("walk.no_deadline"), case_id=case.id)]
        return [Reply(ctx.t("walk.skipped"), close_origin=True),
                *(await _advance(ctx, case, _next(case.step), ("skip", {"step": step})))]
    if action == "later":
        await ctx.store.log(case.id, "later", {"step": case.step})
        return [Reply(ctx.t("walk.later_ok"), close_origin=True)]
    if action == "resume":
        pending = case.answers.pop("_pending_text", None)
        if case.step == "tracking" and "_resume" in case.answers:
            other = await active_case(event, ctx)
            if other is not None and other.id != case.id and other.step not in IDLE_STEPS:
                await park(ctx, other)
            case.step = case.answers.pop("_resume")
        await ctx.store.save_case(case, log=("resumed", {}))
        if pending:
            return [Reply(ctx.t("walk.resume"), close_origin=True), *(await _apply_text(ctx, case, pending))]
        return [Reply(ctx.t("walk.resume"), close_origin=True), prompt(ctx, case)]
    if action == "restart":
        case.answers = {"started": True}
        return [Reply(ctx.t("walk.restart"), close_origin=True),
                *(await _advance(ctx, case, "listen", ("restart", {})))]
    if action == "first" and case.step == "listen" and case.answers.get("first_message"):
        return [Reply(f"✓ {ctx.t('walk.use_first')}", close_origin=True),
                *(await _apply_text(ctx, case, str(case.answers["first_message"])))]
    if action == "ok" and case.step == "paraphrase" and case.answers.get("paraphrase_sure", True):
        case.answers["paraphrase"] = case.answers.get("paraphrase_draft", "")
        return [Reply(f"✓ {ctx.t('walk.paraphrase_ok')}", close_origin=True),
                *(await _advance(ctx, case, "cause", ("paraphrase-accepted", {})))]
    if action == "c" and case.step == "cause" and arg in CAUSES:
        case.answers["cause"] = arg
        case.step = "apologize"
        await ctx.store.save_case(case, log=("cause", {"cause": arg}))
        return [Reply(f"✓ {ctx.t(f'cause.{arg}')}", close_origin=True),
                Reply(f"{ctx.t(f'fix.{arg}')}", case_id=case.id), prompt(ctx, case)]
    if action in ("fault", "nofault") and case.step == "apologize":
        case.answers["our_fault"] = action == "fault"
        case.step = "solution"
        await ctx.store.save_case(case, log=("fault", {"ours": action == "fault"}))
        wording = ctx.t("walk.apology_words" if action == "fault" else "walk.empathy_words")
        label = ctx.t("walk.fault_yes" if action == "fault" else "walk.fault_no")
        return [Reply(f"✓ {label}", close_origin=True), Reply(wording, case_id=case.id), prompt(ctx, case)]
    if action == "keep" and case.step == "risky":
        due = datetime.fromisoformat(case.answers["deadline"])
        return [Reply(f"✓ {ctx.t('walk.keep')}", close_origin=True),
                *(await _check_and_schedule(ctx, case, case.answers.get("promise", ""), due, force=True,
                                            near_ok=True))]
    if action == "soon" and case.step == "deadline" and case.answers.get("deadline"):
        due = datetime.fromisoformat(case.answers["deadline"])
        return [Reply(f"✓ {ctx.t('walk.deadline_keep_soon')}", close_origin=True),
                *(await _check_and_schedule(ctx, case, case.answers.get("promise", ""), due, near_ok=True))]
    return [Reply(ctx.t("walk.step_done"), private=True)]


async def close_case(ctx: Context, case: Case, outcome: str) -> list[Reply]:
    """Closing cancels every nudge of the case in the same transaction (see `Store.save_case`)."""
    case.status = "closed"
    case.outcome = outcome
    case.step = "closed"
    await ctx.store.save_case(case, log=("closed", {"outcome": outcome}))
    title = quoted(case_title(ctx.lib, case.situation, ctx.lang), ctx.lang)
    return [Reply(ctx.t("walk.closed", id=case.id, title=title, outcome=quoted(ctx.t(f"outcome.{outcome}"), ctx.lang)),
                  close_origin=True)]
