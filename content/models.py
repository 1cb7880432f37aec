"""Pydantic models the content files are validated against at load time.

A malformed file must fail loudly at start, naming the file and the field, not later mid-chat.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
SeedId = Annotated[str, StringConstraints(pattern=r"^\d{3}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CardText(Strict):
    """One card in one language. Every language has the same fields."""

    title: Text
    summary: Text
    when: Text
    steps: list[Text] = Field(min_length=2)
    say: list[Text] = Field(min_length=1)
    avoid: list[Text] = Field(min_length=1)
    followup: Text


class Card(Strict):
    id: Slug
    seeds: list[SeedId] = Field(min_length=1)
    en: CardText
    ru: CardText
    ro: CardText

    def text(self, lang: str) -> CardText:
        return getattr(self, lang)  # type: ignore[no-any-return]


class SituationText(Strict):
    title: Text
    description: Text


class Situation(Strict):
    id: Slug
    seeds: list[SeedId] = Field(min_length=1)
    cards: list[Slug] = Field(min_length=1)
    urgency: int = Field(default=0, ge=0, le=10)
    en: SituationText
    ru: SituationText
    ro: SituationText

    def text(self, lang: str) -> SituationText:
        return getattr(self, lang)  # type: ignore[no-any-return]


class Strings(Strict):
    """UI strings of one area: key -> {en, ru, ro}. Every key must exist in every language."""

    #: a value is a plain string, or a dict of CLDR plural forms (one/few/many/other) for `tn()`.
    strings: dict[str, dict[str, str | dict[str, str]]]

    @model_validator(mode="after")
    def _all_languages(self) -> Strings:
        for key, by_lang in self.strings.items():
            missing = {"en", "ru", "ro"} - set(by_lang)
            if missing:
                raise ValueError(f"string {key!r} lacks {', '.join(sorted(missing))}")
        return self
