"""Measures the step-2 paraphrase drafts against drafts a native speaker accepts.

Reads content/paraphrase/dev.jsonl (written while building the rewrite), dev2.jsonl (written by a third
person, for development), dev3.jsonl (by a fourth writer, for development), dev4.jsonl (one-liners, rants, quotes, typos,
two complaints, insults and third parties, measured before the rules saw it, then for development),
dev5.jsonl (by another writer, never tuned on: aggregate shares only, like the held-out set),
dev6.jsonl (two new writers with their own personas, ru and ro, for development), dev7.jsonl (two more
writers, never tuned on: aggregate shares only) and, when present, content/paraphrase/heldout.jsonl (written by someone else and
never tuned on: only its aggregate shares are printed, never its misses); each line is
``{"lang", "answer", "accepted": [full drafts]}``. Prints per language and split: the share sendable
as-is (the paraphrase inside the frame equals an accepted one after normalising case, punctuation,
whitespace and ё -> е; the frame's own wording is not compared), the
share that fell back to the blank frame, the share wrong, and for Russian the drafts with an agreement
error pymorphy3 can see, and each language's p50/p99 time per draft. Also the first Russian call's cost (the
analyzer loads lazily) and the first Romanian one's (its verb and diacritics tables load lazily).

Run: ``python benchmarks/paraphrase_eval.py [--split dev|dev2|dev3|dev4|dev5|dev6|dev7|heldout ...] [--errors]``; ``--errors``
prints the wrong drafts of the tuning splits (dev..dev4, dev6) only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere, installed or not

from handlers.paraphrase import draft_paraphrase, ru_agreement_errors  # noqa: E402

SPLITS = {"dev": ROOT / "content" / "paraphrase" / "dev.jsonl",
          "dev2": ROOT / "content" / "paraphrase" / "dev2.jsonl",
          "dev3": ROOT / "content" / "paraphrase" / "dev3.jsonl",
          "dev4": ROOT / "content" / "paraphrase" / "dev4.jsonl",
          "dev5": ROOT / "content" / "paraphrase" / "dev5.jsonl",
          "dev6": ROOT / "content" / "paraphrase" / "dev6.jsonl",
          "dev7": ROOT / "content" / "paraphrase" / "dev7.jsonl",
          "heldout": ROOT / "content" / "paraphrase" / "heldout.jsonl"}
#: Splits whose misses may be printed: the held-out set is scored in aggregate only, never looked into,
#: or it stops measuring how the rewrite does on answers nobody tuned it on.
DEV_SPLITS = ("dev", "dev2", "dev3", "dev4", "dev6")
LANGS = ("en", "ru", "ro")


#: The frames a draft may be wrapped in. Only the paraphrase inside is compared: the frame is fixed
#: product text, and writers of accepted drafts word it in their own ways ("Dacă am înțeles bine, …").
_FRAME = re.compile(
    r"^\s*(?:if i(?: have)? understood you (?:correctly|right)|if i understand you (?:correctly|right)"
    r"|если я (?:правильно вас|вас правильно) понимаю|если я правильно понял[аи]? вас"
    r"|dac[aă] (?:v-)?am [iî]n[tț]eles (?:bine|corect))\s*,\s*"
    r"|[\s.,!?…—-]*(?:is that (?:right|correct)|верно|так|ce zice[tț]i|a[sș]a (?:este|e))\s*\?\s*$",
    re.IGNORECASE)


def normalise(text: str) -> str:
    """The paraphrase without its frame; lower case, ё -> е, punctuation and quotes dropped, whitespace
    collapsed: what "the same draft" means."""
    text = _FRAME.sub(" ", text)
    text = text.lower().replace("ё", "е").replace("’", "'")
    text = re.sub(r"[^\w\s']|_", " ", text)
    return " ".join(text.split())


def load(path: Path) -> list[dict[str, object]]:
    """The rows of one split; an absent file is an empty split."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Score:
    """Counts for one language in one split."""

    total: int = 0
    sendable: int = 0
    fallback: int = 0
    wrong: int = 0
    agreement: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)
    fallbacks: list[tuple[str, str]] = field(default_factory=list)
    millis: list[float] = field(default_factory=list)  # each draft's time, for the p50/p99 line

    def percentile(self, q: float) -> float:
        """The ``q`` quantile (0..1) of the per-draft times in ms; 0.0 when there are none."""
        ordered = sorted(self.millis)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    def share(self, n: int) -> float:
        return n / self.total if self.total else 0.0


def evaluate(rows: list[dict[str, object]]) -> dict[str, Score]:
    """Scores every row's draft: sendable (matches an accepted draft), fallback (blank frame) or wrong."""
    scores = {lang: Score() for lang in LANGS}
    for row in rows:
        lang, answer = str(row["lang"]), str(row["answer"])
        accepted = {normalise(str(a)) for a in row["accepted"]}  # type: ignore[attr-defined]
        started = time.perf_counter()
        result = draft_paraphrase(answer, lang)
        score = scores[lang]
        score.millis.append((time.perf_counter() - started) * 1000)
        score.total += 1
        if lang == "ru" and result.sure and ru_agreement_errors(result.draft):
            score.agreement += 1
        if not result.sure:
            score.fallback += 1
            score.fallbacks.append((answer, result.reason))
        elif normalise(result.draft) in accepted:
            score.sendable += 1
        else:
            score.wrong += 1
            score.misses.append((answer, result.draft))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true",
                        help="print the drafts that were wrong (dev splits only; never the held-out set)")
    parser.add_argument("--fallbacks", action="store_true", help="print the fallbacks' reasons (dev splits only)")
    parser.add_argument("--split", action="append", choices=sorted(SPLITS),
                        help="score only this split (repeatable); default: all")
    args = parser.parse_args()
    started = time.perf_counter()
    draft_paraphrase("он говорит, что мы сорвали сроки", "ru")
    print(f"first Russian draft (loads pymorphy3): {(time.perf_counter() - started) * 1000:.0f} ms")
    started = time.perf_counter()
    draft_paraphrase("zice că site-ul e lent", "ro")
    print(f"first Romanian draft (loads its tables): {(time.perf_counter() - started) * 1000:.0f} ms")
    for split, path in SPLITS.items():
        if args.split and split not in args.split:
            continue
        rows = load(path)
        if not rows:
            print(f"{split}: {path.relative_to(ROOT)} not found or empty")
            continue
        started = time.perf_counter()
        scores = evaluate(rows)
        per_draft = (time.perf_counter() - started) * 1000 / len(rows)
        for lang in LANGS:
            s = scores[lang]
            if not s.total:
                continue
            extra = f"  agreement errors (pymorphy3): {s.agreement}" if lang == "ru" else ""
            print(f"{split:8} {lang}  n={s.total:3}  sendable {s.share(s.sendable):6.1%}  "
                  f"fallback {s.share(s.fallback):6.1%}  wrong {s.share(s.wrong):6.1%}{extra}  "
                  f"p50 {s.percentile(0.5):.2f} ms p99 {s.percentile(0.99):.2f} ms")
            if args.errors and split in DEV_SPLITS:
                for answer, draft in s.misses:
                    print(f"    {answer}\n      -> {draft}")
            if args.fallbacks and split in DEV_SPLITS:
                for answer, reason in s.fallbacks:
                    print(f"    {answer}\n      ?? {reason}")
        times = sorted(t for s in scores.values() for t in s.millis)
        p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{split:8} {per_draft:.2f} ms per draft (p50 {p50:.2f} ms, p99 {p99:.2f} ms)")


if __name__ == "__main__":
    main()
