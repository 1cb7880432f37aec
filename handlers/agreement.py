"""Whether a rule the user typed is a clause of their agreement or a new rule from now on.

The boundaries and payment steps ask for the clause that covers the matter, "or, if there isn't one, the
rule you'll hold to from now on". A draft must not say "as our agreement says" about a rule the user just
told us is not in any agreement («договора нет, с этого момента две правки бесплатно»), so the answer is
read: a clear negation at its start ("no contract", «договора нет», "nu avem contract") or a "from now on"
opening («с этого момента», "de acum înainte") makes it a new rule, and that opening is dropped from the
rule's words. Anything else is taken as the agreement's own clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Rule", "read_rule"]

_SEP = r"[\s,.;:!—–-]*"
_NEGATION = {
    "en": r"(?:(?:there(?:'s| is)|we have|i have|we've got)\s+)?no\s+(?:written\s+|signed\s+)?"
          r"(?:contract|agreement|clause|such clause)(?:\s+at all)?"
          r"|(?:we|i)\s+(?:don't|do not|didn't|did not)\s+(?:have|sign)\s+(?:a|any)\s+(?:contract|agreement|clause)"
          r"|(?:the\s+)?(?:contract|agreement)\s+(?:says|covers)\s+nothing(?:\s+about\s+(?:it|this))?"
          r"|without\s+a\s+contract",
    "ru": r"(?:у\s+нас\s+|а\s+)?(?:(?:письменного\s+)?(?:договора|контракта|такого\s+пункта|пункта|договорённости)"
          r"\s+(?:(?:у\s+нас\s+)?нет|не\s+было|не\s+заключали)"
          r"|нет\s+(?:у\s+нас\s+)?(?:никакого\s+)?(?:письменного\s+)?(?:договора|контракта|такого\s+пункта|пункта)"
          r"|(?:договор|контракт)\s+не\s+(?:заключали|подписывали)|без\s+договора|в\s+договоре\s+об\s+этом\s+ничего\s+нет)",
    "ro": r"(?:nu\s+(?:avem|am|există|exista|e|este)|n-avem|n-am)\s+(?:niciun\s+|nici\s+un\s+|vreun\s+)?"
          r"(?:contract|clauză|clauza|clauze)(?:\s+scris|\s+semnat)?"
          r"|(?:nu\s+am|n-am)\s+semnat\s+(?:niciun\s+|nici\s+un\s+)?contract|fără\s+contract|fara\s+contract",
}
_FROM_NOW = {
    "en": r"from\s+now\s+on|starting\s+now|from\s+today|going\s+forward|(?:the\s+)?new\s+rule\s+is",
    "ru": r"с\s+этого\s+момента|с\s+сегодняшнего\s+дня|с\s+сегодня|отныне|впредь|теперь|новое\s+правило",
    "ro": r"de\s+acum\s+(?:înainte|inainte|încolo|incolo)|de\s+acum|de\s+azi\s+(?:înainte|inainte)|de\s+astăzi|"
          r"de\s+astazi|regula\s+nouă|regula\s+noua",
}


@dataclass(frozen=True)
class Rule:
    """A rule as a draft quotes it: ``text`` (the user's words, any negation or "from now on" opening
    dropped) and ``new`` (True: a rule from now on, not a clause of an agreement)."""

    text: str
    new: bool


def _opening(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*(?:{pattern})(?![\w-]){_SEP}", re.I)


def read_rule(words: str, lang: str) -> Rule:
    """Reads the rule the user typed (``lang`` en/ru/ro, anything else as en): a new rule when it opens
    with a clear negation of an agreement or with "from now on", the agreement's clause otherwise.
    The openings are dropped from ``text`` (the rest keeps the user's words and spelling); a rule that is
    nothing but the negation keeps its words. Never raises."""
    lang = lang if lang in _NEGATION else "en"
    text = " ".join(words.split())
    new = False
    rest = _opening(_NEGATION[lang]).sub("", text, count=1)
    if rest != text:
        new, text = True, rest
    rest = _opening(_FROM_NOW[lang]).sub("", text, count=1)
    if rest != text:
        new, text = True, rest
    text = text.strip(" ,.;:—–-")
    return Rule(text or " ".join(words.split()), new)
