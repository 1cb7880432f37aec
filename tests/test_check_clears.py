"""/check and the words that refuse a don't ("I can't promise it will never break, but...", "I won't
tell you to calm down", «не буду говорить, что это мелочь») and the ones that are a don't on their own
(a conditional that blames the client, "not my department", "that's between you and them").

Cross-validation of the English train split showed both kinds among the model's errors: negated
promises and dismissals flagged as the very don't they refuse, and blame moved to a third party or
hung on the client's "if you had..." let through. The drafts below are written for these tests, not
taken from the corpus."""

from __future__ import annotations

import pytest

from bot.train_check import DONTS
from handlers.check import check_draft, cleared_rules, decisive_rules, detect_donts, verdict


@pytest.mark.parametrize("draft", [
    "I can't promise the app will never crash again, but I can promise a fix within a day for anything that stops your users.",
    "Nobody can guarantee a first-page ranking. What we can guarantee is that the audit is done by the 12th.",
    "I won't tell you to calm down: you have every reason to be angry, and the replacement ships tomorrow.",
    "I'm not going to say it's a small thing. The wrong date on the invitations is on us, and we reprint them this week.",
    "It's not 'just a typo' when it's on the menu of your opening night. We'll reprint it today.",
    "Мы не можем обещать, что сбоев не будет никогда, но можем обещать, что каждый починим за сутки.",
    "Не буду говорить, что это пустяк: вы ждали неделю. Сегодня же отправим замену курьером.",
    "Понимаю, для вас это совсем не мелочь. Завтра утром переделаем и пришлём фото.",
    "Nu vă pot promite că aplicația nu se va mai bloca niciodată, dar vă promit o remediere în 24 de ore.",
    "Nu vă cer să vă calmați; aveți tot dreptul să fiți supărat. Mâine dimineață refacem livrarea.",
])
def test_a_refused_dont_is_not_reported(draft: str) -> None:
    assert cleared_rules(draft), draft
    assert check_draft(draft) == [], draft


@pytest.mark.parametrize("draft", [
    "If you had sent the photos on time, the album would have been ready for the anniversary.",
    "If you'd read the care instructions, the fabric wouldn't have shrunk.",
    "Had your team approved the copy on Monday, we would be live by now.",
    "Refunds aren't my department, write to accounts.",
    "The courier is a separate company, so that's between you and them.",
])
def test_blame_on_the_client_or_a_third_party_is_shift_blame(draft: str) -> None:
    assert "shift-blame" in decisive_rules(draft), draft
    assert "shift-blame" in detect_donts(draft), draft


@pytest.mark.parametrize("draft", [
    "Even if you had sent the files on time, we would have missed the date. That one is on us.",
    "If I had checked the file, we would have caught the mistake. I'm sorry.",
])
def test_a_conditional_that_does_not_blame_the_client_is_not_decisive(draft: str) -> None:
    assert "shift-blame" not in decisive_rules(draft), draft


def test_a_refusal_of_one_dont_leaves_the_others() -> None:
    draft = "I won't tell you to calm down, but people like you are impossible to please."
    assert cleared_rules(draft) == {"dismiss-emotions"}
    assert [f.rule for f in check_draft(draft)] == ["get-personal"]
    assert [f.quote for f in check_draft(draft)] == ["people like you"]


def test_verdict_applies_the_decisive_and_the_refused_donts() -> None:
    """`verdict` is what cross-validation measures, so both kinds are applied there, not after it."""
    text = "We will look into the order and get back to you today."
    low = [-0.9] * len(DONTS)
    assert verdict(text, -0.9, low, DONTS, 0.0, 0.0, frozenset(), frozenset({"shift-blame"}), frozenset()) \
        == {"shift-blame"}
    high = [-0.9, -0.9, -0.9, -0.9, 0.9]
    assert verdict(text, 0.9, high, DONTS, 0.0, 0.5, frozenset({"impossible-promise"}), frozenset(),
                   frozenset({"impossible-promise"})) == set()
    # a decisive don't stands even when a clear names it
    assert verdict(text, -0.9, low, DONTS, 0.0, 0.0, frozenset(), frozenset({"shift-blame"}),
                   frozenset({"shift-blame"})) == {"shift-blame"}


@pytest.mark.parametrize(("draft", "rule"), [
    ("Just so it's clear, for the fifth time: the invoice goes to accounts.", "belittle"),
    ("As already mentioned several times, the fonts are not part of the package.", "belittle"),
    ("Did you even read the brief before you wrote this?", "belittle"),
    ("Thanks for the forty comments at midnight. Who needs sleep anyway.", "belittle"),
    ("Объясняю в третий раз: счёт уходит в бухгалтерию.", "belittle"),
    ("Vă scriu a treia oară: factura merge la contabilitate.", "belittle"),
    ("Wow. Dramatic much?", "dismiss-emotions"),
    ("Мне кажется, вы немного драматизируете из-за одной запятой.", "dismiss-emotions"),
])
def test_passive_aggression_in_so_many_words_is_reported(draft: str, rule: str) -> None:
    assert rule in decisive_rules(draft), draft
    assert rule in [f.rule for f in check_draft(draft)], draft


@pytest.mark.parametrize("draft", [
    "I'm sorry you had to chase us for the third time; the refund went out this morning.",
    "Înțeleg că e frustrant să ne scrieți a treia oară despre asta. Rezolvăm azi.",
])
def test_our_own_repeated_failure_is_not_belittling(draft: str) -> None:
    assert "belittle" not in decisive_rules(draft), draft


@pytest.mark.parametrize(("draft", "rule"), [
    ("Refunds are their department, not mine.", "shift-blame"),
    ("With an attitude like that, nobody will want to finish your kitchen.", "get-personal"),
    ("Is this how you talk to all your designers?", "get-personal"),
    ("Вы со всеми так разговариваете?", "get-personal"),
    ("Așa vorbiți cu toată lumea?", "get-personal"),
    ("The price was on the quote, you just didn't read it properly.", "belittle"),
    ("I'll spell it out, since maths isn't everyone's strong suit.", "belittle"),
    ("There's no need to get so upset over one missing cushion.", "dismiss-emotions"),
    ("Cheer up, the cake still tastes great.", "dismiss-emotions"),
    ("Chill, the bruise fades in a week.", "dismiss-emotions"),
])
def test_more_donts_in_so_many_words(draft: str, rule: str) -> None:
    assert rule in decisive_rules(draft), draft
    assert rule in [f.rule for f in check_draft(draft)], draft


@pytest.mark.parametrize(("draft", "rule"), [
    ("Calm down, the parcel will come tomorrow.", "dismiss-emotions"),
    ("Успокойтесь, посылка придёт завтра.", "dismiss-emotions"),
    ("Liniștiți-vă, coletul vine mâine.", "dismiss-emotions"),
    ("Если бы вы прислали фото вовремя, альбом был бы готов.", "shift-blame"),
    ("Это не ко мне, расписанием занимается администратор.", "shift-blame"),
    ("Вы не сказали про второй адрес, откуда мне было знать?", "shift-blame"),
])
def test_plain_dismissals_and_blame_in_russian_and_romanian_too(draft: str, rule: str) -> None:
    assert rule in decisive_rules(draft), draft
    assert rule in [f.rule for f in check_draft(draft)], draft


@pytest.mark.parametrize("draft", [
    "I'm not going to ask you to calm down; you have every right to be angry.",
    "Не буду просить вас «успокойтесь» — вы правы, что злитесь.",
    "Если бы я проверила файл, ошибки бы не было. Простите.",
])
def test_a_refused_or_own_goal_is_not_decisive(draft: str) -> None:
    assert not decisive_rules(draft) & {"dismiss-emotions", "shift-blame"}, draft


@pytest.mark.parametrize("draft", [
    # the answers step 5 asks for ("what will you do, and by when?"): a newcomer was told each was impossible
    "We'll redo the banner by the end of the week.",
    "We'll send the corrected layout by Friday 6pm.",
    "Переделаем баннер к концу недели.",
    "Пришлём исправленный макет в пятницу.",
    "Refacem bannerul până vineri.",
    "Trimitem macheta corectată mâine până la ora 12.",
])
def test_a_concrete_step_with_a_day_is_not_an_impossible_promise(draft: str) -> None:
    assert "impossible-promise" in cleared_rules(draft), draft
    assert "impossible-promise" not in detect_donts(draft), draft


@pytest.mark.parametrize("draft", [
    "We'll redo everything by tomorrow, no bugs, I promise.",
    "I'll have all 200 pages translated and proofread by tomorrow morning, no problem at all.",
    "Переделаем весь каталог к завтра, без единого бага.",
    "Новый релиз выкатим завтра утром, всё будет идеально.",
    "Fac tot site-ul până mâine, garantat fără nicio greșeală.",
    "Până vineri terminăm și nu va mai fi nicio problemă, vă jur.",
])
def test_a_day_does_not_clear_an_absolute_or_sweeping_promise(draft: str) -> None:
    assert "impossible-promise" not in cleared_rules(draft), draft
