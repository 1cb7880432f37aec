"""Faults a second newcomer found, each as its kind: a complaint typed at a short-fact step, a retyped
deadline, typed labels, the cause that answers step 4. Every case runs in en, ru and ro."""

from __future__ import annotations

import pytest

from bot.core import Core
from content import library
from tests.conftest import FixedClock, Talker
from tests.test_flow_drafts import current, speaker, start
from tests.test_walkthrough import skip_to_cause, walk_to_solution

WALK = {"en": "Walk me through", "ru": "Пройти по шагам", "ro": "pas cu pas"}
NEW_CASE = {"en": "This sounds like a new conflict", "ru": "Похоже на новый конфликт", "ro": "Pare un conflict nou"}
UNPAID = {"en": "the client has not paid my invoice for 6 weeks", "ru": "клиент уже 6 недель не оплачивает мой счёт",
          "ro": "clientul nu mi-a plătit factura de 6 săptămâni"}


async def to_amount(core: Core, lang: str) -> tuple[Talker, int]:
    """A payment case walked to its "what is owed" step."""
    talker = Talker(core, lang_hint=lang)
    await talker.say(UNPAID[lang])
    case_id = next(r.case_id for r in talker.last if r.case_id)
    assert case_id is not None
    await talker.pick(WALK[lang])
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "pay-amount", case.step
    return talker, case_id


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "now he is also threatening to leave a 1-star review everywhere and calling me a scammer"),
    ("en", "and now he says he will hire another freelancer and cancel the whole contract"),
    ("ru", "теперь он ещё грозится оставить везде отзыв на 1 звезду и называет меня мошенником"),
    ("ro", "acum mă mai și amenință că lasă peste tot o recenzie de o stea și mă face escroc"),
])
async def test_a_complaint_at_the_amount_step_is_questioned_not_saved(core: Core, lang: str, text: str) -> None:
    talker, case_id = await to_amount(core, lang)
    await talker.say(text)
    assert NEW_CASE[lang] in talker.text()
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "pay-amount" and "amount" not in case.answers


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "€1,200 for the October invoice plus the two extra landing pages we added later"),
    ("en", "1200"),
    ("ru", "1200 евро за октябрьский счёт и ещё две дополнительные страницы"),
    ("ro", "1.200 de euro pentru factura din octombrie și încă două pagini în plus"),
])
async def test_an_amount_is_saved_without_a_question(core: Core, lang: str, text: str) -> None:
    talker, case_id = await to_amount(core, lang)
    await talker.say(text)
    assert NEW_CASE[lang] not in talker.text()
    case = await core.store.get_case(case_id)
    assert case is not None and case.step != "pay-amount"


@pytest.mark.parametrize(("lang", "past", "retyped"), [
    ("en", "we redo it by last Friday", "we redo two concepts by next Tuesday 12:00"),
    ("en", "we redo it by last Friday", "we redo the revisions he asked for by Wednesday 15:00"),
    ("ru", "переделаем до прошлой пятницы", "переделываем две концепции и все правки к следующему вторнику 12:00"),
    ("ro", "refacem până vinerea trecută", "refacem două concepte și toate revizuirile până marțea viitoare la 12"),
])
async def test_a_retyped_deadline_is_an_answer_not_a_new_conflict(
        core: Core, clock: FixedClock, lang: str, past: str, retyped: str) -> None:
    talker = Talker(core, user=f"re-{lang}")
    case_id = await walk_to_solution(talker, lang)
    await talker.say(past)
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "deadline"
    await talker.say(retyped)
    assert NEW_CASE[lang] not in talker.text()
    nudge = await core.store.next_nudge(case_id)
    assert nudge is not None and nudge.kind == "deliver"


ASKED = {"en": "Did our side get something wrong", "ru": "Есть ли здесь наша ошибка", "ro": "Am greșit noi cu ceva"}
APOLOGY = {"en": "Apologise on behalf of the company", "ru": "Извинитесь от имени компании",
           "ro": "Cereți scuze în numele companiei"}


async def to_cause(core: Core, lang: str) -> tuple[Talker, int]:
    talker = Talker(core, user=f"cause-{lang}")
    return talker, await skip_to_cause(talker, lang)


@pytest.mark.parametrize("lang", ["en", "ru", "ro"])
async def test_a_broken_promise_answers_step_4_with_the_apology(core: Core, lang: str) -> None:
    talker, case_id = await to_cause(core, lang)
    await talker.press(f"w:{case_id}:cause:c:obligation")
    assert ASKED[lang] not in talker.text()
    assert APOLOGY[lang] in talker.text()
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "solution" and case.answers["our_fault"] is True


@pytest.mark.parametrize(("lang", "cause"), [("en", "attention"), ("ru", "expectations"), ("ro", "neglect")])
async def test_other_causes_keep_the_step_4_question(core: Core, lang: str, cause: str) -> None:
    talker, case_id = await to_cause(core, lang)
    await talker.press(f"w:{case_id}:cause:c:{cause}")
    assert ASKED[lang] in talker.text()
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "apologize" and "our_fault" not in case.answers


@pytest.mark.parametrize(("lang", "typed", "said"), [("en", "skip this step", "Skipped."),
                                                     ("ru", "пропустить шаг", "Пропущено."),
                                                     ("ro", "Sar peste pas!", "Am sărit peste acest pas.")])
async def test_a_typed_label_replies_as_the_press(core: Core, lang: str, typed: str, said: str) -> None:
    talker, case_id = await to_amount(core, lang)
    await talker.say(typed)
    typed_texts = [r.text for r in talker.last]
    assert said in typed_texts
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "pay-terms"

    pressed = Talker(core, user="presser", lang_hint=lang)
    await pressed.say(UNPAID[lang])
    other = next(r.case_id for r in pressed.last if r.case_id)
    await pressed.pick(WALK[lang])
    await pressed.press(f"w:{other}:pay-amount:skip")
    assert [r.text for r in pressed.last] == [t.replace(f"#{case_id}", f"#{other}") for t in typed_texts]


@pytest.mark.parametrize(("lang", "emoji", "asked"), [("en", "👍", "pick one of the buttons"),
                                                      ("ru", "🤷‍♀️", "выберите одну из кнопок"),
                                                      ("ro", "😡😡", "alegeți unul dintre butoane")])
async def test_an_emoji_at_a_choice_step_asks_for_a_button(core: Core, lang: str, emoji: str, asked: str) -> None:
    talker, case_id = await to_cause(core, lang)
    await talker.say(emoji)
    assert asked in talker.text()
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "cause"


RULE = {"en": "We talk calmly and without insults. You can reach me on weekdays from 10 to 18.",
        "ru": "Говорим спокойно и без оскорблений. Со мной можно связаться в будни с 10 до 18.",
        "ro": "Vorbim calm și fără jigniri. Mă puteți contacta în zilele lucrătoare între 10 și 18."}
USE_NOTE = {"en": "Use what I already wrote", "ru": "Взять уже написанное", "ro": "Folosesc ce am scris deja"}


@pytest.mark.parametrize("lang", ["en", "ru", "ro"])
async def test_text_typed_at_a_choice_step_can_answer_the_next_step(core: Core, lang: str) -> None:
    talker = speaker(core, lang)
    await start(talker, "abusive-client")
    await talker.say({"en": "tomorrow 10:00", "ru": "завтра в 10:00", "ro": "mâine la 10:00"}[lang])
    await talker.pick(library().t("flow.pause-next.boundaries", lang))
    assert (await current(talker)).step == "bound-rule"
    await talker.say(RULE[lang])  # a choice step: noted, the step asked again
    assert (await current(talker)).step == "bound-rule"
    await talker.pick(library().t("flow.bound-rule.respect", lang))
    assert USE_NOTE[lang] in [c.label for r in talker.last for c in r.choices]
    await talker.pick(USE_NOTE[lang])
    case = await current(talker)
    assert case.answers["conduct"] == RULE[lang] and case.step == "tracking"
    assert RULE[lang].split(".")[1].strip() in talker.text()  # the draft is built from it


async def test_no_reuse_button_without_a_note(core: Core) -> None:
    talker = speaker(core, "en")
    await start(talker, "abusive-client")
    await talker.say("tomorrow 10:00")
    await talker.pick(library().t("flow.pause-next.boundaries", "en"))
    await talker.pick(library().t("flow.bound-rule.respect", "en"))
    assert USE_NOTE["en"] not in [c.label for r in talker.last for c in r.choices]


@pytest.mark.parametrize(("lang", "amount", "terms"), [
    ("en", "€1,200 for the October invoice", "no contract, we agreed on the phone: 14 days after delivery"),
    ("en", "€1,200 for the October invoice", "no contract, only a verbal deal that he pays half upfront"),
    ("ru", "1200 евро за октябрь", "договора нет, по телефону договорились об оплате в течение 14 дней после сдачи"),
    ("ro", "1.200 de euro pentru octombrie", "nu avem contract, ne-am înțeles la telefon să plătească în 14 zile"),
])
async def test_payment_terms_with_no_contract_are_an_answer_not_a_new_conflict(
        core: Core, lang: str, amount: str, terms: str) -> None:
    """The terms step invites "if there is none, write what you will ask for": such answers name the
    agreement's words (contract, days, upfront) and are saved, never questioned as a new conflict."""
    talker, case_id = await to_amount(core, lang)
    await talker.say(amount)
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "pay-terms", case.step
    await talker.say(terms)
    assert NEW_CASE[lang] not in talker.text()
    case = await core.store.get_case(case_id)
    assert case is not None and case.step != "pay-terms"
