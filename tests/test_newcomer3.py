"""Faults a third newcomer found through `parley chat`, each as its kind: words that are no amount saved
as the amount, typed labels of a card or menu, yes/no words, typos of labels, emoji outside a step.
Every case runs in en, ru and ro through the core, as the console adapter drives it."""

from __future__ import annotations

import pytest

from bot.core import Core
from content import library
from content.text import LANGUAGE_NAMES
from tests.conftest import FixedClock, Talker
from tests.test_newcomer2 import NEW_CASE, WALK, to_amount

MINE = {"en": "It's my answer", "ru": "Это мой ответ", "ro": "E răspunsul meu"}

COMPLAINT = {
    "en": "he keeps saying next week, next week, since september and now he also wants a new feature for free",
    "ru": "он всё обещает заплатить на следующей неделе, ещё с сентября, а теперь хочет новую функцию бесплатно",
    "ro": "tot zice că plătește săptămâna viitoare, încă din septembrie, iar acum vrea și o funcție nouă gratis",
}
NO_AMOUNT = {"en": "I didn't find an amount", "ru": "Здесь не видно суммы", "ro": "Nu am găsit o sumă"}


# -- 1. the "what is owed" step takes an amount, never the complaint -----------------------------------


@pytest.mark.parametrize(("lang", "text"), [
    *COMPLAINT.items(),
    ("en", "he says he will pay soon"),
    ("en", "the whole thing"),
    ("ru", "он говорит, что скоро заплатит"),
    ("ro", "zice că plătește în curând"),
])
async def test_words_with_no_amount_are_asked_again(core: Core, lang: str, text: str) -> None:
    talker, case_id = await to_amount(core, lang)
    await talker.say(text)
    if NEW_CASE[lang] in talker.text():  # triage reads another conflict: "It's my answer" is still no amount
        await talker.pick(MINE[lang])
    assert NO_AMOUNT[lang] in talker.text()
    assert text not in talker.text()
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "pay-amount" and "amount" not in case.answers
    await talker.say({"en": "€1,200 for the October invoice", "ru": "1200 евро за октябрь",
                      "ro": "1.200 de euro pentru octombrie"}[lang])
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "pay-terms" and "amount" in case.answers


# -- 2. a typed label of a card or menu works as the press -------------------------------------------

CRISIS = {"en": "the client yells at me and calls us idiots", "ru": "клиент орёт на меня и называет нас идиотами",
          "ro": "clientul țipă la mine și ne face idioți"}
LABEL = {"en": "Walk me through it", "ru": "Пройти по шагам", "ro": "Ghidează-mă pas cu pas"}


@pytest.mark.parametrize("lang", ["en", "ru", "ro"])
@pytest.mark.parametrize("shape", [str, str.lower, lambda s: s.upper() + "!"])
async def test_the_card_s_walk_label_typed_starts_the_walk(core: Core, lang: str, shape: object) -> None:
    talker = Talker(core, lang_hint=lang)
    await talker.say(CRISIS[lang])
    case_id = next(r.case_id for r in talker.last if r.case_id)
    assert callable(shape)
    await talker.say(shape(LABEL[lang]))
    case = await core.store.get_case(case_id)
    assert case is not None and case.step not in ("offered", "tracking"), case.step
    assert f"✓ {LABEL[lang]}" in talker.text()


@pytest.mark.parametrize(("typed", "code"), [
    ("Română", "ro"), ("romana", "ro"), ("ro", "ro"), ("русский", "ru"), ("russian", "ru"), ("Русский", "ru"),
    ("english", "en"), ("en", "en"), ("Romanian", "ro"),
])
async def test_a_language_typed_at_the_lang_menu_picks_it(core: Core, typed: str, code: str) -> None:
    talker = Talker(core, lang_hint="en" if code != "en" else "ru")
    await talker.say("/lang")
    await talker.say(typed)
    assert not any(r.case_id for r in talker.last)
    user = await core.store.get_user("console", "u1")
    assert user is not None and user.lang == code
    assert core.lib.t("lang.set", code, name=LANGUAGE_NAMES[code]) in talker.text()
    assert await core.store.open_cases("console", "u1") == []


# -- 5. yes / no words answer a yes/no choice; alone, they are no crisis --------------------------------


async def to_pay_next(core: Core, lang: str) -> tuple[Talker, int]:
    talker, case_id = await to_amount(core, lang)
    await talker.say("€1,200")
    await talker.say({"en": "payment within 10 days of invoice per contract",
                      "ru": "оплата в течение 10 дней после счёта по договору",
                      "ro": "plata în 10 zile de la factură conform contractului"}[lang])
    await talker.say({"en": "tomorrow 10am", "ru": "завтра в 10", "ro": "mâine la 10"}[lang])
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "pay-next", case.step
    return talker, case_id


@pytest.mark.parametrize(("lang", "word", "value"), [
    ("en", "yes", "boundaries"), ("en", "Yes!", "boundaries"), ("en", "sure", "boundaries"), ("en", "ok", "boundaries"),
    ("en", "no", "done"), ("en", "nope", "done"),
    ("ru", "да", "boundaries"), ("ru", "Да, конечно", "boundaries"), ("ru", "нет", "done"),
    ("ro", "da", "boundaries"), ("ro", "sigur", "boundaries"), ("ro", "nu", "done"),
])
async def test_yes_or_no_answers_a_yes_no_choice(core: Core, lang: str, word: str, value: str) -> None:
    talker, case_id = await to_pay_next(core, lang)
    await talker.say(word)
    case = await core.store.get_case(case_id)
    assert case is not None and case.answers.get("pay_rule") == value
    assert "✓" in talker.text()


@pytest.mark.parametrize(("lang", "word", "action"), [
    ("en", "yes", "fault"), ("en", "no", "nofault"), ("ru", "да", "fault"), ("ru", "нет", "nofault"),
    ("ro", "da", "fault"), ("ro", "nu", "nofault"),
])
async def test_yes_or_no_answers_step_4(core: Core, lang: str, word: str, action: str) -> None:
    from tests.test_walkthrough import skip_to_cause
    talker = Talker(core, user=f"yn-{lang}")
    case_id = await skip_to_cause(talker, lang)
    await talker.press(f"w:{case_id}:cause:c:attention")
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "apologize"
    await talker.say(word)
    case = await core.store.get_case(case_id)
    assert case is not None and case.step != "apologize"
    assert case.answers.get("our_fault") is (action == "fault")


@pytest.mark.parametrize(("lang", "word"), [
    ("en", "yes"), ("en", "no"), ("en", "ok"), ("ru", "да"), ("ru", "нет"), ("ro", "da"), ("ro", "nu"),
])
async def test_yes_or_no_alone_is_no_crisis(core: Core, lang: str, word: str) -> None:
    talker = Talker(core, user=f"alone-{lang}", lang_hint=lang)
    await talker.say(f"/lang {lang}")
    await talker.say(word)
    assert not any(r.case_id for r in talker.last)
    assert core.lib.t("typed.nothing_waiting", lang) in talker.text()


# -- 6 / 7. a label with a typo acts at its step; outside it, it is no crisis ----------------------------


@pytest.mark.parametrize(("lang", "typed"), [
    ("en", "skip ths step"), ("en", "skp this step"), ("en", "Skip this stp!"),
    ("ru", "пропустит шаг"), ("ru", "пропустить шак"), ("ro", "sar peste pass"), ("ro", "sar pste pas"),
])
async def test_a_label_with_a_typo_acts_at_its_step(core: Core, lang: str, typed: str) -> None:
    talker = Talker(core, user=f"typo-{lang}")
    case_id = await skip_to_cause_(talker, lang)
    await talker.say(typed)
    case = await core.store.get_case(case_id)
    assert case is not None and case.step != "cause"
    assert core.lib.t("walk.skipped", lang) in talker.text()


async def skip_to_cause_(talker: Talker, lang: str) -> int:
    from tests.test_walkthrough import skip_to_cause
    return await skip_to_cause(talker, lang)


@pytest.mark.parametrize(("lang", "typed"), [
    ("en", "skp this step"), ("en", "skip this step"), ("en", "answer later"), ("ru", "пропустить шаг"),
    ("ru", "пропустит шаг"), ("ro", "sar peste pas"),
])
async def test_a_label_typed_when_no_step_waits_is_a_note_not_a_case(core: Core, lang: str, typed: str) -> None:
    talker = Talker(core, user=f"stray-{lang}", lang_hint=lang)
    await talker.say(f"/lang {lang}")
    await talker.say(typed)
    assert not any(r.case_id for r in talker.last)
    assert core.lib.t("typed.not_waiting", lang) in talker.text()


# -- 10. emoji only, outside a step ---------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "text"), [("en", "😡😡😡"), ("ru", "🤬"), ("ro", "😤 😤"), ("en", "!!!")])
async def test_emoji_only_outside_a_step_asks_for_words(core: Core, lang: str, text: str) -> None:
    talker = Talker(core, user=f"emoji-{lang}", lang_hint=lang)
    await talker.say(f"/lang {lang}")
    await talker.say(text)
    assert not any(r.case_id for r in talker.last)
    assert core.lib.t("typed.words_please", lang) in talker.text()
    assert not any(r.choices for r in talker.last)


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "next"), ("en", "stop"), ("en", "ok then"), ("en", "skp"), ("ru", "ну ладно"), ("ru", "дальше"),
    ("ro", "bine atunci"), ("ro", "mai departe"),
])
async def test_a_few_words_naming_no_conflict_open_no_case(core: Core, lang: str, text: str) -> None:
    talker = Talker(core, user=f"short-{lang}", lang_hint=lang)
    await talker.say(text)
    assert not any(r.case_id for r in talker.last)
    assert await core.store.open_cases("console", f"short-{lang}") == []


@pytest.mark.parametrize(("lang", "text", "situation"), [
    ("en", "client hasnt paid", "late-payment"), ("ru", "не платит", "late-payment"),
    ("ro", "nu plătește", "late-payment"),
])
async def test_a_few_words_naming_a_conflict_still_open_a_case(core: Core, lang: str, text: str,
                                                               situation: str) -> None:
    talker = Talker(core, user=f"short2-{lang}", lang_hint=lang)
    await talker.say(text)
    cases = await core.store.open_cases("console", f"short2-{lang}")
    assert [c.situation for c in cases] == [situation]


# -- 4. a quoted clause loses its lead ("our contract says", «в договоре написано что», "în contract scrie") --


@pytest.mark.parametrize(("lang", "typed", "clause"), [
    ("en", "our contract says 3 rounds of revisions included, extra rounds are billed at $50 each",
     "3 rounds of revisions included, extra rounds are billed at $50 each"),
    ("en", "The contract states that extra pages are paid separately", "extra pages are paid separately"),
    ("en", "contract says: 2 free rounds", "2 free rounds"),
    ("en", "the agreement says two rounds are included", "two rounds are included"),
    ("en", "it says in the contract that edits after approval are billed", "edits after approval are billed"),
    ("ru", "в договоре написано что дополнительные страницы оплачиваются отдельно",
     "дополнительные страницы оплачиваются отдельно"),
    ("ru", "В договоре сказано, что правки сверх трёх платные", "правки сверх трёх платные"),
    ("ru", "по договору две бесплатные правки", "две бесплатные правки"),
    ("ru", "в нашем договоре прописано: оплата до начала работ", "оплата до начала работ"),
    ("ro", "in contract scrie: 10 pagini, orice pagina in plus se plateste separat",
     "10 pagini, orice pagina in plus se plateste separat"),
    ("ro", "în contract zice că avem două runde de revizii", "avem două runde de revizii"),
    ("ro", "contractul prevede ca modificarile se platesc separat", "modificarile se platesc separat"),
    ("ro", "În contract prevede: plata în 10 zile", "plata în 10 zile"),
])
def test_a_clause_loses_its_lead(lang: str, typed: str, clause: str) -> None:
    from handlers.agreement import read_rule
    rule = read_rule(typed, lang)
    assert (rule.text, rule.new, rule.sure) == (clause, False, True)


async def test_the_revisions_draft_quotes_the_clause_without_its_lead(core: Core) -> None:
    talker = Talker(core, user="clause")
    for line in ("client keeps asking for revisions on the logo, this is round 9, contract says 3 rounds",
                 "Walk me through it", "revisions beyond the agreed number",
                 "our contract says 3 rounds of revisions included, extra rounds are billed at $50 each",
                 "the logo round 9"):
        await talker.say(line)
    assert "As agreed in our contract: “3 rounds of revisions included, extra rounds are billed at $50 each”" \
        in talker.text()


# -- 3. words in Russian or Romanian while Parley speaks English ----------------------------------------

OTHER = {
    "ro": ("clientul tipa la mine ca i-am stricat lansarea, site-ul a picat in ziua lansarii",
           "zice ca a pierdut toti clientii din campanie si ca nu ii raspundem la telefon",
           "Dacă v-am înțeles corect", "din campanie"),
    "ru": ("мы сорвали клиенту запуск, сайт упал в день запуска, он в ярости",
           "он говорит, что потерял всех клиентов из кампании и что мы не отвечаем на звонки",
           "Если я правильно вас понимаю", "из кампании"),
}


@pytest.mark.parametrize("lang", ["ro", "ru"])
async def test_the_step_2_draft_follows_the_language_of_the_words(core: Core, lang: str) -> None:
    first, complaint, frame, kept = OTHER[lang]
    talker = Talker(core, user=f"other-{lang}")
    await talker.say(first)
    assert core.lib.t("conflict.switch_hint", lang) in talker.text()  # the switch is offered at the top
    await talker.pick("Walk me through it")
    await talker.say(complaint)
    text = talker.text()
    assert frame in text and kept in text and "If I understood you correctly" not in text
    assert "campanile" not in text


# -- 11. a greeting in another language is answered in it, with the switch offered ---------------------


@pytest.mark.parametrize(("text", "lang"), [
    ("привет", "ru"), ("Здравствуйте!", "ru"), ("добрый вечер", "ru"), ("salut", "ro"), ("Bună ziua", "ro"),
    ("buna seara", "ro"),
])
async def test_a_greeting_in_another_language_is_answered_in_it(core: Core, text: str, lang: str) -> None:
    talker = Talker(core, user=f"hi-{lang}")
    await talker.say(text)
    assert core.lib.t("greet.hello", lang) in talker.text()
    await talker.pick(core.lib.t("conflict.in_language", lang))
    user = await core.store.get_user("console", f"hi-{lang}")
    assert user is not None and user.lang == lang


async def test_a_greeting_in_the_user_s_language_offers_no_switch(core: Core) -> None:
    talker = Talker(core, user="hi-en")
    await talker.say("hello")
    assert core.lib.t("greet.hello", "en") in talker.text()
    assert not any("English" in c.label or "по-русски" in c.label for r in talker.last for c in r.choices)


# -- 12. month and weekday names in a draft to the client are capitalised in English ---------------------


@pytest.mark.parametrize(("typed", "said"), [
    ("on may 12 we advised against the red palette, and on friday you confirmed it",
     "on May 12 we advised against the red palette, and on Friday you confirmed it"),
    ("on 3 march we asked for hosting access; it came in april", "on 3 March we asked for hosting access; it came in April"),
    ("you may want to march on", "you may want to march on"),  # a verb, not a month
    ("on august 2 and on tuesday, 14 october", "on August 2 and on Tuesday, 14 October"),
])
def test_dates_are_capitalised_in_english(typed: str, said: str) -> None:
    from handlers.render import capitalise_dates
    assert capitalise_dates(typed, "en") == said
    assert capitalise_dates("12 мая и в пятницу", "ru") == "12 мая и в пятницу"


async def test_the_record_draft_capitalises_the_user_s_dates(core: Core) -> None:
    from tests.test_flow_drafts import start
    talker = Talker(core, user="dates")
    await start(talker, "you-are-the-professionals")
    await talker.say("on may 12 we advised against the red palette, and on friday you confirmed it by email")
    await talker.say("we finish the pages by monday and send the invoice on december 1")
    text = talker.text()
    assert "May 12" in text and "Friday" in text and "Monday" in text and "December 1" in text
    assert "may 12" not in text and "friday" not in text


# -- 9. a time later today, in a draft to the client: rounded up to the quarter hour, said as "today" ------


@pytest.mark.parametrize(("lang", "typed", "said"), [
    ("en", "in an hour", "I'll get back to you today at 11:15 am with an update."),
    ("en", "in 2 hours", "I'll get back to you today at 12:15 pm with an update."),
    ("ru", "через час", "я вернусь к вам с новостями сегодня в 11:15."),
    ("ro", "peste o oră", "revin cu noutăți astăzi la ora 11:15."),
])
async def test_a_return_time_today_is_rounded_and_said_as_today(core: Core, clock: FixedClock, lang: str,
                                                                typed: str, said: str) -> None:
    from tests.test_flow_drafts import speaker, start
    clock.now = clock.now.replace(minute=4, second=31)
    talker = speaker(core, lang)
    await start(talker, "abusive-client")
    await talker.say(typed)
    assert said in talker.text(), talker.text()


async def test_a_return_time_on_another_day_keeps_its_date(core: Core) -> None:
    from tests.test_flow_drafts import speaker, start
    talker = speaker(core, "en")
    await start(talker, "abusive-client")
    await talker.say("tomorrow 10:07")
    assert "I'll get back to you on Tuesday, 24 November at 10:15 with an update." in talker.text(), talker.text()


@pytest.mark.parametrize(("lang", "typed", "said"), [
    ("en", "120 000 рублей", "Just a friendly reminder about the payment of 120,000 RUB."),
    ("en", "1 200,50 руб. за октябрь", "Just a friendly reminder about the payment of 1,200.50 RUB за октябрь."),
    ("ro", "500 dollars for the logo", "Vă reamintesc, cu amabilitate, de plata restantă: 500 USD for the logo."),
    ("en", "€1,200 for the October invoice", "the payment of €1,200 for the October invoice."),
    ("ru", "120 000 рублей", "Мягко напоминаю об оплате: 120 000 рублей."),
])
async def test_an_amount_in_another_language_s_words_is_written_with_its_code(
        core: Core, lang: str, typed: str, said: str) -> None:
    talker, _ = await to_amount(core, lang)
    await talker.say(typed)
    await talker.say("per contract payment within 10 days")
    await talker.say({"en": "tomorrow 10am", "ru": "завтра в 10", "ro": "mâine la 10"}[lang])
    assert said in talker.text(), talker.text()


# -- 8. the step count: the card says a choice decides the rest, and a changed total is said -------------


def header(lang: str, n: int, total: int) -> str:
    return library().t("walk.header", lang, n=n, total=total)


@pytest.mark.parametrize("lang", ["en", "ru", "ro"])
async def test_a_choice_that_changes_the_walk_says_so(core: Core, lang: str) -> None:
    from tests.test_flow_drafts import speaker
    lib = library()
    talker = speaker(core, lang)
    await talker.say("/conflict")
    await talker.press("cf:s:abusive-client")
    # the card promises two steps and says that the choice at the second decides the rest
    assert lib.t("conflict.flow_then", lang, step=lib.t("step.pause-next", lang)) in talker.text()
    await talker.pick(WALK[lang])
    assert header(lang, 1, 2) in talker.text()
    await talker.say({"en": "tomorrow 10:00", "ru": "завтра в 10:00", "ro": "mâine la 10:00"}[lang])
    assert header(lang, 2, 2) in talker.text()
    await talker.pick(lib.t("flow.pause-next.boundaries", lang))
    assert header(lang, 3, 5) in talker.text() and lib.t("walk.total_changed", lang, total=5) in talker.text()
    await talker.pick(lib.t("flow.bound-rule.respect", lang))
    assert header(lang, 4, 4) in talker.text() and lib.t("walk.total_changed", lang, total=4) in talker.text()
    await talker.say({"en": "no calls after 8 pm, and we speak politely",
                      "ru": "без звонков после 20:00 и говорим вежливо",
                      "ro": "fără apeluri după ora 20 și vorbim politicos"}[lang])
    assert lib.t("flow.done", lang) in talker.text()  # the walk ended: no changed total said at the end
    assert lib.t("walk.total_changed", lang, total=4) not in talker.text()


async def test_a_walk_whose_total_holds_says_nothing_about_it(core: Core) -> None:
    talker, _ = await to_amount(core, "en")
    await talker.say("€1,200")
    assert header("en", 2, 4) in talker.text()
    assert "changed" not in talker.text()


async def test_words_in_another_language_are_never_rewritten_by_the_draft_s_language(core: Core) -> None:
    from tests.test_flow_drafts import start
    talker = Talker(core, user="other-draft")
    await start(talker, "you-are-the-professionals")
    record = "pe 12 mai ati zis ca ati pierdut toti clientii din campanie si ati confirmat pe email"
    await talker.say(record)
    await talker.say("terminam paginile pana luni si trimitem factura")
    text = talker.text()
    assert "[…]" in text and record in text  # a blank in the English draft, their words as typed beneath it
    assert "campanile" not in text


@pytest.mark.parametrize(("lang", "typed"), [("en", "its my answer"), ("ru", "это мой ответ"), ("ro", "e raspunsul meu")])
async def test_the_new_conflict_question_s_answer_label_typed_acts(core: Core, lang: str, typed: str) -> None:
    talker, case_id = await to_amount(core, lang)
    await talker.say({"en": "now he is also threatening to leave a 1-star review everywhere and calling me a scammer",
                      "ru": "теперь он ещё грозится оставить везде отзыв на 1 звезду и называет меня мошенником",
                      "ro": "acum mă mai și amenință că lasă peste tot o recenzie de o stea și mă face escroc"}[lang])
    assert NEW_CASE[lang] in talker.text()
    await talker.say(typed)
    assert NO_AMOUNT[lang] in talker.text()  # taken as the answer, and then no amount is found in it
    case = await core.store.get_case(case_id)
    assert case is not None and "amount" not in case.answers and "_crisis_text" not in case.answers


@pytest.mark.parametrize(("lang", "word"), [("en", "ok"), ("en", "yes"), ("ru", "да"), ("ro", "da")])
async def test_yes_at_the_step_2_draft_uses_the_wording(core: Core, lang: str, word: str) -> None:
    talker = Talker(core, user=f"ok-{lang}")
    if lang != "en":
        await talker.say(f"/lang {lang}")
    await talker.say("/conflict the client is furious, we missed the launch deadline we promised")
    case_id = next(r.case_id for r in talker.last if r.case_id)
    assert case_id is not None
    await talker.press(f"w:{case_id}:offered:walk")
    await talker.say({"en": "he says the site was down all day and he lost his customers",
                      "ru": "он говорит, что сайт весь день не работал и он потерял клиентов",
                      "ro": "spune că site-ul s-a lansat cu o săptămână întârziere"}[lang])  # one the rewrite is sure of
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "paraphrase" and case.answers.get("paraphrase_sure")
    await talker.say(word)
    case = await core.store.get_case(case_id)
    assert case is not None and case.step == "cause"
    assert case.answers.get("paraphrase") != word
