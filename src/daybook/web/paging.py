"""Cursor pagination over article lists, shared by the pages and the API.

A cursor names the last row shown (its time and id), so the next page starts
after it even while new articles arrive at the top; an offset would repeat or
skip rows as the list moves. Rows are ordered by publication time, falling back
to when they were stored, because SQLite and PostgreSQL sort NULLs differently.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from daybook.news.models import Article

MAX_LIMIT = 100


class BadCursor(ValueError):
    """A cursor that this site did not make (or that was tampered with)."""


def encode(when: datetime, pk: int) -> str:
    raw = f"{when.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, pk = raw.rsplit("|", 1)
        moment = datetime.fromisoformat(when)
        if moment.tzinfo is None:
            raise ValueError("naive time")
        return moment, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise BadCursor(f"not a valid cursor: {cursor[:40]!r}") from error


def newest_first(articles: QuerySet[Article]) -> QuerySet[Article]:
    """``articles`` in the order every list shows them, each with its ``when``."""
    return articles.annotate(when=Coalesce("published_at", "created_at")).order_by("-when", "-id")


def page(
    articles: QuerySet[Article], cursor: str | None, limit: int
) -> tuple[list[Article], str | None]:
    """One page of ``articles``, newest first, and the cursor of the next page (None at the end)."""
    limit = max(1, min(limit, MAX_LIMIT))
    rows = newest_first(articles)
    if cursor:
        when, pk = decode(cursor)
        rows = rows.filter(Q(when__lt=when) | Q(when=when, id__lt=pk))
    found: list[Article] = list(rows[: limit + 1])
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    return found[:limit], encode(last.when, last.pk)  # type: ignore[attr-defined]
