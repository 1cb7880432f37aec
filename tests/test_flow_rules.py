"""The rule a walkthrough draft quotes: a "no contract, only emails" opening stripped to the rule itself
(or a blank beside the user's words when the rule can't be told apart), payment reminders that cite no
"from now on" rule for a debt already due, no doubled "per contract", and a skipped answer as a blank."""

from __future__ import annotations

import pytest

from bot.core import Core
from content import library
from handlers.agreement import read_rule
from handlers.flow_steps import BLANK
from tests.test_flow_drafts import current, speaker, start, talker_choice


@pytest.mark.parametrize(("words", "lang", "text", "new", "sure"), [
    ("No contract, just emails. extra pages are paid separately, 200 EUR each.", "en",
     "extra pages are paid separately, 200 EUR each", True, True),
    ("no contract, only emails", "en", "", True, False),
    ("there's no contract, but from now on every change is billed", "en", "every change is billed", True, True),
    ("договора нет, только переписка в телеграме", "ru", "", True, False),
    ("договора нет, а дальше каждая правка оплачивается отдельно", "ru", "каждая правка оплачивается отдельно",
     True, True),
    ("договора нет, оплата была на словах", "ru", "", True, False),
    ("договора нет", "ru", "", True, False),
    ("nu avem contract, dar de acum orice lucru in plus se plateste separat", "ro",
     "orice lucru in plus se plateste separat", True, True),
    ("nu avem contract, dar i-am zis ca plata e in 10 zile", "ro", "", True, False),
    ("30 days after delivery, per contract", "en", "30 days after delivery", False, True),
    ("По договору входит 2 круга правок", "ru", "входит 2 круга правок", False, True),
    ("conform contractului, plata în 30 de zile", "ro", "plata în 30 de zile", False, True),
    ("договора нет, с этого момента две правки бесплатно", "ru", "две правки бесплатно", True, True),
])
def test_read_rule_keeps_only_the_rule(words: str, lang: str, text: str, new: bool, sure: bool) -> None:
    rule = read_rule(words, lang)
    assert (rule.new, rule.sure) == (new, sure)
    if sure:
        assert rule.text == text


async def payment_notes(core: Core, lang: str, terms: str) -> dict[str, str]:
    talker = speaker(core, lang)
    case = await start(talker, "late-payment")
    await talker.say({"en": "€1,200 for the October invoice", "ru": "1200 евро за октябрь",
                      "ro": "1.200 de euro pentru octombrie"}[lang])
    await talker.say(terms)
    await talker.say({"en": "tomorrow 10:00", "ru": "завтра в 10:00", "ro": "mâine la 10:00"}[lang])
    return {n.kind: n.note or "" for n in await core.store.nudges_for_case(case.id)}


@pytest.mark.parametrize(("lang", "terms", "said", "words"), [
    ("ru", "договора нет, оплата была на словах", f"Как мы условились в самом начале: {BLANK}.",
     "Вы написали: «договора нет, оплата была на словах»"),
    ("ro", "nu avem contract, dar i-am zis ca plata e in 10 zile", f"Așa cum am stabilit de la început: {BLANK}.",
     "Ce ați scris: „nu avem contract, dar i-am zis ca plata e in 10 zile”"),
    ("en", "no contract, payment within 10 days of the invoice",
     "As we agreed when we started: payment within 10 days of the invoice.", None),
    ("en", "30 days after delivery, per contract", "As agreed in our contract: “30 days after delivery”.", None),
])
async def test_payment_reminders_cite_the_terms_as_agreed_not_a_rule_from_now_on(
        core: Core, lang: str, terms: str, said: str, words: str | None) -> None:
    notes = await payment_notes(core, lang, terms)
    for kind in ("pay-firm", "pay-final"):
        note = notes[kind]
        assert said in note, note
        for wrong in ("From now on", "С этого момента", "De acum înainte", "per contract”", "dar i-am zis ca plata"
                      " e in 10 zile.", "оплата была на словах."):
            assert wrong not in note.split("\n\n")[0], note
        if words is not None:
            assert words in note


@pytest.mark.parametrize(("lang", "clause", "said", "words"), [
    ("en", "No contract, just emails. extra pages are paid separately, 200 EUR each.",
     "From now on, we work like this: extra pages are paid separately, 200 EUR each.", None),
    ("ru", "договора нет, только переписка в телеграме", f"С этого момента мы работаем так: {BLANK}.",
     "Вы написали: «договора нет, только переписка в телеграме»"),
    ("ro", "nu avem contract, dar de acum orice lucru in plus se plateste separat",
     "De acum înainte lucrăm astfel: orice lucru în plus se plătește separat.", None),
    ("ru", "По договору входит 2 круга правок", "В нашем договоре сказано: «входит 2 круга правок».", None),
])
async def test_the_boundaries_draft_quotes_only_the_rule(core: Core, lang: str, clause: str, said: str,
                                                        words: str | None) -> None:
    talker = speaker(core, lang)
    await start(talker, "endless-revisions")
    await talker.press(await talker_choice(talker, 0))
    await talker.say(clause)
    await talker.say({"en": "a fifth round of logo edits", "ru": "пятый круг правок логотипа",
                      "ro": "a cincea rundă de modificări la logo"}[lang])
    draft = talker.text()
    assert said in draft, draft
    if words is not None:
        assert words in draft


@pytest.mark.parametrize("lang", ["en", "ru", "ro"])
async def test_a_skipped_answer_is_a_blank_to_fill_in(core: Core, lang: str) -> None:
    talker = speaker(core, lang)
    await start(talker, "feels-neglected")
    await talker.pick(library().t("walk.skip", lang))
    await talker.say({"en": "Monday 10:00", "ru": "в понедельник в 10:00", "ro": "luni la 10:00"}[lang])
    draft = talker.text()
    assert f"{BLANK}." in draft and "….\u0020" not in draft and ": …." not in draft, draft
    assert library().t("flow.skipped_words", lang) in draft
    case = await current(talker)
    assert case.answers.get("plan") in (None, "")


async def test_a_past_time_is_named_plainly_in_russian(core: Core) -> None:
    talker = speaker(core, "ru")
    await start(talker, "abusive-client")
    await talker.say("в прошлую пятницу")
    said = talker.text()
    assert "«в прошлую пятницу» — это " in said and ", и это время уже прошло." in said, said
    assert "По «" not in said


@pytest.mark.parametrize(("lang", "conduct", "said", "words"), [
    ("ru", "договора нет. Со мной можно связаться в будни с 9 до 18",
     "С этого момента предлагаю работать так: со мной можно связаться в будни с 9 до 18.", None),
    ("en", "no contract, just emails", f"From now on, I'd like us to work like this: {BLANK}.",
     "What you wrote: “no contract, just emails”"),
    ("ro", "nu avem contract, dar de acum vorbim doar in zilele lucratoare",
     "De acum înainte, vă propun să lucrăm astfel: vorbim doar în zilele lucrătoare.", None),
])
async def test_the_respect_rule_drops_the_no_contract_opening(core: Core, lang: str, conduct: str, said: str,
                                                             words: str | None) -> None:
    talker = speaker(core, lang)
    await start(talker, "abusive-client")
    await talker.say({"en": "tomorrow 10:00", "ru": "завтра в 10:00", "ro": "mâine la 10:00"}[lang])
    await talker.pick(library().t("flow.pause-next.boundaries", lang))
    await talker.pick(library().t("flow.bound-rule.respect", lang))
    await talker.say(conduct)
    draft = talker.text()
    assert said in draft, draft
    if words is not None:
        assert words in draft
