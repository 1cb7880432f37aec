"""Text typed instead of a press: a label with a typo, yes/no words, a language's name, a step's label.

Users type what a button says ("skip ths step", «да», "Română") as often as they press it. The word
lists are data (`content/typed.yaml`); this module only compares folded text (case, diacritics,
punctuation and a leading "1)" dropped, see `fold`), so the three languages are treated alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from functools import cache
from importlib import resources
from typing import Literal

import yaml

from content.text import strip_marks

__all__ = ["TYPO_RATIO", "close_label", "names_conflict", "fold", "language_named", "step_label_keys", "walk_words", "yes_no", "yes_no_of_label"]

_NUMBERED = re.compile(r"^\s*#?\d{1,3}\s*[.)]\s*")
_NON_WORD = re.compile(r"[\W_]+")
#: How alike (difflib's ratio, 0..1) a typed line and a label must be to count as that label typed with a
#: typo: "skip ths step" is 0.96 of "skip this step"; "skip" alone (0.44) is not.
TYPO_RATIO = 0.86
#: Shorter folded labels must be typed exactly: one wrong letter of "ok" or "nu" is another word.
MIN_TYPO_LENGTH = 8


def fold(text: str) -> str:
    """A label or a typed line folded for comparing: case, diacritics, punctuation, a leading "1)" and
    spacing dropped ("1) Продолжить!" and "продолжить" fold alike)."""
    folded = strip_marks(text).casefold()
    folded = _NUMBERED.sub("", folded)
    return " ".join(_NON_WORD.sub(" ", folded).split())


@cache
def _data() -> dict[str, object]:
    text = (resources.files("content") / "typed.yaml").read_text(encoding="utf-8")
    data: dict[str, object] = yaml.safe_load(text)
    return data


@cache
def _phrases(name: str) -> frozenset[str]:
    words = _data()[name]
    assert isinstance(words, list)
    return frozenset(fold(str(w)) for w in words)


@cache
def _first_words(name: str) -> frozenset[str]:
    return frozenset(p.split()[0] for p in _phrases(name) if p)


def yes_no(text: str) -> Literal["yes", "no"] | None:
    """"yes" when ``text`` is only yes-words ("yes", "Да, конечно", "sigur"), "no" when it is only
    no-words ("nope", «нет», "nu acum"), else None (a sentence is an answer of its own)."""
    typed = fold(text)
    if not typed:
        return None
    for kind in ("yes", "no"):
        phrases = _phrases(f"{kind}_words")
        if typed in phrases or all(word in phrases for word in typed.split()):
            return "yes" if kind == "yes" else "no"
    return None


def yes_no_of_label(label: str) -> Literal["yes", "no"] | None:
    """Whether a choice's label answers a yes/no question and how: "Yes, a payment rule" is "yes",
    "Not now" / «Нет, но…» / "Nu acum" is "no"; None for a label that opens with neither."""
    words = fold(label).split()
    if not words:
        return None
    if words[0] in {"yes", "да", "da"}:
        return "yes"
    return "no" if words[0] in {"no", "not", "нет", "не", "nu"} else None


def close_label(text: str, labels: Sequence[str]) -> int | None:
    """The index of the label ``text`` repeats, folded (`fold`), exactly or with a typo (difflib's
    ratio at least `TYPO_RATIO`, for labels of `MIN_TYPO_LENGTH` characters or more); the closest
    one when several are close, None when none is."""
    typed = fold(text)
    if not typed:
        return None
    folded = [fold(label) for label in labels]
    if typed in folded:
        return folded.index(typed)
    best, best_ratio = None, TYPO_RATIO
    for index, label in enumerate(folded):
        if len(label) < MIN_TYPO_LENGTH or abs(len(label) - len(typed)) > 3:
            continue
        ratio = SequenceMatcher(None, typed, label).ratio()
        if ratio >= best_ratio:
            best, best_ratio = index, ratio
    return best


def language_named(text: str, languages: Iterable[str]) -> str | None:
    """The code of the language ``text`` names and nothing else ("Română", "russian", «русский», "ro"),
    among ``languages``; None otherwise."""
    typed = fold(text)
    names = _data()["languages"]
    assert isinstance(names, dict)
    for code in languages:
        if typed in {fold(str(n)) for n in names.get(code, [])}:
            return code
    return None


def walk_words(text: str) -> bool:
    """Whether ``text`` is a short form of the card's "Walk me through it" ("walk me thru", "step by
    step", «пошагово», "ghidează-mă": ``walk_words`` of `content/typed.yaml`), folded (`fold`)."""
    return fold(text) in _phrases("walk_words")


def step_label_keys() -> list[str]:
    """The string keys of the labels of walkthrough buttons (skip, later, close…), whose typed text
    outside a waiting step gets a note instead of a situation card."""
    keys = _data()["step_labels"]
    assert isinstance(keys, list)
    return [str(k) for k in keys]


@cache
def _conflict_stems() -> tuple[str, ...]:
    stems = _data()["conflict_stems"]
    assert isinstance(stems, dict)
    return tuple(sorted({fold(str(stem)) for words in stems.values() for stem in words}))


def names_conflict(text: str) -> bool:
    """Whether a word of ``text`` starts with a word beginning that names a conflict (pay, rude, deadline,
    «плат», «груб», "factur"…: ``conflict_stems`` of `content/typed.yaml`, in any of the three languages)."""
    stems = _conflict_stems()
    return any(word.startswith(stems) for word in fold(text).split())
