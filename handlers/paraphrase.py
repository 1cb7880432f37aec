"""Drafts the step-2 paraphrase from what the user typed about the complaint.

The user reports the client in the third person ("he says we missed the deadline and wants a refund");
the paraphrase speaks to the client ("If I understood you correctly, we missed the deadline and you want a
refund. Is that right?"). The rewrite strips the reporting opening (word lists in
``content/paraphrase/lexicon.yaml``; a feeling or a belief, "she is upset that", "он считает, что", stays as
the client's own view, or the draft would admit what the client only thinks; whoever opens the report, "the
hotel manager says", is the client), drops an insult clause about us when the rest stands alone, mends
English apostrophes and Russian one-letter typos, turns the client's pronouns into "you" (a "them"/"его"
that cannot be the client by gender or number stays) and makes the verbs, short
adjectives and possessives agree: pymorphy3 inflects Russian, a verb table (``ro_verbs.yaml``) conjugates
Romanian, a few rules do English. An answer of three or four sentences is rewritten sentence by sentence
and joined; a sentence that only sets the scene ("the school director called me.", "так и сказал.") is left
out; in Russian a second sentence with no subject of its own goes on with "и" ("он требует скидку. грозится
уйти" -> "вы требуете скидку и грозитесь уйти"). Words said only for tone ("типа", "literally", "like,") and
the user's doubt ("якобы") are dropped; the client named by a role, a name and patronymic or a place
("хозяйка дома хочет", "ИП Смирнов", "в кафе на Малышева недовольны") is the client. The client's own
words typed without quotation marks (their "вы", an imperative to us) fall back, as do a reporting word
or a person named first that the rewrite could not place. A third
party named before a pronoun blocks it only when it could be that pronoun by number and gender. Whenever
the rewrite cannot be sure (an unknown verb form, a third person or a thing it cannot place, quoted words,
a very long answer, an insult), the draft is the frame with a blank and the caller shows the user's own
words beside it: never a broken sentence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from content import library
from content.text import word_count

#: Longer answers are not rewritten: the user condenses them better than a rule can.
MAX_CHARS = 200
_BOUNDARY = {",", ";", ":", ".", "!", "?", "—", "–", "(", ")"}
_CEDILLA = str.maketrans("şţŞŢ", "șțȘȚ")  # Romanian written with the old cedilla letters
_TOKEN = re.compile(r"[^\W\d_](?:[\w’']|-(?=\w))*|\d+|\s+|.", re.U)


@dataclass(frozen=True)
class Paraphrase:
    """A step-2 draft. ``sure`` is False when ``draft`` is the frame with a blank ("…") to complete;
    ``reason`` then says why (for logs and the benchmark, never shown to the user)."""

    draft: str
    sure: bool
    reason: str = ""


#: An answer of fewer words is no sentence to paraphrase: the blank frame instead.
SHORT_ANSWER = 3
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")


def _wrong_script(text: str, lang: str) -> bool:
    """True when the answer is not written in the draft language's alphabet: Russian typed in Latin
    letters ("on govorit chto…") or Cyrillic in an English or Romanian draft. The rewrite knows words
    only in their own script, so it would wrap the answer unchanged in the frame."""
    if lang == "ru":
        return not _CYRILLIC.search(text) and bool(_LATIN.search(text))
    return bool(_CYRILLIC.search(text))


def draft_paraphrase(complaint: str, lang: str) -> Paraphrase:
    """The paraphrase of ``complaint`` (the user's step-1 answer, any case) for the client, in ``lang``
    (en/ru/ro; anything else is treated as en). Never raises; an empty or unsure rewrite gives the
    blank frame with ``sure=False``."""
    lang = lang if lang in ("en", "ru", "ro") else "en"
    core = " ".join(complaint.split()).strip(" .!?…")
    if core and not _wrong_script(core, lang) and word_count(core) < SHORT_ANSWER:
        return _blank(lang, "short")  # "yes", "money", "деньги": no sentence to say back
    said = to_client(complaint, lang)
    if not said.sure:
        return _blank(lang, said.reason)
    return Paraphrase(library().t("walk.paraphrase_frame", lang, core=said.draft), True)


def to_client(words: str, lang: str, addressed: bool = False) -> Paraphrase:
    """``words`` (what the user wrote about the client or the client's request, in the third person:
    "he wants five more fonts for free") turned to speak to the client ("you want five more fonts for
    free"), without any frame: for a draft that puts the user's description into a message to the client.

    Same rewrite as the step-2 paraphrase (openings stripped, pronouns and verbs turned to "you", Romanian
    diacritics restored, insults refused). ``draft`` is the clause (first letter lower-cased) when ``sure``;
    when unsure it is "" and ``reason`` says why, so the caller shows a blank and the user's own words
    instead of third-person words in a message to the client. A short answer with no client in it ("logo
    edits", "two fonts") is kept as it is. Never raises; ``lang`` other than en/ru/ro is treated as en.

    ``addressed``: the step asked for the words as the user would say them to the client (a plan, the goals,
    a record: content/flows.yaml ``addressed``), so they are the user's own: an ambiguous Romanian first-person
    singular ("îi trimit": I send him, or they send him) is the user's, and Russian text already speaking to
    the client ("вы хотите ..., а мы ...") is used as typed (after the same safety checks)."""
    lang = lang if lang in ("en", "ru", "ro") else "en"
    text = unicodedata.normalize("NFC", words).translate(_CEDILLA)
    core = " ".join(text.split()).strip(" .!?…")
    if not core:
        return _unsure("empty")
    if _wrong_script(core, lang):
        return _unsure("script")
    if word_count(core) < SHORT_ANSWER:  # a named thing ("logo edits", "два шрифта"): kept as it is
        if lang == "ro":
            core, unsettled_short = _ro_restore_diacritics(core)
            if unsettled_short:
                return _unsure("short")
        return _unsure("short") if client_third_person_left(core, lang) else Paraphrase(core, True)
    core = " ".join(_lexicon_re(lang, "swear_fillers").sub(" ", core).split())
    core = core if lang == "ro" else _respell(core, lang)  # Romanian: after its diacritics, which a respelling has
    if lang == "en":
        core = _en_kin_possessive(_en_sentences(_en_were(_en_drop_fillers(core))))
    unsettled: set[str] = set()
    typed_marks = bool(_RO_LETTERS_MARKED.search(core))
    if lang == "ro":
        core, unsettled = _ro_restore_diacritics(core)
        core = _ro_polite_pronouns(_ro_modern_spelling(_respell(core, lang)))
    if lang in ("ru", "en"):
        try:
            core = _ru_fix_typos(core) if lang == "ru" else _en_fix_typos(core)
        except _Unsure as exc:
            return _unsure(str(exc))
    if _QUOTED.search(core) or lang == "ro" and _ro_direct_speech(core):
        return _unsure("quoted words")
    if lang == "ro" and _RO_INNER_SAY.search(core):
        return _unsure("a second report inside")  # "... și zice că alții fac așa": why, or in addition  # the client's own "you"/"I": rewriting them would garble whose is whose
    core = _drop_insult_clause(core, lang) if lang != "ro" else _ro_drop_insult_sentences(_drop_insult_clause(core, lang))
    if _lexicon_re(lang, "insults").search(core) or _about_us_re(lang).search(core):
        return _unsure("insult")
    if _lexicon_re(lang, "slang").search(core):
        return _unsure("slang")  # "мы вас кинули": too crude to send, and no neutral verb means the same
    if len(core) > MAX_CHARS:
        return _unsure("long")
    if addressed and lang == "ru" and _ru_spoken_to_client(core):
        return Paraphrase(_lower_first(core.strip(" ,;:")), True)  # "вы хотите ..., а мы ...": as typed
    sentences = [x for x in re.split(r"(?<=[.!?…])\s+(?=\S)", core) if not _context_sentence(x, lang)
                 and not (lang == "ro" and _RO_MESSAGE_CAME.match(x.strip(" .!?…")))]
    if not sentences or len(sentences) > 4:
        return _unsure("long")
    try:
        if len(sentences) <= 2:
            if lang == "ro":  # "E foarte nervos. Zice că ...": the second sentence's own "says" opening goes too
                sentences = [_ro_drop_say_lead(x) if k else x for k, x in enumerate(sentences)]
            core = _rewrite_core(" ".join(sentences).rstrip(" .!?…"), lang, unsettled, typed_marks, addressed)
        else:  # "she ordered a shelf in March. we said six weeks. she says ..." -> "..., ... and ..."
            if lang == "ro":
                _ro_check_her_thing(" ".join(sentences), None)  # the thing may be named a sentence before
            cores = [_lower_first(_rewrite_core(x.strip(" .!?…"), lang, unsettled, typed_marks, addressed))
                     for x in sentences]
            last = cores[-1]
            if not re.match(rf"{_AND[lang]}\b", last, re.I):
                last = f"{_AND_WORD[lang]} {last}"
            core = ", ".join(cores[:-1]) + " " + last
    except _Unsure as exc:
        return _unsure(str(exc))
    if lang == "ru":
        core = _ru_comma_before_that(core)
    if lang == "ro":  # each sentence after the first opens with a capital: "... ieri. Acum nu mai ..."
        core = re.sub(r"(?<=[.!?…] )(\w)", lambda m: m.group(1).upper(), core)
    return Paraphrase(_lower_first(core.strip(" ,;:")), True)


def _rewrite_core(core: str, lang: str, unsettled: set[str], typed_marks: bool = False, own: bool = False) -> str:
    """One answer of at most two sentences, rewritten to speak to the client (the paraphrase without its
    frame); ``own``: the words are the user's own (see `to_client`'s ``addressed``). Raises `_Unsure` with
    the reason whenever the rewrite cannot be sure."""
    core = _strip_openers(core, lang)
    lead = _strip_lead(core, lang)
    core, led = _strip_openers(lead.core, lang), lead.led
    if not core:
        raise _Unsure("nothing after the opening")
    core = _strip_inner_lead(_client_subject_to_pronoun(core, lang), lang)
    if lang == "ro":  # "lasa": lasă or lăsa; the verb table would conjugate either and hide the doubt
        problem = _unsettled_left(core, {w for w in unsettled if w in _ro_verbs()})
        if problem:
            raise _Unsure(problem)
    if lead.dropped:
        core = _drop_second_that(core, lang)
    if lang == "ro":
        core = _rewrite_ro(core, led, lead.client, typed_marks, own)
    else:
        core = {"en": _rewrite_en, "ru": _rewrite_ru}[lang](core, led, lead.client)
    left = client_third_person_left(core, lang, own=own)
    problem = _leftover(core, lang) or _unsettled_left(core, unsettled) or (f"third person left: {left[0]}"
                                                                            if left else "")
    if problem:
        raise _Unsure(problem)
    return core.strip(" ,;:")


_AND_WORD = {"en": "and", "ru": "и", "ro": "și"}


def _lower_first(core: str) -> str:
    """The core with a lower-case first letter ("You want" -> "you want"), unless it is "I" or an acronym."""
    if core[:1].isupper() and not core[:2].isupper() and not re.match(r"I\b", core):
        return core[0].lower() + core[1:]
    return core


def _context_sentence(sentence: str, lang: str) -> bool:
    """Whether ``sentence`` only sets the scene ("the school director called me.", "clientul are un lanț de
    brutării."): it says who the client is or how they got in touch, not what they complain about, and the
    paraphrase leaves it out (the client knows who they are)."""
    text = sentence.strip(" .!?…")
    words = text.split()
    lexicon = _lexicon()[lang]
    ends = lexicon.get("context_end", [])
    if len(words) <= 6 and any(re.search(rf"(?<![\w-]){_phrase_re(p)}$", text, re.I) for p in ends):
        return True
    starts = lexicon.get("context_start", [])
    return any(re.match(rf"{_phrase_re(p)}(?![\w-])", text, re.I) for p in starts)


#: Two or more words in quotation marks: the client's own words ("he wrote 'you never listen'").
_QUOTED = re.compile(r"[«„“\"][^«»„“”\"]*\w\s+\w[^«»„“”\"]*[»”“\"]|(?<!\w)['‘][^'‘’]*\w\s+\w[^'‘’]*['’](?!\w)")


def _strip_openers(core: str, lang: str) -> str:
    """Drops the user's own preface ("so basically", "короче", "two things:"), twice: "so basically he says"."""
    for _ in range(2):
        core = re.sub(r"^" + _alternatives(lang, "openers") + r"(?![\w-])\s*[,:]?\s*", "", core, flags=re.I)
    return core


@cache
def _respellings(lang: str) -> dict[str, str]:
    """"typed" -> "written" from the lexicon's respell list ("doesnt doesn't", "should of should have")."""
    pairs = {}
    for row in _lexicon()[lang].get("respell", []):
        if " -> " in row:  # "nici o -> nicio": the two sides of different lengths
            typed, written = row.split(" -> ")
            pairs[" ".join(typed.split()).lower()] = written.strip()
            continue
        words = row.split()
        half = len(words) // 2
        pairs[" ".join(words[:half]).lower()] = " ".join(words[half:])
    return pairs


def _respell(core: str, lang: str) -> str:
    """Puts back what the user left out and the client would notice: "doesnt" -> "doesn't", "i" -> "I"."""
    pairs = _respellings(lang)
    if not pairs:
        return core
    pattern = re.compile(r"(?<![\w'’-])(?:" + "|".join(_phrase_re(p) for p in sorted(pairs, key=len, reverse=True))
                         + r")(?![\w'’-])", re.I)
    return pattern.sub(lambda m: _same_case(m.group(0), pairs[" ".join(m.group(0).lower().split())]), core)


_WE_ARE = {"en": r"(?:we\s+are|we're|we\s+were)", "ru": r"(?:мы)", "ro": r"(?:noi\s+)?(?:suntem|am\s+fost)"}
_AND = {"en": r"(?:and|but)", "ru": r"(?:и|а|но)", "ro": r"(?:și|si|dar|iar)"}
_THAT = {"en": r"(?:that\s+)?", "ru": r"(?:что\s+)?", "ro": r"(?:(?:că|ca)\s+)?"}


@cache
def _about_us_re(lang: str) -> re.Pattern[str]:
    """Words that insult only when said of us or our work ("we are useless", "our prices are a joke"; "the
    report is useless" is a complaint): after "we are" or "our/my ... is/are" a few words before."""
    words = _lexicon()[lang].get("insults_about_us", [])
    if not words:
        return re.compile(r"(?!x)x")
    alts = "(?:" + "|".join(_phrase_re(w) for w in sorted(words, key=len, reverse=True)) + ")"
    return re.compile(rf"(?<![\w-])(?:{_WE_ARE[lang]}|called\s+(?:us|me)|(?:our|my)\s+(?:[\w’'-]+\s+){{0,2}}?(?:is|are|was|were))\s+"
                      rf"(?:[\w’'-]+\s+){{0,2}}?{alts}(?![\w-])", re.I)


def _drop_insult_clause(core: str, lang: str) -> str:
    """Leaves out "we are idiots and" when the rest stands as its own clause ("he says we are idiots and
    the site is down" -> "he says the site is down"): the draft keeps the substance, never the insult. The
    rest must start with its own subject (a noun phrase), or the insult stays and the draft falls back."""
    insult = _alternatives(lang, "insults")
    if _lexicon()[lang].get("insults_about_us"):
        insult = f"(?:{insult}|{_alternatives(lang, 'insults_about_us')})"
    clause = re.compile(rf"(?<![\w-]){_WE_ARE[lang]}\s+(?:[\w’'-]+\s+){{0,3}}?{insult}(?![\w-])"
                        rf"(?:\s+[\w’'-]+){{0,2}}?\s*,?\s+{_AND[lang]}\s+{_THAT[lang]}(?=(?P<next>[\w’'-]+))", re.I)
    match = clause.search(core)
    if not match:
        return core
    if _starts_subject(match.group("next"), lang):
        return core[:match.start()] + core[match.end():]
    verb = match.group("next")
    if verb.lower() in ("not", "не", "nu", "mai"):  # "... and doesn't", "и не хочет", "și nu mai plătește"
        after = re.match(r"[\w’'-]+\s+(?:mai\s+)?([\w’'-]+)", core[match.end():])
        verb = after.group(1) if after else ""
    pronoun = _client_verb_pronoun(verb, lang) if verb else None
    if pronoun is None:
        return core
    # "he says we are useless and wants a refund": the verb after the insult is the client's own
    return core[:match.start()] + pronoun + core[match.end():]


def _client_verb_pronoun(word: str, lang: str) -> str | None:
    """The pronoun to put before ``word`` when it is a third-person verb only a person does, which opens
    the clause after an insult left out ("... and wants a refund" -> "he wants a refund"); "" when the
    language needs none (Romanian); None when ``word`` is no such verb."""
    low = word.lower()
    if lang == "en":
        return "he " if low.endswith("s") and _en_base(low) in _EN_PERSON_VERBS else None
    if lang == "ru":
        p = _ru_parse(low)
        if p.tag.POS == "VERB" and "plur" in p.tag and (p.tag.person == "1per" or "past" in p.tag):
            return "мы "  # "мы идиоты и поставили розетки не так": the verb after the insult is ours
        if p.tag.POS != "VERB" or p.tag.person == "1per":
            return None
        if "plur" in p.tag:
            return "они "
        return "она " if p.tag.gender == "femn" else "он "
    verb = _ro_verbs().get(_fold_ro(low))
    return "" if verb is not None and not verb.weak else None


def _starts_subject(word: str, lang: str) -> bool:
    """Whether ``word`` can open a clause's own subject: an article or possessive, or a noun in the
    nominative (Russian) or with the definite article (Romanian)."""
    low = word.lower()
    if lang == "en":
        return low in {"the", "our", "my", "a", "an", "it", "this", "nothing", "your", "their", "his", "her",
                       "we", "i", "he", "she", "they"}
    if lang == "ru":
        return any(q.tag.POS == "NOUN" and q.tag.case == "nomn" for q in morph().parse(low.replace("ё", "е")))
    return bool(re.search(r"(?:ul|-ul|ele|le|ii|a)$", _fold_ro(low))) and _fold_ro(low) not in _RO_NP_STOP


def _blank(lang: str, reason: str) -> Paraphrase:
    return Paraphrase(library().t("walk.paraphrase_blank", lang), False, reason)


def _unsure(reason: str) -> Paraphrase:
    return Paraphrase("", False, reason)


class _Unsure(Exception):
    """The rewrite met something it cannot place; the message says what."""


# -- word lists ---------------------------------------------------------------------------------


@cache
def _lexicon() -> dict[str, dict[str, list[str]]]:
    text = (resources.files("content") / "paraphrase" / "lexicon.yaml").read_text(encoding="utf-8")
    data: dict[str, dict[str, list[str]]] = yaml.safe_load(text)
    return data


@cache
def _phrase_re(phrase: str) -> str:
    words = [re.escape(w).replace(r"\*", r"[\w-]*") for w in phrase.split()]
    return r"\s+".join(words)


@cache
def _alternatives(lang: str, key: str) -> str:
    phrases = sorted(_lexicon()[lang][key], key=len, reverse=True)
    return "(?:" + "|".join(_phrase_re(p) for p in phrases) + ")"


@cache
def _lexicon_re(lang: str, key: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + _alternatives(lang, key) + r"(?![\w-])", re.I)


@cache
def _lead_re(lang: str) -> re.Pattern[str]:
    """A reporting opening at the start: optional subject and adverbs, then a say, stance or feel
    predicate (named groups ``subj``, ``say``, ``stance``, ``feel`` and ``conn`` for the connector)."""
    subj, adv = _alternatives(lang, "subjects"), _alternatives(lang, "adverbs")
    say, feel, conn = _alternatives(lang, "say"), _alternatives(lang, "feel"), _alternatives(lang, "connectors")
    if lang == "ro":  # "e foarte supărată că": degree words after the copula too
        feel = _ro_feel_with_adverbs()
    stance = _alternatives(lang, "stance")
    end = r"(?![\w-])"
    if _lexicon()[lang].get("bare_before"):  # English may drop "that": "he's angry we didn't call"
        conn = rf"(?:{conn}{end}|(?=\s*{_alternatives(lang, 'bare_before')}{end}))"
    else:
        conn = rf"{conn}{end}"
    return re.compile(
        rf"^(?P<subj>{subj}{end}\s*,?\s+)?(?:{adv}{end}\s+)*(?:(?P<say>{say}){end}(?:\s*[,:]?\s*{conn})?|"
        rf"(?P<stance>{stance}){end}(?P<sconn>\s*[,:]?\s*{conn})?|"
        rf"(?P<feel>{feel}){end}(?:(?P<conn>\s*[,:]?\s*{conn})|\s*[,:—–]\s*))\s*[,:]?\s*", re.I)


@cache
def _ro_feel_with_adverbs() -> str:
    """The Romanian feel predicates as one alternation, with degree words allowed after the copula ("e foarte
    supărată", "este tare nemulțumit"): Romanian puts them there, the lexicon lists the bare forms."""
    adv = _alternatives("ro", "adverbs")
    phrases = []
    for phrase in sorted(_lexicon()["ro"]["feel"], key=len, reverse=True):
        first, _, rest = phrase.partition(" ")
        if first in ("e", "este", "sunt") and rest:
            phrases.append(rf"{_phrase_re(first)}(?:\s+{adv}(?![\w-]))*\s+{_phrase_re(rest)}")
        else:
            phrases.append(_phrase_re(phrase))
    return "(?:" + "|".join(phrases) + ")"


_RO_TITLED = re.compile(r"^(?P<title>(?i:domnul|doamna|dl\.?|dna\.?|d-l|d-na))\s+[A-ZĂÂÎȘȚ][\w-]+(?:\s+[A-ZĂÂÎȘȚ][\w-]+)?(?=\s)")
_RO_NAMED = re.compile(r"^(?P<name>[A-ZĂÂÎȘȚ][a-zăâîșț]+)(?:\s+[A-ZĂÂÎȘȚ][a-zăâîșț]+)?(?=\s+\S)")


def _ro_drop_insult_sentences(core: str) -> str:
    """``core`` without its sentences that only call us names ("Zice că suntem niște amatori. Panoul s-a
    desprins ..." -> "Panoul s-a desprins ..."): the substance stays, the insult is never echoed. A sentence
    with anything else in it stays (and the draft falls back on the insult); so does a lone insult."""
    sentences = re.split(r"(?<=[.!?…])\s+(?=\S)", core)
    if len(sentences) < 2:
        return core
    insult = re.compile(rf"^(?:și\s+|si\s+)?(?:(?:că|ca)\s+)?(?:noi\s+)?(?:suntem|am\s+fost)\s+(?:[\w-]+\s+){{0,2}}?"
                        rf"{_alternatives('ro', 'insults')}(?![\w-])[\s.!?…]*$", re.I)
    kept = [x for x in sentences if not insult.match(_ro_drop_say_lead(x).strip())]
    return " ".join(kept) if kept else core


@cache
def _ro_say_subject_re() -> re.Pattern[str]:
    """A reporting verb with its subject after it ("ne-a scris clienta că", "zice clientul că")."""
    return re.compile(rf"^(?P<say>{_alternatives('ro', 'say')})\s+(?P<subj>{_alternatives('ro', 'subjects')})"
                      r"(?=\s*,?\s+(?:că|ca)(?![\w-]))", re.I)


def _ro_subject_first(core: str) -> str:
    """"ne-a scris clienta că ..." -> "clienta ne-a scris că ...": Romanian may put the subject after the
    reporting verb; the lead patterns expect it before."""
    match = _ro_say_subject_re().match(core)
    if not match:
        return core
    return f"{match.group('subj')} {match.group('say')}{core[match.end():]}"


def _ro_drop_say_lead(sentence: str) -> str:
    """``sentence`` without a "says" opening it starts with ("Zice că v-am dat ..." -> "v-am dat ..."); a
    feeling or belief stays (it is the client's view), and so does a sentence that is nothing but the opening."""
    match = _lead_re("ro").match(sentence)
    if match and match.group("say") and match.group(0).strip() and sentence[match.end():].strip():
        return sentence[match.end():]
    return sentence


def _ro_direct_speech(core: str) -> bool:
    """Whether a reporting verb opens the client's own words after a colon ("clientul a zis: nu mai lucrez cu
    voi"): their "I" and "you" would be ours to turn, and the draft cannot tell whose is whose."""
    return bool(re.match(rf"^(?:[\w-]+\s+){{0,4}}?{_alternatives('ro', 'say')}\s*:\s*\S", core, re.I)) and \
        not re.match(rf"^(?:[\w-]+\s+){{0,4}}?{_alternatives('ro', 'say')}\s+{_alternatives('ro', 'openers')}\s*:",
                     core, re.I)


def _ro_name_to_subject(core: str) -> str:
    """A person named at the start of a Romanian report, as the client's subject word: "doamna Popescu e
    supărată" -> "doamna e supărată", "Ivan zice că" -> "clientul zice că" ("clienta" for a name in -a, as
    Romanian women's names end). The lead patterns then strip or keep the opening as for "clientul". A
    capitalised first word that is no name (a verb, a subject pronoun, a word of the lexicon) is left."""
    titled = _RO_TITLED.match(core)
    if titled:
        title = "doamna" if titled.group("title").lower().startswith("d") and "n" in titled.group("title").lower() \
            else "domnul"
        return _same_case(titled.group("title"), title) + core[titled.end():]
    named = _RO_NAMED.match(core)
    if not named:
        return core
    fold = _fold_ro(named.group("name").lower())
    known = fold in _RO_NP_STOP or fold in _ro_verbs() or fold in _ro_diacritics() or fold in _ro_people() or \
        fold in _RO_CLAUSE or fold in _RO_COORD
    rest = core[named.end():]
    if known or not _lead_re("ro").match(rest.lstrip()):
        return core
    return ("clienta" if fold.endswith("a") else "clientul") + rest


@dataclass(frozen=True)
class _Lead:
    """What the opening told: the core left to rewrite, whether an opening was there (``led``: a bare
    verb at the start is then the client's), and the client's number or gender when the opening shows it
    ("sg", "pl", "m", "f"; None when unknown): it says whether a later "them"/"его" can be the client."""

    core: str
    led: bool
    client: str | None
    dropped: bool = False  # a "says" opening went and none was kept: a second "that"/"что" hangs on nothing


_EN_NP_STOP = {"we", "i", "you", "it", "he", "she", "they", "is", "are", "was", "were", "and", "that", "who", "which",
               "not", "also", "but", "so", "if", "because", "when", "nobody", "everyone", "someone", "there", "this",
               "these", "those", "then", "now", "still", "just", "really", "has", "have", "had", "did", "does", "do"}
_EN_NP_NOT_FIRST = {"our", "my", "his", "her", "their", "your", "its", "whose", "some", "any", "no", "every"}
_RO_NP_STOP = {"că", "ca", "și", "si", "nu", "noi", "am", "ne", "el", "ea", "ei", "ele", "eu", "mi", "îmi", "imi",
               "dar", "iar", "se", "s-a", "a", "au", "e", "este", "sunt", "mai", "tot"}


def _np_subject(words: list[str], lang: str) -> bool:
    """Whether ``words`` (1-4 words before a reporting predicate) read as a noun phrase naming one person,
    who is then the client: "the hotel manager", "директор школы", "administratoarea hotelului". Our own
    people ("our developer", "наш менеджер", "colegul meu") are not."""
    low = [w.lower() for w in words]
    if lang == "en":
        if low[0] in ("her", "his", "their") and 2 <= len(low) <= 3 and not any(w in _EN_NP_STOP for w in low[1:]):
            return True  # "her manager emailed saying", "their marketing lead says": the client's side writes
        if low[0] in _EN_NP_NOT_FIRST or any(w in _EN_NP_STOP for w in low):
            return False
        if "of" in low:  # "the boss of the client", "the mother of my student": one of the client's side
            k = low.index("of")
            return low[0] in ("the", "a", "an") and 2 <= k <= 3 and 2 <= len(low) - k <= 3 and \
                not _lexicon_re("en", "client_words").search(" ".join(low[:k]))  # "the client of our agency": no
        at = next((k for k, w in enumerate(low) if w in ("at", "from", "in", "on")), -1)
        if 1 <= at <= 2 and len(low) - at <= 4:  # "the man at the corner house", "bloke at the school": a place added
            return True
        return (low[0] in ("the", "a", "an") and len(low) <= 4) or len(low) <= 2
    if lang == "ru":
        return _ru_np_subject(words)
    folded = [_fold_ro(w) for w in low]
    if folded[:2] == ["de", "la"] or folded[:3] in (["cei", "de", "la"], ["cele", "de", "la"]):
        return 3 <= len(folded) <= 6  # "de la primărie zic", "cei de la hotel spun": the people there
    if any(w in _RO_NP_STOP for w in folded) or any(w in _lexicon()["ro"].get("ours", []) for w in low):
        return False
    return bool(re.search(r"(?:ul|a|le|ii)$", folded[0])) and len(folded[0]) > 3


def _client_of(lang: str, subject: str, predicate: str) -> str | None:
    """The client's number or gender from the opening's subject and predicate (see `_Lead`)."""
    words = f"{subject} {predicate}".lower().split()
    if lang == "en":
        if any(w in ("they", "they're", "are", "were", "their") for w in words[:3]):
            return "pl"
        subj = subject.lower().replace("’", "'").split()
        cut = next((k for k, w in enumerate(subj) if w in ("of", "at", "from", "in", "on")), len(subj))
        head = subj[cut - 1] if cut else ""  # "the manager of the gym": the manager
        if subj and (subj[0] in ("her", "his") or "client's" in subj or head in _EN_GROUPS):
            return "pl"  # "body corp wrote", "her manager emailed", "school said": the client's side speaks as "they"
        return "sg" if words else None
    if lang == "ru":
        if words and words[0] in ("в", "во", "на"):  # "в кафе на Малышева недовольны": only the predicate tells
            words = predicate.lower().split()
        for word in words:
            if word in ("они",):
                return "pl"
            if word in ("он", "она"):
                return "m" if word == "он" else "f"
            p = _ru_parse(word)
            if p.tag.POS in ("NOUN", "VERB", "ADJS", "PRTS", "ADJF") and p.tag.number == "plur":
                return "pl"
            if p.tag.gender in ("masc", "femn") and p.tag.POS in ("NOUN", "VERB", "ADJS", "PRTS"):
                return "m" if p.tag.gender == "masc" else "f"
        return None
    folded = [_fold_ro(w) for w in words]
    if any(w in ("ei", "ele", "clientii", "sunt", "zic", "spun", "au", "cei", "cele", "s-au", "ne-au", "mi-au")
           for w in folded) or \
            any(w.endswith(("ti", "ii")) and len(w) > 5 for w in folded[-1:]):
        return "pl"
    if any(w == "ea" or (w.endswith("a") and len(w) > 4 and w not in ("zica", "spuna")) for w in folded[:1]) or \
            any(re.search(r"(?:ata|ita|uta|oasa)$", w) for w in folded[1:]):
        return "f"
    if folded[:1] and (folded[0] == "el" or folded[0].endswith("ul")) or \
            folded[:1] in (["e"], ["este"]) and any(re.search(r"(?:at|it|ut|os)$", w) and len(w) > 4
                                                   for w in folded[1:]):
        return "m"  # "el", "clientul", "e supărat" (not "s-a supărat": the participle there never agrees)
    return None


def _strip_lead(core: str, lang: str) -> _Lead:
    """Removes up to two reporting openings ("he says that", "клиент говорит, что"). A feeling or a
    belief ("she is upset that", "они думают, что") is the client's and stays, its subject put as the
    pronoun the rewrite turns into "you"; a short noun phrase before an opening is the client."""
    led, client = False, None
    if lang == "ro":
        core = _ro_subject_first(_ro_name_to_subject(core))
    colon = re.match(r"^(" + _alternatives(lang, "subjects") + r")\s*:\s*", core, re.I)
    if colon:  # "client: the logo is pixelated": the user quotes the complaint after a colon
        return _Lead(core[colon.end():], True, _client_of(lang, colon.group(1), ""), True)
    for _ in range(2):
        match, np = _lead_re(lang).match(core), ""
        if not match or not match.group(0).strip():
            for k in range(1, 7):
                head = re.match(rf"^((?:[^\W\d_][\w’'-]*\s+){{{k}}})", core)
                if not head:
                    break
                after = _lead_re(lang).match(core[head.end():])
                if after and after.group(0).strip() and not after.group("subj") and \
                        _np_subject(head.group(1).split(), lang):
                    match, np = after, head.group(1)
                    break
            else:
                match = None
            if not np:
                break
        assert match is not None
        subject = np or match.group("subj") or ""
        predicate = match.group("say") or match.group("stance") or match.group("feel") or ""
        client = client or _client_of(lang, subject, predicate)
        rest = core[len(np) + match.end():]
        keep = match.group("stance") is not None or (match.group("feel") is not None and match.group("conn"))
        if keep:
            subj = subject.strip(" ,")
            if np or not subj or _lexicon_re(lang, "client_words").search(subj) or \
                    not re.match(r"^(?:he|she|they|он|она|они|el|ea|ei|ele)\b", subj, re.I):
                subj = {"f": "она", "pl": "они"}.get(client or "", "он") if lang == "ru" else \
                    "they" if lang == "en" and client == "pl" else _PRONOUN[lang]
            kept = core[len(np) + (match.end("subj") if match.group("subj") else 0):len(np) + match.end()].strip()
            if lang == "ru" and "," not in kept:  # the comma Russian puts before "что" ("вы недовольны, что ...")
                kept = re.sub(r"(?<=[^\s,])\s+(?=(?:что|потому что|так как|чтобы)$)", ", ", kept, count=1)
            return _Lead(f"{subj} {kept} {rest}".strip() if rest else "", True, client)
        core, led = rest, True
        if match.group("say"):
            break  # what follows "he says (that)" is the complaint: "the contract says ..." is in it
    return _Lead(core, led, client, led)


_OTHER_CLIENT = {"another", "other", "другого", "другому", "другим", "другой", "alt", "altui", "unui", "un", "new",
                 "одного", "одному", "каждого", "каждому", "нового", "любого"}
_PRONOUN = {"en": "he", "ru": "он", "ro": "el"}


def _client_subject_to_pronoun(core: str, lang: str) -> str:
    """"the client wants a refund" -> "he wants a refund", which the rewrite then turns to "you want"; the
    client's possessive becomes the pronoun's ("the client's wife" -> "his wife", "soției clientului" ->
    "soției lui"), which the rewrite turns to "your wife", "soției dumneavoastră"."""
    if lang == "en" and not _lexicon_re("en", "say").search(core):  # "the clients boss called and said ...": the boss reports
        core = re.sub(r"(?<![\w'’-])(?:the|my|our)\s+(?:client|customer)(?:['’]s|s(?=\s+" + _alternatives("en", "third_parties")
                      + r"(?![\w-])))(?![\w-])", "his", core, flags=re.I)  # "the clients wife": the apostrophe left out
    elif lang == "ro":
        # not at the start: "șeful clientului vrea ..." names the client with more words than "you" (falls back)
        def possessive(match: re.Match[str]) -> str:
            if len(core[:match.start()].split()) < 2:
                return match.group(0)
            return "lui" if match.group(0).lower().endswith("ului") else "ei"
        core = re.sub(r"(?<=\w\s)(?:clientului|beneficiarului|clientei|beneficiarei)(?![\w-])", possessive, core,
                      flags=re.I)
    if lang == "ru":
        core = _ru_role_to_pronoun(core)
    subject = re.match(r"^" + _alternatives(lang, "subjects") + r"(?![\w-])\s+(?=\w)", core, re.I)
    if subject and subject.group(0).strip().lower() not in ("he", "she", "they", "он", "она", "они", "el", "ea", "ei",
                                                               "ele", "he's", "she's", "they're"):
        if not re.search(r"\b(?:is|are|was|were)$", subject.group(0).strip(), re.I):
            pronoun = _PRONOUN[lang]
            if lang in ("ru", "ro"):  # "клиентка" -> "она": a later "её" may be her, "его" is then a thing
                gender = _client_of(lang, subject.group(0), "")
                pronoun = {"f": "она", "pl": "они"}.get(gender or "", "он") if lang == "ru" else \
                    {"f": "ea", "pl": "ei"}.get(gender or "", "el")
            return f"{pronoun} {core[subject.end():]}"
    return core


def _could_be(third: set[str], pronoun: str) -> bool:
    """Whether a pronoun of kind ``pronoun`` ("sg-m", "sg-f", "sg" for either gender, "pl", "" unknown) can
    point at one of the third parties named (kinds as `_en_person_kind` gives): "his" after "the wife"
    cannot, so it is the client's; "her" after "the daughter" can, and the draft falls back."""
    if not third:
        return False
    if not pronoun:
        return True
    for kind in third:
        if kind == "any" or kind == pronoun:
            return True
        if pronoun == "sg" and kind.startswith("sg") or kind == "sg" and pronoun.startswith("sg"):
            return True
    return False


_EN_FEMALE = {"wife", "mother", "daughter", "girlfriend", "sister", "mom", "mum", "aunt", "grandmother"}
_EN_MALE = {"husband", "son", "father", "boyfriend", "brother", "dad", "uncle", "grandfather"}


def _en_person_kind(word: str) -> str:
    """The number and gender a third party's noun shows: "wife" -> "sg-f", "customers" -> "pl", "team" ->
    "any" (a group is spoken of as "it" or "they"), "boss" -> "sg"."""
    if word in ("team", "staff"):
        return "any"
    if word.endswith("s") and not word.endswith("ss"):
        return "pl"
    return "sg-f" if word in _EN_FEMALE else "sg-m" if word in _EN_MALE else "sg"


def _en_person_kind_of_pronoun(word: str) -> str:
    if word.startswith(("he", "him", "his")) and not word.startswith("her"):
        return "sg-m"
    if word.startswith(("she", "her")):
        return "sg-f"
    return "pl"


_RU_KIND = {"m": "sg-m", "f": "sg-f", "pl": "pl"}


def _ro_person_kind(fold: str) -> str:
    """A Romanian third party's number and gender from its article: "soția" -> "sg-f", "șeful" -> "sg-m",
    "colegii" -> "pl"; "echipa" -> "any"."""
    if fold.startswith("echip"):
        return "any"
    if fold.endswith(("ii", "ilor", "ele", "elor")):
        return "pl"
    if fold.endswith(("ul", "ului")):
        return "sg-m"
    if fold.endswith(("a", "ei")):
        return "sg-f"
    return "sg"


def _ro_pronoun_kind(fold: str) -> str:
    """What a Romanian pronoun or clitic can point at: "el"/"îl"/"l-"/"lui" him, "ea"/"o"/"-o" her, "îi"/"i-"
    either (to him or her), "ei" her or them, "lor"/"le"/"ele"/"li" them."""
    if fold in ("el", "il", "lui") or fold.startswith("l-") or fold == "nu-l":
        return "sg-m"
    if fold in ("ea", "o", "s-o") or fold.endswith("-o"):
        return "sg-f"
    if fold in ("ii", "nu-i") or fold.startswith("i-"):
        return "sg"
    if fold == "ei":
        return ""
    return "pl"


def _third_party(tokens: list[str], i: int, lang: str) -> bool:
    """Whether the word at ``i`` names someone other than the client who is not one of ours."""
    if not _third_re(lang).fullmatch(tokens[i].lower()):
        return False
    near = [t.lower() for t in (*tokens[max(0, i - 3):i], *tokens[i + 1:i + 4]) if _is_word(t)]
    ours = set(_lexicon()[lang].get("ours", []))
    return not ours & set(near[-2:] if i < 3 else near[:4])


@cache
def _inner_lead_re(lang: str) -> re.Pattern[str]:
    """An opening after a comma or "and": "недоволен дизайном, говорит, что ..."."""
    lead = _lead_re(lang).pattern.lstrip("^")
    return re.compile(r"(?:^|[,;:]\s*|(?<![\w-])(?:and|и|а|și|si|iar)\s+)" + lead, re.I)


def _strip_inner_lead(core: str, lang: str) -> str:
    """Drops a second opening without its own subject ("вы недовольны дизайном, говорит, что это не то")."""
    inner = re.compile(r"(?<=[,;:])\s*(?:" + _alternatives(lang, "say") + r")(?![\w-])\s*[,:]?\s*(?P<conn>"
                       + _alternatives(lang, "connectors") + r"(?![\w-])\s*)?(?=(?P<next>[\w’'-]+))", re.I)

    def drop(match: re.Match[str]) -> str:
        # without "that", only before a clause with its own subject: ", said the prices are wrong"
        return " " if match.group("conn") or _starts_subject(match.group("next"), lang) else match.group(0)
    after_and = re.compile(r"(?<![\w-])(?P<and>" + _AND[lang] + r")\s+(?:" + _alternatives(lang, "say") + r")(?![\w-])\s*[,:]?\s*(?P<conn>"
                           + _alternatives(lang, "connectors") + r"(?![\w-])\s*)?(?=(?P<next>[\w’'-]+))", re.I)

    def drop_after_and(match: re.Match[str]) -> str:  # "he booked a session and says the result is uneven"
        keep = match.group("conn") or _starts_subject(match.group("next"), lang)
        return match.group("and") + " " if keep else match.group(0)
    return after_and.sub(drop_after_and, inner.sub(drop, core))


def _leftover(core: str, lang: str) -> str:
    """Why the rewritten core cannot be sent: an opening left inside it, or the client named."""
    if any(m.group("say") for m in _inner_lead_re(lang).finditer(core)):
        return "opening left inside"
    if lang == "en" and re.search(r"(?<![\w-])(?:the|my|our)\s+(?:client|customer)s\s+" + _alternatives("en", "third_parties")
                                  + r"(?![\w-])", core, re.I):
        return "the client named"  # "the clients boss": the client's, the apostrophe left out
    for named in _lexicon_re(lang, "client_words").finditer(core):
        before = core[:named.start()].split()[-1:]
        if not (before and before[0].lower() in _OTHER_CLIENT):
            return "the client named"
    return ""


_SECOND_THAT = {"en": re.compile(r"(?<![\w'’-])(?:and|but)\s+(?P<that>that\s+)(?=(?P<next>[\w’'-]+))", re.I),
               "ru": re.compile(r"(?<![\w-])(?:и|а|но)\s+(?P<that>что\s+)(?=(?P<next>[\w-]+))", re.I)}


def _drop_second_that(core: str, lang: str) -> str:
    """Drops the "that"/"что" of "and that ..." when the "says" opening it hung on went ("he says the site is
    slow and that we ignored her" -> "the site is slow and we ignored her"): without the opening it has
    nothing to hang on. Only before a clause with its own subject; before anything else ("and that wants
    a refund", "и что не будет платить") whose the clause is cannot be shown: `_Unsure`. Romanian drops
    its "și că" in `_rewrite_ro`."""
    pattern = _SECOND_THAT.get(lang)
    if pattern is None:
        return core
    for match in reversed(list(pattern.finditer(core))):
        nxt = match.group("next")
        if lang == "en":
            own = _starts_subject(nxt, "en") or nxt.lower() in ("nobody", "no", "everyone", "someone", "there")
        else:
            own = any(q.tag.POS in ("NOUN", "NPRO") and q.tag.case == "nomn" and q.score >= 0.1
                      for q in morph().parse(nxt.lower().replace("ё", "е")))
        if not own:
            raise _Unsure(f"{match.group(0).strip()!r}: a second clause without its own subject")
        core = core[:match.start("that")] + core[match.end("that"):]
    return core


def _fold_ro(text: str) -> str:
    """Lower case without diacritics (ș, ă, â, î -> s, a, a, i): users often type Romanian without them."""
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _is_word(token: str) -> bool:
    return bool(token) and (token[0].isalpha())


def _same_case(old: str, new: str) -> str:
    return new[:1].upper() + new[1:] if old[:1].isupper() else new


def _third_re(lang: str) -> re.Pattern[str]:
    return _lexicon_re(lang, "third_parties")


# -- English ------------------------------------------------------------------------------------

_EN_ADVERBS = {"also", "really", "still", "just", "never", "always", "even", "now", "already", "constantly",
               "basically", "literally", "only", "apparently", "suddenly", "actually", "probably", "definitely",
               "not", "no", "longer", "anymore", "totally", "simply"}
_EN_IRREGULAR = {"doesn't": "don't", "does": "do", "hasn't": "haven't", "isn't": "aren't", "wasn't": "weren't",
                 "was": "were", "has": "have", "is": "are", "says": "say", "doesnt": "dont", "hasnt": "havent",
                 "isnt": "arent", "wasnt": "werent", "am": "are", "goes": "go"}
_EN_SUBJECTS_OTHER = {"we", "i", "it", "nobody", "everyone", "everybody", "someone", "somebody", "nothing",
                      "everything", "this", "that", "there", "which", "who", "no", "one", "none", "our", "my",
                      "the", "a", "an"}
_EN_HER_OBJECT = {"back", "up", "down", "out", "off", "over", "about", "to", "for", "with", "on", "in", "at", "that",
                  "and", "but", "or", "anymore", "again", "yet", "since", "because", "a", "an", "the", "any", "some",
                  "our", "my", "nothing", "everything", "anything", "twice", "once", "today", "yesterday", "last",
                  "every", "first", "right", "before", "after", "when", "if", "so", "by", "from", "into", "what",
                  "how", "why", "all", "this", "these", "those", "more", "less", "too", "either", "properly",
                  "until", "till", "as", "than", "no", "without", "we", "i", "it", "her", "him", "them",
                  "late", "early", "instead", "directly", "personally", "wrong"}
#: After "last"/"first"/"next" these make "her" a possessive: "her last two orders", "her first invoice".
_EN_COUNTED = {"two", "three", "four", "five", "six", "few", "several", "couple", "order", "orders", "invoice",
               "invoices", "message", "messages", "email", "emails", "payment", "payments", "project", "booking",
               "appointment", "session", "visit", "delivery", "post", "posts"}
#: Words in -ly that are no adverb: "her family", "her weekly report" are hers.
_EN_LY_NOT_ADVERB = {"family", "supply", "reply", "assembly", "daily", "weekly", "monthly", "yearly", "only", "lovely",
                     "friendly", "elderly", "ugly", "silly", "jelly", "belly", "ally", "rally", "holy", "curly",
                     "lonely", "costly", "timely", "deadly", "orderly", "early", "italy", "lily", "emily", "kelly",
                     "molly", "sally", "beverly", "anomaly", "butterfly", "bully", "homely", "likely", "nightly"}
_EN_GIVE_STEMS = ("give", "gave", "given", "send", "sent", "tell", "told", "show", "offer", "promise", "owe",
                  "charge", "ask", "email", "pay", "paid", "leave", "left", "bring", "brought", "get", "got", "make",
                  "made", "wish", "buy", "bought", "call", "let", "sell", "sold", "text", "bill", "hand", "mail",
                  "lend", "lent", "teach", "taught", "remind", "refund", "grant", "deny", "denied", "cost")
#: Verbs with two objects: the "her" right after them is the person ("gave her green", "sending her
#: reminders"), not "her green"; every form of the verb (send, sends, sending, sent).
_EN_GIVE = {*_EN_GIVE_STEMS, *(v + "s" for v in _EN_GIVE_STEMS), *(v + "ed" for v in _EN_GIVE_STEMS),
            *(v + "d" for v in _EN_GIVE_STEMS), *(v + "ing" for v in _EN_GIVE_STEMS),
            *(v[:-1] + "ing" for v in _EN_GIVE_STEMS if v.endswith("e")), "denies", "getting", "letting",
            "denying"}
_EN_MODALS = {"won't", "wont", "can't", "cant", "didn't", "didnt", "will", "would", "wants", "needs", "keeps",
              "refuses", "demands", "threatens", "expects", "insists", "asks", "says", "thinks", "believes", "feels",
              "doesn't", "doesnt", "isn't", "wasn't", "hasn't", "is", "was", "has", "plans", "calls", "writes",
              "sends", "blames", "accuses", "hates", "likes", "loves", "pays", "complains", "claims", "goes",
              "tries", "hopes", "threatened", "refused", "demanded", "asked", "said", "wanted", "expected",
              "decided", "decides", "cancelled", "canceled", "cancels", "wouldn't", "shouldn't", "couldn't",
              "can", "could", "should", "may", "might", "must", "does", "did", "never", "also", "now",
              "considers", "regrets", "seems", "looks", "sounds", "gets", "got", "mentioned", "added",
              "adds", "requests", "requested", "wishes", "prefers"}

_EN_BASE_VERBS = {"want", "need", "refuse", "demand", "threaten", "expect", "insist", "ask", "say", "think", "don't",
                  "dont", "keep", "plan", "blame", "hate", "pay", "complain", "claim", "hope", "wish", "prefer",
                  "believe", "feel", "aren't", "weren't", "haven't", "are", "were", "have", "do", "won't"}


#: Third-person plural forms: with a client who is one person they are things or others.
_EN_THEY = {"they", "them", "their", "theirs", "themselves", "they're", "they'd", "they'll", "they've"}
_EN_SUBORDINATORS = {"because", "since", "as", "when", "if", "so", "until", "unless", "although", "though", "that",
                     "cause", "coz", "cos", "after", "before", "while"}
_EN_DETERMINERS = {"the", "these", "those", "our", "my", "some", "all", "both", "two", "three", "few", "many", "new",
                   "old", "his", "her", "their"}


#: Verbs only a person does: after "and" with a thing as the subject before ("the site is slow and
#: wants ..."), such a verb is the client's; any other ("and has a cut") stays the thing's.
_EN_PERSON_VERBS = {"want", "need", "demand", "refuse", "threaten", "expect", "insist", "ask", "say", "think",
                    "believe", "feel", "plan", "blame", "accuse", "hate", "like", "love", "pay", "complain", "claim",
                    "hope", "wish", "prefer", "request", "decide", "cancel", "regret", "consider", "accept", "trust",
                    "agree", "intend", "mention", "add", "call", "write", "send", "try", "refused", "demanded",
                    "asked", "said", "wanted", "expected", "decided", "threatened", "cancelled", "canceled", "paid",
                    "called", "wrote", "sent", "tried", "mentioned", "added", "requested", "complained", "claimed",
                    "blamed", "accused", "hated", "liked", "loved", "hoped", "wished", "preferred", "regretted",
                    "considered", "accepted", "trusted", "agreed", "intended", "planned", "needed"}
_EN_AUX = {"doesn't", "doesnt", "don't", "dont", "didn't", "didnt", "won't", "wont", "can't", "cant", "will", "would",
           "wouldn't", "could", "couldn't", "should", "shouldn't", "may", "might", "must", "never", "also", "now",
           "still", "does", "did", "can", "keeps", "just", "really"}


def _en_person_verb(low: str, nxt_low: str) -> bool:
    """Whether the verb ``low`` (with the next word ``nxt_low`` after an auxiliary: "doesn't want") is
    one only a person does (see `_EN_PERSON_VERBS`)."""
    if low in _EN_AUX:
        return _en_base(nxt_low).lower() in _EN_PERSON_VERBS or nxt_low in _EN_PERSON_VERBS
    return _en_base(low).lower() in _EN_PERSON_VERBS or low in _EN_PERSON_VERBS


def _en_base(verb: str) -> str:
    """The form after "you": "feels" -> "feel", "is" -> "are", "doesn't" -> "don't"."""
    low = verb.lower().replace("’", "'")
    if low in _EN_IRREGULAR:
        return _same_case(verb, _EN_IRREGULAR[low])
    if low.endswith("ies") and len(low) > 4:
        return verb[:-3] + "y"
    if low.endswith(("ches", "shes", "sses", "xes", "zes", "oes")):
        return verb[:-2]
    if low.endswith("s") and not low.endswith(("ss", "us", "is", "ys")) and len(low) > 2:
        return verb[:-1]
    return verb


def _next_word(tokens: list[str], i: int) -> int:
    """Index of the next word token after ``i`` (skipping spaces), or -1 at a boundary or the end."""
    j = i + 1
    while j < len(tokens) and tokens[j].isspace():
        j += 1
    return j if j < len(tokens) and _is_word(tokens[j]) else -1


def _rewrite_en(core: str, led: bool, client: str | None = None) -> str:
    tokens = _tokens(core)
    third: set[str] = set()  # number and gender of the third parties named so far ("sg", "pl", "sg-f", ...)
    subject: str | None = None  # "client", "other" or None (not seen in this clause)
    agree = False  # the next verb follows a "you" that was a "he/she"
    after_and = False
    last_subject = ""  # the last subject word that is not the client ("we", "it", ...)
    prev_low = ""
    plural_thing = False  # a plural noun was named after the client: a "they" may be it
    mixed = False  # someone or something else was named after the client's verb
    for i, tok in enumerate(tokens):
        if not _is_word(tok):
            if tok.strip() in _BOUNDARY:
                agree = False
            continue
        low = tok.lower().replace("’", "'")
        nxt = _next_word(tokens, i)
        nxt_low = tokens[nxt].lower() if nxt >= 0 else ""
        before_low, prev_low = prev_low, low
        if before_low in _EN_DETERMINERS and low.endswith("s") and not low.endswith("ss") and subject is not None:
            plural_thing = True  # "the files", "these chairs": a later "they" may be them
        if _third_party(tokens, i, "en"):
            third.add(_en_person_kind(low))
        if low in {"he", "she", "they", "he's", "she's", "they're", "he'd", "she'd", "they'd", "he'll", "she'll",
                   "they'll", "they've", "him", "them", "his", "their", "her", "hers", "theirs", "himself",
                   "herself", "themselves"} and _could_be(third, _en_person_kind_of_pronoun(low)):
            raise _Unsure("a third person before a pronoun")
        if low in ("their", "theirs") and client == "sg":
            # "he says ... their ad money": his company's ("your"), the things named before or someone else's
            raise _Unsure(f"{low!r} with a client who is one person")
        if low in _EN_THEY and client == "sg":
            if low == "they":
                subject, after_and = "other", False  # "... and they expect us to": their own verb, not "you"
            continue  # "he won't pay for the flowers because they wilted": things or others, not the client
        if low in _EN_THEY and client == "pl" and plural_thing and (
                low != "they" or before_low in _EN_SUBORDINATORS):
            raise _Unsure(f"{low!r}: the client or the things named before")
        if low in ("he", "she", "his", "him", "himself") and client == "pl":
            raise _Unsure(f"{low!r} with a client who is several")
        if low in ("they", "they're", "they'll", "they've", "they'd") and client is None and not led and \
                subject == "other":
            raise _Unsure(f"{low!r} after someone or something named, with no opening: them or the client")
        if low in ("he", "she", "they"):
            client = client or ("pl" if low == "they" else "sg")
            tokens[i] = _same_case(tok, "you")
            subject, agree, after_and = "client", low != "they", False
            continue
        if low in ("he's", "she's", "they're"):
            have = nxt_low in ("been", "got", "gotten", "had", "done", "seen", "made")
            tokens[i] = _same_case(tok, "you've" if have and low != "they're" else "you're")
            subject, agree = "client", False
            continue
        if low in ("he'd", "she'd", "they'd", "he'll", "she'll", "they'll", "they've"):
            tokens[i] = _same_case(tok, "you" + low[low.index("'"):])
            subject, agree = "client", False
            continue
        if low == "them" and client not in (None, "pl"):
            continue  # "she can't open the files and wants them again": things, the client is one person
        if low in ("him", "them"):
            tokens[i] = _same_case(tok, "you")
            continue
        if low in ("his", "their"):
            tokens[i] = _same_case(tok, "yours" if nxt < 0 else "your")
            continue
        if low in ("hers", "theirs"):
            tokens[i] = _same_case(tok, "yours")
            continue
        if low in ("himself", "herself", "themselves"):
            tokens[i] = _same_case(tok, "yourself")
            continue
        if low == "her":
            before = next((t.lower() for t in reversed(tokens[:i]) if _is_word(t)), "")
            after = _next_word(tokens, nxt) if nxt >= 0 else -1
            counted = nxt_low in ("last", "first", "next") and after >= 0 and tokens[after].lower() in _EN_COUNTED or \
                bool(_third_re("en").fullmatch(nxt_low))  # "we told her husband": hers, whatever the verb
            obj = not counted and (nxt < 0 or nxt_low in _EN_HER_OBJECT or (
                nxt_low.endswith("ly") and nxt_low not in _EN_LY_NOT_ADVERB) or before in _EN_GIVE)
            if before in ("left", "leave", "leaving") and not counted and nxt >= 0 and nxt_low not in _EN_HER_OBJECT:
                raise _Unsure(f"'{before} her {nxt_low}': to her or hers")  # "left her a note", "left her gate open"
            tokens[i] = _same_case(tok, "you" if obj else "your")
            continue
        if low in ("and", "but", "or"):
            after_and = True
            continue
        if low in _EN_ADVERBS:
            continue
        if agree:
            tokens[i] = _en_base(tok)
            agree = False
            after_and = False
            continue
        if after_and and low in _EN_MODALS and low.endswith("s") and last_subject in ("we", "i") and \
                client != "pl" and subject != "client":
            tokens[i] = "you " + _en_base(tok)  # "the files we sent and wants ...": not ours, the client's
            subject, after_and = "client", False
            continue
        if after_and and (low in _EN_MODALS or low in _EN_BASE_VERBS):
            if subject == "client" and not mixed:
                tokens[i] = _en_base(tok)
            elif (led or mixed) and subject is not None and _en_person_verb(low, nxt_low):
                tokens[i] = "you " + _en_base(tok)
                subject, mixed = "client", False
            after_and = False
            continue
        if low in _EN_SUBJECTS_OTHER and subject == "client":
            mixed = True  # "she wants the wedding moved ... and doesn't": an object or a clause of its own
        elif low in _EN_SUBJECTS_OTHER or (subject is None and low not in _EN_MODALS):
            subject = "other" if low != "you" else "client"
            last_subject = low if low in _EN_SUBJECTS_OTHER else last_subject
        after_and = False
    result = "".join(tokens)
    # a question the client keeps asking: "she asks why ..." -> "you're asking why ..." ("asked" stays past)
    result = re.sub(r"^(you)\s+(?:asks|ask|keep\s+asking)(?=\s+(?:why|if|whether|when|where|how|what)\b)", r"\1're asking",
                    result, flags=re.I)
    # a comma splice before the client's last clause: "..., you're blaming us" -> "..., and you're blaming us"
    result = re.sub(r"^([^,]*\w[^,]*),\s+(you(?:'re|’re)\s+\w+ing\b[^,]*)$", r"\1, and \2", result, flags=re.I)
    problem = _en_say_left(result) or ("" if led else _en_person_first(result))
    if problem:
        raise _Unsure(problem)
    return result


#: Reporting words that, left in a draft, report the client to the client ("... says they look cheap").
_EN_SAY_LEFT = {"says", "saying", "reckons", "repeating", "rang", "emailed", "texted", "messaged"}
#: Things that "say" something themselves: "the quote says fixed price" is no opening.
_EN_SAYING_THINGS = {"quote", "contract", "invoice", "email", "sign", "website", "site", "it", "that", "this", "label",
                     "ad", "post", "receipt", "bill", "agreement", "plan", "brief", "policy", "terms", "page"}


def _en_say_left(core: str) -> str:
    """Why an English draft still reports the client: a reporting word the rewrite could not strip ("you
    are unhappy with the tiles says ...", "then you say the pump is noisy"), words quoted in single quotes,
    or "they" doing what a person does with a client who is one person ("... and they expect us to": the
    client's side, or others); "" when none."""
    if re.search(r"(?:^|\s)['‘][^\W\d_]", core):
        return "quoted words"
    words = [w.lower().replace("’", "'") for w in re.findall(r"[\w'’-]+", core)]
    for k, word in enumerate(words):
        before = words[k - 1] if k else ""
        if word in _EN_SAY_LEFT and before not in _EN_SAYING_THINGS or word == "say" and before == "you":
            return f"opening left: {word}"
        nxt = words[k + 1] if k + 1 < len(words) else ""
        if word in ("they", "they're", "they'll", "they'd") and (nxt in _EN_MODALS or nxt in _EN_AUX or
                                                              _en_base(nxt) in _EN_PERSON_VERBS):
            return f"{word} {nxt}: the client or others"
    return ""


@cache
def _en_feel_words() -> frozenset[str]:
    """The one-word feelings of the lexicon's English ``feel`` list ("angry", "upset", "mad")."""
    return frozenset(w for w in _lexicon()["en"]["feel"] if " " not in w)


#: Past forms only a person does: "Mr Patel asked whether ..." names the client first.
_EN_PERSON_PAST = {"asked", "wanted", "said", "demanded", "refused", "threatened", "insisted", "complained", "told",
                   "wrote", "emailed", "texted", "rang", "called", "expected", "promised", "claimed"}


#: Groups and places that speak for the client: "body corp wrote that ... they expect": "they" is the client.
_EN_GROUPS = {"school", "council", "company", "office", "committee", "corp", "corporate", "strata", "hotel", "restaurant",
              "cafe", "shop", "gym", "clinic", "agency", "management", "board", "firm", "bakery", "salon", "store",
              "club", "church", "university", "college", "hospital", "family", "couple", "parents", "team"}


def _en_person_first(core: str) -> str:
    """Why an English draft without an opening may talk about the client: it starts with someone named
    ("the site manager wants us to ...") whose verb only a person does; "" otherwise."""
    words = [w.lower().replace("’", "'") for w in re.findall(r"[\w'’-]+", core)]
    if not words or words[0] in {"we", "i", "it", "you", "our", "my", "your", "there", "this", "that", "these",
                                 "those", "some", "all", "no", "nobody", "everyone", "someone", "nothing", "he", "she",
                                 "they"} or re.match(r"(?:you|we|i|they|it|there|he|she)'", words[0]):
        return ""  # "you've asked", "we're", "it's": no one named
    for k in range(1, min(len(words), 5)):
        word = words[k]
        person = word.endswith("s") and _en_base(word) in _EN_PERSON_VERBS or word in _EN_PERSON_PAST
        if person and not {"we", "our", "my", "i", "and", "of"} & set(words[:k]):
            return f"a person named first: {' '.join(words[:k])}"
        if word in ("is", "was") and k + 1 < len(words) and words[k + 1] in _en_feel_words():
            return f"a person named first: {' '.join(words[:k])}"  # "mark is mad"
        if word in _EN_MODALS or word in _EN_AUX or word in ("is", "was", "has"):
            break
    return ""


def _en_drop_fillers(core: str) -> str:
    """Drops what an English writer says only for tone: the lexicon's ``fillers`` ("literally") anywhere,
    and "like" as a pause (", like,", "he's like, annoyed", "are like way too long", "like 2k"); "looks
    like", "would like" and "like this" stay."""
    core = re.sub(r"\s*(?<![\w'’-])" + _alternatives("en", "fillers") + r"(?![\w'’-]),?", "", core, flags=re.I)
    core = re.sub(r"\s*,\s*like\s*,\s*", " ", core, flags=re.I)
    core = re.sub(r"^like\s*,?\s+", "", core, flags=re.I)
    core = re.sub(r"(\b(?:is|are|was|were)|['’]s|['’]re)\s+like\s*,?\s+(?!a\b|an\b|the\b|this\b|that\b|it\b)", r"\1 ",
                  core, flags=re.I)
    core = re.sub(r"(?<![\w'’-])like\s+(?=\d)", "", core, flags=re.I)  # "like 2k new ones": about
    return " ".join(core.split()).lstrip(" ,")


def _en_sentences(core: str) -> str:
    """Tidies what English writers put between sentences before the rewrite: a sentence that only calls us
    names ("bloke called us a pack of cowboys.") is left out when another follows; "tom rang he says"
    loses "tom rang"; a later sentence opening with "(he/she/they/also) says (that)" loses the opening;
    "asks why ..." with no subject gets "he" ("he asks why" -> "you're asking why")."""
    parts = re.split(r"(?<=[.!?])\s+(?=\S)", core)
    if len(parts) > 1:
        kept = [x for x in parts if not re.match(r"^(?:\w+\s+){0,3}?called\s+(?:us|me)\s+(?:a|an)\s", x, re.I)]
        parts = kept or parts
    out: list[str] = []
    k = 0  # sentences before this one that say more than the scene
    for part in parts:
        part = re.sub(r"^(?:\w+\s+){1,2}(?:rang|called)\s+(?:and\s+)?(?=(?:he|she|they)\s+(?:says|said)\b)", "", part,
                      flags=re.I)
        if k:
            part = re.sub(r"^(?:(?:he|she|they)\s+)?(?:also\s+)?(?:says|said|say)\s+(?:that\s+)?"
                          r"(?!(?:he|she|they|i|we)\b)", "", part, flags=re.I)  # "she says it's embarrassing"
        part = re.sub(r"^asks(?=\s+(?:why|if|whether|when|where|how|what)\b)", "he asks", part, flags=re.I)
        out.append(part)
        k += not _context_sentence(part, "en")
    return " ".join(out)


#: People whose "s" before a noun is a possessive with its apostrophe left out ("his mums garden").
_EN_KIN = ("mum", "mom", "dad", "neighbour", "neighbor", "husband", "wife", "son", "daughter", "sister", "brother",
           "partner", "boss", "friend", "kid", "landlord", "tenant")


def _en_kin_possessive(core: str) -> str:
    """"flood his neighbours yard" -> "flood his neighbour's yard": after a possessive in an object's place
    (a word before it that opens no clause), one of `_EN_KIN` with an "s" and then a word that is no verb,
    preposition or conjunction is that person's."""
    stop = r"(?:are|were|is|was|have|has|had|and|or|but|to|in|on|at|from|who|that|which|said|say|says|keep|keeps|" \
           r"think|thinks|want|wants|will|won't|wont|can|can't|cant|don't|dont|didn't|didnt|\w+ed)"
    kin = "|".join(_EN_KIN)
    # only as an object ("flooded his neighbours yard"): at a clause's start "his kids love" is a verb's subject
    return re.sub(rf"(?<![.,;:!?]\s)\b((?!(?:and|but|or|that|because|so|when|if|since|says|said|say|thinks|think|reckons|reckon|claims|"
                  rf"wrote|complained|complains|told|believes|feels|while|though|although)\s)[a-z]+\s+)"
                  rf"(your|his|her|their|my|our)\s+({kin})s\s+(?!{stop}\b)(?=[a-z])", r"\1\2 \3's ", core, flags=re.I)


def _en_were(core: str) -> str:
    """"were" typed for "we're" after a conjunction or a reporting verb and before what only "we're" can
    take ("so were not near", "reckons were overcharging", "when were gonna finish")."""
    return re.sub(r"(^|\b(?:so|when|whenever|because|cos|if|reckons|reckon|thinks|think|says|while|since)\s)were"
                  r"(?=\s+(?:\w+ing|not|gonna|going|all|there|still|never|always)\b)", r"\1we're", core, flags=re.I)


@cache
def _en_words() -> Any:
    """pyspellchecker's English word list (its frequency dictionary; about 0.1 s to load, once)."""
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1)


def _en_fix_typos(core: str) -> str:
    """Mends a typo the client would see, as `_ru_fix_typos` does for Russian: an unknown lower-case word
    of five letters or more that one swap of two neighbours, one missing letter or one doubled letter
    too many turns into exactly one known word ("becuase" -> "because", "deliverd" -> "delivered",
    "upsset" -> "upset"). Unknown words with no such fix are left ("codebase", "admin"); one with
    several fixes is `_Unsure`."""
    words = _en_words()

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) < 5 or not word.islower() or word in words:
            return word
        swaps = {word[:k] + word[k + 1] + word[k] + word[k + 2:] for k in range(len(word) - 1)}
        inserts = {word[:k] + c + word[k:] for k in range(len(word) + 1) for c in "abcdefghijklmnopqrstuvwxyz"}
        doubled = {word[:k] + word[k + 1:] for k in range(1, len(word)) if word[k] == word[k - 1]}
        known = {w for w in swaps | inserts | doubled if w != word and w in words}
        if len(known) > 1:
            raise _Unsure(f"a typo in {word!r}")
        return known.pop() if known else word
    return re.sub(r"(?<![\w'’-])[A-Za-z]+(?![\w'’-])", fix, core)


# -- Russian ------------------------------------------------------------------------------------

_RU_PREP_DATIVE = {"к", "ко", "по", "благодаря", "вопреки", "навстречу"}
_RU_PREP_INSTR = {"с", "со", "перед", "передо", "над", "под", "за", "между"}
_RU_OBLIQUE = {"него": "вас", "неё": "вас", "нее": "вас", "них": "вас", "нему": "вам", "нём": "вас", "нем": "вас",
               "ними": "вами"}
_RU_PREPOSITIONS = {"в", "во", "на", "о", "об", "обо", "у", "для", "без", "от", "до", "из", "про", "через", "при",
                    "после", "около", "против", "ради", "к", "ко", "по", "с", "со", "за", "над", "под", "перед"}
_RU_COORD = {"и", "а", "но", "да", "или", "зато", "однако", "иначе"}
_RU_CLAUSE = {"что", "чтобы", "если", "когда", "потому", "хотя", "пока", "раз", "ведь", "который", "которая",
              "которое", "которые", "где", "как", "чем"}


@cache
def morph() -> Any:
    """The pymorphy3 Russian analyzer, built on the first Russian draft and kept for the process
    (measured: about 55 ms and 20 MB more resident memory on the first call, 0.4 ms a draft after)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


def _ru_parse(word: str) -> Any:
    return morph().parse(word.lower().replace("ё", "е"))[0]


def _ru_finite(p: Any) -> bool:
    return p.tag.POS in ("VERB", "PRTS", "ADJS")


def _ru_skippable(p: Any) -> bool:
    """Words between a subject and its verb: adverbs, particles, oblique pronouns and nouns."""
    pos = p.tag.POS
    if pos in ("ADVB", "PRCL", "PRED", "COMP", "INTJ", "PREP", "GRND", "INFN"):
        return True
    return pos in ("NPRO", "NOUN", "ADJF", "NUMR", "PRTF") and "nomn" not in p.tag


def _ru_to_vy(word: str) -> str:
    """The form of a verb, short adjective or participle that agrees with "вы"; raises `_Unsure`."""
    if not morph().word_is_known(word.lower().replace("ё", "е")):
        raise _Unsure(f"unknown verb form {word!r}")
    p = _ru_parse(word)
    if p.tag.POS == "VERB" and "past" not in p.tag and p.tag.person is not None:
        new = p.inflect({"plur", "2per"})
    elif p.tag.POS in ("VERB", "PRTS", "ADJS"):
        new = p.inflect({"plur"})
    else:
        return word
    if new is None:
        raise _Unsure(f"cannot inflect {word!r}")
    form = str(new.word)
    if p.tag.POS in ("PRTS", "ADJS") and re.search(r"[^н]ен$", p.word) and form.endswith("енны"):
        form = form[:-2] + "ы"  # "обижен" -> "обижены": the dictionary's short adjective doubles the н
    return _same_case(word, form)


def _ru_needs_change(p: Any) -> bool:
    if p.tag.POS == "VERB":
        return (p.tag.person == "3per" and "plur" not in p.tag) or ("past" in p.tag and "sing" in p.tag) or \
            (p.tag.person == "3per" and "plur" in p.tag)
    return p.tag.POS in ("PRTS", "ADJS") and "sing" in p.tag


#: The cases a preposition governs, for the noun after "его/её/их" -> "ваш".
_RU_PREP_CASES = {"на": {"accs", "loct"}, "в": {"accs", "loct"}, "во": {"accs", "loct"}, "о": {"loct", "accs"},
                  "об": {"loct", "accs"}, "с": {"gent", "ablt"}, "со": {"gent", "ablt"}, "у": {"gent"},
                  "от": {"gent"}, "до": {"gent"}, "из": {"gent"}, "для": {"gent"}, "без": {"gent"},
                  "после": {"gent"}, "около": {"gent"}, "против": {"gent"}, "ради": {"gent"}, "при": {"loct"},
                  "к": {"datv"}, "ко": {"datv"}, "по": {"datv"}, "за": {"accs", "ablt"}, "над": {"ablt"},
                  "под": {"ablt", "accs"}, "перед": {"ablt"}, "через": {"accs"}, "про": {"accs"}}


def _ru_noun(word: str, preposition: str) -> Any:
    """The likeliest parse of the word after a possessive. After a preposition, a parse in a case it
    governs ("на его письма": accusative plural); after a noun, the genitive ("фото его дома"); an
    indeclinable noun after a preposition of two cases ("в её кафе": where or where to) is `_Unsure`.
    Otherwise nominative/accusative homographs ("фото", "данные") are read as nominative."""
    parses = morph().parse(word.lower().replace("ё", "е"))
    if word.islower():  # "вазу" typed in lower case is no "ВАЗу"
        parses = [q for q in parses if "Abbr" not in q.tag] or parses
    top = parses[0]
    if top.tag.POS == "NOUN" and preposition in _RU_PREP_CASES:
        cases = _RU_PREP_CASES[preposition]
        if "Fixd" in top.tag and len(cases) > 1:
            raise _Unsure(f"the case of {word!r} after {preposition!r}")
        fit = [q for q in parses if q.tag.POS == "NOUN" and q.tag.case in cases]
        return fit[0] if fit else top
    before = _ru_parse(preposition) if preposition else None
    if top.tag.POS == "NOUN" and before is not None and before.tag.POS == "NOUN" and \
            preposition not in _RU_PREPOSITIONS:
        genitive = [q for q in parses if q.tag.POS == "NOUN" and q.tag.case == "gent"]
        if genitive:
            return genitive[0]
    if top.tag.POS == "NOUN" and preposition not in _RU_PREPOSITIONS:
        same = [q for q in parses if q.normal_form == top.normal_form and q.tag.case in ("nomn", "accs")]
        nominative = sorted((q for q in same if q.tag.case == "nomn"), key=lambda q: q.tag.number != "sing")
        return nominative[0] if nominative else same[0] if same else top
    return top


def _ru_clause_words_after(tokens: list[str], i: int, span: int) -> Iterator[str]:
    """The words (lower case, ё as е) of the verb at ``i``'s own clause within ``span`` tokens after it
    that no preposition governs: where its subject may stand. Stops at a clause boundary, a coordinating
    or clause word, or an infinitive ("грозится подать в суд": what follows is the infinitive's own)."""
    before = ""
    for tok in tokens[i + 1:i + 1 + span]:
        if not _is_word(tok):
            if tok.strip() in _BOUNDARY:
                return
            continue
        low = tok.lower().replace("ё", "е")
        if low in _RU_COORD or low in _RU_CLAUSE or _ru_parse(low).tag.POS == "INFN":
            return
        governed, before = before in _RU_PREPOSITIONS, low
        if not governed:
            yield low


def _ru_subject_after(tokens: list[str], i: int, verb: Any) -> bool:
    """Whether a nominative noun after the verb at ``i``, in the same clause, is its subject
    ("на встречу пришёл стажёр"): it must agree in number (and gender in the past), and an
    inanimate noun after a transitive verb is read as its object ("прислал отчёт")."""
    for low in _ru_clause_words_after(tokens, i, 11):
        parses = [q for q in morph().parse(low) if q.tag.POS == "NOUN" and q.tag.case == "nomn" and q.score >= 0.2]
        if not parses:
            continue
        q = parses[0]
        if "tran" in verb.tag and "anim" not in q.tag:
            continue
        if verb.tag.number and q.tag.number != verb.tag.number:
            continue
        if "past" in verb.tag and verb.tag.gender and q.tag.gender and verb.tag.gender != q.tag.gender:
            continue
        return True
    return False


def _ru_vash(noun: Any) -> str:
    """"ваш" in the case, number and gender of ``noun`` (a pymorphy3 parse)."""
    base = morph().parse("ваш")[0]
    grams = {g for g in (noun.tag.case, noun.tag.number) if g}
    if noun.tag.number != "plur" and noun.tag.gender:
        grams.add(noun.tag.gender)
    if noun.tag.case == "accs" and noun.tag.animacy:
        grams.add(noun.tag.animacy)
    form = base.inflect(grams) or base.inflect(grams - {noun.tag.animacy}) if grams else None
    if form is None:
        raise _Unsure("cannot inflect ваш")
    return str(form.word)


def _rewrite_ru(core: str, led: bool, client: str | None = None) -> str:
    tokens = _tokens(_ru_drop_fillers(core))
    original = list(tokens)
    if not led:
        _ru_check_person_first(tokens)
    _ru_check_that_first(tokens)
    _ru_check_own_words(tokens)
    stop = -1  # the full stop before the sentence being read; -1 in the first sentence
    stop_client = False  # the sentence before that full stop opens with the client as its subject
    sentence_start = 0  # where the sentence before that full stop starts
    third: set[str] = set()  # number and gender of the third parties named so far (see `_could_be`)
    subject: str | None = None  # of the clause being read: "client", "first", "other" or None
    prev_subject: str | None = None  # of the clause before a coordinating conjunction
    other_number: str | None = None  # grammatical number of the last non-client subject noun
    agree = False
    coord = False
    at_start = True
    prev_word = ""
    clause_start = next((i for i, t in enumerate(tokens) if _is_word(t)), 0)
    seen: set[str] = set()  # genders/numbers of the things named so far ("m", "f", "pl")
    main_client = False  # the client is the subject of the clause a "что"/"чтобы" clause hangs on
    for i, tok in enumerate(tokens):
        if not _is_word(tok):
            if tok.strip() in _BOUNDARY:
                agree = False
                if tok.strip() != ",":
                    subject, coord = None, False
                if tok.strip() in (".", "!", "?"):  # a new sentence: a bare verb there is the client's again
                    main_client = False
                    stop, stop_client = i, _ru_opens_with_you(tokens, clause_start, i)
                    sentence_start = clause_start
                    at_start, clause_start = True, next((j for j in range(i + 1, len(tokens))
                                                         if _is_word(tokens[j])), i)
            continue
        low = tok.lower().replace("ё", "е")
        p = _ru_parse(tok)
        word_before, prev_word = prev_word, low
        later = stop >= 0 and at_start and subject is None  # still before the subject of a later sentence
        if later and low in _ru_say_words():
            raise _Unsure(f"a later sentence opens with {low!r}")  # "... . говорит мы не спросили": why, or and?
        if low in ("он", "она", "они", "ему", "ей", "им", "его", "ее", "их", *_RU_OBLIQUE, "ней", "ним") and \
                _could_be(third, _RU_KIND.get(_RU_PRONOUN_FORM.get(low, ""), "")):
            raise _Unsure("a third person before a pronoun")
        nxt_word = _next_word(tokens, i)
        if low in ("его", "него", "ему", "нему") and client == "m" and ("n" in seen and subject is None or "masc" in seen
                                                                    and low == "его" and subject == "other") and (
                nxt_word < 0 or _ru_parse(tokens[nxt_word]).tag.POS not in ("NOUN", "ADJF", "PRTF", "NUMR")):
            raise _Unsure(f"{low!r}: the client or a thing named before")  # "видео ... и его никто не досмотрит"
        if low == "ее" and client == "f" and "femn" in seen and subject != "client" and nxt_word >= 0 and \
                _ru_absent(tokens, nxt_word):  # "её нет", "её не было": a thing's absence
            raise _Unsure(f"{low!r}: the client or a thing named before")  # "скидку ..., а в счёте её нет"
        if low == "их" and client in ("m", "f") and nxt_word >= 0 and _ru_parse(tokens[nxt_word]).tag.POS == "NOUN":
            raise _Unsure("'их' before a noun: whose, the client's side or others'")  # "жених ... их фото"
        if low in _RU_PRONOUN_FORM and low not in ("он", "она", "они") and not _ru_pronoun_is_client(
                low, client, subject, seen):
            continue  # "она сказала, что торт привезли, когда его ..." : a thing, not the client
        if _third_party(tokens, i, "ru") or (p.tag.POS == "NOUN" and "anim" in p.tag and "Name" in p.tag):
            third.add("pl" if p.tag.number == "plur" else "sg-f" if p.tag.gender == "femn" else
                      "sg-m" if p.tag.gender == "masc" else "sg")
        if low in ("он", "она", "они") and i > clause_start and _RU_PRONOUN_FORM[low] in seen and subject != "client" \
                and not _ru_next_verb_transitive(tokens, i):
            raise _Unsure(f"{low!r}: the client or the thing named before")  # "посылку соседям и она пропала"
        if low == "так" and _next_word(tokens, i) >= 0 and tokens[_next_word(tokens, i)].lower() == "и":
            continue  # "так и не получила": a particle, the verb after it is still the clause's first
        if low in ("он", "она", "они"):
            if client is not None and _RU_PRONOUN_FORM[low] != client:  # "заказчик ... говорит, что они входили"
                raise _Unsure(f"{low!r}: not the client ({client}), someone or something else")
            client = client or _RU_PRONOUN_FORM[low]
            tokens[i] = _same_case(tok, "вы")
            subject, agree, coord, at_start = "client", True, False, False
            continue
        if low in ("ему", "ей", "им"):
            tokens[i] = _same_case(tok, "вам")
            if subject is None:  # "ему не нравится логотип": the verb is the logo's
                subject, at_start = "other", False
            continue
        if low in _RU_OBLIQUE or low in ("ней", "ним"):
            if low in ("ней", "ним"):
                new = "вам" if word_before in _RU_PREP_DATIVE else "вами" if word_before in _RU_PREP_INSTR or \
                    low == "ним" else "вас"
            else:
                new = _RU_OBLIQUE[low]
            tokens[i] = _same_case(tok, new)
            continue
        if low in ("его", "ее", "их"):
            nxt = _next_word(tokens, i)
            if nxt >= 0 and not morph().word_is_known(tokens[nxt].lower().replace("ё", "е")):
                raise _Unsure(f"{low!r} before an unknown word")  # "его игнорим": "вас" or "ваш"?
            noun = _ru_noun(tokens[nxt], word_before) if nxt >= 0 else None
            if noun is not None and noun.tag.POS in ("NOUN", "ADJF", "PRTF", "NUMR"):
                tokens[i] = _same_case(tok, _ru_vash(noun))
            elif subject != "client":
                tokens[i] = _same_case(tok, "вас")
                if subject is None:  # "её раздражает, что ...": the client is the object, the verb not theirs
                    subject, at_start = "other", False
            continue
        if low == "и" and word_before == "так":
            continue  # "я так и не отправила": a particle ("never did"), no second clause
        if low in _RU_COORD:  # "но так и не получила": the second of two keeps the clause before
            prev_subject = subject if subject is not None or not coord else prev_subject
            subject, coord = None, True
            continue
        if low in _RU_CLAUSE:
            main_client = main_client or (subject == "client" and not coord)
            subject, coord, agree = None, False, False
            continue
        if low in ("мы", "я"):
            subject, agree = "first", False
            at_start = False
            continue
        if low == "вы":
            subject, agree = "client", True
            continue
        if agree and not morph().word_is_known(low):
            raise _Unsure(f"unknown word after the client: {tok!r}")  # "вы тупо игнорит": slang verb, no form
        if agree and _ru_finite(p):
            if _ru_needs_change(p):
                tokens[i] = _ru_asking(tokens, i) or _ru_to_vy(tok)
            # "была недовольна", "должна была получить": the copula and its predicate agree too
            nxt = _next_word(tokens, i)
            agree = nxt >= 0 and (p.normal_form == "быть" and _ru_finite(_ru_parse(tokens[nxt]))
                                  or _ru_parse(tokens[nxt]).normal_form == "быть")
            continue
        if agree and _ru_skippable(p):
            continue
        agree = False
        if p.tag.POS == "VERB" and subject is None and (p.normal_form in _RU_NO_SUBJECT or "neut" in p.tag):
            subject, at_start = "other", False  # "вашим клиентам пришлось ждать": no one's, never the client's
            continue
        if p.tag.POS == "VERB" and subject is None and _ru_needs_change(p) and _ru_subject_after(tokens, i, p):
            subject = "other"
        if p.tag.POS == "VERB" and subject is None and _ru_needs_change(p):
            singular = "sing" in p.tag or p.tag.person == "3per" and "plur" not in p.tag
            mismatch = other_number is not None and p.tag.number is not None and p.tag.number != other_number
            closed = word_before in _RU_COORD and i >= 4 and tokens[i - 4].strip() == ","  # "..., и требует"
            if coord and prev_subject == "client":
                tokens[i] = _ru_to_vy(tok)
                subject = "client"
            elif coord and main_client and (prev_subject == "first" or prev_subject == "other" and (
                    mismatch or closed)):
                tokens[i] = _ru_to_vy(tok)  # "вы хотите, чтобы мы пересняли каталог, и не хотите платить"
                subject = "client"
            elif coord and main_client and prev_subject == "other":
                raise _Unsure(f"who does {tok!r}: the one named in the clause before or the client")
            elif main_client and not coord and singular and p.normal_form in _RU_PERSON_VERBS:
                tokens[i] = _ru_to_vy(tok)  # "вы переживаете, что не сможете": the clause's own subject left out
                subject = "client"
            elif coord and (prev_subject == "first" or prev_subject == "other" and mismatch) and led:
                if _ru_agreeing_noun_after(tokens, i, p):  # "мы обещали неделю, а прошёл месяц": the month's
                    raise _Unsure(f"who does {tok!r}: the noun after it or the client")
                tokens[i] = "вы " + _ru_to_vy(tok)
                subject = "client"
            elif at_start and singular and (led or not coord) and "intr" in p.tag and "past" in p.tag and \
                    _ru_agreeing_noun_after(tokens, i, p):
                subject = "other"  # "у вас сгорел тур": the noun after the verb is its subject
            elif at_start and singular and (led or not coord):
                tokens[i] = _ru_asking(tokens, i) or _ru_to_vy(tok)
                if later and clause_start > stop:  # "он требует скидку. грозится уйти" -> "... и грозитесь уйти"
                    _ru_join_sentence(tokens, sentence_start, stop, clause_start, stop_client)
                else:
                    _ru_insert_vy(tokens, clause_start)  # Russian keeps the pronoun
                subject = "client"
            elif later and client == "pl" and stop_client and p.tag.person == "3per":
                tokens[i] = _ru_to_vy(tok)  # "они не готовы ждать. хотят ..." -> "... и хотите ..."
                _ru_join_sentence(tokens, sentence_start, stop, clause_start, True)
                subject = "client"
            else:
                subject = "other"
            at_start = False
            continue
        if p.tag.POS in ("ADJS", "PRTS") and subject is None and at_start and "sing" in p.tag and \
                p.tag.gender != "neut":  # "в договоре написано": no one's

            tokens[i] = _ru_to_vy(tok)
            if later and clause_start > stop:  # "... . уверена, что ..." -> "... и уверены, что ..."
                _ru_join_sentence(tokens, sentence_start, stop, clause_start, stop_client)
            else:
                _ru_insert_vy(tokens, clause_start)
            subject, at_start = "client", False
            continue
        if later and _ru_finite(p) and "plur" in p.tag and p.tag.person != "3per" and clause_start > stop:
            _ru_join_sentence(tokens, sentence_start, stop, clause_start, True)  # "мы сломали форму. должны починить"
            subject, at_start = "first" if p.tag.person == "1per" else "other", False
            continue
        if p.tag.POS == "VERB" and (subject is None or subject == "other" and other_number == "sing") and \
                p.tag.person == "3per" and "plur" in p.tag and "past" not in p.tag and not coord and client in ("m", "f") and not _ru_subject_after(tokens, i, p):
            raise _Unsure(f"who does {tok!r}: 'they' unnamed, the client being one person")  # "акт не подпишут"
        if p.tag.POS == "VERB" and subject is None and p.tag.person == "1per" and "plur" in p.tag and \
                not (coord and prev_subject == "first"):
            before = _ru_word_index_before(tokens, i)  # "если к среде не сдадим" -> "если к среде мы не сдадим"
            at = before if before >= 0 and tokens[before].lower() == "не" else i
            if "мы" not in [t.lower() for t in tokens[max(0, i - 8):i]]:  # "если мы ещё раз пропустим"
                tokens[at] = "мы " + tokens[at]
        if p.tag.POS == "VERB" and subject is None:
            subject = "first" if p.tag.person == "1per" else "other"
        if p.tag.POS == "NOUN":
            seen.add("pl" if p.tag.number == "plur" else "f" if p.tag.gender == "femn" else "m")
            if p.tag.gender == "neut" and p.tag.number != "plur":
                seen.add("n")
            if p.tag.gender == "masc" and p.tag.number != "plur" and "anim" not in p.tag:
                seen.add("masc")  # "текст ... и никто его не читает": "его" may be the text
            if p.tag.gender == "femn" and p.tag.number != "plur" and "anim" not in p.tag:
                seen.add("femn")  # "скидку ..., а в счёте её нет": "её" may be the discount  # "видео", "фото": "его" may be it as well as a client who is a he
        nominative = [q for q in morph().parse(low) if q.tag.POS in ("NOUN", "NPRO") and q.tag.case == "nomn"]
        if not nominative and p.tag.case == "nomn" and ({"Anum", "Subx"} & set(p.tag.grammemes) or p.tag.POS == "NUMR"):
            nominative = [p]  # "и одна уже перекосилась", "другая не открывается": a subject of its own
        if nominative and subject is None and word_before not in _RU_PREPOSITIONS and \
                p.tag.POS not in ("PREP", "CONJ", "PRCL"):  # "к" is a letter's name too
            subject, other_number = "other", nominative[0].tag.number
        if not _ru_skippable(p):
            at_start = False
    _ru_self_agrees(tokens, original)
    result = "".join(tokens)
    errors = ru_agreement_errors(result)
    if errors:
        raise _Unsure(f"agreement: {errors[0]}")
    return result


def _ru_check_own_words(tokens: list[str]) -> None:
    """Raises `_Unsure` when the user's text holds the client's own words without quotation marks: a "вы"
    the user wrote ("пишет: вы сорвали мне запуск", "мол вы всё испортили": that "вы" is us) or an
    imperative addressed to us ("верните деньги"); said back to the client, whose is whose turns around."""
    for tok in tokens:
        if not _is_word(tok):
            continue
        low = tok.lower()
        if low in ("вы", "вам", "вас", "вами") or low.startswith("ваш"):
            raise _Unsure("the client's own words: 'вы' in the answer")
        p = _ru_parse(low)
        if p.tag.POS == "VERB" and "impr" in p.tag and "plur" in p.tag and p.score >= 0.5:
            raise _Unsure(f"the client's own words: {low!r}")


def _ru_comma_before_that(core: str) -> str:
    """``core`` with the comma Russian puts before "что"/"чтобы" opening a clause after a verb or a short
    adjective ("вы считаете что мы" -> "вы считаете, что мы"; "вы уверены, что"); "потому что", "то что"
    and a "что" after any other word are left as they are."""
    def comma(found: re.Match[str]) -> str:
        p = _ru_parse(found.group(1).lower())
        finite = p.tag.POS in ("VERB", "ADJS", "PRTS") and p.score >= 0.3
        return f"{found.group(1)}, {found.group(2)}" if finite else found.group(0)
    return re.sub(r"(?<![\w-])([а-яё]+)\s+(что|чтобы)(?![\w-])", comma, core, flags=re.I)


def _ru_spoken_to_client(core: str) -> bool:
    """Whether Russian ``core`` already speaks to the client: a "вы" (or "вам"/"вас") with each "вы" agreeing
    with its verb ("вы хотите", not "вы хочет"), and no third person about the client left ("он", "клиент").
    Only for words the step asked to be written as said to the client (`to_client`'s ``addressed``): in a
    report about the client a "вы" is the client's own words ("пишет: вы сорвали запуск")."""
    words = [t.lower() for t in _tokens(core) if _is_word(t)]
    if not {"вы", "вам", "вас"} & set(words) or ":" in core:
        return False
    return not ru_agreement_errors(core) and not client_third_person_left(core, "ru") and \
        not _lexicon_re("ru", "say").search(core) and not _lexicon_re("ru", "client_words").search(core)


def _ru_check_that_first(tokens: list[str]) -> None:
    """Raises `_Unsure` when "что" comes before any predicate ("в 2 ночи что сервер упал": an opening with
    words between its verb and "что" lost its verb, not its circumstance); "то, что", "за то что" and a
    question word ("что случилось") are fine."""
    before: list[str] = []
    for k, tok in enumerate(tokens):
        if not _is_word(tok):
            continue
        low = tok.lower()
        if low == "что":
            nxt = _next_word(tokens, k)
            if before and before[-1] not in ("то", "того", "тем", "том", "тому", "так", "потому", "из-за", "не") and \
                    not (nxt >= 0 and _ru_finite(_ru_parse(tokens[nxt]))):
                raise _Unsure("'что' before any predicate: an opening left in part")
            return
        p = _ru_parse(low)
        if _ru_finite(p) or p.tag.POS in ("PRED", "INFN") or low in ("вы", "мы", "я", "он", "она", "они") or \
                low in _RU_CLAUSE:
            return
        before.append(low)


def _ru_check_person_first(tokens: list[str]) -> None:
    """Raises `_Unsure` when an answer without a reporting opening starts with one person named in the
    nominative ("директор требует ...", "бухгалтер клиента прислал ..."): most often the client, whom the
    draft would then talk about in the third person; an opening the lexicon does not know may hide there."""
    first = next((t for t in tokens if _is_word(t)), "")
    if not first:
        return
    p = _ru_parse(first)
    if p.tag.POS == "NOUN" and "anim" in p.tag and p.tag.case == "nomn" and p.tag.number == "sing" and \
            first.lower() not in _lexicon()["ru"].get("ours", []):
        raise _Unsure(f"a person named first: {first!r}")


def _ru_self_agrees(tokens: list[str], original: list[str]) -> None:
    """"сам"/"сама" of the client agrees with "вы" too: "а сам не прислал" -> "а сами не прислали". The
    client's it is when "вы" stands before it or the next predicate was turned to the "вы" form."""
    for i, tok in enumerate(tokens):
        if tok.lower() not in ("сам", "сама"):
            continue
        nxt = next((j for j in range(i + 1, min(len(tokens), i + 8)) if _is_word(tokens[j])
                    and _ru_finite(_ru_parse(tokens[j].split()[-1]))), -1)
        clause: list[str] = []
        for j in range(i - 1, -1, -1):  # the words of its clause before it: "вы выбирали их сам"
            if tokens[j].strip() in _BOUNDARY or tokens[j].lower() in _RU_CLAUSE or tokens[j].lower() in _RU_COORD:
                break
            clause += tokens[j].lower().split()
        if "вы" in clause and not {"мы", "я"} & set(clause) or nxt >= 0 and tokens[nxt] != original[nxt]:
            tokens[i] = _same_case(tok, "сами")


def _ru_drop_fillers(core: str) -> str:
    """Drops the lexicon's ``fillers`` ("типа", "мол") where they only add tone: at the start, after a
    boundary or after "и/а/но/что" ("и типа мы их разводим" -> "и мы их разводим"); elsewhere ("шрифт
    другого типа") the word is kept. The ``doubt`` words ("якобы", "будто бы") go wherever they stand."""
    fillers = _alternatives("ru", "fillers")
    core = re.sub(rf"(^|[.,;:!?]\s*|(?<![\w-])(?:и|а|но|что)\s+){fillers}(?![\w-])\s*,?\s*", r"\1", core, flags=re.I)
    # the user's doubt ("якобы не получила") is not said back to the client: "вы не получили"
    return re.sub(r"(?<![\w-])" + _alternatives("ru", "doubt") + r"(?![\w-])\s*", "", core, flags=re.I)


def _ru_opens_with_you(tokens: list[str], start: int, end: int) -> bool:
    """Whether the sentence in ``tokens[start:end]``, as rewritten so far, opens with "вы" as its subject."""
    words = "".join(tokens[start:end]).split()
    return bool(words) and words[0].lower() == "вы"


def _ru_join_sentence(tokens: list[str], start: int, stop: int, at: int, same_subject: bool) -> None:
    """Joins a sentence without a subject of its own to the one before (from ``start``) with "и" in place
    of the full stop at ``stop``; "вы" goes in too unless the sentence before has the client as its subject
    already. An "и" already in the sentence before becomes a comma: "A, B и C", not "A и B и C"."""
    last_clause = re.split(r"[,;]|\s(?:и|а|но)\s", "".join(tokens[start:stop]))[-1].split()
    same_subject = same_subject or bool(last_clause) and last_clause[0].lower() == "вы"  # "…, вы требуете скидку"
    tokens[stop] = ""
    for j in range(stop - 1, start, -1):
        if tokens[j].lower() == "и" and tokens[j - 1].isspace() and _ru_word_index_before(tokens, j) >= 0 and \
                tokens[_ru_word_index_before(tokens, j)].lower() != "так":
            tokens[j - 1], tokens[j] = ",", ""
            break
    word = tokens[at]
    tokens[at] = ("и " if same_subject else "и вы ") + (word[:1].lower() + word[1:] if not word[:2].isupper() else word)


#: "спросил/спрашивала" reported in the past: the paraphrase asks it now ("вы спрашиваете, почему ...").
_RU_ASK = {"спросить", "спрашивать", "поинтересоваться", "интересоваться"}


def _ru_asking(tokens: list[str], i: int) -> str | None:
    """"спрашиваете" (in the case of the word at ``i``) when it is the answer's first predicate and a past
    form of asking ("заказчица спросила, почему ..."); None otherwise."""
    p = _ru_parse(tokens[i])
    if p.normal_form not in _RU_ASK or "past" not in p.tag:
        return None
    if any(_ru_finite(_ru_parse(t)) for t in tokens[:i] if _is_word(t)):
        return None
    return _same_case(tokens[i], "спрашиваете")


def _ru_word_index_before(tokens: list[str], i: int) -> int:
    """The index of the word before ``i`` in the same clause, or -1."""
    for j in range(i - 1, -1, -1):
        if _is_word(tokens[j]):
            return j
        if tokens[j].strip():
            return -1
    return -1


def _ru_np_subject(words: list[str]) -> bool:
    """Whether ``words`` (1-6 words before a reporting predicate) name the client in Russian: one noun in
    the nominative with its adjectives, genitives and names ("директор школы", "архитектор Ольга
    Викторовна", "Иван Петрович", "ИП Смирнов"), then prepositional phrases ("клиентка из салона",
    "хозяин коттеджа в Берёзовском"); or only a place the speakers are at ("в кафе на Малышева
    недовольны"). Our own people ("наш менеджер") are not."""
    low = [w.lower().replace("ё", "е") for w in words]
    if low[0] in _lexicon()["ru"].get("ours", []):
        return False
    place = low[0] in ("в", "во", "на")
    heads, governed = 0, place
    for k, (word, raw) in enumerate(zip(low, words, strict=True)):
        if word in _RU_PREPOSITIONS and (k > 0 or place):
            governed = True
            continue
        p = _ru_parse(word)
        known = morph().word_is_known(word)
        if governed:  # inside a prepositional phrase: any case; a place's name may be unknown
            if p.tag.POS in ("NOUN", "ADJF", "PRTF", "NUMR") and known or raw[:1].isupper():
                continue
            return False
        if p.tag.POS not in ("NOUN", "ADJF", "PRTF") or not known:
            return False
        nominative = "nomn" in p.tag
        if k == 0 and not nominative:
            return False
        if nominative and p.tag.POS == "NOUN":
            if heads and k > 0 and {"Name", "Patr", "Surn"} & set(p.tag.grammemes):
                continue  # the head's own name: "архитектор Ольга Викторовна", "Иван Петрович"
            heads += 1
        elif nominative and k > 0 and heads:
            return False
    return heads <= 1


def _ru_role_to_pronoun(core: str) -> str:
    """"хозяйка дома хочет, чтобы ..." -> "она хочет, чтобы ...": an answer opening with a noun phrase whose
    head is one of the lexicon's ``client_roles`` (the one who ordered the work: хозяин, владелица,
    невеста, ИП ...) names the client, whatever verb follows; the pronoun (by the head's gender and number)
    is then turned to "вы" like any other. Anything else is returned as it is."""
    words = list(re.finditer(r"[^\W\d_][\w-]*", core))
    if not words or words[0].group(0).lower().replace("ё", "е") not in _lexicon()["ru"].get("client_roles", []):
        return core
    for j in range(1, min(len(words), 7)):
        low = words[j].group(0).lower()
        p = _ru_parse(low)
        if low in ("не", "против") or _ru_finite(p) and "nomn" not in p.tag:
            if core[words[0].end():words[j].start()].strip(" ") and \
                    re.search(r"[^\w\s-]", core[words[0].end():words[j].start()]):
                return core  # "хозяйка, говорит, ...": punctuation inside is no noun phrase
            if not _ru_np_subject([w.group(0) for w in words[:j]]):
                return core
            head = _ru_parse(words[0].group(0))
            pronoun = "они" if head.tag.number == "plur" else "она" if head.tag.gender == "femn" else "он"
            return pronoun + " " + core[words[j].start():]
    return core


def _ru_next_verb_transitive(tokens: list[str], i: int) -> bool:
    """Whether the next verb after ``i`` in its clause takes an object ("он его не примет": a person acts on
    the thing); an intransitive one ("она пропала") could be the thing's own."""
    for tok in tokens[i + 1:i + 8]:
        if not _is_word(tok):
            if tok.strip() in _BOUNDARY:
                return False
            continue
        p = _ru_parse(tok)
        if p.tag.POS == "VERB":
            return "tran" in p.tag
    return False


#: Verbs used without any subject ("вам пришлось ждать", "не хватило времени"): never the client's.
_RU_NO_SUBJECT = {"приходиться", "прийтись", "казаться", "показаться", "хватать", "хватить", "удаваться", "удаться",
                  "следовать", "надоесть", "надоедать"}


#: Verbs of a person: without a subject of its own in a clause hanging on the client's verb ("переживает,
#: что не сможет"), such a verb is the client's; any other ("злится, что долго грузится") is a thing's.
_RU_PERSON_VERBS = {"мочь", "смочь", "успеть", "успевать", "хотеть", "захотеть", "знать", "узнать", "уметь", "суметь",
                    "собираться", "получить", "получать", "понимать", "понять", "заплатить", "платить", "видеть",
                    "увидеть", "решить", "подписать", "подписывать", "ответить", "приехать", "вернуться", "найти",
                    "искать", "уйти", "прийти", "написать", "позвонить", "перезвонить", "вернуть", "отказаться",
                    "подать", "обратиться", "заказать", "забрать", "оплатить"}


#: Third-person pronoun forms -> the gender or number they point at.
_RU_PRONOUN_FORM = {"он": "m", "его": "m", "ему": "m", "него": "m", "нему": "m", "ним": "m", "нем": "m", "нём": "m",
                    "она": "f", "ее": "f", "её": "f", "ей": "f", "ней": "f", "нее": "f", "неё": "f",
                    "они": "pl", "их": "pl", "им": "pl", "них": "pl", "ними": "pl"}


def _ru_pronoun_is_client(low: str, client: str | None, subject: str | None, seen: set[str]) -> bool:
    """Whether a 3rd-person pronoun form can be the client. Not when the client's gender or number is
    known and differs ("она ... его привезли"), nor inside a clause whose subject is the client (who would
    say "себя", "свой"); when the client's gender is unknown and a thing of the same gender was named
    before ("собака ... у нее"), it is anyone's guess: `_Unsure`."""
    form = _RU_PRONOUN_FORM[low]
    if low == "ним":  # him or (dative) them
        form = client if client in ("m", "pl") else "m"
    if subject == "client":  # the old rule knows "его" of a thing after the client's own verb
        return low in ("его", "ее", "её", "их")
    if client is not None:
        return form == client
    if form in seen:
        raise _Unsure(f"{low!r}: the client or a thing named before")
    return True


_RU_LETTERS = "абвгдежзийклмнопрстуфхцчшщъыьэюя"


def _ru_fix_typos(core: str) -> str:
    """Mends a typo the client would see: an unknown word of six letters or more that one swap of two
    neighbours or one missing letter turns into exactly one known word ("клиетн" -> "клиент", "длиное"
    -> "длинное"). An unknown word with no such fix is left (slang: "админка"); one with several fixes is
    `_Unsure`."""
    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        low = word.lower().replace("ё", "е")
        if len(low) < 6 or morph().word_is_known(low):
            return word
        hard = re.sub(r"(?<=[бвдзкнпрст])ь(?=[еёюя])", "ъ", low)  # "обьект", "подьезд": the hard sign
        if hard != low and morph().word_is_known(hard):
            return _same_case(word, hard)
        # not the first two letters: a swap there makes another word more often than it mends one
        # ("апстор", the App Store, is not "пастор")
        swaps = {low[:k] + low[k + 1] + low[k] + low[k + 2:] for k in range(1, len(low) - 1)}
        inserts = {low[:k] + c + low[k:] for k in range(len(low)) for c in _RU_LETTERS}  # not at the end: an ending
        known = {w for w in swaps | inserts if w != low and morph().word_is_known(w)}
        if len(known) > 1:
            raise _Unsure(f"a typo in {word!r}")
        return _same_case(word, known.pop()) if known else word
    return re.sub(r"[А-Яа-яЁё]+", fix, core)


def _ru_insert_vy(tokens: list[str], at: int) -> None:
    """Puts "вы" before the word at ``at``, taking over its capital at the start of a sentence."""
    word = tokens[at]
    if word[:1].isupper():
        tokens[at] = "Вы " + word[:1].lower() + word[1:]
    else:
        tokens[at] = "вы " + word


def ru_agreement_errors(text: str) -> list[str]:
    """Agreement errors with "вы" that pymorphy3 can see in a Russian sentence: "вы" whose next verb,
    short adjective or participle (past adverbs, particles and oblique words) is not in the 2nd person
    plural or the past plural ("вы не будет", "вы разочарован"). Returns one "вы … word" note per error."""
    tokens = [t for t in _tokens(text) if not t.isspace()]
    errors = []
    for i, tok in enumerate(tokens):
        if tok.lower() != "вы":
            continue
        for nxt in tokens[i + 1:i + 7]:
            if not _is_word(nxt):
                break
            p = _ru_parse(nxt)
            if _ru_finite(p):
                bad = "sing" in p.tag if p.tag.POS in ("PRTS", "ADJS") or "past" in p.tag else \
                    p.tag.person not in (None, "2per") or "sing" in p.tag
                if bad:
                    errors.append(f"вы … {nxt}")
                break
            if not _ru_skippable(p) or p.tag.POS == "INFN":
                break
    return errors


def client_third_person_left(text: str, lang: str, *, own: bool = False) -> list[str]:
    """The last safety net of a draft: what in ``text`` (the paraphrase, with or without its frame, in
    ``lang``) still speaks of the client in the third person, one short note per finding; [] when none.

    A wrong draft is worse than the blank frame, so `draft_paraphrase` falls back whenever this finds
    anything: a he/she/him/his (он/она/ему, a Romanian "i-"/"îi" or a subject "el"/"ea") the rewrite left,
    the client still named ("начальник клиента", "șeful clientului"), an opening verb left in ("жалуется"),
    "you"/"вы" before a verb in the third person or before a word that cannot be its predicate ("you
    wants", "you of", «вы денег»), a verb with no subject at the start ("were useless and ..."), and in
    Russian a third-person verb without a subject of its own after the client's clause («вы заплатите,
    когда сможет»). Things keep their pronouns ("его", "them", "le-am"): those are not looked at."""
    tokens = [t for t in _tokens(text) if not t.isspace()]
    if lang == "ro":
        return _ro_third_left(tokens, own)
    check = {"en": _en_third_left, "ru": _ru_third_left}.get(lang, _en_third_left)
    return check(tokens)


_EN_CLIENT_3RD = {"he", "she", "him", "his", "himself", "herself", "hers", "her", "he's", "she's", "he'd", "she'd",
                  "he'll", "she'll"}
_EN_CLAUSE_OPEN = {"and", "but", "or", "that", "because", "since", "as", "when", "if", "so", "until", "unless",
                   "although", "though", "while", "after", "before"}
_EN_3SG = {"is", "was", "has", "does", "doesn't", "isn't", "wasn't", "hasn't", "says", "of"}
_EN_BARE_START = {"is", "are", "was", "were", "has", "have", "had", "does", "do", "did", "doesn't", "don't",
                  "didn't", "isn't", "aren't", "wasn't", "weren't"}


def _en_third_left(tokens: list[str]) -> list[str]:
    found = []
    words = [(k, t.lower().replace("’", "'")) for k, t in enumerate(tokens) if _is_word(t)]
    if words and words[0][0] == 0 and words[0][1] in _EN_BARE_START | {w for w in _EN_MODALS if w.endswith("s")}:
        found.append(f"no subject before {tokens[0]!r}")
    for n, (k, low) in enumerate(words):
        if low in _EN_CLIENT_3RD:
            found.append(low)
            continue
        if low != "you":
            continue
        before = tokens[k - 1].lower() if k else ""
        if k and not (before in _EN_CLAUSE_OPEN or before in _BOUNDARY):
            continue  # "the file we sent you is broken": "you" is an object there
        later = [w for _, w in words[n + 1:n + 4] if w not in _EN_ADVERBS]
        if later and (later[0] in _EN_3SG or later[0] in _EN_MODALS and later[0].endswith("s")):
            found.append(f"you {later[0]}")
    return found


_RU_CLIENT_3RD = {"он", "она", "они", "ему", "ей", "им", "нему", "ней", "ним", "него", "неё", "нее", "них"}
#: Verbs used without a subject ("кажется", "не хватает"): their third person is no client's.
_RU_IMPERSONAL = {"казаться", "хватать", "хватить", "стоить", "следовать", "получаться", "получиться",
                  "приходиться", "прийтись", "удаваться", "удаться", "нравиться", "понравиться", "надоесть",
                  "надоедать", "оставаться", "остаться", "быть", "зависеть", "значить", "выходить", "выйти",
                  "грузиться", "загружаться", "работать", "открываться", "открыться", "ломаться", "сломаться",
                  "тормозить", "виснуть", "зависать", "падать", "упасть", "требоваться", "потребоваться",
                  "касаться", "идти", "пойти", "выглядеть", "показываться", "отображаться", "приходить"}


@cache
def _ru_say_words() -> frozenset[str]:
    """The single-word third-person "says" verbs of the lexicon ("жалуется", "пишет")."""
    return frozenset(p.replace("ё", "е") for p in _lexicon()["ru"]["say"] if " " not in p)


def _ru_third_left(tokens: list[str]) -> list[str]:
    found = []
    you_seen = False  # a "вы" subject earlier in the sentence
    own_subject = False  # the clause being read has a subject of its own
    coord = False  # the clause opened with "и"/"а"/"но": its verb shares the subject left out before
    opening = True  # still in the first clause, where an opening the rewrite missed would stand
    before = ""
    for i, tok in enumerate(tokens):
        if not _is_word(tok):
            if tok.strip() in (".", "!", "?", ";"):
                you_seen = False
            if tok.strip() in _BOUNDARY:
                own_subject, opening = False, False
            before = ""
            continue
        low = tok.lower().replace("ё", "е")
        if low in _RU_CLIENT_3RD:
            found.append(low)
        if low in _ru_say_words() and opening:
            found.append(f"opening left: {low}")  # "владелица клиники жалуется, что ...": its subject is the client
        if low in _RU_COORD or low in _RU_CLAUSE:
            own_subject, before, coord, opening = False, low, low in _RU_COORD, False
            if low in ("что", "кто") and _ru_pronoun_subject(tokens, i):
                own_subject = True  # "вы не понимаете, что происходит": "что" is the subject
            continue
        p = _ru_parse(low)
        if low == "вы" and not _ru_you_has_predicate(tokens, i):
            found.append("вы without a verb")  # "вы каждые пять минут и спрашиваете": an opening ate the verb
        if low == "вы":
            you_seen = own_subject = True
            nxt = _ru_parse(tokens[i + 1]) if i + 1 < len(tokens) and _is_word(tokens[i + 1]) else None
            if nxt is not None and (nxt.tag.POS == "PRED" or nxt.tag.POS == "NOUN" and nxt.tag.case in ("nomn", "gent")):
                found.append(f"вы {tokens[i + 1]}")
        elif before not in _RU_PREPOSITIONS and (any(q.tag.POS in ("NOUN", "NPRO") and q.tag.case == "nomn"
                                                     for q in morph().parse(low)) or
                                                 p.tag.case == "nomn" and {"Anum", "Subx"} & set(p.tag.grammemes)):
            own_subject = True  # a noun or "одна", "другая" in the nominative
        elif p.tag.POS == "VERB" and (p.tag.person == "3per" or "past" in p.tag and p.tag.gender in ("masc", "femn")
                                      and you_seen and not coord) and "sing" in p.tag and (you_seen or coord) and \
                not own_subject and (p.normal_form not in _RU_IMPERSONAL or _ru_will_do(tokens, i)) and \
                not _ru_subject_after(tokens, i, p):
            found.append(f"вы … {tok}")
        before = low
    return found


def _ru_absent(tokens: list[str], i: int) -> bool:
    """Whether the words from ``i`` say that something is not there: "нет", "не было", "не будет"."""
    if tokens[i].lower() == "нет":
        return True
    nxt = _next_word(tokens, i)
    return tokens[i].lower() == "не" and nxt >= 0 and tokens[nxt].lower() in ("было", "будет")


def _ru_agreeing_noun_after(tokens: list[str], i: int, verb: Any) -> bool:
    """Whether a noun in the nominative after the verb at ``i``, in its clause, agrees with it in number
    (and gender in the past): then it may be the verb's subject ("а прошёл месяц"), whatever the verb."""
    for low in _ru_clause_words_after(tokens, i, 7):
        for q in morph().parse(low):
            if q.tag.POS == "NOUN" and q.tag.case == "nomn" and q.score >= 0.05 and q.tag.number == verb.tag.number \
                    and not ("past" in verb.tag and verb.tag.gender and q.tag.gender != verb.tag.gender):
                return True
    return False


def _ru_will_do(tokens: list[str], i: int) -> bool:
    """Whether the word at ``i`` is "будет" with an infinitive beside it ("платить не будет", "будет
    искать"): a person's future, never impersonal, so it needs a subject of its own."""
    if tokens[i].lower() != "будет":
        return False
    before = [t for t in tokens[max(0, i - 5):i] if _is_word(t) and t.lower() != "не"][-1:]
    after = [t for t in tokens[i + 1:i + 4] if _is_word(t)][:1]
    return any(_ru_parse(t).tag.POS == "INFN" for t in before + after)


def _ru_pronoun_subject(tokens: list[str], i: int) -> bool:
    """Whether the "что"/"кто" at ``i`` is the subject of the verb right after it ("что происходит", "кто
    виноват"): a third-person singular verb next, not one only a person does nor "будет" (then "что" is
    the conjunction and the verb has lost its subject: "вы говорите, что будет платить")."""
    nxt = _next_word(tokens, i)
    if nxt < 0:
        return False
    p = _ru_parse(tokens[nxt])
    return p.tag.POS == "VERB" and "sing" in p.tag and "intr" in p.tag and p.tag.person in (None, "3per") and \
        p.normal_form not in _RU_PERSON_VERBS and p.normal_form != "быть"


def _ru_you_has_predicate(tokens: list[str], i: int) -> bool:
    """Whether the "вы" at ``i`` has a predicate in its clause: a verb, short adjective or participle, a
    predicative, or (past particles) a preposition opening one ("вы в ярости", "вы не в восторге")."""
    first = True
    before_word = ""
    for tok in tokens[i + 1:]:
        if not _is_word(tok):
            if tok.strip() in _BOUNDARY:
                return False
            continue
        low = tok.lower().replace("ё", "е")
        if low == "так" or low == "и" and before_word == "так":
            before_word = low
            continue  # "вы так и не получили": a particle
        before_word = low
        if low in _RU_COORD or low in _RU_CLAUSE:
            return False
        p = _ru_parse(low)
        if any((_ru_finite(q) or q.tag.POS in ("PRED", "INFN")) and q.score >= 0.1 for q in morph().parse(low)):
            return True  # "примете" is a verb here, not the noun "примета"
        if first and p.tag.POS == "PREP":
            return True
        if p.tag.POS != "PRCL":
            first = False
    return False


_RO_CLIENT_CLITIC = re.compile(r"^(?:i-\w+|îi|ii|lui)$", re.I)


def _ro_third_left(tokens: list[str], own: bool = False) -> list[str]:
    found = []
    opened = False  # right after "și", "că", "când", "să": the clause's verb comes before any subject
    negated = False
    opener = ""
    for i, tok in enumerate(tokens):
        if not _is_word(tok):
            # a new sentence opens like "și": "... la mailuri. o să lase recenzie" has the client's verb bare
            opened = tok.strip() in (".", "!", "?") or opened and tok.strip() not in _BOUNDARY
            if tok.strip() in (".", "!", "?"):
                negated, opener = False, "sentence"
            continue
        fold = _fold_ro(tok)
        before = _fold_ro(tokens[i - 1]) if i else ""
        if fold in ("voi", "voua", "vostru", "voastra", "vostri", "voastre"):
            found.append(f"the client's own 'voi': {tok!r}")  # "nu mai lucrez cu voi": their words, not ours
        if fold in ("isi", "sa-si", "nu-si") or fold.startswith("si-"):
            found.append(f"whose is {tok!r}")  # "își caută altă firmă" left: a third person's own, maybe the client's
        if fold in _RO_COORD or fold in _RO_CLAUSE:
            opened, negated = True, False  # "și nu mai poate": after "nu", "poate" is a verb, not "maybe"
            opener = fold
            continue
        if opened and (fold in _RO_SKIP or tok.lower() in _RO_SKIP or fold in ("se", "s-a", "isi")):
            negated = negated or fold in ("nu", "mai")
            continue
        if opened and fold in ("sa", "să") and _fold_ro(_ro_word_before(tokens, i)) == "o":
            opener, negated = "sa", True  # "o să lase", "o să facă": the future; even a weak verb there is a person's
            continue
        if opened:
            opened = False
            verb = _ro_verbs().get(fold) or (_ro_subjunctives().get(fold) if opener == "sa" else None)
            if (own or opener == "sa" and fold not in _ro_subjunctives()) and fold in _RO_FIRST_SINGULAR_TOO:
                verb = None  # "să vă trimit": after "să" the third person would be "trimită"; this is "I"
            weak_ok = verb is not None and negated and fold not in ("e", "este", "fie", "a", "au", "era")
            third = verb is not None and (not verb.weak or weak_ok) and _fold_ro(verb.you) != fold or verb is None and \
                _ro_by_rule(tok, subjunctive=False, verb_slot=True, after_nu=False) is not None
            inverted = opener == "cum" and bool(re.search(  # "cum arată meniul": its subject follows
                r"(?:ul|ului|ele|ile|ii|a)$", _fold_ro(_ro_next_word(tokens, i))))
            if third and not inverted and not _ro_postverbal_subject(tokens, i):
                found.append(f"no subject before {tok!r}")  # "și pierde clienți": the client's, in the 3rd person
        if _RO_CLIENT_CLITIC.match(tok) and not (fold == "lui" and i + 1 < len(tokens) and tokens[i + 1][:1].isupper()):
            found.append(tok)  # "i-am pus-o", "îi trimitem", "site-ul lui": to him/her, his/her
        elif fold in ("el", "ea") and (not i or before in _RO_COORD or before in ("ca", "cand", "daca") or
                                       tokens[i - 1] in _BOUNDARY):
            found.append(tok)  # the client as subject: the verb after it is in the third person
        if re.match(r"^(?:l|i|le|o)-(?:a|au)$", fold) and _fold_ro(_ro_word_before(tokens, i)) == "care":
            found.append(f"whose is {tok!r}")  # "webinarul pe care l-a plătit": the client's or someone else's
    found.extend(_ro_bare_first_verb(tokens, own))
    return found


#: Verbs after "se" that make no person's reflexive: "se pare că", "se vede că", "se cere avans".
_RO_IMPERSONAL_SE = {"pare", "vede", "poate", "intampla", "stie", "aude", "observa", "vinde", "strica", "rupe", "sterge",
                     "misca", "aplica", "percepe", "cuvine", "pune"}
#: Verbs a Romanian draft may open with in the third person: they go with what follows ("a venit coletul").
_RO_OPEN_OK = {"a", "au", "e", "este", "era", "erau", "fie", "s-a", "s-au", "n-a", "n-au"}


def _ro_bare_first_verb(tokens: list[str], own: bool = False) -> list[str]:
    """A third-person verb the draft opens with, past "nu"/"mai" and a clitic, when nothing says whose it is:
    "mă sună noaptea" left as typed ("mă sunați"). After "vă" the client is the object and the verb a
    thing's ("vă costă bani")."""
    for tok in tokens:
        if not _is_word(tok):
            if tok.strip():
                return []
            continue
        fold = _fold_ro(tok)
        if fold in ("va", "vi") or fold.startswith("v-"):
            return []
        if fold == "se":  # "se vaită că ...": a reflexive left in the third person, unless impersonal ("se pare")
            nxt = _fold_ro(next((t for t in tokens[tokens.index(tok) + 1:] if _is_word(t)), ""))
            if nxt not in _ro_verbs() and nxt not in _RO_IMPERSONAL_SE and not nxt.endswith("ti"):
                return [f"no subject before 'se {nxt}'"]
            continue  # "se simte păcălit": the verb of the table is looked at next, as without "se"
        if fold in ("nu", "mai", "ma", "ne", "imi", "mi", "ni", "se", "o", "il", "ii", "le", "isi", "tot", "iar", "deja",
                    "chiar") or re.match(r"^(?:m|n|l|i|s)-$", fold):
            continue
        verb = _ro_verbs().get(fold)
        if own and fold in _RO_FIRST_SINGULAR_TOO:
            return []  # the user's own plan: "îi trimit" is "I send"
        if verb is not None and fold not in _RO_OPEN_OK and _fold_ro(verb.you) != fold:
            return [f"no subject before {tok!r}"]
        return []
    return []


# -- Romanian -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RoVerb:
    you: str
    weak: bool


@cache
def _ro_verbs() -> dict[str, _RoVerb]:
    """Third-person form (folded, no diacritics) -> the dumneavoastră form, from ro_verbs.yaml: its hand-kept
    rows first (their weak marks win), then the rows generated from verbecc (benchmarks/ro_verbs_table.py)."""
    text = (resources.files("content") / "paraphrase" / "ro_verbs.yaml").read_text(encoding="utf-8")
    table: dict[str, _RoVerb] = {}
    data = yaml.safe_load(text)
    for row in [*data["verbs"], *data.get("generated", [])]:
        weak = row.startswith("~")
        sg, pl, you, _subj = (c.strip() for c in row.lstrip("~").split("|"))
        for form in (sg, pl):
            if form != "-":
                table.setdefault(_fold_ro(form), _RoVerb(you, weak))
    return table


@cache
def _ro_verb_forms() -> dict[str, frozenset[str]]:
    """Folded form -> the verb forms of ro_verbs.yaml it stands for, as written with diacritics ("comanda" ->
    {"comandă"}): in text typed with diacritics, "comanda" (the order) is no verb."""
    text = (resources.files("content") / "paraphrase" / "ro_verbs.yaml").read_text(encoding="utf-8")
    forms: dict[str, set[str]] = {}
    data = yaml.safe_load(text)
    for row in [*data["verbs"], *data.get("generated", [])]:
        for form in (c.strip() for c in row.lstrip("~").split("|")):
            if form != "-":
                forms.setdefault(_fold_ro(form), set()).add(form.lower())
    return {k: frozenset(v) for k, v in forms.items()}


@cache
def _ro_subjunctives() -> dict[str, _RoVerb]:
    """Subjunctive third-person form (folded) -> the dumneavoastră form: read as a verb only after "să",
    where nothing else stands ("scuze" is apologies, "să scuze" a verb)."""
    text = (resources.files("content") / "paraphrase" / "ro_verbs.yaml").read_text(encoding="utf-8")
    table: dict[str, _RoVerb] = {}
    data = yaml.safe_load(text)
    for row in [*data["verbs"], *data.get("generated", [])]:
        *_, you, subj = (c.strip() for c in row.lstrip("~").split("|"))
        if subj != "-":
            table.setdefault(_fold_ro(subj), _RoVerb(you, row.startswith("~")))
    return table


#: Third-person plurals that are also the first-person singular ("pot": they can / I can).
_RO_FIRST_SINGULAR_TOO = {"pot", "cer", "cred", "zic", "spun", "stiu", "vad", "fac", "merg", "vin", "tin", "primesc",
                          "doresc", "folosesc", "gandesc", "simt", "pretind", "trimit", "raspund", "inteleg", "scriu",
                          "dau", "iau", "plang", "tem", "platesc", "pierd"}
#: After these (a form of "a putea", the future and conditional auxiliaries) a verb is an infinitive:
#: "nu poate intra", "va deschide" keep it as it is.
_RO_BEFORE_INFINITIVE = {"poate", "pot", "puteti", "putea", "puteau", "va", "vor", "veti", "ar", "ati", "vom", "voi"}


_RO_SKIP = {"nu", "mai", "tot", "și", "si", "chiar", "deja", "încă", "inca", "doar", "mereu", "iar", "acum", "nici", "n-o",
            "deloc", "cam", "totuși", "totusi", "le", "ne", "ni", "mi", "îmi", "imi", "ne-", "o", "îl", "il", "îi",
            "ii", "vă"}
_RO_COORD = {"și", "si", "dar", "iar", "însă", "insa", "sau", "ori"}
_RO_CLAUSE = {"că", "ca", "să", "sa", "dacă", "daca", "când", "cand", "care", "ce", "unde", "deși", "desi", "fiindcă",
              "pentru", "cum", "încât"}
_RO_CLITIC_PRO = {"îl": "vă", "il": "vă", "îi": "vă", "ii": "vă", "li": "vi"}
_RO_PERSONAL = {"el", "ea", "ei", "ele"}
_RO_FIRST = re.compile(r"^(?:am|suntem|eu|noi|ne|(?:\w+(?:ăm|em|im|îm|am)))$", re.I)


@cache
def _ro_diacritics() -> dict[str, tuple[str, ...]]:
    """Folded word -> the forms with diacritics a writer may have meant, likeliest first (one form: sure),
    from ``ro_diacritics.txt`` (built from wordfreq's Romanian list by benchmarks/ro_diacritics_table.py)."""
    text = (resources.files("content") / "paraphrase" / "ro_diacritics.txt").read_text(encoding="utf-8")
    table: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            folded, *forms = line.split()
            table[folded] = tuple(forms)
    return table


_RO_LETTERS_MARKED = re.compile(r"[ăâîșțĂÂÎȘȚ]")
#: After these a noun has no article when nothing follows it ("de la nuntă", "o nuntă", "fiecare dimineață").
_RO_INDEFINITE = {"o", "nicio", "vreo", "fiecare", "orice", "altă", "alta", "aceeași", "aceeasi", "singură",
                  "singura", "oricare"}
#: A sentence that only says how the complaint came ("managerul lor ne-a trimis un mesaj vocal"): left out.
_RO_MESSAGE_CAME = re.compile(r"^(?:[\w-]+\s+){0,3}(?:m|ne|mi)-(?:a|au)\s+(?:trimis|lăsat|lasat|scris|dat)\s+(?:și\s+|si\s+)?"
                              r"(?:un\s+|niște\s+|niste\s+)?(?:mesaj|mesaje|mail|mailuri|e-mail|email|sms)(?:\s+vocal|\s+lung)?"
                              r"(?:\s+(?:azi|ieri|aseară|aseara|noaptea|dimineață|dimineata))?$", re.I)
#: Participles after "s-a" that only a person's reflexive has: "s-a răzgândit", "s-a supărat".
_RO_PERSON_REFLEXIVE = {"razgandit", "suparat", "enervat", "plans", "hotarat", "speriat", "saturat", "inscris",
                        "grabit", "obisnuit", "gandit", "adresat", "angajat", "infuriat", "ofticat",
                        "razbunat", "lamurit", "convins", "indignat", "revoltat", "certat"}
#: Verbs whose subject after a place is a thing or nobody: "pe site scrie altceva", "în factură apare".
_RO_PLACE_VERBS = {"scrie", "apare", "reiese", "figureaza", "lipseste", "lipsesc", "exista", "merge", "functioneaza",
                   "costa", "dureaza"}
#: A second "says that" after "și" inside the answer: its link to what came before is the writer's to say.
_RO_INNER_SAY = re.compile(r"(?<=\w)\s+(?:și|si)\s+(?:zice|spune|zic|spun)\s+(?:că|ca)(?![\w-])", re.I)
_RO_QUESTION = re.compile(r"^(?:de\s+ce|cum|când|cand|cine|unde|cât|cat|câte|cate|câți|cati|ce)(?![\w-])", re.I)
#: Prepositions only (folded): a word after one is in its phrase, no subject ("de o săptămână", "la noi").
_RO_PREP_ONLY = frozenset({"la", "de", "cu", "in", "pe", "din", "fara", "dupa", "pentru", "spre", "prin", "despre",
                           "pana", "sub", "intre", "langa", "catre", "contra"})
_RO_PREP_FOLDED = frozenset({"la", "de", "cu", "in", "pe", "din", "fara", "dupa", "pentru", "spre", "prin", "despre",
                             "pana", "sub", "intre", "langa", "catre", "contra", "decat", "ca", "si", "nici", "sau"})
_RO_PREPOSITIONS = {"la", "de", "cu", "în", "in", "pe", "din", "fără", "fara", "după", "dupa", "pentru", "spre",
                    "prin", "despre", "până", "pana", "sub", "între", "intre", "dintr", "într", "intr"}
#: After a noun, these make it definite ("de la nunta noastră", "cu poza pe care ...").
_RO_DEFINITE_NEXT = re.compile(r"^(?:\w+(?:oas[aă]|it[aă]|at[aă]|ut[aă]|ic[aă]|al[aă]|esc[aă]|ist[aă]|iv[aă])|"
                               r"mea|meu|ta|tău|tau|sa|său|sau|noastră|noastra|nostru|voastră|voastra|"
                               r"dumneavoastră|dumneavoastra|lui|ei|lor|pe|care|acesta|aceasta|asta|respectiv[aă]?|"
                               r"\w+(?:ului|ilor|elor))$")
#: After "ca" these make it the "ca" of a comparison or "in order to" ("ca la început", "ca mine").
_RO_CLAUSE_CA_BEFORE = re.compile(r"^(?:la|pe|un|o|mine|noi|el|ea|ei|atunci|inainte|si|sa|ieri|azi|de)$")
_RO_THAT_AFTER = re.compile(r"^(?:pentru|pt|ptr|faptul|așa|asa|atât|atat|sigur[aă]?|convins[aă]?|convinși|convinsi|impresia|\w+(?:at|ată|ata|"
                            r"ați|ati|ate|it|ită|ita|iți|iti|ut|ută|uta|uți|uti|os|oasă|oasa|oși|osi|ește|este|ează|"
                            r"eaza|ăște|aste|ede|ice|une|ine|ie|ă|a))$")


def _ro_restore_diacritics(core: str) -> tuple[str, set[str]]:
    """Puts back the diacritics of Romanian typed without any ("e furios si vrea banii inapoi" -> "e furios
    și vrea banii înapoi"), word by word from `_ro_diacritics`: the accepted drafts have them, and a draft
    half with and half without would read as careless. Text with any diacritic is left as typed (the
    writer chose). An ambiguous word is settled by context where Romanian grammar does ("ca": "că" after a
    verb or adjective, "ca" before "să"/"și"; "nunta": "o nuntă", "de la nuntă", else "nunta"); otherwise
    left as typed and returned among the unsettled words ("fata": față/fața/fată, "tipa": țipă/tipa): the
    draft falls back if one of them is still in it (one in the opening that goes does no harm), so a wrong
    word never reaches the client. Words not in the table (names, rare words) stay as typed."""
    unsettled: set[str] = set()
    if _RO_LETTERS_MARKED.search(core):
        return core, unsettled
    table = _ro_diacritics()
    tokens = _tokens(core)
    words = [i for i, t in enumerate(tokens) if _is_word(t)]
    out = list(tokens)
    indefinite = False  # the word before was settled as a noun without article ("o poză" -> "nouă")
    say = _fold_ro_set("say") | {"scris", "zis", "spus", "plans", "repetat"}
    for n, i in enumerate(words):
        # a verb of saying a few words back ("ne-a scris pe facebook ca ..."): a "ca" after it is "că"
        said = any(_fold_ro(tokens[w].lower()) in say for w in words[max(0, n - 4):n])
        prev = tokens[words[n - 1]].lower() if n and words[n - 1] == i - 2 and tokens[i - 1].isspace() else ""
        if prev in ("o", "il", "le", "ii", "ne", "va", "ma", "te", "mi", "ni", "vi", "li") and n > 1 and \
                _fold_ro(tokens[words[n - 2]].lower()) == "sa":
            prev = "sa"  # "să o sunam": the verb after "să" and a clitic is still its subjunctive
        nxt = tokens[words[n + 1]].lower() if n + 1 < len(words) and words[n + 1] == i + 2 and \
            tokens[i + 1].isspace() else ""
        parts = tokens[i].split("-")
        for k, part in enumerate(parts):
            forms = table.get(part.lower())
            if not forms and len(part) > 3:
                forms = _ro_i_for_a(part.lower())  # "intirziat": the "î" of the old spelling typed as "i"
            if not forms and len(part) > 5 and part.lower().endswith(("eaza", "easca")):
                forms = (part.lower()[:-1] + "ă",)  # "printeaza": -ează and -ească take no other spelling
            if not forms and k == 0 and (_fold_ro(prev).split("-")[0] == "sa" or _fold_ro(prev) in (
                    "nu-i", "nu-l", "nu-le", "il", "ii", "le")) and part.lower().endswith("am") and \
                    len(part) > 4:
                forms = (part.lower()[:-2] + "ăm",)  # "să-l sunam" -> "să-l sunăm": after "să", never the imperfect
            if not forms:
                continue
            if part.lower() == "doua" and _fold_ro(prev) == "a" and k == 0:
                continue  # "a doua zi": the ordinal keeps its "a"
            if len(forms) == 1 and _ro_noun_in_a(part.lower(), forms[0]):
                forms = (forms[0], forms[0][:-1] + "a")  # "centrala": the table knows only "centrală"
            if _ro_article_pair(forms) and k == len(parts) - 1 and i + 2 < len(tokens) and tokens[i + 1] == " " and \
                    tokens[i + 2][:1].isdigit():
                forms = tuple(f for f in forms if f.endswith("ă"))  # "rezistă 5 ani", "costă 300": a verb before a number
            try:
                form = forms[0] if len(forms) == 1 else _ro_settle(part.lower(), forms, prev if k == 0 else "", nxt,
                                                                   indefinite and k == 0, said)
            except _Unsure:
                unsettled.add(part.lower())
                continue
            parts[k] = _same_case(part, form) if part[:1].isupper() and not part.isupper() else \
                form.upper() if part.isupper() and len(part) > 1 else form
        joined = "-".join(parts)
        indefinite = joined.endswith("ă") and _ro_article_pair(table.get(tokens[i].lower(), ())) is not None
        out[i] = joined
    return "".join(out), unsettled


#: Prefixes after which "î" stays inside a word ("neîncredere", "reînnoiește", "bineînțeles").
_RO_I_PREFIXES = frozenset({"ne", "re", "pre", "bine", "sub", "supra", "semi", "auto", "anti", "dez", "des", "între",
                            "ori", "post", "contra"})
_RO_OLD_SUNT = {"sînt": "sunt", "sîntem": "suntem", "sînteți": "sunteți", "sinteti": "sunteți"}
_RO_WORD = re.compile(r"[^\W\d_]+", re.U)


def _ro_modern_spelling(core: str) -> str:
    """Romanian in today's spelling, which the accepted drafts use: "î" inside a word is "â" ("pînă" ->
    "până", "decît" -> "decât", "mîine" -> "mâine"; the diacritics table, built from web text, and writers
    from Moldova keep the older "î"), except at the start of a word or of a stem after a prefix
    ("neîncredere", "reîntâlnire"); "sînt" -> "sunt". Words without "î" are returned unchanged."""
    def modern(match: re.Match[str]) -> str:
        word = match.group(0)
        low = word.lower()
        if low in _RO_OLD_SUNT:
            return _same_case(word, _RO_OLD_SUNT[low])
        if "î" not in low[1:]:
            return word
        letters = list(word)
        for k in range(1, len(word)):
            if low[k] == "î" and low[:k] not in _RO_I_PREFIXES:
                letters[k] = "Â" if word[k].isupper() else "â"
        return "".join(letters)
    return _RO_WORD.sub(modern, core)


_RO_POLITE = {"dânsul": "el", "dumnealui": "el", "dânsa": "ea", "dumneaei": "ea", "dânșii": "ei", "dânsele": "ele",
              "dumnealor": "ei", "dansul": "el", "dansa": "ea", "dansii": "ei", "dansele": "ele"}
_RO_POLITE_RE = re.compile(r"(?<![\w-])(?:" + "|".join(_RO_POLITE) + r")(?![\w-])", re.I)


def _ro_polite_pronouns(core: str) -> str:
    """The polite third-person pronouns as the plain ones ("dânsul/dumnealui" -> "el", "dânsa/dumneaei" ->
    "ea", "dânșii/dumnealor" -> "ei"): the rewrite knows "el"/"ea"/"ei" as the client and turns them to
    "dumneavoastră"; left as typed they would talk about the client in the third person."""
    return _RO_POLITE_RE.sub(lambda m: _same_case(m.group(0), _RO_POLITE[m.group(0).lower()]), core)


def _ro_i_for_a(word: str) -> tuple[str, ...]:
    """The forms of ``word`` (folded, not in the table) typed with "i" for an "â" inside it ("intirziat" ->
    "întârziat", "strimb" -> "strâmb"): only forms the table has with "â" where the "i" stood; () if none."""
    table = _ro_diacritics()
    found: list[str] = []
    for k in range(1, len(word) - 1):
        if word[k] != "i":
            continue
        candidate = word[:k] + "a" + word[k + 1:]
        found.extend(f for f in table.get(candidate, ()) if len(f) == len(word) and f[k] == "â")
    return tuple(dict.fromkeys(found))


def _ro_noun_in_a(typed: str, form: str) -> bool:
    """Whether ``typed`` (no diacritics, ending in -a) may be the noun with its article as well as ``form``, the
    one form the table knows, ending in -ă ("centrala": "centrală" or "centrala"): not for verbs ("lucreaza"),
    participles and adjectives ("stricata", "frumoasa"), whose -ă the table has right."""
    return typed.endswith("a") and form.endswith("ă") and len(typed) > 4 and _fold_ro(form) == typed and \
        typed not in _ro_verbs() and typed not in ("noastra", "voastra", "dumneavoastra", "aceasta", "asta", "doua") and \
        not re.search(r"(?:ată|ită|ută|âtă|să|oasă|eaţă|ească|ează)$", form)


def _ro_article_pair(forms: tuple[str, ...]) -> str | None:
    """The stem when ``forms`` are one noun with and without its article ("nunta"/"nuntă" -> "nunt")."""
    if len(forms) == 2 and len(forms[0]) > 3 and forms[0][:-1] == forms[1][:-1] and {forms[0][-1], forms[1][-1]} == {"a", "ă"}:
        return forms[0][:-1]
    return None


def _unsettled_left(core: str, unsettled: set[str]) -> str:
    """Why the draft cannot be sent: a word whose diacritics could not be settled is still in it."""
    left = sorted(w for w in unsettled if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w])", core, re.I))
    return f"diacritics of {', '.join(left)} unsettled" if left else ""


def _ro_settle(folded: str, forms: tuple[str, ...], prev: str, nxt: str, after_indefinite: bool = False,
               said: bool = False) -> str:
    """The form of an ambiguous word (see `_ro_restore_diacritics`) between ``prev`` and ``nxt`` (the words
    as typed; "" at a boundary); ``after_indefinite``: the word before was settled as a noun without article
    ("o poză nouă": its adjective takes -ă too); ``said``: a verb of saying stands a few words before. A verb
    form is settled by what grammar allows before it: the infinitive after "poate"/"va" ("poate da"), the
    present after a clitic ("își caută", "ne dă"), the subjunctive (never the imperfect) after "să"
    ("să-l întrebăm"). Raises `_Unsure`."""
    prev_typed = _fold_ro(prev)
    prev, nxt = _fold_ro(prev.split("-")[0]), _fold_ro(nxt.split("-")[0])
    if folded == "ca":
        if nxt in ("sa", "si") or prev in ("fel", "decat", "mai", "tot"):
            return "ca"
        if not prev or _RO_THAT_AFTER.match(prev) or prev in _fold_ro_set("say") or prev in _fold_ro_set("stance") or \
                said and not _RO_CLAUSE_CA_BEFORE.match(nxt):
            return "că"
        raise _Unsure("ca or că")
    infinitive = [f for f in forms if f.endswith("a") and not f.endswith("ă")]
    present = [f for f in forms if f.endswith("ă")]
    if prev_typed in _RO_BEFORE_INFINITIVE and len(infinitive) == 1 and len(present) == 1:
        return infinitive[0]  # "nu poate da", "va căuta"
    if prev_typed in ("isi", "se", "il", "ii", "ne", "le", "ma", "te", "va") and len(present) == 1 and len(infinitive) == 1:
        return present[0]  # "își caută", "ne dă"
    subjunctive = [f for f in forms if f.endswith("ăm")]
    if (prev == "sa" or prev_typed in ("il", "ii", "le", "nu-i", "nu-l", "nu-le", "nu-mi")) and len(subjunctive) == 1:
        return subjunctive[0]  # "să-l întrebăm": after "să", never the imperfect "întrebam"
    if folded == "doua" and prev == "a":
        return "doua"  # "a doua zi": the ordinal
    if folded == "fata":
        raise _Unsure("fata: față, fața or fata (the girl)")  # "fata de la recepție", "față de ofertă"
    stem = _ro_article_pair(forms)
    if stem is not None and folded in _ro_verbs() and prev in ("ca", "si", "nu", "daca", "cand", "mai", "tot"):
        return stem + "ă"  # "că rezistă", "nu mai lucrează": a verb after "că"/"nu", not a noun with its article
    if stem is not None and re.search(r"\w{3,}(?:ele|ile|ul)$", prev) and prev not in _RO_NP_STOP:
        return stem + "ă"  # "fișierele sursă", "codul sursă": a noun right after a noun with its article
    if stem is not None:
        if prev in _RO_INDEFINITE or (prev in _RO_PREPOSITIONS and not _RO_DEFINITE_NEXT.match(nxt)) or \
                after_indefinite:
            return stem + "ă"
        return stem + "a"
    raise _Unsure(f"diacritics of {folded!r}: {'/'.join(forms)}")


@cache
def _fold_ro_set(key: str) -> frozenset[str]:
    """The single words of a Romanian lexicon list, folded."""
    return frozenset(_fold_ro(p) for p in _lexicon()["ro"][key] if " " not in p)


@cache
def _ro_people() -> frozenset[str]:
    """Folded words naming people (the client, third parties, "doamna", "mecanicul"): never the thing a
    clitic takes up."""
    lex = _lexicon()["ro"]
    words = [*lex["subjects"], *lex["client_words"], *lex["third_parties"], *lex.get("people", [])]
    return frozenset(_fold_ro(w) for w in words if " " not in w)


def _ro_things_before(text: str) -> set[str]:
    """The kinds of things named in ``text`` that an accusative clitic after it could take up: "m" ("-ul",
    "un ...": îl/-l), "f" ("-a" after a consonant, "o ...ă": o/-o), "pl" ("-ele", "-ile", "-urile": le). People
    and verb forms are no things. Words as written (the diacritics restored): "arată" is a verb, "macheta" a
    thing."""
    found: set[str] = set()
    for match in re.finditer(r"(?<![\w-])(?:(o|un)\s+)?([^\W\d_][\w-]*)(?![\w-])", text):
        article, word = match.group(1), match.group(2).lower()
        fold = _fold_ro(word)
        if fold in _ro_people() or word in _ro_verb_forms().get(fold, ()) or fold in _RO_NP_STOP:
            continue  # "comanda" as written is the order; "comandă" the verb
        if article == "un" and len(fold) > 2 or re.fullmatch(r"[\w-]{3,}ul", fold):
            found.add("m")
        elif article == "o" and word.endswith("ă") or re.fullmatch(r"\w{2,}(?:[^ăaeiouâî\W]|i)a", word):
            found.add("f")
        elif re.fullmatch(r"\w{3,}(?:ele|ile)", fold):
            found.add("pl")
    return found


@cache
def _ro_verb_stems(key: str) -> tuple[str, ...]:
    """Folded stems of a lexicon verb list: "person_verbs" (done to people: "sunăm", "anunțat", "întrebăm") or
    "thing_verbs" (done to things: "refacem", "tipărim")."""
    return tuple(_fold_ro(s) for s in _lexicon()["ro"].get(key, []))


_RO_CLITIC_GENDER = {"l": "m", "il": "m", "îl": "m", "o": "f", "le": "pl"}
#: Words after a verb that are no direct object of it: "să le refacem până luni" takes up the things.
_RO_NOT_OBJECT = {"înapoi", "inapoi", "gratis", "gratuit", "imediat", "acum", "azi", "mâine", "maine", "iar", "deja",
                  "jos", "repede", "urgent", "din", "nou", "la", "loc", "înainte", "inainte"}


@cache
def _ro_not_object() -> frozenset[str]:
    """Folded words that open no direct object after a verb: prepositions, conjunctions, adverbs."""
    return frozenset(_fold_ro(w) for w in (*_RO_PREPOSITIONS, *_RO_COORD, *_RO_CLAUSE, *_RO_NOT_OBJECT))


def _ro_clitic_is_thing(before: str, clitic: str, verb: str, after: str = "", client: str | None = None) -> bool:
    """Whether the accusative ``clitic`` ("l", "îl", "o", "le") on ``verb`` takes up a thing named in ``before``
    ("bannerul e strâmb și vreți să-l refacem"): True for a verb done to things (lexicon thing_verbs); False
    when no thing of its gender and number was named before or the verb is done to people ("macheta ... să o
    sunăm" is the client); raises `_Unsure` for any other verb after such a thing ("oferta ... o ignorăm").
    "le" with an object of its own after the verb ("să le trimitem factura") is the dative "to them": not the
    things (False). A dative ("i", "îi", "li") is never a thing. ``client``: the client's kind as `_Lead` gives it;
    a client of the clitic's own gender with such a thing named ("clienta ... rochia ... să o refacem") is
    `_Unsure` even after a verb done to things."""
    gender = _RO_CLITIC_GENDER.get(_fold_ro(clitic.lower()).strip("-"))
    nxt = re.match(r"\s*([^\W\d_][\w-]*)", after)
    has_object = nxt is not None and _fold_ro(nxt.group(1).lower()) not in _ro_not_object()
    if gender is not None and _fold_ro(verb.lower()).startswith(_ro_verb_stems("thing_verbs")) and \
            not (gender in ("m", "f") and gender == client and gender in _ro_things_before(before)):
        # "tre să-l schimbăm", "să o refacem": things are redone and reprinted, people are not; but "să le refacem
        # tot modulul": "le" with an object of its own is "to them"
        return not (gender == "pl" and has_object)
    if gender is None or gender not in _ro_things_before(before):
        return False
    if gender == "pl" and has_object:
        return False  # "pliantele ... să le trimitem factura": "to them", whoever they are
    if _fold_ro(verb.lower()).startswith(_ro_verb_stems("person_verbs")):
        return False  # "afișul e gata, dar nu l-am anunțat": people are called, not posters
    # any other verb: the thing or the client, and nothing to tell them apart
    raise _Unsure(f"{clitic}: the client or the thing named before")


def _ro_check_her_thing(core: str, client_form: str | None) -> None:
    """Raises `_Unsure` when an accusative clitic on our verb in the second or a later sentence of a longer
    answer ("... macheta. ... vreți să o refacem") could take up a thing named in an earlier sentence: each
    sentence is rewritten on its own and would not see it."""
    sentences = re.split(r"(?<=[.!?…])\s+", core)
    for k in range(1, len(sentences)):
        for match in _RO_OUR_CLITIC.finditer(sentences[k]):
            clitic, verb = _ro_clitic_groups(match)
            if _fold_ro(verb.lower()).startswith(_ro_verb_stems("thing_verbs")):
                continue  # kept as the thing by the rewrite of its own sentence
            if _RO_CLITIC_GENDER.get(_fold_ro(clitic.lower())) in _ro_things_before(" ".join(sentences[:k])):
                raise _Unsure(f"{clitic}: the client or the thing named before")


#: An accusative or dative clitic on our own verb: "să-l refacem", "o corectăm", "nu-l sunăm", "am trimis-o",
#: "l-am refăcut" (groups ``c`` the clitic, ``v`` the verb).
_RO_OUR_CLITIC = re.compile(
    r"(?<![\w-])(?:(?:să|sa|nu)-(?P<c1>l|o|i)\s+|s-(?P<c2>o)\s+|(?P<c3>o|îl|il|le)\s+)(?P<v1>\w+(?:ăm|em|im|îm))\b"
    r"|(?<![\w-])(?P<c4>l|le)-am\s+(?P<v2>\w+)|(?<![\w-])(?:am|ai|ați|ati)\s+(?P<v3>\w+)-(?P<c5>o|l)(?![\w-])", re.I)


def _ro_clitic_groups(match: re.Match[str]) -> tuple[str, str]:
    """The clitic and the verb of a match of `_RO_OUR_CLITIC`."""
    clitic = next(g for g in (match.group(n) for n in ("c1", "c2", "c3", "c4", "c5")) if g)
    verb = next(g for g in (match.group(n) for n in ("v1", "v2", "v3")) if g)
    return clitic, verb


def _rewrite_ro(core: str, led: bool, client_form: str | None = None, typed_marks: bool = True,
                own: bool = False) -> str:
    """The Romanian core spoken to the client (see the module docstring); ``typed_marks``: the user typed
    diacritics, so a word without them is meant so ("comanda": the order, not "comandă"); ``own``: the user's
    own words (a plan), so a verb that is the first person singular too ("trimit") is the user's, and a
    clitic before it ("îi trimit") is the client: "vă trimit". Raises `_Unsure`."""
    # enclitics on our own verbs: "nu am anunțat-o" -> "nu v-am anunțat", "să-l anunțăm" -> "să vă anunțăm";
    # "-o"/"s-o" is her and "-l"/"îl" him: with a client of the other gender (or several) it is a thing
    if _RO_QUESTION.match(core) or "?" in core:
        raise _Unsure("a question")  # "zice că de ce n-am anunțat-o": the client asks; the frame says, it does not ask
    if client_form is None:  # "clienta ..." was made "ea ..." (`_client_subject_to_pronoun`)
        client_form = {"ea": "f", "ei": "pl", "ele": "pl"}.get(_fold_ro(core.split(" ", 1)[0]))
    him_thing = re.search(r"(?<![\w-])(?<!care )(?:nu-l|îl|il)\s+[\w-]+\s+(?:nimeni|cineva)(?![\w-])", core, re.I)
    if him_thing and client_form in (None, "m") and any(
            w.endswith("ul") and len(w) > 4 and not _lexicon_re("ro", "client_words").fullmatch(w)
            for w in _fold_ro(core[:him_thing.start()]).split()):
        raise _Unsure("l: the client or the thing named before")  # "videoclipul ... nu-l urmărește nimeni"
    her, him = _ro_clitic_fits("f", client_form), _ro_clitic_fits("m", client_form)
    acc = "|".join([*(["o"] if her else []), *(["l"] if him else []), "i"])

    def to_you(pattern: str, template: str, text: str) -> str:
        # the clitic (group c) on the verb (group v) goes to "vă" unless it takes up a thing named before it
        def repl(m: re.Match[str]) -> str:
            if _ro_clitic_is_thing(text[:m.start()], m.group("c"), m.group("v") or "", text[max(m.end(), m.end("v")):],
                                   client_form):
                return m.group(0)
            return m.expand(template)
        return re.sub(pattern, repl, text, flags=re.I)
    core = to_you(r"(?<![\w-])n-am\s+(?P<v>\w+)-(?P<c>" + acc + r")(?![\w-])", r"nu v-am \g<v>", core)
    core = to_you(r"(?<![\w-])(?P<a>am|ai|ați|ati)\s+(?P<v>\w+)-(?P<c>" + acc + r")(?![\w-])", r"v-\g<a> \g<v>", core)
    # someone else's past verb: "nu a anunțat-o nimeni" -> "nu v-a anunțat nimeni" (not "pe care a cumpărat-o")
    core = to_you(r"(?<![\w-])(?<!care )(?<!care nu )a\s+(?P<v>\w+)-(?P<c>" + acc + r")(?![\w-])", r"v-a \g<v>", core)
    core = to_you(r"(?<![\w-])(?P<s>să|sa)-(?P<c>" + acc + r")\s+(?=(?P<v>\w+(?:ăm|am|em|im|îm))\b)", r"\g<s> vă ", core)
    # "să-i trimit": our first-person singular after "să" (the third person would be "trimită"), "i" the client
    core = re.sub(r"(?<![\w-])(să|sa)-i\s+(?=([\w-]+))",
                  lambda m: f"{m.group(1)} vă " if _fold_ro(m.group(2).lower()) in _RO_FIRST_SINGULAR_TOO else m.group(0),
                  core, flags=re.I)
    if her:
        core = to_you(r"(?<![\w-])s-(?P<c>o)\s+(?=(?P<v>\w+(?:ăm|am|em|im|îm))\b)", "să vă ", core)
    core = to_you(r"(?<![\w-])nu-(?P<c>" + acc + r")\s+(?=(?P<v>\w+(?:ăm|em|im|îm))\b)", "nu vă ", core)
    if her or him:  # "o ignorăm"
        core = to_you(r"(?<![\w-])(?P<c>" + "|".join([*(["o"] if her else []), *(["îl", "il"] if him else [])]) +
                      r")\s+(?=(?P<v>\w+(?:ăm|em|im|îm))\b)", "vă ", core)
    if client_form == "pl":  # "le" is them: "nu le-am dat-o" -> "nu v-am dat-o"
        core = to_you(r"(?<![\w-])(?P<c>le)-(?=\w+(?:\s+(?P<v>[\w-]+))?)", "v-", core)
        core = to_you(r"(?<![\w-])(?P<c>le)(?=\s+(?P<v>\w+(?:ăm|em|im|îm))\b)", "vă", core)
    if led:  # "zice că ... și că e dezamăgit": the second "că" hangs on the opening that went
        core = re.sub(r"(?<![\w-])(și|si)\s+(?:că|ca)(?![\w-])", r"\1", core, flags=re.I)
    # "nu i s-a trimis factura", "rochia nu i se potrivește": the dative before an impersonal reflexive
    core = re.sub(r"(?<![\w-])(?:i|li)\s+(?=(?:se|s-a|s-au)(?![\w-]))", "vi ", core, flags=re.I)
    tokens = _tokens(core)
    verbs = _ro_verbs()
    marked = typed_marks
    first_word = next((i for i, t in enumerate(tokens) if _is_word(t)), -1)  # "e furios și ...": the client
    # the first word past "nu"/"mai": "nu e mulțumit de ...", "nu mai are încredere" open with the client's verb
    first_verb = next((i for i, t in enumerate(tokens) if _is_word(t) and _fold_ro(t) not in ("nu", "mai")), -1)
    pending_le: list[int] = []  # "le" before a verb: the things when the verb is the client's
    clause_word = ""
    said_by_client = False  # the clause follows "că" after a verb of the client's ("amenințați că ...")
    relative_of_client = False  # a "care" clause right after the client's own verb ("ați primit linkul pe care ...")
    third: set[str] = set()  # number and gender of the third parties named so far (see `_could_be`)
    subject: str | None = None
    coord, at_start = False, True
    pending_clitic: list[int] = []
    before_coord: str | None = None  # the subject of the clause before "și" ("interpretul a întârziat și a plecat")
    in_relative = False  # inside "care ...": its verb's subject is not the main clause's ("mașina pe care a ...")
    must = False  # after an impersonal "trebuie să": the verb's subject is the clause's
    expect_verb = False  # the client's subject pronoun went: the next word that is no adverb is its verb
    future = False  # after "o să": the verb that follows is the clause's own, in the subjunctive
    place_first = False  # the clause opened with a place or time ("pe site", "de o săptămână")
    if_verbs = -1  # verbs seen in a "dacă" clause (-1: not in one); a second starts the main clause unmarked

    def count_if_verb(word: str) -> None:
        nonlocal if_verbs
        if if_verbs >= 0:
            if_verbs += 1
            if if_verbs > 1:  # "dacă nu vă dăm banii înapoi ne dau în judecată": whose is "dau"
                raise _Unsure(f"{word!r}: the main clause after 'dacă' without a comma")
    for i, tok in enumerate(tokens):
        if not _is_word(tok):
            if tok.strip() in _BOUNDARY:
                place_first = False
                # "dacă nu terminăm până vineri, nu ne mai plătește": after the "dacă" clause the main one opens
                at_start = at_start or tok.strip() == "," and if_verbs >= 0
                subject, coord, in_relative, if_verbs = None, False, False, -1
                at_start = at_start or tok.strip() in (".", "!", "?")
            continue
        fold = _fold_ro(tok)
        if fold in ("lui", "ei", "lor") and _third_party(tokens, _ro_word_index_before(tokens, i), "ro"):
            tokens[i] = "dumneavoastră"  # "soțul ei": the client's own people, named by the client's possessive
            continue
        if fold in ("lui", "ei", "lor") and i >= 2 and _is_word(tokens[i - 2]) and \
                {"lui": "m", "ei": "f", "lor": "pl"}[fold] in _ro_things_before("".join(tokens[:i - 2])) and \
                _fold_ro(tokens[i - 2]).endswith("rea"):
            raise _Unsure(f"whose is {tok!r}: the client's or the thing's named before")  # "lucrarea ... refacerea ei"
        if _third_party(tokens, i, "ro"):
            third.add(_ro_person_kind(fold))
        is_clitic = fold in ("il", "ii", "li") or re.match(r"^(?:l|i|li|le)-", fold) is not None
        if (is_clitic or fold in (*_RO_PERSONAL, "lui", "lor", "le", "s-o") or fold.endswith("-o")) and \
                _could_be(third, _ro_pronoun_kind(fold)):
            raise _Unsure("a third person before a pronoun")
        if fold in _RO_PERSONAL:
            before = tokens[i - 2].lower() if i >= 2 else ""
            if i == 0 or before in _RO_COORD or before in _RO_CLAUSE or tokens[i - 1].strip() in _BOUNDARY or \
                    before in _BOUNDARY:
                tokens[i] = ""  # subject pronoun dropped: the verb says "dumneavoastră"
                if i + 1 < len(tokens) and tokens[i + 1].isspace():
                    tokens[i + 1] = ""
                subject, coord, expect_verb = "client", False, True
            elif fold in ("el", "ea") and _fold_ro(_ro_word_before(tokens, i)) not in _RO_PREP_FOLDED:
                raise _Unsure(f"{tok!r} after its verb")  # "cu ce avea el": the verb is the client's, not conjugated
            elif fold == "ele" and "pl" in _ro_things_before("".join(tokens[:i])):
                continue  # "afișele ... nu mai aveți nevoie de ele": the things
            elif fold in ("el", "ea") and _ro_clitic_fits("m" if fold == "el" else "f", client_form) and \
                    ("m" if fold == "el" else "f") in _ro_things_before("".join(tokens[:i])):
                raise _Unsure(f"{tok!r}: the client or the thing named before")  # "mașina ... nimic la ea"
            elif fold not in ("el", "ea") or _ro_clitic_fits("m" if fold == "el" else "f", client_form):
                tokens[i] = "dumneavoastră"  # "în el" with a client who is a she: a thing
            continue
        if fold in ("său", "sau", "sale", "săi", "sai") and tok.lower() in ("său", "sale", "săi") and i >= 2 \
                and _is_word(tokens[i - 2]):
            tokens[i] = "dumneavoastră"  # "stilul său"
            continue
        ne_a = re.match(r"^(ne|mi|m)-(a|au)$", fold)
        if ne_a and (subject == "client" or subject is None and (at_start or coord or clause_word in ("ce", "care"))):
            tokens[i] = tok[:len(ne_a.group(1)) + 1] + "ați"  # "pe care ne-a trimis-o" -> "ne-ați trimis-o"
            subject, pending_clitic, at_start, expect_verb = "client", [], False, False
            continue
        if fold in ("lui", "lor") and i >= 2 and _is_word(tokens[i - 2]):
            tokens[i] = "dumneavoastră"
            continue
        after_pe_care = i >= 4 and _fold_ro(tokens[i - 2]) == "care" and _fold_ro(tokens[i - 4]) == "pe"
        if (fold == "le" or fold.startswith("le-")) and (client_form in ("m", "f") or after_pe_care):
            continue  # "vrea să le luăm înapoi" with one client, "fișierele pe care le-am trimis": the things
        if fold == "le" and _ro_clitic_is_thing("".join(tokens[:i]), "le", _ro_next_word(tokens, i),
                                                "".join(tokens[_next_word(tokens, i) + 1:]), client_form):
            continue  # "pliantele ... vreți să le refacem": the things
        if fold == "le" and _fold_ro(_ro_next_word(tokens, i)) not in ("am", "a", "au", "ai"):
            pending_le.append(i)  # "nu le poate folosi": the things if the verb is the client's
            continue
        if fold == "le" or fold.startswith("le-"):
            raise _Unsure("le: them or to them")
        clitic_a = re.match(r"^(l|i|le|o)-(a|au)$", fold)
        if clitic_a and after_pe_care and relative_of_client:
            tokens[i] = tok[:len(clitic_a.group(1)) + 1] + "ați"  # "webinarul pe care l-a plătit" -> "l-ați plătit"
            continue
        if is_clitic and after_pe_care:
            continue  # "logoul pe care l-am desenat": the clitic takes up the thing before "pe care"
        if (fold in _RO_CLITIC_PRO or is_clitic or fold in ("o", "nu-i", "nu-l")) and subject is None and \
                _fold_ro(_ro_next_word(tokens, i)) in _RO_EXPERIENCER:
            tokens[i] = _same_case(tok, "nu vă" if fold.startswith("nu-") else "vă") \
                if fold != "o" or _ro_clitic_fits("f", client_form) else tok
            subject, at_start = "other", False  # "o enervează că ...": what annoys is the "că" clause
            continue
        if fold in ("nu-i", "nu-l") and _ro_clitic_fits("m" if fold == "nu-l" else "f", client_form) or fold == "nu-i":
            if _ro_postverbal_subject(tokens, i):  # "până nu-i explică cineva": someone else does, to the client
                tokens[i] = _same_case(tok, "nu vă")
                continue
        if fold in _RO_CLITIC_PRO or is_clitic:
            pending_clitic.append(i)
            continue
        if fold in _RO_COORD:
            before_coord, subject, coord, if_verbs = subject, None, True, -1
            continue
        if fold in ("a", "au") and subject is None and _fold_ro(_ro_next_word(tokens, i)) == "trebuit":
            must = True  # "a trebuit să scoată": impersonal, like "trebuie să"
            continue
        if fold == "trebuit" and must:
            continue
        if fold in ("trebuie", "trebuia") and subject is None and _fold_ro(_ro_next_word(tokens, i)) == "sa":
            must = True  # "trebuie să predea": impersonal, the verb after "să" says who
            continue
        if fold in ("să", "sa", "sa-l", "să-l", "sa-i", "să-i", "s-o") and not _ro_word_before(tokens, i) and i > 0 and \
                tokens[i - 2:i - 1] in ([","], [";"]):
            raise _Unsure("a bare 'să' after a comma: a request without its verb")  # ", să-l sunăm noi"
        if fold in ("să", "sa") and _fold_ro(_ro_word_before(tokens, i)) == "o":
            clause_word, future = fold, True  # "o să lăsați": the future keeps the clause's subject
            continue
        if fold in ("să", "sa") and must:
            clause_word = fold
            continue
        if fold in ("să", "sa") and subject == "client":
            coord, clause_word = False, fold  # "vreți să anulați": the same person wants and cancels
            continue
        if fold == "sa-si":
            clause_word = "să"
            continue
        if fold in ("își", "isi", "nu-si") and subject is None:
            continue  # a person's reflexive before the verb: "nu își găsește factura", "nu-și găsește"
        nxt_fold = _fold_ro(_ro_next_word(tokens, i))
        if fold == "se" and subject is None and led and (at_start or coord) and nxt_fold in verbs and \
                not verbs[nxt_fold].weak and nxt_fold not in _RO_IMPERSONAL_SE:
            continue  # "se simte tratată": the client's reflexive; the verb turns it into "vă"
        if fold == "cine":
            subject, coord, clause_word, in_relative = "other", False, "cine", False
            continue  # "vreți să știți cine plătește": "cine" is its verb's subject
        if fold == "ce" and _fold_ro(_ro_word_before(tokens, i)) == "de":
            subject, coord, clause_word, in_relative = None, False, "de ce", False
            continue  # "de ce a crescut prețul": why; its verb's subject follows it or is a thing
        if fold in _RO_CLAUSE or fold == "pana" and _fold_ro(_ro_next_word(tokens, i)).split("-")[0] in ("nu", "cand", "sa", "ce"):
            said_by_client = subject == "client" and fold in ("că", "ca")
            relative_of_client = fold == "care" and subject == "client"
            in_relative = fold == "care"
            subject, coord, clause_word = None, False, fold
            if_verbs = 0 if fold in ("dacă", "daca") else -1
            continue
        if fold in _RO_SKIP or tok.lower() in _RO_SKIP:  # "vă" folds to "va" (will)
            continue
        verb = verbs.get(fold)
        if verb is not None and marked and tok.lower() not in _ro_verb_forms().get(fold, frozenset()) and \
                _RO_LETTERS_MARKED.search("".join(_ro_verb_forms().get(fold, frozenset()))):
            verb = None  # typed with diacritics elsewhere: "comanda" is the order, "comandă" the verb
        if verb is not None and own and subject is None and fold in _RO_FIRST_SINGULAR_TOO and not led:
            count_if_verb(tok)  # the user's plan: "îi trimit raport" is "I send", its clitic the client
            _ro_clitics_to_you(tokens, pending_clitic, client_form)
            subject, pending_clitic, pending_le, at_start, must, expect_verb, future = \
                "first", [], [], False, False, False, False
            continue
        if verb is not None and not led and fold in _RO_FIRST_SINGULAR_TOO and (
                i == first_verb or subject is None and coord and before_coord != "client"):
            raise _Unsure(f"{tok!r}: I or they")  # "nu pot deschide fișierele" with no opening: the user or the client
        if verb is None and clause_word in ("să", "sa") and (_fold_ro(_ro_word_before(tokens, i)) in ("sa", "nu", "mai", "sa-si")
                                                          or _ro_word_before(tokens, i).lower() in _RO_SKIP):
            verb = _ro_subjunctives().get(fold)
        if verb is not None and _fold_ro(_ro_word_before(tokens, i)) in ("a", "de-a") and not fold.endswith(("t", "s")):
            continue  # "de-a face", "a plăti": an infinitive (the "a" before a participle is "has")
        if verb is not None and _fold_ro(_ro_word_before(tokens, i)) in _RO_BEFORE_INFINITIVE and \
                fold not in ("a", "au", "e", "este", "fie"):
            continue  # "nu puteți intra": the infinitive after the client's "can"
        if fold in ("s-a", "s-au") and not pending_clitic and subject == "client" and in_relative:
            raise _Unsure(f"whose is {tok!r}: the thing before the relative clause or the client")
        if fold in ("s-a", "s-au") and not pending_clitic and subject is None and not in_relative and \
                _fold_ro(_ro_next_word(tokens, i)) in _RO_PERSON_REFLEXIVE:
            tokens[i] = _same_case(tok, "v-ați")  # "pentru că s-a răzgândit": only a person changes their mind
            subject, at_start, expect_verb = "client", False, False
            continue
        if fold in ("s-a", "s-au") and not pending_clitic and (subject == "client" or (subject is None and at_start)):
            tokens[i] = _same_case(tok, "v-ați")
            subject, at_start, expect_verb = "client", False, False
            continue
        if fold == "a" and not _ro_participle_follows(tokens, i):
            continue  # "a doua zi", "a mea": no verb
        if fold in ("au", "n-au") and not _ro_participle_follows(tokens, i):
            verb = _RoVerb("n-aveți" if fold == "n-au" else "aveți", True)  # "nu mai au răbdare": they have
        if verb is not None and subject is None and _ro_postverbal_subject(
                tokens, i, verb_table=not verb.weak and fold not in ("a", "au", "n-a", "n-au")):
            _ro_clitics_to_you(tokens, pending_clitic, client_form)  # "nu a sunat nimeni": nobody's verb
            subject, pending_clitic, at_start = "other", [], False
            continue
        if verb is not None and verb.weak and fold in ("poate", "stie", "vede", "da") and subject is None and led and \
                (at_start or coord and before_coord == "client") and i >= 2 and \
                _fold_ro(tokens[i - 2]) in ("nu", "mai", "ne", "va", "o", "il", "le"):
            verb = _RoVerb(verb.you, False)  # "zice că nu ne mai poate încredința": after "nu", a person's verb
        if verb is not None and verb.weak and fold in ("poate", "stie", "vede") and subject is None and led and \
                coord and pending_le and i >= 2 and _fold_ro(tokens[i - 2]) == "le":
            verb = _RoVerb(verb.you, False)  # "pozele sunt mici și nu le poate printa": someone acts on the things
        if must and subject is None and coord and before_coord == "other" and (
                verb is not None or _ro_by_rule(tok, subjunctive=True, verb_slot=True, after_nu=False)):
            raise _Unsure(f"who does {tok!r}: the one named before or the client")
        if verb is not None and verb.weak and future and subject is None and (at_start or coord) and \
                fold not in ("fie", "e", "este", "poata"):
            raise _Unsure(f"whose is 'o să {tok}'")  # "o să facă plângere": the client's, or something "o să fie"
        if verb is not None and place_first and subject is None and fold in _RO_PLACE_VERBS:
            subject, place_first = "other", False  # "pe site scrie altceva": what is written there, not the client
            continue
        if verb is not None:
            count_if_verb(tok)
            client = subject == "client" or (subject is None and not verb.weak and (
                at_start or coord))
            if fold in ("a", "au", "n-a", "n-au") and subject is None and _ro_subject_after_participle(tokens, i):
                _ro_clitics_to_you(tokens, pending_clitic, client_form)  # "dar au venit doar 300": the flyers came
                subject, pending_clitic, at_start, future = "other", [], False, False
                continue
            if fold in ("a", "au", "n-a", "n-au") and subject is None:
                if coord and before_coord == "other":
                    raise _Unsure(f"who does {tok!r}: the one named before or the client")
                client = at_start or coord or clause_word in ("ce", "care")
            if verb.weak and fold in ("e", "este") and subject is None and (led and (at_start or coord) or
                                                                          i in (first_word, first_verb)):
                client = _ro_describes_person(tokens, i)
            if fold == "are" and subject is None and at_start and (led or i == first_verb):
                client = True  # "zice că nu mai are încredere": things rarely "have" in a complaint
            if fold in ("a", "au", "n-a", "n-au") and pending_clitic:
                client = False
            if client and clause_word in ("să", "sa") and _ro_postverbal_subject(tokens, i):
                client, subject = False, "other"  # "vreți să vină cineva (să termine)": someone else comes
            if pending_le and not client:
                raise _Unsure("le: them or to them")
            pending_le = []
            if client:  # a clitic left pending is the thing the client acts on: "nu îl acceptați"
                before = tokens[i - 2].lower() if i >= 2 else ""
                if before in ("se", "își", "isi", "îsi", "işi"):  # the client's reflexive: "vă faceți griji"
                    tokens[i - 2] = _same_case(tokens[i - 2], "vă")
                elif _fold_ro(before) == "nu-si":  # "nu-și găsește" -> "nu vă găsiți"
                    tokens[i - 2] = _same_case(tokens[i - 2], "nu vă")
                elif _fold_ro(before) == "sa-si":  # "să-și deschidă" -> "să vă deschideți"
                    tokens[i - 2] = _same_case(tokens[i - 2], "să vă")
                tokens[i] = _same_case(tok, verb.you)
                subject = "client"
            else:
                if subject is None and said_by_client and not pending_clitic:
                    raise _Unsure(f"who does {tok!r}: the client or someone else")
                _ro_clitics_to_you(tokens, pending_clitic, client_form)
                subject = subject or "other"
            pending_clitic, at_start, must, expect_verb, future = [], False, False, False, False
            continue
        ruled = _ro_by_rule(tok, subjunctive=clause_word in ("să", "sa") and (subject == "client" or (must or future) and (
                            at_start or coord)),
                            verb_slot=subject == "client" or (subject is None and (at_start or coord)),
                            after_nu=(tokens[i - 2].lower() in ("nu", "mai") if i >= 2 else False) or
                            (led and i == first_word))
        if ruled is not None and subject is None and coord and before_coord == "other" and clause_word not in ("să", "sa"):
            raise _Unsure(f"who does {tok!r}: the one named before or the client")  # "pachetul ... și lipsesc două"
        if ruled is not None:
            count_if_verb(tok)
            pending_le = []
            if i >= 2 and tokens[i - 2].lower() in ("își", "isi", "îsi", "işi"):  # "nu își găsește" -> "nu vă găsiți"
                tokens[i - 2] = _same_case(tokens[i - 2], "vă")
            if i >= 2 and _fold_ro(tokens[i - 2]) == "nu-si":  # "nu-și găsește" -> "nu vă găsiți"
                tokens[i - 2] = _same_case(tokens[i - 2], "nu vă")
            if i >= 2 and _fold_ro(tokens[i - 2]) == "sa-si":  # "nu puteți să-și deschidă" -> "să vă deschideți"
                tokens[i - 2] = _same_case(tokens[i - 2], "să vă")
            tokens[i] = _same_case(tok, ruled)
            subject, pending_clitic, at_start, expect_verb, future = "client", [], False, False, False
            continue
        if expect_verb and fold in ("se", "isi"):
            continue  # "ea se așteaptă": the verb comes next
        if expect_verb:  # "ea se aștepta la ...": the pronoun went, and its verb could not be conjugated
            raise _Unsure(f"the client's verb {tok!r} unknown")
        if pending_clitic:
            _ro_clitics_to_you(tokens, pending_clitic, client_form)
            pending_clitic = []
        if future and subject is None and (at_start or coord):
            raise _Unsure(f"the verb after 'o să' {tok!r} unknown")  # "o să ne scadă": whose, and which form
        future = False
        if subject is None and at_start and led and re.search(r"(?:ează|ește|eaza|este)$", fold):
            raise _Unsure(f"unknown Romanian verb {tok!r}")
        before_fold = _fold_ro(_ro_word_before(tokens, i))
        if fold in _RO_PREP_ONLY or before_fold in _RO_PREP_ONLY or \
                before_fold in ("o", "un", "niste", "doua", "trei") and \
                _fold_ro(_ro_word_before(tokens, _ro_word_index_before(tokens, i))) in _RO_PREP_ONLY:
            place_first = place_first or subject is None and (at_start or coord) and fold != "care"
            continue  # "de o săptămână așteaptă": a preposition and its noun are no subject
        if _RO_FIRST.match(fold):
            if fold not in ("eu", "noi", "ne"):
                count_if_verb(tok)
            subject = subject or "first"
        elif subject is None:
            subject = "other"
        at_start = False
    if pending_clitic:
        _ro_clitics_to_you(tokens, pending_clitic, client_form)
    if pending_le:
        raise _Unsure("le: them or to them")
    return re.sub(r"\s{2,}", " ", "".join(tokens)).strip()


#: Verbs whose subject is what happens and whose object is the one who feels it ("o enervează că ...").
_RO_EXPERIENCER = {"place", "plac", "convine", "pasa", "enerveaza", "deranjeaza", "supara", "irita", "doare", "sperie", "frustreaza", "mira", "surprinde",
                   "ingrijoreaza", "nemultumeste", "intereseaza", "afecteaza", "sacaie", "agaseaza", "amuza",
                   "dezamageste", "indigneaza", "revolta", "innebuneste", "streseaza", "bucura", "nelinisteste"}
_RO_SOMEONE = {"nimeni", "cineva", "nimic", "ceva", "altcineva", "oricine"}


def _ro_word_index_before(tokens: list[str], i: int) -> int:
    """The index of the word token right before ``i`` (past spaces), or ``i`` itself when there is none."""
    j = i - 1
    while j >= 0 and tokens[j].isspace():
        j -= 1
    return j if j >= 0 and _is_word(tokens[j]) else i


def _ro_word_before(tokens: list[str], i: int) -> str:
    """The word token right before ``i`` (past spaces), or "" when a boundary or the start comes first."""
    j = i - 1
    while j >= 0 and tokens[j].isspace():
        j -= 1
    return tokens[j] if j >= 0 and _is_word(tokens[j]) else ""


def _ro_next_word(tokens: list[str], i: int) -> str:
    """The next word after ``i`` in the same clause, or ""."""
    j = _next_word(tokens, i)
    return tokens[j] if j >= 0 else ""


def _ro_participle_follows(tokens: list[str], i: int) -> bool:
    """Whether a past participle (every Romanian one ends in -t or -s) follows the "a" at ``i``, past
    adverbs and clitics: "a mai sunat", "a-l sunat"; "a doua zi", "a mea" have none."""
    j = i
    for _ in range(4):
        j = _next_word(tokens, j)
        if j < 0:
            return False
        fold = _fold_ro(tokens[j])
        if fold in _RO_SKIP or fold in ("mai", "tot", "si", "deja", "chiar", "iar", "fost"):
            if fold == "fost":
                return True
            continue
        return fold.split("-")[0].endswith(("t", "s"))
    return False


#: Participles of verbs whose subject often follows them ("au venit doar 300", "a ajuns coletul").
_RO_UNACCUSATIVE = {"venit", "ajuns", "sosit", "aparut", "cazut", "disparut", "ramas", "iesit", "intrat", "crescut",
                    "scazut", "murit", "trecut", "plecat", "lipsit", "expirat"}


def _ro_subject_after_participle(tokens: list[str], i: int) -> bool:
    """Whether the "a"/"au" at ``i`` is followed by a participle of `_RO_UNACCUSATIVE` and then its own subject:
    a number or a noun with its article ("au venit doar 300", "a căzut site-ul"), past "doar"/"numai"."""
    j = _next_word(tokens, i)
    if j < 0 or _fold_ro(tokens[j]) not in _RO_UNACCUSATIVE:
        return False
    after = _fold_ro("".join(tokens[j + 1:]).lower())
    return bool(_RO_SUBJECT_AFTER.match(after))


_RO_SUBJECT_AFTER = re.compile(r"^\s*(?:(?:doar|numai|tot|deja|abia|si)\s+)*(?:\d|(?:doua|trei|patru|cinci|sase|sapte|opt|"
                               r"noua|zece|cateva|niste|un|o)\s|[\w-]+(?:ul|ele|ile|urile|ii)(?![\w-]))")


def _ro_postverbal_subject(tokens: list[str], i: int, verb_table: bool = False) -> bool:
    """Whether "nimeni"/"cineva" follows the verb at ``i`` in its clause ("nu a sunat nimeni"): the subject.
    ``verb_table``: the verb is a full verb of the table; "nimic"/"ceva" after it is then `_Unsure`."""
    j = i
    for _ in range(4):
        j = _next_word(tokens, j)
        if j < 0:
            return False
        fold = _fold_ro(tokens[j])
        if fold == "ceva" and _fold_ro(_ro_word_before(tokens, j)) in ("asa", "altceva", "mai"):
            continue  # "nu poate da așa ceva": the object
        if fold in ("nimic", "ceva") and (verb_table or _fold_ro(tokens[i]) in ("a", "au", "n-a", "n-au")):
            # "nu mai plătește nimic": nothing is what is paid, or "nu merge nimic": what fails; a verb of the
            # table could be either's
            raise _Unsure(f"{tokens[j]!r}: the subject or the object of {tokens[i]!r}")
        if fold in _RO_SOMEONE:
            return True
        if fold in _RO_COORD or fold in _RO_CLAUSE:
            return False
    return False


def _ro_clitic_fits(gender: str, client: str | None) -> bool:
    """Whether a clitic of ``gender`` ("m": îl/l-, "f": o/-o) can be the client of ``client`` (see `_Lead`)."""
    return client is None or client == gender


def _ro_by_rule(word: str, *, subjunctive: bool, verb_slot: bool, after_nu: bool) -> str | None:
    """The dumneavoastră form of a regular verb missing from ro_verbs.yaml, or None when ``word`` is not
    read as the client's verb. ``subjunctive``: after the client's "să" ("vreți să mute" -> "mutați");
    ``verb_slot``: where the client's verb would stand (after the opening or "și"); ``after_nu``: right
    after "nu"/"mai" or as the first word after the opening.
    -ează/-eze -> -ați and -ește/-ească/-esc -> -iți are regular and mark a verb wherever they stand in a
    verb slot; -ă and -e could be a noun or a third-conjugation verb, so they are taken only after "să",
    in a verb slot right after "nu" or first after the opening, and only when the form made exists in Romanian (the diacritics table's words): "lasă"
    -> "lăsați" (the stem's a turns ă), "așteaptă" -> "așteptați"; none or two such forms: None."""
    low = word.lower()
    if "-" in low or low in _RO_SKIP or low in _RO_CLAUSE or low in _RO_COORD:
        return None
    if verb_slot or subjunctive:
        for end, new in (("ează", "ați"), ("eze", "ați"), ("ăște", "âți"), ("ește", "iți"), ("ească", "iți"),
                         ("esc", "iți")):
            if low.endswith(end) and len(low) > len(end) + 2:
                return low[:-len(end)] + new
    if not (subjunctive or (verb_slot and after_nu)) or not low.endswith(("ă", "e")) or len(low) < 4:
        return None
    stem = low[:-1]
    stems = {stem, re.sub(r"a(?=[^aeiouăâî]*$)", "ă", stem), re.sub(r"ea(?=[^aeiouăâî]*$)", "e", stem),
             re.sub(r"oa(?=[^aeiouăâî]*$)", "o", stem)}
    endings = ("ați", "eți") if low.endswith("e") else ("ați", "iți")
    known = {st + end for st in stems for end in endings if st + end in _ro_known_forms()}
    return known.pop() if len(known) == 1 else None


@cache
def _ro_known_forms() -> frozenset[str]:
    """Every form with diacritics in the diacritics table: the Romanian words a rule may make."""
    return frozenset(f for forms in _ro_diacritics().values() for f in forms)


_RO_DEGREE = {"foarte", "tare", "atât", "atat", "așa", "asa", "mai", "deja", "chiar", "super", "total", "complet",
              "extrem", "de", "prea", "cam", "și", "si", "din", "nou"}
_RO_PERSON_ADJ = re.compile(r"(?:at|ată|ata|ați|ati|ate|it|ită|ita|iți|iti|ut|ută|uta|uți|uti|s|să|sa|și|si|os|oasă|"
                            r"oasa|oși|osi)$")


def _ro_describes_person(tokens: list[str], i: int) -> bool:
    """Whether the "e" at ``i`` is followed by a word describing a person ("e foarte dezamăgit",
    "e furios"): past participles and -os adjectives; "e lent", "e mai" stay about a thing."""
    for tok in tokens[i + 1:i + 8]:
        if not _is_word(tok):
            if tok.strip():
                return False
            continue
        fold = _fold_ro(tok)
        if fold in _RO_DEGREE:
            continue
        return bool(_RO_PERSON_ADJ.search(tok.lower())) and len(fold) > 3
    return False


def _ro_clitics_to_you(tokens: list[str], indexes: list[int], client: str | None = None) -> None:
    """îl/îi -> vă, l-/i- -> v-, li -> vi: the clitic points at the client (the verb is not theirs). "îl"/"l-"
    is him: with a client known to be a she or several it is a thing and stays ("clienta ... l-am mutat")."""
    for j in indexes:
        tok = tokens[j]
        fold = _fold_ro(tok)
        if (fold == "il" or fold.startswith("l-")) and not _ro_clitic_fits("m", client):
            continue
        verb = re.match(r"(?:\s+(?:am|a|au|ai|ati|ați))?\s+([\w-]+)", "".join(tokens[j + 1:j + 6]))
        if (fold == "il" or fold.startswith("l-")) and verb and \
                _ro_clitic_is_thing("".join(tokens[:j]), "l", verb.group(1), client=client):
            continue  # "bannerul ... l-am refăcut": the banner
        if fold in _RO_CLITIC_PRO:
            tokens[j] = _same_case(tok, _RO_CLITIC_PRO[fold])
        elif fold.startswith("li-"):
            tokens[j] = _same_case(tok, "vi-" + tok[3:])
        elif fold.startswith(("l-", "i-")):
            tokens[j] = _same_case(tok, "v-" + tok[2:])
