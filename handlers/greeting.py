"""A greeting or small talk with nothing else ("hi", «привет», "ce faci", "help"): a short hello, not triage.

Triage ranks the fourteen situations for any text, so "hi" met the "which is closest?" menu of all
fourteen. A message made only of greeting words (and a few fillers such as "there" or "all") says no
situation yet; a greeting in front of one ("hi, the client hasn't paid") is triaged as usual.
"""

from __future__ import annotations

import re

from content.text import strip_marks

__all__ = ["greeting_language", "is_greeting"]

#: Words that greet, by language (Romanian with and without diacritics folds alike).
_GREETINGS_BY_LANGUAGE = {
    "en": "hi hello hey heya hiya howdy yo greetings hallo good",
    "ru": "привет приветик приветствую здравствуйте здравствуй здрасте здрасьте хай салют добрый доброе доброго",
    "ro": "salut buna bună servus noroc ceau hei",
}
_GREETINGS = "\n".join(_GREETINGS_BY_LANGUAGE.values())
#: Words that may stand beside a greeting without saying anything about a situation.
_FILLERS = """
morning afternoon evening day there all everyone everybody parley bot folks guys again
утро утра день дня вечер вечера всем ещё еще раз
ziua ziuă dimineata dimineața seara seară tuturor tuturora
"""
#: Small talk and calls for help that name no situation either (matched as whole phrases).
_SMALL_TALK = (
    "how are you", "how are things", "what s up", "whats up", "help", "help me", "test", "testing",
    "как дела", "как ты", "как вы", "помогите", "помощь", "тест",
    "ce faci", "ce mai faci", "ce mai faceti", "ajutor", "ajutati ma", "test",
)
_WORD = re.compile(r"[^\W\d_]+")


def _fold(text: str) -> str:
    return strip_marks(text).casefold()


_GREETING_WORDS = frozenset(_fold(_GREETINGS).split())
_ALLOWED = _GREETING_WORDS | frozenset(_fold(_FILLERS).split())
#: A greeting longer than this is a message with a greeting in it.
MAX_WORDS = 4


_SMALL_TALK_RE = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, map(_fold, _SMALL_TALK)), key=len, reverse=True))
                            + r")\b")


def is_greeting(text: str) -> bool:
    """True when ``text`` is only a greeting or small talk: at most `MAX_WORDS` words, at least one
    greeting word or small-talk phrase ("how are you", «помогите», "ce faci"), and nothing else but
    fillers (punctuation and emoji aside)."""
    words = _WORD.findall(_fold(text))
    if not 0 < len(words) <= MAX_WORDS:
        return False
    rest, talk = _SMALL_TALK_RE.subn(" ", " ".join(words))
    left = rest.split()
    return (talk > 0 or any(w in _GREETING_WORDS for w in left)) and all(w in _ALLOWED for w in left)


_GREETING_LANGUAGE = {word: lang for lang, words in _GREETINGS_BY_LANGUAGE.items() for word in _fold(words).split()}


def greeting_language(text: str) -> str | None:
    """The language of the first greeting word of ``text`` («привет»: "ru", "Bună ziua": "ro", "hi":
    "en"), so a hello can be answered in the language it was said in; None without one."""
    return next((_GREETING_LANGUAGE[w] for w in _WORD.findall(_fold(text)) if w in _GREETING_LANGUAGE), None)
