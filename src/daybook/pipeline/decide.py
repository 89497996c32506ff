"""The ingester's decisions, apart from its orchestration (reader's Decider).

"Is this entry new, changed or known?" and "when is this feed due again?" are
answered here, from plain values, with no I/O, so each rule is testable alone.
"""

from __future__ import annotations

import enum
import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from daybook.pipeline.types import FeedEntry

MAX_BACKOFF = timedelta(hours=24)
WEEK = 7 * 24 * 3600  # seconds
# The longest a feed's own asking (ttl, Cache-Control, Expires, Retry-After,
# Crawl-delay) may stretch its interval: one hostile header must not silence a
# feed for years.
MAX_ASKED_FLOOR = WEEK
# An entry whose page failed this many times is given up on, so a dead link
# does not cost a fetch on every poll for ever.
MAX_ENTRY_ATTEMPTS = 5


class EntryAction(enum.Enum):
    NEW = "new"  # never seen: fetch its page, store it
    CHANGED = "changed"  # seen, but the feed says it changed: fetch again, update
    RETRY = "retry"  # seen, its page failed before: try again
    KNOWN = "known"  # seen and stored, unchanged: nothing to do
    GIVEN_UP = "given_up"  # failed too often: skip


@dataclass(frozen=True)
class KnownEntry:
    """What the store remembers of an entry."""

    fingerprint: str
    stored: bool  # an article was stored for it
    attempts: int


def fingerprint(entry: FeedEntry) -> str:
    """Changes when anything a reader would notice in the entry changes."""
    parts = [
        entry.url or "",
        entry.title or "",
        entry.updated.isoformat() if entry.updated else "",
        entry.content or entry.summary or "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def entry_action(entry: FeedEntry, known: KnownEntry | None) -> EntryAction:
    if known is None:
        return EntryAction.NEW
    if not known.stored:
        return EntryAction.RETRY if known.attempts < MAX_ENTRY_ATTEMPTS else EntryAction.GIVEN_UP
    if known.fingerprint != fingerprint(entry):
        return EntryAction.CHANGED
    return EntryAction.KNOWN


def next_poll(
    now: datetime,
    interval: timedelta,
    failures: int,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """When to poll a feed next.

    A healthy feed waits its interval. A failing one waits the interval times
    2^failures (capped at a day), so a dead feed costs a request a day rather
    than one a poll. A server's Retry-After is a floor, never shortened. A
    little jitter (up to 10%) keeps feeds added together from being polled in
    lockstep forever.
    """
    rng = rng or random.Random()
    wait = min(interval * (2 ** min(failures, 16)), MAX_BACKOFF) if failures else interval
    if retry_after is not None:
        wait = max(wait, timedelta(seconds=retry_after))
    return now + wait + wait * (0.1 * rng.random())


def poll_interval(
    *,
    entries_last_week: int,
    minimum: int,
    maximum: int,
    asked_floor: int = 0,
    floor_override: int | None = None,
    override: int | None = None,
) -> int:
    """Seconds between two polls of a healthy feed.

    The interval follows how often the feed publishes, a week divided by its
    entries of the last week (168 a week: an hour; none: ``maximum``), kept
    within [``minimum``, ``maximum``], so a busy feed is read while it is news
    and a quiet one costs a request a day. It is never shorter than what the
    feed asked (``asked_floor``: the longest of its ttl, Cache-Control max-age,
    Expires, Retry-After and Crawl-delay, capped at ``MAX_ASKED_FLOOR``), even
    when that is longer than ``maximum``: the publisher's wish comes first.

    The operator has the last word. ``floor_override`` replaces the floor,
    both what the feed asked and ``minimum``: it is for a feed the operator
    owns and wants read more often than it asks (or than other feeds are).
    ``override`` is a fixed interval that wins over everything. Either is
    still at least a second.
    """
    if override is not None:
        return max(1, override)
    minimum = max(1, minimum)
    maximum = max(minimum, maximum)
    entries = max(0, entries_last_week)
    follows = WEEK // entries if entries else maximum
    if floor_override is not None:
        return max(1, floor_override, min(follows, maximum))
    return max(min(max(follows, minimum), maximum), min(asked_floor, MAX_ASKED_FLOOR))


def should_disable(first_failure_at: datetime | None, now: datetime, days: float) -> bool:
    """Whether a feed failing since ``first_failure_at`` should stop being polled.

    Only an unbroken run of failures that has lasted ``days`` counts, so a
    feed down for a weekend keeps its place while a dead one stops costing a
    request a day for ever. ``days`` of 0 or less turns the rule off.
    """
    if first_failure_at is None or days <= 0:
        return False
    return now - first_failure_at >= timedelta(days=days)
