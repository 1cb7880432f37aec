"""Builds content/paraphrase/ro_diacritics.txt, the table the step-2 draft restores Romanian diacritics with.

A build-time tool, not a run-time dependency: it needs ``wordfreq`` (``pip install wordfreq``, about 57 MB
with every language's data), which the bot never imports. wordfreq's Romanian list (Wikipedia, subtitles,
web text, about 43,000 words) holds every word both as written properly ("înapoi") and as people type it
without diacritics ("inapoi"). For each folded form that has a form with diacritics, the table keeps the
forms a writer could have meant, likeliest first:

- the bare folded form counts as a word of its own only for what is left of its frequency after the share
  people type without diacritics (``LEAK`` of its diacritic forms' frequency): "ca" (as) stays a word
  beside "că" (that), "inapoi" does not;
- a form below ``AMBIGUOUS`` of the likeliest one is left out ("pește" beside "peste"): one form left means
  the restoration is sure, several mean the word is ambiguous ("fata": față/fața/fată) and the draft
  settles it by context or falls back.

Folded forms whose only likely form is the bare one are not listed (nothing to restore). The measured
shares on dev/dev2 for these constants are in the README.

Run: ``python benchmarks/ro_diacritics_table.py`` (rewrites the table; commit it).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import wordfreq  # type: ignore[import-not-found]

OUT = Path(__file__).resolve().parent.parent / "content" / "paraphrase" / "ro_diacritics.txt"
#: Share of a word's diacritic frequency that shows up typed without diacritics (measured on the list
#: itself: "si"/"și" 0.13, "in"/"în" 0.06, "cand"/"când" 0.10, "sa"/"să" 0.18).
LEAK = 0.25
#: A form at least this share of the likeliest one is a reading the writer may have meant.
AMBIGUOUS = 0.2
_PROPER = re.compile(r"^[a-zăâîșț]+(?:-[a-zăâîșț]+)*$")
HEADER = """\
# Romanian diacritics for the step-2 draft (handlers/paraphrase.py), built by benchmarks/ro_diacritics_table.py
# from wordfreq's Romanian list: "folded form [form ...]", likeliest first. One form: restored surely; several:
# ambiguous, settled by context in the draft or it falls back. Regenerate, do not edit by hand.
"""


def fold(word: str) -> str:
    """Lower case without combining marks: "înapoi" -> "inapoi"."""
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c))


def build() -> list[str]:
    """The table's lines, sorted by folded form."""
    groups: dict[str, dict[str, float]] = defaultdict(dict)
    for word in wordfreq.top_n_list("ro", 100_000):
        word = word.replace("ş", "ș").replace("ţ", "ț")
        if _PROPER.match(word):
            forms = groups[fold(word)]
            forms[word] = forms.get(word, 0.0) + wordfreq.word_frequency(word, "ro")
    lines = []
    for folded, forms in sorted(groups.items()):
        bare = forms.pop(folded, 0.0)
        if not forms:
            continue
        options = dict(forms)
        own = bare - LEAK * sum(forms.values())
        if own > 0:
            options[folded] = own
        ranked = sorted(options.items(), key=lambda kv: -kv[1])
        kept = [w for w, f in ranked if f >= AMBIGUOUS * ranked[0][1]]
        if kept != [folded]:
            lines.append(" ".join([folded, *kept]))
    return lines


if __name__ == "__main__":
    rows = build()
    OUT.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{OUT.name}: {len(rows)} words, {sum(' ' in r[r.index(' ') + 1:] for r in rows)} ambiguous")
