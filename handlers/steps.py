"""The walkthrough's vocabulary: its steps (`Step`) and what a case remembers (`Answers`).

`Case.step` and `Case.answers` are stored as plain strings and JSON (see `bot.store`); these types say
what may be in them. `Step` is a `StrEnum`, so ``case.step == Step.LISTEN`` holds for the stored
``"listen"`` and old rows need no migration. Which step follows which is the case's flow
(`content/flows.yaml`, read by `handlers.flow`); what a defuse step asks and which text it expects is
the step table in `handlers.walkthrough` (`walkthrough.TABLE`), and the steps read from content keep
their answers under the ``save`` key the library gives them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypedDict

__all__ = ["ANY", "Answers", "Step"]


class Step(StrEnum):
    """Where a case is. The walked steps are numbered for the user ("step 2 of 5") in table order."""

    #: A situation was recognised and its card shown; "Walk me through it" starts the walkthrough.
    OFFERED = "offered"
    LISTEN = "listen"
    PARAPHRASE = "paraphrase"
    CAUSE = "cause"
    APOLOGIZE = "apologize"
    SOLUTION = "solution"
    #: The promise had no readable deadline, or its deadline is questioned (past, minutes away).
    DEADLINE = "deadline"
    #: The promise looks hard to keep; the user may keep it anyway or rephrase.
    RISKY = "risky"
    #: The deadline nudge is scheduled (or the steps were skipped); nothing waits for the user.
    TRACKING = "tracking"
    #: The review nudge asked how it went.
    REVIEW = "review"
    CLOSED = "closed"


#: In a button payload (`handlers.buttons.WalkPress`): valid whatever step the case is at.
ANY = "any"


class Answers(TypedDict, total=False):
    """The keys of ``Case.answers`` (a JSON object). Keys starting with ``_`` are bookkeeping.

    Besides these, ``<step>_skipped`` (bool) marks a skipped step and ``<step>_note`` (str) keeps free
    text typed at a step that takes buttons (cause, apologize).
    """

    #: The user pressed "Walk me through it" (or restarted).
    started: bool
    #: The message triage recognised the situation in; offered as the step-1 answer.
    first_message: str
    #: Other situations triage found likely (ids), offered as "Rather: ...".
    alternatives: list[str]
    #: Step 1: the client's complaint in the user's words.
    complaint: str
    #: Step 2: the drafted paraphrase, whether the draft is sendable as is, and the wording chosen.
    paraphrase_draft: str
    paraphrase_sure: bool
    paraphrase: str
    #: Step 3: the cause id (`walkthrough.CAUSES`).
    cause: str
    #: Step 4: whether our side is at fault (apology rather than empathy).
    our_fault: bool
    #: Step 5: the promise, its deadline (ISO 8601, aware UTC), the words it was read from and the
    #: time words that were not used.
    promise: str
    deadline: str
    deadline_words: str
    deadline_unused: list[str]
    #: The user's answer to the review nudge.
    review: str
    #: The step a parked case goes back to when resumed.
    _resume: str
    #: Text typed after a long silence, applied if the user chooses to continue.
    _pending_text: str
    #: Text that read as a new conflict at a step wanting a short fact: saved as the answer ("It's my
    #: answer") or opened as a new case ("Start a new case"), never both.
    _crisis_text: str
    #: The flow a choice switched the case to (`content/flows.yaml`); absent: the situation's own flow.
    _flow: str
