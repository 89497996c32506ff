import random
from datetime import UTC, datetime, timedelta

import pytest

from daybook.pipeline import decide
from daybook.pipeline.types import FeedEntry

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ENTRY = FeedEntry(id="a", url="https://x.example/a", title="T", published=None, updated=None)


def test_new_known_changed_retry_given_up():
    fp = decide.fingerprint(ENTRY)
    assert decide.entry_action(ENTRY, None) is decide.EntryAction.NEW
    assert decide.entry_action(ENTRY, decide.KnownEntry(fp, True, 0)) is decide.EntryAction.KNOWN
    changed = FeedEntry(id="a", url=ENTRY.url, title="T (updated)", published=None, updated=None)
    assert (
        decide.entry_action(changed, decide.KnownEntry(fp, True, 0)) is decide.EntryAction.CHANGED
    )
    assert decide.entry_action(ENTRY, decide.KnownEntry(fp, False, 1)) is decide.EntryAction.RETRY
    gave_up = decide.KnownEntry(fp, False, decide.MAX_ENTRY_ATTEMPTS)
    assert decide.entry_action(ENTRY, gave_up) is decide.EntryAction.GIVEN_UP


def test_next_poll_backs_off_for_failing_feeds_and_caps_at_a_day():
    rng = random.Random(1)
    hour = timedelta(hours=1)
    healthy = decide.next_poll(NOW, hour, 0, rng=rng) - NOW
    failing = decide.next_poll(NOW, hour, 3, rng=rng) - NOW
    dead = decide.next_poll(NOW, hour, 40, rng=rng) - NOW
    assert hour <= healthy <= hour * 1.1
    assert hour * 8 <= failing <= hour * 8.8
    assert timedelta(hours=24) <= dead <= timedelta(hours=26.4)


def test_retry_after_is_a_floor():
    wait = decide.next_poll(NOW, timedelta(minutes=5), 0, retry_after=7200) - NOW
    assert wait >= timedelta(hours=2)


HOUR, DAY, WEEK = 3600, 86400, 7 * 86400
BOUNDS = {"minimum": 300, "maximum": DAY}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # The interval follows how often the feed publishes...
        ({"entries_last_week": 168}, HOUR),
        ({"entries_last_week": 7}, DAY),
        ({"entries_last_week": 14}, DAY // 2),
        # ...within the bounds: silent or nearly so, the maximum; very busy, the minimum.
        ({"entries_last_week": 0}, DAY),
        ({"entries_last_week": 1}, DAY),
        ({"entries_last_week": 100_000}, 300),
        ({"entries_last_week": -3}, DAY),
        # What the feed asked is a floor, even above the maximum...
        ({"entries_last_week": 168, "asked_floor": 2 * HOUR}, 2 * HOUR),
        ({"entries_last_week": 168, "asked_floor": 60}, HOUR),
        ({"entries_last_week": 0, "asked_floor": 3 * DAY}, 3 * DAY),
        # ...up to a week, whatever a hostile header says.
        ({"entries_last_week": 168, "asked_floor": 10**9}, WEEK),
        ({"entries_last_week": 168, "asked_floor": -5}, HOUR),
        # The operator's floor replaces both the asked floor and the minimum.
        ({"entries_last_week": 100_000, "asked_floor": 2 * HOUR, "floor_override": 60}, 60),
        ({"entries_last_week": 168, "asked_floor": 2 * HOUR, "floor_override": 60}, HOUR),
        ({"entries_last_week": 0, "floor_override": 2 * DAY}, 2 * DAY),
        ({"entries_last_week": 100_000, "floor_override": 0}, 6),
        ({"entries_last_week": 10**9, "floor_override": 0}, 1),
        # A fixed interval wins over everything, but is at least a second.
        ({"entries_last_week": 168, "asked_floor": DAY, "override": 120}, 120),
        ({"entries_last_week": 0, "floor_override": DAY, "override": 90}, 90),
        ({"entries_last_week": 0, "override": 0}, 1),
        ({"entries_last_week": 0, "override": -10}, 1),
        # Bounds that make no sense still give an interval of at least a second.
        ({"entries_last_week": 10**9, "minimum": 0}, 1),
        ({"entries_last_week": 0, "minimum": 600, "maximum": 60}, 600),
    ],
)
def test_poll_interval(changes: dict[str, int], expected: int) -> None:
    assert decide.poll_interval(**{**BOUNDS, **changes}) == expected


@pytest.mark.parametrize(
    ("first_failure", "days", "expected"),
    [
        (None, 30, False),
        (NOW - timedelta(days=29, hours=23), 30, False),
        (NOW - timedelta(days=30), 30, True),
        (NOW - timedelta(days=400), 30, True),
        (NOW - timedelta(hours=13), 0.5, True),
        (NOW - timedelta(days=400), 0, False),  # 0 turns the rule off
        (NOW - timedelta(days=400), -1, False),
        (NOW + timedelta(days=1), 30, False),  # a clock that went back
    ],
)
def test_should_disable(first_failure: datetime | None, days: float, expected: bool) -> None:
    assert decide.should_disable(first_failure, NOW, days) is expected
