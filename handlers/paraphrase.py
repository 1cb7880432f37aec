"""Drafts the step-2 paraphrase from what the user typed about the complaint.

The user reports the client in the third person ("he is angry that the launch slipped"); the
paraphrase speaks to the client ("If I understood you correctly, the launch slipped..."). A few
honest rewrites per language are enough: the user accepts the draft or types a better one.
"""

from __future__ import annotations

import re

_LEADS = {
    "en": re.compile(
        r"^(?:(?:the|our|my)\s+)?(?:client|customer|he|she|they)\s+(?:is|are|was|were|gets?|got|keeps?)?\s*"
        r"(?:\w+\s+)?(?:angry|upset|unhappy|furious|mad|annoyed|complaining|complains|says|said|shouting|yelling|"
        r"claims?|thinks?|believes?|insists?|feels?|felt)\s*(?:that|because|about|since)?\s*",
        re.I,
    ),
    "ru": re.compile(
        r"^(?:наш\s+|мой\s+)?(?:клиент|заказчик|он|она|они)\s+(?:очень\s+|сильно\s+)?"
        r"(?:недовол\w*|злится|зол\w*|возмущ\w*|ор\w*|кричит|жалуется|говорит|сказал\w*|считает|утверждает|требует|"
        r"в\s+ярости|в\s+бешенстве|в\s+гневе|расстро\w*|обижен\w*|уверен\w*)"
        r"\s*,?\s*(?:что|потому что|из-за того,? что|тем,? что|на то,? что)?\s*",
        re.I,
    ),
    "ro": re.compile(
        r"^(?:(?:clientul|clienta|el|ea|ei)\s+)?(?:este\s+|e\s+|a\s+)?(?:foarte\s+)?"
        r"(?:nemulțumit\w*|nemultumit\w*|supărat\w*|suparat\w*|furios|furioasă|țipă|tipa|se plânge|se plange|"
        r"spune|zice|spus|zis|susține|sustine|crede|pretinde)\s*,?\s*(?:că|ca|pentru că|pentru ca|de)?\s*",
        re.I,
    ),
}

_PRONOUNS = {
    "en": [(r"\b(?:he|she)['’]s\b", "you're"), (r"\bthey['’]re\b", "you're"),
           (r"\bhe is\b", "you are"), (r"\bshe is\b", "you are"), (r"\bthey are\b", "you are"),
           (r"\bhe was\b", "you were"), (r"\bshe was\b", "you were"), (r"\bthey were\b", "you were"),
           (r"\bhe has\b", "you have"), (r"\bshe has\b", "you have"), (r"\bthey have\b", "you have"),
           (r"\b(?:he|she|they)\b", "you"), (r"\b(?:his|her|their)\b", "your"), (r"\b(?:him|them)\b", "you")],
    "ru": [(r"\bему\b", "вам"), (r"\bей\b", "вам"), (r"\bим\b", "вам"), (r"\bего\b", "вас"), (r"\bеё\b", "вас"),
           (r"\bее\b", "вас"), (r"\bих\b", "вас"), (r"\bон\b", "вы"), (r"\bона\b", "вы"), (r"\bони\b", "вы")],
    # clitics first: "l-am mințit" / "i-am promis" -> "v-am ...", "îl/îi" -> "vă"
    "ro": [(r"(?<![\w-])[li]-(?=(?:am|a|au|ați|ati|aș|as)\b)", "v-"), (r"(?<![\w-])(?:îl|îi|il)\b", "vă"),
           (r"\b(și|si) (?:că|ca)\b", r"\1"), (r"\blui\b", "dumneavoastră"), (r"\bei\b", "dumneavoastră"), (r"\bel\b", "dumneavoastră"),
           (r"\bea\b", "dumneavoastră")],
}

_FRAMES = {
    "en": "If I understood you correctly, {core}. Is that right?",
    "ru": "Если я правильно вас понимаю, {core}. Верно?",
    "ro": "Dacă v-am înțeles corect, {core}. Așa este?",
}


_EN_THIRD = re.compile(r"\b(he|she)\s+((?:also|really|still|just|never|always|even|now)\s+)?([a-z]+(?:['’]t)?)\b", re.I)
_EN_IRREGULAR = {"doesn't": "don't", "does": "do", "hasn't": "haven't", "isn't": "aren't", "wasn't": "weren't",
                 "was": "were", "has": "have", "is": "are", "says": "say", "doesnt": "dont", "hasnt": "havent",
                 "isnt": "arent", "wasnt": "werent"}


def _en_you(match: re.Match[str]) -> str:
    """"he feels" -> "you feel": the pronoun becomes "you", so its verb loses the -s."""
    adverb, verb = match.group(2) or "", match.group(3)
    low = verb.lower().replace("’", "'")
    if low in _EN_IRREGULAR:
        verb = _EN_IRREGULAR[low]
    elif low.endswith("ies") and len(low) > 4:
        verb = verb[:-3] + "y"
    elif low.endswith(("ches", "shes", "sses", "xes", "zes", "oes")):
        verb = verb[:-2]
    elif low.endswith("s") and not low.endswith(("ss", "us", "is", "ys")) and len(low) > 2:
        verb = verb[:-1]
    return f"{match.group(1)} {adverb}{verb}"


def draft_paraphrase(complaint: str, lang: str) -> str:
    lang = lang if lang in _FRAMES else "en"
    core = " ".join(complaint.split()).strip(" .!?…")
    if not core:
        return _FRAMES[lang].format(core="…")
    core = _LEADS[lang].sub("", core, count=1) or core
    if lang == "en":
        core = _EN_THIRD.sub(_en_you, core)
    for pattern, replacement in _PRONOUNS[lang]:
        core = re.sub(pattern, replacement, core, flags=re.I)
    if len(core) > 300:
        core = core[:300].rsplit(" ", 1)[0] + "…"
    core = core[0].lower() + core[1:] if core[:1].isupper() and not core[:2].isupper() else core
    return _FRAMES[lang].format(core=core)
