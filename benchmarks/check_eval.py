"""Measures the shipped /check model: cross-validation, the frozen held-out split, false alarms, speed.

Run: ``python benchmarks/check_eval.py [--errors] [--no-cv]`` (``--errors`` lists cross-validation errors on the train split, never held-out ones). Cross-validation needs the train extra
(scikit-learn); without it the figures stored in the model at training time are printed.

Figures per language, side by side:
- draft level: precision and recall of "this draft has a don't" (what the user sees first);
  cross-validation applies /check's own rule (`handlers.check.verdict`) to out-of-fold decisions;
- don't level: micro precision and recall over the five don'ts (is the right one named?);
- the patterns of ``content/check.yaml`` alone, as /check decided before the model (the anchor);
- the review's drafts (``content/check/review.jsonl``: 25 per language from a native-level review,
  written before the model and never trained on): draft-level precision and recall, model and patterns;
- false alarms on Parley's own advice: every "what to say" phrase of the cards, which must pass
  (they are among the training rows, so this is an in-sample check, not a held-out figure).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere, installed or not

from bot.train_check import CORPUS, Draft, read_drafts, scores  # noqa: E402

LANGS = ("en", "ru", "ro", "all")
#: Sources added after the held-out figures of earlier rounds: the held-out split without them is the
#: set those figures were measured on.
NEWER_SOURCES = frozenset({"writer8-en", "writer9-en"})


def _table(title: str, rows: list[Draft], flagged: list[set[str]], per: int = 1) -> None:
    """One table of `scores`; ``per`` divides n when the rows repeat (pooled cross-validation runs)."""
    figures = scores(rows, flagged)
    print(f"\n== {title}")
    print(f"{'lang':<5}{'n':>5}{'draft P':>9}{'draft R':>9}{'dont P':>8}{'dont R':>8}")
    for lang in LANGS:
        if lang in figures:
            f = figures[lang]
            print(f"{lang:<5}{f['n'] / per:>5.0f}{f['precision']:>9.3f}{f['recall']:>9.3f}"
                  f"{f['label_precision']:>8.3f}{f['label_recall']:>8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", action="store_true", help="list the train split's cross-validation errors"
                        " (never the held-out drafts: those are for measuring only)")
    parser.add_argument("--no-cv", action="store_true", help="skip the (slow) cross-validation")
    args = parser.parse_args()

    t0 = time.perf_counter()
    from handlers.check import check_model, detect_donts, pattern_findings

    check_model()
    print(f"import and model load: {(time.perf_counter() - t0) * 1000:.1f} ms;"
          f" model file {(CORPUS.parent / 'model.bin').stat().st_size / 1e6:.2f} MB")
    corpus = read_drafts(CORPUS)
    train = [r for r in corpus if r.split == "train"]
    heldout = [r for r in corpus if r.split == "heldout"]
    cv_errors: list[tuple[object, set[str]]] = []
    if not args.no_cv:
        try:
            from bot.train_check import CV_REPEATS, SEED, detected_languages, out_of_fold, verdicts

            # pooled over the trainer's runs (each row once per run), so the figures do not hang on one shuffle
            decision = [d for k in range(CV_REPEATS) for d in out_of_fold(train, SEED + k)]
            model = check_model()
            gates, tl = model.header["flag_thresholds"], model.header["dont_threshold"]
            shown = ", ".join(f"{lang} {t:+.2f}" for lang, t in gates.items())
            pooled = train * CV_REPEATS
            flagged = verdicts(pooled, decision, detected_languages(train) * CV_REPEATS, gates, tl)
            _table(f"cross-validation, {CV_REPEATS} runs of 5 folds on the train split, pooled; n per run"
                   f" (thresholds: flag {shown}; don't {tl:+.2f})", pooled, flagged, per=CV_REPEATS)
            cv_errors = [(r, f) for r, f in zip(train, flagged[:len(train)], strict=True) if f != set(r.labels)]
        except ImportError:
            print(f"\n== cross-validation (stored at training time): {check_model().header.get('cv')}")
    flagged = [set(detect_donts(r.text)) for r in heldout]
    _table("frozen held-out split: the model", heldout, flagged)
    older = [k for k, r in enumerate(heldout) if r.source not in NEWER_SOURCES]
    if len(older) < len(heldout):
        _table(f"frozen held-out split, rows from before {'/'.join(sorted(NEWER_SOURCES))} (comparable with earlier"
               " figures): the model", [heldout[k] for k in older], [flagged[k] for k in older])
    _table("frozen held-out split: check.yaml patterns alone (before the model)", heldout,
           [{f.rule for f in pattern_findings(r.text)} for r in heldout])
    review_path = CORPUS.parent / "review.jsonl"
    if review_path.exists():
        import json

        review = [json.loads(line) for line in review_path.read_text(encoding="utf-8").splitlines() if line.strip()]
        print("\n== the review's drafts (independent: never trained on)")
        print(f"{'lang':<5}{'n':>4}{'model P':>9}{'model R':>9}{'patterns P':>12}{'patterns R':>12}")
        for lang in LANGS:
            rows = [r for r in review if lang in ("all", r["lang"])]
            line = f"{lang:<5}{len(rows):>4}"
            for decide in (lambda t: bool(detect_donts(t)), lambda t: bool(pattern_findings(t))):
                said = [(decide(r["text"]), r["bad"]) for r in rows]
                tp = sum(1 for f, b in said if f and b)
                line += f"{tp / max(1, sum(f for f, _ in said)):>9.3f}{tp / max(1, sum(b for _, b in said)):>9.3f}"
            print(line.replace("   ", "   ", 1))
    traps = [(r, f) for r, f in zip(heldout, flagged, strict=True) if r.trap]
    if traps:
        print(f"held-out traps (fine drafts that look like a don't) flagged: {sum(1 for _, f in traps if f)}/{len(traps)}")

    from content.loader import library
    from content.text import LANGUAGES

    phrases = [(lang, p) for card in library().cards.values() for lang in LANGUAGES for p in card.text(lang).say]
    alarms = [(lang, p, detect_donts(p)) for lang, p in phrases]
    bad = [a for a in alarms if a[2]]
    print(f"\nfalse alarms on the cards' own 'what to say' phrases (trained on): {len(bad)}/{len(phrases)}"
          + "".join(f"\n  [{lang}] {found} {p[:90]}" for lang, p, found in bad[:12]))

    if args.errors:
        print("\ncross-validation errors on the train split (first run):" if cv_errors or not args.no_cv
              else "\n--errors needs the cross-validation (drop --no-cv)")
        for r, f in cv_errors:
            print(f"  [{r.lang}] want {sorted(r.labels)} got {sorted(f)}: {r.text[:110]}")  # type: ignore[attr-defined]

    samples = []
    for _ in range(3):
        for r in corpus:
            t = time.perf_counter()
            detect_donts(r.text)
            samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    print(f"\nlatency per draft over {len(corpus)} drafts x3 (ms): p50 {statistics.median(samples):.3f}"
          f" p99 {samples[int(0.99 * len(samples))]:.3f}")


if __name__ == "__main__":
    main()
