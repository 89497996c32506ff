import random
from datetime import UTC, datetime, timedelta

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
