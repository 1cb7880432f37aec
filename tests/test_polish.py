"""A newcomer's report: statuses of parked cases, which case /case close closes, spans under a minute,
duration units typed the Russian or Romanian way, and the language of what the bot renders."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.core import Core
from content import library
from handlers.check import check_draft, render_check
from handlers.render import card_text, relative_text, when_text
from handlers.timeparse import parse_when
from tests.conftest import Talker
from tests.test_language_quality import texts
from tests.test_walkthrough import walk_to_cause

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def t(key: str, lang: str = "en", **kw: object) -> str:
    return library().t(key, lang, **kw)


# -- 1. a case set aside for a new conflict ---------------------------------------------------------


async def _park_one(talker: Talker) -> tuple[int, int]:
    """A case walked to step 3, then set aside by a new conflict started from the menu."""
    first = await walk_to_cause(talker)
    await talker.say("/conflict")
    await talker.press("cf:s:late-payment")
    second = next(r.case_id for r in talker.last if r.case_id)
    assert second is not None and second != first
    return first, second


async def test_a_parked_case_shows_where_it_stopped_and_how_to_resume(talker: Talker) -> None:
    first, _ = await _park_one(talker)
    text = (await talker.say("/cases"))[0].text
    line = next(x for x in text.splitlines() if f"#{first} " in x)
    assert t("step.tracking") not in line, line
    assert t("step.cause") in line and "3" in line and f"/case {first}" in line, line
    summary = (await talker.say(f"/case {first}"))[0].text
    assert t("step.cause") in summary and t("step.tracking") not in summary, summary
    assert t("walk.resume") in [c.label for c in talker.last[0].choices]


async def test_a_parked_case_in_russian(talker: Talker) -> None:
    await talker.say("/lang ru")
    first, _ = await _park_one_ru(talker)
    text = (await talker.say("/cases"))[0].text
    line = next(x for x in text.splitlines() if f"№ {first} " in x)
    assert "на паузе, шаг 2 из 5" in line and t("step.paraphrase", "ru") in line and f"/case {first}" in line, line


async def _park_one_ru(talker: Talker) -> tuple[int, int]:
    await talker.say("клиент в ярости, мы сорвали обещанный срок запуска")
    first = next(r.case_id for r in talker.last if r.case_id)
    await talker.pick("по шагам")
    await talker.say("он злится, что запуск сдвинулся на две недели")
    await talker.say("/conflict")
    await talker.press("cf:s:late-payment")
    second = next(r.case_id for r in talker.last if r.case_id)
    assert first is not None and second is not None
    return first, second


async def test_a_finished_walkthrough_without_reminders_does_not_claim_to_wait_for_one(talker: Talker) -> None:
    await walk_to_cause(talker)
    for _ in range(3):
        await talker.pick("skip")
    text = (await talker.say("/cases"))[0].text
    assert "waiting" not in text.lower(), text


# -- 2. which case /case close closes --------------------------------------------------------------


async def test_case_close_names_the_only_open_case(talker: Talker) -> None:
    await talker.say("the client is furious, we missed the launch deadline we promised")
    case_id = next(r.case_id for r in talker.last if r.case_id)
    title = library().situations["we-missed-a-commitment"].en.title
    reply = (await talker.say("/case close"))[0]
    assert f"#{case_id}" in reply.text and title in reply.text, reply.text
    await talker.pick(t("outcome.resolved"))
    assert f"#{case_id}" in talker.text() and title in talker.text(), talker.text()


@pytest.mark.parametrize("command", ["/case close", "/case export", "/case"])
async def test_with_several_open_cases_case_asks_which_one(talker: Talker, core: Core, command: str) -> None:
    first, second = await _park_one(talker)
    reply = (await talker.say(command))[0]
    labels = [c.label for c in reply.choices]
    assert any(f"#{first}" in x for x in labels) and any(f"#{second}" in x for x in labels), labels
    assert (await core.store.get_case(first)).is_open  # type: ignore[union-attr]
    await talker.pick(f"#{first}")
    if command == "/case close":
        assert f"#{first}" in talker.text()
        await talker.pick(t("outcome.resolved"))
        assert not (await core.store.get_case(first)).is_open  # type: ignore[union-attr]
        assert (await core.store.get_case(second)).is_open  # type: ignore[union-attr]
    else:
        assert f"#{first}" in talker.text()


async def test_the_close_question_names_the_case_from_any_button(talker: Talker) -> None:
    case_id = await walk_to_cause(talker)
    await talker.pick("close the case")
    assert f"#{case_id}" in talker.text(), talker.text()


# -- 3. spans under a minute -----------------------------------------------------------------------


@pytest.mark.parametrize(("seconds", "en", "ru", "ro"), [
    (10, "in 10 seconds", "через 10 секунд", "peste 10 secunde"),
    (1, "in a second", "через секунду", "peste o secundă"),
    (45, "in 45 seconds", "через 45 секунд", "peste 45 de secunde"),
])
def test_under_a_minute_the_seconds_are_said(seconds: int, en: str, ru: str, ro: str) -> None:
    moment = NOW + timedelta(seconds=seconds)
    assert [relative_text(moment, NOW, lang) for lang in ("en", "ru", "ro")] == [en, ru, ro]


async def test_followup_in_ten_seconds_says_ten_seconds(talker: Talker) -> None:
    await talker.say("the client is furious, we missed the launch deadline we promised")
    assert "in 10 seconds" in (await talker.say("/followup 10s"))[0].text
    await talker.say("/lang ro")
    assert "peste 10 secunde" in (await talker.say("/followup 10 s"))[0].text


# -- 4. duration units typed the Russian or Romanian way --------------------------------------------


@pytest.mark.parametrize(("typed", "span"), [
    ("3z", timedelta(days=3)), ("3 zi", timedelta(days=3)), ("3 zile", timedelta(days=3)),
    ("2o", timedelta(hours=2)), ("2 ore", timedelta(hours=2)), ("2 h", timedelta(hours=2)),
    ("30 s", timedelta(seconds=30)), ("1 săpt", timedelta(days=7)), ("10 min", timedelta(minutes=10)),
    ("3д", timedelta(days=3)), ("2 ч", timedelta(hours=2)), ("10 мин", timedelta(minutes=10)),
    ("1 нед", timedelta(days=7)),
])
def test_duration_units_of_each_language(typed: str, span: timedelta) -> None:
    parsed = parse_when(typed, NOW, "UTC")
    assert parsed is not None and parsed[0] - NOW == span and parsed[1] == "", typed


def test_a_glued_romanian_o_is_not_read_out_of_a_sentence() -> None:
    """"o să" is the Romanian future: "joi la 15 o să trimitem" stays 15:00 on Thursday."""
    parsed = parse_when("joi la 15 o să trimitem", NOW, "UTC")
    assert parsed is not None and parsed[0].hour == 15


@pytest.mark.parametrize(("lang", "typed"), [("ro", "3z"), ("ro", "2 zile"), ("ru", "3д"), ("ru", "2 дня")])
async def test_quiet_pause_understands_the_units(talker: Talker, lang: str, typed: str) -> None:
    await talker.say(f"/lang {lang}")
    text = (await talker.say(f"/quiet pause {typed}"))[0].text
    assert text != t("quiet.usage", lang), text
    user = await talker.core.store.get_user("console", "u1")
    assert user is not None and user.paused_until is not None


_EXAMPLE = re.compile(r"/(?:followup|quiet pause) ([^,;)»”\n]+?)(?=[,;)»”\n]|\.(?:\s|$)|$| —| –)")


@pytest.mark.parametrize("lang", ["ru", "ro"])
def test_every_duration_the_hints_show_is_understood_and_local(lang: str) -> None:
    lib = library()
    shown: list[str] = []
    for key in ("followup.usage", "followup.unclear", "followup.past", "quiet.usage", "help.text",
                "walk.no_deadline", "followup.note_unread"):
        text = lib.t(key, lang, text="x")
        assert not re.search(r"\b\d+[mhd]\b", text), (key, text)  # no Latin "10m, 2h, 3d" in ru/ro
        shown += [x for x in _EXAMPLE.findall(text) if not x.split()[0].isupper() and key != "followup.note_unread"]
    listed = lib.t("followup.unclear", lang, text="x").split(": ", 1)[1].rstrip(".").split(", ")
    shown += listed
    assert len(shown) > 8
    assert [s for s in shown if parse_when(s, NOW, "UTC", lang) is None] == []


# -- 5. deadlines in Russian ----------------------------------------------------------------------


def test_russian_dates_have_the_weekday() -> None:
    assert when_text(datetime(2026, 12, 4, 16, 0, tzinfo=UTC), "Europe/Chisinau", "ru") == "пт, 4 декабря, 18:00"


def test_russian_deadline_reading_does_not_say_according_to() -> None:
    ru = [t(k, "ru", when="x", words="y") for k in ("walk.deadline_read", "walk.deadline_unused")]
    assert not [x for x in ru if "по словам" in x or "не учтено" in x], ru


def test_no_ru_or_ro_sentence_starts_with_the_date() -> None:
    """The date starts lower case ("пт, 4 декабря", "vineri, 4 decembrie"), so it goes mid-sentence."""
    bad = []
    for key, by_lang in library().strings.items():
        for lang in ("ru", "ro"):
            if re.search(r"(?:^|[.!?]\s+)\{when\}", str(by_lang[lang])):
                bad.append((key, lang))
    assert bad == []


# -- 6. statuses read as states -------------------------------------------------------------------


def test_russian_statuses_are_not_instructions() -> None:
    lib = library()
    steps = [k for k in lib.strings if k.startswith("step.")]
    infinitive = re.compile(r"(?:ть|ться|ти)$")
    assert [(k, lib.t(k, "ru")) for k in steps if infinitive.search(lib.t(k, "ru").split()[0])] == []
    assert lib.t("nudge.kind.satisfied", "ru") != "оценка клиента"


# -- 7. a capital letter after a colon where the sentence goes on -----------------------------------

_CAPITAL_AFTER_COLON = re.compile(r":\*{0,2} \*{0,2}[A-ZА-ЯЁĂÂÎȘȚ]")


def _offenders(text: str) -> list[str]:
    return [line for line in text.splitlines() if _CAPITAL_AFTER_COLON.search(line)]


@pytest.mark.parametrize("lang", ["ru", "ro"])
def test_no_capital_after_a_colon_in_cards(lang: str) -> None:
    lib = library()
    bad = {cid: _offenders(card_text(lib, card, lang)) for cid, card in lib.cards.items()}
    assert {k: v for k, v in bad.items() if v} == {}


@pytest.mark.parametrize("lang", ["ru", "ro"])
def test_no_capital_after_a_colon_in_check_replies(lang: str) -> None:
    drafts = ["It's not my fault, the designer was off that day.", "Вы просто не умеете читать ТЗ.",
              "Nu e vina mea, colegul a greșit.", "Ну спасибо, что так внимательно читаете мои письма.",
              "We guarantee this will never happen again."]
    bad = [line for d in drafts for line in _offenders(render_check(check_draft(d), lang))]
    assert bad == []


@pytest.mark.parametrize("lang", ["ru", "ro"])
async def test_no_capital_after_a_colon_in_the_offer_cause_and_history(talker: Talker, lang: str) -> None:
    await talker.say(f"/lang {lang}")
    await talker.say("/conflict")
    await talker.press("cf:s:quality-complaint")
    replies = list(talker.last)
    case_id = next(r.case_id for r in replies if r.case_id)
    await talker.press(f"w:{case_id}:offered:walk")
    await talker.press(f"w:{case_id}:listen:skip")
    replies += await talker.press(f"w:{case_id}:paraphrase:skip")
    replies += await talker.press(f"w:{case_id}:cause:c:goals")
    replies += await talker.say(f"/case export {case_id}")
    replies += await talker.say("/cases")
    bad = [line for r in replies for line in _offenders(r.text) + _offenders(" ".join(c.label for c in r.choices))]
    assert bad == []


def test_titles_causes_and_outcomes_are_quoted_by_the_code_not_the_strings() -> None:
    """The code fills these with `handlers.render.quoted` (which keeps «Вы же профессионалы» from being
    quoted twice), so a string that wraps one in quotation marks would print them twice."""
    lib = library()
    bad = [(key, lang) for key, by_lang in lib.strings.items() for lang in ("en", "ru", "ro")
           if re.search(r"[«„“]\**\{(?:title|situation|cause|outcome)\}", str(by_lang[lang]))]
    assert bad == []
    assert lib.t("walk.close_how", "ru", id=3, title="«Вы же профессионалы»").count("«") == 1


# -- 8. quotes and numbers in Russian --------------------------------------------------------------


def test_russian_check_quote_puts_the_full_stop_outside() -> None:
    text = render_check(check_draft("Ну спасибо, что так внимательно читаете мои письма."), "ru")
    assert ".»" not in text, text


def test_russian_case_numbers_have_a_space() -> None:
    assert t("case.number", "ru", id=1) == "№ 1"
    assert [(w, x) for w, _, x in texts("ru") if re.search(r"№(?:\{|\d)", x)] == []


# -- 9-11. wording ---------------------------------------------------------------------------------


def test_reported_wordings_are_gone() -> None:
    everything = {(w, lang): x for w, lang, x in texts("en", "ru", "ro")}
    gone = ["Обещание, которое не выполнено", "решаемая претензия превращается", "nu vă contraziceți",
            "Doar sunteți", "Un memento propriu", "Ce cade înainte", "nu trimit cardul", "el se adună",
            "Anything due before then comes after"]
    assert [(k, g) for k, x in everything.items() for g in gone if g in x] == []
    card = library().cards["become-their-client"].ru
    assert card.title.split()[0] != card.summary.split()[0]


def test_step_three_goals_cause_matches_the_situation() -> None:
    lib = library()
    for lang in ("en", "ru", "ro"):
        assert lib.t("cause.goals", lang) == lib.situations["misaligned-goals"].text(lang).title, lang
    assert lib.t("cause.attention", "ro").endswith("decât înainte")
    assert lib.situations["considering-firing-client"].ro.title.startswith("Să renunț")
