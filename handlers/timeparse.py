"""Lenient time expressions in English, Russian and Romanian (the wall-clock arithmetic is `bot.clock`).

Users type "2h", "завтра до обеда", "mâine la 10", "by Friday 18:00". Reminder bots are most often
blamed for timezone and DST mistakes, so every calendar step here happens on the user's wall clock
(IANA zone via zoneinfo) and only the result is converted to aware UTC, the way the store keeps it.

Rules worth knowing (they are also the tests' rules):

- Durations in seconds/minutes/hours are absolute ("2h" is 7,200 real seconds, even across a DST
  change); days, weeks and months are calendar steps that keep the wall-clock time ("1d" at 15:00 is
  15:00 tomorrow, 23 or 25 hours away on a DST night).
- A date or weekday without a time means `DEFAULT_HOUR` (`END_OF_DAY_HOUR` for a deliverable's
  deadline, `find_times(deliverable=True)`); "end of day" is `END_OF_DAY_HOUR`.
- A bare clock time that has passed today means tomorrow; a weekday means the next such day after
  today, with or without an hour and after "next"/«следующий»/"viitoare" (today only after
  "this"/«этот»/"asta"/"aceasta", when that moment is still ahead), and the one behind us after "last"/«прошлый» or before
  "trecută" (so a past deadline is questioned, never moved a week on); a date without a year that
  has passed means next year.
- Only an explicit "today ..."/"tonight" may produce a moment in the past; callers should refuse it.
- "9.30" without "at"/"в"/"la" in front is a date (9 March); with it, or after a day, it is a time.
- A bare hour from 1 to 6 with nothing else ("в 3", "at 5") is read as afternoon: nobody wants a
  work nudge at 3 a.m.
- "now" / «сейчас» / "acum" alone is a moment just ahead (`NOW_LEAD`); `parse_when` also takes it before
  a note after a separator ("now: call them"). Inside a sentence ("now he says…") it is no time.
- A wall time skipped by a spring-forward change means the moment the clocks jump; a repeated one
  (autumn) means its first occurrence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import daytime, later, next_allowed, wall_to_utc, zone_or_utc
from bot.markup import ro_circumflex

__all__ = [
    "AFTERNOON_HOUR",
    "DEFAULT_HOUR",
    "END_OF_DAY_HOUR",
    "EVENING_HOUR",
    "LUNCH_HOUR",
    "MORNING_HOUR",
    "NOW_LEAD",
    "Deadline",
    "TimeMention",
    "deadline_in",
    "find_deadline",
    "find_times",
    "later",
    "next_allowed",
    "parse_when",
    "unread_time_words",
]

#: A date or weekday named without a time ("friday", "27.11") means this local hour.
DEFAULT_HOUR = 10
#: "end of day" / "конец дня" / "sfârșitul zilei"; also "today" alone and the end of a week.
END_OF_DAY_HOUR = 18
MORNING_HOUR = 9
NOON_HOUR = 12
#: "до обеда" / "before lunch" is a deadline: lunch starts at 13:00.
LUNCH_HOUR = 13
AFTER_LUNCH_HOUR = 14
#: "днём" (in the daytime): the working afternoon, not the evening.
DAYTIME_HOUR = 14
AFTERNOON_HOUR = 15
#: "вечером", "tonight", "diseară".
EVENING_HOUR = 19
#: Bare hours read as afternoon ("в 3" is 15:00), see the module docstring.
BARE_PM_HOURS = range(1, 7)

# -- normalisation ---------------------------------------------------------------------------------

#: One character to one character, so positions in the folded text are positions in the original.
_FOLD = str.maketrans({
    "ă": "a", "â": "a", "î": "i", "ș": "s", "ş": "s", "ț": "t", "ţ": "t", "ё": "е",
    "’": "'", "‘": "'", "–": "-", "—": "-", "\u00a0": " ",
})


def _fold(text: str) -> str:
    """Lower case without diacritics, same length as ``text`` (which must already be NFC).

    Romanian "î" inside a word is folded like "â" (see `bot.markup.ro_circumflex`), so "sîmbătă" and
    "sâmbătă" are the same word here too.
    """
    out = []
    for char in ro_circumflex(text):
        low = char.lower()
        out.append(low if len(low) == 1 else char)
    return "".join(out).translate(_FOLD)


def _alt(words: object) -> str:
    """A regex alternation of phrases, longest first, spaces matching any run of whitespace."""
    items = sorted(set(words), key=len, reverse=True)  # type: ignore[call-overload]
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items) + ")"


#: Not followed by a letter (digits may follow: "2h30m").
_WE = r"(?![^\W\d_])"
#: Not followed by a letter or a digit.
_WD = r"(?!\w)"

# -- vocabulary (folded spellings) -----------------------------------------------------------------

_UNITS: dict[str, tuple[str, int]] = {}
for _kind, _mult, _words in (
    ("s", 1, "s sec secs second seconds с сек секунд секунда секунды секунду sekund sekundu sekundy secunda secunde"),
    ("s", 60, "m min mins minute minutes м мин минут минута минуты минуту minut minuty minutu"),
    ("s", 3600, "h hr hrs hour hours ч час часа часов chas chasa chasov ora ore"),
    ("d", 1, "d day days д дн день дня дней сутки суток den dnya dney dnej sutki zi zile"),
    ("d", 7, "w wk wks week weeks нед неделю неделя недели недель nedelyu nedelya nedeli nedel saptamana "
             "saptamani sapt saptamina saptamini"),
    ("mo", 1, "mo mos month months мес месяц месяца месяцев mesyats mesyatsa mesyatsev mesyac mesyaca luna luni"),
):
    for _w in _words.split():
        _UNITS[_w] = (_kind, _mult)

#: Romanian one-letter units ("3z" three days, "2o" two hours), read only glued to a number: "o" alone
#: is "one" ("peste o oră") and starts the future ("la 15 o să trimitem"), so "15 o" stays 15:00.
_GLUED_UNITS: dict[str, tuple[str, int]] = {"z": ("d", 1), "o": ("s", 3600)}

_NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "a couple of": 2, "couple of": 2, "a couple": 2,
    "один": 1, "одну": 1, "одна": 1, "одно": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5,
    "шесть": 6, "семь": 7, "восемь": 8, "девять": 9, "десять": 10, "пару": 2, "пара": 2,
    "odin": 1, "odnu": 1, "dva": 2, "dve": 2, "tri": 3, "chetyre": 4, "pyat": 5, "paru": 2,
    "un": 1, "o": 1, "una": 1, "doua": 2, "doi": 2, "trei": 3, "patru": 4, "cinci": 5, "sase": 6, "sapte": 7,
    "opt": 8, "noua": 9, "zece": 10,
}

#: Units that may stand without a number after "через" ("через час"); English and Romanian say "an"/"o".
_BARE_UNITS = frozenset({"час", "день", "сутки", "неделю", "месяц", "минуту", "секунду", "chas", "den", "sutki",
                         "nedelyu", "mesyats", "mesyac", "minutu", "sekundu"})

_HALF_HOUR = ("half an hour", "half hour", "полчаса", "пол часа", "polchasa", "pol chasa", "jumatate de ora",
              "o jumatate de ora")
_HOUR_AND_HALF = ("an hour and a half", "one and a half hours", "полтора часа", "poltora chasa",
                  "o ora si jumatate", "ora si jumatate")

_REL_PREFIX = _alt(("in", "within", "after", "через", "cherez", "peste", "dupa", "in decurs de",
                    "in urmatoarele", "в течение", "v techenie"))

_MONTHS: dict[str, int] = {}
for _n, _words in enumerate((
    "january jan январь января янв yanvar yanvarya ianuarie ian",
    "february feb февраль февраля фев fevral fevralya februarie",
    "march mar март марта mart marta martie",
    "april apr апрель апреля апр aprel aprelya aprilie",
    "may май мая maj maya mai",
    "june jun июнь июня iyun iyunya iunie iun",
    "july jul июль июля iyul iyulya iulie iul",
    "august aug август августа авг avgust avgusta",
    "september sep sept сентябрь сентября сен сент sentyabr sentyabrya septembrie",
    "october oct октябрь октября окт oktyabr oktyabrya octombrie",
    "november nov ноябрь ноября ноя нояб noyabr noyabrya noiembrie",
    "december dec декабрь декабря дек dekabr dekabrya decembrie",
), start=1):
    for _w in _words.split():
        _MONTHS[_w] = _n
#: Month-first dates ("Nov 27") are an English habit; only English names may lead.
_EN_MONTHS = {w: n for w, n in _MONTHS.items() if re.fullmatch(r"[a-z]+", w) and w not in {
    "mart", "marta", "maj", "maya", "mai", "iyun", "iyunya", "iyul", "iyulya", "avgust", "avgusta", "ian", "iun",
    "iul", "yanvar", "yanvarya", "fevral", "fevralya", "aprel", "aprelya", "sentyabr", "sentyabrya", "oktyabr",
    "oktyabrya", "noyabr", "noyabrya", "dekabr", "dekabrya", "ianuarie", "februarie", "martie", "aprilie",
    "iunie", "iulie", "septembrie", "octombrie", "noiembrie", "decembrie"}}

#: (folded words, weekday 0=Monday, abbreviation?)
_WEEKDAYS: dict[str, tuple[int, bool]] = {}
for _n, (_full, _abbr) in enumerate((
    ("monday понедельник понедельника понедельнику ponedelnik ponedelnika luni lunea", "mon пн"),
    ("tuesday вторник вторника вторнику vtornik vtornika marti martea", "tue tues вт"),
    ("wednesday среда среду среды среде sreda sredu sredy miercuri miercurea", "wed ср"),
    ("thursday четверг четверга четвергу chetverg chetverga joi joia", "thu thur thurs чт"),
    ("friday пятница пятницу пятницы пятнице pyatnitsa pyatnitsu pyatnitsy pyatnica pyatnicu pyatnicy "
     "vineri vinerea", "fri пт"),
    ("saturday суббота субботу субботы субботе subbota subbotu subboty sambata simbata", "sat сб"),
    ("sunday воскресенье воскресенья воскресенью voskresenye voskresenie voskresenya duminica", "sun вс"),
)):
    for _w in _full.split():
        _WEEKDAYS[_w] = (_n, False)
    for _w in _abbr.split():
        _WEEKDAYS[_w] = (_n, True)

_TODAY = ("today", "сегодня", "segodnya", "sevodnya", "azi", "astazi")
_TOMORROW = ("tomorrow", "tmrw", "tmr", "завтра", "zavtra", "maine", "miine")
#: Read so a past day is said to be past ("/followup yesterday"), not "couldn't read a time".
_YESTERDAY = ("yesterday", "вчера", "vchera", "ieri")
_AFTER_TOMORROW = ("day after tomorrow", "the day after tomorrow", "послезавтра", "poslezavtra", "poimaine",
                   "poimiine")
_NEXT_WEEK = ("next week", "следующей неделе", "следующую неделю", "след неделе", "sleduyushchey nedele",
              "saptamana viitoare", "saptamana care vine", "sapt viitoare", "sapt. viitoare",
              "saptamina viitoare", "saptamina care vine")
_END_OF_WEEK = ("end of week", "end of the week", "the end of the week", "eow", "конец недели", "концу недели",
                "конца недели", "конце недели", "konec nedeli", "koncu nedeli", "konca nedeli",
                "sfarsitul saptamanii", "finalul saptamanii", "sfarsitul saptaminii", "finalul saptaminii")

#: (phrases, hour, implies today, strong enough to count inside a sentence). A weak part counts in a
#: sentence after a day ("tomorrow morning") or a limit word ("к обеду", "by the evening"). The
#: clock times are documented in the README ("How times are read").
_PARTS: tuple[tuple[tuple[str, ...], int, bool, bool], ...] = (
    (("end of day", "end of the day", "the end of the day", "eod", "cob", "close of business",
      "end of business", "end of the working day", "конец дня", "концу дня", "конца дня", "конце дня",
      "конец рабочего дня", "концу рабочего дня", "конца рабочего дня", "konec dnya", "koncu dnya",
      "konca dnya", "sfarsitul zilei", "finalul zilei", "sfarsitul zilei de lucru"), END_OF_DAY_HOUR, False, True),
    (("к вечеру", "ко вечеру", "ближе к вечеру", "под вечер", "до вечера", "k vecheru", "blizhe k vecheru",
      "do vechera", "spre seara", "pana seara", "pana diseara", "catre seara", "by the evening", "by evening",
      "towards evening", "toward evening"), END_OF_DAY_HOUR, False, True),
    (("before lunch", "до обеда", "do obeda", "pana la pranz", "inainte de pranz", "к обеду", "k obedu",
      "by lunch", "by lunchtime"), LUNCH_HOUR, False, True),
    (("tonight", "this evening", "diseara", "deseara", "in seara asta", "asta seara"), EVENING_HOUR, True, True),
    (("first thing in the morning", "first thing"), MORNING_HOUR, False, True),
    (("after lunch", "после обеда", "posle obeda", "dupa pranz"), AFTER_LUNCH_HOUR, False, False),
    (("lunch", "lunchtime", "обед", "обеду", "обеда", "obed", "obedu", "pranz", "la pranz", "ora pranzului",
      "pranzului"), LUNCH_HOUR, False, False),
    (("noon", "midday", "полдень", "polden", "amiaza", "la amiaza"), NOON_HOUR, False, False),
    (("morning", "in the morning", "утром", "utrom", "с утра", "s utra", "утра", "dimineata", "de dimineata"),
     MORNING_HOUR, False, False),
    (("днем", "dnem"), DAYTIME_HOUR, False, False),
    (("afternoon", "in the afternoon", "после полудня", "dupa-amiaza", "dupa amiaza",
      "dupa-masa", "dupa masa"), AFTERNOON_HOUR, False, False),
    (("this afternoon",), AFTERNOON_HOUR, True, False),
    (("evening", "in the evening", "вечером", "vecherom", "вечера", "seara", "de seara"), EVENING_HOUR, False, False),
)

#: Words after an hour that say which half of the day it is: +12 for these ...
_PM_WORDS = ("pm", "p.m.", "p.m", "вечера", "vechera", "дня", "dnya", "seara", "de seara", "in the evening",
             "in the afternoon", "dupa-amiaza", "dupa amiaza", "de dupa-amiaza")
#: ... as written for these ...
_AM_WORDS = ("am", "a.m.", "a.m", "утра", "utra", "dimineata", "de dimineata", "in the morning")
#: ... and 22-04 for these.
_NIGHT_WORDS = ("ночи", "nochi", "noaptea", "at night", "in the night")

#: Words that make an expression a limit ("by Friday", "к 18:00", "până sâmbătă", "pe 10"): when a
#: sentence holds several times, the deadline is one of these.
_LIMIT_WORDS = ("by", "until", "till", "before", "no later than", "not later than", "к", "ко", "до",
                "не позднее", "не позже", "k", "ko", "do", "pana", "pana la", "pana pe", "pana in", "pe",
                "cel tarziu", "cel mai tarziu", "by the")
_LIMIT = re.compile(r"(?<!\w)" + _alt(_LIMIT_WORDS) + r"(?!\w)(?!\s+la\b)")

_CLOCK_PREFIX = _alt(("at", "by", "before", "until", "till", "around", "about", "no later than",
                      "не позднее", "не позже", "cel tarziu", "в", "во", "к", "до", "около",
                      "v", "k", "do", "la", "pana la", "pana", "pe la", "in jur de", "spre", "catre", "ora",
                      "la ora", "pana la ora", "на", "na"))
#: "Last Friday", «прошлой пятницы»: the weekday behind us, not the next one (`_Spec.past`).
_PAST_QUALIFIER = r"(?:last|past|previous|прошл\w*|предыдущ\w*|proshl\w*)"
_DAY_PREFIX = _alt(("by", "on", "until", "till", "before", "for", "no later than", "не позднее", "не позже",
                    "cel tarziu", "до", "к", "ко", "в", "во", "на", "do", "k",
                    "ko", "v", "vo", "na", "pana", "pana in", "pana pe", "pana la", "in", "pe", "pentru"))
#: "This Friday", «в эту пятницу»: the weekday of this week, today included (`_Spec.this`).
_THIS_QUALIFIER = r"(?:this|эт[оиуа]т?|eto[tj]?|etu)"
_DAY_QUALIFIER = r"(?:" + _THIS_QUALIFIER + r"|next|coming|следующ\w*|sleduyushch\w*|" + _PAST_QUALIFIER + ")"
_PART_PREFIX = _alt(("by", "at", "until", "till", "before", "towards", "around", "к", "до", "в", "во", "на",
                     "la", "pana la", "pana", "spre", "catre", "pe", "k", "do", "v", "na"))

# -- regular expressions ---------------------------------------------------------------------------

_SEP = re.compile(r"[\s,]*")
_NUMBER = r"(?:\d+(?:[.,]\d+)?|" + _alt(_NUMBER_WORDS) + r"(?=\s))"
_UNIT = _alt(_UNITS) + _WE
_REL_ITEM = re.compile(
    r"(?P<half>" + _alt(_HALF_HOUR) + r")" + _WE
    + r"|(?P<hhalf>" + _alt(_HOUR_AND_HALF) + r")" + _WE
    + r"|(?P<gnum>\d+(?:[.,]\d+)?)(?P<gunit>" + _alt(_GLUED_UNITS) + ")" + _WE
    + r"|(?:(?P<num>" + _NUMBER + r")(?!\d)\s*(?:de\s+)?)?(?P<unit>" + _UNIT + ")"
)
#: "peste vreo două ore", "примерно через 3 часа", "in about 2 hours": the hedge changes nothing.
_ABOUT = _alt(("about", "around", "approximately", "roughly", "примерно", "около", "где-то", "приблизительно",
               "vreo", "cam", "aproximativ", "in jur de", "primerno", "okolo"))
_REL_HEAD = re.compile(r"(?:" + _ABOUT + r"\s+)?(?:" + _REL_PREFIX + r"\s+(?:" + _ABOUT + r"\s+)?"
                       r"|intr-(?=o\b|un\b))")
_HOUR_MINUTES = re.compile(r"([0-5]\d)(?!\w)")
_REL_JOIN = re.compile(r"\s*(?:,|and|и|si|i)?\s*")

_DAY_HEAD = re.compile(r"(?P<prehead>(?P<pre>" + _DAY_PREFIX + r")\s+)?(?:(?P<qual>" + _DAY_QUALIFIER + r")\s+)?")
_DAY_WORD = re.compile(
    r"(?P<after>" + _alt(_AFTER_TOMORROW) + r")" + _WE
    + r"|(?P<today>" + _alt(_TODAY) + r")" + _WE
    + r"|(?P<tomorrow>" + _alt(_TOMORROW) + r")" + _WE
    + r"|(?P<yesterday>" + _alt(_YESTERDAY) + r")" + _WE
    + r"|(?P<nextweek>" + _alt(_NEXT_WEEK) + r")" + _WE
    + r"|(?P<eow>" + _alt(_END_OF_WEEK) + r")" + _WE
    + r"|(?P<wd>" + _alt(_WEEKDAYS) + r")" + _WE
    + r"(?:\s+(?:viitoare|viitor|(?P<wdthis>asta|aceasta)|(?P<wdpast>trecuta|trecut))" + _WE + r")?"
)
#: "Monday next week", «в среду на следующей неделе», "luni săptămâna viitoare": after a weekday.
_THEN_NEXT_WEEK = re.compile(r"[\s,]+(?:(?:on|in|на|na|in)\s+)?(?:" + _alt(_NEXT_WEEK) + r")" + _WE)
#: "Next week on Wednesday", «на следующей неделе в среду», "săptămâna viitoare, miercuri": after "next week".
_THEN_WEEKDAY = re.compile(r"[\s,]+(?:(?:on|в|во|v|vo|pe|in)\s+)?(?P<wd>" + _alt(_WEEKDAYS) + r")" + _WE)
_ISO_DATE = re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?![\d:])")
_NUM_DATE = re.compile(r"(?P<d>\d{1,2})(?P<sep>[./])(?P<m>\d{1,2})(?:(?P=sep)(?P<y>\d{4}|\d{2}))?(?![\d:]|\.\d)")
_DAY_SUFFIX = r"(?:st|nd|rd|th|-?го|-?ое)?"
_YEAR = r"(?:,?\s+(?P<y>\d{4})(?![\d:])(?:\s*(?:г\.|года|г)" + _WE + r")?)?"
_NAMED_DATE = re.compile(
    r"(?P<d>\d{1,2})" + _DAY_SUFFIX + r"\s*(?:of\s+)?(?P<mon>" + _alt(_MONTHS) + r")\.?" + _WE + _YEAR
)
#: A day of this (or next) month without the month: "on the 10th", "до 10 числа", "к 10 числу",
#: "10-го числа", "pe data de 10".
_MONTH_DAY = re.compile(
    r"(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)" + _WD
    + r"|(?P<d2>\d{1,2})(?:-?(?:го|е|ое|му|ого))?\s+(?:числа|числу|числом|chisla|chislu)" + _WE
    + r"|data\s+de\s+(?P<d3>\d{1,2})(?![\d:.])"
)
#: The last day of a month: "end of January", "the end of the month", "до конца января",
#: "в конце месяца", "sfârșitul lunii (ianuarie)", "sfârșitul lui decembrie" (folded: no diacritics).
_END_OF_MONTH = re.compile(
    r"(?:the\s+)?end\s+of\s+(?:the\s+)?(?:(?P<this>month)|(?P<mon>" + _alt(_EN_MONTHS) + r"))\.?" + _WE
    + r"|(?:конец|конца|концу|конце|konec|konca|koncu|konce)\s+(?:(?P<this2>месяца|mesyatsa|mesyaca)|(?P<mon2>"
    + _alt(_MONTHS) + r"))\.?" + _WE
    + r"|(?:la\s+)?(?:sfarsitul|finalul)\s+(?:(?P<this3>lunii)(?:\s+(?P<mon3>" + _alt(_MONTHS) + r"))?|lui\s+(?P<mon4>"
    + _alt(_MONTHS) + r"))\.?" + _WE
)
_MONTH_FIRST = re.compile(
    r"(?P<mon>" + _alt(_EN_MONTHS) + r")\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?!\d)" + _WE + _YEAR
)

_PERIOD = (r"(?:\s*(?P<period>" + _alt(_PM_WORDS + _AM_WORDS + _NIGHT_WORDS) + r")"
           + r"(?:(?<=\.)|" + _WE + r"))?")
_AMPM = re.compile(r"(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)(?:(?<=\.)|" + _WE + ")")
_CLOCK = re.compile(r"(?P<h>\d{1,2})(?P<sep>[:.h]|ч)(?P<mi>\d{2})(?![\d:])" + _PERIOD)
_BARE = re.compile(
    r"(?P<h>\d{1,2})(?![\d:]|[.,]\d)(?P<unit>\s*(?:o'clock|oclock|h|ч|часов|часа|час|ore|ora))?" + _WE + _PERIOD
)
_CLOCK_HEAD = re.compile(r"(?:(?P<pre>" + _CLOCK_PREFIX + r")\s+|(?P<at>@)\s*)?")
_PART_HEAD = re.compile(r"(?:(?P<pre>" + _PART_PREFIX + r")\s+)?")
_PARTS_RE = [(re.compile(_alt(words) + _WE), hour, today, strong) for words, hour, today, strong in _PARTS]
#: What may follow a bare hour inside a sentence: nothing, or punctuation.
_END_OR_PUNCT = re.compile(r"\s*(?:$|[,.;:!?)\]—-])")
_NOTE_LEAD = re.compile(r"^[\s,.;:—–-]+")


@dataclass(slots=True)
class _Spec:
    """What one expression said, before it is turned into a moment."""

    seconds: float = 0.0
    days: int = 0
    months: int = 0
    relative: bool = False
    calendar: bool = False
    day: date | None = None
    year_given: bool = True
    weekday: int | None = None
    offset: int | None = None
    next_week: bool = False
    #: The weekday is the one behind us ("last Friday", «прошлой пятницы», "vinerea trecută").
    past: bool = False
    #: The weekday is this week's ("this Monday", «в этот понедельник», "lunea aceasta"): today when
    #: that moment is still ahead; any other weekday is the next such day after today.
    this: bool = False
    end_of_week: bool = False
    month_day: int | None = None
    #: "End of a month": the month's number, or 0 for "the end of the month" (this one).
    end_of_month: int | None = None
    hour: int | None = None
    minute: int = 0
    implies_today: bool = False

    @property
    def has_day(self) -> bool:
        return (self.day is not None or self.weekday is not None or self.offset is not None or self.next_week
                or self.end_of_week or self.month_day is not None or self.end_of_month is not None)


# -- components ------------------------------------------------------------------------------------


def _number(text: str | None) -> float:
    if not text:
        return 1.0
    if text in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[text])
    key = re.sub(r"\s+", " ", text)
    if key in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[key])
    return float(text.replace(",", "."))


def _match_relative(s: str, pos: int, spec: _Spec, strict: bool) -> int | None:
    """'2h', 'in 2 hours', 'через 2 дня', 'peste o oră', '1h30m'; returns the end or None."""
    head = _REL_HEAD.match(s, pos)
    prefixed = head is not None
    if strict and not prefixed:
        return None
    p = head.end() if head else pos
    items = 0
    end = p
    while True:
        m = _REL_ITEM.match(s, p)
        if m is None:
            break
        if m.group("half"):
            spec.seconds += 1800
        elif m.group("hhalf"):
            spec.seconds += 5400
        else:
            num = m.group("num") or m.group("gnum")
            unit = re.sub(r"\s+", " ", m.group("unit") or m.group("gunit"))
            if num is None and (items or not prefixed or unit not in _BARE_UNITS):
                break
            if items and not (num and num[0].isdigit()):
                break
            kind, mult = _UNITS.get(unit) or _GLUED_UNITS[unit]
            value = _number(num)
            if kind == "s":
                spec.seconds += value * mult
            elif kind == "d":
                whole = int(value * mult)
                spec.days += whole
                spec.seconds += (value * mult - whole) * 86400
                spec.calendar = True
            else:
                spec.months += round(value)
                spec.calendar = True
        items += 1
        p = end = m.end()
        if m.group("unit") in ("h", "ч"):
            minutes = _HOUR_MINUTES.match(s, p)  # "2h30": the minutes need no unit
            if minutes is not None:
                spec.seconds += int(minutes.group(1)) * 60
                p = end = minutes.end()
                break
        join = _REL_JOIN.match(s, p)
        if join is None or not re.match(r"\d|half|пол|jum", s[join.end():join.end() + 4]):
            break
        p = join.end()
    if not items:
        return None
    spec.relative = True
    return end


def _valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(text: str | None, today: date) -> tuple[int, bool]:
    if not text:
        return today.year, False
    year = int(text)
    return (year + 2000 if year < 100 else year), True


def _match_day(s: str, pos: int, spec: _Spec, today: date, strict: bool) -> int | None:
    """A day: today/tomorrow/weekday/date/next week/end of week, with its "by"/"до"/"în" in front."""
    head = _DAY_HEAD.match(s, pos)
    assert head is not None
    # "на следующей неделе": the qualifier may belong to the phrase, so try shorter heads too.
    pre_end = head.end("prehead") if head.group("prehead") else pos
    for p in dict.fromkeys((head.end(), pre_end, pos)):
        end = _day_word(s, p, spec, strict and p == pos)
        if end is None:
            end = _date(s, p, spec, today, strict, prefixed=p != pos)
        if end is not None:
            qual = head.group("qual") if p == head.end() else None
            if qual and re.fullmatch(_PAST_QUALIFIER, qual) and spec.weekday is not None:
                spec.past = True
            if qual and re.fullmatch(_THIS_QUALIFIER, qual) and spec.weekday is not None:
                spec.this = True
            return end
    return None


def _day_word(s: str, p: int, spec: _Spec, strict: bool) -> int | None:
    """``strict``: weekday abbreviations ("sat", "пн") only count after "on"/"в"."""
    m = _DAY_WORD.match(s, p)
    if m is None:
        return None
    if m.group("wd"):
        weekday, abbreviation = _WEEKDAYS[re.sub(r"\s+", " ", m.group("wd"))]
        if strict and abbreviation:
            return None
        spec.weekday = weekday
        spec.past = bool(m.group("wdpast"))
        spec.this = bool(m.group("wdthis"))
        week = None if spec.past or spec.this else _THEN_NEXT_WEEK.match(s, m.end())
        if week is not None:
            spec.next_week = True
            return week.end()
    elif m.group("today"):
        spec.offset = 0
    elif m.group("tomorrow"):
        spec.offset = 1
    elif m.group("yesterday"):
        spec.offset = -1
    elif m.group("after"):
        spec.offset = 2
    elif m.group("nextweek"):
        spec.next_week = True
        day = _THEN_WEEKDAY.match(s, m.end())
        if day is not None:
            weekday, abbreviation = _WEEKDAYS[re.sub(r"\s+", " ", day.group("wd"))]
            if not (strict and abbreviation):
                spec.weekday = weekday
                return day.end()
    else:
        spec.end_of_week = True
    return m.end()


def _date(s: str, p: int, spec: _Spec, today: date, strict: bool, prefixed: bool) -> int | None:
    for pattern in (_ISO_DATE, _NAMED_DATE, _MONTH_FIRST, _NUM_DATE):
        m = pattern.match(s, p)
        if m is None:
            continue
        if pattern is _NUM_DATE and strict and not prefixed:
            return None
        if pattern is _MONTH_FIRST and strict and m.group("mon") in {"may", "mar", "jan", "jun", "jul"}:
            return None
        month = _MONTHS[m.group("mon")] if "mon" in m.groupdict() else int(m.group("m"))
        day_n = int(m.group("d"))
        year, given = _year(m.group("y"), today)
        if pattern is _NUM_DATE and m.group("sep") == "/" and month > 12 >= day_n:
            day_n, month = month, day_n  # 11/27: month first, the other reading is impossible
        found = _valid_date(year, month, day_n)
        if found is None:
            return None
        spec.day, spec.year_given = found, given
        return m.end()
    m = _END_OF_MONTH.match(s, p)
    if m is not None:
        named = m.group("mon") or m.group("mon2") or m.group("mon3") or m.group("mon4")
        spec.end_of_month = _MONTHS[named] if named else 0
        return m.end()
    m = _MONTH_DAY.match(s, p)
    if m is not None:
        number = int(m.group("d") or m.group("d2") or m.group("d3"))
        if 1 <= number <= 31:
            spec.month_day = number
            return m.end()
    return None


def _hour_with_period(hour: int, period: str | None) -> int | None:
    if period:
        period = re.sub(r"\s+", " ", period)
        if period in _PM_WORDS:
            if hour > 12:
                return None
            return hour if hour == 12 else hour + 12
        if period in _AM_WORDS:
            if hour > 12:
                return None
            return 0 if hour == 12 and period.startswith("a") else hour
        if period in _NIGHT_WORDS:
            if hour <= 5:
                return hour
            if 9 <= hour <= 12:
                return (hour + 12) % 24
            return None
    return hour if 0 <= hour <= 23 else None


def _match_time(s: str, pos: int, spec: _Spec, after_day: bool, strict: bool) -> int | None:
    """A time of day: '18:00', 'в 9', 'la 10', '3pm', '7 вечера', 'до обеда', 'end of day'."""
    head = _CLOCK_HEAD.match(s, pos)
    assert head is not None
    prefixed = bool(head.group("pre") or head.group("at"))
    p = head.end()

    m = _AMPM.match(s, p)
    if m is not None:
        hour, minute = int(m.group("h")), int(m.group("mi") or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None
        pm = m.group("ap").startswith("p")
        spec.hour, spec.minute = (hour % 12) + (12 if pm else 0), minute
        return m.end()

    m = _CLOCK.match(s, p)
    if m is not None and (m.group("sep") != "." or prefixed or after_day):
        clock_hour = _hour_with_period(int(m.group("h")), m.group("period"))
        minute = int(m.group("mi"))
        if clock_hour is None or minute > 59:
            return None
        spec.hour, spec.minute = clock_hour, minute
        return m.end()

    m = _BARE.match(s, p)
    if m is not None:
        period = m.group("period")
        if head.group("pre") in ("на", "na"):
            return None  # "на 3 дня" is a duration ("for 3 days"), "на 15:00" is fine above
        loose = not prefixed and not period and not m.group("unit")
        ends = _END_OR_PUNCT.match(s, m.end()) is not None
        if not ends and after_day and prefixed:  # "joi la 15 trimitem": a time unless a unit follows
            follow = _WORD.match(s, _SEP.match(s, m.end()).end())  # type: ignore[union-attr]
            ends = follow is None or follow.group() not in _UNITS
        if (loose and not (after_day and ends)) or (strict and not period and not ends) or \
                (strict and not prefixed and not after_day):  # "3 дня" in a sentence is three days
            return None
        bare_hour = _hour_with_period(int(m.group("h")), period)
        if bare_hour is None:
            return None
        if not period and bare_hour in BARE_PM_HOURS:
            bare_hour += 12
        spec.hour, spec.minute = bare_hour, 0
        return m.end()

    head = _PART_HEAD.match(s, pos)
    assert head is not None
    limited = bool(head.group("pre")) and _LIMIT.fullmatch(re.sub(r"\s+", " ", head.group("pre"))) is not None
    for start in (head.end(), pos):
        for pattern, hour, today, strong in _PARTS_RE:
            m = pattern.match(s, start)
            if m is None:
                continue
            if strict and not strong and not after_day and not (limited and start != pos):
                break  # "spre seară": the whole phrase, from ``pos``, may still be a strong one
            spec.hour, spec.minute, spec.implies_today = hour, 0, today
            return m.end()
    return None


def _parse_at(s: str, pos: int, today: date, strict: bool) -> tuple[_Spec, int] | None:
    """One expression starting exactly at ``pos`` of the folded text."""
    spec = _Spec()
    end = _match_relative(s, pos, spec, strict)
    if end is not None:
        if spec.calendar:
            q = _SEP.match(s, end).end()  # type: ignore[union-attr]
            t = _match_time(s, q, spec, True, strict)
            if t is not None:
                end = t
        return spec, end
    spec = _Spec()
    end = pos
    got_day = got_time = False
    for _ in range(2):
        q = _SEP.match(s, end).end() if (got_day or got_time) else end  # type: ignore[union-attr]
        if not got_day:
            d = _match_day(s, q, spec, today, strict)
            if d is not None:
                got_day, end = True, d
                continue
        if not got_time:
            t = _match_time(s, q, spec, got_day, strict)
            if t is not None:
                got_time, end = True, t
                continue
        break
    if not (got_day or got_time):
        return None
    if end < len(s) and (s[end].isalnum() or s[end] == "_"):
        return None
    return spec, end


# -- wall clock <-> UTC ----------------------------------------------------------------------------


_zone = zone_or_utc
_wall_to_utc = wall_to_utc


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        found = _valid_date(year, month, min(day.day, last))
        if found is not None:
            return found
    raise AssertionError("unreachable")


def _end_of_month(month: int, clock: time, now: datetime, zone: ZoneInfo) -> datetime:
    """The last day of ``month`` (0: the current one) at ``clock``: the first such moment after ``now``."""
    today = now.astimezone(zone).date()
    first = today.replace(day=1)
    for ahead in range(13):
        start = _add_months(first, ahead)
        if month and start.month != month:
            continue
        last = _add_months(start, 1) - timedelta(days=1)
        moment = _wall_to_utc(last, clock, zone)
        if moment > now:
            return moment
    raise ValueError("no such month")


def _resolve(spec: _Spec, now: datetime, zone: ZoneInfo) -> datetime:
    """Turns what was said into an aware UTC moment, on the user's wall clock."""
    local = now.astimezone(zone)
    today = local.date()
    clock = time(spec.hour, spec.minute) if spec.hour is not None else None

    if spec.relative:
        if not spec.calendar:
            return now + timedelta(seconds=spec.seconds)
        day = _add_months(today + timedelta(days=spec.days), spec.months)
        if clock is None:
            base = _wall_to_utc(day, daytime(local.time()), zone)
        else:
            base = _wall_to_utc(day, clock, zone)
        return base + timedelta(seconds=spec.seconds)

    if spec.day is not None:
        day = spec.day
        if not spec.year_given and day < today:
            day = _valid_date(day.year + 1, day.month, day.day) or day.replace(day=28, year=day.year + 1)
        return _wall_to_utc(day, clock or time(DEFAULT_HOUR), zone)

    if spec.month_day is not None:
        day_clock = clock or time(DEFAULT_HOUR)
        for months in range(13):
            first = _add_months(today.replace(day=1), months)
            found = _valid_date(first.year, first.month, spec.month_day)
            if found is not None and (found > today or (found == today and _wall_to_utc(found, day_clock, zone) > now)):
                return _wall_to_utc(found, day_clock, zone)
        raise ValueError("no such day of the month")

    if spec.end_of_month is not None:
        return _end_of_month(spec.end_of_month, clock or time(END_OF_DAY_HOUR), now, zone)

    if spec.weekday is not None and spec.next_week:  # "Wednesday next week": that day of next week
        monday = today + timedelta(days=7 - today.weekday())
        return _wall_to_utc(monday + timedelta(days=spec.weekday), clock or time(DEFAULT_HOUR), zone)
    if spec.weekday is not None and spec.past:
        back = (today.weekday() - spec.weekday) % 7 or 7
        return _wall_to_utc(today - timedelta(days=back), clock or time(DEFAULT_HOUR), zone)
    if spec.weekday is not None:
        # today's own weekday is next week's ("monday 10:00" said on a Monday), unless "this" said it
        ahead = (spec.weekday - today.weekday()) % 7
        day_clock = clock or time(DEFAULT_HOUR)
        if ahead == 0 and not (spec.this and _wall_to_utc(today, day_clock, zone) > now):
            ahead = 7
        return _wall_to_utc(today + timedelta(days=ahead), day_clock, zone)

    if spec.end_of_week:
        clock = clock or time(END_OF_DAY_HOUR)
        ahead = (4 - today.weekday()) % 7
        if ahead == 0 and _wall_to_utc(today, clock, zone) <= now:
            ahead = 7
        return _wall_to_utc(today + timedelta(days=ahead), clock, zone)

    if spec.next_week:
        return _wall_to_utc(today + timedelta(days=7 - today.weekday()), clock or time(DEFAULT_HOUR), zone)

    if spec.offset is not None:
        if clock is None:
            clock = time(END_OF_DAY_HOUR if spec.offset == 0 else DEFAULT_HOUR)
        return _wall_to_utc(today + timedelta(days=spec.offset), clock, zone)

    assert clock is not None
    moment = _wall_to_utc(today, clock, zone)
    if moment <= now and not spec.implies_today:
        moment = _wall_to_utc(today + timedelta(days=1), clock, zone)
    return moment


# -- public ----------------------------------------------------------------------------------------


def _check_now(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")


# -- typos ---------------------------------------------------------------------------------------

#: Misspellings seen in real messages (folded), and the word meant. Short words and phrase parts live
#: here; longer day words are also caught by `_near_miss`.
_MISSPELLINGS: dict[str, str] = {
    "завтро": "завтра", "зафтра": "завтра", "завра": "завтра", "заврта": "завтра", "чрез": "через",
    "черз": "через", "черех": "через", "сегодянь": "сегодня", "седня": "сегодня", "сёдня": "сегодня",
    "сегодне": "сегодня", "посленавтра": "послезавтра", "zavtro": "zavtra", "cherz": "cherez", "chrez": "cherez",
    "tomorow": "tomorrow", "tommorow": "tomorrow", "tommorrow": "tomorrow", "tomorrw": "tomorrow",
    "tmorrow": "tomorrow", "tomrrow": "tomorrow", "2morrow": "tomorrow", "2moro": "tomorrow", "tomoro": "tomorrow",
    "tonite": "tonight", "todya": "today", "tday": "today",
    "pina": "pana", "pîna": "pana", "mine": "maine", "miine": "maine", "poimiine": "poimaine",
    "sfarsitu": "sfarsitul", "sfirsitul": "sfarsitul", "sfirsitu": "sfarsitul", "saptaminii": "saptamanii",
    "saptamanei": "saptamanii", "saptaminei": "saptamanii", "saptamini": "saptamani", "saptamina": "saptamana",
    "simbata": "sambata", "simbătă": "sambata", "prinz": "pranz", "dimineta": "dimineata", "diminiata": "dimineata",
    "sara": "seara", "deseara": "diseara",
}
#: Words a near miss may become: days only (a month or a part of the day is too easy to hit by chance:
#: "match" is one letter from "march").
_FUZZY_TARGETS = frozenset(
    w for w in (*_TODAY, *_TOMORROW, *_AFTER_TOMORROW, *(k for k, (_, abbr) in _WEEKDAYS.items() if not abbr))
    if " " not in w and len(w) >= 6
)
#: Real words one letter away from a day word; never "corrected".
_NOT_TYPOS = frozenset({"sundae", "sundays", "четверо", "четвергов", "mondays", "fridays", "tuesdays",
                        "mainer", "subbotnik"})
_WORD = re.compile(r"[^\W\d_]+")


def _near_miss(word: str) -> str | None:
    """The day word ``word`` misspells by one letter: one substituted or missing letter, or two
    neighbours swapped. Only for words of 5+ letters, never an extra letter ("завтрак" is breakfast)."""
    if len(word) < 5 or word in _NOT_TYPOS:
        return None
    for target in _FUZZY_TARGETS:
        if target == word or abs(len(target) - len(word)) > 1 or len(target) < len(word):
            continue
        if len(target) == len(word):
            diff = [i for i, (a, b) in enumerate(zip(target, word, strict=True)) if a != b]
            if len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and target[diff[0]] == word[diff[1]] and target[diff[1]] == word[diff[0]]):
                return target
        elif any(target[:i] + target[i + 1:] == word for i in range(len(target))):
            return target
    return None


def _prepare(original: str) -> tuple[str, list[int]]:
    """The folded text with known misspellings corrected, and where each of its characters came from.

    ``offsets[i]`` is the index in ``original`` of folded character ``i``; one more entry at the end
    is ``len(original)``, so a span ``[a, b)`` of the folded text is ``original[offsets[a]:offsets[b]]``.
    """
    folded = _fold(original)
    out: list[str] = []
    offsets: list[int] = []
    last = 0
    for m in _WORD.finditer(folded):
        word = m.group()
        fixed = _MISSPELLINGS.get(word)
        if fixed is None and word not in _WEEKDAYS and word not in _UNITS and word not in _MONTHS:
            fixed = _near_miss(word)
        if fixed is None:
            continue
        out.append(folded[last:m.start()])
        offsets.extend(range(last, m.start()))
        out.append(fixed)
        offsets.extend(min(m.start() + i, m.end() - 1) for i in range(len(fixed)))
        last = m.end()
    out.append(folded[last:])
    offsets.extend(range(last, len(folded) + 1))
    return "".join(out), offsets


# -- public ----------------------------------------------------------------------------------------


#: How far ahead "now" («сейчас», "acum") is: just ahead, so a caller that refuses a past time takes it, and a
#: reminder set for it is due at once.
NOW_LEAD = timedelta(seconds=1)
_NOW_WORDS = ("now", "right now", "just now", "immediately", "right away", "сейчас", "прямо сейчас", "немедленно",
              "сразу", "acum", "chiar acum", "imediat", "chiar acuma", "acuma")
#: A now-word and nothing else but punctuation (folded text).
_ONLY_NOW = re.compile(r"\s*" + _alt(_NOW_WORDS) + r"[\s\W]*")
#: A now-word, then the note after a separator ("now: call them", «сейчас, позвонить»).
_NOW_THEN_NOTE = re.compile(r"\s*" + _alt(_NOW_WORDS) + r"(?=\s*[,.;:—–-])")


def _now_first(original: str, folded: str, offsets: list[int], now: datetime) -> tuple[datetime, str] | None:
    """"now" alone, or "now" and a note after a separator: (just ahead of ``now``, the note); else None."""
    if _ONLY_NOW.fullmatch(folded):
        return now + NOW_LEAD, ""
    found = _NOW_THEN_NOTE.match(folded)
    if found is None:
        return None
    return now + NOW_LEAD, _NOTE_LEAD.sub("", original[offsets[found.end()]:]).strip()


def parse_when(text: str, now: datetime, tz: str, lang: str | None = None) -> tuple[datetime, str] | None:
    """The time expression at the start of ``text`` as aware UTC, and the rest (the note); None if none.

    ``lang`` is only a hint: forms of all three languages are accepted whatever it says, because people
    mix them ("завтра 18:00", "mâine 9am"). Known misspellings ("завтро", "tomorow") are read as
    meant; the note is the user's own words, uncorrected.
    """
    _check_now(now)
    original = unicodedata.normalize("NFC", text)
    folded, offsets = _prepare(original)
    at_once = _now_first(original, folded, offsets, now)
    if at_once is not None:
        return at_once
    start = len(folded) - len(folded.lstrip())
    zone = _zone(tz)
    found = _parse_at(folded, start, now.astimezone(zone).date(), strict=False)
    if found is None:
        return None
    spec, end = found
    note = _NOTE_LEAD.sub("", original[offsets[end]:]).strip()
    try:
        return _resolve(spec, now, zone), note
    except (OverflowError, ValueError):  # "99999999h", "in 5000 years": not a time we can keep
        return None


_WORD_START = re.compile(r"(?:^|(?<=[\s,;:(\[\"'«]))(?=\S)")


@dataclass(frozen=True, slots=True)
class TimeMention:
    """One time expression found in a sentence.

    ``when`` is aware UTC; ``words`` the user's own words for it (uncorrected, stripped); ``start``/
    ``end`` their span in the NFC form of the text; ``limit`` whether a limit word ("by", "до", "până",
    "pe") marks it; ``hour_given`` whether a clock time or part of the day was said ("today" alone is not).
    """

    when: datetime
    words: str
    start: int
    end: int
    limit: bool
    hour_given: bool


@dataclass(frozen=True, slots=True)
class Deadline:
    """The deadline `deadline_in` chose (``used``) and the other time expressions it left (``others``,
    in text order), so a confirmation can show both."""

    used: TimeMention
    others: tuple[TimeMention, ...]


def find_times(text: str, now: datetime, tz: str, *, deliverable: bool = False) -> list[TimeMention]:
    """Every time expression in a sentence, in order, without overlaps.

    ``deliverable``: the times are when work is due, so a day named without an hour ("by Friday",
    «к пятнице», "până vineri", "tomorrow") is that day's `END_OF_DAY_HOUR`, the end of the working
    day, not `DEFAULT_HOUR` (a reminder's morning); a span from now ("in 2 days") keeps its clock.

    Strict, unlike `parse_when`: a duration needs "in"/"через"/"peste", a number date needs "by"/"до"/
    "pe", weekday abbreviations and a lone "morning" are ignored, so that "2 hours of work" or
    "version 2.10" are not times. Expressions that do not resolve (a 31st that never comes) are left out.
    """
    _check_now(now)
    original = unicodedata.normalize("NFC", text)
    folded, offsets = _prepare(original)
    if _ONLY_NOW.fullmatch(folded):  # "now" alone; inside a sentence it is a story's present, not a time
        words = original.strip()
        start = original.index(words[0]) if words else 0
        return [TimeMention(when=now + NOW_LEAD, words=words, start=start, end=start + len(words), limit=False,
                            hour_given=True)]
    zone = _zone(tz)
    today = now.astimezone(zone).date()
    found: list[TimeMention] = []
    taken = 0
    for m in _WORD_START.finditer(folded):
        if m.start() < taken:
            continue
        parsed = _parse_at(folded, m.start(), today, strict=True)
        if parsed is None:
            continue
        spec, end = parsed
        if deliverable and spec.hour is None and spec.has_day and not spec.relative:
            spec.hour, spec.minute = END_OF_DAY_HOUR, 0
        try:
            when = _resolve(spec, now, zone)
        except (OverflowError, ValueError):
            continue
        taken = end
        a, b = offsets[m.start()], offsets[end]
        words = original[a:b]
        lead = len(words) - len(words.lstrip())
        found.append(TimeMention(when=when, words=words.strip(), start=a + lead, end=a + len(words.rstrip()),
                                 limit=_LIMIT.search(folded, m.start(), end) is not None,
                                 hour_given=spec.hour is not None))
    return found


def deadline_in(text: str, now: datetime, tz: str, *, deliverable: bool = False) -> Deadline | None:
    """The deadline of a sentence and the other times in it; None when it names no time.

    With several times, the deadline is the one marked as a limit ("завтра к 18:00", "până sâmbătă",
    "by Friday"), else the latest; with several limits, the latest of them. Times joined by "then"
    («потом», "apoi": "we fix it tomorrow, then call on Thursday") are a sequence, and the first step
    is what was asked for: only the times before the first "then" are chosen from (not after "if", where
    "then" starts the consequence). "Сегодня" without an hour is the end of the day, never "now";
    ``deliverable`` as in `find_times`. Whether the result is past or too close is the caller's question.
    """
    times = find_times(text, now, tz, deliverable=deliverable)
    if not times:
        return None
    chosen = times
    folded = _fold(unicodedata.normalize("NFC", text))
    then = _THEN.search(folded)
    # "if they send the texts tomorrow, then we deliver Thursday" is a condition, not a sequence
    if then is not None and not _IF.search(folded, 0, then.start()):
        # _fold keeps the length of the NFC text: its offsets are the mentions' own
        chosen = [t for t in times if t.end <= then.start()] or times
    limits = [t for t in chosen if t.limit]
    used = max(limits or chosen, key=lambda t: t.when)
    return Deadline(used=used, others=tuple(t for t in times if t is not used))


#: Words that make the times around them a sequence ("fix it tomorrow, then call Thursday"), folded.
_THEN = re.compile(r"(?<!\w)(?:then|after that|afterwards|потом|затем|после этого|а после|apoi|dupa aceea|"
                   r"dupa asta|pe urma|ulterior)(?!\w)")
#: A condition before "then" ("if …, then …"), folded.
_IF = re.compile(r"(?<!\w)(?:if|если|daca|in caz ca)(?!\w)")


def find_deadline(text: str, now: datetime, tz: str) -> datetime | None:
    """The deadline mentioned in a sentence ("redo the banner by Friday 18:00") as aware UTC, or None.

    See `deadline_in` for the choice among several times and `find_times` for what counts.
    """
    found = deadline_in(text, now, tz)
    return None if found is None else found.used.when


#: Signs that words left after a time were meant as part of it: a clock-like number, or a word about
#: the time of day that the parser did not take (folded stems).
_TIMEISH = re.compile(
    r"\d|(?<!\w)(?:утр|утом|вечер|ноч|обед|полдн|полуд|днем|час|минут|сегодн|завтр|morning|evening|night|noon|"
    r"lunch|afternoon|tonight|today|tomorrow|hour|minute|o'?clock|oclock|dimine|seara|noapt|noaptea|pranz|amiaz|"
    r"ora|ore|minut|azi|maine)"
)
#: Leading words that introduce a time ("к", "до", "by", "la", "spre"): a note that starts with one is suspect.
_TIME_LEAD = re.compile(r"(?:" + _CLOCK_PREFIX + r"|pe|ближе|closer|towards?|after|после|dupa|spre)\s")


def unread_time_words(note: str) -> str | None:
    """``note`` (the words `parse_when` left) when it looks like an unread part of the time, else None.

    "завтра ближе к ночи" leaves "ближе к ночи": the user meant a time and must be told it was not read,
    or the reminder silently comes at the wrong hour. Ordinary notes ("позвонить клиенту") pass.
    """
    text = note.strip()
    if not text:
        return None
    folded = _fold(unicodedata.normalize("NFC", text))
    if _TIME_LEAD.match(folded) or _TIMEISH.search(folded):
        return text
    return None
