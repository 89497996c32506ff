"""Politeness shared by every process: host slots and spacing, and robots.txt, in the database.

Each worker process has its own ``Fetcher``; with the in-memory gate each would
allow a host its own ``per_host_concurrency`` requests at once, and fetch its
own robots.txt, so N workers would hit a publisher N times as hard. These
implementations of the pipeline's ``HostGate`` and ``RobotsStore`` keep that
state in the database instead (``HostSlot``, ``HostState``, ``RobotsRecord``),
so a host sees one polite crawler however many processes and machines fetch.

- A slot is a ``HostSlot`` row leased by one conditional UPDATE (``held_until``
  in the past): only one process can win it. The lease lasts the fetch's
  remaining time plus a margin, so the slot of a process killed mid-fetch frees
  itself when the lease runs out; a live process releases it on exit.
- The next start time is a ``HostState`` row read and moved in one short
  transaction: ``select_for_update()`` on PostgreSQL; on SQLite, daybook's
  ``BEGIN IMMEDIATE`` transactions (settings.py) already hold the single write
  lock, so the read and the write cannot interleave with another process's.
- Times are Unix time, since they are compared across machines: their clocks
  must agree to within the lease margin. A start time stored by a clock far
  ahead is bounded by ``reserve_start``.

Call these outside ``transaction.atomic()``: inside one, a lease only becomes
visible to other processes when the caller commits (and on SQLite the write
lock would be held for the whole fetch). Every thread uses its own Django
connection, as Django gives it; nothing here closes a connection.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from daybook.errors import FetchTimeout
from daybook.news.models import HostSlot, HostState, RobotsRecord
from daybook.pipeline.politeness import RobotsEntry, reserve_start


class DatabaseHostGate:
    """A ``HostGate`` whose slots and start times every process shares.

    ``margin`` is how long a lease outlives the time its fetch may take (it
    covers clock differences between machines); ``poll_seconds`` is how often a
    process waiting for a busy host looks again.
    """

    def __init__(self, *, margin: float = 10.0, poll_seconds: float = 0.05) -> None:
        self._margin = margin
        self._poll = poll_seconds

    @contextmanager
    def slot(
        self, host_key: str, *, concurrency: int, delay: float, timeout: float
    ) -> Iterator[None]:
        end = time.monotonic() + timeout
        holder = uuid.uuid4().hex
        number = self._lease(host_key, concurrency, holder, end)
        try:
            if delay > 0:  # without a delay there is nothing to reserve: spare the write
                time.sleep(self._reserve(host_key, concurrency, delay, end))
            yield
        finally:
            # A free slot's ``held_until`` is when it was last given back: in the past,
            # so free, and telling ``forget_idle`` whether the host is still fetched.
            HostSlot.objects.filter(host=host_key, slot=number, holder=holder).update(
                holder="", held_until=time.time()
            )

    def _lease(self, host_key: str, concurrency: int, holder: str, end: float) -> int:
        """Take one of the host's slots for ``holder``; the slot's number.

        Free slots are found by a read first, so a process waiting for a busy
        host does not take SQLite's write lock on every look; the UPDATE's own
        condition decides who wins a slot that several processes saw free.
        """
        while True:
            now = time.time()
            seen = dict(
                HostSlot.objects.filter(host=host_key, slot__lt=concurrency).values_list(
                    "slot", "held_until"
                )
            )
            missing = [number for number in range(concurrency) if number not in seen]
            if missing:  # a host never fetched before, or a higher concurrency
                HostSlot.objects.bulk_create(
                    [HostSlot(host=host_key, slot=number) for number in missing],
                    ignore_conflicts=True,
                )
            free = [number for number, until in seen.items() if until < now] + missing
            random.shuffle(free)  # waiters spread over the slots instead of racing for one
            until = now + max(0.0, end - time.monotonic()) + self._margin
            for number in free:
                taken = HostSlot.objects.filter(
                    host=host_key, slot=number, held_until__lt=now
                ).update(holder=holder, held_until=until)
                if taken:
                    return number
            left = end - time.monotonic()
            if left <= 0:
                raise FetchTimeout(f"no free connection slot for {host_key} in time")
            time.sleep(min(left, self._poll * random.uniform(0.5, 1.5)))

    def _reserve(self, host_key: str, concurrency: int, delay: float, end: float) -> float:
        """Reserve the host's next start; the seconds to wait for it.

        Raises ``FetchTimeout``, reserving nothing, when the start would come
        after ``end``.
        """
        with transaction.atomic():
            state, _ = HostState.objects.select_for_update().get_or_create(host=host_key)
            now = time.time()
            start = reserve_start(now, state.next_start_at, concurrency=concurrency, delay=delay)
            if start - now >= end - time.monotonic():
                raise FetchTimeout(f"per-host delay for {host_key} passes the deadline")
            state.next_start_at = start + delay
            state.save(update_fields=["next_start_at"])
        return max(0.0, start - time.time())


class DatabaseRobotsStore:
    """A ``RobotsStore`` every process shares: one fetch of a robots.txt serves all."""

    def get(self, origin: str) -> RobotsEntry | None:
        found = (
            RobotsRecord.objects.filter(origin=origin, expires_at__gt=time.time())
            .values_list("body", "allow_all")
            .first()
        )
        if found is None:
            return None
        body, allow_all = found
        return RobotsEntry(None if allow_all else body)

    def put(self, origin: str, entry: RobotsEntry, ttl_seconds: float) -> None:
        RobotsRecord.objects.update_or_create(
            origin=origin,
            defaults={
                # PostgreSQL text cannot hold NUL; robots.txt parsers skip the line anyway.
                "body": (entry.body or "").replace("\x00", "\ufffd"),
                "allow_all": entry.body is None,
                "expires_at": time.time() + ttl_seconds,
            },
        )


def forget_idle(before: float) -> None:
    """Drop the politeness rows of hosts not fetched since ``before`` (Unix time) and
    robots.txt expired before it, so the tables hold the hosts in use rather than
    every host ever fetched. A row dropped while a fetch looks at it is made again."""
    HostSlot.objects.filter(held_until__lt=before).delete()
    HostState.objects.filter(next_start_at__lt=before).delete()
    RobotsRecord.objects.filter(expires_at__lt=before).delete()
