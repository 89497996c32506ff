"""Content revisions: what page caches and ETags key on.

Every commit that changes stored news (an article, a story, a publisher) or
comments bumps a counter in the database once, after it commits; a page built
under revision N is valid until the counter moves. Because the counter lives in
the database, a web process sees the changes an ``ingest`` in another process
made, with no message between them and whatever cache backend is configured.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from daybook.news.models import Revision

NEWS = "news"
COMMENTS = "comments"


def bump(name: str) -> None:
    moved = Revision.objects.filter(name=name).update(
        value=F("value") + 1, changed_at=timezone.now()
    )
    if not moved:  # the first change of this kind ever
        Revision.objects.get_or_create(name=name, defaults={"value": 1})


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


def current() -> tuple[tuple[str, int, datetime], ...]:
    """Every counter with when it last moved, in a fixed order."""
    return tuple(Revision.objects.order_by("name").values_list("name", "value", "changed_at"))


def receiver(name: str) -> Callable[..., None]:
    """A signal receiver that marks ``name`` changed (for post_save/post_delete)."""

    def mark(sender: Any, **kwargs: Any) -> None:
        if kwargs.get("raw"):  # loading fixtures
            return
        changed(name)

    return mark
