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
