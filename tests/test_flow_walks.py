"""Every situation walks its own flow, in every language, through the console adapter as a pipe would
feed it: the flow runs to its end, drafts carry the user's own words, and the promised nudges are stored."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.adapters.console import ConsoleAdapter
from bot.core import Core
from bot.store import SQLiteStore
from content import library
from handlers.render import client_when
from handlers.timeparse import deadline_in
from tests.conftest import FixedClock

LANGS = ("en", "ru", "ro")
#: A time the user names at a time step, and a promise with a deadline for the defuse solution step.
TIME = {"en": "tomorrow 10:00", "ru": "завтра в 10:00", "ro": "mâine la 10:00"}
PROMISE = {"en": "we redo the banner by Friday 18:00", "ru": "переделаем баннер до пятницы 18:00",
           "ro": "refacem bannerul până vineri la 18:00"}
_FIELD = re.compile(r"{(\w+)}")


@dataclass
class Plan:
    """The lines a user types to walk a situation's flow (first choice at every choice step), and what
    the walk must leave behind."""

    lines: list[str] = field(default_factory=list)
    #: answer key -> the words typed for it
    typed: dict[str, str] = field(default_factory=dict)
    #: draft string keys the walk shows (before choice fields are filled)
    drafts: list[str] = field(default_factory=list)
    nudges: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)


def plan_for(situation: str, lang: str) -> Plan:
    lib = library()
    plan = Plan(lines=["/conflict", str(list(lib.situations).index(situation) + 1), "1"])
    flow = lib.flows.situations[situation]
    steps = list(lib.flows.flows[flow])
    i = 0
    while i < len(steps):
        step = steps[i]
        spec = lib.flows.steps[step]
        plan.steps.append(step)
        i += 1
        if spec.kind == "defuse":
            line = {"listen": f"the client says zq{i}listen is late", "paraphrase": f"you feel zq{i}para matters",
                    "cause": "1", "apologize": "1", "solution": PROMISE[lang]}[step]
            plan.lines.append(line)
            plan.nudges += ["deliver"] if step == "solution" else []
            continue
        if spec.kind == "choice":
            plan.lines.append("1")
            chosen = spec.choices[0]
            plan.nudges += [n.kind for n in [*spec.nudges, *chosen.nudges]]
            if chosen.goto is not None:
                steps, i = list(lib.flows.flows[chosen.goto]), 0
        else:
            words = TIME[lang] if spec.kind == "time" else f"zq{len(plan.steps)}{spec.save} words"
            words += " €1,200" if spec.save == "amount" else ""  # the amount step asks again for words with no amount
            assert spec.save is not None
            plan.typed[spec.save] = words
            plan.lines.append(words)
            plan.nudges += [n.kind for n in spec.nudges]
        plan.drafts += [spec.draft] if spec.draft else []
    return plan


async def run_console(core: Core, lines: list[str], lang: str, user: str = "walker") -> str:
    out = io.StringIO()
    adapter = ConsoleAdapter(core, user_id=user, stdin=io.BytesIO(("\n".join(lines) + "\n").encode()),
                             stdout=out, interactive=False, language=lang)
    core.register(adapter)  # replies leave through the outbox, delivered by the registered adapter
    await adapter.start()
    await adapter.run()
    return out.getvalue()


CASES = [(sid, lang) for sid in library().flows.situations for lang in LANGS]


@pytest.mark.parametrize(("situation", "lang"), CASES)
async def test_each_situation_walks_its_flow_in_each_language(core: Core, store: SQLiteStore, clock: FixedClock,
                                                             situation: str, lang: str) -> None:
    lib = library()
    plan = plan_for(situation, lang)
    out = await run_console(core, plan.lines, lang)
    cases = await store.open_cases("console", "walker")
    assert len(cases) == 1, out
    case = cases[0]
    assert case.situation == situation and case.step == "tracking", out[-1500:]
    # every step was asked, in order, in the user's language
    position = 0
    for step in plan.steps:
        key = f"walk.{step}" if lib.flows.steps[step].kind == "defuse" else f"flow.{step}"
        own = f"{key}.for.{situation}"  # a situation sharing a flow opens the step with its own words
        key = own if own in lib.strings else key
        first_line = lib.t(key, lang).splitlines()[0][:40]
        found = out.find(first_line, position)
        assert found >= 0, f"{step}: {first_line!r} not after {position}:\n{out[position:position + 600]}"
        position = found
    # drafts are built from the user's own words
    user = await store.get_user("console", "walker")
    assert user is not None
    for key in plan.drafts:
        for name in {n for k in _expand(key) for n in _FIELD.findall(str(lib.strings[k]["en"]))}:
            words = plan.typed.get(name)
            if words is None:
                continue
            if name in {s.save for s in lib.flows.steps.values() if s.kind == "time"}:
                found_time = deadline_in(words, clock.now, user.tz)
                assert found_time is not None
                words = client_when(found_time.used.when, user.tz, lang)  # written out for the client
            assert words in out, f"{key}: {name} = {words!r} is not in the draft"
    # the nudges the flow promises are in the store, each once, none due in the past
    nudges = await store.nudges_for_case(case.id)
    assert sorted(n.kind for n in nudges) == sorted(plan.nudges)
    assert all(n.status == "pending" and n.due_at >= clock.now for n in nudges)
    # every pending nudge has its strings in this language, and the case history reads in it
    for nudge in nudges:
        assert lib.t(f"nudge.ask.{nudge.kind}", lang) and lib.t(f"nudge.kind.{nudge.kind}", lang)
    assert "Traceback" not in out and "{" not in out.replace("{}", "")


def _expand(key: str) -> list[str]:
    from content.loader import draft_keys
    return draft_keys(library().flows, key)


def test_every_step_kind_speaks_every_language_differently() -> None:
    lib = library()
    for step, spec in lib.flows.steps.items():
        keys = [f"step.{step}", f"walk.{step}" if spec.kind == "defuse" else f"flow.{step}"]
        keys += [f"flow.{step}.{c.value}" for c in spec.choices]
        for key in keys:
            texts = [lib.t(key, lang) for lang in LANGS]
            assert all(t.strip() for t in texts), key
            assert len(set(texts)) == 3, key


def test_the_flows_the_issue_asks_for() -> None:
    lib = library()
    walked = lib.flows.situations
    assert {s for s, f in walked.items() if f == "defuse"} == {"quality-complaint", "we-missed-a-commitment"}
    assert lib.flows.flows[walked["loyal-client-turned-rude"]][:5] == lib.flows.flows["defuse"][:4] + ["attn-plan"]
    assert walked["abusive-client"] == "pause" and walked["considering-firing-client"] == "part"
    assert walked["endless-revisions"] == walked["demands-beyond-agreement"] == "boundaries"
    assert walked["late-payment"] == "payment" and walked["feels-neglected"] == "attention"
    assert walked["you-are-the-professionals"] == walked["client-not-cooperating"] == "shared"
    assert walked["misaligned-goals"] == walked["personal-clash"] == walked["client-seeking-exit"] == "goals"



@pytest.mark.parametrize(("text", "lang", "flow"), [
    ("the client has not paid the invoice for two months", "en", "payment"),
    ("клиент орёт на меня матом и называет идиотом", "ru", "pause"),
    ("clientul cere mereu modificări noi, deja a zecea rundă de corecturi", "ro", "boundaries"),
])
async def test_conflict_with_a_confident_situation_offers_its_flow(core: Core, text: str, lang: str,
                                                                  flow: str) -> None:
    from tests.conftest import Talker

    talker = Talker(core)
    await talker.say(f"/lang {lang}")
    await talker.say(f"/conflict {text}")
    lib = library()
    offer = talker.text()
    steps = lib.flows.flows[flow]
    assert lib.tn("conflict.flow", lang, len(steps), steps="; ".join(lib.t(f"step.{s}", lang) for s in steps)) in offer
    await talker.pick(lib.t("conflict.walk", lang))
    assert lib.t(f"flow.{steps[0]}", lang).splitlines()[0] in talker.text()


@pytest.mark.e2e
def test_a_flow_piped_through_parley_chat(tmp_path: Path) -> None:
    """The real CLI, fed through a pipe: an abusive client in Russian pauses, then sets boundaries."""
    from tests.test_console import chat

    lines = ["клиент орёт на меня матом и называет идиотом", "1", "завтра в 15:00", "2", "2",
             "В стоимость входит только дизайн сайта.", "настройка хостинга бесплатно", "/cases"]
    result = chat(tmp_path, ("\n".join(lines) + "\n").encode(), "--lang", "ru")
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    expected = ["Шаг 1 из 2", "я вернусь к вам с новостями", "Шаг 2 из 2", "✓ Письменно обозначить границы",
                "Шаг 3 из 5", "Шаг 4 из 5", "Шаг 5 из 5", "«В стоимость входит только дизайн сайта»",
                "(настройка хостинга бесплатно)", "ответ клиента на ваши условия", "1 открытый конфликт"]
    position = 0
    for fragment in expected:
        found = out.find(fragment, position)
        assert found >= 0, f"{fragment!r} missing after {position}:\n{out[position:position + 800]}"
        position = found
