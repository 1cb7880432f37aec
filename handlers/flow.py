"""Where a case goes next: its flow (`content/flows.yaml`), read from the case and the content alone.

A case walks the flow of its situation, or the flow a choice switched it to (``answers["_flow"]``).
The position is the stored step id, so nothing else needs storing and a restart resumes it. A case
stored before flows existed, at one of the five defuse steps, keeps walking the defuse flow even if
its situation now has another one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from content import Library
from content.models import FlowStep
from handlers.steps import Step

__all__ = ["DEFUSE", "DEFUSE_SAVES", "first_open_step", "first_step", "flow_id", "flow_steps", "is_flow_step",
           "next_step", "position", "spec_of", "walk"]

#: The five-step defuse flow: the one every case walked before flows, and the fallback.
DEFUSE = "defuse"
#: The answer each defuse step saves (`handlers.steps.Answers`), so a switched flow sees what is answered.
DEFUSE_SAVES: dict[str, str] = {Step.LISTEN: "complaint", Step.PARAPHRASE: "paraphrase", Step.CAUSE: "cause",
                Step.APOLOGIZE: "our_fault", Step.SOLUTION: "promise"}


def flow_id(lib: Library, situation: str | None, step: str, answers: Mapping[str, Any]) -> str:
    """The id of the flow a case at ``step`` walks: the one a choice switched it to, else its situation's.

    A defuse step outside the situation's flow means the case predates flows: it goes on with defuse.
    """
    chosen = answers.get("_flow")
    if isinstance(chosen, str) and chosen in lib.flows.flows:
        return chosen
    own = lib.flows.situations.get(situation or "", DEFUSE)
    if step not in lib.flows.flows[own] and step in lib.flows.flows[DEFUSE]:
        return DEFUSE
    return own


def flow_steps(lib: Library, situation: str | None, step: str, answers: Mapping[str, Any]) -> list[str]:
    """The step ids of the flow a case at ``step`` walks, in order."""
    return lib.flows.flows[flow_id(lib, situation, step, answers)]


def first_step(lib: Library, situation: str | None, answers: Mapping[str, Any]) -> str:
    """Where "Walk me through it" (or "Start over") begins: the first step of the case's flow."""
    return flow_steps(lib, situation, Step.OFFERED, answers)[0]


def next_step(lib: Library, situation: str | None, step: str, answers: Mapping[str, Any]) -> str:
    """The step after ``step`` in its flow, passing over steps already answered (a flow switched mid-way
    keeps what still applies); ``tracking`` after the last one or for a step outside the flow."""
    steps = flow_steps(lib, situation, step, answers)
    if step not in steps:
        return Step.TRACKING
    for later in steps[steps.index(step) + 1:]:
        if not _answered(lib, later, answers):
            return later
    return Step.TRACKING


def walk(lib: Library, situation: str | None, step: str, answers: Mapping[str, Any]) -> list[str]:
    """The steps of the case's walk as the user experiences it: the situation's flow up to the choice
    that switched it (and so on for each switch), then the current flow's steps not yet walked, less those
    a choice answered for the user (``answers`` of a choice: "Yes, a payment rule" is the deposit rule).
    A flow that the recorded choices do not lead to (a changed situation) is counted alone."""
    current = flow_id(lib, situation, step, answers)
    flow = lib.flows.situations.get(situation or "", DEFUSE)
    walked: list[str] = []
    given: set[str] = set()
    seen = {flow}
    while flow != current:
        switch = None
        for later in lib.flows.flows[flow]:
            if later in walked or _saves(lib, later) in given:
                continue
            walked.append(later)
            spec = lib.flows.steps[later]
            switch = next((c for c in spec.choices if c.value == answers.get(spec.save or "")), None)
            if switch is not None and switch.goto is not None and switch.goto not in seen:
                break
            switch = None
        if switch is None or switch.goto is None:
            return list(lib.flows.flows[current])
        given |= set(switch.answers)
        flow = switch.goto
        seen.add(flow)
    return walked + [s for s in lib.flows.flows[current] if s not in walked and _saves(lib, s) not in given]


def position(lib: Library, situation: str | None, step: str, answers: Mapping[str, Any]) -> tuple[int, int] | None:
    """("step n of total") for a step of the case's walk (`walk`: counted on across a flow switch),
    1-based; None for a step outside it."""
    steps = walk(lib, situation, step, answers)
    if step not in steps:
        steps = flow_steps(lib, situation, step, answers)
    return (steps.index(step) + 1, len(steps)) if step in steps else None


def spec_of(lib: Library, step: str) -> FlowStep | None:
    """The library entry of a step read from content (text, time, choice); None for a defuse step or
    a state (offered, tracking, deadline…), which `handlers.walkthrough.TABLE` or nothing handles."""
    spec = lib.flows.steps.get(step)
    return spec if spec is not None and spec.kind != "defuse" else None


def is_flow_step(lib: Library, step: str) -> bool:
    """Whether ``step`` is a step of the library (one that waits for the user), defuse ones included."""
    return step in lib.flows.steps


def _saves(lib: Library, step: str) -> str | None:
    spec = spec_of(lib, step)
    return spec.save if spec is not None else DEFUSE_SAVES.get(step)


def _answered(lib: Library, step: str, answers: Mapping[str, Any]) -> bool:
    key = _saves(lib, step)
    return key is not None and key in answers


def first_open_step(lib: Library, flow: str, answers: Mapping[str, Any]) -> str:
    """The first step of ``flow`` whose answer is not in ``answers``; the last step when all are. Used
    when the situation changes mid-way or a choice switches the flow: answers that still apply are kept."""
    steps = lib.flows.flows[flow]
    return next((step for step in steps if not _answered(lib, step, answers)), steps[-1])
