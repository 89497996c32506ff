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

Every daybook process migrates the database when it starts, and a site and its
workers start together. Migrating is many transactions, and what runs after them
(content types, permissions) checks and then inserts, so two at once can both
insert: ``migration_lock()`` lets one process migrate at a time.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

PLACEMENT_KEY = 0x64617962  # "dayb": any constants shared by every process
STORE_KEY = 0x64617963
MIGRATION_KEY = 0x64617964


@contextmanager
def migration_lock() -> Iterator[None]:
    """One process at a time in the block: a session advisory lock on PostgreSQL, a
    lock on a file beside the database on SQLite (whose processes share a machine)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_KEY])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_KEY])
        return
    database = Path(str(settings.DATABASES["default"]["NAME"]))
    database.parent.mkdir(parents=True, exist_ok=True)
    with database.with_name(database.name + ".migrate-lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        yield


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
