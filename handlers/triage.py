"""Recognises which of the fourteen situations a few messy words describe.

People type mid-crisis: typos, no punctuation, slang, Romanian without diacritics, Russian in
Latin letters, quotes of the client, long rants. The engine therefore works on a folded form of the
text where Cyrillic and Latin, diacritics and common transliteration variants meet, matches
weighted stems and short phrases from content (``situations.yaml`` keywords and
``triage_vocab.yaml``), tolerates one typo per long word, and knows when a word is negated
("he never pays" is about payment; "he never yells" is not about abuse). When two situations are
clearly present, the more urgent one ranks first. Pure stdlib plus PyYAML, so it loads fast and
works offline.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from bot.markup import strip_marks

LANGUAGES: tuple[str, ...] = ("en", "ru", "ro")


@dataclass(frozen=True, slots=True)
class Match:
    id: str  # situation id
    score: float  # 0..1, higher is better


@dataclass(frozen=True, slots=True)
class Triage:
    matches: list[Match]  # all fourteen, best first
    language: str  # detected: "en" | "ru" | "ro"
    confident: bool  # False when the best match is weak or ambiguous: the caller offers a menu


# ---------------------------------------------------------------------------------------------
# Folding: one spelling for Cyrillic, transliterated Russian, Romanian with or without diacritics.

_CYR = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "є": "e", "і": "i", "ї": "i",
}  # fmt: skip
_CYR_TABLE = str.maketrans(_CYR)
_APOSTROPHES = str.maketrans("", "", "'’`ʼ")
# A word (letters/digits, apostrophes inside), or a punctuation mark that ends a clause.
_TOKEN_RE = re.compile(r"[^\W_]+(?:['’`ʼ][^\W_]+)*|[.,;:!?…()\[\]\"«»„“”/|]|\s[-–—]+\s|\n")
_HYPHEN_RE = re.compile(r"(?<=[^\W\d_])[-‐‑](?=[^\W\d_])")
_HEAVY_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(a), b)
    for a, b in (
        (r"shch|sch", "sh"),  # щ
        (r"kh|x", "h"),  # х as people type it
        (r"y", "i"),  # й, ы, я/ю/ё digraphs: ya/ia -> ia
        (r"j", "zh"),  # ж as Romanian and some Russian typists write it
        (r"(?<=[ao])ie", "e"),  # otvechayet / otvechaet
        (r"(.)\1+", r"\1"),  # doubled letters, the commonest typo
    )
)
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")


@lru_cache(maxsize=65536)
def _light(word: str) -> str:
    """Lowercase Latin form: Cyrillic transliterated, diacritics and apostrophes dropped."""
    return strip_marks(word.lower().translate(_APOSTROPHES).translate(_CYR_TABLE))


@lru_cache(maxsize=65536)
def _heavy(light: str) -> str:
    """The matching form: transliteration variants and doubled letters collapsed."""
    for pattern, repl in _HEAVY_RULES:
        light = pattern.sub(repl, light)
    return light


@dataclass(slots=True)
class _Tok:
    light: str
    heavy: str
    cyr: bool
    brk: int  # what stands right before this token: 0 nothing, 1 a comma or the like, 2 a sentence end
    neg: bool = False  # under a negator: "never pays", "не платит"
    denied: bool = False  # the topic is declared fine: "no problems with payments", "претензий нет"


def _fits(want: int, tok: _Tok) -> bool:
    """Whether a token's negation suits an element: 1 negated action, 0 not negated, -1 any."""
    if want == 1:
        return tok.neg and not tok.denied
    return want == -1 or not tok.neg


_HARD = frozenset(".!?…()[]\n")


def _tokens(text: str) -> list[_Tok]:
    """Words with the punctuation before them remembered: clauses bound negation and phrases."""
    toks: list[_Tok] = []
    brk = 2
    for m in _TOKEN_RE.finditer(_HYPHEN_RE.sub(" ", text)):
        raw = m.group()
        if not raw[0].isalnum():
            brk = max(brk, 2 if raw in _HARD else 1)
            continue
        light = _light(raw)
        if not light:
            continue
        toks.append(_Tok(light, _heavy(light), bool(_CYRILLIC_RE.search(raw)), brk))
        brk = 0
    return toks


# ---------------------------------------------------------------------------------------------
# Vocabulary


@dataclass(frozen=True, slots=True)
class _Element:
    atoms: frozenset[int]
    neg: int  # 1 must be negated, 0 must not be, -1 either


@dataclass(frozen=True, slots=True)
class _Pattern:
    situation: int
    weight: float
    elements: tuple[_Element, ...]
    lang: str  # "en" | "ru" | "ro" | "any": counts fully only when the message uses that language
    gap: int  # words allowed between two elements


@dataclass(slots=True)
class _Vocab:
    ids: list[str]
    urgency: list[int]
    patterns: list[_Pattern]
    first: dict[int, list[int]]  # atom id -> ids of patterns starting with it
    exact: dict[str, list[int]]  # heavy word -> atom ids (exact and prefix atoms)
    prefix: dict[str, list[int]]  # heavy prefix -> prefix atom ids
    prefix_lens: list[int]
    fuzzy: dict[str, list[int]]  # atom text and its one-letter deletions -> atom ids
    fuzzy_lens: list[int]
    atom_text: list[str]
    atom_prefix: list[bool]
    negators: dict[str, frozenset[str]]
    post_negators: dict[str, frozenset[str]]
    denials: frozenset[str]
    contrast: dict[str, frozenset[str]]
    stop: frozenset[str]
    markers: dict[str, dict[str, float]]


_WEIGHT_RE = re.compile(r"^(-?\d+(?:\.\d+)?)(?:/(\d))?$")
_NUM = "<num>"  # the atom that matches any number ("since 2019", "for 6 years")
_GAP = 3  # default words allowed between two elements of a phrase
_FUZZY_MIN = 6  # shortest folded word that tolerates a typo
_FUZZY_MIN_PREFIX = 7  # shortest folded stem that does
_FUZZY_FACTOR = 0.7


def _deletes(word: str) -> Iterator[str]:
    for i in range(len(word)):
        yield word[:i] + word[i + 1 :]


def _within_one(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance <= 1, checked directly because it is cheap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def _auto_stem(word: str) -> str:
    """Turns a plain keyword into a prefix that survives inflection (ru/ro endings are long)."""
    n = len(word)
    if n <= 4:
        return word
    cut = 1 if n <= 6 else 2 if n <= 8 else 3
    return word[: n - cut] + "*"


class _Builder:
    def __init__(self) -> None:
        self.atom_ids: dict[tuple[str, bool], int] = {}
        self.atom_text: list[str] = []
        self.atom_prefix: list[bool] = []

    def atom(self, spec: str) -> int | None:
        is_prefix = spec.endswith("*")
        word = spec.rstrip("*")
        if word == _NUM:
            key = (_NUM, False)
        else:
            words = [_heavy(w) for w in re.findall(r"[^\W_]+", _light(word))]
            if len(words) != 1:
                return None
            key = (words[0], is_prefix)
        if key not in self.atom_ids:
            self.atom_ids[key] = len(self.atom_text)
            self.atom_text.append(key[0])
            self.atom_prefix.append(is_prefix)
        return self.atom_ids[key]

    def element(self, spec: str) -> _Element | None:
        neg = -1
        if spec[:1] in ("~", "!", "?"):
            neg, spec = {"~": 1, "!": 0, "?": -1}[spec[0]], spec[1:]
        atoms = {a for alt in spec.split("|") if alt for a in [self.atom(alt)] if a is not None}
        return _Element(frozenset(atoms), neg) if atoms else None

    def pattern(self, situation: int, spec: str, lang: str, weight: float = 1.0) -> _Pattern | None:
        parts = spec.split()
        gap = _GAP
        m = _WEIGHT_RE.match(parts[0]) if len(parts) > 1 else None
        if m:
            weight, parts = float(m.group(1)), parts[1:]
            gap = int(m.group(2)) if m.group(2) else _GAP
        elements = []
        for part in parts:
            el = self.element(part)
            if el is None:
                return None
            elements.append(el)
        return _Pattern(situation, weight, tuple(elements), lang, gap) if elements else None


def _keyword_pattern(keyword: str, negators: frozenset[str], fillers: frozenset[str]) -> str:
    """A situations.yaml keyword as a pattern: stems, fillers dropped, negation made explicit.

    A plain keyword never fires on a negated word ("he never yells" is not "yelling")."""
    out: list[str] = []
    negate = False
    for raw in re.findall(r"[^\W_]+(?:['’][^\W_]+)*", keyword):
        light = _light(raw)
        if light in negators:
            negate = True
            continue
        if light in fillers:
            if negate:  # keep the word that carries the negation: "не по договору", "not in the contract"
                out.append("~" + _heavy(light))
                negate = False
            continue
        out.append(("~" if negate else "!" if not out else "") + _auto_stem(_heavy(light)))
        negate = False
    return " ".join(out)


def _content_dir() -> Traversable:
    """The content package's folder, found without importing it (its loader pulls in pydantic)."""
    spec = importlib.util.find_spec("content")
    if spec and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return resources.files("content")


def _description_patterns(
    b: _Builder, situations: list[dict[str, Any]], skip: frozenset[str], weight: float
) -> list[_Pattern]:
    """Weak evidence from each situation's own title and description.

    They describe the situation in plain words, which catches phrasings the vocabulary misses.
    A word stem used by three or more situations' texts says nothing about any of them."""
    stems: dict[tuple[str, str], set[int]] = {}
    for i, s in enumerate(situations):
        for lang in LANGUAGES:
            text = f"{s[lang]['title']} {s[lang]['description']}"
            for raw in re.findall(r"[^\W\d_]+", text):
                light = _light(raw)
                if len(light) < 4 or light in skip:
                    continue
                stems.setdefault((lang, _auto_stem(_heavy(light))), set()).add(i)
    out = []
    for (lang, stem), owners in stems.items():
        if len(owners) > 2:
            continue
        for i in owners:
            p = b.pattern(i, f"!{stem}", lang, weight)
            if p:
                out.append(p)
    return out


def _read_yaml(name: str) -> Any:
    """Parsed with libyaml when present: the vocabulary is large and the first call must be quick."""
    text = (_content_dir() / name).read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


def _word_set(words: Iterable[Any]) -> frozenset[str]:
    """Light-folded words, failing loudly on what YAML silently turned into booleans."""
    bad = [w for w in words if not isinstance(w, str)]
    if bad:  # YAML reads a bare no/yes/on as a boolean
        raise ValueError(f"content/triage_vocab.yaml: quote {bad!r}")
    return frozenset(_light(w) for w in words)


def _build() -> _Vocab:
    """Compiles situations.yaml keywords and triage_vocab.yaml into lookup tables, once."""
    situations = _read_yaml("situations.yaml")
    vocab = _read_yaml("triage_vocab.yaml")
    ids = [s["id"] for s in situations]
    index = {sid: i for i, sid in enumerate(ids)}
    negators = {lang: _word_set(vocab["negators"].get(lang, [])) for lang in LANGUAGES}
    post_negators = {lang: _word_set(vocab.get("post_negators", {}).get(lang, [])) for lang in LANGUAGES}
    contrast = {lang: _word_set(vocab["contrast"].get(lang, [])) for lang in LANGUAGES}
    stop = frozenset().union(*(_word_set(vocab["stopwords"].get(lang, [])) for lang in LANGUAGES))
    fillers = frozenset().union(*(_word_set(vocab["fillers"].get(lang, [])) for lang in LANGUAGES))
    all_neg = frozenset().union(*negators.values())
    markers = {
        lang: {w: float(wt) for wt, words in vocab["markers"][lang].items() for w in _word_set(words)}
        for lang in LANGUAGES
    }
    b = _Builder()
    patterns: list[_Pattern] = []
    kw_weight = float(vocab.get("keyword_weight", 1.0))
    kw_phrase_weight = float(vocab.get("keyword_phrase_weight", 1.5))
    for s in situations:
        for lang in LANGUAGES:
            for kw in s[lang]["keywords"]:
                spec = _keyword_pattern(kw, all_neg - {"ne"} if lang != "ru" else all_neg, fillers)
                weight = kw_phrase_weight if len(spec.split()) > 1 else kw_weight
                p = b.pattern(index[s["id"]], spec, lang, weight)
                if p:
                    patterns.append(p)
    patterns += _description_patterns(
        b, situations, stop | fillers, float(vocab.get("description_weight", 0.5))
    )
    for sid, by_lang in vocab["patterns"].items():
        if sid not in index:
            raise ValueError(f"content/triage_vocab.yaml: unknown situation {sid!r}")
        for lang, specs in by_lang.items():
            if lang not in (*LANGUAGES, "any"):
                raise ValueError(f"content/triage_vocab.yaml: {sid}: unknown language {lang!r}")
            for spec in specs:
                p = b.pattern(index[sid], str(spec), lang)
                if p is None:
                    raise ValueError(f"content/triage_vocab.yaml: {sid}: cannot read pattern {spec!r}")
                patterns.append(p)

    first: dict[int, list[int]] = {}
    for pid, p in enumerate(patterns):
        for a in p.elements[0].atoms:
            first.setdefault(a, []).append(pid)
    exact: dict[str, list[int]] = {}
    prefix: dict[str, list[int]] = {}
    fuzzy: dict[str, list[int]] = {}
    for aid, (text, is_prefix) in enumerate(zip(b.atom_text, b.atom_prefix, strict=True)):
        (prefix if is_prefix else exact).setdefault(text, []).append(aid)
        if len(text) >= _FUZZY_MIN:
            for key in {text, *_deletes(text)}:
                fuzzy.setdefault(key, []).append(aid)
    return _Vocab(
        ids=ids,
        urgency=[int(s.get("urgency", 0)) for s in situations],
        patterns=patterns,
        first=first,
        exact=exact,
        prefix=prefix,
        prefix_lens=sorted({len(t) for t in prefix}),
        fuzzy=fuzzy,
        fuzzy_lens=sorted({len(t) for t in fuzzy if len(t) >= _FUZZY_MIN}),
        atom_text=b.atom_text,
        atom_prefix=b.atom_prefix,
        negators=negators,
        post_negators=post_negators,
        denials=frozenset().union(*(_word_set(vocab["denials"].get(lang, [])) for lang in LANGUAGES)),
        contrast=contrast,
        stop=stop,
        markers=markers,
    )


@cache
def _vocab() -> _Vocab:
    """Built on first use, not at import: importing the bot stays cheap."""
    return _build()


@lru_cache(maxsize=65536)
def _atoms(heavy: str) -> tuple[tuple[int, bool], ...]:
    """Atom ids a folded word matches, each with whether the match needed typo tolerance.

    Cached per word: people reuse words, so after warm-up a message costs a few dict lookups."""
    v = _vocab()
    hits: set[int] = set(v.exact.get(_NUM if heavy.isdigit() else heavy, ()))
    for n in v.prefix_lens:
        if n > len(heavy):
            break
        hits.update(v.prefix.get(heavy[:n], ()))
    exact = tuple((a, False) for a in sorted(hits))
    if len(heavy) < _FUZZY_MIN or heavy in v.stop or heavy.isdigit():
        return exact
    # A typo can still leave a short stem matching ("factra" starts like "fact*"): look for
    # longer words one typo away.
    longest = max((len(v.atom_text[a]) for a in hits), default=0)
    fuzzy: set[int] = set()
    for n in v.fuzzy_lens:
        if n <= longest:
            continue
        if n > len(heavy) + 1:
            break
        for q in {heavy[: n - 1], heavy[:n], heavy[: n + 1]}:
            if len(q) < n - 1:
                continue
            for key in (q, *_deletes(q)):
                for a in v.fuzzy.get(key, ()):
                    text = v.atom_text[a]
                    if len(text) != n or a in fuzzy or a in hits or text[:2] != heavy[:2]:
                        continue  # typos rarely hit the first letters; "sending" is not "bending"
                    if v.atom_prefix[a] and n < _FUZZY_MIN_PREFIX or not v.atom_prefix[a] and q != heavy:
                        continue  # a short stem one letter off matches too many unrelated words
                    if _within_one(q, text):
                        fuzzy.add(a)
    return exact + tuple((a, True) for a in sorted(fuzzy))


# ---------------------------------------------------------------------------------------------
# Language


def detect_language(text: str, hint: str | None = None) -> str:
    """Guesses en/ru/ro from the words themselves; the hint only settles weak or tied evidence."""
    return _detect(_tokens(text or ""), hint, text or "")[0]


_RO_LETTERS = re.compile(r"[ăâîșşțţ]", re.IGNORECASE)
_SECOND_LANGUAGE = 1.5  # votes a second language needs to count as used in a mixed message


def _detect(toks: list[_Tok], hint: str | None, raw: str) -> tuple[str, frozenset[str]]:
    """The message's language, and every language it uses (mixed messages use two)."""
    v = _vocab()
    votes = dict.fromkeys(LANGUAGES, 0.0)
    for t in toks:
        if t.cyr:
            votes["ru"] += 1.0
            continue
        for lang in LANGUAGES:
            votes[lang] += v.markers[lang].get(t.light, 0.0)
    votes["ro"] += 1.5 * min(3, len(_RO_LETTERS.findall(raw)))
    if hint in votes:
        votes[hint] += 0.75
    best = max(LANGUAGES, key=lambda lang: votes[lang])
    if votes[best] <= 0:
        best = hint if hint in LANGUAGES else "en"
    used = {best} | {
        lang for lang in LANGUAGES if votes[lang] >= _SECOND_LANGUAGE and votes[lang] >= 0.3 * votes[best]
    }
    return best, frozenset(used)


# ---------------------------------------------------------------------------------------------
# Scoring

# Words after a negator that it covers; Romanian needs four ("nu mai vreau să lucrez").
_NEG_SCOPE = {"en": 3, "ru": 3, "ro": 4}
_DENIAL_SCOPE = 6  # words after "no problems with" that it declares fine
_POST_NEG_SCOPE = 2  # words before a post-negator ("претензий нет") that it covers
_OTHER_LANGUAGE = 0.25  # weight of a pattern whose language the message does not use
_PRESENT = 2.5  # raw evidence that a situation is really there (then urgency decides the order)
_PRESENT_SHARE = 0.45  # ... and not dwarfed by the best one
_STRONG_CUE = 2.0  # ... with at least one cue this strong ("suddenly" alone does not make a rude client)
_K = 3.0  # raw evidence at which the score is 0.5
_CONFIDENT = 2.5  # raw evidence the best match needs before we act on it without a menu
_MARGIN = 1.0  # ... and its lead over the second


def _mark_negation(v: _Vocab, toks: list[_Tok], lang: str) -> None:
    """Flags words under a negator: 'never pays', 'не платит', 'nu plătește'.

    "No problems with payments" and "претензий к оплате нет" deny a topic rather than describe an
    action not done: such words are marked denied, so neither "pays" nor "does not pay" fires."""
    ru_only = v.negators["ru"] - v.negators["en"] - v.negators["ro"]
    negators = v.negators["en"] | v.negators["ro"] | (v.negators["ru"] if lang == "ru" else frozenset())
    contrast = v.contrast[lang]
    scope = _NEG_SCOPE[lang]
    last_neg = -100
    for i, t in enumerate(toks):
        if t.brk:
            last_neg = -100
        w = t.light
        russian = t.cyr or lang == "ru"
        is_neg = w in negators or (t.cyr and w in ru_only)
        if w == "no" and russian:
            is_neg = False  # Russian "но" (but)
        post = v.post_negators["ru"] if russian else v.post_negators["en"] | v.post_negators["ro"]
        if w in post:
            for k in range(i - 1, max(-1, i - 1 - _POST_NEG_SCOPE), -1):
                toks[k].neg = toks[k].denied = True
                if toks[k].brk:
                    break
        if is_neg:
            last_neg = i
            continue
        if w in post:
            continue
        if (w in contrast or t.cyr and w in v.contrast["ru"]) and (w not in ("a", "no") or russian):
            last_neg = -100
            continue
        t.neg = t.neg or i - last_neg <= scope
        if t.neg and w in v.denials:  # "no complaints about the price or the quality", to the clause end
            for k in range(i + 1, min(len(toks), i + 1 + _DENIAL_SCOPE)):
                if toks[k].brk or toks[k].light in contrast:
                    break
                toks[k].neg = toks[k].denied = True


def _raw_scores(
    v: _Vocab, toks: list[_Tok], langs: frozenset[str], hits: dict[int, tuple[float, bool]] | None = None
) -> tuple[list[float], list[float]]:
    """Evidence per situation, and the strongest single cue of each.

    Each pattern counts once. Words are not counted twice for one situation: when patterns of a
    situation overlap ("we missed", "missed the deadline", the keyword "we missed the deadline"),
    only the strongest of the overlapping ones counts, so a message that says one thing in many
    words does not drown a second, more urgent problem said in one."""
    per_tok = [_atoms(t.heavy) for t in toks]
    found_at: dict[int, tuple[float, tuple[int, ...]]] = {}
    n = len(toks)
    for i, atoms in enumerate(per_tok):
        for atom, fuzzy in atoms:
            for pid in v.first.get(atom, ()):
                p = v.patterns[pid]
                if not _fits(p.elements[0].neg, toks[i]):
                    continue
                factor = _FUZZY_FACTOR if fuzzy else 1.0
                positions = [i]
                for el in p.elements[1:]:
                    found = -1
                    for j in range(positions[-1] + 1, min(n, positions[-1] + 2 + p.gap)):
                        if toks[j].brk > 1:
                            break
                        if not _fits(el.neg, toks[j]):
                            continue
                        hit = next((f for a, f in per_tok[j] if a in el.atoms), None)
                        if hit is not None:
                            found = j
                            if hit:
                                factor = min(factor, _FUZZY_FACTOR)
                            break
                    if found < 0:
                        break
                    positions.append(found)
                if len(positions) < len(p.elements):
                    continue
                if p.lang != "any" and p.lang not in langs:
                    factor *= _OTHER_LANGUAGE
                if factor > found_at.get(pid, (0.0, ()))[0]:
                    found_at[pid] = (factor, tuple(positions))
    raw = [0.0] * len(v.ids)
    strongest = [0.0] * len(v.ids)
    covered: list[set[int]] = [set() for _ in v.ids]
    for pid, (factor, span) in sorted(found_at.items(), key=lambda kv: -v.patterns[kv[0]].weight * kv[1][0]):
        p = v.patterns[pid]
        w = p.weight * factor
        counted = w < 0 or not covered[p.situation].intersection(span)
        if counted:
            raw[p.situation] += w
            if w > 0:
                covered[p.situation].update(span)
                strongest[p.situation] = max(strongest[p.situation], w)
        if hits is not None:
            hits[pid] = (w, counted)
    return raw, strongest


def _analyse(
    text: str, hint: str | None, hits: dict[int, tuple[float, bool]] | None = None
) -> tuple[str, list[float], list[float]]:
    v = _vocab()
    toks = _tokens(text)
    lang, used = _detect(toks, hint, text)
    _mark_negation(v, toks, lang)
    return lang, *_raw_scores(v, toks, used, hits)


def _order(v: _Vocab, raw: list[float], strongest: list[float]) -> tuple[list[int], set[int]]:
    """Best first; among situations clearly present, the more urgent one first.

    Clearly present means at least one strong cue and not dwarfed by the best match."""
    top = max(raw)
    present = {
        i
        for i, r in enumerate(raw)
        if r >= _PRESENT and r >= _PRESENT_SHARE * top and strongest[i] >= _STRONG_CUE
    }
    order = sorted(
        range(len(raw)),
        key=lambda i: (i in present, v.urgency[i] if i in present else 0, raw[i], v.urgency[i]),
        reverse=True,
    )
    return order, present


def triage(text: str, lang_hint: str | None = None) -> Triage:
    """Ranks all fourteen situations for a message, most likely (or most urgent) first."""
    v = _vocab()
    lang, raw, strongest = _analyse(text or "", lang_hint)
    order, present = _order(v, raw, strongest)
    # Scores follow the order, so a situation moved up for urgency gets at least the score below it.
    scores = [max(r, 0.0) / (max(r, 0.0) + _K) for r in raw]
    shown = [0.0] * len(order)
    below = 0.0
    for k in range(len(order) - 1, -1, -1):
        own = scores[order[k]]
        below = min(1.0, max(own, below + 0.001)) if below > 0 else own
        shown[k] = below
    matches = [Match(v.ids[i], round(shown[k], 4)) for k, i in enumerate(order)]
    first, second = order[0], order[1]
    confident = raw[first] >= _CONFIDENT and (
        raw[first] - max(raw[second], 0.0) >= _MARGIN
        or (first in present and v.urgency[first] > v.urgency[second])
    )
    return Triage(matches=matches, language=lang, confident=confident)


def explain(text: str, lang_hint: str | None = None) -> list[str]:
    """Which patterns fired and how much: for whoever tunes content/triage_vocab.yaml."""
    v = _vocab()
    hits: dict[int, tuple[float, bool]] = {}
    lang, raw, strongest = _analyse(text or "", lang_hint, hits)
    lines = [f"language {lang}"]
    for pid, (w, counted) in sorted(hits.items(), key=lambda kv: -kv[1][0]):
        p = v.patterns[pid]
        words = " ".join(
            ("~" if e.neg == 1 else "!" if e.neg == 0 else "")
            + "|".join(v.atom_text[a] + ("*" if v.atom_prefix[a] else "") for a in sorted(e.atoms))[:40]
            for e in p.elements
        )
        note = "" if counted else "  (overlaps a stronger one)"
        lines.append(f"  {v.ids[p.situation]:<27} {w:+.2f} [{p.lang}] {words}{note}")
    order, present = _order(v, raw, strongest)
    lines.append(
        "  order: "
        + ", ".join(f"{v.ids[i]}={raw[i]:.1f}{'*' if i in present else ''}" for i in order if raw[i])
    )
    return lines
