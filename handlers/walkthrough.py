"""The walkthrough: one conflict, one step per message, state in the store at every step.

A case walks the flow of its situation (`content/flows.yaml`, navigated by `handlers.flow`): offered ->
the flow's steps -> tracking. The five defuse steps (listen -> paraphrase -> cause -> apologize ->
solution (-> deadline / risky)) are written here, one row each in `TABLE` (prompt and text handler);
the steps read from content (text, time, choice) are `handlers.flow_steps`. Button presses are
looked up by action in `ACTIONS`. Button ids carry the step they belong to (`handlers.buttons.WalkPress`),
so a button of a finished step can never replay it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from bot.buttons import row_id
from bot.events import Choice, Event, Reply
from bot.markup import user_text
from bot.store import Case
from content.text import LANGUAGE_NAMES, LANGUAGES, strip_marks, word_count
from handlers import flow, flow_steps, typed
from handlers.buttons import ConflictPress, WalkPress
from handlers.check import check_draft, pattern_findings
from handlers.context import Context
from handlers.greeting import is_greeting
from handlers.paraphrase import draft_paraphrase
from handlers.render import capitalise_dates, case_title, offer, quoted, when_confirmed, when_text
from handlers.router import Router
from handlers.steps import ANY, Step
from handlers.timeparse import Deadline, deadline_in
from handlers.triage import triage

router = Router("walkthrough")

#: Steps where the case is open but no step is waiting for the user in this place.
IDLE_STEPS = (Step.OFFERED, Step.TRACKING)
CAUSES = ("attention", "obligation", "expectations", "neglect", "burden", "dislike", "goals")
#: Causes where our side is at fault: Parley suggests an apology rather than empathy.
OUR_FAULT = {"obligation", "expectations"}
#: Causes that already answer step 4 ("did our side get something wrong?"): a broken promise is ours,
#: so the walk goes straight to the apology instead of asking.
FAULT_ANSWERED = {"obligation"}
OUTCOMES = ("resolved", "let-go", "other")
#: A user who comes back after this long is asked whether to continue, start over or close.
SILENCE = timedelta(hours=12)
#: Promises closer than this to now are flagged as hard to keep.
TOO_CLOSE = timedelta(hours=2)
#: Steps that want a short fact (an amount, terms, a clause, a request, a date); time steps of the flows
#: count too. A confident new crisis typed at one is asked about rather than saved (`_crisis_question`).
FACT_STEPS = frozenset({"pay-amount", "pay-terms", "bound-clause", "bound-request", Step.DEADLINE})
#: Fewer words than this are never read as a new crisis at a fact step: triage is sure of too little
#: ("whenever" at a "by when?" step read as a situation).
CRISIS_WORDS = 4
#: A sentence this long at a short-fact step is no bare fact: when triage leans (at least
#: `COMPLAINT_SCORE`) to a situation of another flow, it is asked about even though triage is not sure.
COMPLAINT_WORDS = 8
COMPLAINT_SCORE = 0.3
#: Steps whose fact is an amount: text with a currency or a number of two digits or more is the answer;
#: text without one is asked again (``flow.<step>.none``), never put in a draft as the amount.
AMOUNT_STEPS = frozenset({"pay-amount"})
_MONEY = re.compile(r"[€$£₽]|\d\d|\b(?:eur|euro|euros|usd|dollars?|gbp|pounds?|rub|руб\w*|евро|доллар\w*|lei|ron|"
                    r"hundred|thousand|grand|\d+k|тысяч\w*|сот\w*|млн|mii|sute|milioane)\b",
                    re.IGNORECASE)
#: Steps whose fact is a term or a clause of the agreement, and the words such an answer names: text
#: with one of them is the answer ("no contract, we agreed on the phone: 14 days after delivery").
TERMS_STEPS = frozenset({"pay-terms", "bound-clause"})
_TERMS = re.compile(
    r"\b(?:contract\w*|agreement|agreed|clause|terms?|invoice|deposit|prepay\w*|upfront|days?|weeks?|"
    r"догов\w*|соглаш\w*|услови\w*|пункт\w*|счёт\w*|счет\w*|аванс\w*|предоплат\w*|дн(?:я|ей|и)|недел\w*|"
    r"contract\w*|acord\w*|clauz\w*|condiți\w*|conditi\w*|factur\w*|avans\w*|zile|săptămân\w*|saptaman\w*)\b|%",
    re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*#?\d{1,3}\s*[.)]\s*")
_NON_WORD = re.compile(r"[\W_]+")
#: A deadline this close (or past) is more likely a misreading than a plan: it is questioned, not scheduled.
NEAR = timedelta(minutes=10)


def _id(case: Case, step: str, action: str, arg: str = "") -> str:
    return WalkPress(case.id, step, action, arg).pack()


async def active_case(event: Event, ctx: Context) -> Case | None:
    """The user's open case in the event's chat and thread (the one free text may answer), or None."""
    return await ctx.store.find_open_case(event.platform, event.chat_id, event.thread_id, event.user_id)


async def park(ctx: Context, case: Case) -> None:
    """Steps aside for a new conflict in the same place; the case stays open and can be resumed."""
    case.answers["_resume"] = case.step
    case.step = Step.TRACKING
    await ctx.store.save_case(case, log=("parked", {}))


def _common(ctx: Context, case: Case, hide: Collection[str] = ()) -> list[Choice]:
    """Skip / answer later / close, and "Rather …" for the other likely situations (switching the flow).

    ``hide``: labels already shown (folded, `fold_label`); a situation titled the same gets no "Rather"
    (the cause "You and the client want different things" is not offered twice).
    """
    rather = [Choice(_id(case, ANY, "alt", other),
                     ctx.t("conflict.rather", situation=quoted(ctx.lib.situations[other].text(ctx.lang).title,
                                                               ctx.lang)))
              for other in case.answers.get("alternatives", []) if other in ctx.lib.situations
              and other != case.situation and _folded_title(ctx.lib.situations[other].text(ctx.lang).title) not in hide]
    return [Choice(_id(case, case.step, "skip"), ctx.t("walk.skip")),
            Choice(_id(case, case.step, "later"), ctx.t("walk.later")),
            Choice(_id(case, case.step, "close"), ctx.t("walk.close")), *rather]


def _header(ctx: Context, case: Case) -> str:
    at = flow.position(ctx.lib, case.situation, case.step, case.answers)
    return ctx.t("walk.header", n=at[0], total=at[1]) if at is not None else ""


def _row(step: str) -> StepSpec | None:
    """The table row of a stored step name; None for a step that waits for nobody (offered, tracking, closed)."""
    try:
        return TABLE.get(Step(step))
    except ValueError:  # not a step at all
        return None


def prompt(ctx: Context, case: Case) -> Reply:
    """The message for the step the case is on (`TABLE`); "the deadline is being tracked" otherwise."""
    if flow.spec_of(ctx.lib, case.step) is not None:
        reuse = ([Choice(_id(case, case.step, "note"), ctx.t("walk.use_note"))]
                 if _earlier_note(ctx, case) is not None else [])
        return flow_steps.prompt(ctx, case, _header(ctx, case), [*reuse, *_common(ctx, case)])
    row = _row(case.step)
    if row is None:
        return Reply(ctx.t("walk.tracking"), case_id=case.id)
    return row.prompt(ctx, case, _header(ctx, case))


def _earlier_note(ctx: Context, case: Case) -> str | None:
    """Text the user typed at the choice step just before this text step (kept as ``<step>_note`` by
    `_text_flow`), which this step may well be asking for: "Use what I already wrote" answers with it,
    as step 1 reuses the first message. None at any other step or without such a note."""
    spec = flow.spec_of(ctx.lib, case.step)
    if spec is None or spec.kind != "text":
        return None
    for key in reversed(list(case.answers)):
        earlier = key.removesuffix("_note")
        spec_before = flow.spec_of(ctx.lib, earlier) if earlier != key else None
        if (spec_before is not None and spec_before.kind == "choice"
                and flow.next_step(ctx.lib, case.situation, earlier, case.answers) == case.step):
            note = case.answers[key]
            return note if isinstance(note, str) and note.strip() else None
    return None


async def waiting_prompt(event: Event, ctx: Context) -> list[Reply]:
    """The question this place's case is waiting on, asked again (in the user's language as it is now:
    /lang mid-walkthrough); [] when no step waits here."""
    case = await active_case(event, ctx)
    if case is None or case.step in IDLE_STEPS:
        return []
    if case.lang != ctx.lang:
        case.lang = ctx.lang
        await ctx.store.save_case(case, log=("language", {"lang": ctx.lang}))
    return [_welcome_back(ctx, case) if "_pending_text" in case.answers else prompt(ctx, case)]


def _prompt_listen(ctx: Context, case: Case, head: str) -> Reply:
    reuse = [Choice(_id(case, case.step, "first"), ctx.t("walk.use_first"))] if case.answers.get("first_message") else []
    return Reply(f"{head}\n{ctx.t('walk.listen')}", choices=[*reuse, *_common(ctx, case)], expects_text=True,
                 case_id=case.id)


def _prompt_paraphrase(ctx: Context, case: Case, head: str) -> Reply:
    step = case.step
    if not case.answers.get("paraphrase_draft"):
        _draft_for(ctx, case)
    draft = str(case.answers["paraphrase_draft"])
    if not case.answers.get("paraphrase_sure", True):
        # the rewrite was unsure: the frame with a blank, the user's own words beside it, no "use this"
        words = user_text(str(case.answers.get("complaint", "")).strip())
        text = (ctx.t("walk.paraphrase_unsure", draft=user_text(draft), words=words) if words
                else ctx.t("walk.paraphrase_blank_only", draft=user_text(draft)))  # step 1 was skipped
        return Reply(f"{head}\n{text}", choices=_common(ctx, case), expects_text=True, case_id=case.id)
    return Reply(f"{head}\n{ctx.t('walk.paraphrase', draft=user_text(draft))}",
                 choices=[Choice(_id(case, step, "ok"), ctx.t("walk.paraphrase_ok")), *_common(ctx, case)],
                 expects_text=True, case_id=case.id)


def _prompt_cause(ctx: Context, case: Case, head: str) -> Reply:
    choices = [Choice(_id(case, case.step, "c", c), ctx.t(f"cause.{c}")) for c in CAUSES]
    shown = {fold_label(c.label) for c in choices}
    return Reply(f"{head}\n{ctx.t('walk.cause')}", choices=[*choices, *_common(ctx, case, shown)], case_id=case.id)


def _prompt_apologize(ctx: Context, case: Case, head: str) -> Reply:
    return Reply(f"{head}\n{ctx.t('walk.apologize')}",
                 choices=[Choice(_id(case, case.step, "fault"), ctx.t("walk.fault_yes")),
                          Choice(_id(case, case.step, "nofault"), ctx.t("walk.fault_no")), *_common(ctx, case)],
                 case_id=case.id)


def _prompt_solution(ctx: Context, case: Case, head: str) -> Reply:
    return Reply(f"{head}\n{ctx.t('walk.solution')}", choices=_common(ctx, case), expects_text=True,
                 case_id=case.id)


def _prompt_deadline(ctx: Context, case: Case, head: str) -> Reply:
    return Reply(ctx.t("walk.deadline"), choices=_common(ctx, case), expects_text=True, case_id=case.id)


def _prompt_risky(ctx: Context, case: Case, head: str) -> Reply:
    return Reply(ctx.t("walk.risky_again"),
                 choices=[Choice(_id(case, case.step, "keep"), ctx.t("walk.keep")), *_common(ctx, case)],
                 expects_text=True, case_id=case.id)


def _prompt_review(ctx: Context, case: Case, head: str) -> Reply:
    return Reply(ctx.t("walk.review_prompt"), choices=outcome_choices(ctx, case), expects_text=True,
                 case_id=case.id)


def _draft_for(ctx: Context, case: Case) -> None:
    """Drafts the step-2 paraphrase from the step-1 answer into the case (``paraphrase_draft``, and
    ``paraphrase_sure``: False when the draft is only the frame with a blank for the user to fill), in
    the language the answer is written in (`handlers.flow_steps.words_language`)."""
    complaint = str(case.answers.get("complaint", ""))
    lang = flow_steps.words_language(ctx, complaint)
    drafted = draft_paraphrase(complaint, lang)
    case.answers["paraphrase_draft"] = capitalise_dates(drafted.draft, lang)
    case.answers["paraphrase_sure"] = drafted.sure


def outcome_choices(ctx: Context, case: Case) -> list[Choice]:
    """The "how did it end?" buttons that close the case (`OUTCOMES`)."""
    return [Choice(_id(case, ANY, "out", o), ctx.t(f"outcome.{o}")) for o in OUTCOMES]


def close_question(ctx: Context, case: Case) -> Reply:
    """"How did case #3 “…” end?" with the outcomes: every way of closing names the case it closes."""
    return Reply(ctx.t("walk.close_how", id=case.id, title=quoted(case_title(ctx.lib, case.situation, ctx.lang),
                                                                  ctx.lang)),
                 choices=outcome_choices(ctx, case), case_id=case.id)


async def _advance(ctx: Context, case: Case, step: str, log: tuple[str, dict[str, Any]]) -> list[Reply]:
    """Moves the case to ``step`` and saves it; past the flow's last step, the walkthrough is done."""
    case.step = step
    if step == Step.TRACKING:
        case.answers.pop("_resume", None)
        case.answers.pop("_walk_total", None)
        await ctx.store.save_case(case, log=log)
        return [Reply(ctx.t("flow.done"), case_id=case.id)]
    changed = _total_changed(ctx, case)
    await ctx.store.save_case(case, log=log)
    return [*changed, prompt(ctx, case)]


def _total_changed(ctx: Context, case: Case) -> list[Reply]:
    """A note when the walk's total differs from the one the user last saw ("Step 3 of 5", then a choice
    made it four steps): a choice or "Rather …" changed the way ahead, and the counter says so rather
    than jumping. Keeps the total shown in ``_walk_total``."""
    at = flow.position(ctx.lib, case.situation, case.step, case.answers)
    if at is None:
        return []
    shown = case.answers.get("_walk_total")
    case.answers["_walk_total"] = at[1]
    if isinstance(shown, int) and shown != at[1]:
        return [Reply(ctx.t("walk.total_changed", total=at[1]), case_id=case.id)]
    return []


def _next(ctx: Context, case: Case) -> str:
    """The step after the case's step in its flow (`handlers.flow.next_step`)."""
    return flow.next_step(ctx.lib, case.situation, case.step, case.answers)


# -- free text ----------------------------------------------------------------------------------


async def answer_text(ctx: Context, case: Case | None, text: str, event: Event | None = None) -> list[Reply] | None:
    """Free text mid-walkthrough answers the current step; None when no step is waiting here. ``event``
    (the message) is what a typed button label acts for; without it labels are not looked for.

    Before that, text that is obviously no answer is told apart: a shown button's label typed out acts
    as that button, text with no letter or digit (emoji only) asks for words (for a button at a step
    that wants one), a bare greeting gets the
    step's question again, and a confident new
    crisis typed at a step that wants a short fact asks whether it is a new case (`FACT_STEPS`).
    """
    if case is not None and case.step == Step.OFFERED and event is not None:
        on_card = _typed_card_choice(ctx, case, text)  # "Walk me through it" typed under the card
        return await _walk_action_typed(event, ctx, case, on_card) if on_card is not None else None
    if case is None or case.step in IDLE_STEPS:
        return None
    pressed = _typed_choice(ctx, case, text) if event is not None else None
    if pressed is not None and event is not None:
        return await _walk_action_typed(event, ctx, case, pressed)
    if not any(c.isalnum() for c in text):
        need = "walk.need_choice" if _wants_choice(ctx, case) else "walk.need_words"
        return [Reply(ctx.t(need), case_id=case.id), prompt(ctx, case)]
    if is_greeting(text):  # "hi" on coming back: where we are, not an answer
        return [Reply(ctx.t("walk.hello_again"), case_id=case.id), prompt(ctx, case)]
    question = await _crisis_question(ctx, case, text)
    if question is not None:
        return question
    if ctx.now - case.updated_at > SILENCE and "_pending_text" not in case.answers:
        case.answers["_pending_text"] = text
        await ctx.store.save_case(case)
        return [_welcome_back(ctx, case)]
    return await _apply_text(ctx, case, text)


def fold_label(text: str) -> str:
    """A button label or a typed line folded for comparing: case, diacritics, punctuation, a leading
    "1)" and spacing dropped ("1) Продолжить!" and "продолжить" fold alike)."""
    folded = strip_marks(text).casefold()
    folded = _NUMBERED.sub("", folded)
    return " ".join(_NON_WORD.sub(" ", folded).split())


@lru_cache(maxsize=1024)
def _folded_title(title: str) -> str:
    """`fold_label` of a situation's title (shipped content: a few dozen strings in three languages, never
    anything a user typed), kept because every step prompt folds the case's alternatives' titles."""
    return fold_label(title)


def _shown_choices(ctx: Context, case: Case) -> list[Choice]:
    """The buttons the user last saw for the case: the welcome-back question while it waits, else the
    step's prompt."""
    if "_pending_text" in case.answers:
        return _welcome_back(ctx, case).choices
    if "_crisis_text" in case.answers:  # "a new conflict, or your answer?" is waiting: its "It's my answer" too
        return [Choice(_id(case, case.step, "mine"), ctx.t("walk.its_answer")), *prompt(ctx, case).choices]
    return prompt(ctx, case).choices


def _typed_choice(ctx: Context, case: Case, text: str) -> WalkPress | None:
    """The walkthrough button whose label ``text`` repeats (folded alike, a typo allowed: see
    `handlers.typed.close_label`), or the yes / no button a bare "yes", «да», "nu" answers; None."""
    return _typed_press(text, [c for c in _shown_choices(ctx, case) if c.id.startswith(f"{WalkPress.prefix}:")])


def _typed_card_choice(ctx: Context, case: Case, text: str) -> WalkPress | None:
    """A button of the situation card (`handlers.render.offer`) typed out: "Walk me through it",
    "Rather …", the offer to answer in another language; None for anything else."""
    card = offer(ctx, case, alternatives=[a for a in case.answers.get("alternatives", []) if a in ctx.lib.situations])
    if typed.walk_words(text):  # "walk me thru", «пошагово»: the main button's short forms
        text = ctx.t("conflict.walk")
    languages = [Choice(_id(case, Step.OFFERED, "lang", code), ctx.lib.t("conflict.in_language", code))
                 for code in LANGUAGES if code != ctx.lang]
    return _typed_press(text, [*card.choices, *languages])


#: Walkthrough actions a bare "yes" / "ok" takes, whatever their label says ("Use this wording").
YES_ACTIONS = frozenset({"ok"})


def _yes_no_of(choice: Choice) -> str | None:
    """"yes" / "no" for a button that answers a yes/no question by its label ("Yes, a payment rule") or
    its action (`YES_ACTIONS`); None for any other."""
    try:
        if WalkPress.unpack(choice.id).action in YES_ACTIONS:
            return "yes"
    except ValueError:
        return None
    return typed.yes_no_of_label(choice.label)


def _typed_press(text: str, choices: list[Choice]) -> WalkPress | None:
    index = typed.close_label(text, [c.label for c in choices])
    if index is None:
        answer = typed.yes_no(text)
        matching = [i for i, c in enumerate(choices) if answer and _yes_no_of(c) == answer]
        index = matching[0] if len(matching) == 1 else None
    if index is None:
        return None
    try:
        return WalkPress.unpack(choices[index].id)
    except ValueError:
        return None


async def _walk_action_typed(event: Event, ctx: Context, case: Case, press: WalkPress) -> list[Reply]:
    """Runs a button typed out as text, with the same replies as the press ("Skipped.", "✓ label"):
    the notes that would close the pressed message are sent as messages of their own, since there is
    no pressed message to close."""
    handler = ACTIONS.get(press.action)
    replies = await handler(event, ctx, case, press.step, press.arg) if handler else None
    if replies is None:
        return [prompt(ctx, case)]
    return [dataclasses.replace(r, close_origin=False) if r.close_origin else r for r in replies]


def _wants_choice(ctx: Context, case: Case) -> bool:
    """Whether the case's step is answered by a button (the cause, step 4, a choice step of a flow)."""
    spec = flow.spec_of(ctx.lib, case.step)
    return case.step in (Step.CAUSE, Step.APOLOGIZE) or (spec is not None and spec.kind == "choice")


def _current_flow(ctx: Context, case: Case) -> str:
    return flow.flow_id(ctx.lib, case.situation, case.step, case.answers)


def _wants_time(ctx: Context, case: Case) -> bool:
    """Whether the case's step asks for a time (step 5's deadline, or a time step of a flow)."""
    spec = flow.spec_of(ctx.lib, case.step)
    return case.step == Step.DEADLINE or (spec is not None and spec.kind == "time")


def _wants_fact(ctx: Context, case: Case) -> bool:
    """Whether the case's step asks for a short fact (`FACT_STEPS`, or any time step)."""
    return case.step in FACT_STEPS or _wants_time(ctx, case)


def _is_the_fact(ctx: Context, case: Case, text: str) -> bool:
    """Whether ``text`` has the shape of the fact the step wants: a time that parses at a time step, an
    amount (currency, a number of two digits or more) at an amount step, words of an agreement's terms
    (contract, days, deposit…) at a terms or clause step. Such text is the answer, never
    a new conflict ("we redo two concepts by next Tuesday 12:00" reads as endless revisions)."""
    if _wants_time(ctx, case):
        return deadline_in(text, ctx.now, ctx.user.tz) is not None
    if case.step in AMOUNT_STEPS:
        return _MONEY.search(text) is not None
    if case.step in TERMS_STEPS:
        return _TERMS.search(text) is not None
    return False


async def _crisis_question(ctx: Context, case: Case, text: str) -> list[Reply] | None:
    """At a step that wants a short fact, text that triage reads confidently as a situation of another
    flow is asked about ("a new conflict, or your answer?") instead of being saved; None otherwise.
    A long sentence (`COMPLAINT_WORDS`) that triage only leans on is asked about too: a complaint
    about the client is no amount or clause. Text shaped like the fact (`_is_the_fact`) never is.

    The text waits in ``_crisis_text``: "It's my answer" saves it, "Start a new case" opens a case for
    it (`handlers.conflict`), parking this one. The flow comparison keeps answers that merely sound
    like the case's own situation (payment terms in a payment case) from being questioned.
    """
    if not _wants_fact(ctx, case) or word_count(text) < CRISIS_WORDS or _is_the_fact(ctx, case, text):
        return None
    result = triage(text, ctx.lang)
    if not result.matches:
        return None
    leaning = word_count(text) >= COMPLAINT_WORDS and result.matches[0].score >= COMPLAINT_SCORE
    if not result.confident and not leaning:
        return None
    best = result.matches[0].id
    other = ctx.lib.flows.situations.get(best, flow.DEFUSE)
    if best == case.situation or other == _current_flow(ctx, case):
        return None
    case.answers["_crisis_text"] = text
    await ctx.store.save_case(case, log=("crisis-asked", {"step": case.step, "situation": best}))
    return [Reply(ctx.t("walk.new_crisis"), case_id=case.id,
                  choices=[Choice(ConflictPress("new", str(case.id)).pack(), ctx.t("walk.new_case")),
                           Choice(_id(case, case.step, "mine"), ctx.t("walk.its_answer")),
                           *_common(ctx, case)[2:3]])]


def _welcome_back(ctx: Context, case: Case) -> Reply:
    return Reply(ctx.t("walk.welcome_back", step=ctx.t(f"step.{case.step}")), case_id=case.id,
                 choices=[Choice(_id(case, case.step, "resume"), ctx.t("walk.resume")),
                          Choice(_id(case, case.step, "restart"), ctx.t("walk.restart")),
                          Choice(_id(case, ANY, "close"), ctx.t("walk.close"))])


async def answer_again(ctx: Context, case: Case, step: str, text: str) -> list[Reply]:
    """The user edited their answer to ``step`` and nothing has happened to the case since: the step
    is answered again with the new text, so everything built from the answer (the step-2 draft, the
    promise's deadline, a flow step's draft and reminders) is rebuilt too. Returns the replies of the
    step that follows, as the first time.
    """
    case.step = step
    spec = flow.spec_of(ctx.lib, step)
    if spec is not None and spec.nudges:  # the first answer's reminders give way to the new answer's
        kinds = {n.kind for n in spec.nudges}
        for nudge in await ctx.store.nudges_for_case(case.id):
            if nudge.kind in kinds and nudge.status == "pending":
                await ctx.store.set_nudge(nudge.id, status="cancelled", only_from=("pending",))
    return await _apply_text(ctx, case, text)


async def _apply_text(ctx: Context, case: Case, text: str) -> list[Reply]:
    """``text`` answers the case's step (`StepSpec.on_text`); a step that takes no text shows its prompt again."""
    case.answers.pop("_pending_text", None)
    if flow.spec_of(ctx.lib, case.step) is not None:
        return await _text_flow(ctx, case, text)
    row = _row(case.step)
    if row is None or row.on_text is None:
        return [prompt(ctx, case)]
    return await row.on_text(ctx, case, text)


async def _text_listen(ctx: Context, case: Case, text: str) -> list[Reply]:
    step = case.step
    case.answers["complaint"] = text
    _draft_for(ctx, case)
    return await _advance(ctx, case, _next(ctx, case), ("answer", {"step": step, "text": text}))


async def _text_paraphrase(ctx: Context, case: Case, text: str) -> list[Reply]:
    step = case.step
    case.answers["paraphrase"] = text
    return await _advance(ctx, case, _next(ctx, case), ("answer", {"step": step, "text": text}))


async def _text_note(ctx: Context, case: Case, text: str) -> list[Reply]:
    """Text at a step that takes buttons (cause, apologize) is kept as a note, said so, and the walk goes on."""
    step = case.step
    case.answers[f"{step}_note"] = text
    shown = text if len(text) <= 120 else text[:119].rstrip() + "…"
    return [Reply(ctx.t("walk.noted", text=quoted(user_text(shown), ctx.lang)), case_id=case.id),
            *(await _advance(ctx, case, _next(ctx, case), ("answer", {"step": step, "text": text})))]


async def _text_flow(ctx: Context, case: Case, text: str) -> list[Reply]:
    """Text at a step read from content: a text or time step takes it as the answer; a choice step keeps
    it as a note and asks again, since what comes next depends on the choice."""
    step = case.step
    if step in AMOUNT_STEPS and _MONEY.search(text) is None:  # a complaint is no amount: never in the draft
        await ctx.store.save_case(case)  # a question the text answered ("It's my answer") is not asked again
        return _with_way_out(ctx, case, [Reply(ctx.t(f"flow.{step}.none"), expects_text=True, case_id=case.id)])
    if ctx.lib.flows.steps[step].kind == "choice":
        case.answers[f"{step}_note"] = text
        await ctx.store.save_case(case, log=("answer", {"step": step, "text": text}))
        shown = text if len(text) <= 120 else text[:119].rstrip() + "…"
        return [Reply(ctx.t("walk.noted", text=quoted(user_text(shown), ctx.lang)), case_id=case.id),
                prompt(ctx, case)]
    done = await flow_steps.answer(ctx, case, text)
    if isinstance(done, list):
        return _with_way_out(ctx, case, done)
    return await _answered(ctx, case, done, _next(ctx, case))


def _with_way_out(ctx: Context, case: Case, replies: list[Reply]) -> list[Reply]:
    """A step's "ask again" replies with skip / answer later / close on the last one, so text that was
    not an answer (a new crisis typed at a "by when?" step) never leaves the user stuck."""
    if not replies or replies[-1].choices:
        return replies
    return [*replies[:-1], dataclasses.replace(replies[-1], choices=_common(ctx, case))]


async def _answered(ctx: Context, case: Case, done: flow_steps.Answered, target: str) -> list[Reply]:
    """A step read from content was answered: the case moves on and is saved, then its nudges are added."""
    moved = await _advance(ctx, case, target, done.log)
    await flow_steps.schedule(ctx, case, done.nudges)
    return [*done.replies, *moved]


async def _text_deadline(ctx: Context, case: Case, text: str) -> list[Reply]:
    found = deadline_in(text, ctx.now, ctx.user.tz, deliverable=True)
    if found is None:
        return _with_way_out(ctx, case, [Reply(ctx.t("walk.deadline_unclear"), expects_text=True, case_id=case.id)])
    _remember_reading(case, found)
    return await _check_and_schedule(ctx, case, case.answers.get("promise", ""), found.used.when)


async def _text_review(ctx: Context, case: Case, text: str) -> list[Reply]:
    step = case.step
    case.answers["review"] = text
    await ctx.store.save_case(case, log=("answer", {"step": step, "text": text}))
    return [Reply(ctx.t("walk.review_thanks"), choices=outcome_choices(ctx, case), case_id=case.id)]


async def _solution(ctx: Context, case: Case, text: str) -> list[Reply]:
    case.answers["promise"] = text
    found = deadline_in(text, ctx.now, ctx.user.tz, deliverable=True)
    if found is None:
        return await _advance(ctx, case, Step.DEADLINE, ("answer", {"step": Step.SOLUTION, "text": text}))
    _remember_reading(case, found)
    return await _check_and_schedule(ctx, case, text, found.used.when)


def _remember_reading(case: Case, found: Deadline) -> None:
    """Keeps the words the deadline was read from, and the time words left out, for the confirmation."""
    case.answers["deadline_words"] = found.used.words
    case.answers["deadline_unused"] = [t.words for t in found.others]


def _reading(ctx: Context, case: Case, due: datetime) -> str:
    """'Deadline: Tue 24 Nov 18:00 (read from “завтра к 18:00”; not used: “сегодня”)' in the user's language."""
    when = when_confirmed(ctx, due)
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
    """What to question about a step-5 promise: words that promise too much, a deadline past or too close.

    Here the user states their own plan, so the promise words of ``check.yaml`` ("100%", "guarantee",
    "never again") count wherever they stand, next to what the /check model finds: a contractual
    guarantee, which /check must let pass, is not what a step-5 plan says.
    """
    quotes: list[str] = []
    for finding in [*pattern_findings(promise), *check_draft(promise)]:
        if finding.rule == "impossible-promise" and finding.quote not in quotes:
            quotes.append(finding.quote)
    problems = [ctx.t("walk.risk_word", word=user_text(q)) for q in quotes]
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
        case.step = Step.DEADLINE
        await ctx.store.save_case(case, log=("deadline-questioned", {"deadline": case.answers["deadline"]}))
        return [question]
    problems = [] if force else _risks(ctx, promise, due, near_ok)
    if problems:
        case.step = Step.RISKY
        await ctx.store.save_case(case, log=("risky-promise", {"text": promise, "problems": len(problems)}))
        return [Reply("\n".join([ctx.t("walk.risky"), *[f"• {p}" for p in problems]]), case_id=case.id,
                      choices=[Choice(_id(case, "risky", "keep"), ctx.t("walk.keep")), *_common(ctx, case)],
                      expects_text=True)]
    return await schedule_followups(ctx, case, due)


async def schedule_followups(ctx: Context, case: Case, due: Any) -> list[Reply]:
    """Step 6: the deadline nudge goes in the store; the later ones follow when it is answered."""
    when = ctx.deliverable(max(due, ctx.now))
    case.step = Step.TRACKING
    case.answers.pop("_resume", None)
    await ctx.store.save_case(case, log=("agreed", {"promise": case.answers.get("promise", ""),
                                                    "deadline": case.answers.get("deadline")}))
    await ctx.store.add_nudge(case.id, "deliver", when)
    ctx.nudges_changed()
    return [Reply(_reading(ctx, case, due) + "\n" + ctx.t("walk.scheduled", when=when_text(when, ctx.user.tz, ctx.lang)),
                  case_id=case.id)]


# -- the step table -------------------------------------------------------------------------------

#: ``(ctx, case, header)``: the message asking for the step; header is "Step n of 5" for numbered steps.
Prompt = Callable[[Context, Case, str], Reply]
#: ``(ctx, case, text)``: the user's text answers the step; returns the replies (usually the next prompt).
TextHandler = Callable[[Context, Case, str], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class StepSpec:
    """One step written in code: what it asks and what its text does. Which step comes after it is the
    case's flow (`handlers.flow.next_step`); the deadline, risky and review questions lead to tracking."""

    prompt: Prompt
    #: None: the step takes buttons only; typed text shows the prompt again.
    on_text: TextHandler | None
    #: One of the five defuse steps, numbered with the other steps of its flow.
    numbered: bool = False


#: Every step written in code that waits for the user. Steps read from content are `handlers.flow_steps`.
TABLE: dict[Step, StepSpec] = {
    Step.LISTEN: StepSpec(_prompt_listen, _text_listen, numbered=True),
    Step.PARAPHRASE: StepSpec(_prompt_paraphrase, _text_paraphrase, numbered=True),
    Step.CAUSE: StepSpec(_prompt_cause, _text_note, numbered=True),
    Step.APOLOGIZE: StepSpec(_prompt_apologize, _text_note, numbered=True),
    Step.SOLUTION: StepSpec(_prompt_solution, _solution, numbered=True),
    Step.DEADLINE: StepSpec(_prompt_deadline, _text_deadline),
    Step.RISKY: StepSpec(_prompt_risky, _solution),
    Step.REVIEW: StepSpec(_prompt_review, _text_review),
}
#: The five defuse steps, in order (the defuse flow of `content/flows.yaml`).
STEPS = tuple(step for step, row in TABLE.items() if row.numbered)
#: Steps where a "Continue" button makes sense: the case waits for the user.
RESUMABLE = tuple(TABLE)


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


@router.button(WalkPress)
async def walk_button(event: Event, ctx: Context, press: WalkPress) -> list[Reply]:
    """A walkthrough button: only its owner, only on an open case, only at the step it was made for
    (closing and continuing work from any step); the action itself is looked up in `ACTIONS`."""
    found = await owned_case(event, ctx, str(press.case))
    if isinstance(found, list):
        return found
    case = found
    if press.step != ANY and press.step != case.step and press.action not in ("close", "resume"):
        return [Reply(ctx.t("walk.step_done"), private=True)]
    return await _walk_action(event, ctx, case, press.step, press.action, press.arg)


#: ``(event, ctx, case, step, arg)``: a press of a walkthrough button whose action names it; ``step`` is
#: the one the button was made for. None: the press does not fit the case's state (a stale button).
Action = Callable[[Event, Context, Case, str, str], Awaitable[list[Reply] | None]]


async def _walk_action(event: Event, ctx: Context, case: Case, step: str, action: str, arg: str) -> list[Reply]:
    handler = ACTIONS.get(action)
    replies = await handler(event, ctx, case, step, arg) if handler is not None else None
    return replies if replies is not None else [Reply(ctx.t("walk.step_done"), private=True)]


async def _on_close(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    return [close_question(ctx, case)]


async def _on_outcome(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    return await close_case(ctx, case, arg) if arg in OUTCOMES else None


async def _on_walk(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    if case.step != Step.OFFERED:
        return None
    case.answers["started"] = True
    first = flow.first_step(ctx.lib, case.situation, case.answers)
    return [Reply(f"✓ {ctx.t('conflict.walk')}", close_origin=True),
            *(await _advance(ctx, case, first, ("walk", {"situation": case.situation})))]


async def _on_alternative(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    """"Rather …": before the walk, the other situation's card; mid-way, its flow from its first step
    not answered yet, keeping the answers (a clause, a complaint) that still apply."""
    if arg not in ctx.lib.situations or arg == case.situation:
        return None
    if case.step == Step.OFFERED:
        case.situation = arg
        await ctx.store.save_case(case, log=("situation", {"situation": arg}))
        return [Reply(f"✓ {ctx.lib.situations[arg].text(ctx.lang).title}", close_origin=True),
                offer(ctx, case, alternatives=[])]
    if not flow.is_flow_step(ctx.lib, case.step):
        return None
    case.situation = arg
    case.answers.pop("_flow", None)
    target = flow.first_open_step(ctx.lib, ctx.lib.flows.situations[arg], case.answers)
    return [Reply(f"✓ {ctx.lib.situations[arg].text(ctx.lang).title}", close_origin=True),
            *(await _advance(ctx, case, target, ("situation", {"situation": arg})))]


async def _on_language(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    if case.step != Step.OFFERED or arg not in LANGUAGES:
        return None
    await ctx.set_language(arg)
    case.lang = arg
    await ctx.store.save_case(case, log=("language", {"lang": arg}))
    return [Reply(f"✓ {LANGUAGE_NAMES[arg]}", close_origin=True),
            offer(ctx, case, alternatives=list(case.answers.get("alternatives", [])))]


async def _on_skip(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    case.answers[f"{case.step}_skipped"] = True
    if case.step in (Step.SOLUTION, Step.DEADLINE, Step.RISKY):
        case.step = Step.TRACKING
        await ctx.store.save_case(case, log=("skip", {"step": step}))
        return [Reply(ctx.t("walk.skipped"), close_origin=True), Reply(ctx.t("walk.no_deadline"), case_id=case.id)]
    goto = flow_steps.skip_goto(ctx, case) if flow.spec_of(ctx.lib, case.step) is not None else None
    if goto is not None:
        case.answers["_flow"] = goto
        target = flow.first_open_step(ctx.lib, goto, case.answers)
    else:
        target = _next(ctx, case)
    return [Reply(ctx.t("walk.skipped"), close_origin=True),
            *(await _advance(ctx, case, target, ("skip", {"step": step})))]


async def _on_later(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    await ctx.store.log(case.id, "later", {"step": case.step})
    return [Reply(ctx.t("walk.later_ok"), close_origin=True)]


async def _on_resume(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    pending = case.answers.pop("_pending_text", None)
    if case.step == Step.TRACKING and "_resume" in case.answers:
        other = await active_case(event, ctx)
        if other is not None and other.id != case.id and other.step not in IDLE_STEPS:
            await park(ctx, other)
        case.step = case.answers.pop("_resume")
    await ctx.store.save_case(case, log=("resumed", {}))
    if pending:
        return [Reply(ctx.t("walk.resume"), close_origin=True), *(await _apply_text(ctx, case, pending))]
    return [Reply(ctx.t("walk.resume"), close_origin=True), prompt(ctx, case)]


async def _on_restart(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    case.answers = {"started": True}
    first = flow.first_step(ctx.lib, case.situation, case.answers)
    return [Reply(ctx.t("walk.restart"), close_origin=True),
            *(await _advance(ctx, case, first, ("restart", {})))]


async def _on_use_first(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    if case.step != Step.LISTEN or not case.answers.get("first_message"):
        return None
    return [Reply(f"✓ {ctx.t('walk.use_first')}", close_origin=True),
            *(await _apply_text(ctx, case, str(case.answers["first_message"])))]


async def _on_use_note(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    """"Use what I already wrote": the text typed at the choice step before answers this one."""
    note = _earlier_note(ctx, case) if case.step == step else None
    if note is None:
        return None
    return [Reply(f"✓ {ctx.t('walk.use_note')}", close_origin=True), *(await _apply_text(ctx, case, note))]


async def _on_paraphrase_ok(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    if case.step != Step.PARAPHRASE or not case.answers.get("paraphrase_sure", True):
        return None
    case.answers["paraphrase"] = case.answers.get("paraphrase_draft", "")
    return [Reply(f"✓ {ctx.t('walk.paraphrase_ok')}", close_origin=True),
            *(await _advance(ctx, case, _next(ctx, case), ("paraphrase-accepted", {})))]


async def _on_cause(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    if case.step != Step.CAUSE or arg not in CAUSES:
        return None
    case.answers["cause"] = arg
    case.step = _next(ctx, case)
    apology: list[Reply] = []
    if arg in FAULT_ANSWERED and case.step == Step.APOLOGIZE:
        case.answers["our_fault"] = True
        case.step = _next(ctx, case)
        apology = [Reply(f"{ctx.t('walk.fault_from_cause')}\n{ctx.t('walk.apology_words')}", case_id=case.id)]
    await ctx.store.save_case(case, log=("cause", {"cause": arg}))
    return [Reply(f"✓ {ctx.t(f'cause.{arg}')}", close_origin=True),
            Reply(f"{ctx.t(f'fix.{arg}')}", case_id=case.id), *apology, prompt(ctx, case)]


async def _on_fault(event: Event, ctx: Context, case: Case, step: str, arg: str, *, ours: bool) -> list[Reply] | None:
    if case.step != Step.APOLOGIZE:
        return None
    case.answers["our_fault"] = ours
    case.step = _next(ctx, case)
    await ctx.store.save_case(case, log=("fault", {"ours": ours}))
    wording = ctx.t("walk.apology_words" if ours else "walk.empathy_words")
    label = ctx.t("walk.fault_yes" if ours else "walk.fault_no")
    return [Reply(f"✓ {label}", close_origin=True), Reply(wording, case_id=case.id), prompt(ctx, case)]


async def _on_ours(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    return await _on_fault(event, ctx, case, step, arg, ours=True)


async def _on_not_ours(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    return await _on_fault(event, ctx, case, step, arg, ours=False)


async def _on_keep(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    if case.step != Step.RISKY:
        return None
    due = datetime.fromisoformat(case.answers["deadline"])
    return [Reply(f"✓ {ctx.t('walk.keep')}", close_origin=True),
            *(await _check_and_schedule(ctx, case, case.answers.get("promise", ""), due, force=True,
                                        near_ok=True))]


async def _on_soon(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    if case.step != Step.DEADLINE or not case.answers.get("deadline"):
        return None
    due = datetime.fromisoformat(case.answers["deadline"])
    return [Reply(f"✓ {ctx.t('walk.deadline_keep_soon')}", close_origin=True),
            *(await _check_and_schedule(ctx, case, case.answers.get("promise", ""), due, near_ok=True))]


async def _on_pick(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    """A choice step's button (`handlers.flow_steps.pick`); a choice with ``goto`` switches the flow."""
    if flow.spec_of(ctx.lib, case.step) is None or ctx.lib.flows.steps[case.step].kind != "choice":
        return None
    done = await flow_steps.pick(ctx, case, arg)
    if done is None:
        return None
    if done.goto is not None:
        case.answers["_flow"] = done.goto
        target = flow.first_open_step(ctx.lib, done.goto, case.answers)
    else:
        target = _next(ctx, case)
    return await _answered(ctx, case, done, target)


async def _on_its_answer(event: Event, ctx: Context, case: Case, step: str, arg: str) -> list[Reply] | None:
    """"It's my answer" to the new-conflict question: the text waiting in ``_crisis_text`` answers the step."""
    text = case.answers.pop("_crisis_text", None)
    if not isinstance(text, str) or case.step != step:
        return None
    return [Reply(f"✓ {ctx.t('walk.its_answer')}", close_origin=True), *(await _apply_text(ctx, case, text))]


#: Button actions (the ``action`` of `WalkPress`) and what they do.
ACTIONS: dict[str, Action] = {
    "close": _on_close, "out": _on_outcome, "walk": _on_walk, "alt": _on_alternative, "lang": _on_language,
    "skip": _on_skip, "later": _on_later, "resume": _on_resume, "restart": _on_restart, "first": _on_use_first,
    "ok": _on_paraphrase_ok, "c": _on_cause, "fault": _on_ours, "nofault": _on_not_ours, "keep": _on_keep,
    "soon": _on_soon, "pick": _on_pick, "mine": _on_its_answer, "note": _on_use_note,
}


async def close_case(ctx: Context, case: Case, outcome: str) -> list[Reply]:
    """Closing cancels every nudge of the case in the same transaction (see `Store.save_case`)."""
    case.status = "closed"
    case.outcome = outcome
    case.step = Step.CLOSED
    await ctx.store.save_case(case, log=("closed", {"outcome": outcome}))
    title = quoted(case_title(ctx.lib, case.situation, ctx.lang), ctx.lang)
    return [Reply(ctx.t("walk.closed", id=case.id, title=title, outcome=quoted(ctx.t(f"outcome.{outcome}"), ctx.lang)),
                  close_origin=True)]
