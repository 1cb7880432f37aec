"""Trains the triage model from the labelled corpus and writes the weights Parley ships.

Training only: needs the ``train`` extra (``pip install -e '.[train]'``: scikit-learn, numpy),
which the bot itself never imports. Run ``parley train-triage``;
with a fixed seed and a deterministic solver the same corpus gives the same model.

What it does, in order:

1. reads ``content/triage/corpus.jsonl`` and keeps the ``train`` split (the ``heldout`` split
   is frozen and never looked at here);
2. 5-fold stratified cross-validation on the training part: out-of-fold decision values give the
   cross-validation accuracy, the softmax temperature (fitted by log-loss on them) and the
   "not sure" thresholds (below which Parley shows a menu: the best situation's probability, and
   its raw decision value, which is low when no situation claims the message at all), chosen to
   trade the wrong-card rate against the menu rate, with the "choose" half of the vague set
   (``vague.jsonl``) counting a card shown for a message that names no situation as wrong: a
   wrong card costs `WRONG_CARD_COST` menus;
3. fits TF-IDF (`handlers.text_features.features` as the analyzer, sublinear tf, l2) and a
   linear SVM (one-vs-rest) on all training rows for the situations, and one for the language;
4. writes ``content/triage/model.bin`` with `handlers.linear_model.write_model`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handlers.linear_model import softmax, write_model
from handlers.text_features import features

CONTENT = Path(__file__).resolve().parent.parent / "content" / "triage"
CORPUS = CONTENT / "corpus.jsonl"
#: Messages that name no situation ("hi", "the client called me"): the bot should ask, not guess.
#: Their "choose" half helps pick the thresholds; the "test" half is only measured.
VAGUE = CONTENT / "vague.jsonl"
MODEL_FILE = "model.bin"
SEED = 20261129
FOLDS = 5
#: How many menus one wrong card is worth when the threshold is chosen.
WRONG_CARD_COST = 3.0
#: How often a first message names no situation ("hi", "the client called"), relative to one that
#: does: a card shown for a vague message counts as wrong, weighted by this share.
VAGUE_WEIGHT = 0.2
#: Regularisation of the linear SVMs (chosen by cross-validation on the train split: 0.3-1 were
#: equal within noise; logistic regression was 1-2 points lower and ten times slower).
C_SITUATION = 0.5
C_LANGUAGE = 0.5
MIN_DF = 2


@dataclass
class Row:
    text: str
    lang: str
    label: str
    split: str
    also: list[str] = field(default_factory=list)
    style: str = ""
    source: str = ""

    @property
    def accepted(self) -> set[str]:
        """The label and any situation the row names as an acceptable alternative."""
        return {self.label, *self.also}


def read_rows(path: Path) -> list[Row]:
    """Every row of a JSON Lines corpus; `ValueError` naming the line for a malformed one."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            rows.append(Row(text=data["text"], lang=data["lang"], label=data["label"],
                            split=data.get("split", "test"), also=list(data.get("also", [])),
                            style=data.get("style", ""), source=data.get("source", "")))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path.name}:{n}: {exc}") from exc
    return rows


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=features, sublinear_tf=True, min_df=MIN_DF, norm="l2")


def _classifier(c: float) -> Any:
    from sklearn.svm import LinearSVC

    return LinearSVC(C=c, random_state=SEED)


def out_of_fold(rows: Sequence[Row], c: float = C_SITUATION) -> tuple[list[str], list[list[float]]]:
    """(labels in column order, decision values per row) from stratified k-fold cross-validation."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    texts = [r.text for r in rows]
    y = np.array([r.label for r in rows])
    labels = sorted(set(y))
    decision = np.zeros((len(rows), len(labels)))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for train_idx, test_idx in folds.split(texts, y):
        vec = _vectorizer()
        x_train = vec.fit_transform([texts[i] for i in train_idx])
        clf = _classifier(c).fit(x_train, y[train_idx])
        cols = [list(clf.classes_).index(label) for label in labels]
        decision[test_idx] = clf.decision_function(vec.transform([texts[i] for i in test_idx]))[:, cols]
    return labels, decision.tolist()


def fit_temperature(labels: Sequence[str], decision: Sequence[Sequence[float]], rows: Sequence[Row]) -> float:
    """The softmax temperature with the lowest log-loss on out-of-fold decision values."""
    gold = [labels.index(r.label) for r in rows]

    def loss(t: float) -> float:
        return -sum(math.log(max(softmax(d, t)[g], 1e-12)) for d, g in zip(decision, gold, strict=True)) / len(gold)

    grid = [0.05 * k for k in range(1, 101)]
    best = min(grid, key=loss)
    fine = [best + 0.005 * k for k in range(-9, 10) if best + 0.005 * k > 0]
    chosen: float = min(fine, key=loss)
    return round(chosen, 4)


@dataclass(frozen=True)
class Tradeoff:
    threshold: float  # the best situation's probability must reach this ...
    min_decision: float  # ... and its raw decision value this, for one card instead of a menu
    menu_rate: float  # share of messages that get the "which is closest?" menu
    wrong_card_rate: float  # share that get one card, and it is the wrong one
    top1: float
    vague_card_rate: float = 0.0  # share of vague messages that still get one card


def _confident(p: Sequence[float], d: Sequence[float], threshold: float, min_decision: float) -> tuple[bool, int]:
    best = max(range(len(p)), key=p.__getitem__)
    return p[best] >= threshold and d[best] >= min_decision, best


def tradeoffs(labels: Sequence[str], decision: Sequence[Sequence[float]], temperature: float, rows: Sequence[Row],
              vague: Sequence[Sequence[float]] = ()) -> list[Tradeoff]:
    """Menu, wrong-card and vague-card rates for each pair of thresholds.

    ``decision``: out-of-fold decision values of ``rows``; ``vague``: decision values of messages
    that name no situation. Probability thresholds 0.00 to 0.95 by 0.05, decision minimums -1.0 to
    0.5 by 0.1.
    """
    probs = [softmax(d, temperature) for d in decision]
    vague_probs = [(softmax(d, temperature), d) for d in vague]
    out = []
    for k in range(20):
        t = k / 20
        for j in range(16):
            m = round(-1.0 + j / 10, 2)
            menu = wrong = right = 0
            for p, d, r in zip(probs, decision, rows, strict=True):
                sure, best = _confident(p, d, t, m)
                ok = labels[best] in r.accepted
                right += ok
                if not sure:
                    menu += 1
                elif not ok:
                    wrong += 1
            cards = sum(1 for p, d in vague_probs if _confident(p, d, t, m)[0])
            out.append(Tradeoff(t, m, menu / len(rows), wrong / len(rows), right / len(rows),
                                cards / len(vague_probs) if vague_probs else 0.0))
    return out


def choose_threshold(options: Sequence[Tradeoff]) -> Tradeoff:
    """The pair with the lowest cost: a wrong card costs `WRONG_CARD_COST` menus, and so does a card
    for a vague message, weighted by `VAGUE_WEIGHT`."""
    return min(options, key=lambda o: (WRONG_CARD_COST * (o.wrong_card_rate + VAGUE_WEIGHT * o.vague_card_rate)
                                       + o.menu_rate, o.threshold, o.min_decision))


def vague_rows(path: Path = VAGUE, half: str = "choose") -> list[str]:
    """The texts of one half ("choose" or "test") of the vague set; [] when the file is absent.

    A row's half is fixed by its text's hash (first hex digit 0-7: choose), like the corpus split.
    """
    if not path.exists():
        return []
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [t for t in texts if (hashlib.sha256(t.encode()).hexdigest()[0] in "01234567") == (half == "choose")]


def corpus_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def train(corpus: Path = CORPUS, out: Path | None = None, *, cv: bool = True,
          report: Any = print) -> dict[str, Any]:
    """Trains on the corpus's ``train`` split and writes the model; returns the header it wrote.

    Raises `ImportError` (with the install hint) when scikit-learn is missing.
    """
    try:
        import numpy as np
        from sklearn.svm import LinearSVC  # noqa: F401
    except ImportError as exc:
        raise ImportError("training needs the train extra: pip install -e '.[train]'") from exc

    rows = [r for r in read_rows(corpus) if r.split == "train"]
    header: dict[str, Any] = {"corpus": corpus_digest(corpus), "rows": len(rows), "seed": SEED,
                              "c": C_SITUATION, "min_df": MIN_DF, "temperature": 1.0, "threshold": 0.0}
    vec = _vectorizer()
    x = vec.fit_transform([r.text for r in rows])
    situation = _classifier(C_SITUATION).fit(x, np.array([r.label for r in rows]))
    header["min_decision"] = -1e9
    if cv:
        labels, decision = out_of_fold(rows)
        t = fit_temperature(labels, decision, rows)
        vague = vague_rows(corpus.parent / VAGUE.name)
        cols = [list(situation.classes_).index(label) for label in labels]
        vague_decision = situation.decision_function(vec.transform(vague))[:, cols].tolist() if vague else []
        chosen = choose_threshold(tradeoffs(labels, decision, t, rows, vague_decision))
        header.update(temperature=t, threshold=chosen.threshold, min_decision=chosen.min_decision,
                      cv={"top1": round(chosen.top1, 4), "menu_rate": round(chosen.menu_rate, 4),
                          "wrong_card_rate": round(chosen.wrong_card_rate, 4),
                          "vague_card_rate": round(chosen.vague_card_rate, 4)})
        report(f"cross-validation ({FOLDS} folds, {len(rows)} rows): top-1 {chosen.top1:.3f}; temperature {t}; "
               f"threshold {chosen.threshold:.2f}, min decision {chosen.min_decision:+.1f}: menu {chosen.menu_rate:.3f},"
               f" wrong card {chosen.wrong_card_rate:.3f}; vague messages given a card"
               f" {chosen.vague_card_rate:.3f} of {len(vague)}")

    language = _classifier(C_LANGUAGE).fit(x, np.array([r.lang for r in rows]))
    vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
    heads = {
        "situation": (list(situation.classes_), situation.coef_.tolist(), situation.intercept_.tolist()),
        "language": (list(language.classes_), language.coef_.tolist(), language.intercept_.tolist()),
    }
    target = out or corpus.parent / MODEL_FILE
    write_model(target, header, vocab, vec.idf_.tolist(), heads)
    report(f"wrote {target} ({target.stat().st_size / 1e6:.2f} MB, {len(vocab)} features)")
    return header

