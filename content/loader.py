"""Loads and validates the content shipped inside the `content` package (works from a wheel)."""

from __future__ import annotations

import re
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

from content.models import Card, Flows, Situation, Strings
from content.text import LANGUAGES, strip_marks


class ContentError(Exception):
    """A content file is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Library:
    cards: dict[str, Card]
    situations: dict[str, Situation]
    strings: dict[str, dict[str, Any]]
    #: The walkthroughs: step library, flows and each situation's flow (`content/flows.yaml`).
    flows: Flows

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
    where = "content/flows.yaml"
    flows: Flows = validate(Flows, read_yaml(root / "flows.yaml", where), where)
    check_flows(flows, set(situations), strings, where)
    return Library(cards=cards, situations=situations, strings=strings, flows=flows)


_FIELD = re.compile(r"{(\w+)}")
#: Answers the five defuse steps save (`handlers.steps.Answers`): drafts may use them too.
DEFUSE_ANSWERS = frozenset({"complaint", "paraphrase", "cause", "promise"})


def draft_keys(flows: Flows, key: str) -> list[str]:
    """Every string key a draft key can become: ``flow.part.{tone}`` names one key per value of the
    choice step that saves ``tone``; a key without a field is itself. A choice that switches the flow
    (``goto``, like "Respectful communication" at bound-rule) leads to steps with drafts of their own,
    so it names no key here."""
    keys = [key]
    for name in _FIELD.findall(key):
        values = [c.value for step in flows.steps.values() if step.save == name for c in step.choices
                  if c.goto is None]
        keys = [k.replace("{" + name + "}", v) for k in keys for v in values] if values else keys
    return keys


def check_flows(flows: Flows, situations: set[str], strings: dict[str, dict[str, Any]], where: str) -> None:
    """Cross-checks `content/flows.yaml`: every situation has a flow and every flow a situation or a
    ``goto`` leading to it; flows name known steps; every string a step needs exists (the `Strings` model
    already makes each exist in every language); a draft uses only answers some step saves. Raises
    `ContentError` naming the flow, step or string."""
    missing = sorted(situations - set(flows.situations))
    if missing:
        raise ContentError(f"{where}: field situations: no flow for {', '.join(missing)}")
    for sid, flow in flows.situations.items():
        if sid not in situations:
            raise ContentError(f"{where}: field situations.{sid}: unknown situation")
        if flow not in flows.flows:
            raise ContentError(f"{where}: field situations.{sid}: unknown flow {flow!r}")
    for fid, steps in flows.flows.items():
        if not steps:
            raise ContentError(f"{where}: field flows.{fid}: a flow needs at least one step")
        for step in steps:
            if step not in flows.steps:
                raise ContentError(f"{where}: field flows.{fid}: unknown step kind {step!r}")
    saved = DEFUSE_ANSWERS | {s.save for s in flows.steps.values() if s.save}
    for sid, spec in flows.steps.items():
        needed = [f"step.{sid}", f"walk.{sid}" if spec.kind == "defuse" else f"flow.{sid}"]
        needed += [f"flow.{sid}.{c.value}" for c in spec.choices]
        needed += [f"flow.{sid}.soon"] if spec.soon != "0" else []
        for choice in spec.choices:
            if choice.goto is not None and choice.goto not in flows.flows:
                raise ContentError(f"{where}: field steps.{sid}.choices: unknown flow {choice.goto!r}")
            for key, value in choice.answers.items():
                givers = [g for g in flows.steps.values() if g.save == key and any(c.value == value for c in g.choices)]
                if not givers:
                    raise ContentError(f"{where}: field steps.{sid}.choices: no choice step saves {key}={value!r}")
        drafts = [spec.draft] if spec.draft else []
        for nudge in [*spec.nudges, *(n for c in spec.choices for n in c.nudges)]:
            needed += [f"nudge.kind.{nudge.kind}", f"nudge.ask.{nudge.kind}"]
            drafts += [nudge.draft] if nudge.draft else []
        for draft in drafts:
            for key in draft_keys(flows, draft):
                needed.append(key)
                for name in _FIELD.findall(str(strings.get(key, {}).get("en", ""))):
                    if name not in saved:
                        raise ContentError(f"{where}: field steps.{sid}: draft {key} uses {{{name}}}, "
                                           "which no step saves")
        for key in needed:
            if key not in strings:
                raise ContentError(f"{where}: field steps.{sid}: missing string {key!r}")


@cache
def library() -> Library:
    """The shipped content, loaded once per process."""
    return load()
