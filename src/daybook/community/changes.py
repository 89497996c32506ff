"""When a reader's own state changes: the counter their pages are kept under.

Every row that shapes what a signed-in reader sees (a bookmark, a follow, a mute, a
read bound or mark) moves the reader's ``ReaderRevision`` in the same transaction,
through model signals, so no writer (the site, the reader apps' APIs, the admin) can
forget to. ``QuerySet.update`` sends no signal: code that updates such rows in bulk
calls ``changed`` itself (``reading.mark_all``).

The web process reads a reader's counter at most once a second (``value``); a change
made in this process is seen at once, one made in another within that second.
"""

from __future__ import annotations

import functools
import threading
import time
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save

from daybook.community.models import Bookmark, Follow, Mute, ReadBound, ReaderRevision, ReadMark

READ_EVERY = 1.0
WATCHED = (Bookmark, Follow, Mute, ReadBound, ReadMark)

_lock = threading.Lock()
_known: dict[int, tuple[float, int]] = {}
"""user id -> (when read, value), this process's view of the counters."""


def changed(user_id: int) -> None:
    """Move ``user_id``'s counter in the transaction that changes their state, so
    other processes see both at once when it commits."""
    if not ReaderRevision.objects.filter(user_id=user_id).update(value=F("value") + 1):
        try:
            with transaction.atomic():
                ReaderRevision.objects.create(user_id=user_id, value=1)
        except IntegrityError:  # made by another process meanwhile
            ReaderRevision.objects.filter(user_id=user_id).update(value=F("value") + 1)
    _unknown(user_id)
    transaction.on_commit(functools.partial(_unknown, user_id))


def _unknown(user_id: int) -> None:
    """This process reads the counter again next time: now, for the thread that made
    the change, and after the commit, for the others."""
    with _lock:
        _known.pop(user_id, None)


def value(user_id: int) -> int:
    """The reader's counter, read from the database at most once a second."""
    now = time.monotonic()
    with _lock:
        known = _known.get(user_id)
    if known is not None and now - known[0] < READ_EVERY:
        return known[1]
    found = ReaderRevision.objects.filter(user_id=user_id).values_list("value", flat=True).first()
    with _lock:
        _known[user_id] = (now, found or 0)
    return found or 0


def _receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        changed(instance.user_id)


def connect() -> None:
    for model in WATCHED:
        name = model.__name__
        post_save.connect(_receiver, sender=model, dispatch_uid=f"reader-revision-{name}")
        post_delete.connect(_receiver, sender=model, dispatch_uid=f"reader-revision-del-{name}")


def forget() -> None:
    """Drop this process's view of the counters (tests switch databases)."""
    with _lock:
        _known.clear()
