"""What each kind of button carries (see `bot.buttons.ButtonData` for the format).

One class per prefix; handlers build ids with ``Press(...).pack()`` and receive the parsed object.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.buttons import ButtonData

__all__ = ["CasePress", "ConflictPress", "ForgetPress", "MenuPress", "NudgePress", "WalkPress"]


@dataclass(frozen=True)
class WalkPress(ButtonData, prefix="w"):
    """A walkthrough button: ``action`` on ``case`` at ``step`` ("any" = whatever step the case is at).

    ``arg`` belongs to the action: the cause for "c", the outcome for "out", a situation id for "alt",
    a language code for "lang".
    """

    case: int
    step: str
    action: str
    arg: str = ""


@dataclass(frozen=True)
class NudgePress(ButtonData, prefix="n"):
    """A button under a nudge: "done", "snooze", "close", or "s" with a key of `handlers.followup.SNOOZES`."""

    nudge: int
    action: str
    snooze: str = ""


@dataclass(frozen=True)
class MenuPress(ButtonData, prefix="m"):
    """A menu button: "cards", "card" with a card id, "lang" with a language code."""

    what: str
    arg: str = ""


@dataclass(frozen=True)
class ConflictPress(ButtonData, prefix="cf"):
    """The situation picker: "menu" opens it, "s" with a situation id picks one; "new" with a case id
    opens a new case for the text that case questioned as a new conflict."""

    what: str
    arg: str = ""


@dataclass(frozen=True)
class ForgetPress(ButtonData, prefix="fg"):
    """The answer to /forget's question: "yes" deletes, anything else keeps."""

    answer: str = ""


@dataclass(frozen=True)
class CasePress(ButtonData, prefix="cs"):
    """A case picked when a number-less /case, /case close or /case export meets several open cases:
    ``action`` is "close", "export" or "show"."""

    case: int
    action: str
