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
    # A date more than an hour ahead of the clock is a feed's mistake (or a feed
    # trying to pin itself to the top): it does not count as coverage.
    dated = Q(articles__published_at__lte=now + FUTURE_TOLERANCE)
    live = Story.objects.filter(merged_into=None, article_count__gt=0)

    def ranked(stories: QuerySet[Story]) -> list[Ranked]:
        # Rank on the stories' own columns and two aggregates; their articles load later.
        rows = (
            stories.defer("centroid", "entities")
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

    # A story's last_seen is never before its latest dated coverage, so the indexed
    # column narrows the stories before any article is joined.
    found = [
        r for r in ranked(live.filter(last_seen__gte=now - WINDOW)) if r.latest >= now - WINDOW
    ]
    if not found:
        newest = live.order_by("-last_seen").values_list("pk", flat=True)[:FALLBACK_CANDIDATES]
        found = ranked(Story.objects.filter(pk__in=list(newest)))
    found.sort(key=lambda r: (-r.score, -r.story.pk))
    return found[:limit]
