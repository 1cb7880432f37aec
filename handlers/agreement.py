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
from functools import cache
from importlib import resources

import yaml

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


#: A source named beside an agreement's clause ("per contract", «по договору»): the lead already says so.
_PER_CONTRACT = {
    "en": r"(?:as\s+)?(?:per|according\s+to|under|in)\s+(?:the\s+|our\s+)?(?:contract|agreement)",
    "ru": r"(?:по|согласно)\s+(?:нашему\s+)?(?:договору|контракту)|в\s+(?:нашем\s+)?договоре(?:\s+сказано)?",
    "ro": r"(?:conform|potrivit|prin|în|in)\s+(?:contractului|contract)",
}
#: The turn to the rule inside an answer: "but from now on", «а дальше», "dar de acum": a `_FROM_NOW`
#: opening (or Russian «дальше»/«далее», which only turn inside an answer) after an optional "but/and".
_TURN_LINK = {"en": r"but|and", "ru": r"а|но|и|зато", "ro": r"dar|însă|insa|iar|și|si"}
_TURN_ONLY = {"ru": r"дальше|далее"}
_TURN = {lang: rf"(?:(?:{_TURN_LINK[lang]})\s+)?(?:{opening}" + (f"|{_TURN_ONLY[lang]}" if lang in _TURN_ONLY else "")
         + ")" for lang, opening in _FROM_NOW.items()}
#: What follows "no contract" when it says how things stand, not what the rule is: "only emails",
#: «только переписка», "dar i-am zis…".
_ASIDE = {
    "en": r"only|just|but|however|though|instead|we\s+agreed|i\s+told",
    "ru": r"только|лишь|но|а|зато|однако|просто|договорились|я\s+(?:сказал|сказала|говорил|говорила)",
    "ro": r"dar|însă|insa|doar|numai|ci|am\s+stabilit|i-am\s+(?:zis|spus)",
}
#: Words that describe how a deal was made, not a rule to quote: "verbally", «на словах», "pe cuvânt".
_HOW_AGREED = {
    "en": r"verbally|orally|by\s+word|over\s+the\s+phone|in\s+words|handshake",
    "ru": r"на\s+словах|устно|по\s+телефону|на\s+доверии",
    "ro": r"verbal|oral|pe\s+cuvânt|pe\s+cuvant|la\s+telefon|din\s+vorbă|din\s+vorba",
}


@dataclass(frozen=True)
class Rule:
    """A rule as a draft quotes it: ``text`` (the user's words, any negation or "from now on" opening
    dropped), ``new`` (True: a rule from now on, not a clause of an agreement) and ``sure`` (False: the
    rule could not be told apart from the rest, "no contract, only emails": a draft leaves a blank and
    shows the user's words, ``text`` is then all of them). ``denied``: the words say there is no
    agreement at all ("no contract"), so a later question need not ask for its clause."""

    text: str
    new: bool
    sure: bool = True
    denied: bool = False


#: Letters a user may type without their diacritics: a lead in the data matches either spelling.
_LOOSE = {"ă": "[ăa]", "â": "[âa]", "î": "[îi]", "ș": "[șşs]", "ş": "[șşs]", "ț": "[țţt]", "ţ": "[țţt]",
          "ё": "[ёе]"}


@cache
def _clause_lead(lang: str) -> re.Pattern[str]:
    """The leads of a quoted clause in ``lang`` (`content/agreement.yaml`), with a following "that", as
    one pattern anchored at the start."""
    data = yaml.safe_load((resources.files("content") / "agreement.yaml").read_text(encoding="utf-8"))
    leads = "|".join("".join(_LOOSE.get(c, c) for c in lead).replace(" ", r"\s+") for lead in data["clause_leads"][lang])
    return re.compile(rf"^\s*(?:{leads})(?![\w-]){_SEP}(?:(?:{data['clause_that'][lang]})(?![\w-]){_SEP})?", re.I)


def _opening(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*(?:{pattern})(?![\w-]){_SEP}", re.I)


def _after_turn(rest: str, lang: str) -> str | None:
    """The words after "but from now on" inside ``rest``; None when there is no such turn."""
    found = re.search(rf"(?<![\w-])(?:{_TURN[lang]})(?![\w-]){_SEP}", rest, re.I)
    return rest[found.end():] if found else None


def _rule_after_negation(rest: str, lang: str) -> tuple[str, bool]:
    """What is left of a "no contract, …" answer: (the rule, True) or ("", False) when it can't be isolated."""
    turned = _after_turn(rest, lang)
    if turned is not None:
        return turned, bool(turned.strip(" ,.;:—–-"))
    if _opening(_ASIDE[lang]).match(rest):  # "only emails. Extra pages are paid": the sentence after the aside
        parts = re.split(r"(?<=[.;!?])\s+", rest, maxsplit=1)
        rest = parts[1] if len(parts) == 2 else ""
    if not rest.strip(" ,.;:—–-") or re.search(rf"(?<![\w-])(?:{_HOW_AGREED[lang]})(?![\w-])", rest, re.I):
        return "", False
    return rest, True


def read_rule(words: str, lang: str) -> Rule:
    """Reads the rule the user typed (``lang`` en/ru/ro, anything else as en): a new rule when it opens
    with a clear negation of an agreement or with "from now on", the agreement's clause otherwise.
    The openings are dropped from ``text`` (the rest keeps the user's words and spelling), and so is the
    part after a negation that is not the rule ("no contract, only emails, but from now on …" keeps what
    follows "from now on"); a "per contract" beside a clause, or a lead in front of it ("our contract
    says", «в договоре написано, что», "în contract scrie": `content/agreement.yaml`), is dropped too,
    the draft's lead says it.
    When only the negation and an aside are left, ``sure`` is False and ``text`` is all the user's words.
    Never raises."""
    lang = lang if lang in _NEGATION else "en"
    whole = " ".join(words.split())
    text, new, sure, denied = whole, False, True, False
    rest = _opening(_NEGATION[lang]).sub("", text, count=1)
    if rest != text:
        new = denied = True
        text, sure = _rule_after_negation(rest, lang)
    else:
        rest = _opening(_FROM_NOW[lang]).sub("", text, count=1)
        if rest != text:
            new, text = True, rest
        else:
            text = _clause_lead(lang).sub("", text, count=1)
            text = _opening(_PER_CONTRACT[lang]).sub("", text, count=1)
            text = re.sub(rf"[\s,;—–-]+(?:{_PER_CONTRACT[lang]})\s*[.!]?$", "", text, flags=re.I)
    text = text.strip(" ,.;:—–-")
    if not sure or not text:
        return Rule(whole, new, False, denied)
    return Rule(text, new, True, denied)
