"""Following the publisher behind a URL a reader pasted, for the web's subscriptions
page and the reader apps' "add a feed" alike.

It goes through the same discovery as ``daybook sources add`` and the same safe
fetcher (every SSRF rule, size and time caps), so a reader can ask for nothing the
operator has not allowed. A URL whose feed daybook already polls is simply followed;
a new one becomes a source only if ``DAYBOOK_READERS_ADD_SOURCES`` is on (the
default) or the reader is staff.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User

from daybook.community.models import Follow
from daybook.errors import DaybookError
from daybook.news import sources
from daybook.news.fetching import make_fetcher
from daybook.news.models import Feed, Source

MAX_URL = 2000


class CannotSubscribe(DaybookError):
    """A URL a reader cannot follow, with what to tell them."""


def may_add_sources(user: User) -> bool:
    return bool(settings.DAYBOOK_READERS_ADD_SOURCES or user.is_staff)


def follow(user: User, source: Source) -> bool:
    """Follow ``source``; False when it was followed already."""
    _, made = Follow.objects.get_or_create(user=user, kind="publisher", key=str(source.pk))
    return made


def subscribe(user: User, url: str) -> Feed:
    """Follow the publisher behind ``url`` (a feed, or a site whose feed is found);
    returns the feed found."""
    url = url.strip()
    if not url or len(url) > MAX_URL:
        raise CannotSubscribe("Give the address of a site or a feed.")
    known = Feed.objects.select_related("source").filter(url=url).first()
    if known is None or known.source is None:
        try:
            with make_fetcher() as fetcher:
                found = sources.find_feed(fetcher, url)
        except DaybookError as error:
            raise CannotSubscribe(f"Could not add {url}: {error}") from error
        known = Feed.objects.select_related("source").filter(url=found.url).first()
        if known is None or known.source is None:
            if not may_add_sources(user):
                raise CannotSubscribe(f"{url} is not a source here yet; ask the operator.")
            known = sources.create_found(found)
    if known.source is None:  # a feed whose publisher was removed: nothing to follow
        raise CannotSubscribe(f"{url} has no publisher here any more; ask the operator.")
    follow(user, known.source)
    return known
