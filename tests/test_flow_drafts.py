"""What the walkthrough drafts say to the client: the user's words about the client turned to speak to the
client (or a marked blank beside the user's words), the agreement quoted only when there is one, a rule
for respectful communication, an honest parting reason, the history labels and dates written out in full."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core import Core
from bot.store import Case
from content import library
from handlers.agreement import read_rule
from handlers.flow_steps import BLANK
from handlers.paraphrase import to_client
from handlers.render import client_when
from tests.conftest import Talker


async def start(talker: Talker, situation: str) -> Case:
    await talker.say("/conflict")
    await talker.press(f"cf:s:{situation}")
    await talker.pick({"en": "walk me through", "ru": "пройти по шагам", "ro": "pas cu pas"}[talker.lang_hint or "en"])
    return await current(talker)


async def current(talker: Talker) -> Case:
    case = await talker.core.store.find_open_case("console", talker.chat, None, talker.user)
    assert case is not None
    return case


def speaker(core: Core, lang: str) -> Talker:
    return Talker(core, user=f"u-{lang}", chat=f"c-{lang}", lang_hint=lang)


# -- 1. the user's words about the client, turned to the client --------------------------------------


@pytest.mark.parametrize(("words", "lang", "said"), [
    ("he wants me to start the mobile app next week without paying anything", "en",
     "you want me to start the mobile app next week without paying anything"),
    ("she wants two more logo versions for free", "en", "you want two more logo versions for free"),
    ("the client approved the design without the shop", "en", "you approved the design without the shop"),
    ("we need the product list and photos from them by friday", "en",
     "we need the product list and photos from you by friday"),
    ("он хочет ещё пять вариантов шрифта бесплатно", "ru", "вы хотите ещё пять вариантов шрифта бесплатно"),
    ("клиент утвердил дизайн без магазина", "ru", "вы утвердили дизайн без магазина"),
    ("clientul a aprobat designul fara magazin", "ro", "ați aprobat designul fără magazin"),
    ("vrea inca cinci variante de font gratuit", "ro", "vreți încă cinci variante de font gratuit"),
    ("a fifth round of logo edits", "en", "a fifth round of logo edits"),  # nothing about the client: as typed
    ("логотип", "ru", "логотип"),
])
def test_to_client_turns_the_users_words_to_the_client(words: str, lang: str, said: str) -> None:
    result = to_client(words, lang)
    assert result.sure and result.draft == said


@pytest.mark.parametrize(("words", "lang"), [
    ("нам нужен от него список товаров и фото до пятницы", "ru"),  # «него» left: unsure
    ("he", "en"),
    ("he wrote “you never listen to me” twice", "en"),
])
def test_to_client_is_unsure_rather_than_wrong(words: str, lang: str) -> None:
    result = to_client(words, lang)
    assert not result.sure and result.draft == "" and result.reason


@pytest.mark.parametrize(("lang", "asked", "said", "not_said"), [
    ("ru", "он хочет ещё пять вариантов шрифта бесплатно", "(вы хотите ещё пять вариантов шрифта бесплатно)",
     "он хочет"),
    ("en", "he wants a fifth round of edits for free", "(you want a fifth round of edits for free)", "he wants"),
    ("ro", "vrea inca cinci variante de font gratuit", "(vreți încă cinci variante de font gratuit)", "vrea inca"),
])
async def test_the_request_in_the_boundaries_draft_speaks_to_the_client(core: Core, lang: str, asked: str,
                                                                       said: str, not_said: str) -> None:
    talker = speaker(core, lang)
    await start(talker, "endless-revisions")
    await talker.press(await talker_choice(talker, 0))
    await talker.say({"en": "two rounds of revisions are included", "ru": "в стоимость входят два круга правок",
                      "ro": "sunt incluse două runde de revizii"}[lang])
    await talker.say(asked)
    draft = talker.text()
    assert said in draft and not_said not in draft


async def talker_choice(talker: Talker, n: int) -> str:
    return talker.last[-1].choices[n].id


async def test_an_unsure_rewrite_leaves_a_marked_blank_and_shows_the_users_words(core: Core) -> None:
    talker = speaker(core, "en")
    await start(talker, "you-are-the-professionals")
    await talker.say("the client approved the design without the shop")
    await talker.say("he wrote “send me everything” and then nothing came from him")
    draft = talker.text()
    assert "here is the record so far: you approved the design without the shop. Next steps: [" in draft
    assert f"Next steps: {BLANK}." in draft
    assert "What you wrote: “he wrote “send me everything” and then nothing came from him”" in draft
    assert "the client approved" not in draft
    case = await current(talker)
    notes = [n.note for n in await core.store.nudges_for_case(case.id)]
    assert all(note is None or "the client approved" not in note for note in notes)


async def test_the_record_draft_in_romanian_has_its_diacritics_and_speaks_to_the_client(core: Core) -> None:
    talker = speaker(core, "ro")
    await start(talker, "you-are-the-professionals")
    await talker.say("clientul a aprobat designul fara magazin")
    await talker.say("avem nevoie de la el de poze pana vineri")
    draft = talker.text()
    assert "ați aprobat designul fără magazin" in draft
    assert "avem nevoie de la dumneavoastră de poze până vineri" in draft
    assert "clientul a aprobat" not in draft and "de la el" not in draft


# -- 2. "as our agreement says" only when there is one ------------------------------------------------


@pytest.mark.parametrize(("words", "lang", "text", "new"), [
    ("договора нет, с этого момента две правки бесплатно", "ru", "две правки бесплатно", True),
    ("нет договора. Оплата в течение 10 дней после счёта", "ru", "Оплата в течение 10 дней после счёта", True),
    ("впредь предоплата 50%", "ru", "предоплата 50%", True),
    ("в стоимость входят два круга правок", "ru", "в стоимость входят два круга правок", False),
    ("there's no contract, two rounds of revisions are free", "en", "two rounds of revisions are free", True),
    ("We don't have a contract. From now on: 50% upfront", "en", "50% upfront", True),
    ("Two rounds of revisions are included", "en", "Two rounds of revisions are included", False),
    ("nu avem contract, de acum înainte două runde de revizii sunt gratuite", "ro",
     "două runde de revizii sunt gratuite", True),
    ("sunt incluse două runde de revizii", "ro", "sunt incluse două runde de revizii", False),
])
def test_read_rule_tells_a_clause_from_a_new_rule(words: str, lang: str, text: str, new: bool) -> None:
    rule = read_rule(words, lang)
    assert (rule.text, rule.new) == (text, new)


@pytest.mark.parametrize(("lang", "clause", "said", "not_said"), [
    ("ru", "договора нет, с этого момента две правки бесплатно",
     "С этого момента мы работаем так: две правки бесплатно.", "В нашем договоре"),
    ("en", "no contract; from now on two rounds of revisions are free",
     "From now on, we work like this: two rounds of revisions are free.", "agreement"),
    ("ro", "nu avem contract, de acum două runde de revizii sunt gratuite",
     "De acum înainte lucrăm astfel: două runde de revizii sunt gratuite.", "Contractul nostru"),
    ("ru", "в стоимость входят два круга правок", "В нашем договоре сказано: «в стоимость входят два круга правок».",
     "С этого момента"),
    ("en", "two rounds of revisions are included", "As agreed in our contract: “two rounds of revisions are included”.",
     "From now on"),
    ("ro", "sunt incluse două runde de revizii", "Contractul nostru prevede: „sunt incluse două runde de revizii”.",
     "De acum"),
])
async def test_the_boundaries_draft_quotes_the_agreement_only_when_there_is_one(
        core: Core, lang: str, clause: str, said: str, not_said: str) -> None:
    talker = speaker(core, lang)
    await start(talker, "endless-revisions")
    await talker.press(await talker_choice(talker, 0))
    await talker.say(clause)
    await talker.say({"en": "a fifth round of logo edits", "ru": "пятый круг правок логотипа",
                      "ro": "a cincea rundă de modificări la logo"}[lang])
    draft = talker.text()
    assert said in draft and not_said not in draft


@pytest.mark.parametrize(("lang", "terms", "said", "not_said"), [
    ("en", "there's no contract, payment within 10 days of the invoice",
     "As we agreed when we started: payment within 10 days of the invoice.", "agreement"),
    ("ru", "договора нет, оплата в течение 10 дней после счёта",
     "Как мы условились в самом начале: оплата в течение 10 дней после счёта.", "договор"),
    ("ro", "nu avem contract, plata în 10 zile de la factură",
     "Așa cum am stabilit de la început: plata în 10 zile de la factură.", "contract"),
])
async def test_the_firm_and_final_payment_reminders_quote_no_agreement_that_does_not_exist(
        core: Core, lang: str, terms: str, said: str, not_said: str) -> None:
    talker = speaker(core, lang)
    case = await start(talker, "late-payment")
    await talker.say({"en": "€1,200 for the October invoice", "ru": "1200 евро за октябрь",
                      "ro": "1.200 de euro pentru octombrie"}[lang])
    await talker.say(terms)
    await talker.say({"en": "tomorrow 10:00", "ru": "завтра в 10:00", "ro": "mâine la 10:00"}[lang])
    notes = {n.kind: n.note or "" for n in await core.store.nudges_for_case(case.id)}
    for kind in ("pay-firm", "pay-final"):
        assert said in notes[kind] and not_said not in notes[kind].replace(terms, ""), notes[kind]


# -- 7. dates in messages to the client, written out in full ------------------------------------------


@pytest.mark.parametrize(("moment", "lang", "said"), [
    (datetime(2026, 12, 1, 10, 0, tzinfo=UTC), "en", "Tuesday, 1 December at 10:00"),
    (datetime(2026, 12, 1, 10, 0, tzinfo=UTC), "ru", "во вторник, 1 декабря, в 10:00"),
    (datetime(2026, 12, 1, 10, 0, tzinfo=UTC), "ro", "marți, 1 decembrie, la ora 10:00"),
    (datetime(2026, 12, 2, 9, 30, tzinfo=UTC), "ru", "в среду, 2 декабря, в 9:30"),
    (datetime(2026, 12, 4, 18, 0, tzinfo=UTC), "ru", "в пятницу, 4 декабря, в 18:00"),
    (datetime(2026, 12, 5, 18, 0, tzinfo=UTC), "ru", "в субботу, 5 декабря, в 18:00"),
    (datetime(2026, 12, 6, 18, 0, tzinfo=UTC), "ru", "в воскресенье, 6 декабря, в 18:00"),
    (datetime(2026, 11, 30, 5, 15, tzinfo=UTC), "en", "Monday, 30 November at 5:15"),
    (datetime(2026, 12, 31, 18, 0, tzinfo=UTC), "ro", "joi, 31 decembrie, la ora 18:00"),
    (datetime(2026, 12, 1, 23, 30, tzinfo=UTC), "ro", "miercuri, 2 decembrie, la ora 1:30"),  # the zone's day
])
def test_client_when_writes_the_date_as_a_person_does(moment: datetime, lang: str, said: str) -> None:
    tz = "Europe/Chisinau" if said.startswith("miercuri") else "UTC"
    assert client_when(moment, tz, lang) == said


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "I'll get back to you on Tuesday, 24 November at 10:00 with an update."),
    ("ru", "я вернусь к вам с новостями во вторник, 24 ноября, в 10:00."),
    ("ro", "revin cu noutăți marți, 24 noiembrie, la ora 10:00."),
])
async def test_the_pause_draft_names_the_time_in_full(core: Core, lang: str, said: str) -> None:
    talker = speaker(core, lang)
    await start(talker, "abusive-client")
    await talker.say({"en": "tomorrow 10:00", "ru": "завтра в 10:00", "ro": "mâine la 10:00"}[lang])
    assert said in talker.text()


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "hand over all the files by Friday, 27 November at 18:00"),
    ("ru", "передадим вам все файлы, самое позднее — в пятницу, 27 ноября, в 18:00."),
    ("ro", "vă predăm toate fișierele până vineri, 27 noiembrie, la ora 18:00"),
])
async def test_the_parting_draft_names_the_end_date_in_full(core: Core, lang: str, said: str) -> None:
    talker = speaker(core, lang)
    await start(talker, "considering-firing-client")
    await talker.say({"en": "too many late payments", "ru": "слишком много задержек оплаты",
                      "ro": "prea multe întârzieri la plată"}[lang])
    await talker.press(await talker_choice(talker, 0))
    await talker.press(await talker_choice(talker, 0))
    await talker.say({"en": "Friday 18:00", "ru": "в пятницу в 18:00", "ro": "vineri la 18:00"}[lang])
    assert said in talker.text()


# -- 4. "Yes, a payment rule" goes straight to the deposit rule ---------------------------------------


@pytest.mark.parametrize("lang", ["en", "ru", "ro"])
async def test_a_payment_rule_goes_straight_to_the_deposit_clause(core: Core, lang: str) -> None:
    talker = speaker(core, lang)
    await start(talker, "late-payment")
    for line in ({"en": "€1,200 for October", "ru": "1200 евро за октябрь", "ro": "1.200 de euro pentru octombrie"},
                 {"en": "payment within 10 days", "ru": "оплата в течение 10 дней", "ro": "plata în 10 zile"},
                 {"en": "tomorrow 10:00", "ru": "завтра в 10:00", "ro": "mâine la 10:00"}):
        await talker.say(line[lang])
    await talker.pick(library().t("flow.pay-next.boundaries", lang))
    case = await current(talker)
    assert case.step == "bound-clause" and case.answers["rule"] == "deposit"
    assert library().t("flow.bound-rule", lang) not in talker.text()
    assert library().t("flow.bound-clause.for.late-payment", lang) in talker.text()  # its payment example
    await talker.say({"en": "50% upfront before any work starts", "ru": "предоплата 50% до начала работ",
                      "ro": "avans de 50% înainte de începerea lucrului"}[lang])
    await talker.say({"en": "a new landing page", "ru": "новый лендинг", "ro": "o pagină nouă de prezentare"}[lang])
    deposit = library().t("flow.bound-request.deposit", lang, request="X", clause="Y").split("Y")[-1][:25]
    assert deposit in talker.text()


# -- 6. the case history names what each answer is ----------------------------------------------------


@pytest.mark.parametrize(("lang", "request_line", "next_line"), [
    ("en", "The client's request: “a fifth round of logo edits”", "Next steps: “photos from you by Friday”"),
    ("ru", "Просьба клиента: «пятый круг правок логотипа»", "Дальнейшие шаги: «фото от вас до пятницы»"),
    ("ro", "Solicitarea clientului: „a cincea rundă de modificări la logo”",
     "Pașii următori: „pozele de la dumneavoastră până vineri”"),
])
async def test_the_history_labels_the_clients_request_and_the_next_steps(core: Core, lang: str, request_line: str,
                                                                        next_line: str) -> None:
    talker = speaker(core, lang)
    case = await start(talker, "endless-revisions")
    await talker.press(await talker_choice(talker, 0))
    await talker.say("2")
    await talker.say(request_line.split(": ")[1][1:-1])
    export = (await talker.say(f"/case export {case.id}"))[0].text
    assert request_line in export
    # a case walking the shared-responsibility flow, in another chat
    other = Talker(core, user=f"v-{lang}", chat=f"d-{lang}", lang_hint=lang)
    shared = await start(other, "you-are-the-professionals")
    await other.say("2")
    await other.say(next_line.split(": ")[1][1:-1])
    export = (await other.say(f"/case export {shared.id}"))[0].text
    assert next_line in export


# -- 5. the plain truth asserts nothing the user did not say ------------------------------------------


@pytest.mark.parametrize(("lang", "claims"), [
    ("en", ("spoken to", "insult", "rude", "treated")),
    ("ru", ("разговаривали", "оскорб", "грубо", "обращались")),
    ("ro", ("vorbit", "jign", "nepoliticos", "tratat")),
])
async def test_the_plain_truth_claims_no_abuse_the_user_did_not_report(core: Core, lang: str,
                                                                      claims: tuple[str, ...]) -> None:
    talker = speaker(core, lang)
    case = await start(talker, "considering-firing-client")
    await talker.say({"en": "he pays late and calls me at midnight", "ru": "платит с опозданием и звонит в полночь",
                      "ro": "plătește cu întârziere și mă sună la miezul nopții"}[lang])
    await talker.press(await talker_choice(talker, 0))  # end the work
    await talker.press(await talker_choice(talker, 1))  # the plain truth
    await talker.say({"en": "Friday 18:00", "ru": "в пятницу в 18:00", "ro": "vineri la 18:00"}[lang])
    draft = library().t("flow.part-end.direct", lang, end_date="X")
    assert draft.split("X")[0][:30] in talker.text()
    notes = [n.note or "" for n in await core.store.nudges_for_case(case.id)]
    for text in (draft, *notes):
        assert not any(claim in text.lower() for claim in claims), text


# -- 3. a rule about respectful communication ---------------------------------------------------------


@pytest.mark.parametrize(("lang", "conduct", "said"), [
    ("en", "we talk calmly, without insults or shouting, and I take calls only on weekdays until 19:00",
     "From now on, I'd like us to work like this: we talk calmly, without insults or shouting, and I take calls "
     "only on weekdays until 19:00."),
    ("ru", "говорим спокойно, без оскорблений и крика, звонки только по будням до 19:00",
     "С этого момента предлагаю работать так: говорим спокойно, без оскорблений и крика, звонки только по будням "
     "до 19:00."),
    ("ro", "vorbim calm, fără jigniri și fără țipete, iar telefoanele doar în zilele lucrătoare până la 19:00",
     "De acum înainte, vă propun să lucrăm astfel: vorbim calm, fără jigniri și fără țipete, iar telefoanele doar "
     "în zilele lucrătoare până la 19:00."),
])
async def test_an_abusive_client_gets_a_rule_about_respectful_communication(core: Core, lang: str, conduct: str,
                                                                           said: str) -> None:
    talker = speaker(core, lang)
    await start(talker, "abusive-client")
    await talker.say({"en": "tomorrow 10:00", "ru": "завтра в 10:00", "ro": "mâine la 10:00"}[lang])
    await talker.pick(library().t("flow.pause-next.boundaries", lang))
    await talker.pick(library().t("flow.bound-rule.respect", lang))
    case = await current(talker)
    assert case.step == "respect-rule" and library().t("flow.respect-rule", lang) in talker.text()
    await talker.say(conduct)
    assert said in talker.text()
    case = await current(talker)
    assert case.step == "tracking"
    assert "terms-reply" in {n.kind for n in await core.store.nudges_for_case(case.id)}
