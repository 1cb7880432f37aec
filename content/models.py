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


#: How long after its moment a nudge comes: "0", "90m", "4h", "7d".
Span = Annotated[str, StringConstraints(pattern=r"^(0|\d+[mhd])$")]


class NudgeSpec(Strict):
    """A nudge a flow step sets when it is answered.

    ``after`` counts from the time the user named at the step (``at: answer``, a ``time`` step) or from
    the moment the step was answered (``at: now``, and any step that names no time). ``draft``: a string
    key whose text, filled with the answers, goes with the nudge as its note (the message to send then).
    ``by``: at the latest this long before the time the user named (a ``time`` step), and right away when
    that is already past: "send the parting message" must come before the handover date, not after it.
    """

    kind: Slug
    after: Span = "0"
    at: str = Field(default="answer", pattern=r"^(answer|now)$")
    by: Span | None = None
    draft: str | None = None


class ChoiceSpec(Strict):
    """One button of a ``choice`` step: the value it saves, the flow it switches to (``goto``), the
    answers of that flow it already gives (``answers``: answer key -> a choice value of the step that
    saves it, so the switched flow passes over that step) and the nudges this choice alone sets."""

    value: Slug
    goto: Slug | None = None
    answers: dict[str, Slug] = Field(default_factory=dict)
    nudges: list[NudgeSpec] = Field(default_factory=list)


class FlowStep(Strict):
    """One step kind of the library (`content/flows.yaml`), with its strings found by convention.

    ``kind``: ``defuse`` (one of the five defuse steps, written in code: `handlers.walkthrough.TABLE`),
    ``text`` (a free answer), ``time`` (an answer that names a time, read by `handlers.timeparse`) or
    ``choice`` (buttons). The prompt is the string ``flow.<id>``, the status ``step.<id>``, a choice's
    label ``flow.<id>.<value>``. ``save`` names the answer key; ``draft`` a string filled with the answers
    (``{key}``; a key in the string's own name, like ``flow.part.{tone}``, picks one of several).
    ``to_client``: the answer describes the client or their request, so a draft turns it to speak to the
    client ("he wants" -> "you want") before putting it in a message to them.
    ``addressed`` (with ``to_client``): the step asks for the words as the user would say them to the client
    (a plan, a record), so they are the user's own: `handlers.paraphrase.to_client` keeps text already
    spoken to the client and reads an ambiguous first person ("îi trimit") as the user's.
    ``agreement``: the answer is a rule, a clause of the user's agreement or a new rule from now on
    (`handlers.agreement`); a draft introduces it accordingly (``flow.rule.agreed`` / ``flow.rule.new``).
    ``soon``: a ``time`` step's time less than this ahead is questioned once (``flow.<id>.soon``, say, an
    end date that leaves no time for a handover); the same answer given again is taken.
    ``deliverable``: a ``time`` step's answer is when work is due or ends, so a day named without an hour
    means the end of the working day (`handlers.timeparse.find_times`), not the morning.
    """

    kind: str = Field(pattern=r"^(defuse|text|time|choice)$")
    save: Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")] | None = None
    draft: str | None = None
    to_client: bool = False
    addressed: bool = False
    agreement: bool = False
    soon: Span = "0"
    deliverable: bool = False
    choices: list[ChoiceSpec] = Field(default_factory=list)
    nudges: list[NudgeSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> FlowStep:
        if self.kind == "choice" and len(self.choices) < 2:
            raise ValueError("a choice step needs at least two choices")
        if self.kind != "choice" and self.choices:
            raise ValueError(f"a {self.kind} step takes no choices")
        if self.kind != "time" and self.deliverable:
            raise ValueError(f"a {self.kind} step reads no time: deliverable is for time steps")
        if self.kind in ("text", "time", "choice") and self.save is None:
            raise ValueError(f"a {self.kind} step must name the answer it saves (save)")
        if self.kind == "defuse" and (self.save or self.draft or self.nudges):
            raise ValueError("a defuse step is written in code: no save, draft or nudges here")
        return self


class Flows(Strict):
    """`content/flows.yaml`: the step library, the flows (step id lists) and each situation's flow."""

    steps: dict[Slug, FlowStep]
    flows: dict[Slug, list[Slug]]
    situations: dict[Slug, Slug]
