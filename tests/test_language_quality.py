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
            if key in ("patterns", "decisive", "clears", "keywords", "id", "seeds", "cards", "urgency"):  # regexes, ids: not shown
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


# -- Walkthrough flows (content/strings/flows.yaml) -----------------------------------------------

def test_the_written_record_has_a_plain_name() -> None:
    """The record a flow drafts is «письмо с итогами» / «rezumatul scris»: the office word «фиксация»
    and «evidența» (bookkeeping, a register) read like a form, not like a person talking."""
    ru = [(w, t) for w, _, t in texts("ru", ui_only=True) if re.search(r"(?i)\bфиксаци", t)]
    ro = [(w, t) for w, _, t in texts("ro", ui_only=True) if re.search(r"(?i)\bevidenț", t)]
    assert (ru, ro) == ([], [])


#: Romanian adjectives agree with the person they describe; Parley knows neither the user's nor the
#: client's gender, so it says "cât de direct vreți să vorbiți", "vă primim oricând cu drag".
_RO_READER_GENDERED = re.compile(r"(?i)\b(?:să fiți|veți fi|sunteți|fiți)\s+(?:oricând\s+|mai\s+)?"
                                 r"(?:binevenit|binevenită|direct|directă|sigur|sigură|calm|calmă|"
                                 r"mulțumit|mulțumită|pregătit|pregătită)\b")


def test_romanian_addresses_the_reader_without_a_gender() -> None:
    assert [(w, t) for w, _, t in texts("ro", ui_only=True) if _RO_READER_GENDERED.search(t)] == []
    assert _RO_READER_GENDERED.search("veți fi oricând binevenit înapoi")
    assert not _RO_READER_GENDERED.search("Cât de direct vreți să vorbiți?")


def _time_fields() -> set[str]:
    """The placeholders a date and time is put into: {when} and the answer of every time step."""
    steps = library().flows.steps.values()
    return {"when", *(s.save for s in steps if s.kind == "time" and s.save)}


#: A preposition right before a date placeholder that the rendered date ("вт, 1 декабря, 10:00",
#: "marți, 1 decembrie, la ora 10:00", "Tue 1 Dec, 10:00") cannot follow: Russian «в/к/с» change their
#: form by the next word («во вторник»), Romanian «pe» before a weekday is wrong and «la» doubles the
#: pattern's «la ora», English "at"/"in" do not take a weekday.
_BEFORE_DATE = {"ru": r"(?i)(?<!\w)(?:в|во|на|к|ко|с|со)\s+$",
                "ro": r"(?i)(?<!\w)(?:pe|la|în|de|din|după|spre|cu)\s+$",
                "en": r"(?i)\b(?:at|in)\s+$"}


@pytest.mark.parametrize("lang", LANGS)
def test_no_preposition_before_a_date_placeholder(lang: str) -> None:
    """A draft is filled with any date: Russian puts it after a dash, a colon or «до», Romanian after
    «până» or with no preposition at all, English after "on", "by" or "until"."""
    lib = library()
    bad = []
    for key, by_lang in lib.strings.items():
        text = str(by_lang[lang])
        for field in _time_fields():
            for found in re.finditer(r"\{" + field + r"\}", text):
                if re.search(_BEFORE_DATE[lang], text[:found.start()]):
                    bad.append((key, text))
    assert bad == []


def test_the_date_preposition_guard_catches_the_wrong_ones() -> None:
    bad = [("ru", "Созвон в "), ("ru", "Перенесём на "), ("ro", "Vă întreb pe "), ("ro", "Ne vedem la "),
           ("en", "Let's talk at ")]
    good = [("ru", "передадим файлы до "), ("ru", "крайний срок — "), ("ru", "Предлагаю время: "),
            ("ro", "până "), ("ro", "Putem vorbi "), ("en", "on "), ("en", "by ")]
    assert [b for b in bad if not re.search(_BEFORE_DATE[b[0]], b[1])] == []
    assert [g for g in good if re.search(_BEFORE_DATE[g[0]], g[1])] == []


_EXAMPLE = {"en": "For example:", "ru": "Например:", "ro": "De exemplu:"}


@pytest.mark.parametrize("lang", LANGS)
def test_the_examples_a_time_step_gives_are_read_as_times(lang: str) -> None:
    """A time step's prompt ends with examples the user may type as they are; each must parse."""
    from handlers.timeparse import deadline_in

    lib = library()
    now = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    keys = ["flow.time_unclear", *(f"flow.{s}" for s, spec in lib.flows.steps.items() if spec.kind == "time")]
    unread = []
    for key in keys:
        text = lib.t(key, lang)
        line = next((ln for ln in text.splitlines() if _EXAMPLE[lang] in ln), text if key == "flow.time_unclear" else "")
        assert line, f"{key}.{lang} gives no examples"
        examples = re.findall(r"[«“„]([^»”]+)[»”]", line.split(_EXAMPLE[lang])[-1])
        assert examples, key
        unread += [(key, ex) for ex in examples if deadline_in(ex, now, "Europe/Chisinau") is None]
    assert unread == []
