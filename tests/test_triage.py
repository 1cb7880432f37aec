"""Triage engine: accuracy floors on the held-out messages, and the behaviours callers rely on."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from handlers.triage import Match, Triage, detect_language, triage

DATA = Path(__file__).parent / "data" / "triage_dev.jsonl"
SITUATIONS = Path(__file__).parent.parent / "content" / "situations.yaml"
ROWS = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
IDS = {s["id"] for s in yaml.safe_load(SITUATIONS.read_text(encoding="utf-8"))}

# The targets from the brief; the engine reaches them on messages it was never tuned on.
TOP1_FLOOR = 0.85
TOP3_FLOOR = 0.95


def _accuracy(split: str) -> dict[str, tuple[float, float]]:
    hits: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for row in ROWS:
        if row["split"] != split:
            continue
        ids = [m.id for m in triage(row["text"]).matches]
        hits[row["lang"]].append((ids[0] == row["label"], row["label"] in ids[:3]))
    return {
        lang: (sum(a for a, _ in xs) / len(xs), sum(b for _, b in xs) / len(xs)) for lang, xs in hits.items()
    }


def test_dataset_is_well_formed() -> None:
    styles = {
        "plain",
        "typo",
        "slang",
        "no-diacritics",
        "translit",
        "mixed",
        "quote",
        "rant",
        "negation",
        "two-problems",
    }
    assert len(ROWS) >= 200
    for row in ROWS:
        assert set(row) == {"text", "lang", "label", "split", "style"}
        assert row["lang"] in ("en", "ru", "ro") and row["label"] in IDS
        assert row["split"] in ("dev", "heldout") and row["style"] in styles
    heldout = sum(r["split"] == "heldout" for r in ROWS) / len(ROWS)
    assert 0.3 <= heldout <= 0.4
    for lang in ("en", "ru", "ro"):
        assert {r["label"] for r in ROWS if r["lang"] == lang and r["split"] == "heldout"} == IDS


@pytest.mark.parametrize("lang", ["en", "ru", "ro"])
def test_heldout_accuracy_floor(lang: str) -> None:
    top1, top3 = _accuracy("heldout")[lang]
    assert top1 >= TOP1_FLOOR, f"{lang} held-out top-1 {top1:.3f}"
    assert top3 >= TOP3_FLOOR, f"{lang} held-out top-3 {top3:.3f}"


def test_every_situation_is_returned_once_best_first() -> None:
    result = triage("the client is yelling at me")
    assert isinstance(result, Triage) and all(isinstance(m, Match) for m in result.matches)
    assert [m.id for m in result.matches] and {m.id for m in result.matches} == IDS
    assert len(result.matches) == len(IDS)
    scores = [m.score for m in result.matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)


@pytest.mark.parametrize(
    "text",
    [
        "he is polite, he just never pays",
        "He's very polite and never raises his voice, but the invoice from March is still unpaid",
        "он вежливый, не кричит, просто не платит",
        "e politicos, nu țipă, doar că nu plătește",
    ],
)
def test_negation_polite_but_not_paying_is_late_payment(text: str) -> None:
    result = triage(text)
    assert result.matches[0].id == "late-payment"
    assert "abusive-client" not in [m.id for m in result.matches[:2]]


def test_negated_abuse_words_do_not_count() -> None:
    result = triage("the client never yells and never insults anyone")
    assert next(m for m in result.matches if m.id == "abusive-client").score == 0.0
    assert not result.confident


@pytest.mark.parametrize(
    "text",
    [
        "the client hasn't paid for two months and yesterday he called me a useless idiot",
        "he wants extra pages for free and he was screaming at me on the phone",
        "клиент не платит и вчера наорал на меня матом",
        "clientul nu plătește și m-a înjurat la telefon",
        "we missed the deadline and now the client is swearing at my designer",
    ],
)
def test_abusive_outranks_other_problems(text: str) -> None:
    result = triage(text)
    assert result.matches[0].id == "abusive-client"
    assert result.confident


def test_abusive_routes_to_stay_calm_first() -> None:
    situations = {s["id"]: s for s in yaml.safe_load(SITUATIONS.read_text(encoding="utf-8"))}
    abusive = situations["abusive-client"]
    assert abusive["cards"][0] == "stay-calm-take-break"
    assert abusive["urgency"] == max(s["urgency"] for s in situations.values())


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("the client keeps asking for more revisions", "en"),
        ("клиент не платит уже два месяца", "ru"),
        ("klient oret na menya i ne platit", "ru"),
        ("zakazchik opyat prislal pravki, uzhe desyatyi krug", "ru"),
        ("Clientul nu plătește factura de două luni", "ro"),
        ("clientul nu plateste factura de doua luni si nu raspunde la telefon", "ro"),
        ("vrea modificari la nesfarsit, am depasit de mult rundele din contract", "ro"),
    ],
)
def test_language_detection(text: str, lang: str) -> None:
    assert detect_language(text) == lang
    assert triage(text).language == lang


def test_language_hint_only_settles_ambiguous_text() -> None:
    assert detect_language("ok", "ro") == "ro"
    assert detect_language("", "ru") == "ru"
    assert detect_language("the client is not paying his invoice", "ru") == "en"
    assert detect_language("???") in ("en", "ru", "ro")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("klient oret na menya po telefonu", "abusive-client"),
        ("klient ne platit uzhe mesyac", "late-payment"),
        ("clientul nu plateste factura", "late-payment"),
        ("clientul injura si ma jigneste", "abusive-client"),
        ("the clinet keeps asking for revisons", "endless-revisions"),
        ("client says 'вы же профессионалы' after he insisted on his design", "you-are-the-professionals"),
    ],
)
def test_messy_input(text: str, label: str) -> None:
    assert triage(text).matches[0].id == label


@pytest.mark.parametrize(
    "text", ["", "   ", "asdf qwer zxcv", "!!!???", "12345", "hello", "привет", "bună ziua", "🙂🙂"]
)
def test_empty_or_garbage_is_not_confident(text: str) -> None:
    result = triage(text)
    assert not result.confident
    assert {m.id for m in result.matches} == IDS
    assert result.language in ("en", "ru", "ro")


def test_clear_message_is_confident() -> None:
    assert triage("the client is screaming at me and calling me an idiot").confident
    assert triage("клиент третий месяц не оплачивает счёт").confident


def test_long_rant_is_fast_and_sane() -> None:
    rant = " ".join(["he said he would pay next week, then next month, the invoice is still unpaid."] * 40)
    triage(rant)
    t0 = time.perf_counter()
    result = triage(rant)
    assert time.perf_counter() - t0 < 0.05
    assert result.matches[0].id == "late-payment"


@pytest.mark.parametrize(("new", "old"), [
    ("clientul nu plătește, amână plata de două săptămâni", "clientul nu plătește, amînă plata de două săptămîni"),
    ("am întârziat cu lansarea și clientul e furios", "am întîrziat cu lansarea și clientul e furios"),
    ("a depus o plângere, nu e mulțumit de calitate", "a depus o plîngere, nu e mulțumit de calitate"),
])
def test_old_romanian_spelling_triages_like_the_new(new: str, old: str) -> None:
    assert [m.id for m in triage(old).matches] == [m.id for m in triage(new).matches]
    assert [round(m.score, 6) for m in triage(old).matches] == [round(m.score, 6) for m in triage(new).matches]
