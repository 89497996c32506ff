"""The dataclasses that flow between pipeline stages.

They are frozen so a stage can never change what an earlier stage produced;
a stage that refines data returns a new instance (``dataclasses.replace``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Validators:
    """What a previous response told us, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """A fetched resource. ``url`` is the final URL after redirects."""

    url: str
    status: int
    content_type: str | None
    content: bytes
    encoding: str | None  # the charset that decodes ``content``; None for binary
    validators: Validators = field(default_factory=Validators)
    not_modified: bool = False  # a 304: ``content`` is empty, reuse what is stored
    # Seconds the server asked us to cache it (Cache-Control max-age, else
    # Expires minus Date); None when it did not say.
    cache_seconds: float | None = None
    # (rel, absolute http(s) URL) pairs of its Link headers: WebSub's "hub" and "self".
    links: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding or "utf-8", errors="replace")

    def link(self, rel: str) -> str | None:
        """The first URL the Link headers give for ``rel`` (lower case), or None."""
        return next((url for name, url in self.links if name == rel), None)


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed. ``summary`` and ``content`` are unsanitised HTML."""

    id: str  # guid/id, else the link, else a hash of title+summary
    url: str | None  # absolute
    title: str | None
    published: datetime | None  # timezone-aware UTC
    updated: datetime | None
    authors: tuple[str, ...] = ()
    summary: str | None = None
    content: str | None = None
    image: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    url: str
    title: str | None
    site_url: str | None
    entries: tuple[FeedEntry, ...]
    # Seconds the feed asks to be left alone between polls (RSS <ttl>,
    # sy:updatePeriod/updateFrequency); None when it does not say.
    ttl_seconds: int | None = None
    hub: str | None = None  # its WebSub hub, absolute http(s)
    self_url: str | None = None  # the URL it says it lives at, absolute http(s)
    icon: str | None = None  # the publisher's icon or logo the feed names, absolute http(s)


@dataclass(frozen=True)
class RelatedTeaser:
    """A "related article" teaser found in the chrome around an article."""

    title: str
    publisher: str | None = None
    age: str | None = None  # as printed: "5 hours ago", "2 days ago", "03-11-2025"
    text: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ExtractedArticle:
    """The article found in a page or a captured text, before normalisation.

    ``text`` holds plain-text paragraphs separated by one blank line.
    """

    text: str
    url: str | None = None
    canonical_url: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: datetime | None = None  # timezone-aware UTC when known
    site_name: str | None = None
    language: str | None = None
    image: str | None = None
    description: str | None = None
    related: tuple[RelatedTeaser, ...] = ()


@dataclass(frozen=True)
class DiscoveredFeed:
    url: str
    title: str | None
    kind: str  # "rss", "atom", "json"
