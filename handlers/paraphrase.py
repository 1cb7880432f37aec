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
        r"claims?|thinks?|believes?|insists?)\s*(?:that|because|about|since)?\s*",
        re.I,
    ),
    "ru": re.compile(
        r"^(?:наш\s+|мой\s+)?(?:клиент|заказчик|он|она|они)\s+(?:очень\s+|сильно\s+)?"
        r"(?:недовол\w*|злится|зол\w*|возмущ\w*|ор\w*|кричит|жалуется|говорит|сказал\w*|считает|утверждает|требует)"
        r"\s*,?\s*(?:что|потому что|из-за того,? что|тем,? что|на то,? что)?\s*",
        re.I,
    ),
    "ro": re.compile(
        r"^(?:(?:clientul|clienta|el|ea|ei)\s+)(?:este\s+|e\s+|a\s+)?(?:foarte\s+)?"
        r"(?:nemulțumit\w*|nemultumit\w*|supărat\w*|suparat\w*|furios|furioasă|țipă|tipa|se plânge|se plange|"
        r"spune|zice|susține|sustine|crede|pretinde)\s*(?:că|ca|pentru că|pentru ca|de)?\s*",
        re.I,
    ),
}

_PRONOUNS = {
    "en": [(r"\bhe is\b", "you are"), (r"\bshe is\b", "you are"), (r"\bthey are\b", "you are"),
           (r"\bhe was\b", "you were"), (r"\bshe was\b", "you were"), (r"\bthey were\b", "you were"),
           (r"\bhe has\b", "you have"), (r"\bshe has\b", "you have"), (r"\bthey have\b", "you have"),
           (r"\b(?:he|she|they)\b", "you"), (r"\b(?:his|her|their)\b", "your"), (r"\b(?:him|them)\b", "you")],
    "ru": [(r"\bему\b", "вам"), (r"\bей\b", "вам"), (r"\bим\b", "вам"), (r"\bего\b", "вас"), (r"\bеё\b", "вас"),
           (r"\bее\b", "вас"), (r"\bих\b", "вас"), (r"\bон\b", "вы"), (r"\bона\b", "вы"), (r"\bони\b", "вы")],
    "ro": [(r"\blui\b", "dumneavoastră"), (r"\bei\b", "dumneavoastră"), (r"\bel\b", "dumneavoastră"),
           (r"\bea\b", "dumneavoastră")],
}

_FRAMES = {
    "en": "If I understood you correctly, {core}. Is that right?",
    "ru": "Если я правильно вас понял, {core}. Верно?",
    "ro": "Dacă v-am înțeles corect, {core}. Așa este?",
}


def draft_paraphrase(complaint: str, lang: str) -> str:
    lang = lang if lang in _FRAMES else "en"
    core = " ".join(complaint.split()).strip(" .!?…")
    if not core:
        return _FRAMES[lang].format(core="…")
    core = _LEADS[lang].sub("", core, count=1) or core
    for pattern, replacement in _PRONOUNS[lang]:
        core = re.sub(pattern, replacement, core, flags=re.I)
    if len(core) > 300:
        core = core[:300].rsplit(" ", 1)[0] + "…"
    core = core[0].lower() + core[1:] if core[:1].isupper() and not core[:2].isupper() else core
    return _FRAMES[lang].format(core=core)
