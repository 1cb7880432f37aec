"""Builds the ``generated:`` part of content/paraphrase/ro_verbs.yaml: the Romanian verbs the step-2 draft
conjugates into the dumneavoastră form, beyond the hand-kept rows above it.

A build-time tool, not a run-time dependency: it needs ``verbecc`` (Romanian conjugation templates for
about 6,900 verbs, from conjug_manager's data) and ``wordfreq`` (``pip install verbecc wordfreq``); the bot
never imports either. For every verb verbecc knows, it takes the third-person forms a client's sentence
uses (present singular and plural, subjunctive, imperfect singular and plural) and the second-person
plural each one becomes (present/subjunctive -> "deschideți", imperfect -> "deschideați"). A verb is kept
only when people use it and the forms are real words: its third-person singular at least ``MIN_ZIPF`` in
wordfreq's Romanian list, and every form written out attested there. verbecc's templates were partly
learned, so a form nobody writes is a template's guess and its verb is left out.

Forms that would be read wrongly are left out of a row (``-``): a plural or imperfect equal to the
first-person singular ("deschid": I open / they open; the user speaks of themselves in step 1 too) or to
the infinitive ("lucra": imperfect and infinitive after "a"/"va"). A form already in the hand-kept rows
keeps the hand-kept reading (its weak mark included).

Run: ``python benchmarks/ro_verbs_table.py`` (rewrites the generated part; commit it).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import wordfreq  # type: ignore[import-not-found]
from verbecc import CompleteConjugator, ConjugatorError, LangCodeISO639_1  # type: ignore[import-not-found]

OUT = Path(__file__).resolve().parent.parent / "content" / "paraphrase" / "ro_verbs.yaml"
#: How common a verb's third-person singular must be (wordfreq's Zipf scale: 3 is once per million words).
MIN_ZIPF = 2.0
MARK = "generated:"
_CEDILLA = str.maketrans("şţŞŢ", "șțȘȚ")


def fold(word: str) -> str:
    """Lower case without combining marks: "lucrează" -> "lucreaza"."""
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c))


def _form(table: dict[str, list[dict[str, object]]], tense: str, person: str, number: str) -> str:
    """The single word of one cell ("el să deschidă" -> "deschidă"); "" when the cell is missing."""
    for cell in table.get(tense, []):
        if cell.get("p") == person and cell.get("n") == number:
            words = str(cell["c"][0]).translate(_CEDILLA).split()  # type: ignore[index]
            return words[-1] if words else ""
    return ""


def _known(word: str) -> bool:
    return wordfreq.zipf_frequency(word, "ro") > 0


def _alternate(word: str) -> str:
    """The form with the stem vowel's alternation the templates miss ("întrebă" -> "întreabă", "joca" ->
    "joacă"): the last e/o before the final consonants and ă turns ea/oa; the word itself when that is no
    attested word or a rarer one than the word as it is ("întrebă" is also the simple past)."""
    if not word.endswith("ă"):
        return word
    turned = re.sub(r"([eo])([^aeiouăâî]+ă)$", lambda m: m.group(1) + "a" + m.group(2), word)
    return turned if wordfreq.zipf_frequency(turned, "ro") > wordfreq.zipf_frequency(word, "ro") else word


def rows(hand: set[str]) -> list[str]:
    """The generated rows, "3sg | 3pl | 2pl | subj 3" and "3sg imperfect | 3pl imperfect | 2pl imperfect | -"."""
    conjugator = CompleteConjugator(LangCodeISO639_1.ro)
    out = []
    for infinitive in conjugator.get_infinitives():
        if not re.fullmatch(r"[a-zăâîșț]+", infinitive):
            continue
        try:
            moods = json.loads(str(conjugator.conjugate(infinitive)))["moods"]
        except ConjugatorError:  # a template that does not fit its verb ("comânda"): no row
            continue
        present, imperfect = moods["indicativ"]["prezent"], moods["indicativ"]["imperfect"]
        subjunctive = moods["conjunctiv"]["prezent"]
        ind = {"prezent": present, "imperfect": imperfect}
        sg, pl, you, first = (_form(ind, "prezent", "3", "s"), _form(ind, "prezent", "3", "p"),
                              _form(ind, "prezent", "2", "p"), _form(ind, "prezent", "1", "s"))
        subj = _form({"c": subjunctive}, "c", "3", "s")
        sg, pl = _alternate(sg), _alternate(pl)
        if not sg or wordfreq.zipf_frequency(sg, "ro") < MIN_ZIPF or not all(_known(w) for w in (sg, you)):
            continue
        pl = pl if pl and pl != first and _known(pl) else "-"
        if subj.endswith("e") and not _known(subj) and _known(subj[:-1] + "ea"):
            subj = subj[:-1] + "ea"  # "să predea": the templates write "prede"
        subj = subj if subj and subj != sg and _known(subj) else "-"
        cells = [sg, pl, you, subj]
        if fold(sg) not in hand:
            out.append(" | ".join(cells))
        isg, ipl, iyou = (_form(ind, "imperfect", "3", "s"), _form(ind, "imperfect", "3", "p"),
                          _form(ind, "imperfect", "2", "p"))
        if iyou and _known(iyou) and _known(ipl) and ipl != first:
            isg = isg if isg != infinitive and _known(isg) else "-"
            if fold(ipl) not in hand:
                out.append(" | ".join([isg, ipl, iyou, "-"]))
    return out


def main() -> None:
    text = OUT.read_text(encoding="utf-8")
    head = text.split("# Generated by")[0].split(MARK)[0].rstrip() + "\n"
    hand = {fold(c.strip()) for line in head.splitlines() if line.strip().startswith("- ")
            for c in line.strip()[2:].lstrip("~").split("|") if c.strip() != "-"}
    generated = rows(hand)
    body = "\n".join(f'  - "{row}"' for row in generated)
    OUT.write_text(f"{head}# Generated by benchmarks/ro_verbs_table.py from verbecc's Romanian templates, checked against\n"
                   f"# wordfreq; regenerate, do not edit by hand. A form in the rows above keeps their reading.\n"
                   f"{MARK}\n{body}\n", encoding="utf-8")
    print(f"{len(generated)} generated rows")


if __name__ == "__main__":
    main()
