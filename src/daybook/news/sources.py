"""Adding, listing, removing, importing and exporting sources.

``add_source`` accepts what a person would paste: a feed URL, or a site's
home page whose feed is found from its ``<link rel="alternate">`` tags or, when
it has none, at the usual paths (/feed, /rss.xml...). Every request goes
through the safe fetcher.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from daybook.errors import DaybookError, SourceError
from daybook.news.models import Feed, Source
from daybook.pipeline.discover import COMMON_FEED_PATHS, discover_feeds
from daybook.pipeline.feeds import looks_like_feed, parse_feed
from daybook.pipeline.fetch import Fetcher
from daybook.pipeline.opml import OpmlOutline, parse_opml, write_opml
from daybook.pipeline.types import ParsedFeed


@dataclass(frozen=True)
class FoundFeed:
    url: str
    parsed: ParsedFeed


def find_feed(fetcher: Fetcher, url: str) -> FoundFeed:
    """The feed behind ``url``: the URL itself, a feed its page links to, or a usual path."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise SourceError(f"not an http(s) URL: {url!r}")
    page = fetcher.fetch(
        url,
        accept="application/rss+xml, application/atom+xml, "
        "application/feed+json, text/html;q=0.9, */*;q=0.5",
    )
    if looks_like_feed(page.content, page.content_type):
        return FoundFeed(
            page.url, parse_feed(page.content, url=page.url, content_type=page.content_type)
        )
    candidates = [found.url for found in discover_feeds(page.text, base_url=page.url)]
    candidates += [urljoin(page.url, path) for path in COMMON_FEED_PATHS]
    tried: list[str] = []
    for candidate in dict.fromkeys(candidates):
        try:
            fetched = fetcher.fetch(candidate)
            if looks_like_feed(fetched.content, fetched.content_type):
                parsed = parse_feed(
                    fetched.content, url=fetched.url, content_type=fetched.content_type
                )
                return FoundFeed(fetched.url, parsed)
        except DaybookError as error:
            tried.append(f"{candidate} ({type(error).__name__})")
    raise SourceError(
        f"no feed found at {url}; tried the page's links and {len(tried)} usual paths"
    )


def add_source(fetcher: Fetcher, url: str, name: str | None = None) -> Feed:
    found = find_feed(fetcher, url)
    if Feed.objects.filter(url=found.url).exists():
        raise SourceError(f"already a source: {found.url}")
    return create_found(found, name)


def create_found(found: FoundFeed, name: str | None = None) -> Feed:
    """A source for a feed ``find_feed`` found, named by ``name``, else the feed's
    title, else its site's host name."""
    site = found.parsed.site_url or _origin(found.url)
    return create_feed(
        found.url,
        name or found.parsed.title or urlsplit(site).hostname or site,
        site_url=site,
        title=found.parsed.title or "",
        icon=found.parsed.icon or "",
    )


@transaction.atomic
def create_feed(
    url: str, name: str, *, site_url: str = "", title: str = "", icon: str = ""
) -> Feed:
    """A source (reused when one of that name exists) and its feed, together or not at all."""
    source, _ = Source.objects.get_or_create(
        name=name[:200], defaults={"site_url": site_url, "icon": icon[:2000]}
    )
    feed, _ = Feed.objects.get_or_create(
        url=url,
        defaults={
            "source": source,
            "title": title[:500],
            "poll_interval": settings.DAYBOOK_POLL_INTERVAL,
        },
    )
    return feed


def remove_source(key: str) -> Source:
    """Remove a source, given its id, its name or one of its feed URLs, with its feeds.

    Articles already stored stay: they were published, and a reader may have
    them bookmarked; they just stop being linked to the source.
    """
    source = find_source(key)
    source.delete()
    return source


def find_source(key: str) -> Source:
    """A source by its id, its name or one of its feed URLs."""
    source = (
        (Source.objects.filter(pk=int(key)).first() if key.isdigit() else None)
        or Source.objects.filter(name=key).first()
        or Source.objects.filter(feeds__url=key).first()
    )
    if source is None:
        raise SourceError(f"no source matches {key!r}")
    return source


@transaction.atomic
def edit_source(
    key: str,
    *,
    interval: int | bool | None = None,
    floor: int | bool | None = None,
    active: bool | None = None,
    name: str | None = None,
) -> list[Feed]:
    """Change how a source's feeds are polled. ``interval`` and ``floor`` are seconds,
    ``False`` to go back to what the feed's history decides, None to leave as is.
    The feeds are due at once, so a change shows on the next tick."""
    source = find_source(key)
    if name:
        source.name = name[:200]
        source.save(update_fields=["name"])
    feeds = list(source.feeds.all())
    for feed in feeds:
        if interval is not None:
            feed.interval_override = interval or None
        if floor is not None:
            feed.floor_override = floor or None
        if active is not None:
            feed.active = active
            if active:
                feed.disabled_reason = ""
                feed.consecutive_failures = 0
                feed.first_failure_at = None
        feed.next_poll_at = timezone.now()
        feed.save()
    return feeds


def import_opml(data: bytes) -> tuple[int, int]:
    """Add every feed of an OPML file without fetching it; returns (added, already there)."""
    added = existing = 0
    for outline in parse_opml(data):
        if Feed.objects.filter(url=outline.url).exists():
            existing += 1
            continue
        name = outline.title or urlsplit(outline.url).hostname or outline.url
        create_feed(outline.url, name, site_url=outline.site_url or "", title=outline.title or "")
        added += 1
    return added, existing


def export_opml() -> bytes:
    outlines = [
        OpmlOutline(
            url=feed.url,
            title=feed.source.name,
            site_url=feed.source.site_url or None,
            category=None,
        )
        for feed in Feed.objects.select_related("source").order_by("source__name", "url")
    ]
    return write_opml(outlines)


def default_sources() -> list[dict[str, str]]:
    """Real publishers' public feeds, shipped with daybook, added only on request."""
    text = resources.files("daybook.news").joinpath("default_sources.json").read_text("utf-8")
    data: list[dict[str, str]] = json.loads(text)
    return data


def add_defaults() -> tuple[int, int]:
    added = existing = 0
    for item in default_sources():
        if Feed.objects.filter(url=item["feed"]).exists():
            existing += 1
            continue
        create_feed(item["feed"], item["name"], site_url=item["site"])
        added += 1
    return added, existing


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"
