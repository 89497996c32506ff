"""Feed discovery: the feeds an HTML page advertises, and where sites usually keep one.

The caller fetches the page and each candidate; this module only reads markup.
``looks_like_feed`` lives in ``feeds`` beside the parser whose sniffing it
shares, and is re-exported here for callers that discover.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from daybook.pipeline.feeds import looks_like_feed
from daybook.pipeline.types import DiscoveredFeed
from daybook.pipeline.urls import web_url

__all__ = ["COMMON_FEED_PATHS", "discover_feeds", "looks_like_feed"]

# Most likely first: the caller fetches them in order until one is a feed.
COMMON_FEED_PATHS: tuple[str, ...] = (
    "/feed",  # WordPress
    "/rss.xml",
    "/atom.xml",
    "/feed.xml",  # Jekyll
    "/index.xml",  # Hugo
    "/rss",
    "/feeds/all.atom.xml",  # Pelican
    "/feed.json",
    "/index.rss",
    "/feeds/posts/default",  # Blogger
)

# Rank within a page: XML feeds carry more (content, media) than most JSON
# ones, and a bare application/json link is as often an API as a feed.
_KINDS: dict[str, tuple[str, int]] = {
    "application/rss+xml": ("rss", 0),
    "application/atom+xml": ("atom", 0),
    "application/rdf+xml": ("rss", 0),
    "application/feed+json": ("json", 1),
    "application/json": ("json", 2),
}
_COMMENTS = re.compile(r"comments", re.IGNORECASE)


def discover_feeds(html: str, *, base_url: str) -> list[DiscoveredFeed]:
    """The feeds a page links to with ``<link rel="alternate">``, best first.

    Links are read wherever the parser put them: a stray element in a broken
    ``<head>`` makes libxml2 move the rest of it into the body. Comment feeds
    are dropped when the page offers anything else: a reader wants the articles.
    """
    try:
        document = lxml.html.document_fromstring(
            html.encode("utf-8", errors="replace"),
            parser=lxml.html.HTMLParser(encoding="utf-8"),
        )
    except (lxml.etree.ParserError, ValueError):
        return []  # empty or unparsable: a page without feeds
    base = base_url
    for href in document.xpath("//base/@href"):
        base = urljoin(base_url, str(href).strip())
        break
    found: dict[str, tuple[int, DiscoveredFeed]] = {}
    for link in document.iter("link"):
        rel = str(link.get("rel") or "").lower().split()
        kind = _KINDS.get(str(link.get("type") or "").split(";")[0].strip().lower())
        url = _feed_url(str(link.get("href") or ""), base)
        if "alternate" not in rel or kind is None or url is None or url in found:
            continue
        title = " ".join(str(link.get("title") or "").split()) or None
        found[url] = (kind[1], DiscoveredFeed(url=url, title=title, kind=kind[0]))
    ranked = sorted(found.values(), key=lambda pair: pair[0])  # stable: page order within a rank
    feeds = [feed for _, feed in ranked]
    main = [feed for feed in feeds if not _is_comments(feed)]
    return main or feeds


def _is_comments(feed: DiscoveredFeed) -> bool:
    return bool(_COMMENTS.search(feed.title or "") or _COMMENTS.search(feed.url))


def _feed_url(href: str, base: str) -> str | None:
    """An absolute http(s) URL; ``feed:`` URLs (``feed://host/``, ``feed:https://host/``)
    are unwrapped, anything else (``javascript:``, ``data:``) is no feed."""
    href = href.strip()
    if not href:
        return None
    if href.lower().startswith("feed:"):
        href = href[5:]
        if href.startswith("//"):
            href = "http:" + href
    return web_url(href, base)
