"""Faults a newcomer found in `parley chat`, each as its kind: text routed mid-walkthrough, a second
conflict, greetings, /lang and /tz replies. Every case runs in en, ru and ro."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core import Core
from tests.conftest import FixedClock, Talker

UNPAID = {"en": "client hasnt paid for 2 months", "ru": "клиент не платит уже два месяца",
          "ro": "clientul nu mi-a plătit de două luni"}
ABUSE = {"en": "another client is screaming at me and calling me stupid",
         "ru": "другой клиент орёт на меня и называет тупым", "ro": "alt client țipă la mine și mă face prost"}
AMOUNT = {"en": "€1,200 for the October invoice", "ru": "1200 евро по счёту за октябрь",
          "ro": "1.200 de euro pentru factura din octombrie"}
WALK = {"en": "Walk me through", "ru": "Пройти по шагам", "ro": "pas cu pas"}
NEW_CASE = {"en": "This sounds like a new conflict", "ru": "Похоже на новый конфликт", "ro": "Pare un conflict nou"}
START_NEW = {"en": "Start a new case", "ru": "Разобрать отдельно", "ro": "Deschid un caz nou"}
MINE = {"en": "It's my answer", "ru": "Это мой ответ", "ro": "E răspunsul meu"}
LANGS = ("en", "ru", "ro")


async def to_terms(core: Core, lang: str) -> tuple[Talker, int]:
    """A payment case walked to its "terms" step."""
    talker = Talker(core, lang_hint=lang)
    await talker.say(UNPAID[lang])
    case_id = next(r.case_id for r in talker.last if r.case_id)
    assert case_id is not None
    await talker.pick(WALK[lang])
    await talker.say(AMOUNT[lang])
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "pay-terms", case.step
    return talker, case_id


@pytest.mark.parametrize("lang", LANGS)
async def test_a_crisis_typed_at_a_fact_step_is_questioned_not_saved(core: Core, lang: str) -> None:
    talker, case_id = await to_terms(core, lang)
    await talker.say(ABUSE[lang])
    assert NEW_CASE[lang] in talker.text()
    labels = [c.label for r in talker.last for c in r.choices]
    assert START_NEW[lang] in labels and MINE[lang] in labels
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "pay-terms" and "terms" not in case.answers

    # a new case: the abusive client is offered, the payment case stays open
    await talker.pick(START_NEW[lang])
    open_cases = await core.store.open_cases("console", "u1")
    assert [c.situation for c in open_cases] == ["late-payment", "abusive-client"]
    assert "terms" not in open_cases[0].answers
    await talker.say("/cases")
    for situation in ("late-payment", "abusive-client"):
        assert core.lib.situations[situation].text(lang).title in talker.text()


@pytest.mark.parametrize("lang", LANGS)
async def test_the_crisis_question_can_say_it_was_the_answer(core: Core, lang: str) -> None:
    talker, case_id = await to_terms(core, lang)
    await talker.say(ABUSE[lang])
    await talker.pick(MINE[lang])
    case = await core.store.get_case(case_id)
    assert case is not None and case.answers["terms"] == ABUSE[lang] and case.step == "pay-start"
    assert len(await core.store.open_cases("console", "u1")) == 1


@pytest.mark.parametrize("lang", LANGS)
async def test_an_answer_of_the_same_flow_is_saved_without_a_question(core: Core, lang: str) -> None:
    """The terms themselves read as "late payment" to triage: the case's own flow, so no question."""
    terms = {"en": "payment within 10 days of the invoice", "ru": "оплата в течение 10 дней после выставления счёта",
             "ro": "plata în 10 zile de la emiterea facturii"}[lang]
    talker, case_id = await to_terms(core, lang)
    await talker.say(terms)
    assert NEW_CASE[lang] not in talker.text()
    case = await core.store.get_case(case_id)
    assert case is not None and case.answers["terms"] == terms


@pytest.mark.parametrize(("lang", "emoji"), [("en", "😭😭"), ("ru", "🙁 !!!"), ("ro", "…😡")])
async def test_text_without_words_asks_for_words(core: Core, lang: str, emoji: str) -> None:
    talker = Talker(core, lang_hint=lang)
    await talker.say({"en": "the client is furious, we missed the launch deadline we promised",
                      "ru": "клиент в ярости, мы сорвали обещанный срок запуска",
                      "ro": "clientul e furios, am ratat termenul de lansare promis"}[lang])
    case_id = next(r.case_id for r in talker.last if r.case_id)
    assert case_id is not None
    await talker.pick(WALK[lang])
    await talker.say(emoji)
    assert {"en": "in words", "ru": "словами", "ro": "în cuvinte"}[lang] in talker.text()
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "listen" and "complaint" not in case.answers


@pytest.mark.parametrize(("lang", "typed"), [("en", "skip this step"), ("ru", "пропустить шаг!"),
                                             ("ro", "sar peste pas")])
async def test_a_button_label_typed_acts_as_the_button(core: Core, lang: str, typed: str) -> None:
    talker, case_id = await to_terms(core, lang)
    await talker.say(typed)
    case = await core.store.get_case(case_id)
    assert case is not None and "terms" not in case.answers and case.answers.get("pay-terms_skipped") is True
    assert case.step == "pay-start"


@pytest.mark.parametrize(("lang", "typed"), [("en", "continue"), ("ru", "продолжить"), ("ro", "continuam")])
async def test_continue_typed_after_welcome_back_resumes(core: Core, clock: FixedClock, lang: str,
                                                         typed: str) -> None:
    talker, case_id = await to_terms(core, lang)
    clock.now += timedelta(hours=13)
    await talker.say("50% upfront")
    assert talker.last[0].choices  # welcome back: continue / start over / close
    await talker.say(typed)
    case = await core.store.get_case(case_id)
    assert case is not None and case.answers.get("terms") != typed
    assert case.answers.get("terms") == "50% upfront"


@pytest.mark.parametrize("lang", LANGS)
async def test_a_cause_label_typed_picks_the_cause(core: Core, lang: str) -> None:
    talker = Talker(core, lang_hint=lang)
    await talker.say({"en": "the client is furious, we missed the launch deadline we promised",
                      "ru": "клиент в ярости, мы сорвали обещанный срок запуска",
                      "ro": "clientul e furios, am ratat termenul de lansare promis"}[lang])
    case_id = next(r.case_id for r in talker.last if r.case_id)
    assert case_id is not None
    await talker.pick(WALK[lang])
    await talker.say({"en": "he is angry that the launch slipped", "ru": "он злится, что запуск сдвинулся",
                      "ro": "e supărat că lansarea s-a amânat"}[lang])
    await talker.say({"en": "my own words", "ru": "мои слова", "ro": "cuvintele mele"}[lang])
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "cause"
    label = core.lib.t("cause.goals", lang)
    await talker.say(label.lower())
    case = await core.store.get_case(case_id)
    assert case is not None and case.answers.get("cause") == "goals" and "cause_note" not in case.answers


@pytest.mark.parametrize("lang", LANGS)
async def test_a_second_conflict_does_not_erase_the_first(core: Core, lang: str) -> None:
    yells = {"en": "the client yells at me and calls me stupid", "ru": "клиент орёт на меня и называет тупым",
             "ro": "clientul țipă la mine și mă face prost"}[lang]
    talker = Talker(core, lang_hint=lang)
    await talker.say(UNPAID[lang])
    await talker.say(yells)
    cases = await core.store.open_cases("console", "u1")
    assert [c.situation for c in cases] == ["late-payment", "abusive-client"]
    await talker.say("/cases")
    for situation in ("late-payment", "abusive-client"):
        assert core.lib.situations[situation].text(lang).title in talker.text()
    # the same situation described again still reuses the offered case
    await talker.say(yells)
    assert len(await core.store.open_cases("console", "u1")) == 2


@pytest.mark.parametrize("lang", LANGS)
async def test_the_cause_menu_has_no_rather_choice_that_repeats_a_cause(core: Core, lang: str) -> None:
    talker = Talker(core, lang_hint=lang)
    await talker.say({"en": "the client is furious, we missed the launch deadline we promised",
                      "ru": "клиент в ярости, мы сорвали обещанный срок запуска",
                      "ro": "clientul e furios, am ratat termenul de lansare promis"}[lang])
    case_id = next(r.case_id for r in talker.last if r.case_id)
    assert case_id is not None
    await talker.pick(WALK[lang])
    case = await core.store.get_case(case_id)
    assert case is not None
    case.answers["alternatives"] = ["misaligned-goals", "quality-complaint"]
    await core.store.save_case(case)
    await talker.say({"en": "he is angry that the launch slipped", "ru": "он злится, что запуск сдвинулся",
                      "ro": "e supărat că lansarea s-a amânat"}[lang])
    await talker.say({"en": "my own words", "ru": "мои слова", "ro": "cuvintele mele"}[lang])
    labels = [c.label for r in talker.last for c in r.choices]
    goals = core.lib.t("cause.goals", lang)
    assert sum(goals in label for label in labels) == 1, labels
    quality = core.lib.situations["quality-complaint"].text(lang).title
    assert any(quality in label for label in labels), labels  # other "Rather" choices stay


@pytest.mark.parametrize(("lang", "to"), [("en", "ru"), ("ru", "ro"), ("ro", "en")])
async def test_lang_mid_walkthrough_shows_the_waiting_step_in_the_new_language(core: Core, lang: str,
                                                                               to: str) -> None:
    talker, _ = await to_terms(core, lang)
    await talker.say(f"/lang {to}")
    assert core.lib.t("lang.set", to, name="x").split(":")[0] in talker.text()
    assert core.lib.t("flow.pay-terms", to) in talker.text()
    # the menu's button does the same
    await talker.say("/lang")
    await talker.pick({"en": "English", "ru": "Русский", "ro": "Română"}[lang])
    assert core.lib.t("flow.pay-terms", lang) in talker.text()


@pytest.mark.parametrize(("lang", "said"), [("en", "“xx”"), ("ru", "«xx»"), ("ro", "„xx”")])
async def test_an_unknown_language_code_is_named(core: Core, lang: str, said: str) -> None:
    talker = Talker(core, lang_hint=lang)
    await talker.say("/lang xx")
    assert said in talker.text()
    assert len([c for r in talker.last for c in r.choices]) == 3


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("typed", "shown"), [("UTC+3", "UTC+3"), ("utc -5", "UTC-5"), ("GMT+2", "UTC+2"),
                                              ("+03:00", "UTC+3"), ("Europe/Chisinau", "Europe/Chisinau")])
async def test_tz_is_shown_the_way_people_write_it(core: Core, lang: str, typed: str, shown: str) -> None:
    talker = Talker(core, lang_hint=lang)
    await talker.say(f"/tz {typed}")
    assert shown in talker.text() and "Etc/" not in talker.text()
    await talker.say("/tz")
    assert shown in talker.text() and "Etc/" not in talker.text()


@pytest.mark.parametrize(("lang", "text"), [("en", "hi"), ("en", "Hello there!"), ("en", "good morning"),
                                            ("ru", "привет"), ("ru", "Здравствуйте!"), ("ru", "добрый день"),
                                            ("ro", "salut"), ("ro", "Bună ziua"), ("ro", "buna"),
                                            ("en", "help"), ("en", "hey, how are you?"), ("ru", "как дела?"),
                                            ("ru", "Помогите!"), ("ro", "ce faci"), ("ro", "ajutor")])
async def test_a_greeting_gets_a_short_hello(core: Core, lang: str, text: str) -> None:
    talker = Talker(core, lang_hint=lang)
    await talker.say(text)
    assert core.lib.t("greet.hello", lang) in talker.text()
    assert "/conflict" in talker.text() and "/check" in talker.text()
    assert core.lib.t("conflict.unsure", lang) not in talker.text()
    assert len([c for r in talker.last for c in r.choices]) <= 2
    assert await core.store.open_cases("console", "u1") == []


@pytest.mark.parametrize(("lang", "text"), [("en", "hi, the client hasn't paid for two months"),
                                            ("ru", "привет, клиент не платит уже два месяца"),
                                            ("en", "help, the client hasnt paid for 2 months"), ("ro", "ajutor, clientul nu mi-a plătit de două luni")])
async def test_a_greeting_with_a_situation_is_triaged(core: Core, lang: str, text: str) -> None:
    talker = Talker(core, lang_hint=lang)
    await talker.say(text)
    assert core.lib.t("greet.hello", lang) not in talker.text()
    assert [c.situation for c in await core.store.open_cases("console", "u1")] == ["late-payment"]


async def test_followup_without_a_case_reads_naturally_in_romanian(core: Core) -> None:
    talker = Talker(core, lang_hint="ro")
    await talker.say("/followup mâine la 9")
    assert "Nu aveți niciun caz deschis de care să leg mementoul" in talker.text()
    assert "pentru memento" not in talker.text()


@pytest.mark.parametrize(("lang", "text"), [("en", "hi"), ("ru", "привет!"), ("ro", "Bună ziua")])
async def test_a_greeting_mid_walkthrough_is_not_an_answer(core: Core, lang: str, text: str) -> None:
    talker, case_id = await to_terms(core, lang)
    await talker.say(text)
    case = await core.store.get_case(case_id)
    assert case is not None and "terms" not in case.answers and case.step == "pay-terms"
    assert core.lib.t("flow.pay-terms", lang) in talker.text()
