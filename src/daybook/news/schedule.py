"""The scheduler's tick: hand out the work that is due, each piece to one process.

Any number of processes may run the tick (every ``daybook worker`` and ``daybook
serve`` does). Each piece of due work is claimed with one compare-and-set UPDATE
(``... SET due = lease WHERE pk = x AND due = <the value read>``): of two ticks that
read the same due row, exactly one moves it, and only that one submits its task. A
feed's claim also carries a token the poll must still hold when it finishes. Work
whose worker died comes back when its lease runs out (``news/work.py``).

The tick does not flood a queue: it claims for a queue only while fewer than
``QUEUE_HIGH_WATER`` tasks wait in it, so a backlog drains before its leases run out.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone

from daybook.news import politeness, queues, revision, tasks, websub
from daybook.news.enrich import MAX_ATTEMPTS
from daybook.news.models import Article, Entry, Feed, Heartbeat, Story
from daybook.news.work import Stage, lease

log = logging.getLogger("daybook.schedule")

BATCH = 200
"""Most pieces of one kind claimed by one tick."""
QUEUE_HIGH_WATER = 500


@dataclass
class TickStats:
    feeds: int = 0
    entries: int = 0
    articles: int = 0
    stories: int = 0
    mails: int = 0
    skipped_queues: list[str] = field(default_factory=list)


def claim_due(
    rows: QuerySet[Any], due_field: str, *, limit: int = BATCH, **also: Any
) -> list[tuple[int, dict[str, Any]]]:
    """Claim up to ``limit`` rows whose ``due_field`` has passed: each is moved one
    lease ahead by an UPDATE that only one process can win. Returns the won rows'
    ids with the values asked for in ``also`` names (for the caller's task)."""
    now = timezone.now()
    until = lease(now)
    model: type[Model] = rows.model
    candidates = (
        rows.filter(**{f"{due_field}__lte": now})
        .order_by(due_field)
        .values_list("pk", due_field)[:limit]
    )
    won: list[tuple[int, dict[str, Any]]] = []
    for pk, due in candidates:
        values = {name: make() for name, make in also.items()}
        updated = model._default_manager.filter(pk=pk, **{due_field: due}).update(
            **{due_field: until}, **values
        )
        if updated:
            won.append((pk, values))
    return won


def claim_feeds(*, due_only: bool = True, limit: int = BATCH) -> list[tuple[int, str]]:
    """Claim the active feeds that are due (or every active feed): (id, claim token)."""
    feeds = Feed.objects.filter(active=True)
    if not due_only:
        # A forced run (`ingest --all`) takes every feed now, even one a poll holds:
        # that poll loses its claim and leaves the schedule to this one.
        feeds.filter(next_poll_at__gt=timezone.now()).update(next_poll_at=timezone.now())
    won = claim_due(feeds, "next_poll_at", limit=limit, claim=lambda: secrets.token_hex(16))
    return [(pk, values["claim"]) for pk, values in won]


def tick() -> TickStats:
    """One pass: record that the tick ran, then submit every kind of due work."""
    beat("tick", "tick")
    stats = TickStats()
    depth = queues.depths()

    def room(name: str) -> bool:
        if depth.get(name, 0) < QUEUE_HIGH_WATER:
            return True
        stats.skipped_queues.append(name)
        return False

    if room("feeds"):
        for pk, claim in claim_feeds():
            tasks.submit(tasks.poll_feed, pk, claim)
            stats.feeds += 1
    if room("pages"):
        for pk, _ in claim_due(Entry.objects.exclude(pending={}), "fetch_due_at"):
            tasks.submit(tasks.fetch_entry, pk)
            stats.entries += 1
    pending = Article.objects.filter(enrich_attempts__lt=MAX_ATTEMPTS)
    if room("enrich"):
        for pk, _ in claim_due(pending.filter(stage=Stage.ENRICH), "work_due_at"):
            tasks.submit(tasks.enrich_article, pk)
            stats.articles += 1
    if room("stories"):
        for pk, _ in claim_due(pending.filter(stage=Stage.PLACE), "work_due_at"):
            tasks.submit(tasks.place_article, pk)
            stats.articles += 1
        for pk, _ in claim_due(Story.objects.all(), "refresh_due_at"):
            tasks.submit(tasks.refresh_story, pk)
            stats.stories += 1
    if room("llm"):
        for pk, _ in claim_due(Story.objects.all(), "llm_due_at"):
            tasks.submit(tasks.write_story_summary, pk)
    if room("mail"):
        from daybook.mail import send  # mail claims through claim_due, above

        stats.mails = send.submit_due()
    websub.renew_due()
    revision.flush()
    now = timezone.now()
    queues.forget_lost(alive_since(now - _LOST_AFTER), started_before=now - _LOST_AFTER)
    forget_workers(now - _FORGET_AFTER)
    queues.prune(finished_before=now - _KEEP_FINISHED, failed_before=now - _FORGET_AFTER * 7)
    politeness.forget_idle((now - _FORGET_AFTER).timestamp())
    return stats


def run_in_process(*, due_only: bool = True, enrich: bool = True) -> None:
    """Poll the due feeds (or all of them) and finish all the work they bring, in
    this process, through the same tasks: ``daybook ingest``. Without ``enrich``,
    articles are stored and left due for enrichment."""
    served = None if enrich else {"feeds", "pages"}
    with tasks.in_process(served):
        for pk, claim in claim_feeds(due_only=due_only, limit=100_000):
            tasks.submit(tasks.poll_feed, pk, claim)
        # Pages an earlier run left unfetched (killed, or its task lost) are taken
        # now, lease or not: a fetch done twice stores once.
        for pk in Entry.objects.exclude(pending={}).values_list("pk", flat=True):
            tasks.submit(tasks.fetch_entry, pk)


# -- heartbeats -------------------------------------------------------------------------


_LOST_AFTER = timedelta(seconds=90)
_FORGET_AFTER = timedelta(days=1)
_KEEP_FINISHED = timedelta(minutes=10)


def beat(name: str, kind: str, queues_served: str = "") -> None:
    """Record that ``name`` is alive (a worker, or the tick)."""
    now = timezone.now()
    updated = Heartbeat.objects.filter(name=name).update(seen_at=now)
    if not updated:
        Heartbeat.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "queues": queues_served,
                "started_at": now,
                "seen_at": now,
            },
        )


def alive_since(moment: datetime) -> set[str]:
    """Names of the workers seen since ``moment``."""
    return set(
        Heartbeat.objects.filter(kind="worker", seen_at__gte=moment).values_list("name", flat=True)
    )


def forget_workers(before: datetime) -> None:
    """Drop heartbeats of workers long gone, so `status` counts only the living."""
    Heartbeat.objects.filter(seen_at__lt=before).delete()
