"""The walk as the user experiences it: "step n of total" counts on across a flow switch, a question the
user already answered ("no contract") is not asked again as if it weren't, a choice is logged as a choice,
and each situation sharing a flow opens with words that fit it."""

from __future__ import annotations

import pytest

from bot.core import Core
from content import library
from tests.test_flow_drafts import current, speaker, start


def header(lang: str, n: int, total: int) -> str:
    return library().t("walk.header", lang, n=n, total=total)


@pytest.mark.parametrize("lang", ["en", "ru", "ro"])
async def test_the_counter_counts_on_across_a_flow_switch(core: Core, lang: str) -> None:
    talker = speaker(core, lang)
    await start(talker, "abusive-client")
    assert header(lang, 1, 2) in talker.text()
    await talker.say({"en": "tomorrow 10:00", "ru": "завтра в 10:00", "ro": "mâine la 10:00"}[lang])
    assert header(lang, 2, 2) in talker.text()
    await talker.pick(library().t("flow.pause-next.boundaries", lang))
    assert header(lang, 3, 5) in talker.text(), talker.text()
    await talker.pick(library().t("flow.bound-rule.respect", lang))
    assert header(lang, 4, 4) in talker.text(), talker.text()


@pytest.mark.parametrize(("lang", "terms"), [
    ("ru", "договора нет, оплата была на словах"),
    ("en", "there is no contract"),
    ("ro", "nu avem contract, dar i-am zis ca plata e in 10 zile"),
])
async def test_a_payment_rule_after_no_contract_asks_for_the_rule_not_a_clause(core: Core, lang: str,
                                                                              terms: str) -> None:
    talker = speaker(core, lang)
    case = await start(talker, "late-payment")
    await talker.say({"en": "€1,200 for October", "ru": "1200 евро за октябрь", "ro": "1.200 de euro pentru octombrie"}[lang])
    await talker.say(terms)
    await talker.say({"en": "tomorrow 10:00", "ru": "завтра в 10:00", "ro": "mâine la 10:00"}[lang])
    assert header(lang, 4, 4) in talker.text()
    await talker.pick(library().t("flow.pay-next.boundaries", lang))
    text = talker.text()
    assert header(lang, 5, 6) in text, text
    assert library().t("flow.bound-clause.no_contract", lang) in text
    assert library().t("flow.bound-clause", lang) not in text
    export = (await talker.say(f"/case export {case.id}"))[0].text
    step = library().t("step.pay-next", lang).capitalize()
    chose = library().t("log.choice", lang, step=step, detail="X").split("X")[0]
    assert chose in export and chose != f"{step}: ", export


@pytest.mark.parametrize("lang", ["en", "ru", "ro"])
async def test_each_situation_sharing_a_flow_opens_with_its_own_words(core: Core, lang: str) -> None:
    pros = speaker(core, lang)
    await start(pros, "you-are-the-professionals")
    assert library().t("flow.share-record", lang) in pros.text()
    other = speaker(core, lang + "2")
    other.lang_hint = lang
    await start(other, "client-not-cooperating")
    text = other.text()
    assert library().t("flow.share-record.for.client-not-cooperating", lang) in text
    assert library().t("flow.share-record", lang) not in text
    assert (await current(other)).step == "share-record"
