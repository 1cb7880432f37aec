"""A newcomer's fourth report on the drafts to the client: the user's own plan keeps its first person
(Romanian "îi trimit" is "I send him", not "you send him"), text already addressed to the client is used as
typed (Russian "вы хотите ..."), chat shorthand is written out, rude slang never reaches the client, and an
amount in abbreviated thousands is written out in full."""

from __future__ import annotations

import pytest

from bot.core import Core
from handlers.amount import thousands_written_out
from handlers.flow_steps import BLANK
from handlers.paraphrase import draft_paraphrase, to_client
from tests.test_flow_drafts import speaker, start, talker_choice

# -- 1. the user's own plan stays in the first person ----------------------------------------------------


@pytest.mark.parametrize(("words", "said"), [
    ("il sun in fiecare luni la 10 si ii trimit raport vinerea",
     "vă sun în fiecare luni la 10 și vă trimit raport vinerea"),
    ("îl sun luni și îi trimit oferta", "vă sun luni și vă trimit oferta"),
    ("ii trimit raportul vinerea", "vă trimit raportul vinerea"),
    ("îi scriu zilnic și îi trimit un rezumat", "vă scriu zilnic și vă trimit un rezumat"),
])
def test_a_romanian_plan_of_the_user_stays_in_the_first_person(words: str, said: str) -> None:
    result = to_client(words, "ro", addressed=True)
    assert result.sure and result.draft == said


@pytest.mark.parametrize("words", [
    "il sun in fiecare luni la 10 si ii trimit raport vinerea",
    "ii trimit raportul vinerea",
])
def test_a_romanian_report_about_the_client_never_reads_as_the_client_sending(words: str) -> None:
    result = to_client(words, "ro")  # a complaint: "trimit" may be the client's "they send": never "trimiteți" to one
    assert "trimiteți" not in result.draft


async def test_the_romanian_contact_plan_draft_says_who_sends_the_report(core: Core) -> None:
    talker = speaker(core, "ro")
    await start(talker, "feels-neglected")
    await talker.say("il sun in fiecare luni la 10 si ii trimit raport vinerea")
    await talker.say("luni la 10")
    draft = talker.text()
    assert "vă sun în fiecare luni la 10 și vă trimit raport vinerea" in draft, draft
    assert "trimiteți raport" not in draft


# -- 2. text already addressed to the client is used as typed --------------------------------------------


@pytest.mark.parametrize("words", [
    "вы хотите всё контролировать и звоните по 10 раз в день, а мне нужно спокойно работать",
    "вы хотите расторгнуть договор, а мы хотим закончить проект",
    "вам нужен быстрый запуск, а я хочу сделать надёжно",
])
def test_russian_words_already_addressed_to_the_client_are_kept(words: str) -> None:
    result = to_client(words, "ru", addressed=True)
    assert result.sure and result.draft == words


@pytest.mark.parametrize("words", [
    "вы хотите расторгнуть договор, а он хочет закончить проект",  # a third person left
    "вы все идиоты и ничего не умеете",  # an insult is never sent
    "он пишет: вы сорвали мне запуск",  # the client's own words
])
def test_addressed_russian_text_still_passes_the_safety_checks(words: str) -> None:
    assert not to_client(words, "ru", addressed=True).sure


async def test_the_russian_goals_draft_keeps_words_written_to_the_client(core: Core) -> None:
    talker = speaker(core, "ru")
    await start(talker, "personal-clash")
    await talker.say("вы хотите всё контролировать и звоните по 10 раз в день, а мне нужно спокойно работать")
    await talker.press(await talker_choice(talker, 0))
    await talker.say("в четверг в 16:00")
    draft = talker.text()
    assert "Как я это вижу: вы хотите всё контролировать и звоните по 10 раз в день, а мне нужно спокойно работать." \
        in draft, draft
    assert BLANK not in draft


# -- 5. rude slang never goes to the client verbatim ------------------------------------------------------


@pytest.mark.parametrize(("words", "lang", "rude"), [
    ("говорит что мы его кинули и требует деньги назад", "ru", "кинули"),
    ("она считает что мы её развели на деньги", "ru", "развели"),
    ("он пишет что мы облажались с запуском", "ru", "облажались"),
    ("she says we ripped her off", "en", "ripped"),
    ("he says we screwed him over with the invoice", "en", "screwed"),
    ("they think we scammed them", "en", "scammed"),
    ("zice ca l-am tepuit cu factura", "ro", "epuit"),
    ("zice că am făcut-o de oaie", "ro", "oaie"),
])
def test_rude_slang_falls_back_to_the_blank(words: str, lang: str, rude: str) -> None:
    result = to_client(words, lang)
    assert not result.sure and result.reason == "slang"
    paraphrase = draft_paraphrase(words, lang)
    assert not paraphrase.sure and rude not in paraphrase.draft


@pytest.mark.parametrize(("words", "lang", "said"), [
    ("он кинул ссылку на макет и ждёт ответа", "ru", "вы кинули ссылку на макет и ждёте ответа"),
    ("she says we took her money and did nothing", "en", "we took your money and did nothing"),
])
def test_a_neutral_use_of_the_same_words_is_kept(words: str, lang: str, said: str) -> None:
    result = to_client(words, lang)
    assert result.sure and result.draft == said


# -- 3. chat shorthand written out -------------------------------------------------------------------------


@pytest.mark.parametrize(("words", "lang", "said"), [
    ("they need to send us the paypal api keys by tmrw noon, we finish integration by wednesday", "en",
     "you need to send us the paypal api keys by tomorrow noon, we finish integration by wednesday"),
    ("he wants the logo files asap b/c his ppl print tmr", "en",
     "you want the logo files as soon as possible because your people print tomorrow"),
    ("she says she sent the msg 2moro and pls call her back", "en",
     "you sent the message tomorrow and please call you back"),
    ("he wants the photos by the wknd", "en", "you want the photos by the weekend"),
    ("клиент пишет что инфа по проекту будет седня", "ru", "информация по проекту будет сегодня"),
    ("он просит прислать инфу по срокам щас", "ru", "вы просите прислать информацию по срокам сейчас"),
    ("спс за терпение, вы получите отчёт в пятницу", "ru", "спасибо за терпение, вы получите отчёт в пятницу"),
    ("vrea sa ii trimitem oferta pt proiect pana mn", "ro", "vreți să vă trimitem oferta pentru proiect până mâine"),
    ("zice ca trb sa terminam pana mn", "ro", "trebuie să terminăm până mâine"),
    ("zice ca nu are info despre livrare", "ro", "nu aveți informații despre livrare"),
])
def test_chat_shorthand_is_written_out(words: str, lang: str, said: str) -> None:
    result = to_client(words, lang, addressed=words.startswith("спс"))
    assert result.sure and result.draft == said, result


# -- 6. abbreviated thousands written out in the payment draft ---------------------------------------------


@pytest.mark.parametrize(("typed", "lang", "said"), [
    ("120 тыс", "ru", "120\u00a0000"),
    ("120 тыс.", "ru", "120\u00a0000"),
    ("120 тыс. руб. за октябрь", "ru", "120\u00a0000 руб. за октябрь"),
    ("120тыс рублей", "ru", "120\u00a0000 рублей"),
    ("1,5 тыс евро", "ru", "1\u00a0500 евро"),
    ("45к за дизайн", "ru", "45\u00a0000 за дизайн"),
    ("$5k for the October invoice", "en", "$5,000 for the October invoice"),
    ("2.5K EUR", "en", "2,500 EUR"),
    ("12k lei pentru site", "ro", "12.000 lei pentru site"),
    ("120 de mii de lei", "ro", "120 de mii de lei"),  # written out already: as typed
    ("5 revisions", "en", "5 revisions"),
    ("the 3k words article", "en", "the 3,000 words article"),
    ("сдадим 5 к пятнице", "ru", "сдадим 5 к пятнице"),
    ("долг 120 тыс. Оплата просрочена", "ru", "долг 120\u00a0000. Оплата просрочена"),  # a preposition, not thousands
    ("120 000 руб. и 5 k", "ru", "120 000 руб. и 5 k"),
])
def test_abbreviated_thousands_are_written_out(typed: str, lang: str, said: str) -> None:
    assert thousands_written_out(typed, lang) == said


@pytest.mark.parametrize(("lang", "amount", "said", "not_said"), [
    ("ru", "120 тыс", "Мягко напоминаю об оплате: 120\u00a0000.", "тыс"),
    ("ru", "120 тыс руб", "Мягко напоминаю об оплате: 120\u00a0000 руб.", "тыс"),
    ("en", "5k", "the payment of 5,000.", "5k"),
    ("en", "120 тыс рублей", "the payment of 120,000 RUB", "тыс"),
    ("ro", "12k lei", "de plata restantă: 12.000 lei.", "12k"),
])
async def test_the_payment_draft_writes_the_amount_out_and_invents_no_currency(
        core: Core, lang: str, amount: str, said: str, not_said: str) -> None:
    talker = speaker(core, lang)
    await start(talker, "late-payment")
    await talker.say(amount)
    await talker.say({"en": "net 14", "ru": "оплата в течение 14 дней", "ro": "plata în 14 zile"}[lang])
    await talker.say({"en": "tomorrow 10:00", "ru": "завтра в 10:00", "ro": "mâine la 10:00"}[lang])
    draft = talker.text()
    assert said in draft, draft
    assert not_said not in draft
    if "руб" not in amount and "lei" not in amount:
        assert not any(code in draft for code in ("RUB", "EUR", "USD", "руб", "€", "$"))


# -- 4. Russian comma before «что» and no repeated «вы» ---------------------------------------------------


@pytest.mark.parametrize(("words", "said"), [
    ("мы сорвали сроки и она считает что мы её обманули", "мы сорвали сроки и вы считаете, что мы вас обманули"),
    ("он хочет чтобы мы всё переделали", "вы хотите, чтобы мы всё переделали"),
    ("он не знает что делать с макетом", "вы не знаете, что делать с макетом"),
    ("клиент злится потому что мы опоздали", "вы злитесь, потому что мы опоздали"),
    ("клиент говорит что цена высокая и он требует скидку. грозится уйти к конкурентам",
     "цена высокая, вы требуете скидку и грозитесь уйти к конкурентам"),
    ("клиент недоволен ценой, он требует скидку. грозится уйти к конкурентам",
     "вы недовольны ценой, вы требуете скидку и грозитесь уйти к конкурентам"),
])
def test_russian_drafts_have_the_comma_before_that_and_no_second_you(words: str, said: str) -> None:
    result = to_client(words, "ru")
    assert result.sure and result.draft == said
