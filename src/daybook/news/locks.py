"""The locks that serialise story placement, the entity registry, and storing.

Two workers placing two articles of one event at once would each see no story for
it and start two; two resolving a new name at once would each create its canonical
entity. So the part of enrichment that reads and writes those shared decisions runs
inside ``placement_lock()``, held to the end of the caller's transaction:

- PostgreSQL: a transaction-level advisory lock (``pg_advisory_xact_lock``), which
  blocks only other placements, never readers or other writers;
- SQLite: nothing more is needed. daybook opens every SQLite transaction with
  ``BEGIN IMMEDIATE`` (settings.py), which takes the database's single write lock
  before the first read, so a transaction that writes is already alone.

Everything slow (embedding, spaCy, summaries) runs before the lock is taken; what
runs under it is a handful of indexed reads and writes per article.

Storing has the same shape of race: two workers storing two near-copies of one wire
story at once would each look for the other, find nothing committed, and store both
as originals. ``store_lock()`` makes the look-then-store step one at a time (on
SQLite, again, the write lock already does).
"""

from __future__ import annotations

from django.db import connection, transaction

PLACEMENT_KEY = 0x64617962  # "dayb": any constants shared by every process
STORE_KEY = 0x64617963


def placement_lock() -> None:
    """Hold the placement lock until the current transaction ends."""
    _hold(PLACEMENT_KEY)


def store_lock() -> None:
    """Hold the store lock until the current transaction ends."""
    _hold(STORE_KEY)


def _hold(key: int) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a transaction lock must be taken inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
