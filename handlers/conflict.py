"""`/conflict` and free text with no walkthrough running: recognise the situation, show the card."""

from __future__ import annotations

from bot.context import ContextSource
from bot.events import Choice, Event, EventKind, Reply
from bot.store import Case
from content.text import LANGUAGE_NAMES, LANGUAGES, word_count
from handlers import typed, walkthrough
from handlers.buttons import ConflictPress, MenuPress
from handlers.context import Context
from handlers.greeting import greeting_language, is_greeting
from handlers.render import offer
from handlers.router import Router
from handlers.steps import Step
from handlers.triage import EVIDENCE, triage

router = Router("conflict")
#: A message of at most this many words opens a case only when a word names a conflict
#: (`handlers.typed.names_conflict`): triage is sure of too little in "next" or "bine atunci".
SHORT_WORDS = 3


@router.command("conflict")
async def conflict(event: Event, ctx: Context, args: str) -> list[Reply]:
    if not args:
        return [menu(ctx)]
    return await triage_reply(event, ctx, args, await walkthrough.active_case(event, ctx))


def menu(ctx: Context, intro_key: str = "conflict.menu", likely: list[str] | None = None) -> Reply:
    """All situations; ``likely`` ones (the message gave some evidence for them) come first, best first."""
    first = [sid for sid in likely or [] if sid in ctx.lib.situations]
    order = first + [sid for sid in ctx.lib.situations if sid not in first]
    choices = [Choice(ConflictPress("s", sid).pack(), ctx.lib.situations[sid].text(ctx.lang).title) for sid in order]
    return Reply(ctx.t(intro_key), choices=choices)


async def triage_reply(event: Event, ctx: Context, text: str, here: Case | None) -> list[Reply]:
    """``here``: the open case of this place, as the caller already looked it up. A bare greeting gets
    a short hello with what Parley does and its commands (`handlers.greeting`)."""
    typed_out = await _typed_reply(event, ctx, text, here)
    if typed_out is not None:
        return typed_out
    if is_greeting(text):  # answered in the language of the greeting, with the switch to it offered
        lang = greeting_language(text) or ctx.lang
        offer_switch = [Choice(MenuPress("lang", lang).pack(), ctx.lib.t("conflict.in_language", lang))] \
            if lang != ctx.lang else []
        return [Reply(f"{ctx.lib.t('greet.hello', lang)}\n{ctx.lib.t('greet.how', lang)}",
                      choices=[*offer_switch, Choice(ConflictPress("menu").pack(), ctx.lib.t("help.pick_situation", lang))])]
    result = triage(text, ctx.lang)
    if not result.confident or (word_count(text) <= SHORT_WORDS and not typed.names_conflict(text)):
        # a few words naming no conflict ("next", "stop", «ну ладно») open no case, however sure triage is
        shown = menu(ctx, "conflict.unsure", likely=[m.id for m in result.matches if m.score >= EVIDENCE])
        if result.language != ctx.lang:  # as a card does: offer to go on in the language of the message
            shown.choices.insert(0, Choice(ConflictPress("menu", result.language).pack(),
                                           ctx.lib.t("conflict.in_language", result.language)))
        return [shown]
    best, *others = result.matches
    # always the next two: a wrong first card (about 1 in 16 on held-out text) is then one press away,
    # and the right one is among the first three for 97 in 100
    alternatives = [m.id for m in others][:2]
    if here is not None and here.step == Step.OFFERED and here.situation != best.id:
        here = None  # another conflict: the one only offered stays open beside it (/cases shows both)
    case = await _offer_case(event, ctx, here, best.id, alternatives, first_message=text)
    switch = result.language if result.language != ctx.lang else None
    return [offer(ctx, case, alternatives=alternatives, switch_to=switch)]


async def language_switch(event: Event, ctx: Context, text: str) -> list[Reply] | None:
    """A message that is only a language's name or code ("Română", "russian", «русский», "en"): the
    language is switched, as /lang does, and a step waiting here is asked again in it; None for any
    other text. Checked before a waiting step takes the text, so the name is never saved as an answer."""
    code = typed.language_named(text, LANGUAGES)
    if code is None:
        return None
    await ctx.set_language(code)
    return [Reply(ctx.t("lang.set", name=LANGUAGE_NAMES[code])), *(await walkthrough.waiting_prompt(event, ctx))]


async def _typed_reply(event: Event, ctx: Context, text: str, here: Case | None) -> list[Reply] | None:
    """Text that is no conflict to triage, as no step waits for it: emoji only (asked for words), a
    language's name ("Română", "russian": typed at the /lang menu, picks it), a bare yes or no (nothing
    waits for one), a walkthrough button's label, typos allowed ("skp this step": its step is not
    waiting), a situation's title (typed at the situation menu, picks it). None for anything else."""
    if not any(c.isalnum() for c in text):
        return [Reply(ctx.t("typed.words_please"))]
    if typed.yes_no(text) is not None:
        return [Reply(ctx.t("typed.nothing_waiting"))]
    labels = [ctx.lib.t(key, lang) for key in typed.step_label_keys() for lang in LANGUAGES]
    if typed.close_label(text, labels) is not None:
        return [Reply(ctx.t("typed.not_waiting"))]
    situations = list(ctx.lib.situations)
    index = typed.close_label(text, [ctx.lib.situations[sid].text(ctx.lang).title for sid in situations])
    if index is not None:
        return await conflict_button(event, ctx, ConflictPress("s", situations[index]))
    return None


async def _offer_case(event: Event, ctx: Context, case: Case | None, situation: str, alternatives: list[str],
                      first_message: str | None = None) -> Case:
    """Reuses ``case`` (this place's open case) when it was only offered, so triage doesn't pile up cases
    (free text passes it only when it names the same situation again: a new conflict is a new case).

    A walkthrough running here steps aside (it stays open in /cases and can be resumed), so a place
    never has two walkthroughs answering the same messages.
    """
    answers: dict[str, object] = {"alternatives": alternatives}
    if first_message:  # step 1 can reuse it instead of asking the user to type it all again
        answers["first_message"] = first_message[:1000]
    if case is not None and case.step not in walkthrough.IDLE_STEPS:
        await walkthrough.park(ctx, case)
    elif case is not None and case.step == Step.OFFERED:
        case.situation = situation
        case.answers.update(answers)
        await ctx.store.save_case(case, log=("situation", {"situation": situation}))
        return case
    return await ctx.store.create_case(platform=event.platform, chat_id=event.chat_id, thread_id=event.thread_id,
                                       user_id=event.user_id, lang=ctx.lang, situation=situation, step=Step.OFFERED,
                                       answers=answers)


@router.button(ConflictPress)
async def conflict_button(event: Event, ctx: Context, press: ConflictPress) -> list[Reply]:
    if press.what == "menu" and press.arg in LANGUAGES and press.arg != ctx.lang:  # "Answer me in …" under it
        await ctx.set_language(press.arg)
        return [Reply(ctx.t("lang.set", name=LANGUAGE_NAMES[press.arg]), close_origin=True), menu(ctx)]
    if press.what == "menu":
        return [menu(ctx)]
    if press.what == "new":  # "Start a new case" for a crisis typed at a walkthrough step
        return await _new_case_for_crisis(event, ctx, press.arg)
    if press.what == "s" and press.arg in ctx.lib.situations:
        case = await _offer_case(event, ctx, await walkthrough.active_case(event, ctx), press.arg, [])
        title = ctx.lib.situations[press.arg].text(ctx.lang).title
        return [Reply(f"✓ {title}", close_origin=True), offer(ctx, case, alternatives=[])]
    return [Reply(ctx.t("button.stale"), private=True)]


async def _new_case_for_crisis(event: Event, ctx: Context, case_id: str) -> list[Reply]:
    """Opens a case for the text a walkthrough step questioned (``_crisis_text``); the case that asked
    steps aside and stays open (`walkthrough.park`)."""
    found = await walkthrough.owned_case(event, ctx, case_id)
    if isinstance(found, list):
        return found
    text = found.answers.pop("_crisis_text", None)
    if not isinstance(text, str):
        return [Reply(ctx.t("walk.step_done"), private=True)]
    await ctx.store.save_case(found)
    return [Reply(f"✓ {ctx.t('walk.new_case')}", close_origin=True), *(await triage_reply(event, ctx, text, found))]


async def waiting_step(core: ContextSource, platform: str, chat_id: str, user_id: str) -> list[Reply]:
    """What the user's open case in ``chat_id`` (no thread) waits on, shown again when a session starts:
    a note ("Where we left off:"), then the step's prompt with its buttons, or the situation card when the
    case was only offered; [] when no case waits there or the user is unknown.

    `parley chat` numbers the buttons of the last message it printed; after a restart nothing was printed,
    so a typed "1" would be saved as the step's answer. Shown again, the numbers pick the buttons again.
    """
    user = await core.store.get_user(platform, user_id)
    if user is None:
        return []
    ctx = core.context_for(user)
    event = Event(platform=platform, event_id="", user_id=user_id, chat_id=chat_id, kind=EventKind.COMMAND)
    case = await walkthrough.active_case(event, ctx)
    if case is None or case.situation is None:
        return []
    if case.step == Step.OFFERED:
        shown = [offer(ctx, case, alternatives=[a for a in case.answers.get("alternatives", [])
                                                if a in ctx.lib.situations])]
    else:
        shown = await walkthrough.waiting_prompt(event, ctx)
    return [Reply(ctx.t("chat.resume")), *shown] if shown else []
