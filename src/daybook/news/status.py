"""What the service is doing: for `daybook status` and /healthz."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from daybook.news import queues
from daybook.news.models import Article, Feed, Heartbeat
from daybook.news.work import Stage

OVERDUE = timedelta(minutes=5)
"""A due feed not polled this long after its time is overdue: the workers lag."""


def tick_max_age() -> timedelta:
    """How old the last tick may be before the service is unhealthy."""
    return timedelta(seconds=max(60.0, settings.DAYBOOK_TICK_SECONDS * 6))


def report() -> dict[str, Any]:
    now = timezone.now()
    workers = list(
        Heartbeat.objects.filter(kind="worker", seen_at__gte=now - timedelta(minutes=1))
        .order_by("name")
        .values("name", "host", "pid", "queues", "started_at", "seen_at")
    )
    last_tick = _last_tick()
    active = Feed.objects.filter(active=True)
    oldest = (
        Article.objects.filter(work_due_at__isnull=False)
        .exclude(stage=Stage.DONE)
        .aggregate(oldest=Min("created_at"))["oldest"]
    )
    return {
        "backend": "redis" if queues.uses_redis() else "database",
        "queues": [vars(state) for state in queues.states()],
        "workers": [
            {**w, "started_at": _iso(w["started_at"]), "seen_at": _iso(w["seen_at"])}
            for w in workers
        ],
        "last_tick": _iso(last_tick),
        "feeds": {
            "active": active.count(),
            "disabled": Feed.objects.filter(active=False).count(),
            "due": active.filter(next_poll_at__lte=now).count(),
            "overdue": active.filter(next_poll_at__lte=now - OVERDUE).count(),
        },
        "oldest_unprocessed_seconds": int((now - oldest).total_seconds()) if oldest else None,
    }


def health() -> tuple[bool, dict[str, Any]]:
    """Whether the database and the queue answer and the tick ran lately, and why not."""
    problems: list[str] = []
    try:
        last_tick = _last_tick()
    except Exception as error:
        return False, {"ok": False, "problems": [f"database: {type(error).__name__}: {error}"]}
    try:
        queues.ping()
    except Exception as error:
        problems.append(f"queue: {type(error).__name__}: {error}")
    if last_tick is None:
        problems.append("tick: never ran")
    elif timezone.now() - last_tick > tick_max_age():
        problems.append(f"tick: last ran {int((timezone.now() - last_tick).total_seconds())}s ago")
    return not problems, {"ok": not problems, "last_tick": _iso(last_tick), "problems": problems}


def _last_tick() -> Any:
    return (
        Heartbeat.objects.filter(kind="tick")
        .order_by("-seen_at")
        .values_list("seen_at", flat=True)
        .first()
    )


def _iso(moment: Any) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None
