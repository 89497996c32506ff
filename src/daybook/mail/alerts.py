"""What an alert holds: new originals matching a saved search or one followed
publisher, topic or entity, none the reader was mailed before, none their mutes hide.

"New" is stored since the alert was made: an alert never mails the archive. The
same selection, without the "not mailed before", is the alert's private feed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from daybook.community.forms import target_label
from daybook.community.state import ReaderState
from daybook.mail.models import Sent, Subscription
from daybook.news import search
from daybook.news.models import Article
from daybook.web import pages, reader

MAX_ARTICLES = 20
SEARCHED = 200
"""Newest matches of a saved search looked at each time: more than an alert can show."""

Target = Subscription.Target


def matching(subscription: Subscription) -> QuerySet[Article]:
    """The originals an alert is about, newest stored first."""
    rows = pages.originals()
    if subscription.target == Target.SEARCH:
        found = search.search(search.Query(text=subscription.key, order="date"), limit=SEARCHED)
        rows = rows.filter(pk__in=[hit.article_id for hit in found.hits])
    else:
        rows = rows.filter(reader.following(subscription.target, subscription.key)).distinct()
    return rows.order_by("-created_at", "-id")


def visible(articles: QuerySet[Article], state: ReaderState, limit: int) -> list[dict[str, Any]]:
    """Article cards of ``articles`` without what the reader mutes."""
    shown: list[dict[str, Any]] = reader.apply(pages.cards(articles[: limit * 3]), state)
    return shown[:limit]


def articles(subscription: Subscription, state: ReaderState) -> list[dict[str, Any]]:
    """Cards for an alert mail; empty when nothing new."""
    mailed = Sent.objects.filter(user_id=subscription.user_id, article_id__isnull=False)
    rows = matching(subscription).filter(created_at__gte=subscription.created_at)
    rows = rows.exclude(pk__in=mailed.values("article_id"))
    return visible(rows, state, MAX_ARTICLES)


def item(card: dict[str, Any]) -> dict[str, Any]:
    """An article card as a mail shows it (``compose``)."""
    return {
        "article": card["id"],
        "title": card["title"],
        "path": card["path"],
        "publishers": [card["publisher"]["name"]] if card["publisher"]["name"] else [],
        "summary": [card["teaser"]] if card["teaser"] else [],
    }


def describe(subscription: Subscription) -> str:
    """What an alert is about, for its mail's subject and the settings page."""
    if subscription.target == Target.SEARCH:
        return f"“{subscription.key}”"
    return target_label(subscription.target, subscription.key) or "(no longer here)"
