"""The steps read from content (`content/flows.yaml`): text, time and choice steps.

Each asks its prompt (``flow.<step>``), saves the answer under its ``save`` key, shows the draft built
from the user's own words (``draft``) and schedules its nudges through the store, the same nudge table
the defuse flow uses, so closing the case cancels them. `handlers.walkthrough` moves the case on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.clock import later
from bot.events import Choice, Reply
from bot.markup import user_text
from bot.store import Case
from content.models import FlowStep, NudgeSpec
from handlers.buttons import WalkPress
from handlers.context import Context
from handlers.render import when_text
from handlers.timeparse import deadline_in

__all__ = ["Answered", "Planned", "answer", "fill", "pick", "prompt", "schedule", "skip_goto", "span"]

_FIELD = re.compile(r"{(\w+)}")
_SPAN = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
#: Shown in a draft for an answer the user skipped.
GAP = "…"


@dataclass(frozen=True)
class Planned:
    """A nudge a step will add once the case is saved: its kind, due time (aware UTC) and note."""

    kind: str
    due: datetime
    note: str | None


@dataclass
class Answered:
    """What answering a step did: the replies to show before the next step, the case-log entry, the
    flow a choice switched to (None: go on in the same flow) and the nudges to add after the case is
    saved (so the case's history reads answer first, then its reminders)."""

    replies: list[Reply]
    log: tuple[str, dict[str, Any]]
    goto: str | None = None
    nudges: list[Planned] = field(default_factory=list)


def span(text: str) -> timedelta:
    """A `content.models.Span` ("0", "90m", "4h", "7d") as a timedelta."""
    return timedelta(0) if text == "0" else int(text[:-1]) * _SPAN[text[-1]]


def _spec(ctx: Context, case: Case) -> FlowStep:
    return ctx.lib.flows.steps[case.step]


def prompt(ctx: Context, case: Case, head: str, common: list[Choice]) -> Reply:
    """The step's question; a choice step adds its buttons before skip / later / close."""
    spec = _spec(ctx, case)
    text = f"{head}\n{ctx.t(f'flow.{case.step}')}" if head else ctx.t(f"flow.{case.step}")
    if spec.kind == "choice":
        own = [Choice(WalkPress(case.id, case.step, "pick", c.value).pack(), ctx.t(f"flow.{case.step}.{c.value}"))
               for c in spec.choices]
        return Reply(text, choices=[*own, *common], case_id=case.id)
    return Reply(text, choices=common, expects_text=True, case_id=case.id)


def _time_answers(ctx: Context) -> set[str]:
    return {s.save for s in ctx.lib.flows.steps.values() if s.kind == "time" and s.save}


def _choice_default(ctx: Context, name: str) -> str | None:
    for spec in ctx.lib.flows.steps.values():
        if spec.save == name and spec.choices:
            return spec.choices[0].value
    return None


def fill(ctx: Context, case: Case, key: str, *, markup: bool = True) -> str:
    """A draft string filled with the case's answers: the user's words as they typed them, a time they
    named as a date in their zone and language, "…" for a skipped one. A field in the key's own name
    (``flow.part.{tone}``) picks the string by an answer, the first choice when it was skipped.
    ``markup``: make the user's words safe for a reply (False for a nudge's note, which is made safe
    when it is shown)."""
    for name in _FIELD.findall(key):
        value = case.answers.get(name) or _choice_default(ctx, name) or ""
        key = key.replace("{" + name + "}", str(value))
    times = _time_answers(ctx)
    values: dict[str, str] = {}
    for name in _FIELD.findall(str(ctx.lib.strings[key]["en"])):
        raw = case.answers.get(name)
        if raw is None or raw == "":
            values[name] = GAP
        elif name in times:
            values[name] = when_text(datetime.fromisoformat(str(raw)), ctx.user.tz, ctx.lang)
        else:
            text = " ".join(str(raw).split()).rstrip(".")
            values[name] = user_text(text) if markup else text
    return ctx.t(key, **values)


def _draft_reply(ctx: Context, case: Case, key: str) -> Reply:
    return Reply(ctx.t("flow.draft", draft=fill(ctx, case, key)), case_id=case.id)


def _plan(ctx: Context, case: Case, nudges: list[NudgeSpec], base: datetime) -> tuple[list[Reply], list[Planned]]:
    """When each of the step's nudges comes (moved out of the user's quiet hours, never in the past),
    with its draft as the note, and the line that says so."""
    if not nudges:
        return [], []
    lines, planned = [], []
    for nudge in nudges:
        start = base if nudge.at == "answer" else ctx.now
        delta = span(nudge.after)
        # whole days are calendar days that never land at night ("a day later" typed at 23:47 is 10:00)
        due = later(start, delta, ctx.user.tz) if delta else start
        when = ctx.deliverable(max(due, ctx.now))
        note = fill(ctx, case, nudge.draft, markup=False) if nudge.draft else None
        planned.append(Planned(nudge.kind, when, note))
        lines.append(ctx.t("flow.nudge_set", when=when_text(when, ctx.user.tz, ctx.lang),
                           kind=ctx.t(f"nudge.kind.{nudge.kind}")))
    return [Reply("\n".join(lines), case_id=case.id)], planned


async def schedule(ctx: Context, case: Case, planned: list[Planned]) -> None:
    """Adds the planned nudges to the store (each logged in the case's history) and wakes the scheduler."""
    for nudge in planned:
        await ctx.store.add_nudge(case.id, nudge.kind, nudge.due, nudge.note)
    if planned:
        ctx.nudges_changed()


async def answer(ctx: Context, case: Case, text: str) -> Answered | list[Reply]:
    """Text answers a text or time step: saved, its draft shown, its nudges scheduled. A time step whose
    text names no time, or a past one, asks again (the replies returned instead of an `Answered`)."""
    spec, step = _spec(ctx, case), case.step
    assert spec.save is not None
    base = ctx.now
    if spec.kind == "time":
        found = deadline_in(text, ctx.now, ctx.user.tz)
        if found is None:
            return [Reply(ctx.t("flow.time_unclear"), expects_text=True, case_id=case.id)]
        if found.used.when <= ctx.now:
            return [Reply(ctx.t("flow.time_past", words=user_text(found.used.words),
                                when=when_text(found.used.when, ctx.user.tz, ctx.lang)),
                          expects_text=True, case_id=case.id)]
        base = found.used.when
        case.answers[spec.save] = base.isoformat()
        case.answers[f"{spec.save}_words"] = text
    else:
        case.answers[spec.save] = text
    replies = [_draft_reply(ctx, case, spec.draft)] if spec.draft else []
    said, planned = _plan(ctx, case, spec.nudges, base)
    return Answered([*replies, *said], ("answer", {"step": step, "text": text}), nudges=planned)


async def pick(ctx: Context, case: Case, value: str) -> Answered | None:
    """A choice step's button: the value saved, its draft and nudges, and the flow it switches to.
    None when the value is not one of the step's choices (a stale or forged button)."""
    spec, step = _spec(ctx, case), case.step
    chosen = next((c for c in spec.choices if c.value == value), None)
    if chosen is None or spec.save is None:
        return None
    case.answers[spec.save] = value
    replies = [Reply(f"✓ {ctx.t(f'flow.{step}.{value}')}", close_origin=True)]
    if spec.draft:
        replies.append(_draft_reply(ctx, case, spec.draft))
    said, planned = _plan(ctx, case, [*spec.nudges, *chosen.nudges], ctx.now)
    return Answered([*replies, *said], ("choice", {"step": step, "value": value}), goto=chosen.goto,
                    nudges=planned)


def skip_goto(ctx: Context, case: Case) -> str | None:
    """Skipping a choice step takes its first choice's way on (the flow it switches to, if any)."""
    spec = _spec(ctx, case)
    return spec.choices[0].goto if spec.kind == "choice" else None
