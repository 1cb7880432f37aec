"""/check: finds the don'ts of a conflict (seed 002) in a draft reply and says how to phrase it better.

Which don'ts a draft has is decided by a model over triage's character and word n-grams plus the
letters across word boundaries (`handlers.text_features.check_features`), trained offline on
``content/check/corpus.jsonl`` (`bot.train_check`) and shipped as ``content/check/model.bin``: a
"gate" head says whether the draft has any don't, a one-vs-rest "dont" head says which; the
thresholds (the gate's one per language) were chosen on cross-validation. It catches what a list
of phrases cannot: reworded excuses, sarcasm, conditionals that blame the client; and it leaves
contractual guarantees and negated dismissals alone. The patterns in ``content/check.yaml`` mostly
say *which words* to quote for a don't the model found; when none matches, the clause that pushed
the model hardest is quoted. A rule's ``decisive`` patterns are the don't in so many words ("if
you'd read the sheet, it wouldn't have faded", "that's between you and them") and flag a draft
whatever the model says; its ``clears`` are words that refuse it ("I can't promise it will never
happen again, but...", "I won't tell you to calm down") and take it away (`verdict`). The names, explanations and better phrasings shown to the user live
in ``check.yaml`` too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from bot.markup import user_text
from content.loader import read_yaml, validate
from content.models import Slug, Strict, Text
from content.text import LANGUAGES, word_count
from handlers.linear_model import LinearModel, ModelFileError, read_model
from handlers.triage import detect_language

WHERE = "content/check.yaml"

#: Single characters folded to another one, on top of dropping combining marks.
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})

Pattern = Annotated[str, Field(min_length=1)]


def fold(text: str) -> tuple[str, list[int]]:
    """The text as patterns see it, and for each folded character the index it came from.

    Combining marks are dropped after canonical decomposition (ș→s, ă→a, î→i, ё→е, й→и, also for
    text that arrives already decomposed), so "calmati-va" and "calmați-vă" look the same. The
    index map lets a match be cut out of the original text exactly as the user typed it.
    """
    out: list[str] = []
    index: list[int] = []
    for i, char in enumerate(text):
        for part in unicodedata.normalize("NFD", char):
            if unicodedata.combining(part):
                continue
            out.append(part.translate(_APOSTROPHES))
            index.append(i)
    return "".join(out), index


def compile_pattern(source: str) -> re.Pattern[str]:
    """A pattern from check.yaml, folded like the drafts it is matched against."""
    return re.compile(fold(source)[0], re.IGNORECASE)


class Localized(Strict):
    """One text in every language Parley speaks."""

    en: Text
    ru: Text
    ro: Text

    def get(self, lang: str) -> str:
        return str(getattr(self, lang if lang in LANGUAGES else "en"))


class CheckUi(Strict):
    """The words around the findings: the all-clear, the header and the labels."""

    clean: Localized
    header: Localized
    quote: Localized
    quote_marks: Localized
    why: Localized
    better: Localized

    @model_validator(mode="after")
    def _placeholders(self) -> CheckUi:
        for field, placeholder in (("quote", "{quotes}"), ("quote_marks", "{quote}")):
            texts: Localized = getattr(self, field)
            for lang in LANGUAGES:
                if placeholder not in texts.get(lang):
                    raise ValueError(f"{field}.{lang} must contain {placeholder}")
        return self


class PatternSet(Strict):
    """A rule's patterns per language; each must compile and must never match an empty string."""

    en: list[Pattern] = Field(min_length=1)
    ru: list[Pattern] = Field(min_length=1)
    ro: list[Pattern] = Field(min_length=1)

    @field_validator("en", "ru", "ro")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for i, source in enumerate(patterns):
            try:
                compiled = compile_pattern(source)
            except re.error as exc:
                raise ValueError(f"pattern {i} is not a valid regex: {exc}") from None
            if compiled.search("") is not None:
                raise ValueError(f"pattern {i} matches an empty string")
        return patterns

    def all(self) -> Iterable[str]:
        for lang in LANGUAGES:
            yield from getattr(self, lang)


class CheckRule(Strict):
    name: Localized
    why: Localized
    better: Localized
    #: The words to quote for the don't when the model finds it.
    patterns: PatternSet
    #: Words that are the don't whatever the model says ("din vina dumneavoastră"), written so that a
    #: negation in front does not match ("nu e din vina dumneavoastră"); quoted like ``patterns``.
    decisive: PatternSet | None = None
    #: Words that refuse the don't ("I can't promise it will never break, but...", "I won't tell you to
    #: calm down", «это не мелочь»): the don't is then not reported, by the model or by ``patterns``,
    #: unless a ``decisive`` pattern of the rule matches too. Cross-validation flagged such refusals as
    #: the very don't they refuse (the words are the don't's own words, a negation apart).
    clears: PatternSet | None = None


class CheckContent(Strict):
    """The whole of check.yaml."""

    ui: CheckUi
    rules: dict[Slug, CheckRule] = Field(min_length=1)


@dataclass(frozen=True)
class Finding:
    """One don't in a draft: which rule, and exactly which words (``draft[start:end] == quote``)."""

    rule: str
    quote: str
    start: int
    end: int


def load_check(source: Traversable | None = None) -> CheckContent:
    """Reads and validates check.yaml; a malformed file raises `ContentError` naming the field."""
    item = source or resources.files("content") / "check.yaml"
    result: CheckContent = validate(CheckContent, read_yaml(item, WHERE), WHERE)
    return result


@cache
def check_content() -> CheckContent:
    """The shipped check.yaml, read once per process."""
    return load_check()


@cache
def _compiled() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (rule_id, compile_pattern(source))
        for rule_id, rule in check_content().rules.items()
        for source in [*rule.patterns.all(), *(rule.decisive.all() if rule.decisive else ())]
    )


def _one_per_rule(sets: Iterable[tuple[str, PatternSet | None]]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each rule's patterns of every language joined into one alternation: one search per rule, since
    only *whether* any of them matches counts (`decisive_rules`, `cleared_rules`)."""
    return tuple((rule_id, compile_pattern("|".join(f"(?:{source})" for source in patterns.all())))
                 for rule_id, patterns in sets if patterns is not None)


@cache
def _decisive() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return _one_per_rule((rule_id, rule.decisive) for rule_id, rule in check_content().rules.items())


def decisive_rules(text: str) -> set[str]:
    """The rules whose ``decisive`` patterns match ``text``: don'ts found whatever the model says."""
    folded = fold(text)[0]
    return {rule_id for rule_id, pattern in _decisive() if pattern.search(folded)}


@cache
def _clears() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return _one_per_rule((rule_id, rule.clears) for rule_id, rule in check_content().rules.items())


def cleared_rules(text: str) -> set[str]:
    """The rules whose ``clears`` patterns match ``text``: don'ts the draft refuses in so many words
    ("I won't tell you to calm down"), not reported unless a ``decisive`` pattern names them too."""
    folded = fold(text)[0]
    return {rule_id for rule_id, pattern in _clears() if pattern.search(folded)}


@cache
def check_model() -> LinearModel:
    """The shipped /check model (``content/check/model.bin``), read once per process.

    Raises `ModelFileError` when it is missing or unreadable: a broken install, not a user error.
    """
    try:
        data = resources.files("content").joinpath("check", "model.bin").read_bytes()
    except OSError as exc:
        raise ModelFileError(f"the /check model is missing: {exc}") from exc
    return read_model(data)


#: Drafts shorter than this many words are judged by the patterns alone (see `detect_donts`).
SHORT = 4
#: Beside the model's strongest don't, when its patterns name it, a don't the model alone found is kept
#: only from this decision value up (0: more likely than not); the head's own bar (``dont_threshold``)
#: is far lower.
SECOND_OPINION = 0.0


def flag_threshold_for(text: str) -> float:
    """The flag threshold (`verdict`) of the draft's language (en/ru/ro as triage's language head reads
    the words).

    Each language's threshold was chosen on cross-validation for a draft precision of at least
    `bot.train_check.PRECISION_TARGET` in that language (`bot.train_check.best_thresholds`, with the language detected the same
    way), since one threshold for all let English fall below it while Romanian stayed above.
    """
    return float(check_model().header["flag_thresholds"][detect_language(text)])


def verdict(text: str, gate: float, values: Sequence[float], labels: Sequence[str],
            threshold: float, dont_threshold: float, matched: frozenset[str] | None = None,
            sure: frozenset[str] | None = None, cleared: frozenset[str] | None = None) -> set[str]:
    """The don'ts of ``text`` from the model's decision values: the rule /check applies, and the
    one `bot.train_check` measures on cross-validation, so both see the same thing.

    ``gate`` is the gate head's value, ``values`` the "dont" head's per label in ``labels``. A draft
    of fewer than `SHORT` words gives the model too few n-grams to weigh ("ok" read as belittling,
    "Calm down." as fine): the ``check.yaml`` patterns alone decide there. Otherwise the draft is
    flagged when the mean of the gate's value and the strongest don't's reaches ``threshold`` (its
    language's): on cross-validation this found 1-4 points more of the bad drafts than the gate
    alone at the same precision, since a short neutral question often nudges the gate a little but
    no single don't. A flagged draft gets every don't reaching ``dont_threshold`` (or the likeliest
    one) plus the don'ts whose patterns match ("Calm down, it was not me": on cross-validation the
    patterns raised don't-level recall from 0.628 to 0.646 at the same precision). ``matched`` is
    the set of rules whose patterns match ``text``, when the caller has it already (training).

    Then the words decide over the model: a rule's ``decisive`` patterns (``sure``: `decisive_rules`)
    flag the draft whatever the model says, and every pattern finding adds its don't as in a flagged
    draft; a rule's ``clears`` (``cleared``: `cleared_rules`, "I can't promise..., but") take its
    don't away unless it is also decisive. Both are applied here, so cross-validation measures them.
    """
    if matched is None:
        matched = frozenset(f.rule for f in pattern_findings(text))
    if sure is None:
        sure = frozenset(decisive_rules(text))
    if cleared is None:
        cleared = frozenset(cleared_rules(text))
    found: set[str] = set()
    if word_count(text) < SHORT:
        found = set(matched)
    elif (gate + max(values)) / 2 >= threshold:
        found = {label for label, value in zip(labels, values, strict=True) if value >= dont_threshold}
        if not found:
            found = {labels[max(range(len(values)), key=values.__getitem__)]}
        found |= matched
    if sure:
        found |= sure | matched
    return found - (cleared - sure)


def detect_donts(text: str) -> list[str]:
    """The don'ts the model finds in ``text`` (rule ids, in the model's order); [] for a fine draft.

    The "gate" head and the strongest don't of the "dont" head decide together whether the draft
    has any don't, at its language's threshold (`flag_threshold_for`); the "dont" head then names
    which (`verdict`). A ``decisive`` pattern flags the draft whatever the model says (and then, as
    in a flagged draft, every pattern finding adds its don't) and a ``clears`` pattern takes its
    don't away unless it is decisive too (`verdict`); when the strongest don't is one the
    patterns name, the model's unmatched guesses beside it must reach `SECOND_OPINION`. Short drafts are judged
    by the ``check.yaml`` patterns alone, and a draft with no word the model knows is fine.
    """
    order = list(check_content().rules)
    matched = {f.rule for f in pattern_findings(text)}
    sure, cleared = frozenset(decisive_rules(text)), frozenset(cleared_rules(text))
    if word_count(text) < SHORT:
        return [rule for rule in order if rule in matched - (cleared - sure)]
    model = check_model()
    idx, vals = model.vector(text)
    if not idx:
        return []
    head = model.heads["dont"]
    values = head.decide(idx, vals)
    found = verdict(text, model.heads["gate"].decide(idx, vals)[0], values, head.labels,
                    flag_threshold_for(text), model.header["dont_threshold"], frozenset(matched), sure, cleared)
    strongest = head.labels[max(range(len(values)), key=values.__getitem__)]
    if strongest in found & matched:
        # the model's strongest don't has the words behind it: a guess with no words behind it must be
        # more likely than not to stand beside it (sarcasm is belittling, not also blame shifting)
        found = {label for label in found
                 if label in matched or values[head.labels.index(label)] >= SECOND_OPINION}
    return [label for label in head.labels if label in found]


_CLAUSE = re.compile(r"[^.!?;\n]+[.!?;]*")


def _strongest_clause(text: str, label: str) -> Finding:
    """The clause of ``text`` the model scores highest for ``label``: what to quote when no pattern matched."""
    model = check_model()
    head = model.heads["dont"]
    k = head.labels.index(label)
    best: tuple[float, int, int] | None = None
    for match in _CLAUSE.finditer(text):
        clause = match.group().strip()
        if not clause:
            continue
        idx, vals = model.vector(clause)
        value = head.decide(idx, vals)[k] if idx else float("-inf")
        if best is None or value > best[0]:
            start = match.start() + (len(match.group()) - len(match.group().lstrip()))
            best = (value, start, start + len(clause))
    if best is None:
        return Finding(label, text, 0, len(text))
    _, start, end = best
    return Finding(label, text[start:end], start, end)


def check_draft(text: str) -> list[Finding]:
    """Every don't the model finds in ``text``, each with the words to quote, in the order they appear.

    A don't is quoted with its pattern matches from ``check.yaml`` when there are any, else with the
    clause the model scored highest for it. Pattern matches of a don't the model did not find are
    not reported (alone they flag a contractual guarantee as an impossible promise, and "nu e vina
    dumneavoastră" as blame), except a rule's ``decisive`` patterns, written to be sure on their own
    ("din vina dumneavoastră", «из-за вас»): they add their don't (`detect_donts`).
    """
    found = detect_donts(text)
    if not found:
        return []
    matched = [f for f in pattern_findings(text) if f.rule in found]
    kept = matched + [_strongest_clause(text, rule) for rule in found if all(f.rule != rule for f in matched)]
    order = {rule_id: i for i, rule_id in enumerate(check_content().rules)}
    kept.sort(key=lambda f: (f.start, order.get(f.rule, len(order))))
    return kept


def pattern_findings(text: str) -> list[Finding]:
    """Every match of the ``check.yaml`` patterns in ``text``, in the order they appear.

    Matches of one rule that overlap are merged into the earliest, longest one, so "it was not my
    fault" is reported once; different rules may quote overlapping words.
    """
    folded, index = fold(text)
    hits: list[Finding] = []
    for rule_id, pattern in _compiled():
        for match in pattern.finditer(folded):
            if match.end() == match.start():
                continue
            start, end = index[match.start()], index[match.end() - 1] + 1
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1
            hits.append(Finding(rule_id, text[start:end], start, end))

    order = {rule_id: i for i, rule_id in enumerate(check_content().rules)}
    hits.sort(key=lambda f: (order[f.rule], f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    reach: dict[str, int] = {}
    for finding in hits:
        if finding.start >= reach.get(finding.rule, -1):
            kept.append(finding)
            reach[finding.rule] = finding.end
    kept.sort(key=lambda f: (f.start, order[f.rule]))
    return kept


def _excerpt(quote: str) -> str:
    """A quoted fragment without one trailing full stop ("…" and "?!" belong to the words and stay)."""
    return quote[:-1] if quote.endswith(".") and not quote.endswith("..") else quote


def render_check(findings: list[Finding], lang: str) -> str:
    """The reply to /check in ``lang``: each problem once, with the user's words quoted and a better way."""
    content = check_content()
    ui = content.ui
    if not findings:
        return ui.clean.get(lang)
    quotes: dict[str, list[str]] = {}
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.rule not in content.rules:
            continue
        shown = " ".join(finding.quote.split())
        if shown not in quotes.setdefault(finding.rule, []):
            quotes[finding.rule].append(shown)
    if not quotes:
        return ui.clean.get(lang)

    lines = [ui.header.get(lang)]
    for rule_id, said in quotes.items():
        rule = content.rules[rule_id]
        # an excerpt in a list of excerpts: its own final full stop would end up inside the quotation
        # marks («…письма.»), which Russian and Romanian typography put outside; a list needs none
        marked = ", ".join(ui.quote_marks.get(lang).format(quote=user_text(_excerpt(q))) for q in said)
        lines += [
            "",
            f"**{rule.name.get(lang)}**",
            ui.quote.get(lang).format(quotes=marked),
            f"{ui.why.get(lang)} {rule.why.get(lang)}",
            f"{ui.better.get(lang)} {rule.better.get(lang)}",
        ]
    return "\n".join(lines)
