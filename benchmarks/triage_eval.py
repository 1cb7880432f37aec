"""Measures the triage engine on tests/data/triage_dev.jsonl: accuracy, confusions, speed.

Run: ``PYTHONPATH=. python benchmarks/triage_eval.py [--split dev|heldout|all] [--errors]``.
Import time is measured in a fresh interpreter, because that is what a user starting the bot pays.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere, installed or not
DATA = ROOT / "tests" / "data" / "triage_dev.jsonl"
LANGS = ("en", "ru", "ro")


def load(split: str) -> list[dict[str, str]]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split == "all" or r["split"] == split]


_ALONE = """
import importlib.util, sys, time
t0 = time.perf_counter()
spec = importlib.util.spec_from_file_location("triage_alone", "handlers/triage.py")
mod = importlib.util.module_from_spec(spec)
sys.modules["triage_alone"] = mod
spec.loader.exec_module(mod)
t1 = time.perf_counter()
mod.triage("the client is yelling at me and will not pay")
t2 = time.perf_counter()
print((t1 - t0) * 1000, (t2 - t1) * 1000)
"""
_PACKAGE = """
import time
t0 = time.perf_counter()
from handlers.triage import triage
t1 = time.perf_counter()
triage("the client is yelling at me and will not pay")
t2 = time.perf_counter()
print((t1 - t0) * 1000, (t2 - t1) * 1000)
"""


def cold_start_ms(code: str) -> tuple[float, float]:
    """(import ms, first call ms) in a fresh interpreter, best of three to hide machine noise."""
    runs = []
    for _ in range(3):
        proc = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(ROOT), "PATH": ""},
        )
        if proc.returncode:
            raise SystemExit(proc.stderr)
        imp, first = (float(x) for x in proc.stdout.split())
        runs.append((imp + first, imp, first))
    _, imp, first = min(runs)
    return imp, first


def report(rows: list[dict[str, str]], title: str, show_errors: bool) -> None:
    from handlers.triage import triage

    by_lang: dict[str, list[tuple[bool, bool, bool]]] = defaultdict(list)
    by_sit: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    by_style: dict[str, list[bool]] = defaultdict(list)
    confusions: Counter[tuple[str, str]] = Counter()
    errors: list[str] = []
    confidence: list[tuple[bool, bool]] = []
    for r in rows:
        res = triage(r["text"])
        ids = [m.id for m in res.matches]
        top1, top3 = ids[0] == r["label"], r["label"] in ids[:3]
        by_lang[r["lang"]].append((top1, top3, res.language == r["lang"]))
        by_sit[r["label"]].append((top1, top3))
        by_style[r["style"]].append(top1)
        confidence.append((top1, res.confident))
        if not top1:
            confusions[(r["label"], ids[0])] += 1
            errors.append(
                f"  [{r['lang']}/{r['style']}] want {r['label']}, got {ids[:3]} conf={res.confident}: {r['text'][:110]}"
            )
    print(f"\n== {title}: {len(rows)} messages")
    print(f"{'lang':<6}{'n':>5}{'top1':>8}{'top3':>8}{'lang-id':>9}")
    for lang in LANGS:
        xs = by_lang.get(lang, [])
        if xs:
            n = len(xs)
            print(
                f"{lang:<6}{n:>5}{sum(a for a, _, _ in xs) / n:>8.3f}{sum(b for _, b, _ in xs) / n:>8.3f}"
                f"{sum(c for _, _, c in xs) / n:>9.3f}"
            )
    allx = [x for xs in by_lang.values() for x in xs]
    if allx:
        n = len(allx)
        print(
            f"{'all':<6}{n:>5}{sum(a for a, _, _ in allx) / n:>8.3f}{sum(b for _, b, _ in allx) / n:>8.3f}"
            f"{sum(c for _, _, c in allx) / n:>9.3f}"
        )
    print(f"\n{'situation':<28}{'n':>4}{'top1':>7}{'top3':>7}")
    for sit in sorted(by_sit):
        ys = by_sit[sit]
        print(
            f"{sit:<28}{len(ys):>4}{sum(a for a, _ in ys) / len(ys):>7.2f}{sum(b for _, b in ys) / len(ys):>7.2f}"
        )
    sure = [hit for hit, conf in confidence if conf]
    unsure = [hit for hit, conf in confidence if not conf]
    print(
        f"\nconfident on {len(sure)}/{len(confidence)} messages, top-1 when confident"
        f" {sum(sure) / max(1, len(sure)):.3f}, when not confident {sum(unsure) / max(1, len(unsure)):.3f}"
        " (not confident: the caller shows a menu)"
    )
    print(
        "\nstyle top1: "
        + ", ".join(f"{s} {sum(v) / len(v):.2f} ({len(v)})" for s, v in sorted(by_style.items()))
    )
    print("most frequent confusions (label -> predicted):")
    for (want, got), k in confusions.most_common(8):
        print(f"  {k} x {want} -> {got}")
    if show_errors:
        print("errors:")
        print("\n".join(errors))


def latency(rows: list[dict[str, str]]) -> None:
    from handlers.triage import triage

    texts = [r["text"] for r in rows]
    samples = []
    for text in texts:  # first pass: the word caches are cold for every new word
        t0 = time.perf_counter()
        triage(text)
        samples.append((time.perf_counter() - t0) * 1000)
    cold = sorted(samples)
    for _ in range(4):
        for text in texts:
            t0 = time.perf_counter()
            triage(text)
            samples.append((time.perf_counter() - t0) * 1000)
    warm = sorted(samples[len(texts) :])

    def pct(xs: list[float], p: float) -> float:
        return xs[min(len(xs) - 1, int(p * len(xs)))]

    print(
        f"\nlatency per message over {len(texts)} messages (ms): first pass p50 {statistics.median(cold):.3f}"
        f" p99 {pct(cold, 0.99):.3f} max {cold[-1]:.3f}; warm p50 {statistics.median(warm):.3f}"
        f" p99 {pct(warm, 0.99):.3f} max {warm[-1]:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=["dev", "heldout", "all"], default=None)
    parser.add_argument("--errors", action="store_true", help="list every miss")
    args = parser.parse_args()
    imp, first = cold_start_ms(_ALONE)
    print(
        f"cold start, engine alone: import {imp:.1f} ms, first call {first:.1f} ms, total {imp + first:.1f} ms"
    )
    imp, first = cold_start_ms(_PACKAGE)
    print(
        f"cold start, via the handlers package (imports the whole bot): import {imp:.1f} ms,"
        f" first call {first:.1f} ms, total {imp + first:.1f} ms"
    )
    splits = [args.split] if args.split else ["dev", "heldout"]
    for split in splits:
        report(load(split), split, args.errors)
    latency(load("all"))


if __name__ == "__main__":
    main()
