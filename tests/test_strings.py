"""Every UI string the code asks for exists, in every language."""

from __future__ import annotations

import re

from content import library
from handlers.followup import NEXT_IN_CHAIN, SNOOZES
from handlers.walkthrough import CAUSES, OUTCOMES, STEPS
from tests.conftest import ROOT

#: ``ctx.t("key"`` with a whole key (not a prefix that code completes, like ``"outcome." + x``).
_LITERAL = re.compile(r"""\.tn?\(\s*["']([a-z0-9_.\-]*[a-z0-9_\-])["']\s*[,)]""")


def test_every_literal_key_in_the_code_exists() -> None:
    strings = library().strings
    missing = []
    for path in [*ROOT.glob("handlers/*.py"), *ROOT.glob("bot/**/*.py")]:
        for key in _LITERAL.findall(path.read_text(encoding="utf-8")):
            if key not in strings:
                missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert not missing, missing


def test_every_computed_key_exists() -> None:
    strings = library().strings
    keys = [f"cause.{c}" for c in CAUSES] + [f"fix.{c}" for c in CAUSES] + [f"outcome.{o}" for o in OUTCOMES]
    keys += [f"step.{s}" for s in (*STEPS, "offered", "deadline", "risky", "review", "tracking", "closed")]
    keys += [f"nudge.kind.{k}" for k in ("deliver", "satisfied", "review", "custom")]
    keys += [f"nudge.ask.{k}" for k in ("deliver", "satisfied", "review", "custom")]
    keys += [f"nudge.after.{k}" for k in NEXT_IN_CHAIN] + [f"snooze.{k}" for k in SNOOZES]
    assert [k for k in keys if k not in strings] == []


def test_placeholders_match_across_languages() -> None:
    field = re.compile(r"{(\w+)}")
    for key, by_lang in library().strings.items():
        shapes = {lang: sorted(set(field.findall(str(text)))) for lang, text in by_lang.items()}
        assert len({tuple(v) for v in shapes.values()}) == 1, (key, shapes)
