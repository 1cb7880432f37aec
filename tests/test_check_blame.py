"""/check finds plain blame ("because of you", «из-за вас», „din vina dumneavoastră”) even where the
model lets the draft pass: a pattern finding adds its don't. Sarcasm is belittling, not blame."""

from __future__ import annotations

import pytest

from handlers.check import check_draft, detect_donts, render_check


@pytest.mark.parametrize("draft", [
    "Cum v-am mai spus, întârzierea e din vina dumneavoastră, ați trimis textele târziu.",
    "Întârzierea e din vina dumneavoastră…",
    "Intarzierea e din vina dvs, ati trimis textele tarziu.",
    "Proiectul a întârziat din cauza dumneavoastră, ați răspuns după o săptămână.",
    "Задержка из-за вас, вы поздно прислали тексты, как я уже писал.",
    "Сроки сорвались по вашей вине: макеты пришли через неделю.",
    "The delay is because of you, you sent the texts late.",
    "Honestly, the launch slipped and that is your fault, the copy came a week late.",
])
def test_plain_blame_is_shift_blame(draft: str) -> None:
    rules = [f.rule for f in check_draft(draft)]
    assert "shift-blame" in rules, rules
    assert "shift-blame" in detect_donts(draft)


def test_the_romanian_example_also_keeps_its_belittling() -> None:
    rules = {f.rule for f in check_draft("Cum v-am mai spus, întârzierea e din vina dumneavoastră, ați trimis "
                                         "textele târziu.")}
    assert rules == {"shift-blame", "belittle"}


def test_the_russian_example_is_blame_and_belittling() -> None:
    rules = {f.rule for f in check_draft("Задержка из-за вас, вы поздно прислали тексты, как я уже писал.")}
    assert rules == {"shift-blame", "belittle"}


@pytest.mark.parametrize("draft", ["Ну да, конечно, вы же у нас самый умный 🙂",
                                   "Ну конечно, вы же у нас самая опытная."])
def test_sarcasm_is_belittling_not_blame(draft: str) -> None:
    rules = {f.rule for f in check_draft(draft)}
    assert "belittle" in rules and "shift-blame" not in rules, rules


@pytest.mark.parametrize("draft", [
    "Thank you: because of your quick feedback we launched on time.",
    "Благодаря вам мы успели к сроку, спасибо за быстрые ответы.",
    "Vă mulțumesc: datorită dumneavoastră am lansat la timp.",
    "Простите, что из-за нас вам пришлось ждать; исправление будет в пятницу.",
])
def test_thanks_and_our_own_apology_pass(draft: str) -> None:
    assert check_draft(draft) == []


def test_the_romanian_all_clear_repeats_nici_before_each_item() -> None:
    text = render_check([], "ro")
    assert "nici atacuri la persoană, nici ton de superioritate, nici emoții ignorate, nici promisiuni imposibile" \
        in text


@pytest.mark.parametrize("draft", [
    "Sorry, but we can't be blamed for your team's chaos.",
    "We cannot be blamed for the delays on your side.",
    "I'm afraid I can’t be held responsible for your developer's changes.",
    "It's not our fault, it's your team that never sent the review.",
    "This was not my mistake, it was your manager who approved the layout.",
    "Простите, но это не наша вина, а ваша: макеты пришли через неделю.",
    "Тут не моя вина, а вашего отдела, который молчал две недели.",
    "Nu e vina noastră, ci a echipei dumneavoastră, care n-a trimis textele.",
    "Îmi pare rău, dar nu este vina mea, ci a managerului dumneavoastră.",
])
def test_we_cannot_be_blamed_and_not_our_fault_but_yours_are_shift_blame(draft: str) -> None:
    assert "shift-blame" in [f.rule for f in check_draft(draft)]
    assert "shift-blame" in detect_donts(draft)


@pytest.mark.parametrize("draft", [
    "It's not your fault, it's ours: we missed the deadline and we are fixing it today.",
    "We can't blame your team for this; the delay is on us.",
    "I'm not saying we can't be blamed: we can, and I am sorry.",
    "Your team can't be blamed for our delay, and I am sorry for it.",
    "Это не ваша вина, а наша: мы сорвали срок, исправим к пятнице.",
    "Nu e vina dumneavoastră, ci a noastră: am ratat termenul și îl recuperăm.",
])
def test_owning_it_or_giving_them_the_decision_is_not_blame(draft: str) -> None:
    assert "shift-blame" not in [f.rule for f in check_draft(draft)]
