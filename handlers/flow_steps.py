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
from content.text import word_count
from handlers.agreement import read_rule
from handlers.amount import foreign_amounts, thousands_written_out
from handlers.buttons import WalkPress
from handlers.context import Context
from handlers.paraphrase import to_client
from handlers.render import capitalise_dates, client_when, quoted, when_text
from handlers.timeparse import deadline_in
from handlers.triage import triage

__all__ = ["BLANK", "Answered", "Filled", "Planned", "answer", "fill", "filled", "pick", "prompt", "schedule",
           "skip_goto", "span", "words_language"]

_FIELD = re.compile(r"{(\w+)}")
_SPAN = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
#: Shown in a draft for an answer the user skipped.
#: Shown in a draft where the user's words could not be turned to speak to the client: theirs to fill.
BLANK = "[…]"


@dataclass(frozen=True)
class Filled:
    """A filled draft: its text, for each blank (`BLANK`) in it the user's own words it stands for, and
    ``skipped``: an answer the user skipped is a blank too, theirs to fill in before sending."""

    text: str
    blanks: list[str] = field(default_factory=list)
    skipped: bool = False


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


#: Words enough for triage's language head to outweigh the user's language (a short answer follows it).
LANGUAGE_WORDS = 3


def words_language(ctx: Context, text: str) -> str:
    """The language ``text`` is written in (triage's language head, the user's language as the hint), or
    the user's language for fewer than `LANGUAGE_WORDS` words. Words are rewritten only by their own
    language's rules: the English typo fixer turned Romanian "campanie" into "campanile"."""
    return triage(text, ctx.lang).language if word_count(text) >= LANGUAGE_WORDS else ctx.lang


def span(text: str) -> timedelta:
    """A `content.models.Span` ("0", "90m", "4h", "7d") as a timedelta."""
    return timedelta(0) if text == "0" else int(text[:-1]) * _SPAN[text[-1]]


def _spec(ctx: Context, case: Case) -> FlowStep:
    return ctx.lib.flows.steps[case.step]


def _prompt_key(ctx: Context, case: Case) -> str:
    """The string that asks the step's question: ``flow.<step>.no_contract`` once an earlier answer said
    there is no agreement (no asking for "the clause in your contract" then), else the situation's own
    opening ``flow.<step>.for.<situation>`` when the flow is shared, else ``flow.<step>``."""
    key = f"flow.{case.step}"
    if f"{key}.no_contract" in ctx.lib.strings and any(
            read_rule(str(case.answers[name]), ctx.lang).denied
            for name in _rule_answers(ctx) if case.answers.get(name)):
        return f"{key}.no_contract"
    own = f"{key}.for.{case.situation}"
    return own if own in ctx.lib.strings else key


def prompt(ctx: Context, case: Case, head: str, common: list[Choice]) -> Reply:
    """The step's question (`_prompt_key`); a choice step adds its buttons before skip / later / close."""
    spec = _spec(ctx, case)
    question = ctx.t(_prompt_key(ctx, case))
    text = f"{head}\n{question}" if head else question
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


def _client_answers(ctx: Context) -> set[str]:
    return {s.save for s in ctx.lib.flows.steps.values() if s.to_client and s.save}


def _addressed_answers(ctx: Context) -> set[str]:
    return {s.save for s in ctx.lib.flows.steps.values() if s.addressed and s.save}


def _rule_answers(ctx: Context) -> set[str]:
    return {s.save for s in ctx.lib.flows.steps.values() if s.agreement and s.save}


def fill(ctx: Context, case: Case, key: str, *, markup: bool = True) -> str:
    """The text of `filled`: the draft string ``key`` filled with the case's answers."""
    return filled(ctx, case, key, markup=markup).text


def filled(ctx: Context, case: Case, key: str, *, markup: bool = True) -> Filled:
    """A draft string filled with the case's answers: the user's words as they typed them, a time they
    named as a date written out in full for the client (`handlers.render.client_when`) in their zone and
    language, a `BLANK` for a skipped one (``skipped`` set). A rule (a step with ``agreement``)
    comes with its lead: "as agreed in our contract" for a clause, "from now on" for a new rule. An answer that describes the client
    (a step with ``to_client``) is turned to speak to the client (`handlers.paraphrase.to_client`); when
    that rewrite is unsure the draft gets a `BLANK` and the user's words come back in ``blanks``, so the
    client never reads third-person words about themselves. A field in the key's own name
    (``flow.part.{tone}``) picks the string by an answer, the first choice when it was skipped.
    ``markup``: make the user's words safe for a reply (False for a nudge's note, which is made safe
    when it is shown)."""
    for name in _FIELD.findall(key):
        value = case.answers.get(name) or _choice_default(ctx, name) or ""
        key = key.replace("{" + name + "}", str(value))
    times, about_client, rules = _time_answers(ctx), _client_answers(ctx), _rule_answers(ctx)
    values: dict[str, str] = {}
    blanks: list[str] = []
    today: list[str] = []
    skipped = False
    for name in _FIELD.findall(str(ctx.lib.strings[key]["en"])):
        raw = case.answers.get(name)
        if raw is None or raw == "":
            values[name], skipped = BLANK, True
            continue
        if name in times:  # written out for the client: "Tuesday, 1 December at 10:00", "today at 6:30 am"
            values[name] = client_when(datetime.fromisoformat(str(raw)), ctx.user.tz, ctx.lang, now=ctx.now)
            if ctx.lang == "en" and values[name].startswith("today"):
                today.append(values[name])
            continue
        text = " ".join(str(raw).split()).rstrip(".")
        lead = ""
        if name in rules:  # "as agreed in our contract" only for a clause of one, else "from now on"
            rule = read_rule(text, ctx.lang)
            lead = _rule_lead(ctx, name, new=rule.new)
            if not rule.sure:
                values[name] = ctx.t(lead, rule=BLANK)
                blanks.append(text)
                continue
            text = rule.text
        # the user's own new rule is client-facing words (a clause is a quote of the contract, kept as written)
        if name in about_client or (lead and rule.new):
            # words in another language than the draft's are not rewritten by the draft language's rules:
            # a blank, and the user's words beneath it
            same = words_language(ctx, text) == ctx.lang
            said = to_client(text, ctx.lang, addressed=name in _addressed_answers(ctx)) if same else None
            if said is None or not said.sure:
                values[name] = ctx.t(lead, rule=BLANK) if lead else BLANK  # a rule keeps its lead
                blanks.append(text)
                continue
            text = said.draft
        text = capitalise_dates(text, ctx.lang)  # "on may 12" typed fast reads "on May 12" to the client
        text = thousands_written_out(text, ctx.lang)  # "120 тыс" in a message to the client: "120 000"
        text = foreign_amounts(text, ctx.lang)  # "120 000 рублей" in an English draft: "120,000 RUB"
        shown = user_text(text) if markup else text
        values[name] = ctx.t(lead, rule=shown) if lead else shown
    text = ctx.t(key, **values)
    for phrase in today:  # English says "on Tuesday" but "today", never "on today"
        text = text.replace(f" on {phrase}", f" {phrase}")
    return Filled(text, blanks, skipped)


def _rule_lead(ctx: Context, name: str, *, new: bool) -> str:
    """The string that introduces a rule: ``flow.rule.<answer>.new`` when the answer has its own (a payment
    reminder cites the terms agreed at the start, never a rule "from now on" for a debt already due),
    else ``flow.rule.new`` / ``flow.rule.agreed``."""
    kind = "new" if new else "agreed"
    own = f"flow.rule.{name}.{kind}"
    return own if own in ctx.lib.strings else f"flow.rule.{kind}"


def _own_words(ctx: Context, draft: Filled, *, markup: bool = True) -> str:
    """The lines under a draft with blanks: what the user wrote for them, quoted, and the note that a
    skipped answer is theirs to fill in."""
    lines = []
    if draft.blanks:
        words = [quoted(user_text(w) if markup else w, ctx.lang) for w in draft.blanks]
        lines.append(ctx.t("flow.your_words", words="; ".join(words)))
    if draft.skipped:
        lines.append(ctx.t("flow.skipped_words"))
    return "\n".join(lines)


def _draft_reply(ctx: Context, case: Case, key: str) -> Reply:
    draft = filled(ctx, case, key)
    if not draft.blanks and not draft.skipped:
        return Reply(ctx.t("flow.draft", draft=draft.text), case_id=case.id)
    return Reply(ctx.t("flow.draft_blank", draft=draft.text, words=_own_words(ctx, draft)), case_id=case.id)


def _note(ctx: Context, case: Case, key: str) -> str:
    """A nudge's note: the draft, and under it the user's words for its blanks (plain, made safe when shown)."""
    draft = filled(ctx, case, key, markup=False)
    blank = draft.blanks or draft.skipped
    return f"{draft.text}\n\n{_own_words(ctx, draft, markup=False)}" if blank else draft.text


def _plan(ctx: Context, case: Case, nudges: list[NudgeSpec], base: datetime) -> tuple[list[Reply], list[Planned]]:
    """When each of the step's nudges comes (moved out of the user's quiet hours, never in the past,
    never later than its ``by`` before ``base``, the time the user named), with its draft as the note,
    and the line that says so."""
    if not nudges:
        return [], []
    lines, planned = [], []
    for nudge in nudges:
        start = base if nudge.at == "answer" else ctx.now
        delta = span(nudge.after)
        # whole days are calendar days that never land at night ("a day later" typed at 23:47 is 10:00)
        due = later(start, delta, ctx.user.tz) if delta else start
        if nudge.by is not None:  # at the latest this long before the time named, right away once past
            due = min(due, base - span(nudge.by))
        when = ctx.deliverable(max(due, ctx.now))
        note = _note(ctx, case, nudge.draft) if nudge.draft else None
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
    text names no time, or a past one, asks again (the replies returned instead of an `Answered`); one
    less than the step's ``soon`` ahead is questioned once (remembered in the case), taken when given again."""
    spec, step = _spec(ctx, case), case.step
    assert spec.save is not None
    base = ctx.now
    if spec.kind == "time":
        found = deadline_in(text, ctx.now, ctx.user.tz, deliverable=spec.deliverable)
        if found is None:
            return [Reply(ctx.t("flow.time_unclear"), expects_text=True, case_id=case.id)]
        if found.used.when <= ctx.now:
            return [Reply(ctx.t("flow.time_past", words=user_text(found.used.words),
                                when=when_text(found.used.when, ctx.user.tz, ctx.lang)),
                          expects_text=True, case_id=case.id)]
        base = found.used.when
        soon = f"{spec.save}_soon"  # the time already questioned: given again, it is taken
        if base - ctx.now < span(spec.soon) and case.answers.get(soon) != base.isoformat():
            case.answers[soon] = base.isoformat()
            await ctx.store.save_case(case)
            return [Reply(ctx.t(f"flow.{step}.soon", when=when_text(base, ctx.user.tz, ctx.lang)),
                          expects_text=True, case_id=case.id)]
        case.answers.pop(soon, None)
        case.answers[spec.save] = base.isoformat()
        case.answers[f"{spec.save}_words"] = text
    else:
        case.answers[spec.save] = text
    replies = [_draft_reply(ctx, case, spec.draft)] if spec.draft else []
    said, planned = _plan(ctx, case, spec.nudges, base)
    return Answered([*replies, *said], ("answer", {"step": step, "text": text}), nudges=planned)


async def pick(ctx: Context, case: Case, value: str) -> Answered | None:
    """A choice step's button: the value saved (with the answers the choice gives), its draft and nudges,
    and the flow it switches to.
    None when the value is not one of the step's choices (a stale or forged button)."""
    spec, step = _spec(ctx, case), case.step
    chosen = next((c for c in spec.choices if c.value == value), None)
    if chosen is None or spec.save is None:
        return None
    case.answers[spec.save] = value
    case.answers.update(chosen.answers)  # "Yes, a payment rule" is the deposit rule: no "which rule?" after it
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
