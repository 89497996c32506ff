"""When mail is due: the reader's hour in the reader's own zone, weekly on the chosen
day, periods that open once, and zone names that are only ever zone names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from daybook.mail import timing
from daybook.mail.timing import Schedule


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_daily_digest_at_seven_in_tokyo_is_due_at_2200_utc_the_day_before():
    tokyo = Schedule("daily", 7, 0, "Asia/Tokyo")
    assert timing.latest(tokyo, at("2026-11-20T00:30")) == at("2026-11-19T22:00")
    assert timing.period(tokyo, at("2026-11-19T22:00")) == "2026-11-20"  # Tokyo's date
    assert timing.following(tokyo, at("2026-11-20T00:30")) == at("2026-11-20T22:00")
    # One minute before seven in Tokyo, the last digest was yesterday's.
    assert timing.latest(tokyo, at("2026-11-19T21:59")) == at("2026-11-18T22:00")


def test_a_weekly_digest_comes_on_its_weekday_at_its_hour():
    monday_nine = Schedule("weekly", 9, 0, "America/New_York")
    wednesday = at("2026-11-18T12:00")
    assert timing.latest(monday_nine, wednesday) == at("2026-11-16T14:00")
    assert timing.following(monday_nine, wednesday) == at("2026-11-23T14:00")
    assert timing.period(monday_nine, at("2026-11-16T14:00")) == "2026-W47"
    # On the Monday itself, before nine, the week's digest is still to come.
    assert timing.latest(monday_nine, at("2026-11-23T13:59")) == at("2026-11-16T14:00")


def test_the_local_hour_holds_across_a_clock_change():
    london = Schedule("daily", 8, 0, "Europe/London")
    # Summer time ends on 25 October 2026: 08:00 is 07:00 UTC before and 08:00 after.
    assert timing.latest(london, at("2026-10-24T12:00")) == at("2026-10-24T07:00")
    assert timing.following(london, at("2026-10-24T12:00")) == at("2026-10-25T08:00")
    # An hour the spring change skips is sent at the instant it would have been.
    skipped = Schedule("daily", 1, 0, "Europe/London")
    assert timing.following(skipped, at("2026-03-28T12:00")) == at("2026-03-29T01:00")


def test_alert_periods_are_the_hour_and_the_minute():
    hourly = Schedule("hourly", 0, 0, "Asia/Kolkata")  # a zone half an hour off UTC
    moment = timing.latest(hourly, at("2026-11-20T10:10"))
    assert moment == at("2026-11-20T09:30")
    assert timing.period(hourly, moment) == "2026-11-20T09"
    assert timing.following(hourly, at("2026-11-20T10:10")) == at("2026-11-20T10:30")
    instant = Schedule("instant", 0, 0, "UTC")
    assert timing.period(instant, timing.latest(instant, at("2026-11-20T10:10:42"))) == (
        "2026-11-20T10:10"
    )


@pytest.mark.parametrize(
    "name", ["", "Not/AZone", "../../../etc/passwd", "/usr/share/zoneinfo/UTC", "UTC\n", "x" * 500]
)
def test_anything_but_a_zone_name_is_refused(name):
    with pytest.raises(ValueError):
        Schedule("daily", 7, 0, name)


@pytest.mark.parametrize(
    ("cadence", "hour", "weekday"),
    [("yearly", 7, 0), ("daily", 24, 0), ("weekly", 7, 7), ("daily", -1, 0)],
)
def test_impossible_schedules_are_refused(cadence, hour, weekday):
    with pytest.raises(ValueError):
        Schedule(cadence, hour, weekday, "UTC")
