""""Last Friday" is a day behind us, in every language: read as the past day, so the walkthrough's
"that has already passed" question fires instead of a reminder for next Friday."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handlers.timeparse import deadline_in
from tests.conftest import Talker

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday; the Friday before was 20 November


@pytest.mark.parametrize("text", ["we redo it by last friday", "last Friday at 18:00", "on past friday",
                                  "переделаем до прошлой пятницы", "в прошлую пятницу", "к прошлой пятнице",
                                  "refacem până vinerea trecută", "vineri trecută la 18:00"])
def test_last_friday_is_the_friday_behind_us(text: str) -> None:
    found = deadline_in(text, NOW, "UTC")
    assert found is not None
    assert found.used.when.date() == datetime(2026, 11, 20).date(), found.used.when


@pytest.mark.parametrize("text", ["we redo it by friday", "до пятницы", "până vineri", "next friday",
                                  "vinerea viitoare"])
def test_a_plain_or_next_friday_is_still_ahead(text: str) -> None:
    found = deadline_in(text, NOW, "UTC")
    assert found is not None and found.used.when > NOW


@pytest.mark.parametrize(("lang", "text", "said"), [
    ("en", "we redo the banner by last friday", "already passed"),
    ("ru", "переделаем баннер до прошлой пятницы", "уже прош"),
    ("ro", "refacem bannerul până vinerea trecută", "a trecut"),
])
async def test_the_walkthrough_asks_about_a_past_friday(talker: Talker, lang: str, text: str, said: str) -> None:
    talker.lang_hint = lang
    await talker.say({"en": "the client is furious, we missed the launch deadline we promised",
                      "ru": "клиент в ярости, мы сорвали обещанный срок запуска",
                      "ro": "clientul e furios, am ratat termenul de lansare promis"}[lang])
    case_id = next(r.case_id for r in talker.last if r.case_id)
    assert case_id is not None
    await talker.press(f"w:{case_id}:offered:walk")
    case = await talker.core.store.get_case(case_id)
    assert case is not None
    case.step = "solution"
    await talker.core.store.save_case(case)
    await talker.say(text)
    assert said in talker.text(), talker.text()
    case = await talker.core.store.get_case(case_id)
    assert case is not None and case.step == "deadline"
