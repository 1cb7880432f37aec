"""Romanian paraphrase kinds seen with the dev6 writers (new personas: print shops, a car service, a town
hall): old-orthography î, "i" typed for "â", chat spellings, clitics that take up a thing named before,
"au" that is "have", infinitives, named people and "cei de la ..." as the client, ambiguous diacritics
that grammar settles, and an insult said as a sentence of its own. Sentences are our own, not the data's."""

from __future__ import annotations

import pytest

from benchmarks.paraphrase_eval import SPLITS, evaluate, load, normalise
from handlers.paraphrase import draft_paraphrase

FRAME = "Dacă v-am înțeles corect, {}. Așa este?"


@pytest.mark.parametrize(("answer", "core"), [
    # the draft is in today's orthography: â inside a word, î only at its start (or after a prefix)
    ("zice că prețul e mai mare decît în ofertă", "prețul e mai mare decât în ofertă"),
    ("zice ca vrea machetele pina miine", "vreți machetele până mâine"),
    ("zice că nu avem încredere în partenerii noștri", "nu avem încredere în partenerii noștri"),
    # "i" typed for "â" (the old î): the word the table knows with â there
    ("zice ca am intirziat cu livrarea", "am întârziat cu livrarea"),
    ("zice ca afisul e strimb", "afișul e strâmb"),
    # chat spellings written out
    ("zice ca tre sa refacem afisul", "trebuie să refacem afișul"),
    ("zice ca nu a primit nici o factura", "nu ați primit nicio factură"),
    ("zice ca vrea reducere pt intirziere", "vreți reducere pentru întârziere"),
    # an accusative clitic on our verb takes up the thing named before it, not the client
    ("zice ca afisul e sters si vrea sa-l refacem", "afișul e șters și vreți să-l refacem"),
    ("zice ca macheta e gresita si vrea sa o refacem", "macheta e greșită și vreți să o refacem"),
    ("zice ca pliantele au venit patate si vrea sa le refacem", "pliantele au venit pătate și vreți să le refacem"),
    # ... but a verb that is done to people ("sună", "anunță") still takes the client
    ("zice ca afisul e gata dar nu l-am anuntat", "afișul e gata dar nu v-am anunțat"),
    ("zice ca macheta e gata si vrea sa o sunam", "macheta e gata și vreți să vă sunăm"),
    # "au" before no participle is "have": "aveți"
    ("ei zic ca nu mai au rabdare cu noi", "nu mai aveți răbdare cu noi"),
    # "de a face": an infinitive, not the client's verb
    ("zice ca nu mai vrea sa aiba de a face cu noi", "nu mai vreți să aveți de-a face cu noi"),
    # "cine" is the subject of its own verb
    ("vrea sa stie cine plateste transportul", "vreți să știți cine plătește transportul"),
    # a weak verb after "sau ne" is the client's, as at the start
    ("zice ca ne da termen o saptamana sau ne da in judecata", "ne dați termen o săptămână sau ne dați în judecată"),
    # the client named: a first name, "doamna X", "cei de la ..."
    ("Maria zice că am greșit culoarea", "am greșit culoarea"),
    ("doamna Ionescu e foarte supărată că afișul a venit rupt", "sunteți foarte supărată că afișul a venit rupt"),
    ("cei de la hotel zic ca n-au primit factura", "n-ați primit factura"),
    ("de la scoala zic ca diplomele au venit cu greseli", "diplomele au venit cu greșeli"),
    # diacritics grammar settles: an infinitive after "poate", the present after a reflexive, "să" + -ăm,
    # "că" after a verb of saying with a place in between
    ("zice ca nu poate da asa ceva la tipar", "nu puteți da așa ceva la tipar"),
    ("zice ca isi cauta alt furnizor", "vă căutați alt furnizor"),
    ("zice ca am schimbat textul fara sa-l intrebam", "am schimbat textul fără să vă întrebăm"),
    ("ne-a scris pe mail ca nu raspundem la telefon", "nu răspundem la telefon"),
    # an insult said as its own sentence goes; the complaint after it stays
    ("zice ca suntem niste amatori. afisul s-a dezlipit dupa o zi", "afișul s-a dezlipit după o zi"),
    # a verb whose subject follows it: "au venit doar 300" (the flyers), not the client
    ("zice ca am luat bani pe 400 de afise dar au venit doar 200", "am luat bani pe 400 de afișe dar au venit doar 200"),
    # "place": the one it pleases is the dative, the client
    ("ea zice că nu-i place culoarea pereților", "nu vă place culoarea pereților"),
    # the table knows only "centrală"; after a verb the noun has its article; "a doua" is the ordinal
    ("zice ca i s-a oprit centrala a doua zi dupa revizie", "vi s-a oprit centrala a doua zi după revizie"),
    # "cei de la ..." are several: "le" with an object after our verb is "to you"
    ("cei de la primarie zic ca nu platesc pina nu le trimitem contractul", "nu plătiți până nu vă trimitem contractul"),
    # "să-i trimit": our "I" after "să" (the third person would be "trimită")
    ("zice ca vrea sa-i trimit toate fisierele", "vreți să vă trimit toate fișierele"),
    # "se" + a verb at the start of the second sentence: the client's reflexive
    ("Zice că nu i-a plăcut oferta. Se simte păcălită.", "nu v-a plăcut oferta. Vă simțiți păcălită"),
    # a preposition's noun is no subject: the client's verb after "de o săptămână" is still theirs
    ("zice că de o săptămână așteaptă să-i sunăm", "de o săptămână așteptați să vă sunăm"),
    # after a "dacă" clause and its comma the main clause opens: its bare verb is the client's
    ("mi-a zis că dacă nu terminăm până vineri, nu ne mai plătește", "dacă nu terminăm până vineri, nu ne mai plătiți"),
    # ... but after a place, "scrie"/"apare" are what is written or shown there, not the client
    ("zice că pe site scrie altceva decât în contract", "pe site scrie altceva decât în contract"),
    # a sentence that only says how the complaint came is left out
    ("managerul lor ne-a trimis un mesaj vocal. zice ca site-ul nu merge. pierd clienti din cauza noastra",
     "site-ul nu merge. Pierdeți clienți din cauza noastră"),
    # the polite third-person pronouns are the client too
    ("dumnealui spune că i-am stricat mașina", "v-am stricat mașina"),
    ("dînsa e nemulțumită că am întîrziat cu livrarea", "sunteți nemulțumită că am întârziat cu livrarea"),
    ("zice că dânsa n-a primit nimic", "n-ați primit nimic"),
    # "cică": "he says that", typed as one word
    ("cică i-am dat rest greșit", "v-am dat rest greșit"),
    # the subject after the reporting verb
    ("ne-a scris clienta că nu a primit coletul", "nu ați primit coletul"),
    # "trebuiau gata": the colloquial ellipsis written out; a noun right after a noun with its article has none
    ("zice ca afisele trebuiau gata ieri", "afișele trebuiau să fie gata ieri"),
    ("zice ca vrea codul sursa", "vreți codul sursă"),
    # a word that is a verb or a noun with its article, before a number: the verb
    ("zice ca i-am spus ca rezista 5 ani", "v-am spus că rezistă 5 ani"),
    # "s-a răzgândit": only a person changes their mind; "nu-și" is the client's reflexive
    ("zice că vrea înapoi avansul pentru că s-a răzgândit", "vreți înapoi avansul pentru că v-ați răzgândit"),
    ("zice că nu-și găsește comanda în cont", "nu vă găsiți comanda în cont"),
    # "întreabă": the client's own question, kept and turned to "you"
    ("doamna de la hotel intreaba de ce nu i-am trimis factura", "întrebați de ce nu v-am trimis factura"),
])
def test_romanian_dev6_kinds(answer: str, core: str) -> None:
    result = draft_paraphrase(answer, "ro")
    assert result.sure, result.reason
    assert normalise(result.draft) == normalise(FRAME.format(core)), result.draft


@pytest.mark.parametrize("answer", [
    # the thing or the client: a verb done to people or things after a thing of the same gender
    "zice ca oferta e gata dar o ignoram",
    # "le" after things with an object of its own: to them or the things
    "zice ca pliantele sunt gata si vrea sa le trimitem factura",
    # an insult sentence with nothing else: nothing left to say back
    "zice ca suntem niste amatori",
    # a question: the frame states, it does not ask
    "zice ca de ce n-am anuntat-o ca intarziem",
    # the main clause after "dacă" without a comma: whose is "dau"
    "au zis ca daca nu le dam banii inapoi ne dau in judecata",
    # "o să" + a weak verb in the client's place: the client's or a thing's
    "zice că o să facă plângere",
    # a third person's "își" left: maybe the client's
    "a zis că nu mai are încredere în noi și că își ia mașina",
    # a reflexive verb the table does not know, left in the third person
    "se vaietă că prețul e prea mare",
    # "ea" after a preposition with a feminine thing named before: the car or the client
    "zice că am ținut mașina trei zile și n-am făcut nimic la ea",
    # a second "zice că" after "și": whether it gives the reason or adds a point is the writer's to say
    "el vrea sa-i facem si logo si site la acelasi pret si zice ca altii fac asa",
    # a put-down of our work ("made by a first-year student") is never echoed
    "zice ca toate variantele par facute de un student in anul intai",
    # "altcineva" after the verb is its subject (someone else comes, "vreți să veniți altcineva" no more); whose
    # is the "să termine" after it the net cannot tell
    "zice că vrea să vină altcineva să termine lucrarea",
    # the client's own words after a colon: their "I" and "voi"
    "clientul a zis: nu mai lucrez cu voi",
    # "el" after its verb: the verb is the client's and stays in the third person
    "zice că logoul nu mai seamănă cu ce avea el",
])
def test_romanian_dev6_unsure_kinds_fall_back(answer: str) -> None:
    result = draft_paraphrase(answer, "ro")
    assert not result.sure, result.draft


def _ro_shares(split: str) -> tuple[float, float, float]:
    score = evaluate(load(SPLITS[split]))["ro"]
    return score.share(score.sendable), score.share(score.fallback), score.share(score.wrong)


def test_dev6_romanian_floor() -> None:
    """dev6 (two new writers, tuned on): Romanian measured before its kinds were fixed at 0.271 sendable /
    0.40 fallback / 0.329 wrong, after at 0.629 / 0.343 / 0.029. Floors a couple of points under that."""
    sendable, _fallback, wrong = _ro_shares("dev6")
    assert sendable >= 0.60 and wrong <= 0.03, (sendable, wrong)


def test_dev7_romanian_guard() -> None:
    """dev7 is never tuned on (aggregate only): untouched 0.229 sendable / 0.343 fallback / 0.429 wrong, after
    the dev6 work 0.314 / 0.30 / 0.386. A guard that its wrong share does not rise past the untouched one."""
    sendable, _fallback, wrong = _ro_shares("dev7")
    assert sendable >= 0.30 and wrong <= 0.429, (sendable, wrong)
