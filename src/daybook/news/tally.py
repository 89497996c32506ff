"""Shared counters (``Tally`` rows): one atomic UPDATE each, so every process and
machine agrees on them without counting a table."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from daybook.news.models import Tally

ORIGINALS = "originals"
"""Original (not copied) articles enriched: the document count of entity weights."""
ENTITIES = "entities"
"""The entity registry's version: bumped by every change to an entity."""


def add(name: str, delta: int = 1) -> None:
    if Tally.objects.filter(name=name).update(value=F("value") + delta):
        return
    try:
        with transaction.atomic():
            Tally.objects.create(name=name, value=delta)
    except IntegrityError:  # another process created it first
        Tally.objects.filter(name=name).update(value=F("value") + delta)


def value(name: str) -> int:
    found = Tally.objects.filter(name=name).values_list("value", flat=True).first()
    return found or 0


def increment(name: str) -> int:
    """Add one and return the new value. Two callers racing may both read the same
    value unless the caller holds a lock that serialises them (the placement lock)."""
    add(name)
    return value(name)
