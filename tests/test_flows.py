"""Flows as data (`content/flows.yaml`): validated at load, one flow a situation, navigated by `handlers.flow`."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from content import library
from content.loader import ContentError, load
from handlers import flow

CONTENT = Path(__file__).resolve().parents[1] / "content"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return root


def _edit(root: Path, name: str, change: Callable[[Any], None]) -> None:
    path = root / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_every_situation_names_a_flow_of_known_steps() -> None:
    lib = library()
    assert set(lib.flows.situations) == set(lib.situations)
    for sid, fid in lib.flows.situations.items():
        assert fid in lib.flows.flows, sid
        assert all(step in lib.flows.steps for step in lib.flows.flows[fid]), sid


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["flows"]["defuse"].append("no-such-kind"), "unknown step kind 'no-such-kind'"),
    (lambda d: d["situations"].pop("late-payment"), "no flow for late-payment"),
    (lambda d: d["situations"].__setitem__("late-payment", "nowhere"), "unknown flow 'nowhere'"),
    (lambda d: d["steps"].__setitem__("extra", {"kind": "text", "save": "extra"}), "missing string 'step.extra'"),
    (lambda d: d["steps"].__setitem__("extra", {"kind": "dance", "save": "x"}), "steps.extra.kind"),
    (lambda d: d["steps"].__setitem__("extra", {"kind": "choice", "save": "x", "choices": [{"value": "a"}]}),
     "at least two choices"),
])
def test_a_broken_flow_fails_at_load_naming_what_is_wrong(tmp_path: Path, change: Callable[[Any], None],
                                                          message: str) -> None:
    root = _copy(tmp_path)
    _edit(root, "flows.yaml", change)
    with pytest.raises(ContentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load(root)


def test_a_step_whose_string_is_gone_fails_at_load(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(root, "strings/walkthrough.yaml", lambda d: d.pop("walk.listen"))
    with pytest.raises(ContentError, match="steps.listen: missing string 'walk.listen'"):
        load(root)


def test_a_copy_of_the_content_loads_with_its_flows(tmp_path: Path) -> None:
    assert load(_copy(tmp_path)).flows == library().flows


def test_a_five_step_case_of_a_situation_with_another_flow_keeps_walking_defuse() -> None:
    """Cases stored before flows sit on a defuse step; whatever their situation's flow is now, they
    go on with the defuse steps, numbered as before."""
    lib = library()
    for sid in lib.situations:
        assert flow.next_step(lib, sid, "cause", {}) == "apologize"
        assert flow.position(lib, sid, "paraphrase", {}) in ((2, 5), (2, len(lib.flows.flows[lib.flows.situations[sid]])))
