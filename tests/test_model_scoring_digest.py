"""Speed work on the classifiers must not change a single score: every train-split message of the triage
and /check corpora is featurised and scored, and the exact results (features, sparse vectors, decision
values of every head, `triage.triage`'s ranking) hash to the digests recorded before the speed-up.

If a retrain (`parley train-triage` / `parley train-check`) or a deliberate change of the features
changes the models, recompute the digests with ``python -m tests.test_model_scoring_digest``.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources

from handlers.check import check_model
from handlers.linear_model import LinearModel
from handlers.text_features import check_features, features
from handlers.triage import load_model, triage

TRIAGE_DIGEST = "e346d8cd70d19358f9f2e8cda485a9649afd69e4d67f6992d5761d19adbfd9ba"
CHECK_DIGEST = "521854b4eac62780bb725c0450facf714ea2364d8b2b5727c420a1cd2178a261"


def _train_texts(corpus: str) -> list[str]:
    lines = resources.files("content").joinpath(corpus, "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    return [row["text"] for row in map(json.loads, lines) if row.get("split") == "train"]


def _scores(model: LinearModel, texts: list[str], analyzer: object, with_triage: bool) -> str:
    """sha256 over repr()s: floats in repr are exact, so any change of a bit shows."""
    digest = hashlib.sha256()
    for text in texts:
        idx, vals = model.vector(text)
        parts: list[object] = [analyzer(text), idx, vals]  # type: ignore[operator]
        parts += [(name, head.decide(idx, vals)) for name, head in model.heads.items()]
        if with_triage:
            result = triage(text, "en")
            parts.append(([(m.id, m.score) for m in result.matches], result.language, result.confident))
        digest.update(repr(parts).encode("utf-8"))
    return digest.hexdigest()


def triage_digest() -> str:
    return _scores(load_model(), _train_texts("triage"), features, with_triage=True)


def check_digest() -> str:
    return _scores(check_model(), _train_texts("check"), check_features, with_triage=False)


def test_every_triage_train_message_scores_exactly_as_before() -> None:
    assert len(_train_texts("triage")) > 1000
    assert triage_digest() == TRIAGE_DIGEST


def test_every_check_train_message_scores_exactly_as_before() -> None:
    assert len(_train_texts("check")) > 100
    assert check_digest() == CHECK_DIGEST


if __name__ == "__main__":
    print(f'TRIAGE_DIGEST = "{triage_digest()}"\nCHECK_DIGEST = "{check_digest()}"')
