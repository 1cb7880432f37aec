"""The step-2 paraphrase draft: grammar that agrees with "you", and a blank frame when unsure."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from benchmarks.paraphrase_eval import SPLITS, evaluate, load, normalise
from bot.core import Core
from handlers.paraphrase import draft_paraphrase, morph, ru_agreement_errors
from tests.conftest import Talker

FRAME = {"en": "If I understood you correctly, {}. Is that right?", "ru": "Если я правильно вас понимаю, {}. Верно?",
         "ro": "Dacă v-am înțeles corect, {}. Așa este?"}


@pytest.mark.parametrize(("lang", "answer", "core"), [
    # verbs agree with the new "you" (the review's examples, then variants); a feeling or belief stays
    # in the draft ("вы считаете, что ..."), a "says" opening goes
    ("ru", "он говорит что мы сорвали сроки и он не будет платить", "мы сорвали сроки и вы не будете платить"),
    ("ru", "они считают что цена слишком высокая и хотят скидку", "вы считаете, что цена слишком высокая и хотите скидку"),
    ("ru", "он сказал что мы его подвели и он разочарован", "мы вас подвели и вы разочарованы"),
    ("ru", "она возмущена что ей выставили счет за то что она не заказывала",
     "вы возмущены, что вам выставили счет за то что вы не заказывали"),
    ("ru", "клиент кричит что мы испортили ему запуск и требует вернуть деньги",
     "мы испортили вам запуск и вы требуете вернуть деньги"),
    ("ru", "сказал что больше не будет с нами работать", "вы больше не будете с нами работать"),
    ("ru", "говорит, что ждал ответа три дня", "вы ждали ответа три дня"),
    ("ru", "она говорит, что устала ждать и будет искать другого подрядчика",
     "вы устали ждать и будете искать другого подрядчика"),
    # possessives become "ваш" in the noun's case; objects become "вас"; a thing stays
    ("ru", "заказчик говорит что мы слили его данные конкуренту", "мы слили ваши данные конкуренту"),
    ("ru", "клиентка недовольна что ее фото опубликовали без согласования", "вы недовольны, что ваше фото опубликовали без согласования"),
    ("ru", "заказчица недовольна, что мы не ответили на её письмо", "вы недовольны, что мы не ответили на ваше письмо"),
    ("ru", "он считает что мы взяли с него лишние деньги", "вы считаете, что мы взяли с вас лишние деньги"),
    ("ru", "говорит что логотип выглядит дешево и он его не примет", "логотип выглядит дешево и вы его не примете"),
    ("ru", "клиент обижен что на встречу пришел стажер а не я", "вы обижены, что на встречу пришел стажер а не я"),
    ("ru", "они недовольны что отчет пришел с опозданием", "вы недовольны, что отчет пришел с опозданием"),
    # openings without a subject, or with a new one
    ("ru", "недоволен что в тексте куча ошибок", "вы недовольны, что в тексте куча ошибок"),
    ("ru", "мой клиент требует скидку", "вы требуете скидку"),
    ("ru", "заказчик пишет что не получил доступы к админке", "вы не получили доступы к админке"),
    ("ru", "он в шоке от цены", "вы в шоке от цены"),
    ("ru", "Заказчик в ярости, мы сорвали ему кампанию", "мы сорвали вам кампанию"),
    ("ro", "zice că site-ul e lent și vrea banii înapoi", "site-ul e lent și vreți banii înapoi"),
    ("ro", "ei cred că prețul e prea mare și vor reducere", "credeți că prețul e prea mare și vreți reducere"),
    ("ro", "cere să refacem totul gratis", "cereți să refacem totul gratis"),
    ("ro", "zice că vrea să anuleze proiectul", "vreți să anulați proiectul"),
    ("ro", "zice ca designul arata ieftin si nu il accepta", "designul arată ieftin și nu îl acceptați"),
    ("ro", "spune că îl costă bani fiecare zi de întârziere", "vă costă bani fiecare zi de întârziere"),
    ("ro", "e supărată că nu am anunțat-o de întârziere", "sunteți supărată că nu v-am anunțat de întârziere"),
    ("ro", "e nemulțumit că am schimbat managerul fără să-l anunțăm", "sunteți nemulțumit că am schimbat managerul fără să vă anunțăm"),
    ("ro", "zic că li s-a promis lansarea în martie", "vi s-a promis lansarea în martie"),
    ("ro", "sunt supărați că raportul a venit cu trei zile întârziere", "sunteți supărați că raportul a venit cu trei zile întârziere"),
    ("ro", "e indignată că i-am facturat ceva ce nu a comandat", "sunteți indignată că v-am facturat ceva ce nu ați comandat"),
    ("ro", "a spus că l-am dezamăgit și că e foarte dezamăgit", "v-am dezamăgit și sunteți foarte dezamăgit"),
    ("ro", "clientul meu e supărat pentru că i-am pierdut fișierele", "sunteți supărat pentru că v-am pierdut fișierele"),
    ("ro", "clientul cere reducere de 50% pentru întârziere", "cereți reducere de 50% pentru întârziere"),
    ("ro", "clienta crede că o ignorăm", "credeți că vă ignorăm"),
    ("en", "she says we never call her back", "we never call you back"),
    ("en", "so basically he says we never answered", "we never answered"),
    ("en", "I think the client is upset because we were late", "you are upset because we were late"),
    # a second sentence without its own subject goes on with "и", as the writers of the data sets join it
    ("ru", "Он считает, что мы его обманули. Требует вернуть деньги.", "вы считаете, что мы вас обманули и требуете вернуть деньги"),
    ("ro", "Zice că l-am mințit. Vrea banii înapoi.", "v-am mințit. Vreți banii înapoi"),
    ("en", "she is angry because we published her photos without asking", "you are angry because we published your photos without asking"),
    ("en", "she says she asked for blue and we gave her green", "you asked for blue and we gave you green"),
    ("en", "he's yelling that we ruined his launch and wants his money back",
     "we ruined your launch and you want your money back"),
    ("en", "they think the price is too high and want a discount", "you think the price is too high and you want a discount"),
    ("en", "she feels ignored since we changed the account manager",
     "you feel ignored since we changed the account manager"),
    ("en", "he's angry we didn't tell him the server would be down", "you're angry we didn't tell you the server would be down"),
    ("en", "the client wants everything redone for free", "you want everything redone for free"),
    ("en", "they complain that our developer ignored their emails", "our developer ignored your emails"),
])
def test_draft_agrees_with_you(lang: str, answer: str, core: str) -> None:
    result = draft_paraphrase(answer, lang)
    assert result.sure, result.reason
    assert normalise(result.draft) == normalise(FRAME[lang].format(core))


@pytest.mark.parametrize(("lang", "answer", "core"), [
    # a feeling or a belief is the client's and stays, addressed to them; only "says"-type openings go
    ("en", "she is upset that the photos came a week late", "you are upset that the photos came a week late"),
    ("en", "he thinks we copied the layout from a template", "you think we copied the layout from a template"),
    ("en", "they feel we ignored their notes", "you feel we ignored your notes"),
    ("ru", "клиентка расстроена что макеты пришли позже", "вы расстроены что макеты пришли позже"),
    ("ru", "они думают что мы затягиваем сроки", "вы думаете что мы затягиваем сроки"),
    ("ru", "клиентка была недовольна что курьер опоздал", "вы были недовольны что курьер опоздал"),
    ("ro", "ea crede că nu am citit contractul", "credeți că nu am citit contractul"),
    ("ro", "clienta e supărată că pozele au venit târziu", "sunteți supărată că pozele au venit târziu"),
    ("ro", "ei n-au primit factura", "n-ați primit factura"),
    ("ro", "e furios și vrea banii înapoi", "sunteți furios și vreți banii înapoi"),
    # whoever reports the complaint at the start is the client, whatever the noun
    ("en", "the store manager says our app loses orders", "our app loses orders"),
    ("en", "the head of marketing is angry that the banner is late", "you are angry that the banner is late"),
    ("ru", "директор магазина говорит что приложение теряет заказы", "приложение теряет заказы"),
    ("ru", "управляющая салоном недовольна что мастер опоздал", "вы недовольны что мастер опоздал"),
    ("ro", "managerul magazinului zice că aplicația pierde comenzi", "aplicația pierde comenzi"),
    # a feeling followed by "and" is a predicate of its own
    ("ru", "клиент злится и требует скидку", "вы злитесь и требуете скидку"),
    # apostrophes the user left out come back; "should of" is "should have"
    ("en", "he doesnt want to pay and cant wait any longer", "you don't want to pay and can't wait any longer"),
    ("en", "says we should of called her", "we should have called you"),
    # a thing stays a thing: "them"/"it" with a singular client, его/её/их that cannot be the client
    ("en", "she cant open the files we sent and wants us to send them again",
     "you can't open the files we sent and you want us to send them again"),
    ("en", "they say nobody asked them", "nobody asked you"),
    ("ru", "она сказала что торт был сухой когда его привезли", "торт был сухой когда его привезли"),
    ("ru", "они хотели скидку а мы им ее не дали", "вы хотели скидку а мы вам ее не дали"),
    ("ru", "клиентка не может найти счета которые мы ей отправили", "вы не можете найти счета которые мы вам отправили"),
    # possessive in the case the preposition or the noun before it asks for
    ("ru", "заказчик жалуется что мы не читаем его письма", "мы не читаем ваши письма"),
    ("ru", "он пишет что мы не ответили на его письма", "мы не ответили на ваши письма"),
    ("ru", "клиент недоволен что мы показали фото его квартиры", "вы недовольны что мы показали фото вашей квартиры"),
    # an insult about us is left out when the rest stands on its own
    ("en", "he says we are clowns and the app is broken", "the app is broken"),
    ("ru", "говорит что мы идиоты и сайт лежит", "сайт лежит"),
    ("ro", "zice că suntem niște idioți și site-ul nu merge", "site-ul nu merge"),
    ("ro", "zice ca suntem niste idioti si site-ul nu merge", "site-ul nu merge"),
    # a typo with exactly one fix (a swap or a missing letter) is mended, never echoed to the client
    ("ru", "клиетн говорит что прилжение вылетает", "приложение вылетает"),
    # ...but not by swapping the first two letters: an unknown word there is more often a name
    ("ru", "клиент говорит что приложение не проходит модерацию в апстор", "приложение не проходит модерацию в апстор"),
    ("ru", "он говорит что в аспторе нас нет", "в аспторе нас нет"),
    # words that look like insults but are not about us
    ("ro", "zice că am ratat termenul", "am ratat termenul"),
])
def test_drafts_generalise_to_other_writers(lang: str, answer: str, core: str) -> None:
    result = draft_paraphrase(answer, lang)
    assert result.sure, result.reason
    assert normalise(result.draft) == normalise(FRAME[lang].format(core))


@pytest.mark.parametrize(("answer", "core"), [
    # Romanian typed without diacritics gets them back: the client reads a properly written draft
    ("e furios si vrea banii inapoi", "sunteți furios și vreți banii înapoi"),
    ("clientul e suparat ca nu i-am raspuns la mail de o saptamana",
     "sunteți supărat că nu v-am răspuns la mail de o săptămână"),
    ("zice ca pozele de la nunta au iesit intunecate", "pozele de la nuntă au ieșit întunecate"),
    ("zice ca nunta a fost amanata fara acordul lui", "nunta a fost amânată fără acordul dumneavoastră"),
    ("ea crede ca noi tragem de timp", "credeți că noi tragem de timp"),
    ("clienta vrea o poza noua pentru fiecare pagina", "vreți o poză nouă pentru fiecare pagină"),
    # an ambiguous word that goes with the opening does no harm ("tipa": țipă/tipa)
    ("clientul tipa ca site-ul e picat de ieri", "site-ul e picat de ieri"),
    # text with any diacritic is the writer's choice and stays as typed
    ("zice că designul arata ieftin", "designul arata ieftin"),
])
def test_romanian_without_diacritics_gets_them_back(answer: str, core: str) -> None:
    result = draft_paraphrase(answer, "ro")
    assert result.sure, result.reason
    assert normalise(result.draft) == normalise(FRAME["ro"].format(core))


@pytest.mark.parametrize(("answer", "core"), [
    # regular verbs outside the verb table take the dumneavoastră form by rule, checked against the words
    # Romanian has (-ează -> -ați, -ește/-esc -> -iți, -ă -> -ați with its vowel change, să ... -e -> -ați)
    ("zice că vrea să mute ședința pe joi", "vreți să mutați ședința pe joi"),
    ("am greșit factura și nu semnează procesul-verbal", "am greșit factura și nu semnați procesul-verbal"),
    ("clienta zice că lasă un review negativ", "lăsați un review negativ"),
    ("ei zic că produsul a venit spart și nu îl primesc", "produsul a venit spart și nu îl primiți"),
    ("zice că lucrează cu noi de doi ani și nu ne mai recomandă", "lucrați cu noi de doi ani și nu ne mai recomandați"),
    # clitics that point at the client become "vă"/"v-"; ones that point at a thing stay
    ("clienta s-a supărat că n-am invitat-o la ședință", "v-ați supărat că nu v-am invitat la ședință"),
    ("zice că trebuia s-o sunăm înainte", "trebuia să vă sunăm înainte"),
    ("clienta e supărată că nu a anunțat-o nimeni", "sunteți supărată că nu v-a anunțat nimeni"),
    ("zice că pleacă dacă nu-i returnăm banii", "plecați dacă nu vă returnăm banii"),
    ("clienta nu poate intra în cont de când l-am mutat", "nu puteți intra în cont de când l-am mutat"),
    ("el zice că tortul nu seamănă cu poza pe care ne-a trimis-o", "tortul nu seamănă cu poza pe care ne-ați trimis-o"),
    ("ei zic că au cerut reducere și noi nu le-am dat-o", "ați cerut reducere și noi nu v-am dat-o"),
    ("zice că ea nu mai are încredere în el", "nu mai aveți încredere în el"),
    ("zice că articolul nu păstrează stilul său", "articolul nu păstrează stilul dumneavoastră"),
])
def test_romanian_verbs_and_clitics_agree_with_you(answer: str, core: str) -> None:
    result = draft_paraphrase(answer, "ro")
    assert result.sure, result.reason
    assert normalise(result.draft) == normalise(FRAME["ro"].format(core))


@pytest.mark.parametrize(("lang", "answer"), [
    # who does the second verb: the thing named before or the client ("a plecat": the interpreter)
    ("ro", "zice că interpretul a întârziat și a plecat mai devreme"),
    ("ro", "e furios că site-ul a picat și a pierdut comenzi"),  # the site or the client lost them
    # "s-a stricat" after a relative clause of the client's: the car, not the client
    ("ro", "zice că mașina pe care a cumpărat-o s-a stricat"),
    # a word whose diacritics context cannot settle: lasă/lăsa, ca/că
    ("ro", "zice ca lasa o recenzie proasta pe site"),
    ("ro", "zice ca site-ul arata exact ca pe vremuri"),
    ("en", "the client says were thieves and charged him twice"),  # the rest has no subject of its own
    ("ru", "говорит что собака нервничает и у нее порез"),  # her: the dog or the client
])
def test_unsure_kinds_fall_back(lang: str, answer: str) -> None:
    result = draft_paraphrase(answer, lang)
    assert not result.sure, result.draft


@pytest.mark.parametrize(("lang", "answer", "core"), [
    # "they"/"them" with a client who is one person is a thing or other people, never "you"
    ("en", "he doesn't want to pay for the flowers because they wilted before the ceremony",
     "you don't want to pay for the flowers because they wilted before the ceremony"),
    ("en", "she says the chairs broke because they were glued badly", "the chairs broke because they were glued badly"),
    # a noun ending in -ly after "her" is hers ("her family"), a verb of giving makes "her" the person
    ("en", "she says the wedding photos are too dark and she cant show them to her family",
     "the wedding photos are too dark and you can't show them to your family"),
    ("en", "she is annoyed that we keep sending her reminders about an invoice she already paid",
     "you are annoyed that we keep sending you reminders about an invoice you already paid"),
    ("en", "she is angry we keep texting her updates at night", "you are angry we keep texting you updates at night"),
    # "were ... crooked" is no insult about us: the sentence stays whole
    ("en", "the client is unhappy that the business cards were cut crooked and the paper feels cheap",
     "you are unhappy that the business cards were cut crooked and the paper feels cheap"),
    # an insult with its own clause goes when the rest has a subject, a pronoun included
    ("en", "he said we are thieves and we charged him twice for the same root canal",
     "we charged you twice for the same root canal"),
    ("en", "she says we are clowns and she wants a new designer", "you want a new designer"),
    # a typo with exactly one fix is mended: a swap, a missing letter, a letter doubled too many
    ("en", "he sayz the invioce is wrong becuase we billed him for 40 hours not 30",
     "the invoice is wrong because we billed you for 40 hours not 30"),
    ("en", "shes upsset that the portraits were retuched too much",
     "you're upset that the portraits were retouched too much"),
    ("en", "says the desgin looks cheap and the car was deliverd late", "the design looks cheap and the car was delivered late"),
    # Russian: an oblique "её/его/ему" before the verb is the client as object; the verb stays
    ("ru", "её раздражает что мы шлём ей напоминания о счёте который она уже оплатила",
     "вас раздражает что мы шлем вам напоминания о счете который вы уже оплатили"),
    ("ru", "его бесит что курьер опоздал", "вас бесит что курьер опоздал"),
    ("ru", "ему не нравится новый логотип", "вам не нравится новый логотип"),
    # the client's second verb after a clause of someone else's, "мы" or "тренер"
    ("ru", "она хочет чтобы мы пересняли весь каталог и не хочет платить за второй день съёмки",
     "вы хотите чтобы мы пересняли весь каталог и не хотите платить за второй день съемки"),
    ("ru", "он просит чтобы мы перезвонили и ждёт ответа", "вы просите чтобы мы перезвонили и ждете ответа"),
    ("ru", "он злится, что тренер отменил две тренировки, и требует их бесплатно",
     "вы злитесь что тренер отменил две тренировки и требуете их бесплатно"),
    ("ru", "клиентка боится что не успеет к открытию", "вы боитесь, что не успеете к открытию"),
    ("ru", "она должна была получить макеты в среду но так и не получила",
     "вы должны были получить макеты в среду но так и не получили"),
    # an impersonal "trebuie să" leaves the subject to the verb after it
    ("ro", "zice că trebuie să plătească penalități din cauza noastră", "trebuie să plătiți penalități din cauza noastră"),
    # Romanian: "a doua zi" is no verb; the clitic after "pe care" is the thing
    ("ro", "ea vrea să refacem toată ședința foto și nu vrea să plătească a doua zi",
     "vreți să refacem toată ședința foto și nu vreți să plătiți a doua zi"),
    ("ro", "zice că logoul pe care l-am desenat seamănă cu logoul concurentului lui",
     "logoul pe care l-am desenat seamănă cu logoul concurentului dumneavoastră"),
    # someone named after the verb ("nimeni", "cineva") is its subject; the clitic before it is the client
    ("ro", "s-a supărat că am promis să o sunăm luni și nu a sunat nimeni",
     "v-ați supărat că am promis să vă sunăm luni și nu a sunat nimeni"),
    ("ro", "el nu mai vine la următoarea programare până nu-i explică cineva factura",
     "nu mai veniți la următoarea programare până nu vă explică cineva factura"),
    # the client's reflexive goes with the verb; the client as the one something annoys
    ("ro", "el își face griji că băiatul lui rămâne în urmă și lecțiile nu ajută",
     "vă faceți griji că băiatul dumneavoastră rămâne în urmă și lecțiile nu ajută"),
    ("ro", "o enervează că îi tot trimitem notificări pentru o factură pe care a plătit-o deja",
     "vă enervează că vă tot trimitem notificări pentru o factură pe care ați plătit-o deja"),
    ("ro", "îl deranjează că nu răspundem la telefon", "vă deranjează că nu răspundem la telefon"),
    # "le" with a client who is one person: the things
    ("ro", "el crede că scaunele nu vor rezista încă o iarnă pe terasă și vrea să le luăm înapoi",
     "credeți că scaunele nu vor rezista încă o iarnă pe terasă și vreți să le luăm înapoi"),
    ("ro", "e supărat că antrenorul a anulat două antrenamente și vrea să le facă gratis",
     "sunteți supărat că antrenorul a anulat două antrenamente și vreți să le faceți gratis"),
    # after "nu", "poate" is the verb: the client can
    ("ro", "directorul clientului zice că nu ne mai poate încredința salarizarea",
     "nu ne mai puteți încredința salarizarea"),
])
def test_dev3_kinds_agree_with_you(lang: str, answer: str, core: str) -> None:
    result = draft_paraphrase(answer, lang)
    assert result.sure, result.reason
    assert normalise(result.draft) == normalise(FRAME[lang].format(core))


@pytest.mark.parametrize(("lang", "answer"), [
    # a typo with two possible fixes ("stairs" or "stars"): never guessed
    ("en", "she says the stiars we built are uneven"),
    ("en", "he says our pirce is too high"),
    # "they" with a client who is several, after things named: the things or the client
    ("en", "they cant open the files we sent because they are in the wrong format"),
    # "назвал нас ворами": an insult, whatever else follows
    ("ru", "он назвал нас ворами и говорит что мы два раза взяли с него деньги"),
    # who demands: the coach of the clause before or the client (no comma closes that clause)
    ("ru", "он злится что тренер отменил тренировки и требует их бесплатно"),
    # a person named at the start who is not reported as saying anything, and her "s-o"
    ("ro", "mama elevei nu înțelege de ce meditatorul a mutat ora fără s-o întrebe"),
    # the client as subject whose verb the rewrite cannot conjugate
    ("ro", "clienta se aștepta la tipar color și a primit alb-negru"),
    # who must pay: the accountant just named or the client
    ("ro", "clienta crede că contabilul nostru a greșit declarația ei și acum trebuie să plătească amendă"),
])
def test_dev3_unsure_kinds_fall_back(lang: str, answer: str) -> None:
    result = draft_paraphrase(answer, lang)
    assert not result.sure, result.draft


@pytest.mark.parametrize(("lang", "answer", "reason"), [
    ("ru", "клиент орет что мы идиоты и ничего не умеем", "insult"),
    ("ro", "clientul urlă că suntem niște incompetenți", "insult"),
    ("en", "the client says we are a bunch of idiots", "insult"),
    ("ru", "он говорит что его жена видела сайт и ей не понравилось", "third person"),
    ("ro", "spune că soției lui nu i-a plăcut site-ul", "third person"),
    ("en", "he says his boss hated the presentation and he looked bad", "third person"),
    ("en", "he wrote that " + "the site is slow, the blog is broken, " * 6 + "and he wants a call", "long"),
    ("ru", "говорит что", "short"),  # two words: too short to paraphrase before the lead is even read
    ("ro", "clientul amenință că ne dă în judecată", "who does"),
])
def test_unsure_rewrites_fall_back_to_the_blank_frame(lang: str, answer: str, reason: str) -> None:
    result = draft_paraphrase(answer, lang)
    assert not result.sure and reason in result.reason
    assert "…" in result.draft and "{" not in result.draft


def test_swear_words_used_for_emphasis_are_dropped_not_echoed() -> None:
    result = draft_paraphrase("he says the fucking site is down again", "en")
    assert result.sure and "fucking" not in result.draft and "the site is down again" in result.draft
    assert "блин" not in draft_paraphrase("он говорит что блин сайт опять упал", "ru").draft


def test_russian_agreement_checker_sees_the_errors_pymorphy3_can_see() -> None:
    assert ru_agreement_errors("Если я правильно вас понимаю, вы не будет платить. Верно?") == ["вы … будет"]
    assert ru_agreement_errors("вы считают что цена высокая") == ["вы … считают"]
    assert ru_agreement_errors("мы вас подвели и вы разочарован") == ["вы … разочарован"]
    assert ru_agreement_errors("вы не заказывала") == ["вы … заказывала"]
    assert ru_agreement_errors("вы не будете платить, вы разочарованы и уже неделю ждёте ответа") == []
    assert ru_agreement_errors("вы в ярости, что сайт упал") == []


def test_the_russian_analyzer_loads_once_on_first_use() -> None:
    morph.cache_clear()
    started = time.perf_counter()
    draft_paraphrase("он говорит, что мы сорвали сроки", "ru")
    first = time.perf_counter() - started
    assert morph.cache_info().misses == 1 and first < 5.0
    draft_paraphrase("она говорит, что мы опоздали", "ru")
    assert morph.cache_info().misses == 1


def _shares(split: Path) -> dict[str, tuple[float, float, float, int]]:
    scores = evaluate(load(split))
    return {lang: (s.share(s.sendable), s.share(s.fallback), s.share(s.wrong), s.agreement)
            for lang, s in scores.items() if s.total}


def test_dev_set_floor() -> None:
    rows = load(SPLITS["dev"])
    assert all(len([r for r in rows if r["lang"] == lang]) >= 50 for lang in ("en", "ru", "ro"))
    assert all(2 <= len(r["accepted"]) <= 4 for r in rows)  # type: ignore[arg-type]
    for lang, (sendable, _fallback, wrong, agreement) in _shares(SPLITS["dev"]).items():
        assert sendable >= 0.85, (lang, sendable)
        assert wrong <= 0.05, (lang, wrong)
        assert agreement == 0, lang


def test_dev2_set_floor() -> None:
    """dev2 was written by a third person (other people, trades and phrasings); floors at the measured
    shares minus a couple of points: en 0.717, ru 0.80, ro 0.70 (was 0.433 before Romanian typed without
    diacritics got them back and regular verbs and clitics agreed with "dumneavoastră")."""
    rows = load(SPLITS["dev2"])
    assert all(len([r for r in rows if r["lang"] == lang]) >= 50 for lang in ("en", "ru", "ro"))
    floors = {"en": 0.70, "ru": 0.78, "ro": 0.68}
    for lang, (sendable, _fallback, _wrong, agreement) in _shares(SPLITS["dev2"]).items():
        assert sendable >= floors[lang], (lang, sendable)
        assert agreement == 0, lang


def test_dev3_set_floor() -> None:
    """dev3 was written by a fourth person (dentists, tutors, printers, photographers); floors at the
    measured shares minus a couple of points: en 0.817, ru 0.833, ro 0.70 (were 0.70 / 0.767 / 0.583 with
    0.117 / 0.10 / 0.183 wrong before its kinds were fixed); wrong drafts now 0 / 0.017 / 0.067."""
    rows = load(SPLITS["dev3"])
    assert all(len([r for r in rows if r["lang"] == lang]) >= 50 for lang in ("en", "ru", "ro"))
    floors = {"en": 0.80, "ru": 0.81, "ro": 0.68}
    ceilings = {"en": 0.03, "ru": 0.05, "ro": 0.09}
    for lang, (sendable, _fallback, wrong, agreement) in _shares(SPLITS["dev3"]).items():
        assert sendable >= floors[lang], (lang, sendable)
        assert wrong <= ceilings[lang], (lang, wrong)
        assert agreement == 0, lang


def test_dev4_set_floor() -> None:
    """dev4 (one-liners, rants, quotes, typos, two complaints, insults, third parties) was measured before any
    rule saw it: en 0.793 / ru 0.859 / ro 0.729 sendable with 0.146 / 0.059 / 0.165 wrong; after its kinds
    were fixed 0.951 / 0.906 / 0.906 with 0 / 0 / 0 wrong. Floors a couple of points under that."""
    rows = load(SPLITS["dev4"])
    assert all(len([r for r in rows if r["lang"] == lang]) >= 60 for lang in ("en", "ru", "ro"))
    floors = {"en": 0.93, "ru": 0.88, "ro": 0.88}
    for lang, (sendable, _fallback, wrong, agreement) in _shares(SPLITS["dev4"]).items():
        assert sendable >= floors[lang], (lang, sendable)
        assert wrong <= 0.03, (lang, wrong)
        assert agreement == 0, lang


def test_dev5_set_guard() -> None:
    """dev5 is never tuned on (the benchmark prints its aggregate only): a regression guard at the shares
    measured when the dev4 work was done (en 0.95 / ru 0.883 / ro 0.80 sendable, 0.033 / 0.067 / 0.083
    wrong; before it 0.933 / 0.90 / 0.733 and 0.05 / 0.083 / 0.15)."""
    shares = _shares(SPLITS["dev5"])
    floors = {"en": 0.93, "ru": 0.86, "ro": 0.78}
    ceilings = {"en": 0.05, "ru": 0.07, "ro": 0.09}
    for lang, (sendable, _fallback, wrong, agreement) in shares.items():
        assert sendable >= floors[lang] and wrong <= ceilings[lang], (lang, sendable, wrong)
        assert agreement == 0, lang


@pytest.mark.skipif(not SPLITS["heldout"].exists(), reason="held-out set not copied in yet")
def test_heldout_set(capsys: pytest.CaptureFixture[str]) -> None:
    shares = _shares(SPLITS["heldout"])
    with capsys.disabled():
        for lang, (sendable, fallback, wrong, agreement) in shares.items():
            print(f"\nheld-out {lang}: sendable {sendable:.0%}, fallback {fallback:.0%}, wrong {wrong:.0%}, "
                  f"agreement errors {agreement}")
    assert all(agreement == 0 for *_, agreement in shares.values())
    # Floors a little under the latest measurement on this set (0.725 / 0.675 / 0.40; the target is
    # 0.90 everywhere, see the README): a regression guard, not the goal. The old word-swap drafts
    # scored 0.35 / 0.075 / 0.10 here, the first grammar-aware version 0.475 / 0.475 / 0.15.
    floors = {"en": 0.70, "ru": 0.65, "ro": 0.375}
    assert all(shares[lang][0] >= floor for lang, floor in floors.items()), shares


async def test_unsure_step_two_shows_the_blank_frame_and_the_users_words(core: Core) -> None:
    for lang, answer, frame in (
            ("en", "the client says we are a bunch of idiots", "If I understood you correctly, … — is that right?"),
            ("ru", "клиент орет что мы идиоты и ничего не умеем", "Если я правильно вас понимаю, … — верно?"),
            ("ro", "clientul urlă că suntem niște incompetenți", "Dacă v-am înțeles corect, … — așa este?")):
        talker = Talker(core, user=f"unsure-{lang}")
        await talker.say(f"/lang {lang}")
        await talker.say("/conflict")
        await talker.press("cf:s:we-missed-a-commitment")
        await talker.press(next(c.id for c in talker.last[-1].choices if ":offered:walk" in c.id))
        await talker.say(answer)
        text = talker.text()
        assert frame in text and answer in text
        assert not any(":paraphrase:ok" in c.id for r in talker.last for c in r.choices)
        case_id = next(r.case_id for r in talker.last if r.case_id)
        await talker.press(f"w:{case_id}:paraphrase:ok")  # a stale or forged press does not accept the blank
        case = await core.store.get_case(case_id)
        assert case is not None and case.step == "paraphrase" and "paraphrase" not in case.answers
        await talker.say("So the last delivery let you down?")
        case = await core.store.get_case(case_id)
        assert case is not None and case.step == "cause"


@pytest.mark.parametrize(("lang", "answer"), [
    ("ru", "on govorit chto my sorvali srok i ego nikto ne predupredil"),
    ("en", "он говорит, что мы сорвали срок"),
    ("ro", "клиент говорит, что мы сорвали срок"),
])
def test_an_answer_in_another_alphabet_falls_back(lang: str, answer: str) -> None:
    """The rewrite knows words in their own script only: it must not wrap them unchanged in the frame."""
    result = draft_paraphrase(answer, lang)
    assert not result.sure and result.reason == "script"


@pytest.mark.parametrize(("lang", "quotes"), [("en", "“”"), ("ru", "«»"), ("ro", "„”")])
async def test_skipping_step_one_shows_the_frame_without_an_empty_quote(core: Core, lang: str, quotes: str) -> None:
    talker = Talker(core, user=f"skip-{lang}")
    await talker.say(f"/lang {lang}")
    await talker.say("/conflict the client is furious, we missed the launch deadline we promised")
    case_id = next(r.case_id for r in talker.last if r.case_id)
    await talker.press(f"w:{case_id}:offered:walk")
    await talker.press(f"w:{case_id}:listen:skip")
    text = talker.text()
    assert "…" in text and quotes not in text


@pytest.mark.parametrize(("answer", "lang"), [("yes", "en"), ("money", "en"), ("idk", "en"), ("1 2", "en"),
                                              ("деньги", "ru"), ("да", "ru"), ("banii", "ro"), ("nu stiu", "ro")])
def test_a_one_or_two_word_answer_gets_the_blank_frame(answer: str, lang: str) -> None:
    result = draft_paraphrase(answer, lang)
    assert not result.sure and "…" in result.draft


@pytest.mark.parametrize(("answer", "core"), [
    # verbs outside the hand-kept rows come from the generated table (verbecc, checked against wordfreq),
    # with the stem vowel's alternation ("întreabă" -> "întrebați")
    ("clienta zice că nu își găsește factura și întreabă de ce a crescut prețul",
     "nu vă găsiți factura și întrebați de ce a crescut prețul"),
    ("zice că încearcă de trei zile să ne sune", "încercați de trei zile să ne sunați"),
    ("el voia stejar și a primit nuc", "voiați stejar și ați primit nuc"),
    # an infinitive after "poate"/"va" stays; a subjunctive form is a verb only after "să" ("scuze": apologies)
    ("zice că nu poate deschide fișierul", "nu puteți deschide fișierul"),
    ("vrea rambursare completă și scuze de la noi", "vreți rambursare completă și scuze de la noi"),
])
def test_romanian_generated_verbs_agree_with_you(answer: str, core: str) -> None:
    result = draft_paraphrase(answer, "ro")
    assert result.sure, result.reason
    assert normalise(result.draft) == normalise(FRAME["ro"].format(core))


def test_romanian_verb_table_rows_are_well_formed() -> None:
    import yaml

    from handlers.paraphrase import _ro_verbs  # noqa: PLC2701 - the table the rewrite reads
    data = yaml.safe_load(Path("content/paraphrase/ro_verbs.yaml").read_text(encoding="utf-8"))
    rows = [*data["verbs"], *data["generated"]]
    assert len(data["generated"]) >= 300
    for row in rows:
        cells = [c.strip() for c in row.lstrip("~").split("|")]
        assert len(cells) == 4 and cells[2] != "-" and cells[2].endswith("ți"), row
    table = _ro_verbs()
    assert table["deschide"].you == "deschideți" and table["intreaba"].you == "întrebați"
    assert table["e"].weak and not table["deschide"].weak  # the hand-kept reading wins


@pytest.mark.parametrize(("lang", "answer", "core"), [
    # after "says that" the rest is the content: a noun and a "says" inside it are no second opening
    ("en", "he says that the invoice says 40 hours and we only logged 30", "the invoice says 40 hours and we only logged 30"),
    ("ru", "он говорит что в договоре написано пять правок а мы сделали две",
     "в договоре написано пять правок а мы сделали две"),
    ("ro", "zice că oferta spune livrare în cinci zile și noi am livrat în trei săptămâni",
     "oferta spune livrare în cinci zile și noi am livrat în trei săptămâni"),
    # "the client:" is an opening; "two things:" a preface
    ("en", "customer: the checkout button does nothing", "the checkout button does nothing"),
    ("ru", "заказчик: кнопка оплаты не работает", "кнопка оплаты не работает"),
    ("ro", "clienta: butonul de plată nu merge", "butonul de plată nu merge"),
    ("en", "she says two things: the fonts are wrong and the logo is blurry", "the fonts are wrong and the logo is blurry"),
    ("ru", "он пишет две вещи: шрифты не те и логотип размыт", "шрифты не те и логотип размыт"),
    ("ro", "zice două lucruri: fonturile sunt greșite și logoul e neclar", "fonturile sunt greșite și logoul e neclar"),
    # an insult about us goes when the client's own verb follows it
    ("en", "he says we are useless and wants a refund", "you want a refund"),
    ("ru", "пишет что мы бездари и требует вернуть деньги", "вы требуете вернуть деньги"),
    ("ro", "zice că suntem niște amatori și cere banii înapoi", "cereți banii înapoi"),
    # a second "says" without "that", after a comma
    ("en", "she was unhappy with the menu, said the prices are wrong", "you were unhappy with the menu, the prices are wrong"),
    # English: "her" before "last"/"money" is hers; "her wrong" is her; "his" with a client who is several
    ("en", "she says we lost her last two orders", "we lost your last two orders"),
    ("en", "she wants her money back today", "you want your money back today"),
    ("en", "he says we spelled his name wrong", "we spelled your name wrong"),
    ("en", "she is upset that we told her husband about the party", "you are upset that we told your husband about the party"),
    ("en", "the client's partner hates the new menu", "your partner hates the new menu"),
    # a he/she/they that cannot be the third party named (by number or gender) is the client
    ("en", "the clients husband hates the new tiles and now she wants them replaced",
     "your husband hates the new tiles and now you want them replaced"),
    # "the X of the client/my student says": whoever opens the report is the client
    ("en", "the manager of the gym says our cleaners skipped the showers and he wants a discount",
     "our cleaners skipped the showers and you want a discount"),
    ("en", "he says our app logs his customers out and he loses sales",
     "our app logs your customers out and you lose sales"),
    ("ru", "она говорит что её муж недоволен счётом и она хочет скидку", "ваш муж недоволен счетом и вы хотите скидку"),
    ("ro", "zice că soția lui a văzut factura și el vrea explicații", "soția dumneavoastră a văzut factura și vreți explicații"),
    # Romanian: "i se"/"i s-a" is to the client; "nu e" at the start is the client's; kin of the client
    ("ro", "zice că nu i s-a trimis nicio factură", "nu vi s-a trimis nicio factură"),
    ("ro", "nu e mulțumit de fotografii, zice că sunt prea întunecate", "nu sunteți mulțumit de fotografii, sunt prea întunecate"),
    ("ro", "zice că soțul ei nu a primit invitația", "soțul dumneavoastră nu a primit invitația"),
    ("ro", "zice că pozele sunt prea mici și nu le poate printa", "pozele sunt prea mici și nu le puteți printa"),
    ("ro", "are o problemă cu factura din martie", "aveți o problemă cu factura din martie"),
    # "так и не" is a particle, no second clause; "cum arată X": X is the subject after the verb
    ("ru", "он пишет что я так и не прислал ему договор", "я так и не прислал вам договор"),
    ("ro", "zice că nu îi place cum sună refrenul", "nu vă place cum sună refrenul"),
    # "teh", "pissed": typed for "the", said as "angry"
    ("en", "he's pissed teh site was down all weekend", "you're angry the site was down all weekend"),
    # "n-o" is "nu o"; "să ... -am" is the subjunctive "-ăm" typed without diacritics
    ("ro", "ei zic că rochia a venit ruptă și n-o acceptă", "rochia a venit ruptă și n-o acceptați"),
    ("ro", "zice ca trebuie sa-l anuntam cu o zi inainte", "trebuie să vă anunțăm cu o zi înainte"),
])
def test_dev4_kinds_agree_with_you(lang: str, answer: str, core: str) -> None:
    result = draft_paraphrase(answer, lang)
    assert result.sure, result.reason
    assert normalise(result.draft) == normalise(FRAME[lang].format(core))


@pytest.mark.parametrize(("lang", "answer"), [
    # quoted words are the client's own, in their first and second person: never rewritten, never guessed
    ("en", "he wrote 'you people never listen to me' and wants a call"),
    ("ru", "она написала «вы меня не слышите» и просит созвон"),
    ("ro", "a scris „nu mă ascultați niciodată” și vrea o întâlnire"),
    # "a joke", "смех", "glumă" about us is an insult too
    ("en", "says our prices are a joke"),
    # "his"/"him" with a client who is several: someone else
    ("en", "they said the groomer cut his ear"),
    # "вы" with no verb of its own is no sentence
    ("ru", "она пишет мне каждые пять минут и спрашивает про макет"),
    # "иначе" opens a clause whose subject could be anyone named before
    ("ru", "она хочет чтобы всё исправили к пятнице иначе напишет жалобу"),
    # "nimic" after a verb: what is paid or what fails
    ("ro", "zice că nu mai plătește nimic"),
    # "pot" with no opening: I can or they can
    ("ro", "nu pot plăti factura până nu primesc devizul"),
    # "the clients boss" reporting: the client named, not a third party
    ("en", "the clients boss called and said the banner has to be reprinted by monday"),
    # "o" before our verb with a feminine thing named before and the client's gender unknown
    ("ro", "zice că a comandat o masă în mai și nu o livrăm"),
    # probes: a thing of the pronoun's gender before an intransitive verb; "comanda" (the order) typed with
    # diacritics elsewhere is no verb and the "-o" after it may be the order; a bare opening verb; "pe care l-a"
    ("ru", "она злится что курьер оставил посылку соседям и она пропала"),
    ("ro", "au anulat comanda pentru că am trimis-o târziu"),
    ("ro", "mă sună noaptea din cauza scurgerii din baie"),
    ("ro", "zice că nu a primit linkul pentru webinarul pe care l-a plătit"),
    # "его" after a neuter thing with a client who is a he; "nu-l ... nimeni" after a masculine thing
    ("ru", "заказчик говорит что видео вышло слишком длинным и его никто не досмотрит"),
    ("ro", "clientul zice că videoclipul e prea lung și nu-l urmărește nimeni"),
    # "o" after a feminine thing ("rochia") with a client who is a she; a regular verb after "și" following
    # a thing's clause ("pachetul ... și lipsesc două produse")
    ("ro", "clienta zice ca rochia e prea stramta si vrea sa o refacem"),
    ("ro", "a scris că pachetul a ajuns deschis și lipsesc două produse"),
    # "nimic" after "a" + participle: what was learned or what happened
    ("ro", "zice ca cursul a fost prea scurt si nu a invatat nimic"),
])
def test_dev4_unsure_kinds_fall_back(lang: str, answer: str) -> None:
    result = draft_paraphrase(answer, lang)
    assert not result.sure, result.draft



@pytest.mark.parametrize(("lang", "answer", "core"), [
    # three or four sentences are rewritten one by one and joined; a sentence that only sets the scene goes
    ("en", "she booked a haircut for friday. we moved it twice. she says she wants a free session",
     "you booked a haircut for friday, we moved it twice and you want a free session"),
    ("en", "the client is a bakery in cluj. he says the labels we printed are wrong. he wants a reprint",
     "the labels we printed are wrong. You want a reprint"),  # two sentences left: kept as two, like any two
    ("ru", "клиентка мне позвонила. говорит что мы перепутали даты. требует перенести съёмку",
     "мы перепутали даты и вы требуете перенести съемку"),  # joined with "и": no subject of its own
    ("ro", "clientul are un magazin online. zice că site-ul e lent. a pierdut comenzi. vrea reducere",
     "site-ul e lent, ați pierdut comenzi și vreți reducere"),
    # after "and", a second "says" goes like the first: "and the result is uneven"
    ("en", "he booked a cleaning and says the carpet is still stained", "you booked a cleaning and the carpet is still stained"),
    # "a trebuit să" is impersonal; someone named after the client's "să" verb is its subject
    ("ro", "zice că a trebuit să închidă magazinul o zi", "a trebuit să închideți magazinul o zi"),
    ("ro", "vrea să vină cineva mâine să repare ușa", "vreți să vină cineva mâine să repare ușa"),
    ("ru", "она говорит что так и не получила ссылку на вебинар", "вы так и не получили ссылку на вебинар"),
    ("ru", "говорит что логотип выглядит дешево и он его не примет", "логотип выглядит дешево и вы его не примете"),
    # a verb with no subject ("пришлось") never takes the client's "вы"; "pe care nu a rezervat-o": the client's
    ("ru", "она говорит что мы перебронировали её салон и её клиентам пришлось ждать",
     "мы перебронировали ваш салон и вашим клиентам пришлось ждать"),
    ("ro", "clienta zice că a fost taxată pentru o cameră pe care nu a rezervat-o",
     "ați fost taxată pentru o cameră pe care nu ați rezervat-o"),
    # "să-și" before the client's verb is "să vă"
    ("ro", "spune că nu poate să-și deschidă magazinul online de ieri", "nu puteți să vă deschideți magazinul online de ieri"),
    # "according to him" is an opening; "bc" is "because"
    ("en", "according to him we never delivered the second batch", "we never delivered the second batch"),
    ("ru", "по его словам мы так и не прислали вторую партию", "мы так и не прислали вторую партию"),
    ("ro", "după el nu am livrat niciodată al doilea lot", "nu am livrat niciodată al doilea lot"),
    ("en", "she's mad bc we were late again", "you're mad because we were late again"),
])
def test_longer_answers_and_clauses(lang: str, answer: str, core: str) -> None:
    result = draft_paraphrase(answer, lang)
    assert result.sure, result.reason
    assert normalise(result.draft) == normalise(FRAME[lang].format(core))
