"""`triage.title_match` through its first-word index finds exactly what the plain scan finds."""

from __future__ import annotations

import json
from importlib import resources

from handlers.triage import _same_word, _title_words, _titles, title_match


def scan(text: str) -> str | None:
    """The plain scan `title_match` replaced: every title, longest first, at every position."""
    words = _title_words(text)
    for situation, title in _titles():
        for start in range(len(words) - len(title) + 1):
            if all(_same_word(w, t) for w, t in zip(words[start:start + len(title)], title, strict=True)):
                return situation
    return None


def test_the_indexed_title_match_agrees_with_the_scan_on_every_corpus_message_and_every_title() -> None:
    texts = []
    for name in ("corpus.jsonl", "vague.jsonl", "independent.jsonl"):
        lines = resources.files("content").joinpath("triage", name).read_text(encoding="utf-8").splitlines()
        texts += [json.loads(line)["text"] for line in lines if line.strip()]
    titles = [" ".join(words) for _, words in _titles()]
    texts += titles + [f"so {a} and {b}" for a, b in zip(titles, reversed(titles), strict=True)]
    texts += ["the client refuses to pay", "клиент не платит", "clientul nu plătește", "", "!!!"]
    found = [title_match(t) for t in texts]
    assert found == [scan(t) for t in texts]
    assert sum(f is not None for f in found) > len(titles)  # the comparison is not all None
