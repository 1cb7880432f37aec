"""The /check model: its corpus is well-formed, the shipped model is what the corpus trains, and
precision/recall floors hold on the frozen held-out drafts."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.train_check import CORPUS, DONTS, Draft, best_thresholds, read_drafts, scores, split_for
from content.text import LANGUAGES
from handlers.check import check_model, detect_donts, flag_threshold_for
from handlers.linear_model import ModelFileError, read_model, write_model
from handlers.text_features import check_features, features

ROWS = read_drafts(CORPUS)
HELDOUT = [r for r in ROWS if r.split == "heldout"]
LANGS = ("en", "ru", "ro")
# Draft-level floors on the frozen held-out split ("has a don't" precision / recall): the targets, see
# the README; the lowest language measured has precision 0.933 (ru) and recall 0.875 (ru).
PRECISION_FLOOR = 0.90
RECALL_FLOOR = 0.85


def test_corpus_is_well_formed_and_balanced() -> None:
    raw = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = Counter(str(r["text"]).strip().lower() for r in raw)
    assert [t for t, k in texts.items() if k > 1] == []
    for row in raw:
        assert row["lang"] in LANGS and set(row["labels"]) <= set(DONTS), row
        assert row["split"] in ("train", "heldout"), row
        for label, quote in row.get("quotes", {}).items():
            assert label in row["labels"] and quote in row["text"], row
        assert not (row.get("trap") and row["labels"]), row
    for lang in LANGS:
        mine = [r for r in ROWS if r.lang == lang]
        assert len(mine) >= 300, lang
        assert 0.35 <= sum(not r.labels for r in mine) / len(mine) <= 0.7, lang
        for label in DONTS:
            assert sum(label in r.labels for r in mine) >= 35, (lang, label)
    assert len(HELDOUT) / len(ROWS) >= 0.2
    assert not {r.text for r in HELDOUT} & {r.text for r in ROWS if r.split == "train"}


@pytest.mark.parametrize("lang", LANGS)
def test_heldout_floor(lang: str) -> None:
    rows = [r for r in HELDOUT if r.lang == lang]
    figures = scores(rows, [set(detect_donts(r.text)) for r in rows])[lang]
    assert figures["precision"] >= PRECISION_FLOOR, figures
    assert figures["recall"] >= RECALL_FLOOR, figures


def test_shipped_model_is_what_the_corpus_trains(tmp_path: Path) -> None:
    """Retrains from the corpus (fixed seed) and compares the gate's verdict on every held-out draft."""
    pytest.importorskip("sklearn", reason="needs the train extra: pip install -e '.[train]'")
    from bot.train_check import train

    header = train(CORPUS, tmp_path / "model.bin", cv=False, report=lambda _: None)
    fresh = read_model((tmp_path / "model.bin").read_bytes())
    shipped = check_model()
    assert shipped.header["corpus"] == header["corpus"], "the corpus changed: run `parley train-check`"
    assert shipped.header["cards"] == header["cards"], "the cards' phrases changed: run `parley train-check`"
    for row in HELDOUT:
        a = fresh.heads["dont"].decide(*fresh.vector(row.text))
        b = shipped.heads["dont"].decide(*shipped.vector(row.text))
        assert max(range(len(a)), key=a.__getitem__) == max(range(len(b)), key=b.__getitem__), row.text
        assert all(abs(x - y) < 0.01 for x, y in zip(a, b, strict=True)), row.text


def test_empty_and_wordless_drafts_are_fine() -> None:
    for text in ("", "   ", "🙂", "!!!"):
        assert detect_donts(text) == []


def test_the_reviews_drafts() -> None:
    """The 75 drafts of the native-level review (written before the model, never trained on): the
    model measured precision 1.00 and recall 0.96 on them (short drafts by the patterns), where the
    patterns alone had 0.84 / 0.39."""
    path = CORPUS.parent / "review.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) == 75
    said = [(bool(detect_donts(r["text"])), r["bad"]) for r in rows]
    tp = sum(1 for found, bad in said if found and bad)
    assert tp / max(1, sum(found for found, _ in said)) >= 0.9
    assert tp / sum(bad for _, bad in said) >= 0.8


@pytest.mark.parametrize("text", ["ok", "Sure.", "Fine.", "OK, noted.", "ок", "Noted, will do.", "Bine.", "Понял, спасибо"])
def test_short_ordinary_replies_are_fine(text: str) -> None:
    assert detect_donts(text) == []


@pytest.mark.parametrize(("text", "rule"), [("Calm down.", "dismiss-emotions"), ("Успокойтесь.", "dismiss-emotions"),
                                            ("Calmați-vă!", "dismiss-emotions")])
def test_short_drafts_are_judged_by_the_patterns(text: str, rule: str) -> None:
    assert detect_donts(text) == [rule]


def test_every_row_is_split_by_its_text_hash() -> None:
    """The split rule of the corpus README: a row's split depends on its own text only, so new
    rows land in held-out (about a quarter) without anyone choosing them."""
    assert sum(1 for r in ROWS if r.split != split_for(r.text)) == 0
    assert split_for("b") == "heldout" and split_for("a") == "train"  # sha256 3e23e8… / ca9781…


def test_check_features_add_letters_across_word_boundaries() -> None:
    """"as I said" and "as i've said" share "s i s"-like n-grams that no single word has."""
    words = set(features("As I said before"))
    both = check_features("As I said before")
    assert words < set(both)
    assert {"x:s i s", "x: as i ", "x:id be"} <= set(both)
    assert all(" " in f[3:-1] for f in set(both) - words), "only n-grams that cross a word boundary are added"


def _tiny_model(tmp_path: Path, header: dict[str, object]) -> Path:
    path = tmp_path / "m.bin"
    write_model(path, header, ["w:said", "x:s i s"], [1.0, 1.0], {"h": (["a"], [[1.0, 1.0]], [0.0])})
    return path


def test_a_model_file_names_the_features_it_was_trained_on(tmp_path: Path) -> None:
    plain = read_model(_tiny_model(tmp_path, {}).read_bytes())
    assert plain.vector("as I said")[0] == [0]  # triage's features: words and letters inside words
    crossing = read_model(_tiny_model(tmp_path, {"features": "words-chars-cross"}).read_bytes())
    assert sorted(crossing.vector("as I said")[0]) == [0, 1]
    with pytest.raises(ModelFileError, match="features"):
        read_model(_tiny_model(tmp_path, {"features": "bag-of-vibes"}).read_bytes())


def test_the_flag_threshold_is_chosen_per_language() -> None:
    model = check_model()
    thresholds = model.header["flag_thresholds"]
    assert set(thresholds) == set(LANGUAGES)
    assert flag_threshold_for("Успокойтесь, это не наша ошибка, а подрядчика.") == thresholds["ru"]
    assert flag_threshold_for("Calmați-vă, nu e vina noastră, e a furnizorului.") == thresholds["ro"]
    assert flag_threshold_for("Calm down, it was the supplier's mistake, not ours.") == thresholds["en"]


def test_best_thresholds_reach_the_precision_target_per_language() -> None:
    """en needs a higher threshold than ru for `PRECISION_TARGET` on these decisions; the don't threshold is shared.
    The flag score is (gate + strongest don't) / 2, here (gate + 0.5) / 2."""
    bad = ["shift-blame", "belittle"]
    rows = [Draft(f"draft number {k} in en", "en", bad if k < 9 else [], "train") for k in range(12)]
    rows += [Draft(f"draft number {k} in ru", "ru", bad if k < 9 else [], "train") for k in range(12)]
    donts = [0.0, -1.0, 0.5, -1.0, -1.0]  # shift-blame at 0.0, belittle at 0.5, the others at -1.0
    # en: the fine drafts' gate values are 0.3, 0.25, 0.2, the bad ones' 0.2..0.6; ru: fine ones at -0.3
    en = [[0.2 + 0.05 * k, *donts] for k in range(9)] + [[0.3, *donts], [0.25, *donts], [0.2, *donts]]
    ru = [[-0.1 + 0.05 * k, *donts] for k in range(9)] + [[-0.3, *donts]] * 3
    gates, dont = best_thresholds(rows, en + ru, [r.lang for r in rows], keep_recall=None)
    assert gates["en"] == 0.41 and gates["ru"] == 0.11  # just above the best fine draft's score: 0.4, 0.1
    assert dont == 0.0  # the highest that still names both don'ts of the bad drafts (and no other)


def test_spare_recall_buys_precision() -> None:
    """Past the lowest threshold that reaches `PRECISION_TARGET`, a language's threshold rises while its
    CV recall stays at `RECALL_KEEP` or more: a false accusation costs more than a missed don't, and
    held-out figures fell 1-4 points under CV. The toy data of the test above: ru's bad drafts score
    0.2 to 0.4, so ru rises from 0.11 to 0.2 (all nine still caught) and stops before 0.21 (8 of 9);
    en (6 of 9 caught at 0.41) does not move."""
    from bot.train_check import RECALL_KEEP

    bad = ["shift-blame", "belittle"]
    rows = [Draft(f"draft number {k} in en", "en", bad if k < 9 else [], "train") for k in range(12)]
    rows += [Draft(f"draft number {k} in ru", "ru", bad if k < 9 else [], "train") for k in range(12)]
    donts = [0.0, -1.0, 0.5, -1.0, -1.0]
    en = [[0.2 + 0.05 * k, *donts] for k in range(9)] + [[0.3, *donts], [0.25, *donts], [0.2, *donts]]
    ru = [[-0.1 + 0.05 * k, *donts] for k in range(9)] + [[-0.3, *donts]] * 3
    assert 8 / 9 < RECALL_KEEP <= 1.0
    gates, _ = best_thresholds(rows, en + ru, [r.lang for r in rows])
    assert gates["en"] == 0.41 and gates["ru"] == 0.2


def test_a_draft_is_flagged_by_the_gate_and_the_strongest_dont_together() -> None:
    """The flag score is the mean of the gate's value and the strongest don't's: on cross-validation
    it found 1-4 points more of the bad drafts than the gate alone at the same precision."""
    from handlers.check import verdict

    text = "We will look into the order and get back to you today."  # no pattern matches it
    weak_gate_strong_dont = [-0.9, -0.9, 0.8, -0.9, -0.9]
    assert verdict(text, -0.2, weak_gate_strong_dont, DONTS, 0.2, 0.5) == {"belittle"}
    assert verdict(text, 0.3, [-0.9] * 5, DONTS, 0.0, 0.5) == set()
    assert verdict(text, 0.3, [-0.9] * 5, DONTS, -0.5, 0.5) == {"shift-blame"}  # the likeliest when none reaches 0.5
    assert verdict("Calm down.", -5.0, [-5.0] * 5, DONTS, 0.0, 0.0) == {"dismiss-emotions"}  # short: patterns


def test_thresholds_come_from_repeated_cross_validation(tmp_path: Path) -> None:
    """Thresholds are chosen on `CV_REPEATS` pooled runs of 5-fold CV with different shuffles: on one
    run a language's recall moved by up to four points with the shuffle alone."""
    pytest.importorskip("sklearn", reason="needs the train extra: pip install -e '.[train]'")
    from bot.train_check import CV_REPEATS, train

    small = tmp_path / "corpus.jsonl"
    picked = [r for lang in LANGS for r in [r for r in ROWS if r.split == "train" and r.lang == lang][:60]]
    small.write_text("".join(json.dumps({"text": r.text, "lang": r.lang, "labels": r.labels, "split": "train"},
                                        ensure_ascii=False) + "\n" for r in picked), encoding="utf-8")
    header = train(small, tmp_path / "model.bin", report=lambda _: None)
    assert CV_REPEATS >= 3 and header["cv_repeats"] == CV_REPEATS
    assert header["cv"]["all"]["n"] == header["rows"]  # figures per draft, averaged over the runs
    assert set(header["flag_thresholds"]) == set(LANGS)
