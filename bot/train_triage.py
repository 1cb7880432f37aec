"""Trains the triage model from the labelled corpus and writes the weights Parley ships.

Training only: needs the ``train`` extra (``pip install -e '.[train]'``: scikit-learn, numpy),
which the bot itself never imports. Run ``parley train-triage`` (or ``python -m bot.train_triage``);
with a fixed seed and a deterministic solver the same corpus gives the same model.

What it does, in order:

1. reads ``content/triage/corpus.jsonl`` and keeps the ``train`` split (the ``heldout`` split
   is frozen and never looked at here);
2. 5-fold stratified cross-validation on the training part: out-of-fold decision values give the
   cross-validation accuracy, the softmax temperature (fitted by log-loss on them) and the
   "not sure" threshold (the probability below which Parley shows a menu, chosen to trade the
   wrong-card rate against the menu rate: a wrong card costs `WRONG_CARD_COST` menus);
3. fits TF-IDF (`handlers.text_features.features` as the analyzer, sublinear tf, l2) and a
   linear SVM (one-vs-rest) on all training rows for the situations, and one for the language;
4. writes ``content/triage/model.bin`` with `handlers.linear_model.write_model`.
"""

from __future__ import annotations

import argparse
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
MODEL_FILE = "model.bin"
SEED = 20261129
FOLDS = 5
#: How many menus one wrong card is worth when the threshold is chosen.
WRONG_CARD_COST = 3.0
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
    threshold: float
    menu_rate: float  # share of messages that get the "which is closest?" menu
    wrong_card_rate: float  # share that get one card, and it is the wrong one
    top1: float


def tradeoffs(labels: Sequence[str], probs: Sequence[Sequence[float]], rows: Sequence[Row]) -> list[Tradeoff]:
    """Menu rate and wrong-card rate for each candidate threshold (0.00 to 0.95 by 0.01)."""
    tops = []
    for p, r in zip(probs, rows, strict=True):
        best = max(range(len(p)), key=p.__getitem__)
        tops.append((p[best], labels[best] in r.accepted))
    out = []
    for k in range(96):
        t = k / 100
        menu = sum(1 for p, _ in tops if p < t)
        wrong = sum(1 for p, ok in tops if p >= t and not ok)
        out.append(Tradeoff(t, menu / len(tops), wrong / len(tops), sum(ok for _, ok in tops) / len(tops)))
    return out


def choose_threshold(options: Sequence[Tradeoff]) -> Tradeoff:
    return min(options, key=lambda o: (WRONG_CARD_COST * o.wrong_card_rate + o.menu_rate, o.threshold))


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
    if cv:
        labels, decision = out_of_fold(rows)
        t = fit_temperature(labels, decision, rows)
        probs = [softmax(d, t) for d in decision]
        chosen = choose_threshold(tradeoffs(labels, probs, rows))
        top1 = chosen.top1
        header.update(temperature=t, threshold=chosen.threshold,
                      cv={"top1": round(top1, 4), "menu_rate": round(chosen.menu_rate, 4),
                          "wrong_card_rate": round(chosen.wrong_card_rate, 4)})
        report(f"cross-validation ({FOLDS} folds, {len(rows)} rows): top-1 {top1:.3f}; temperature {t}; "
               f"threshold {chosen.threshold:.2f}: menu {chosen.menu_rate:.3f}, wrong card {chosen.wrong_card_rate:.3f}")

    vec = _vectorizer()
    x = vec.fit_transform([r.text for r in rows])
    situation = _classifier(C_SITUATION).fit(x, np.array([r.label for r in rows]))
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="parley train-triage", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=None, help="default: model.bin beside the corpus")
    parser.add_argument("--no-cv", action="store_true", help="skip cross-validation (temperature 1, no threshold)")
    args = parser.parse_args(argv)
    train(args.corpus, args.out, cv=not args.no_cv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
