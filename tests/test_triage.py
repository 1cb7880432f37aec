"""Triage: the corpus is well-formed, the shipped model is the one it trains, accuracy floors hold on
text the model never saw, and the behaviours callers rely on."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.train_triage import CORPUS, read_rows
from handlers.linear_model import ModelFileError, read_model
from handlers.triage import Match, Triage, detect_language, load_model, triage

ROOT = Path(__file__).parent.parent
INDEPENDENT = CORPUS.parent / "independent.jsonl"
SITUATIONS = ROOT / "content" / "situations.yaml"
IDS = {s["id"] for s in yaml.safe_load(SITUATIONS.read_text(encoding="utf-8"))}
LANGS = ("en", "ru", "ro")
STYLES = {"oneliner", "plain", "rant", "typo", "slang", "quote", "question", "indirect", "negation",
          "two-problems", "translit", "mixed-english", "no-diacritics", "old-spelling", "mixed"}
ROWS = read_rows(CORPUS)
HELDOUT = [r for r in ROWS if r.split == "heldout"]

# Floors on the frozen held-out split (top-1 counts the label or a named alternative), a point or two
# under what the shipped model measured (en 0.907 / 0.975, ru 0.916 / 0.980, ro 0.898 / 0.981). The
# targets are 0.92 / 0.98 per language: top-3 is there for ru and ro, top-1 not yet (see the README).
TOP1_FLOOR = {"en": 0.89, "ru": 0.90, "ro": 0.88}
TOP3_FLOOR = {"en": 0.965, "ru": 0.97, "ro": 0.97}
# The independent set (measured 0.946 / 0.982; targets 0.88 / 0.97).
INDEPENDENT_TOP1_FLOOR = 0.93
INDEPENDENT_TOP3_FLOOR = 0.975


def _raw_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("path", [CORPUS, INDEPENDENT], ids=["corpus", "independent"])
def test_corpus_rows_are_well_formed(path: Path) -> None:
    rows = _raw_lines(path)
    texts = Counter(str(r["text"]).strip().lower() for r in rows)
    assert [t for t, k in texts.items() if k > 1] == []
    for row in rows:
        assert set(row) <= {"text", "lang", "label", "also", "split", "style", "voice", "source"}, row
        assert row["lang"] in LANGS and row["label"] in IDS, row
        assert isinstance(row["text"], str) and row["text"].strip()
        also = row.get("also", [])
        assert isinstance(also, list) and set(also) <= IDS and row["label"] not in also, row
        assert row.get("style", "plain") in STYLES, row


def test_corpus_size_balance_and_frozen_split() -> None:
    assert len(ROWS) >= 2000
    pairs = Counter((r.label, r.lang) for r in ROWS)
    thin = {pair: n for pair in ((s, lang) for s in IDS for lang in LANGS) if (n := pairs[pair]) < 40}
    assert thin == {}
    assert {r.split for r in ROWS} == {"train", "heldout"}
    assert len(HELDOUT) / len(ROWS) >= 0.2
    for lang in LANGS:
        assert {r.label for r in HELDOUT if r.lang == lang} == IDS
    train = {r.text.strip().lower() for r in ROWS if r.split == "train"}
    assert not train & {r.text.strip().lower() for r in HELDOUT}
    independent = {r.text.strip().lower() for r in read_rows(INDEPENDENT)}
    assert not independent & (train | {r.text.strip().lower() for r in HELDOUT})


def _hits(rows: list) -> dict[str, tuple[float, float]]:
    out: dict[str, list[tuple[bool, bool]]] = {}
    for r in rows:
        ids = [m.id for m in triage(r.text).matches]
        out.setdefault(r.lang, []).append((ids[0] in r.accepted, bool(r.accepted & set(ids[:3]))))
        out.setdefault("all", []).append(out[r.lang][-1])
    return {k: (sum(a for a, _ in v) / len(v), sum(b for _, b in v) / len(v)) for k, v in out.items()}


@pytest.mark.parametrize("lang", LANGS)
def test_frozen_heldout_floor(lang: str) -> None:
    top1, top3 = _hits(HELDOUT)[lang]
    assert top1 >= TOP1_FLOOR[lang], f"{lang} held-out top-1 {top1:.3f}"
    assert top3 >= TOP3_FLOOR[lang], f"{lang} held-out top-3 {top3:.3f}"


def test_independent_set_floor() -> None:
    top1, top3 = _hits(read_rows(INDEPENDENT))["all"]
    assert top1 >= INDEPENDENT_TOP1_FLOOR, f"independent top-1 {top1:.3f}"
    assert top3 >= INDEPENDENT_TOP3_FLOOR, f"independent top-3 {top3:.3f}"


def test_shipped_model_is_what_the_corpus_trains(tmp_path: Path) -> None:
    """Retrains from the corpus (fixed seed) and compares top-1 on every held-out message."""
    pytest.importorskip("sklearn", reason="needs the train extra: pip install -e '.[train]'")
    from bot.train_triage import train

    header = train(CORPUS, tmp_path / "model.bin", cv=False, report=lambda _: None)
    fresh = read_model((tmp_path / "model.bin").read_bytes())
    shipped = load_model()
    assert shipped.header["corpus"] == header["corpus"], "the corpus changed: run `parley train-triage`"
    for row in HELDOUT:
        a = fresh.heads["situation"].decide(*fresh.vector(row.text))
        b = shipped.heads["situation"].decide(*shipped.vector(row.text))
        best = (max(range(len(a)), key=a.__getitem__), max(range(len(b)), key=b.__getitem__))
        assert best[0] == best[1], row.text


def test_model_file_is_small_and_checked() -> None:
    data = (CORPUS.parent / "model.bin").read_bytes()
    assert len(data) < 5_000_000
    with pytest.raises(ModelFileError):
        read_model(b"not a model")
    with pytest.raises(ModelFileError):
        read_model(data[: len(data) // 2])


def test_every_situation_is_returned_once_best_first() -> None:
    result = triage("the client is yelling at me")
    assert isinstance(result, Triage) and all(isinstance(m, Match) for m in result.matches)
    assert {m.id for m in result.matches} == IDS and len(result.matches) == len(IDS)
    scores = [m.score for m in result.matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores) and abs(sum(scores) - 1) < 0.01


@pytest.mark.parametrize("text", ["", "   ", "!!!???", "🙂🙂", "\u200b", "0", "99", "-1", "1.", "12:30", "3 2 1"])
def test_text_without_words_is_not_confident(text: str) -> None:
    result = triage(text)
    assert not result.confident
    assert {m.id for m in result.matches} == IDS
    assert all(m.score == 0 for m in result.matches)
    assert result.language in LANGS


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("the client keeps asking for more revisions", "en"),
        ("клиент не платит уже два месяца", "ru"),
        ("klient oret na menya i ne platit", "ru"),
        ("Clientul nu plătește factura de două luni", "ro"),
        ("clientul nu plateste factura de doua luni si nu raspunde la telefon", "ro"),
        ("clientul vrea să-i refacem site-ul pînă sîmbătă", "ro"),
    ],
)
def test_language_detection(text: str, lang: str) -> None:
    assert detect_language(text) == lang
    assert triage(text).language == lang


def test_language_hint_settles_only_weak_evidence() -> None:
    assert detect_language("", "ru") == "ru"
    assert detect_language("🙂", "ro") == "ro"
    assert detect_language("the client is not paying his invoice", "ru") == "en"
    assert detect_language("клиент не отвечает на письма", "en") == "ru"
    assert detect_language("client nu plateste", "en") == "ro"
    assert detect_language("invoice unpaid", "ru") == "en"


def test_old_romanian_spelling_reads_like_the_new_one() -> None:
    old = triage("clientul nu mai răspunde de o săptămînă și nu ne dă accesele, iar mîine o să zică că e vina noastră")
    new = triage("clientul nu mai raspunde de o saptamana si nu ne da accesele, iar maine o sa zica ca e vina noastra")
    assert [m.id for m in old.matches[:3]] == [m.id for m in new.matches[:3]]


def test_long_rant_is_fast() -> None:
    rant = " ".join(["he said he would pay next week, then next month, the invoice is still unpaid."] * 40)
    triage(rant)
    t0 = time.perf_counter()
    triage(rant)
    assert time.perf_counter() - t0 < 0.05


@pytest.mark.parametrize(("new", "old"), [
    ("clientul nu plătește, amână plata de două săptămâni", "clientul nu plătește, amînă plata de două săptămîni"),
    ("am întârziat cu lansarea și clientul e furios", "am întîrziat cu lansarea și clientul e furios"),
    ("a depus o plângere, nu e mulțumit de calitate", "a depus o plîngere, nu e mulțumit de calitate"),
])
def test_old_romanian_spelling_triages_like_the_new(new: str, old: str) -> None:
    assert [m.id for m in triage(old).matches] == [m.id for m in triage(new).matches]
    assert [round(m.score, 6) for m in triage(old).matches] == [round(m.score, 6) for m in triage(new).matches]


def test_vague_messages_mostly_get_the_menu() -> None:
    """Messages that name no situation ("hi", "the client called me") should be asked about, not carded.

    Only the "test" half is measured here (0.148 given a card when shipped); the "choose" half helped
    pick the thresholds.
    """
    from bot.train_triage import vague_rows

    texts = vague_rows(half="test")
    assert len(texts) >= 60
    carded = sum(1 for t in texts if triage(t).confident) / len(texts)
    assert carded <= 0.2, f"{carded:.3f} of vague messages got one card"


@pytest.mark.parametrize("argv", [["triage", ""], ["triage", "  "], ["check", ""], ["check", " "]])
def test_cli_refuses_an_empty_message(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import EXIT_CONFIG, main

    assert main(argv) == EXIT_CONFIG
    assert "needs a" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["train-triage", "train-check"])
def test_training_a_missing_or_malformed_corpus_is_one_line(command: str, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    assert main([command, "--corpus", str(tmp_path / "absent.jsonl"), "--no-cv"]) == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "no label"}\n', encoding="utf-8")
    assert main([command, "--corpus", str(bad), "--no-cv"]) == 1
    err = capsys.readouterr().err
    assert err.count("parley: ") == 2 and "Traceback" not in err
