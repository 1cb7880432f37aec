"""Loads and validates the content shipped inside the `content` package (works from a wheel)."""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml
from babel import Locale
from pydantic import BaseModel, ValidationError

from content.models import Card, Situation, Strings
from content.text import LANGUAGES, strip_marks


class ContentError(Exception):
    """A content file is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Library:
    cards: dict[str, Card]
    situations: dict[str, Situation]
    strings: dict[str, dict[str, Any]]

    def t(self, key: str, lang: str, /, **values: object) -> str:
        """A UI string in ``lang`` (falls back to English), formatted with ``values``."""
        by_lang = self.strings[key]
        text = by_lang.get(lang) or by_lang["en"]
        if isinstance(text, dict):
            raise KeyError(f"{key} is a plural string; use tn()")
        return str(text.format(**values)) if values else str(text)

    def tn(self, key: str, lang: str, n: int, /, **values: object) -> str:
        """A plural UI string: the form is chosen by Babel's CLDR plural rules for ``lang``."""
        by_lang = self.strings[key]
        forms = by_lang.get(lang) or by_lang["en"]
        if not isinstance(forms, dict):
            return str(forms).format(n=n, **values)
        form = Locale.parse(lang).plural_form(n)
        text = forms.get(form) or forms["other"]
        return str(text).format(n=n, **values)

    @cached_property
    def _card_words(self) -> dict[str, dict[str, list[str]]]:
        """Folded id-and-title words per card and language, computed once for `card_for_words`."""
        return {card.id: {code: _fold(" ".join([card.id.replace("-", " "), card.text(code).title])).split()
                          for code in LANGUAGES} for card in self.cards.values()}

    def card_for_words(self, words: str, lang: str | None = None) -> Card | None:
        """Finds a card by id or by words from its title in any language (the user's language first)."""
        query = _fold(words)
        if not query:
            return None
        if query.replace(" ", "-") in self.cards:
            return self.cards[query.replace(" ", "-")]
        langs = [lang] if lang in LANGUAGES else []
        langs += [x for x in LANGUAGES if x not in langs]
        stems = [tok[: max(4, len(tok) - 2)] for tok in query.split()]
        best: tuple[int, str] | None = None
        for card_id, by_lang in self._card_words.items():
            for i, code in enumerate(langs):
                hay = by_lang[code]
                if all(any(w.startswith(stem) for w in hay) for stem in stems):
                    score = len(stems) * 10 - i
                    if best is None or score > best[0]:
                        best = (score, card_id)
        return self.cards[best[1]] if best else None


_PUNCTUATION = str.maketrans({c: " " for c in string.punctuation})


def _fold(text: str) -> str:
    """Lower case, no diacritics, punctuation as spaces: how card titles and queries are compared."""
    return " ".join(strip_marks(text.lower()).translate(_PUNCTUATION).split())


def validate(model: type[BaseModel], data: Any, where: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ContentError(f"{where}: field {loc}: {first['msg']}") from None


def read_yaml(item: Traversable, where: str) -> Any:
    try:
        return yaml.safe_load(item.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(f"{where}: not valid YAML: {exc}") from None


def _yaml_files(folder: Traversable) -> Iterable[Traversable]:
    return sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)


def load(root: Traversable | None = None) -> Library:
    """Reads every content file and checks cross-references. Raises `ContentError`."""
    root = root or resources.files("content")
    cards: dict[str, Card] = {}
    for item in _yaml_files(root / "cards"):
        where = f"content/cards/{item.name}"
        card: Card = validate(Card, read_yaml(item, where), where)
        if f"{card.id}.yaml" != item.name:
            raise ContentError(f"{where}: field id: {card.id!r} does not match the file name")
        cards[card.id] = card

    situations: dict[str, Situation] = {}
    where = "content/situations.yaml"
    raw = read_yaml(root / "situations.yaml", where)
    if not isinstance(raw, list):
        raise ContentError(f"{where}: expected a list of situations")
    for i, entry in enumerate(raw):
        sit: Situation = validate(Situation, entry, f"{where}[{i}]")
        for card_id in sit.cards:
            if card_id not in cards:
                raise ContentError(f"{where}[{i}] ({sit.id}): field cards: unknown card {card_id!r}")
        situations[sit.id] = sit

    strings: dict[str, dict[str, Any]] = {}
    for item in _yaml_files(root / "strings"):
        where = f"content/strings/{item.name}"
        data = read_yaml(item, where)
        parsed: Strings = validate(Strings, {"strings": data}, where)
        for key, by_lang in parsed.strings.items():
            if key in strings:
                raise ContentError(f"{where}: field {key}: defined in another strings file too")
            strings[key] = by_lang
    return Library(cards=cards, situations=situations, strings=strings)


@cache
def library() -> Library:
    """The shipped content, loaded once per process."""
    return load()
