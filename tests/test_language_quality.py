"""Guards against the systemic kinds of language mistakes found by the native-level review.

Each test scans every user-visible string shipped in content/ (UI strings, cards, situations, the
/check texts; triage keywords and /check patterns are left out) or renders dates and times, and
names the file, key and language of each offender.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml

from content import library
from handlers.render import card_text, relative_text, when_text
from tests.conftest import ROOT, Talker

LANGS = ("en", "ru", "ro")


def _walk(node: Any, where: str) -> Iterator[tuple[str, str, str]]:
    """(where, lang, text) for every leaf string under a per-language dict, wherever it sits."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("patterns", "keywords", "id", "seeds", "cards", "urgency"):
                continue
            if key in LANGS:
                yield from ((f"{where}.{key}", str(key), text) for _, _, text in _leaves(value, where))
            else:
                yield from _walk(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, f"{where}[{i}]")


def _leaves(node: Any, where: str) -> Iterator[tuple[str, str, str]]:
    if isinstance(node, str):
        yield where, "", node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in ("keywords", "patterns"):
                yield from _leaves(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _leaves(item, f"{where}[{i}]")


def texts(*langs: str, ui_only: bool = False) -> list[tuple[str, str, str]]:
    """Every shipped user-visible string in ``langs``; ``ui_only`` keeps the bot's own voice only
    (UI strings and the /check texts, not the cards' example phrases, which are the user's words)."""
    files = sorted((ROOT / "content" / "strings").glob("*.yaml")) + [ROOT / "content" / "check.yaml"]
    if not ui_only:
        files += sorted((ROOT / "content" / "cards").glob("*.yaml")) + [ROOT / "content" / "situations.yaml"]
    found = []
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found += [(f"{path.name}:{where}", lang, text) for where, lang, text in _walk(data, "")
                  if lang in langs]
    assert found
    return found


def test_the_scan_sees_every_kind_of_content() -> None:
    names = {where.split(":")[0] for where, _, _ in texts(*LANGS)}
    assert {"core.yaml", "check.yaml", "situations.yaml", "listen-fully.yaml"} <= names


def test_no_three_dots_instead_of_an_ellipsis() -> None:
    assert [(w, lang, t) for w, lang, t in texts(*LANGS) if "..." in t] == []


def test_russian_full_stop_goes_after_the_closing_guillemet() -> None:
    assert [(w, t) for w, _, t in texts("ru") if ".»" in t] == []


@pytest.mark.parametrize("card_id", sorted(library().cards))
def test_rendered_russian_card_puts_the_full_stop_after_the_quote(card_id: str) -> None:
    lib = library()
    text = card_text(lib, lib.cards[card_id], "ru")
    assert ".»" not in text
    for phrase in lib.cards[card_id].ru.say:
        if phrase.endswith("."):
            assert f"«{phrase[:-1]}»." in text


def test_romanian_card_quotes_are_unchanged() -> None:
    lib = library()
    card = lib.cards["listen-fully"]
    assert f"„{card.ro.say[0]}”" in card_text(lib, card, "ro")
    assert f"“{card.en.say[0]}”" in card_text(lib, card, "en")


#: The voi register (2nd person plural, familiar) in pronoun and possessive forms. "vă", "v-" and
#: "-vă" are also the dumneavoastră clitics, and "voi" before a verb is the 1st person future
#: ("voi șterge"), so only unambiguous forms and "voi" after a preposition or next to "și" count.
_VOI = re.compile(r"(?<!dumnea)\b(?:voastr[ăe]|vostru|voștri|vouă)\b"
                  r"|\b(?:între|dintre|de|pentru|cu|la|despre|decât|și)\s+voi\b"
                  r"|\bvoi\s+(?:și|sunteți|vedeți|ați)\b", re.IGNORECASE)


def test_romanian_uses_dumneavoastra_never_voi() -> None:
    assert [(w, t) for w, _, t in texts("ro") if _VOI.search(t)] == []


def test_the_voi_guard_catches_the_forms_and_spares_the_clitics() -> None:
    bad = ["Echipa voastră a depășit un termen", "Voi și clientul vedeți diferit", "Între voi și client",
           "s-a schimbat tonul dintre voi?", "„Voi sunteți profesioniștii”"]
    good = ["Echipa dumneavoastră", "vă întreb", "Voi șterge tot ce păstrez", "Spuneți-mi, vă rog", "v-am scris"]
    assert [b for b in bad if not _VOI.search(b)] == []
    assert [g for g in good if _VOI.search(g)] == []


def test_no_hash_sign_for_a_number_in_russian_or_romanian() -> None:
    assert [(w, t) for w, _, t in texts("ru", "ro") if re.search(r"#\s*(?:\{|\d)", t)] == []


def test_russian_number_sign_is_followed_by_a_space() -> None:
    """«№ 3», as Russian typesets it, in every string and in the case.number format."""
    assert [(w, t) for w, _, t in texts("ru") if re.search(r"№(?:\{|\d)", t)] == []
    assert library().t("case.number", "ru", id=3) == "№ 3"


#: Past tense and short adjectives in the first person that carry a gender in Russian.
_RU_GENDERED = re.compile(
    r"(?i)(?:^|[\s«(])(?:я\s+)?(?:не\s+)?(?:понял|поняла|нашёл|нашла|нашел|смог|смогла|записал|записала|"
    r"запомнил|запомнила|увидел|увидела|получил|получила|удалил|удалила|сохранил|сохранила)\b"
    r"|\bя\s+(?:не\s+)?(?:рад|рада|готов|готова|уверен|уверена|должен|должна|понял|поняла)\b")
_RO_GENDERED = re.compile(r"(?i)\bsunt\s+(?:sigur|sigură|convins|convinsă|bucuros|bucuroasă|pregătit|pregătită)\b")


def test_the_bots_own_voice_has_no_fixed_gender() -> None:
    ru = [(w, t) for w, _, t in texts("ru", ui_only=True) if _RU_GENDERED.search(t)]
    ro = [(w, t) for w, _, t in texts("ro", ui_only=True) if _RO_GENDERED.search(t)]
    assert (ru, ro) == ([], [])


def test_the_gender_guard_catches_the_shipped_forms() -> None:
    for bad in ("Не понял. Напишите так", "Я не уверен, что правильно понял", "Спасибо, записал в историю",
                "Не смог найти здесь дату.", "Я не нашёл перекладывания вины", "я рад помочь"):
        assert _RU_GENDERED.search(bad), bad
    for good in ("Не получилось разобрать время", "Когда будете готовы", "Готово", "понятно"):
        assert not _RU_GENDERED.search(good), good
    assert _RO_GENDERED.search("Nu sunt sigur că am înțeles")


#: Words that make a nudge kind a question or a clause instead of a label. A Russian «ли» after a comma
#: belongs to a clause that completes a noun («проверка, доволен ли клиент»); before one it asks.
_VERBAL = {"en": re.compile(r"(?i)\b(?:did|is|are|have|has|do)\b"), "ru": re.compile(r"(?i)^[^,]*\bли\b"),
           "ro": re.compile(r"(?i)\b(?:ați|e|este|a|au)\b")}


@pytest.mark.parametrize("kind", ["deliver", "satisfied", "review", "custom",
                                  *sorted({n.kind for s in library().flows.steps.values()
                                           for n in [*s.nudges, *(x for c in s.choices for x in c.nudges)]})])
@pytest.mark.parametrize("lang", LANGS)
def test_nudge_kinds_are_labels_not_questions(kind: str, lang: str) -> None:
    label = library().t(f"nudge.kind.{kind}", lang)
    assert not _VERBAL[lang].search(label) and not label.endswith("?"), label


# -- Dates ----------------------------------------------------------------------------------------

FRIDAY = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)  # 18:00 in Chisinau


@pytest.mark.parametrize(("lang", "expected"), [("en", "Fri 4 Dec, 18:00"), ("ru", "пт, 4 декабря, 18:00"),
                                                ("ro", "vineri, 4 decembrie, la ora 18:00")])
def test_when_text_in_each_language(lang: str, expected: str) -> None:
    assert when_text(FRIDAY, "Europe/Chisinau", lang) == expected


def test_romanian_strings_put_the_date_where_the_pattern_reads_right() -> None:
    """No "pe" before a weekday, and no sentence starting with the lower-case weekday."""
    lib = library()
    bad = []
    for key, by_lang in lib.strings.items():
        text = str(by_lang["ro"])
        if "{when}" in text and re.search(r"(?i)\bpe\s+\{when\}|(?:^|[.!?]\s+)\{when\}", text):
            bad.append((key, text))
    assert bad == []


async def test_romanian_walkthrough_schedules_with_a_correct_date(talker: Talker) -> None:
    await talker.say("/lang ro")
    await talker.say("/tz Europe/Chisinau")
    await talker.say("clientul e furios, am ratat termenul de lansare promis")
    await talker.pick("pas cu pas")
    await talker.pick("sar peste")
    await talker.pick("sar peste")
    await talker.pick("sar peste")
    await talker.pick("sar peste")
    await talker.say("refacem pagina până vineri la 18:00")
    text = talker.text()
    assert "vineri, 27 noiembrie, la ora 18:00" in text, text
    assert "Pe vineri" not in text and "pe vineri" not in text


# -- Relative times -------------------------------------------------------------------------------

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(("delta", "en", "ru", "ro"), [
    (timedelta(minutes=10), "in 10 minutes", "через 10 минут", "peste 10 minute"),
    (timedelta(minutes=25), "in 25 minutes", "через 25 минут", "peste 25 de minute"),
    (timedelta(minutes=60), "in an hour", "через час", "peste o oră"),
    (timedelta(minutes=59, seconds=40), "in an hour", "через час", "peste o oră"),
    (timedelta(hours=2), "in 2 hours", "через 2 часа", "peste 2 ore"),
    (timedelta(hours=5), "in 5 hours", "через 5 часов", "peste 5 ore"),
    (timedelta(hours=32, minutes=27), "in 32 hours", "через 32 часа", "peste 32 de ore"),
    (timedelta(days=3), "in 3 days", "через 3 дня", "peste 3 zile"),
    (timedelta(days=7), "in a week", "через неделю", "peste o săptămână"),
    (timedelta(days=14), "in 2 weeks", "через 2 недели", "peste 2 săptămâni"),
    (timedelta(days=61), "in 2 months", "через 2 месяца", "peste 2 luni"),
    (timedelta(minutes=-60), "an hour ago", "час назад", "acum o oră"),
])
def test_relative_times_read_the_way_people_say_them(delta: timedelta, en: str, ru: str, ro: str) -> None:
    assert [relative_text(NOW + delta, NOW, lang) for lang in LANGS] == [en, ru, ro]


def test_under_a_minute_the_seconds_are_said() -> None:
    assert relative_text(NOW + timedelta(seconds=20), NOW, "ru") == "через 20 секунд"
    assert relative_text(NOW + timedelta(seconds=20), NOW, "ro") == "peste 20 de secunde"
    assert relative_text(NOW + timedelta(seconds=60), NOW, "ru") == "через минуту"


# -- Numbers of cases -----------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "prefix"), [("en", "#"), ("ru", "№ "), ("ro", "nr. ")])
async def test_cases_list_numbers_cases_the_local_way(talker: Talker, lang: str, prefix: str) -> None:
    await talker.say("the client is furious, we missed the launch deadline we promised")
    case_id = next(r.case_id for r in talker.last if r.case_id)
    await talker.say(f"/lang {lang}")
    await talker.say("/followup 2h")
    text = (await talker.say("/cases"))[0].text
    assert f"• {prefix}{case_id} " in text, text
    if lang != "en":
        assert "#" not in text


@pytest.mark.parametrize("lang", LANGS)
def test_a_cards_when_does_not_repeat_its_label(lang: str) -> None:
    """The card shows "**When:** {when}", so a when text opening with the same word reads twice."""
    label = library().t("card.when", lang).rstrip(":").lower()
    assert [c.id for c in library().cards.values() if c.text(lang).when.lower().startswith(label + " ")] == []


def test_english_uses_typographic_quotes() -> None:
    assert [(w, t) for w, _, t in texts("en") if '"' in t or re.search(r"(?<![A-Za-z])'|'(?![A-Za-z])", t)] == []


def test_russian_ui_calls_a_case_a_conflict() -> None:
    """One word for a user's case in Russian: «конфликт» (strings added later tend to bring back «случай»)."""
    assert [(w, t) for w, _, t in texts("ru", ui_only=True) if re.search(r"\bслуча[йяеюи]", t, re.IGNORECASE)] == []
