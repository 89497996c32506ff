"""Politeness the fetcher can share: per-host slots and spacing, and robots.txt.

A host should see one polite crawler however many daybook processes fetch from
it, so the fetcher does not keep this state itself: it asks a ``HostGate``
before every request and a ``RobotsStore`` before every robots.txt fetch. The
local implementations here keep the state in memory, which is right for one
process; several processes (workers on any number of machines) share the
database implementations in ``daybook.news.politeness`` instead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Protocol

from daybook.errors import FetchTimeout


class HostGate(Protocol):
    """Decides when a request to a host may start."""

    def slot(
        self, host_key: str, *, concurrency: int, delay: float, timeout: float
    ) -> AbstractContextManager[None]:
        """Hold one of the host's ``concurrency`` slots for the ``with`` block.

        Entering waits for a free slot, then for the host's next allowed start
        time, and reserves the one after it, ``delay`` seconds later, so that
        request starts to one host stay ``delay`` apart. Raises ``FetchTimeout``
        (with no URL: the caller adds it) when either wait would pass
        ``timeout`` seconds. The slot is released on exit, exceptions included.
        """
        ...


def reserve_start(now: float, next_start: float, *, concurrency: int, delay: float) -> float:
    """When a request may start, given the host's stored next allowed start.

    Never before ``now`` nor before the stored time, except that no start is
    put further ahead than ``concurrency * delay``: that is as far as the
    holders of every slot can have reserved between them, so a stored time
    beyond it was written under a longer delay (a robots.txt that has since
    lowered its Crawl-delay) or by a clock running ahead of ours, and trusting
    it would stall the host for as long.
    """
    return min(max(now, next_start), now + concurrency * delay)


class Clock(Protocol):
    """Where a gate reads the time and waits: the system's, or a test's own."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class LocalHostGate:
    """The in-memory ``HostGate`` of one process; thread-safe. Waits for a free slot
    are on the system's clock whatever ``clock`` is; the spacing is on ``clock``."""

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._changed = threading.Condition()
        self._held: dict[str, int] = {}
        self._next_start: dict[str, float] = {}

    @contextmanager
    def slot(
        self, host_key: str, *, concurrency: int, delay: float, timeout: float
    ) -> Iterator[None]:
        end = self._clock.monotonic() + timeout
        with self._changed:
            # Each call brings its own concurrency, so fetchers with different
            # configurations may share one gate: the count is what is compared.
            if not self._changed.wait_for(
                lambda: self._held.get(host_key, 0) < concurrency, timeout=max(0.0, timeout)
            ):
                raise FetchTimeout(f"no free connection slot for {host_key} in time")
            now = self._clock.monotonic()
            start = reserve_start(
                now, self._next_start.get(host_key, now), concurrency=concurrency, delay=delay
            )
            if start >= end:
                raise FetchTimeout(f"per-host delay for {host_key} passes the deadline")
            self._held[host_key] = self._held.get(host_key, 0) + 1
            self._next_start[host_key] = start + delay
        try:
            self._clock.sleep(max(0.0, start - self._clock.monotonic()))
            yield
        finally:
            with self._changed:
                self._held[host_key] -= 1
                if not self._held[host_key]:
                    del self._held[host_key]
                self._changed.notify_all()


@dataclass(frozen=True)
class RobotsEntry:
    """What an origin's robots.txt says, as fetched.

    ``body`` is the text of the robots.txt, or None to allow everything: there
    is none (a 4xx) or it could not be read (a 5xx, a network error).
    """

    body: str | None


class RobotsStore(Protocol):
    """Remembers each origin's robots.txt until it expires."""

    def get(self, origin: str) -> RobotsEntry | None:
        """The entry stored for ``origin``, or None if there is none or it has expired."""
        ...

    def put(self, origin: str, entry: RobotsEntry, ttl_seconds: float) -> None:
        """Store ``entry`` for ``origin`` for ``ttl_seconds``, replacing any other."""
        ...


class LocalRobotsStore:
    """The in-memory ``RobotsStore`` of one process; thread-safe.

    Expiry runs on the monotonic clock, so a change of the wall clock neither
    keeps a robots.txt for ever nor throws every one away.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[RobotsEntry, float]] = {}

    def get(self, origin: str) -> RobotsEntry | None:
        with self._lock:
            found = self._entries.get(origin)
            if found is None:
                return None
            entry, expires = found
            if expires <= time.monotonic():
                del self._entries[origin]
                return None
            return entry

    def put(self, origin: str, entry: RobotsEntry, ttl_seconds: float) -> None:
        with self._lock:
            self._entries[origin] = (entry, time.monotonic() + ttl_seconds)
