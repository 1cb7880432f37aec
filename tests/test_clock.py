"""`bot.clock`: the wall-clock and quiet-hours arithmetic the scheduler and the handlers share."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot import clock

CHISINAU = "Europe/Chisinau"


def test_next_allowed_moves_a_moment_in_quiet_hours_to_their_end() -> None:
    # 23:30 in Chisinau (UTC+2 in November) is inside 22:00-08:00; the end is 08:00 local, 06:00 UTC
    moment = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)
    assert clock.next_allowed(moment, CHISINAU, "22:00", "08:00") == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


def test_next_allowed_keeps_a_moment_outside_quiet_hours_and_honours_a_pause() -> None:
    moment = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert clock.next_allowed(moment, CHISINAU, "22:00", "08:00") == moment
    pause = moment + timedelta(hours=3)
    assert clock.next_allowed(moment, CHISINAU, None, None, pause) == pause


@pytest.mark.parametrize("start,end", [("nonsense", "08:00"), ("22:00", None), ("9", "9")])
def test_unreadable_or_empty_quiet_hours_never_stop_delivery(start: str, end: str | None) -> None:
    moment = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    assert clock.next_allowed(moment, CHISINAU, start, end) == moment


def test_later_keeps_the_wall_clock_across_dst_for_whole_days() -> None:
    # the night of 25 October 2026 Chisinau falls back from UTC+3 to UTC+2
    before = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)  # 15:00 local
    after = clock.later(before, timedelta(days=1), CHISINAU)
    assert after.astimezone(clock.zone_or_utc(CHISINAU)).time() == time(15, 0)
    assert after - before == timedelta(hours=25)
    assert clock.later(before, timedelta(hours=2), CHISINAU) == before + timedelta(hours=2)


def test_a_skipped_wall_time_means_the_jump() -> None:
    # 29 March 2026, 02:00 -> 03:00 in Chisinau: 02:30 does not exist
    moment = clock.wall_to_utc(date(2026, 3, 29), time(2, 30), clock.zone_or_utc(CHISINAU))
    assert moment == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)


def test_an_unknown_zone_is_utc() -> None:
    assert clock.zone_or_utc("Mars/Olympus").key == "UTC"


def test_the_handlers_see_the_same_functions() -> None:
    from handlers import timeparse

    assert timeparse.next_allowed is clock.next_allowed and timeparse.later is clock.later
