"""What each page shows, as plain data: built once, then rendered as HTML by a
template, served as JSON (``?format=json``), and reused by the API.

Builders return JSON-ready dicts (ids, strings, ISO times) so a page's data can
be cached and sent as it is. Relative times ("14 hours ago") are not stored
here: the template turns each ISO time into one when it renders, so a cached
page never shows a stale age for long. Nothing here knows who is reading;
``daybook.web.reader`` applies a signed-in reader's mutes and follows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import NamedTuple, TypeVar

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from daybook.ai.text import MAX_TEXT_CHARS, paragraphs
from daybook.ai.topics import REGIONS, TOPICS
from daybook.news import ranking
from daybook.news.models import Article, ArticleEntity, Entity, Quote, Source, Story, tagged
from daybook.news.related import related_ids, similar_stories
from daybook.pipeline.compare import Span, compare
from daybook.pipeline.urls import is_web_url
from daybook.text.script import unspaced
from daybook.web import paging
from daybook.web.shapes import (
    ArticleDetail,
    ArticleQuote,
    Card,
    Changes,
    EntityCount,
    EntityPage,
    Home,
    Listing,
    MentionShown,
    PublisherPage,
    PublisherRef,
    Publishers,
    QuoteShown,
    RelatedStory,
    Republishing,
    SpanShown,
    SpeakerQuotes,
    StoryCard,
    StoryDetail,
    SummaryLine,
    TopicPage,
    Topics,
    TopicShown,
)

TOP_STORIES = 12
LATEST = 20
SECTION_SIZE = 4
HOME_WINDOW = 400
"""The newest articles the home page reads at once to fill Latest and its sections."""
TEASER_WORDS = 40
OPENING_CHARS = 2000
"""Enough of an article's text for a teaser of ``TEASER_WORDS`` words."""
COMPARED_COPIES = 5
TOPIC_NAMES = (*TOPICS, *REGIONS)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def teaser(article: Article) -> str:
    """The article's own description, else its summary, else its opening words."""
    if article.description:
        text = article.description
    elif article.summary:
        text = " ".join(s["text"] for s in article.summary)
    else:
        opening: str | None = getattr(article, "opening", None)  # see ``listed``
        text = opening if opening is not None else article.text[:OPENING_CHARS]
    words = text.split()
    return " ".join(words[:TEASER_WORDS]) + ("…" if len(words) > TEASER_WORDS else "")


def card(article: Article) -> Card:
    """An article as lists show it (``source`` should be selected)."""
    return {
        "id": article.pk,
        "title": article.title,
        "path": reverse("article", args=[article.pk]),
        "publisher": publisher_ref(article.source_id, article.publisher, _icon(article)),
        # Undated stays undated: the time it was stored is not when it was published.
        "published": _iso(article.published_at),
        "stored": _iso(article.created_at),
        "teaser": teaser(article),
        "image": article.image if is_web_url(article.image) else None,
        "language": article.language or "en",
        "story": article.story_id,
        "topics": article.topics,
        "copy_of": article.copy_of_id,
    }


def publisher_ref(pk: int | None, name: str, icon: str | None) -> PublisherRef:
    return {"id": pk, "name": name, "icon": icon if icon and is_web_url(icon) else None}


def _icon(article: Article) -> str | None:
    return article.source.icon if article.source_id is not None and article.source else None


def cards(articles: Iterable[Article]) -> list[Card]:
    return [card(a) for a in articles]


HEAVY = ("embedding", "signature")
"""Columns no page shows: left in the database when loading lists."""

CARD_COLUMNS = (
    *("title", "source__name", "source__icon", "site_name", "published_at", "created_at"),
    "description",
    *("summary", "image", "language", "story_id", "topics", "copy_of_id"),
)
"""What ``card`` reads of an article."""


def listed(rows: QuerySet[Article]) -> QuerySet[Article]:
    """``rows`` loading what a card shows and no more. An article's text runs to
    tens of kilobytes, and a list of forty of them read it all for a teaser that
    needs its opening words (``opening``)."""
    return (
        rows.select_related("source")
        .only(*CARD_COLUMNS)
        .annotate(opening=Substr("text", 1, OPENING_CHARS))
    )


def originals() -> QuerySet[Article]:
    return listed(Article.objects.filter(copy_of=None))


def dated_originals() -> QuerySet[Article]:
    """Originals with a publication date no later than the clock allows, newest
    first: what "latest" lists show. An undated article has no place in a list by
    time (it is still in its publisher's and topic's pages), and a date ahead of the
    clock is a feed's mistake, not the newest news."""
    horizon = timezone.now() + ranking.FUTURE_TOLERANCE
    return originals().filter(published_at__isnull=False, published_at__lte=horizon)


def with_topic(articles: QuerySet[Article], name: str) -> QuerySet[Article]:
    return articles.filter(tagged(name))


# -- home -----------------------------------------------------------------------------


def home() -> Home:
    """Top stories, then the latest articles and a few per topic. An article shows
    once on the page: not in Latest when its story is a top story, and in one topic
    section at most."""
    as_of = timezone.now()
    stories = top_stories()
    shown_stories = {s["id"] for s in stories}
    shown: set[int] = set()

    def fresh(candidates: Iterable[tuple[int, int | None]], size: int) -> list[int]:
        # Ids first: many of the newest articles belong to the top stories above.
        found = []
        for pk, story in candidates:
            if pk not in shown and story not in shown_stories:
                found.append(pk)
                shown.add(pk)
                if len(found) == size:
                    break
        return found

    # The newest articles, read once: Latest and most sections find theirs here.
    window = list(dated_originals().values_list("pk", "story_id", "topics")[:HOME_WINDOW])

    def newest(name: str, size: int) -> Sequence[tuple[int, int | None]]:
        """The first ``size`` of the topic's newest articles, as its own query would."""
        found = [(pk, story) for pk, story, topics in window if name in topics][:size]
        if len(found) < size and len(window) == HOME_WINDOW:  # a topic rare of late
            rows = with_topic(dated_originals(), name).values_list("pk", "story_id")
            return list(rows[:size])
        return found

    latest = fresh(((pk, story) for pk, story, _ in window[: LATEST * 4]), LATEST)
    chosen = {name: fresh(newest(name, SECTION_SIZE * 4), SECTION_SIZE) for name in TOPICS}
    rows = listed(Article.objects.all()).in_bulk(shown)

    def loaded(ids: list[int]) -> list[Card]:
        return cards(rows[pk] for pk in ids if pk in rows)  # one may be gone since

    return {
        "stories": stories,
        "articles": loaded(latest),
        "sections": [
            {"topic": name, "path": _topic_path(name), "articles": loaded(ids)}
            for name, ids in chosen.items()
            if ids
        ],
        "as_of": as_of.isoformat(),
    }


class Member(NamedTuple):
    """What a story card reads of each of a story's articles (an ``Article`` has the
    same attributes): a top story has dozens, and only its lead is loaded whole."""

    pk: int
    story_id: int | None
    copy_of_id: int | None
    source_id: int | None
    publisher: str
    icon: str
    published_at: datetime | None
    created_at: datetime
    image: str
    topics: list[str]


Covering = Member | Article
C = TypeVar("C", Member, Article)


def top_stories(limit: int = TOP_STORIES) -> list[StoryCard]:
    """The front page's stories (``daybook.news.ranking``), as cards."""
    ranked = ranking.top_stories(limit)
    members: dict[int, list[Member]] = defaultdict(list)
    for pk, story, copy_of, source, name, icon, site, published, stored, image, topics in (
        Article.objects.filter(story__in=[r.story for r in ranked])
        .order_by("published_at", "id")
        .values_list(
            *("pk", "story_id", "copy_of_id", "source_id", "source__name", "source__icon"),
            "site_name",
            *("published_at", "created_at", "image", "topics"),
        )
    ):
        publisher = name or site
        member = Member(
            pk, story, copy_of, source, publisher, icon or "", published, stored, image, topics
        )
        members[story].append(member)
    leads = listed(Article.objects.all()).in_bulk(
        [lead.pk for rows in members.values() if (lead := _lead(rows)) is not None]
    )
    cards_ = []
    for r in ranked:
        rows = members[r.story.pk]
        lead = _lead(rows)
        cards_.append(story_card(r.story, rows, leads.get(lead.pk) if lead else None))
    return cards_


def _lead(articles: Sequence[C]) -> C | None:
    """The article a story's card shows: its first original (in time order), else
    its first copy."""
    return next((a for a in articles if a.copy_of_id is None), articles[0] if articles else None)


def _coverage_order(article: Covering) -> tuple[bool, datetime, int]:
    """Dated articles by time, then the undated by when they were stored (the
    databases disagree on where NULL sorts)."""
    return (article.published_at is None, article.published_at or article.created_at, article.pk)


def story_card(story: Story, articles: Sequence[Covering], lead: Article | None) -> StoryCard:
    """A story as lists show it, from its articles in time order and its lead
    (``_lead``) loaded whole."""
    image = next((a.image for a in articles if is_web_url(a.image)), None)
    topics = Counter(t for a in articles for t in a.topics)
    publishers: dict[str, PublisherRef] = {}
    for a in sorted(articles, key=_coverage_order):
        if a.publisher not in publishers:
            icon = a.icon if isinstance(a, Member) else _icon(a)
            publishers[a.publisher] = publisher_ref(a.source_id, a.publisher, icon)
    dated = [a.published_at for a in articles if a.published_at]
    return {
        "id": story.pk,
        "title": story.title or (lead.title if lead else ""),
        "path": reverse("story", args=[story.pk]),
        "summary": [s["text"] for s in story.summary],
        "generated_summary": story.generated_summary or None,
        "publisher_count": story.publisher_count,
        "article_count": story.article_count,
        "publishers": list(publishers.values()),
        "first_seen": _iso(story.first_seen),
        "last_seen": _iso(story.last_seen),
        "latest": _iso(max(dated)) if dated else None,
        "image": image,
        "lead": card(lead) if lead else None,
        "topics": [t for t, _ in topics.most_common(3)],
    }


# -- story ----------------------------------------------------------------------------


def resolve_story(pk: int) -> Story:
    """The story with ``pk``, following merges; Http404 if there is none."""
    story = Story.current(pk)
    if story is None:
        raise Http404("No such story.")
    return story


def story(story: Story) -> StoryDetail:
    as_of = timezone.now()
    articles = sorted(
        listed(Article.objects.filter(story=story)),
        key=_coverage_order,
    )
    # By id, not by joining on the story: the planner would walk every original.
    ids = [a.pk for a in articles]
    original_ids = [a.pk for a in articles if a.copy_of_id is None]
    by_publisher: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        by_publisher[a.publisher].append(a)
    titles = {a.pk: a for a in articles}
    lead = _lead(articles)
    summary: list[SummaryLine] = [
        {
            "text": s["text"],
            "article": s["article"],
            "publisher": titles[s["article"]].publisher if s["article"] in titles else "",
            "path": reverse("article", args=[s["article"]]),
        }
        for s in story.summary
    ]
    return {
        "story": {**story_card(story, articles, lead), "summary": summary},
        "timeline": [{**card(a), "is_copy": a.copy_of_id is not None} for a in articles],
        "coverage": [
            {"publisher": name, "publisher_id": rows[0].source_id, "articles": cards(rows)}
            for name, rows in sorted(by_publisher.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ],
        "entities": _entities(ArticleEntity.objects.filter(article_id__in=ids), limit=20),
        # A copy's quotes are its original's words again: only originals count.
        "quotes": _quotes_by_speaker(Quote.objects.filter(article_id__in=original_ids)),
        "related_stories": related_stories(story),
        "as_of": as_of.isoformat(),
    }


def _entities(mentions: QuerySet[ArticleEntity], limit: int) -> list[EntityCount]:
    rows = (
        mentions.values("entity_id", "entity__name", "entity__kind")
        .annotate(total=Count("id"))
        .order_by("-total", "entity__name")[:limit]
    )
    return [
        {
            "id": r["entity_id"],
            "name": r["entity__name"],
            "kind": r["entity__kind"],
            "articles": r["total"],
            "path": reverse("entity", args=[r["entity_id"]]),
        }
        for r in rows
    ]


def _with_articles(quotes: QuerySet[Quote]) -> QuerySet[Quote]:
    """Quotes with the little of their article a quote shows (not its text)."""
    return quotes.select_related("speaker", "article", "article__source").defer(
        "article__text", *(f"article__{column}" for column in HEAVY)
    )


def _quote(q: Quote) -> QuoteShown:
    return {
        "text": q.text,
        "article": q.article_id,
        "publisher": q.article.publisher,
        "path": reverse("article", args=[q.article_id]) + f"#p{q.paragraph}",
        "paragraph": q.paragraph,
    }


def _quotes_by_speaker(quotes: QuerySet[Quote]) -> list[SpeakerQuotes]:
    """Quotes grouped by who said them (a named speaker, or an unnamed source as the
    article describes it), most-quoted first, the unattributed last."""
    grouped: dict[int | str | None, list[Quote]] = defaultdict(list)
    speakers: dict[int, Entity] = {}
    rows = _with_articles(quotes)
    for q in rows.order_by("article__published_at", "article_id", "position"):
        grouped[q.speaker_id or (q.unnamed.casefold() if q.unnamed else None)].append(q)
        if q.speaker is not None:
            speakers[q.speaker.pk] = q.speaker
    ordered = sorted(grouped.items(), key=lambda kv: (kv[0] is None, -len(kv[1])))
    return [
        {
            "speaker": (
                {
                    "id": key,
                    "name": speakers[key].name,
                    "path": reverse("entity", args=[key]),
                }
                if isinstance(key, int)
                else None
            ),
            "unnamed": found[0].unnamed if isinstance(key, str) else None,
            "quotes": [_quote(q) for q in found],
        }
        for key, found in ordered
    ]


def related_stories(story: Story, limit: int = 5) -> list[RelatedStory]:
    return [
        {
            "id": other.pk,
            "title": other.title,
            "path": reverse("story", args=[other.pk]),
            "publisher_count": other.publisher_count,
            "last_seen": _iso(other.last_seen),
        }
        for other in similar_stories(story, limit)
    ]


# -- article --------------------------------------------------------------------------


def article(pk: int) -> ArticleDetail:
    found = Article.objects.select_related("source", "story", "copy_of__source").filter(pk=pk)
    row = found.first()
    if row is None:
        raise Http404("No such article.")
    entities: list[MentionShown] = [
        {
            "id": m.entity_id,
            "name": m.entity.name,
            "kind": m.entity.kind,
            "count": m.count,
            "path": reverse("entity", args=[m.entity_id]),
        }
        for m in ArticleEntity.objects.filter(article=row).select_related("entity")[:30]
    ]
    quotes: list[ArticleQuote] = [
        {
            "text": q.text,
            "paragraph": q.paragraph,
            "speaker": (
                {
                    "id": q.speaker.pk,
                    "name": q.speaker.name,
                    "path": reverse("entity", args=[q.speaker.pk]),
                }
                if q.speaker is not None
                else None
            ),
            "unnamed": q.unnamed or None,
        }
        for q in Quote.objects.filter(article=row).select_related("speaker")
    ]
    story_row = row.story
    return {
        "article": {
            **card(row),
            "url": row.url if is_web_url(row.url) else None,
            "authors": row.authors,
            "reading_minutes": row.reading_minutes,
            "word_count": row.word_count,
            "paragraphs": paragraphs(row.text[:MAX_TEXT_CHARS]),
            "truncated": len(row.text) > MAX_TEXT_CHARS,
            "description": row.description,
            "story": (
                {
                    "id": story_row.pk,
                    "title": story_row.title,
                    "path": reverse("story", args=[story_row.pk]),
                    "article_count": story_row.article_count,
                    "publisher_count": story_row.publisher_count,
                }
                if story_row is not None
                else None
            ),
        },
        "ai": {
            "summary": [s["text"] for s in row.summary],
            "key_points": [s["text"] for s in row.key_points],
            "entities": entities,
            "quotes": quotes,
            "topics": [{"name": t, "path": _topic_path(t)} for t in row.topics],
            "keywords": row.keywords,
            "enriched": bool(row.enriched),
        },
        "related": _related(row),
        "republishing": republishing(row),
    }


def related(pk: int) -> list[Card]:
    row = Article.objects.filter(pk=pk).first()
    if row is None:
        raise Http404("No such article.")
    return _related(row)


def _related(row: Article) -> list[Card]:
    order = related_ids(row)
    found = listed(Article.objects.all()).in_bulk(order)
    return [card(found[i]) for i in order if i in found]


def republishing(row: Article) -> Republishing | None:
    """For a wire copy: the original and what this outlet added or cut. For an
    original that others republished: who did, each with their changes."""
    if row.copy_of is not None:
        return {
            "original": card(row.copy_of),
            "copies": [],
            "changes": _changes(row.copy_of.text, row.text),
        }
    copies = list(row.copies.select_related("source").order_by("published_at", "id"))
    if not copies:
        return None
    return {
        "original": None,
        "copies": [
            {**card(c), "changes": _changes(row.text, c.text) if i < COMPARED_COPIES else None}
            for i, c in enumerate(copies)
        ],
        "changes": None,
    }


def _changes(original: str, copy: str) -> Changes:
    result = compare(original, copy)
    return {
        "added": result.added,
        "cut": result.cut,
        "edited": result.edited,
        "same": result.same,
        "identical": result.identical,
        "truncated": result.truncated,
        "paragraphs": [
            {
                "kind": c.kind,
                "original": c.original,
                "copy": c.copy,
                "spans": _spaced(c.spans),
            }
            for c in result.changes
        ],
    }


def _spaced(spans: tuple[Span, ...]) -> list[SpanShown]:
    """Spans with the space that separates them in the text, so a template can
    print them back to back: none between two characters of a script written
    without spaces (Japanese is compared character by character)."""
    shown: list[SpanShown] = []
    for i, span in enumerate(spans):
        following = spans[i + 1].text[:1] if i + 1 < len(spans) else ""
        space = "" if not following or (unspaced(span.text[-1:]) and unspaced(following)) else " "
        shown.append({"kind": span.kind, "text": span.text + space})
    return shown


# -- lists: publishers, topics, entities ---------------------------------------------


Narrow = Callable[[QuerySet[Article]], QuerySet[Article]]
"""A reader's own cut of a list (``daybook.community.reading.unread``)."""


def _listing(
    rows: QuerySet[Article], cursor: str | None, limit: int, path: str, narrow: Narrow | None
) -> Listing:
    """One page of a list, and the moment it was read: "mark all as read" marks what
    was there then, not what arrived after."""
    as_of = timezone.now()
    found, following = paging.page(narrow(rows) if narrow else rows, cursor, limit)
    unread = "&unread=1" if narrow else ""
    return {
        "articles": cards(found),
        "next": f"{path}?cursor={following}{unread}" if following else None,
        "cursor": following,
        "as_of": as_of.isoformat(),
    }


def publishers() -> Publishers:
    rows = Source.objects.annotate(count=Count("articles")).order_by("name")
    return {
        "publishers": [
            {
                "id": s.pk,
                "name": s.name,
                "site_url": s.site_url if is_web_url(s.site_url) else None,
                "articles": s.count,
                "path": reverse("publisher", args=[s.pk]),
            }
            for s in rows
        ]
    }


def publisher(
    pk: int, cursor: str | None = None, limit: int = 30, narrow: Narrow | None = None
) -> PublisherPage:
    source = Source.objects.filter(pk=pk).first()
    if source is None:
        raise Http404("No such publisher.")
    path = reverse("publisher", args=[pk])
    return {
        "publisher": {
            "id": source.pk,
            "name": source.name,
            "site_url": source.site_url if is_web_url(source.site_url) else None,
            "path": path,
            "feeds": {"rss": f"/feeds/publishers/{pk}.rss", "atom": f"/feeds/publishers/{pk}.atom"},
        },
        **_listing(
            listed(Article.objects.filter(source=source)),
            cursor,
            limit,
            path,
            narrow,
        ),
    }


def _topic_path(name: str) -> str:
    return reverse("topic", args=[name])


def topics() -> Topics:
    subjects: list[TopicShown] = [
        {"name": t, "kind": "subject", "path": _topic_path(t)} for t in TOPICS
    ]
    regions: list[TopicShown] = [
        {"name": r, "kind": "region", "path": _topic_path(r)} for r in REGIONS
    ]
    return {"topics": subjects + regions}


def topic(
    name: str, cursor: str | None = None, limit: int = 30, narrow: Narrow | None = None
) -> TopicPage:
    if name not in TOPIC_NAMES:
        raise Http404("No such topic.")
    path = _topic_path(name)
    return {
        "topic": {
            "name": name,
            "kind": "subject" if name in TOPICS else "region",
            "path": path,
            "feeds": {"rss": f"/feeds/topics/{name}.rss", "atom": f"/feeds/topics/{name}.atom"},
        },
        **_listing(with_topic(originals(), name), cursor, limit, path, narrow),
    }


def entity(
    pk: int, cursor: str | None = None, limit: int = 30, narrow: Narrow | None = None
) -> EntityPage:
    row = Entity.objects.filter(pk=pk).first()
    if row is None:
        raise Http404("No such entity.")
    path = reverse("entity", args=[pk])
    quotes = _with_articles(Quote.objects.filter(speaker=row, article__copy_of=None))
    story_ids = (
        ArticleEntity.objects.filter(entity=row, article__story__merged_into=None)
        .exclude(article__story=None)
        .values("article__story")
        .annotate(n=Count("id"))
        .order_by("-n")[:10]
    )
    stories = Story.objects.in_bulk([s["article__story"] for s in story_ids])
    return {
        "entity": {
            "id": row.pk,
            "name": row.name,
            "kind": row.kind,
            "aliases": [a for a in row.aliases if a != row.name],
            "path": path,
        },
        "quotes": [_quote(q) for q in quotes.order_by("-article__published_at", "position")[:20]],
        "stories": [
            {"id": s.pk, "title": s.title, "path": reverse("story", args=[s.pk])}
            for s in (stories.get(r["article__story"]) for r in story_ids)
            if s is not None
        ],
        **_listing(originals().filter(mentions__entity=row), cursor, limit, path, narrow),
    }
