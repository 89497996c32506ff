"""Content revisions: what page caches and ETags key on.

Every commit that changes stored news (an article, a story, a publisher) or
comments moves a counter in the database, after it commits; a page built under
revision N is valid until the counter moves. Because the counter lives in the
database, a web process sees the changes a worker in another process made, with no
message between them and whatever cache backend is configured.

A running service stores an article every few seconds, and a counter moved by each
would empty the page cache as fast as it fills. So news bumps are coalesced: the
counter moves at most once per ``DAYBOOK_PAGE_FRESHNESS_SECONDS``; a change inside
that window only marks the row ``pending``, and the first reader (or tick) after the
window moves it. A page therefore lags new articles by at most that long, and never
misses them. Comments are never coalesced: a reader expects their comment at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from daybook.news.models import Revision

NEWS = "news"
COMMENTS = "comments"


def _freshness(name: str) -> timedelta:
    return timedelta(seconds=settings.DAYBOOK_PAGE_FRESHNESS_SECONDS if name == NEWS else 0)


def bump(name: str, *, force: bool = False) -> None:
    """Move ``name`` unless it moved within its freshness window (then mark it pending)."""
    now = timezone.now()
    rows = Revision.objects.filter(name=name)
    if not force:
        rows = rows.filter(changed_at__lte=now - _freshness(name))
    if rows.update(value=F("value") + 1, changed_at=now, pending=False):
        return
    if Revision.objects.filter(name=name).update(pending=True):
        return
    try:  # the first change of this kind ever
        with transaction.atomic():
            Revision.objects.create(name=name, value=1, changed_at=now)
    except IntegrityError:  # another process created it first
        Revision.objects.filter(name=name).update(pending=True)


def changed(name: str) -> None:
    """Bump ``name`` once, when the current transaction commits (at once outside
    one). A transaction saving a thousand rows bumps it once; a rolled-back one
    not at all, since Django drops its on-commit callbacks."""
    pending = [entry[1] for entry in connection.run_on_commit]
    if any(getattr(f, "revision", None) == name for f in pending):
        return
    callback: Callable[[], None] = functools.partial(bump, name)
    callback.revision = name  # type: ignore[attr-defined]
    transaction.on_commit(callback)


def flush() -> None:
    """Move every pending counter whose window has passed."""
    now = timezone.now()
    for name in Revision.objects.filter(pending=True).values_list("name", flat=True):
        Revision.objects.filter(
            name=name, pending=True, changed_at__lte=now - _freshness(name)
        ).update(value=F("value") + 1, changed_at=now, pending=False)


def current() -> tuple[tuple[str, int, datetime], ...]:
    """Every counter with when it last moved, in a fixed order; a pending change
    whose window has passed is published first."""
    rows = list(
        Revision.objects.order_by("name").values_list("name", "value", "changed_at", "pending")
    )
    now = timezone.now()
    if any(pending and at <= now - _freshness(name) for name, _, at, pending in rows):
        flush()
        rows = list(
            Revision.objects.order_by("name").values_list("name", "value", "changed_at", "pending")
        )
    return tuple((name, value, at) for name, value, at, _ in rows)


def value(name: str) -> int:
    """One counter's current value (0 before its first change)."""
    return next((v for n, v, _ in current() if n == name), 0)


def receiver(name: str) -> Callable[..., None]:
    """A signal receiver that marks ``name`` changed (for post_save/post_delete)."""

    def mark(sender: Any, **kwargs: Any) -> None:
        if kwargs.get("raw"):  # loading fixtures
            return
        changed(name)

    return mark
