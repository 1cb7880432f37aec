"""Newcomer report 3, cards: the cards a situation lists must be about that situation. "Why a loyal client
suddenly turns rude" was listed for an unpaid invoice, for letting a client go and for a client looking for
a way out, and the card shown for "The client is not paying" was about weekend work and a deposit."""

from __future__ import annotations

import re

import pytest

from bot.core import Core
from content import library
from content.text import LANGUAGES
from tests.conftest import Talker

#: The situations about a long-standing client whose behaviour changed: the only ones the loyal-client
#: card (its title and its five causes) is about.
LONG_STANDING = {"loyal-client-turned-rude", "feels-neglected"}
#: Words of an unpaid invoice in each language (lower case, stems).
PAYMENT_WORDS = {"en": r"invoice|payment|paid|pay\b", "ru": r"оплат|счёт|долг", "ro": r"factur|plat|achit"}


def test_the_loyal_client_card_is_listed_only_where_a_loyal_client_changed() -> None:
    listing = {s.id for s in library().situations.values() if "why-loyal-clients-turn" in s.cards}
    assert listing <= LONG_STANDING, listing - LONG_STANDING
    assert "loyal-client-turned-rude" in listing


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_card_shown_for_late_payment_is_about_an_overdue_invoice(lang: str) -> None:
    lib = library()
    card = lib.cards[lib.situations["late-payment"].cards[0]]
    text = card.text(lang)
    for part in (text.title, text.when, " ".join(text.say)):
        assert re.search(PAYMENT_WORDS[lang], part.lower()), (card.id, part)
    assert not re.search(r"weekend|выходн|weekend|sfârșit de săptămână", " ".join([text.when, *text.say]).lower())


@pytest.mark.parametrize(("lang", "said", "title"), [
    ("en", "the client has not paid my invoice for 6 weeks", "Get an overdue invoice paid"),
    ("ru", "клиент не платит", "Добейтесь оплаты просроченного счёта"),
    ("ro", "clientul nu plătește factura", "Obțineți plata facturii restante"),
])
async def test_an_unpaid_invoice_gets_the_overdue_payment_card(core: Core, lang: str, said: str, title: str) -> None:
    talker = Talker(core, user=f"pay-{lang}", lang_hint=lang)
    await talker.say(said)
    assert title in talker.text(), talker.text()[:400]


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_cards_lists_no_loyal_client_card_under_payment_parting_or_exit(core: Core, lang: str) -> None:
    lib = library()
    talker = Talker(core, user=f"cards-{lang}", lang_hint=lang)
    await talker.say("/cards")
    text = talker.text()
    loyal = lib.cards["why-loyal-clients-turn"].text(lang).title
    for situation in ("late-payment", "considering-firing-client", "client-seeking-exit", "client-not-cooperating"):
        title = lib.situations[situation].text(lang).title
        section = text.split(f"**{title}**", 1)[1].split("\n\n", 1)[0]
        assert loyal not in section, (situation, section)
