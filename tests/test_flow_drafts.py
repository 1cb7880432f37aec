"""What the walkthrough drafts say to the client: the user's words about the client turned to speak to the
client (or a marked blank beside the user's words), the agreement quoted only when there is one, a rule
for respectful communication, an honest parting reason, the history labels and dates written out in full."""

from __future__ import annotations

import pytest

from bot.core import Core
from bot.store import Case
from handlers.flow_steps import BLANK
from handlers.paraphrase import to_client
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
