"""Helpers for the reader tests: articles, stories and readers made directly."""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime

from django.contrib.auth.models import User

from daybook.news.models import Article, Source, Story

PASSWORD = "correct horse battery staple"
_serial = itertools.count(1)


def make_article(
    title: str = "Rates on hold", source: Source | None = None, **fields: object
) -> Article:
    n = next(_serial)
    url = f"https://news.example/{n}"
    return Article.objects.create(
        source=source,
        url=url,
        canonical_url=url,
        title=title,
        text=f"Body of article {n}.",
        text_hash=hashlib.sha256(url.encode()).hexdigest(),
        published_at=fields.pop("published_at", datetime(2026, 11, 20, 3, 0, tzinfo=UTC)),
        **fields,
    )


def make_story(title: str = "A story") -> Story:
    return Story.objects.create(title=title)


def make_user(name: str = "alice", *, email: str = "", staff: bool = False) -> User:
    if staff:
        return User.objects.create_superuser(name, email or f"{name}@example.com", PASSWORD)
    return User.objects.create_user(name, email, PASSWORD)
