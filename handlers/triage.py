"""Recognises which of the fourteen situations a few messy words describe.

People type mid-crisis: typos, no punctuation, slang, Romanian with or without diacritics (and in
the older î spelling), Russian in Latin letters, quotes of the client, long rants. A linear model
over character and word n-grams (`handlers.linear_model`), trained offline on a labelled corpus
in many voices (`content/triage/`, `parley train-triage`), ranks all fourteen; its softmax is
calibrated on cross-validation, so "not sure" is a probability threshold chosen from measured
wrong-card and menu rates rather than a hand-set score. A second head of the same model names
the language; the caller's hint (the user's language) settles only weak evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from content.text import LANGUAGES, strip_marks
from handlers.linear_model import LinearModel, ModelFileError, read_model, softmax

#: A situation at least this probable counts as one the message gave evidence for: it comes first,
#: best first, in the "which is closest?" menu.
EVIDENCE = 0.05
#: A language hint adds this to its language's decision value: enough to settle a short or mixed
#: message, not enough to override clear words of another language (at 1.0 a wrong hint flipped 17
#: of 10,018 hinted training messages, at 0.5 two).
HINT_WEIGHT = 0.5
#: Words a title or a message may have or leave out without changing what it names.
TITLE_FILLER = frozenset({"the", "a", "an"})
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class Match:
    id: str  # situation id
    score: float  # calibrated probability, 0..1; the fourteen add up to 1 (all 0 when no word was known)


@dataclass(frozen=True, slots=True)
class Triage:
    matches: list[Match]  # all fourteen, best first
    language: str  # detected: "en" | "ru" | "ro"
    confident: bool  # False when the best match is below the model's thresholds: the caller offers a menu


@cache
def load_model() -> LinearModel:
    """The shipped model (``content/triage/model.bin``), read once per process.

    Raises `ModelFileError` when the file is missing or unreadable: a broken install, not a user error.
    """
    try:
        data = resources.files("content").joinpath("triage", "model.bin").read_bytes()
    except OSError as exc:
        raise ModelFileError(f"the triage model is missing: {exc}") from exc
    return read_model(data)


def _language(decision: list[float], labels: tuple[str, ...], hint: str | None, has_words: bool) -> str:
    if not has_words:
        return hint if hint in LANGUAGES else "en"
    values = list(decision)
    if hint in labels:
        values[labels.index(hint)] += HINT_WEIGHT
    return labels[max(range(len(values)), key=values.__getitem__)]


def _evidence(model: LinearModel, text: str | None) -> tuple[list[int], list[float]]:
    """The message's features, or none when it has no letter at all ("99", "1.", "!!!"): a lone
    number would otherwise look like "draft 11" to the n-grams."""
    return model.vector(text) if text and any(ch.isalpha() for ch in text) else ([], [])


def detect_language(text: str, hint: str | None = None) -> str:
    """Guesses en/ru/ro from the words themselves; the hint only settles weak or tied evidence."""
    model = load_model()
    idx, vals = _evidence(model, text)
    language = model.heads["language"]
    return _language(language.decide(idx, vals), language.labels, hint, bool(idx))


def _title_words(text: str) -> list[str]:
    """``text`` as title words: diacritics and case folded, punctuation and articles dropped."""
    return [w for w in _LETTERS.findall(strip_marks(text).casefold()) if w not in TITLE_FILLER]


@cache
def _titles() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(situation id, folded title words) of every title in every language, longest first."""
    import yaml  # here, and not `content.loader` (pydantic, babel): the engine stays light to start

    raw = yaml.safe_load(resources.files("content").joinpath("situations.yaml").read_text(encoding="utf-8"))
    titles = {(str(item["id"]), tuple(_title_words(str(item[lang]["title"]))))
              for item in raw for lang in LANGUAGES}
    return tuple(sorted((t for t in titles if len(t[1]) >= 2), key=lambda t: (-len(t[1]), t[0])))


def _same_word(said: str, title: str) -> bool:
    """A word of the message is the title's word, allowing an inflected ending on long words
    ("платят" for "платит", "plateste" for "platește")."""
    if len(title) < 5:
        return said == title
    stem = title[:len(title) - 2]
    return said.startswith(stem) and len(said) <= len(title) + 2


@cache
def _first_words() -> tuple[dict[str, list[int]], dict[str, list[int]], tuple[int, ...]]:
    """An index of the titles' first words (positions in `_titles`): short first words by the word itself
    (`_same_word` wants them equal), long ones by their stem (all but the last two letters), and the
    stem lengths there are, so a message word is looked up by its few prefixes of those lengths."""
    exact: dict[str, list[int]] = {}
    stems: dict[str, list[int]] = {}
    for position, (_, title) in enumerate(_titles()):
        first = title[0]
        if len(first) < 5:
            exact.setdefault(first, []).append(position)
        else:
            stems.setdefault(first[:len(first) - 2], []).append(position)
    return exact, stems, tuple(sorted({len(stem) for stem in stems}))


def title_match(text: str) -> str | None:
    """The situation whose own title (any language, see `_title_words`) ``text`` says word for word,
    the longest title first; None when none is said. A title is what the situation is called on its
    card, so saying it is the plainest possible evidence, whatever the model learnt.

    Finds what a scan of every title at every position finds (`tests/test_triage_title_index.py`), but
    only tries the titles whose first word a message word can be (`_first_words`).
    """
    words = _title_words(text)
    titles = _titles()
    exact, stems, lengths = _first_words()
    best: int | None = None
    for start, word in enumerate(words):
        candidates = list(exact.get(word, ()))
        for size in lengths:
            if size > len(word):
                break
            candidates += stems.get(word[:size], ())
        for position in candidates:
            if best is not None and position >= best:
                continue
            title = titles[position][1]
            if start + len(title) <= len(words) and all(
                    _same_word(w, t) for w, t in zip(words[start:start + len(title)], title, strict=True)):
                best = position
    return titles[best][0] if best is not None else None


def triage(text: str, lang_hint: str | None = None) -> Triage:
    """Ranks all fourteen situations for a message, most likely first.

    ``lang_hint`` is the user's language (en/ru/ro or None); it only affects `Triage.language`.
    Text with no known feature (empty, emoji, gibberish) or without a single letter (`_evidence`) is
    never confident and scores 0 everywhere: there is no evidence, only the model's prior. Text that
    says a situation's own title (`title_match`) puts it first and is confident.
    """
    model = load_model()
    idx, vals = _evidence(model, text)
    head, language = model.heads["situation"], model.heads["language"]
    decision = head.decide(idx, vals)
    probs = softmax(decision, model.header["temperature"]) if idx else [0.0] * len(decision)
    order = sorted(range(len(probs)), key=lambda i: (-probs[i], head.labels[i]))
    matches = [Match(head.labels[i], round(probs[i], 4)) for i in order]
    lang = _language(language.decide(idx, vals), language.labels, lang_hint, bool(idx))
    # one card only when the best situation is probable AND claims the message (a vague "the client
    # called me" can be most probable by default while no situation's classifier really fires)
    confident = (bool(idx) and probs[order[0]] >= model.header["threshold"]
                 and decision[order[0]] >= model.header.get("min_decision", float("-inf")))
    titled = title_match(text) if idx else None
    if titled is not None:  # its own title: that situation first, and sure
        first = next(m for m in matches if m.id == titled)
        matches = [first, *(m for m in matches if m.id != titled)]
        confident = True
    return Triage(matches=matches, language=lang, confident=confident)


def explain(text: str, lang_hint: str | None = None) -> list[str]:
    """The features that pushed the best situations up, strongest first: for whoever grows the corpus."""
    model = load_model()
    idx, vals = _evidence(model, text)
    result = triage(text, lang_hint)
    names = model.words(idx)
    head = model.heads["situation"]
    lines = [f"language {result.language}; confident {result.confident} (threshold {model.header['threshold']:.2f})"]
    for match in result.matches[:3]:
        k = head.labels.index(match.id)
        parts = sorted(((head.scale * head.weights[k][i] * v, name) for i, v, name in zip(idx, vals, names, strict=True)),
                       reverse=True)[:8]
        lines.append(f"  {match.id:<27} {match.score:.3f}  " + ", ".join(f"{f}{w:+.2f}" for w, f in parts))
    return lines
