"""Helpers for the mail tests: stories the front page ranks, readers with addresses."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from django.contrib.auth.models import User
from django.utils import timezone

from daybook.news import stories
from daybook.news.models import Article, Source, Story
from tests.community import PASSWORD

_serial = count(1)


def story_of(
    title: str,
    publishers: tuple[str, ...] = ("Gazette",),
    *,
    summary: str = "",
    topics: list[str] | None = None,
    hours_ago: float = 2,
) -> Story:
    """A story covered by ``publishers`` a few hours ago, with a summary sentence."""
    story = Story.objects.create(title=title)
    published: datetime = timezone.now() - timedelta(hours=hours_ago)
    first = None
    for name in publishers:
        source, _ = Source.objects.get_or_create(name=name)
        n = next(_serial)
        article = Article.objects.create(
            source=source,
            url=f"https://{name.lower()}.example/{n}",
            canonical_url=f"https://{name.lower()}.example/{n}",
            title=f"{title} ({name})",
            text=f"Text of {title} {n}.",
            text_hash=f"mail-hash-{n}",
            published_at=published,
            story=story,
            topics=topics or [],
        )
        first = first or article
    stories.refresh(story)
    Story.objects.filter(pk=story.pk).update(
        summary=[{"article": first.pk if first else 0, "text": summary or f"What {title} says."}]
    )
    story.refresh_from_db()
    return story


def reader(name: str = "ana", email: str | None = None) -> User:
    return User.objects.create_user(name, email or f"{name}@example.org", PASSWORD)
