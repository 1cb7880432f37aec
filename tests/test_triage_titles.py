"""A message that says a situation's own title (folded: case, diacritics, punctuation, articles) ranks
that situation first and is confident: "client is not paying" opens the card, not the menu."""

from __future__ import annotations

import pytest

from bot.core import Core
from handlers.triage import title_match, triage
from tests.conftest import Talker


@pytest.mark.parametrize(("text", "lang", "situation"), [
    ("client is not paying", "en", "late-payment"),
    ("The client is NOT paying!!", "en", "late-payment"),
    ("help, the client is not paying again", "en", "late-payment"),
    ("endless revisions", "en", "endless-revisions"),
    ("клиент не платит", "ru", "late-payment"),
    ("Клиенту не хватает внимания", "ru", "feels-neglected"),
    ("бесконечные правки, что делать", "ru", "endless-revisions"),
    ("clientul nu plateste", "ro", "late-payment"),
    ("Clientul se simte neglijat, ce fac?", "ro", "feels-neglected"),
    ("clientul cere mai mult decat s-a convenit", "ro", "demands-beyond-agreement"),
])
def test_a_situation_title_is_confident_and_first(text: str, lang: str, situation: str) -> None:
    result = triage(text, lang)
    assert result.matches[0].id == situation and result.confident, result.matches[:3]
    assert title_match(text) == situation


@pytest.mark.parametrize("text", ["the client is paying on time and happy", "client not", "a client",
                                  "клиент платит вовремя", "revisions"])
def test_part_of_a_title_is_not_a_title(text: str) -> None:
    assert title_match(text) is None


async def test_a_plain_title_opens_a_case_that_followup_finds(core: Core) -> None:
    talker = Talker(core)
    await talker.say("client is not paying")
    assert any(r.case_id for r in talker.last), talker.text()
    await talker.say("/followup tomorrow 10:00")
    assert "no case" not in talker.text().lower()
