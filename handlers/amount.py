"""An amount written with another language's currency word, rewritten for a draft in the user's language.

A user of the English interface may type the amount owed in Russian ("120 000 рублей"); a draft to the
client in English then reads "the payment of 120,000 RUB", not a Russian word in an English sentence.
Currency words are data (`content/amounts.yaml`); the number is written with Babel's grouping for the
draft's language. Symbols (€, $) and the draft language's own words are left as typed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources

import yaml
from babel.numbers import format_decimal

from content.text import strip_marks

__all__ = ["foreign_amounts", "thousands_written_out"]

#: A number as people type it: "120 000", "120.000", "1,200", "1200", "1 200,50".
_NUMBER = r"\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_AMOUNT = re.compile(rf"(?<![\w.,])({_NUMBER})(\s*(?:de\s+)?)([^\W\d_]+|₽)(\.(?=\s|$))?", re.UNICODE)
#: A currency word this short followed by a dot is an abbreviation ("руб."): the dot goes with it.
_ABBREVIATION = 4


@cache
def _words() -> dict[str, dict[str, tuple[str, ...]]]:
    """Currency code -> language -> folded word beginnings."""
    data = yaml.safe_load((resources.files("content") / "amounts.yaml").read_text(encoding="utf-8"))
    return {code: {lang: tuple(strip_marks(str(w)).casefold() for w in words) for lang, words in by_lang.items()}
            for code, by_lang in data["currencies"].items()}


@cache
def _thousands_re() -> re.Pattern[str]:
    """A number with a short word for thousands after it ("120 тыс.", "5k", "1,5 тыс"), from amounts.yaml;
    the words of every language, as a user may type the amount in another one than the draft's."""
    data = yaml.safe_load((resources.files("content") / "amounts.yaml").read_text(encoding="utf-8"))
    words = sorted({str(w) for by_lang in data["thousands"].values() for w in by_lang}, key=len, reverse=True)
    # the abbreviation's dot goes with it unless a sentence starts after it ("120 тыс. Оплата ...");
    # a one-letter word only right after the digits: "45к" is thousands, "5 к пятнице" a preposition
    alternatives = "|".join(re.escape(w) if len(w) == 1 else rf"[ \u00a0]?{re.escape(w)}" for w in words)
    return re.compile(rf"(?<![\w.,])(\d+(?:[.,]\d{{1,2}})?)(?:{alternatives})(?!\w)(?:\.(?!\s+[A-ZА-ЯЁĂÂÎȘȚ]))?")


def thousands_written_out(text: str, lang: str) -> str:
    """``text`` with each amount in short thousands written out in ``lang``'s grouping ("120 тыс" ->
    "120 000", "5k" -> "5,000", "1,5 тыс" -> "1 500"): a message to a client reads the whole number. The
    currency stays as typed, and none is added when none was typed. Never raises; an unknown ``lang``
    leaves the text as it is."""
    if lang not in ("en", "ru", "ro"):
        return text

    def rewrite(found: re.Match[str]) -> str:
        value = _value(found.group(1).replace(",", ".") if re.fullmatch(r"\d+,\d{1,2}", found.group(1))
                       else found.group(1))
        if value is None:
            return found.group(0)
        value *= 1000
        pattern = "#,##0.##" if value != value.to_integral_value() else "#,##0"
        return format_decimal(value, format=pattern, locale=lang)

    return _thousands_re().sub(rewrite, text)


def _currency(word: str, lang: str) -> str | None:
    """The code of a currency ``word`` that ``lang`` does not write that way; None for its own words or
    a word that is no currency."""
    folded = strip_marks(word).casefold()
    for code, by_lang in _words().items():
        if folded.startswith(by_lang.get(lang, ())):
            return None
        if any(folded.startswith(stems) for other, stems in by_lang.items() if other != lang):
            return code
    return None


def _value(number: str) -> Decimal | None:
    digits = re.sub(r"[ \u00a0\u202f]", "", number)
    head, sep, tail = digits.rpartition(",") if "," in digits[-3:] else digits.rpartition(".")
    if sep and len(tail) <= 2:  # a decimal part: "1 200,50", "99.5"
        digits = re.sub(r"[.,]", "", head) + "." + tail
    else:
        digits = re.sub(r"[.,]", "", digits)
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def foreign_amounts(text: str, lang: str) -> str:
    """``text`` with each amount written with a currency word of another language than ``lang`` rewritten
    as the number in ``lang``'s grouping and the currency's code ("120 000 рублей" in English: "120,000
    RUB"); everything else as typed. Never raises."""
    def rewrite(found: re.Match[str]) -> str:
        code = _currency(found.group(3), lang)
        value = _value(found.group(1)) if code else None
        if code is None or value is None:
            return found.group(0)
        dot = found.group(4) or ""
        dot = "" if len(found.group(3)) <= _ABBREVIATION else dot
        pattern = "#,##0.00" if value != value.to_integral_value() else "#,##0"
        return f"{format_decimal(value, format=pattern, locale=lang)} {code}{dot}"

    return _AMOUNT.sub(rewrite, text)
