"""/check: the model's floors on held-out drafts, each don't's patterns quote the exact words, polite drafts
and Parley's own advice pass, and the reply renders in every language."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml

from content.loader import ContentError, library
from content.text import LANGUAGES
from handlers.check import Finding, check_content, check_draft, load_check, pattern_findings, render_check

RULES = ("shift-blame", "get-personal", "belittle", "dismiss-emotions", "impossible-promise")

#: rule -> (draft, the exact words that must be quoted). Several phrasings per language; Romanian
#: both with and without diacritics, since many people type it on a keyboard without them.
CAUGHT: dict[str, list[tuple[str, str]]] = {
    "shift-blame": [
        ("Sorry, but it was not me who sent that file.", "it was not me"),
        ("It wasn't me, talk to the designer.", "It wasn't me"),
        ("It wasn’t me, honestly.", "It wasn’t me"),
        ("I was off that day, so I can't say what happened.", "I was off that day"),
        ("I was on holiday last week.", "I was on holiday"),
        ("That's not my fault, the brief was unclear.", "That's not my fault"),
        ("It was the developer's fault, not ours.", "It was the developer's fault"),
        ("Honestly, it's your own fault for sending the texts late.", "it's your own fault"),
        ("We are not responsible for the hosting outage.", "We are not responsible"),
        ("Это не я отправлял вам этот файл.", "Это не я"),
        ("Простите, но не я вёл ваш проект.", "не я"),
        ("Я был в отпуске, когда это случилось.", "Я был в отпуске"),
        ("Я в тот день не работал, так что не знаю.", "Я в тот день не работал"),
        ("Это не моя вина, макет утверждали вы.", "не моя вина"),
        ("Это ошибка дизайнера, а не моя.", "Это ошибка дизайнера"),
        ("Вы сами виноваты, что прислали тексты поздно.", "Вы сами виноваты"),
        ("Я тут ни при чём.", "Я тут ни при чём"),
        ("Nu eu am făcut asta, întrebați-l pe Andrei.", "Nu eu am făcut asta"),
        ("Nu eu am facut asta, intrebati-l pe Andrei.", "Nu eu am facut asta"),
        ("În ziua aceea eram liber, nu știu ce s-a întâmplat.", "În ziua aceea eram liber"),
        ("Am fost în concediu săptămâna trecută.", "Am fost în concediu"),
        ("Nu e vina mea că serverul a căzut.", "Nu e vina mea"),
        ("Nu e vina mea ca serverul a cazut.", "Nu e vina mea"),
        ("A fost greșeala colegului meu.", "A fost greșeala colegului"),
    ],
    "get-personal": [
        ("You are being unreasonable about this.", "You are being unreasonable"),
        ("Honestly, you're impossible to work with.", "you're impossible"),
        ("People like you never read the contract.", "People like you"),
        ("You always complain about every detail.", "You always complain"),
        ("What's wrong with you?", "What's wrong with you"),
        ("Вы просто неадекватны, когда говорите о сроках.", "Вы просто неадекватны"),
        ("С вами невозможно работать.", "С вами невозможно"),
        ("Такие, как вы, всегда недовольны.", "Такие, как вы"),
        ("Вы вечно жалуетесь на каждую мелочь.", "Вы вечно жалуетесь"),
        ("Sunteți imposibil când vine vorba de termene.", "Sunteți imposibil"),
        ("Sunteti imposibil cand vine vorba de termene.", "Sunteti imposibil"),
        ("Cu dumneavoastră nu se poate lucra.", "Cu dumneavoastră nu se poate"),
        ("Oameni ca dumneavoastră nu citesc contractul.", "Oameni ca dumneavoastră"),
        ("Mereu vă plângeți de ceva.", "Mereu vă plângeți"),
    ],
    "belittle": [
        ("As anyone knows, fonts need a licence.", "As anyone knows"),
        ("Obviously you don't understand how SEO works.", "Obviously you don't understand"),
        ("You obviously don't understand how SEO works.", "You obviously don't understand"),
        ("As I already told you twice, the deadline was Monday.", "As I already told you twice"),
        ("Even a child could update this page.", "Even a child could"),
        ("Как всем известно, шрифты нужно лицензировать.", "Как всем известно"),
        ("Вы явно не понимаете, как работает SEO.", "Вы явно не понимаете"),
        ("Вы ничего не понимаете в дизайне.", "Вы ничего не понимаете"),
        ("Это же элементарно.", "Это же элементарно"),
        ("Как я уже говорил, срок был в понедельник.", "Как я уже говорил"),
        ("După cum știe oricine, fonturile trebuie licențiate.", "După cum știe oricine"),
        ("Dupa cum stie oricine, fonturile trebuie licentiate.", "Dupa cum stie oricine"),
        ("Evident că nu înțelegeți cum funcționează SEO.", "Evident că nu înțelegeți"),
        ("Evident ca nu intelegeti cum functioneaza SEO.", "Evident ca nu intelegeti"),
        ("Cum v-am mai spus, termenul era luni.", "Cum v-am mai spus"),
    ],
    "dismiss-emotions": [
        ("Please calm down, it's just a banner.", "calm down"),
        ("Calm down and let me explain.", "Calm down"),
        ("You're overreacting, the site works.", "You're overreacting"),
        ("It's not a big deal, we'll fix it.", "It's not a big deal"),
        ("Relax, everything is under control.", "Relax"),
        ("Успокойтесь, пожалуйста, это всего лишь баннер.", "Успокойтесь"),
        ("Не надо так нервничать, всё исправим.", "Не надо так нервничать"),
        ("Вы слишком остро реагируете.", "Вы слишком остро реагируете"),
        ("Это же мелочь, исправим за минуту.", "Это же мелочь"),
        ("Не делайте из мухи слона.", "из мухи слона"),
        ("Calmați-vă, vă rog, e doar un banner.", "Calmați-vă"),
        ("Calmati-va, va rog, e doar un banner.", "Calmati-va"),
        ("Nu vă agitați, rezolvăm imediat.", "Nu vă agitați"),
        ("Nu va agitati, rezolvam imediat.", "Nu va agitati"),
        ("Nu e mare lucru, îl reparăm.", "Nu e mare lucru"),
    ],
    "impossible-promise": [
        ("I guarantee the site will be perfect.", "guarantee"),
        ("We guarantee delivery by tonight.", "guarantee"),
        ("It will be 100% bug-free.", "100%"),
        ("This will never happen again.", "will never happen again"),
        ("Never again, I promise.", "Never again"),
        ("It won't happen again.", "won't happen again"),
        ("Гарантирую, что всё будет идеально.", "Гарантирую"),
        ("Мы гарантируем сдачу сегодня.", "гарантируем"),
        ("Сделаем на 100% без ошибок.", "100%"),
        ("Никогда больше такого не будет.", "Никогда больше"),
        ("Такого больше никогда не повторится.", "Такого больше никогда не повторится"),
        ("Garantez că site-ul va fi perfect.", "Garantez"),
        ("Va garantam livrarea diseara.", "garantam"),
        ("Va fi 100% fără erori.", "100%"),
        ("Nu se va mai întâmpla niciodată.", "Nu se va mai întâmpla niciodată"),
        ("Nu se va mai intampla niciodata.", "Nu se va mai intampla niciodata"),
        ("Niciodată nu vom mai întârzia.", "Niciodată nu vom mai întârzia"),
    ],
}

POLITE: dict[str, list[str]] = {
    "en": [
        "Hi Anna, I'm sorry we missed Friday's deadline. That's on us. We'll send the corrected mock-ups by "
        "Wednesday 3 pm, and I'll call you on Tuesday with an update.",
        "Thank you for telling me. I understand how frustrating it is to wait for a reply. From now on I'll "
        "answer within one working day. Does that work for you?",
        "If I understand correctly, the main issue is that the banner colours don't match your brand. Is that "
        "right? We can prepare two alternatives by Thursday.",
        "We can't guarantee the launch date until we have the texts, but once they arrive we need three working days.",
        "Our agreement includes two rounds of revisions; this would be the third. I can send you a quote today.",
        "We need a 100% prepayment for rush orders, as the contract says.",
    ],
    "ru": [
        "Здравствуйте, Ирина! Простите, мы сорвали срок, это наша ошибка. Исправленный макет пришлём в среду "
        "до 15:00, а во вторник я позвоню и расскажу, как продвигается.",
        "Спасибо, что написали. Понимаю, как неприятно ждать ответа. Теперь я буду отвечать в течение "
        "рабочего дня. Вам так подходит?",
        "Если я правильно понял, главная проблема в том, что цвета баннера не совпадают с фирменными. Верно?",
        "Мы не можем гарантировать дату запуска, пока нет текстов, но после их получения нам нужно три рабочих дня.",
        "Ничего страшного, если материалы придут завтра, мы успеем. Нужна предоплата 100%.",
        "Не ясно, какой файл финальный; пришлите, пожалуйста, последнюю версию.",
    ],
    "ro": [
        "Bună ziua, doamna Popescu! Ne pare rău că am depășit termenul de vineri, e greșeala noastră. "
        "Trimitem machetele corectate miercuri până la ora 15.",
        "Buna ziua, doamna Popescu! Ne pare rau ca am depasit termenul de vineri, e greseala noastra. "
        "Trimitem machetele corectate miercuri pana la ora 15.",
        "Vă mulțumesc că mi-ați scris. Înțeleg cât de neplăcut este să așteptați un răspuns. De acum înainte "
        "vă răspund în cel mult o zi lucrătoare.",
        "Nu putem garanta data lansării până nu primim textele, dar după aceea avem nevoie de trei zile lucrătoare.",
        "Îmi pare rău că site-ul a funcționat prost ieri. Am remediat eroarea și verificăm zilnic.",
        "Vă rog să ne trimiteți avansul de 100% conform contractului.",
    ],
}


def _cases() -> list[tuple[str, str, str]]:
    return [(rule, draft, quote) for rule, cases in CAUGHT.items() for draft, quote in cases]


def test_every_rule_is_tested_and_has_patterns_in_every_language() -> None:
    content = check_content()
    assert set(content.rules) == set(RULES) == set(CAUGHT)
    for rule in content.rules.values():
        for lang in LANGUAGES:
            assert getattr(rule.patterns, lang), lang
            assert rule.name.get(lang) and rule.why.get(lang) and rule.better.get(lang)


@pytest.mark.parametrize(("rule", "draft", "quote"), _cases())
def test_patterns_quote_exactly_the_offending_words(rule: str, draft: str, quote: str) -> None:
    """The patterns choose the words quoted for a don't the model found (the model decides whether)."""
    findings = pattern_findings(draft)
    for finding in findings:
        assert draft[finding.start : finding.end] == finding.quote
    assert Finding(rule, quote, draft.index(quote), draft.index(quote) + len(quote)) in findings, findings


@pytest.mark.parametrize(
    ("lang", "draft"), [(lang, draft) for lang, drafts in POLITE.items() for draft in drafts]
)
def test_polite_draft_passes(lang: str, draft: str) -> None:
    assert check_draft(draft) == []


def test_parleys_own_example_phrases_pass() -> None:
    """What the cards tell people to say must survive /check, or the advice contradicts itself."""
    for card in library().cards.values():
        for lang in LANGUAGES:
            for phrase in card.text(lang).say:
                assert check_draft(phrase) == [], (card.id, lang, phrase)


def test_decomposed_romanian_is_quoted_as_typed() -> None:
    draft = unicodedata.normalize("NFD", "Bine, calmați-vă. Garantez livrarea.")
    found = {f.rule: f for f in pattern_findings(draft)}
    assert found["dismiss-emotions"].quote == unicodedata.normalize("NFD", "calmați-vă")
    assert (
        draft[found["dismiss-emotions"].start : found["dismiss-emotions"].end]
        == found["dismiss-emotions"].quote
    )
    assert found["impossible-promise"].quote == "Garantez"


def test_overlapping_matches_of_one_rule_are_reported_once() -> None:
    findings = pattern_findings("It was not my fault.")
    assert [(f.rule, f.quote) for f in findings] == [("shift-blame", "It was not my fault")]


def test_findings_come_in_text_order() -> None:
    draft = "I guarantee it. Calm down. It wasn't me."
    assert [f.rule for f in pattern_findings(draft)] == ["impossible-promise", "dismiss-emotions", "shift-blame"]


@pytest.mark.parametrize(("lang", "open_", "close"), [("en", "“", "”"), ("ru", "«", "»"), ("ro", "„", "”")])
def test_render_quotes_words_and_suggests_better(lang: str, open_: str, close: str) -> None:
    draft = "It wasn't me. Calm down. I guarantee it, 100%."
    text = render_check(pattern_findings(draft), lang)
    content = check_content()
    assert text.startswith(content.ui.header.get(lang))
    for rule_id in ("shift-blame", "dismiss-emotions", "impossible-promise"):
        rule = content.rules[rule_id]
        assert f"**{rule.name.get(lang)}**" in text
        assert rule.better.get(lang) in text
    for quote in ("It wasn't me", "Calm down", "guarantee", "100%"):
        assert f"{open_}{quote}{close}" in text
    assert text.count(f"**{content.rules['impossible-promise'].name.get(lang)}**") == 1
    assert "belittl" not in text.lower()


def test_render_clean_and_language_fallback() -> None:
    content = check_content()
    for lang in LANGUAGES:
        assert render_check([], lang) == content.ui.clean.get(lang)
    assert render_check([], "de") == content.ui.clean.get("en")
    assert "**" in render_check(pattern_findings("calm down"), "de")


def test_render_keeps_user_stars_out_of_markup() -> None:
    text = render_check([Finding("belittle", "**as anyone knows**", 0, 19)], "en")
    assert "“**as" not in text


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "check.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _shipped() -> dict[str, object]:
    path = Path(__file__).resolve().parents[1] / "content" / "check.yaml"
    data: dict[str, object] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def test_shipped_check_yaml_loads_from_a_path(tmp_path: Path) -> None:
    assert set(load_check(_write(tmp_path, _shipped())).rules) == set(RULES)


def test_bad_regex_fails_naming_the_field(tmp_path: Path) -> None:
    data = _shipped()
    rules = data["rules"]
    assert isinstance(rules, dict)
    rules["belittle"]["patterns"]["ru"].append("(unclosed")
    with pytest.raises(ContentError) as info:
        load_check(_write(tmp_path, data))
    assert "content/check.yaml" in str(info.value)
    assert "rules.belittle.patterns.ru" in str(info.value)


def test_missing_language_fails_naming_the_field(tmp_path: Path) -> None:
    data = _shipped()
    rules = data["rules"]
    assert isinstance(rules, dict)
    del rules["shift-blame"]["better"]["ro"]
    with pytest.raises(ContentError, match=r"rules\.shift-blame\.better\.ro"):
        load_check(_write(tmp_path, data))


def test_pattern_matching_nothing_is_refused(tmp_path: Path) -> None:
    data = _shipped()
    rules = data["rules"]
    assert isinstance(rules, dict)
    rules["get-personal"]["patterns"]["en"] = ["x*"]
    with pytest.raises(ContentError, match=r"rules\.get-personal\.patterns\.en.*empty"):
        load_check(_write(tmp_path, data))
