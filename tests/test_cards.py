"""Technique cards: all sixteen exist in en/ru/ro with one shape, cite real seeds and copy no seed text."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from content.loader import ContentError, load
from content.models import Card
from content.text import LANGUAGES

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

CARD_IDS = (
    "listen-fully",
    "paraphrase-confirm",
    "apologize-or-empathize",
    "find-solution",
    "deliver-and-confirm",
    "five-step-defuse",
    "why-loyal-clients-turn",
    "conflict-causes",
    "set-boundaries-in-writing",
    "stay-calm-take-break",
    "let-them-go",
    "dont-do-in-conflict",
    "professionals-manipulation",
    "become-their-client",
    "contract-revisions-scope",
    "keep-paper-trail",
    "overdue-payment",
)

#: A run this long shared with a seed means a sentence was copied rather than rewritten.
RUN = 8


def _card(card_id: str) -> Card:
    data = yaml.safe_load((CONTENT / "cards" / f"{card_id}.yaml").read_text(encoding="utf-8"))
    return Card.model_validate(data)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _words(text: str) -> list[str]:
    """Lowercased words, punctuation ignored; accents dropped so a missing diacritic hides nothing."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.findall(r"\w+", plain)


def _runs(words: list[str]) -> Iterator[tuple[str, ...]]:
    for i in range(len(words) - RUN + 1):
        yield tuple(words[i : i + RUN])


def test_exactly_the_listed_cards_ship() -> None:
    assert sorted(p.stem for p in (CONTENT / "cards").glob("*.yaml")) == sorted(CARD_IDS)
    assert set(load().cards) == set(CARD_IDS)


@pytest.mark.parametrize("card_id", CARD_IDS)
def test_card_has_the_same_shape_in_every_language(card_id: str) -> None:
    card = _card(card_id)
    assert card.id == card_id
    texts = [card.text(lang) for lang in LANGUAGES]
    assert len({len(t.steps) for t in texts}) == 1, "steps differ between languages"
    assert len({len(t.say) for t in texts}) == 1, "say phrases differ between languages"
    assert len({len(t.avoid) for t in texts}) == 1, "avoid items differ between languages"
    for text in texts:
        assert 3 <= len(text.steps) <= 6
        assert 2 <= len(text.say) <= 4
        assert 2 <= len(text.avoid) <= 4
        assert text.followup.endswith("?")
        for step in text.steps:
            assert not re.match(r"\s*\d+\s*[.)]", step), f"the renderer numbers steps: {step!r}"


@pytest.mark.parametrize("card_id", CARD_IDS)
def test_card_is_written_in_its_language(card_id: str) -> None:
    card = _card(card_id)
    ru = " ".join(_strings(card.ru.model_dump()))
    ro = " ".join(_strings(card.ro.model_dump()))
    assert len(re.findall(r"[а-яё]", ru, re.I)) > len(re.findall(r"[a-z]", ru, re.I)) * 5
    assert not re.search(r"[а-яё]", ro, re.I)
    assert re.search(r"[ăâîșț]", ro, re.I)
    assert not re.search(r"[şţŞŢ]", ro), "Romanian uses ș/ț with a comma below, not a cedilla"


@pytest.mark.parametrize("card_id", CARD_IDS)
def test_card_names_seeds_that_exist(card_id: str) -> None:
    card = _card(card_id)
    assert card.seeds
    if not SEEDS.is_dir():
        pytest.skip(f"seed folder {SEEDS} is absent; cannot check that the seeds exist")
    for seed in card.seeds:
        assert list(SEEDS.glob(f"{seed}_*.txt")), f"{card_id}: no seed file {seed}_*.txt in {SEEDS}"


def test_no_sentence_is_copied_from_a_seed() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"seed folder {SEEDS} is absent; nothing to compare against")
    seeds = {
        path.name: set(_runs(_words(path.read_text(encoding="utf-8"))))
        for path in sorted(SEEDS.glob("*.txt"))
    }
    assert seeds, f"no seeds in {SEEDS}"

    texts: list[tuple[str, str]] = []
    for card_id in CARD_IDS:
        raw = yaml.safe_load((CONTENT / "cards" / f"{card_id}.yaml").read_text(encoding="utf-8"))
        texts += [(f"cards/{card_id}.yaml", s) for s in _strings(raw)]
    # everything else Parley says: the draft checker, situations and UI strings
    others = [CONTENT / "check.yaml", CONTENT / "situations.yaml", *sorted((CONTENT / "strings").glob("*.yaml"))]
    for path in others:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts += [(str(path.relative_to(CONTENT)), s) for s in _strings(raw)]
    # and the triage and /check corpora, written in our own words too
    for path in sorted([*(CONTENT / "triage").glob("*.jsonl"), *(CONTENT / "check").glob("*.jsonl")]):
        texts += [(path.name, json.loads(line)["text"]) for line in path.read_text(encoding="utf-8").splitlines()
                  if line.strip()]

    copied = [
        f"{where}: {' '.join(run)!r} is in {seed}"
        for where, text in texts
        for run in _runs(_words(text))
        for seed, runs in seeds.items()
        if run in runs
    ]
    for line in copied:
        print(line)
    assert not copied, "text copied from a seed:\n" + "\n".join(copied)


def _content_copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    if not (root / "situations.yaml").exists():
        (root / "situations.yaml").write_text("[]\n", encoding="utf-8")
    (root / "strings").mkdir(exist_ok=True)
    return root


def test_a_copy_of_the_content_tree_loads(tmp_path: Path) -> None:
    assert set(load(_content_copy(tmp_path)).cards) == set(CARD_IDS)


@pytest.mark.parametrize(
    ("card_id", "break_it", "field"),
    [
        ("listen-fully", lambda d: d["ru"].pop("steps"), "ru.steps"),
        ("keep-paper-trail", lambda d: d["ro"].__setitem__("say", []), "ro.say"),
        ("let-them-go", lambda d: d.__setitem__("seeds", ["1"]), "seeds.0"),
        ("five-step-defuse", lambda d: d["en"].__setitem__("tone", "warm"), "en.tone"),
    ],
)
def test_malformed_card_names_file_and_field(tmp_path: Path, card_id: str, break_it: Any, field: str) -> None:
    root = _content_copy(tmp_path)
    path = root / "cards" / f"{card_id}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    break_it(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load(root)
    message = str(info.value)
    assert f"content/cards/{card_id}.yaml" in message
    assert f"field {field}" in message


def test_card_id_must_match_its_file_name(tmp_path: Path) -> None:
    root = _content_copy(tmp_path)
    path = root / "cards" / "listen-fully.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("id: listen-fully", "id: listen-well"), encoding="utf-8"
    )
    with pytest.raises(ContentError, match=r"content/cards/listen-fully\.yaml: field id"):
        load(root)
