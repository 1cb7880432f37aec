"""Wall-clock time for people in time zones: local <-> UTC, calendar days, quiet hours.

The scheduler (when may a nudge go out?) and the handlers (when is "tomorrow at 10", what does a
snooze of a day mean?) share these rules, so they live here, below both; the parser of time phrases
stays in `handlers.timeparse`. Every moment in and out is an aware `datetime` (the store keeps UTC);
zones are IANA names as users set them with /tz.

Rules: a wall time skipped by a spring-forward change means the moment the clocks jump; a repeated
one (autumn) means its first occurrence. Whole days are calendar days on the user's wall clock.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["daytime", "later", "next_allowed", "parse_hhmm", "wall_to_utc", "zone_or_utc"]

#: Whole days later keep the clock time, unless that time is at night (before 08:00 or from 21:00):
#: "in 3 days" typed at 00:50 means a day three days on, not a reminder at ten to one in the morning.
NIGHT_START, NIGHT_END = time(21), time(8)
#: Where a whole-day offset typed at night lands instead.
DAYTIME_HOUR = 10


def daytime(clock: time) -> time:
    """``clock``, or `DAYTIME_HOUR` when it falls at night: the time of day a whole-day offset keeps."""
    wall = clock.replace(tzinfo=None, fold=0)
    return time(DAYTIME_HOUR) if wall >= NIGHT_START or wall < NIGHT_END else wall


def zone_or_utc(tz: str) -> ZoneInfo:
    """The IANA zone named ``tz``; UTC for a name zoneinfo does not know (a stored value must not crash)."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def wall_to_utc(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The first moment (aware, UTC) the local clock in ``zone`` reads ``day clock`` or later.

    A time skipped by a DST change gives the jump; a repeated one gives its first occurrence.
    ``clock``'s own tzinfo and fold are ignored.
    """
    naive = datetime.combine(day, clock.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=zone).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    # Skipped by a spring-forward change: find the jump between the two readings of the offset.
    lo = int(naive.replace(tzinfo=zone, fold=1).astimezone(UTC).timestamp())
    hi = int(first.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def later(now: datetime, delta: timedelta, tz: str) -> datetime:
    """``delta`` after ``now`` as people mean it: whole days are calendar days on the user's wall
    clock (the same clock time across DST, or `DAYTIME_HOUR` when that time is at night), anything
    shorter is elapsed time."""
    if delta % timedelta(days=1):
        return now + delta
    zone = zone_or_utc(tz)
    local = now.astimezone(zone)
    return wall_to_utc(local.date() + delta, daytime(local.time()), zone)


def parse_hhmm(value: str | None) -> time | None:
    """A stored quiet-hours bound ("22:00", "8", "7.30", "24:00" = midnight) as a `time`; None if unreadable."""
    if not value:
        return None
    m = re.fullmatch(r"\s*(\d{1,2})[:.h]?(\d{2})?\s*", value)
    if m is None:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if hour == 24 and minute == 0:
        return time(0, 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def next_allowed(moment: datetime, tz: str, quiet_start: str | None, quiet_end: str | None,
                 paused_until: datetime | None = None) -> datetime:
    """``moment``, or the first later moment outside the user's pause and quiet hours.

    Quiet hours are wall-clock times in the user's zone and may wrap midnight (22:00-08:00); the
    start is quiet, the end is not. Unreadable settings count as no quiet hours: a bad value must not
    stop delivery.

    Raises:
        ValueError: ``moment`` is naive.
    """
    if moment.tzinfo is None:
        raise ValueError("moment must be an aware datetime")
    if paused_until is not None and moment < paused_until:
        moment = paused_until
    start, end = parse_hhmm(quiet_start), parse_hhmm(quiet_end)
    if start is None or end is None or start == end:
        return moment
    zone = zone_or_utc(tz)
    local = moment.astimezone(zone)
    wall = local.time().replace(tzinfo=None, fold=0)
    if start < end:
        quiet, end_day = start <= wall < end, local.date()
    elif wall >= start:
        quiet, end_day = True, local.date() + timedelta(days=1)
    else:
        quiet, end_day = wall < end, local.date()
    if not quiet:
        return moment
    allowed = wall_to_utc(end_day, end, zone)
    if allowed <= moment:  # the quiet end's first occurrence was before us in a repeated autumn hour
        repeated = datetime.combine(end_day, end).replace(tzinfo=zone, fold=1).astimezone(UTC)
        allowed = repeated if repeated > moment else moment
    return allowed
