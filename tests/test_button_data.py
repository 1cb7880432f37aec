"""Typed button payloads (`bot.buttons.ButtonData`): the ids the handlers build and parse.

The packed form must stay exactly what Parley sent before the types existed, so buttons in old
messages keep working after an upgrade.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.buttons import ButtonData
from bot.events import MAX_CHOICE_ID_BYTES, Choice
from bot.owner import TAG_BYTES
from handlers.buttons import ConflictPress, ForgetPress, MenuPress, NudgePress, WalkPress


@pytest.mark.parametrize("press,packed", [
    (WalkPress(12, "listen", "skip"), "w:12:listen:skip"),
    (WalkPress(12, "any", "out", "resolved"), "w:12:any:out:resolved"),
    (WalkPress(3, "offered", "alt", "late-payment"), "w:3:offered:alt:late-payment"),
    (NudgePress(7, "done"), "n:7:done"),
    (NudgePress(7, "s", "1d"), "n:7:s:1d"),
    (MenuPress("cards"), "m:cards"),
    (MenuPress("lang", "ro"), "m:lang:ro"),
    (ConflictPress("menu"), "cf:menu"),
    (ConflictPress("s", "scope-creep"), "cf:s:scope-creep"),
    (ForgetPress("yes"), "fg:yes"),
])
def test_pack_gives_the_ids_parley_always_sent_and_unpack_reads_them_back(press: ButtonData, packed: str) -> None:
    assert press.pack() == packed
    assert type(press).unpack(packed) == press
    assert Choice(press.pack(), "label").id == packed


@pytest.mark.parametrize("cls,data", [
    (WalkPress, "w:12:listen"),           # no action
    (WalkPress, "w:abc:listen:skip"),     # not a case number
    (WalkPress, "w:1234567890123456:listen:skip"),  # huge numbers are no row id
    (NudgePress, "n::done"),
    (NudgePress, "w:7:done"),             # another prefix
    (MenuPress, "m"),
])
def test_unpack_refuses_what_no_handler_could_use(cls: type[ButtonData], data: str) -> None:
    with pytest.raises(ValueError):
        cls.unpack(data)


def test_the_last_field_keeps_colons_and_missing_optional_fields_are_empty() -> None:
    assert MenuPress.unpack("m:card:a:b") == MenuPress("card", "a:b")
    assert ForgetPress.unpack("fg") == ForgetPress("")
    assert NudgePress.unpack("n:#7:snooze") == NudgePress(7, "snooze")


def test_pack_refuses_an_id_that_leaves_no_room_for_the_owner_tag() -> None:
    room = MAX_CHOICE_ID_BYTES - TAG_BYTES
    fits = MenuPress("card", "x" * (room - len("m:card:")))
    assert len(fits.pack().encode()) == room
    with pytest.raises(ValueError, match="bytes"):
        MenuPress("card", "x" * (room - len("m:card:") + 1)).pack()


def test_pack_refuses_a_separator_inside_a_field_that_is_not_the_last() -> None:
    with pytest.raises(ValueError):
        WalkPress(1, "a:b", "skip").pack()
    with pytest.raises(ValueError):
        MenuPress("lang", "ro~abcd").pack()


def test_a_subclass_needs_a_prefix_and_fields_of_int_or_str() -> None:
    with pytest.raises(TypeError):
        @dataclass(frozen=True)
        class NoPrefix(ButtonData):
            x: str

        NoPrefix("a").pack()

    with pytest.raises(TypeError):
        @dataclass(frozen=True)
        class Floaty(ButtonData, prefix="fl"):
            x: float

        Floaty.unpack("fl:1.5")
