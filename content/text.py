"""The ground floor: Parley's languages and the text folds that matching uses. Imports nothing of Parley.

Everything that compares words (card lookup, /tz city names, time phrases, commands) folds with these,
so "sîmbătă", "sâmbătă" and "sambata" match alike everywhere.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "ro_circumflex", "strip_marks", "word_count"]

#: The languages Parley speaks, the default first.
LANGUAGES: tuple[str, ...] = ("en", "ru", "ro")
#: Each language's name in itself, for pickers.
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "ro": "Română"}

#: "î" with a letter on both sides: the pre-1993 Romanian spelling of "â" (sîmbătă = sâmbătă).
_INNER_I_CIRCUMFLEX = re.compile(r"(?<=[^\W\d_])([îÎ])(?=[^\W\d_])")


def ro_circumflex(text: str) -> str:
    """Romanian "î" inside a word written as "â", the way the 1993 spelling writes it, same length.

    Moldova still writes "sîmbătă", "mîine", "săptămînă"; Romania writes "sâmbătă". Both letters are
    the same sound, and the rule is positional: "î" at a word's start or end ("în", "a coborî"),
    "â" inside. So an inner "î" is an "â", and after this the two spellings fold alike. ``text``
    should be NFC (a decomposed "i" + combining circumflex is left as it is).
    """
    return _INNER_I_CIRCUMFLEX.sub(lambda m: "â" if m.group(1) == "î" else "Â", text)


def strip_marks(text: str) -> str:
    """Text without diacritics (ș→s, ă→a, ё→е), also when it arrives decomposed: for matching only.

    Romanian "î" inside a word folds like "â" (see `ro_circumflex`): "sîmbătă" and "sâmbătă" are
    both "sambata".
    """
    text = ro_circumflex(unicodedata.normalize("NFC", text))
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


_WORD = re.compile(r"[^\W\d_]+")


def word_count(text: str) -> int:
    """How many words of letters ``text`` has (digits, emoji and punctuation are not words): what
    "too short to judge" means for /check and the step-2 paraphrase."""
    return len(_WORD.findall(text))
