"""Faults a fourth newcomer found through `parley chat`, each as its kind: a language's name typed at a
step, short forms of "Walk me through it", yes/no typed to /forget, "now" as a time, the language offer
on the menu, the first card of a situation. Every case runs in en, ru and ro through the core, as the
console adapter drives it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core import Core
from tests.conftest import FixedClock, Talker
from tests.test_newcomer2 import WALK, to_amount

SET = {"en": "I'll speak English", "ru": "говорю по-русски", "ro": "vorbesc în română"}
STEP_2 = {"en": "Step 2 of 5", "ru": "Шаг 2 из 5", "ro": "Pasul 2 din 5"}
STEP_1 = {"en": "Step 1 of 5", "ru": "Шаг 1 из 5", "ro": "Pasul 1 din 5"}
SLOW = {"en": "the client is unhappy, says the website is slow and the contact form doesnt work",
        "ru": "клиент недоволен, говорит что сайт тормозит и форма обратной связи не работает",
        "ro": "clientul e nemulțumit, zice că site-ul e lent și formularul de contact nu merge"}


async def at_step_1(core: Core, lang: str) -> tuple[Talker, int]:
    """A walkthrough of a complaint, waiting at its first step."""
    talker = Talker(core, lang_hint=lang)
    await talker.say(SLOW[lang])
    case_id = next(r.case_id for r in talker.last if r.case_id)
    assert case_id is not None
    await talker.pick(WALK[lang])
    assert STEP_1[lang] in talker.text(), talker.text()
    return talker, case_id


# -- 2. a language's name typed at a step switches the language, the step is asked again --------------


@pytest.mark.parametrize(("lang", "typed", "new"), [
    ("en", "русский", "ru"), ("en", "Română", "ro"), ("en", "ru", "ru"),
    ("ru", "English", "en"), ("ru", "румынский", "ro"),
    ("ro", "English", "en"), ("ro", "rusă", "ru"),
])
async def test_a_language_name_at_a_text_step_switches_the_language(core: Core, lang: str, typed: str,
                                                                   new: str) -> None:
    talker, case_id = await at_step_1(core, lang)
    await talker.say("/lang")
    await talker.say(typed)
    assert SET[new] in talker.text(), talker.text()
    assert STEP_1[new] in talker.text(), talker.text()  # the waiting step, redrawn in the new language
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "listen" and typed not in [str(v) for v in case.answers.values()], case.answers
    user = await core.store.get_user("console", "u1")
    assert user is not None and user.lang == new


@pytest.mark.parametrize(("lang", "typed", "new"), [("ro", "English", "en"), ("ru", "English", "en"),
                                                     ("en", "русский", "ru")])
async def test_a_language_name_at_a_time_step_switches_the_language(core: Core, lang: str, typed: str,
                                                                   new: str) -> None:
    talker, case_id = await to_amount(core, lang)
    await talker.say({"en": "1200 EUR", "ru": "1200 евро", "ro": "1.200 de euro"}[lang])
    await talker.say({"en": "payment within 5 days of the invoice", "ru": "оплата в течение 5 дней после счёта",
                      "ro": "plata în 5 zile de la factură"}[lang])
    case = await core.store.get_case(case_id)
    assert case is not None
    step = case.step
    await talker.say(typed)
    assert SET[new] in talker.text(), talker.text()
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == step and typed not in [str(v) for v in case.answers.values()]


# -- 3. short forms of "Walk me through it" under the card --------------------------------------------


@pytest.mark.parametrize(("lang", "typed"), [
    ("en", "walk me thru"), ("en", "walk me through"), ("en", "Step by step"), ("en", "guide me"),
    ("en", "walk me thru!"),
    ("ru", "пошагово"), ("ru", "по шагам"), ("ru", "Пошагово!"),
    ("ro", "pas cu pas"), ("ro", "ghidează-mă"), ("ro", "ghideaza-ma"),
])
async def test_short_forms_of_the_walk_button_start_the_walk(core: Core, lang: str, typed: str) -> None:
    talker = Talker(core, lang_hint=lang)
    await talker.say(SLOW[lang])
    await talker.say(typed)
    assert STEP_1[lang] in talker.text(), talker.text()


# -- 6. "now" is a time at a time step -----------------------------------------------------------------


@pytest.mark.parametrize(("lang", "now"), [("ru", "сейчас"), ("ru", "прямо сейчас"), ("en", "now"),
                                          ("en", "right now"), ("ro", "acum"), ("ro", "chiar acum")])
async def test_now_answers_the_payment_time_step(core: Core, lang: str, now: str) -> None:
    talker, case_id = await to_amount(core, lang)
    await talker.say({"en": "1200 EUR", "ru": "1200 евро", "ro": "1.200 de euro"}[lang])
    await talker.say({"en": "payment within 5 days of the invoice", "ru": "оплата в течение 5 дней после счёта",
                      "ro": "plata în 5 zile de la factură"}[lang])
    case = await core.store.get_case(case_id)
    assert case is not None
    step = case.step
    await talker.say(now)
    case = await core.store.get_case(case_id)
    assert case is not None and case.step != step, talker.text()
    assert any(str(v) == now for v in case.answers.values()), case.answers


# -- 8. the first card of "The client feels neglected" fits a client who feels forgotten --------------


@pytest.mark.parametrize(("lang", "said"), [
    ("ru", "клиент не отвечает уже две недели, кажется он обиделся что мы его забыли"),
    ("en", "the client feels neglected, says we forgot about him and don't pay attention anymore"),
    ("ro", "clientul se simte neglijat, zice că l-am uitat și nu-i mai acordăm atenție"),
])
async def test_a_client_who_feels_forgotten_gets_the_real_cause_card_first(core: Core, lang: str, said: str) -> None:
    """The loyal-client card is about a client who raises their voice: not the first thing to read here."""
    from content import library

    lib = library()
    first = lib.cards[lib.situations["feels-neglected"].cards[0]]
    assert first.id == "conflict-causes"
    talker = Talker(core, lang_hint=lang)
    await talker.say(said)
    text = talker.text()
    assert lib.situations["feels-neglected"].text(lang).title in text, text[:400]
    assert first.text(lang).title in text, text[:400]
    assert lib.cards["why-loyal-clients-turn"].text(lang).title not in text, text[:400]


# -- 5. the payment-rule path asks for a payment clause, with a payment example ------------------------

PAYMENT_RULE = {"en": "Yes, a payment rule", "ru": "Да, правило оплаты", "ro": "Da, o regulă de plată"}
REVISIONS = {"en": "revision", "ru": "правок", "ro": "revizii"}
ADVANCE = {"en": "advance", "ru": "аванс", "ro": "avans"}


@pytest.mark.parametrize(("lang", "amount", "terms", "when"), [
    ("ro", "2 400 €", "plata in 5 zile lucratoare de la factura", "maine la 10"),
    ("en", "€2,400", "payment within 5 working days of the invoice", "tomorrow at 10"),
    ("ru", "2 400 €", "оплата в течение 5 рабочих дней после счёта", "завтра в 10"),
])
async def test_the_payment_rule_clause_shows_a_payment_example(core: Core, lang: str, amount: str, terms: str,
                                                               when: str) -> None:
    talker, case_id = await to_amount(core, lang)
    for line in (amount, terms, when):
        await talker.say(line)
    await talker.pick(PAYMENT_RULE[lang])
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "bound-clause", case.step
    assert ADVANCE[lang] in talker.text() and REVISIONS[lang] not in talker.text(), talker.text()


# -- 7. the menu offers the language the message was written in ---------------------------------------


@pytest.mark.parametrize(("lang", "said", "other"), [
    ("en", "клиент говорит что мы тупые и ничего не умеем, пишет капсом", "ru"),
    ("ru", "the client writes in all caps", "en"),
    ("en", "clientul zice că suntem proști și scrie cu majuscule", "ro"),
])
async def test_the_menu_offers_to_answer_in_the_message_s_language(core: Core, lang: str, said: str,
                                                                   other: str) -> None:
    from content import library

    lib = library()
    talker = Talker(core, lang_hint=lang)
    await talker.say(said)
    titles = [s.text(lang).title for s in lib.situations.values()]
    labels = [c.label for r in talker.last for c in r.choices]
    assert set(titles) <= set(labels), labels  # the menu, not a card
    offer = lib.t("conflict.in_language", other)
    assert offer in labels, labels
    await talker.pick(offer)
    user = await core.store.get_user("console", "u1")
    assert user is not None and user.lang == other
    shown = [c.label for r in talker.last for c in r.choices]
    assert {s.text(other).title for s in lib.situations.values()} <= set(shown), shown


# -- 4. /forget's question takes a typed yes or no ------------------------------------------------------

DONE = {"en": "I no longer keep anything about you", "ru": "Я больше ничего о вас не храню",
        "ro": "Nu mai păstrez nimic despre dumneavoastră"}
KEPT = {"en": "Nothing was deleted", "ru": "Ничего не удалено", "ro": "Nu am șters nimic"}


@pytest.mark.parametrize(("lang", "yes"), [("ru", "да"), ("ru", "Да, удалить всё"), ("en", "yes"), ("en", "sure"),
                                          ("ro", "da"), ("ro", "Da, șterge tot")])
async def test_forget_takes_a_typed_yes(core: Core, lang: str, yes: str) -> None:
    talker, case_id = await at_step_1(core, lang)
    await talker.say("/forget")
    await talker.say(yes)
    assert DONE[lang] in talker.text(), talker.text()
    assert await core.store.get_case(case_id) is None
    assert await core.store.get_user("console", "u1") is None


@pytest.mark.parametrize(("lang", "no"), [("ru", "нет"), ("en", "no"), ("en", "No, keep it"), ("ro", "nu"),
                                         ("ro", "nu, păstrează")])
async def test_forget_takes_a_typed_no(core: Core, lang: str, no: str) -> None:
    talker = Talker(core, lang_hint=lang)
    await talker.say(SLOW[lang])
    await talker.say("/forget")
    await talker.say(no)
    assert KEPT[lang] in talker.text(), talker.text()
    assert await core.store.get_user("console", "u1") is not None
    await talker.say({"en": "yes", "ru": "да", "ro": "da"}[lang])  # answered: a later yes deletes nothing
    assert DONE[lang] not in talker.text()
    assert await core.store.get_user("console", "u1") is not None


async def test_a_yes_long_after_forget_deletes_nothing(core: Core, clock: FixedClock) -> None:
    talker = Talker(core, lang_hint="en")
    await talker.say(SLOW["en"])
    await talker.say("/forget")
    clock.now += timedelta(hours=1)
    await talker.say("yes")
    assert DONE["en"] not in talker.text()
    assert await core.store.get_user("console", "u1") is not None
