"""Commands driven with plain Events against a temp-file store."""

from __future__ import annotations

import pytest

from bot.core import Core
from bot.events import Event, EventKind
from bot.owner import unstamp
from content import library
from tests.conftest import Talker


async def test_help_and_start_in_each_language(core: Core) -> None:
    for lang, word in (("en", "conflict"), ("ru", "конфликт"), ("ro", "conflict")):
        talker = Talker(core, user=f"h-{lang}", lang_hint=lang)
        replies = await talker.say("/start")
        assert "Parley" in replies[0].text and word in replies[0].text.lower()
        assert [unstamp(c.id)[0] for c in replies[0].choices] == ["cf:menu", "m:cards"]


async def test_telegram_language_hint_sets_a_new_users_language(core: Core) -> None:
    talker = Talker(core, user="ivan", lang_hint="ru-RU")
    await talker.say("/help")
    user = await core.store.get_user("console", "ivan")
    assert user is not None and user.lang == "ru"
    unknown = Talker(core, user="hans", lang_hint="de")
    await unknown.say("/help")
    assert (await core.store.get_user("console", "hans")).lang == "en"  # type: ignore[union-attr]


async def test_cards_lists_every_card_grouped_by_situation(talker: Talker) -> None:
    text = (await talker.say("/cards"))[0].text
    lib = library()
    for card in lib.cards.values():
        assert f"/card {card.id}" in text
    for situation in lib.situations.values():
        assert situation.en.title in text


@pytest.mark.parametrize(("query", "card_id"), [("listen-fully", "listen-fully"), ("paraphrase", "paraphrase-confirm"),
                                                 ("перефраз", "paraphrase-confirm"), ("parafrazare", "paraphrase-confirm")])
async def test_card_by_id_or_words_in_any_language(talker: Talker, query: str, card_id: str) -> None:
    text = (await talker.say(f"/card {query}"))[0].text
    assert library().cards[card_id].en.title in text


async def test_card_in_each_language(core: Core) -> None:
    card = library().cards["listen-fully"]
    for lang in ("en", "ru", "ro"):
        talker = Talker(core, user=f"card-{lang}")
        await talker.say(f"/lang {lang}")
        text = (await talker.say("/card listen-fully"))[0].text
        assert card.text(lang).title in text and card.text(lang).steps[0] in text


async def test_unknown_card_and_empty_card(talker: Talker) -> None:
    assert "/cards" in (await talker.say("/card zebra-crossing"))[0].text
    assert "/card" in (await talker.say("/card"))[0].text


async def test_unknown_command_suggests_the_closest(talker: Talker) -> None:
    assert "/cards" in (await talker.say("/crads"))[0].text
    text = (await talker.say("/xyzzy"))[0].text
    assert "/xyzzy" in text and "/help" in text


async def test_empty_and_oversized_input(talker: Talker) -> None:
    assert "/help" in (await talker.say("   "))[0].text
    text = (await talker.say("x" * 100_000))[0].text
    assert "100000" in text and "4000" in text


async def test_lang_menu_and_switch(talker: Talker) -> None:
    replies = await talker.say("/lang")
    assert [unstamp(c.id)[0] for c in replies[0].choices] == ["m:lang:en", "m:lang:ru", "m:lang:ro"]
    await talker.press("m:lang:ro")
    assert "română" in talker.text()
    assert "Parley" in (await talker.say("/help"))[0].text and "conflict" in talker.text()
    assert "pas cu pas" in talker.text()


async def test_tz_and_quiet(talker: Talker) -> None:
    assert "Europe/Chisinau" in (await talker.say("/tz chisinau"))[0].text
    assert "Europe/Chisinau" in (await talker.say("/tz"))[0].text
    assert "Mars" in (await talker.say("/tz Mars/Base"))[0].text
    assert "22:00–08:00" in (await talker.say("/quiet 22:00-08:00"))[0].text
    assert "/quiet 22:00-08:00" in (await talker.say("/quiet late"))[0].text
    assert (await talker.core.store.get_user("console", "u1")).quiet_start == "22:00"  # type: ignore[union-attr]
    await talker.say("/quiet off")
    assert (await talker.core.store.get_user("console", "u1")).quiet_start is None  # type: ignore[union-attr]


async def test_repeated_event_id_is_processed_once(core: Core) -> None:
    event = Event(platform="console", event_id="same", user_id="u", chat_id="c", kind=EventKind.MESSAGE,
                  text="/help")
    assert await core.handle(event)
    assert await core.handle(event) == []


async def test_stale_or_garbage_buttons_are_answered_privately(talker: Talker) -> None:
    for value in ("zz:1", "w:999:listen:skip", "w:abc", "n:999:done", "m:lang:de", "cf:s:nope",
                  "w:99999999999999999999999:listen:skip", "n:99999999999999999999999:done", "w:٣:listen:skip"):
        replies = await talker.press(value)
        assert replies and replies[0].private, value


async def test_check_command_quotes_a_dont(talker: Talker) -> None:
    text = (await talker.say("/check Calm down, it was not me who broke it"))[0].text
    assert "Calm down" in text or "calm down" in text.lower()
    assert "/check" in (await talker.say("/check"))[0].text


async def test_a_blocked_user_who_writes_again_is_unblocked(core: Core) -> None:
    from bot.store import User

    await core.store.save_user(User(platform="console", user_id="back", lang="en", tz="UTC", blocked=True))
    await Talker(core, user="back").say("/help")
    user = await core.store.get_user("console", "back")
    assert user is not None and user.blocked is False


async def test_every_event_is_marked_done_with_or_without_writes(core: Core) -> None:
    talker = Talker(core, user="done")
    await talker.say("/help")  # reads only
    await talker.say("/tz Europe/Chisinau")  # one write, which carries the done mark
    await talker.say("/quiet 22:00-07:00")
    assert await core.store.unfinished_events("console") == []
    user = await core.store.get_user("console", "done")
    assert user is not None and user.tz == "Europe/Chisinau" and user.quiet_end == "07:00"


async def test_pause_and_resume_reminders(talker: Talker, clock) -> None:  # type: ignore[no-untyped-def]
    text = (await talker.say("/quiet pause 3d"))[0].text
    assert "paused until" in text
    user = await talker.core.store.get_user("console", "u1")
    assert user is not None and user.paused_until is not None
    assert (user.paused_until - clock.now).days == 3
    assert "paused until" in (await talker.say("/quiet"))[0].text
    assert "on again" in (await talker.say("/quiet resume"))[0].text
    assert (await talker.core.store.get_user("console", "u1")).paused_until is None  # type: ignore[union-attr]


async def test_case_command_with_absurd_numbers(talker: Talker) -> None:
    for text in ("/case 99999999999999999999999", "/case export 123456789012345678901234567890", "/case #0"):
        replies = await talker.say(text)
        assert replies and "wrong" not in replies[0].text.lower(), text


async def test_case_command_keeps_a_closed_case_readable_and_names_a_missing_one(talker: Talker) -> None:
    await talker.say("the client refuses to pay the invoice")
    await talker.say("/case close")
    await talker.pick("resolved")
    assert "/case export" in talker.text()  # the close message promises the history stays there
    export = (await talker.say("/case export 1"))[0].text
    assert export.startswith("# Case #1") and "Resolved" in export
    view = (await talker.say("/case 1"))[0].text
    assert "closed" in view and "/case export 1" in view
    missing = (await talker.say("/case 9"))[0].text
    assert "no case #9" in missing and "button" not in missing
    none = (await talker.say("/case"))[0].text
    assert "no open cases" in none and "reminder" not in none
    other = Talker(talker.core, user="someone-else")
    assert "no case #1" in (await other.say("/case export 1"))[0].text


async def test_unsure_menu_lists_the_likely_situations_first(talker: Talker, monkeypatch: pytest.MonkeyPatch) -> None:
    from handlers import conflict
    from handlers.triage import Match, Triage

    ids = list(library().situations)
    scores = {ids[-1]: 0.4, ids[-3]: 0.35}  # two weak, tied-ish candidates at the end of the list
    unsure = Triage([Match(sid, scores.get(sid, 0.0)) for sid in sorted(ids, key=lambda s: -scores.get(s, 0.0))],
                    "en", confident=False)
    monkeypatch.setattr(conflict, "triage", lambda text, lang=None: unsure)
    replies = await talker.say("he calls ten times a day and says we delivered nothing, wants his money back")
    shown = [unstamp(c.id)[0].removeprefix("cf:s:") for c in replies[0].choices]
    assert shown[:2] == [ids[-1], ids[-3]] and sorted(shown) == sorted(ids)


@pytest.mark.parametrize(("typed", "zone"), [("Москва", "Europe/Moscow"), ("кишинёв", "Europe/Chisinau"),
                                              ("Chișinău", "Europe/Chisinau"), ("bucurești", "Europe/Bucharest"),
                                              ("new york", "America/New_York"), ("Europe/Riga", "Europe/Riga")])
async def test_tz_understands_city_names_in_each_language(talker: Talker, typed: str, zone: str) -> None:
    assert zone in (await talker.say(f"/tz {typed}"))[0].text


@pytest.mark.parametrize(("typed", "zone"), [("UTC+3", "Etc/GMT-3"), ("+03:00", "Etc/GMT-3"), ("utc-5", "Etc/GMT+5"),
                                              ("GMT+2", "Etc/GMT-2"), ("+0", "UTC"), ("UTC+15", None)])
def test_tz_takes_a_whole_hour_offset_as_a_fixed_zone(typed: str, zone: str | None) -> None:
    from zoneinfo import ZoneInfo

    from handlers.commands import find_zone

    assert find_zone(typed) == zone
    if zone:
        ZoneInfo(zone)  # a real IANA zone, so the scheduler can use it


@pytest.mark.parametrize(("typed", "hours"), [("10pm-7am", ("22:00", "07:00")), ("9:30pm - 7:15am", ("21:30", "07:15")),
                                              ("12am-6am", ("00:00", "06:00")), ("22-8", ("22:00", "08:00")),
                                              ("13pm-7am", None), ("08:00-08:00", None)])
def test_quiet_hours_read_am_and_pm(typed: str, hours: tuple[str, str] | None) -> None:
    from handlers.commands import parse_quiet

    assert parse_quiet(typed) == hours
