"""Which stories lead the front page: breadth of coverage, age and momentum,
measured against the present moment.

Only dated coverage counts. An article without a publication date says nothing
about when the event happened (a capture, a feed item with no date), so a story
known only from such articles never reaches the top, and an undated article never
makes a dated story look newer than it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from daybook.news.models import Story

WINDOW = timedelta(days=3)
"""Stories last covered longer ago than this are not candidates while newer ones exist."""

MOMENTUM_WINDOW = timedelta(hours=6)
FUTURE_TOLERANCE = timedelta(hours=1)
HALF_LIFE_HOURS = 36.0
FALLBACK_CANDIDATES = 200
"""When nothing was covered within ``WINDOW`` (a collection that stopped updating, an
archive), the most recently covered stories are ranked instead, by the same score."""


@dataclass(frozen=True)
class Ranked:
    story: Story
    latest: datetime
    """The newest dated coverage: what the front page shows as "updated"."""
    score: float


def score(publishers: int, age: timedelta, recent: int, articles: int) -> float:
    """Breadth counts most (a story three outlets cover beats one outlet's scoop of the
    same hour); interest halves every 36 hours; a story still gaining articles in the
    last six hours gets up to half again."""
    age_hours = max(0.0, age.total_seconds() / 3600)
    momentum = recent / max(1, articles)
    return float(publishers**1.5 * 0.5 ** (age_hours / HALF_LIFE_HOURS) * (1 + momentum / 2))


def top_stories(limit: int, now: datetime | None = None) -> list[Ranked]:
    """The ``limit`` best stories at ``now`` (default: the clock), best first."""
    now = now or timezone.now()
    live = Story.objects.filter(merged_into=None, article_count__gt=0)
    # A story's last_seen is never before its latest dated coverage, so the indexed
    # column narrows the stories before any article is joined.
    found = _best(live.filter(last_seen__gte=now - WINDOW), limit, now, now - WINDOW)
    if not found:
        newest = live.order_by("-last_seen").values_list("pk", flat=True)[:FALLBACK_CANDIDATES]
        found = _best(Story.objects.filter(pk__in=list(newest)), limit, now)
    return found


def _best(
    stories: QuerySet[Story], limit: int, now: datetime, since: datetime | None = None
) -> list[Ranked]:
    """The best ``limit`` of ``stories``, scoring exactly only as many as it takes.

    Scoring a story joins its articles; bounding it needs only its own columns. Its
    last_seen is never before its latest dated coverage and momentum is at most one,
    so ``score(publishers, now - last_seen, 1, 1)`` bounds its score from above.
    Stories are scored best bound first, and the search stops once the ``limit``-th
    exact score beats every bound not yet scored: the same answer as scoring them
    all, for a few dozen joins instead of thousands."""
    bounds = sorted(
        (
            (score(publishers, now - last_seen, 1, 1), pk)
            for pk, publishers, last_seen in stories.values_list(
                "pk", "publisher_count", "last_seen"
            )
        ),
        reverse=True,
    )
    found: list[Ranked] = []
    batch = max(2 * limit, 24)
    for start in range(0, len(bounds), batch):
        chosen = [pk for _, pk in bounds[start : start + batch]]
        found += [r for r in _scored(chosen, now) if since is None or r.latest >= since]
        found.sort(key=lambda r: (-r.score, -r.story.pk))
        following = start + batch
        if following >= len(bounds):
            break
        if len(found) >= limit and found[limit - 1].score > bounds[following][0]:
            break
    return found[:limit]


def _scored(ids: list[int], now: datetime) -> list[Ranked]:
    """Exact scores of the stories ``ids`` that have dated coverage."""
    # A date more than an hour ahead of the clock is a feed's mistake (or a feed
    # trying to pin itself to the top): it does not count as coverage.
    dated = Q(articles__published_at__lte=now + FUTURE_TOLERANCE)
    rows = (
        Story.objects.filter(pk__in=ids)
        .defer("centroid", "entities")
        .annotate(
            latest=Max("articles__published_at", filter=dated),
            recent=Count(
                "articles",
                filter=dated & Q(articles__published_at__gte=now - MOMENTUM_WINDOW),
            ),
        )
        .filter(latest__isnull=False)
    )
    return [
        Ranked(
            story=row,
            latest=row.latest,
            score=score(row.publisher_count, now - row.latest, row.recent, row.article_count),
        )
        for row in rows
    ]
