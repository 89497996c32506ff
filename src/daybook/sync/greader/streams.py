"""Which articles a stream holds for its reader, filtered and paged as clients ask.

A stream lists what the site lists: originals, copies folded into them (except the
starred stream, which is whatever the reader saved). The reading list is the
publishers the reader follows. Every stream leaves out what the reader muted.
Streams are ordered by when daybook stored an article, not when it says it was
published, and paged by a keyset on (stored, id): what arrives while a client pages
lands before its first page, never inside the pages it is walking, and ``ot``/``nt``
(the times a client last synced) compare with the same clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth.models import User
from django.db.models import Count, Max, Q, QuerySet

from daybook.ai.topics import REGIONS, TOPICS
from daybook.community import reading
from daybook.community.models import Follow
from daybook.community.state import ReaderState
from daybook.news.models import Article, Feed, Source, tagged
from daybook.web import paging
from daybook.web.pages import teaser  # what mutes match, as on the pages

STATE = "user/-/state/com.google/"
READING_LIST = STATE + "reading-list"
READ = STATE + "read"
STARRED = STATE + "starred"
KEPT_UNREAD = STATE + "kept-unread"
LABEL = "user/-/label/"
_STATE = re.compile(r"user/[^/]*/state/com\.google/([a-z-]+)")
_LABEL = re.compile(r"user/[^/]*/label/(.+)")
MAX_ITEMS = 10000


class BadStream(ValueError):
    """A stream id, tag or paging argument that is not one: 400."""


class NoStream(LookupError):
    """A well-formed stream that does not exist here (an unknown feed or label): 404."""


@dataclass(frozen=True)
class Stream:
    kind: str
    """"reading-list", "starred", "read", "feed" or "label"."""
    key: str = ""
    """The feed's URL or the label's name."""
    source: Source | None = None

    @property
    def id(self) -> str:
        if self.kind == "feed":
            return f"feed/{self.key}"
        if self.kind == "label":
            return LABEL + self.key
        return STATE + self.kind

    @property
    def title(self) -> str:
        if self.source is not None:
            return self.source.name
        return self.key or self.kind.replace("-", " ").capitalize()


def parse(raw: str) -> Stream:
    raw = raw.strip()
    if raw.startswith("feed/"):
        url = raw[len("feed/") :]
        feed = Feed.objects.select_related("source").filter(url=url).first()
        if feed is None or feed.source is None:
            raise NoStream(f"no such feed here: {url[:200]!r}")
        return Stream("feed", url, feed.source)
    if found := _STATE.fullmatch(raw):
        if found[1] not in ("reading-list", "starred", "read"):
            raise NoStream(f"no such stream: {raw[:200]!r}")
        return Stream(found[1])
    if found := _LABEL.fullmatch(raw):
        if found[1] not in (*TOPICS, *REGIONS):
            raise NoStream(f"no such label: {found[1][:200]!r}")
        return Stream("label", found[1])
    raise BadStream(f"not a stream id: {raw[:200]!r}")


def feed_url(source_id: int) -> str:
    """The one feed a publisher is known by in the APIs: its first."""
    url = Feed.objects.filter(source_id=source_id).order_by("id").values_list("url", flat=True)
    return url.first() or ""


def followed_publishers(user: User) -> list[int]:
    keys = Follow.objects.filter(user=user, kind="publisher").values_list("key", flat=True)
    return [int(key) for key in keys if key.isdigit()]


def visible(state: ReaderState) -> QuerySet[Article]:
    """Every article a stream may show this reader: not from a muted publisher (muted
    words are matched in ``unmuted``: they need each article's teaser)."""
    return Article.objects.exclude(source_id__in=state.muted_publishers)


def articles(stream: Stream, user: User, state: ReaderState) -> QuerySet[Article]:
    rows = visible(state)
    if stream.kind == "starred":
        return rows.filter(bookmarks__user=user)
    rows = rows.filter(copy_of=None)
    if stream.kind == "feed":
        assert stream.source is not None
        return rows.filter(source=stream.source)
    if stream.kind == "label":
        return rows.filter(tagged(stream.key))
    rows = rows.filter(source_id__in=followed_publishers(user))
    if stream.kind == "read":
        return with_tag(rows, READ, user, state)
    return rows


def with_tag(
    rows: QuerySet[Article], tag: str, user: User, state: ReaderState
) -> QuerySet[Article]:
    """``rows`` that carry ``tag`` (``it=``)."""
    return rows.filter(pk__in=_tagged(rows, tag, user, state).values("pk"))


def without_tag(
    rows: QuerySet[Article], tag: str, user: User, state: ReaderState
) -> QuerySet[Article]:
    """``rows`` that do not carry ``tag`` (``xt=``)."""
    return rows.exclude(pk__in=_tagged(rows, tag, user, state).values("pk"))


def normal_tag(tag: str) -> str:
    """A state tag spelled with ``user/-/``, whatever user id a client put in it."""
    tag = tag.strip()
    return STATE + found[1] if (found := _STATE.fullmatch(tag)) else tag


def _tagged(rows: QuerySet[Article], tag: str, user: User, state: ReaderState) -> QuerySet[Article]:
    tag = normal_tag(tag)
    if tag == READ:
        return rows.exclude(pk__in=reading.unread(rows, state.reading).values("pk"))
    if tag == KEPT_UNREAD:
        return reading.unread(rows, state.reading)
    if tag == STARRED:
        return rows.filter(bookmarks__user=user)
    if tag == READING_LIST:
        return rows
    if (found := _LABEL.fullmatch(tag)) and found[1] in (*TOPICS, *REGIONS):
        return rows.filter(tagged(found[1]))
    raise BadStream(f"not a tag: {tag[:200]!r}")


def seconds(raw: str | None, name: str) -> datetime | None:
    """A time in Unix seconds (or, as some clients send, milli- or microseconds)."""
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError as error:
        raise BadStream(f"{name} is not a time: {raw[:40]!r}") from error
    if value > 1e14:
        value /= 1e6
    elif value > 1e11:
        value /= 1e3
    if not 0 <= value < 1e10:
        raise BadStream(f"{name} is not a time: {raw[:40]!r}")
    return datetime.fromtimestamp(value, UTC)


def count(raw: str | None, default: int, most: int = MAX_ITEMS) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise BadStream(f"n is not a count: {raw[:40]!r}")
    return max(1, min(int(raw), most))


def unmuted(rows: Iterator[Article], state: ReaderState) -> Iterator[Article]:
    if not state.muted_words:
        yield from rows
        return
    for article in rows:
        if not state.hides(article.title, teaser(article), article.source_id):
            yield article


def unread_counts(user: User, state: ReaderState) -> dict[int, tuple[int, datetime]]:
    """Unread articles of the reading list per publisher, with the newest one's time."""
    rows = reading.unread(articles(Stream("reading-list"), user, state), state.reading)
    if not state.muted_words:
        grouped = (
            rows.order_by().values("source_id").annotate(n=Count("id"), newest=Max("created_at"))
        )
        return {row["source_id"]: (row["n"], row["newest"]) for row in grouped}
    counts: dict[int, tuple[int, datetime]] = {}
    fields = ("id", "source_id", "created_at", "title", "description", "summary", "text")
    for article in unmuted(rows.only(*fields).iterator(chunk_size=500), state):
        n, newest = counts.get(article.source_id or 0, (0, article.created_at))
        counts[article.source_id or 0] = (n + 1, max(newest, article.created_at))
    return counts


def page(
    rows: QuerySet[Article],
    state: ReaderState,
    *,
    n: int,
    oldest_first: bool = False,
    continuation: str | None = None,
) -> tuple[list[Article], str | None]:
    """Up to ``n`` articles after ``continuation`` and the token of the next page
    (None at the end). The token is the last row's (stored, id): a keyset, so pages
    stay right while articles arrive."""
    order = ("created_at", "id") if oldest_first else ("-created_at", "-id")
    rows = rows.select_related("source").defer("embedding", "signature", "related")
    rows = rows.order_by(*order)
    if continuation:
        try:
            when, pk = paging.decode(continuation)
        except paging.BadCursor as error:
            raise BadStream(str(error)) from error
        after = Q(created_at__gt=when) | Q(created_at=when, id__gt=pk)
        before = Q(created_at__lt=when) | Q(created_at=when, id__lt=pk)
        rows = rows.filter(after if oldest_first else before)
    found: list[Article] = []
    for article in unmuted(rows.iterator(chunk_size=200), state):
        if len(found) == n:
            last = found[-1]
            return found, paging.encode(last.created_at, last.pk)
        found.append(article)
    return found, None
