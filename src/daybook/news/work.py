"""The state of pending work, kept on the rows the work is about.

The database, not the queue, is the record of what is left to do: a feed's
``next_poll_at``, an entry's ``fetch_due_at``, an article's ``stage`` and
``work_due_at``, a story's ``refresh_due_at`` and ``llm_due_at``. Handing a piece of
work to the queue moves its due time one lease ahead; finishing it clears it (or
sets the next time). A task lost with its worker (SIGKILL), with Redis, or never
enqueued because the broker was down is therefore not lost: its lease runs out and
the scheduler's tick hands it out again. Queues can be at-least-once because every
task checks the row's state first and does nothing when the work is already done.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone


class Stage:
    """An article's next pipeline step (``Article.stage``)."""

    ENRICH = "enrich"
    PLACE = "place"
    DONE = "done"


def lease(now: datetime | None = None) -> datetime:
    """When work handed to a worker is due again if that worker never finishes it."""
    return (now or timezone.now()) + timedelta(seconds=settings.DAYBOOK_LEASE_SECONDS)
