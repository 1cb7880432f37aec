"""The text features Parley's classifiers read: one normal form for every way people type, then n-grams.

Training (`bot.train_triage`, scikit-learn) and run time (`handlers.linear_model`) call the same
`features` function, so what the shipped weights were fitted on is exactly what they score. Pure
stdlib: importing this costs nothing noticeable.

The normal form brings together what people type differently but mean the same:

- lower case, NFC, any diacritic dropped (ș/ş → s, ă → a, ё → е);
- Romanian in the older spelling: î inside a word is the â of today (``sîmbătă`` = ``sâmbătă``),
  so both fold to ``a``; î at the start or end of a word stays ``i`` (``în``, ``a hotărî``);
- Cyrillic transliterated to Latin, so ``клиент не платит`` and ``klient ne platit`` share
  features; a few spellings that transliteration varies on (``kh``/``h``, ``y``/``i``, doubled
  letters) are folded too;
- every run of digits is one token ``0`` ("draft 11" and "draft 3" look alike).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

#: Cyrillic to Latin, the way people type Russian on a Latin keyboard.
_CYR = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh",
    "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia", "є": "e", "і": "i", "ї": "i",
})  # fmt: skip
#: Inner î (old Romanian spelling) marked before diacritics are dropped; \x01 becomes "a" afterwards.
_INNER_I = re.compile(r"(?<=\w)[îÎ](?=\w)")
_APOSTROPHE = re.compile(r"['’`ʼ]")
_NOT_WORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+")
_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(a), b)
    for a, b in (
        (r"shch|sch", "sh"),
        (r"kh", "h"),
        (r"y", "i"),
        (r"(\w)\1+", r"\1"),  # doubled letters, the commonest typo (and "0 0" stays apart: not \w\w)
    )
)

#: Character n-gram lengths, inside a word padded with one space on each side.
CHAR_MIN, CHAR_MAX = 2, 5
#: Lengths of the character n-grams that cross a word boundary (`check_features`).
CROSS_MIN, CROSS_MAX = 4, 6


def normalise(text: str) -> str:
    """One spelling for a message: space-separated lower-case Latin words, digits as ``0``.

    >>> normalise("Клиент НЕ платит уже 3 месяца!")
    'klient ne platit uzhe 0 mesiatsa'
    >>> normalise("pînă sîmbătă") == normalise("până sâmbătă") == normalise("pana sambata")
    True
    """
    text = unicodedata.normalize("NFC", text).lower()
    text = _INNER_I.sub("\x01", text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.replace("\x01", "a").translate(_CYR)
    text = _APOSTROPHE.sub("", text)
    text = _DIGITS.sub(" 0 ", text)
    text = _NOT_WORD.sub(" ", text)
    for pattern, repl in _FOLDS:
        text = pattern.sub(repl, text)
    return " ".join(text.split())


def features(text: str) -> list[str]:
    """The message's features, repeats kept (term frequency counts them).

    ``w:word`` for each word, ``b:word_word`` for each pair of neighbours, and ``c:ngram`` for
    each character n-gram of lengths `CHAR_MIN`..`CHAR_MAX` inside a word padded with spaces
    (like scikit-learn's ``char_wb``; training passes this very function as the analyzer, so run
    time needs no scikit-learn).
    """
    words = normalise(text).split()
    out = [f"w:{w}" for w in words]
    out += [f"b:{a}_{b}" for a, b in zip(words, words[1:], strict=False)]
    for word in words:
        padded = f" {word} "
        size = len(padded)
        for n in range(CHAR_MIN, CHAR_MAX + 1):
            if n > size:
                break
            out += [f"c:{padded[i:i + n]}" for i in range(size - n + 1)]
    return out


def cross_word_ngrams(words: list[str]) -> list[str]:
    """``x:ngram`` for each character n-gram of lengths `CROSS_MIN`..`CROSS_MAX` of the words joined
    by spaces (and padded by one) that has a space inside it, i.e. spans a word boundary.

    They join the ends of neighbouring words: "as i said", "as i've said" and "as I said it"
    share ``s i s``, and a reworded Russian "как я уже писала" shares ``я уж`` with "как я уже
    говорил", where the word pairs differ. N-grams inside one word are `features`' business.
    """
    line = f" {' '.join(words)} "
    return [f"x:{line[i:i + n]}" for n in range(CROSS_MIN, CROSS_MAX + 1)
            for i in range(len(line) - n + 1) if " " in line[i + 1:i + n - 1]]


def check_features(text: str) -> list[str]:
    """/check's features: `features` plus `cross_word_ngrams`.

    The don'ts of a draft live in short turns of phrase across words ("not me", "as I said",
    "if you had") more than in single words; on cross-validation of the /check corpus these
    n-grams raised draft recall by one to two points at the same precision. Triage keeps `features`.
    """
    words = normalise(text).split()
    return features(text) + cross_word_ngrams(words)


#: The feature sets a model file may name in its header's ``features`` (triage's files name none:
#: `DEFAULT_ANALYZER`), so a model is always scored with what it was trained on.
ANALYZERS: dict[str, Callable[[str], list[str]]] = {"words-chars": features, "words-chars-cross": check_features}
DEFAULT_ANALYZER = "words-chars"
